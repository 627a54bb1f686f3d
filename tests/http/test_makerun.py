"""make run's own path, without DATABASE_URL: a private PostgreSQL cluster
made on first use, one database per port, two instances at once, and the
last one out stops the cluster it started.

Then make run with a production-style config: the file holds its own
SECRET_KEY and DATABASE_URL (a database of the test cluster) and the
environment holds neither (tools/run.sh used to exit 1 without a word
right after migrate there); and each way it refuses to start says why."""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import harness as h

t = h.Tests(__file__)
RUN = os.path.join(h.SRC, "tools/run.sh")
PGSH = os.path.join(h.SRC, "tools/pg.sh")
CONFIG = os.path.join(h.SRC, "config/restauth.json")


def clean_env():
    e = dict(os.environ)
    for k in ("DATABASE_URL", "SECRET_KEY", "RESTAUTH_CONFIG"):
        e.pop(k, None)
    return e


def start(build, port):
    p = subprocess.Popen([RUN, build, str(port), CONFIG], env=clean_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if p.poll() is not None:
            raise RuntimeError("run.sh exited: %s" % p.stdout.read())
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return p
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("run.sh did not serve")


def stop(p):
    os.kill(p.pid, signal.SIGTERM)
    p.wait(30)
    if h.UNDER_VALGRIND:  # the programs outlive lighttpd: see wait_group
        h.wait_group(p.pid)


def env_of(build, port):
    """The environment build/run-PORT/env exports, for the admin tool."""
    out = subprocess.run(["sh", "-c", ". '%s/run-%d/env'; env" %
                          (build, port)], capture_output=True, text=True,
                         env=clean_env(), check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines()
                if "=" in line)


def stack_at(port):
    s = h.Stack.__new__(h.Stack)
    s.port = port
    return s


def scenario(build):
    pgdir = subprocess.run([PGSH, "dir", build], capture_output=True,
                           text=True, check=True).stdout.strip()
    try:
        ports = [h.free_port(), h.free_port()]
        a = start(build, ports[0])
        b = start(build, ports[1])
        t.check("cluster made", os.path.exists(
            os.path.join(pgdir, "data", "PG_VERSION")), pgdir)
        secret = os.path.join(build, "secret_key")
        t.check("secret made once, private",
                os.path.getsize(secret) > 30 and
                os.stat(secret).st_mode & 0o077 == 0, secret)
        for port in ports:
            envf = os.path.join(build, "run-%d" % port, "env")
            t.eq("env file private %d" % port,
                 os.stat(envf).st_mode & 0o077, 0)
        ea, eb = env_of(build, ports[0]), env_of(build, ports[1])
        t.check("one database per port",
                ea["DATABASE_URL"] != eb["DATABASE_URL"] and
                ("restauth_%d" % ports[0]) in ea["DATABASE_URL"],
                (ea["DATABASE_URL"], eb["DATABASE_URL"]))
        r = subprocess.run([os.path.join(build, "restauth"), "createuser",
                            "carol", "--email", "c@example.com"],
                           input="carol password\n", env=ea,
                           capture_output=True, text=True)
        t.eq("createuser through the env file", r.returncode, 0)
        sa, sb = stack_at(ports[0]), stack_at(ports[1])
        body = {"username": "carol", "password": "carol password"}
        t.eq("login on the first", sa.post("/auth/login/",
                                           json=body).status, 200)
        t.eq("second has its own database",
             sb.post("/auth/login/", json=body).status, 400)
        stop(a)
        t.check("cluster still up while the second runs",
                os.path.exists(os.path.join(pgdir, "data",
                                            "postmaster.pid")))
        t.eq("second still serves",
             sb.get("/auth/user/").status, 401)
        stop(b)
        time.sleep(0.5)
        t.check("last one out stopped the cluster",
                not os.path.exists(os.path.join(pgdir, "data",
                                                "postmaster.pid")))
        # A second start finds the cluster and the data.
        a = start(build, ports[0])
        t.eq("data kept across runs",
             stack_at(ports[0]).post("/auth/login/", json=body).status,
             200)
        stop(a)
    finally:
        subprocess.run([PGSH, "stop", pgdir], capture_output=True)
        shutil.rmtree(pgdir, ignore_errors=True)


def start_cfg(cfgpath, port):
    """run.sh as make run starts it; (process, None) once it serves, or
    (None, output) when it exits first."""
    p = subprocess.Popen([RUN, h.BUILD, str(port), cfgpath], env=clean_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    deadline = time.time() + h.scaled(60)
    while time.time() < deadline:
        if p.poll() is not None:
            return None, p.stdout.read().decode(), p.returncode
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return p, None, None
        except OSError:
            time.sleep(0.1)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    raise RuntimeError("run.sh neither served nor exited")


def stop_cfg(p):
    os.killpg(p.pid, signal.SIGTERM)
    p.wait(h.scaled(30))
    out = p.stdout.read().decode()
    if h.UNDER_VALGRIND:
        h.wait_group(p.pid)
    return out


def serves(tmp, dbname):
    cfg = {"SECRET_KEY": secrets.token_urlsafe(48),
           "DATABASE_URL": h.pg_url(dbname),
           "_comment": "a production config keeps its secrets here"}
    cfgpath = os.path.join(tmp, "prod.json")
    with open(cfgpath, "w") as f:
        json.dump(cfg, f)
    port = h.free_port()
    p, out, rc = start_cfg(cfgpath, port)
    if not t.check("serves with SECRET_KEY and DATABASE_URL in the file",
                   p is not None, (rc, out)):
        return
    try:
        r = subprocess.run([os.path.join(h.BUILD, "restauth"), "-c", cfgpath,
                            "createuser", "dora", "--email",
                            "d@example.com"], input="dora password\n",
                           env=clean_env(), capture_output=True, text=True)
        t.eq("createuser with the same config", r.returncode, 0)
        s = h.Stack.__new__(h.Stack)
        s.port = port
        r = s.post("/auth/login/", json={"username": "dora",
                                         "password": "dora password"})
        t.eq("login through make run", r.status, 200)
        t.check("a token", "key" in (r.json or {}), r)
        envf = os.path.join(h.BUILD, "run-%d" % port, "env")
        with open(envf) as f:
            env = f.read()
        t.check("env file: no SECRET_KEY line (the config has it)",
                "SECRET_KEY" not in env, env)
    finally:
        out = stop_cfg(p)
    t.check("a stop by signal says so", "run: stopped by SIGTERM" in out,
            out[-500:])


def refuses(tmp, dbname):
    for name, cfg, want in (
            ("bad value", {"REST_AUTH": {"USE_JWT": "yes"}},
             "config: REST_AUTH.USE_JWT: expected true or false"),
            ("typo", {"REST_AUTH": {"USE_JTW": True}},
             "config: unknown key REST_AUTH.USE_JTW (did you mean "
             "REST_AUTH.USE_JWT?)"),
            ("weak key", {"SECRET_KEY": "x"},
             "config: SECRET_KEY: too weak")):
        full = {"SECRET_KEY": secrets.token_urlsafe(48),
                "DATABASE_URL": h.pg_url(dbname)}
        full.update(cfg)
        cfgpath = os.path.join(tmp, "bad.json")
        with open(cfgpath, "w") as f:
            json.dump(full, f)
        p, out, rc = start_cfg(cfgpath, h.free_port())
        if p is not None:
            stop_cfg(p)
        t.check("%s: make run exits" % name, p is None)
        t.check("%s: non-zero" % name, rc not in (None, 0), rc)
        t.check("%s: a line naming the key" % name, want in (out or ""), out)
        t.check("%s: and why run stopped" % name,
                "run: restauth migrate failed" in (out or ""), out)
    # Every other exit says why as well.
    r = subprocess.run([RUN, h.BUILD, "80x", os.path.join(tmp, "bad.json")],
                       env=clean_env(), capture_output=True, text=True)
    t.check("bad port: says so", r.returncode != 0 and
            "run: PORT=80x: not a port number" in r.stderr, r.stderr)
    r = subprocess.run([RUN, h.BUILD, "8000", os.path.join(tmp, "no.json")],
                       env=clean_env(), capture_output=True, text=True)
    t.check("missing config: says so", r.returncode != 0 and
            "no such config file" in r.stderr, r.stderr)
    r = subprocess.run([RUN, h.BUILD], env=clean_env(),
                       capture_output=True, text=True)
    t.check("usage: says so", r.returncode != 0 and
            "run: usage:" in r.stderr, r.stderr)


build = tempfile.mkdtemp(prefix="restauth-makerun-")
try:
    os.symlink(os.path.join(h.BUILD, "cgi-bin"),
               os.path.join(build, "cgi-bin"))
    os.symlink(os.path.join(h.BUILD, "restauth"),
               os.path.join(build, "restauth"))
    t.run(scenario, build)
finally:
    shutil.rmtree(build, ignore_errors=True)

tmp = tempfile.mkdtemp(prefix="restauth-makerun-cfg-")
os.chmod(tmp, 0o755)
dbname = "t_" + secrets.token_hex(6)
try:
    subprocess.run([PGSH, "createdb", h.PGDIR, dbname], check=True,
                   stdout=subprocess.DEVNULL)
    t.run(serves, tmp, dbname)
    t.run(refuses, tmp, dbname)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
t.done()
