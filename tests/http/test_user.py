"""user/: dj-rest-auth's UserDetailsView behind DRF TokenAuthentication
and IsAuthenticated — reading, updating, the username rules, the bad
Authorization headers DRF tells apart, methods and paths."""
import http.client
import urllib.parse

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
CONFIG = {"PASSWORD_HASHER": FAST,
          "ACCOUNT": {"USERNAME_BLACKLIST": ["admin"]}}
USER_KEYS = {"pk", "username", "email", "first_name", "last_name"}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
INVALID_USERNAME = ("Enter a valid username. This value may contain only "
                    "letters, numbers, and @/./+/-/_ characters.")
TAKEN = "A user with that username already exists."
BLACKLISTED = "Username can not be used. Please use other username."
TOO_LONG = "Ensure this field has no more than 150 characters."


def raw_request(s, method, path, headers=(), body=None):
    """A request with header values passed as given (bytes allowed),
    without http.client's encoding of str values."""
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=h.TIMEOUT)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers:
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        return h.Resp(r.status, [(k.lower(), v) for k, v in r.getheaders()],
                      data)
    finally:
        c.close()


def new_user(s, name, email=""):
    uid = s.createuser(name, "pw-" + name, email=email)
    return uid, s.login(name, "pw-" + name)


def db_user(s, uid):
    return s.sql("SELECT username, email, first_name, last_name FROM "
                 "auth_user WHERE id = :'p1'", uid)[0]


def get_and_head(s):
    uid, key = new_user(s, "reader", "reader@example.com")
    r = s.get("/auth/user/", token=key)
    t.eq("GET status", r.status, 200)
    t.eq("GET keys", set(r.json or {}), USER_KEYS)
    t.eq("GET body", r.json, {"pk": uid, "username": "reader",
                              "email": "reader@example.com",
                              "first_name": "", "last_name": ""})
    t.check("GET content type", (r.header("Content-Type") or "")
            .startswith("application/json"), r.header("Content-Type"))
    t.eq("GET Allow", r.header("Allow"), "GET, PUT, PATCH, HEAD, OPTIONS")
    hr = s.request("HEAD", "/auth/user/", token=key)
    t.eq("HEAD status", hr.status, 200)
    t.eq("HEAD empty body", hr.body, b"")
    skip = {"date", "content-length"}
    t.eq("HEAD same headers",
         sorted((k, v) for k, v in hr.headers if k not in skip),
         sorted((k, v) for k, v in r.headers if k not in skip))
    cl = hr.header("Content-Length")
    t.check("HEAD content-length absent or the GET one",
            cl is None or cl == "0" or cl == r.header("Content-Length"), cl)


def bad_credentials(s):
    uid, key = new_user(s, "creds")

    def unauth(what, r, detail):
        t.eq(what + " status", r.status, 401)
        t.eq(what + " body", r.json, {"detail": detail})
        t.eq(what + " WWW-Authenticate", r.header("WWW-Authenticate"),
             "Token")

    unauth("no credentials", s.get("/auth/user/"), NOT_PROVIDED["detail"])
    unauth("Token alone", s.get("/auth/user/",
                                headers={"Authorization": "Token"}),
           "Invalid token header. No credentials provided.")
    unauth("Token + spaces", s.get("/auth/user/",
                                   headers={"Authorization": "Token   "}),
           "Invalid token header. No credentials provided.")
    unauth("Token a b", s.get("/auth/user/",
                              headers={"Authorization": "Token a b"}),
           "Invalid token header. Token string should not contain spaces.")
    unauth("Token key extra", s.get(
        "/auth/user/", headers={"Authorization": "Token %s x" % key}),
        "Invalid token header. Token string should not contain spaces.")
    r = raw_request(s, "GET", "/auth/user/",
                    [("Authorization", b"Token \xff\xfe")])
    unauth("Token invalid bytes", r,
           "Invalid token header. Token string should not contain "
           "invalid characters.")
    unauth("unknown key", s.get("/auth/user/", token="0" * 40),
           "Invalid token.")
    unauth("short key", s.get("/auth/user/", token="abc"), "Invalid token.")
    unauth("41-char key", s.get("/auth/user/", token=key + "0"),
           "Invalid token.")
    unauth("long key", s.get("/auth/user/", token=key * 20),
           "Invalid token.")
    unauth("upper-cased key", s.get("/auth/user/", token=key.upper()),
           "Invalid token.")
    for kw in ("token", "TOKEN", "ToKeN"):
        r = s.get("/auth/user/", headers={"Authorization": kw + " " + key})
        t.eq("keyword %s accepted" % kw, (r.status, (r.json or {}).get("pk")),
             (200, uid))
    r = s.get("/auth/user/", headers={"Authorization": "Token  " + key +
                                      "  "})
    t.eq("extra whitespace around key accepted", r.status, 200)
    # Another scheme is not TokenAuthentication's: no credentials.
    for hv in ("Basic dXNlcjpwYXNz", "Bearer " + key, "Tokens " + key,
               key):
        unauth("other scheme %r" % hv[:12],
               s.get("/auth/user/", headers={"Authorization": hv}),
               NOT_PROVIDED["detail"])
    # Inactive user.
    s.sql("UPDATE auth_user SET is_active = false WHERE id = :'p1'", uid)
    unauth("inactive user", s.get("/auth/user/", token=key),
           "User inactive or deleted.")
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": "X"})
    unauth("inactive user PATCH", r, "User inactive or deleted.")
    t.eq("inactive user not changed", db_user(s, uid)[2], "")
    s.sql("UPDATE auth_user SET is_active = true WHERE id = :'p1'", uid)
    t.eq("active again", s.get("/auth/user/", token=key).status, 200)


def put_patch(s):
    uid, key = new_user(s, "editor", "editor@example.com")
    r = s.request("PUT", "/auth/user/", token=key,
                  json={"first_name": "Ed"})
    t.eq("PUT without username", (r.status, r.json),
         (400, {"username": ["This field is required."]}))
    t.eq("PUT without username: no change", db_user(s, uid),
         ["editor", "editor@example.com", "", ""])
    r = s.request("PUT", "/auth/user/", token=key, json={})
    t.eq("PUT empty object", (r.status, r.json),
         (400, {"username": ["This field is required."]}))
    r = s.request("PUT", "/auth/user/", token=key,
                  json={"username": "editor2", "first_name": "Ed",
                        "last_name": "Itor", "pk": 999999,
                        "email": "evil@example.com"})
    t.eq("PUT status", r.status, 200)
    t.eq("PUT body", r.json, {"pk": uid, "username": "editor2",
                              "email": "editor@example.com",
                              "first_name": "Ed", "last_name": "Itor"})
    t.eq("PUT row", db_user(s, uid),
         ["editor2", "editor@example.com", "Ed", "Itor"])
    t.eq("pk unchanged", s.sql("SELECT count(*) FROM auth_user WHERE id = "
                               "999999"), [["0"]])
    # PUT leaves fields it does not mention alone (the model keeps them).
    r = s.request("PUT", "/auth/user/", token=key,
                  json={"username": "editor2"})
    t.eq("PUT username only", (r.status, r.json and r.json["first_name"]),
         (200, "Ed"))
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"last_name": "Smith"})
    t.eq("PATCH status", r.status, 200)
    t.eq("PATCH body", r.json, {"pk": uid, "username": "editor2",
                                "email": "editor@example.com",
                                "first_name": "Ed", "last_name": "Smith"})
    t.eq("PATCH row", db_user(s, uid),
         ["editor2", "editor@example.com", "Ed", "Smith"])
    r = s.request("PATCH", "/auth/user/", token=key, json={})
    t.eq("PATCH nothing", (r.status, r.json and r.json["last_name"]),
         (200, "Smith"))
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"email": "x@example.com", "pk": 5})
    t.eq("PATCH read-only only", (r.status, r.json), (200, {
        "pk": uid, "username": "editor2", "email": "editor@example.com",
        "first_name": "Ed", "last_name": "Smith"}))
    r = s.request("PATCH", "/auth/user/", token=key,
                  form={"first_name": "Form Ed"})
    t.eq("PATCH form body", (r.status, r.json and r.json["first_name"]),
         (200, "Form Ed"))
    # Trimming.
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"username": "  Bobby  ", "first_name": "  Bob  ",
                        "last_name": "\tB\n"})
    t.eq("trimmed", (r.status, r.json and [r.json["username"],
                                            r.json["first_name"],
                                            r.json["last_name"]]),
         (200, ["Bobby", "Bob", "B"]))
    t.eq("trimmed row", db_user(s, uid)[::2] + [db_user(s, uid)[3]],
         ["Bobby", "Bob", "B"])
    # Blank names allowed; spaces only trims to blank.
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": "", "last_name": "   "})
    t.eq("blank names", (r.status, r.json and [r.json["first_name"],
                                                r.json["last_name"]]),
         (200, ["", ""]))
    # The token still belongs to the renamed user.
    r = s.get("/auth/user/", token=key)
    t.eq("still authenticated", (r.status, r.json and r.json["username"]),
         (200, "Bobby"))
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": None})
    t.eq("null name", (r.status, r.json),
         (400, {"first_name": ["This field may not be null."]}))


def username_rules(s):
    uid, key = new_user(s, "rules")
    s.createuser("bob", "pw-bob")

    def bad(what, body, want):
        before = db_user(s, uid)
        r = s.request("PATCH", "/auth/user/", token=key, json=body)
        t.eq(what, (r.status, r.json), (400, want))
        t.eq(what + ": row unchanged", db_user(s, uid), before)

    def good(what, name, method="PATCH"):
        r = s.request(method, "/auth/user/", token=key,
                      json={"username": name})
        t.eq(what, (r.status, r.json and r.json["username"]), (200, name))
        t.eq(what + ": row", db_user(s, uid)[0], name)

    bad("blank", {"username": ""}, {"username": ["This field may not be "
                                                 "blank."]})
    bad("spaces only", {"username": "   "},
        {"username": ["This field may not be blank."]})
    bad("151 chars", {"username": "a" * 151}, {"username": [TOO_LONG]})
    bad("151 unicode chars", {"username": "é" * 151},
        {"username": [TOO_LONG]})
    good("150 chars", "a" * 150)
    good("150 unicode chars", "é" * 150)
    for name in ("bad name!", "a/b", "a b", "x#y", "semi;colon", "quo'te",
                 "tab\tinside"):
        bad("invalid %r" % name, {"username": name},
            {"username": [INVALID_USERNAME]})
    good("unicode Zoë", "Zoë")
    good("unicode 用户", "用户")
    good("all allowed punctuation", "a@b.c+d-e_f")
    # Python re's \w, not the C library's iswalnum: numbers that are not
    # letters are word characters (str.isalnum()), combining marks are
    # not; Django's UnicodeUsernameValidator decides.
    for name in ("a\u00b2", "\u00bd", "\u2460x"):
        good("Python \\w: %r" % name, name)
    for name in ("\u0915\u093e", "a\u0345", "\u05d0\u05b0"):
        bad("not Python \\w: %r" % name, {"username": name},
            {"username": [INVALID_USERNAME]})
    bad("taken", {"username": "bob"}, {"username": [TAKEN]})
    bad("taken other case", {"username": "BOB"}, {"username": [TAKEN]})
    bad("taken mixed case", {"username": "Bob"}, {"username": [TAKEN]})
    good("rename to rules2", "rules2")
    good("PUT keeps own name", "rules2", method="PUT")
    r = s.request("PUT", "/auth/user/", token=key,
                  json={"username": "rules2", "first_name": "Same"})
    t.eq("PUT own name with names", (r.status, r.json and
                                     r.json["first_name"]), (200, "Same"))
    good("own name, new case", "RULES2")
    bad("blacklisted", {"username": "admin"}, {"username": [BLACKLISTED]})
    bad("blacklisted other case", {"username": "AdMiN"},
        {"username": [BLACKLISTED]})
    bad("blacklisted after trim", {"username": "  admin "},
        {"username": [BLACKLISTED]})
    good("blacklist is exact, not prefix", "admin2")
    bad("first_name 151", {"first_name": "x" * 151},
        {"first_name": [TOO_LONG]})
    bad("last_name 151", {"last_name": "y" * 151},
        {"last_name": [TOO_LONG]})
    bad("both names 151", {"first_name": "x" * 151, "last_name": "y" * 151},
        {"first_name": [TOO_LONG], "last_name": [TOO_LONG]})
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": "x" * 150, "last_name": "ÿ" * 150})
    t.eq("names 150 chars", (r.status, r.json and [len(r.json["first_name"]),
                                                    len(r.json["last_name"])]),
         (200, [150, 150]))
    t.eq("bob untouched", s.sql("SELECT username FROM auth_user WHERE "
                                "username ILIKE 'bob'"), [["bob"]])
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"username": ["a"]})
    t.eq("username list", (r.status, r.json),
         (400, {"username": ["Not a valid string."]}))
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"username": 12345})
    t.eq("username number becomes a string",
         (r.status, r.json and r.json["username"]), (200, "12345"))


def methods_and_paths(s):
    uid, key = new_user(s, "methods")
    for m in ("POST", "DELETE"):
        r = s.request(m, "/auth/user/", token=key)
        t.eq("%s status" % m, r.status, 405)
        t.eq("%s body" % m, r.json, {"detail": 'Method "%s" not allowed.' % m})
        t.eq("%s Allow" % m, r.header("Allow"),
             "GET, PUT, PATCH, HEAD, OPTIONS")
        r = s.request(m, "/auth/user/")
        t.eq("%s unauthenticated: 401 first" % m, (r.status, r.json),
             (401, NOT_PROVIDED))
        t.eq("%s unauthenticated WWW-Authenticate" % m,
             r.header("WWW-Authenticate"), "Token")
    r = s.request("POST", "/auth/user/", token="f" * 40)
    t.eq("POST bad token: 401 first", (r.status, r.json),
         (401, {"detail": "Invalid token."}))
    r = s.request("PUT", "/auth/user/", json={"username": "x"})
    t.eq("PUT unauthenticated", (r.status, r.json), (401, NOT_PROVIDED))
    r = s.request("PATCH", "/auth/user/", json={"username": "x"})
    t.eq("PATCH unauthenticated", (r.status, r.json), (401, NOT_PROVIDED))
    r = s.request("HEAD", "/auth/user/")
    t.eq("HEAD unauthenticated", (r.status, r.body), (401, b""))
    r = s.request("OPTIONS", "/auth/user/", token=key)
    t.eq("OPTIONS status", r.status, 200)
    t.check("OPTIONS has name", isinstance(r.json, dict) and
            r.json.get("name") == "User Details", r)
    t.eq("OPTIONS Allow", r.header("Allow"),
         "GET, PUT, PATCH, HEAD, OPTIONS")
    r = s.request("OPTIONS", "/auth/user/")
    t.eq("OPTIONS unauthenticated", (r.status, r.json), (401, NOT_PROVIDED))
    r = s.get("/auth/user/extra", token=key)
    t.eq("below endpoint status", r.status, 404)
    t.check("below endpoint JSON", isinstance(r.json, dict), r)
    r = s.get("/auth/user/extra/", token=key)
    t.eq("below endpoint with slash status", r.status, 404)
    t.check("below endpoint with slash JSON", isinstance(r.json, dict), r)
    # Django matches the whole path: a tail that merely ends like the
    # endpoint is not it.
    r = s.get("/auth/user/x/user/", token=key)
    t.eq("path ending in user/ below the endpoint", r.status, 404)
    t.check("path ending in user/ below the endpoint: JSON",
            isinstance(r.json, dict) and "pk" not in r.json, r)
    r = s.get("/auth/login/x/user/", token=key)
    t.check("other endpoint's path ending in user/: not user data",
            r.status == 404 and "pk" not in (r.json or {}), r)
    # PATH_INFO is percent-decoded before Django resolves it.
    r = s.get("/auth/%75ser/", token=key)
    t.eq("percent-encoded path", (r.status, r.json and r.json.get("pk")),
         (200, uid))
    r = s.get("/auth/user", token=key)
    t.eq("no slash status", r.status, 301)
    loc = r.header("Location") or ""
    t.eq("no slash Location path", urllib.parse.urlsplit(loc).path,
         "/auth/user/")
    r = s.get("/auth/user/?x=1", token=key)
    t.eq("query string ignored", (r.status, r.json and r.json["pk"]),
         (200, uid))


with h.Stack(CONFIG) as s:
    for fn in (get_and_head, bad_credentials, put_patch, username_rules,
               methods_and_paths):
        t.run(fn, s)
t.done()
