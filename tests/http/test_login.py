"""login/ in token mode: dj-rest-auth 7.1.1's LoginView + LoginSerializer
with allauth's authentication backend, DRF field validation and
TokenAuthentication, and Django's password hashers (verify + re-hash)."""
import base64
import hashlib
import json
import os

import argon2.low_level as a2

import harness as h

t = h.Tests(__file__)

# LOGIN_FAILURE_LIMIT 0: these scenarios try many wrong passwords for one
# account and check DRF's answers; the backoff has test_login_backoff.py.
FAST = {"PASSWORD_HASHER": h.FAST_HASHER, "LOGIN_FAILURE_LIMIT": 0}
FAST_PREFIX = "argon2$argon2id$v=19$m=1024,t=1,p=1$"
DEFAULT_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"
ALLOW = "POST, OPTIONS"
UNABLE = {"non_field_errors": ["Unable to log in with provided credentials."]}
MUST_USERNAME = {"non_field_errors": ["Must include \"username\" and "
                                      "\"password\"."]}
MUST_EMAIL = {"non_field_errors": ["Must include \"email\" and "
                                   "\"password\"."]}
MUST_EITHER = {"non_field_errors": ["Must include either \"username\" or "
                                    "\"email\" and \"password\"."]}
DISABLED = {"non_field_errors": ["User account is disabled."]}
REQUIRED = ["This field is required."]
BLANK = ["This field may not be blank."]
NULL = ["This field may not be null."]
NOTSTR = ["Not a valid string."]
NULCHAR = ["Null characters are not allowed."]
BADEMAIL = ["Enter a valid email address."]


def maxlen(n):
    return ["Ensure this field has no more than %d characters." % n]


def common(what, r):
    """What every response carries: Django's security headers, and a
    compact JSON body (DRF's JSONRenderer) with a JSON content type."""
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


def login(s, what, data=None, **kw):
    if data is not None:
        kw["json"] = data
    return common(what, s.post("/auth/login/", **kw))


ANY = object()


def expect(s, what, body, status, want=ANY, **kw):
    """POST body (JSON unless form= is given); want=ANY checks only the
    status."""
    r = login(s, what, body, **kw)
    if want is ANY:
        t.eq(what + " (status)", r.status, status)
    else:
        t.eq(what, (r.status, r.json), (status, want))
    return r


def is_key(k):
    return isinstance(k, str) and len(k) == 40 and all(
        c in "0123456789abcdef" for c in k)


def pwhash(s, uid):
    return s.sql("SELECT password FROM auth_user WHERE id = :'p1'", uid)[0][0]


def token_rows(s, uid):
    return s.sql("SELECT key FROM authtoken_token WHERE user_id = :'p1'",
                 uid)


# --- username mode (the default) ---

def success(s):
    uid = s.createuser("alice", "correct horse", email="alice@example.com")
    s.sql("UPDATE auth_user SET last_login = NULL WHERE id = :'p1'", uid)
    t.eq("no token before login", token_rows(s, uid), [])
    r = login(s, "login", {"username": "alice", "password": "correct horse"})
    t.eq("login status", r.status, 200)
    t.eq("login body keys", sorted((r.json or {}).keys()), ["key"])
    key = (r.json or {}).get("key")
    t.check("key is 40 lower-case hex", is_key(key), key)
    t.eq("exact compact body", r.body, ('{"key":"%s"}' % key).encode())
    t.eq("Cache-Control", r.header("Cache-Control"), "no-store")
    t.eq("token row is the user's", token_rows(s, uid), [[key]])
    t.check("last_login set", s.sql(
        "SELECT last_login IS NOT NULL FROM auth_user WHERE id = :'p1'",
        uid) == [["t"]])
    r = login(s, "second login", {"username": "alice",
                                  "password": "correct horse"})
    t.eq("second login same key", (r.status, r.json), (200, {"key": key}))
    t.eq("still one token row", token_rows(s, uid), [[key]])
    # The key works for user/.
    r = common("user/ with key", s.get("/auth/user/", token=key))
    t.eq("key authenticates", (r.status, (r.json or {}).get("username")),
         (200, "alice"))
    # Form-encoded bodies work too.
    r = login(s, "form login", form={"username": "alice",
                                     "password": "correct horse"})
    t.eq("form login", (r.status, r.json), (200, {"key": key}))
    # Username is matched case-insensitively (allauth iexact).
    expect(s, "ALICE logs in alice", {"username": "ALICE",
                                      "password": "correct horse"},
           200, {"key": key})
    expect(s, "aLiCe logs in alice", {"username": "aLiCe",
                                      "password": "correct horse"},
           200, {"key": key})
    # Password is case-sensitive.
    expect(s, "password case matters", {"username": "alice",
                                        "password": "Correct Horse"},
           400, UNABLE)
    # An unrelated, valid email is ignored in username mode.
    expect(s, "email ignored in username mode",
           {"username": "alice", "email": "nobody@example.com",
            "password": "correct horse"}, 200, {"key": key})
    expect(s, "blank email allowed", {"username": "alice", "email": "",
                                      "password": "correct horse"},
           200, {"key": key})
    # ... but it must still be a valid address.
    expect(s, "bad email rejected even in username mode",
           {"username": "alice", "email": "not-an-email",
            "password": "correct horse"}, 400, {"email": BADEMAIL})
    # A valid token header does not get in the way of logging in.
    expect(s, "login with a valid token header",
           {"username": "alice", "password": "correct horse"}, 200,
           {"key": key}, token=key)


def failures(s):
    uid = s.createuser("bob", "bobs password", email="bob@example.com")
    s.sql("UPDATE auth_user SET last_login = NULL WHERE id = :'p1'", uid)
    expect(s, "wrong password", {"username": "bob", "password": "nope"},
           400, UNABLE)
    expect(s, "unknown user", {"username": "nobody",
                               "password": "bobs password"}, 400, UNABLE)
    t.eq("no token after failures", token_rows(s, uid), [])
    t.eq("last_login untouched by failures", s.sql(
        "SELECT last_login IS NULL FROM auth_user WHERE id = :'p1'", uid),
        [["t"]])
    # An e-mail address in the username field is not an e-mail login in
    # username mode.
    expect(s, "email in username field (username mode)",
           {"username": "bob@example.com", "password": "bobs password"},
           400, UNABLE)
    # Missing/blank username.
    expect(s, "username missing", {"password": "bobs password"}, 400,
           MUST_USERNAME)
    expect(s, "username blank", {"username": "", "password": "x"}, 400,
           MUST_USERNAME)
    expect(s, "username whitespace only", {"username": "   ",
                                           "password": "x"}, 400,
           MUST_USERNAME)
    expect(s, "email only (username mode)",
           {"email": "bob@example.com", "password": "bobs password"}, 400,
           MUST_USERNAME)
    # Unusable password ('!' prefix, set_unusable_password()).
    s.sql("UPDATE auth_user SET password = '!' || 'bobs password' "
          "WHERE id = :'p1'", uid)
    expect(s, "unusable password ('!' + the password)",
           {"username": "bob", "password": "bobs password"}, 400, UNABLE)
    s.sql("UPDATE auth_user SET password = '!' WHERE id = :'p1'", uid)
    expect(s, "unusable password ('!')", {"username": "bob",
                                          "password": "!"}, 400, UNABLE)
    for bad in ("garbage", "", "md5$salt$0123", "argon2$argon2id$broken",
                "pbkdf2_sha256$notanumber$salt$abc"):
        s.sql("UPDATE auth_user SET password = :'p1' WHERE id = :'p2'", bad,
              uid)
        expect(s, "undecodable stored hash %r" % bad,
               {"username": "bob", "password": "bobs password"}, 400, UNABLE)
    t.eq("no token after unusable", token_rows(s, uid), [])


def inactive(s):
    uid = s.createuser("carol", "carols password", email="carol@example.com")
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", uid)
    expect(s, "inactive, right password",
           {"username": "carol", "password": "carols password"}, 400,
           DISABLED)
    expect(s, "inactive, wrong password",
           {"username": "carol", "password": "wrong"}, 400, UNABLE)
    t.eq("inactive gets no token", token_rows(s, uid), [])


def fields(s):
    s.createuser("dave", "dave secret", email="dave@example.com")
    # password
    expect(s, "password missing", {"username": "dave"}, 400,
           {"password": REQUIRED})
    expect(s, "empty object", {}, 400, {"password": REQUIRED})
    expect(s, "no body at all", None, 400, {"password": REQUIRED})
    expect(s, "password blank", {"username": "dave", "password": ""}, 400,
           {"password": BLANK})
    expect(s, "password whitespace only",
           {"username": "dave", "password": "  \t "}, 400,
           {"password": BLANK})
    expect(s, "password null", {"username": "dave", "password": None}, 400,
           {"password": NULL})
    for v in (True, False, [], {}, ["dave secret"], {"a": 1}):
        expect(s, "password %r" % (v,), {"username": "dave", "password": v},
               400, {"password": NOTSTR})
    # username / email types
    expect(s, "username null", {"username": None, "password": "x"}, 400,
           {"username": NULL})
    expect(s, "email null", {"username": "dave", "email": None,
                             "password": "x"}, 400, {"email": NULL})
    expect(s, "username true", {"username": True, "password": "x"}, 400,
           {"username": NOTSTR})
    expect(s, "username object", {"username": {}, "password": "x"}, 400,
           {"username": NOTSTR})
    expect(s, "email list", {"username": "dave", "email": [],
                             "password": "x"}, 400, {"email": NOTSTR})
    expect(s, "email invalid", {"username": "dave", "email": "dave@",
                                "password": "dave secret"}, 400,
           {"email": BADEMAIL})
    # several errors in one body
    expect(s, "errors together",
           {"username": True, "email": "nope", "password": ""}, 400,
           {"username": NOTSTR, "email": BADEMAIL, "password": BLANK})
    expect(s, "errors together (missing password)",
           {"username": None, "email": "x@"}, 400,
           {"username": NULL, "email": BADEMAIL, "password": REQUIRED})
    # Field errors come before the credential check.
    expect(s, "field errors before auth",
           {"username": "dave", "password": None}, 400, {"password": NULL})
    # NUL characters
    expect(s, "NUL in password", {"username": "dave",
                                  "password": "dave\u0000secret"}, 400,
           {"password": NULCHAR})
    expect(s, "NUL in username", {"username": "da\u0000ve",
                                  "password": "dave secret"}, 400,
           {"username": NULCHAR})
    expect(s, "NUL in form password", None, 400, {"password": NULCHAR},
           form={"username": "dave", "password": "a\x00b"})
    # over-long values (counted in characters, not bytes)
    expect(s, "username 151 chars", {"username": "u" * 151,
                                     "password": "x"}, 400,
           {"username": maxlen(150)})
    expect(s, "username 150 chars is fine", {"username": "u" * 150,
                                             "password": "x"}, 400, UNABLE)
    expect(s, "username 150 two-byte chars is fine",
           {"username": "\u00e9" * 150, "password": "x"}, 400, UNABLE)
    expect(s, "username 151 two-byte chars",
           {"username": "\u00e9" * 151, "password": "x"}, 400,
           {"username": maxlen(150)})
    email255 = "a" * 243 + "@example.com"
    email254 = "a" * 242 + "@example.com"
    expect(s, "email 255 chars", {"username": "dave", "email": email255,
                                  "password": "x"}, 400,
           {"email": maxlen(254)})
    expect(s, "email 254 chars is fine", {"username": "dave",
                                          "email": email254,
                                          "password": "dave secret"},
           200)
    expect(s, "password 4097 chars", {"username": "dave",
                                      "password": "p" * 4097}, 400,
           {"password": maxlen(4096)})
    expect(s, "password 4096 chars is fine", {"username": "dave",
                                              "password": "p" * 4096},
           400, UNABLE)
    expect(s, "password 4097 chars (form)", None, 400,
           {"password": maxlen(4096)},
           form={"username": "dave", "password": "p" * 4097})
    expect(s, "all three too long",
           {"username": "u" * 151, "email": email255,
            "password": "p" * 4097}, 400,
           {"username": maxlen(150), "email": maxlen(254),
            "password": maxlen(4096)})
    # Trimming after the length check? DRF trims first (to_internal_value
    # strips, then validators run): 150 chars + spaces is fine.
    expect(s, "username 150 chars + surrounding spaces is fine",
           {"username": "  " + "u" * 150 + "  ", "password": "x"}, 400,
           UNABLE)


def coercion(s):
    s.createuser("123", "12345678")
    r = login(s, "numbers as strings", {"username": 123,
                                        "password": 12345678})
    t.eq("numbers as strings", r.status, 200)
    key = (r.json or {}).get("key")
    t.check("numbers: got a key", is_key(key), r.body)
    expect(s, "number username, string password",
           {"username": 123, "password": "12345678"}, 200, {"key": key})
    expect(s, "string username, number password",
           {"username": "123", "password": 12345678}, 200, {"key": key})
    expect(s, "wrong number password", {"username": 123,
                                        "password": 12345679}, 400, UNABLE)
    s.createuser("gina", "secret")
    key = login(s, "gina plain", {"username": "gina",
                                  "password": "secret"}).json["key"]
    expect(s, "password trimmed", {"username": "gina",
                                   "password": " secret "}, 200,
           {"key": key})
    expect(s, "password trimmed (tabs/newlines)",
           {"username": "gina", "password": "\t\nsecret\r\n"}, 200,
           {"key": key})
    expect(s, "username trimmed", {"username": "  gina\t",
                                   "password": "secret"}, 200, {"key": key})
    expect(s, "form values trimmed", None, 200, {"key": key},
           form={"username": " gina ", "password": " secret "})
    # Python's str.strip() also strips Unicode whitespace.
    expect(s, "unicode whitespace trimmed",
           {"username": "\u00a0gina\u2003", "password": "\u3000secret"},
           200, {"key": key})
    # Inner whitespace is kept.
    expect(s, "inner whitespace kept", {"username": "gina",
                                        "password": "sec ret"}, 400, UNABLE)


def auth_header(s):
    s.createuser("ivan", "ivan secret")
    good = {"username": "ivan", "password": "ivan secret"}
    for hdr, detail in (
            ("Token nonexistent", "Invalid token."),
            ("token nonexistent", "Invalid token."),
            ("Token " + "0" * 40, "Invalid token."),
            ("Token", "Invalid token header. No credentials provided."),
            ("Token a b", "Invalid token header. Token string should not "
                          "contain spaces.")):
        r = login(s, "auth %r" % hdr, good,
                  headers={"Authorization": hdr})
        t.eq("auth %r" % hdr, (r.status, r.json), (401, {"detail": detail}))
        t.eq("auth %r: WWW-Authenticate" % hdr,
             r.header("WWW-Authenticate"), "Token")
    # Judged before the body...
    r = login(s, "bad token, bad body", {"password": None},
              headers={"Authorization": "Token nonexistent"})
    t.eq("bad token before body", (r.status, r.json),
         (401, {"detail": "Invalid token."}))
    # DRF parses the body lazily (request.data in post()), so a body that
    # cannot be parsed does not get ahead of the token either.
    for ctype, raw in (("application/json", "{\"username\": "),
                       ("text/plain", "hello")):
        r = login(s, "bad token, %s unparsable body" % ctype, None,
                  body=raw, headers={"Authorization": "Token nonexistent",
                                     "Content-Type": ctype})
        t.eq("bad token before unparsable %s body" % ctype,
             (r.status, r.json), (401, {"detail": "Invalid token."}))
    # ... and before the method (DRF's initial() runs before the handler).
    r = common("bad token on GET", s.get(
        "/auth/login/", headers={"Authorization": "Token nonexistent"}))
    t.eq("bad token before method", (r.status, r.json),
         (401, {"detail": "Invalid token."}))
    # A Bearer header (no JWT mode) is not ours to judge.
    r = login(s, "bearer ignored", good,
              headers={"Authorization": "Bearer xyz"})
    t.eq("bearer ignored", r.status, 200)
    t.check("bearer ignored: key", is_key((r.json or {}).get("key")), r.body)
    r = login(s, "unknown scheme ignored", good,
              headers={"Authorization": "Digest abc"})
    t.eq("unknown scheme ignored", r.status, 200)


def methods(s):
    for m in ("GET", "PUT", "PATCH", "DELETE"):
        r = common(m, s.request(m, "/auth/login/", json={"username": "x",
                                                         "password": "y"}
                                if m != "GET" else None))
        t.eq(m + " 405", (r.status, r.json),
             (405, {"detail": "Method \"%s\" not allowed." % m}))
        t.eq(m + " Allow", r.header("Allow"), ALLOW)
    r = s.request("HEAD", "/auth/login/")
    t.eq("HEAD 405", r.status, 405)
    t.eq("HEAD Allow", r.header("Allow"), ALLOW)
    # lighttpd answers methods it does not know (FOO) with its own 501
    # before FastCGI; one it knows but the view lacks reaches us.
    r = common("PROPFIND", s.request("PROPFIND", "/auth/login/"))
    t.eq("PROPFIND 405", (r.status, r.json),
         (405, {"detail": "Method \"PROPFIND\" not allowed."}))
    t.eq("PROPFIND Allow", r.header("Allow"), ALLOW)
    r = common("OPTIONS", s.request("OPTIONS", "/auth/login/"))
    t.eq("OPTIONS status", r.status, 200)
    t.eq("OPTIONS name", (r.json or {}).get("name"), "Login")
    t.check("OPTIONS description", isinstance(
        (r.json or {}).get("description"), str), r.body[:200])


def bodies(s):
    s.createuser("judy", "judy secret")
    r = login(s, "malformed JSON", None, body="{\"username\": ",
              headers={"Content-Type": "application/json"})
    t.eq("malformed JSON status", r.status, 400)
    t.check("malformed JSON detail",
            str((r.json or {}).get("detail", "")).startswith(
                "JSON parse error - "), r.body[:200])
    expect(s, "JSON list body", ["judy", "judy secret"], 400,
           {"non_field_errors": ["Invalid data. Expected a dictionary, but "
                                 "got list."]})
    r = login(s, "text/plain", None, body="username=judy",
              headers={"Content-Type": "text/plain"})
    t.eq("text/plain", (r.status, r.json),
         (415, {"detail": "Unsupported media type \"text/plain\" in "
                          "request."}))
    # Content-Type with a charset parameter is still JSON.
    r = login(s, "json with charset", None,
              body=json.dumps({"username": "judy",
                               "password": "judy secret"}),
              headers={"Content-Type": "application/json; charset=utf-8"})
    t.eq("json with charset", r.status, 200)


def sql_injection(s):
    s.createuser("alice2", "alice2 pass")
    before = s.sql("SELECT count(*) FROM auth_user")
    for u in ("alice2' OR '1'='1", "'; DROP TABLE auth_user; --",
              "alice2'--", "\\'; DELETE FROM authtoken_token; --",
              "%", "_lice2", "alice%"):
        expect(s, "injection username %r" % u,
               {"username": u, "password": "alice2 pass"}, 400, UNABLE)
        expect(s, "injection password for %r" % u,
               {"username": "alice2", "password": u}, 400, UNABLE)
    t.eq("auth_user intact", s.sql("SELECT count(*) FROM auth_user"),
         before)
    t.eq("alice2 still logs in", login(s, "alice2", {
        "username": "alice2", "password": "alice2 pass"}).status, 200)


def django_hashes(s, prefix, params):
    """Hashes Django would have written; verified, then re-hashed to the
    configured argon2id on the first successful login."""
    salt = "Tx0SxJbHVqf8nKgkDCcEoZ"
    dk = hashlib.pbkdf2_hmac("sha256", b"pbkdf2 pw", salt.encode(), 1000)
    pb = "pbkdf2_sha256$1000$%s$%s" % (
        salt, base64.b64encode(dk).decode().strip())
    a2id = "argon2" + a2.hash_secret(b"argon2id pw", os.urandom(16),
                                     time_cost=1, memory_cost=512,
                                     parallelism=2, hash_len=32,
                                     type=a2.Type.ID).decode()
    a2i = "argon2" + a2.hash_secret(b"argon2i pw", os.urandom(16),
                                    time_cost=2, memory_cost=256,
                                    parallelism=1, hash_len=32,
                                    type=a2.Type.I).decode()
    for name, pw, old in (("pb_user", "pbkdf2 pw", pb),
                          ("a2id_user", "argon2id pw", a2id),
                          ("a2i_user", "argon2i pw", a2i)):
        uname = name
        uid = s.createuser(uname, "x")
        s.sql("UPDATE auth_user SET password = :'p1' WHERE id = :'p2'", old,
              uid)
        expect(s, name + ": wrong password", {"username": uname,
                                              "password": pw + "x"},
               400, UNABLE)
        t.eq(name + ": hash untouched by a failure", pwhash(s, uid), old)
        r = login(s, name + ": login", {"username": uname, "password": pw})
        t.eq(name + ": login status", r.status, 200)
        new = pwhash(s, uid)
        t.check(name + ": re-hashed to the configured argon2id",
                new.startswith(prefix) and new != old, new)
        r = login(s, name + ": login after re-hash",
                  {"username": uname, "password": pw})
        t.eq(name + ": login after re-hash", r.status, 200)
        # Already in the configured scheme: no second re-hash.
        t.eq(name + ": no needless re-hash", pwhash(s, uid), new)
    # A Django argon2id hash with exactly the configured parameters, a
    # 32-byte hash and Django's salt (22 random alphanumerics, so
    # must_update_salt() is false) is not re-hashed either.
    same = "argon2" + a2.hash_secret(b"same pw", b"q8Zr3LkWm2Xv9PtA7cYd4N",
                                     time_cost=params[1],
                                     memory_cost=params[0],
                                     parallelism=params[2], hash_len=32,
                                     type=a2.Type.ID).decode()
    uname = "same_user"
    uid = s.createuser(uname, "x")
    s.sql("UPDATE auth_user SET password = :'p1' WHERE id = :'p2'", same,
          uid)
    r = login(s, "same params: login", {"username": uname,
                                        "password": "same pw"})
    t.eq("same params: login", r.status, 200)
    t.eq("same params: hash kept", pwhash(s, uid), same)


def own_hash_default(s):
    uid = s.createuser("zed", "zed password")
    hh = pwhash(s, uid)
    t.check("createuser hash uses the default params",
            hh.startswith(DEFAULT_PREFIX), hh)
    django_hashes(s, DEFAULT_PREFIX, (19456, 2, 1))


def own_hash_fast(s):
    django_hashes(s, FAST_PREFIX, (1024, 1, 1))


# --- email mode ---

def email_mode(s):
    uid = s.createuser("alice", "alice pw", email="alice@example.com")
    r = login(s, "email login", {"email": "alice@example.com",
                                 "password": "alice pw"})
    t.eq("email login", r.status, 200)
    key = (r.json or {}).get("key")
    t.check("email login key", is_key(key), r.body)
    t.eq("email login: token row", token_rows(s, uid), [[key]])
    expect(s, "email case-insensitive", {"email": "Alice@Example.COM",
                                         "password": "alice pw"},
           200, {"key": key})
    expect(s, "email trimmed", {"email": " alice@example.com ",
                                "password": "alice pw"}, 200, {"key": key})
    expect(s, "username only (email mode)", {"username": "alice",
                                             "password": "alice pw"},
           400, MUST_EMAIL)
    expect(s, "blank email (email mode)", {"username": "alice",
                                           "email": "",
                                           "password": "alice pw"},
           400, MUST_EMAIL)
    expect(s, "nothing (email mode)", {"password": "alice pw"}, 400,
           MUST_EMAIL)
    expect(s, "email in username field (email mode)",
           {"username": "alice@example.com", "password": "alice pw"}, 400,
           MUST_EMAIL)
    expect(s, "password missing (email mode)",
           {"email": "alice@example.com"}, 400, {"password": REQUIRED})
    expect(s, "wrong password (email mode)",
           {"email": "alice@example.com", "password": "nope"}, 400, UNABLE)
    expect(s, "unknown email", {"email": "nobody@example.com",
                                "password": "alice pw"}, 400, UNABLE)
    # The username is ignored in email mode.
    expect(s, "wrong username ignored (email mode)",
           {"username": "someoneelse", "email": "alice@example.com",
            "password": "alice pw"}, 200, {"key": key})
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", uid)
    expect(s, "inactive (email mode)", {"email": "alice@example.com",
                                        "password": "alice pw"}, 400,
           DISABLED)


# --- username_email mode ---

def username_email_mode(s):
    a = s.createuser("alice", "alice pw", email="alice@example.com")
    b = s.createuser("bob", "bob pw", email="bob@example.com")
    r = login(s, "by username", {"username": "alice", "password": "alice pw"})
    t.eq("by username", r.status, 200)
    ka = (r.json or {}).get("key")
    t.eq("by username: alice's token", token_rows(s, a), [[ka]])
    expect(s, "by email", {"email": "ALICE@example.com",
                           "password": "alice pw"}, 200, {"key": ka})
    expect(s, "email in the username field",
           {"username": "Alice@Example.com", "password": "alice pw"}, 200,
           {"key": ka})
    expect(s, "username case-insensitive", {"username": "ALICE",
                                            "password": "alice pw"},
           200, {"key": ka})
    expect(s, "neither", {"password": "alice pw"}, 400, MUST_EITHER)
    expect(s, "both blank", {"username": "", "email": "",
                             "password": "alice pw"}, 400, MUST_EITHER)
    expect(s, "wrong password", {"username": "alice", "password": "bob pw"},
           400, UNABLE)
    # The email wins when both are given (dj-rest-auth checks it first and
    # passes only email= to authenticate()).
    r = login(s, "email wins", {"username": "alice",
                                "email": "bob@example.com",
                                "password": "bob pw"})
    t.eq("email wins: status", r.status, 200)
    kb = (r.json or {}).get("key")
    t.eq("email wins: bob's token", token_rows(s, b), [[kb]])
    expect(s, "email wins: the username is not tried",
           {"username": "alice", "email": "nobody@example.com",
            "password": "alice pw"}, 400, UNABLE)


# --- no token model ---

def no_token_model(s):
    uid = s.createuser("alice", "alice pw")
    s.sql("UPDATE auth_user SET last_login = NULL WHERE id = :'p1'", uid)
    r = login(s, "no token model", {"username": "alice",
                                    "password": "alice pw"})
    t.eq("no token model: 204", r.status, 204)
    t.eq("no token model: no body", r.body, b"")
    t.eq("no token model: no token row",
         s.sql("SELECT count(*) FROM authtoken_token"), [["0"]])
    t.eq("no token model: last_login set", s.sql(
        "SELECT last_login IS NOT NULL FROM auth_user WHERE id = :'p1'",
        uid), [["t"]])
    expect(s, "no token model: wrong password",
           {"username": "alice", "password": "x"}, 400, UNABLE)
    # No TokenAuthentication: a Token header is not judged.
    r = login(s, "no token model: token header ignored",
              {"username": "alice", "password": "alice pw"},
              headers={"Authorization": "Token nonexistent"})
    t.eq("no token model: token header ignored", r.status, 204)


def half_state(s, uid, when, tokens, never_logged_in, failures, sessions):
    t.eq("half: token rows " + when, token_rows(s, uid), tokens)
    t.eq("half: last_login unset " + when,
         s.sql("SELECT last_login IS NULL FROM auth_user WHERE id = :'p1'",
               uid), [[never_logged_in]])
    t.eq("half: failure rows " + when,
         len(s.sql("SELECT 1 FROM restauth_login_failure")), failures)
    t.eq("half: session rows " + when,
         s.sql("SELECT count(*) FROM django_session"), [[sessions]])


def half_written(s):
    """Login's writes (backoff cleared, token, last_login, session) are
    one transaction: when the last one fails, none of them stays."""
    uid = s.createuser("halfway", "halfway pw")
    r = login(s, "half: a wrong password first",
              {"username": "halfway", "password": "wrong"})
    t.eq("half: the wrong password is 400", r.status, 400)
    t.eq("half: the failure is counted",
         len(s.sql("SELECT 1 FROM restauth_login_failure")), 1)
    s.sql("CREATE FUNCTION half_refuse() RETURNS trigger LANGUAGE plpgsql "
          "AS $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$; "
          "CREATE TRIGGER half_refuse BEFORE INSERT ON django_session "
          "FOR EACH ROW EXECUTE FUNCTION half_refuse()")
    r = login(s, "half: the session write fails",
              {"username": "halfway", "password": "halfway pw"})
    t.eq("half: a failed session write is 503", r.status, 503)
    half_state(s, uid, "after a failed write", [], "t", 1, "0")
    s.sql("DROP TRIGGER half_refuse ON django_session")
    r = login(s, "half: then the login works",
              {"username": "halfway", "password": "halfway pw"})
    t.eq("half: then the login works", r.status, 200)
    half_state(s, uid, "after the login", [[r.json["key"]]], "f", 0, "1")


with h.Stack(FAST) as s:
    for fn in (success, failures, inactive, fields, coercion, auth_header,
               methods, bodies, sql_injection, own_hash_fast):
        t.run(fn, s)
with h.Stack() as s:
    t.run(own_hash_default, s)
with h.Stack(dict(FAST, ACCOUNT={"AUTHENTICATION_METHOD": "email",
                                 "EMAIL_REQUIRED": True,
                                 "UNIQUE_EMAIL": True})) as s:
    t.run(email_mode, s)
with h.Stack(dict(FAST, ACCOUNT={"AUTHENTICATION_METHOD":
                                 "username_email"})) as s:
    t.run(username_email_mode, s)
with h.Stack(dict(FAST, REST_AUTH={"TOKEN_MODEL": None})) as s:
    t.run(no_token_model, s)
with h.Stack(dict(FAST, LOGIN_FAILURE_LIMIT=1000)) as s:
    t.run(half_written, s)
t.done()
