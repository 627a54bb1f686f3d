"""restauth check --deploy, through the admin tool (no HTTP): a
production-safe config passes (exit 0), an unsafe one lists each risk on
its own line with its id and exits 1; hints do not fail; the config and
the database are still checked as by check."""
import json
import os
import shutil
import subprocess

import harness as h

t = h.Tests(__file__)
STRONG = "deploy-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"

SAFE = {
    "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000,
    "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
    "ALLOWED_HOSTS": ["api.example.com"],
    "REST_AUTH": {"USE_JWT": True, "JWT_AUTH_COOKIE": "access",
                  "JWT_AUTH_SECURE": True},
    "SIMPLE_JWT": {"ROTATE_REFRESH_TOKENS": True,
                   "BLACKLIST_AFTER_ROTATION": True},
    "REST_FRAMEWORK": {
        "NUM_PROXIES": 1,
        "DEFAULT_THROTTLE_CLASSES": [
            "rest_framework.throttling.ScopedRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"dj_rest_auth": "20/minute"}},
}
UNSAFE = {
    "DEBUG": True,
    "REST_AUTH": {"USE_JWT": True, "JWT_AUTH_COOKIE": "access",
                  "JWT_AUTH_SAMESITE": "None"},
    "SIMPLE_JWT": {"ROTATE_REFRESH_TOKENS": True, "SIGNING_KEY": "jwt"},
    "CORS_ALLOW_CREDENTIALS": True,
    "CORS_ALLOWED_ORIGINS": ["https://*.example.com"],
    "PASSWORD_HASHER": h.FAST_HASHER,
    "LOGIN_FAILURE_LIMIT": 0,
}
UNSAFE_IDS = ["restauth.W004", "restauth.W008", "restauth.W009",
              "restauth.W012", "restauth.W016", "restauth.W018",
              "restauth.W020",
              "restauth.W101", "restauth.W102", "restauth.W103",
              "restauth.W104", "restauth.W105", "restauth.W106", "restauth.W107",
              "restauth.W110", "restauth.I101"]


def write(s, cfg):
    with open(s.config_path, "w") as f:
        json.dump(cfg, f)


def ids(out):
    return [line.split(" ", 1)[0] for line in out.splitlines()
            if line.startswith("restauth.")]


def scenario(s):
    write(s, SAFE)
    rc, out, err = s.tool("migrate")
    t.eq("migrate", (rc, err), (0, ""))
    rc, out, err = s.tool("check", "--deploy")
    t.eq("safe config: exit 0", rc, 0)
    t.eq("safe config: no finding", ids(out), [])
    t.check("safe config: config and database checked",
            "config: %s: ok" % s.config_path in out and
            "database: reachable" in out and
            "check --deploy: 0 issues, 0 hints" in out, out)
    # Only a hint: listed, and still exit 0.
    hint = dict(SAFE, REST_FRAMEWORK=dict(SAFE["REST_FRAMEWORK"]))
    del hint["REST_FRAMEWORK"]["NUM_PROXIES"]
    write(s, hint)
    rc, out, err = s.tool("check", "--deploy")
    t.eq("a hint alone: exit 0", rc, 0)
    t.eq("a hint alone: listed", ids(out), ["restauth.I101"])
    t.check("the hint says when it matters",
            "set it to the number of proxies" in out, out)

    write(s, UNSAFE)
    s.secret = "Zq7k"  # DEBUG admits it; --deploy names it
    rc, out, err = s.tool("check", "--deploy")
    t.eq("unsafe config: exit 1", rc, 1)
    t.eq("unsafe config: each id once, in order", ids(out), UNSAFE_IDS)
    t.check("one line each",
            all(len(line) < 400 for line in out.splitlines()), out)
    t.check("summary", "check --deploy: 15 issues, 1 hint" in out, out)
    t.check("Django's ids named", "Django security.W009" in out and
            "Django security.W018" in out, out)
    t.check("the weak key is not printed", "Zq7k" not in out + err, out)
    t.check("DEBUG's warning on stderr", "warning: SECRET_KEY is weak" in
            err, err)
    # -c after the command, and --config-only (no database reached).
    rc, out2, err = s.tool("check", "--deploy", "--config-only", "-c",
                           s.config_path)
    t.eq("--config-only: exit 1", rc, 1)
    t.eq("--config-only: the same findings", ids(out2), UNSAFE_IDS)
    t.check("--config-only: database not checked",
            "database not checked" in out2 and "reachable" not in out2,
            out2)
    # Plain check is unchanged: findings are --deploy's only.
    rc, out, err = s.tool("check")
    t.eq("plain check: exit 0", rc, 0)
    t.eq("plain check: no findings", ids(out), [])
    # A bad config is still a bad config (3), a bad option is usage (2).
    with open(s.config_path, "w") as f:
        f.write('{"SECURE_SSL_REDIRCT": true}')
    rc, out, err = s.tool("check", "--deploy")
    t.eq("bad config: exit 3", rc, 3)
    t.check("bad config: named, with a guess",
            "did you mean SECURE_SSL_REDIRECT?" in err, err)
    rc, out, err = s.tool("check", "--deploy", "--nope")
    t.eq("unknown option: exit 2", rc, 2)
    # The database unreachable: 4, and the findings still listed.
    write(s, SAFE)
    s.dburl = "postgresql:///nope?host=/nonexistent"
    s.secret = STRONG
    rc, out, err = s.tool("check", "--deploy")
    t.eq("no database: exit 4", rc, 4)
    t.check("no database: findings still listed",
            "check --deploy: 0 issues" in out, out)


s = h.Stack()
try:
    subprocess.run([os.path.join(h.SRC, "tools/pg.sh"), "createdb", h.PGDIR,
                    s.dbname], check=True, stdout=subprocess.DEVNULL)
    t.run(scenario, s)
finally:
    shutil.rmtree(s.tmp, ignore_errors=True)
t.done()
