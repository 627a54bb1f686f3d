"""password/change/, password/reset/ and password/reset/confirm/:
dj-rest-auth 7.1.1's PasswordChangeView, PasswordResetView and
PasswordResetConfirmView with Django's SetPasswordForm,
PasswordResetForm, PasswordResetTokenGenerator and password_validation.
Mail goes through tests/http/capture_mail.sh, which keeps each message as
a file; the reset link is read out of the message, and the token in it is
checked against an independent Python implementation of Django's
generator."""
import base64
import email
import email.policy
import email.utils
import hashlib
import hmac
import os
import re
import shutil
import tempfile
import time

import harness as h

t = h.Tests(__file__)

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "capture_mail.sh")

# Django's plain generator and base64 uids: the tokens below are minted
# independently by that algorithm (allauth's, the default, is tested in
# test_reset_allauth.py against allauth itself).
FAST = {"PASSWORD_HASHER": h.FAST_HASHER,
        "PASSWORD_RESET_TOKEN_GENERATOR": "django"}
FROM = "Restauth <noreply@example.com>"
RESET_URL = "https://app.example/reset/{uid}/{token}/"
LINK_RE = re.compile(r"https://app\.example/reset/([^/\s]*)/([^/\s]*)/")
DJ = "django.contrib.auth.password_validation."
FOUR = [{"NAME": DJ + "UserAttributeSimilarityValidator"},
        {"NAME": DJ + "MinimumLengthValidator"},
        {"NAME": DJ + "CommonPasswordValidator"},
        {"NAME": DJ + "NumericPasswordValidator"}]

ALLOW = "POST, OPTIONS"
CHANGE = "/auth/password/change/"
RESET = "/auth/password/reset/"
CONFIRM = "/auth/password/reset/confirm/"

REQUIRED = ["This field is required."]
BLANK = ["This field may not be blank."]
NULL = ["This field may not be null."]
NOTSTR = ["Not a valid string."]
MAX128 = ["Ensure this field has no more than 128 characters."]
MISMATCH = ["The two password fields didn\u2019t match."]
SHORT8 = ["This password is too short. It must contain at least 8 "
          "characters."]
COMMON = "This password is too common."
NUMERIC = "This password is entirely numeric."
SIMILAR_USERNAME = "The password is too similar to the username."
SIMILAR_EMAIL = "The password is too similar to the email address."
OLD_WRONG = ["Your old password was entered incorrectly. Please enter it "
             "again."]
INVALID = ["Invalid value"]
UNABLE = {"non_field_errors": ["Unable to log in with provided credentials."]}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
BAD_TOKEN = {"detail": "Invalid token."}
CHANGED = {"detail": "New password has been saved."}
SENT = {"detail": "Password reset e-mail has been sent."}
RESET_DONE = {"detail": "Password has been reset with the new password."}

DEFAULT_TIMEOUT = 3 * 86400  # Django's PASSWORD_RESET_TIMEOUT
EPOCH_2001 = 978307200       # datetime(2001, 1, 1, tzinfo=utc).timestamp()


def cfg(*extra):
    c = dict(FAST)
    for e in extra:
        c.update(e)
    return c


# --- mail ---

class Mailbox:
    """A directory for capture_mail.sh, and the messages not yet taken."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="restauth-mail-")
        self.seen = set()

    def config(self):
        return {"EMAIL_SENDMAIL": CAPTURE + " " + self.dir,
                "DEFAULT_FROM_EMAIL": FROM,
                "PASSWORD_RESET_URL": RESET_URL}

    def files(self):
        """Finished messages (not .tmp-*), oldest first."""
        out = []
        for f in os.listdir(self.dir):
            if f.startswith("."):
                continue
            try:
                out.append((os.stat(os.path.join(self.dir, f)).st_mtime_ns,
                            f))
            except OSError:
                pass
        return [f for _, f in sorted(out)]

    def take(self, expect, timeout=h.MAIL_WAIT, settle=0.5):
        """Wait (the mail leaves after the answer) until at least expect
        new messages are there, then a little more for any extra one;
        return every new message, parsed, oldest first."""
        deadline = time.time() + timeout
        while True:
            fresh = [f for f in self.files() if f not in self.seen]
            if len(fresh) >= expect or time.time() > deadline:
                break
            time.sleep(0.05)
        time.sleep(settle)
        fresh = [f for f in self.files() if f not in self.seen]
        self.seen.update(fresh)
        out = []
        for f in fresh:
            with open(os.path.join(self.dir, f), "rb") as fh:
                out.append(Mail(fh.read()))
        return out

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Mail:
    def __init__(self, raw):
        self.raw = raw
        self.msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.body = None
        self.uid = self.token = None
        try:
            part = self.msg.get_body(preferencelist=("plain",))
            self.body = part.get_content() if part is not None else None
        except Exception as e:  # reported by the checks
            self.body = None
            self.error = repr(e)
        m = LINK_RE.search(self.body or "")
        if m:
            self.uid, self.token = m.group(1), m.group(2)

    def to(self):
        h_ = self.msg["To"]
        return [a.addr_spec for a in h_.addresses] if h_ is not None else []

    def __repr__(self):
        return "<mail %r>" % self.raw[:400]


def one_mail(mb, what):
    ms = mb.take(1)
    t.eq(what + ": one mail", len(ms), 1)
    return ms[0] if ms else None


# --- Django's reset tokens, independently ---

def b36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = digits[r] + s
        if n == 0:
            return s


def uid_of(pk):
    """django.utils.http.urlsafe_base64_encode(force_bytes(pk))."""
    return base64.urlsafe_b64encode(str(pk).encode()).rstrip(b"=").decode()


def b64(s):
    return base64.urlsafe_b64encode(s.encode()).rstrip(b"=").decode()


def now_ts():
    return int(time.time()) - EPOCH_2001


def user_state(s, pk):
    """password, last_login as Django's str(last_login.replace(
    microsecond=0, tzinfo=None)) in UTC ("" when NULL), email."""
    rows = s.sql("SELECT password, coalesce(to_char(last_login AT TIME "
                 "ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''), email "
                 "FROM auth_user WHERE id = :'p1'", pk)
    return tuple(rows[0])


def mint(secret, pk, password, last_login, mail, ts):
    """PasswordResetTokenGenerator._make_token_with_timestamp (sha256)."""
    key = hashlib.sha256(
        b"django.contrib.auth.tokens.PasswordResetTokenGenerator" +
        secret.encode()).digest()
    value = str(pk) + password + last_login + str(ts) + mail
    return b36(ts) + "-" + hmac.new(key, value.encode(),
                                    hashlib.sha256).hexdigest()[::2]


def mint_for(s, pk, ts=None):
    password, last_login, mail = user_state(s, pk)
    return mint(s.secret, pk, password, last_login, mail,
                now_ts() if ts is None else ts)


def django_generator():
    """Django's own PasswordResetTokenGenerator (Debian's python3-django,
    from make deps) as a second reference, or None where it is missing:
    a function (secret, now, pk, password, last_login_epoch, email) ->
    (generator, user)."""
    try:
        import datetime
        from django.conf import settings
        if not settings.configured:
            settings.configure(SECRET_KEY="unused", USE_TZ=True,
                               PASSWORD_RESET_TIMEOUT=DEFAULT_TIMEOUT)
        from django.contrib.auth.tokens import PasswordResetTokenGenerator
    except Exception:
        return None

    class User:
        def __init__(self, pk, password, last_login, mail):
            self.pk = pk
            self.password = password
            self.last_login = (None if last_login is None else
                               datetime.datetime.fromtimestamp(
                                   last_login, datetime.timezone.utc))
            self.email = mail

        def get_email_field_name(self):
            return "email"

    class Gen(PasswordResetTokenGenerator):
        def __init__(self, secret, now):
            self.secret = secret
            self.now = now
            super().__init__()

        def _now(self):  # restauth counts in UTC (lib/crypto/resettok.h)
            return datetime.datetime.utcfromtimestamp(self.now)

    def make(secret, now, pk, password, last_login, mail):
        return Gen(secret, now), User(pk, password, last_login, mail)
    return make


DJANGO = django_generator()


def django_for(s, pk, now=None):
    """Django's generator and user object for the row of pk, or None."""
    if DJANGO is None:
        return None
    password, last_login, mail = s.sql(
        "SELECT password, extract(epoch FROM last_login), email "
        "FROM auth_user WHERE id = :'p1'", pk)[0]
    return DJANGO(s.secret, time.time() if now is None else now, pk,
                  password, float(last_login) if last_login else None, mail)


TOKEN_RE = re.compile(r"([0-9a-z]{1,13})-([0-9a-f]{32})")


# --- helpers ---

def can_login(s, username, password):
    r = s.post("/auth/login/", json={"username": username,
                                     "password": password})
    return r


def check_login(what, s, username, old, new):
    r = can_login(s, username, old)
    t.eq(what + ": old password refused", (r.status, r.json), (400, UNABLE))
    r = can_login(s, username, new)
    t.eq(what + ": new password accepted", r.status, 200)
    return r.json.get("key") if r.json else None


def change(s, key, **data):
    return s.post(CHANGE, token=key, json=data)


def confirm(s, uid, token, p1, p2=None):
    return s.post(CONFIRM, json={"uid": uid, "token": token,
                                 "new_password1": p1,
                                 "new_password2": p1 if p2 is None else p2})


def expect(what, r, status, body):
    t.eq(what, (r.status, r.json), (status, body))


def reset_link(s, mb, addr, what):
    r = s.post(RESET, json={"email": addr})
    expect(what + ": reset", r, 200, SENT)
    m = one_mail(mb, what)
    return m


# --- password/change/ ---

def change_auth(s):
    r = s.post(CHANGE, json={"new_password1": "abc", "new_password2": "abc"})
    expect("change without credentials", r, 401, NOT_PROVIDED)
    t.eq("change without credentials: WWW-Authenticate",
         r.header("WWW-Authenticate"), "Token")
    r = s.post(CHANGE, token="0" * 40, json={})
    expect("change with a bad token", r, 401, BAD_TOKEN)
    t.eq("change with a bad token: WWW-Authenticate",
         r.header("WWW-Authenticate"), "Token")


def change_fields(s):
    s.createuser("cfields", "correct horse battery")
    key = s.login("cfields", "correct horse battery")
    expect("change {}", change(s, key), 400,
           {"new_password1": REQUIRED, "new_password2": REQUIRED})
    expect("change only new_password1",
           change(s, key, new_password1="correct horse staple"), 400,
           {"new_password2": REQUIRED})
    expect("change blank", change(s, key, new_password1="",
                                  new_password2=""), 400,
           {"new_password1": BLANK, "new_password2": BLANK})
    expect("change whitespace only (DRF trims)",
           change(s, key, new_password1="   ", new_password2="\t"), 400,
           {"new_password1": BLANK, "new_password2": BLANK})
    expect("change null", change(s, key, new_password1=None,
                                 new_password2="x" * 20), 400,
           {"new_password1": NULL})
    expect("change list", change(s, key, new_password1=["a"],
                                 new_password2="x" * 20), 400,
           {"new_password1": NOTSTR})
    long_ = "Xy7!" * 32 + "z"
    expect("change 129 chars", change(s, key, new_password1=long_,
                                      new_password2=long_), 400,
           {"new_password1": MAX128, "new_password2": MAX128})
    expect("change mismatch", change(s, key,
                                     new_password1="correct horse staple",
                                     new_password2="correct horse stapler"),
           400, {"new_password2": MISMATCH})
    # Nothing of the above changed the password.
    t.eq("after refusals the password is unchanged",
         can_login(s, "cfields", "correct horse battery").status, 200)
    # Form-encoded bodies take the same path.
    r = s.post(CHANGE, token=key, form={"new_password1": "a b c d e f g",
                                        "new_password2": "a b c d e f h"})
    expect("change mismatch (form)", r, 400, {"new_password2": MISMATCH})


def change_validators(s):
    s.createuser("johnsmith99", "correct horse battery",
                 email="zebra.crossing@example.com")
    key = s.login("johnsmith99", "correct horse battery")
    for pw, want in (
            ("short", SHORT8),
            ("12345678", [COMMON, NUMERIC]),
            ("PASSWORD", [COMMON]),          # list is case-insensitive
            ("9876543210123", [NUMERIC]),
            ("johnsmith99!", [SIMILAR_USERNAME]),
            ("crossing123", [SIMILAR_EMAIL]),
            ("1234", ["This password is too short. It must contain at "
                      "least 8 characters.", COMMON, NUMERIC])):
        r = change(s, key, new_password1=pw, new_password2=pw)
        expect("change validators %r" % pw, r, 400, {"new_password2": want})
    # Mismatch is reported alone: the validators run on a match only.
    expect("change mismatch before validators",
           change(s, key, new_password1="short", new_password2="shorter"),
           400, {"new_password2": MISMATCH})
    t.eq("validator refusals left the password",
         can_login(s, "johnsmith99", "correct horse battery").status, 200)


def change_success(s):
    pk = s.createuser("carol", "correct horse battery",
                      email="carol@example.com")
    key = s.login("carol", "correct horse battery")
    before = s.sql("SELECT password FROM auth_user WHERE id = :'p1'", pk)
    # Without OLD_PASSWORD_FIELD_ENABLED an old_password is just ignored.
    r = change(s, key, new_password1="new staple horse 9",
               new_password2="new staple horse 9", old_password="wrong")
    expect("change success", r, 200, CHANGED)
    after = s.sql("SELECT password FROM auth_user WHERE id = :'p1'", pk)
    t.check("hash replaced", before != after, after)
    t.check("new hash is argon2id with the configured cost",
            after[0][0].startswith("argon2$argon2id$v=19$m=1024,t=1,p=1$"),
            after)
    check_login("change", s, "carol", "correct horse battery",
                "new staple horse 9")
    r = s.get("/auth/user/", token=key)
    t.eq("token still works after change (LOGOUT_ON_PASSWORD_CHANGE "
         "false)", r.status, 200)
    t.eq("token row kept", s.sql("SELECT count(*) FROM authtoken_token "
                                 "WHERE user_id = :'p1'", pk), [["1"]])
    # DRF trims the fields, on change and on login alike.
    r = change(s, key, new_password1="  spaced out password  ",
               new_password2="  spaced out password  ")
    expect("change with padding", r, 200, CHANGED)
    t.eq("padded password stored trimmed",
         can_login(s, "carol", "spaced out password").status, 200)
    # 128 characters is the limit, counted in characters, not bytes.
    pw = "\u00e9t\u00e9" * 42 + "ab"
    t.eq("128-char password length", len(pw), 128)
    r = change(s, key, new_password1=pw, new_password2=pw)
    expect("change 128 non-ASCII chars", r, 200, CHANGED)
    t.eq("128-char password logs in", can_login(s, "carol", pw).status, 200)


def change_old_field(s):
    s.createuser("olga", "correct horse battery")
    key = s.login("olga", "correct horse battery")
    expect("old field: {}", change(s, key), 400,
           {"old_password": REQUIRED, "new_password1": REQUIRED,
            "new_password2": REQUIRED})
    expect("old field: missing old", change(s, key, new_password1="x y z w",
                                            new_password2="x y z w"), 400,
           {"old_password": REQUIRED})
    expect("old field: blank old",
           change(s, key, old_password="", new_password1="x y z w",
                  new_password2="x y z w"), 400, {"old_password": BLANK})
    expect("old field: wrong old",
           change(s, key, old_password="wrong horse",
                  new_password1="x y z w", new_password2="x y z w"),
           400, {"old_password": OLD_WRONG})
    # Field errors come before the form's: a mismatch is not reported yet.
    expect("old field: wrong old and mismatch",
           change(s, key, old_password="wrong horse",
                  new_password1="x y z w", new_password2="x y z v"),
           400, {"old_password": OLD_WRONG})
    expect("old field: wrong old and a missing field",
           change(s, key, old_password="wrong horse",
                  new_password1="x y z w"),
           400, {"old_password": OLD_WRONG, "new_password2": REQUIRED})
    expect("old field: right old, mismatch",
           change(s, key, old_password="correct horse battery",
                  new_password1="x y z w", new_password2="x y z v"),
           400, {"new_password2": MISMATCH})
    expect("old field: right old",
           change(s, key, old_password="correct horse battery",
                  new_password1="x y z w", new_password2="x y z w"),
           200, CHANGED)
    check_login("old field", s, "olga", "correct horse battery", "x y z w")
    expect("old field: the previous old password is now wrong",
           change(s, key, old_password="correct horse battery",
                  new_password1="a b c d", new_password2="a b c d"),
           400, {"old_password": OLD_WRONG})
    # This stack's only validator is MinimumLengthValidator(min_length=1):
    # one character is enough; blank is the field's refusal.
    expect("min_length 1: one character",
           change(s, key, old_password="x y z w", new_password1="q",
                  new_password2="q"), 200, CHANGED)
    expect("min_length 1: blank refused by the field",
           change(s, key, old_password="q", new_password1="",
                  new_password2=""), 400,
           {"new_password1": BLANK, "new_password2": BLANK})
    t.eq("one-character password logs in", can_login(s, "olga",
                                                      "q").status, 200)


def change_logout(s):
    pk = s.createuser("lou", "correct horse battery")
    key = s.login("lou", "correct horse battery")
    expect("logout-on-change: mismatch", change(
        s, key, new_password1="x y z w", new_password2="x y z v"), 400,
        {"new_password2": MISMATCH})
    t.eq("logout-on-change: a refusal keeps the token",
         s.get("/auth/user/", token=key).status, 200)
    expect("logout-on-change: success", change(
        s, key, new_password1="x y z w", new_password2="x y z w"), 200,
        CHANGED)
    t.eq("logout-on-change: token row gone",
         s.sql("SELECT count(*) FROM authtoken_token WHERE user_id = :'p1'",
               pk), [["0"]])
    r = s.get("/auth/user/", token=key)
    expect("logout-on-change: token refused", r, 401, BAD_TOKEN)
    key2 = check_login("logout-on-change", s, "lou",
                       "correct horse battery", "x y z w")
    t.check("logout-on-change: a new key", key2 and key2 != key, key2)


# --- password/reset/ ---

def reset_fields(s, mb):
    expect("reset {}", s.post(RESET, json={}), 400, {"email": REQUIRED})
    expect("reset blank", s.post(RESET, json={"email": ""}), 400,
           {"email": BLANK})
    expect("reset null", s.post(RESET, json={"email": None}), 400,
           {"email": NULL})
    for bad in ("not-an-email", "a@", "@example.com", "a b@example.com",
                "a@example..com"):
        expect("reset invalid %r" % bad, s.post(RESET, json={"email": bad}),
               400, {"email": ["Enter a valid email address."]})
    t.eq("no mail for refused requests", len(mb.take(0)), 0)


def reset_no_enumeration(s, mb):
    known = s.createuser("rita", "correct horse battery",
                         email="rita@example.com")
    s.sql("UPDATE auth_user SET email = 'Rita.Known@Example.com' "
          "WHERE id = :'p1'", known)
    s.createuser("ina", "correct horse battery",
                 email="inactive@example.com")
    s.sql("UPDATE auth_user SET is_active = false WHERE username = 'ina'")
    s.createuser("una", "correct horse battery",
                 email="unusable@example.com")
    s.sql("UPDATE auth_user SET password = '!' || md5(random()::text) "
          "WHERE username = 'una'")
    rs = {}
    for what, addr in (("unknown", "nobody@example.com"),
                       ("inactive", "inactive@example.com"),
                       ("unusable", "unusable@example.com"),
                       ("known, other case", "rita.known@EXAMPLE.COM")):
        r = s.post(RESET, json={"email": addr})
        expect("reset %s" % what, r, 200, SENT)
        rs[what] = r
    bodies = set(r.body for r in rs.values())
    t.eq("reset: identical bodies", len(bodies), 1)
    t.eq("reset: identical headers (but Date)",
         len(set(tuple(sorted((k, v) for k, v in r.headers if k != "date"))
                 for r in rs.values())), 1)
    ms = mb.take(1, settle=1.0)
    t.eq("reset: exactly one mail (known, active, usable)", len(ms), 1)
    if ms:
        t.eq("reset mail To: the address as stored", ms[0].to(),
             ["Rita.Known@Example.com"])
        t.eq("reset mail: uid of the known user", ms[0].uid, uid_of(known))


def reset_shared_address(s, mb):
    a = s.createuser("sha", "correct horse battery",
                     email="shared@example.com")
    b = s.createuser("shb", "correct horse battery",
                     email="other@example.com")
    s.sql("UPDATE auth_user SET email = 'Shared@Example.COM' "
          "WHERE username = 'shb'")
    r = s.post(RESET, json={"email": "SHARED@example.com"})
    expect("reset shared address", r, 200, SENT)
    ms = mb.take(2, settle=1.0)
    t.eq("reset shared address: two mails", len(ms), 2)
    got = sorted((m.uid, tuple(m.to())) for m in ms)
    want = sorted([(uid_of(a), ("shared@example.com",)),
                   (uid_of(b), ("Shared@Example.COM",))])
    t.eq("reset shared address: one per user, to each stored address",
         got, want)


def reset_mail_format(s, mb):
    pk = s.createuser("mara", "correct horse battery",
                      email="mara@example.com")
    s.login("mara", "correct horse battery")  # a last_login to hash in
    t0 = now_ts()
    m = reset_link(s, mb, "mara@example.com", "mail format")
    t1 = now_ts()
    if m is None:
        return
    msg = m.msg
    frm = msg["From"]
    t.check("From parses", frm is not None and len(frm.addresses) == 1,
            m)
    if frm is not None and len(frm.addresses) == 1:
        t.eq("From", (frm.addresses[0].display_name,
                      frm.addresses[0].addr_spec),
             ("Restauth", "noreply@example.com"))
    t.eq("To", m.to(), ["mara@example.com"])
    t.check("Subject", bool(msg["Subject"] and str(msg["Subject"]).strip()),
            m)
    date = msg["Date"]
    try:
        dt = email.utils.parsedate_to_datetime(str(date))
        ok = dt.tzinfo is not None and abs(dt.timestamp() - time.time()) < 300
    except Exception as e:
        ok = False
        dt = repr(e)
    t.check("Date is RFC 5322 and now", ok, "%r: %r" % (date, dt))
    mid = msg["Message-ID"]
    t.check("Message-ID", mid is not None and re.fullmatch(
        r"<[^<>@\s]+@[^<>@\s]+>", str(mid).strip()) is not None, mid)
    t.eq("Content-Type", (msg.get_content_type(),
                          msg.get_content_charset()),
         ("text/plain", "utf-8"))
    t.check("a blank line ends the headers",
            b"\n\n" in m.raw or b"\r\n\r\n" in m.raw, m)
    t.check("link in body", m.uid is not None, m.body)
    t.eq("uid is base64url(pk) unpadded", m.uid, uid_of(pk))
    fm = TOKEN_RE.fullmatch(m.token or "")
    t.check("token format base36-32hex", fm is not None, m.token)
    if fm is None:
        return
    ts = int(fm.group(1), 36)
    t.check("token timestamp is now", t0 - 2 <= ts <= t1 + 2,
            "%d not in [%d, %d]" % (ts, t0, t1))
    want = mint_for(s, pk, ts)
    t.eq("token == Django's (independent HMAC)", m.token, want)
    dj = django_for(s, pk)
    if dj is not None:
        gen, user = dj
        t.check("Django's own check_token accepts the mailed token",
                gen.check_token(user, m.token), m.token)
    # The body is UTF-8: a non-ASCII username survives the trip.
    pk3 = s.createuser("j\u00fcrgen", "correct horse battery",
                       email="jurgen@example.com")
    m3 = reset_link(s, mb, "jurgen@example.com", "mail format, UTF-8")
    if m3 is not None:
        t.check("UTF-8 username in the body",
                "j\u00fcrgen" in (m3.body or ""), m3)
        t.eq("UTF-8 mail: uid", m3.uid, uid_of(pk3))
    # A user who never logged in hashes last_login as "".
    pk2 = s.createuser("nell", "correct horse battery",
                       email="nell@example.com")
    t.eq("nell never logged in", user_state(s, pk2)[1], "")
    m2 = reset_link(s, mb, "nell@example.com", "mail format, no login")
    if m2 and m2.token and TOKEN_RE.fullmatch(m2.token):
        ts2 = int(m2.token.split("-")[0], 36)
        t.eq("token without last_login == Django's", m2.token,
             mint_for(s, pk2, ts2))


# --- password/reset/confirm/ ---

def confirm_flow(s, mb):
    pk = s.createuser("fay", "correct horse battery", email="fay@example.com")
    key = s.login("fay", "correct horse battery")
    m = reset_link(s, mb, "fay@example.com", "flow")
    if m is None:
        return
    r = confirm(s, m.uid, m.token, "brand new secret 1")
    expect("confirm", r, 200, RESET_DONE)
    check_login("reset", s, "fay", "correct horse battery",
                "brand new secret 1")
    t.check("reset hash is argon2id", user_state(s, pk)[0].startswith(
        "argon2$argon2id$"), user_state(s, pk)[0])
    # Django's SetPasswordForm does not touch the DRF token; restauth's
    # reset ends it (test_revoke.py has the rest).
    t.eq("token ended by the reset", s.get("/auth/user/",
                                           token=key).status, 401)
    r = confirm(s, m.uid, m.token, "another secret 22")
    expect("same link again", r, 400, {"token": INVALID})
    t.eq("second use changed nothing",
         can_login(s, "fay", "brand new secret 1").status, 200)


def confirm_dead_after_login(s, mb):
    s.createuser("gil", "correct horse battery", email="gil@example.com")
    m = reset_link(s, mb, "gil@example.com", "after login")
    if m is None:
        return
    s.login("gil", "correct horse battery")  # last_login NULL -> now
    expect("link dead after a login",
           confirm(s, m.uid, m.token, "brand new secret 1"), 400,
           {"token": INVALID})
    t.eq("password unchanged",
         can_login(s, "gil", "correct horse battery").status, 200)


def confirm_dead_after_change(s, mb):
    s.createuser("hal", "correct horse battery", email="hal@example.com")
    key = s.login("hal", "correct horse battery")
    m = reset_link(s, mb, "hal@example.com", "after change")
    if m is None:
        return
    expect("change", change(s, key, new_password1="changed secret 1",
                            new_password2="changed secret 1"), 200, CHANGED)
    expect("link dead after a password change",
           confirm(s, m.uid, m.token, "brand new secret 1"), 400,
           {"token": INVALID})
    t.eq("changed password still in force",
         can_login(s, "hal", "changed secret 1").status, 200)


def confirm_dead_after_email_change(s, mb):
    pk = s.createuser("ema", "correct horse battery", email="ema@example.com")
    m = reset_link(s, mb, "ema@example.com", "after email change")
    if m is None:
        return
    s.sql("UPDATE auth_user SET email = 'ema2@example.com' WHERE id = :'p1'",
          pk)
    expect("link dead after an email change",
           confirm(s, m.uid, m.token, "brand new secret 1"), 400,
           {"token": INVALID})


def confirm_minted(s, mb):
    pk = s.createuser("ida", "correct horse battery", email="ida@example.com")
    s.login("ida", "correct horse battery")
    tok = mint_for(s, pk)
    expect("Django-minted token accepted",
           confirm(s, uid_of(pk), tok, "minted secret 1"), 200, RESET_DONE)
    check_login("minted", s, "ida", "correct horse battery",
                "minted secret 1")
    dj = django_for(s, pk)
    if dj is not None:
        gen, user = dj
        expect("token made by Django itself accepted",
               confirm(s, uid_of(pk), gen.make_token(user),
                       "django secret 1"), 200, RESET_DONE)
        check_login("Django's token", s, "ida", "minted secret 1",
                    "django secret 1")
    # Default PASSWORD_RESET_TIMEOUT: three days, inclusive.
    tok = mint_for(s, pk, now_ts() - DEFAULT_TIMEOUT + 60)
    expect("token just under 3 days old accepted",
           confirm(s, uid_of(pk), tok, "minted secret 2"), 200, RESET_DONE)
    tok = mint_for(s, pk, now_ts() - DEFAULT_TIMEOUT - 60)
    expect("token just over 3 days old refused",
           confirm(s, uid_of(pk), tok, "minted secret 3"), 400,
           {"token": INVALID})
    # Minted with another secret: refused.
    password, last_login, mail = user_state(s, pk)
    tok = mint(s.secret + "x", pk, password, last_login, mail, now_ts())
    expect("token of another SECRET_KEY refused",
           confirm(s, uid_of(pk), tok, "minted secret 3"), 400,
           {"token": INVALID})


def confirm_bad_uid(s, mb):
    pk = s.createuser("jon", "correct horse battery", email="jon@example.com")
    tok = mint_for(s, pk)
    good = {"uid": uid_of(pk), "token": tok, "new_password1": "np secret 1",
            "new_password2": "np secret 1"}
    d = dict(good)
    del d["uid"]
    expect("uid missing", s.post(CONFIRM, json=d), 400, {"uid": REQUIRED})
    d = dict(good, uid="")
    expect("uid blank", s.post(CONFIRM, json=d), 400, {"uid": BLANK})
    for what, uid in (("!!!", "!!!"), ("base64 'abc'", b64("abc")),
                      ("nonexistent pk", uid_of(pk + 1000)),
                      ("base64 of -1", b64("-1")),
                      ("base64 of a huge number", b64("9" * 30)),
                      ("base64 of non-UTF-8", base64.urlsafe_b64encode(
                          b"\xff\xfe").rstrip(b"=").decode())):
        r = s.post(CONFIRM, json=dict(good, uid=uid))
        expect("uid %s" % what, r, 400, {"uid": INVALID})
    # uid is judged before the token and the passwords.
    d = dict(good, uid="!!!", token="bad", new_password2="other")
    expect("bad uid first", s.post(CONFIRM, json=d), 400, {"uid": INVALID})
    expect("everything missing", s.post(CONFIRM, json={}), 400,
           {"uid": REQUIRED, "token": REQUIRED, "new_password1": REQUIRED,
            "new_password2": REQUIRED})
    # The refusals were about the uid alone: the rest of the request is good.
    expect("good uid and token after the refusals",
           s.post(CONFIRM, json=good), 200, RESET_DONE)


def confirm_bad_token(s, mb):
    pk = s.createuser("kim", "correct horse battery", email="kim@example.com")
    other = s.createuser("kit", "correct horse battery",
                         email="kit@example.com")
    uid = uid_of(pk)
    tok = mint_for(s, pk)
    ts_part, mac = tok.split("-")
    flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    d = {"uid": uid, "new_password1": "np secret 1",
         "new_password2": "np secret 1"}
    expect("token missing", s.post(CONFIRM, json=d), 400,
           {"token": REQUIRED})
    expect("token blank", s.post(CONFIRM, json=dict(d, token="")), 400,
           {"token": BLANK})
    for what, bad in (("garbage", "abc"), ("no dash", ts_part + mac),
                      ("dash only", "-"), ("flipped hex", ts_part + "-" +
                                           flipped),
                      ("upper-case hex", ts_part + "-" + mac.upper()),
                      ("short hex", ts_part + "-" + mac[:-2]),
                      ("long hex", tok + "00"),
                      ("other ts", b36(int(ts_part, 36) - 1) + "-" + mac),
                      ("bad base36", "!!" + "-" + mac),
                      ("huge ts", "z" * 14 + "-" + mac),
                      ("other user's token", mint_for(s, other)),
                      ("extra dash", tok + "-0")):
        expect("token %s" % what, s.post(CONFIRM, json=dict(d, token=bad)),
               400, {"token": INVALID})
    # The token is judged before the passwords.
    expect("bad token before mismatch",
           s.post(CONFIRM, json=dict(d, token="abc", new_password2="zz")),
           400, {"token": INVALID})
    expect("good token still works after the refusals",
           s.post(CONFIRM, json=dict(d, token=tok)), 200, RESET_DONE)


def confirm_passwords(s, mb):
    pk = s.createuser("lee", "correct horse battery", email="lee@example.com")
    m = reset_link(s, mb, "lee@example.com", "confirm passwords")
    if m is None:
        return
    before = user_state(s, pk)
    expect("confirm mismatch", confirm(s, m.uid, m.token, "np secret 1",
                                       "np secret 2"), 400,
           {"new_password2": MISMATCH})
    for pw, want in (("short", SHORT8), ("12345678", [COMMON, NUMERIC]),
                     ("lee@example", [SIMILAR_EMAIL])):
        expect("confirm validators %r" % pw, confirm(s, m.uid, m.token, pw),
               400, {"new_password2": want})
    expect("confirm blank", confirm(s, m.uid, m.token, "", ""), 400,
           {"new_password1": BLANK, "new_password2": BLANK})
    long_ = "Xy7!" * 32 + "z"
    expect("confirm 129 chars", confirm(s, m.uid, m.token, long_), 400,
           {"new_password1": MAX128, "new_password2": MAX128})
    t.eq("refusals changed nothing in the row", user_state(s, pk), before)
    expect("token works after the refusals",
           confirm(s, m.uid, m.token, "np secret 1"), 200, RESET_DONE)
    check_login("confirm after refusals", s, "lee", "correct horse battery",
                "np secret 1")


def confirm_expiry(s, mb):
    pk = s.createuser("max", "correct horse battery", email="max@example.com")
    tok = mint_for(s, pk, now_ts() - 10)
    expect("timeout 2: 10 s old minted token", confirm(
        s, uid_of(pk), tok, "np secret 1"), 400, {"token": INVALID})
    m = reset_link(s, mb, "max@example.com", "expiry")
    if m is None:
        return
    time.sleep(3)
    expect("timeout 2: mailed link after 3 s", confirm(
        s, m.uid, m.token, "np secret 1"), 400, {"token": INVALID})
    tok = mint_for(s, pk)
    expect("timeout 2: fresh minted token", confirm(
        s, uid_of(pk), tok, "np secret 1"), 200, RESET_DONE)


# --- sendmail failing, reset mails, methods ---

def sendmail_fails(s):
    s.createuser("zed", "correct horse battery", email="zed@example.com")
    r1 = s.post(RESET, json={"email": "zed@example.com"})
    expect("sendmail /bin/false: known", r1, 200, SENT)
    r2 = s.post(RESET, json={"email": "nobody@example.com"})
    expect("sendmail /bin/false: unknown", r2, 200, SENT)
    t.eq("sendmail /bin/false: same body", r1.body, r2.body)
    deadline = time.time() + h.scaled(5)
    logged = False
    while time.time() < deadline and not logged:
        # The programs' stderr: lighttpd's error log, or the output of
        # tools/run.sh (lighttpd's own stderr).
        for path in (s.error_log_path(), s.log.name):
            try:
                with open(path, errors="replace") as f:
                    # The drainer (restauth mail-worker --drain) the
                    # program started logs to the same stderr.
                    logged = logged or any(
                        "mail" in line and "/bin/false" in line
                        for line in f)
            except OSError:
                pass
        time.sleep(0.1)
    t.check("sendmail failure logged", logged, s.run_log()[-800:])
    # The mail stays in the outbox for another try.
    rows = s.sql("SELECT attempts, last_error FROM restauth_mail_outbox "
                 "WHERE recipient = 'zed@example.com'")
    t.check("sendmail /bin/false: the mail is kept",
            len(rows) == 1 and int(rows[0][0]) >= 1 and rows[0][1] != "",
            rows)
    for _ in range(3):
        r = s.post(RESET, json={"email": "zed@example.com"})
        expect("sendmail /bin/false: later requests served", r, 200, SENT)


def reset_mails(s, mb):
    """Resets of a known and an unknown address alternate: one mail per
    known request, none for the unknown address. (That the two answer
    alike in time is test_timing.py's, in make test-slow: timings taken
    beside other test files running at once say nothing.)"""
    s.createuser("tim", "correct horse battery", email="tim@example.com")
    for _ in range(6):
        for addr in ("tim@example.com", "nobody@example.com"):
            r = s.post(RESET, json={"email": addr})
            expect("reset mails: %s" % addr, r, 200, SENT)
    ms = mb.take(6, timeout=30)
    t.eq("reset mails: one mail per known request", len(ms), 6)
    t.eq("reset mails: all to the known address",
         sorted(set(a for m in ms for a in m.to())), ["tim@example.com"])


def methods(s):
    s.createuser("mel", "correct horse battery")
    key = s.login("mel", "correct horse battery")
    for path, auth in ((CHANGE, True), (RESET, False), (CONFIRM, False)):
        for m in ("GET", "PUT", "DELETE"):
            r = s.request(m, path, token=key if auth else None)
            expect("%s %s" % (m, path), r, 405,
                   {"detail": 'Method "%s" not allowed.' % m})
            t.eq("%s %s Allow" % (m, path), r.header("Allow"), ALLOW)
        r = s.request("OPTIONS", path, token=key if auth else None)
        t.eq("OPTIONS %s" % path, r.status, 200)
    # DRF authenticates before it looks at the method.
    r = s.get(CHANGE)
    expect("GET change unauthenticated: 401 first", r, 401, NOT_PROVIDED)


def main():
    mb = Mailbox()
    try:
        with h.Stack(cfg(mb.config(),
                         {"AUTH_PASSWORD_VALIDATORS": FOUR})) as s:
            t.run(change_auth, s)
            t.run(change_fields, s)
            t.run(change_validators, s)
            t.run(change_success, s)
            t.run(reset_fields, s, mb)
            t.run(reset_no_enumeration, s, mb)
            t.run(reset_shared_address, s, mb)
            t.run(reset_mail_format, s, mb)
            t.run(confirm_flow, s, mb)
            t.run(confirm_dead_after_login, s, mb)
            t.run(confirm_dead_after_change, s, mb)
            t.run(confirm_dead_after_email_change, s, mb)
            t.run(confirm_minted, s, mb)
            t.run(confirm_bad_uid, s, mb)
            t.run(confirm_bad_token, s, mb)
            t.run(confirm_passwords, s, mb)
            t.run(methods, s)
    finally:
        mb.remove()
    with h.Stack(cfg({"REST_AUTH": {"OLD_PASSWORD_FIELD_ENABLED": True},
                      "AUTH_PASSWORD_VALIDATORS": [
                          {"NAME": DJ + "MinimumLengthValidator",
                           "OPTIONS": {"min_length": 1}}]})) as s:
        t.run(change_old_field, s)
    with h.Stack(cfg({"REST_AUTH": {"LOGOUT_ON_PASSWORD_CHANGE": True}})) \
            as s:
        t.run(change_logout, s)
    mb = Mailbox()
    try:
        with h.Stack(cfg(mb.config(), {"PASSWORD_RESET_TIMEOUT": 2})) as s:
            t.run(confirm_expiry, s, mb)
    finally:
        mb.remove()
    with h.Stack(cfg({"EMAIL_SENDMAIL": "/bin/false",
                      "DEFAULT_FROM_EMAIL": FROM})) as s:
        t.run(sendmail_fails, s)
    mb = Mailbox()
    try:
        # The default (slow) PASSWORD_HASHER: a hash on one path only
        # would show.
        with h.Stack(dict(mb.config(), PASSWORD_RESET_COOLDOWN=0)) as s:
            t.run(reset_mails, s, mb)
    finally:
        mb.remove()


main()
t.done()
