"""The FastCGI socket itself, spoken to without a web server: one
verify_email.fcgi started by spawn-fcgi -n on a unix socket (a single
process), and a small FastCGI client here. A valid request answers;
PARAMS records with lengths that do not fit (the 28-byte record that
aborted libfcgi 2.4.2's ReadParams, 0x7fffffff, a huge value length,
lengths past the record, a cut 4-byte length) cost the process nothing
(same pid, and it still answers); a connection that stalls in its
records, before or after the params, is dropped after the socket's time
limit, and stalled connections, even more than the process holds at
once, do not hold up a valid one beyond that limit."""
import json
import os
import socket
import struct
import subprocess
import time

import harness as h

t = h.Tests(__file__)

PROGRAM = os.path.join(h.BUILD, "cgi-bin", "verify_email.fcgi")
# lib/core/bounds.h LIMIT_FCGI_READ_SECONDS: what a stalled connection may hold.
LIMIT = 5.0
# How far past the limit a check waits (a loaded machine is slow).
SLACK = h.scaled(3.0)

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7


def record(rtype, content=b"", rid=1, padding=0):
    return struct.pack(">BBHHBB", 1, rtype, rid, len(content), padding,
                       0) + content + b"\0" * padding


def length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def pairs(env):
    out = b""
    for k, v in env.items():
        k, v = k.encode(), v.encode()
        out += length(len(k)) + length(len(v)) + k + v
    return out


def begin(keep=False):
    return record(BEGIN, struct.pack(">HB5x", 1, 1 if keep else 0))


def env_for(method, body=b""):
    env = {"REQUEST_METHOD": method, "SCRIPT_NAME":
           "/auth/registration/verify-email/", "REQUEST_URI":
           "/auth/registration/verify-email/", "SERVER_NAME": "127.0.0.1",
           "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
           "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"}
    if method == "POST":
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


def request_bytes(method="OPTIONS", body=b"", keep=False):
    out = begin(keep) + record(PARAMS, pairs(env_for(method, body)))
    out += record(PARAMS)
    if body:
        out += record(STDIN, body)
    return out + record(STDIN)


def connect(path, timeout=h.TIMEOUT):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(timeout)
    c.connect(path)
    return c


def read_answer(c):
    """(status line, body) of the answer to request 1 on c, or None if
    the connection ends first."""
    buf, out = b"", b""
    while True:
        while len(buf) >= 8:
            _, rtype, _, clen, pad, _ = struct.unpack(">BBHHBB", buf[:8])
            if len(buf) < 8 + clen + pad:
                break
            content, buf = buf[8:8 + clen], buf[8 + clen + pad:]
            if rtype == STDOUT:
                out += content
            elif rtype == END:
                head, _, body = out.partition(b"\r\n\r\n")
                return head.split(b"\r\n")[0].decode("latin-1"), body
        try:
            got = c.recv(65536)
        except OSError:
            return None
        if not got:
            return None
        buf += got


def ask(path, method="OPTIONS", body=b"", timeout=h.TIMEOUT):
    c = connect(path, timeout)
    try:
        c.sendall(request_bytes(method, body))
        return read_answer(c)
    finally:
        c.close()


def timed_ask(p):
    """A valid request, waited for LIMIT + SLACK at most: (its answer or
    the error, seconds it took)."""
    start = time.monotonic()
    try:
        a = ask(p.path, timeout=LIMIT + SLACK)
    except OSError as e:
        a = e
    return a, time.monotonic() - start


def closed_within(c, seconds):
    """Whether the program closes c (EOF or reset, nothing answered)
    within seconds; (closed, seconds it took)."""
    start = time.monotonic()
    c.settimeout(seconds)
    try:
        while True:
            got = c.recv(65536)
            if not got:
                break
    except socket.timeout:
        return False, time.monotonic() - start
    except OSError:
        pass
    return True, time.monotonic() - start


class Program:
    """verify_email.fcgi alone on a unix socket (spawn-fcgi -n execs it:
    one process, whose pid is spawn-fcgi's)."""

    def __init__(self, s):
        self.path = os.path.join(s.tmp, "fcgi.sock")
        self.log = open(os.path.join(s.tmp, "fcgi.log"), "w+")
        self.proc = subprocess.Popen(
            ["spawn-fcgi", "-n", "-s", self.path, "--", PROGRAM],
            env=s.env(), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + h.scaled(10)
        while time.monotonic() < deadline:
            if os.path.exists(self.path):
                try:
                    connect(self.path, 1).close()
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("spawn-fcgi did not start: " + self.text())

    def alive(self):
        return self.proc.poll() is None

    def text(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(h.scaled(10))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def valid(p, what):
    a = ask(p.path)
    t.check(what + ": a valid request answers 200", a is not None and
            a[0] == "Status: 200 OK", a)


def answers_with_post(p):
    body = json.dumps({"key": "nope"}).encode()
    a = ask(p.path, "POST", body)
    t.check("POST with a body answers 404 (unknown key)", a is not None and
            a[0].startswith("Status: 404"), a)


def bad_lengths(p):
    pid = p.proc.pid
    name = b"SCRIPT_NAME"
    cases = {
        # nameLen + valueLen + 2 past INT_MAX: libfcgi 2.4.2 asked malloc
        # for ~SIZE_MAX bytes and aborted.
        "name length 0x7ffffffe": struct.pack(">I", 0xfffffffe) + b"\0",
        "name length 0x7fffffff": struct.pack(">I", 0xffffffff) + b"\0",
        "value length 0x7fffffff": length(len(name)) +
        struct.pack(">I", 0xffffffff) + name,
        "value length 0x7ffffffe": length(len(name)) +
        struct.pack(">I", 0xfffffffe) + name,
        "both lengths huge": struct.pack(">II", 0xc0000000, 0xc0000000),
        "lengths past the record": bytes([40, 40]) + b"AB",
        "lengths past the params stream": bytes([3, 100]) + b"ABCdef",
        "cut 4-byte length": b"\x80\x00",
    }
    for what, content in cases.items():
        c = connect(p.path, h.TIMEOUT)
        try:
            c.sendall(begin() + record(PARAMS, content) + record(PARAMS) +
                      record(STDIN))
            closed, _ = closed_within(c, LIMIT + SLACK)
            t.check(what + ": connection closed", closed)
        except OSError:
            pass
        finally:
            c.close()
        valid(p, what)
        t.check(what + ": same process", p.alive() and p.proc.pid == pid,
                p.text()[-2000:])
        if not p.alive():
            return
    # The 28-byte PARAMS record alone, after BEGIN_REQUEST, and nothing
    # more: name length 0x7ffffffe, value length 0, 15 bytes of name.
    c = connect(p.path)
    bad = record(PARAMS, struct.pack(">IB", 0xfffffffe, 0) + b"A" * 15)
    t.eq("the record is 28 bytes", len(bad), 28)
    c.sendall(begin() + bad)
    c.shutdown(socket.SHUT_WR)
    closed_within(c, LIMIT + SLACK)
    c.close()
    valid(p, "after the 28 bytes")
    t.check("28 bytes: same process", p.alive(), p.text()[-2000:])


def stalled_params(p):
    """Two connections that send half a request and stall: a valid one
    behind them still answers at once, and both are dropped after the
    limit."""
    whole = request_bytes()
    stalls = [connect(p.path), connect(p.path)]
    stalls[0].sendall(whole[:5])  # half a record header
    stalls[1].sendall(whole[:40])  # BEGIN and part of PARAMS
    time.sleep(0.2)  # let the program take them first (not a sync point)
    a, took = timed_ask(p)
    t.check("behind two stalled connections a request answers",
            isinstance(a, tuple) and a[0] == "Status: 200 OK", a)
    t.check("... and without waiting for their limit (%.1f s)" % took,
            took < LIMIT, took)
    for i, c in enumerate(stalls):
        closed, took = closed_within(c, LIMIT + SLACK)
        t.check("stalled connection %d dropped within the limit "
                "(%.1f s)" % (i, took), closed)
        c.close()
    t.check("the drop is logged", "dropped" in p.text(), p.text()[-2000:])


def stalled_body(p):
    """A request whose body stops halfway holds the process only until
    the limit: then it is dropped and the next request answers."""
    body = json.dumps({"key": "x" * 100}).encode()
    head = begin() + record(PARAMS, pairs(env_for("POST", body)))
    head += record(PARAMS)
    c = connect(p.path)
    c.sendall(head + record(STDIN, body)[:8 + 20])
    a, took = timed_ask(p)
    t.check("a request after a stalled body answers within the limit "
            "(%.1f s)" % took, isinstance(a, tuple) and
            a[0] == "Status: 200 OK", a)
    # The program may have taken the valid request first: the stalled
    # one's limit runs from its accept, either way.
    closed, took = closed_within(c, LIMIT + SLACK)
    t.check("the stalled body's connection is closed", closed)
    c.close()
    t.check("the body's drop is logged", "body not read" in p.text(),
            p.text()[-2000:])
    t.check("same process after the stalled body", p.alive())


def flood(p):
    """More stalled connections than a process holds at once (16): a
    valid request behind them waits at most for the first ones' limit."""
    stalls = []
    try:
        for _ in range(20):
            c = connect(p.path)
            c.sendall(request_bytes()[:12])
            stalls.append(c)
        a, took = timed_ask(p)
        t.check("behind 20 stalled connections a request answers "
                "(%.1f s)" % took, isinstance(a, tuple) and
                a[0] == "Status: 200 OK", a)
    finally:
        for c in stalls:
            c.close()


def keep_alive(p):
    """FCGI_KEEP_CONN: two requests on one connection both answer."""
    c = connect(p.path)
    try:
        c.sendall(request_bytes(keep=True))
        a = read_answer(c)
        t.check("keep-alive: first answer", a is not None and
                a[0] == "Status: 200 OK", a)
        c.sendall(request_bytes(keep=False))
        a = read_answer(c)
        t.check("keep-alive: second answer", a is not None and
                a[0] == "Status: 200 OK", a)
    finally:
        c.close()


def term_at_start(s):
    """A web server may stop right after it spawned a program (lighttpd
    started and stopped within a second): a SIGTERM at any moment of the
    program's start ends it. libfcgi's own SIGTERM handler only sets a
    flag; installed at start before ours, it swallowed a signal that came
    in between, and the process stayed behind for ever."""
    left = []
    for i in range(60):
        path = os.path.join(s.tmp, "start-%d.sock" % i)
        proc = subprocess.Popen(
            ["spawn-fcgi", "-n", "-s", path, "--", PROGRAM], env=s.env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Spread over the start: exec, config, database, libfcgi.
        time.sleep((i % 30) * 0.002)
        proc.terminate()
        try:
            proc.wait(h.scaled(5))
        except subprocess.TimeoutExpired:
            left.append(i)
            proc.kill()
            proc.wait()
    t.eq("SIGTERM during start: every program ended", left, [])


with h.Stack(h.FAST) as s:
    t.run(term_at_start, s)
    p = Program(s)
    try:
        valid(p, "first")
        answers_with_post(p)
        keep_alive(p)
        t.run(bad_lengths, p)
        if p.alive():
            t.run(stalled_params, p)
        if p.alive():
            t.run(stalled_body, p)
        if p.alive():
            t.run(flood, p)
        t.check("the process lived through it all", p.alive(),
                p.text()[-2000:])
    finally:
        p.stop()

t.done()
