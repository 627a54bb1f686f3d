/* restauth demo: a static single-page app against the API. No build step,
 * no dependencies. Token mode keeps the key in memory only (never in
 * storage) and sends "Authorization: Token <key>"; JWT cookie mode sends
 * no credential of its own: the browser's HttpOnly cookies carry the
 * tokens, and an expired access token is refreshed once, transparently.
 * Two-factor (when the server has REST_AUTH.MFA_ENABLED): a login that
 * answers mfa_required asks for a code and finishes through mfa/verify/;
 * the "Two-factor" panel enrols an authenticator app (QR code and secret),
 * lists and renews the recovery codes, and turns it off. The login and
 * activation tokens stay in memory only, as the key does. */
"use strict";

const state = {
  prefix: "/auth/",
  mode: null, // null (not logged in), "token" or "jwt"
  key: null, // token mode only
  refreshing: null, // the one token/refresh/ in flight (rotation: a refresh token works once)
  ephemeral: null, // login/'s ephemeral_token while the second factor is asked for
  activation: null, // the activation_token of the enrolment under way
};

function $(sel, root) {
  return (root || document).querySelector(sel);
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

function logRequest(method, path, status, note) {
  const li = document.createElement("li");
  li.textContent = method + " " + path + " → " + status + (note ? " (" + note + ")" : "");
  li.dataset.path = path;
  li.dataset.status = String(status);
  $("#log").prepend(li);
}

/* One request, no retry. Answers {status, data}. */
async function rawCall(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "include" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (state.mode === "token" && state.key) headers.Authorization = "Token " + state.key;
  // Django's CSRF double submit, needed with JWT_AUTH_COOKIE_USE_CSRF.
  const csrf = cookie("csrftoken");
  if (csrf && method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrf;
  let resp;
  try {
    resp = await fetch(state.prefix + path, init);
  } catch (e) {
    logRequest(method, path, "network error");
    return { status: 0, data: { detail: "Network error: " + e.message } };
  }
  let data = null;
  const text = await resp.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = { detail: text.slice(0, 200) };
    }
  }
  logRequest(method, path, resp.status);
  return { status: resp.status, data };
}

/* token/refresh/ with the refresh cookie; one at a time per page. */
function refresh() {
  if (!state.refreshing) {
    state.refreshing = rawCall("POST", "token/refresh/").finally(() => {
      state.refreshing = null;
    });
  }
  return state.refreshing;
}

/* A request with the transparent refresh: in JWT cookie mode a 401 (the
 * access token expired: simplejwt's code token_not_valid, or no access
 * cookie at all once the browser dropped it at its Max-Age) leads to one
 * token/refresh/ and one retry. */
async function call(method, path, body) {
  const r = await rawCall(method, path, body);
  if (r.status !== 401 || state.mode === "token") return r;
  const code = r.data && r.data.code;
  if (code !== "token_not_valid" && state.mode !== "jwt") return r;
  const rr = await refresh();
  if (rr.status !== 200) {
    if (state.mode === "jwt") loggedOut("Session expired: please log in again.");
    return r;
  }
  state.mode = "jwt";
  return rawCall(method, path, body);
}

/* ---- forms ---- */

function formData(form) {
  const out = {};
  for (const el of form.elements) {
    if (el.name && !el.readOnly && el.value !== "") out[el.name] = el.value;
  }
  return out;
}

function clearErrors(form) {
  for (const e of form.querySelectorAll(".field-error")) e.remove();
  for (const el of form.querySelectorAll(".invalid")) el.classList.remove("invalid");
  const res = $(".result", form);
  res.textContent = "";
  res.className = "result";
}

function asText(v) {
  if (Array.isArray(v)) return v.map(asText).join(" ");
  if (v && typeof v === "object") return Object.values(v).map(asText).join(" ");
  return String(v);
}

/* Field errors next to their inputs; the rest (detail, non_field_errors,
 * fields without an input) in the form's result line. */
function showResult(form, r, okText) {
  clearErrors(form);
  const res = $(".result", form);
  if (r.status >= 200 && r.status < 300) {
    res.classList.add("ok");
    res.textContent = okText || (r.data && r.data.detail) || "Done (" + r.status + ").";
    return true;
  }
  res.classList.add("error");
  const general = [];
  const data = r.data;
  if (data && typeof data === "object" && !Array.isArray(data)) {
    for (const [name, msgs] of Object.entries(data)) {
      const input = form.elements.namedItem(name);
      if (input && input.tagName === "INPUT") {
        input.classList.add("invalid");
        const span = document.createElement("span");
        span.className = "field-error";
        span.dataset.field = name;
        span.textContent = asText(msgs);
        input.closest("label").after(span);
      } else if (name === "code" || name === "messages") {
        continue;
      } else {
        general.push(name === "detail" || name === "non_field_errors" ? asText(msgs) : name + ": " + asText(msgs));
      }
    }
  } else if (data) {
    general.push(asText(data));
  }
  res.textContent = "Error " + r.status + (general.length ? ": " + general.join(" ") : ".");
  return false;
}

function loggedIn(data) {
  if (data && data.key) {
    state.mode = "token";
    state.key = data.key;
  } else if (data && "access" in data) {
    state.mode = "jwt"; // the tokens are in HttpOnly cookies; nothing is kept here
    state.key = null;
  } else {
    return false;
  }
  document.body.dataset.mode = state.mode;
  loadUser();
  return true;
}

function loggedOut(text) {
  state.mode = null;
  state.key = null;
  document.body.dataset.mode = "";
  document.body.classList.remove("authenticated");
  $("#status").textContent = text || "Not logged in.";
  for (const el of $("#user").elements) if (el.name) el.value = "";
  mfaReset("Log in to see it.");
}

/* ---- two-factor ---- */

function showCodes(list, codes) {
  list.textContent = "";
  for (const c of Array.isArray(codes) ? codes : []) {
    const li = document.createElement("li");
    li.textContent = String(c);
    list.append(li);
  }
}

function mfaEnrolmentClear() {
  state.activation = null;
  const img = $("#mfa-qr");
  img.removeAttribute("src");
  $("#mfa-secret").textContent = "";
  $("#mfa-url").textContent = "";
  $("#mfa-enrolment").hidden = true;
  $("#mfa-activate").hidden = true;
}

/* Back to "unknown": logged out, or the server has no mfa/ routes. */
function mfaReset(text) {
  document.body.dataset.mfa = "";
  $("#mfa-controls").hidden = true;
  $("#mfa-state").textContent = text;
  mfaEnrolmentClear();
  $("#mfa-new-codes").hidden = true;
  for (const list of document.querySelectorAll("#mfa-section .codes")) list.textContent = "";
}

function mfaPrompt(on) {
  const form = $("#mfa-verify");
  form.hidden = !on;
  if (!on) {
    state.ephemeral = null;
    form.elements.namedItem("code").value = "";
  } else {
    clearErrors(form);
    form.elements.namedItem("code").focus();
  }
}

/* mfa/status/ into the panel: on (since when, last used), off, or not
 * served (404: MFA_ENABLED is off). */
function showMfaStatus(r) {
  const st = $("#mfa-state");
  if (r.status === 200 && r.data && typeof r.data === "object") {
    const on = r.data.mfa_enabled === true;
    document.body.dataset.mfa = on ? "on" : "off";
    $("#mfa-controls").hidden = false;
    st.textContent = on
      ? "On since " + r.data.created_at +
        (r.data.last_used_at ? "; last used " + r.data.last_used_at : "; not used yet") + "."
      : "Off: set up an authenticator app to turn it on.";
  } else if (r.status === 404) {
    mfaReset("Not served here (REST_AUTH.MFA_ENABLED is off).");
  } else if (r.status === 401 || r.status === 403) {
    mfaReset("Log in to see it.");
  } else {
    st.textContent = "Error " + r.status + (r.data ? ": " + asText(r.data) : ".");
  }
}

async function loadMfa() {
  const r = await call("GET", "mfa/status/");
  showMfaStatus(r);
  return r;
}

function showUser(u) {
  const f = $("#user");
  for (const k of ["pk", "email", "username", "first_name", "last_name"]) {
    f.elements.namedItem(k).value = u[k] == null ? "" : u[k];
  }
  document.body.classList.add("authenticated");
  $("#status").textContent =
    "Logged in as " + u.username + (u.first_name ? " (" + u.first_name + ")" : "") +
    " — " + (state.mode === "token" ? "token mode (key in memory)" : "JWT cookie mode (HttpOnly cookies)") + ".";
}

async function loadUser() {
  const r = await call("GET", "user/");
  if (r.status === 200) {
    if (!state.mode) state.mode = "jwt"; // cookies from an earlier visit
    document.body.dataset.mode = state.mode;
    showUser(r.data);
    await loadMfa();
  } else if (r.status === 401 || r.status === 403) {
    if (state.mode) loggedOut();
  } else {
    showResult($("#user"), r);
  }
  return r;
}

function lastSegments(link, n) {
  const parts = link.split(/[?#]/)[0].split("/").filter((s) => s !== "");
  return parts.slice(-n);
}

const handlers = {
  async signup(form) {
    const r = await call("POST", "registration/", formData(form));
    if (showResult(form, r, r.data && r.data.detail ? r.data.detail : "Signed up.")) {
      if (!loggedIn(r.data)) {
        $("#status").textContent = "Signed up: confirm the e-mail address, then log in.";
      }
      const email = form.elements.namedItem("email").value;
      if (email) $("#resend").elements.namedItem("email").value = email;
    }
  },
  async verify(form) {
    let key = form.elements.namedItem("key").value.trim();
    if (key.includes("/")) key = lastSegments(key, 1)[0] || "";
    const r = await call("POST", "registration/verify-email/", { key });
    showResult(form, r, "E-mail address confirmed: you can log in.");
  },
  async resend(form) {
    showResult(form, await call("POST", "registration/resend-email/", formData(form)),
      "If that address waits for confirmation, a new link is on its way.");
  },
  async login(form) {
    const before = state.mode;
    state.mode = null; // send no old credential with the login
    state.key = null;
    mfaPrompt(false);
    const r = await call("POST", "login/", formData(form));
    if (r.status === 200 && r.data && r.data.mfa_required === true && typeof r.data.ephemeral_token === "string") {
      // The password was right; nothing is logged in until mfa/verify/.
      if (before) loggedOut();
      showResult(form, r, "Password accepted: now the second factor.");
      form.elements.namedItem("password").value = "";
      state.ephemeral = r.data.ephemeral_token;
      $("#status").textContent = "Waiting for the second factor.";
      mfaPrompt(true);
    } else if (showResult(form, r, "Logged in.")) {
      form.elements.namedItem("password").value = "";
      if (!loggedIn(r.data)) $("#status").textContent = "Logged in (no token: TOKEN_MODEL is null).";
    } else if (before) {
      loggedOut();
    }
  },
  async "mfa-verify"(form) {
    const code = form.elements.namedItem("code").value;
    const r = await call("POST", "mfa/verify/", { ephemeral_token: state.ephemeral || "", code });
    if (showResult(form, r, "Logged in.")) {
      mfaPrompt(false);
      $("#login .result").textContent = "Logged in.";
      if (!loggedIn(r.data)) $("#status").textContent = "Logged in (no token: TOKEN_MODEL is null).";
    } else if (r.status === 400 && r.data && r.data.ephemeral_token) {
      // Expired, spent, or out of tries: only a new login gives a new one.
      state.ephemeral = null;
      $(".result", form).textContent = "Error 400: " + asText(r.data.ephemeral_token) + " Log in again.";
    }
  },
  async "mfa-status"(form) {
    const r = await loadMfa();
    showResult(form, r, "Reloaded.");
  },
  async "mfa-enrol"(form) {
    mfaEnrolmentClear();
    $("#mfa-new-codes").hidden = true;
    const r = await call("GET", "mfa/totp/activate/");
    if (!showResult(form, r, "A new secret: add it to the app, then confirm below.")) {
      if (r.status === 404) showMfaStatus(r);
      return;
    }
    state.activation = r.data.activation_token;
    const uri = String(r.data.qr_code_data_uri || "");
    // Only an image of our own kind goes into src ("": no QR code).
    const drawn = uri.startsWith("data:image/svg+xml;base64,");
    if (drawn) $("#mfa-qr").src = uri;
    $("#mfa-qr").hidden = !drawn;
    $("#mfa-secret").textContent = String(r.data.secret);
    $("#mfa-url").textContent = String(r.data.totp_url);
    $("#mfa-enrolment").hidden = false;
    const confirm = $("#mfa-activate");
    clearErrors(confirm);
    confirm.hidden = false;
    confirm.elements.namedItem("code").focus();
  },
  async "mfa-activate"(form) {
    const code = form.elements.namedItem("code").value;
    const r = await call("POST", "mfa/totp/activate/", { activation_token: state.activation || "", code });
    if (showResult(form, r, "Two-factor is on.")) {
      form.elements.namedItem("code").value = "";
      mfaEnrolmentClear();
      $("#mfa-enrol .result").textContent = "Two-factor is on.";
      showCodes($("#mfa-new-codes .codes"), r.data && r.data.recovery_codes);
      $("#mfa-new-codes").hidden = false;
      await loadMfa();
    } else if (r.data && typeof r.data.detail === "string") {
      await loadMfa(); // already on, e.g. from another tab
    }
  },
  async "mfa-codes"(form) {
    // The code (MFA_REQUIRE_REAUTH) goes only when typed; else {}.
    const r = await call("POST", "mfa/recovery-codes/", formData(form));
    const n = r.data && Array.isArray(r.data.codes) ? r.data.codes.length : 0;
    const ok = n + " unused recovery code" + (n === 1 ? "." : "s.");
    if (showResult(form, r, ok)) {
      form.elements.namedItem("code").value = "";
      showCodes($(".codes", form), r.data.codes);
    }
  },
  async "mfa-regenerate"(form) {
    const r = await call("POST", "mfa/recovery-codes/regenerate/", formData(form));
    if (showResult(form, r, "New recovery codes: the old ones no longer work.")) {
      form.elements.namedItem("code").value = "";
      $("#mfa-codes .codes").textContent = "";
      $("#mfa-new-codes").hidden = true;
      showCodes($(".codes", form), r.data.codes);
    }
  },
  async "mfa-deactivate"(form) {
    const r = await call("POST", "mfa/totp/deactivate/", formData(form));
    if (showResult(form, r)) {
      form.elements.namedItem("code").value = "";
      for (const list of document.querySelectorAll("#mfa-section .codes")) list.textContent = "";
      $("#mfa-new-codes").hidden = true;
      await loadMfa();
    }
  },
  async user(form) {
    const r = await call("PATCH", "user/", formData(form));
    if (showResult(form, r, "Saved.") && r.data) showUser(r.data);
  },
  async "password-change"(form) {
    const r = await call("POST", "password/change/", formData(form));
    if (showResult(form, r)) for (const el of form.elements) if (el.name) el.value = "";
  },
  async reset(form) {
    showResult(form, await call("POST", "password/reset/", formData(form)));
  },
  async "reset-confirm"(form) {
    const d = formData(form);
    if (d.link) {
      const [uid, token] = lastSegments(d.link, 2);
      d.uid = d.uid || uid;
      d.token = d.token || token;
    }
    delete d.link;
    showResult(form, await call("POST", "password/reset/confirm/", d));
  },
  async logout(form) {
    const r = await call("POST", "logout/");
    if (showResult(form, r)) loggedOut("Logged out.");
  },
};

// The page sends credentials (the token, the cookies) to the prefix: only a
// path on this origin will do. "//host/", "/\host/", "https://host/" and
// anything with whitespace or control characters (which URL parsing drops,
// "/\t/host/" becoming "//host/") fall back to the default.
function safePrefix(p) {
  if (typeof p !== "string") return "/auth/";
  p = p.trim();
  if (!p.startsWith("/") || p.startsWith("//") || /[\\\s\x00-\x1f\x7f]/.test(p)) return "/auth/";
  try {
    if (new URL(p, location.href).origin !== location.origin) return "/auth/";
  } catch (e) {
    return "/auth/";
  }
  return p;
}

function setPrefix(p) {
  p = safePrefix(p);
  if (!p.endsWith("/")) p += "/";
  state.prefix = p;
  $("#prefix").value = p;
  try {
    localStorage.setItem("restauth-demo-prefix", p);
  } catch (e) {
    /* storage may be off */
  }
}

document.addEventListener("DOMContentLoaded", () => {
  let saved = null;
  try {
    saved = localStorage.getItem("restauth-demo-prefix");
  } catch (e) {
    /* storage may be off */
  }
  setPrefix(new URLSearchParams(location.search).get("prefix") || saved || "/auth/");
  $("#settings").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setPrefix($("#prefix").value);
    loadUser();
  });
  for (const [id, fn] of Object.entries(handlers)) {
    const form = document.getElementById(id);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = $("button[type=submit]", form);
      button.disabled = true;
      form.classList.add("busy");
      try {
        await fn(form);
      } finally {
        button.disabled = false;
        form.classList.remove("busy");
        form.dataset.done = String(Number(form.dataset.done || 0) + 1);
      }
    });
  }
  $("#user-load").addEventListener("click", () => loadUser());
  $("#mfa-verify-cancel").addEventListener("click", () => {
    mfaPrompt(false);
    $("#status").textContent = "Not logged in.";
  });
  // A JWT cookie session from an earlier visit shows up here.
  loadUser();
});
