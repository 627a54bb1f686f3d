"""SESSION_LOGIN: dj-rest-auth's django_login at login/, Django's db
sessions (django_session, the sessionid cookie), DRF's
SessionAuthentication with Django's CSRF rules, logout/ and
password/change/ (update_session_auth_hash). A Django-side check decodes
what we store with Debian's Django (/usr/bin/python3)."""
import email.utils
import json
import re
import subprocess
import time

import harness as h

t = h.Tests(__file__)

FAST = h.FAST
HTTP_DATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d "
                       r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                       r"\d{4} \d\d:\d\d:\d\d GMT")
EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
NO_CSRF = {"detail": "CSRF Failed: CSRF cookie not set."}
SALT = "django.contrib.sessions.SessionStore"

# Django decodes session_data as its db SessionStore would, and computes
# get_session_auth_hash for the stored password.
DJANGO = r"""
import json, sys
from django.conf import settings
settings.configure(SECRET_KEY=sys.argv[1], INSTALLED_APPS=[
    "django.contrib.contenttypes", "django.contrib.auth",
    "django.contrib.sessions"])
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.utils.crypto import salted_hmac
inp = json.load(sys.stdin)
out = {"key_salt": SessionStore().key_salt,
       "session": SessionStore().decode(inp["data"]),
       "hash": salted_hmac("django.contrib.auth.models.AbstractBaseUser."
                           "get_session_auth_hash", inp["password"],
                           algorithm="sha256").hexdigest()}
if "make" in inp:
    from django.core import signing
    out["made"] = signing.dumps(inp["make"], salt=SessionStore().key_salt,
                                compress=inp["compress"])
print(json.dumps(out))
"""


def django(s, data, password, make=None, compress=False):
    inp = {"data": data, "password": password}
    if make is not None:
        inp.update(make=make, compress=compress)
    r = subprocess.run(["/usr/bin/python3", "-c", DJANGO, s.secret],
                       input=json.dumps(inp), capture_output=True,
                       text=True, check=True)
    return json.loads(r.stdout)


def cookies(r):
    return [(line.split("=", 1)[0], line) for line in r.cookies()]


def cookie_value(r, name):
    for n, line in cookies(r):
        if n == name:
            return line.split("=", 1)[1].split(";", 1)[0]
    return None


def check_cookie(what, line, name, value, max_age, path="/", domain=None,
                 httponly=True, samesite="Lax", secure=False):
    if not t.check(what + ": present", line is not None, "no Set-Cookie"):
        return
    m = re.search(r"; expires=([^;]*);", line)
    date = m.group(1) if m else ""
    if t.check(what + ": expires is an HTTP date",
               HTTP_DATE.fullmatch(date) is not None, line):
        at = email.utils.parsedate_to_datetime(date).timestamp()
        t.check(what + ": expires ~ now + %d" % max_age,
                abs(at - (time.time() + max_age)) <= 5, date)
    want = "%s=%s; " % (name, value)
    if domain is not None:
        want += "Domain=%s; " % domain
    want += "expires=%s; " % date
    if httponly:
        want += "HttpOnly; "
    want += "Max-Age=%d; Path=%s" % (max_age, path)
    if samesite:
        want += "; SameSite=%s" % samesite
    if secure:
        want += "; Secure"
    t.eq(what + ": exact Set-Cookie", line, want)


def deleted_cookie(name, path="/", domain=None, samesite="Lax"):
    s = '%s=""; ' % name
    if domain is not None:
        s += "Domain=%s; " % domain
    s += "expires=%s; Max-Age=0; Path=%s" % (EPOCH, path)
    if samesite:
        s += "; SameSite=%s" % samesite
    return s


def same(what, r, status, body):
    ok = r.status == status and r.json is not None and \
        json.dumps(r.json) == json.dumps(body)
    return t.check(what, ok, "got %d %r, want %d %r" % (
        r.status, r.json if r.json is not None else r.body, status, body))


def hdr(s, sid=None, csrf=None, origin=True, name="sessionid"):
    ck = []
    if sid is not None:
        ck.append("%s=%s" % (name, sid))
    h_ = {}
    if csrf is not None:
        ck.append("csrftoken=" + csrf)
        h_["X-CSRFToken"] = csrf
        if origin:
            h_["Origin"] = "http://127.0.0.1:%d" % s.port
    if ck:
        h_["Cookie"] = "; ".join(ck)
    return h_


def login(s, user, pw):
    r = s.post("/auth/login/", json={"username": user, "password": pw})
    return r, cookie_value(r, "sessionid"), cookie_value(r, "csrftoken")


def row(s, sid):
    rows = s.sql("SELECT session_data, extract(epoch FROM expire_date - "
                 "now())::bigint FROM django_session WHERE session_key = "
                 ":'p1'", sid)
    return rows[0] if rows else None


def password(s, uid):
    return s.sql("SELECT password FROM auth_user WHERE id = :'p1'",
                 str(uid))[0][0]


def login_sets_session(s):
    uid = s.createuser("ann", "ann pw 123", "ann@example.com")
    r, sid, csrf = login(s, "ann", "ann pw 123")
    t.eq("login: 200", r.status, 200)
    t.eq("login: cookie names", [n for n, _ in cookies(r)],
         ["csrftoken", "sessionid"])
    t.check("login: session key is 32 of [a-z0-9]", sid is not None and
            re.fullmatch(r"[a-z0-9]{32}", sid) is not None, sid)
    check_cookie("login sessionid", dict(cookies(r)).get("sessionid"),
                 "sessionid", sid, 1209600)
    rw = row(s, sid)
    if not t.check("login: django_session row", rw is not None):
        return
    t.check("login: expire_date ~ now + SESSION_COOKIE_AGE",
            abs(int(rw[1]) - 1209600) <= 5, rw[1])
    d = django(s, rw[0], password(s, uid))
    t.eq("Django: key_salt", d["key_salt"], SALT)
    t.eq("Django decodes session_data", d["session"], {
        "_auth_user_id": str(uid),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": d["hash"]})

    me = s.get("/auth/user/", headers=hdr(s, sid)).json
    same("GET user/ with the session cookie alone",
         s.get("/auth/user/", headers=hdr(s, sid)), 200, me)
    t.eq("GET user/ session: the user", (me or {}).get("pk"), uid)
    # Unsafe requests need Django's CSRF.
    same("PATCH user/ with the session, no CSRF",
         s.request("PATCH", "/auth/user/", json={"first_name": "A"},
                   headers=hdr(s, sid)), 403, NO_CSRF)
    same("PATCH user/ with the session, CSRF header only",
         s.request("PATCH", "/auth/user/", json={"first_name": "A"},
                   headers=dict(hdr(s, sid), **{"X-CSRFToken": csrf})),
         403, NO_CSRF)
    r = s.request("PATCH", "/auth/user/", json={"first_name": "A"},
                  headers=hdr(s, sid, csrf))
    t.eq("PATCH user/ with session + csrftoken + X-CSRFToken + Origin",
         r.status, 200)
    t.eq("PATCH user/: saved", (r.json or {}).get("first_name"), "A")
    r = s.request("PATCH", "/auth/user/", json={"first_name": "B"},
                  headers=dict(hdr(s, sid, csrf, origin=False),
                               Origin="https://evil.example"))
    same("PATCH user/ session, foreign Origin", r, 403, {
        "detail": "CSRF Failed: Origin checking failed - "
                  "https://evil.example does not match any trusted "
                  "origins."})
    # A token is not subject to CSRF, and wins over the cookie.
    key = r_key = None
    r2 = s.post("/auth/login/", json={"username": "ann",
                                      "password": "ann pw 123"})
    r_key = (r2.json or {}).get("key")
    key = r_key
    r = s.request("PATCH", "/auth/user/", json={"first_name": "T"},
                  headers=dict(hdr(s, sid), Authorization="Token " + key))
    t.eq("PATCH user/ Token + session cookie, no CSRF", r.status, 200)

    # Bad cookies are anonymous.
    for what, v in (("unknown key", "a" * 32), ("short key", "abc"),
                    ("long key", "a" * 41), ("tampered key", sid[:-1] +
                                             ("a" if sid[-1] != "a" else
                                              "b"))):
        same("GET user/ %s: anonymous" % what,
             s.get("/auth/user/", headers=hdr(s, v)), 401, NOT_PROVIDED)
        same("PATCH user/ %s, no CSRF: 401 not 403" % what,
             s.request("PATCH", "/auth/user/", json={},
                       headers=hdr(s, v)), 401, NOT_PROVIDED)


def tampered_and_expired(s):
    uid = s.createuser("bob", "bob pw 123")
    other = s.createuser("eve", "eve pw 123")
    r, sid, csrf = login(s, "bob", "bob pw 123")
    data = row(s, sid)[0]
    # Another user's id in the payload, old signature.
    d = django(s, data, password(s, other), make={
        "_auth_user_id": str(other),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": "0"}, compress=False)
    forged = d["made"].split(":")[0] + ":" + ":".join(data.split(":")[1:])
    s.sql("UPDATE django_session SET session_data = :'p1' WHERE "
          "session_key = :'p2'", forged, sid)
    same("tampered session_data: anonymous",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)
    # What Django itself signs (uncompressed) is accepted.
    d = django(s, data, password(s, other), make={
        "_auth_user_id": str(other),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": django(s, data, password(s, other))["hash"]})
    s.sql("UPDATE django_session SET session_data = :'p1' WHERE "
          "session_key = :'p2'", d["made"], sid)
    r = s.get("/auth/user/", headers=hdr(s, sid))
    t.eq("session signed by Django: 200", r.status, 200)
    t.eq("session signed by Django: its user", (r.json or {}).get("pk"),
         other)
    # allauth's backend, id as a number.
    d = django(s, data, password(s, uid), make={
        "_auth_user_id": uid,
        "_auth_user_backend":
            "allauth.account.auth_backends.AuthenticationBackend",
        "_auth_user_hash": django(s, data, password(s, uid))["hash"]})
    s.sql("UPDATE django_session SET session_data = :'p1' WHERE "
          "session_key = :'p2'", d["made"], sid)
    r = s.get("/auth/user/", headers=hdr(s, sid))
    t.eq("allauth backend session: its user", (r.json or {}).get("pk"), uid)
    # Expired: anonymous.
    s.sql("UPDATE django_session SET expire_date = now() - interval "
          "'1 second' WHERE session_key = :'p1'", sid)
    same("expired session: anonymous",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)
    # Inactive user: anonymous.
    r, sid2, _ = login(s, "eve", "eve pw 123")
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'",
          str(other))
    same("inactive user's session: anonymous",
         s.get("/auth/user/", headers=hdr(s, sid2)), 401, NOT_PROVIDED)


def logout(s):
    s.createuser("cat", "cat pw 123")
    r, sid, csrf = login(s, "cat", "cat pw 123")
    same("logout/ with the session, no CSRF",
         s.post("/auth/logout/", headers=hdr(s, sid)), 403, NO_CSRF)
    t.check("logout/ refused: row kept", row(s, sid) is not None)
    r = s.post("/auth/logout/", headers=hdr(s, sid, csrf))
    same("logout/ with session + CSRF", r, 200,
         {"detail": "Successfully logged out."})
    t.eq("logout/: session cookie cleared",
         dict(cookies(r)).get("sessionid"), deleted_cookie("sessionid"))
    t.eq("logout/: row gone", row(s, sid), None)
    same("old session cookie after logout: anonymous",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)
    # Anonymous logout without a session cookie sets no cookie.
    r = s.post("/auth/logout/")
    t.eq("anonymous logout/: 200", r.status, 200)
    t.eq("anonymous logout/: no cookies", cookies(r), [])


def password_change_keeps(s):
    uid = s.createuser("dan", "dan pw 123")
    r, sid, csrf = login(s, "dan", "dan pw 123")
    r, other, _ = login(s, "dan", "dan pw 123")
    body = {"new_password1": "dan new pw 456",
            "new_password2": "dan new pw 456"}
    same("password/change/ session, no CSRF",
         s.post("/auth/password/change/", json=body, headers=hdr(s, sid)),
         403, NO_CSRF)
    r = s.post("/auth/password/change/", json=body, headers=hdr(s, sid, csrf))
    same("password/change/ with session + CSRF", r, 200,
         {"detail": "New password has been saved."})
    new = cookie_value(r, "sessionid")
    t.check("password/change/: cycle_key, a new session cookie",
            new is not None and new != sid and
            re.fullmatch(r"[a-z0-9]{32}", new) is not None, new)
    check_cookie("password/change/ sessionid",
                 dict(cookies(r)).get("sessionid"), "sessionid", new,
                 1209600)
    t.eq("password/change/: old row gone", row(s, sid), None)
    rw = row(s, new)
    if t.check("password/change/: new row", rw is not None):
        d = django(s, rw[0], password(s, uid))
        t.eq("Django: new session has the new password's hash",
             d["session"].get("_auth_user_hash"), d["hash"])
    r = s.get("/auth/user/", headers=hdr(s, new))
    t.eq("new session cookie works", (r.json or {}).get("pk"), uid)
    same("old session key: anonymous",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)
    same("another session of the user ends (hash mismatch)",
         s.get("/auth/user/", headers=hdr(s, other)), 401, NOT_PROVIDED)
    t.eq("hash mismatch flushes the row", row(s, other), None)


def password_change_logs_out(s):
    s.createuser("fay", "fay pw 123")
    r, sid, csrf = login(s, "fay", "fay pw 123")
    body = {"new_password1": "fay new pw 456",
            "new_password2": "fay new pw 456"}
    r = s.post("/auth/password/change/", json=body, headers=hdr(s, sid, csrf))
    t.eq("LOGOUT_ON_PASSWORD_CHANGE: 200", r.status, 200)
    t.eq("LOGOUT_ON_PASSWORD_CHANGE: row gone", row(s, sid), None)
    t.eq("LOGOUT_ON_PASSWORD_CHANGE: cookie cleared",
         dict(cookies(r)).get("sessionid"), deleted_cookie("sessionid"))
    same("LOGOUT_ON_PASSWORD_CHANGE: session anonymous",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)


def custom_cookie(s):
    uid = s.createuser("gus", "gus pw 123")
    r = s.post("/auth/login/", json={"username": "gus",
                                     "password": "gus pw 123"})
    sid = cookie_value(r, "sid")
    check_cookie("SESSION_COOKIE_* attributes", dict(cookies(r)).get("sid"),
                 "sid", sid, 600, path="/auth/", domain="example.com",
                 httponly=False, samesite="Strict", secure=True)
    rw = row(s, sid or "")
    t.check("SESSION_COOKIE_AGE: expire_date ~ now + 600",
            rw is not None and abs(int(rw[1]) - 600) <= 5, rw)
    r = s.get("/auth/user/", headers=hdr(s, sid, name="sid"))
    t.eq("custom cookie name authenticates", (r.json or {}).get("pk"), uid)
    same("sessionid is not the cookie now",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)


def jwt_mode(s):
    uid = s.createuser("hal", "hal pw 123")
    r, sid, csrf = login(s, "hal", "hal pw 123")
    t.eq("JWT mode login: 200", r.status, 200)
    t.check("JWT mode login: a session too", sid is not None and
            row(s, sid) is not None, cookies(r))
    r = s.get("/auth/user/", headers=hdr(s, sid))
    t.eq("JWT mode: the session authenticates", (r.json or {}).get("pk"),
         uid)
    # django_logout runs before the JWT part, whatever that answers
    # (here 401: no refresh token in the body).
    r = s.post("/auth/logout/", headers=hdr(s, sid, csrf))
    t.eq("JWT mode logout/: session cookie cleared",
         dict(cookies(r)).get("sessionid"), deleted_cookie("sessionid"))
    t.eq("JWT mode logout/: row gone", row(s, sid), None)


def no_session_login(s):
    uid = s.createuser("ida", "ida pw 123")
    r, sid, _ = login(s, "ida", "ida pw 123")
    t.eq("SESSION_LOGIN false: no sessionid cookie", sid, None)
    t.eq("SESSION_LOGIN false: no rows",
         s.sql("SELECT count(*) FROM django_session"), [["0"]])
    # A session made elsewhere (by Django) is not honoured either.
    pw = password(s, uid)
    d = django(s, "x:y:z", pw, make={
        "_auth_user_id": str(uid),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": django(s, "x:y:z", pw)["hash"]})
    s.sql("INSERT INTO django_session VALUES ('k' || repeat('1', 31), "
          ":'p1', now() + interval '1 hour')", d["made"])
    same("SESSION_LOGIN false: session cookie ignored",
         s.get("/auth/user/", headers=hdr(s, "k" + "1" * 31)), 401,
         NOT_PROVIDED)


def password_change_half(s):
    """The new hash, the revoked token and the session's new key commit
    together: when the new session row fails, the password stays."""
    uid = s.createuser("hal", "hal pw 123")
    r, sid, csrf = login(s, "hal", "hal pw 123")
    key = r.json["key"]
    before = password(s, uid)
    body = {"new_password1": "hal new pw 456",
            "new_password2": "hal new pw 456"}
    s.sql("CREATE FUNCTION pwc_refuse() RETURNS trigger LANGUAGE plpgsql "
          "AS $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$; "
          "CREATE TRIGGER pwc_refuse BEFORE INSERT ON django_session "
          "FOR EACH ROW EXECUTE FUNCTION pwc_refuse()")
    r = s.post("/auth/password/change/", json=body, headers=hdr(s, sid, csrf))
    t.eq("half: a failed new session row is 503", r.status, 503)
    t.eq("half: the password stays", password(s, uid), before)
    t.check("half: the session row stays", row(s, sid) is not None)
    t.eq("half: the token stays",
         s.sql("SELECT key FROM authtoken_token WHERE user_id = :'p1'",
               str(uid)), [[key]])
    s.sql("DROP TRIGGER pwc_refuse ON django_session")
    r = s.post("/auth/password/change/", json=body, headers=hdr(s, sid, csrf))
    same("half: then the change works", r, 200,
         {"detail": "New password has been saved."})
    t.check("half: then the password is new", password(s, uid) != before)


RUNS = [
    (FAST, [login_sets_session, tampered_and_expired, logout,
            password_change_keeps, password_change_half]),
    (dict(FAST, REST_AUTH={"LOGOUT_ON_PASSWORD_CHANGE": True}),
     [password_change_logs_out]),
    (dict(FAST, SESSION_COOKIE_NAME="sid", SESSION_COOKIE_AGE=600,
          SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=False,
          SESSION_COOKIE_SAMESITE="Strict",
          SESSION_COOKIE_DOMAIN="example.com", SESSION_COOKIE_PATH="/auth/"),
     [custom_cookie]),
    (dict(FAST, REST_AUTH={"USE_JWT": True}), [jwt_mode]),
    (dict(FAST, REST_AUTH={"SESSION_LOGIN": False}), [no_session_login]),
]

for cfg, fns in RUNS:
    try:
        with h.Stack(cfg) as s:
            for fn in fns:
                t.run(fn, s)
    except Exception as e:
        t.check("stack for %s starts" % [f.__name__ for f in fns], False,
                repr(e)[:1000])
t.done()
