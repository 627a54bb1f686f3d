"""logout/ in token mode: dj-rest-auth 7.1.1's LogoutView (AllowAny;
deletes request.user.auth_token; GET only with ACCOUNT_LOGOUT_ON_GET),
behind DRF's TokenAuthentication."""
import json

import harness as h

t = h.Tests(__file__)

FAST = h.FAST
ALLOW = "GET, POST, HEAD, OPTIONS"
OUT = {"detail": "Successfully logged out."}
INVALID = {"detail": "Invalid token."}
NOT_IN = {"detail": "You should be logged in to logout. Check whether the "
                    "token is passed."}


def common(what, r):
    """Django's security headers and DRF's compact JSON on every answer."""
    t.eq(what + ": X-Frame-Options", r.header("X-Frame-Options"), "DENY")
    t.eq(what + ": X-Content-Type-Options",
         r.header("X-Content-Type-Options"), "nosniff")
    if r.body:
        t.check(what + ": body is JSON", r.json is not None, r.body[:200])
        if r.json is not None:
            t.eq(what + ": compact JSON", r.body.decode(),
                 json.dumps(r.json, separators=(",", ":"),
                            ensure_ascii=False))
        t.check(what + ": content type",
                (r.header("Content-Type") or "").startswith(
                    "application/json"), r.header("Content-Type"))
    return r


def logout(s, what, method="POST", **kw):
    return common(what, s.request(method, "/auth/logout/", **kw))


def expect(s, what, status, want, method="POST", **kw):
    r = logout(s, what, method, **kw)
    t.eq(what, (r.status, r.json), (status, want))
    return r


def tokens(s, uid):
    return s.sql("SELECT key FROM authtoken_token WHERE user_id = :'p1'",
                 uid)


def user_get(s, key):
    return common("user/", s.get("/auth/user/", token=key))


# --- defaults: SESSION_LOGIN true, LOGOUT_ON_GET false ---

def with_token(s):
    a = s.createuser("alice", "alice pw")
    b = s.createuser("bob", "bob pw")
    ka = s.login("alice", "alice pw")
    kb = s.login("bob", "bob pw")
    t.eq("alice has a token", tokens(s, a), [[ka]])
    r = expect(s, "logout with token", 200, OUT, token=ka)
    t.eq("logout: exact body", r.body,
         b'{"detail":"Successfully logged out."}')
    t.eq("alice's token row gone", tokens(s, a), [])
    t.eq("bob's token untouched", tokens(s, b), [[kb]])
    r = user_get(s, ka)
    t.eq("old token refused on user/", (r.status, r.json), (401, INVALID))
    t.eq("old token: WWW-Authenticate", r.header("WWW-Authenticate"),
         "Token")
    r = user_get(s, kb)
    t.eq("bob's token still works", r.status, 200)
    # The old token on logout/ itself is now a bad credential.
    r = expect(s, "logout again with the old token", 401, INVALID, token=ka)
    t.eq("logout again: WWW-Authenticate", r.header("WWW-Authenticate"),
         "Token")
    ka2 = s.login("alice", "alice pw")
    t.check("new key after logout", ka2 != ka and len(ka2) == 40,
            (ka, ka2))
    t.eq("one new row", tokens(s, a), [[ka2]])
    t.eq("new key works", user_get(s, ka2).status, 200)
    # A body (even a malformed one, or an unknown media type) is never
    # parsed by LogoutView in token mode.
    expect(s, "malformed JSON body ignored", 200, OUT, token=ka2,
           body="{not json", headers={"Content-Type": "application/json"})
    t.eq("malformed body: token gone", tokens(s, a), [])
    ka3 = s.login("alice", "alice pw")
    expect(s, "text/plain body ignored", 200, OUT, token=ka3,
           body="hello", headers={"Content-Type": "text/plain"})
    t.eq("text/plain body: token gone", tokens(s, a), [])
    ka4 = s.login("alice", "alice pw")
    expect(s, "form body ignored", 200, OUT, token=ka4,
           form={"refresh": "x"})
    t.eq("form body: token gone", tokens(s, a), [])
    ka5 = s.login("alice", "alice pw")
    expect(s, "keyword is case-insensitive", 200, OUT,
           headers={"Authorization": "token " + ka5})
    t.eq("lower-case keyword: token gone", tokens(s, a), [])
    t.eq("bob still untouched at the end", tokens(s, b), [[kb]])


def without_token(s):
    s.createuser("carol", "carol pw")
    kc = s.login("carol", "carol pw")
    before = s.sql("SELECT count(*) FROM authtoken_token")
    r = expect(s, "logout without credentials", 200, OUT)
    t.check("no WWW-Authenticate on 200",
            r.header("WWW-Authenticate") is None, r.headers)
    expect(s, "logout without credentials, JSON body", 200, OUT,
           json={})
    expect(s, "Bearer ignored (no JWT)", 200, OUT,
           headers={"Authorization": "Bearer xyz"})
    t.eq("no token deleted by anonymous logouts",
         s.sql("SELECT count(*) FROM authtoken_token"), before)
    t.eq("carol's token still works", user_get(s, kc).status, 200)


def invalid_token(s):
    s.createuser("dave", "dave pw")
    kd = s.login("dave", "dave pw")
    for hdr, detail in (
            ("Token nonexistent", "Invalid token."),
            ("Token " + "f" * 40, "Invalid token."),
            ("Token " + kd + "x", "Invalid token."),
            ("Token", "Invalid token header. No credentials provided."),
            ("Token %s extra" % kd, "Invalid token header. Token string "
                                    "should not contain spaces.")):
        r = expect(s, "logout %r" % hdr[:60], 401, {"detail": detail},
                   headers={"Authorization": hdr})
        t.eq("logout %r: WWW-Authenticate" % hdr[:60],
             r.header("WWW-Authenticate"), "Token")
    uid = int(s.sql("SELECT id FROM auth_user WHERE username = 'dave'")
              [0][0])
    t.eq("dave's token survived bad logouts", tokens(s, uid), [[kd]])
    # An inactive user's token is refused by TokenAuthentication.
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", uid)
    r = expect(s, "inactive user's token", 401,
               {"detail": "User inactive or deleted."}, token=kd)
    t.eq("inactive: WWW-Authenticate", r.header("WWW-Authenticate"),
         "Token")
    t.eq("inactive: token not deleted", tokens(s, uid), [[kd]])


def methods(s):
    uid = s.createuser("erin", "erin pw")
    ke = s.login("erin", "erin pw")
    r = expect(s, "GET without LOGOUT_ON_GET", 405,
               {"detail": "Method \"GET\" not allowed."}, method="GET")
    t.eq("GET Allow", r.header("Allow"), ALLOW)
    r = expect(s, "GET with token, without LOGOUT_ON_GET", 405,
               {"detail": "Method \"GET\" not allowed."}, method="GET",
               token=ke)
    t.eq("GET with token: Allow", r.header("Allow"), ALLOW)
    t.eq("GET did not log out", tokens(s, uid), [[ke]])
    r = s.request("HEAD", "/auth/logout/", token=ke)
    t.eq("HEAD (= GET) 405", r.status, 405)
    t.eq("HEAD Allow", r.header("Allow"), ALLOW)
    t.eq("HEAD did not log out", tokens(s, uid), [[ke]])
    ke = s.login("erin", "erin pw")  # (a fresh key, if HEAD did log out)
    for m in ("PUT", "PATCH", "DELETE"):
        r = expect(s, m, 405, {"detail": "Method \"%s\" not allowed." % m},
                   method=m, token=ke)
        t.eq(m + " Allow", r.header("Allow"), ALLOW)
    t.eq("PUT/PATCH/DELETE did not log out",
         tokens(s, uid), [[ke]])
    r = logout(s, "OPTIONS", "OPTIONS")
    t.eq("OPTIONS status", r.status, 200)
    t.eq("OPTIONS name", (r.json or {}).get("name"), "Logout")
    # A bad token is judged before the method.
    expect(s, "GET with a bad token", 401, INVALID, method="GET",
           headers={"Authorization": "Token nonexistent"})


# --- SESSION_LOGIN false ---

def no_session(s):
    a = s.createuser("alice", "alice pw")
    r = expect(s, "no credentials, SESSION_LOGIN false", 400, NOT_IN)
    t.eq("400: exact body", r.body,
         b'{"detail":"You should be logged in to logout. Check whether the '
         b'token is passed."}')
    expect(s, "Bearer ignored, SESSION_LOGIN false", 400, NOT_IN,
           headers={"Authorization": "Bearer xyz"})
    expect(s, "bad token, SESSION_LOGIN false", 401, INVALID,
           token="nonexistent")
    ka = s.login("alice", "alice pw")
    expect(s, "valid token, SESSION_LOGIN false", 200, OUT, token=ka)
    t.eq("token gone, SESSION_LOGIN false", tokens(s, a), [])
    expect(s, "old token, SESSION_LOGIN false", 401, INVALID, token=ka)


# --- LOGOUT_ON_GET true ---

def on_get(s):
    a = s.createuser("alice", "alice pw")
    b = s.createuser("bob", "bob pw")
    ka = s.login("alice", "alice pw")
    kb = s.login("bob", "bob pw")
    expect(s, "GET logout with token", 200, OUT, method="GET", token=ka)
    t.eq("GET: alice's token gone", tokens(s, a), [])
    t.eq("GET: bob's token kept", tokens(s, b), [[kb]])
    r = user_get(s, ka)
    t.eq("GET: old token refused", (r.status, r.json), (401, INVALID))
    expect(s, "GET logout without token", 200, OUT, method="GET")
    expect(s, "GET logout with a bad token", 401, INVALID, method="GET",
           token=ka)
    ka2 = s.login("alice", "alice pw")
    t.check("GET: new key after", ka2 != ka, ka2)
    expect(s, "POST still logs out", 200, OUT, token=ka2)
    t.eq("POST: token gone", tokens(s, a), [])
    # Django's View answers HEAD with get().
    ka3 = s.login("alice", "alice pw")
    r = s.request("HEAD", "/auth/logout/", token=ka3)
    t.eq("HEAD (= GET) logs out: status", r.status, 200)
    t.eq("HEAD (= GET) logs out: token gone", tokens(s, a), [])
    r = expect(s, "PUT still 405", 405,
               {"detail": "Method \"PUT\" not allowed."}, method="PUT")
    t.eq("PUT Allow", r.header("Allow"), ALLOW)
    t.eq("bob's token kept at the end", tokens(s, b), [[kb]])


def half_done(s):
    """The token and the session go together: when the session's delete
    fails, the token stays too."""
    uid = s.createuser("halfway", "halfway pw")
    r = s.post("/auth/login/", json={"username": "halfway",
                                     "password": "halfway pw"})
    key = r.json["key"]
    sid = [c.split(";")[0].split("=", 1)[1] for c in r.cookies()
           if c.startswith("sessionid=")][0]
    rows = "SELECT count(*) FROM django_session WHERE session_key = :'p1'"
    s.sql("CREATE FUNCTION half_refuse() RETURNS trigger LANGUAGE plpgsql "
          "AS $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$; "
          "CREATE TRIGGER half_refuse BEFORE DELETE ON django_session "
          "FOR EACH ROW EXECUTE FUNCTION half_refuse()")
    r = logout(s, "half: the session delete fails", token=key,
               headers={"Cookie": "sessionid=" + sid})
    t.eq("half: a failed session delete is 503", r.status, 503)
    t.eq("half: the token stays", tokens(s, uid), [[key]])
    t.eq("half: the session stays", s.sql(rows, sid), [["1"]])
    s.sql("DROP TRIGGER half_refuse ON django_session")
    expect(s, "half: then the logout works", 200, OUT, token=key,
           headers={"Cookie": "sessionid=" + sid})
    t.eq("half: then the token is gone", tokens(s, uid), [])
    t.eq("half: then the session is gone", s.sql(rows, sid), [["0"]])


with h.Stack(FAST) as s:
    for fn in (with_token, without_token, invalid_token, methods,
               half_done):
        t.run(fn, s)
with h.Stack(dict(FAST, REST_AUTH={"SESSION_LOGIN": False})) as s:
    t.run(no_session, s)
with h.Stack(dict(FAST, ACCOUNT={"LOGOUT_ON_GET": True})) as s:
    t.run(on_get, s)
t.done()
