"""MFA (issue 14): dj-rest-auth 7.2's dj_rest_auth.mfa through real HTTP,
with restauth's hardening (SPEC-mfa-passkeys-social.md sections 1 and 4.1):
login/ answering an ephemeral token, mfa/verify/ completing the login in
token, JWT (HttpOnly cookies, blacklist) and session mode, enrolment,
deactivation, status and recovery codes.

Nothing here trusts restauth's own code for a secret value:
- TOTP codes come from oathtool (OATH Toolkit), each checked against
  python3-pyotp, the library dj-rest-auth itself uses;
- recovery codes are derived here from the seed in the table
  (HMAC-SHA256(seed bytes, str(i)), first 8 hex digits, "xxxx-xxxx");
- Django's django.core.signing (Debian's python3-django) reads the
  tokens and the stored secret restauth writes, and makes the tokens and
  rows a Django deployment would (login tokens at chosen times, activation
  tokens, signed secrets): restauth must accept them.
Enrolments are mostly written straight into dj_rest_auth_mfa_authenticator
as Django writes them (no last_step key), so each account starts with no
burned TOTP step; a step is accepted once, so scenarios use fresh users."""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import xml.etree.ElementTree as ET

import jwt as pyjwt
import pyotp
import pyotp.utils
from django.conf import settings as django_settings

import harness as h

# Every signing call below passes the stack's key; this one is never used.
django_settings.configure(SECRET_KEY="unused: each call passes its key")
from django.core import signing  # noqa: E402 (needs the settings)

try:
    from django.utils.baseconv import base62 as _b62

    def b62(n):
        return _b62.encode(n)

    def b62dec(s):
        return _b62.decode(s)
except ImportError:  # Django 4.x and later
    b62 = signing.b62_encode
    b62dec = signing.b62_decode

t = h.Tests(__file__)

PW = "mfa test pw"
VERIFY = "/auth/mfa/verify/"
ACTIVATE = "/auth/mfa/totp/activate/"
DEACTIVATE = "/auth/mfa/totp/deactivate/"
STATUS = "/auth/mfa/status/"
CODES = "/auth/mfa/recovery-codes/"
REGEN = "/auth/mfa/recovery-codes/regenerate/"
ROUTES = (VERIFY, ACTIVATE, DEACTIVATE, STATUS, CODES, REGEN)
LOGIN_SALT = "dj-rest-auth-mfa"
ACTIVATION_SALT = "dj-rest-auth-mfa-activation"
SECRET_SALT = "dj-rest-auth-mfa-totp-secret"

REQUIRED = ["This field is required."]
BLANK = ["This field may not be blank."]
NULL = ["This field may not be null."]
NOTSTR = ["Not a valid string."]
NULCHAR = ["Null characters are not allowed."]
BAD_TOKEN = {"ephemeral_token": ["Invalid or expired token."]}
DISABLED = {"detail": ["User account is disabled."]}
BAD_CODE = {"code": ["Invalid code."]}
BAD_ACT = {"activation_token": ["Invalid or expired activation token."]}
OTHER_ACT = {"activation_token": ["Invalid activation token for this user."]}
ACT_CODE = {"code": ["Invalid code. Please check your authenticator app "
                     "and try again."]}
ALREADY = {"detail": "MFA is already enabled. Deactivate it before "
                     "activating again."}
NOT_ENABLED = {"detail": "MFA is not enabled."}
DEACTIVATED = {"detail": "TOTP has been deactivated."}
NOT_FOUND = {"detail": "Not found."}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
UNABLE = {"non_field_errors": ["Unable to log in with provided credentials."]}
LOGIN_DISABLED = {"non_field_errors": ["User account is disabled."]}
NOT_VERIFIED = {"non_field_errors": ["E-mail is not verified."]}
NO_CSRF = {"detail": "CSRF Failed: CSRF cookie not set."}
THROTTLED = re.compile(
    r"^Request was throttled\. Expected available in (\d+) seconds?\.$")
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
B32_SECRET = re.compile(r"[A-Z2-7]{32}")
RCODE = re.compile(r"[0-9a-f]{4}-[0-9a-f]{4}")
SCOPED = "rest_framework.throttling.ScopedRateThrottle"
# DRF's view names (get_view_name of dj-rest-auth's classes).
NAMES = {VERIFY: "Mfa Verify", ACTIVATE: "Totp Activate",
         DEACTIVATE: "Totp Deactivate", STATUS: "Mfa Status",
         CODES: "Recovery Codes", REGEN: "Recovery Codes Regenerate"}
ALLOW = {VERIFY: "POST, OPTIONS", ACTIVATE: "GET, POST, HEAD, OPTIONS",
         DEACTIVATE: "POST, OPTIONS", STATUS: "GET, HEAD, OPTIONS",
         CODES: "POST, OPTIONS", REGEN: "POST, OPTIONS"}


def mfa_config(**rest_auth):
    """MFA on; LOGIN_FAILURE_LIMIT high: these scenarios try many wrong
    codes for one account (the backoff has its own stack)."""
    return {"PASSWORD_HASHER": h.FAST_HASHER, "LOGIN_FAILURE_LIMIT": 1000,
            "REST_AUTH": dict({"MFA_ENABLED": True}, **rest_auth)}


# --- answers ---

def same(what, r, status, body):
    """Status and JSON body, keys in order."""
    ok = r.status == status and r.json is not None and \
        json.dumps(r.json) == json.dumps(body)
    return t.check(what, ok, "got %d %r, want %d %r" % (
        r.status, r.json if r.json is not None else r.body[:300], status,
        body))


def maxlen(n):
    return ["Ensure this field has no more than %d characters." % n]


def cookie_names(r):
    return [line.split("=", 1)[0] for line in r.cookies()]


def cookie_of(r, name):
    """The value of the cookie r sets, or None."""
    pairs = (line.split(";", 1)[0].split("=", 1) for line in r.cookies())
    return dict(pairs).get(name)


def cookie_shape(r):
    """Set-Cookie lines with the value and the date taken out: what a
    login's cookies must share with another login's."""
    out = []
    for line in r.cookies():
        name, rest = line.split("=", 1)
        attrs = rest.split("; ")[1:]
        out.append((name, [a for a in attrs
                           if not a.lower().startswith("expires=")]))
    return out


# --- independent TOTP and recovery codes ---

# Every code, secret and token the scenarios use: none may reach the log.
SECRETS = set()


def oath(secret, at, digits=6, period=30):
    """The TOTP code of secret at unix time `at`, by oathtool (6 to 8
    digits; pyotp's alone for 9); pyotp must give the same."""
    py = pyotp.TOTP(secret, digits=digits, interval=period).at(at)
    code = py
    if digits <= 8:
        code = subprocess.run(
            ["oathtool", "--totp", "-b", "-d", str(digits), "-s",
             "%ds" % period, "-N", "@%d" % at, secret],
            capture_output=True, text=True, check=True).stdout.strip()
    if code != py:
        t.check("oathtool and pyotp agree at %d" % at, False,
                "%s vs %s" % (code, py))
    SECRETS.add(code)
    return code


def rcodes(seed, count):
    out = []
    for i in range(count):
        d = hmac.new(bytes.fromhex(seed), str(i).encode("ascii"),
                     hashlib.sha256).hexdigest()[:8]
        out.append(d[:4] + "-" + d[4:])
    return out


def settle(period):
    """Not within 3 s of a step boundary: a code for "now" is computed
    and checked within one step."""
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.05)


class Account:
    """A user with a TOTP secret (known to the test) and the steps the
    server has accepted."""

    def __init__(self, s, name, uid, secret, digits=6, period=30,
                 seed=None):
        self.s, self.name, self.uid, self.secret = s, name, uid, secret
        self.digits, self.period, self.seed = digits, period, seed
        self.last = -1  # the last step the server accepted
        self.pending = None  # the step of the last code() call

    def step(self):
        return int(time.time()) // self.period

    def at_step(self, step):
        return oath(self.secret, step * self.period, self.digits,
                    self.period)

    def code(self):
        """A code the server must take: the current step, or the next one
        when the current step is used."""
        settle(self.period)
        st = max(self.step(), self.last + 1)
        if st > self.step() + 1:
            time.sleep((st - 1) * self.period - time.time() + 0.05)
        self.pending = st
        return self.at_step(st)

    def took(self):
        """The server accepted the code of the last code() call."""
        self.last = self.pending


# --- Django's side ---

def dj_login_token(key, uid, at):
    """TimestampSigner(salt="dj-rest-auth-mfa").sign(str(pk)) at time at."""
    class At(signing.TimestampSigner):
        def timestamp(self):
            return b62(at)
    return At(key=key, salt=LOGIN_SALT).sign(str(uid))


def dj_activation_token(key, uid, secret, at):
    """signing.dumps({"uid", "secret"}, salt=...) at time at."""
    class At(signing.TimestampSigner):
        def timestamp(self):
            return b62(at)
    payload = signing.b64_encode(json.dumps(
        {"uid": uid, "secret": secret}, separators=(",", ":")).encode())
    return At(key=key, salt=ACTIVATION_SALT).sign(payload.decode())


def dj_signed_secret(key, secret):
    return signing.Signer(key=key, salt=SECRET_SALT).sign(secret)


_issued = set()  # (uid, ts) of every login token used here


def token(s, uid, at=None, key=None):
    """A login token for uid as Django makes it, one not handed out
    before (a token is "<pk>:<ts>:<sig>", the same within a second)."""
    if at is None:
        at = int(time.time())
        while (uid, at) in _issued:
            at -= 1
    _issued.add((uid, at))
    tok = dj_login_token(key or s.secret, uid, at)
    SECRETS.add(tok)
    return tok


def mfa_login(s, name, password=PW, **kw):
    """login/ for a user with TOTP: the ephemeral token, a fresh one."""
    while True:
        r = s.post("/auth/login/", json={"username": name,
                                         "password": password}, **kw)
        tok = (r.json or {}).get("ephemeral_token") if isinstance(
            r.json, dict) else None
        if r.status != 200 or not isinstance(tok, str):
            raise RuntimeError("MFA login of %s: %r" % (name, r))
        parts = tok.split(":")
        key = (int(parts[0]), b62dec(parts[1]))
        if key not in _issued:
            _issued.add(key)
            SECRETS.add(tok)
            return tok, r
        time.sleep(1.05 - time.time() % 1)


# --- setup ---

def enrol_sql(s, uid, secret=None, seed=None):
    """The rows dj-rest-auth 7.2 writes at activation (Django's JSON:
    the signed secret only, no last_code yet)."""
    secret = secret or pyotp.random_base32()
    seed = seed or os.urandom(32).hex()
    s.sql("INSERT INTO dj_rest_auth_mfa_authenticator (type, data, "
          "created_at, last_used_at, user_id) VALUES ('totp', :'p1'::jsonb, "
          "now(), NULL, :'p3'), ('recovery_codes', :'p2'::jsonb, now(), "
          "NULL, :'p3')",
          json.dumps({"secret": dj_signed_secret(s.secret, secret)}),
          json.dumps({"seed": seed, "used_mask": 0}), uid)
    SECRETS.update([secret, seed] + rcodes(seed, 10))
    return secret, seed


def enrolled(s, name, uid):
    """The Account of user uid, enrolled as Django would."""
    secret, seed = enrol_sql(s, uid)
    return Account(s, name, uid, secret, seed=seed)


def mfa_user(s, name, email=""):
    return enrolled(s, name, s.createuser(name, PW, email=email))


def rows(s, uid):
    """type -> (data, created_at set, last_used_at set)."""
    out = {}
    for typ, data, cr, lu in s.sql(
            "SELECT type, data::text, created_at IS NOT NULL, last_used_at "
            "IS NOT NULL FROM dj_rest_auth_mfa_authenticator WHERE user_id "
            "= :'p1'", uid):
        out[typ] = (json.loads(data), cr == "t", lu == "t")
    return out


def iso(s, uid, typ, col):
    """A timestamp of a row as DRF writes it (isoformat, Z)."""
    v = s.sql("SELECT to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:"
              "MI:SS.US') FROM dj_rest_auth_mfa_authenticator WHERE user_id "
              "= :'p1' AND type = :'p2'" % col, uid, typ)
    if not v or v[0][0] == "":
        return None
    v = v[0][0]
    return (v[:-7] if v.endswith(".000000") else v) + "Z"


def last_login_set(s, uid):
    return s.sql("SELECT last_login IS NOT NULL FROM auth_user WHERE id = "
                 ":'p1'", uid)[0][0] == "t"


def count(s, table, where="true", *params):
    return int(s.sql("SELECT count(*) FROM %s WHERE %s" % (table, where),
                     *params)[0][0])


def token_row(s, tok):
    """(attempts, used) of a login token in restauth_mfa_token."""
    r = s.sql("SELECT attempts, used_at IS NOT NULL FROM restauth_mfa_token "
              "WHERE digest = sha256(convert_to(:'p1', 'UTF8'))", tok)
    return (int(r[0][0]), r[0][1] == "t") if r else None


def verify(s, tok, code, **kw):
    return s.post(VERIFY, json={"ephemeral_token": tok, "code": code}, **kw)


def parallel(s, bodies, path=VERIFY, headers=None):
    """POST every JSON body at once, one thread each; [Resp or repr]."""
    out = [None] * len(bodies)
    gate = threading.Barrier(len(bodies))

    def go(i):
        try:
            gate.wait(h.scaled(30))
            out[i] = s.post(path, json=bodies[i], headers=headers,
                            timeout=max(60, h.TIMEOUT))
        except Exception as e:  # judged by the caller
            out[i] = repr(e)
    ths = [threading.Thread(target=go, args=(i,)) for i in range(len(bodies))]
    for th in ths:
        th.start()
    for th in ths:
        th.join(h.scaled(120))
    return out


def totp_url(name, secret, issuer="", digits=6, period=30):
    """otpauth:// as SPEC 1.4 writes it (pyotp's build_uri)."""
    label = urllib.parse.quote(name)
    q = [("secret", secret)]
    if issuer:
        label = urllib.parse.quote(issuer) + ":" + label
        q.append(("issuer", issuer))
    if digits != 6:
        q.append(("digits", digits))
    if period != 30:
        q.append(("period", period))
    return "otpauth://totp/%s?%s" % (
        label, urllib.parse.urlencode(q).replace("+", "%20"))


def qr_text(what, uri):
    """The text of the QR code in a data:image/svg+xml URI (librsvg renders
    it, zbar reads it), or None when those tools are missing."""
    if not shutil.which("rsvg-convert") or not shutil.which("zbarimg"):
        t.skip(what + ": QR decoded", "rsvg-convert or zbarimg missing")
        return None
    try:
        svg = base64.b64decode(uri.split(",", 1)[1])
    except (IndexError, ValueError):
        return ""
    d = tempfile.mkdtemp(prefix="restauth-mfa-qr-")
    try:
        png = os.path.join(d, "qr.png")
        subprocess.run(["rsvg-convert", "-b", "white", "-a", "-w", "600",
                        "-o", png], input=svg, capture_output=True)
        r = subprocess.run(["zbarimg", "-q", "--raw", png],
                           capture_output=True)
        return r.stdout.decode("utf-8", "replace").rstrip("\n")
    finally:
        shutil.rmtree(d)


# ===================================================================
# MFA_ENABLED false
# ===================================================================

def disabled(s):
    uid = s.createuser("off", PW)
    enrol_sql(s, uid)
    key = s.login("off", PW)
    t.check("MFA off: login/ of a user with a totp row is the plain login",
            isinstance(key, str) and len(key) == 40, key)
    for path in ROUTES:
        for m in ("GET", "POST"):
            for auth in (None, key):
                r = s.request(m, path, token=auth, json={} if m == "POST"
                              else None)
                same("MFA off: %s %s%s" % (m, path, " (auth)" if auth
                                           else ""), r, 404, NOT_FOUND)
    r = verify(s, token(s, uid), "123456")
    same("MFA off: verify with a valid token", r, 404, NOT_FOUND)


# ===================================================================
# token mode
# ===================================================================

def login_answer(s):
    plain = s.createuser("plain", PW)
    r = s.post("/auth/login/", json={"username": "plain", "password": PW})
    t.eq("user without totp: the plain login", (r.status, list(r.json or {})),
         (200, ["key"]))
    plain_cookies = cookie_shape(r)
    t.check("no totp row for the plain user", rows(s, plain) == {})

    a = mfa_user(s, "mia", email="mia@example.com")
    s.sql("UPDATE auth_user SET last_login = NULL WHERE id = :'p1'", a.uid)
    s.sql("DELETE FROM restauth_login_failure")
    for _ in range(2):
        r = s.post("/auth/login/", json={"username": "mia",
                                         "password": "wrong"})
        same("MFA user, wrong password", r, 400, UNABLE)
    t.eq("wrong passwords counted", count(s, "restauth_login_failure"), 1)
    sessions = count(s, "django_session")
    tok, r = mfa_login(s, "mia")
    t.eq("MFA login: 200", r.status, 200)
    t.eq("MFA login: keys in order", list(r.json), ["ephemeral_token",
                                                    "mfa_required"])
    t.check("MFA login: mfa_required is true",
            r.json.get("mfa_required") is True, r.json)
    t.eq("MFA login: exact compact body", r.body, json.dumps(
        {"ephemeral_token": tok, "mfa_required": True},
        separators=(",", ":")).encode())
    t.check("MFA login: token is <pk>:<ts>:<sig>",
            re.fullmatch(r"%d:[0-9A-Za-z]+:[A-Za-z0-9_-]{43}" % a.uid, tok)
            is not None, tok)
    try:
        pk = signing.TimestampSigner(key=s.secret, salt=LOGIN_SALT).unsign(
            tok, max_age=300)
    except signing.BadSignature as e:
        pk = repr(e)
    t.eq("Django's TimestampSigner reads the token", pk, str(a.uid))
    t.check("MFA login: ts is now", abs(b62dec(tok.split(":")[1]) -
                                        time.time()) <= 5, tok)
    t.eq("MFA login: Cache-Control", r.header("Cache-Control"), "no-store")
    t.eq("MFA login: no Set-Cookie", r.cookies(), [])
    t.eq("MFA login: no token row",
         count(s, "authtoken_token", "user_id = :'p1'", a.uid), 0)
    t.eq("MFA login: no session", count(s, "django_session"), sessions)
    t.check("MFA login: last_login unchanged", not last_login_set(s, a.uid))
    t.eq("MFA login: the failed-login counter is cleared",
         count(s, "restauth_login_failure"), 0)
    r = s.post("/auth/login/", json={"username": "MIA", "password": PW})
    t.eq("MFA login, other case: ephemeral token",
         list(r.json or {}), ["ephemeral_token", "mfa_required"])
    r = s.post("/auth/login/", form={"username": "mia", "password": PW})
    t.eq("MFA login, form body: ephemeral token",
         list(r.json or {}), ["ephemeral_token", "mfa_required"])

    r = verify(s, tok, a.code())
    t.eq("verify: 200", r.status, 200)
    a.took()
    t.eq("verify: the login answer's keys", list(r.json or {}), ["key"])
    key = (r.json or {}).get("key")
    t.check("verify: key is 40 hex", isinstance(key, str) and re.fullmatch(
        "[0-9a-f]{40}", key) is not None, key)
    t.eq("verify: the token row is the user's", s.sql(
        "SELECT key FROM authtoken_token WHERE user_id = :'p1'", a.uid),
        [[key]])
    t.eq("verify: Cache-Control", r.header("Cache-Control"), "no-store")
    t.eq("verify: the cookies of a login (SESSION_LOGIN)", cookie_shape(r),
         plain_cookies)
    sid = cookie_of(r, "sessionid")
    t.eq("verify: a session row", count(
        s, "django_session", "session_key = :'p1'", sid or ""), 1)
    t.check("verify: last_login set", last_login_set(s, a.uid))
    r = s.get("/auth/user/", token=key)
    t.eq("verify: the key authenticates", (r.status, (r.json or {}).get(
        "pk")), (200, a.uid))
    r = s.get("/auth/user/", headers={"Cookie": "sessionid=%s" % sid})
    t.eq("verify: the session authenticates", (r.status, (r.json or {}).get(
        "pk")), (200, a.uid))
    t.eq("verify: token marked used", (token_row(s, tok) or (0, None))[1],
         True)
    same("verify: the token is single-use, next step's code", verify(
        s, tok, a.code()), 400, BAD_TOKEN)
    r = s.post("/auth/login/", json={"username": "mia", "password": PW})
    t.eq("login/ again still asks for the code", list(r.json or {}),
         ["ephemeral_token", "mfa_required"])

    # login/'s own refusals come first.
    b = mfa_user(s, "ned")
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", b.uid)
    same("MFA user inactive: login/ refuses", s.post(
        "/auth/login/", json={"username": "ned", "password": PW}), 400,
        LOGIN_DISABLED)
    same("MFA user, unknown name", s.post(
        "/auth/login/", json={"username": "nobody", "password": PW}), 400,
        UNABLE)


def same_second(s):
    """A login token is "<pk>:<ts>:<sig>": two logins within a second
    would get the same one. After the first is spent, the second still
    gets one that works."""
    a = mfa_user(s, "sue")
    time.sleep(1.02 - time.time() % 1)
    tok1, _ = mfa_login(s, "sue")
    r = verify(s, tok1, a.code())
    t.eq("same second: the first login's verify: 200", r.status, 200)
    a.took()
    r = s.post("/auth/login/", json={"username": "sue", "password": PW})
    tok2 = (r.json or {}).get("ephemeral_token", "")
    SECRETS.add(tok2)
    t.check("same second: the second login gets another token",
            tok2 not in ("", tok1), tok2)
    r = verify(s, tok2, a.code())
    t.eq("same second: the second token works", r.status, 200)
    a.took()


def enrolment(s):
    uid = s.createuser("eve", PW, email="eve+mfa@example.com")
    key = s.login("eve", PW)
    before = count(s, "dj_rest_auth_mfa_authenticator")
    r = s.get(ACTIVATE, token=key)
    t.eq("GET activate: 200", r.status, 200)
    j = r.json or {}
    t.eq("GET activate: keys in order", list(j), [
        "secret", "totp_url", "qr_code_data_uri", "activation_token"])
    secret = j.get("secret", "")
    t.check("secret: 32 of A-Z2-7", B32_SECRET.fullmatch(secret) is not None,
            secret)
    want = totp_url("eve+mfa@example.com", secret)
    t.eq("totp_url exact", j.get("totp_url"), want)
    t.eq("totp_url is pyotp's provisioning_uri", j.get("totp_url"),
         pyotp.TOTP(secret).provisioning_uri(name="eve+mfa@example.com"))
    qr = j.get("qr_code_data_uri", "")
    t.check("qr: an SVG data URI", qr.startswith(
        "data:image/svg+xml;base64,"), qr[:60])
    try:
        root = ET.fromstring(base64.b64decode(qr.split(",", 1)[1],
                                              validate=True))
        tag = root.tag
    except Exception as e:
        tag = repr(e)
    t.check("qr: well-formed SVG", tag.endswith("svg"), tag)
    text = qr_text("qr", qr)
    if text is not None:
        t.eq("qr: encodes the totp_url", text, want)
    act = j.get("activation_token", "")
    SECRETS.update([secret, act])
    t.check("activation token: 3 parts", len(act.split(":")) == 3, act)
    try:
        payload = signing.loads(act, key=s.secret, salt=ACTIVATION_SALT,
                                max_age=300)
    except signing.BadSignature as e:
        payload = repr(e)
    t.eq("Django loads the activation token", payload,
         {"uid": uid, "secret": secret})
    t.eq("activation token payload in order", list(json.loads(
        signing.b64_decode(act.split(":")[0].encode())) if act else []),
        ["uid", "secret"])
    t.eq("GET activate wrote nothing",
         count(s, "dj_rest_auth_mfa_authenticator"), before)
    r2 = s.get(ACTIVATE, token=key)
    t.check("a second GET: another secret",
            (r2.json or {}).get("secret") not in (None, secret), r2.json)
    same("status before activation", s.get(STATUS, token=key), 200,
         {"mfa_enabled": False, "created_at": None, "last_used_at": None})

    settle(30)
    step = int(time.time()) // 30
    code = oath(secret, step * 30)
    r = s.post(ACTIVATE, token=key, json={"activation_token": act,
                                          "code": code})
    t.eq("confirm: 200", r.status, 200)
    t.eq("confirm: keys", list(r.json or {}), ["recovery_codes"])
    got = (r.json or {}).get("recovery_codes") or []
    t.eq("confirm: 10 recovery codes", len(got), 10)
    t.check("confirm: codes are xxxx-xxxx",
            all(RCODE.fullmatch(c) for c in got), got)
    rw = rows(s, uid)
    t.eq("confirm: two rows", sorted(rw), ["recovery_codes", "totp"])
    data = rw.get("totp", ({}, 0, 0))[0]
    try:
        plain = signing.Signer(key=s.secret, salt=SECRET_SALT).unsign(
            data.get("secret", ""))
    except signing.BadSignature as e:
        plain = repr(e)
    t.eq("totp data.secret: Django's Signer reads the secret", plain, secret)
    t.eq("totp data.secret: Signer's exact value", data.get("secret"),
         dj_signed_secret(s.secret, secret))
    t.eq("totp data.last_code: the confirming code", data.get("last_code"),
         code)
    t.eq("totp data.last_step: the confirming step", data.get("last_step"),
         step)
    t.check("totp created_at set", rw.get("totp", (0, False))[1])
    rc = rw.get("recovery_codes", ({}, 0, 0))[0]
    seed = rc.get("seed", "")
    t.check("recovery seed: 64 lower-case hex",
            re.fullmatch("[0-9a-f]{64}", seed) is not None, seed)
    t.eq("recovery used_mask 0", rc.get("used_mask"), 0)
    t.eq("recovery data keys", sorted(rc), ["seed", "used_mask"])
    if re.fullmatch("[0-9a-f]{64}", seed):
        t.eq("recovery codes derived from the seed", got, rcodes(seed, 10))
    st = s.get(STATUS, token=key).json or {}
    t.eq("status after activation: enabled", st.get("mfa_enabled"), True)
    t.eq("status created_at: the row's", st.get("created_at"),
         iso(s, uid, "totp", "created_at"))
    t.check("status created_at: ISO Z", ISO_Z.fullmatch(
        str(st.get("created_at"))) is not None, st)
    t.eq("status last_used_at: null", st.get("last_used_at"), None)
    same("confirm again: already enabled", s.post(
        ACTIVATE, token=key, json={"activation_token": act, "code": code}),
        400, ALREADY)
    same("confirm with no body when enabled: already enabled (first)",
         s.post(ACTIVATE, token=key, json={}), 400, ALREADY)
    r = s.get(ACTIVATE, token=key)
    t.eq("GET activate while enabled: 200 (no writes)", r.status, 200)
    t.eq("GET activate while enabled: the row kept", rows(s, uid).get(
        "totp", ({},))[0].get("secret"), dj_signed_secret(s.secret, secret))

    # The confirming code is burned; the next step's works.
    a = Account(s, "eve", uid, secret, seed=seed)
    a.last = step
    tok, _ = mfa_login(s, "eve")
    same("verify with the confirming code: burned", verify(s, tok, code),
         400, BAD_CODE)
    c2 = a.code()
    r = verify(s, tok, c2)
    t.eq("verify with the next step's code: 200", r.status, 200)
    a.took()
    data = rows(s, uid).get("totp", ({},))[0]
    t.eq("verify: data.last_code", data.get("last_code"), c2)
    t.eq("verify: data.last_step", data.get("last_step"), a.last)
    st = s.get(STATUS, token=key).json or {}
    t.eq("status last_used_at after a verify", st.get("last_used_at"),
         iso(s, uid, "totp", "last_used_at"))
    t.check("status last_used_at: ISO Z", ISO_Z.fullmatch(
        str(st.get("last_used_at"))) is not None, st)


def activation_errors(s):
    uid = s.createuser("fay", PW)
    other = s.createuser("gil", PW)
    key = s.login("fay", PW)
    okey = s.login("gil", PW)
    j = s.get(ACTIVATE, token=key).json or {}
    act, secret = j.get("activation_token", ""), j.get("secret", "")
    oj = s.get(ACTIVATE, token=okey).json or {}
    settle(30)
    code = oath(secret, int(time.time()))
    same("confirm: both missing", s.post(ACTIVATE, token=key, json={}), 400,
         {"activation_token": REQUIRED, "code": REQUIRED})
    same("confirm: both blank", s.post(ACTIVATE, token=key, json={
        "activation_token": "", "code": " "}), 400,
        {"activation_token": BLANK, "code": BLANK})
    same("confirm: code of 33 characters", s.post(ACTIVATE, token=key, json={
        "activation_token": act, "code": "1" * 33}), 400,
        {"code": maxlen(32)})
    same("confirm: token of 513 characters", s.post(
        ACTIVATE, token=key, json={"activation_token": "a" * 513,
                                   "code": code}), 400,
        {"activation_token": maxlen(512)})
    for what, bad in (("garbage", "garbage"), ("3 parts", "a:b:c"),
                      ("512 characters", "a" * 512),
                      ("tampered", act[:-1] + ("A" if act[-1:] != "A"
                                               else "B")),
                      ("a login token", dj_login_token(
                          s.secret, uid, int(time.time()))),
                      ("another SECRET_KEY", dj_activation_token(
                          "another secret key " * 3, uid, secret,
                          int(time.time()))),
                      ("expired", dj_activation_token(
                          s.secret, uid, secret, int(time.time()) - 305)),
                      ("non-ASCII", "\u00e9t\u00e9:\u00e9:\u00e9")):
        same("confirm: activation token %s" % what, s.post(
            ACTIVATE, token=key, json={"activation_token": bad,
                                       "code": code}), 400, BAD_ACT)
    same("confirm: bad token and wrong code: the token first", s.post(
        ACTIVATE, token=key, json={"activation_token": "x", "code": "1"}),
        400, BAD_ACT)
    same("confirm: another user's token", s.post(
        ACTIVATE, token=key, json={
            "activation_token": oj.get("activation_token", ""),
            "code": oath(oj.get("secret", "A" * 32), int(time.time()))}),
        400, OTHER_ACT)
    same("confirm: Django-made token of another uid", s.post(
        ACTIVATE, token=key, json={"activation_token": dj_activation_token(
            s.secret, other, secret, int(time.time())), "code": code}),
        400, OTHER_ACT)
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    same("confirm: wrong code", s.post(ACTIVATE, token=key, json={
        "activation_token": act, "code": wrong}), 400, ACT_CODE)
    same("confirm: non-ASCII code", s.post(ACTIVATE, token=key, json={
        "activation_token": act, "code": "\u00fcber"}), 400, ACT_CODE)
    t.eq("nothing written by the refusals", rows(s, uid), {})
    # A token Django made (near the end of its life) for a secret of
    # ours works.
    mine = pyotp.random_base32()
    at = int(time.time()) - 290
    r = s.post(ACTIVATE, token=key, json={
        "activation_token": dj_activation_token(s.secret, uid, mine, at),
        "code": oath(mine, int(time.time()))})
    t.eq("confirm with Django's activation token: 200", r.status, 200)
    data = rows(s, uid).get("totp", ({},))[0]
    t.eq("stored: our secret, signed", data.get("secret"),
         dj_signed_secret(s.secret, mine))
    same("status: enabled", s.get(STATUS, token=key), 200, {
        "mfa_enabled": True, "created_at": iso(s, uid, "totp", "created_at"),
        "last_used_at": None})


def activation_race(s):
    uid = s.createuser("hub", PW)
    key = s.login("hub", PW)
    j = s.get(ACTIVATE, token=key).json or {}
    settle(30)
    body = {"activation_token": j.get("activation_token"),
            "code": oath(j.get("secret", "A" * 32), int(time.time()))}
    res = parallel(s, [body] * 20, path=ACTIVATE,
                   headers={"Authorization": "Token " + key})
    t.eq("parallel confirms: no client errors",
         [r for r in res if isinstance(r, str)], [])
    ok = [r for r in res if not isinstance(r, str) and r.status == 200]
    t.eq("parallel confirms: exactly one 200", len(ok), 1)
    others = [(r.status, json.dumps(r.json)) for r in res
              if not isinstance(r, str) and r.status != 200]
    t.eq("parallel confirms: the others are 'already enabled'",
         set(others), {(400, json.dumps(ALREADY))})
    t.eq("parallel confirms: one row each", s.sql(
        "SELECT type, count(*) FROM dj_rest_auth_mfa_authenticator WHERE "
        "user_id = :'p1' GROUP BY type ORDER BY type", uid),
        [["recovery_codes", "1"], ["totp", "1"]])
    if len(ok) == 1:
        seed = rows(s, uid).get("recovery_codes", ({},))[0].get("seed", "")
        t.eq("parallel confirms: the winner's codes are stored",
             ok[0].json.get("recovery_codes"), rcodes(seed, 10))


def verify_fields(s):
    a = mfa_user(s, "ivy")
    tok = token(s, a.uid)
    cases = [
        ("both missing", {}, {"ephemeral_token": REQUIRED,
                              "code": REQUIRED}),
        ("both blank", {"ephemeral_token": "", "code": ""},
         {"ephemeral_token": BLANK, "code": BLANK}),
        ("whitespace only", {"ephemeral_token": "  ", "code": " \t"},
         {"ephemeral_token": BLANK, "code": BLANK}),
        ("code missing", {"ephemeral_token": tok}, {"code": REQUIRED}),
        ("token missing", {"code": "123456"}, {"ephemeral_token": REQUIRED}),
        ("code of 10 characters", {"ephemeral_token": tok,
                                   "code": "1234567890"},
         {"code": maxlen(9)}),
        ("token of 513 characters", {"ephemeral_token": tok + "a" * (
            513 - len(tok)), "code": "123456"},
         {"ephemeral_token": maxlen(512)}),
        ("both too long", {"ephemeral_token": "x" * 600, "code": "1" * 10},
         {"ephemeral_token": maxlen(512), "code": maxlen(9)}),
        ("null code", {"ephemeral_token": tok, "code": None},
         {"code": NULL}),
        ("list code", {"ephemeral_token": tok, "code": ["123456"]},
         {"code": NOTSTR}),
        ("boolean code", {"ephemeral_token": tok, "code": True},
         {"code": NOTSTR}),
        ("object token", {"ephemeral_token": {"a": 1}, "code": "123456"},
         {"ephemeral_token": NOTSTR}),
        ("garbage token, no code", {"ephemeral_token": "garbage"},
         {"code": REQUIRED}),
        ("NUL in the token", {"ephemeral_token": tok.replace(":", "\u0000",
                                                             1),
                              "code": "123456"},
         {"ephemeral_token": NULCHAR}),
        ("NUL in the code", {"ephemeral_token": tok, "code": "12\u00003456"},
         {"code": NULCHAR}),
    ]
    for what, body, want in cases:
        same("verify fields: " + what, s.post(VERIFY, json=body), 400, want)
    same("verify: GET", s.get(VERIFY), 405,
         {"detail": 'Method "GET" not allowed.'})
    r = s.post(VERIFY, body='{"ephemeral_token": ',
               headers={"Content-Type": "application/json"})
    t.check("verify: malformed JSON: DRF's parse error", r.status == 400 and
            str((r.json or {}).get("detail", "")).startswith(
                "JSON parse error - "), r)
    same("verify: a JSON list", s.post(VERIFY, json=[tok, "123456"]), 400,
         {"non_field_errors": ["Invalid data. Expected a dictionary, but "
                               "got list."]})
    same("verify: text/plain", s.post(VERIFY, body="x", headers={
        "Content-Type": "text/plain"}), 415,
        {"detail": 'Unsupported media type "text/plain" in request.'})
    t.eq("verify: field errors spent no try", token_row(s, tok) in (
        None, (0, False)), True)
    r = s.post(VERIFY, form={"ephemeral_token": tok, "code": a.code()})
    t.eq("verify: a form body, after field errors: 200", r.status, 200)
    a.took()
    # A JSON number is a string to DRF's CharField (leading zeros lost).
    b = mfa_user(s, "ivo")
    c = b.code()
    r = s.post(VERIFY, json={"ephemeral_token": token(s, b.uid),
                             "code": int(c)})
    if c[0] == "0":
        same("verify: code as a JSON number, leading zero lost", r, 400,
             BAD_CODE)
    else:
        t.eq("verify: code as a JSON number", r.status, 200)
        b.took()
    c = b.code()
    r = verify(s, token(s, b.uid), " %s\t" % c)
    t.eq("verify: code with surrounding blanks (trimmed)", r.status, 200)
    b.took()


def verify_tokens(s):
    a = mfa_user(s, "jon")
    now = int(time.time())
    c = a.at_step(a.step())
    good = token(s, a.uid)
    sig_bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    parts = good.split(":")
    bad = [
        ("garbage", "garbage"), ("one colon", "abc:def"),
        ("three parts", "1:2:3"), ("colons", "::"), ("pk alone", str(a.uid)),
        ("tampered signature", sig_bad),
        ("another pk, same ts and sig", "%d:%s:%s" % (a.uid + 1, parts[1],
                                                      parts[2])),
        ("extra part", good + ":x"),
        ("512 characters", "9" * 512),
        ("non-ASCII", "\u00fc:\u00fc:\u00fc"),
        ("300 non-ASCII characters", "\u00e9" * 300),
        ("another SECRET_KEY", token(s, a.uid, key="another secret " * 4)),
        ("the activation salt", dj_activation_token(s.secret, a.uid,
                                                     a.secret, now)),
        ("salt of the stored secret", signing.Signer(
            key=s.secret, salt=SECRET_SALT).sign(str(a.uid))),
        ("no timestamp (plain Signer)", signing.Signer(
            key=s.secret, salt=LOGIN_SALT).sign(str(a.uid))),
        ("expired (301 s old)", token(s, a.uid, at=now - 301)),
        ("unknown pk", token(s, 987654321)),
        ("negative pk", token(s, -1)),
        ("huge pk", dj_login_token(s.secret, "9" * 40, now)),
        ("pk not a number", dj_login_token(s.secret, "alice", now)),
    ]
    for what, tok in bad:
        r = verify(s, tok, c)
        same("verify token %s" % what, r, 400, BAD_TOKEN)
    # Django's token, nearly 300 s old, works.
    c = a.code()
    r = verify(s, token(s, a.uid, at=int(time.time()) - 290), c)
    t.eq("verify: Django's token 290 s old: 200", r.status, 200)
    a.took()

    # Inactive: after the token, before the code.
    b = mfa_user(s, "kim")
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", b.uid)
    same("verify: inactive user, right code", verify(
        s, token(s, b.uid), b.at_step(b.step())), 400, DISABLED)
    same("verify: inactive user, wrong code", verify(
        s, token(s, b.uid), "000000"), 400, DISABLED)
    same("verify: inactive user, bad token: the token first",
         verify(s, "x:y:z", "000000"), 400, BAD_TOKEN)
    s.sql("UPDATE auth_user SET is_active = true WHERE id = :'p1'", b.uid)
    r = verify(s, token(s, b.uid), b.code())
    t.eq("verify: active again: 200", r.status, 200)
    b.took()

    # A deleted user: the same 400 (never a 5xx); its rows go with it.
    d = mfa_user(s, "del")
    tok = token(s, d.uid)
    s.sql("DELETE FROM auth_user WHERE id = :'p1'", d.uid)
    t.eq("deleted user: MFA rows deleted with it", rows(s, d.uid), {})
    same("verify: deleted user", verify(s, tok, d.at_step(d.step())), 400,
         BAD_TOKEN)


def verify_attempts(s):
    a = mfa_user(s, "lea")
    tok = token(s, a.uid)
    good = a.at_step(a.step())
    wrong = "%06d" % ((int(good) + 500000) % 1000000)
    for i in range(4):
        same("verify: wrong code %d" % (i + 1), verify(s, tok, wrong), 400,
             BAD_CODE)
    t.eq("four wrong codes: four tries", (token_row(s, tok) or (None,))[0], 4)
    r = verify(s, tok, a.code())
    t.eq("the right code after 4 wrong ones (5th try): 200", r.status, 200)
    a.took()

    b = mfa_user(s, "lou")
    tok = token(s, b.uid)
    for i in range(5):
        same("verify: wrong code %d of 5" % (i + 1), verify(s, tok, wrong),
             400, BAD_CODE)
    same("after 5 tries the token is dead, right code", verify(
        s, tok, b.at_step(b.step())), 400, BAD_TOKEN)
    same("a dead token stays dead", verify(s, tok, wrong), 400, BAD_TOKEN)
    r = verify(s, token(s, b.uid), b.code())
    t.eq("a fresh token works", r.status, 200)
    b.took()


def verify_codes(s):
    """Steps accepted once and in order; recovery codes once; what pyotp
    takes (NFKC) and what it does not."""
    a = mfa_user(s, "max")
    settle(30)
    T = a.step()
    cT, cT1, cTm1 = a.at_step(T), a.at_step(T + 1), a.at_step(T - 1)
    r = verify(s, token(s, a.uid), cT)
    t.eq("code of step T: 200", r.status, 200)
    same("the same code again: refused", verify(s, token(s, a.uid), cT),
         400, BAD_CODE)
    same("step T-1 after T: refused", verify(s, token(s, a.uid), cTm1),
         400, BAD_CODE)
    data = rows(s, a.uid).get("totp", ({},))[0]
    t.eq("after T: last_step", data.get("last_step"), T)
    t.eq("after T: last_code", data.get("last_code"), cT)
    r = verify(s, token(s, a.uid), cT1)
    t.eq("code of step T+1: 200", r.status, 200)
    same("step T after T+1: refused", verify(s, token(s, a.uid), cT), 400,
         BAD_CODE)
    r = verify(s, token(s, a.uid), a.at_step(T + 2))
    if a.step() == T:
        same("step T+2 (outside the window): refused", r, 400, BAD_CODE)
    else:
        t.skip("step T+2 (outside the window)", "step T ended meanwhile")
    t.eq("after T+1: last_step", rows(s, a.uid).get("totp", ({},))[0].get(
        "last_step"), T + 1)

    # A fresh account takes the previous step, then the current one.
    b = mfa_user(s, "meg")
    settle(30)
    T = b.step()
    cT = b.at_step(T)
    r = verify(s, token(s, b.uid), b.at_step(T - 1))
    t.eq("step T-1 on a fresh account: 200", r.status, 200)
    r = verify(s, token(s, b.uid), cT)
    t.eq("then step T: 200", r.status, 200)

    # Unicode: pyotp NFKC-folds both sides; restauth must agree.
    c = mfa_user(s, "nia")
    settle(30)
    T = c.step()
    cT = c.at_step(T)
    fold = {"full-width": "".join(chr(0xFF10 + int(x)) for x in cT),
            "superscript": "".join("\u2070\u00b9\u00b2\u00b3\u2074\u2075"
                                   "\u2076\u2077\u2078\u2079"[int(x)]
                                   for x in cT),
            "Arabic-Indic": "".join(chr(0x0660 + int(x)) for x in cT),
            "Devanagari": "".join(chr(0x0966 + int(x)) for x in cT)}
    for what, sent in fold.items():
        t.eq("pyotp and NFKC agree on %s digits" % what,
             pyotp.utils.strings_equal(sent, cT),
             unicodedata.normalize("NFKC", sent) == cT)
    for what in ("Arabic-Indic", "Devanagari"):
        same("%s digits (pyotp refuses them)" % what, verify(
            s, token(s, c.uid), fold[what]), 400, BAD_CODE)
    for what, sent in (("emoji", "\U0001F600" * 3), ("accents", "\u00fcber"),
                       ("full-width, wrong", "\uff11" * 6),
                       ("9 characters", "123456789"), ("inner space",
                                                        cT[:3] + " " +
                                                        cT[3:])):
        same("code %s" % what, verify(s, token(s, c.uid), sent), 400,
             BAD_CODE)
    r = verify(s, token(s, c.uid), fold["full-width"])
    t.eq("full-width digits of step T: 200", r.status, 200)
    sup = "".join("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078"
                  "\u2079"[int(x)] for x in c.at_step(T + 1))
    r = verify(s, token(s, c.uid), sup)
    t.eq("superscript digits of step T+1: 200", r.status, 200)

    # Recovery codes: each once, case-insensitive, hyphen required.
    d = mfa_user(s, "oli")
    codes = rcodes(d.seed, 10)
    r = verify(s, token(s, d.uid), codes[3])
    t.eq("recovery code 3: 200", r.status, 200)
    key = (r.json or {}).get("key", "")
    rw = rows(s, d.uid)
    t.eq("recovery code 3: bit 3 set", rw.get("recovery_codes", ({},))[0].get(
        "used_mask"), 8)
    t.eq("recovery code 3: seed kept", rw.get("recovery_codes", ({},))[0].get(
        "seed"), d.seed)
    t.check("recovery code 3: last_used_at set",
            rw.get("recovery_codes", (0, 0, False))[2])
    same("recovery code 3 again: refused", verify(s, token(s, d.uid),
                                                  codes[3]), 400, BAD_CODE)
    r = verify(s, token(s, d.uid), codes[4].upper())
    t.eq("recovery code 4 in upper case: 200", r.status, 200)
    same("recovery code 5 without its hyphen", verify(
        s, token(s, d.uid), codes[5].replace("-", "")), 400, BAD_CODE)
    r = verify(s, token(s, d.uid), codes[5])
    t.eq("recovery code 5: 200", r.status, 200)
    same("an index past MFA_RECOVERY_CODE_COUNT", verify(
        s, token(s, d.uid), rcodes(d.seed, 11)[10]), 400, BAD_CODE)
    same("recovery-codes/: the unused ones in order", s.post(
        CODES, token=key), 200, {"codes": [c for i, c in enumerate(codes)
                                           if i not in (3, 4, 5)]})
    st = s.get(STATUS, token=key).json or {}
    t.eq("status last_used_at: the recovery row's", st.get("last_used_at"),
         iso(s, d.uid, "recovery_codes", "last_used_at"))


def verify_races(s):
    a = mfa_user(s, "pam")
    settle(30)
    code = a.at_step(a.step())
    base = int(time.time())
    bodies = [{"ephemeral_token": token(s, a.uid, at=base - i), "code": code}
              for i in range(50)]
    t.eq("50 distinct tokens", len({b["ephemeral_token"] for b in bodies}),
         50)
    res = parallel(s, bodies)
    t.eq("50 tokens, one code: no client errors",
         [r for r in res if isinstance(r, str)], [])
    res = [r for r in res if not isinstance(r, str)]
    t.eq("50 tokens, one code: exactly one 200",
         sum(1 for r in res if r.status == 200), 1)
    t.eq("50 tokens, one code: the others Invalid code", {
        (r.status, json.dumps(r.json)) for r in res if r.status != 200},
        {(400, json.dumps(BAD_CODE))})
    t.eq("50 tokens, one code: one token row used", count(
        s, "authtoken_token", "user_id = :'p1'", a.uid), 1)

    b = mfa_user(s, "quinn")
    settle(30)
    tok = token(s, b.uid)
    res = parallel(s, [{"ephemeral_token": tok,
                        "code": b.at_step(b.step())}] * 50)
    t.eq("one token 50 times: no client errors",
         [r for r in res if isinstance(r, str)], [])
    res = [r for r in res if not isinstance(r, str)]
    t.eq("one token 50 times: exactly one 200",
         sum(1 for r in res if r.status == 200), 1)
    answers = {(r.status, json.dumps(r.json)) for r in res
               if r.status != 200}
    t.check("one token 50 times: the others Invalid token or Invalid code",
            answers <= {(400, json.dumps(BAD_TOKEN)),
                        (400, json.dumps(BAD_CODE))}, answers)
    t.check("one token 50 times: at most 4 codes checked besides the "
            "winner", sum(1 for r in res if r.json == BAD_CODE) <= 4,
            sum(1 for r in res if r.json == BAD_CODE))


def deactivate(s):
    uid = s.createuser("ray", PW)
    key = s.login("ray", PW)
    same("deactivate without MFA, no body: not enabled (first)", s.post(
        DEACTIVATE, token=key, json={}), 400, NOT_ENABLED)
    same("regenerate without MFA", s.post(REGEN, token=key), 400,
         NOT_ENABLED)
    same("recovery-codes without a row", s.post(CODES, token=key), 200,
         {"codes": []})
    a = enrolled(s, "ray", uid)
    seed = a.seed
    same("deactivate: code missing", s.post(DEACTIVATE, token=key, json={}),
         400, {"code": REQUIRED})
    same("deactivate: code blank", s.post(DEACTIVATE, token=key,
                                          json={"code": ""}), 400,
         {"code": BLANK})
    same("deactivate: code of 33", s.post(DEACTIVATE, token=key, json={
        "code": "1" * 33}), 400, {"code": maxlen(32)})
    r = s.post(DEACTIVATE, token=key, json={"code": "1" * 32})
    same("deactivate: code of 32 (allowed length, wrong)", r, 400, BAD_CODE)
    same("deactivate: a recovery code is refused", s.post(
        DEACTIVATE, token=key, json={"code": rcodes(seed, 10)[0]}), 400,
        BAD_CODE)
    same("deactivate: non-ASCII", s.post(DEACTIVATE, token=key, json={
        "code": "\u00fc" * 6}), 400, BAD_CODE)
    # The step verify took cannot deactivate.
    c = a.code()
    r = verify(s, token(s, uid), c)
    t.eq("verify before deactivate: 200", r.status, 200)
    a.took()
    same("deactivate with the code verify used: refused", s.post(
        DEACTIVATE, token=key, json={"code": c}), 400, BAD_CODE)
    t.eq("refusals kept the rows", sorted(rows(s, uid)),
         ["recovery_codes", "totp"])
    r = s.post(DEACTIVATE, token=key, json={"code": a.code()})
    same("deactivate with the next step's code", r, 200, DEACTIVATED)
    t.eq("deactivate: both rows deleted", rows(s, uid), {})
    same("status after deactivate", s.get(STATUS, token=key), 200,
         {"mfa_enabled": False, "created_at": None, "last_used_at": None})
    r = s.post("/auth/login/", json={"username": "ray", "password": PW})
    t.eq("login/ after deactivate: the plain login", list(r.json or {}),
         ["key"])
    same("deactivate again: not enabled", s.post(DEACTIVATE, token=key,
                                                 json={"code": c}), 400,
         NOT_ENABLED)


def recovery_codes(s):
    uid = s.createuser("sam", PW)
    key = s.login("sam", PW)
    secret, seed = enrol_sql(s, uid)
    old = rcodes(seed, 10)
    same("recovery-codes: all unused", s.post(CODES, token=key), 200,
         {"codes": old})
    same("recovery-codes: a body is ignored", s.post(
        CODES, token=key, json={"codes": ["x"], "password": "y"}), 200,
        {"codes": old})
    r = s.get(CODES, token=key)
    same("recovery-codes: GET is 405", r, 405,
         {"detail": 'Method "GET" not allowed.'})
    t.eq("recovery-codes: GET Allow", r.header("Allow"), ALLOW[CODES])
    s.sql("UPDATE dj_rest_auth_mfa_authenticator SET data = jsonb_set(data, "
          "'{used_mask}', '513') WHERE user_id = :'p1' AND type = "
          "'recovery_codes'", uid)
    same("recovery-codes: used_mask 513 (Django's) hides 0 and 9", s.post(
        CODES, token=key), 200, {"codes": old[1:9]})
    same("recovery code 0 marked used by Django: refused", verify(
        s, token(s, uid), old[0]), 400, BAD_CODE)
    r = s.post(REGEN, token=key)
    t.eq("regenerate: 200", r.status, 200)
    t.eq("regenerate: keys", list(r.json or {}), ["codes"])
    new = (r.json or {}).get("codes") or []
    rc = rows(s, uid).get("recovery_codes", ({},))[0]
    t.check("regenerate: a new seed", rc.get("seed") not in (None, seed), rc)
    t.eq("regenerate: used_mask 0", rc.get("used_mask"), 0)
    if re.fullmatch("[0-9a-f]{64}", rc.get("seed", "")):
        t.eq("regenerate: the codes of the new seed", new,
             rcodes(rc["seed"], 10))
    t.eq("regenerate: totp row kept", rows(s, uid).get("totp", ({},))[0].get(
        "secret"), dj_signed_secret(s.secret, secret))
    same("regenerate: recovery-codes lists the new ones", s.post(
        CODES, token=key), 200, {"codes": new})
    same("an old code after regenerate: refused", verify(
        s, token(s, uid), old[1]), 400, BAD_CODE)
    if new:
        r = verify(s, token(s, uid), new[1])
        t.eq("a new code after regenerate: 200", r.status, 200)
    # A recovery row without a totp row: listed all the same (upstream
    # checks nothing), but not regenerated.
    s.sql("UPDATE dj_rest_auth_mfa_authenticator SET type = 'saved' WHERE "
          "user_id = :'p1' AND type = 'totp'", uid)
    same("recovery-codes: a recovery row alone is listed", s.post(
        CODES, token=key), 200, {"codes": new[:1] + new[2:]})
    same("regenerate: a recovery row alone is not MFA", s.post(
        REGEN, token=key), 400, NOT_ENABLED)
    s.sql("UPDATE dj_rest_auth_mfa_authenticator SET type = 'totp' WHERE "
          "user_id = :'p1' AND type = 'saved'", uid)
    # A totp row but no recovery row: an empty list.
    s.sql("DELETE FROM dj_rest_auth_mfa_authenticator WHERE user_id = "
          ":'p1' AND type = 'recovery_codes'", uid)
    same("recovery-codes: totp without a recovery row", s.post(
        CODES, token=key), 200, {"codes": []})


def auth_and_methods(s):
    tia = s.createuser("tia", PW)
    key = s.login("tia", PW)
    # verify/ is AllowAny, but DRF still judges a Token header first.
    a = mfa_user(s, "tod")
    tok = token(s, a.uid)
    r = verify(s, tok, "123456",
               headers={"Authorization": "Token nonexistent"})
    same("verify with a bad Token header: 401", r, 401,
         {"detail": "Invalid token."})
    t.eq("verify with a bad Token header: no try spent", token_row(s, tok),
         None)
    r = verify(s, tok, a.code(), token=key)
    t.eq("verify with another user's Token header: 200", r.status, 200)
    a.took()
    r = s.get("/auth/user/", token=(r.json or {}).get("key", ""))
    t.eq("verify logs in the token's user, not the header's",
         (r.json or {}).get("pk"), a.uid)
    t.check("the header's user is another", a.uid != tia)
    r = s.request("HEAD", STATUS, token=key)
    t.eq("HEAD status/: 200, no body", (r.status, r.body), (200, b""))
    for m, path in (("GET", ACTIVATE), ("POST", ACTIVATE),
                    ("POST", DEACTIVATE), ("GET", STATUS), ("POST", CODES),
                    ("POST", REGEN), ("GET", CODES), ("PUT", STATUS)):
        r = s.request(m, path, json={} if m != "GET" else None)
        same("%s %s without credentials: 401" % (m, path), r, 401,
             NOT_PROVIDED)
        t.eq("%s %s without credentials: challenge" % (m, path),
             r.header("WWW-Authenticate"), "Token")
        r = s.request(m, path, token="0" * 40)
        same("%s %s with an unknown token: 401" % (m, path), r, 401,
             {"detail": "Invalid token."})
    for path, methods in ((VERIFY, ("GET", "PUT", "DELETE")),
                          (ACTIVATE, ("PUT", "DELETE")),
                          (DEACTIVATE, ("GET", "PUT")),
                          (STATUS, ("POST", "DELETE")),
                          (CODES, ("GET", "PATCH")),
                          (REGEN, ("GET", "PUT"))):
        for m in methods:
            r = s.request(m, path, token=key)
            same("%s %s: 405" % (m, path), r, 405,
                 {"detail": 'Method "%s" not allowed.' % m})
            t.eq("%s %s: Allow" % (m, path), r.header("Allow"), ALLOW[path])
    for path in ROUTES:
        r = s.request("OPTIONS", path, token=key)
        t.eq("OPTIONS %s: 200" % path, r.status, 200)
        t.eq("OPTIONS %s: name" % path, (r.json or {}).get("name"),
             NAMES[path])
        t.check("OPTIONS %s: description" % path, isinstance(
            (r.json or {}).get("description"), str), r.body[:200])
    r = s.request("OPTIONS", STATUS)
    same("OPTIONS status/ without credentials: 401", r, 401, NOT_PROVIDED)
    r = s.request("OPTIONS", VERIFY)
    t.eq("OPTIONS verify/ without credentials (AllowAny): 200", r.status, 200)
    # The upstream URL patterns make the trailing slash optional.
    same("status without the trailing slash", s.get(STATUS[:-1], token=key),
         200, {"mfa_enabled": False, "created_at": None,
               "last_used_at": None})
    same("verify without the trailing slash", s.post(
        VERIFY[:-1], json={"ephemeral_token": "x", "code": "1"}), 400,
        BAD_TOKEN)


# ===================================================================
# MFA settings
# ===================================================================

def variants(s):
    """Issuer, 8 digits, a 60 s period, 3 recovery codes, 2 tries, a 20 s
    token life."""
    issuer = "Acme & Sons, Inc."
    uid = s.createuser("uma", PW, email="uma@example.com")
    key = s.login("uma", PW)
    j = s.get(ACTIVATE, token=key).json or {}
    secret = j.get("secret", "")
    want = totp_url("uma@example.com", secret, issuer, 8, 60)
    t.eq("variants: totp_url with issuer, digits, period", j.get(
        "totp_url"), want)
    t.eq("variants: totp_url is pyotp's", j.get("totp_url"), pyotp.TOTP(
        secret, digits=8, interval=60).provisioning_uri(
            name="uma@example.com", issuer_name=issuer))
    t.check("variants: expected URL spelled out", want.startswith(
        "otpauth://totp/Acme%20%26%20Sons%2C%20Inc.:uma%40example.com?secret="
    ) and want.endswith("&issuer=Acme%20%26%20Sons%2C%20Inc.&digits=8&"
                        "period=60"), want)
    qr = j.get("qr_code_data_uri", "")
    text = qr_text("variants qr", qr)
    if text is not None:
        t.eq("variants: QR encodes the totp_url", text, want)
    settle(60)
    code6 = oath(secret, int(time.time()), 6, 60)
    same("variants: a 6-digit code refused", s.post(ACTIVATE, token=key, json={
        "activation_token": j.get("activation_token"), "code": code6}), 400,
        ACT_CODE)
    same("variants: an 8-digit code of the 30 s period refused", s.post(
        ACTIVATE, token=key, json={
            "activation_token": j.get("activation_token"),
            "code": oath(secret, int(time.time()) + 90, 8, 30)}), 400,
        ACT_CODE)
    code = oath(secret, int(time.time()), 8, 60)
    r = s.post(ACTIVATE, token=key, json={
        "activation_token": j.get("activation_token"), "code": code})
    t.eq("variants: confirm with 8 digits / 60 s: 200", r.status, 200)
    got = (r.json or {}).get("recovery_codes") or []
    seed = rows(s, uid).get("recovery_codes", ({},))[0].get("seed", "")
    t.eq("variants: 3 recovery codes, derived", got, rcodes(seed, 3)
         if re.fullmatch("[0-9a-f]{64}", seed) else "no seed")
    a = Account(s, "uma", uid, secret, 8, 60, seed)
    a.last = int(time.time()) // 60

    # No issuer label for a user without e-mail: the username.
    vic = s.createuser("vic", PW)
    vkey = s.login("vic", PW)
    vj = s.get(ACTIVATE, token=vkey).json or {}
    t.eq("variants: no e-mail: the username", vj.get("totp_url"),
         totp_url("vic", vj.get("secret", ""), issuer, 8, 60))

    tok, _ = mfa_login(s, "uma")
    same("variants: a 6-digit code at verify", verify(
        s, tok, oath(secret, int(time.time()) + 60, 6, 60)), 400, BAD_CODE)
    same("variants: 2nd wrong try", verify(s, tok, "00000000"), 400,
         BAD_CODE)
    same("variants: MFA_VERIFY_ATTEMPTS 2: dead", verify(s, tok, a.code()),
         400, BAD_TOKEN)
    c = a.code()
    now = int(time.time())
    same("variants: token 21 s old (timeout 20)", verify(
        s, token(s, uid, at=now - 21), c), 400, BAD_TOKEN)
    r = verify(s, token(s, uid, at=int(time.time()) - 15), c)
    t.eq("variants: token 15 s old: 200", r.status, 200)
    a.took()
    same("variants: activation token 21 s old", s.post(
        ACTIVATE, token=vkey, json={"activation_token": dj_activation_token(
            s.secret, vic, secret, now - 21), "code": oath(secret, now, 8,
                                                            60)}), 400,
        BAD_ACT)
    same("variants: recovery-codes lists 3", s.post(CODES, token=key), 200,
         {"codes": got})
    # The count applies when reading: a 4th code of the seed is no code.
    same("variants: code 3 of the seed (count 3)", verify(
        s, token(s, uid), rcodes(seed, 4)[3] if seed else "x"), 400,
        BAD_CODE)


def audit_log(s):
    """Every MFA event is logged (event, user, address), and no code,
    secret or token is."""
    with open(s.log.name, errors="replace") as f:
        lines = f.read().splitlines()
    prog = [ln for ln in lines if ln.startswith(("mfa.fcgi:",
                                                 "login.fcgi:"))]

    def uid(name):
        return int(s.sql("SELECT id FROM auth_user WHERE username = :'p1'",
                         name)[0][0])
    for event, name in (("activated", "eve"), ("totp_verified", "mia"),
                        ("recovery_code_used", "oli"),
                        ("deactivated", "ray"),
                        ("recovery_codes_regenerated", "sam"),
                        ("verify_failed", "lou"), ("activation_failed", "fay"),
                        ("deactivation_failed", "ray")):
        want = "mfa: %s user=%d " % (event, uid(name))
        t.check("log: %s of %s" % (event, name),
                any(want in ln for ln in prog), want)
    t.check("log: a refused inactive user says why", any(
        "reason=user_inactive" in ln for ln in prog), len(prog))
    leaked = sorted(x for x in SECRETS if len(x) >= 6 and any(
        x in ln for ln in (lines if len(x) >= 8 else prog)))
    t.eq("log: no code, secret or token of %d" % len(SECRETS), leaked, [])


def half_written(s):
    """verify/'s writes (the step or recovery bit, the token's use, the
    login) are one transaction; so are confirm's two rows."""
    a = mfa_user(s, "una")
    s.sql("UPDATE auth_user SET last_login = NULL WHERE id = :'p1'", a.uid)
    s.sql("CREATE FUNCTION mfa_refuse() RETURNS trigger LANGUAGE plpgsql "
          "AS $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$; "
          "CREATE TRIGGER mfa_refuse BEFORE INSERT ON authtoken_token "
          "FOR EACH ROW EXECUTE FUNCTION mfa_refuse()")
    tok, code = token(s, a.uid), a.code()
    rcode = rcodes(a.seed, 10)[2]
    try:
        r = verify(s, tok, code)
        t.eq("half: verify whose token row fails: 503", r.status, 503)
        r = verify(s, token(s, a.uid), rcode)
        t.eq("half: recovery verify whose token row fails: 503", r.status,
             503)
        rw = rows(s, a.uid)
        t.eq("half: no step burned", rw.get("totp", ({},))[0].get(
            "last_step"), None)
        t.eq("half: no recovery bit set", rw.get("recovery_codes", ({},))[
            0].get("used_mask"), 0)
        t.eq("half: the token not marked used", (token_row(s, tok) or (
            0, False))[1], False)
        t.check("half: no last_login", not last_login_set(s, a.uid))
    finally:
        s.sql("DROP TRIGGER mfa_refuse ON authtoken_token")
    r = verify(s, tok, code)
    t.eq("half: then the same token and code: 200", r.status, 200)
    a.took()
    r = verify(s, token(s, a.uid), rcode)
    t.eq("half: then the same recovery code: 200", r.status, 200)

    uid = s.createuser("ula", PW)
    key = s.login("ula", PW)
    j = s.get(ACTIVATE, token=key).json or {}
    s.sql("CREATE TRIGGER mfa_refuse BEFORE INSERT ON "
          "dj_rest_auth_mfa_authenticator FOR EACH ROW WHEN (NEW.type = "
          "'recovery_codes') EXECUTE FUNCTION mfa_refuse()")
    settle(30)
    body = {"activation_token": j.get("activation_token"),
            "code": oath(j.get("secret", "A" * 32), int(time.time()))}
    try:
        r = s.post(ACTIVATE, token=key, json=body)
        t.eq("half: confirm whose recovery row fails: 503", r.status, 503)
        t.eq("half: no totp row either", rows(s, uid), {})
    finally:
        s.sql("DROP TRIGGER mfa_refuse ON dj_rest_auth_mfa_authenticator; "
              "DROP FUNCTION mfa_refuse()")
    r = s.post(ACTIVATE, token=key, json=body)
    t.eq("half: then the same confirm: 200", r.status, 200)


def odd_rows(s):
    """Rows restauth did not write: a secret signed with another
    SECRET_KEY (a rotated key): its TOTP code is refused, the recovery
    codes work, never a 5xx. A totp row without a usable secret: no
    TOTP. A recovery row nobody could have written (Django writes a hex
    seed and an integer mask): the TOTP code still works."""
    uid = s.createuser("vera", PW)
    secret = pyotp.random_base32()
    seed = os.urandom(32).hex()
    s.sql("INSERT INTO dj_rest_auth_mfa_authenticator (type, data, "
          "created_at, user_id) VALUES ('totp', :'p1'::jsonb, now(), "
          ":'p3'), ('recovery_codes', :'p2'::jsonb, now(), :'p3')",
          json.dumps({"secret": dj_signed_secret("an older key " * 4,
                                                 secret)}),
          json.dumps({"seed": seed, "used_mask": 0}), uid)
    SECRETS.update([secret, seed] + rcodes(seed, 10))
    r = verify(s, token(s, uid), oath(secret, int(time.time())))
    same("secret signed with another key: the TOTP code is refused", r,
         400, BAD_CODE)
    r = verify(s, token(s, uid), rcodes(seed, 10)[0])
    t.eq("secret signed with another key: a recovery code works", r.status,
         200)
    key = (r.json or {}).get("key", "")
    r = s.post(DEACTIVATE, token=key, json={
        "code": oath(secret, int(time.time()))})
    same("secret signed with another key: deactivate refuses", r, 400,
         BAD_CODE)
    for what, data in (("secret a number", {"secret": 5}),
                       ("no secret", {}),
                       ("unsigned secret", {"secret": secret})):
        s.sql("UPDATE dj_rest_auth_mfa_authenticator SET data = "
              ":'p1'::jsonb WHERE user_id = :'p2' AND type = 'totp'",
              json.dumps(data), uid)
        same("totp data %s: the TOTP code is refused" % what, verify(
            s, token(s, uid), oath(secret, int(time.time()))), 400, BAD_CODE)
        r = s.get(STATUS, token=key)
        t.eq("totp data %s: status still enabled" % what, (
            r.status, (r.json or {}).get("mfa_enabled")), (200, True))
    for i, (what, data) in enumerate((
            ("seed not hex", {"seed": "zz" * 32, "used_mask": 0}),
            ("used_mask a string", {"seed": "00" * 32, "used_mask": "1"}),
            ("no seed", {"used_mask": 0}))):
        a = mfa_user(s, "vince%d" % i)
        s.sql("UPDATE dj_rest_auth_mfa_authenticator SET data = "
              ":'p1'::jsonb WHERE user_id = :'p2' AND type = "
              "'recovery_codes'", json.dumps(data), a.uid)
        r = verify(s, token(s, a.uid), a.code())
        t.eq("recovery data %s: a TOTP code still works" % what, r.status,
             200)


def nine_digits(s):
    """MFA_TOTP_DIGITS 9, the most verify/'s code (max_length 9) takes."""
    a = mfa_user(s, "zoe")
    a.digits = 9
    c = a.code()
    t.eq("9 digits: a 9-digit code", len(c), 9)
    same("9 digits: its first 8 digits", verify(s, token(s, a.uid), c[:8]),
         400, BAD_CODE)
    r = verify(s, token(s, a.uid), c)
    t.eq("9 digits: verify 200", r.status, 200)
    a.took()
    key = (r.json or {}).get("key", "")
    r = s.post(DEACTIVATE, token=key, json={"code": a.code()})
    same("9 digits: deactivate", r, 200, DEACTIVATED)


def config_bounds(s):
    """Values out of range are refused when the config is read."""
    d = tempfile.mkdtemp(prefix="restauth-mfa-cfg-")
    try:
        for k, v, ok in (("MFA_TOTP_DIGITS", 10, False),
                         ("MFA_TOTP_DIGITS", 9, True),
                         ("MFA_TOTP_DIGITS", 0, False),
                         ("MFA_TOTP_PERIOD", 0, False),
                         ("MFA_TOTP_PERIOD", 3601, False),
                         ("MFA_EPHEMERAL_TOKEN_TIMEOUT", 86401, False),
                         ("MFA_EPHEMERAL_TOKEN_TIMEOUT", 0, False),
                         ("MFA_RECOVERY_CODE_COUNT", 65, False),
                         ("MFA_RECOVERY_CODE_COUNT", 64, True),
                         ("MFA_VERIFY_ATTEMPTS", 0, False),
                         ("MFA_VERIFY_ATTEMPTS", 101, False),
                         ("MFA_TOTP_ISSUER", "x" * 1025, False),
                         ("MFA_TOTP_ISSUER", "x" * 1024, True),
                         ("MFA_ENABLED", "yes", False)):
            path = os.path.join(d, "c.json")
            with open(path, "w") as f:
                json.dump(mfa_config(**{k: v}), f)
            r = subprocess.run([os.path.join(h.BUILD, "restauth"), "-c",
                                path, "check"], capture_output=True,
                               text=True, env=s.env())
            shown = v if not isinstance(v, str) else "%d chars" % len(v)
            if ok:
                t.eq("config %s %s: accepted" % (k, shown), r.returncode, 0)
            else:
                t.eq("config %s %s: refused (exit 3)" % (k, shown),
                     r.returncode, 3)
                t.check("config %s %s: named" % (k, shown), k in r.stderr,
                        r.stderr)
    finally:
        shutil.rmtree(d)


# ===================================================================
# JWT mode (the security guide's cookies, blacklist)
# ===================================================================

JWT_AUTH = {"USE_JWT": True, "JWT_AUTH_COOKIE": "access",
            "JWT_AUTH_REFRESH_COOKIE": "refresh", "JWT_AUTH_SECURE": True,
            "JWT_AUTH_HTTPONLY": True, "JWT_AUTH_SAMESITE": "Lax"}
JWT_CONFIG = dict(mfa_config(**JWT_AUTH), SIMPLE_JWT={
    "ACCESS_TOKEN_LIFETIME": 300, "REFRESH_TOKEN_LIFETIME": 86400,
    "ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True})


def jwt_mode(s):
    s.createuser("plainj", PW, email="plainj@example.com")
    plain = s.post("/auth/login/", json={"username": "plainj",
                                         "password": PW})
    t.eq("JWT plain login: 200", plain.status, 200)
    uid = s.createuser("wes", PW, email="wes@example.com")
    r = s.post("/auth/login/", json={"username": "wes", "password": PW})
    access = (r.json or {}).get("access", "")
    bearer = {"Authorization": "Bearer " + access}
    j = s.get(ACTIVATE, headers=bearer).json or {}
    settle(30)
    step = int(time.time()) // 30
    r = s.post(ACTIVATE, headers=bearer, json={
        "activation_token": j.get("activation_token"),
        "code": oath(j.get("secret", "A" * 32), step * 30)})
    t.eq("JWT: confirm with a Bearer token: 200", r.status, 200)
    a = Account(s, "wes", uid, j.get("secret", "A" * 32))
    a.last = step
    s.sql("UPDATE auth_user SET last_login = NULL WHERE id = :'p1'", uid)
    outstanding = count(s, "token_blacklist_outstandingtoken")
    sessions = count(s, "django_session")
    tok, r = mfa_login(s, "wes")
    t.eq("JWT MFA login: keys", list(r.json), ["ephemeral_token",
                                               "mfa_required"])
    t.eq("JWT MFA login: no cookies", r.cookies(), [])
    t.eq("JWT MFA login: no outstanding token",
         count(s, "token_blacklist_outstandingtoken"), outstanding)
    t.eq("JWT MFA login: no session", count(s, "django_session"), sessions)
    t.check("JWT MFA login: last_login unchanged", not last_login_set(s, uid))
    r = verify(s, tok, a.code())
    a.took()
    t.eq("JWT verify: 200", r.status, 200)
    t.eq("JWT verify: the login's keys", list(r.json or {}),
         list(plain.json or {}))
    t.eq("JWT verify: refresh empty (HttpOnly)", (r.json or {}).get(
        "refresh"), "")
    t.eq("JWT verify: user", (r.json or {}).get("user"), {
        "pk": uid, "username": "wes", "email": "wes@example.com",
        "first_name": "", "last_name": ""})
    t.eq("JWT verify: the login's cookies", cookie_shape(r),
         cookie_shape(plain))
    t.eq("JWT verify: Cache-Control", r.header("Cache-Control"),
         plain.header("Cache-Control"))
    acc = (r.json or {}).get("access", "")
    t.eq("JWT verify: access cookie is the body's", cookie_of(r, "access"),
         acc)
    try:
        pa = pyjwt.decode(acc, s.secret, algorithms=["HS256"])
        pr = pyjwt.decode(cookie_of(r, "refresh") or "", s.secret,
                          algorithms=["HS256"])
        got = (pa["token_type"], pa["user_id"], pr["token_type"],
               pr["user_id"])
    except (pyjwt.InvalidTokenError, KeyError) as e:
        got, pr = repr(e), {}
    t.eq("JWT verify: PyJWT reads both tokens", got,
         ("access", uid, "refresh", uid))
    t.eq("JWT verify: the refresh token is outstanding", count(
        s, "token_blacklist_outstandingtoken", "jti = :'p1' AND user_id = "
        ":'p2'", pr.get("jti", ""), uid), 1)
    t.check("JWT verify: last_login set", last_login_set(s, uid))
    sid = cookie_of(r, "sessionid")
    t.eq("JWT verify: a session (SESSION_LOGIN)", count(
        s, "django_session", "session_key = :'p1'", sid or ""), 1)
    r2 = s.get("/auth/user/", headers={"Authorization": "Bearer " + acc})
    t.eq("JWT verify: the access token authenticates", (r2.json or {}).get(
        "pk"), uid)
    r2 = s.post("/auth/token/refresh/", headers={
        "Cookie": "refresh=" + (cookie_of(r, "refresh") or "")})
    t.eq("JWT verify: the refresh cookie refreshes", r2.status, 200)
    same("JWT: the token is single-use", verify(s, tok, "000000"), 400,
         BAD_TOKEN)
    # Status and codes with the access cookie (no CSRF setting).
    ck = {"Cookie": "access=" + acc}
    st = s.get(STATUS, headers=ck).json or {}
    t.eq("JWT: status with the access cookie", st.get("mfa_enabled"), True)
    r = s.post(CODES, headers=bearer)
    t.eq("JWT: recovery-codes: 10", len((r.json or {}).get("codes") or []),
         10)
    same("JWT: recovery-codes without credentials", s.post(CODES), 401,
         NOT_PROVIDED)


def jwt_body(s):
    """JWT_AUTH_HTTPONLY false, JWT_AUTH_RETURN_EXPIRATION, SESSION_LOGIN
    false: verify's answer is still exactly login/'s."""
    s.createuser("plainb", PW)
    plain = s.post("/auth/login/", json={"username": "plainb",
                                         "password": PW})
    a = mfa_user(s, "yan")
    tok, r = mfa_login(s, "yan")
    t.eq("JWT body mode MFA login: no cookies", r.cookies(), [])
    r = verify(s, tok, a.code())
    t.eq("JWT body mode verify: 200", r.status, 200)
    t.eq("JWT body mode verify: the login's keys", list(r.json or {}),
         list(plain.json or {}))
    t.eq("JWT body mode verify: the login's cookies", cookie_shape(r),
         cookie_shape(plain))
    t.eq("JWT body mode: no session", count(s, "django_session"), 0)
    try:
        p = pyjwt.decode((r.json or {}).get("refresh", ""), s.secret,
                         algorithms=["HS256"])
        got = (p["token_type"], p["user_id"])
    except (pyjwt.InvalidTokenError, KeyError) as e:
        got = repr(e)
    t.eq("JWT body mode verify: the refresh token in the body", got,
         ("refresh", a.uid))
    t.check("JWT body mode verify: expirations are ISO Z", all(
        ISO_Z.fullmatch(str((r.json or {}).get(k))) for k in (
            "access_expiration", "refresh_expiration")), r.json)


# ===================================================================
# session mode (no token model, no JWT): 204 and the session
# ===================================================================

def session_mode(s):
    s.createuser("plains", PW)
    plain = s.post("/auth/login/", json={"username": "plains",
                                         "password": PW})
    t.eq("session plain login: 204", (plain.status, plain.body), (204, b""))
    uid = s.createuser("xan", PW)
    r = s.post("/auth/login/", json={"username": "xan", "password": PW})
    sid, csrf = cookie_of(r, "sessionid"), cookie_of(r, "csrftoken")
    origin = "http://127.0.0.1:%d" % s.port
    ck = {"Cookie": "sessionid=%s; csrftoken=%s" % (sid, csrf)}
    bare = {"Cookie": "sessionid=%s" % sid}
    j = s.get(ACTIVATE, headers=bare).json or {}
    t.check("session: GET activate with the session cookie",
            B32_SECRET.fullmatch(j.get("secret", "")) is not None, j)
    settle(30)
    step = int(time.time()) // 30
    body = {"activation_token": j.get("activation_token"),
            "code": oath(j.get("secret", "A" * 32), step * 30)}
    same("session: confirm without CSRF", s.post(ACTIVATE, headers=bare,
                                                 json=body), 403, NO_CSRF)
    t.eq("session: refused confirm wrote nothing", rows(s, uid), {})
    r = s.post(ACTIVATE, json=body, headers=dict(
        ck, **{"X-CSRFToken": csrf, "Origin": origin}))
    t.eq("session: confirm with CSRF: 200", r.status, 200)
    a = Account(s, "xan", uid, j.get("secret", "A" * 32))
    a.last = step
    s.sql("UPDATE auth_user SET last_login = NULL WHERE id = :'p1'", uid)
    sessions = count(s, "django_session")
    tok, r = mfa_login(s, "xan")
    t.eq("session MFA login: no cookies", r.cookies(), [])
    t.eq("session MFA login: no session", count(s, "django_session"),
         sessions)
    old_csrf = "A" * 32
    r = verify(s, tok, a.code(), headers={"Cookie": "csrftoken=" + old_csrf})
    a.took()
    t.eq("session verify: 204, no body", (r.status, r.body), (204, b""))
    t.eq("session verify: the login's cookies", cookie_shape(r),
         cookie_shape(plain))
    new_sid, new_csrf = cookie_of(r, "sessionid"), cookie_of(r, "csrftoken")
    t.check("session verify: csrftoken rotated", new_csrf not in (
        None, old_csrf), new_csrf)
    data = s.sql("SELECT session_data FROM django_session WHERE session_key "
                 "= :'p1'", new_sid or "")
    try:
        sess = signing.loads(data[0][0], key=s.secret,
                             salt="django.contrib.sessions.SessionStore")
    except (IndexError, signing.BadSignature) as e:
        sess = {"error": repr(e)}
    t.eq("session verify: Django reads the session's user",
         sess.get("_auth_user_id"), str(uid))
    t.check("session verify: last_login set", last_login_set(s, uid))
    r = s.get("/auth/user/", headers={"Cookie": "sessionid=%s" % new_sid})
    t.eq("session verify: the session authenticates", (r.json or {}).get(
        "pk"), uid)
    t.eq("session verify: no token rows", count(s, "authtoken_token"), 0)
    same("session: the token is single-use", verify(s, tok, "000000"), 400,
         BAD_TOKEN)
    ck = {"Cookie": "sessionid=%s; csrftoken=%s" % (new_sid, new_csrf)}
    same("session: regenerate without CSRF", s.post(
        REGEN, headers={"Cookie": "sessionid=%s" % new_sid}), 403, NO_CSRF)
    r = s.post(REGEN, headers=dict(ck, **{"X-CSRFToken": new_csrf,
                                          "Origin": origin}))
    t.eq("session: regenerate with CSRF: 200", r.status, 200)


# ===================================================================
# throttles and the per-account backoff
# ===================================================================

def scope_rate(s):
    a = mfa_user(s, "yul")
    for i in range(3):
        r = verify(s, "x:y:z", "123456")
        same("scope 3/minute: verify %d" % (i + 1), r, 400, BAD_TOKEN)
    tok, code = token(s, a.uid), a.code()
    r = verify(s, tok, code)
    m = THROTTLED.match((r.json or {}).get("detail", "") if isinstance(
        r.json, dict) else "")
    t.check("scope 3/minute: the 4th is 429 with DRF's body", r.status == 429
            and m is not None, r)
    t.eq("scope 3/minute: Retry-After", r.header("Retry-After"),
         m.group(1) if m else "a number")
    t.eq("scope 3/minute: the throttled verify spent no try",
         token_row(s, tok), None)
    r = verify(s, tok, code, source="127.0.0.2")
    t.eq("scope 3/minute: from another address the same token and code: "
         "200", r.status, 200)
    r = s.post("/auth/login/", json={"username": "yul", "password": PW})
    t.eq("scope 3/minute: login/ has its own scope", r.status, 200)


def missing_rate(s):
    """ScopedRateThrottle with no rate for dj_rest_auth_mfa_verify: not
    throttled (DRF would answer 500)."""
    uid = s.createuser("zed", PW)
    enrol_sql(s, uid)
    res = [verify(s, "x:y:z", "1").status for _ in range(8)]
    t.eq("missing rate: 8 verifies, all 400", res, [400] * 8)


def verified_user(s, name):
    """A user with a verified primary address (mandatory verification)."""
    email = name + "@example.com"
    uid = s.createuser(name, PW, email=email)
    s.sql("INSERT INTO account_emailaddress (email, verified, \"primary\", "
          "user_id) VALUES (:'p1', true, true, :'p2') ON CONFLICT (user_id, "
          "email) DO UPDATE SET verified = true", email, uid)
    return enrolled(s, name, uid)


def unverified_email(s):
    uid = s.createuser("ada", PW, email="ada@example.com")
    a = enrolled(s, "ada", uid)
    s.sql("INSERT INTO account_emailaddress (email, verified, \"primary\", "
          "user_id) VALUES ('ada@example.com', false, true, :'p1') ON "
          "CONFLICT (user_id, email) DO UPDATE SET verified = false", uid)
    same("mandatory verification, e-mail unverified: login/ refuses first",
         s.post("/auth/login/", json={"username": "ada", "password": PW}),
         400, NOT_VERIFIED)
    s.sql("UPDATE account_emailaddress SET verified = true WHERE user_id = "
          ":'p1'", uid)
    tok, r = mfa_login(s, "ada")
    t.eq("verified: the ephemeral token", list(r.json), [
        "ephemeral_token", "mfa_required"])
    r = verify(s, tok, a.code())
    t.eq("verified: verify 200", r.status, 200)


def backoff(s):
    """LOGIN_FAILURE_LIMIT 3: the 4th wrong code within 1 s is refused
    with DRF's 429, whatever the token, also for the right code."""
    a = verified_user(s, "bea")
    uid = a.uid
    tok = token(s, uid)
    for i in range(3):
        same("backoff: wrong code %d" % (i + 1), verify(s, tok, "000000"
                                                         if i else "999999"),
             400, BAD_CODE)
    r = verify(s, token(s, uid), a.at_step(a.step()))
    m = THROTTLED.match((r.json or {}).get("detail", "") if isinstance(
        r.json, dict) else "")
    t.check("backoff: 4th attempt, right code, fresh token: 429 with DRF's "
            "body", r.status == 429 and m is not None, r)
    t.eq("backoff: Retry-After 1", (r.header("Retry-After"),
                                   m.group(1) if m else None), ("1", "1"))
    other = verified_user(s, "cal")
    r = verify(s, token(s, other.uid), other.code())
    t.eq("backoff: another account meanwhile: 200", r.status, 200)
    time.sleep(1.2)
    r = verify(s, token(s, uid), a.code())
    t.eq("backoff: after the wait the right code: 200", r.status, 200)
    a.took()
    # Wrong codes at deactivate count for the same account.
    key = (r.json or {}).get("key", "")
    for i in range(3):
        same("backoff: wrong deactivate code %d" % (i + 1), s.post(
            DEACTIVATE, token=key, json={"code": "123456"}), 400,
            BAD_CODE)
    r = verify(s, token(s, uid), a.code())
    t.eq("backoff: after 3 wrong deactivate codes verify is 429", r.status,
         429)


def stacks():
    """(config, keyword arguments of Stack, scenarios) of each stack."""
    scoped = {"DEFAULT_THROTTLE_CLASSES": [SCOPED],
              "DEFAULT_THROTTLE_RATES": {"dj_rest_auth": "1000/minute"}}
    rated = dict(scoped, DEFAULT_THROTTLE_RATES={
        "dj_rest_auth": "1000/minute", "dj_rest_auth_mfa_verify":
        "3/minute"})
    return [
        (dict(mfa_config(), REST_AUTH={"MFA_ENABLED": False}), {},
         [disabled]),
        (mfa_config(), {"procs": 4},
         [login_answer, same_second, enrolment, activation_errors,
          activation_race, verify_fields, verify_tokens, verify_attempts,
          verify_codes, verify_races, deactivate, recovery_codes,
          auth_and_methods, half_written, odd_rows, audit_log,
          config_bounds]),
        (mfa_config(MFA_TOTP_ISSUER="Acme & Sons, Inc.", MFA_TOTP_DIGITS=8,
                    MFA_TOTP_PERIOD=60, MFA_RECOVERY_CODE_COUNT=3,
                    MFA_VERIFY_ATTEMPTS=2, MFA_EPHEMERAL_TOKEN_TIMEOUT=20),
         {}, [variants]),
        (mfa_config(MFA_TOTP_DIGITS=9), {}, [nine_digits]),
        (JWT_CONFIG, {}, [jwt_mode]),
        (mfa_config(USE_JWT=True, JWT_AUTH_HTTPONLY=False,
                    JWT_AUTH_RETURN_EXPIRATION=True, SESSION_LOGIN=False),
         {}, [jwt_body]),
        (mfa_config(TOKEN_MODEL=None), {}, [session_mode]),
        (dict(mfa_config(), REST_FRAMEWORK=rated), {}, [scope_rate]),
        (dict(mfa_config(), LOGIN_FAILURE_LIMIT=3,
              LOGIN_FAILURE_BACKOFF_MAX=4,
              ACCOUNT={"EMAIL_VERIFICATION": "mandatory",
                       "EMAIL_REQUIRED": True},
              REST_FRAMEWORK=scoped), {},
         [missing_rate, unverified_email, backoff]),
    ]


def on_stack(cfg, kw, fns):
    """The scenarios fns on one stack (one that does not start is one
    failure of t.run)."""
    with h.Stack(cfg, **kw) as s:
        for fn in fns:
            t.run(fn, s)


for args in stacks():
    t.run(on_stack, *args)
t.done()
