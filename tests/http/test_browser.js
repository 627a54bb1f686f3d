// test_browser.js URL [MAILDIR]: walks the demo page (www/index.html) in
// headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// against a stack in JWT cookie mode: sign up, verify the address from the
// captured mail, log in, the HttpOnly tokens invisible to document.cookie
// while user/ works, edit the user, an expired access token refreshed
// transparently, password change (a field error, then success), a reset
// request, log out, log in with the new password, log out.
// Mode "mfa" (a stack with REST_AUTH.MFA_ENABLED): user "alan" logs in,
// enrols an authenticator app from the QR code and secret the page shows,
// logs out, logs in through the second-factor prompt, renews and uses a
// recovery code, and turns two-factor off. The codes come from this file's
// own TOTP (RFC 6238 over node's HMAC-SHA1), not from restauth's.
// Mode "reauth" (MFA_REQUIRE_REAUTH too, 5-second steps): the recovery
// codes are shown and renewed only with a code typed into their forms.
// Prints "ok NAME" or "not ok NAME: DETAIL" per check (test_browser.py
// counts them) and "done" at the end.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

const URL_ = process.argv[2];
const MAILDIR = process.argv[3] || null;
const MODE = process.argv[4] || "jwt"; // "token": the short token-mode walk; "mfa": two-factor
const ACCESS_LIFETIME_MS = Number(process.env.ACCESS_LIFETIME_MS || 2000);
let failures = 0;

function check(name, cond, detail) {
  if (cond) console.log("ok " + name);
  else {
    failures++;
    console.log("not ok " + name + ": " + String(detail === undefined ? "" : detail).replace(/\n/g, " "));
  }
  return cond;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  let chromium;
  try {
    ({ chromium } = require("playwright-core"));
  } catch (e) {
    check("playwright-core is installed (make deps: npm ci)", false, e.message);
    return;
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "restauth-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 60000,
  });
  try {
    await ({ token: walkToken, mfa: walkMfa, reauth: walkReauth }[MODE] || walk)(context);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// Submit a form of the demo page and wait until its handler has finished.
async function submit(page, id) {
  const before = await page.$eval("#" + id, (f) => Number(f.dataset.done || 0));
  await page.click("#" + id + " button[type=submit]");
  await page.waitForFunction(([i, n]) => Number(document.getElementById(i).dataset.done || 0) > n,
    [id, before], { timeout: 15000 });
  return (await page.textContent("#" + id + " .result")).trim();
}

async function fillForm(page, id, values) {
  for (const [name, value] of Object.entries(values)) {
    await page.fill("#" + id + " [name=" + name + "]", value);
  }
}

async function fieldError(page, id, field) {
  const el = await page.$("#" + id + " .field-error[data-field=" + field + "]");
  return el ? (await el.textContent()).trim() : null;
}

// The page's own fetch of user/: what the HttpOnly cookies alone achieve.
function fetchUser(page) {
  return page.evaluate(async () => {
    const r = await fetch(document.getElementById("prefix").value + "user/", { credentials: "include" });
    return { status: r.status, body: await r.text() };
  });
}

async function waitForMail(after) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const files = fs.readdirSync(MAILDIR).filter((f) => f.endsWith(".eml") && !after.has(f));
    if (files.length) {
      await sleep(100);
      return fs.readFileSync(path.join(MAILDIR, files[0]), "utf8");
    }
    await sleep(50);
  }
  return null;
}

async function walk(context) {
  const requests = [];
  context.on("requestfinished", async (req) => {
    const resp = await req.response();
    requests.push({ method: req.method(), url: req.url(), status: resp ? resp.status() : 0,
      headers: req.headers() });
  });
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));

  const resp = await page.goto(URL_);
  check("the demo page is served at /", resp && resp.status() === 200, resp && resp.status());
  check("the page has the sign-up form", await page.$("#signup"), "no #signup");
  await page.waitForFunction(() => document.querySelector("#log li"), null, { timeout: 10000 });
  check("not logged in at first", (await page.textContent("#status")).includes("Not logged in"),
    await page.textContent("#status"));

  // Sign up: a field error first (password mismatch is non-field; a bad address is a field error).
  await fillForm(page, "signup", { username: "ada", email: "not-an-address", password1: "Analytical-Engine-1843",
    password2: "Analytical-Engine-1843" });
  // type=email would stop the submit in the browser: let the API judge.
  await page.$eval("#signup [name=email]", (e) => { e.type = "text"; });
  let res = await submit(page, "signup");
  check("sign-up: the API's field error is shown next to the field",
    (await fieldError(page, "signup", "email")) === "Enter a valid email address.",
    await fieldError(page, "signup", "email") + " / " + res);
  const seenMail = new Set(MAILDIR ? fs.readdirSync(MAILDIR) : []);
  await fillForm(page, "signup", { email: "ada@example.com" });
  res = await submit(page, "signup");
  check("sign-up succeeds", res.startsWith("Signed up") || res.includes("Verification"), res);
  check("sign-up logs in (JWT cookie mode)", await page.evaluate(() => document.body.dataset.mode) === "jwt",
    await page.textContent("#status"));
  check("no field errors left", (await page.$$("#signup .field-error")).length === 0, "errors shown");

  // Verify the address with the link from the captured mail.
  if (MAILDIR) {
    const mail = await waitForMail(seenMail);
    const m = mail && mail.match(/https?:\/\/[^\s]*account-confirm-email\/[^\s]+/);
    if (check("the confirmation mail has a link", m, mail && mail.slice(0, 500))) {
      await fillForm(page, "verify", { key: "bad-key" });
      res = await submit(page, "verify");
      check("verify: a bad key shows the 404", res.includes("404") && res.includes("Not found."), res);
      await fillForm(page, "verify", { key: m[0] });
      res = await submit(page, "verify");
      check("verify: the pasted link confirms the address", res.startsWith("E-mail address confirmed"), res);
    }
  }

  // Log in.
  await fillForm(page, "login", { username: "ada", password: "wrong password" });
  res = await submit(page, "login");
  check("login: wrong password shows the error", res.includes("Unable to log in with provided credentials."), res);
  await fillForm(page, "login", { username: "ada", password: "Analytical-Engine-1843" });
  res = await submit(page, "login");
  check("login succeeds", res === "Logged in.", res);
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Logged in as ada"),
    null, { timeout: 10000 }).catch(() => {});
  const status = await page.textContent("#status");
  check("the page shows the user, in JWT cookie mode", status.includes("Logged in as ada") && status.includes("JWT"), status);
  check("user/ shows the address", await page.inputValue("#user [name=email]") === "ada@example.com",
    await page.inputValue("#user [name=email]"));

  // The tokens are HttpOnly: the browser has them, document.cookie does not.
  const cookies = await context.cookies();
  const access = cookies.find((c) => c.name === "access");
  const refresh = cookies.find((c) => c.name === "refresh");
  check("the browser holds the access and refresh cookies", access && refresh, JSON.stringify(cookies.map((c) => c.name)));
  check("both cookies are HttpOnly", access && refresh && access.httpOnly && refresh.httpOnly,
    JSON.stringify(cookies));
  const docCookie = await page.evaluate(() => document.cookie);
  check("document.cookie has no access/refresh token",
    !/(^|;\s*)(access|refresh)=/.test(docCookie) && !docCookie.includes("eyJ") &&
      !(access && docCookie.includes(access.value)), docCookie);
  const u = await fetchUser(page);
  check("GET user/ works with the cookies alone", u.status === 200 && JSON.parse(u.body).username === "ada",
    u.status + " " + u.body);
  const loginReq = requests.filter((r) => r.url.endsWith("/auth/user/")).pop();
  check("the page sends no Authorization header in JWT mode", loginReq && !loginReq.headers.authorization,
    JSON.stringify(loginReq && loginReq.headers));

  // Edit the user.
  await fillForm(page, "user", { first_name: "Ada" });
  res = await submit(page, "user");
  check("PATCH user/ saves first_name", res === "Saved.", res);
  check("the status shows the new name", (await page.textContent("#status")).includes("(Ada)"),
    await page.textContent("#status"));
  await fillForm(page, "user", { username: "bad name!" });
  res = await submit(page, "user");
  check("user/: a field error is shown next to username",
    ((await fieldError(page, "user", "username")) || "").startsWith("Enter a valid username."),
    await fieldError(page, "user", "username") + " / " + res);
  await fillForm(page, "user", { username: "ada" });

  // Let the access token expire; the next action must still succeed.
  await sleep(ACCESS_LIFETIME_MS + 1500);
  const mark = requests.length;
  await fillForm(page, "user", { last_name: "Lovelace" });
  res = await submit(page, "user");
  check("after the access lifetime, PATCH user/ still succeeds", res === "Saved.", res);
  const later = requests.slice(mark);
  const refreshes = later.filter((r) => r.url.endsWith("/auth/token/refresh/"));
  check("a token/refresh/ call happened, and succeeded",
    refreshes.length === 1 && refreshes[0].method === "POST" && refreshes[0].status === 200,
    JSON.stringify(later.map((r) => [r.method, r.url, r.status])));
  const patches = later.filter((r) => r.url.endsWith("/auth/user/") && r.method === "PATCH");
  check("the PATCH was refused (401), then retried once after the refresh",
    patches.length === 2 && patches[0].status === 401 && patches[1].status === 200,
    JSON.stringify(patches.map((r) => r.status)));
  const u2 = await fetchUser(page);
  check("the change is stored", u2.status === 200 && JSON.parse(u2.body).last_name === "Lovelace", u2.body);
  const docCookie2 = await page.evaluate(() => document.cookie);
  check("document.cookie still shows no token after the refresh",
    !/(^|;\s*)(access|refresh)=/.test(docCookie2) && !docCookie2.includes("eyJ"), docCookie2);

  // Change the password: a field error, then success.
  await fillForm(page, "password-change", { new_password1: "Difference-Engine-1822", new_password2: "Difference-Engine-1823" });
  res = await submit(page, "password-change");
  check("password change: the mismatch is shown under new_password2",
    ((await fieldError(page, "password-change", "new_password2")) || "").includes("didn’t match"),
    await fieldError(page, "password-change", "new_password2") + " / " + res);
  await fillForm(page, "password-change", { new_password2: "Difference-Engine-1822" });
  res = await submit(page, "password-change");
  check("password change succeeds", res === "New password has been saved.", res);

  // Request a reset.
  await fillForm(page, "reset", { email: "ada@example.com" });
  res = await submit(page, "reset");
  check("password reset request answers", res === "Password reset e-mail has been sent.", res);

  // Log out: the cookies go, user/ is refused.
  res = await submit(page, "logout");
  check("logout succeeds", res === "Successfully logged out.", res);
  check("the page shows it", (await page.textContent("#status")).includes("Logged out"), await page.textContent("#status"));
  const left = (await context.cookies()).filter((c) => c.name === "access" || c.name === "refresh");
  check("logout cleared the token cookies", left.length === 0, JSON.stringify(left));
  const u3 = await fetchUser(page);
  check("GET user/ is refused after logout", u3.status === 401, u3.status + " " + u3.body);

  // Log in again with the new password, then out.
  await fillForm(page, "login", { username: "ada", password: "Difference-Engine-1822" });
  res = await submit(page, "login");
  check("login with the new password", res === "Logged in.", res);
  res = await submit(page, "logout");
  check("logout again", res === "Successfully logged out.", res);

  check("no JavaScript errors on the page", pageErrors.length === 0, pageErrors.join(" | "));
}

// Token mode: user "grace" (made by test_browser.py) logs in; the key
// stays in memory and goes out as "Authorization: Token"; edit; log out.
async function walkToken(context) {
  const requests = [];
  context.on("request", (req) => requests.push({ method: req.method(), url: req.url(), headers: req.headers() }));
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(URL_);
  await page.waitForFunction(() => document.querySelector("#log li"), null, { timeout: 10000 });
  await fillForm(page, "login", { username: "grace", password: "Compiler-Pioneer-1952" });
  let res = await submit(page, "login");
  check("token mode: login succeeds", res === "Logged in.", res);
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Logged in as grace"),
    null, { timeout: 10000 }).catch(() => {});
  const status = await page.textContent("#status");
  check("token mode: detected from the login answer", status.includes("token mode") &&
    (await page.evaluate(() => document.body.dataset.mode)) === "token", status);
  const get = requests.filter((r) => r.url.endsWith("/auth/user/") && r.method === "GET").pop();
  check("token mode: user/ carries Authorization: Token",
    get && /^Token [0-9a-f]{40}$/.test(get.headers.authorization || ""), JSON.stringify(get && get.headers));
  const stored = await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie);
  check("token mode: the key is not stored", !/[0-9a-f]{40}/.test(stored), stored);
  await fillForm(page, "user", { first_name: "Grace" });
  res = await submit(page, "user");
  check("token mode: PATCH user/ saves", res === "Saved.", res);
  res = await submit(page, "logout");
  check("token mode: logout succeeds", res === "Successfully logged out.", res);
  const r = await page.evaluate(async (key) => (await fetch("/auth/user/", { headers: { Authorization: key } })).status,
    get ? get.headers.authorization : "");
  check("token mode: the key is refused after logout", r === 401, r);
  await prefixes(page, requests);
}

// ?prefix= only takes a path on the page's own origin: anything else would
// send the credentials elsewhere. The page falls back to /auth/.
async function prefixes(page, requests) {
  const own = new URL(URL_).origin;
  const cases = [
    ["/other/", "/other/"],
    ["https://evil.example/auth/", "/auth/"],
    ["//evil.example/auth/", "/auth/"],
    ["/\\evil.example/auth/", "/auth/"],
    ["\\\\evil.example/auth/", "/auth/"],
    [" //evil.example/auth/", "/auth/"],
    ["/ /evil.example/auth/", "/auth/"],
    ["javascript:alert(1)//", "/auth/"],
    ["evil.example/", "/auth/"],
  ];
  for (const [given, want] of cases) {
    const before = requests.length;
    await page.goto(URL_ + "?prefix=" + encodeURIComponent(given));
    await page.waitForFunction(() => document.querySelector("#log li"), null, { timeout: 10000 }).catch(() => {});
    const got = await page.inputValue("#prefix");
    check("?prefix=" + JSON.stringify(given) + " -> " + want, got === want, got);
    const away = requests.slice(before).filter((r) => new URL(r.url).origin !== own);
    check("?prefix=" + JSON.stringify(given) + ": no request leaves the origin", away.length === 0,
      away.map((r) => r.url).join(" "));
  }
}

// ---- two-factor ----

// RFC 4648 base32 (A-Z2-7, no padding) to bytes.
function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const out = [];
  let bits = 0;
  let acc = 0;
  for (const ch of text.replace(/=+$/, "").toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error("not base32: " + text);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

// RFC 6238 TOTP with HMAC-SHA1 (RFC 4226's dynamic truncation) for one step.
function totp(key, step, digits) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac("sha1", key).update(counter).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 10 ** digits).padStart(digits, "0");
}

// A code the server takes now and has not taken yet: a step after `last`
// within the current one's window (T-1..T+1), waiting for the clock if
// `last` is the step after the current one.
async function codeAfter(otp, last) {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / otp.period);
    const step = Math.max(last + 1, now);
    if (step <= now + 1) return { step, code: totp(otp.key, step, otp.digits) };
    await sleep((now + 1) * otp.period * 1000 - Date.now() + 100);
  }
}

function wrongCode(otp, step) {
  // a code of the right length that no step of the window gives
  const window = [step - 1, step, step + 1].map((s) => totp(otp.key, s, otp.digits));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(otp.digits, "0");
    if (!window.includes(c)) return c;
  }
}

async function text(page, sel) {
  return ((await page.textContent(sel)) || "").trim();
}

async function visible(page, sel) {
  return page.$eval(sel, (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length));
}

async function listed(page, sel) {
  return page.$$eval(sel + " li", (lis) => lis.map((li) => li.textContent.trim()));
}

async function mfaState(page, startsWith) {
  await page.waitForFunction((w) => document.getElementById("mfa-state").textContent.startsWith(w), startsWith,
    { timeout: 10000 }).catch(() => {});
  return text(page, "#mfa-state");
}

async function sendCode(page, form, code) {
  await fillForm(page, form, { code });
  return submit(page, form);
}

// A code the form must refuse, with `want` next to its code field.
async function refusedCode(page, form, code, name, want) {
  const res = await sendCode(page, form, code);
  const got = await fieldError(page, form, "code");
  check(name, got === want, got + " / " + res);
}

async function loginAs(page, username, password) {
  await fillForm(page, "login", { username, password });
  return submit(page, "login");
}

const CODE_RE = /^[0-9a-f]{4}-[0-9a-f]{4}$/;

// Enrol on the page (logged in, two-factor off): the TOTP of the secret
// it shows, and the step the confirming code spent.
async function enrol(page, name) {
  let res = await submit(page, "mfa-enrol");
  check(name + ": enrolment starts", res.startsWith("A new secret"), res);
  const secret = await text(page, "#mfa-secret");
  const params = new URL((await text(page, "#mfa-url")) || "otpauth://totp/x").searchParams;
  const otp = { key: base32Decode(/^[A-Z2-7]+$/.test(secret) ? secret : "A"),
    digits: Number(params.get("digits") || 6), period: Number(params.get("period") || 30) };
  const first = await codeAfter(otp, -1);
  res = await sendCode(page, "mfa-activate", first.code);
  check(name + ": the app's code turns two-factor on", res === "Two-factor is on.", res);
  return { otp, step: first.step };
}

async function walkMfa(context) {
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // The test's own TOTP, against RFC 6238's SHA-1 vector (T = 59 s, 8 digits).
  check("mfa: this test's TOTP gives RFC 6238's vector",
    totp(base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), Math.floor(59 / 30), 8) === "94287082");

  await page.goto(URL_);
  await page.waitForFunction(() => document.querySelector("#log li"), null, { timeout: 10000 });
  check("mfa: the prompt is hidden at first", !(await visible(page, "#mfa-verify")), "visible");
  let res = await loginAs(page, "alan", "Entscheidungs-Problem-1936");
  check("mfa: without two-factor, login/ logs in at once", res === "Logged in.", res);
  let st = await mfaState(page, "Off");
  check("mfa: the panel says two-factor is off", st.startsWith("Off") &&
    (await page.evaluate(() => document.body.dataset.mfa)) === "off", st);
  check("mfa: the panel offers enrolment, not deactivation",
    (await visible(page, "#mfa-enrol")) && !(await visible(page, "#mfa-deactivate")), "");

  // Enrol: the QR code and the secret.
  res = await submit(page, "mfa-enrol");
  check("mfa: enrolment starts", res.startsWith("A new secret"), res);
  const secret = await text(page, "#mfa-secret");
  check("mfa: the page shows a 32-character base32 secret", /^[A-Z2-7]{32}$/.test(secret), secret);
  const url = await text(page, "#mfa-url");
  check("mfa: the page shows the otpauth:// link with that secret",
    url.startsWith("otpauth://totp/") && new URL(url).searchParams.get("secret") === secret, url);
  const src = await page.$eval("#mfa-qr", (img) => img.getAttribute("src") || "");
  const svg = src.startsWith("data:image/svg+xml;base64,")
    ? Buffer.from(src.slice("data:image/svg+xml;base64,".length), "base64").toString("utf8") : "";
  check("mfa: the QR code is an SVG data URI", /<svg[\s>]/.test(svg) && svg.includes("</svg>"), src.slice(0, 80));
  const drawn = await page.waitForFunction(() => {
    const img = document.getElementById("mfa-qr");
    return img.complete && img.naturalWidth > 0 && img.offsetWidth > 0;
  }, null, { timeout: 10000 }).then(() => true, () => false);
  check("mfa: the browser draws the QR code", drawn, "not loaded or not shown");
  const params = new URL(url || "otpauth://totp/x").searchParams;
  const otp = { key: base32Decode(secret || "A"), digits: Number(params.get("digits") || 6),
    period: Number(params.get("period") || 30) };

  let now = Math.floor(Date.now() / 1000 / otp.period);
  await refusedCode(page, "mfa-activate", wrongCode(otp, now),
    "mfa: a wrong code at enrolment is shown next to the field",
    "Invalid code. Please check your authenticator app and try again.");
  const first = await codeAfter(otp, -1);
  res = await sendCode(page, "mfa-activate", first.code);
  check("mfa: the app's code turns two-factor on", res === "Two-factor is on.", res);
  const issued = await listed(page, "#mfa-new-codes .codes");
  check("mfa: ten recovery codes xxxx-xxxx are shown once",
    (await visible(page, "#mfa-new-codes")) && issued.length === 10 && issued.every((c) => CODE_RE.test(c)),
    JSON.stringify(issued));
  check("mfa: the secret and QR code are gone from the page",
    (await text(page, "#mfa-secret")) === "" && !(await visible(page, "#mfa-enrolment")), "still shown");
  st = await mfaState(page, "On since");
  check("mfa: the panel says two-factor is on", /^On since \d{4}-\d\d-\d\dT[0-9:.]+Z/.test(st) &&
    (await page.evaluate(() => document.body.dataset.mfa)) === "on", st);
  res = await submit(page, "mfa-codes");
  const listedCodes = await listed(page, "#mfa-codes .codes");
  check("mfa: recovery-codes/ lists the same ten", res === "10 unused recovery codes." &&
    JSON.stringify(listedCodes) === JSON.stringify(issued), res + " " + JSON.stringify(listedCodes));

  res = await submit(page, "logout");
  check("mfa: logout", res === "Successfully logged out.", res);
  check("mfa: the panel forgets the state", (await text(page, "#mfa-state")) === "Log in to see it." &&
    (await listed(page, "#mfa-codes .codes")).length === 0, await text(page, "#mfa-state"));

  // Log in again: the password alone is not enough.
  res = await loginAs(page, "alan", "Entscheidungs-Problem-1936");
  check("mfa: login/ asks for the second factor", res === "Password accepted: now the second factor.", res);
  check("mfa: the code prompt appears", await visible(page, "#mfa-verify"), "hidden");
  check("mfa: the status says so", (await text(page, "#status")) === "Waiting for the second factor.",
    await text(page, "#status"));
  const half = (await context.cookies()).filter((c) => c.name === "access" || c.name === "refresh");
  check("mfa: no token cookie before the second factor", half.length === 0, JSON.stringify(half));
  const u0 = await fetchUser(page);
  check("mfa: user/ is still refused", u0.status === 401, u0.status + " " + u0.body);

  now = Math.floor(Date.now() / 1000 / otp.period);
  await refusedCode(page, "mfa-verify", wrongCode(otp, now),
    "mfa: a wrong code is shown next to the field", "Invalid code.");
  await refusedCode(page, "mfa-verify", first.code,
    "mfa: the code that confirmed the enrolment is refused", "Invalid code.");
  const second = await codeAfter(otp, first.step);
  res = await sendCode(page, "mfa-verify", second.code);
  check("mfa: a fresh code logs in", res === "Logged in.", res);
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Logged in as alan"),
    null, { timeout: 10000 }).catch(() => {});
  check("mfa: the page shows the user", (await text(page, "#status")).startsWith("Logged in as alan"),
    await text(page, "#status"));
  check("mfa: the prompt is gone", !(await visible(page, "#mfa-verify")), "visible");
  const full = (await context.cookies()).filter((c) => c.name === "access" || c.name === "refresh");
  check("mfa: the token cookies are set now", full.length === 2, JSON.stringify(full.map((c) => c.name)));
  const u1 = await fetchUser(page);
  check("mfa: user/ works", u1.status === 200 && JSON.parse(u1.body).username === "alan", u1.status + " " + u1.body);
  st = await mfaState(page, "On since");
  check("mfa: the status shows when a code was last used", /; last used \d{4}-/.test(st), st);

  // New recovery codes; an old one is refused, a new one logs in once.
  res = await submit(page, "mfa-regenerate");
  const renewed = await listed(page, "#mfa-regenerate .codes");
  check("mfa: regenerate shows ten new codes", res.startsWith("New recovery codes") && renewed.length === 10 &&
    renewed.every((c) => CODE_RE.test(c)) && !renewed.some((c) => issued.includes(c)), res + " " + JSON.stringify(renewed));
  res = await submit(page, "logout");
  res = await loginAs(page, "alan", "Entscheidungs-Problem-1936");
  check("mfa: the prompt again", res === "Password accepted: now the second factor.", res);
  await refusedCode(page, "mfa-verify", issued[0], "mfa: a recovery code of the old set is refused", "Invalid code.");
  res = await sendCode(page, "mfa-verify", renewed[0]);
  check("mfa: a recovery code logs in", res === "Logged in.", res);
  await mfaState(page, "On since");
  res = await submit(page, "mfa-codes");
  const left = await listed(page, "#mfa-codes .codes");
  check("mfa: the used recovery code is no longer listed", res === "9 unused recovery codes." &&
    JSON.stringify(left) === JSON.stringify(renewed.slice(1)), res + " " + JSON.stringify(left));

  // Turn it off: a recovery code is not enough, a TOTP code is.
  await refusedCode(page, "mfa-deactivate", renewed[1], "mfa: deactivation refuses a recovery code", "Invalid code.");
  const third = await codeAfter(otp, second.step);
  res = await sendCode(page, "mfa-deactivate", third.code);
  check("mfa: a TOTP code turns two-factor off", res === "TOTP has been deactivated.", res);
  st = await mfaState(page, "Off");
  check("mfa: the panel says off again", st.startsWith("Off") &&
    (await page.evaluate(() => document.body.dataset.mfa)) === "off", st);
  res = await submit(page, "logout");
  res = await loginAs(page, "alan", "Entscheidungs-Problem-1936");
  check("mfa: after deactivation the password alone logs in", res === "Logged in." &&
    !(await visible(page, "#mfa-verify")), res);
  res = await submit(page, "logout");
  check("mfa: logout at the end", res === "Successfully logged out.", res);
  check("mfa: no JavaScript errors on the page", pageErrors.length === 0, pageErrors.join(" | "));
}

// MFA_REQUIRE_REAUTH: the forms of the recovery codes take a code.
async function walkReauth(context) {
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(URL_);
  await page.waitForFunction(() => document.querySelector("#log li"), null, { timeout: 10000 });
  let res = await loginAs(page, "alan", "Entscheidungs-Problem-1936");
  check("reauth: login", res === "Logged in.", res);
  await mfaState(page, "Off");
  const e = await enrol(page, "reauth");
  check("reauth: 5-second steps (MFA_TOTP_PERIOD)", e.otp.period === 5, e.otp.period);
  await mfaState(page, "On since");
  res = await submit(page, "mfa-codes");
  check("reauth: without a code the list asks for one",
    (await fieldError(page, "mfa-codes", "code")) === "This field is required." &&
      (await listed(page, "#mfa-codes .codes")).length === 0,
    (await fieldError(page, "mfa-codes", "code")) + " / " + res);
  let next = await codeAfter(e.otp, e.step);
  res = await sendCode(page, "mfa-codes", next.code);
  const shown = await listed(page, "#mfa-codes .codes");
  check("reauth: with a code the ten are listed", res === "10 unused recovery codes." && shown.length === 10,
    res + " " + JSON.stringify(shown));
  check("reauth: the code field is emptied", (await page.inputValue("#mfa-codes [name=code]")) === "",
    await page.inputValue("#mfa-codes [name=code]"));
  await refusedCode(page, "mfa-regenerate", next.code, "reauth: a spent code does not renew them", "Invalid code.");
  next = await codeAfter(e.otp, next.step);
  res = await sendCode(page, "mfa-regenerate", next.code);
  const renewed = await listed(page, "#mfa-regenerate .codes");
  check("reauth: a fresh code renews them", res.startsWith("New recovery codes") && renewed.length === 10 &&
    !renewed.some((c) => shown.includes(c)), res + " " + JSON.stringify(renewed));
  next = await codeAfter(e.otp, next.step);
  res = await sendCode(page, "mfa-deactivate", next.code);
  check("reauth: deactivation", res === "TOTP has been deactivated.", res);
  res = await submit(page, "logout");
  check("reauth: logout", res === "Successfully logged out.", res);
  check("reauth: no JavaScript errors on the page", pageErrors.length === 0, pageErrors.join(" | "));
}

main()
  .catch((e) => check("the browser walk ran to its end", false, e && e.stack ? e.stack : e))
  .finally(() => {
    console.log("done " + failures + " failures");
    process.exit(failures ? 1 : 0);
  });
