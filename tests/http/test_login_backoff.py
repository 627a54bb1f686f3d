"""The per-account failed-login backoff (restauth's own; DRF has none).

- The key is the login identifier the client typed (username or e-mail,
  as AUTHENTICATION_METHOD looks it up, case-insensitively), whatever the
  client address, stored only as a keyed hash (hex HMAC-SHA256 under a
  key derived from SECRET_KEY) in restauth_login_failure.
- LOGIN_FAILURE_LIMIT (5) attempts pass freely; after that the next one
  passes only 2^(failures - limit) seconds after the last failure, at most
  LOGIN_FAILURE_BACKOFF_MAX (300). A refused attempt is DRF's 429 with
  Retry-After, answered before any password hash, also for the right
  password. A successful login clears the counter.
- Check and count are one statement: a burst on a fresh identifier lets
  exactly LIMIT attempts through.
- Known and unknown identifiers behave alike. LOGIN_FAILURE_LIMIT 0 turns
  it off.
Waits are shortened by moving the row's last_failure back with SQL."""
import re
import statistics
import threading
import time

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
LOGIN = "/auth/login/"
PASSWORD = "correct horse"
UNABLE = {"non_field_errors": ["Unable to log in with provided credentials."]}
THROTTLED = re.compile(
    r"^Request was throttled\. Expected available in (\d+) seconds?\.$")


def config(**extra):
    c = {"PASSWORD_HASHER": FAST, "LOGIN_FAILURE_BACKOFF_MAX": 4}
    c.update(extra)
    return c


def attempt(s, username, password, **kw):
    return s.post(LOGIN, json={"username": username, "password": password},
                  **kw)


def backoff_429(what, r, wait):
    """r is DRF's throttle answer for a wait of `wait` seconds."""
    detail = (r.json or {}).get("detail", "") if isinstance(r.json,
                                                            dict) else ""
    m = THROTTLED.match(detail)
    t.check(what + ": 429 with DRF's body and Retry-After %d" % wait,
            r.status == 429 and m is not None and int(m.group(1)) == wait
            and r.header("Retry-After") == str(wait), r)


def rows(s):
    return s.sql("SELECT ident, failures FROM restauth_login_failure "
                 "ORDER BY ident")


def age(s, seconds):
    """Let `seconds` pass for every row."""
    s.sql("UPDATE restauth_login_failure SET last_failure = last_failure "
          "- :'p1'::int * interval '1 second'", seconds)


def clear(s):
    s.sql("DELETE FROM restauth_login_failure")


def fail_times(s, username, n, what):
    for i in range(n):
        r = attempt(s, username, "wrong password")
        t.eq("%s: wrong password %d: 400" % (what, i + 1),
             (r.status, r.json), (400, UNABLE))


def basic(s):
    uid = s.createuser("alice", PASSWORD)
    fail_times(s, "alice", 5, "alice")
    r = attempt(s, "alice", PASSWORD)
    backoff_429("alice: 6th attempt, right password", r, 1)
    t.eq("alice: the refused login made no token", s.sql(
        "SELECT count(*) FROM authtoken_token WHERE user_id = :'p1'", uid),
        [["0"]])
    r = attempt(s, "ALICE", PASSWORD)
    backoff_429("ALICE (the same account, other case)", r, 1)
    r = s.post(LOGIN, json={"username": "alice", "email": "x@example.com",
                            "password": PASSWORD})
    backoff_429("alice with an extra email field", r, 1)
    rs = rows(s)
    t.eq("one row, 5 failures", [f for _, f in rs], ["5"])
    t.check("the key is 64 hex characters",
            len(rs) == 1 and re.fullmatch(r"[0-9a-f]{64}", rs[0][0]), rs)
    dump = " ".join(" ".join(r) for r in s.sql(
        "SELECT * FROM restauth_login_failure"))
    t.check("no clear identifier in the table",
            "alice" not in dump.lower(), dump)
    # After the wait: allowed, and a success clears the counter.
    age(s, 1)
    r = attempt(s, "alice", PASSWORD)
    t.eq("alice after the wait, right password: 200", r.status, 200)
    t.eq("a success clears the row", rows(s), [])
    fail_times(s, "alice", 5, "alice after the reset")
    backoff_429("alice after the reset: 6th", attempt(s, "alice", PASSWORD),
                1)
    # The wait doubles per failure, up to LOGIN_FAILURE_BACKOFF_MAX (4).
    waits = []
    for i in range(4):
        age(s, 5)
        r = attempt(s, "alice", "wrong password")
        t.eq("backoff step %d: the attempt passes (400)" % i, r.status, 400)
        r = attempt(s, "alice", "wrong password")
        m = THROTTLED.match((r.json or {}).get("detail", ""))
        waits.append(int(m.group(1)) if r.status == 429 and m else r.status)
    t.eq("waits after 6, 7, 8, 9 failures: 2, 4, then capped at 4",
         waits, [2, 4, 4, 4])
    t.eq("refusals did not count: 9 failures", [f for _, f in rows(s)],
         ["9"])


def no_hash_when_refused(s):
    """The refusal comes before the password hash: with the default
    argon2id cost a refused attempt is much faster than a counted one."""
    s.createuser("carol", PASSWORD)
    acc, ref = [], []
    for i in range(5):
        t0 = time.monotonic()
        attempt(s, "carol", "wrong password")
        acc.append(time.monotonic() - t0)
    for i in range(5):
        t0 = time.monotonic()
        r = attempt(s, "carol", PASSWORD)
        ref.append(time.monotonic() - t0)
        t.eq("carol refused %d" % i, r.status, 429)
    a, b = statistics.median(acc) * 1000, statistics.median(ref) * 1000
    print("counted attempt median %.1f ms, refused %.1f ms" % (a, b))
    t.check("a refused attempt costs no hash", b < a,
            "refused %.1f ms, counted %.1f ms" % (b, a))


def alike(s):
    """An unknown username gets the same answers, in the same order."""
    s.createuser("dave", PASSWORD)
    clear(s)
    seqs = {}
    for name in ("dave", "ghost"):
        seq = []
        for i in range(6):
            r = attempt(s, name, "wrong password")
            seq.append((r.status, r.json, r.header("Retry-After")))
        seqs[name] = seq
    t.eq("known and unknown usernames: the same answers", seqs["ghost"],
         seqs["dave"])
    t.eq("... 5 x 400, then 429", [x[0] for x in seqs["dave"]],
         [400] * 5 + [429])
    t.eq("a row for each", len(rows(s)), 2)


def shared_across_addresses(s):
    """NUM_PROXIES 1: every attempt from another client address; the
    account's counter is one."""
    s.createuser("erin", PASSWORD)
    for i in range(5):
        r = attempt(s, "erin", "wrong password",
                    headers={"X-Forwarded-For": "198.51.100.%d" % (i + 1)})
        t.eq("erin from address %d: 400" % (i + 1), r.status, 400)
    r = attempt(s, "erin", PASSWORD,
                headers={"X-Forwarded-For": "203.0.113.99"})
    backoff_429("erin from a sixth address", r, 1)


def email_method(s):
    """AUTHENTICATION_METHOD email: the key is the address, any case."""
    s.createuser("frank", PASSWORD, email="frank@example.com")
    for i, e in enumerate(["frank@example.com", "FRANK@example.com",
                           "Frank@Example.COM", "frank@EXAMPLE.com",
                           "frank@example.com"]):
        r = s.post(LOGIN, json={"email": e, "password": "wrong"})
        t.eq("email %d (%s): 400" % (i + 1, e), r.status, 400)
    r = s.post(LOGIN, json={"email": "frank@example.com",
                            "password": PASSWORD})
    backoff_429("email: 6th, right password", r, 1)
    r = s.post(LOGIN, json={"username": "frank", "password": "x"})
    t.eq("a request without the e-mail field is not counted (400)",
         r.status, 400)
    t.eq("one row", len(rows(s)), 1)


def burst(s):
    """20 wrong attempts at once on a fresh identifier: exactly 5 pass
    the check. (The 6th could pass only a second after the 5th, so the
    burst must end within a second; it takes a few hundredths.)"""
    s.createuser("grace", PASSWORD)
    # Warm up every process (its first request connects to the
    # database) with requests that count nothing: no identifier.
    warm = [threading.Thread(target=s.post, args=(LOGIN,),
                             kwargs={"json": {"password": "x"}})
            for _ in range(16)]
    for th in warm:
        th.start()
    for th in warm:
        th.join(h.scaled(60))
    n = 20
    barrier = threading.Barrier(n)
    out = [None] * n

    def work(i):
        try:
            barrier.wait(h.scaled(60))
        except threading.BrokenBarrierError:
            pass
        t0 = time.monotonic()
        try:
            out[i] = attempt(s, "grace", "wrong password").status
        except Exception as exc:
            out[i] = type(exc).__name__
        ends[i] = (t0, time.monotonic())

    ends = [(0, 0)] * n
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(h.scaled(120))
    took = max(b for _, b in ends) - min(a for a, _ in ends)
    passed = sum(1 for x in out if x == 400)
    print("burst: %r in %.2f s; latencies %r" % (
        sorted(out, key=str), took,
        sorted(round(b - a, 3) for a, b in ends)))
    t.eq("burst: every answer is 400 or 429",
         sorted(set(out), key=str), [400, 429])
    t.eq("burst: the row counts the attempts that passed",
         [f for _, f in rows(s)], [str(passed)])
    if took < 1.0:
        t.eq("burst: exactly 5 of 20 passed", passed, 5)
    else:
        t.check("burst: 5 of 20 passed (at most one more per second)",
                5 <= passed <= 5 + int(took), passed)


def parallel_right(s):
    """LIMIT right-password logins of one account at once never meet the
    backoff, in any order of their statements (an attempt that started
    later may store its time first), round after round."""
    s.createuser("kim", PASSWORD)
    bad = []
    for rnd in range(10):
        out = [None] * 5
        barrier = threading.Barrier(5)

        def work(i):
            try:
                barrier.wait(h.scaled(60))
            except threading.BrokenBarrierError:
                pass
            out[i] = attempt(s, "kim", PASSWORD).status

        threads = [threading.Thread(target=work, args=(i,))
                   for i in range(5)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(h.scaled(120))
        if out != [200] * 5:
            bad.append((rnd, out))
    t.check("10 rounds of 5 right logins at once: all 200", not bad, bad)


def disabled(s):
    s.createuser("heidi", PASSWORD)
    fail_times(s, "heidi", 10, "limit 0")
    r = attempt(s, "heidi", PASSWORD)
    t.eq("limit 0: the right password after 10 failures: 200", r.status,
         200)
    t.eq("limit 0: nothing stored", rows(s), [])


def forgotten(s):
    """A row quiet for two days counts as none: the next attempt passes
    and the count starts again at 1."""
    clear(s)
    fail_times(s, "ivan", 5, "ivan")
    s.sql("UPDATE restauth_login_failure SET failures = 100, "
          "last_failure = now() - interval '2 days 1 second'")
    r = attempt(s, "ivan", "wrong password")
    t.eq("ivan after two quiet days: the attempt passes", r.status, 400)
    t.eq("ivan: counting starts again", [f for _, f in rows(s)], ["1"])


def cleanup(s):
    """Old rows go without a cron job: an attempt cleans with probability
    1/256; refused attempts are cheap, so up to 3000 of them (missing
    with ~1e-5) in bursts."""
    clear(s)
    fail_times(s, "judy", 5, "judy")
    s.sql("UPDATE restauth_login_failure SET failures = 100")
    s.sql("INSERT INTO restauth_login_failure (ident, failures, "
          "last_failure, allowed) VALUES ('old', 3, now() - interval "
          "'3 days', true)")
    sent, gone = 0, False
    while sent < 3000 and not gone:
        threads = [threading.Thread(target=attempt,
                                    args=(s, "judy", "wrong password"))
                   for _ in range(50)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(h.scaled(60))
        sent += 50
        gone = s.sql("SELECT count(*) FROM restauth_login_failure WHERE "
                     "ident = 'old'") == [["0"]]
    print("old login-failure row removed after %d attempts" % sent)
    t.check("an old row is cleaned by later attempts", gone,
            "still there after %d attempts" % sent)
    t.eq("the live row stays", len(rows(s)), 1)


def no_identifier(s):
    clear(s)
    r = s.post(LOGIN, json={"password": "x"})
    t.eq("no username: DRF's 400", r.status, 400)
    r = s.post(LOGIN, json={"username": "", "password": "x"})
    t.eq("blank username: 400", r.status, 400)
    t.eq("requests without an identifier store nothing", rows(s), [])


with h.Stack(config()) as s:
    t.run(basic, s)
    t.run(alike, s)
    t.run(no_identifier, s)
    t.run(forgotten, s)
    t.run(cleanup, s)
with h.Stack(config(PASSWORD_HASHER={})) as s:
    t.run(no_hash_when_refused, s)
with h.Stack(config(REST_FRAMEWORK={"NUM_PROXIES": 1})) as s:
    t.run(shared_across_addresses, s)
with h.Stack(config(ACCOUNT={"AUTHENTICATION_METHOD": "email",
                                "EMAIL_REQUIRED": True})) as s:
    t.run(email_method, s)
with h.Stack(config(), procs=4) as s:
    t.run(burst, s)
    t.run(parallel_right, s)
with h.Stack(config(LOGIN_FAILURE_LIMIT=0)) as s:
    t.run(disabled, s)
t.done()
