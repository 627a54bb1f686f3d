"""The core of the API through every web server restauth ships a config
for, each started by tools/run.sh (SERVER=...) on a free port with its own
database: lighttpd + mod_fastcgi, Apache + mod_fcgid, nginx + spawn-fcgi
pools, and plain CGI under Apache mod_cgi and lighttpd mod_cgi. Every
program answers at least once; the Authorization header must reach the
programs (Apache hides it unless told); the programs get the paths right
(405 with Allow, 404 below an endpoint, 301 without the slash); the
server's own errors are JSON; stopping the server leaves no program
running. RESTAUTH_TEST_SERVERS="apache nginx" runs only those."""
import http.client
import json
import os
import re
import socket
import time
import urllib.parse

import harness as h

t = h.Tests(__file__)

SERVERS = (os.environ.get("RESTAUTH_TEST_SERVERS") or
           "lighttpd apache nginx apache-cgi lighttpd-cgi").split()
FAST = h.FAST_HASHER


def run_programs():
    """[(program, path)]: tools/run.sh's PROGRAMS, the one list every
    server config is made from, less the programs not built."""
    with open(os.path.join(h.SRC, "tools/run.sh")) as f:
        m = re.search(r'^PROGRAMS="([^"]*)"', f.read(), re.M)
    out = []
    for entry in m.group(1).split():
        p, path = entry.split(":", 1)
        if os.access(os.path.join(h.BUILD, "cgi-bin", p + ".fcgi"), os.X_OK):
            out.append((p, path))
    return out


PROGRAMS = run_programs()
# The programs that serve a family of routes below their mapped path.
FAMILIES = {"mfa": ["mfa/verify", "mfa/totp/activate", "mfa/totp/deactivate",
                    "mfa/status", "mfa/recovery-codes",
                    "mfa/recovery-codes/regenerate"]}
BUILT = sorted(n[:-len(".fcgi")] for n in
               os.listdir(os.path.join(h.BUILD, "cgi-bin"))
               if n.endswith(".fcgi"))
t.eq("every built program is in run.sh's PROGRAMS",
     sorted(p for p, _ in PROGRAMS), BUILT)
JSON_CT = {"Content-Type": "application/json"}


class ServerStack(h.Stack):
    """A harness stack served by another web server; started once a
    program answers through it, not only once it listens."""

    probe = True

    def __init__(self, server, config, **kw):
        super().__init__(config, **kw)
        self.server = server

    def env(self):
        e = super().env()
        e["SERVER"] = self.server
        return e


def raw(s, method, path, headers, body, timeout=30):
    """One request on a plain socket: the server may answer and close
    before the body is all sent."""
    head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (
        method, path)
    for k, v in headers.items():
        head += "%s: %s\r\n" % (k, v)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    sock = socket.create_connection(("127.0.0.1", s.port), timeout)
    try:
        try:
            sock.sendall(head.encode("latin-1") + body)
        except OSError:
            pass
        r = http.client.HTTPResponse(sock, method=method)
        r.begin()
        data = r.read()
        return h.Resp(r.status, [(k.lower(), v) for k, v in r.getheaders()],
                      data)
    finally:
        sock.close()


def is_json(r):
    return (r.header("Content-Type") or "").startswith("application/json") \
        and isinstance(r.json, dict)


def wait_mail(maildir, timeout=h.MAIL_WAIT):
    deadline = time.time() + timeout
    while time.time() < deadline:
        names = [n for n in os.listdir(maildir) if n.endswith(".eml")]
        if names:
            with open(os.path.join(maildir, names[0]), "rb") as f:
                return f.read().decode("utf-8", "replace")
        time.sleep(0.05)
    return None


def core(s, name, maildir):
    def eq(what, got, want):
        return t.eq("%s: %s" % (name, what), got, want)

    def check(what, cond, detail=""):
        return t.check("%s: %s" % (name, what), cond, detail)

    s.createuser("alice", "correct horse", email="alice@example.com")

    # login/
    r = s.post("/auth/login/", json={"username": "alice",
                                     "password": "correct horse"})
    eq("login", r.status, 200)
    key = (r.json or {}).get("key", "")
    check("login key", re.fullmatch("[0-9a-f]{40}", key or ""), r)
    eq("login no-store", r.header("Cache-Control"), "no-store")
    r = s.post("/auth/login/", json={"username": "alice", "password": "no"})
    eq("wrong password", (r.status, r.json), (400, {"non_field_errors": [
        "Unable to log in with provided credentials."]}))
    r = s.post("/auth/login/", body="{", headers=JSON_CT)
    eq("bad JSON status", r.status, 400)
    check("bad JSON detail", is_json(r) and r.json.get("detail", "")
          .startswith("JSON parse error - "), r)
    r = raw(s, "POST", "/auth/login/", JSON_CT, b"{" + b" " * 65536 + b"}")
    eq("over MAX_BODY_BYTES: the program's 413", (r.status, is_json(r)),
       (413, True))
    r = raw(s, "POST", "/auth/login/", JSON_CT, b" " * (5 << 20))
    eq("over the server's cap: its own 413, in JSON",
       (r.status, is_json(r)), (413, True))

    # user/: the Authorization header reaches the program.
    r = s.get("/auth/user/", token=key)
    eq("user with the token", r.status, 200)
    eq("user body", (r.json or {}).get("username"), "alice")
    r = s.get("/auth/user/", token="0" * 40)
    eq("a wrong token is seen (Authorization passed)",
       (r.status, r.json), (401, {"detail": "Invalid token."}))
    eq("a wrong token: WWW-Authenticate", r.header("WWW-Authenticate"),
       "Token")
    r = s.get("/auth/user/")
    eq("no token", (r.status, r.json), (401, {
        "detail": "Authentication credentials were not provided."}))
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": "Alice"})
    eq("PATCH", (r.status, (r.json or {}).get("first_name")), (200, "Alice"))
    r = s.request("HEAD", "/auth/user/", token=key)
    eq("HEAD", (r.status, r.body), (200, b""))
    r = s.request("OPTIONS", "/auth/user/", token=key)
    eq("OPTIONS", (r.status, is_json(r) and r.json.get("renders")),
       (200, ["application/json"]))

    # Every program is routed: its path reaches it (DRF's metadata),
    # and each route of a family reaches its endpoint.
    for p, path in PROGRAMS:
        for route in FAMILIES.get(p, [path]):
            r = s.request("OPTIONS", "/auth/%s/" % route, token=key)
            eq("OPTIONS %s/" % route, (r.status, is_json(r) and
                                       r.json.get("renders")),
               (200, ["application/json"]))
    r = s.get("/auth/mfa/status/", token=key)
    eq("GET mfa/status/", (r.status, r.json), (200, {
        "mfa_enabled": False, "created_at": None, "last_used_at": None}))
    r = s.get("/auth/mfa/status", token=key)
    eq("GET mfa/status (its URL pattern's slash is optional)",
       (r.status, (r.json or {}).get("mfa_enabled")), (200, False))
    r = s.get("/auth/mfa/totp/activate/", token=key)
    eq("GET mfa/totp/activate/: its own route", (r.status, sorted(r.json or {})),
       (200, ["activation_token", "qr_code_data_uri", "secret", "totp_url"]))
    for path in ("/auth/mfa/", "/auth/mfa/x/", "/auth/mfa/status/x/",
                 "/auth/mfa/statusx/", "/auth/mfa/totp/",
                 "/auth/mfa/verify/status/"):
        r = s.get(path, token=key)
        eq("not an mfa route %s" % path, (r.status, is_json(r)), (404, True))

    # Methods and paths.
    r = s.request("DELETE", "/auth/user/", token=key)
    eq("DELETE user/", (r.status, r.json),
       (405, {"detail": 'Method "DELETE" not allowed.'}))
    eq("DELETE user/ Allow", r.header("Allow"),
       "GET, PUT, PATCH, HEAD, OPTIONS")
    r = s.get("/auth/login/")
    eq("GET login/", (r.status, r.json),
       (405, {"detail": 'Method "GET" not allowed.'}))
    eq("GET login/ Allow", r.header("Allow"), "POST, OPTIONS")
    for path in ("/auth/user/x", "/auth/user/x/user/", "/auth/login/x/",
                 "/auth/password/reset/confirm/x/",
                 "/auth/password/change/x/change/"):
        r = s.get(path, token=key)
        eq("below an endpoint %s" % path, (r.status, is_json(r)),
           (404, True))
        check("below an endpoint %s: not the endpoint" % path,
              "pk" not in (r.json or {}) and "key" not in (r.json or {}), r)
    r = s.get("/auth/nothing/")
    eq("unknown path: the server's 404, in JSON", (r.status, r.json),
       (404, {"detail": "Not found."}))
    r = s.get("/auth/user", token=key)
    eq("no slash", (r.status, urllib.parse.urlsplit(
        r.header("Location") or "").path), (301, "/auth/user/"))
    r = s.get("/auth/%75ser/", token=key)
    eq("percent-encoded path", r.status, 200)

    # password/change/, password/reset/, password/reset/confirm/
    r = s.post("/auth/password/change/", token=key,
               json={"new_password1": "new horse 2",
                     "new_password2": "new horse 2"})
    eq("password change", (r.status, r.json),
       (200, {"detail": "New password has been saved."}))
    r = s.post("/auth/login/", json={"username": "alice",
                                     "password": "new horse 2"})
    eq("login with the new password", (r.status, r.json), (200, {"key": key}))
    r = s.post("/auth/password/reset/", json={"email": "alice@example.com"})
    eq("password reset", (r.status, r.json),
       (200, {"detail": "Password reset e-mail has been sent."}))
    mail = wait_mail(maildir)
    check("reset mail sent", mail is not None)
    m = re.search(r"/password-reset/confirm/([^/\s]+)/([^/\s]+)/", mail or "")
    check("reset link in the mail", m, (mail or "")[:500])
    if m:
        r = s.post("/auth/password/reset/confirm/", json={
            "uid": m.group(1), "token": m.group(2),
            "new_password1": "third horse 3",
            "new_password2": "third horse 3"})
        eq("reset confirm", (r.status, r.json), (200, {
            "detail": "Password has been reset with the new password."}))
        # The reset ended the old token: the login makes a new one.
        r = s.post("/auth/login/", json={"username": "alice",
                                         "password": "third horse 3"})
        eq("login after the reset", r.status, 200)
        check("a new token after the reset", (r.json or {}).get("key")
              not in (None, key), r.json)
        key = (r.json or {}).get("key") or key
    r = s.post("/auth/password/reset/confirm/", json={
        "uid": "x", "token": "y", "new_password1": "a",
        "new_password2": "a"})
    eq("reset confirm, bad uid", (r.status, r.json),
       (400, {"uid": ["Invalid value"]}))

    # logout/, then the token is refused.
    r = s.post("/auth/logout/", token=key)
    eq("logout", (r.status, r.json),
       (200, {"detail": "Successfully logged out."}))
    r = s.get("/auth/user/", token=key)
    eq("token refused after logout", (r.status, r.json),
       (401, {"detail": "Invalid token."}))


def programs(s):
    """This stack's program processes (not multiwatch, whose command line
    names the program too)."""
    pids = []
    for pid in s.fcgi_pids():
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if f.read().split(b"\0")[0].endswith(b".fcgi"):
                    pids.append(pid)
        except OSError:
            pass
    return pids


def processes(s, name):
    """nginx's pools hold PROCS processes per program from the start;
    mod_fcgid and lighttpd start at most PROCS; CGI none in between."""
    pids = programs(s)
    n = len(PROGRAMS)
    if name == "nginx":
        t.eq("nginx: PROCS processes per pool", len(pids), 2 * n)
    elif name.endswith("-cgi"):
        # A CGI program's answer is complete before it exits (it closes
        # its output, starts a drainer, and an ASan build checks for
        # leaks): wait for the last ones to end.
        deadline = time.time() + h.scaled(10)
        while pids and time.time() < deadline:
            time.sleep(0.05)
            pids = programs(s)
        t.eq("%s: no program left between requests" % name, len(pids), 0)
    else:
        t.check("%s: at most PROCS processes per program" % name,
                0 < len(pids) <= 2 * n, pids)


def serve(name):
    started = time.time()
    s = ServerStack(name, {"PASSWORD_HASHER": FAST,
                           "REST_AUTH": {"MFA_ENABLED": True}})
    maildir = os.path.join(s.tmp, "mail")
    os.mkdir(maildir)
    os.chmod(maildir, 0o777)  # the programs may run as another user
    s.config["EMAIL_SENDMAIL"] = "%s %s" % (
        os.path.join(h.SRC, "tests/http/capture_mail.sh"), maildir)
    try:
        s.start()
    except RuntimeError as exc:
        t.check("%s: starts" % name, False, exc)
        return
    try:
        t.run(core, s, name, maildir)
        processes(s, name)
    finally:
        s.stop()
    time.sleep(0.2)
    t.eq("%s: no program left after stop" % name, s.fcgi_pids(), [])
    print("%s: %.1f s" % (name, time.time() - started), flush=True)


for server in SERVERS:
    serve(server)
t.done()
