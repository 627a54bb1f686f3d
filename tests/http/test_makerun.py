"""make run's own path, without DATABASE_URL: a private PostgreSQL cluster
made on first use, one database per port, two instances at once, and the
last one out stops the cluster it started."""
import os
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


build = tempfile.mkdtemp(prefix="restauth-makerun-")
try:
    os.symlink(os.path.join(h.BUILD, "cgi-bin"),
               os.path.join(build, "cgi-bin"))
    os.symlink(os.path.join(h.BUILD, "restauth"),
               os.path.join(build, "restauth"))
    t.run(scenario, build)
finally:
    shutil.rmtree(build, ignore_errors=True)
t.done()
