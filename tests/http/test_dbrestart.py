"""Database outage: with the stack running, the whole test cluster stops.
login/, user/ and logout/ answer 503 JSON quickly; when the cluster is
back, the next requests succeed without the FastCGI programs being
restarted. Under load, in JWT mode: threads rotating refresh tokens
through a stop and start of the cluster see only 200s and 503 JSON,
succeed again within 2 s, and no refresh token is ever accepted twice.
The cluster is shared with the other test files, so it is started again
whatever happens."""
import http.client
import json
import os
import subprocess
import threading
import time

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
# A LOGIN_FAILURE_LIMIT no scenario reaches: these try many wrong
# passwords for one account; the backoff check still runs on every login
# (its own tests: test_login_backoff.py).
CONFIG = {"PASSWORD_HASHER": FAST, "LOGIN_FAILURE_LIMIT": 1000000}
PG = os.path.join(h.SRC, "tools", "pg.sh")
PROGRAMS = ("login", "user", "logout")
# How soon a request is answered, 503 while the cluster is down and 200
# once it is back: 2 s, relaxed in proportion under make valgrind
# (RESTAUTH_TEST_TIMEOUT), where memcheck makes every program 20-50x
# slower.
QUICK = h.scaled(2.0)


def pg(cmd):
    env = dict(os.environ, PG_FAST="1")
    subprocess.run([PG, cmd, h.PGDIR], check=True, env=env,
                   stdout=subprocess.DEVNULL, timeout=60)


def timed(fn):
    t0 = time.monotonic()
    r = fn()
    return r, time.monotonic() - t0


def calls(s, key):
    """One request per program, in the order login, user, logout."""
    return {
        "login": lambda: s.post("/auth/login/", json={
            "username": "alice", "password": "correct horse"}),
        "user": lambda: s.get("/auth/user/", token=key),
        "logout": lambda: s.post("/auth/logout/", token=key),
    }


def warm(s):
    """Several requests to every program, so each process holds an open
    database connection when the cluster goes away."""
    key = s.login("alice", "correct horse")
    for _ in range(8):
        s.get("/auth/user/", token=key)
        s.post("/auth/login/", json={"username": "alice",
                                     "password": "wrong"})
        s.post("/auth/logout/", token="0" * 40)
    return s.login("alice", "correct horse")


def outage(s):
    s.createuser("alice", "correct horse")
    key = warm(s)
    pids = {p: s.fcgi_pids(p + ".fcgi") for p in PROGRAMS}
    t.check("processes found", all(pids.values()), pids)
    try:
        pg("stop")
        for round_ in range(3):
            for name, call in calls(s, key).items():
                r, dt = timed(call)
                t.eq("down %s #%d status" % (name, round_), r.status, 503)
                t.check("down %s #%d JSON detail" % (name, round_),
                        isinstance(r.json, dict) and
                        isinstance(r.json.get("detail"), str) and
                        list(r.json) == ["detail"], r)
                t.check("down %s #%d within %g s" % (name, round_, QUICK),
                        dt < QUICK, "%.2f s" % dt)
                t.check("down %s #%d content type" % (name, round_),
                        (r.header("Content-Type") or "").startswith(
                            "application/json"), r.headers)
    finally:
        pg("start")
    # The very next request to each program succeeds.
    r = s.post("/auth/login/", json={"username": "alice",
                                     "password": "correct horse"})
    t.eq("back: login", r.status, 200)
    t.eq("back: same key", (r.json or {}).get("key"), key)
    r = s.get("/auth/user/", token=key)
    t.eq("back: user", (r.status, (r.json or {}).get("username")),
         (200, "alice"))
    r = s.post("/auth/logout/", token=key)
    t.eq("back: logout", (r.status, r.json),
         (200, {"detail": "Successfully logged out."}))
    t.eq("back: token gone", s.sql("SELECT count(*) FROM authtoken_token"),
         [["0"]])
    # And every process after it (there are several per program).
    key = s.login("alice", "correct horse")
    for i in range(6):
        t.eq("back: user #%d" % i, s.get("/auth/user/", token=key).status,
             200)
        r = s.post("/auth/login/", json={"username": "alice",
                                         "password": "correct horse"})
        t.eq("back: login #%d" % i, r.status, 200)
        r = s.post("/auth/logout/", token="0" * 40)
        t.eq("back: logout #%d" % i, (r.status, r.json),
             (401, {"detail": "Invalid token."}))
    for p in PROGRAMS:
        t.eq("%s not restarted" % p, s.fcgi_pids(p + ".fcgi"), pids[p])


def silent_restart(s):
    """Stopped and started again with no request in between: the stale
    connections are found out and replaced on the next request."""
    key = warm(s)
    pids = {p: s.fcgi_pids(p + ".fcgi") for p in PROGRAMS}
    try:
        pg("stop")
    finally:
        pg("start")
    for name, call in calls(s, key).items():
        r, dt = timed(call)
        t.eq("restarted: %s status" % name, r.status, 200)
        t.check("restarted: %s within %g s" % (name, QUICK), dt < QUICK,
                "%.2f s" % dt)
    key = s.login("alice", "correct horse")
    for i in range(6):
        t.eq("restarted: user #%d" % i,
             s.get("/auth/user/", token=key).status, 200)
        r = s.post("/auth/login/", json={"username": "alice",
                                         "password": "correct horse"})
        t.eq("restarted: login #%d" % i, r.status, 200)
    for p in PROGRAMS:
        t.eq("%s not restarted after silent restart" % p,
             s.fcgi_pids(p + ".fcgi"), pids[p])


JWT_CONFIG = {
    "PASSWORD_HASHER": FAST,
    # Six clients log in as alice at once (see CONFIG).
    "LOGIN_FAILURE_LIMIT": 1000000,
    "REST_AUTH": {"USE_JWT": True, "JWT_AUTH_HTTPONLY": False},
    "SIMPLE_JWT": {"ROTATE_REFRESH_TOKENS": True,
                   "BLACKLIST_AFTER_ROTATION": True},
}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
REFRESH = "/auth/token/refresh/"


def post_json(port, path, payload):
    """(status, parsed JSON or None); (None, repr) when the connection
    failed."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=h.TIMEOUT)
    try:
        c.request("POST", path, body=json.dumps(payload),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, None
    except (OSError, http.client.HTTPException) as e:
        return None, repr(e)
    finally:
        c.close()


class Chain(threading.Thread):
    """One client refreshing its own token over and over, as a tab of a
    single-page app does, keeping the rotated token of each 200."""

    def __init__(self, port, stop):
        super().__init__()
        self.port, self.stop = port, stop
        self.log = []  # (time, token sent, status, body)
        self.accepted = []  # tokens that got a 200
        self.bad = []

    def login(self):
        while not self.stop.is_set():
            st, body = post_json(self.port, "/auth/login/", {
                "username": "alice", "password": "correct horse"})
            if st == 200:
                return body["refresh"]
            time.sleep(0.02)
        return None

    def run(self):
        tok = self.login()
        last = None
        while tok is not None and not self.stop.is_set():
            st, body = post_json(self.port, REFRESH, {"refresh": tok})
            self.log.append((time.monotonic(), tok, st, body))
            if st == 200:
                self.accepted.append(tok)
                tok = body["refresh"]
            elif st == 503 and isinstance(body, dict) and \
                    list(body) == ["detail"]:
                time.sleep(0.01)
            elif st == 401 and body == BLACKLISTED and last == 503:
                # The rotation committed but its answer was lost to the
                # outage: the token is spent, as it must be.
                tok = self.login()
            else:
                self.bad.append((st, body))
                tok = self.login()
            last = st


def refresh_under_load(s):
    s.createuser("alice", "correct horse")
    stop = threading.Event()
    chains = [Chain(s.port, stop) for _ in range(6)]
    for c in chains:
        c.start()
    try:
        # Every client has refreshed once before the outage (a loaded
        # machine or memcheck may take a while), then a second more.
        until = time.monotonic() + h.TIMEOUT
        while time.monotonic() < until and \
                not all(c.accepted for c in chains):
            time.sleep(0.1)
        time.sleep(1.0)
        pids = s.fcgi_pids("token_refresh.fcgi")
        down = time.monotonic()
        pg("stop")
        time.sleep(1.5)
    finally:
        pg("start")
    up = time.monotonic()
    time.sleep(QUICK + 0.5)
    stop.set()
    for c in chains:
        c.join(h.TIMEOUT)
    log = [e for c in chains for e in c.log]
    accepted = [tok for c in chains for tok in c.accepted]
    t.eq("load: only 200, 503 JSON, and 401 for a token whose answer was "
         "lost", [b for c in chains for b in c.bad], [])
    t.check("load: refreshes before the outage", any(
        e[2] == 200 and e[0] < down for e in log))
    t.check("load: 503 during the outage", any(
        e[2] == 503 and down <= e[0] for e in log))
    for i, c in enumerate(chains):
        after = [e[0] for e in c.log if e[2] == 200 and e[0] >= up]
        t.check("load: client %d refreshes again within %g s" % (i, QUICK),
                after and after[0] - up < QUICK,
                "%.2f s" % (after[0] - up) if after else "never")
    t.eq("load: no refresh token accepted twice", len(accepted),
         len(set(accepted)))
    for tok in accepted[-10:]:
        st, body = post_json(s.port, REFRESH, {"refresh": tok})
        t.eq("load: a used token replayed is blacklisted", (st, body),
             (401, BLACKLISTED))
    t.eq("load: token_refresh processes not restarted",
         s.fcgi_pids("token_refresh.fcgi"), pids)
    print("refresh under load: %d refreshes, %d accepted, %d answered 503" % (
        len(log), len(accepted), sum(1 for e in log if e[2] == 503)))


try:
    with h.Stack(JWT_CONFIG) as s:
        t.run(refresh_under_load, s)
    with h.Stack(CONFIG) as s:
        t.run(outage, s)
        t.run(silent_restart, s)
finally:
    pg("start")
t.done()
