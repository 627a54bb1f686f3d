"""Cross-origin requests with cookie credentials, ALLOWED_HOSTS, and
hostile cookie values, through the real lighttpd + FastCGI stack (and,
for Host values a web server would not pass on, the programs as plain
CGI).

- A credential the browser adds by itself (the JWT access cookie, the
  refresh cookie of token/refresh/ and logout/, the session cookie) does
  not prove the user meant the request: an unsafe request carrying one
  whose Origin (else, over https, Referer) is not the request's own
  origin, a CSRF_TRUSTED_ORIGINS entry ("https://*.example.com" as in
  Django 4) or a CORS_ALLOWED_ORIGINS entry, or is "null", is refused
  with 403 and DRF's words, {"detail": "CSRF Failed: <Django's reason>"},
  even with JWT_AUTH_COOKIE_USE_CSRF false (the security guide's
  settings). No Origin and no Referer: not a browser's cross-site
  request, served as before. An Authorization header is not checked.
- ALLOWED_HOSTS as Django's get_host(): a host not allowed (default:
  .localhost, 127.0.0.1, [::1]) or malformed is answered 400
  {"detail": "Bad Request (400)"}, before the https redirect builds its
  Location from it.
- A session key that is not what Django makes ([a-z0-9], 8 to 40), such
  as bytes that are not UTF-8, is no session (never a database error,
  never a 5xx); a garbage JWT cookie is a 401."""
import json
import os
import subprocess

import harness as h

t = h.Tests(__file__)

FAST = h.FAST
GUIDE_AUTH = {"USE_JWT": True, "JWT_AUTH_COOKIE": "access",
              "JWT_AUTH_REFRESH_COOKIE": "refresh", "JWT_AUTH_SECURE": True,
              "JWT_AUTH_HTTPONLY": True, "JWT_AUTH_SAMESITE": "Lax"}
GUIDE_JWT = {"ACCESS_TOKEN_LIFETIME": 300, "REFRESH_TOKEN_LIFETIME": 86400,
             "ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}
PROXY = ["HTTP_X_FORWARDED_PROTO", "https"]
HTTPS = {"X-Forwarded-Proto": "https"}
EVIL = "https://evil.example"
APP = "https://app.example"          # CORS_ALLOWED_ORIGINS
TRUSTED = "https://trusted.example"  # CSRF_TRUSTED_ORIGINS
WILD = "https://*.wild.example"      # CSRF_TRUSTED_ORIGINS, Django 4 form
PASSWORD = "Correct-Horse-Battery-1"
NEW_PASSWORD = "Other-Staple-Horse-2"
USERV = "/auth/user/"
CHANGE = "/auth/password/change/"
REFRESH = "/auth/token/refresh/"
LOGOUT = "/auth/logout/"
BAD_HOST = {"detail": "Bad Request (400)"}


def guide(**top):
    c = dict(FAST)
    c["REST_AUTH"] = dict(GUIDE_AUTH)
    c["SIMPLE_JWT"] = dict(GUIDE_JWT)
    c["SECURE_PROXY_SSL_HEADER"] = PROXY
    c["CSRF_TRUSTED_ORIGINS"] = [TRUSTED, WILD]
    c["CORS_ALLOWED_ORIGINS"] = [APP]
    c.update(top)
    return c


def origin_failed(origin):
    return {"detail": "CSRF Failed: Origin checking failed - %s does not "
                      "match any trusted origins." % origin}


def referer_failed(referer):
    return {"detail": "CSRF Failed: Referer checking failed - %s does not "
                      "match any trusted origins." % referer}


def same(what, r, status, body=None):
    ok = r.status == status and (body is None or r.json == body)
    return t.check(what, ok, "got %r, want %d %r" % (r, status, body))


def cookie_value(r, name):
    for line in r.cookies():
        n, _, rest = line.partition("=")
        if n == name:
            return rest.split(";", 1)[0]
    return None


def jwt_login(s, username, password=PASSWORD):
    r = s.post("/auth/login/", json={"username": username,
                                     "password": password})
    if r.status != 200:
        raise RuntimeError("login failed: %r" % r)
    return cookie_value(r, "access"), cookie_value(r, "refresh")


def can_login(s, username, password):
    r = s.post("/auth/login/", json={"username": username,
                                     "password": password})
    return r.status == 200


def own(s, scheme="http"):
    return "%s://127.0.0.1:%d" % (scheme, s.port)


def patch_user(s, first, headers):
    return s.request("PATCH", USERV, json={"first_name": first},
                     headers=headers)


def first_name(s, uid):
    # psql prints an empty value as an empty line, which sql() drops.
    return s.sql("SELECT 'v' || first_name FROM auth_user WHERE id = :'p1'",
                 str(uid))[0][0][1:]


# --- JWT cookie mode, the security guide's settings ---

def cross_origin_refused(s):
    uid = s.createuser("alice", PASSWORD)
    access, _ = jwt_login(s, "alice")
    ck = {"Cookie": "access=" + access}
    # The attack: an auto-submitted form on another site.
    r = s.post(CHANGE, form={"new_password1": NEW_PASSWORD,
                             "new_password2": NEW_PASSWORD},
               headers=dict(ck, Origin=EVIL))
    same("cross-origin form POST password/change/: 403", r, 403,
         origin_failed(EVIL))
    t.check("password unchanged: the old one logs in",
            can_login(s, "alice", PASSWORD))
    t.check("password unchanged: the new one does not",
            not can_login(s, "alice", NEW_PASSWORD))
    r = patch_user(s, "Mallory", dict(ck, Origin=EVIL))
    same("PATCH user/ Origin evil: 403", r, 403, origin_failed(EVIL))
    t.eq("PATCH from evil: first_name unchanged", first_name(s, uid), "")
    r = patch_user(s, "Mallory", dict(ck, Origin="null"))
    same("PATCH user/ Origin null (sandboxed frame): 403", r, 403,
         origin_failed("null"))
    r = s.request("PUT", USERV, json={"username": "alice",
                                      "first_name": "Mallory"},
                  headers=dict(ck, Origin="http://evil.example"))
    same("PUT user/ Origin http evil: 403", r, 403,
         origin_failed("http://evil.example"))
    r = patch_user(s, "Mallory", dict(ck, Origin=own(s, "https")))
    same("PATCH user/ Origin https://own over http (scheme differs): 403",
         r, 403, origin_failed(own(s, "https")))
    ref = EVIL + "/page?x=1"
    r = patch_user(s, "Mallory", dict(ck, Referer=ref, **HTTPS))
    same("PATCH user/ over https, no Origin, Referer evil: 403", r, 403,
         referer_failed(ref))
    r = patch_user(s, "Mallory",
                   dict(ck, Referer="http://127.0.0.1/", **HTTPS))
    same("PATCH user/ over https, Referer over http: 403", r, 403,
         {"detail": "CSRF Failed: Referer checking failed - Referer is "
                    "insecure while host is secure."})
    r = s.post(LOGOUT, headers=dict(ck, Origin=EVIL))
    same("POST logout/ with the cookies from evil: 403", r, 403,
         origin_failed(EVIL))
    t.eq("nothing changed the user", first_name(s, uid), "")
    # Safe methods are never checked.
    r = s.get(USERV, headers=dict(ck, Origin=EVIL))
    same("GET user/ Origin evil: 200 (safe method)", r, 200)


def allowed_origins(s):
    uid = s.createuser("bob", PASSWORD)
    access, _ = jwt_login(s, "bob")
    ck = {"Cookie": "access=" + access}
    cases = [
        ("same origin over http", {"Origin": own(s)}),
        ("same origin over https", dict(Origin=own(s, "https"), **HTTPS)),
        ("same-origin Referer over https",
         dict(Referer=own(s, "https") + "/page", **HTTPS)),
        ("CSRF_TRUSTED_ORIGINS entry", {"Origin": TRUSTED}),
        ("CSRF_TRUSTED_ORIGINS wildcard, subdomain",
         {"Origin": "https://a.b.wild.example"}),
        ("CSRF_TRUSTED_ORIGINS wildcard, the domain itself (Django's "
         "is_same_domain)", {"Origin": "https://wild.example"}),
        ("CORS_ALLOWED_ORIGINS entry", {"Origin": APP}),
        ("CORS_ALLOWED_ORIGINS Referer over https",
         dict(Referer=APP + "/x", **HTTPS)),
        ("no Origin, no Referer (not a browser) over http", {}),
        ("no Origin, no Referer over https", dict(HTTPS)),
    ]
    for i, (what, hdrs) in enumerate(cases):
        r = patch_user(s, "N%d" % i, dict(ck, **hdrs))
        same("PATCH user/ %s: 200" % what, r, 200)
    t.eq("the last PATCH landed", first_name(s, uid), "N%d" % (len(cases) - 1))
    for what, o in (("wildcard scheme differs", "http://a.wild.example"),
                    ("wildcard lookalike", "https://evilwild.example"),
                    ("trusted origin with a port", TRUSTED + ":8443")):
        r = patch_user(s, "X", dict(ck, Origin=o))
        same("PATCH user/ %s: 403" % what, r, 403, origin_failed(o))
    # Not a cookie: an Authorization header is the client's own doing.
    r = patch_user(s, "Bearer", {"Authorization": "Bearer " + access,
                                 "Origin": EVIL})
    same("PATCH user/ with Authorization: Bearer from evil: 200", r, 200)
    # The guide's password change, same origin: works.
    r = s.post(CHANGE, form={"new_password1": NEW_PASSWORD,
                             "new_password2": NEW_PASSWORD},
               headers=dict(ck, Origin=own(s)))
    same("same-origin form POST password/change/: 200", r, 200)
    t.check("the new password logs in", can_login(s, "bob", NEW_PASSWORD))


def refresh_cookie(s):
    s.createuser("carol", PASSWORD)
    _, refresh = jwt_login(s, "carol")
    ck = {"Cookie": "refresh=" + refresh}
    for what, path in (("token/refresh/", REFRESH), ("logout/", LOGOUT)):
        r = s.post(path, headers=dict(ck, Origin=EVIL))
        same("%s with only the refresh cookie from evil: 403" % what, r,
             403, origin_failed(EVIL))
        t.eq("%s 403: no cookie set or cleared" % what, r.cookies(), [])
        # carol's tokens only: a password change earlier in this stack
        # ended another user's other refresh tokens.
        n = s.sql("SELECT count(*) FROM token_blacklist_blacklistedtoken b"
                  " JOIN token_blacklist_outstandingtoken o"
                  " ON o.id = b.token_id JOIN auth_user u"
                  " ON u.id = o.user_id WHERE u.username = 'carol'")[0][0]
        t.eq("%s 403: nothing blacklisted" % what, n, "0")
    r = s.post(REFRESH, headers=dict(ck, Origin=own(s)))
    same("token/refresh/ same origin: 200 (the token was not rotated "
         "away)", r, 200)
    refresh2 = cookie_value(r, "refresh")
    t.check("rotated: a new refresh cookie", refresh2 not in (None, refresh),
            r.cookies())
    # A token in the body is the client's own doing: not checked.
    r = s.post(REFRESH, json={"refresh": refresh2},
               headers={"Origin": EVIL})
    same("token/refresh/ with the token in the body from evil: 200", r, 200)
    refresh3 = cookie_value(r, "refresh")
    r = s.post(REFRESH, headers={"Cookie": "refresh=" + refresh3})
    same("token/refresh/ cookie, no Origin/Referer (not a browser): 200",
         r, 200)


def use_csrf_one_check(s):
    """JWT_AUTH_COOKIE_USE_CSRF: Django's full check, origin first."""
    s.createuser("dave", PASSWORD)
    access, _ = jwt_login(s, "dave")
    csrf = "abcdefghijklmnopqrstuvwxyzABCDEF"  # any well-formed secret
    ck = {"Cookie": "access=%s; csrftoken=%s" % (access, csrf),
          "X-CSRFToken": csrf}
    r = patch_user(s, "M", dict(ck, Origin=EVIL))
    same("USE_CSRF, good token, Origin evil: 403", r, 403,
         origin_failed(EVIL))
    r = patch_user(s, "M", dict(ck, Origin=TRUSTED))
    same("USE_CSRF, good token, trusted Origin: 200", r, 200)
    r = patch_user(s, "M", {"Cookie": "access=" + access,
                            "Origin": TRUSTED})
    same("USE_CSRF, trusted Origin, no token: 403", r, 403,
         {"detail": "CSRF Failed: CSRF cookie not set."})


def session_cookie(s):
    uid = s.createuser("erin", PASSWORD)
    r = s.post("/auth/login/", json={"username": "erin",
                                     "password": PASSWORD})
    sid = cookie_value(r, "sessionid")
    csrf = cookie_value(r, "csrftoken")
    ck = {"Cookie": "sessionid=%s; csrftoken=%s" % (sid, csrf),
          "X-CSRFToken": csrf}
    r = patch_user(s, "Mallory", dict(ck, Origin=EVIL))
    same("session PATCH user/ Origin evil: 403", r, 403,
         origin_failed(EVIL))
    t.eq("session PATCH from evil: unchanged", first_name(s, uid), "")
    r = patch_user(s, "Erin", dict(ck, Origin=own(s)))
    same("session PATCH user/ same origin: 200", r, 200)


# --- hostile cookie values ---

GARBAGE = [
    ("invalid UTF-8", "\xff\xfe\xfd\xfc\xc3\x28abcdefgh"),
    ("truncated UTF-8", "abcdefghij\xe2\x82"),
    ("overlong UTF-8", "abcdefgh\xc0\xaf\xe0\x80\xaf"),
    ("upper case", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"),
    ("41 characters", "a" * 41),
    ("7 characters", "a" * 7),
    ("5000 characters", "a" * 5000),
    ("SQL", "x' OR '1'='1"),
]


def garbage_session(s):
    s.createuser("frank", PASSWORD)
    r = s.get(USERV, headers={"Cookie": "sessionid=abcdefgh\x01\x02"})
    same("GET user/ sessionid with control bytes: the parser's 400", r, 400)
    for what, v in GARBAGE:
        c = {"Cookie": "sessionid=" + v}
        r = s.get(USERV, headers=c)
        same("GET user/ sessionid %s: 401" % what, r, 401)
        r = s.post(LOGOUT, headers=c)
        t.check("POST logout/ sessionid %s: no 5xx" % what, r.status < 500,
                r)
        r = s.post("/auth/login/", json={"username": "frank",
                                         "password": PASSWORD}, headers=c)
        same("login with sessionid %s: 200" % what, r, 200)
    with open(s.error_log_path(), errors="replace") as f:
        log = f.read()
    t.check("no database error logged", "invalid byte sequence" not in log,
            log[-2000:])


def garbage_jwt(s):
    s.createuser("gina", PASSWORD)
    for what, v in GARBAGE + [("dots", "a.b.c"), ("empty parts", "..")]:
        for name in ("access", "refresh"):
            c = {"Cookie": "%s=%s" % (name, v)}
            r = s.get(USERV, headers=c)
            same("GET user/ %s cookie %s: 401" % (name, what), r, 401)
            r = s.post(REFRESH, headers=c)
            same("token/refresh/ %s cookie %s: 401" % (name, what), r, 401)
            r = s.post(LOGOUT, headers=c)
            t.check("logout/ %s cookie %s: no 5xx" % (name, what),
                    r.status < 500, r)


# --- ALLOWED_HOSTS ---

def cgi(s, host, path="user", extra=None):
    """user.fcgi as plain CGI with HTTP_HOST host (None: none)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "/auth/%s/" % path,
        "REMOTE_ADDR": "127.0.0.1",
        "RESTAUTH_CONFIG": s.config_path,
        "SECRET_KEY": s.secret,
        "DATABASE_URL": s.dburl,
    }
    if host is not None:
        env["HTTP_HOST"] = host
    env.update(extra or {})
    r = subprocess.run([os.path.join(h.BUILD, "cgi-bin", path + ".fcgi")],
                       input=b"", env=env, capture_output=True, timeout=30)
    out = r.stdout
    sep = b"\r\n\r\n" if b"\r\n\r\n" in out else b"\n\n"
    head, _, body = out.partition(sep)
    status = head.split(b"\n", 1)[0].decode("latin-1")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    return status, data, head.decode("latin-1")


def cgi_status(status):
    # "Status: 401 Unauthorized"
    parts = status.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def default_hosts(s):
    for host in ("127.0.0.1:%d" % s.port, "localhost:%d" % s.port,
                 "LOCALHOST", "localhost.", "app.localhost:8000",
                 "[::1]:%d" % s.port):
        r = s.get(USERV, headers={"Host": host})
        same("default ALLOWED_HOSTS, Host %s: served (401)" % host, r, 401)
    for host in ("evil.example", "evil.example:%d" % s.port,
                 "127.0.0.2", "localhost.evil.example", "[::2]"):
        r = s.get(USERV, headers={"Host": host})
        same("default ALLOWED_HOSTS, Host %s: 400" % host, r, 400, BAD_HOST)
    r = s.post("/auth/login/", json={"username": "x", "password": "y"},
               headers={"Host": "evil.example"})
    same("login with Host evil: 400 before anything", r, 400, BAD_HOST)
    # Hosts a web server may not pass on: straight to the program.
    for host in ("a b", "[::1", "x:y:z", "", "evil.example:", ":80",
                 "a_b.localhost", "localhost:8o", "[::1]x", "[g::1]",
                 "l" * 300, "."):
        st, data, _ = cgi(s, host)
        t.eq("CGI HTTP_HOST %r: 400 JSON" % host, (cgi_status(st), data),
             (400, BAD_HOST))
    for host in ("127.0.0.1", "[::1]", "[::1]:80", "localhost:8000"):
        st, data, _ = cgi(s, host)
        t.eq("CGI HTTP_HOST %r: served (401)" % host, cgi_status(st), 401)
    st, data, _ = cgi(s, None)
    t.eq("CGI without HTTP_HOST: SERVER_NAME 127.0.0.1 allowed",
         cgi_status(st), 401)
    st, data, _ = cgi(s, None, extra={"SERVER_NAME": "evil.example"})
    t.eq("CGI without HTTP_HOST, SERVER_NAME evil: 400",
         (cgi_status(st), data), (400, BAD_HOST))


def domain_pattern(s):
    for host in ("example.com", "api.example.com:8443", "A.B.EXAMPLE.COM",
                 "example.com."):
        st, _, _ = cgi(s, host)
        t.eq("ALLOWED_HOSTS .example.com, Host %s: served" % host,
             cgi_status(st), 401)
    for host in ("evilexample.com", "example.com.evil", "127.0.0.1",
                 "localhost"):
        st, data, _ = cgi(s, host)
        t.eq("ALLOWED_HOSTS .example.com, Host %s: 400" % host,
             (cgi_status(st), data), (400, BAD_HOST))


def any_host(s):
    for host in ("evil.example", "anything:1234", "[::2]"):
        r = s.get(USERV, headers={"Host": host})
        same("ALLOWED_HOSTS *, Host %s: served" % host, r, 401)
    for host in ("a b", "x:y:z", "[::1"):
        st, data, _ = cgi(s, host)
        t.eq("ALLOWED_HOSTS *, malformed %r: still 400" % host,
             (cgi_status(st), data), (400, BAD_HOST))


def redirect_host(s):
    r = s.get(USERV + "?x=1", headers={"Host": "evil.example"})
    same("SECURE_SSL_REDIRECT, Host evil: 400, not a redirect", r, 400,
         BAD_HOST)
    t.eq("no Location to evil", r.header("Location"), None)
    r = s.get(USERV + "?x=1", headers={"Host": "api.example:8443"})
    t.eq("SECURE_SSL_REDIRECT, allowed host with a port: 301",
         (r.status, r.header("Location")),
         (301, "https://api.example:8443/auth/user/?x=1"))


def config_refused(s):
    for bad in (["a b"], [""], ["http://x.example"], "x.example", [5]):
        path = os.path.join(s.tmp, "bad.json")
        with open(path, "w") as f:
            json.dump(dict(FAST, ALLOWED_HOSTS=bad), f)
        r = subprocess.run(
            [os.path.join(h.BUILD, "cgi-bin", "user.fcgi")], input=b"",
            env=dict(os.environ, RESTAUTH_CONFIG=path, SECRET_KEY=s.secret,
                     DATABASE_URL=s.dburl, REQUEST_METHOD="GET"),
            capture_output=True, timeout=30)
        t.check("ALLOWED_HOSTS %r: the program refuses the config" % (bad,),
                r.returncode == 1 and b"ALLOWED_HOSTS" in r.stderr,
                (r.returncode, r.stderr))


def main():
    with h.Stack(guide()) as s:
        t.run(cross_origin_refused, s)
        t.run(allowed_origins, s)
        t.run(refresh_cookie, s)
        t.run(garbage_jwt, s)
        t.run(default_hosts, s)
    cfg = guide()
    cfg["REST_AUTH"]["JWT_AUTH_COOKIE_USE_CSRF"] = True
    with h.Stack(cfg) as s:
        t.run(use_csrf_one_check, s)
    with h.Stack(dict(FAST, REST_AUTH={"SESSION_LOGIN": True})) as s:
        t.run(session_cookie, s)
        t.run(garbage_session, s)
    with h.Stack(dict(FAST, ALLOWED_HOSTS=[".example.com"])) as s:
        t.run(domain_pattern, s)
        t.run(config_refused, s)
    with h.Stack(dict(FAST, ALLOWED_HOSTS=["*"])) as s:
        t.run(any_host, s)
    with h.Stack(dict(FAST, ALLOWED_HOSTS=["api.example", "127.0.0.1"],
                      SECURE_SSL_REDIRECT=True)) as s:
        t.run(redirect_host, s)


main()
t.done()
