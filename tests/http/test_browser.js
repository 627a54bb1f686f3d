// test_browser.js URL [MAILDIR]: walks the demo page (www/index.html) in
// headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// against a stack in JWT cookie mode: sign up, verify the address from the
// captured mail, log in, the HttpOnly tokens invisible to document.cookie
// while user/ works, edit the user, an expired access token refreshed
// transparently, password change (a field error, then success), a reset
// request, log out, log in with the new password, log out.
// Prints "ok NAME" or "not ok NAME: DETAIL" per check (test_browser.py
// counts them) and "done" at the end.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

const URL_ = process.argv[2];
const MAILDIR = process.argv[3] || null;
const MODE = process.argv[4] || "jwt"; // "token": the short token-mode walk
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
    await (MODE === "token" ? walkToken(context) : walk(context));
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

main()
  .catch((e) => check("the browser walk ran to its end", false, e && e.stack ? e.stack : e))
  .finally(() => {
    console.log("done " + failures + " failures");
    process.exit(failures ? 1 : 0);
  });
