"""registration/ under concurrency (issue 5): many parallel
registrations for one username, for one address (in different cases,
UNIQUE_EMAIL), and for both at once give exactly one user and a clean
400 with the field's message for every other request: never a 500 or a
503, never two rows. Then parallel verify-email/ with one key and
parallel resend-email/ for one address within the cooldown: one
success, one mail. Eight FastCGI processes race for real; each client
thread has its own connection, opened before a barrier releases them
all at once."""
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

import harness as h

t = h.Tests(__file__)

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "capture_mail.sh")
N = 60
PW = "Tr0ub4dor&3x!"
REG = "/auth/registration/"
TAKEN = {"username": ["A user with that username already exists."]}
EMAIL_TAKEN = {"email": ["User is already registered with this e-mail "
                         "address."]}


def together(s, bodies, path=REG, method="POST", keys=None):
    """Send each JSON body at once (with keys: body i with the token
    keys[i]), one thread and connection each. Returns [(status, json)]
    in order; an exception in a thread is recorded as (None, repr)."""
    barrier = threading.Barrier(len(bodies))
    out = [None] * len(bodies)

    def worker(i, body):
        # 60 s, or the harness's timeout when longer (make valgrind:
        # 88 programs start under memcheck as the first race begins).
        c = http.client.HTTPConnection("127.0.0.1", s.port,
                                       timeout=max(60, h.TIMEOUT))
        try:
            c.connect()
            barrier.wait(30)
            headers = {"Content-Type": "application/json"}
            if keys:
                headers["Authorization"] = "Token " + keys[i]
            c.request(method, path, body=json.dumps(body),
                      headers=headers)
            r = c.getresponse()
            data = r.read()
            try:
                out[i] = (r.status, json.loads(data))
            except ValueError:
                out[i] = (r.status, data)
        except Exception as e:  # judged by the caller
            out[i] = (None, repr(e))
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(i, b))
               for i, b in enumerate(bodies)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(h.scaled(120))
    return out


def judge(what, out, refusal):
    wins = [o for o in out if o[0] == 201]
    others = [o for o in out if o[0] != 201]
    t.eq(what + ": exactly one 201", len(wins), 1)
    bad = [o for o in others if o != (400, refusal)]
    t.check(what + ": every other answer is the 400", not bad,
            "%d others, e.g. %r" % (len(bad), bad[:3]))


def count(s, query, *params):
    return int(s.sql(query, *params)[0][0])


def indexes(s, name):
    return count(s, "SELECT count(*) FROM pg_indexes WHERE indexname = "
                 ":'p1'", name)


def same_username(s):
    out = together(s, [{"username": "Racer" if i % 2 else "racer",
                        "email": "racer%d@example.com" % i,
                        "password1": PW, "password2": PW}
                       for i in range(N)])
    judge("one username", out, TAKEN)
    t.eq("one user row", count(s, "SELECT count(*) FROM auth_user WHERE "
                              "upper(username) = 'RACER'"), 1)
    t.eq("one address row", count(
        s, "SELECT count(*) FROM account_emailaddress a JOIN auth_user u "
           "ON u.id = a.user_id WHERE upper(u.username) = 'RACER'"), 1)
    t.eq("no orphan address", count(
        s, "SELECT count(*) FROM account_emailaddress WHERE email LIKE "
           "'racer%'"), 1)
    t.eq("one token", count(s, "SELECT count(*) FROM authtoken_token"), 1)


def same_email(s):
    variants = ["shared@example.com", "SHARED@example.com",
                "Shared@Example.com", "shared@EXAMPLE.COM"]
    out = together(s, [{"username": "mail%d" % i,
                        "email": variants[i % len(variants)],
                        "password1": PW, "password2": PW}
                       for i in range(N)])
    judge("one address", out, EMAIL_TAKEN)
    t.eq("one address row", count(
        s, "SELECT count(*) FROM account_emailaddress WHERE upper(email) = "
           "'SHARED@EXAMPLE.COM'"), 1)
    t.eq("one user with it", count(
        s, "SELECT count(*) FROM auth_user WHERE upper(email) = "
           "'SHARED@EXAMPLE.COM'"), 1)
    t.eq("losers left no user", count(
        s, "SELECT count(*) FROM auth_user WHERE username LIKE 'mail%'"), 1)


def both(s):
    out = together(s, [{"username": "twin", "email": "twin@example.com",
                        "password1": PW, "password2": PW}
                       for i in range(N)])
    wins = [o for o in out if o[0] == 201]
    t.eq("both taken: exactly one 201", len(wins), 1)
    # Which check sees the winner first depends on when it commits.
    bad = [o for o in out if o[0] != 201 and not (
        o[0] == 400 and o[1] in (TAKEN, EMAIL_TAKEN,
                                 dict(TAKEN, **EMAIL_TAKEN)))]
    t.check("both taken: the others 400 naming the field", not bad,
            repr(bad[:3]))
    t.eq("one twin", count(s, "SELECT count(*) FROM auth_user WHERE "
                              "username = 'twin'"), 1)


def verify_race(s, mbdir):
    before = set(os.listdir(mbdir))
    r = s.post(REG, json={"username": "vera", "email": "vera@example.com",
                          "password1": PW, "password2": PW})
    t.eq("vera registered", r.status, 201)
    deadline = time.time() + h.scaled(10)
    key = None
    while key is None and time.time() < deadline:
        for f in set(os.listdir(mbdir)) - before:
            if f.startswith("."):
                continue
            with open(os.path.join(mbdir, f)) as fh:
                for line in fh:
                    if line.startswith("https://app.example/confirm/"):
                        key = line.strip().split("/")[-2]
        time.sleep(0.05)
    t.check("key mailed", key, "no mail")
    out = together(s, [{"key": key}] * 20,
                   path="/auth/registration/verify-email/")
    ok = [o for o in out if o == (200, {"detail": "ok"})]
    nf = [o for o in out if o == (404, {"detail": "Not found."})]
    t.eq("verify race: one ok", len(ok), 1)
    t.eq("verify race: the rest 404", len(nf), 19)


def resend_race(s, mbdir):
    r = s.post(REG, json={"username": "rita", "email": "rita@example.com",
                          "password1": PW, "password2": PW})
    t.eq("rita registered", r.status, 201)
    time.sleep(0.5)
    s.sql("UPDATE restauth_email_sent SET sent = now() - interval '1 hour' "
          "WHERE email = 'RITA@EXAMPLE.COM'")
    before = set(f for f in os.listdir(mbdir) if not f.startswith("."))
    out = together(s, [{"email": "Rita@example.com"}] * 30,
                   path="/auth/registration/resend-email/")
    t.check("resend race: all 200 ok",
            all(o == (200, {"detail": "ok"}) for o in out), repr(out[:3]))
    time.sleep(1.5)
    fresh = set(f for f in os.listdir(mbdir) if not f.startswith(".")) \
        - before
    t.eq("resend race: one mail", len(fresh), 1)


def django_case(s):
    """No unique index on upper(username) (Django's admin and
    createsuperuser compare names exactly and failed with an
    IntegrityError on "BOB2" beside "bob2"); the plain one serves the
    lookups."""
    t.eq("no case-insensitive unique index",
         indexes(s, "restauth_auth_user_username_iunique"), 0)
    t.eq("the plain upper(username) index",
         indexes(s, "restauth_auth_user_username_upper"), 1)
    rows = s.sql(
        "INSERT INTO auth_user (password, is_superuser, username, "
        "first_name, last_name, email, is_staff, is_active, date_joined) "
        "VALUES ('!', false, 'bob2', '', '', '', false, true, now()), "
        "('!', false, 'BOB2', '', '', '', false, true, now()) "
        "RETURNING username")
    t.eq("Django's insert of BOB2 beside bob2 succeeds", rows,
         [["bob2"], ["BOB2"]])
    r = s.post(REG, json={"username": "Bob2", "password1": PW,
                          "password2": PW})
    t.eq("restauth still refuses Bob2", (r.status, r.json), (400, TAKEN))


def tools_together(s, argvs, password):
    """Run the admin tool once per argv, all at once. [(rc, err)]."""
    procs = [subprocess.Popen(
        [os.path.join(h.BUILD, "restauth"), "-c", s.config_path] + a,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=s.env()) for a in argvs]
    out = []
    for p in procs:
        _, err = p.communicate(password + "\n", timeout=h.scaled(60))
        out.append((p.returncode, err))
    return out


def createuser_race(s):
    """restauth createuser serializes on the name as registration does:
    of many creating one name in different cases, one wins."""
    out = tools_together(s, [["createuser", "Carl" if i % 2 else "CARL"]
                             for i in range(8)], PW)
    t.eq("createuser race: one succeeds",
         sum(1 for rc, _ in out if rc == 0), 1)
    t.check("createuser race: the others say taken",
            all("already exists" in err for rc, err in out if rc != 0),
            repr(out[:2]))
    t.eq("createuser race: one row", count(
        s, "SELECT count(*) FROM auth_user WHERE upper(username) = 'CARL'"),
        1)


def rename_race(s):
    """user/ renames take the same lock: of users renaming themselves
    to one name in different cases, one wins, the others get the
    field's 400."""
    keys = []
    for i in range(8):
        s.createuser("renamer%d" % i, PW)
        keys.append(s.login("renamer%d" % i, PW))
    out = together(s, [{"username": "Zed" if i % 2 else "ZED"}
                       for i in range(len(keys))], path="/auth/user/",
                   method="PATCH", keys=keys)
    t.eq("rename race: one 200", sum(1 for o in out if o[0] == 200), 1)
    bad = [o for o in out if o[0] != 200 and o != (400, TAKEN)]
    t.check("rename race: the others get the 400", not bad, repr(bad[:3]))
    t.eq("rename race: one row", count(
        s, "SELECT count(*) FROM auth_user WHERE upper(username) = 'ZED'"),
        1)


def legacy(s):
    """A Django database may hold usernames that differ only in case:
    migration 0003 then leaves the case-insensitive unique index out
    and says so on stderr (a warning a person sees), and registrations
    of one name still serialize on their advisory lock."""
    s.sql("INSERT INTO auth_user (password, is_superuser, username, "
          "first_name, last_name, email, is_staff, is_active, date_joined) "
          "VALUES ('!', false, 'Legacy', '', '', '', false, true, now()), "
          "('!', false, 'legacy', '', '', '', false, true, now())")
    s.sql("DELETE FROM restauth_schema_version WHERE version = "
          "'0003_account.sql'")
    rc, out, err = s.tool("migrate")
    t.eq("migrate again over case duplicates: succeeds", rc, 0)
    t.check("the warning is on stderr", "WARNING" in err and
            "differ only in case" in err, err)
    t.eq("the index is left out",
         indexes(s, "restauth_auth_user_username_iunique"), 0)
    t.eq("0003 recorded", s.sql(
        "SELECT count(*) FROM restauth_schema_version WHERE version = "
        "'0003_account.sql'"), [["1"]])
    r = s.post(REG, json={"username": "LEGACY", "password1": PW,
                          "password2": PW})
    t.eq("a legacy name is still taken", (r.status, r.json), (400, TAKEN))
    out = together(s, [{"username": "Solo" if i % 2 else "SOLO",
                        "password1": PW, "password2": PW}
                       for i in range(N)])
    judge("no index: one username", out, TAKEN)
    t.eq("no index: one row", count(
        s, "SELECT count(*) FROM auth_user WHERE upper(username) = 'SOLO'"),
        1)


def main():
    mbdir = tempfile.mkdtemp(prefix="restauth-racemail-")
    try:
        with h.Stack({"PASSWORD_HASHER": h.FAST_HASHER,
                      "EMAIL_SENDMAIL": CAPTURE + " " + mbdir,
                      "EMAIL_CONFIRM_URL":
                          "https://app.example/confirm/{key}/",
                      "ACCOUNT": {"UNIQUE_EMAIL": True}}, procs=8) as s:
            t.run(same_username, s)
            t.run(same_email, s)
            t.run(both, s)
            t.run(verify_race, s, mbdir)
            t.run(resend_race, s, mbdir)
            t.run(django_case, s)
            t.run(createuser_race, s)
            t.run(rename_race, s)
            t.run(legacy, s)
    finally:
        shutil.rmtree(mbdir, ignore_errors=True)


main()
t.done()
