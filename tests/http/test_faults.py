"""Fault injection (issue 8): a FastCGI worker killed with SIGKILL is
replaced and the service keeps answering; malformed FastCGI records sent
straight to a worker's unix socket (the CVE-2025-23016 class: lengths
past the record in PARAMS, a truncated header, a huge contentLength)
do not take the service down; and with tests/faults/failmalloc.c the
Nth allocation fails, N swept over a whole plain-CGI request of login
and user GET: every run ends without a crash and either prints a
complete answer (200/400/401/500/503, JSON body) or exits non-zero
without output."""
import glob
import json
import os
import signal
import socket
import struct
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
# The allocation sweep runs one login hundreds of times, and a run that
# fails after the account's backoff counted it leaves a failure behind: a
# limit no sweep reaches keeps the check (and its allocations) in every
# run without ever refusing one.
CONFIG = {"PASSWORD_HASHER": FAST, "LOGIN_FAILURE_LIMIT": 1000000}
SHIM = os.path.join(h.BUILD, "tests", "failmalloc.so")


def wait_for(what, fn, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    t.check(what, False, "not within %ds" % timeout)
    return None


def answers(s, token, n=20):
    """n user GETs in a row, all 200 (after the first success)."""
    first = wait_for("service answers again",
                     lambda: s.get("/auth/user/", token=token).status == 200)
    if not first:
        return False
    bad = [r for r in (s.get("/auth/user/", token=token) for _ in range(n))
           if r.status != 200]
    return t.check("%d answers in a row are 200" % n, not bad, repr(bad[:3]))


# --- (a) a worker killed mid-run -------------------------------------------

def killed_worker(s, token):
    pids = s.fcgi_pids("user.fcgi")
    t.eq("two user workers", len(pids), 2)
    results = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                r = s.get("/auth/user/", token=token, timeout=10)
                results.append((time.time(), r.status))
            except Exception as e:  # a dropped connection counts too
                results.append((time.time(), repr(e)))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for th in threads:
        th.start()
    time.sleep(0.5)
    killed_at = time.time()
    os.kill(pids[0], signal.SIGKILL)
    time.sleep(2.5)
    stop.set()
    for th in threads:
        th.join()
    before = [st for ts, st in results if ts < killed_at]
    after = [st for ts, st in results if ts >= killed_at]
    t.check("requests before the kill", before and
            all(st == 200 for st in before), repr(before[:5]))
    failed = [st for st in after if st != 200]
    # Each load thread may have had one request in flight on the victim.
    t.check("at most the in-flight requests fail", len(failed) <= 2,
            "%d of %d failed: %r" % (len(failed), len(after), failed[:5]))
    t.check("requests keep succeeding after the kill",
            [st for st in after[-20:] if st != 200] == [] and
            len(after) >= 20, "%d after, last %r" % (len(after), after[-5:]))
    new = wait_for("the killed worker is replaced",
                   lambda: (lambda p: p if len(p) == 2 and pids[0] not in p
                            else None)(s.fcgi_pids("user.fcgi")))
    t.check("the other worker lives on", new is not None and pids[1] in new,
            repr(new))
    answers(s, token)


# --- (b) malformed FastCGI records ----------------------------------------

def rec(rtype, content, req_id=1, clen=None, pad=0):
    clen = len(content) if clen is None else clen
    return struct.pack(">BBHHBB", 1, rtype, req_id, clen, pad, 0) + \
        content + b"\0" * pad


BEGIN = rec(1, struct.pack(">HB5x", 1, 0))  # FCGI_RESPONDER, no keep-alive


def nv4(n):
    return struct.pack(">I", n | 0x80000000)


MALFORMED = {
    "garbage": b"GET / HTTP/1.0\r\n\r\n",
    "truncated header": b"\x01\x01\x00",
    "huge contentLength": struct.pack(">BBHHBB", 1, 1, 1, 0xFFFF, 0xFF, 0) +
    b"\0" * 8,
    "bad version": struct.pack(">BBHHBB", 9, 1, 1, 8, 0, 0) + b"\0" * 8,
    "unknown role": rec(1, struct.pack(">HB5x", 77, 0)) + rec(4, b""),
    # CVE-2025-23016: name and value lengths far past the record.
    "params lengths past the record": BEGIN +
    rec(4, nv4(0x7FFFFFFF) + nv4(0x7FFFFFFF) + b"AAAA"),
    "params lengths that wrap": BEGIN +
    rec(4, nv4(0xFFFFFFFF) + nv4(0x00000010) + b"AB") + rec(4, b""),
    "params one-byte lengths past the record": BEGIN +
    rec(4, b"\x7f\x7f" + b"X" * 10) + rec(4, b"") + rec(5, b""),
    "params record cut short": BEGIN + rec(4, b"\x04\x03PATH", clen=200),
    "stdin before params": BEGIN + rec(5, b"x" * 100) + rec(5, b""),
    "request id 0 and management records": rec(9, b"\x00", req_id=0) +
    rec(1, struct.pack(">HB5x", 1, 1), req_id=0) + rec(11, b"", req_id=0),
}


def sockets(s, prog):
    return sorted(glob.glob(os.path.join(h.BUILD, "run-%d" % s.port,
                                         prog + ".sock*")))


def send_raw(path, data):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(3)
    try:
        c.connect(path)
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        try:
            while c.recv(4096):
                pass
        except OSError:
            pass
    except OSError:
        pass  # a worker that died under an earlier record
    finally:
        c.close()


def malformed(s, token):
    socks = sockets(s, "user")
    if not t.check("user worker sockets found", socks,
                   os.listdir(os.path.join(h.BUILD, "run-%d" % s.port))):
        return
    for name, data in MALFORMED.items():
        for path in socks:
            send_raw(path, data)
        r = wait_for("answers after %s" % name, lambda: (
            lambda r: r if r.status == 200 else None)(
                s.get("/auth/user/", token=token)))
        t.check("user GET after %s" % name, r is not None)
    answers(s, token)
    r = s.post("/auth/login/", json={"username": "alice",
                                     "password": "correct horse"})
    t.eq("login still works", r.status, 200)


# --- (c) allocation failures ----------------------------------------------

def cgi_env(s, method, script, body, token=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "test_faults",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script,
        "REMOTE_ADDR": "127.0.0.1",
        "RESTAUTH_CONFIG": s.config_path,
        "SECRET_KEY": s.secret,
        "DATABASE_URL": s.dburl,
        "LD_PRELOAD": SHIM,
    }
    if body:
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = "application/json"
    if token:
        env["HTTP_AUTHORIZATION"] = "Token " + token
    return env


def run_cgi(prog, env, body, nth, count=None):
    env = dict(env, FAILMALLOC_NTH=str(nth))
    if count:
        env["FAILMALLOC_COUNT"] = count
    return subprocess.run([os.path.join(h.BUILD, "cgi-bin", prog)],
                          input=body, env=env, capture_output=True,
                          timeout=60)


# Crashes inside these libraries on their own failed allocations are
# theirs, not ours (reported upstream-wise in the issue): OpenSSL 3.0's
# lazy DRBG set-up keeps a NULL lock and RAND_bytes later takes it;
# json-c 0.16's tokener adds a key whose strdup failed; glibc's NSS
# asserts ("ret > 0") when an allocation fails inside getpwuid_r, which
# libpq's PQconnectdbParams calls to find ~/.pgpass (the first frame
# outside libc is then libpq's). Counted and printed, not failed; a
# crash whose first frame outside libc is ours fails.
KNOWN_LIBS = ("libcrypto.so", "libjson-c.so")
KNOWN_LIBC_CALLS = ("getpwuid_r",)


def crash_site(stderr):
    """The first stack frame outside libc and the shim, from the shim's
    report."""
    text = stderr.decode("latin-1")
    if "failmalloc: signal" not in text:
        return "?"
    for line in text.split("failmalloc: signal", 1)[1].splitlines()[1:]:
        lib = line.split("(")[0]
        if "failmalloc.so" in lib or "/libc.so" in lib:
            continue
        return line.strip()
    return "?"


def verdict(p):
    """None when p ended acceptably, else what went wrong; ("known",
    site) for a crash inside KNOWN_LIBS."""
    if p.returncode < 0:
        site = crash_site(p.stderr)
        stack = p.stderr.decode("latin-1")
        if any(lib in site.split("(")[0] for lib in KNOWN_LIBS) or \
                any("(%s+" % f in stack for f in KNOWN_LIBC_CALLS):
            return ("known", site)
        return "killed by signal %d at %s" % (-p.returncode, site)
    if b"Sanitizer" in p.stderr or b"runtime error:" in p.stderr:
        return "sanitizer report"
    if p.stdout == b"":
        return None if p.returncode != 0 else "exit 0 without an answer"
    sep = b"\r\n\r\n" if b"\r\n\r\n" in p.stdout else b"\n\n"
    head, found, body = p.stdout.partition(sep)
    if not found:
        return "incomplete headers %r" % p.stdout[:80]
    first = head.split(b"\n")[0].strip()
    try:
        status = int(first.split()[1]) if first.startswith(b"Status:") \
            else 200
    except (IndexError, ValueError):
        return "bad status line %r" % first
    if status not in (200, 400, 401, 500, 503):
        return "status %d" % status
    try:
        json.loads(body)
    except ValueError:
        return "status %d, body not JSON %r" % (status, body[:80])
    return None


def sweep(s, prog, method, script, body, token=None):
    env = cgi_env(s, method, script, body, token)
    count_file = os.path.join(s.tmp, "count-" + prog)
    p = run_cgi(prog, env, body, 0, count_file)
    t.eq("%s without failures" % prog, verdict(p), None)
    t.check("%s answers 200" % prog, p.stdout.startswith(b"Status: 200"),
            p.stdout[:100])
    with open(count_file) as f:
        total = int(f.read())
    # Start-up (config, libpq and OpenSSL set-up) is most of the count:
    # every 32nd of it, and each of the last DENSE, which the request
    # itself makes (queries, hashing, the answer).
    DENSE = 500
    ns = sorted(set(range(1, total + 1, 32)) |
                set(range(max(1, total - DENSE), total + 1)))

    def one(n):
        return n, verdict(run_cgi(prog, env, body, n))

    with ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as ex:
        got = list(ex.map(one, ns))
    bad = [(n, v) for n, v in got if v is not None and
           not isinstance(v, tuple)]
    known = [(n, v[1]) for n, v in got if isinstance(v, tuple)]
    for n, site in known:
        print("note: %s, allocation %d: crash in a library: %s" % (
            prog, n, site))
    t.check("%s: %d allocations, %d runs, each failing one: no crash, a "
            "JSON answer or a silent non-zero exit" % (prog, total, len(ns)),
            not bad, "%d bad, first %r" % (len(bad), bad[:5]))
    print("%s: %d allocations per request, %d runs, %d library crashes" % (
        prog, total, len(ns), len(known)))


def allocation_failures(s, token):
    ldd = subprocess.run(["ldd", os.path.join(h.BUILD, "cgi-bin",
                                              "login.fcgi")],
                         capture_output=True, text=True).stdout
    if "libasan" in ldd or "libtsan" in ldd:
        print("allocation failures: skipped (a sanitizer's allocator)")
        return
    body = json.dumps({"username": "alice",
                       "password": "correct horse"}).encode()
    sweep(s, "login.fcgi", "POST", "/auth/login/", body)
    sweep(s, "user.fcgi", "GET", "/auth/user/", b"", token)


def terminated_idle(s, token):
    """SIGTERM to an idle worker ends it at once (libfcgi's own handler
    could lose the signal and leave it in accept() for ever)."""
    s.get("/auth/user/", token=token)
    pids = s.fcgi_pids("logout.fcgi")
    t.check("logout workers found", pids, pids)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    def alive(p):
        try:
            with open("/proc/%d/stat" % p) as f:
                return f.read().split(") ")[1][0] != "Z"
        except OSError:
            return False

    deadline = time.time() + 5
    while time.time() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    gone = [p for p in pids if not alive(p)]
    t.eq("idle workers ended by SIGTERM within 5 s", sorted(gone),
         sorted(pids))


with h.Stack(CONFIG) as s:
    s.createuser("alice", "correct horse", email="alice@example.com")
    token = s.login("alice", "correct horse")
    t.run(killed_worker, s, token)
    t.run(malformed, s, token)
    t.run(allocation_failures, s, token)
    t.run(terminated_idle, s, token)
t.done()
