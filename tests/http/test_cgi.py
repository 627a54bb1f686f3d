"""login.fcgi run as plain CGI (no web server): a CGI environment, the
body on a pipe, the answer on stdout as CGI headers + body. And a
program started with a broken config stops with one line naming the
key and exit status 1."""
import json
import os
import subprocess
import tempfile

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
CONFIG = {"PASSWORD_HASHER": FAST}
LOGIN = os.path.join(h.BUILD, "cgi-bin", "login.fcgi")


def cgi(s, method, body=b"", content_type="application/json", extra=None,
        config_path=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "test_cgi",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "/auth/login/",
        "REMOTE_ADDR": "127.0.0.1",
        "RESTAUTH_CONFIG": config_path or s.config_path,
        "SECRET_KEY": s.secret,
        "DATABASE_URL": s.dburl,
    }
    if body or method in ("POST", "PUT", "PATCH"):
        env["CONTENT_LENGTH"] = str(len(body))
    if content_type is not None:
        env["CONTENT_TYPE"] = content_type
    env.update(extra or {})
    # stdin is a pipe (input=), so libfcgi sees plain CGI.
    return subprocess.run([LOGIN], input=body, env=env, capture_output=True,
                          timeout=30)


def parse(out):
    """CGI output -> (status line, [(name, value)], body)."""
    sep = b"\r\n\r\n" if b"\r\n\r\n" in out else b"\n\n"
    head, _, body = out.partition(sep)
    lines = head.replace(b"\r\n", b"\n").decode("latin-1").split("\n")
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip().lower(), v.strip()))
    return lines[0], headers, body


def header(headers, name):
    for k, v in headers:
        if k == name:
            return v
    return None


def as_cgi(s):
    s.createuser("alice", "correct horse", email="alice@example.com")
    body = json.dumps({"username": "alice",
                       "password": "correct horse"}).encode()
    p = cgi(s, "POST", body)
    t.eq("exit status", p.returncode, 0)
    t.eq("stderr quiet", p.stderr, b"")
    first, headers, out = parse(p.stdout)
    t.eq("status line", first, "Status: 200 OK")
    t.check("headers end with a blank line", b"\r\n\r\n" in p.stdout or
            b"\n\n" in p.stdout, p.stdout[:300])
    t.eq("content type", (header(headers, "content-type") or "")
         .split(";")[0], "application/json")
    try:
        data = json.loads(out)
    except ValueError:
        data = None
    t.check("body is {\"key\": ...}", isinstance(data, dict) and
            list(data) == ["key"] and len(data["key"]) == 40, out)
    cl = header(headers, "content-length")
    t.check("content-length right if given", cl is None or
            int(cl) == len(out), (cl, len(out)))
    t.eq("cache-control", header(headers, "cache-control"), "no-store")
    key = data["key"] if isinstance(data, dict) else None
    t.eq("token row", s.sql("SELECT key FROM authtoken_token"), [[key]])
    # The same token over HTTP: both paths share one database.
    t.eq("HTTP login gives the same key", s.login("alice", "correct horse"),
         key)
    # With a REQUEST_URI as a real server sets it.
    p = cgi(s, "POST", body, extra={"REQUEST_URI": "/auth/login/"})
    first, headers, out = parse(p.stdout)
    t.eq("with REQUEST_URI", (first, json.loads(out or b"null")),
         ("Status: 200 OK", {"key": key}))
    # Form body through CGI.
    p = cgi(s, "POST", b"username=alice&password=correct+horse",
            "application/x-www-form-urlencoded")
    first, headers, out = parse(p.stdout)
    t.eq("form body", (first, json.loads(out or b"null")),
         ("Status: 200 OK", {"key": key}))

    # 400: wrong password.
    body = json.dumps({"username": "alice", "password": "nope"}).encode()
    p = cgi(s, "POST", body)
    first, headers, out = parse(p.stdout)
    t.eq("400 exit status", p.returncode, 0)
    t.eq("400 status line", first, "Status: 400 Bad Request")
    t.eq("400 content type", (header(headers, "content-type") or "")
         .split(";")[0], "application/json")
    t.eq("400 body", json.loads(out or b"null"), {
        "non_field_errors": ["Unable to log in with provided credentials."]})
    # 400: malformed JSON.
    p = cgi(s, "POST", b"{} x")
    first, headers, out = parse(p.stdout)
    t.eq("malformed status line", first, "Status: 400 Bad Request")
    t.eq("malformed body", json.loads(out or b"null"), {
        "detail": "JSON parse error - Extra data: line 1 column 4 (char 3)"})
    # Body shorter than CONTENT_LENGTH on the pipe: a 4xx, not a hang.
    p = cgi(s, "POST", b'{"a":1}', extra={"CONTENT_LENGTH": "100"})
    first, headers, out = parse(p.stdout)
    t.check("short body: 4xx", first.startswith("Status: 4"), first)

    # 405: GET.
    p = cgi(s, "GET", b"", content_type=None)
    first, headers, out = parse(p.stdout)
    t.eq("GET exit status", p.returncode, 0)
    t.eq("GET status line", first, "Status: 405 Method Not Allowed")
    t.eq("GET body", json.loads(out or b"null"),
         {"detail": 'Method "GET" not allowed.'})
    t.eq("GET Allow", header(headers, "allow"), "POST, OPTIONS")


def broken_config(s):
    tmp = tempfile.mkdtemp(prefix="restauth-cgi-")
    for what, cfg, name in (
            ("unknown top-level key", {"NOPE": 1}, "NOPE"),
            ("unknown nested key", {"REST_AUTH": {"NOPE_TOO": True}},
             "NOPE_TOO"),
            ("wrong type", {"MAX_BODY_BYTES": "big"}, "MAX_BODY_BYTES")):
        path = os.path.join(tmp, "bad.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        body = b'{"username": "alice", "password": "correct horse"}'
        p = cgi(s, "POST", body, config_path=path)
        t.eq(what + ": exit status", p.returncode, 1)
        lines = p.stderr.decode("utf-8", "replace").splitlines()
        t.eq(what + ": one stderr line", len(lines), 1)
        t.check(what + ": names the key", any(name in l for l in lines),
                lines)
        t.check(what + ": no success on stdout", b"Status: 200" not in
                p.stdout, p.stdout[:200])
    # Not valid JSON at all, and a missing file.
    path = os.path.join(tmp, "bad.json")
    with open(path, "w") as f:
        f.write("{nope")
    p = cgi(s, "POST", b"{}", config_path=path)
    t.eq("unparsable config: exit status", p.returncode, 1)
    t.eq("unparsable config: one line", len(p.stderr.splitlines()), 1)
    p = cgi(s, "POST", b"{}", config_path=os.path.join(tmp, "missing.json"))
    t.eq("missing config: exit status", p.returncode, 1)
    t.eq("missing config: one line", len(p.stderr.splitlines()), 1)


def cgi_mail_after_answer(s):
    """As plain CGI the answer must not wait for sendmail (Apache's
    mod_cgi waits for the process): the mail goes from the outbox's
    drainer, which the program starts and does not wait for. Its stderr
    is the server's log (here a file, as lighttpd's error log; Apache
    reads a script's stderr only until its stdout ends). And an unread
    body is drained, so the server can finish writing it."""
    import time
    s.createuser("mailer", "mailer pass phrase", email="mailer@example.com")
    prog = os.path.join(h.BUILD, "cgi-bin", "password_reset.fcgi")
    slow = os.path.join(s.tmp, "slow-sendmail.sh")
    marker = os.path.join(s.tmp, "slow-sent")
    with open(slow, "w") as f:
        f.write("#!/bin/sh\ncat >/dev/null\nsleep 2\ntouch %s\n" % marker)
    os.chmod(slow, 0o755)
    cfgpath = os.path.join(s.tmp, "slow.json")
    with open(cfgpath, "w") as f:
        json.dump(dict(CONFIG, EMAIL_SENDMAIL=slow), f)
    body = json.dumps({"email": "mailer@example.com"}).encode()
    env = dict(os.environ, REQUEST_METHOD="POST", CONTENT_TYPE="application/json",
               CONTENT_LENGTH=str(len(body)), SCRIPT_NAME="/auth/password/reset/",
               GATEWAY_INTERFACE="CGI/1.1", REMOTE_ADDR="127.0.0.1",
               SERVER_NAME="127.0.0.1", SERVER_PORT="80",
               RESTAUTH_CONFIG=cfgpath, SECRET_KEY=s.secret,
               DATABASE_URL=s.dburl)
    errlog = open(os.path.join(s.tmp, "cgi-stderr.log"), "wb")
    start = time.time()
    r = subprocess.run([prog], input=body, env=env, stdout=subprocess.PIPE,
                       stderr=errlog, timeout=30)
    took = time.time() - start
    errlog.close()
    t.check("reset answered as CGI", b"Password reset e-mail has been sent."
            in r.stdout, r.stdout)
    t.check("CGI answer does not wait for sendmail (%.2f s)" % took,
            took < 1.5, took)
    deadline = time.time() + 10
    while time.time() < deadline and not os.path.exists(marker):
        time.sleep(0.1)
    t.check("the mail still went out from the drainer",
            os.path.exists(marker))
    # A body the view never reads (logout in token mode) is drained.
    prog = os.path.join(h.BUILD, "cgi-bin", "logout.fcgi")
    big = b"x" * 200000
    env.update(CONTENT_LENGTH=str(len(big)), SCRIPT_NAME="/auth/logout/",
               RESTAUTH_CONFIG=s.config_path)
    p = subprocess.Popen([prog], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    out, _ = p.communicate(big, timeout=30)
    t.check("unread body drained without a broken pipe",
            b"Successfully logged out." in out, out[:200])


with h.Stack(CONFIG) as s:
    t.run(as_cgi, s)
    t.run(broken_config, s)
    t.run(cgi_mail_after_answer, s)
t.done()
