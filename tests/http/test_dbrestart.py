"""Database outage: with the stack running, the whole test cluster stops.
login/, user/ and logout/ answer 503 JSON quickly; when the cluster is
back, the next requests succeed without the FastCGI programs being
restarted. The cluster is shared with the other test files, so it is
started again whatever happens."""
import os
import subprocess
import time

import harness as h

t = h.Tests(__file__)

FAST = {"TIME_COST": 1, "MEMORY_COST": 1024, "PARALLELISM": 1}
CONFIG = {"PASSWORD_HASHER": FAST}
PG = os.path.join(h.SRC, "tools", "pg.sh")
PROGRAMS = ("login", "user", "logout")


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
                t.check("down %s #%d within 2 s" % (name, round_), dt < 2.0,
                        "%.2f s" % dt)
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
        t.check("restarted: %s within 2 s" % name, dt < 2.0, "%.2f s" % dt)
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


try:
    with h.Stack(CONFIG) as s:
        t.run(outage, s)
        t.run(silent_restart, s)
finally:
    pg("start")
t.done()
