"""registration/, registration/verify-email/ and
registration/resend-email/: dj-rest-auth 7.1.1's RegisterView,
VerifyEmailView and ResendEmailVerificationView on django-allauth, in
three configurations: token mode with optional verification (HMAC keys),
JWT cookie mode, and e-mail-only login with mandatory verification
(stored keys). Mail goes through tests/http/capture_mail.sh; keys are
read out of the captured messages, and HMAC keys are checked against
Django's own django.core.signing."""
import email
import email.policy
import os
import re
import shutil
import tempfile
import time
from unittest import mock

import harness as h

from django.conf import settings as dj_settings
dj_settings.configure(SECRET_KEY="unused: every call passes key=")
from django.core import signing  # noqa: E402

t = h.Tests(__file__)

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "capture_mail.sh")
FAST = h.FAST
FROM = "Restauth <noreply@example.com>"
CONFIRM_URL = "https://app.example/confirm/{key}/"
LINK_RE = re.compile(r"https://app\.example/confirm/([^/\s]+)/")
DJ = "django.contrib.auth.password_validation."
FOUR = [{"NAME": DJ + "UserAttributeSimilarityValidator"},
        {"NAME": DJ + "MinimumLengthValidator"},
        {"NAME": DJ + "CommonPasswordValidator"},
        {"NAME": DJ + "NumericPasswordValidator"}]

REG = "/auth/registration/"
VERIFY = "/auth/registration/verify-email/"
RESEND = "/auth/registration/resend-email/"
LOGIN = "/auth/login/"
PW = "Tr0ub4dor&3x!"

REQUIRED = ["This field is required."]
BLANK = ["This field may not be blank."]
NULL = ["This field may not be null."]
NOTSTR = ["Not a valid string."]
NULCHR = ["Null characters are not allowed."]
MAX150 = ["Ensure this field has no more than 150 characters."]
MAX254 = ["Ensure this field has no more than 254 characters."]
BAD_NAME = ["Enter a valid username. This value may contain only letters, "
            "numbers, and @/./+/-/_ characters."]
TAKEN = ["A user with that username already exists."]
BLACKLISTED = ["Username can not be used. Please use other username."]
BAD_EMAIL = ["Enter a valid email address."]
EMAIL_TAKEN = ["User is already registered with this e-mail address."]
MISMATCH = {"non_field_errors": ["The two password fields didn't match."]}
SIMILAR = {"non_field_errors": ["The password is too similar to the "
                                "username."]}
SENT = {"detail": "Verification e-mail sent."}
OK = {"detail": "ok"}
NOT_FOUND = {"detail": "Not found."}
NOT_VERIFIED = {"non_field_errors": ["E-mail is not verified."]}


def cfg(*extra):
    c = dict(FAST)
    for e in extra:
        for k, v in e.items():
            if isinstance(v, dict) and isinstance(c.get(k), dict):
                c[k] = dict(c[k], **v)
            else:
                c[k] = v
    return c


class Mailbox:
    """A directory for capture_mail.sh; take() returns the new mails."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="restauth-regmail-")
        self.seen = set()

    def config(self):
        return {"EMAIL_SENDMAIL": CAPTURE + " " + self.dir,
                "DEFAULT_FROM_EMAIL": FROM, "EMAIL_CONFIRM_URL": CONFIRM_URL}

    def files(self):
        out = []
        for f in os.listdir(self.dir):
            if not f.startswith("."):
                try:
                    out.append((os.stat(os.path.join(self.dir, f))
                                .st_mtime_ns, f))
                except OSError:
                    pass
        return [f for _, f in sorted(out)]

    def take(self, expect, timeout=h.MAIL_WAIT, settle=0.3):
        deadline = time.time() + timeout
        while True:
            fresh = [f for f in self.files() if f not in self.seen]
            if len(fresh) >= expect or time.time() > deadline:
                break
            time.sleep(0.03)
        time.sleep(settle)
        fresh = [f for f in self.files() if f not in self.seen]
        self.seen.update(fresh)
        out = []
        for f in fresh:
            with open(os.path.join(self.dir, f), "rb") as fh:
                msg = email.message_from_bytes(fh.read(),
                                               policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain",)).get_content()
            m = LINK_RE.search(body)
            out.append({"to": [a.addr_spec for a in msg["To"].addresses],
                        "subject": str(msg["Subject"]), "body": body,
                        "key": m.group(1) if m else None})
        return out

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def expect(what, r, status, body):
    t.eq(what + ": status", r.status, status)
    t.eq(what + ": body", r.json, body)


def reg(s, **data):
    return s.post(REG, json=data)


def new(name, mail=None, pw=PW, pw2=None):
    d = {"username": name, "password1": pw, "password2": pw2 or pw}
    if mail is not None:
        d["email"] = mail
    return d


def users(s, name):
    return s.sql("SELECT id, username, email, last_login IS NOT NULL, "
                 "is_active, is_staff, is_superuser FROM auth_user WHERE "
                 "upper(username) = upper(:'p1') ORDER BY id", name)


def addresses(s, mail):
    return s.sql("SELECT a.id, a.user_id, a.email, a.verified, a.\"primary\" "
                 "FROM account_emailaddress a WHERE upper(a.email) = "
                 "upper(:'p1') ORDER BY a.id", mail)


def django_loads(s, key, max_age=3 * 86400):
    return signing.loads(key, key=s.secret, salt="account", max_age=max_age)


def django_dumps(s, pk, at=None):
    if at is None:
        return signing.dumps(pk, key=s.secret, salt="account")
    with mock.patch("time.time", return_value=at):
        return signing.dumps(pk, key=s.secret, salt="account")


# --- token mode, optional verification, HMAC keys ---

def fields(s, mb):
    expect("empty body", s.post(REG, json={}), 400,
           {"username": REQUIRED, "password1": REQUIRED,
            "password2": REQUIRED})
    expect("blank and null", reg(s, username="", email="", password1=None,
                                 password2=[]), 400,
           {"username": BLANK, "email": BLANK, "password1": NULL,
            "password2": NOTSTR})
    expect("151 characters", s.post(REG, json=new("a" * 151)), 400,
           {"username": MAX150})
    expect("bad username, bad email, weak password",
           s.post(REG, json=new("a b", "nope", pw="123")), 400,
           {"username": BAD_NAME, "email": BAD_EMAIL,
            "password1": ["This password is too short. It must contain at "
                          "least 8 characters.",
                          "This password is too common.",
                          "This password is entirely numeric."]})
    expect("blacklisted (any case)", s.post(REG, json=new("ADMIN")), 400,
           {"username": BLACKLISTED})
    expect("mismatch", s.post(REG, json=new("mia", pw2=PW + "x")), 400,
           MISMATCH)
    # validate() runs only once every field is valid.
    expect("mismatch hidden by a field error",
           s.post(REG, json=new("mia", "bad", pw2=PW + "x")), 400,
           {"email": BAD_EMAIL})
    expect("similar to the username (after the fields)",
           s.post(REG, json=new("johnsmith99", pw="johnsmith99!")), 400,
           SIMILAR)
    t.eq("nothing was created", s.sql(
        "SELECT count(*) FROM auth_user")[0][0], "0")
    t.eq("no mail", len(mb.take(0, timeout=0.2)), 0)
    expect("form body, email 255 characters",
           s.post(REG, form={"username": "f", "email": "a" * 243 +
                             "@example.com", "password1": PW,
                             "password2": PW}), 400, {"email": MAX254})


def success(s, mb):
    r = s.post(REG, json=new("Alice", "Alice@Example.com"))
    t.eq("201", r.status, 201)
    key = (r.json or {}).get("key", "")
    t.check("token key", re.fullmatch(r"[0-9a-f]{40}", key), repr(r))
    t.eq("no-store", r.header("Cache-Control"), "no-store")
    rows = users(s, "alice")
    t.eq("one user, as typed, logged in", [x[1:] for x in rows],
         [["Alice", "Alice@Example.com", "t", "t", "f", "f"]])
    uid = rows[0][0]
    t.eq("password hashed", s.sql(
        "SELECT password LIKE 'argon2$argon2id$%' FROM auth_user WHERE id ="
        " :'p1'", uid), [["t"]])
    t.eq("token row", s.sql("SELECT key FROM authtoken_token WHERE user_id"
                            " = :'p1'", uid), [[key]])
    addr = addresses(s, "alice@example.com")
    t.eq("address: as typed, unverified, primary",
         [a[1:] for a in addr], [[uid, "Alice@Example.com", "f", "t"]])
    r = s.get("/auth/user/", token=key)
    t.eq("the token works", (r.status, (r.json or {}).get("username")),
         (200, "Alice"))
    ms = mb.take(1)
    t.eq("one confirmation mail", len(ms), 1)
    m = ms[0] if ms else {"to": [], "key": None, "subject": "", "body": ""}
    t.eq("to the address", m["to"], ["Alice@Example.com"])
    t.eq("subject", m["subject"], "[Test] Confirm your e-mail address")
    t.check("names the account", '"Alice"' in m["body"], m["body"])
    t.eq("Django reads the key: the address pk",
         django_loads(s, m["key"]), int(addr[0][0]))
    t.eq("login works before verification (optional)",
         s.post(LOGIN, json={"username": "alice", "password": PW}).status,
         200)
    # Verify with the key from the mail; it works once.
    expect("verify", s.post(VERIFY, json={"key": m["key"]}), 200, OK)
    t.eq("verified", addresses(s, "alice@example.com")[0][3], "t")
    expect("the same key again", s.post(VERIFY, json={"key": m["key"]}),
           404, NOT_FOUND)


def duplicates(s, mb):
    s.post(REG, json=new("bob", "bob@example.com"))
    mb.take(1)
    expect("username taken, other case",
           s.post(REG, json=new("BOB", "bob2@example.com")), 400,
           {"username": TAKEN})
    expect("email taken, other case",
           s.post(REG, json=new("bobby", "BOB@EXAMPLE.COM")), 400,
           {"email": EMAIL_TAKEN})
    expect("both taken", s.post(REG, json=new("Bob", "Bob@example.com")),
           400, {"username": TAKEN, "email": EMAIL_TAKEN})
    # An address only in auth_user (the admin tool's users) counts too.
    s.createuser("carl", PW, email="carl@example.com")
    expect("email of a user without an address row",
           s.post(REG, json=new("carl2", "CARL@example.com")), 400,
           {"email": EMAIL_TAKEN})
    t.eq("still one bob", len(users(s, "bob")), 1)
    t.eq("no mail for refusals", len(mb.take(0, timeout=0.2)), 0)


def flip_last(key):
    """The key with its last signature character changed (never to itself)."""
    return key[:-1] + ("B" if key[-1] == "A" else "A")


def verify_keys(s, mb):
    s.post(REG, json=new("dora", "dora@example.com"))
    mb.take(1)
    aid = int(addresses(s, "dora@example.com")[0][0])
    expect("no key", s.post(VERIFY, json={}), 400, {"key": REQUIRED})
    expect("blank key", s.post(VERIFY, json={"key": ""}), 400,
           {"key": BLANK})
    expect("NUL in key", s.post(VERIFY, json={"key": "a\u0000b"}), 400,
           {"key": NULCHR})
    for bad in ["nope", "NDI:1r31eq:x", ":::", "' OR 1=1 --",
                flip_last(django_dumps(s, aid)),
                signing.dumps(aid, key="another secret", salt="account"),
                signing.dumps(aid, key=s.secret, salt="other"),
                django_dumps(s, aid, time.time() - 3 * 86400 - 60),
                django_dumps(s, 999999), "k" * 1024]:
        expect("bad key %r" % bad[:40], s.post(VERIFY, json={"key": bad}),
               404, NOT_FOUND)
    expect("over-long key", s.post(VERIFY, json={"key": "k" * 1025}), 400,
           {"key": ["Ensure this field has no more than 1024 "
                    "characters."]})
    t.eq("still unverified", addresses(s, "dora@example.com")[0][3], "f")
    # A key Django minted with the same SECRET_KEY, two days old.
    expect("Django's key", s.post(VERIFY, json={
        "key": django_dumps(s, aid, time.time() - 2 * 86400)}), 200, OK)
    t.eq("verified", addresses(s, "dora@example.com")[0][3], "t")
    r = s.get(VERIFY)
    t.eq("GET verify-email: 405", (r.status, r.header("Allow")),
         (405, "POST, OPTIONS"))


def resend(s, mb):
    s.post(REG, json=new("erin", "erin@example.com"))
    mb.take(1)
    expect("unknown address", s.post(RESEND, json={"email":
                                                   "nobody@example.com"}),
           200, OK)
    expect("within the cooldown", s.post(RESEND, json={
        "email": "ERIN@example.com"}), 200, OK)
    t.eq("no mail within the cooldown", len(mb.take(0, timeout=0.3)), 0)
    s.sql("UPDATE restauth_email_sent SET sent = now() - interval '181 "
          "seconds' WHERE email = 'ERIN@EXAMPLE.COM'")
    expect("after the cooldown", s.post(RESEND, json={
        "email": "ERIN@example.com"}), 200, OK)
    ms = mb.take(1)
    t.eq("one mail", [m["to"] for m in ms], [["erin@example.com"]])
    expect("at once again", s.post(RESEND, json={"email":
                                                 "erin@example.com"}),
           200, OK)
    t.eq("no second mail", len(mb.take(0, timeout=0.3)), 0)
    if ms:
        expect("the resent key verifies", s.post(VERIFY, json={
            "key": ms[0]["key"]}), 200, OK)
        t.check("resend text", "new confirmation link" in ms[0]["body"],
                ms[0]["body"])
    s.sql("UPDATE restauth_email_sent SET sent = now() - interval '1 day'")
    expect("verified address", s.post(RESEND, json={"email":
                                                    "erin@example.com"}),
           200, OK)
    t.eq("no mail for a verified address", len(mb.take(0, timeout=0.3)), 0)
    expect("bad address", s.post(RESEND, json={"email": "x"}), 400,
           {"email": BAD_EMAIL})
    expect("no address (EMAIL_REQUIRED false)", s.post(RESEND, json={}),
           200, OK)


def hostile(s, mb):
    ok = ["Zo\u00eb", "\u00fcn\u00efc\u00f6d\u00e9", "\u540d\u524d",
          "b" * 150, "12345", "a.b@c+d-e_f"]
    for i, name in enumerate(ok):
        r = s.post(REG, json=new(name, "h%d@example.com" % i))
        t.eq("accepted %r" % name[:20], r.status, 201)
        t.eq("stored %r exactly" % name[:20], [u[1] for u in
                                               users(s, name)], [name])
    r = s.post(REG, json=new("  spaced  ", "sp@example.com"))
    t.eq("whitespace trimmed (DRF)", (r.status, [u[1] for u in
                                                 users(s, "spaced")]),
         (201, ["spaced"]))
    r = s.post(REG, json={"username": 4242, "email": "num@example.com",
                          "password1": PW, "password2": PW})
    t.eq("a number is its str()", [u[1] for u in users(s, "4242")],
         ["4242"])
    refused = [
        ("x'; DROP TABLE auth_user; --", BAD_NAME),
        ("robert'); --", BAD_NAME),
        ("a\u200bb", BAD_NAME),
        ("smile\U0001F600", BAD_NAME),
        ("tab\there", BAD_NAME),
        ("a\u0000b", NULCHR),
        ("\u00e9" * 151, MAX150),
        ("\u0000", NULCHR),
    ]
    for name, msg in refused:
        expect("refused %r" % name[:20], s.post(REG, json=new(
            name, "r@example.com")), 400, {"username": msg})
    for bad in ["no-at", "a@b", "a b@example.com", "a@\nexample.com",
                "<script>@example.com", "a@-example.com"]:
        expect("email %r" % bad, s.post(REG, json=new("em", bad)), 400,
               {"email": BAD_EMAIL})
    r = s.post(REG, json=new("trim", " \ttrim@example.com\n"))
    t.eq("address trimmed (DRF)", (r.status, [a[2] for a in addresses(
        s, "trim@example.com")]), (201, ["trim@example.com"]))
    expect("email with NUL", s.post(REG, json=new("em", "a\u0000@x.com")),
           400, {"email": NULCHR})
    # SQL-looking but valid addresses are just text.
    r = s.post(REG, json=new("quote", "o'brien--@example.com"))
    t.eq("quote in address: 201", r.status, 201)
    t.eq("stored as sent", [a[2] for a in addresses(
        s, "o'brien--@example.com")], ["o'brien--@example.com"])
    r = s.post(REG, json=new("idn", "a@ex\u00e4mple.com"))
    t.eq("IDN domain: 201", r.status, 201)
    r = s.post(REG, body=b'{"username": "x", "username": "y"}',
               headers={"Content-Type": "application/json"})
    t.eq("duplicate keys: 400", r.status, 400)
    r = s.post(REG, body=b'{"username": "\xff"}',
               headers={"Content-Type": "application/json"})
    t.eq("invalid UTF-8: 400", r.status, 400)
    r = s.post(REG, body=b"[" * 40 + b"]" * 40,
               headers={"Content-Type": "application/json"})
    t.eq("deep JSON: 400", r.status, 400)
    t.eq("tables intact", s.sql("SELECT count(*) > 0 FROM auth_user"),
         [["t"]])
    mb.take(len(ok) + 5, timeout=3)


def python_rules(s, mb):
    """The username as Django sees it: UnicodeUsernameValidator with
    Python re's \\w (numbers that are not letters are in, combining
    marks are out, unlike the C library's iswalnum)."""
    for name in ("\u00b2b", "\u00bd", "\u2460x"):
        r = s.post(REG, json=new(name, "py%d@example.com" % ord(name[0])))
        t.eq("Python \\w: %r accepted" % name, r.status, 201)
    for name in ("\u0915\u093e", "a\u0345", "\u05d0\u05b0"):
        expect("not Python \\w: %r" % name, s.post(REG, json=new(
            name, "r@example.com")), 400, {"username": BAD_NAME})
    t.eq("a mail per new user", len(mb.take(3)), 3)


def lowered(s, mb):
    """PRESERVE_USERNAME_CASING off: allauth stores str.lower() of the
    name (final sigma, U+0130's two code points), not towlower's."""
    names = ("\u039f\u0394\u039f\u03a3", "\u0130x", "Ann")
    for i, name in enumerate(names):
        r = s.post(REG, json=new(name, "low%d@example.com" % i))
        t.eq("lower-cased as Python: %r" % name,
             (r.status, s.sql("SELECT username FROM auth_user WHERE "
                              "email = :'p1'", "low%d@example.com" % i)),
             (204, [[name.lower()]]))
    t.eq("a mail per new user", len(mb.take(3)), 3)


def methods(s):
    for path, name in [(REG, "Register"), (VERIFY, "Verify Email"),
                       (RESEND, "Resend Email Verification")]:
        r = s.get(path)
        expect("GET " + path, r, 405, {"detail": 'Method "GET" not '
                                                 'allowed.'})
        t.eq("Allow " + path, r.header("Allow"), "POST, OPTIONS")
        r = s.request("OPTIONS", path)
        t.eq("OPTIONS " + path, (r.status, (r.json or {}).get("name")),
             (200, name))


# --- JWT cookie mode, no verification ---

def jwt_mode(s, mb):
    r = s.post(REG, json=new("jay", "jay@example.com"))
    t.eq("201", r.status, 201)
    body = r.json or {}
    t.eq("JWT fields", sorted(body), ["access", "refresh", "user"])
    t.eq("refresh kept out of the body (HttpOnly)", body.get("refresh"), "")
    uid = int(users(s, "jay")[0][0])
    t.eq("user", body.get("user"), {"pk": uid, "username": "jay",
                                    "email": "jay@example.com",
                                    "first_name": "", "last_name": ""})
    cookies = {c.split("=", 1)[0]: c for c in r.cookies()}
    t.check("access cookie", "access" in cookies and "HttpOnly" in
            cookies["access"], r.cookies())
    t.check("refresh cookie", "refresh" in cookies and "HttpOnly" in
            cookies["refresh"], r.cookies())
    t.eq("no-store", r.header("Cache-Control"), "no-store")
    t.eq("no DRF token", s.sql("SELECT count(*) FROM authtoken_token"),
         [["0"]])
    t.eq("refresh token recorded", s.sql(
        "SELECT count(*) FROM token_blacklist_outstandingtoken WHERE "
        "user_id = :'p1'", uid), [["1"]])
    r2 = s.get("/auth/user/", headers={
        "Authorization": "Bearer " + body.get("access", "")})
    t.eq("the access token works", (r2.status, (r2.json or {}).get("pk")),
         (200, uid))
    acc = cookies.get("access", "=;").split("=", 1)[1].split(";", 1)[0]
    r2 = s.get("/auth/user/", headers={"Cookie": "access=" + acc})
    t.eq("the access cookie works", r2.status, 200)
    t.eq("address row made, unverified",
         [a[3:] for a in addresses(s, "jay@example.com")], [["f", "t"]])
    t.eq("no mail (EMAIL_VERIFICATION none)", len(mb.take(0, timeout=0.3)),
         0)
    expect("duplicate", s.post(REG, json=new("JAY", "other@example.com")),
           400, {"username": TAKEN})
    r = s.post(REG, json=new("nomail"))
    t.eq("no address: 201", r.status, 201)
    t.eq("no address row", s.sql(
        "SELECT count(*) FROM account_emailaddress a JOIN auth_user u ON "
        "u.id = a.user_id WHERE u.username = 'nomail'"), [["0"]])


# --- e-mail only, mandatory verification, stored keys ---

def email_only(s, mb):
    expect("email required", s.post(REG, json={"password1": PW,
                                                "password2": PW}),
           400, {"email": REQUIRED})
    r = s.post(REG, json={"email": "Carol.Ann@Example.com",
                          "password1": PW, "password2": PW})
    expect("201 without credentials", r, 201, SENT)
    t.check("no token header", r.header("Cache-Control") is None, r.headers)
    rows = s.sql("SELECT id, username, email, last_login IS NULL FROM "
                 "auth_user WHERE upper(email) = 'CAROL.ANN@EXAMPLE.COM'")
    t.eq("username made from the address; not logged in",
         [x[1:] for x in rows], [["carol.ann", "Carol.Ann@Example.com",
                                  "t"]])
    t.eq("no token", s.sql("SELECT count(*) FROM authtoken_token"),
         [["0"]])
    ms = mb.take(1)
    t.eq("one mail", [m["to"] for m in ms], [["Carol.Ann@Example.com"]])
    key = ms[0]["key"] if ms else ""
    t.check("stored key: 64 of [a-z0-9]", re.fullmatch(r"[a-z0-9]{64}",
                                                        key or ""), key)
    t.eq("stored in account_emailconfirmation", s.sql(
        "SELECT count(*) FROM account_emailconfirmation WHERE key = "
        ":'p1' AND sent IS NOT NULL", key), [["1"]])
    login = {"email": "carol.ann@example.com", "password": PW}
    expect("login before verification", s.post(LOGIN, json=login), 400,
           NOT_VERIFIED)
    expect("wrong password still says so", s.post(LOGIN, json={
        "email": "carol.ann@example.com", "password": "x"}), 400,
        {"non_field_errors": ["Unable to log in with provided "
                              "credentials."]})
    expect("login by username refused", s.post(LOGIN, json={
        "username": "carol.ann", "password": PW}), 400,
        {"non_field_errors": ['Must include "email" and "password".']})
    # Same local part elsewhere: the made-up username gets digits.
    r = s.post(REG, json={"email": "carol.ann@other.example",
                          "password1": PW, "password2": PW})
    t.eq("second carol.ann: 201", r.status, 201)
    name = s.sql("SELECT username FROM auth_user WHERE email = "
                 "'carol.ann@other.example'")
    t.check("suffixed username", name and re.fullmatch(
        r"carol\.ann[0-9]{4,}", name[0][0]), name)
    mb.take(1)
    expect("email taken (other case)", s.post(REG, json={
        "email": "CAROL.ANN@example.COM", "password1": PW,
        "password2": PW}), 400, {"email": EMAIL_TAKEN})
    # A username may still be given.
    r = s.post(REG, json={"username": "dave", "email": "d@example.com",
                          "password1": PW, "password2": PW})
    t.eq("explicit username kept", (r.status, [u[1] for u in
                                               users(s, "dave")]),
         (201, ["dave"]))
    mb.take(1)
    # Stored keys: compared lower-cased, as allauth does; an HMAC key is
    # not one.
    aid = int(addresses(s, "carol.ann@example.com")[0][0])
    expect("HMAC key in stored mode", s.post(VERIFY, json={
        "key": django_dumps(s, aid)}), 404, NOT_FOUND)
    expect("verify (upper-cased key)", s.post(VERIFY, json={
        "key": key.upper()}), 200, OK)
    r = s.post(LOGIN, json=login)
    t.check("login after verification", r.status == 200 and
            re.fullmatch(r"[0-9a-f]{40}", (r.json or {}).get("key", "")),
            repr(r))
    t.eq("login by address, any case", s.post(LOGIN, json={
        "email": "CAROL.ANN@EXAMPLE.COM", "password": PW}).status, 200)
    expect("used key", s.post(VERIFY, json={"key": key}), 404, NOT_FOUND)
    # Expiry: a key sent more than EMAIL_CONFIRMATION_EXPIRE_DAYS ago.
    s.sql("UPDATE restauth_email_sent SET sent = now() - interval '1 day'")
    expect("resend", s.post(RESEND, json={"email": "d@example.com"}), 200,
           OK)
    ms = mb.take(1)
    key2 = ms[0]["key"] if ms else ""
    s.sql("UPDATE account_emailconfirmation SET sent = now() - interval "
          "'3 days 1 minute' WHERE key = :'p1'", key2)
    expect("expired stored key", s.post(VERIFY, json={"key": key2}), 404,
           NOT_FOUND)
    s.sql("UPDATE account_emailconfirmation SET sent = now() - interval "
          "'2 days' WHERE key = :'p1'", key2)
    expect("stored key within its days", s.post(VERIFY, json={
        "key": key2}), 200, OK)
    # Login finds users through account_emailaddress too (allauth's
    # filter_users_by_email): a second, verified address of dave's.
    uid = s.sql("SELECT id FROM auth_user WHERE username = 'dave'")[0][0]
    s.sql("INSERT INTO account_emailaddress (email, verified, \"primary\", "
          "user_id) VALUES ('dave.alt@example.com', true, false, :'p1')",
          uid)
    t.eq("login by a second address", s.post(LOGIN, json={
        "email": "Dave.Alt@example.com", "password": PW}).status, 200)


# --- no token model, session login ---

def no_token(s, mb):
    r = s.post(REG, json=new("sam", "sam@example.com"))
    t.eq("204 without a body", (r.status, r.body), (204, b""))
    t.check("a fresh csrftoken (Django's login())", any(
        c.startswith("csrftoken=") for c in r.cookies()), r.cookies())
    t.eq("no token", s.sql("SELECT count(*) FROM authtoken_token"),
         [["0"]])
    t.eq("logged in", [u[3] for u in users(s, "sam")], ["t"])
    t.eq("mail (optional verification)", len(mb.take(1)), 1)


def main():
    mb = Mailbox()
    try:
        with h.Stack(cfg(mb.config(), {
                "AUTH_PASSWORD_VALIDATORS": FOUR,
                "ACCOUNT": {"USERNAME_BLACKLIST": ["admin"],
                            "EMAIL_SUBJECT_PREFIX": "[Test] "}})) as s:
            t.run(fields, s, mb)
            t.run(success, s, mb)
            t.run(duplicates, s, mb)
            t.run(verify_keys, s, mb)
            t.run(resend, s, mb)
            t.run(hostile, s, mb)
            t.run(python_rules, s, mb)
            t.run(methods, s)
    finally:
        mb.remove()
    mb = Mailbox()
    try:
        with h.Stack(cfg(mb.config(), {
                "REST_AUTH": {"USE_JWT": True, "JWT_AUTH_COOKIE": "access",
                              "JWT_AUTH_REFRESH_COOKIE": "refresh",
                              "JWT_AUTH_HTTPONLY": True},
                "ACCOUNT": {"EMAIL_VERIFICATION": "none"}})) as s:
            t.run(jwt_mode, s, mb)
    finally:
        mb.remove()
    mb = Mailbox()
    try:
        with h.Stack(cfg(mb.config(), {"REST_AUTH": {
                "TOKEN_MODEL": None, "SESSION_LOGIN": True},
                "ACCOUNT": {"PRESERVE_USERNAME_CASING": False}})) as s:
            t.run(no_token, s, mb)
            t.run(lowered, s, mb)
    finally:
        mb.remove()
    mb = Mailbox()
    try:
        with h.Stack(cfg(mb.config(), {"ACCOUNT": {
                "AUTHENTICATION_METHOD": "email", "EMAIL_REQUIRED": True,
                "UNIQUE_EMAIL": True, "USERNAME_REQUIRED": False,
                "EMAIL_VERIFICATION": "mandatory",
                "EMAIL_CONFIRMATION_HMAC": False}})) as s:
            t.run(email_only, s, mb)
    finally:
        mb.remove()


main()
t.done()
