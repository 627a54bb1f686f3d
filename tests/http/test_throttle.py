"""Throttling (SPEC section 6, issue 6): DRF's ScopedRateThrottle,
AnonRateThrottle and UserRateThrottle, with the state in PostgreSQL so
the limit holds exactly across FastCGI processes and across hosts.

DRF's behaviour, which the checks below encode:
- SimpleRateThrottle keeps, per cache key, the times of the accepted
  requests within the period (a sliding log): a request is accepted when
  fewer than N remain, and only accepted ones are recorded. The wait is
  period - (now - oldest kept), ceil'ed by Throttled; the 429 says
  "Request was throttled. Expected available in N second(s)." and sends
  Retry-After: N (only for a non-zero wait).
- The rate "N/period" looks at the period's first letter (s, m, h, d).
- The key is the user's pk when authenticated, else get_ident(): with
  NUM_PROXIES n, REMOTE_ADDR when n == 0 or there is no X-Forwarded-For,
  else addrs[-min(n, len(addrs))].strip() of the comma-split header.
  (With NUM_PROXIES None DRF takes the whole header, which a client
  writes; restauth takes REMOTE_ADDR, and only an entry that is an IP
  address: test_throttle_ident.py.) The scenarios here set NUM_PROXIES 1
  by default, so that X-Forwarded-For gives a setup request a key of its
  own.
- APIView.initial: authentication, then permissions, then every
  throttle (all of them are asked, the longest wait wins); only then the
  method handler (405), the parser (body errors) and the view. So 401s
  are not counted, 405s and 400s are, and a throttled request does no
  work (no password hash, no token, no mail).
- AnonRateThrottle ("anon") skips authenticated requests;
  UserRateThrottle ("user") throttles everyone: the pk when
  authenticated, the address otherwise. ScopedRateThrottle only views
  with throttle_scope (login, logout, password change/reset/confirm).
- A scope whose rate is None is not throttled.
"""
import collections
import os
import re
import statistics
import tempfile
import threading
import time

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
SCOPED = "rest_framework.throttling.ScopedRateThrottle"
ANON = "rest_framework.throttling.AnonRateThrottle"
USER = "rest_framework.throttling.UserRateThrottle"
LOGOUT = "/auth/logout/"
LOGIN = "/auth/login/"
CHANGE = "/auth/password/change/"
RESET = "/auth/password/reset/"
USERV = "/auth/user/"
LOGGED_OUT = {"detail": "Successfully logged out."}
UNABLE = {"non_field_errors": ["Unable to log in with provided credentials."]}
# The exactness bursts (200 requests at once) give exact counts only if
# they end within the rate's period: a minute, but an hour under make
# valgrind, where memcheck stretches a burst to most of a minute.
BURST_PERIOD, BURST_WAIT = (("hour", 3600) if h.UNDER_VALGRIND else
                            ("minute", 60))
THROTTLED = re.compile(
    r"^Request was throttled\. Expected available in (\d+) (seconds?)\.$")
PASSWORD = "correct horse"
CAPTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "capture_mail.sh")


def config(rates, classes=(SCOPED,), num_proxies=1, hasher=FAST,
           **extra):
    rf = {"DEFAULT_THROTTLE_CLASSES": list(classes),
          "DEFAULT_THROTTLE_RATES": rates}
    if num_proxies != "absent":
        rf["NUM_PROXIES"] = num_proxies
    c = {"REST_FRAMEWORK": rf}
    if hasher is not None:
        c["PASSWORD_HASHER"] = hasher
    c.update(extra)
    return c


def throttle_problem(r, max_wait):
    """None if r is DRF's 429 with a wait of 1..max_wait, else why not."""
    if r.status != 429:
        return "status %d: %r" % (r.status, r)
    detail = (r.json or {}).get("detail") if isinstance(r.json, dict) \
        else None
    m = THROTTLED.match(detail or "")
    if m is None or set(r.json) != {"detail"}:
        return "body %r" % r.body
    n = int(m.group(1))
    if not 1 <= n <= max_wait:
        return "wait %d not in 1..%d" % (n, max_wait)
    if (m.group(2) == "second") != (n == 1):
        return "plural wrong: %r" % detail
    if r.header("Retry-After") != str(n):
        return "Retry-After %r for wait %d" % (r.header("Retry-After"), n)
    return None


def throttled(what, r, max_wait=60):
    p = throttle_problem(r, max_wait)
    return t.check(what + " throttled (429, DRF body, Retry-After)",
                   p is None, p)


def wait_of(r):
    m = THROTTLED.match((r.json or {}).get("detail", "")
                        if isinstance(r.json, dict) else "")
    return int(m.group(1)) if m else None


def burst(jobs):
    """Fire jobs [(stack, method, path, kwargs)] together: one thread and
    one connection each, released by a barrier. Returns [(Resp or
    exception, seconds from release to answer)] in job order."""
    barrier = threading.Barrier(len(jobs))
    out = [None] * len(jobs)

    def work(i, s, method, path, kw):
        try:
            barrier.wait(h.scaled(120))
        except threading.BrokenBarrierError:
            pass
        t0 = time.monotonic()
        try:
            r = s.request(method, path, timeout=h.scaled(120), **kw)
        except Exception as exc:  # a dropped connection is a finding
            r = exc
        out[i] = (r, time.monotonic() - t0)

    threads = [threading.Thread(target=work, args=(i,) + tuple(j))
               for i, j in enumerate(jobs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(h.scaled(300))
    return out


def status_of(r):
    return r.status if isinstance(r, h.Resp) else type(r).__name__


def tally(results):
    return dict(collections.Counter(status_of(r) for r, _ in results))


def rows(s):
    return sorted(tuple(r) for r in s.sql(
        "SELECT scope, ident FROM restauth_throttle ORDER BY 1, 2"))


def clear(s):
    s.sql("DELETE FROM restauth_throttle")


def token_for(s, username, xff):
    """Log in from a key of its own (X-Forwarded-For under NUM_PROXIES
    1), so the setup does not spend the limits under test."""
    r = s.post(LOGIN, json={"username": username, "password": PASSWORD},
               headers={"X-Forwarded-For": xff})
    if r.status != 200:
        raise RuntimeError("login %s: %r" % (username, r))
    return r.json["key"]


def median_ms(xs):
    return statistics.median(xs) * 1000 if xs else float("nan")


# --- exactness: 8 FastCGI processes, 200 parallel requests ---

def exact_logout(s):
    res = burst([(s, "POST", LOGOUT, {})] * 200)
    t.eq("logout burst: 20 accepted, 180 throttled", tally(res),
         {200: 20, 429: 180})
    bad = [r for r, _ in res if isinstance(r, h.Resp) and r.status == 200
           and r.json != LOGGED_OUT]
    t.check("logout burst: accepted bodies", not bad, bad[:3])
    probs = [throttle_problem(r, BURST_WAIT) for r, _ in res
             if isinstance(r, h.Resp) and r.status == 429]
    probs = [p for p in probs if p is not None]
    t.check("logout burst: every 429 is DRF's with Retry-After 1..%d" %
            BURST_WAIT, not probs, probs[:3])
    print("logout burst latency (from the barrier): accepted median "
          "%.1f ms, throttled median %.1f ms, last answer %.1f ms" % (
              median_ms([d for r, d in res if status_of(r) == 200]),
              median_ms([d for r, d in res if status_of(r) == 429]),
              max(d for _, d in res) * 1000))
    t.eq("logout burst: one throttle row for the address", rows(s),
         [("dj_rest_auth", "127.0.0.1")])
    # Throttled first, before the 405, the parser and the view.
    throttled("GET logout/ after the limit (not 405)", s.get(LOGOUT),
              BURST_WAIT)
    throttled("POST login/ with a broken body after the limit (not 400)",
              s.post(LOGIN, body=b'{"username":',
                     headers={"Content-Type": "application/json"}),
              BURST_WAIT)
    # Authentication comes before throttles: a bad token is a 401.
    r = s.post(LOGOUT, headers={"Authorization": "Token " + "0" * 40})
    t.eq("bad token after the limit: 401, not 429",
         (r.status, r.json), (401, {"detail": "Invalid token."}))
    # The URL resolver's 404 comes before the view and its throttles.
    r = s.post(LOGOUT + "x/")
    t.eq("unknown path below logout/: 404", r.status, 404)
    # user/ has no throttle scope: never throttled by ScopedRateThrottle.
    r = s.get(USERV)
    t.eq("user/ without credentials: 401", r.status, 401)


def exact_login(s, mail):
    clear(s)
    s.createuser("alice", PASSWORD, email="alice@example.com")
    bob = s.createuser("bob", PASSWORD, email="bob@example.com")
    wrong = {"username": "alice", "password": "wrong password"}
    res = burst([(s, "POST", LOGIN, {"json": wrong})] * 200)
    t.eq("login burst: 20 accepted (400), 180 throttled", tally(res),
         {400: 20, 429: 180})
    bad = [r for r, _ in res if isinstance(r, h.Resp) and r.status == 400
           and r.json != UNABLE]
    t.check("login burst: accepted bodies are the 400", not bad, bad[:3])
    probs = [throttle_problem(r, BURST_WAIT) for r, _ in res
             if isinstance(r, h.Resp) and r.status == 429]
    probs = [p for p in probs if p is not None]
    t.check("login burst: every 429 is DRF's", not probs, probs[:3])
    acc = [d for r, d in res if isinstance(r, h.Resp) and r.status == 400]
    thr = [d for r, d in res if isinstance(r, h.Resp) and r.status == 429]
    print("login burst latency (from the barrier): accepted median "
          "%.1f ms, throttled median %.1f ms" % (median_ms(acc),
                                                  median_ms(thr)))
    # One at a time, without queueing: a throttled login costs no hash.
    acc, thr = [], []
    for i in range(5):
        t0 = time.monotonic()
        r = s.post(LOGIN, json=wrong, headers={"X-Forwarded-For":
                                               "192.0.2.77"})
        acc.append(time.monotonic() - t0)
        t.eq("sequential login %d from another key: 400" % i, r.status, 400)
        t0 = time.monotonic()
        r = s.post(LOGIN, json=wrong)
        thr.append(time.monotonic() - t0)
        t.eq("sequential login %d from the address: 429" % i, r.status, 429)
    print("sequential login latency: accepted (argon2id verify) median "
          "%.1f ms, throttled median %.1f ms" % (median_ms(acc),
                                                  median_ms(thr)))
    t.check("a throttled login is cheaper than an accepted one (no hash)",
            statistics.median(thr) < statistics.median(acc),
            "throttled %.1f ms, accepted %.1f ms" % (median_ms(thr),
                                                     median_ms(acc)))
    # No other work: the right password, throttled, makes no token.
    r = s.post(LOGIN, json={"username": "bob", "password": PASSWORD})
    throttled("throttled login with the right password", r, BURST_WAIT)
    t.eq("throttled login made no token", s.sql(
        "SELECT count(*) FROM authtoken_token WHERE user_id = :'p1'", bob),
        [["0"]])
    t.eq("throttled login did not set last_login", s.sql(
        "SELECT last_login IS NULL FROM auth_user WHERE id = :'p1'", bob),
        [["t"]])
    # ... and a throttled password reset sends no mail.
    r = s.post(RESET, json={"email": "bob@example.com"})
    throttled("throttled password reset", r, BURST_WAIT)
    r = s.post(RESET, json={"email": "bob@example.com"},
               headers={"X-Forwarded-For": "192.0.2.78"})
    t.eq("password reset from another key: 200", r.status, 200)
    deadline = time.time() + h.scaled(10)
    while time.time() < deadline and not mail_files(mail):
        time.sleep(0.05)
    time.sleep(0.5)
    t.eq("only the accepted reset sent mail", len(mail_files(mail)), 1)


def procs_of(s, program):
    """This server's (its config file's) FastCGI processes of program:
    two servers on one database share DATABASE_URL, not the config."""
    want = ("RESTAUTH_CONFIG=" + s.config_path).encode()
    n = 0
    for p in s.fcgi_pids(program):
        try:
            with open("/proc/%d/environ" % p, "rb") as f:
                n += want in f.read().split(b"\0")
        except OSError:
            pass
    return n


def wait_procs(s, n, timeout=h.scaled(60)):
    """Wait until lighttpd has started n logout and n login processes;
    the smaller count."""
    deadline = time.time() + timeout
    while True:
        got = min(procs_of(s, "logout.fcgi"), procs_of(s, "login.fcgi"))
        if got >= n or time.time() > deadline:
            return got
        time.sleep(0.2)


def warm_up(s, n, timeout=h.scaled(40)):
    stop = threading.Event()
    bad = {"Authorization": "Token " + "0" * 40}

    def hammer(path):
        while not stop.is_set():
            try:
                s.post(path, headers=bad, timeout=10)
            except Exception:
                pass

    threads = [threading.Thread(target=hammer, args=(p,))
               for p in (LOGOUT, LOGIN) for _ in range(24)]
    for th in threads:
        th.start()
    try:
        got = wait_procs(s, n, timeout)
    finally:
        stop.set()
        for th in threads:
            th.join(30)
    print("warm-up: %d logout/login processes" % got)
    return got


def mail_files(d):
    return [f for f in os.listdir(d) if not f.startswith(".")]


def cleanup(s):
    """Old rows go without a cron job: a request cleans with probability
    1/256 (the product's choice); 3000 requests miss with ~1e-5."""
    s.sql("INSERT INTO restauth_throttle (scope, ident, hits, allowed, "
          "expires) VALUES ('dj_rest_auth', 'old', ARRAY[now() - interval "
          "'2 hours'], true, now() - interval '1 hour')")
    sent = 0
    gone = False
    while sent < 3000 and not gone:
        res = burst([(s, "POST", LOGOUT, {})] * 50)
        sent += 50
        ok = all(isinstance(r, h.Resp) and r.status in (200, 429)
                 for r, _ in res)
        if not ok:
            t.check("cleanup load answered", False, tally(res))
            return
        gone = s.sql("SELECT count(*) FROM restauth_throttle WHERE "
                     "ident = 'old'") == [["0"]]
    print("expired throttle row removed after %d requests" % sent)
    t.check("an expired throttle row is cleaned by later requests", gone,
            "still there after %d requests" % sent)
    t.check("live rows stay", ("dj_rest_auth", "127.0.0.1") in rows(s),
            rows(s))


def exactness():
    mail = tempfile.mkdtemp(prefix="restauth-throttle-mail-")
    os.chmod(mail, 0o777)
    # The default (real) hasher cost here, so a hash is visible in time.
    # LOGIN_FAILURE_LIMIT 0: the login burst is 200 wrong passwords for
    # one account, and this counts DRF's throttle alone (the account's
    # backoff: test_login_backoff.py).
    cfg = config({"dj_rest_auth": "20/" + BURST_PERIOD}, hasher=None,
                 LOGIN_FAILURE_LIMIT=0,
                 EMAIL_SENDMAIL=CAPTURE + " " + mail,
                 PASSWORD_RESET_URL="http://app.example/reset/{uid}/{token}/")
    with h.Stack(cfg, procs=8) as s:
        # lighttpd 1.4.69 starts min-procs (default 4) and adds one a
        # second while every process is busy, up to max-procs: load the
        # two programs with requests that no throttle counts (a bad
        # token is a 401 before the throttles) until there are 8.
        t.eq("8 logout and 8 login processes", warm_up(s, 8), 8)
        t.run(exact_logout, s)
        t.run(exact_login, s, mail)
        t.run(cleanup, s)


# --- two hosts (two lighttpd instances) sharing one database ---

def two_hosts():
    cfg = config({"dj_rest_auth": "20/" + BURST_PERIOD})
    s1 = h.Stack(cfg, procs=4)
    s2 = h.Stack(cfg, procs=4)
    s2.dbname, s2.dburl, s2.secret = s1.dbname, s1.dburl, s1.secret
    with s1, s2:
        t.check("two servers on two ports", s1.port != s2.port)
        t.eq("4 logout processes on each host",
             (wait_procs(s1, 4), wait_procs(s2, 4)), (4, 4))
        jobs = []
        for i in range(100):
            jobs += [(s1, "POST", LOGOUT, {}), (s2, "POST", LOGOUT, {})]
        res = burst(jobs)
        t.eq("two hosts: 20 accepted, 180 throttled in total", tally(res),
             {200: 20, 429: 180})
        per = [sum(1 for (r, _), j in zip(res, jobs) if j[0] is s
                   and isinstance(r, h.Resp) and r.status == 200)
               for s in (s1, s2)]
        print("two hosts: accepted %d on the first, %d on the second" %
              tuple(per))
        probs = [throttle_problem(r, BURST_WAIT) for r, _ in res
                 if isinstance(r, h.Resp) and r.status == 429]
        probs = [p for p in probs if p is not None]
        t.check("two hosts: every 429 is DRF's", not probs, probs[:3])
        throttled("first host after the burst", s1.post(LOGOUT), BURST_WAIT)
        throttled("second host after the burst", s2.post(LOGOUT),
                  BURST_WAIT)


# --- the window slides ---

def sliding_basic(s):
    times = []
    for i in range(3):
        t0 = time.monotonic()
        r = s.post(LOGOUT)
        times.append(t0)
        t.eq("3/s: request %d accepted" % (i + 1), r.status, 200)
    r = s.post(LOGOUT)
    if time.monotonic() - times[0] < 0.9:
        throttled("3/s: 4th request", r, max_wait=1)
        t.eq("3/s: wait is 1 second, singular", r.json and
             r.json.get("detail"),
             "Request was throttled. Expected available in 1 second.")
        t.eq("3/s: Retry-After 1", r.header("Retry-After"), "1")
    else:
        t.skip("3/s: 4th request throttled", "3 requests took over 0.9 s "
               "(a slow machine, or memcheck)")
    time.sleep(max(0.0, times[-1] + 1.1 - time.monotonic()))
    r = s.post(LOGOUT)
    t.eq("3/s: accepted again after 1.1 s", r.status, 200)


def sliding_log(s):
    """Hits spread over the window: an oracle decides each answer from
    the client-side send/receive times, where they decide it."""
    key = {"X-Forwarded-For": "198.51.100.9"}
    period, limit = 1.0, 3
    accepted = []  # (sent, received) of the accepted requests
    plan = [0.0, 0.5, 0.52, 0.6, 1.15, 1.2, 1.7, 1.72, 1.74]
    start = time.monotonic()
    decided = 0
    for i, at in enumerate(plan):
        time.sleep(max(0.0, start + at - time.monotonic()))
        a = time.monotonic()
        r = s.post(LOGOUT, headers=key)
        b = time.monotonic()
        inside = sum(1 for (x, y) in accepted if b - x < period)
        maybe = sum(1 for (x, y) in accepted if a - y < period)
        if inside == maybe:  # every earlier hit is surely in or out
            decided += 1
            if inside < limit:
                t.eq("sliding log: request %d at %.2f s accepted" %
                     (i, a - start), r.status, 200)
            else:
                throttled("sliding log: request %d at %.2f s" %
                          (i, a - start), r, max_wait=1)
        if r.status == 200:
            accepted.append((a, b))
    print("sliding log: %d of %d answers decided by timing" %
          (decided, len(plan)))
    t.check("sliding log: most answers decided", decided >= len(plan) - 2,
            "%d of %d" % (decided, len(plan)))


def sliding():
    with h.Stack(config({"dj_rest_auth": "3/s"})) as s:
        t.run(sliding_basic, s)
        t.run(sliding_log, s)
    # "N/period": only the first letter of the period counts.
    with h.Stack(config({"dj_rest_auth": "2/minutes"})) as s:
        def spelled(s):
            t.eq("2/minutes: 2 accepted", [s.post(LOGOUT).status
                                           for _ in range(2)], [200, 200])
            r = s.post(LOGOUT)
            throttled("2/minutes: 3rd", r)
            t.check("2/minutes: wait > 1 (a minute's window)",
                    (wait_of(r) or 0) > 1, r)
        t.run(spelled, s)


# --- keys: user id, address, X-Forwarded-For and NUM_PROXIES ---

def per_user(s):
    a = s.createuser("alice", PASSWORD)
    b = s.createuser("bob", PASSWORD)
    ka = token_for(s, "alice", "192.0.2.10")
    kb = token_for(s, "bob", "192.0.2.11")
    clear(s)
    for i in range(2):
        r = s.post(CHANGE, json={}, token=ka)
        t.eq("alice password/change %d: 400 (accepted)" % i, r.status, 400)
    throttled("alice 3rd password/change", s.post(CHANGE, json={},
                                                   token=ka))
    throttled("alice from another X-Forwarded-For (keyed by user)",
              s.post(CHANGE, json={}, token=ka,
                     headers={"X-Forwarded-For": "198.51.100.7"}))
    r = s.post(CHANGE, json={}, token=kb)
    t.eq("bob, same address: not throttled by alice", r.status, 400)
    r = s.post(LOGOUT)
    t.eq("anonymous, same address: not throttled by alice", r.status, 200)
    r = s.get(USERV, token=ka)
    t.eq("alice on user/ (no scope): 200", r.status, 200)
    # 401s are not counted: authentication comes first.
    for i in range(3):
        r = s.post(LOGOUT, headers={"Authorization": "Token " + "1" * 40})
        t.eq("bad token %d: 401" % i, r.status, 401)
    # 405 and OPTIONS are counted: throttles come before the handler.
    r = s.get(LOGOUT)
    t.eq("GET logout/: 405 (counted)", r.status, 405)
    throttled("anonymous after 200 + 405", s.post(LOGOUT))
    throttled("anonymous OPTIONS after the limit",
              s.request("OPTIONS", LOGOUT))
    # A CORS preflight is answered by the middleware, before DRF.
    r = s.request("OPTIONS", LOGOUT, headers={
        "Access-Control-Request-Method": "POST",
        "Origin": "https://app.example"})
    t.eq("CORS preflight after the limit: 200, not throttled",
         (r.status, r.body), (200, b""))
    t.eq("rows: one per (scope, ident)", rows(s),
         sorted([("dj_rest_auth", str(a)), ("dj_rest_auth", str(b)),
                 ("dj_rest_auth", "127.0.0.1")]))


def xff_null(s):
    """NUM_PROXIES None: REMOTE_ADDR, whatever X-Forwarded-For says (DRF
    keys on the header; more in test_throttle_ident.py)."""
    clear(s)
    for xff in ("203.0.113.5", "203.0.113.5, 10.0.0.1"):
        r = s.post(LOGOUT, headers={"X-Forwarded-For": xff})
        t.eq("null: XFF %r: accepted" % xff, r.status, 200)
    throttled("null: a third XFF: REMOTE_ADDR's 3rd", s.post(
        LOGOUT, headers={"X-Forwarded-For": "203.0.113.6"}))
    t.eq("null: keys", rows(s), [("dj_rest_auth", "127.0.0.1")])


def xff_one(s):
    for i in range(2):
        r = s.post(LOGOUT, headers={"X-Forwarded-For": "10.0.0.1"})
        t.eq("1 proxy: 10.0.0.1 request %d" % i, r.status, 200)
    throttled("1 proxy: 10.0.0.1 3rd", s.post(
        LOGOUT, headers={"X-Forwarded-For": "10.0.0.1"}))
    throttled("1 proxy: a spoofed first address does not help", s.post(
        LOGOUT, headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.1"}))
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "10.0.0.2"})
    t.eq("1 proxy: 10.0.0.2 is another client", r.status, 200)
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "1.1.1.1,  10.0.0.2 "})
    t.eq("1 proxy: last address, stripped: 10.0.0.2 again", r.status, 200)
    throttled("1 proxy: 10.0.0.2 3rd", s.post(
        LOGOUT, headers={"X-Forwarded-For": "10.0.0.2"}))
    r = s.post(LOGOUT)
    t.eq("1 proxy: no XFF: REMOTE_ADDR", r.status, 200)
    t.eq("1 proxy: keys", rows(s), [
        ("dj_rest_auth", "10.0.0.1"), ("dj_rest_auth", "10.0.0.2"),
        ("dj_rest_auth", "127.0.0.1")])


def xff_two(s):
    r = s.post(LOGOUT, headers={"X-Forwarded-For":
                                "1.1.1.1, 2.2.2.2, 3.3.3.3"})
    t.eq("2 proxies: 3 addresses", r.status, 200)
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "9.9.9.9"})
    t.eq("2 proxies: 1 address", r.status, 200)
    t.eq("2 proxies: keys addrs[-2], and addrs[-1] when shorter", rows(s),
         [("dj_rest_auth", "2.2.2.2"), ("dj_rest_auth", "9.9.9.9")])


def xff_zero(s):
    for i, xff in enumerate(["10.0.0.1", "10.0.0.2"]):
        r = s.post(LOGOUT, headers={"X-Forwarded-For": xff})
        t.eq("0 proxies: XFF %s accepted" % xff, r.status, 200)
    throttled("0 proxies: XFF ignored, REMOTE_ADDR's 3rd", s.post(
        LOGOUT, headers={"X-Forwarded-For": "10.0.0.3"}))
    t.eq("0 proxies: keys", rows(s), [("dj_rest_auth", "127.0.0.1")])


def keys():
    with h.Stack(config({"dj_rest_auth": "2/minute"})) as s:
        t.run(per_user, s)
        clear(s)
        t.run(xff_one, s)
    with h.Stack(config({"dj_rest_auth": "2/minute"},
                        num_proxies="absent")) as s:
        t.run(xff_null, s)
    with h.Stack(config({"dj_rest_auth": "2/minute"}, num_proxies=2)) as s:
        t.run(xff_two, s)
    with h.Stack(config({"dj_rest_auth": "2/minute"}, num_proxies=0)) as s:
        t.run(xff_zero, s)


# --- AnonRateThrottle, UserRateThrottle, several throttles, null ---

def anon(s):
    s.createuser("alice", PASSWORD)
    ka = token_for(s, "alice", "192.0.2.20")
    clear(s)
    for i in range(2):
        r = s.post(LOGOUT)
        t.eq("anon: logout %d accepted" % i, r.status, 200)
    throttled("anon: 3rd anonymous logout", s.post(LOGOUT))
    throttled("anon: token-less login from the address", s.post(
        LOGIN, json={"username": "alice", "password": "nope"}))
    r = s.get(USERV)
    t.eq("anon: user/ without credentials is 401 (auth before throttle)",
         r.status, 401)
    for i in range(4):
        r = s.get(USERV, token=ka)
        t.eq("anon: authenticated user/ %d not throttled" % i, r.status,
             200)
    r = s.post(CHANGE, json={}, token=ka)
    t.eq("anon: authenticated password/change not throttled", r.status,
         400)
    t.eq("anon: only the address is counted", rows(s),
         [("anon", "127.0.0.1")])


def user(s):
    a = s.createuser("alice", PASSWORD)
    b = s.createuser("bob", PASSWORD)
    ka = token_for(s, "alice", "192.0.2.30")
    kb = token_for(s, "bob", "192.0.2.31")
    clear(s)
    for i in range(2):
        r = s.get(USERV, token=ka)
        t.eq("user: alice user/ %d" % i, r.status, 200)
    throttled("user: alice user/ 3rd", s.get(USERV, token=ka))
    throttled("user: alice on another view too",
              s.post(CHANGE, json={}, token=ka))
    r = s.get(USERV, token=kb)
    t.eq("user: bob not throttled by alice", r.status, 200)
    # DRF's UserRateThrottle keys anonymous requests by address.
    for i in range(2):
        r = s.post(LOGOUT)
        t.eq("user: anonymous logout %d" % i, r.status, 200)
    throttled("user: anonymous 3rd (keyed by address)", s.post(LOGOUT))
    t.eq("user: keys", rows(s), sorted([
        ("user", str(a)), ("user", str(b)), ("user", "127.0.0.1")]))


def combined(s):
    """Scoped 2/minute and User 4/minute: every throttle is asked (DRF
    does not stop at the first refusal), so the user's history grows
    while the scope refuses; the longest wait is reported."""
    s.createuser("alice", PASSWORD)
    ka = token_for(s, "alice", "192.0.2.40")
    clear(s)
    st = [s.post(CHANGE, json={}, token=ka).status for _ in range(4)]
    t.eq("combined: password/change x4", st, [400, 400, 429, 429])
    throttled("combined: user/ (no scope) refused by the user rate",
              s.get(USERV, token=ka))


def at_limit_writes_nothing(s):
    """DRF stores nothing for a refused request; restauth's refusal at
    the limit is a read: the row keeps its version (xmin) and hits."""
    clear(s)
    for i in range(2):
        t.eq("at limit: logout %d accepted" % i, s.post(LOGOUT).status, 200)

    def state():
        return s.sql("SELECT xmin::text, hits::text, expires::text FROM "
                     "restauth_throttle WHERE scope = 'anon'")

    before = state()
    for i in range(5):
        throttled("at limit: logout %d refused" % (i + 3), s.post(LOGOUT))
    t.eq("at limit: refusals leave the row as it was", state(), before)
    t.eq("at limit: one row", len(before), 1)


def null_rate(s):
    st = collections.Counter(s.post(LOGOUT).status for _ in range(30))
    t.eq("null rate: 30 logouts accepted", dict(st), {200: 30})
    t.eq("null rate: nothing stored", rows(s), [])


def classes():
    with h.Stack(config({"anon": "2/minute"}, classes=[ANON])) as s:
        t.run(anon, s)
        t.run(at_limit_writes_nothing, s)
    with h.Stack(config({"user": "2/minute"}, classes=[USER])) as s:
        t.run(user, s)
    with h.Stack(config({"dj_rest_auth": "2/minute", "user": "4/minute"},
                        classes=[SCOPED, USER])) as s:
        t.run(combined, s)
    with h.Stack(config({"dj_rest_auth": None})) as s:
        t.run(null_rate, s)


started = time.monotonic()
for scenario in (exactness, two_hosts, sliding, keys, classes):
    t.run(scenario)
print("runtime %.1f s" % (time.monotonic() - started))
t.done()
