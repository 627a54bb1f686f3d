"""Black-box HTTP test harness: a real lighttpd + FastCGI stack started
through tools/run.sh on a free port, with its own database in the test
cluster that tests/run.sh made. Test files use Tests for counting and
Stack for the server; each file ends by calling Tests.done()."""

import fcntl
import http.client
import json as jsonlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

SRC = os.environ.get("RESTAUTH_SRC") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("RESTAUTH_BUILD") or os.path.join(SRC, "build")
PGDIR = os.environ.get("RESTAUTH_TEST_PGDIR")
PGBIN = sorted(os.listdir("/usr/lib/postgresql"))[-1]
PSQL = "/usr/lib/postgresql/%s/bin/psql" % PGBIN
# RESTAUTH_TEST_TIMEOUT: seconds an HTTP request may take (default 30).
# make valgrind raises it: memcheck makes each program 20-50x slower.
# scaled() stretches a test's own waits by the same factor.
TIMEOUT = float(os.environ.get("RESTAUTH_TEST_TIMEOUT") or 30)
# RESTAUTH_UNDER_VALGRIND=1 (make valgrind): the programs run under
# memcheck. Tests relax (scaled) or skip (Tests.skip, which prints SKIP)
# the wall-clock bounds that cannot hold there, and Stack.stop waits for
# the programs' reports (wait_group).
UNDER_VALGRIND = os.environ.get("RESTAUTH_UNDER_VALGRIND") == "1"
# The cheapest argon2id the config takes (tests hash thousands of
# passwords): FAST_HASHER is a PASSWORD_HASHER value, FAST a config with
# it alone. Stack copies its config, so dict(h.FAST, KEY=...) is safe.
FAST_HASHER = {"TIME_COST": 1, "MEMORY_COST": 1024, "PARALLELISM": 1}
FAST = {"PASSWORD_HASHER": FAST_HASHER}


def scaled(seconds):
    """A wait of SECONDS at the default timeout, stretched in proportion
    to RESTAUTH_TEST_TIMEOUT (never shortened)."""
    return seconds * max(1.0, TIMEOUT / 30)


# How long a test waits for a mail the programs send after their answer:
# the drainer runs at nice 19, so with other test files beside it (make
# test runs them at once, ASan slows each) it gets a small share of a
# CPU. A wait ends as soon as the mail is there.
MAIL_WAIT = scaled(30)


class Tests:
    """Counts checks; prints 'NAME: N passed, M failed' at the end."""

    def __init__(self, name):
        self.name = os.path.basename(name)
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s" % (what, detail), flush=True)
        return cond

    def eq(self, what, got, want):
        return self.check(what, got == want, "got %r, want %r" % (got, want))

    def skip(self, what, reason):
        """A check left out, e.g. a wall-clock bound under valgrind: it
        neither passes nor fails, but shows in the output."""
        self.skipped += 1
        print("SKIP %s: %s" % (what, reason), flush=True)

    def run(self, fn, *args):
        """Run one scenario function; an exception is one failure."""
        try:
            fn(*args)
        except Exception:
            self.failed += 1
            print("FAIL %s raised:" % fn.__name__, flush=True)
            traceback.print_exc(file=sys.stdout)

    def done(self):
        if self.skipped:
            print("%s: %d skipped" % (self.name, self.skipped))
        print("%s: %d passed, %d failed" % (self.name, self.passed,
                                            self.failed))
        sys.exit(1 if self.failed else 0)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (lower-case name, value)
        self.body = body
        try:
            self.json = jsonlib.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def cookies(self):
        return [v for k, v in self.headers if k == "set-cookie"]

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


# Test files run side by side (tests/run.sh): a port one file picked and
# has not bound yet must not go to another. Each port handed out is
# claimed with an flock on PORT_LOCKS/<port>, held until this process
# ends (the kernel drops it even on SIGKILL); a port another test process
# holds is skipped.
PORT_LOCKS = "/tmp/restauth-test-ports"
PORT_TRIES = 200  # ports held by others before giving up
_port_locks = []


def free_port():
    """A free loopback TCP port no other test process holds."""
    os.makedirs(PORT_LOCKS, exist_ok=True)
    for _ in range(PORT_TRIES):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        fd = os.open(os.path.join(PORT_LOCKS, str(port)),
                     os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _port_locks.append(fd)
        return port
    raise RuntimeError("no free port in %d tries" % PORT_TRIES)


def proc_stats():
    """(pid, state, ppid, pgrp) of every process, from /proc."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()  # state ppid pgrp ...
        yield int(d), fields[0], int(fields[1]), int(fields[2])


def group_pids(pgid):
    """PIDs of the live (not zombie) processes in process group pgid."""
    return [pid for pid, state, _, pgrp in proc_stats()
            if state != "Z" and pgrp == pgid]


def wait_group(pgid):
    """Under memcheck (make valgrind): wait until the programs of a
    stopped server, in its process group pgid, have exited, so that
    valgrind has written their reports before the next test and before
    make valgrind reads them. libfcgi tests its shutdown flag and then
    blocks in accept(): a SIGTERM that lands in between (a window
    valgrind widens) leaves the program in accept() for ever, so one
    still there after 5 s gets another SIGTERM, which interrupts it."""
    deadline = time.time() + TIMEOUT
    nudge = time.time() + 5
    while True:
        left = group_pids(pgid)
        if not left:
            return
        if time.time() > deadline:
            print("WARNING: programs %r still running %d s after the "
                  "server stopped: killed, no memcheck report" % (
                      left, TIMEOUT), flush=True)
            os.killpg(pgid, signal.SIGKILL)
            return
        if time.time() > nudge:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            nudge = time.time() + 5
        time.sleep(0.1)


def createdb(dbname):
    """Create database dbname in the test cluster if it is missing."""
    subprocess.run([os.path.join(SRC, "tools/pg.sh"), "createdb", PGDIR,
                    dbname], check=True, stdout=subprocess.DEVNULL)


def pg_url(dbname):
    return "postgresql:///%s?host=%s/sock&user=restauth" % (dbname, PGDIR)


class Stack:
    """lighttpd + the FastCGI programs + a fresh database."""

    def __init__(self, config=None, procs=2, secret=None, dbname=None):
        if PGDIR is None:
            raise RuntimeError("run through tests/run.sh (needs the test "
                               "PostgreSQL cluster)")
        self.config = dict(config or {})
        self.procs = procs
        self.secret = secret or secrets.token_urlsafe(40)
        # dbname: a database that may already exist (e.g. one a Django
        # project migrated first); by default a new one.
        self.dbname = dbname or "t_" + secrets.token_hex(6)
        self.dburl = pg_url(self.dbname)
        self.tmp = tempfile.mkdtemp(prefix="restauth-http-")
        os.chmod(self.tmp, 0o755)
        self.config_path = os.path.join(self.tmp, "config.json")
        self.proc = None
        self.port = None

    def env(self):
        e = dict(os.environ)
        e["SECRET_KEY"] = self.secret
        e["DATABASE_URL"] = self.dburl
        e["RESTAUTH_CONFIG"] = self.config_path
        e["PROCS"] = str(self.procs)
        return e

    def start(self):
        with open(self.config_path, "w") as f:
            jsonlib.dump(self.config, f)
        createdb(self.dbname)
        for attempt in range(5):
            self.port = free_port()
            self.log = open(os.path.join(self.tmp, "run-%d.log" % self.port),
                            "w")
            self.proc = subprocess.Popen(
                [os.path.join(SRC, "tools/run.sh"), BUILD, str(self.port),
                 self.config_path], env=self.env(), stdout=self.log,
                stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.time() + scaled(20)
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", self.port),
                                             0.2).close()
                except OSError:
                    time.sleep(0.05)
                    continue
                if not self.probe or self.answers(deadline):
                    return self
            self.stop()
        raise RuntimeError("stack did not start: " + self.run_log())

    # Whether start() also waits for an answer from a program (a
    # request: it counts against any anonymous throttle).
    probe = False

    def answers(self, deadline):
        """The server listens; wait (until deadline) for it to reach a
        program too: a web server up before its FastCGI pools answers
        502 (nginx) or 503 (lighttpd) for a moment. Any other status,
        or the deadline, counts as ready (a stack meant to fail still
        starts)."""
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=5)
                c.request("OPTIONS", "/auth/logout/")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status not in (502, 503):
                    return True
            except (OSError, http.client.HTTPException):
                pass
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return True

    def run_log(self):
        try:
            with open(self.log.name) as f:
                out = f.read()
            with open(self.error_log_path()) as f:
                out += f.read()
        except OSError:
            pass
        return out[-3000:]

    def error_log_path(self):
        return os.path.join(BUILD, "run-%d" % self.port, "error.log")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(scaled(15))
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            if UNDER_VALGRIND:
                wait_group(self.proc.pid)
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- requests ---

    def request(self, method, path, body=None, headers=None, json=None,
                form=None, token=None, timeout=None, source=None):
        """source: the local address to connect from (any 127/8 one is
        the loopback), to be another client; default 127.0.0.1."""
        h = dict(headers or {})
        if timeout is None:
            timeout = TIMEOUT
        if json is not None:
            body = jsonlib.dumps(json).encode()
            h.setdefault("Content-Type", "application/json")
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if isinstance(body, str):
            body = body.encode()
        if token is not None:
            h["Authorization"] = "Token " + token
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        c = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout,
            source_address=(source, 0) if source is not None else None)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return Resp(r.status, [(k.lower(), v) for k, v in
                                   r.getheaders()], data)
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    # --- database and admin tool ---

    def sql(self, query, *params):
        """Rows of a query as lists of strings. Parameters go in as psql
        variables :'p1', :'p2', ... (quoted literals)."""
        args = [PSQL, "-X", "-q", "-tA", "-F", "\x1f", "-v",
                "ON_ERROR_STOP=1", "-d", self.dburl]
        for i, p in enumerate(params, 1):
            args += ["-v", "p%d=%s" % (i, p)]
        r = subprocess.run(args, input=query, capture_output=True,
                           text=True, check=True)
        return [line.split("\x1f") for line in r.stdout.splitlines()
                if line != ""]

    def tool(self, *args, input=None):
        r = subprocess.run([os.path.join(BUILD, "restauth"), "-c",
                            self.config_path] + list(args), input=input,
                           capture_output=True, text=True, env=self.env())
        return r.returncode, r.stdout, r.stderr

    def createuser(self, name, password, email="", superuser=False):
        args = ["createuser", name, "--email", email]
        if superuser:
            args.append("--superuser")
        rc, out, err = self.tool(*args, input=password + "\n")
        if rc != 0:
            raise RuntimeError("createuser %s: %s" % (name, err))
        return int(self.sql("SELECT id FROM auth_user WHERE username = "
                            ":'p1'", name)[0][0])

    def login(self, username, password):
        r = self.post("/auth/login/", json={"username": username,
                                            "password": password})
        if r.status != 200:
            raise RuntimeError("login failed: %r" % r)
        return r.json["key"]

    def fcgi_pids(self, program=None):
        """PIDs of this stack's FastCGI processes."""
        out = subprocess.run(["pgrep", "-f", os.path.join(BUILD, "cgi-bin",
                              (program or "") )], capture_output=True,
                             text=True).stdout.split()
        pids = []
        for p in out:
            try:
                with open("/proc/%s/environ" % p, "rb") as f:
                    if ("DATABASE_URL=" + self.dburl).encode() in \
                            f.read().split(b"\0"):
                        pids.append(int(p))
            except OSError:
                pass
        return sorted(pids)
