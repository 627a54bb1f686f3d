/* restauth demo: a static single-page app against the API. No build step,
 * no dependencies. Token mode keeps the key in memory only (never in
 * storage) and sends "Authorization: Token <key>"; JWT cookie mode sends
 * no credential of its own: the browser's HttpOnly cookies carry the
 * tokens, and an expired access token is refreshed once, transparently. */
"use strict";

const state = {
  prefix: "/auth/",
  mode: null, // null (not logged in), "token" or "jwt"
  key: null, // token mode only
  refreshing: null, // the one token/refresh/ in flight (rotation: a refresh token works once)
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
    const r = await call("POST", "login/", formData(form));
    if (showResult(form, r, "Logged in.")) {
      form.elements.namedItem("password").value = "";
      if (!loggedIn(r.data)) $("#status").textContent = "Logged in (no token: TOKEN_MODEL is null).";
    } else if (before) {
      loggedOut();
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
  // A JWT cookie session from an earlier visit shows up here.
  loadUser();
});
