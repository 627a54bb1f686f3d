#!/usr/bin/env python3
"""bench.py BUILD: the figures of `make bench`.

Starts the real stack from BUILD (a throwaway PostgreSQL cluster with its
real settings, lighttpd + the FastCGI programs through tools/run.sh), a
second lighttpd from the same template serving bench/trivial.c (the
ceiling), seeds users, then drives each case of CASES with wrk over
127.0.0.1 at each concurrency of BENCH_CONC. Prints a table, writes
BUILD/bench.json, and exits 1 when a run had an error it should not have
had, a program holds more than BENCH_RSS_MAX_KIB of private memory, or
user/'s private memory grows between the two growth checkpoints.

Environment: BENCH_TIME seconds per run (5), BENCH_CONC (1,16,64),
BENCH_PROCS processes per program (2), BENCH_USERS login accounts (64),
BENCH_ROWS other accounts with tokens, so the tables have a size (10000),
BENCH_GROWTH requests per user/ process at the two memory checkpoints
(10000,100000; 0 skips the check), BENCH_CASES a regular expression choosing cases by name,
BENCH_RSS_MAX_KIB (4096), BENCH_GROWTH_MAX_KIB (0).

Speed is reported, never asserted: the figures depend on the machine and
on whatever else runs on it.
"""

import concurrent.futures
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(SRC, "bench")
PREFIX = "/auth/"
PASSWORD = "Quiet-river-7319-xyz"

# The stacks a case may run on: tools/run.sh with this config.
STACKS = {
    "token": {"config": os.path.join(BENCH, "restauth.json")},
    "jwt": {"config": os.path.join(BENCH, "restauth-jwt.json")},
    "throttle": {"config": os.path.join(BENCH, "restauth-throttle.json")},
}

# One row per case. stack: which stack serves it ("trivial" is the
# ceiling itself). auth: "token" sends the seeded user's DRF token,
# "jwt-cookie" its access JWT as the access cookie. body, or body_fn(b)
# for one that needs the seeded tokens. login: each request logs in as
# the next of BENCH_USERS users. refresh: each connection refreshes a
# token of its own and goes on with the rotated one. exhaust: requests
# by hand until the expected status (a throttle's limit) before the run.
# expect: the one status every answer must have. ceiling: what the ratio divides by,
# "trivial" (the trivial responder at the same concurrency) or "argon2"
# (cores / argon2id hash time). growth: the memory growth check runs on
# this case's program before anything else.
CASES = [
    {"name": "trivial", "stack": "trivial", "method": "GET",
     "path": PREFIX + "trivial/", "expect": 200, "ceiling": None},
    {"name": "user/ GET", "stack": "token", "method": "GET",
     "path": PREFIX + "user/", "auth": "token", "expect": 200,
     "ceiling": "trivial", "growth": True},
    {"name": "mfa/status/ GET", "stack": "token", "method": "GET",
     "path": PREFIX + "mfa/status/", "auth": "token", "expect": 200,
     "ceiling": "trivial"},
    {"name": "login/", "stack": "token", "method": "POST",
     "path": PREFIX + "login/", "login": True, "expect": 200,
     "ceiling": "argon2"},
    {"name": "logout/ anon", "stack": "token", "method": "POST",
     "path": PREFIX + "logout/", "body": "", "expect": 200,
     "ceiling": "trivial"},
    {"name": "login/ GET 405", "stack": "token", "method": "GET",
     "path": PREFIX + "login/", "expect": 405, "ceiling": "trivial"},
    {"name": "password/reset/ unknown", "stack": "token", "method": "POST",
     "path": PREFIX + "password/reset/",
     "body": '{"email":"nobody@example.com"}',
     "headers": {"Content-Type": "application/json"}, "expect": 200,
     "ceiling": "trivial"},
    {"name": "throttled login/ at limit", "stack": "throttle",
     "method": "POST", "path": PREFIX + "login/",
     "body": '{"username":"nobody","password":"wrong"}',
     "headers": {"Content-Type": "application/json"}, "exhaust": True,
     "expect": 429, "ceiling": "trivial"},
    {"name": "jwt token/verify/", "stack": "jwt", "method": "POST",
     "path": PREFIX + "token/verify/",
     "body_fn": lambda b: json.dumps({"token": b.jwt_access}),
     "headers": {"Content-Type": "application/json"}, "expect": 200,
     "ceiling": "trivial"},
    {"name": "jwt user/ GET cookie", "stack": "jwt", "method": "GET",
     "path": PREFIX + "user/", "auth": "jwt-cookie", "expect": 200,
     "ceiling": "trivial"},
    {"name": "jwt token/refresh/", "stack": "jwt", "method": "POST",
     "path": PREFIX + "token/refresh/", "refresh": True,
     "headers": {"Content-Type": "application/json"}, "expect": 200,
     "ceiling": "trivial"},
    {"name": "jwt login/", "stack": "jwt", "method": "POST",
     "path": PREFIX + "login/", "login": True, "expect": 200,
     "ceiling": "argon2"},
]


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def env_list(name, default):
    v = os.environ.get(name, "")
    return [int(x) for x in v.split(",")] if v.strip() else default


DURATION = env_int("BENCH_TIME", 5)
CONC = env_list("BENCH_CONC", [1, 16, 64])
PROCS = env_int("BENCH_PROCS", 2)
NUSERS = env_int("BENCH_USERS", 64)
ROWS = env_int("BENCH_ROWS", 10000)
GROWTH = [n for n in env_list("BENCH_GROWTH", [10000, 100000]) if n > 0]
RSS_MAX_KIB = env_int("BENCH_RSS_MAX_KIB", 4096)
GROWTH_MAX_KIB = env_int("BENCH_GROWTH_MAX_KIB", 0)
CASE_RE = re.compile(os.environ.get("BENCH_CASES") or ".")


START = time.time()


def log(*args):
    print("[%3.0fs]" % (time.time() - START), *args, file=sys.stderr,
          flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, what, deadline=30):
    end = time.time() + deadline
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %d" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not start on port %d" % (what, port))


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        h = dict(headers or {})
        if body is None and method == "POST":
            body = ""
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


# ---- processes and their memory ----

def proc_stat(pid):
    """(ppid, exe) of a process, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        return ppid, os.readlink("/proc/%d/exe" % pid)
    except (OSError, ValueError):
        return None


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def children(ppids):
    out = []
    for pid in all_pids():
        st = proc_stat(pid)
        if st is not None and st[0] in ppids:
            out.append((pid, st[1]))
    return out


def fcgi_procs(root_pid):
    """{pid: program} of the *.fcgi processes below root_pid (run.sh or
    lighttpd): lighttpd starts them itself, so they are its children."""
    found, frontier = {}, {root_pid}
    for _ in range(3):
        kids = children(frontier)
        frontier = set()
        for pid, exe in kids:
            if exe.endswith(".fcgi"):
                found[pid] = os.path.basename(exe)[:-len(".fcgi")]
            else:
                frontier.add(pid)
        if not frontier:
            break
    return found


def mem_kib(pid):
    """RssAnon and VmRSS (KiB) of a process: RssAnon is its private
    memory; VmRSS adds the shared library pages that are not ours."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("RssAnon", "VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
    except OSError:
        return None
    return out


def cpu_sample(roots):
    """CPU ticks so far: the machine's (user + nice + system; irq and
    softirq are left out, on loopback mostly our own traffic), steal, and
    per process below roots {pid: (group, ticks)}, with the waited-for
    children of this script (wrk) as pid 0."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy, steal = v[0] + v[1] + v[2], v[7] if len(v) > 7 else 0
    parent, ticks = {}, {}
    for pid in all_pids():
        try:
            with open("/proc/%d/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        parent[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
    procs, mine = {}, set(roots)
    for pid in ticks:
        p, depth = pid, 0
        while p > 1 and depth < 8:
            if p in mine:
                try:
                    exe = os.path.basename(os.readlink("/proc/%d/exe" %
                                                       pid))
                except OSError:
                    exe = "?"
                group = exe if exe.endswith(".fcgi") else \
                    exe if exe in ("lighttpd", "postgres") else "other"
                procs[pid] = (group, ticks[pid])
                break
            p, depth = parent.get(p, 0), depth + 1
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs[0] = ("wrk", round((ru.ru_utime + ru.ru_stime) *
                             os.sysconf("SC_CLK_TCK")))
    return busy, steal, procs


def cpu_delta(a, b, seconds, requests):
    """CPU use between two samples: per group in microseconds per
    request, and what the rest of the machine took, in percent of all
    cores."""
    hz = os.sysconf("SC_CLK_TCK")
    groups, ours = {}, 0
    for pid, (group, t) in b[2].items():
        d = t - (a[2][pid][1] if pid in a[2] else 0)
        groups[group] = groups.get(group, 0) + d
        ours += d
    avail = seconds * os.cpu_count() * hz
    return {
        "cpu_us_per_request": {g: round(t * 1e6 / hz / max(requests, 1), 1)
                               for g, t in sorted(groups.items()) if t},
        "other_cpu_pct": round(100 * max(0, (b[0] - a[0]) - ours) / avail,
                               1),
        "steal_pct": round(100 * (b[1] - a[1]) / avail, 1),
    }


def memory_snapshot(root_pid):
    snap = []
    for pid, prog in sorted(fcgi_procs(root_pid).items()):
        m = mem_kib(pid)
        if m is not None:
            snap.append({"program": prog, "pid": pid, **m})
    return snap


# ---- the stacks ----

class Bench:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.tmp = tempfile.mkdtemp(prefix="restauth-bench-")
        os.chmod(self.tmp, 0o755)
        self.logdir = os.path.join(self.build, "bench-logs")
        shutil.rmtree(self.logdir, ignore_errors=True)
        os.makedirs(self.logdir)
        self.pgdir = os.path.join(self.tmp, "pg")
        self.pg_started = False
        self.procs = []  # (Popen, name)
        self.run_dirs = []
        self.secret = secrets.token_urlsafe(40)
        self.stacks = {}  # name -> {"port", "proc"}
        self.failures = []
        self.token = None
        self.users = []

    # -- PostgreSQL --

    def pg(self, *args):
        env = dict(os.environ)
        env.pop("PG_FAST", None)  # real settings: fsync and sync commit
        subprocess.run([os.path.join(SRC, "tools/pg.sh")] + list(args),
                       check=True, env=env, stdout=subprocess.DEVNULL)

    def start_pg(self):
        self.pg("init", self.pgdir)
        self.pg("start", self.pgdir)
        self.pg_started = True
        self.pg("createdb", self.pgdir, "restauth_bench")
        self.dburl = "postgresql:///restauth_bench?host=%s/sock&user=" \
            "restauth" % self.pgdir

    def postmaster(self):
        try:
            with open(os.path.join(self.pgdir, "data/postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return 0

    def psql(self, sql):
        pgbin = sorted(os.listdir("/usr/lib/postgresql"))[-1]
        r = subprocess.run(["/usr/lib/postgresql/%s/bin/psql" % pgbin, "-X",
                            "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d",
                            self.dburl], input=sql, capture_output=True,
                           text=True, check=True)
        return r.stdout

    def env(self, config):
        e = dict(os.environ)
        e.update({"DATABASE_URL": self.dburl, "SECRET_KEY": self.secret,
                  "RESTAUTH_CONFIG": config, "PROCS": str(PROCS),
                  "SERVER": "lighttpd", "PREFIX": PREFIX})
        return e

    # -- lighttpd --

    def start_stack(self, name):
        config = STACKS[name]["config"]
        port = free_port()
        out = open(os.path.join(self.logdir, "run-%s.log" % name), "w")
        p = subprocess.Popen([os.path.join(SRC, "tools/run.sh"), self.build,
                              str(port), config], env=self.env(config),
                             stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append((p, "run.sh " + name))
        self.run_dirs.append(os.path.join(self.build, "run-%d" % port))
        wait_port(port, p, "tools/run.sh (%s)" % name)
        self.stacks[name] = {"port": port, "proc": p, "config": config}

    def start_trivial(self):
        """lighttpd from www/lighttpd.conf.in, filled in as tools/run.sh
        does, with one fastcgi.server entry: bench/trivial.c."""
        port = free_port()
        rundir = os.path.join(self.tmp, "trivial")
        os.makedirs(rundir)
        entry = ('\t"%strivial/" => ((\n'
                 '\t\t"socket" => "%s/trivial.sock",\n'
                 '\t\t"bin-path" => "%s/bench/trivial.fcgi",\n'
                 '\t\t"max-procs" => %d,\n'
                 '\t\t"check-local" => "disable",\n'
                 '\t)),\n' % (PREFIX, rundir, self.build, PROCS))
        with open(os.path.join(SRC, "www/lighttpd.conf.in")) as f:
            tmpl = f.read()
        for k, v in (("@PORT@", str(port)),
                     ("@WWWDIR@", os.path.join(SRC, "www")),
                     ("@RUNDIR@", rundir), ("@PREFIX@", PREFIX),
                     ("@PATHS@", "trivial")):
            tmpl = tmpl.replace(k, v)
        tmpl = tmpl.replace("@FASTCGI@\n", entry)
        conf = os.path.join(rundir, "lighttpd.conf")
        with open(conf, "w") as f:
            f.write(tmpl)
        out = open(os.path.join(self.logdir, "trivial.log"), "w")
        p = subprocess.Popen(["lighttpd", "-D", "-f", conf], stdout=out,
                             stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append((p, "lighttpd trivial"))
        self.trivial_errorlog = os.path.join(rundir, "error.log")
        wait_port(port, p, "lighttpd (trivial)")
        self.stacks["trivial"] = {"port": port, "proc": p}

    def stop(self):
        for p, name in reversed(self.procs):
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        for d in self.run_dirs:
            errlog = os.path.join(d, "error.log")
            if os.path.exists(errlog):
                shutil.copy(errlog, os.path.join(
                    self.logdir, "lighttpd-%s.log" % os.path.basename(d)))
            shutil.rmtree(d, ignore_errors=True)
        if os.path.exists(getattr(self, "trivial_errorlog", "")):
            shutil.copy(self.trivial_errorlog,
                        os.path.join(self.logdir, "lighttpd-trivial.log"))
        if self.pg_started:
            try:
                self.pg("stop", self.pgdir)
            except subprocess.CalledProcessError:
                pass
            pglog = os.path.join(self.pgdir, "postgres.log")
            if os.path.exists(pglog):
                shutil.copy(pglog, os.path.join(self.logdir, "postgres.log"))
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- data --

    def seed(self):
        """bench0 through the admin tool (a real argon2id hash at the
        configured cost), the others as copies of its row by SQL, which
        takes no time and hashes alike."""
        config = STACKS["token"]["config"]
        r = subprocess.run([os.path.join(self.build, "restauth"), "-c",
                            config, "createuser", "bench0", "--email",
                            "bench0@example.com"], input=PASSWORD + "\n",
                           capture_output=True, text=True,
                           env=self.env(config))
        if r.returncode != 0:
            raise RuntimeError("createuser: " + r.stderr)
        self.psql("INSERT INTO auth_user (password, is_superuser, username,"
                  " first_name, last_name, email, is_staff, is_active, "
                  "date_joined) SELECT password, false, 'bench' || i, '', "
                  "'', 'bench' || i || '@example.com', false, true, now() "
                  "FROM auth_user, generate_series(1, %d) i WHERE "
                  "username = 'bench0'" % (NUSERS - 1))
        # A site's worth of other accounts with tokens, and fresh
        # statistics: with a handful of rows PostgreSQL plans sequential
        # scans and hash joins that a real table would never get.
        self.psql("INSERT INTO auth_user (password, is_superuser, username,"
                  " first_name, last_name, email, is_staff, is_active, "
                  "date_joined) SELECT password, false, 'other' || i, '', "
                  "'', 'other' || i || '@example.com', false, true, now() "
                  "FROM auth_user, generate_series(1, %d) i WHERE "
                  "username = 'bench0'; "
                  "INSERT INTO authtoken_token (key, created, user_id) "
                  "SELECT substr(md5(random()::text) || md5(random()::text),"
                  " 1, 40), now(), id FROM auth_user WHERE username LIKE "
                  "'other%%'; ANALYZE" % ROWS)
        self.users = ["bench%d" % i for i in range(NUSERS)]
        if "token" in self.stacks:
            st, body = request(self.stacks["token"]["port"], "POST",
                               PREFIX + "login/",
                               json.dumps({"username": "bench0",
                                           "password": PASSWORD}),
                               {"Content-Type": "application/json"})
            if st != 200:
                raise RuntimeError("login of bench0: %d %r" % (st, body))
            self.token = json.loads(body)["key"]
        if "jwt" in self.stacks:
            self.jwt_access = self.login_jwt("bench0")["access"]

    def login_jwt(self, user):
        st, body = request(self.stacks["jwt"]["port"], "POST",
                           PREFIX + "login/",
                           json.dumps({"username": user,
                                       "password": PASSWORD}),
                           {"Content-Type": "application/json"})
        if st != 200:
            raise RuntimeError("JWT login of %s: %d %r" % (user, st, body))
        return json.loads(body)

    def mint_refresh(self, n):
        """n refresh tokens, from logins of n users (a rotated token works
        once, so every refresh run needs its own)."""
        with concurrent.futures.ThreadPoolExecutor(2 * PROCS) as ex:
            return [r["refresh"] for r in ex.map(
                self.login_jwt, [self.users[i % len(self.users)]
                                 for i in range(n)])]

    # -- one case --

    def case_env(self, case, conc=1, threads=1):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("BENCH_"):
                del e[k]
        e["BENCH_METHOD"] = case["method"]
        headers = dict(case.get("headers", {}))
        if case.get("auth") == "token":
            headers["Authorization"] = "Token " + self.token
        elif case.get("auth") == "jwt-cookie":
            headers["Cookie"] = "access=" + self.jwt_access
        if case.get("refresh"):
            # One more per thread: wrk calls request() once before the
            # run to check the request, and that token is never sent.
            e["BENCH_REFRESH"] = " ".join(self.mint_refresh(conc + threads))
            e["BENCH_THREADS"] = str(threads)
        if case.get("login"):
            headers["Content-Type"] = "application/json"
            e["BENCH_USERS"] = " ".join(self.users)
            e["BENCH_PASSWORD"] = PASSWORD
        if "body" in case:
            e["BENCH_BODY"] = case["body"]
        elif "body_fn" in case:
            e["BENCH_BODY"] = case["body_fn"](self)
        e["BENCH_HEADERS"] = "\n".join("%s: %s" % kv
                                       for kv in headers.items())
        return e, headers

    def preflight(self, case):
        """One request by hand: the status must be the expected one, so
        a wrk run that counts no errors measured the right thing."""
        e, headers = self.case_env(case)
        body = e.get("BENCH_BODY")
        if case.get("refresh"):
            body = json.dumps({"refresh": e["BENCH_REFRESH"].split()[0]})
        if case.get("login"):
            body = json.dumps({"username": self.users[1],
                               "password": PASSWORD})
        st, data = request(self.stacks[case["stack"]]["port"],
                           case["method"], case["path"], body, headers)
        # exhaust: spend the client's rate first (the security guide's
        # 100/hour), so that the run measures answers at the limit.
        for _ in range(1000 if case.get("exhaust") else 0):
            if st == case["expect"]:
                break
            st, data = request(self.stacks[case["stack"]]["port"],
                               case["method"], case["path"], body, headers)
        if st != case["expect"]:
            self.failures.append("%s: preflight answered %d, expected %d: "
                                 "%r" % (case["name"], st, case["expect"],
                                         data[:200]))
            return False
        return True

    def wrk(self, case, conc, duration=None, stop_after=None):
        threads = min(2, conc)
        e, _ = self.case_env(case, conc, threads)
        if stop_after is not None:
            e["BENCH_STOP_AFTER"] = str(-(-stop_after // threads))
        url = "http://127.0.0.1:%d%s" % (self.stacks[case["stack"]]["port"],
                                         case["path"])
        cmd = ["wrk", "-t", str(threads), "-c", str(conc), "-d",
               "%ds" % (duration or DURATION), "--timeout", "10s", "-s",
               os.path.join(BENCH, "wrk.lua"), url]
        roots = [st["proc"].pid for st in self.stacks.values()] + \
            [self.postmaster()]
        t0, cpu0 = time.time(), cpu_sample(roots)
        p = subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        lines, finished = [], 0
        for line in p.stdout:
            lines.append(line)
            if line.startswith("BENCH_THREAD_DONE"):
                finished += 1
                if finished == threads:
                    # Every thread has its count; wrk would still sleep
                    # out -d. Its SIGINT handler ends the run early.
                    p.send_signal(signal.SIGINT)
        err = p.stderr.read()
        p.wait()
        t1, cpu1 = time.time(), cpu_sample(roots)
        out = "".join(lines)
        m = re.search(r"^BENCH_RESULT (\{.*\})$", out, re.M)
        if p.returncode != 0 or m is None:
            raise RuntimeError("wrk failed (%d): %s%s" % (
                p.returncode, out[-1000:], err[-1000:]))
        res = json.loads(m.group(1))
        res["rps"] = res["requests"] / (res["duration_us"] / 1e6)
        # CPU per request of each part of the stack, and what the rest
        # of the machine took: above a few percent, figures drift.
        res.update(cpu_delta(cpu0, cpu1, t1 - t0, res["requests"]))
        err = res["errors"]
        # wrk counts answers >= 400 as status errors: a 405 case must
        # have nothing else, the others none at all.
        bad_status = err["status"] if case["expect"] < 400 else \
            res["requests"] - err["status"]
        res["unexpected"] = (bad_status + err["connect"] + err["read"] +
                             err["write"] + err["timeout"])
        if res["requests"] == 0 or res["unexpected"] != 0:
            seen = re.findall(r"^BENCH_ERROR (.*)$", out, re.M)
            self.failures.append("%s -c %d: %d unexpected answers or "
                                 "errors of %d (%s)%s" % (
                                     case["name"], conc, res["unexpected"],
                                     res["requests"], json.dumps(err),
                                     "".join("\n    " + x for x in seen)))
        self.wait_idle(case["stack"])
        return res

    def wait_idle(self, stack, limit=120):
        """Wait until the stack's programs have stopped computing: a
        request whose client went away (wrk ends with requests in
        flight) is still queued at its program's socket and gets
        answered. Otherwise the next run would wait behind a queue of
        logins, and a memory reading could land in the middle of an
        argon2 hash. Idle: no CPU tick in 0.3 s."""
        root = self.stacks[stack]["proc"].pid
        end = time.time() + limit
        last = None
        while time.time() < end:
            ticks = 0
            for pid in fcgi_procs(root):
                try:
                    with open("/proc/%d/stat" % pid) as f:
                        st = f.read()
                    fields = st[st.rindex(")") + 2:].split()
                    ticks += int(fields[11]) + int(fields[12])
                except (OSError, ValueError):
                    pass
            if ticks == last:
                return
            last = ticks
            time.sleep(0.3)
        self.failures.append("%s: programs still busy %d s after a run" %
                             (stack, limit))


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def version(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return ""
    pgbin = sorted(os.listdir("/usr/lib/postgresql"))[-1]
    return {"cores": os.cpu_count(), "cpu": cpu,
            "kernel": platform.release(),
            "lighttpd": version(["lighttpd", "-v"]),
            "postgres": version(["/usr/lib/postgresql/%s/bin/postgres" %
                                 pgbin, "--version"]),
            "wrk": version(["wrk", "-v"]),
            "loadavg_before": open("/proc/loadavg").read().split()[:3]}


def argon2_ceiling(b):
    config = STACKS["token"]["config"]
    r = subprocess.run([os.path.join(b.build, "bench/argon2_time"), config,
                        "20"], capture_output=True, text=True,
                       env=b.env(config), check=True)
    a = json.loads(r.stdout)
    a["cores"] = os.cpu_count()
    # The fastest of the runs: what a hash costs on a core of its own.
    # The median grows with whatever else the machine runs, and would
    # let a busy machine push the login ratio over 1.
    a["logins_per_s"] = a["cores"] / (a["min_ms"] / 1000)
    return a


def growth_check(b, case, report):
    """The private memory of the case's program after PROCS x 10,000 and
    PROCS x 100,000 requests (lighttpd spreads them over the PROCS
    processes), before any other traffic to it: it must not grow between
    the two."""
    root = b.stacks[case["stack"]]["proc"].pid
    prog = case["path"][len(PREFIX):].strip("/").replace("/", "_")
    points, done = [], 0
    for target in GROWTH:
        want = PROCS * target - done
        res = b.wrk(case, 16, duration=300, stop_after=want)
        done += res["requests"]
        if res["requests"] < want:
            b.failures.append("growth: %s answered %d of %d requests in "
                              "300 s" % (case["name"], res["requests"],
                                         want))
            return
        snap = [m for m in memory_snapshot(root) if m["program"] == prog]
        points.append({"per_process_target": target,
                       "program_requests": done, "processes": snap})
        log("growth: %d %s requests, RssAnon %s KiB" % (
            done, case["name"], ", ".join(str(m["RssAnon"]) for m in snap)))
    report["growth"] = {"case": case["name"], "program": prog + ".fcgi",
                        "points": points}
    if len(points) >= 2:
        first = {m["pid"]: m["RssAnon"] for m in points[0]["processes"]}
        for m in points[-1]["processes"]:
            if m["pid"] not in first:
                b.failures.append("growth: %s.fcgi %d was replaced "
                                  "during the run" % (prog, m["pid"]))
            elif m["RssAnon"] - first[m["pid"]] > GROWTH_MAX_KIB:
                b.failures.append(
                    "growth: %s.fcgi %d RssAnon %d -> %d KiB between %d "
                    "and %d requests" % (prog, m["pid"], first[m["pid"]],
                                         m["RssAnon"], GROWTH[0],
                                         GROWTH[-1]))


def fmt_table(report):
    rows = [("case", "c", "req/s", "ratio", "cpu", "of", "p50 ms",
             "p99 ms", "errors", "prog", "httpd", "pg", "wrk", "other")]
    for r in report["runs"]:
        cpu = r["cpu_us_per_request"]
        rows.append((r["case"], str(r["c"]), "%.0f" % r["rps"],
                     "%.2f" % r["ratio"] if r["ratio"] is not None else "-",
                     "%.2f" % r["cpu_ratio"] if r.get("cpu_ratio") else "-",
                     r["ceiling"] or "-", "%.2f" % (r["p50_us"] / 1000),
                     "%.2f" % (r["p99_us"] / 1000), str(r["unexpected"]),
                     "%.0f" % sum(v for k, v in cpu.items()
                                  if k.endswith(".fcgi")),
                     "%.0f" % cpu.get("lighttpd", 0),
                     "%.0f" % cpu.get("postgres", 0),
                     "%.0f" % cpu.get("wrk", 0),
                     "%.0f%%" % r["other_cpu_pct"]))
    w = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(v.ljust(w[k]) if k in (0, 5) else
                               v.rjust(w[k]) for k, v in enumerate(row)))
        if i == 0:
            lines.append("  ".join("-" * x for x in w))
    return "\n".join(lines)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench.py BUILD")
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk missing (make deps)")
    b = Bench(sys.argv[1])
    report = {"machine": machine(), "settings": {
        "duration_s": DURATION, "concurrency": CONC, "procs": PROCS,
        "users": NUSERS, "rows": ROWS, "growth_checkpoints": GROWTH,
        "rss_max_kib": RSS_MAX_KIB}, "runs": []}
    cases = [c for c in CASES if c["stack"] == "trivial" or
             CASE_RE.search(c["name"])]
    try:
        log("bench: PostgreSQL (real settings), lighttpd, %d processes "
            "per program" % PROCS)
        b.start_pg()
        for name in sorted({c["stack"] for c in cases} - {"trivial"}):
            b.start_stack(name)
        b.start_trivial()
        b.seed()
        log("bench: argon2id hash time")
        report["argon2"] = argon2_ceiling(b)
        cases = [c for c in cases if b.preflight(c)]
        for case in cases:
            if case.get("growth") and GROWTH:
                growth_check(b, case, report)
        # Per concurrency: the trivial responder before and after the
        # other cases, so a ratio does not hinge on one moment of the
        # machine; the better of the two is the ceiling.
        trivial_case = next(c for c in cases if c["stack"] == "trivial")
        for conc in CONC:
            group = []
            for case in cases + [trivial_case]:
                log("bench: %s -c %d" % (case["name"], conc))
                res = b.wrk(case, conc)
                group.append({"case": case["name"], "c": conc,
                              "ceiling": case["ceiling"], **res})
            best = max(r["rps"] for r in group if r["ceiling"] is None)
            # The same ratio in CPU time: the ceiling's CPU per request
            # (all parts, wrk too) over the case's. Other programs on the
            # machine barely move it, so it estimates the ratio of an
            # idle machine wherever the run is CPU-bound (c >= 16).
            cpu_best = min(sum(r["cpu_us_per_request"].values())
                           for r in group if r["ceiling"] is None)
            for r in group:
                cpu = sum(r["cpu_us_per_request"].values())
                if r["ceiling"] == "trivial":
                    r["ratio"] = r["rps"] / best
                    r["cpu_ratio"] = cpu_best / cpu if cpu else None
                elif r["ceiling"] == "argon2":
                    r["ratio"] = r["rps"] / report["argon2"]["logins_per_s"]
                    r["cpu_ratio"] = report["argon2"]["cpu_ms"] * 1000 / \
                        cpu if cpu else None
                else:
                    r["ratio"] = r["cpu_ratio"] = None
            report["ceiling_rps"] = report.get("ceiling_rps", {})
            report["ceiling_rps"][str(conc)] = best
            report["runs"] += group
        mem = []
        for name, st in b.stacks.items():
            for m in memory_snapshot(st["proc"].pid):
                m["stack"] = name
                mem.append(m)
                if name != "trivial" and m["RssAnon"] > RSS_MAX_KIB:
                    b.failures.append("memory: %s.fcgi %d holds RssAnon %d "
                                      "KiB > %d" % (m["program"], m["pid"],
                                                    m["RssAnon"],
                                                    RSS_MAX_KIB))
        report["memory"] = mem
    except Exception as e:
        b.failures.append("bench: %s: %s" % (type(e).__name__, e))
    finally:
        b.stop()
    report["machine"]["loadavg_after"] = \
        open("/proc/loadavg").read().split()[:3]
    report["failures"] = b.failures
    report["seconds"] = round(time.time() - START)
    with open(os.path.join(b.build, "bench.json"), "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")

    a = report.get("argon2")
    m = report["machine"]
    print("restauth bench: %d cores (%s), %d processes per program, %d s "
          "per run" % (m["cores"], m["cpu"], PROCS, DURATION))
    if a:
        print("ceilings: trivial FastCGI responder (row 'trivial'); "
              "argon2id t=%d m=%d KiB p=%d: %.1f ms\nper hash (median "
              "%.1f, CPU %.1f), so %d cores give %.1f logins/s" % (
                  a["t"], a["m_kib"], a["p"], a["min_ms"], a["median_ms"],
                  a["cpu_ms"], a["cores"], a["logins_per_s"]))
    print(fmt_table(report))
    print("ratio: of the better trivial run at the same concurrency, or of "
          "cores / hash time.\ncpu: the same in CPU time per request "
          "(ceiling's / case's), what an idle machine\nwould reach where "
          "the run is CPU-bound (c >= 16).\nprog, httpd, pg, wrk: CPU "
          "microseconds per request in the program, lighttpd,\nPostgreSQL "
          "and wrk; other: CPU the rest of the machine took, in % of all "
          "cores.")
    busy = [r for r in report["runs"] if r["other_cpu_pct"] > 10]
    if busy:
        print("WARNING: other programs used over 10%% of the CPU during %d "
              "of %d runs: those figures are low and the ratios noisy" % (
                  len(busy), len(report["runs"])))
    if report.get("memory"):
        print("private memory after the run, RssAnon KiB of each process "
              "(VmHWM: peak VmRSS,\nshared library pages included):")
        progs = {}
        for x in report["memory"]:
            progs.setdefault((x["stack"], x["program"]), []).append(x)
        for (stack, prog), xs in sorted(progs.items()):
            print("  %-7s %-28s %-14s VmHWM %6d" % (
                stack, prog + ".fcgi",
                ", ".join(str(x["RssAnon"]) for x in xs),
                max(x["VmHWM"] for x in xs)))
    g = report.get("growth")
    for pt in (g or {}).get("points", []):
        print("%s after %d requests (%d per process): RssAnon %s KiB" % (
            g["program"], pt["program_requests"], pt["per_process_target"],
            ", ".join(str(x["RssAnon"]) for x in pt["processes"])))
    print("figures: %s (%.0f s)" % (os.path.join(b.build, "bench.json"),
                                     time.time() - START))
    for f in b.failures:
        print("FAIL " + f)
    sys.exit(1 if b.failures else 0)


if __name__ == "__main__":
    main()
