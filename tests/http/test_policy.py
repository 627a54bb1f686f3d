"""CORS, HTTPS redirect, HSTS, security headers and hostile headers
(SPEC section 6, issue 6), through the real lighttpd + FastCGI stack.

What Django does, which the checks encode (MIDDLEWARE in the order the
product's pipeline follows: SecurityMiddleware, then CorsMiddleware, ...,
XFrameOptionsMiddleware, then DRF):
- SecurityMiddleware.process_request answers 301 to
  "https://" + request.get_host() + request.get_full_path() when
  SECURE_SSL_REDIRECT and not request.is_secure(); is_secure() with
  SECURE_PROXY_SSL_HEADER compares the header's first comma-separated
  value, stripped. Its process_response runs on every answer, that 301
  and CorsMiddleware's preflight answer included: X-Content-Type-Options
  nosniff, Referrer-Policy same-origin, Cross-Origin-Opener-Policy
  same-origin, and Strict-Transport-Security on secure requests.
- django-cors-headers answers every OPTIONS with
  Access-Control-Request-Method itself (200, empty body), before the URL
  resolver and DRF (so no authentication); it adds "origin" to Vary, and
  for an allowed Origin only: Access-Control-Allow-Origin (echoed),
  -Allow-Credentials "true" when CORS_ALLOW_CREDENTIALS, and on any
  OPTIONS -Allow-Headers (accept, authorization, content-type,
  user-agent, x-csrftoken, x-requested-with), -Allow-Methods (DELETE,
  GET, OPTIONS, PATCH, POST, PUT) and -Max-Age 86400.
"""
import socket
import http.client

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
APP = "https://app.example"
EVIL = "https://evil.example"
LOGIN = "/auth/login/"
LOGOUT = "/auth/logout/"
USERV = "/auth/user/"
CHANGE = "/auth/password/change/"
PASSWORD = "correct horse"
PROXY = ["HTTP_X_FORWARDED_PROTO", "https"]
HTTPS = {"X-Forwarded-Proto": "https"}
METHODS = {"DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"}
SCOPED = "rest_framework.throttling.ScopedRateThrottle"


def cfg(**kw):
    c = {"PASSWORD_HASHER": FAST}
    c.update(kw)
    return c


def acx(r):
    """The Access-Control-* headers of an answer."""
    return sorted((k, v) for k, v in r.headers
                  if k.startswith("access-control-"))


def words(v):
    return {w.strip().lower() for w in (v or "").split(",") if w.strip()}


def preflight(s, path, origin=APP, method="POST", headers=None):
    hd = {"Access-Control-Request-Method": method}
    if origin is not None:
        hd["Origin"] = origin
    hd.update(headers or {})
    return s.request("OPTIONS", path, headers=hd)


def security_headers(what, r, frame=True):
    t.eq(what + ": X-Content-Type-Options", r.header(
        "X-Content-Type-Options"), "nosniff")
    t.eq(what + ": Referrer-Policy", r.header("Referrer-Policy"),
         "same-origin")
    t.eq(what + ": Cross-Origin-Opener-Policy", r.header(
        "Cross-Origin-Opener-Policy"), "same-origin")
    if frame:
        t.eq(what + ": X-Frame-Options", r.header("X-Frame-Options"),
             "DENY")


# --- CORS ---

def cors_preflight(s):
    for path in (LOGIN, USERV, CHANGE, LOGOUT):
        what = "preflight %s" % path
        r = preflight(s, path, headers={
            "Access-Control-Request-Headers": "content-type,authorization"})
        t.eq(what + ": 200, empty body", (r.status, r.body), (200, b""))
        t.eq(what + ": Allow-Origin echoed",
             r.header("Access-Control-Allow-Origin"), APP)
        t.eq(what + ": Allow-Credentials",
             r.header("Access-Control-Allow-Credentials"), "true")
        t.eq(what + ": Allow-Methods",
             words(r.header("Access-Control-Allow-Methods")),
             {m.lower() for m in METHODS})
        ah = words(r.header("Access-Control-Allow-Headers"))
        t.check(what + ": Allow-Headers has authorization, content-type, "
                "x-csrftoken", {"authorization", "content-type",
                                "x-csrftoken"} <= ah, ah)
        t.eq(what + ": Max-Age", r.header("Access-Control-Max-Age"),
             "86400")
        t.check(what + ": Vary has origin", "origin" in words(
            r.header("Vary")), r.header("Vary"))
        t.check(what + ": no authentication challenge",
                r.header("WWW-Authenticate") is None, r.headers)
    # A header the browser asks for beyond the default list: the issue
    # says "and the request's list", django-cors-headers sends its fixed
    # CORS_ALLOW_HEADERS. Reported, not asserted.
    r = preflight(s, LOGIN, headers={
        "Access-Control-Request-Headers": "x-custom-header"})
    print("note: preflight asking for x-custom-header: Allow-Headers %r" %
          r.header("Access-Control-Allow-Headers"))
    # SecurityMiddleware wraps CorsMiddleware: its headers are on the
    # preflight answer too (X-Frame-Options is not: that middleware sits
    # inside).
    security_headers("preflight", r, frame=False)


def cors_disallowed(s):
    r = preflight(s, LOGIN, origin=EVIL)
    t.eq("preflight from a disallowed origin: 200, empty",
         (r.status, r.body), (200, b""))
    t.eq("preflight from a disallowed origin: no Access-Control-*",
         acx(r), [])
    t.check("preflight from a disallowed origin: Vary has origin",
            "origin" in words(r.header("Vary")), r.header("Vary"))
    r = preflight(s, USERV, origin=None)
    t.eq("preflight without Origin: 200, no Access-Control-*",
         (r.status, acx(r)), (200, []))
    for origin in ("null", "http://app.example", "https://app.example:8443",
                   "https://app.example.evil.example", "https://sub." +
                   "app.example"):
        r = preflight(s, LOGIN, origin=origin)
        t.eq("preflight from %s: no Access-Control-*" % origin,
             (r.status, acx(r)), (200, []))


def cors_actual(s):
    s.createuser("alice", PASSWORD)
    body = {"username": "alice", "password": PASSWORD}
    r = s.post(LOGIN, json=body, headers={"Origin": APP})
    t.eq("login from the allowed origin: 200", r.status, 200)
    t.eq("login from the allowed origin: ACAO",
         r.header("Access-Control-Allow-Origin"), APP)
    t.eq("login from the allowed origin: credentials",
         r.header("Access-Control-Allow-Credentials"), "true")
    t.check("login from the allowed origin: no preflight headers",
            r.header("Access-Control-Allow-Methods") is None, acx(r))
    t.check("login from the allowed origin: Vary has origin",
            "origin" in words(r.header("Vary")), r.header("Vary"))
    key = r.json["key"]
    r = s.post(LOGIN, json=body, headers={"Origin": EVIL})
    t.eq("login from a disallowed origin: 200, no Access-Control-*",
         (r.status, acx(r)), (200, []))
    r = s.post(LOGIN, json=body)
    t.eq("login without Origin: no Access-Control-*", acx(r), [])
    r = s.get(USERV, headers={"Origin": APP})
    t.eq("401 from the allowed origin carries ACAO",
         (r.status, r.header("Access-Control-Allow-Origin"),
          r.header("Access-Control-Allow-Credentials")), (401, APP, "true"))
    r = s.get(USERV, token=key, headers={"Origin": APP})
    t.eq("user/ with a token from the allowed origin",
         (r.status, r.header("Access-Control-Allow-Origin")), (200, APP))
    # An OPTIONS that is not a preflight goes to DRF (metadata); the
    # middleware still adds the -Allow-* headers to any OPTIONS.
    r = s.request("OPTIONS", LOGIN, headers={"Origin": APP})
    t.eq("plain OPTIONS from the allowed origin: DRF's metadata",
         (r.status, (r.json or {}).get("name")), (200, "Login"))
    t.eq("plain OPTIONS from the allowed origin: ACAO",
         r.header("Access-Control-Allow-Origin"), APP)
    t.eq("plain OPTIONS from the allowed origin: Allow-Methods "
         "(django-cors-headers adds them on every OPTIONS)",
         words(r.header("Access-Control-Allow-Methods")),
         {m.lower() for m in METHODS})
    t.eq("plain OPTIONS from the allowed origin: Max-Age",
         r.header("Access-Control-Max-Age"), "86400")
    # django-cors-headers compares scheme and netloc of the parsed
    # Origin: a trailing slash still matches. Reported, not asserted.
    r = s.post(LOGIN, json=body, headers={"Origin": APP + "/"})
    print("note: Origin %s/: ACAO %r (django-cors-headers: echoed)" %
          (APP, r.header("Access-Control-Allow-Origin")))


def cors_no_credentials(s):
    r = preflight(s, LOGIN)
    t.eq("no CORS_ALLOW_CREDENTIALS: preflight ACAO",
         (r.status, r.header("Access-Control-Allow-Origin")), (200, APP))
    t.eq("no CORS_ALLOW_CREDENTIALS: preflight without -Allow-Credentials",
         r.header("Access-Control-Allow-Credentials"), None)
    r = s.post(LOGOUT, headers={"Origin": APP})
    t.eq("no CORS_ALLOW_CREDENTIALS: actual answer",
         (r.status, r.header("Access-Control-Allow-Origin"),
          r.header("Access-Control-Allow-Credentials")), (200, APP, None))


# --- HTTPS redirect and HSTS ---

def redirect(s):
    host = {"Host": "api.example"}
    for method in ("GET", "POST", "PATCH", "DELETE"):
        r = s.request(method, USERV + "?x=1", headers=host)
        t.eq("%s user/ over http: 301 to https" % method,
             (r.status, r.header("Location")),
             (301, "https://api.example/auth/user/?x=1"))
        t.check("%s user/ over http: no 401 challenge" % method,
                r.header("WWW-Authenticate") is None, r.headers)
    t.eq("301 body empty", r.body, b"")
    security_headers("301", r, frame=False)
    t.eq("301 over http: no HSTS", r.header("Strict-Transport-Security"),
         None)
    t.eq("301 before CORS: no Access-Control-*",
         acx(s.get(USERV, headers={"Origin": APP})), [])
    r = s.post(LOGIN, json={"username": "a", "password": "b"},
               headers={"Host": "api.example:8443"})
    t.eq("login over http: 301 with the Host's port",
         (r.status, r.header("Location")),
         (301, "https://api.example:8443/auth/login/"))
    r = s.get(USERV + "?next=%2Fa%20b&y=%C3%A9", headers=host)
    t.eq("query string kept as sent", r.header("Location"),
         "https://api.example/auth/user/?next=%2Fa%20b&y=%C3%A9")
    r = s.get(USERV, headers={"Host": "api.example",
                              "X-Forwarded-Proto": "http"})
    t.eq("X-Forwarded-Proto: http: 301", r.status, 301)
    r = s.get(USERV, headers={"Host": "api.example",
                              "X-Forwarded-Proto": "HTTPS"})
    t.eq("X-Forwarded-Proto: HTTPS (case differs): 301", r.status, 301)
    r = preflight(s, LOGIN)
    t.eq("preflight over http: 301 (SecurityMiddleware comes first)",
         r.status, 301)


def https_answers(s):
    r = s.get(USERV, headers=HTTPS)
    t.eq("https user/: normal 401", r.status, 401)
    t.eq("https user/: HSTS", r.header("Strict-Transport-Security"),
         "max-age=3600; includeSubDomains; preload")
    s.createuser("alice", PASSWORD)
    r = s.post(LOGIN, json={"username": "alice", "password": PASSWORD},
               headers=HTTPS)
    t.eq("https login: 200 with HSTS",
         (r.status, r.header("Strict-Transport-Security")),
         (200, "max-age=3600; includeSubDomains; preload"))
    # Django takes the header's first value, stripped.
    for v in ("https, http", "https ,http", "https,http"):
        r = s.get(USERV, headers={"X-Forwarded-Proto": v})
        t.eq("X-Forwarded-Proto %r: first value https: no redirect" % v,
             r.status, 401)
    r = s.get(USERV, headers={"X-Forwarded-Proto": "http, https"})
    t.eq("X-Forwarded-Proto 'http, https': 301", r.status, 301)
    r = preflight(s, LOGIN, headers=HTTPS)
    t.eq("https preflight: 200 with ACAO",
         (r.status, r.header("Access-Control-Allow-Origin")), (200, APP))
    t.eq("https preflight: HSTS (SecurityMiddleware wraps CORS)",
         r.header("Strict-Transport-Security"),
         "max-age=3600; includeSubDomains; preload")


def hsts_without_redirect(s):
    r = s.get(USERV)
    t.eq("plain http without redirect: 401, no HSTS",
         (r.status, r.header("Strict-Transport-Security")), (401, None))
    r = s.get(USERV, headers=HTTPS)
    t.eq("https without redirect: HSTS max-age only",
         (r.status, r.header("Strict-Transport-Security")),
         (401, "max-age=3600"))


# --- security headers on every answer ---

def every_answer(s):
    s.createuser("alice", PASSWORD)
    # Scope dj_rest_auth at 3/minute: login 200, login 400, GET login/
    # 405 are the three hits, then logout/ is a 429.
    r = s.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    t.eq("login 200", r.status, 200)
    key = r.json["key"]
    security_headers("login 200", r)
    t.eq("login 200: Cache-Control", r.header("Cache-Control"), "no-store")
    r = s.post(LOGIN, json={"username": "alice", "password": "nope"})
    t.eq("login 400", r.status, 400)
    security_headers("login 400", r)
    r = s.get(LOGIN)
    t.eq("GET login/ 405", r.status, 405)
    security_headers("405", r)
    r = s.post(LOGOUT)
    t.eq("logout 429", r.status, 429)
    security_headers("429", r)
    r = s.get(USERV)
    t.eq("user/ 401", r.status, 401)
    security_headers("401", r)
    r = s.get(USERV + "x/", token=key)
    t.eq("user/x/ 404", r.status, 404)
    security_headers("404", r)
    r = s.get(USERV, token=key)
    t.eq("user/ 200", r.status, 200)
    security_headers("user/ 200", r)
    r = s.request("OPTIONS", USERV, token=key)
    t.eq("OPTIONS user/ 200", r.status, 200)
    security_headers("OPTIONS 200", r)


# --- hostile headers ---

def raw_request(s, head, timeout=h.scaled(10)):
    """Send bytes; return (status, body) or the exception's name."""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout)
    try:
        try:
            sock.sendall(head)
        except OSError:
            pass
        r = http.client.HTTPResponse(sock, method="GET")
        r.begin()
        return r.status, r.read()
    except Exception as exc:
        return type(exc).__name__, b""
    finally:
        sock.close()


def alive(s, what):
    r = s.get(USERV)
    t.eq(what + ": the service still answers", r.status, 401)


def hostile(s):
    s.createuser("alice", PASSWORD)
    pids = s.fcgi_pids()
    t.check("FastCGI processes running", len(pids) > 0, pids)
    body = {"username": "alice", "password": PASSWORD}
    r = s.get(USERV, headers={"X-Big": "a" * 20480})
    t.check("20 KiB header line: 431 or 400 from lighttpd",
            r.status in (400, 431), r)
    print("note: 20 KiB header line: %d %r" % (r.status, r.body[:80]))
    alive(s, "after a 20 KiB header")
    r = s.post(LOGIN, json=body, headers={"Cookie": "a=" + "b" * 65536})
    t.check("64 KiB Cookie header: 431 or 400", r.status in (400, 431), r)
    print("note: 64 KiB Cookie header: %d" % r.status)
    alive(s, "after a 64 KiB cookie")
    st, _ = raw_request(s, b"GET /auth/user/ HTTP/1.1\r\nHost: x\r\n" +
                        b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100)
                                 for i in range(400)) + b"\r\n")
    t.eq("400 header lines of 100 bytes (40 KiB): 431", st, 431)
    # Many short lines, under the size cap: refused or answered, no crash.
    st, _ = raw_request(s, b"GET /auth/user/ HTTP/1.1\r\nHost: x\r\n" +
                        b"".join(b"X-%d: v\r\n" % i for i in range(1000)) +
                        b"Connection: close\r\n\r\n")
    t.check("1000 short header lines: a 4xx or the normal 401",
            isinstance(st, int) and 400 <= st < 500, st)
    print("note: 1000 short header lines: %s" % st)
    alive(s, "after 400 header lines")
    # Below lighttpd's cap, above lib/'s cookie cap (8 KiB): the program
    # must still answer (the cookies are ignored).
    r = s.post(LOGIN, json=body, headers={"Cookie": "a=" + "b" * 12000})
    t.check("12 KiB Cookie header: an answer, no 5xx", r.status < 500, r)
    print("note: 12 KiB Cookie header on login: %d" % r.status)
    for n in (64, 65, 200, 900):
        cookie = "; ".join("c%d=v%d" % (i, i) for i in range(n))
        r = s.post(LOGIN, json=body, headers={"Cookie": cookie})
        t.eq("%d cookies in one header: login works" % n, r.status, 200)
        r = s.get(USERV, headers={"Cookie": cookie})
        t.eq("%d cookies in one header: user/ 401" % n, r.status, 401)
    r = s.post(LOGIN, json=body, headers={
        "Cookie": ";" * 5000 + "=" * 2000 + '"' * 500})
    t.check("a Cookie of separators: an answer, no 5xx", r.status < 500, r)
    alive(s, "after the cookie storm")
    t.eq("no FastCGI process crashed or restarted", s.fcgi_pids(), pids)


def main():
    with h.Stack(cfg(CORS_ALLOWED_ORIGINS=[APP],
                     CORS_ALLOW_CREDENTIALS=True)) as s:
        t.run(cors_preflight, s)
        t.run(cors_disallowed, s)
        t.run(cors_actual, s)
    with h.Stack(cfg(CORS_ALLOWED_ORIGINS=[APP])) as s:
        t.run(cors_no_credentials, s)
        t.run(hostile, s)
    with h.Stack(cfg(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=PROXY,
                     ALLOWED_HOSTS=["api.example", "127.0.0.1"],
                     SECURE_HSTS_SECONDS=3600,
                     SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
                     SECURE_HSTS_PRELOAD=True,
                     CORS_ALLOWED_ORIGINS=[APP])) as s:
        t.run(redirect, s)
        t.run(https_answers, s)
    with h.Stack(cfg(SECURE_PROXY_SSL_HEADER=PROXY, SECURE_HSTS_SECONDS=3600,
                     REST_FRAMEWORK={
                         "DEFAULT_THROTTLE_CLASSES": [SCOPED],
                         "DEFAULT_THROTTLE_RATES": {
                             "dj_rest_auth": "3/minute"}})) as s:
        t.run(hsts_without_redirect, s)
        t.run(every_answer, s)


main()
t.done()
