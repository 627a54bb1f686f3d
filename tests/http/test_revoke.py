"""Credentials die with the password or the account.

- token/refresh/ refuses a deactivated or deleted user with simplejwt
  5.4's 401 no_active_account, before anything is minted or written, in
  every mode (rotation with and without blacklisting, no rotation, no
  blacklist app); token/verify/ keeps checking the signature only, and
  user/ refuses such an access token.
- password/reset/confirm/ deletes the DRF token, blacklists every
  outstanding refresh token and ends every session, in the transaction
  that sets the password; password/change/ does the same except for the
  credential making the request (unless
  PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS); `restauth changepassword`
  revokes as a reset does.
- ids a client sends beyond auth_user.id's int4 (reset uid, JWT user_id,
  session _auth_user_id) are invalid (4xx), never a 503."""
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import uuid

import jwt as pyjwt

import harness as h

t = h.Tests(__file__)

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "capture_mail.sh")
FAST = h.FAST
JWT_AUTH = {"USE_JWT": True, "JWT_AUTH_HTTPONLY": False,
            "JWT_AUTH_REFRESH_COOKIE": "refresh"}
ROTATE = {"ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}
LINK_RE = re.compile(r"https://app\.example/reset/([^/\s]*)/([^/\s]*)/")

NO_ACTIVE = {"detail": "No active account found for the given token.",
             "code": "no_active_account"}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
BAD_TOKEN = {"detail": "Invalid token."}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
USER_NOT_FOUND = {"detail": "User not found", "code": "user_not_found"}
USER_INACTIVE = {"detail": "User is inactive", "code": "user_inactive"}
INVALID_UID = {"uid": ["Invalid value"]}
RESET_DONE = {"detail": "Password has been reset with the new password."}
CHANGED = {"detail": "New password has been saved."}
BIG = 2 ** 31  # one past auth_user.id's int4


def config(auth=None, simple=None, **top):
    c = dict(FAST)
    c["REST_AUTH"] = dict(JWT_AUTH, **(auth or {}))
    c["SIMPLE_JWT"] = dict(ROTATE, **(simple or {}))
    c.update(top)
    return c


def same(what, r, status, body):
    ok = r.status == status and r.json is not None and \
        json.dumps(r.json) == json.dumps(body)
    return t.check(what, ok, "got %d %r, want %d %r" % (
        r.status, r.json if r.json is not None else r.body, status, body))


def bearer(tok):
    return {"Authorization": "Bearer " + tok}


def cookie_value(r, name):
    for line in r.cookies():
        n, v = line.split("=", 1)
        if n == name:
            return v.split(";", 1)[0]
    return None


def login(s, name, pw):
    """access, refresh, sessionid of a fresh login."""
    r = s.post("/auth/login/", json={"username": name, "password": pw})
    if r.status != 200:
        raise RuntimeError("login failed: %r" % r)
    return r.json["access"], r.json["refresh"], \
        cookie_value(r, "sessionid")


def jti(tok):
    seg = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))[
        "jti"]


def mint(s, uid, typ="refresh", lifetime=3600):
    # iat a little in the past: the server's time() may read a coarse
    # clock a tick behind ours, and a token from the future is refused.
    now = int(time.time()) - 2
    return pyjwt.encode({"token_type": typ, "exp": now + lifetime,
                         "iat": now, "jti": uuid.uuid4().hex,
                         "user_id": uid}, s.secret, algorithm="HS256")


def counts(s):
    return s.sql("SELECT (SELECT count(*) FROM "
                 "token_blacklist_outstandingtoken), (SELECT count(*) FROM "
                 "token_blacklist_blacklistedtoken)")[0]


def blacklisted(s, j):
    return s.sql("SELECT count(*) FROM token_blacklist_blacklistedtoken b "
                 "JOIN token_blacklist_outstandingtoken o ON o.id = "
                 "b.token_id WHERE o.jti = :'p1'", j)[0][0] == "1"


def refresh(s, tok):
    return s.post("/auth/token/refresh/", json={"refresh": tok})


def user_get(s, headers):
    return s.get("/auth/user/", headers=headers)


def session_hdr(sid):
    return {"Cookie": "sessionid=" + sid}


def add_drf_token(s, uid):
    key = secrets.token_hex(20)
    s.sql("INSERT INTO authtoken_token (key, created, user_id) VALUES "
          "(:'p1', now(), :'p2')", key, uid)
    return key


def delete_user(s, uid):
    """What Django's user.delete() does to the tables we have:
    OutstandingToken.user is SET_NULL, the rest CASCADE."""
    s.sql("BEGIN; UPDATE token_blacklist_outstandingtoken SET user_id = "
          "NULL WHERE user_id = :'p1'; DELETE FROM authtoken_token WHERE "
          "user_id = :'p1'; DELETE FROM account_emailconfirmation WHERE "
          "email_address_id IN (SELECT id FROM account_emailaddress WHERE "
          "user_id = :'p1'); DELETE FROM account_emailaddress WHERE "
          "user_id = :'p1'; DELETE FROM auth_user WHERE id = :'p1'; "
          "COMMIT;", uid)


def log_text(s):
    """The programs' stderr so far: lighttpd's error log and the output
    of tools/run.sh."""
    out = ""
    for path in (s.error_log_path(), s.log.name):
        try:
            with open(path, errors="replace") as f:
                out += f.read()
        except OSError:
            pass
    return out


def no_db_error_logged(what, s, mark):
    """No "database:" line in the log since mark (len(log_text))."""
    log = log_text(s)[mark:]
    t.check(what + ": no database error logged", "database:" not in log,
            log[-800:])


# --- 1. refresh of an inactive or deleted user ---

def refresh_refused(s, mode):
    """In every mode: 401 no_active_account, nothing written."""
    name = "ina_" + re.sub(r"[^a-z]", "", mode)
    mark = len(log_text(s))
    uid = s.createuser(name, name + " pw 1")
    access, ref, _ = login(s, name, name + " pw 1")
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", uid)
    before = counts(s)
    r = refresh(s, ref)
    same("%s: refresh of an inactive user" % mode, r, 401, NO_ACTIVE)
    t.eq("%s: WWW-Authenticate" % mode, r.header("WWW-Authenticate"),
         'Bearer realm="api"')
    t.eq("%s: nothing written (outstanding, blacklisted)" % mode,
         counts(s), before)
    t.check("%s: refused token not blacklisted" % mode,
            not blacklisted(s, jti(ref)))
    # simplejwt's verify looks at the signature only; user/ refuses.
    same("%s: token/verify/ of the access token" % mode,
         s.post("/auth/token/verify/", json={"token": access}), 200, {})
    same("%s: user/ with the inactive user's access token" % mode,
         user_get(s, bearer(access)), 401, USER_INACTIVE)
    s.sql("UPDATE auth_user SET is_active = true WHERE id = :'p1'", uid)
    t.eq("%s: active again, the same refresh token works" % mode,
         refresh(s, ref).status, 200)
    access, ref, _ = login(s, name, name + " pw 1")
    delete_user(s, uid)
    before = counts(s)
    r = refresh(s, ref)
    same("%s: refresh of a deleted user" % mode, r, 401, NO_ACTIVE)
    t.eq("%s: deleted: nothing written" % mode, counts(s), before)
    same("%s: token/verify/ of a deleted user's access token" % mode,
         s.post("/auth/token/verify/", json={"token": access}), 200, {})
    same("%s: user/ with a deleted user's access token" % mode,
         user_get(s, bearer(access)), 401, USER_NOT_FOUND)
    # A token naming an id beyond int4 (a key holder's mint): no 503.
    before = counts(s)
    same("%s: refresh naming user %d" % (mode, BIG),
         refresh(s, mint(s, BIG)), 401, NO_ACTIVE)
    t.eq("%s: id beyond int4: nothing written" % mode, counts(s), before)
    same("%s: user/ with an access token for user %d" % (mode, BIG),
         user_get(s, bearer(mint(s, BIG, "access"))), 401, USER_NOT_FOUND)
    no_db_error_logged(mode, s, mark)


def blacklisted_first(s):
    """simplejwt checks the blacklist before the user."""
    uid = s.createuser("bf", "bf pw 1")
    _, ref, _ = login(s, "bf", "bf pw 1")
    t.eq("rotation spends the token", refresh(s, ref).status, 200)
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", uid)
    same("a blacklisted token of an inactive user: blacklisted",
         refresh(s, ref), 401, BLACKLISTED)


def logout_odd_users(s):
    """logout/ blacklists a refresh token of a deleted user, or of an id
    beyond int4, without a foreign-key or range error."""
    mark = len(log_text(s))
    uid = s.createuser("lo", "lo pw 1")
    _, ref, _ = login(s, "lo", "lo pw 1")
    delete_user(s, uid)
    r = s.post("/auth/logout/", json={"refresh": ref})
    t.eq("logout of a deleted user's refresh token: 200", r.status, 200)
    t.check("... and it is blacklisted", blacklisted(s, jti(ref)))
    big = mint(s, BIG)
    r = s.post("/auth/logout/", json={"refresh": big})
    t.eq("logout of a refresh token for user %d: 200" % BIG, r.status, 200)
    t.check("... and it is blacklisted", blacklisted(s, jti(big)))
    no_db_error_logged("logout", s, mark)


# --- 2. password reset and change revoke ---

class Mailbox:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="restauth-mail-")
        self.seen = set()

    def config(self):
        return {"EMAIL_SENDMAIL": CAPTURE + " " + self.dir,
                "DEFAULT_FROM_EMAIL": "Restauth <noreply@example.com>",
                "PASSWORD_RESET_URL":
                    "https://app.example/reset/{uid}/{token}/"}

    def link(self, timeout=h.scaled(10)):
        """uid and token of the next mail (polled until the deadline)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for f in sorted(os.listdir(self.dir)):
                if f.startswith(".") or f in self.seen:
                    continue
                self.seen.add(f)
                with open(os.path.join(self.dir, f), "rb") as fh:
                    raw = fh.read().decode("utf-8", "replace")
                m = LINK_RE.search(raw.replace("=\n", ""))
                if m:
                    return m.group(1), m.group(2)
            time.sleep(0.05)
        return None, None

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def ask_reset(s, mb, email):
    r = s.post("/auth/password/reset/", json={"email": email})
    t.eq("password/reset/: 200", r.status, 200)
    return mb.link()


def password_of(s, uid):
    return s.sql("SELECT password FROM auth_user WHERE id = :'p1'", uid)[0][0]


def reset_revokes(s, mb):
    uid = s.createuser("rita", "rita pw 1", email="rita@example.com")
    key = add_drf_token(s, uid)
    a1, r1, sid1 = login(s, "rita", "rita pw 1")
    a2, r2, sid2 = login(s, "rita", "rita pw 1")
    t.eq("before: DRF token works", user_get(s, {
        "Authorization": "Token " + key}).status, 200)
    t.check("before: a session", sid1 is not None)
    t.eq("before: session works", user_get(s, session_hdr(sid1)).status, 200)
    # An expired outstanding token stays as it is (nothing to revoke).
    s.sql("INSERT INTO token_blacklist_outstandingtoken (jti, token, "
          "created_at, expires_at, user_id) VALUES ('old-expired', 'x', "
          "now() - interval '2 days', now() - interval '1 day', :'p1')", uid)
    # A failing step rolls the whole reset back: make the revocation
    # fail (a trigger refuses the token's deletion).
    s.sql("CREATE FUNCTION restauth_test_refuse() RETURNS trigger "
          "LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'refused'; END$$; "
          "CREATE TRIGGER restauth_test_refuse BEFORE DELETE ON "
          "authtoken_token FOR EACH ROW EXECUTE FUNCTION "
          "restauth_test_refuse();")
    u, tok = ask_reset(s, mb, "rita@example.com")
    old_hash = password_of(s, uid)
    body = {"uid": u, "token": tok, "new_password1": "rita new pw 2",
            "new_password2": "rita new pw 2"}
    r = s.post("/auth/password/reset/confirm/", json=body)
    t.eq("reset with a failing revocation: 503", r.status, 503)
    t.eq("... password unchanged", password_of(s, uid), old_hash)
    t.eq("... nothing blacklisted", blacklisted(s, jti(r1)), False)
    s.sql("DROP TRIGGER restauth_test_refuse ON authtoken_token; "
          "DROP FUNCTION restauth_test_refuse();")
    r = s.post("/auth/password/reset/confirm/", json=body)
    same("reset confirm", r, 200, RESET_DONE)
    same("after reset: old DRF token", user_get(s, {
        "Authorization": "Token " + key}), 401, BAD_TOKEN)
    for n, ref in (("first", r1), ("second", r2)):
        same("after reset: %s refresh token" % n, refresh(s, ref), 401,
             BLACKLISTED)
    for n, sid in (("first", sid1), ("second", sid2)):
        same("after reset: %s session" % n, user_get(s, session_hdr(sid)),
             401, NOT_PROVIDED)
    t.eq("expired outstanding token left alone",
         blacklisted(s, "old-expired"), False)
    t.eq("after reset: the new password logs in",
         s.post("/auth/login/", json={"username": "rita", "password":
                                      "rita new pw 2"}).status, 200)


def change_revokes_others(s):
    uid = s.createuser("carl", "carl pw 1")
    key = add_drf_token(s, uid)
    a1, r1, sid1 = login(s, "carl", "carl pw 1")
    a2, r2, sid2 = login(s, "carl", "carl pw 1")
    h_ = bearer(a1)
    h_["Cookie"] = "refresh=" + r1
    r = s.post("/auth/password/change/", headers=h_,
               json={"new_password1": "carl new pw 2",
                     "new_password2": "carl new pw 2"})
    same("password change (Bearer, refresh cookie)", r, 200, CHANGED)
    t.eq("the requester's refresh token (cookie) still works",
         refresh(s, r1).status, 200)
    t.eq("the requester's access token still works",
         user_get(s, bearer(a1)).status, 200)
    same("another refresh token is blacklisted", refresh(s, r2), 401,
         BLACKLISTED)
    same("the DRF token is gone", user_get(s, {
        "Authorization": "Token " + key}), 401, BAD_TOKEN)
    same("another session ends", user_get(s, session_hdr(sid2)), 401,
         NOT_PROVIDED)


def change_token_mode(s):
    """Token mode: the DRF token making the request stays; refresh
    tokens another process recorded for the user are blacklisted."""
    uid = s.createuser("tina", "tina pw 1")
    key = s.login("tina", "tina pw 1")
    s.sql("INSERT INTO token_blacklist_outstandingtoken (jti, token, "
          "created_at, expires_at, user_id) VALUES ('tina-r', 'x', now(), "
          "now() + interval '1 day', :'p1')", uid)
    r = s.post("/auth/password/change/", token=key,
               json={"new_password1": "tina new pw 2",
                     "new_password2": "tina new pw 2"})
    same("token mode: password change", r, 200, CHANGED)
    t.eq("token mode: the requester's token still works",
         s.get("/auth/user/", token=key).status, 200)
    t.check("token mode: the user's refresh token is blacklisted",
            blacklisted(s, "tina-r"))


def change_keeps_all(s):
    """PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS: dj-rest-auth's behaviour."""
    uid = s.createuser("kim", "kim pw 1")
    key = add_drf_token(s, uid)
    a1, r1, _ = login(s, "kim", "kim pw 1")
    a2, r2, _ = login(s, "kim", "kim pw 1")
    r = s.post("/auth/password/change/", headers=bearer(a1),
               json={"new_password1": "kim new pw 2",
                     "new_password2": "kim new pw 2"})
    same("keep others: password change", r, 200, CHANGED)
    t.eq("keep others: first refresh token works", refresh(s, r1).status,
         200)
    t.eq("keep others: second refresh token works", refresh(s, r2).status,
         200)
    t.eq("keep others: the DRF token works", user_get(s, {
        "Authorization": "Token " + key}).status, 200)


def tool_revokes(s):
    uid = s.createuser("tom", "tom pw 1")
    key = add_drf_token(s, uid)
    _, ref, sid = login(s, "tom", "tom pw 1")
    rc, out, err = s.tool("changepassword", "tom", "--password",
                          "tom new pw 2")
    t.eq("restauth changepassword: exit 0", rc, 0)
    same("changepassword: DRF token gone", user_get(s, {
        "Authorization": "Token " + key}), 401, BAD_TOKEN)
    same("changepassword: refresh token blacklisted", refresh(s, ref), 401,
         BLACKLISTED)
    same("changepassword: session ends", user_get(s, session_hdr(sid)), 401,
         NOT_PROVIDED)


# --- 3. ids beyond int4 ---

def b64(s_):
    return base64.urlsafe_b64encode(s_.encode()).rstrip(b"=").decode()


def salted_hmac(salt, value, secret):
    key = hashlib.sha256((salt + secret).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).digest()


def django_session(secret, user_id):
    """signing.dumps of login()'s dict (no compression) for user_id."""
    payload = json.dumps({"_auth_user_id": str(user_id),
                          "_auth_user_backend":
                          "django.contrib.auth.backends.ModelBackend",
                          "_auth_user_hash": "0" * 64},
                         separators=(",", ":"))
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    n, ts = int(time.time()), ""
    while n:
        n, r = divmod(n, 62)
        ts = digits[r] + ts
    value = b64(payload) + ":" + ts
    sig = salted_hmac("django.contrib.sessions.SessionStoresigner", value,
                      secret)
    return value + ":" + base64.urlsafe_b64encode(sig).rstrip(
        b"=").decode()


def overflow_ids(s):
    mark = len(log_text(s))
    s.createuser("ovl", "ovl pw 1", email="ovl@example.com")
    for raw in ("2147483648", "9223372036854775807",
                "99999999999999999999"):
        r = s.post("/auth/password/reset/confirm/",
                   json={"uid": b64(raw), "token": "abc-123",
                         "new_password1": "x new pw 1",
                         "new_password2": "x new pw 1"})
        same("reset uid %s" % raw, r, 400, INVALID_UID)
    for uid in (BIG, 2 ** 62):
        sid = "ovl" + secrets.token_hex(8)
        s.sql("INSERT INTO django_session (session_key, session_data, "
              "expire_date) VALUES (:'p1', :'p2', now() + interval "
              "'1 day')", sid, django_session(s.secret, uid))
        same("session naming user %d" % uid,
             user_get(s, session_hdr(sid)), 401, NOT_PROVIDED)
    no_db_error_logged("ids beyond int4", s, mark)


# --- stacks ---

mb = Mailbox()
RUNS = [
    (config(), [lambda s: refresh_refused(s, "rotate+blacklist"),
                blacklisted_first, logout_odd_users]),
    (config(simple={"BLACKLIST_AFTER_ROTATION": False}),
     [lambda s: refresh_refused(s, "rotate, no blacklist")]),
    (config(simple={"ROTATE_REFRESH_TOKENS": False}),
     [lambda s: refresh_refused(s, "no rotation")]),
    (config(INSTALLED_APPS=["rest_framework.authtoken"]),
     [lambda s: refresh_refused(s, "no blacklist app")]),
    (dict(config(), **mb.config()),
     [lambda s: reset_revokes(s, mb), change_revokes_others, tool_revokes,
      overflow_ids]),
    (dict(FAST), [change_token_mode]),
    (config({"PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS": True}),
     [change_keeps_all]),
]

try:
    for cfg, fns in RUNS:
        try:
            with h.Stack(cfg) as s:
                for fn in fns:
                    t.run(fn, s)
        except Exception as e:  # a stack that does not start: one failure
            t.check("stack starts", False, repr(e)[:1000])
finally:
    mb.remove()
t.done()
