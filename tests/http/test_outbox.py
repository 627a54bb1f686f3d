"""The mail outbox (restauth_mail_outbox), `restauth mail-worker`, the
sendmail environment and PASSWORD_RESET_COOLDOWN.

A request only adds its mails to the outbox, in the transaction of the
change they belong to; a drainer the program starts after its answer
(EMAIL_OUTBOX_DRAIN "spawn") or the mail-worker daemon ("worker") sends
them. A failed mail stays with its error and is tried again later; two
drainers never send one mail twice; sendmail sees no secret; one
address gets at most one reset mail per cooldown, and every answer is
the same."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import harness as h

t = h.Tests(__file__)

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "capture_mail.sh")
SLOW = os.path.join(HERE, "slow_mail.sh")
FAST = {"PASSWORD_HASHER": h.FAST_HASHER,
        "DEFAULT_FROM_EMAIL": "Restauth <noreply@example.com>",
        "PASSWORD_RESET_URL": "https://app.example/reset/{uid}/{token}/"}
RESET = "/auth/password/reset/"
REG = "/auth/registration/"
SENT = {"detail": "Password reset e-mail has been sent."}


def cfg(*extra):
    c = dict(FAST)
    for e in extra:
        c.update(e)
    return c


def mails(d):
    """The captured messages in d, as bytes, oldest first."""
    names = sorted((os.stat(os.path.join(d, n)).st_mtime_ns, n)
                   for n in os.listdir(d) if n.endswith(".eml"))
    out = []
    for _, n in names:
        with open(os.path.join(d, n), "rb") as f:
            out.append(f.read())
    return out


def to_of(raw):
    for line in raw.split(b"\n"):
        if line.startswith(b"To: "):
            return line[4:].decode()
    return None


def wait_for(what, fn, timeout=h.scaled(10)):
    """Poll fn until it returns something true, or the deadline."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(0.05)


def outbox(s):
    return s.sql("SELECT recipient, attempts, coalesce(last_error, ''), "
                 "extract(epoch FROM next_attempt - now())::int "
                 "FROM restauth_mail_outbox ORDER BY id")


def settled(s, d, n):
    """Wait until d holds n mails and the outbox is empty, then a little
    more for any extra mail; return the mails."""
    wait_for("mails", lambda: len(mails(d)) >= n and outbox(s) == [])
    time.sleep(0.5)
    return mails(d)


def other_config(s, **extra):
    """A config file beside the stack's, with extra keys."""
    c = dict(s.config)
    c.update(extra)
    path = os.path.join(s.tmp, "other-%d.json" % len(os.listdir(s.tmp)))
    with open(path, "w") as f:
        json.dump(c, f)
    return path


def tool(s, config, *args, **kw):
    return subprocess.Popen([os.path.join(h.BUILD, "restauth"), "-c",
                             config] + list(args), env=s.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)


# --- a failing sendmail, then a fixed one ---

def failing_then_fixed(s, d):
    s.createuser("fay", "correct horse battery", email="fay@example.com")
    r = s.post(RESET, json={"email": "fay@example.com"})
    t.eq("reset with /bin/false: answer", (r.status, r.json), (200, SENT))
    rows = wait_for("attempt", lambda: [x for x in outbox(s)
                                        if int(x[1]) >= 1])
    t.check("failed mail kept: one row, attempts 1, an error",
            len(rows) == 1 and rows[0][0] == "fay@example.com" and
            rows[0][1] == "1" and rows[0][2] != "", outbox(s))
    # Backoff: the next try 30 s on.
    t.check("failed mail: next try in about 30 s",
            rows and 20 <= int(rows[0][3]) <= 31, rows)
    # Not due: a drain with a working sendmail leaves it.
    good = other_config(s, EMAIL_SENDMAIL=CAPTURE + " " + d)
    p = tool(s, good, "mail-worker", "--drain")
    out, err = p.communicate(timeout=h.scaled(30))
    t.eq("drain before due: exit", p.returncode, 0)
    t.eq("drain before due: nothing sent", mails(d), [])
    # Time passes; the next drain (another config) sends it, once.
    s.sql("UPDATE restauth_mail_outbox SET next_attempt = now()")
    p = tool(s, good, "mail-worker", "--drain")
    out, err = p.communicate(timeout=h.scaled(30))
    t.eq("drain: exit", (p.returncode, err), (0, ""))
    p = tool(s, good, "mail-worker", "--drain")
    p.communicate(timeout=h.scaled(30))
    got = mails(d)
    t.eq("fixed sendmail: the mail arrives once",
         [to_of(m) for m in got], ["fay@example.com"])
    t.eq("fixed sendmail: the row is gone", outbox(s), [])
    t.check("the mail holds the reset link",
            got and b"https://app.example/reset/" in got[0], got)


def registration_in_outbox(s, d):
    """The user and the confirmation mail commit together: with a
    sendmail that fails, both are there."""
    r = s.post(REG, json={"username": "rita", "email": "rita@example.com",
                          "password1": "correct horse battery",
                          "password2": "correct horse battery"})
    t.eq("register: status", r.status, 201)
    t.eq("register: the user exists",
         s.sql("SELECT username FROM auth_user WHERE email = "
               "'rita@example.com'"), [["rita"]])
    rows = wait_for("attempt", lambda: [x for x in outbox(s)
                                        if x[0] == "rita@example.com"])
    t.eq("register: its mail is in the outbox", len(rows), 1)
    t.check("register: the mail has the confirm link",
            s.sql("SELECT count(*) FROM restauth_mail_outbox WHERE body "
                  "LIKE '%account-confirm-email%'") == [["1"]])


def bad_args(s, d):
    p = tool(s, s.config_path, "mail-worker", "--bogus")
    p.communicate(timeout=h.scaled(10))
    t.eq("mail-worker --bogus: usage", p.returncode, 2)


# --- two drainers at once ---

def parallel_drainers(s, d):
    n = 30
    for i in range(n):
        s.sql("INSERT INTO restauth_mail_outbox (sender, recipient, "
              "subject, body) VALUES ('noreply@example.com', :'p1', 'hi', "
              "'hello')", "p%02d@example.com" % i)
    slow = other_config(s, EMAIL_SENDMAIL=SLOW + " 0.02 " + d)
    ps = [tool(s, slow, "mail-worker", "--drain") for _ in range(3)]
    for p in ps:
        p.communicate(timeout=h.scaled(60))
        t.eq("parallel drainer: exit", p.returncode, 0)
    got = sorted(to_of(m) for m in mails(d))
    t.eq("three drainers: every mail once",
         got, ["p%02d@example.com" % i for i in range(n)])
    t.eq("three drainers: outbox empty", outbox(s), [])


# --- spawn mode: no zombie; the sendmail environment ---

def zombies(pids):
    """Zombie children of pids."""
    return [pid for pid, state, ppid, _ in h.proc_stats()
            if state == "Z" and ppid in pids]


def spawn_env_and_zombies(s, d):
    s.createuser("eve", "correct horse battery", email="eve@example.com")
    s.createuser("ed", "correct horse battery", email="ed@example.com")
    for a in ("eve@example.com", "ed@example.com", "nobody@example.com"):
        r = s.post(RESET, json={"email": a})
        t.eq("reset %s" % a, (r.status, r.json), (200, SENT))
    got = settled(s, d, 2)
    t.eq("spawn: both mails", sorted(to_of(m) for m in got),
         ["ed@example.com", "eve@example.com"])
    # The unknown address queued a decoy of the same size, which the
    # drainer deleted unsent: the outbox ends empty.
    wait_for("outbox empty", lambda: s.sql(
        "SELECT count(*) FROM restauth_mail_outbox")[0][0] == "0",
        h.scaled(5))
    t.eq("spawn: the decoy is deleted unsent, the outbox empty",
         s.sql("SELECT count(*) FROM restauth_mail_outbox")[0][0], "0")
    pids = s.fcgi_pids("password_reset")
    t.check("programs found", pids != [], pids)
    # The drainers have ended: none may be left as a zombie.
    wait_for("no zombie", lambda: zombies(pids) == [], h.scaled(5))
    t.eq("spawn: no zombie drainer", zombies(pids), [])
    envs = [n for n in os.listdir(d) if n.startswith("env-")]
    t.eq("sendmail environments captured", len(envs), 2)
    for n in envs:
        with open(os.path.join(d, n)) as f:
            names = {line.split("=", 1)[0] for line in f if "=" in line}
        leaked = sorted(x for x in names if x in ("SECRET_KEY",
                        "DATABASE_URL") or x.startswith("RESTAUTH_"))
        t.eq("sendmail environment: no secrets", leaked, [])
        with open(os.path.join(d, n)) as f:
            env = f.read()
        t.check("sendmail environment: the fixed PATH",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n" in env, env)
        t.check("sendmail environment: the secret nowhere",
                s.secret not in env and s.dburl not in env)
    # The drainer and its sendmail run at SCHED_BATCH (3), nice 19: the
    # least share of a CPU short of SCHED_IDLE, which a machine whose
    # CPUs never idle never gave them.
    scheds = sorted(n for n in os.listdir(d) if n.startswith("sched-"))
    t.eq("sendmail scheduling captured", len(scheds), 2)
    for n in scheds:
        with open(os.path.join(d, n)) as f:
            t.eq("sendmail runs at SCHED_BATCH, nice 19", f.read().split(),
                 ["3", "19"])


# --- worker mode ---

def worker_mode(s, d):
    s.createuser("wes", "correct horse battery", email="wes@example.com")
    r = s.post(RESET, json={"email": "wes@example.com"})
    t.eq("worker mode: answer", (r.status, r.json), (200, SENT))
    # No drainer is started: the mail waits for the daemon.
    time.sleep(1)
    t.eq("worker mode, no daemon: the mail waits",
         [x[0] for x in outbox(s)], ["wes@example.com"])
    t.eq("worker mode, no daemon: nothing sent", mails(d), [])
    daemon = tool(s, s.config_path, "mail-worker", start_new_session=True)
    try:
        got = wait_for("first", lambda: mails(d))
        t.eq("daemon: sends what waited", [to_of(m) for m in got],
             ["wes@example.com"])
        # Now a new mail: the NOTIFY wakes it (well before its 15 s poll).
        s.createuser("wes2", "correct horse battery",
                     email="wes2@example.com")
        t0 = time.time()
        r = s.post(RESET, json={"email": "wes2@example.com"})
        got = wait_for("second", lambda: len(mails(d)) >= 2 and mails(d))
        t.check("daemon: woken by NOTIFY", got and len(got) == 2 and
                time.time() - t0 < 10, (len(got or []), time.time() - t0))
        t.eq("daemon: running", daemon.poll(), None)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            out, err = daemon.communicate(timeout=h.scaled(10))
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            out, err = daemon.communicate()
    t.eq("daemon: SIGTERM ends it cleanly", daemon.returncode, 0)
    t.check("daemon: logs its stop", "stopped" in err, err)
    time.sleep(0.3)
    t.eq("worker mode: outbox empty", outbox(s), [])
    t.eq("worker mode: exactly two mails", len(mails(d)), 2)


# --- PASSWORD_RESET_COOLDOWN ---

def cooldown(s, d):
    s.createuser("cat", "correct horse battery", email="cat@example.com")
    s.createuser("cal", "correct horse battery", email="cal@example.com")
    answers = set()
    for a in ("cat@example.com", "CAT@example.com", "nobody@example.com",
              "nobody@example.com", "cal@example.com"):
        r = s.post(RESET, json={"email": a})
        answers.add((r.status, r.body, r.header("Content-Type")))
    t.eq("cooldown: every answer the same (known/unknown, in/out)",
         len(answers), 1)
    got = settled(s, d, 2)
    t.eq("cooldown: one mail per address, the other address unaffected",
         sorted(to_of(m) for m in got), ["cal@example.com",
                                         "cat@example.com"])
    rows = s.sql("SELECT addr_hash FROM restauth_reset_cooldown")
    t.eq("cooldown: a row for every address asked for, known or not",
         len(rows), 3)
    t.check("cooldown: no address in clear",
            all("@" not in r[0] and len(r[0]) == 64 for r in rows), rows)
    # Once the cooldown has passed, the address gets mail again.
    s.sql("UPDATE restauth_reset_cooldown SET sent = now() - "
          "interval '181 seconds'")
    r = s.post(RESET, json={"email": "cat@example.com"})
    t.eq("after the cooldown: answer", (r.status, r.json), (200, SENT))
    got = settled(s, d, 3)
    t.eq("after the cooldown: a new mail", len(got), 3)


def cooldown_off(s, d):
    s.createuser("cy", "correct horse battery", email="cy@example.com")
    for _ in range(2):
        r = s.post(RESET, json={"email": "cy@example.com"})
        t.eq("cooldown 0: answer", (r.status, r.json), (200, SENT))
    got = settled(s, d, 2)
    t.eq("cooldown 0: every reset mails", len(got), 2)


def main():
    def stack(d, **extra):
        return h.Stack(cfg({"EMAIL_SENDMAIL": CAPTURE + " " + d}, extra))

    def slow(d):
        return h.Stack(cfg({"EMAIL_SENDMAIL": SLOW + " 0.01 " + d}))

    # (the stack for a mail folder, the scenarios run on it)
    plan = [
        (lambda d: stack(d, EMAIL_SENDMAIL="/bin/false"),
         [failing_then_fixed, registration_in_outbox, bad_args]),
        (lambda d: stack(d, EMAIL_SENDMAIL="/bin/true"), [parallel_drainers]),
        (slow, [spawn_env_and_zombies]),
        (lambda d: stack(d, EMAIL_OUTBOX_DRAIN="worker"), [worker_mode]),
        (stack, [cooldown]),
        (lambda d: stack(d, PASSWORD_RESET_COOLDOWN=0), [cooldown_off]),
    ]
    for make, fns in plan:
        d = tempfile.mkdtemp(prefix="restauth-outbox-")
        try:
            with make(d) as s:
                for fn in fns:
                    t.run(fn, s, d)
        finally:
            shutil.rmtree(d, ignore_errors=True)


main()
t.done()
