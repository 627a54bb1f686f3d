"""The demo page (www/index.html) in a real browser: headless Chromium
(Debian's chromium, driven by playwright-core from npm; make deps installs
both) walks it against a stack in JWT cookie mode, the security guide's
config with plain-http cookies and a 2-second access token, so that the
page's transparent refresh is exercised. tests/http/test_browser.js does
the walking and prints "ok NAME" / "not ok NAME: DETAIL"; each is one
check here. A missing browser, node or playwright-core is a failure, not
a skip: CI installs them through make deps. A second, short walk logs in
on a token-mode stack: the key goes out as Authorization: Token. A third
walks two-factor on the JWT cookie stack with REST_AUTH.MFA_ENABLED:
enrolment from the QR code and secret the page shows (codes from the
walk's own TOTP), the login prompt, recovery codes, deactivation; and a
fourth with MFA_REQUIRE_REAUTH, where the recovery codes' forms take a
code (5-second steps, so that each code needs little waiting)."""
import os
import shutil
import subprocess
import tempfile

import harness as h

t = h.Tests(__file__)
HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = "/usr/bin/chromium"
FAST = h.FAST
ACCESS_LIFETIME = 2


def config(maildir):
    c = dict(FAST)
    c["REST_AUTH"] = {"USE_JWT": True, "JWT_AUTH_COOKIE": "access",
                      "JWT_AUTH_REFRESH_COOKIE": "refresh",
                      # plain http on 127.0.0.1: a Secure cookie would not
                      # come back
                      "JWT_AUTH_SECURE": False,
                      "JWT_AUTH_HTTPONLY": True, "JWT_AUTH_SAMESITE": "Lax",
                      # JWT only: no session cookie that would authenticate
                      # the requests once the access cookie has expired
                      "SESSION_LOGIN": False}
    c["SIMPLE_JWT"] = {"ACCESS_TOKEN_LIFETIME": ACCESS_LIFETIME,
                       "REFRESH_TOKEN_LIFETIME": 86400,
                       "ROTATE_REFRESH_TOKENS": True,
                       "BLACKLIST_AFTER_ROTATION": True}
    c["ACCOUNT"] = {"EMAIL_VERIFICATION": "optional"}
    c["EMAIL_SENDMAIL"] = os.path.join(HERE, "capture_mail.sh") + " " + \
        maildir
    return c


def prerequisites():
    ok = t.check("chromium is installed", os.access(CHROMIUM, os.X_OK),
                 CHROMIUM + " missing: run make deps (Debian's chromium)")
    node = shutil.which("node")
    ok = t.check("node is installed", node is not None,
                 "node missing: run make deps (nodejs, npm)") and ok
    pw = os.path.join(h.SRC, "node_modules", "playwright-core")
    ok = t.check("playwright-core is installed", os.path.isdir(pw),
                 pw + " missing: run make deps (npm ci)") and ok
    return ok


MIN_CHECKS = {"jwt": 20, "token": 6, "mfa": 40, "reauth": 10}


def walk(mode="jwt"):
    maildir = tempfile.mkdtemp(prefix="restauth-browser-mail-")
    try:
        cfg = dict(FAST) if mode == "token" else config(maildir)
        if mode == "mfa":
            cfg["REST_AUTH"] = dict(cfg["REST_AUTH"], MFA_ENABLED=True)
        if mode == "reauth":
            cfg["REST_AUTH"] = dict(cfg["REST_AUTH"], MFA_ENABLED=True,
                                    MFA_REQUIRE_REAUTH=True,
                                    MFA_TOTP_PERIOD=5)
        with h.Stack(cfg) as s:
            if mode == "token":
                s.createuser("grace", "Compiler-Pioneer-1952",
                             email="grace@example.com")
            if mode in ("mfa", "reauth"):
                s.createuser("alan", "Entscheidungs-Problem-1936",
                             email="alan@example.com")
            env = dict(os.environ,
                       ACCESS_LIFETIME_MS=str(ACCESS_LIFETIME * 1000))
            try:
                r = subprocess.run(
                    ["node", os.path.join(HERE, "test_browser.js"),
                     "http://127.0.0.1:%d/" % s.port, maildir, mode],
                    cwd=h.SRC, env=env, capture_output=True, text=True,
                    timeout=240)
                out, err, rc = r.stdout, r.stderr, r.returncode
            except subprocess.TimeoutExpired as e:
                out = e.stdout or ""
                if isinstance(out, bytes):
                    out = out.decode(errors="replace")
                err, rc = "timed out after 240 s", None
    finally:
        shutil.rmtree(maildir, ignore_errors=True)
    print(out, end="")
    checks = 0
    for line in out.splitlines():
        if line.startswith("ok "):
            t.check(line[3:], True)
            checks += 1
        elif line.startswith("not ok "):
            name, _, detail = line[7:].partition(": ")
            t.check("browser: " + name, False, detail)
            checks += 1
    t.check("test_browser.js %s ran to its end" % mode,
            rc is not None and any(line.startswith("done ")
                                   for line in out.splitlines()),
            "exit %r; stderr: %s" % (rc, err[-2000:]))
    t.check("test_browser.js %s made its checks" % mode,
            checks >= MIN_CHECKS[mode], "%d checks" % checks)
    t.check("test_browser.js %s exit status" % mode, rc == 0,
            "exit %r; stderr: %s" % (rc, err[-2000:]))


if prerequisites():
    t.run(walk, "jwt")
    t.run(walk, "token")
    t.run(walk, "mfa")
    t.run(walk, "reauth")
t.done()
