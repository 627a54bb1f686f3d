"""make install DESTDIR=... PREFIX=/usr/local: every file in its place,
the installed paths compiled into a build of its own (none of the source
tree's), and the installed admin tool and programs working: check and
migrate against a fresh database, one request through the installed
program as plain CGI, the installed pool script with nginx's layout."""
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile

import harness as h

t = h.Tests(__file__)
PREFIX = "/usr/local"
FAST = h.FAST_HASHER


def run_programs():
    """The programs tools/run.sh routes (its PROGRAMS) that are built."""
    with open(os.path.join(h.SRC, "tools/run.sh")) as f:
        m = re.search(r'^PROGRAMS="([^"]*)"', f.read(), re.M)
    return [e.split(":", 1)[0] for e in m.group(1).split()
            if os.path.exists(os.path.join(h.BUILD, "cgi-bin",
                                           e.split(":", 1)[0] + ".fcgi"))]


def cgi(program, env, method, body=b"", token=None, path=None):
    e = {
        "PATH": "/usr/bin:/bin",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": path,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
    }
    e.update(env)
    if token:
        e["HTTP_AUTHORIZATION"] = "Token " + token
    p = subprocess.run([program], input=body, env=e, capture_output=True,
                       timeout=30)
    head, _, out = p.stdout.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode("latin-1")
    try:
        data = json.loads(out)
    except ValueError:
        data = None
    return p.returncode, status, data, p.stderr


def installed(dest):
    root = dest + PREFIX
    t.check("make install ran", os.path.isdir(root), root)
    tool = os.path.join(root, "bin/restauth")
    t.check("admin tool installed, executable", os.access(tool, os.X_OK))
    cgidir = os.path.join(root, "lib/restauth/cgi-bin")
    for p in run_programs():
        t.check("program %s installed" % p,
                os.access(os.path.join(cgidir, p + ".fcgi"), os.X_OK))
    t.eq("SQL files", sorted(os.listdir(os.path.join(
        root, "share/restauth/sql"))), sorted(
        n for n in os.listdir(os.path.join(h.SRC, "sql"))
        if n.endswith(".sql")))
    t.check("password list", os.path.getsize(os.path.join(
        root, "share/restauth/common-passwords.txt")) > 100000)
    t.check("error pages", os.path.isfile(os.path.join(
        root, "share/restauth/www/errors/status-404.html")))
    conf = os.path.join(root, "share/restauth/conf")
    cgidir_installed = PREFIX + "/lib/restauth/cgi-bin/"
    for f in ("lighttpd.conf", "lighttpd-cgi.conf", "apache-fcgid.conf",
              "apache-cgi.conf", "nginx-restauth.conf",
              "restauth-pools.service"):
        path = os.path.join(conf, f)
        t.check("conf/%s installed" % f, os.path.isfile(path))
        if not os.path.isfile(path):
            continue
        with open(path) as fh:
            text = fh.read()
        # Only placeholders in the comments' own words are left.
        left = set(re.findall(r"@[A-Z_]+@", text)) - {"@NAMES@"}
        t.eq("conf/%s: filled in" % f, left, set())
        t.check("conf/%s: no build or source path" % f,
                h.SRC not in text and "build-install" not in text, f)
        if f == "restauth-pools.service":
            t.check("unit: installed paths", PREFIX +
                    "/lib/restauth/spawn-pools.sh start" in text and
                    "RESTAUTH_CONFIG=%s/etc/restauth.json" % PREFIX in text,
                    text)
        elif f == "nginx-restauth.conf":
            for p in run_programs():
                t.check("%s: a pool socket for %s" % (f, p),
                        "unix:/run/restauth/%s.sock;" % p in text)
        else:
            for p in run_programs():
                t.check("%s: routes %s" % (f, p),
                        cgidir_installed + p + ".fcgi" in text)
        if f not in ("nginx-restauth.conf", "restauth-pools.service"):
            t.check("%s: the installed config" % f,
                    PREFIX + "/etc/restauth.json" in text)
    servers_accept(dest, conf)
    t.check("pool script installed", os.access(os.path.join(
        root, "lib/restauth/spawn-pools.sh"), os.X_OK))
    example = os.path.join(root, "etc/restauth.json.example")
    with open(example) as f:
        cfg = json.load(f)
    t.eq("example config: a real sendmail", cfg.get("EMAIL_SENDMAIL"),
         "/usr/sbin/sendmail -t -i")
    # The installed paths are compiled in, the source tree's are not.
    for binary in (tool, os.path.join(cgidir, "login.fcgi")):
        with open(binary, "rb") as f:
            data = f.read()
        t.check("%s: no source tree path" % os.path.basename(binary),
                h.SRC.encode() + b"/sql" not in data and
                h.SRC.encode() + b"/config" not in data and
                os.path.abspath(h.BUILD).encode() + b"/share" not in data)
        t.check("%s: installed default config" % os.path.basename(binary),
                b"/usr/local/etc/restauth.json\0" in data)
        t.check("%s: installed password list" % os.path.basename(binary),
                b"/usr/local/share/restauth/common-passwords.txt" in data)
    with open(tool, "rb") as f:
        t.check("restauth: installed SQL folder",
                b"/usr/local/share/restauth/sql\0" in f.read())
    return root, cfg


def servers_accept(dest, conf):
    """Each server's own syntax check takes the installed configs."""
    tmp = os.path.join(dest, "check")
    os.mkdir(tmp)
    mods = "/usr/lib/apache2/modules"
    for f, mod in (("apache-fcgid.conf", "fcgid"), ("apache-cgi.conf", "cgi")):
        path = os.path.join(tmp, "apache-" + mod + ".conf")
        with open(path, "w") as fh:
            fh.write("ServerRoot %s\nServerName localhost\nListen 127.0.0.1:1\n"
                     "PidFile %s/apache.pid\nErrorLog %s/error.log\n"
                     "DefaultRuntimeDir %s\n" % (tmp, tmp, tmp, tmp))
            for m in ("mpm_prefork", "authz_core", "alias", "mime", "env",
                      mod):
                fh.write("LoadModule %s_module %s/mod_%s.so\n" % (m, mods, m))
            fh.write("Include %s\n" % os.path.join(conf, f))
        r = subprocess.run(["apache2", "-t", "-f", path], capture_output=True,
                           text=True)
        t.eq("apache2 -t takes conf/%s" % f, r.returncode, 0) or \
            print(r.stderr)
    path = os.path.join(tmp, "nginx.conf")
    with open(path, "w") as fh:
        fh.write("pid %s/nginx.pid;\nevents {}\nhttp {\n server {\n"
                 "  listen 127.0.0.1:1;\n  include %s;\n }\n}\n" %
                 (tmp, os.path.join(conf, "nginx-restauth.conf")))
    r = subprocess.run(["nginx", "-t", "-q", "-p", tmp, "-e",
                        os.path.join(tmp, "error.log"), "-c", path],
                       capture_output=True, text=True)
    t.eq("nginx -t takes conf/nginx-restauth.conf", r.returncode, 0) or \
        print(r.stderr)
    # lighttpd.conf is whole; lighttpd-cgi.conf goes in a whole one.
    with open(os.path.join(conf, "lighttpd.conf")) as fh:
        text = fh.read().replace("/run/restauth", tmp)
    for name, extra in (("lighttpd.conf", ""), (
            "lighttpd-cgi.conf", 'include "%s"\n' %
            os.path.join(conf, "lighttpd-cgi.conf"))):
        path = os.path.join(tmp, "l-" + name)
        with open(path, "w") as fh:
            fh.write(text + extra)
        r = subprocess.run(["lighttpd", "-tt", "-f", path],
                           capture_output=True, text=True)
        t.eq("lighttpd -tt takes conf/%s" % name, r.returncode, 0) or \
            print(r.stderr)


def works(dest, root, example):
    # The example config, pointed at a test database; the password list
    # is where DESTDIR put it, not yet at PREFIX.
    dbname = "t_" + os.urandom(6).hex()
    subprocess.run([os.path.join(h.SRC, "tools/pg.sh"), "createdb",
                    h.PGDIR, dbname], check=True, stdout=subprocess.DEVNULL)
    cfg = dict(example)
    cfg["DATABASE_URL"] = h.pg_url(dbname)
    cfg["SECRET_KEY"] = "install test secret " + os.urandom(24).hex()
    cfg["PASSWORD_HASHER"] = FAST
    for v in cfg.get("AUTH_PASSWORD_VALIDATORS", []):
        if v["NAME"].endswith("CommonPasswordValidator"):
            v["OPTIONS"] = {"password_list_path": os.path.join(
                root, "share/restauth/common-passwords.txt")}
    path = os.path.join(dest, "restauth.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    env = {"RESTAUTH_CONFIG": path, "PATH": "/usr/bin:/bin"}
    tool = os.path.join(root, "bin/restauth")

    def run(*args, input=None):
        return subprocess.run([tool] + list(args), env=env, input=input,
                              capture_output=True, text=True, timeout=60)

    sql = os.path.join(root, "share/restauth/sql")
    r = run("migrate", "--sql", sql)
    t.eq("installed migrate", (r.returncode, r.stderr), (0, ""))
    r = run("migrate", "--sql", sql)
    t.eq("migrate again", r.returncode, 0)
    r = run("check")
    t.eq("installed check", (r.returncode, r.stderr), (0, ""))
    r = run("createuser", "alice", "--email", "alice@example.com",
            input="a long enough passphrase\n")
    t.eq("installed createuser", (r.returncode, r.stderr), (0, ""))
    r = run("createuser", "bob", input="password\n")
    t.check("installed list in use: too common", r.returncode == 1 and
            "too common" in r.stderr, r.stderr)

    # One request through the installed program, as plain CGI.
    cgidir = os.path.join(root, "lib/restauth/cgi-bin")
    body = json.dumps({"username": "alice",
                       "password": "a long enough passphrase"}).encode()
    rc, status, data, err = cgi(os.path.join(cgidir, "login.fcgi"), env,
                                "POST", body, path="/auth/login/")
    t.eq("installed login.fcgi", (rc, status), (0, "Status: 200 OK"))
    key = (data or {}).get("key")
    t.check("a key", key and len(key) == 40, data)
    rc, status, data, err = cgi(os.path.join(cgidir, "user.fcgi"), env,
                                "GET", token=key, path="/auth/user/")
    t.eq("installed user.fcgi", (status, (data or {}).get("username")),
         ("Status: 200 OK", "alice"))

    # The installed pool script, as the systemd unit runs it (here
    # without a user switch), then one FastCGI request through a socket.
    pools = os.path.join(dest, "pools")
    script = os.path.join(root, "lib/restauth/spawn-pools.sh")
    try:
        # The pools keep the script's stdout and stderr: a file, not a pipe.
        with open(os.path.join(dest, "pools.log"), "w+") as out:
            r = subprocess.run([script, "start", "-n", "1", cgidir, pools,
                                "user"], env=dict(os.environ, **env),
                               stdout=out, stderr=out, timeout=30)
        t.eq("pool started", r.returncode, 0)
        t.check("pool socket", os.path.exists(os.path.join(
            pools, "user.sock")))
        if shutil.which("cgi-fcgi"):
            p = subprocess.run(
                ["cgi-fcgi", "-bind", "-connect",
                 os.path.join(pools, "user.sock")],
                env={"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/auth/user/",
                     "HTTP_AUTHORIZATION": "Token " + (key or ""),
                     "REMOTE_ADDR": "127.0.0.1",
                     "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                     "GATEWAY_INTERFACE": "CGI/1.1"},
                input=b"", capture_output=True, timeout=30)
            t.check("user/ through the pool", b"Status: 200" in p.stdout and
                    b'"username":"alice"' in p.stdout, p.stdout[:300])
    finally:
        r = subprocess.run([script, "stop", pools], capture_output=True,
                           text=True, timeout=30)
    t.eq("pool stopped", (r.returncode, os.listdir(pools)), (0, []))


def make_install(dest, log):
    """make install, one at a time: test runs at once share build-install/."""
    lockdir = os.path.join(h.SRC, "build-install")
    os.makedirs(lockdir, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    with open(os.path.join(lockdir, ".lock"), "w") as lock, \
            open(log, "w") as f:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return subprocess.run(["make", "-j2", "-C", h.SRC, "install",
                               "DESTDIR=" + dest, "PREFIX=" + PREFIX],
                              stdout=f, stderr=subprocess.STDOUT, env=env,
                              timeout=600)


dest = tempfile.mkdtemp(prefix="restauth-install-")
try:
    log = os.path.join(dest, "make.log")
    r = make_install(dest, log)
    if not t.eq("make install", r.returncode, 0):
        with open(log) as f:
            print(f.read()[-3000:])
    else:
        with open(log) as f:
            out = f.read()
        t.eq("make install prints check --deploy once",
             out.count("check --deploy: "), 1)
        t.check("... for the example config, with its findings",
                "restauth.json.example: ok" in out and
                "restauth.W102 " in out, out[-3000:])
        root, example = installed(dest)
        t.run(works, dest, root, example)
finally:
    shutil.rmtree(dest, ignore_errors=True)
t.done()
