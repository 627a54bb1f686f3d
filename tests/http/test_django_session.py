"""A login session written by Django itself (Debian's Django 3.2 at
/usr/bin/python3: SessionStore.encode, which zlib-compresses, and
User.get_session_auth_hash), stored in django_session, authenticates on
restauth with the sessionid cookie; unsafe methods still need Django's
CSRF (a token Django made). Oversized inflation (a zip bomb signed with
the stack's own key) is refused as no session, never a 5xx."""
import json
import subprocess

import harness as h

t = h.Tests(__file__)

FAST = h.FAST
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
NO_CSRF = {"detail": "CSRF Failed: CSRF cookie not set."}
BACKEND = "django.contrib.auth.backends.ModelBackend"

# Django's own code: the session dict django.contrib.auth.login stores,
# encoded by the db SessionStore, plus extra keys; and a CSRF token.
DJANGO = r"""
import json, sys
from django.conf import settings
settings.configure(SECRET_KEY=sys.argv[1], INSTALLED_APPS=[
    "django.contrib.contenttypes", "django.contrib.auth",
    "django.contrib.sessions"])
import django
django.setup()
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.middleware.csrf import _get_new_csrf_token
from django.utils.crypto import get_random_string
inp = json.load(sys.stdin)
user = User(pk=inp["uid"], password=inp["password"])
d = {"_auth_user_id": str(user.pk),
     "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
     "_auth_user_hash": user.get_session_auth_hash()}
d.update(inp["extra"])
# _get_new_session_key without its database look-up.
print(json.dumps({"data": SessionStore().encode(d),
                  "key": get_random_string(32, VALID_KEY_CHARS),
                  "csrf": _get_new_csrf_token(), "session": d}))
"""


def django_session(s, uid, extra=None, password=None):
    """(session_key, session_data, csrf token, dict) made by Django and
    stored in django_session as its db backend does."""
    if password is None:
        password = s.sql("SELECT password FROM auth_user WHERE id = :'p1'",
                         str(uid))[0][0]
    r = subprocess.run(["/usr/bin/python3", "-c", DJANGO, s.secret],
                       input=json.dumps({"uid": uid, "password": password,
                                         "extra": extra or {}}),
                       capture_output=True, text=True, check=True, timeout=60)
    out = json.loads(r.stdout)
    s.sql("INSERT INTO django_session VALUES (:'p1', :'p2', now() + "
          "interval '1 hour')", out["key"], out["data"])
    return out["key"], out["data"], out["csrf"], out["session"]


def hdr(s, sid, csrf=None):
    h_ = {"Cookie": "sessionid=" + sid}
    if csrf is not None:
        h_["Cookie"] += "; csrftoken=" + csrf
        h_["X-CSRFToken"] = csrf
        h_["Origin"] = "http://127.0.0.1:%d" % s.port
    return h_


def same(what, r, status, body):
    ok = r.status == status and r.json is not None and \
        json.dumps(r.json) == json.dumps(body)
    return t.check(what, ok, "got %d %r, want %d %r" % (
        r.status, r.json if r.json is not None else r.body, status, body))


def row_count(s, sid):
    return s.sql("SELECT count(*) FROM django_session WHERE session_key = "
                 ":'p1'", sid)[0][0]


def login_session(s):
    uid = s.createuser("dan", "dan pw 123", "dan@example.com")
    sid, data, csrf, _ = django_session(s, uid)
    t.check("Django compressed the login session", data.startswith("."),
            data)
    r = s.get("/auth/user/", headers=hdr(s, sid))
    t.eq("Django's session: GET user/ 200", r.status, 200)
    t.eq("Django's session: its user", (r.json or {}).get("pk"), uid)
    t.eq("Django's session: username", (r.json or {}).get("username"),
         "dan")
    # Unsafe methods: Django's CSRF rules, with a token Django made.
    same("Django's session: PATCH user/ without CSRF",
         s.request("PATCH", "/auth/user/", json={"first_name": "Dan"},
                   headers=hdr(s, sid)), 403, NO_CSRF)
    r = s.request("PATCH", "/auth/user/", json={"first_name": "Dan"},
                  headers=hdr(s, sid, csrf))
    t.eq("Django's session + Django's CSRF token: PATCH 200", r.status, 200)
    t.eq("PATCH applied", (r.json or {}).get("first_name"), "Dan")
    r = s.post("/auth/logout/", headers=hdr(s, sid, csrf))
    t.eq("Django's session: logout/ 200", r.status, 200)
    t.eq("logout/: Django's row gone", row_count(s, sid), "0")
    same("after logout: anonymous",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)


def larger_session(s):
    uid = s.createuser("eli", "eli pw 123")
    cart = [{"sku": "item-%04d" % i, "qty": i % 7 + 1} for i in range(300)]
    sid, data, _, d = django_session(s, uid, {"cart": cart,
                                              "_language": "de"})
    t.check("larger session: compressed, within 4096 characters",
            data.startswith(".") and len(data) <= 4096, len(data))
    t.check("larger session: inflates past 8 KiB",
            len(json.dumps(d, separators=(",", ":"))) > 8192)
    r = s.get("/auth/user/", headers=hdr(s, sid))
    t.eq("larger Django session: 200", r.status, 200)
    t.eq("larger Django session: its user", (r.json or {}).get("pk"), uid)


def refused(s):
    uid = s.createuser("fay", "fay pw 123")
    # A zip bomb signed with the stack's key: 16 MiB of padding in about
    # 16 KiB of zlib would be refused by the row size alone, so 2 MiB
    # (about 3 KiB of session_data) reaches the inflater, which stops at
    # its cap.
    sid, data, _, _ = django_session(s, uid, {"pad": "0" * (2 << 20)})
    t.check("bomb: compressed, within 4096 characters",
            data.startswith(".") and len(data) <= 4096, len(data))
    same("zip bomb session: anonymous, no 5xx",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)
    # Signed well, but for another password: Django's flush.
    sid, data, _, _ = django_session(s, uid, password="argon2$old")
    t.check("stale hash session: compressed", data.startswith("."))
    same("stale password hash: anonymous",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)
    t.eq("stale password hash: row deleted", row_count(s, sid), "0")
    # The process still answers: a good Django session after both.
    sid, _, _, _ = django_session(s, uid)
    t.eq("after the refusals: Django's session still works",
         s.get("/auth/user/", headers=hdr(s, sid)).status, 200)


def no_session_login(s):
    uid = s.createuser("gus", "gus pw 123")
    sid, _, _, _ = django_session(s, uid)
    same("SESSION_LOGIN false: Django's session ignored",
         s.get("/auth/user/", headers=hdr(s, sid)), 401, NOT_PROVIDED)


RUNS = [
    (FAST, [login_session, larger_session, refused]),
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
