"""Hostile input against login/ and user/ (SPEC section 7): malformed and
oversized bodies, wrong media types, invalid UTF-8, deep nesting,
duplicate keys, NUL characters, SQL-looking strings, form bodies, and a
seeded random-body loop that must never produce a 5xx, a dropped
connection or a crashed FastCGI process.

Expected JSON parse errors are computed here the way DRF's JSONParser
produces them (codecs utf-8 reader + json.load with strict constants)."""
import codecs
import http.client
import io
import json
import random
import socket

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
# A LOGIN_FAILURE_LIMIT no scenario reaches: these try many wrong
# passwords for one account; the backoff check still runs on every login
# (its own tests: test_login_backoff.py).
CONFIG = {"PASSWORD_HASHER": FAST, "LOGIN_FAILURE_LIMIT": 1000000}
UNABLE = {"non_field_errors": ["Unable to log in with provided credentials."]}
PW_REQUIRED = {"password": ["This field is required."]}
JSON_CT = {"Content-Type": "application/json"}
FORM_CT = {"Content-Type": "application/x-www-form-urlencoded"}
PASSWORD = "correct horse"


def strict_constant(o):
    # rest_framework.utils.json.strict_constant
    raise ValueError("Out of range float values are not JSON compliant: " +
                     repr(o))


def drf_json_error(body):
    """DRF JSONParser's ParseError detail for body, or None if it parses."""
    try:
        json.load(codecs.getreader("utf-8")(io.BytesIO(body)),
                  parse_constant=strict_constant)
        return None
    except ValueError as exc:
        return "JSON parse error - %s" % exc


def raw(s, method, path, headers, body, timeout=h.TIMEOUT):
    """Send one request on a plain socket (the server may answer before
    the body is all sent); returns a harness Resp."""
    head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (
        method, path)
    for k, v in headers.items():
        head += "%s: %s\r\n" % (k, v)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    sock = socket.create_connection(("127.0.0.1", s.port), timeout)
    try:
        try:
            sock.sendall(head.encode("latin-1") + body)
        except OSError:
            pass  # answered and closed early: read what it said
        r = http.client.HTTPResponse(sock, method=method)
        r.begin()
        data = r.read()
        return h.Resp(r.status, [(k.lower(), v) for k, v in r.getheaders()],
                      data)
    finally:
        sock.close()


def is_json_ct(r):
    return (r.header("Content-Type") or "").startswith("application/json")


def login_raw(s, body, ct="application/json"):
    headers = {"Content-Type": ct} if ct is not None else {}
    return s.post("/auth/login/", body=body, headers=headers)


def malformed_json(s):
    cases = [b"x", b'{"a":}', b'{"a" 1}', b'{"a":1,}', b"{} x", b"{",
             b'{"a', b'{"a":tru}', b'{"a":1 "b":2}', b'{\n"a":\n}',
             b'{"a":"\x01"}', b'{"a":"\\q"}', b'{"a":"\\u12"}', b"[1,]",
             b'{"a":NaN}', b'{"a":-Infinity}', b"\xef\xbb\xbf{}",
             b'{"\xc3\xa9\xc3\xa9":x}', b'{"a":"\xe7\x94\xa8"\n,\n\n x}',
             b"   ", b"{'a': 1}", b'{"a":01}', b"nul", b'{"a":1}}',
             b'{"a":[1,2}', b'{"a":"\\ud800"', b"\"unterminated"]
    # The wording the brief names, spelled out once.
    literal = {
        b"x": "JSON parse error - Expecting value: line 1 column 1 "
              "(char 0)",
        b'{"a":}': "JSON parse error - Expecting value: line 1 column 6 "
                   "(char 5)",
        b'{"a" 1}': "JSON parse error - Expecting ':' delimiter: line 1 "
                    "column 6 (char 5)",
        b'{"a":1,}': "JSON parse error - Expecting property name enclosed "
                     "in double quotes: line 1 column 8 (char 7)",
        b"{} x": "JSON parse error - Extra data: line 1 column 4 (char 3)",
    }
    for body, want in literal.items():
        t.eq("python agrees on %r" % body, drf_json_error(body), want)
    for body in cases:
        want = drf_json_error(body)
        if not t.check("case %r is malformed for python" % body,
                       want is not None):
            continue
        r = login_raw(s, body)
        t.eq("login %r" % body, (r.status, r.json), (400, {"detail": want}))
        t.check("login %r content type" % body, is_json_ct(r), r.headers)
    # The same parser behind user/ (after authentication).
    key = s.login("alice", PASSWORD)
    for body in (b"x", b'{"a":1,}', b"{} x"):
        r = s.request("PATCH", "/auth/user/", body=body, headers=JSON_CT,
                      token=key)
        t.eq("user PATCH %r" % body, (r.status, r.json),
             (400, {"detail": drf_json_error(body)}))
    r = s.request("PUT", "/auth/user/", body=b'{"username":', headers=JSON_CT,
                  token=key)
    t.eq("user PUT truncated", (r.status, r.json),
         (400, {"detail": drf_json_error(b'{"username":')}))
    r = s.request("PATCH", "/auth/user/", body=b"x", headers=JSON_CT)
    t.eq("user PATCH malformed unauthenticated: 401 first", r.status, 401)
    # An empty JSON body is no data, not a parse error (DRF: no stream).
    r = login_raw(s, b"")
    t.eq("empty JSON body", (r.status, r.json), (400, PW_REQUIRED))


def invalid_utf8(s):
    cases = [b'{"username": "\xff", "password": "x"}',
             b'{"username": "alice", "password": "\xfe\xff"}',
             b"\xff",
             b'{"a":"\xe2\x82"}',
             b'{"a":"\xc0\xaf"}',
             b'{"a":"\xed\xa0\x80"}',
             b'{"a":"\xf4\x90\x80\x80"}',
             b'{"\xc3\xa9":"\x80"}',
             b'{"a":"ok"} \xff']
    for body in cases:
        want = drf_json_error(body)
        t.check("python refuses %r" % body, want is not None and
                "codec can't decode" in want, want)
        r = login_raw(s, body)
        t.eq("utf-8 %r" % body, (r.status, r.json), (400, {"detail": want}))
    body = b'{"username": "\xff", "password": "x"}'
    t.eq("utf-8 message as the brief words it", drf_json_error(body),
         "JSON parse error - 'utf-8' codec can't decode byte 0xff in "
         "position 14: invalid start byte")
    # Valid multi-byte text is fine and positions count characters.
    body = '{"username": "用户é", "password": "x"}'.encode()
    r = login_raw(s, body)
    t.eq("valid utf-8", (r.status, r.json), (400, UNABLE))
    body = '{"username": "用户é" "password": "x"}'.encode()
    r = login_raw(s, body)
    t.eq("error position in characters", (r.status, r.json),
         (400, {"detail": drf_json_error(body)}))


def body_limits(s):
    # 2 MiB: far over MAX_BODY_BYTES (and over the web server's own cap).
    big = b'{"username": "alice", "password": "' + b"x" * (2 << 20) + b'"}'
    r = raw(s, "POST", "/auth/login/", JSON_CT, big)
    t.eq("2 MiB status", r.status, 413)
    t.check("2 MiB JSON body", is_json_ct(r) and isinstance(r.json, dict)
            and "detail" in r.json, r)

    # Far beyond anything the programs read: still 413 with JSON.
    huge = b'{"username": "alice", "password": "' + b"x" * (16 << 20) + b'"}'
    r = raw(s, "POST", "/auth/login/", JSON_CT, huge)
    t.eq("16 MiB status", r.status, 413)
    t.check("16 MiB JSON body", is_json_ct(r) and isinstance(r.json, dict)
            and "detail" in r.json, r)

    def padded(size):
        core = json.dumps({"username": "alice", "password": PASSWORD})
        body = core.encode() + b" " * (size - len(core))
        assert len(body) == size
        return body

    r = raw(s, "POST", "/auth/login/", JSON_CT, padded(65536))
    t.eq("exactly 65536 bytes accepted", r.status, 200)
    t.check("65536: a key", isinstance(r.json, dict) and "key" in r.json, r)
    r = raw(s, "POST", "/auth/login/", JSON_CT, padded(65537))
    t.eq("65537 bytes refused", r.status, 413)
    t.check("65537: JSON detail", is_json_ct(r) and
            isinstance(r.json, dict) and "detail" in r.json, r)
    r = raw(s, "POST", "/auth/login/", JSON_CT, padded(200000))
    t.eq("200000 bytes refused", r.status, 413)
    t.check("200000: JSON detail", isinstance(r.json, dict) and
            "detail" in r.json, r)
    key = s.login("alice", PASSWORD)
    body = b'{"first_name": "A"}' + b" " * 65537
    r = raw(s, "PATCH", "/auth/user/", dict(JSON_CT,
            Authorization="Token " + key), body)
    t.eq("user/ 413", (r.status, isinstance(r.json, dict)), (413, True))
    # Over-long fields: a 4xx with a JSON body, never a 5xx.
    for field in ("username", "password", "email"):
        body = {"username": "alice", "password": "x"}
        body[field] = "a" * 20000
        r = s.post("/auth/login/", json=body)
        t.check("long %s: 4xx JSON" % field, 400 <= r.status < 500 and
                isinstance(r.json, dict), r)
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": "é" * 10000})
    t.check("long first_name: 4xx JSON", 400 <= r.status < 500 and
            isinstance(r.json, dict), r)


def media_types(s):
    body = json.dumps({"username": "alice", "password": PASSWORD})
    r = login_raw(s, body, "text/plain")
    t.eq("text/plain", (r.status, r.json), (415, {
        "detail": 'Unsupported media type "text/plain" in request.'}))
    r = login_raw(s, body, "text/plain; charset=utf-8")
    t.eq("text/plain with charset", (r.status, r.json), (415, {
        "detail": 'Unsupported media type "text/plain; charset=utf-8" in '
                  'request.'}))
    r = login_raw(s, body, "application/xml")
    t.eq("application/xml", (r.status, r.json), (415, {
        "detail": 'Unsupported media type "application/xml" in request.'}))
    r = login_raw(s, body, "application/json; charset=utf-8")
    t.eq("json with charset", r.status, 200)
    r = login_raw(s, body, "Application/JSON")
    t.eq("json media type case-insensitive", r.status, 200)
    r = login_raw(s, b"", "text/plain")
    t.eq("text/plain without body: no data, no 415", (r.status, r.json),
         (400, PW_REQUIRED))
    # DRF: a body without a Content-Type has media type "", which no
    # parser matches (request.content_type defaults to '').
    r = login_raw(s, body, None)
    t.eq("no content type with a body", (r.status, r.json), (415, {
        "detail": 'Unsupported media type "" in request.'}))
    r = login_raw(s, b"", None)
    t.eq("no content type, no body: no data", (r.status, r.json),
         (400, PW_REQUIRED))
    key = s.login("alice", PASSWORD)
    r = s.request("PATCH", "/auth/user/", body=b"first_name=x",
                  headers={"Content-Type": "text/plain"}, token=key)
    t.eq("user/ text/plain", (r.status, r.json), (415, {
        "detail": 'Unsupported media type "text/plain" in request.'}))
    r = s.request("PATCH", "/auth/user/", body=b"first_name=x",
                  headers={"Content-Type": "text/plain"})
    t.eq("user/ text/plain unauthenticated: 401 first", r.status, 401)


def nesting(s):
    def nested(n):
        # n objects, one inside the other; the outermost is level 1.
        return ('{"a":' * (n - 1) + "{}" + "}" * (n - 1)).encode()

    r = login_raw(s, nested(16))
    t.eq("16 levels parsed", (r.status, r.json), (400, PW_REQUIRED))
    r = login_raw(s, nested(17))
    t.eq("17 levels status", r.status, 400)
    t.check("17 levels is a JSON parse error", isinstance(r.json, dict) and
            str(r.json.get("detail", "")).startswith("JSON parse error - "),
            r)
    arr = lambda n: ("[" * n + "]" * n)
    body = ('{"username": %s, "password": "x"}' % arr(15)).encode()
    r = login_raw(s, body)
    t.eq("16 levels with arrays parsed", (r.status, r.json),
         (400, {"username": ["Not a valid string."]}))
    body = ('{"username": %s, "password": "x"}' % arr(16)).encode()
    r = login_raw(s, body)
    t.check("17 levels with arrays refused", r.status == 400 and
            str((r.json or {}).get("detail", "")).startswith(
                "JSON parse error - "), r)
    for body in (b"[" * 60000, b'{"a":' * 12000, b"[" * 30000 + b"]" * 30000):
        r = login_raw(s, body)
        t.check("very deep %d bytes: 400 JSON" % len(body),
                r.status == 400 and isinstance(r.json, dict), r)


def duplicates_arrays_nul(s):
    body = b'{"username": "alice", "username": "bob", "password": "x"}'
    r = login_raw(s, body)
    t.eq("duplicate keys status", r.status, 400)
    t.check("duplicate keys: JSON parse error", str((r.json or {}).get(
        "detail", "")).startswith("JSON parse error - "), r)
    body = ('{"username": "alice", "password": "%s", "password": "%s"}' %
            (PASSWORD, PASSWORD)).encode()
    r = login_raw(s, body)
    t.check("duplicate keys, same value: still refused", r.status == 400 and
            "key" not in (r.json or {}), r)
    for body, typ in ((b"[]", "list"),
                      (b'[{"username": "alice"}]', "list"),
                      (b'"alice"', "str"), (b"1", "int"), (b"1.5", "float"),
                      (b"true", "bool")):
        r = login_raw(s, body)
        t.eq("top-level %s" % body.decode(), (r.status, r.json), (400, {
            "non_field_errors": ["Invalid data. Expected a dictionary, but "
                                 "got %s." % typ]}))
    # DRF's Serializer.errors edge case: data=None.
    r = login_raw(s, b"null")
    t.eq("top-level null", (r.status, r.json),
         (400, {"non_field_errors": ["No data provided"]}))
    key = s.login("alice", PASSWORD)
    r = s.request("PATCH", "/auth/user/", body=b"[]", headers=JSON_CT,
                  token=key)
    t.eq("user/ top-level list", (r.status, r.json), (400, {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got "
                             "list."]}))
    r = s.post("/auth/login/", json={"username": "alice",
                                     "password": "correct\u0000horse"})
    t.eq("NUL in password", (r.status, r.json),
         (400, {"password": ["Null characters are not allowed."]}))
    r = s.post("/auth/login/", json={"username": "al\u0000ice",
                                     "password": PASSWORD})
    t.eq("NUL in username", (r.status, r.json),
         (400, {"username": ["Null characters are not allowed."]}))
    r = s.post("/auth/login/", body=b"username=alice&password=a%00b",
               headers=FORM_CT)
    t.eq("NUL in form password", (r.status, r.json),
         (400, {"password": ["Null characters are not allowed."]}))
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": "A\u0000"})
    t.eq("NUL in first_name", (r.status, r.json),
         (400, {"first_name": ["Null characters are not allowed."]}))
    t.eq("first_name unchanged", s.sql("SELECT '=' || first_name FROM "
                                       "auth_user WHERE username = 'alice'"),
         [["="]])
    r = login_raw(s, b'{"a\\u0000b": 1, "password": "x"}')
    t.check("NUL in a key: 4xx JSON", 400 <= r.status < 500 and
            isinstance(r.json, dict), r)


SQLI = ["' OR '1'='1", "alice' --", "'; DROP TABLE auth_user; --",
        "\"; DELETE FROM authtoken_token; --", "alice'/*", "1; SELECT "
        "pg_sleep(5)", "$1", "%s", "\\'; TRUNCATE auth_user CASCADE; --",
        "alice\\", "' UNION SELECT password FROM auth_user --"]


def sql_strings(s):
    key = s.login("alice", PASSWORD)
    tables = ("auth_user", "authtoken_token")
    before = {tb: s.sql("SELECT count(*) FROM %s" % tb) for tb in tables}
    for v in SQLI:
        for body in ({"username": v, "password": v},
                     {"username": "alice", "password": v},
                     {"username": v, "password": PASSWORD},
                     {"username": v, "password": v,
                      "email": "x'or'1'='1@example.com"}):
            r = s.post("/auth/login/", json=body)
            t.eq("sql %r in %s" % (v, sorted(body)), (r.status, r.json),
                 (400, UNABLE))
        r = s.post("/auth/login/", form={"username": v, "password": v})
        t.eq("sql %r as form" % v, (r.status, r.json), (400, UNABLE))
        r = s.get("/auth/user/", headers={"Authorization": "Token " +
                                          v.replace(" ", "")})
        t.eq("sql %r as token" % v, r.status, 401)
    for tb in tables:
        t.eq("%s intact" % tb, s.sql("SELECT count(*) FROM %s" % tb),
             before[tb])
    # Stored verbatim where the field allows any text.
    for v in SQLI:
        r = s.request("PATCH", "/auth/user/", token=key,
                      json={"first_name": v, "last_name": v})
        t.eq("sql %r in names" % v, (r.status, r.json and
                                     r.json["first_name"]), (200, v.strip()))
        t.eq("sql %r stored verbatim" % v,
             s.sql("SELECT first_name, last_name FROM auth_user WHERE "
                   "username = 'alice'"), [[v.strip(), v.strip()]])
        r = s.request("PATCH", "/auth/user/", token=key,
                      json={"username": v})
        t.eq("sql %r as username" % v, r.status, 400)
    for tb in tables:
        t.eq("%s intact after user/" % tb,
             s.sql("SELECT count(*) FROM %s" % tb), before[tb])
    t.eq("alice still alice", s.sql("SELECT username FROM auth_user WHERE "
                                    "id = (SELECT min(id) FROM auth_user)"),
         [["alice"]])
    s.request("PATCH", "/auth/user/", token=key,
              json={"first_name": "", "last_name": ""})


def form_bodies(s):
    s.createuser("formuser", "x y+z%é")
    body = b"username=formuser&password=x%20y%2Bz%25%C3%A9"
    r = s.post("/auth/login/", body=body, headers=FORM_CT)
    t.eq("form %XX", (r.status, sorted(r.json or {})), (200, ["key"]))
    body = b"username=formuser&password=x+y%2bz%25%c3%a9"
    r = s.post("/auth/login/", body=body, headers=FORM_CT)
    t.eq("form + and lower-case %xx", (r.status, sorted(r.json or {})),
         (200, ["key"]))
    body = b"password=x+y%2Bz%25%C3%A9&username=formuser&&"
    r = s.post("/auth/login/", body=body, headers=FORM_CT)
    t.eq("form order and empty pairs", r.status, 200)
    body = b"username=formuser&password=x+y+z%25%C3%A9"
    r = s.post("/auth/login/", body=body, headers=FORM_CT)
    t.eq("form + is a space, not a plus", (r.status, r.json), (400, UNABLE))
    s.createuser("alice2", "x y")
    r = s.post("/auth/login/", body=b"username=alice2&password=x%20y",
               headers=FORM_CT)
    t.eq("the brief's form body", r.status, 200)
    r = s.post("/auth/login/", body=b"username=alice2&password=x+y",
               headers=FORM_CT)
    t.eq("the brief's form body with +", r.status, 200)
    r = s.post("/auth/login/", body=b"username=alice2&username=formuser&"
               b"password=x+y", headers=FORM_CT)
    t.eq("duplicate form field status", r.status, 400)
    t.check("duplicate form field JSON", isinstance(r.json, dict) and
            "key" not in r.json, r)
    r = s.post("/auth/login/", body=b"username=alice2&password=x+y&"
               b"password=x+y", headers=FORM_CT)
    t.eq("duplicate form field, same value", r.status, 400)
    r = s.post("/auth/login/", body=b"username=alice2&password=%ff",
               headers=FORM_CT)
    t.check("form invalid utf-8: 4xx JSON", 400 <= r.status < 500 and
            isinstance(r.json, dict), r)
    r = s.post("/auth/login/", body=b"username=alice2&password",
               headers=FORM_CT)
    t.eq("form field without =", (r.status, r.json),
         (400, {"password": ["This field may not be blank."]}))
    r = s.post("/auth/login/", body=b"username=alice2&password=%zz%4",
               headers=FORM_CT)
    t.eq("form bad escapes kept literally", (r.status, r.json),
         (400, UNABLE))


def random_bodies(s):
    key = s.login("alice", PASSWORD)
    pids = s.fcgi_pids()
    t.check("fcgi processes found", len(pids) >= 3, pids)
    rng = random.Random(20240607)
    cts = [None, "application/json", "application/json; charset=utf-8",
           "application/x-www-form-urlencoded", "text/plain",
           "multipart/form-data; boundary=x", "", "application/json;;;",
           "application/x-www-form-urlencoded; charset=latin-1"]
    seeds = [b'{"username": "alice", "password": "correct horse"}',
             b'{"username": "alice", "email": "a@example.com", '
             b'"password": "x", "first_name": "\\u00e9", "n": [1, 2.5e3, '
             b'null, true, false, {"x": -0.1}]}',
             b"username=alice&password=correct+horse&x=%41"]
    sig = b'{}[]":,\\ 0123456789.-+eEtrufalsn\x00\xff\xc3\xa9\n\tu'
    targets = [("POST", "/auth/login/", None), ("PATCH", "/auth/user/", key),
               ("PUT", "/auth/user/", key), ("POST", "/auth/logout/", None),
               ("POST", "/auth/user/", key)]
    bad = drops = differ = 0
    compared = 0
    for i in range(1000):
        kind = rng.randrange(4)
        if kind == 0:
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(300)))
        elif kind == 1:
            body = bytes(rng.choice(sig) for _ in range(rng.randrange(120)))
        else:
            body = bytearray(rng.choice(seeds))
            for _ in range(rng.randrange(1, 6)):
                op = rng.randrange(3)
                p = rng.randrange(len(body) + 1)
                if op == 0 and body:
                    del body[min(p, len(body) - 1)]
                elif op == 1:
                    body[p:p] = bytes([rng.choice(sig)])
                elif body:
                    body[min(p, len(body) - 1)] = rng.choice(sig)
            body = bytes(body)
        method, path, tok = rng.choice(targets)
        ct = rng.choice(cts)
        if kind >= 2 and rng.random() < 0.5:
            ct = "application/json"
        headers = {"Content-Type": ct} if ct is not None else {}
        try:
            r = s.request(method, path, body=body, headers=headers, token=tok,
                          timeout=h.scaled(10))
        except Exception as exc:  # a dropped connection or a timeout
            drops += 1
            if drops <= 5:
                t.check("request %d answered" % i, False,
                        "%s %s %r: %r" % (method, path, body[:80], exc))
            continue
        ok = r.status < 500 and isinstance(r.json, dict)
        if not ok:
            bad += 1
            if bad <= 5:
                t.check("request %d: no 5xx, JSON" % i, False,
                        "%s %s ct=%r %r -> %r" % (method, path, ct,
                                                  body[:80], r))
        # Where DRF's parser would fail with a syntax error, the words
        # must be the same (skip what the product limits on its own and
        # DRF's tolerance for a truncated UTF-8 tail).
        parses = (method, path) in (("POST", "/auth/login/"),
                                    ("PATCH", "/auth/user/"),
                                    ("PUT", "/auth/user/"))
        if parses and ct == "application/json" and body:
            want = drf_json_error(body)
            try:
                body.decode("utf-8")
                trunc = False
            except UnicodeDecodeError as e:
                trunc = e.reason == "unexpected end of data"
            deep = body.count(b"[") + body.count(b"{") > 16
            if want is not None and not trunc and not deep \
                    and b"\\ud" not in body.lower():
                compared += 1
                if r.json != {"detail": want} or r.status != 400:
                    differ += 1
                    if differ <= 5:
                        t.check("request %d: DRF's parse error" % i, False,
                                "%r -> %r, want %r" % (body[:100], r, want))
    t.eq("dropped connections", drops, 0)
    t.eq("5xx or non-JSON answers", bad, 0)
    t.eq("parse errors worded unlike DRF", differ, 0)
    t.check("some parse errors compared", compared > 100, compared)
    t.eq("no process crashed or restarted", s.fcgi_pids(), pids)
    r = s.get("/auth/user/", token=key)
    t.eq("still serving", r.status, 200)


with h.Stack(CONFIG) as s:
    s.createuser("alice", PASSWORD, email="alice@example.com")
    for fn in (malformed_json, invalid_utf8, body_limits, media_types,
               nesting, duplicates_arrays_nul, sql_strings, form_bodies,
               random_bodies):
        t.run(fn, s)
t.done()
