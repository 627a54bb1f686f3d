"""A weak SECRET_KEY (Django's security.W009 rule: under 50 characters,
under 5 distinct ones, or "django-insecure-...") or a weak HS* SIGNING_KEY
stops the programs and the admin tool with one line that names the key
and never prints it; DEBUG true admits it with a warning on stderr."""
import json
import os
import shutil
import subprocess

import harness as h

t = h.Tests(__file__)
PROG = os.path.join(h.BUILD, "cgi-bin", "login.fcgi")
TOOL = os.path.join(h.BUILD, "restauth")
STRONG = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
WEAK = {
    "one character (the review's)": "x",
    "49 characters": STRONG[:49],
    "4 distinct characters": "abcd" * 20,
    "Django's startproject key": "django-insecure-" + STRONG,
}


def cgi(s, cfgpath, secret):
    """login.fcgi as plain CGI: one OPTIONS request."""
    env = dict(os.environ, REQUEST_METHOD="OPTIONS",
               SCRIPT_NAME="/auth/login/", GATEWAY_INTERFACE="CGI/1.1",
               REMOTE_ADDR="127.0.0.1", SERVER_NAME="127.0.0.1",
               SERVER_PORT="80", RESTAUTH_CONFIG=cfgpath,
               SECRET_KEY=secret, DATABASE_URL=s.dburl)
    return subprocess.run([PROG], input=b"", env=env, capture_output=True,
                          timeout=30)


def unpathed(s, out):
    """out without the stack's folder: its random name may hold a short
    key's characters (the tool names the config file it read)."""
    return out.replace(s.tmp, "")


def tool(s, cfgpath, secret, *args):
    env = dict(os.environ, SECRET_KEY=secret, DATABASE_URL=s.dburl)
    env.pop("RESTAUTH_CONFIG", None)
    return subprocess.run([TOOL, "-c", cfgpath] + list(args), env=env,
                          capture_output=True, text=True, timeout=30)


def put(s, name, cfg):
    path = os.path.join(s.tmp, name)
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


def scenario(s):
    plain = put(s, "plain.json", {})
    debug = put(s, "debug.json", {"DEBUG": True})
    for what, key in WEAK.items():
        r = cgi(s, plain, key)
        err = r.stderr.decode()
        t.eq("program refuses %s: exit code" % what, r.returncode, 1)
        t.check("program refuses %s: one line naming SECRET_KEY" % what,
                err.startswith("config: SECRET_KEY: too weak (") and
                err.count("\n") == 1 and "DEBUG" in err, err)
        t.check("program never prints the key (%s)" % what,
                key not in unpathed(s, err + r.stdout.decode()), err)
        r = tool(s, plain, key, "check")
        t.eq("tool refuses %s: exit code 3" % what, r.returncode, 3)
        t.check("tool refuses %s: message" % what,
                "config: SECRET_KEY: too weak (" in r.stderr and
                key not in unpathed(s, r.stderr + r.stdout), r.stderr)
        # DEBUG true: it starts, and says the key is weak.
        r = cgi(s, debug, key)
        err = r.stderr.decode()
        t.eq("program with DEBUG starts (%s)" % what, r.returncode, 0)
        t.check("program with DEBUG answers (%s)" % what,
                b"Status: 200" in r.stdout or b"Allow:" in r.stdout,
                r.stdout[:200])
        t.check("program with DEBUG warns (%s)" % what,
                "config: warning: SECRET_KEY is weak" in err and
                key not in unpathed(s, err), err)
        r = tool(s, debug, key, "check")
        t.eq("tool with DEBUG: check passes (%s)" % what, r.returncode, 0)
        t.check("tool with DEBUG warns (%s)" % what,
                "warning: SECRET_KEY is weak" in r.stderr, r.stderr)
    # The key in the file is checked as the environment's is.
    infile = put(s, "infile.json", {"SECRET_KEY": "short"})
    env = dict(os.environ, DATABASE_URL=s.dburl)
    env.pop("SECRET_KEY", None)
    r = subprocess.run([TOOL, "-c", infile, "check"], env=env,
                       capture_output=True, text=True, timeout=30)
    t.eq("key in the file refused: exit 3", r.returncode, 3)
    t.check("key in the file refused: message",
            "config: SECRET_KEY: too weak" in r.stderr, r.stderr)
    # A strong SECRET_KEY, but a weak HS256 SIGNING_KEY of its own.
    jwtcfg = put(s, "jwt.json", {"REST_AUTH": {"USE_JWT": True},
                                 "SIMPLE_JWT": {"SIGNING_KEY": "x"}})
    r = cgi(s, jwtcfg, STRONG)
    t.eq("weak SIGNING_KEY: program exit 1", r.returncode, 1)
    t.check("weak SIGNING_KEY: named",
            r.stderr.decode().startswith(
                "config: SIMPLE_JWT.SIGNING_KEY: too weak ("), r.stderr)
    r = tool(s, jwtcfg, STRONG, "check")
    t.eq("weak SIGNING_KEY: tool exit 3", r.returncode, 3)
    # A strong key passes without a word.
    r = cgi(s, plain, STRONG)
    t.eq("strong key: program answers", r.returncode, 0)
    t.eq("strong key: nothing on stderr", r.stderr, b"")


s = h.Stack()
try:
    # Only the database: the checks run the programs and the tool directly.
    subprocess.run([os.path.join(h.SRC, "tools/pg.sh"), "createdb", h.PGDIR,
                    s.dbname], check=True, stdout=subprocess.DEVNULL)
    r = subprocess.run([TOOL, "migrate"], env=dict(
        os.environ, SECRET_KEY=STRONG, DATABASE_URL=s.dburl,
        RESTAUTH_CONFIG=os.path.join(h.SRC, "config/restauth.json")),
        capture_output=True, text=True)
    t.eq("migrate", r.returncode, 0)
    t.run(scenario, s)
finally:
    shutil.rmtree(s.tmp, ignore_errors=True)
t.done()
