"""JWT mode's concurrency guarantee (issue 3): with ROTATE_REFRESH_TOKENS
and BLACKLIST_AFTER_ROTATION, many parallel token/refresh/ requests with
the same refresh token give exactly one new pair; every other request is
refused as blacklisted (simplejwt itself does not guarantee this). Eight
FastCGI processes race for real; each client thread has its own
connection, opened before a barrier releases them all at once."""
import http.client
import json
import re
import threading
import time

import jwt as pyjwt

import harness as h

t = h.Tests(__file__)

CONFIG = {
    "PASSWORD_HASHER": h.FAST_HASHER,
    "REST_AUTH": {"USE_JWT": True, "JWT_AUTH_COOKIE": "access",
                  "JWT_AUTH_REFRESH_COOKIE": "refresh",
                  "JWT_AUTH_SECURE": True, "JWT_AUTH_HTTPONLY": True,
                  "JWT_AUTH_SAMESITE": "Lax"},
    "SIMPLE_JWT": {"ACCESS_TOKEN_LIFETIME": 300,
                   "REFRESH_TOKEN_LIFETIME": 86400,
                   "ROTATE_REFRESH_TOKENS": True,
                   "BLACKLIST_AFTER_ROTATION": True},
}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}


def together(s, requests):
    """Send requests [(method, path, body, headers)] at once, one thread
    and connection each. Returns [(status, headers, body)] in order; an
    exception in a thread is recorded as (None, None, repr)."""
    n = len(requests)
    barrier = threading.Barrier(n)
    out = [None] * n

    def worker(i, method, path, body, headers):
        # 60 s, or the harness's timeout when longer (make valgrind).
        c = http.client.HTTPConnection("127.0.0.1", s.port,
                                       timeout=max(60, h.TIMEOUT))
        try:
            c.connect()
            barrier.wait(30)
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            out[i] = (r.status, [(k.lower(), v) for k, v in r.getheaders()],
                      data)
        except Exception as e:  # recorded, judged by the caller
            out[i] = (None, None, repr(e))
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(i,) + tuple(rq))
               for i, rq in enumerate(requests)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(h.scaled(120))
    return out


def cookie_value(headers, name):
    for k, v in headers or []:
        if k == "set-cookie" and v.startswith(name + "="):
            return v.split("=", 1)[1].split(";", 1)[0]
    return None


def jti(tok):
    return pyjwt.decode(tok, options={"verify_signature": False})["jti"]


def count(s, table):
    return int(s.sql("SELECT count(*) FROM %s" % table)[0][0])


def blacklist_rows(s, j):
    return int(s.sql("SELECT count(*) FROM token_blacklist_blacklistedtoken "
                     "b JOIN token_blacklist_outstandingtoken o ON o.id = "
                     "b.token_id WHERE o.jti = :'p1'", j)[0][0])


def refresh_request(i, tok):
    """Half from the cookie, half from the body: both paths race."""
    if i % 2:
        return ("POST", "/auth/token/refresh/", b"",
                {"Cookie": "refresh=" + tok, "Content-Length": "0"})
    return ("POST", "/auth/token/refresh/",
            json.dumps({"refresh": tok}).encode(),
            {"Content-Type": "application/json"})


def login(s):
    r = s.post("/auth/login/", json={"username": "racer",
                                     "password": "racer pw"})
    if r.status != 200:
        raise RuntimeError("login: %r" % r)
    return r.json["access"], cookie_value(r.headers, "refresh")


def race(s, uid, tok, n, what):
    """n parallel refreshes of tok; returns the winner's refresh token."""
    before = count(s, "token_blacklist_outstandingtoken")
    res = together(s, [refresh_request(i, tok) for i in range(n)])
    errors = [r[2] for r in res if r[0] is None]
    t.eq(what + ": no client errors", errors, [])
    statuses = sorted(r[0] or 0 for r in res)
    wins = [r for r in res if r[0] == 200]
    t.eq(what + ": exactly one 200", len(wins), 1)
    losers = [r for r in res if r[0] != 200]
    bodies = set()
    for r in losers:
        try:
            bodies.add((r[0], json.dumps(json.loads(r[2]))))
        except (TypeError, ValueError):
            bodies.add((r[0], repr(r[2])[:200]))
    t.eq(what + ": all others 401 blacklisted", bodies,
         {(401, json.dumps(BLACKLISTED))} if n > 1 else set())
    t.eq(what + ": statuses", statuses, [200] + [401] * (n - 1))
    challenges = {dict(r[1]).get("www-authenticate") for r in losers}
    t.eq(what + ": losers' WWW-Authenticate", challenges,
         {'Bearer realm="api"'})
    t.eq(what + ": losers set no cookies", sum(
        1 for r in losers for k, _ in r[1] or [] if k == "set-cookie"), 0)
    t.eq(what + ": one blacklist row for the jti",
         blacklist_rows(s, jti(tok)), 1)
    t.eq(what + ": exactly one new outstanding token",
         count(s, "token_blacklist_outstandingtoken"), before + 1)
    if len(wins) != 1:
        return None
    w = wins[0]
    body = json.loads(w[2])
    t.eq(what + ": winner's body keys", list(body),
         ["access", "access_expiration"])
    new = cookie_value(w[1], "refresh")
    access = cookie_value(w[1], "access")
    t.eq(what + ": winner's access cookie is the body's", access,
         body.get("access"))
    try:
        p = pyjwt.decode(new, s.secret, algorithms=["HS256"])
        a = pyjwt.decode(access, s.secret, algorithms=["HS256"])
        ok = (p["token_type"], p["user_id"], a["token_type"],
              a["user_id"]) == ("refresh", uid, "access", uid)
    except (pyjwt.InvalidTokenError, TypeError, KeyError) as e:
        ok = repr(e)
    t.eq(what + ": winner's tokens decode with PyJWT", ok, True)
    t.eq(what + ": the new token is the new outstanding row", s.sql(
        "SELECT count(*) FROM token_blacklist_outstandingtoken WHERE jti = "
        ":'p1'", jti(new)), [["1"]])
    t.eq(what + ": new token not blacklisted", blacklist_rows(s, jti(new)),
         0)
    return new


def refresh_race(s):
    uid = s.createuser("racer", "racer pw")
    _, tok = login(s)
    # 50 then 64 racers, three times over; each race uses the previous
    # winner's token, so the winner's token works once more (and only
    # once) every time.
    for rnd in range(3):
        for n in (50, 64):
            new = race(s, uid, tok, n, "round %d, %d racers" % (rnd + 1, n))
            if new is None:
                return
            tok = new
    r = s.post("/auth/token/refresh/", json={"refresh": tok})
    t.eq("last winner refreshes once more", r.status, 200)
    r2 = s.post("/auth/token/refresh/", json={"refresh": tok})
    t.eq("and then is blacklisted", (r2.status, r2.json), (401, BLACKLISTED))
    t.eq("blacklist rows: one per race and the last refresh",
         count(s, "token_blacklist_blacklistedtoken"), 7)
    t.eq("no duplicate blacklist rows", s.sql(
        "SELECT count(*) FROM (SELECT token_id FROM "
        "token_blacklist_blacklistedtoken GROUP BY token_id HAVING "
        "count(*) > 1) d"), [["0"]])


def logout_refresh_race(s):
    """Logouts and refreshes of one token at once: exactly one of them
    wins; the token is dead after."""
    for rnd in range(3):
        _, tok = login(s)
        reqs = []
        for i in range(40):
            if i % 2:
                reqs.append(("POST", "/auth/logout/", b"",
                             {"Cookie": "refresh=" + tok,
                              "Content-Length": "0"}))
            else:
                reqs.append(refresh_request(i // 2, tok))
        res = together(s, reqs)
        what = "logout/refresh race %d" % (rnd + 1)
        t.eq(what + ": no client errors",
             [r[2] for r in res if r[0] is None], [])
        wins = [i for i, r in enumerate(res) if r[0] == 200]
        t.eq(what + ": exactly one winner", len(wins), 1)
        for i, r in enumerate(res):
            if r[0] == 200 or r[0] is None:
                continue
            want = {"detail": "Token is blacklisted"}
            if reqs[i][1] == "/auth/token/refresh/":
                want = BLACKLISTED
            t.eq(what + ": loser %d" % i, (r[0], json.loads(r[2])),
                 (401, want))
        t.eq(what + ": one blacklist row", blacklist_rows(s, jti(tok)), 1)
        r = s.post("/auth/token/refresh/", json={"refresh": tok})
        t.eq(what + ": token dead after", (r.status, r.json),
             (401, BLACKLISTED))


def login_race(s):
    """50 parallel logins of one user: 50 distinct valid pairs."""
    uid = int(s.sql("SELECT id FROM auth_user WHERE username = 'racer'")
              [0][0])
    before = count(s, "token_blacklist_outstandingtoken")
    body = json.dumps({"username": "racer", "password": "racer pw"}).encode()
    res = together(s, [("POST", "/auth/login/", body,
                        {"Content-Type": "application/json"})] * 50)
    t.eq("login race: no client errors",
         [r[2] for r in res if r[0] is None], [])
    t.eq("login race: all 200", sorted(r[0] or 0 for r in res), [200] * 50)
    pairs = []
    for r in res:
        if r[0] != 200:
            continue
        pairs.append((json.loads(r[2])["access"],
                      cookie_value(r[1], "refresh")))
    accesses = {a for a, _ in pairs}
    refreshes = {rf for _, rf in pairs}
    t.eq("login race: distinct access tokens", len(accesses), 50)
    t.eq("login race: distinct refresh tokens", len(refreshes), 50)
    jtis = set()
    bad = []
    for a, rf in pairs:
        try:
            pa = pyjwt.decode(a, s.secret, algorithms=["HS256"])
            pr = pyjwt.decode(rf, s.secret, algorithms=["HS256"])
            if (pa["token_type"], pa["user_id"], pr["token_type"],
                    pr["user_id"]) != ("access", uid, "refresh", uid):
                bad.append((pa, pr))
            jtis.update((pa["jti"], pr["jti"]))
        except (pyjwt.InvalidTokenError, TypeError, KeyError) as e:
            bad.append(repr(e))
    t.eq("login race: all pairs decode with PyJWT", bad, [])
    t.eq("login race: 100 distinct jtis", len(jtis), 100)
    t.check("login race: jtis are 32 hex", all(
        re.fullmatch(r"[0-9a-f]{32}", j) for j in jtis), jtis)
    t.eq("login race: 50 outstanding rows",
         count(s, "token_blacklist_outstandingtoken"), before + 50)
    # Each pair works: the access token on user/, the refresh token once,
    # all of them in parallel too.
    res = together(s, [("GET", "/auth/user/", None,
                        {"Authorization": "Bearer " + a})
                       for a, _ in pairs])
    t.eq("login race: every access token works",
         sorted(r[0] or 0 for r in res), [200] * len(pairs))
    res = together(s, [refresh_request(i, rf)
                       for i, (_, rf) in enumerate(pairs)])
    t.eq("login race: every refresh token refreshes (in parallel)",
         sorted(r[0] or 0 for r in res), [200] * len(pairs))
    new = {cookie_value(r[1], "refresh") for r in res}
    t.eq("login race: distinct rotated tokens", len(new), len(pairs))


start = time.time()
# LOGIN_FAILURE_LIMIT 0: 50 right-password logins of one account at once
# count as attempts in flight, and the backoff would hold the ones past
# the limit for a second (see README, the per-account backoff).
with h.Stack(dict(CONFIG, LOGIN_FAILURE_LIMIT=0), procs=8) as s:
    t.run(refresh_race, s)
    t.run(logout_refresh_race, s)
    t.run(login_race, s)
    # lighttpd starts min-procs (default 4) of the 8 max-procs run.sh
    # asks for; several processes racing is what matters.
    n = len(s.fcgi_pids("token_refresh.fcgi"))
    print("token_refresh.fcgi processes: %d" % n)
    t.check("several FastCGI processes for token/refresh/", n >= 4, n)
print("race time %.1fs" % (time.time() - start))
t.done()
