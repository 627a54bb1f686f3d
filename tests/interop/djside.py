"""The Django side of the interop tier: the test-only project in
djproject/ (Debian's Django 3.2, DRF, simplejwt, allauth) migrated onto a
database of the test cluster and served by Debian's gunicorn on a free
port, with the same SECRET_KEY as the restauth stacks beside it; HTTP
helpers; the mails Django's file backend wrote; and the restauth
configs that agree with it."""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import harness as h  # noqa: E402

PY = "/usr/bin/python3"  # Debian's Django, not a pyenv on PATH
DJDIR = os.path.join(HERE, "djproject")
CAPTURE = os.path.join(HERE, "..", "http", "capture_mail.sh")
GUNICORN = "/usr/bin/gunicorn"

# Links in the mails of both sides: restauth's PASSWORD_RESET_URL and
# EMAIL_CONFIRM_URL defaults, which the Django views use too, and
# allauth's own confirmation link (accounts/confirm-email/KEY/).
RESET_RE = re.compile(r"/password-reset/confirm/([0-9A-Za-z_=-]+)/"
                      r"([0-9A-Za-z-]+)/")
CONFIRM_RE = re.compile(r"/(?:account-confirm-email|accounts/confirm-email)"
                        r"/([-:\w]+)/")

# Django 3.2's hasher parameters (PBKDF2 iterations; Argon2 t, m, p,
# and argon2-cffi's 16-byte hash, which Django's must_update compares).
PBKDF2_ITERATIONS = 260000
ARGON2 = {"TIME_COST": 2, "MEMORY_COST": 102400, "PARALLELISM": 8}
ARGON2_HASH_LEN = 16
HASHERS = {
    # Django 3.2's default PASSWORD_HASHERS.
    "default": ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
                "django.contrib.auth.hashers.Argon2PasswordHasher",
                "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"],
    # djproject's INTEROP_HASHERS=argon2.
    "argon2": ["django.contrib.auth.hashers.Argon2PasswordHasher",
               "django.contrib.auth.hashers.PBKDF2PasswordHasher",
               "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
               "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"],
}


def hasher_config(hashers):
    """The restauth keys that make it hash as Django does with
    INTEROP_HASHERS=hashers: PASSWORD_HASHERS (Django's list) and each
    hasher's Django 3.2 parameters."""
    return {"PASSWORD_HASHERS": HASHERS[hashers],
            "PASSWORD_HASHER": dict(ARGON2, HASH_LEN=ARGON2_HASH_LEN,
                                    PBKDF2_ITERATIONS=PBKDF2_ITERATIONS)}


def restauth_config(hashers, jwt=False, maildir=None, hmac=True):
    """A restauth config that agrees with the Django side: JWT mode as
    simplejwt's settings in djproject (HS256 over SECRET_KEY, the default
    claims, rotation with blacklist), sessions, allauth's reset links,
    Django's PASSWORD_HASHERS and their parameters, mail to maildir, HMAC confirmation keys
    or (hmac false) stored ones."""
    c = {"ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
         "LOGIN_FAILURE_LIMIT": 0,
         "PASSWORD_RESET_COOLDOWN": 0,
         "PASSWORD_RESET_TOKEN_GENERATOR": "allauth",
         "ACCOUNT": {"EMAIL_REQUIRED": True, "UNIQUE_EMAIL": True,
                     "EMAIL_VERIFICATION": "optional",
                     "EMAIL_CONFIRMATION_COOLDOWN": 0,
                     "EMAIL_CONFIRMATION_HMAC": hmac},
         "REST_AUTH": {"SESSION_LOGIN": True,
                       "PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS": True}}
    if jwt:
        c["REST_AUTH"]["USE_JWT"] = True
        c["REST_AUTH"]["JWT_AUTH_HTTPONLY"] = False
        c["SIMPLE_JWT"] = {"ACCESS_TOKEN_LIFETIME": 300,
                           "REFRESH_TOKEN_LIFETIME": 86400,
                           "ROTATE_REFRESH_TOKENS": True,
                           "BLACKLIST_AFTER_ROTATION": True}
    c.update(hasher_config(hashers))
    if maildir is not None:
        c["EMAIL_SENDMAIL"] = CAPTURE + " " + maildir
    return c


class Django:
    """The test-only Django project on database dbname of the test
    cluster, with SECRET_KEY secret and INTEROP_HASHERS hashers."""

    def __init__(self, dbname, secret, hashers="default"):
        self.dbname = dbname
        self.secret = secret
        self.hashers = hashers
        self.tmp = tempfile.mkdtemp(prefix="restauth-django-")
        self.maildir = os.path.join(self.tmp, "mail")
        os.mkdir(self.maildir)
        self.proc = None
        self.port = None
        self.seen_mail = set()

    def env(self):
        e = dict(os.environ)
        e.update(INTEROP_SECRET_KEY=self.secret, INTEROP_DB_NAME=self.dbname,
                 INTEROP_DB_HOST=os.path.join(h.PGDIR, "sock"),
                 INTEROP_MAIL_DIR=self.maildir,
                 INTEROP_HASHERS=self.hashers,
                 DJANGO_SETTINGS_MODULE="interop.settings",
                 PYTHONDONTWRITEBYTECODE="1")
        return e

    def manage(self, *args, timeout=120):
        """Run manage.py; (returncode, stdout + stderr)."""
        r = subprocess.run([PY, "manage.py"] + list(args), cwd=DJDIR,
                           env=self.env(), capture_output=True, text=True,
                           timeout=timeout)
        return r.returncode, r.stdout + r.stderr

    def migrate(self):
        rc, out = self.manage("migrate", "--noinput")
        if rc != 0:
            raise RuntimeError("Django migrate failed: " + out[-3000:])

    def start(self):
        """gunicorn, 2 workers, on a free port; waits (bounded) until a
        worker answers."""
        for attempt in range(3):
            self.port = h.free_port()
            self.log = open(os.path.join(self.tmp, "gunicorn-%d.log" %
                                         self.port), "w")
            self.proc = subprocess.Popen(
                [GUNICORN, "-w", "2", "-b", "127.0.0.1:%d" % self.port,
                 "--chdir", DJDIR, "--graceful-timeout", "2",
                 "interop.wsgi"], cwd=DJDIR, env=self.env(),
                stdout=self.log, stderr=subprocess.STDOUT,
                start_new_session=True)
            deadline = time.time() + h.scaled(30)
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    if self.get("/interop/ping/", timeout=2).status == 200:
                        return self
                except (OSError, http.client.HTTPException):
                    pass
                time.sleep(0.1)
            self.stop()
        raise RuntimeError("gunicorn did not start: " + self.run_log())

    def run_log(self):
        try:
            with open(self.log.name) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        """SIGTERM to gunicorn's process group, SIGKILL after a bound."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(h.scaled(10))
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc is not None:
            try:  # workers left behind by a killed master
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- requests: harness.Stack's, against gunicorn's port ---

    request = h.Stack.request

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    # --- mail (Django's file backend: one file per connection, messages
    # separated by a line of 79 dashes) ---

    def mail_links(self, regex, to, timeout=h.scaled(10)):
        """Matches of regex in the mails to address to not yet read,
        polled until at least one or the deadline."""
        return read_links(self.maildir, self.seen_mail, regex, to, timeout)


def read_links(folder, seen, regex, to, timeout):
    """Matches of regex in the finished mail files of folder (not
    .tmp-*) that are addressed to to and not in seen (then added),
    polled until at least one or the deadline. Each file is one
    connection's mail (Django's file backend) or one message
    (capture_mail.sh)."""
    deadline = time.time() + timeout
    head = re.compile(r"^To: .*%s" % re.escape(to), re.M | re.I)
    while True:
        found = []
        for f in sorted(os.listdir(folder)):
            if f.startswith(".") or f in seen:
                continue
            with open(os.path.join(folder, f), "rb") as fh:
                raw = fh.read()
            # Quoted-printable soft breaks would split a link.
            text = raw.replace(b"=\r\n", b"").replace(b"=\n", b"").decode(
                "utf-8", "replace")
            if head.search(text):
                seen.add(f)
                found += regex.findall(text)
        if found or time.time() > deadline:
            return found
        time.sleep(0.05)


class Mailbox:
    """A folder for restauth's EMAIL_SENDMAIL (capture_mail.sh) and the
    links in the messages not yet read."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="restauth-mail-")
        self.seen = set()

    def links(self, regex, to, timeout=h.scaled(10)):
        """Matches of regex in the messages to address to not yet read,
        polled until at least one or the deadline (restauth's mail
        leaves after the answer)."""
        return read_links(self.dir, self.seen, regex, to, timeout)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# --- cookies and credentials ---

def cookie(r, name):
    """Value of cookie name in r's Set-Cookie headers, else None."""
    for c in r.cookies():
        k, _, rest = c.partition("=")
        if k.strip() == name:
            return rest.split(";", 1)[0]
    return None


def session_headers(sid, csrf=None, origin=None):
    """A session cookie, plus a CSRF cookie echoed in X-CSRFToken."""
    hd = {"Cookie": "sessionid=" + sid}
    if csrf is not None:
        hd["Cookie"] += "; csrftoken=" + csrf
        hd["X-CSRFToken"] = csrf
    if origin is not None:
        hd["Origin"] = origin
    return hd


def bearer(access):
    return {"Authorization": "Bearer " + access}


class Pair:
    """One database: Django migrated first (the order supported today),
    then restauth stacks on it with the same SECRET_KEY, and a Django
    server per hasher setting."""

    def __init__(self):
        self.secret = "interop-" + os.urandom(32).hex()
        self.dbname = "t_interop_" + os.urandom(4).hex()
        self.stacks = []
        self.djangos = []
        h.createdb(self.dbname)

    def django(self, hashers):
        d = Django(self.dbname, self.secret, hashers)
        self.djangos.append(d)
        return d

    def stack(self, config, procs=1):
        s = h.Stack(config=config, secret=self.secret, dbname=self.dbname,
                    procs=procs)
        self.stacks.append(s)
        return s

    def start(self):
        """Start every stack and Django server at once (threads: each
        start waits, bounded, for its server); raise the first
        failure."""
        errors = []

        def one(x):
            try:
                x.start()
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=one, args=(x,))
                   for x in self.stacks + self.djangos]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if errors:
            raise errors[0]

    def stop(self):
        for x in self.stacks + self.djangos:
            try:
                x.stop()
            except Exception as e:  # keep stopping the others
                print("WARNING: stop: %r" % e, flush=True)
        for d in self.djangos:
            d.remove()
