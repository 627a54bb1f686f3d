"""PASSWORD_HASHERS beside a Django on the same database: login/ verifies
every hasher's format and re-hashes a row exactly when Django's
check_password (run by /usr/bin/python3 with the same PASSWORD_HASHERS
and parameters, tests/unit/gen_hashers.py) would call its setter; a hash
of an unlisted hasher is refused like a wrong password; and every way a
password is set (registration, createuser, change, reset) writes the
first hasher's format, which Django accepts without re-hashing it."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import harness as h

t = h.Tests(__file__)

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "unit", "gen_hashers.py")
CAPTURE = os.path.join(HERE, "capture_mail.sh")
D = "django.contrib.auth.hashers."
HASHERS = {"argon2": D + "Argon2PasswordHasher",
           "pbkdf2_sha256": D + "PBKDF2PasswordHasher",
           "pbkdf2_sha1": D + "PBKDF2SHA1PasswordHasher",
           "bcrypt_sha256": D + "BCryptSHA256PasswordHasher",
           "bcrypt": D + "BCryptPasswordHasher",
           "scrypt": D + "ScryptPasswordHasher"}
# Small costs, so the logins are quick; OTHER differs in every one.
SMALL = {"TIME_COST": 1, "MEMORY_COST": 1024, "PARALLELISM": 1,
         "HASH_LEN": 32, "PBKDF2_ITERATIONS": 1000, "BCRYPT_ROUNDS": 4,
         "SCRYPT_WORK_FACTOR": 1024, "SCRYPT_BLOCK_SIZE": 8,
         "SCRYPT_PARALLELISM": 1}
OTHER = {"TIME_COST": 2, "MEMORY_COST": 512, "PARALLELISM": 2,
         "HASH_LEN": 16, "PBKDF2_ITERATIONS": 1200, "BCRYPT_ROUNDS": 5,
         "SCRYPT_WORK_FACTOR": 512, "SCRYPT_BLOCK_SIZE": 4,
         "SCRYPT_PARALLELISM": 2}
UNABLE = {"non_field_errors": ["Unable to log in with provided credentials."]}
RESET_URL = "https://app.example/reset/{uid}/{token}/"
LINK_RE = re.compile(r"https://app\.example/reset/([^/\s]*)/([^/\s]*)/")


def django(reqs):
    """Django's answers (gen_hashers.py --json) to a list of requests."""
    r = subprocess.run(["/usr/bin/python3", GEN, "--json"],
                       input=json.dumps(reqs), capture_output=True,
                       text=True, timeout=h.scaled(120))
    if r.returncode != 0:
        raise RuntimeError("gen_hashers.py: " + r.stderr[-2000:])
    return json.loads(r.stdout)


def order(first):
    """PASSWORD_HASHERS: first, then the others."""
    return [HASHERS[first]] + [p for a, p in HASHERS.items() if a != first]


def config(hashers, params, **extra):
    c = {"PASSWORD_HASHERS": hashers, "PASSWORD_HASHER": params,
         "LOGIN_FAILURE_LIMIT": 0}
    c.update(extra)
    return c


def pwhash(s, uid):
    return s.sql("SELECT password FROM auth_user WHERE id = :'p1'", uid)[0][0]


def login(s, name, pw):
    return s.post("/auth/login/", json={"username": name, "password": pw})


def with_hash(s, name, encoded):
    uid = s.createuser(name, "unused password 1")
    s.sql("UPDATE auth_user SET password = :'p1' WHERE id = :'p2'",
          encoded, uid)
    return uid


def matrix(first):
    """With first hasher `first` at SMALL: a hash of every format, made by
    Django at SMALL and at OTHER, logs in; the row changes exactly when
    Django's check_password calls its setter, and what restauth wrote
    passes Django's check_password without a setter call."""
    hashers = order(first)
    made = django([{"hashers": [HASHERS[a]], "params": prm,
                    "password": "pw of " + a}
                   for prm in (SMALL, OTHER) for a in HASHERS])
    stored = [(a, i, m["encoded"]) for i, prm in enumerate((SMALL, OTHER))
              for a, m in zip(HASHERS, made[i * len(HASHERS):])]
    verdict = django([{"hashers": hashers, "params": SMALL,
                       "password": "pw of " + a, "encoded": enc}
                      for a, i, enc in stored])
    after = []
    with h.Stack(config(hashers, SMALL)) as s:
        for (a, i, enc), v in zip(stored, verdict):
            what = "%s first, %s hash (%s params)" % (
                first, a, "same" if i == 0 else "other")
            t.check(what + ": Django accepts it", v["ok"], v)
            uid = with_hash(s, "u_%s_%d" % (a, i), enc)
            r = login(s, "u_%s_%d" % (a, i), "pw of " + a + "x")
            t.eq(what + ": wrong password", (r.status, r.json),
                 (400, UNABLE))
            t.eq(what + ": untouched by a failure", pwhash(s, uid), enc)
            r = login(s, "u_%s_%d" % (a, i), "pw of " + a)
            t.eq(what + ": login", r.status, 200)
            new = pwhash(s, uid)
            if v["setter"]:
                t.check(what + ": re-hashed, as Django would",
                        new != enc and new.startswith(first + "$"), new)
                after.append((what, a, new))
            else:
                t.eq(what + ": left alone, as Django would", new, enc)
            r = login(s, "u_%s_%d" % (a, i), "pw of " + a)
            t.eq(what + ": second login", r.status, 200)
            t.eq(what + ": no second re-hash", pwhash(s, uid), new)
    answers = django([{"hashers": hashers, "params": SMALL,
                       "password": "pw of " + a, "encoded": new}
                      for what, a, new in after])
    for (what, a, new), v in zip(after, answers):
        t.eq(what + ": Django takes the new hash, no re-hash", v,
             {"ok": True, "setter": False})


def stays(what, first, params, password):
    """A hash Django made at params stays byte-identical through a
    restauth login with first hasher `first` at the same params."""
    made = django([{"hashers": [HASHERS[first]], "params": params,
                    "password": password}])[0]["encoded"]
    with h.Stack(config(order(first), params)) as s:
        uid = with_hash(s, "kept", made)
        t.eq(what + ": login", login(s, "kept", password).status, 200)
        t.eq(what + ": byte-identical after login", pwhash(s, uid), made)
    return made


def django32():
    """PBKDF2 first at Django 3.2's 260000: a hash Django 3.2 made with its
    defaults stays as it is; so does an argon2 hash of Django 3.2 with
    argon2-cffi 21.1 (t=2, m=102400, p=8, 16-byte hash) when Argon2 is
    first at those values."""
    made = stays("Django 3.2 pbkdf2", "pbkdf2_sha256",
                 {"PBKDF2_ITERATIONS": 260000}, "django 3.2 pw")
    t.check("Django 3.2's pbkdf2 hash",
            made.startswith("pbkdf2_sha256$260000$"), made)
    made = stays("Django 3.2 argon2", "argon2",
                 {"TIME_COST": 2, "MEMORY_COST": 102400, "PARALLELISM": 8,
                  "HASH_LEN": 16}, "django argon2 pw")
    t.check("Django 3.2's argon2 hash",
            made.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$"), made)


def unlisted():
    """A hash whose hasher is not in PASSWORD_HASHERS is refused like a
    wrong password (Django's identify_hasher), and left as it is."""
    made = django([{"hashers": [HASHERS[a]], "params": SMALL,
                    "password": "listed? " + a} for a in HASHERS])
    with h.Stack(config([HASHERS["pbkdf2_sha256"]], SMALL)) as s:
        for a, m in zip(HASHERS, made):
            uid = with_hash(s, "x_" + a, m["encoded"])
            r = login(s, "x_" + a, "listed? " + a)
            if a == "pbkdf2_sha256":
                t.eq("listed pbkdf2_sha256: login", r.status, 200)
                continue
            t.eq("unlisted %s: refused like a wrong password" % a,
                 (r.status, r.json), (400, UNABLE))
            t.eq("unlisted %s: row unchanged" % a, pwhash(s, uid),
                 m["encoded"])
        # md5 and sha1 are never accepted.
        for name, enc in (("md5", "md5$seasalt$3f86d0d3d465b7b458c231bf3555"
                           "c0e3"), ("unsalted", "88a434c88cca4e900f7874c"
                                     "d98123f43")):
            with_hash(s, "x_" + name, enc)
            t.eq("%s: refused" % name, login(s, "x_" + name,
                                              "lètmein").status, 400)


class Mailbox:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="restauth-mail-")

    def link(self, timeout=h.scaled(10)):
        """The reset link of the one mail expected, waiting for it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for f in sorted(os.listdir(self.dir)):
                if f.startswith("."):
                    continue
                with open(os.path.join(self.dir, f), "rb") as fh:
                    raw = fh.read()
                os.unlink(os.path.join(self.dir, f))
                m = LINK_RE.search(raw.decode("utf-8", "replace"))
                return m.groups() if m else None
            time.sleep(0.05)
        return None


def writers(first, params):
    """Every way restauth sets a password writes first's format, and
    Django (same PASSWORD_HASHERS and params) accepts it, no re-hash."""
    hashers = order(first)
    mb = Mailbox()
    got = []
    try:
        extra = {"EMAIL_SENDMAIL": CAPTURE + " " + mb.dir,
                 "PASSWORD_RESET_URL": RESET_URL,
                 "ACCOUNT": {"EMAIL_VERIFICATION": "none"}}
        with h.Stack(config(hashers, params, **extra)) as s:
            r = s.post("/auth/registration/", json={
                "username": "reg", "email": "reg@example.com",
                "password1": "Registered pw 1", "password2":
                "Registered pw 1"})
            t.eq(first + ": registration", r.status, 201)
            uid = int(s.sql("SELECT id FROM auth_user WHERE username = "
                            "'reg'")[0][0])
            got.append(("registration", pwhash(s, uid), "Registered pw 1"))
            uid = s.createuser("tool", "Createuser pw 1",
                               email="tool@example.com")
            got.append(("createuser", pwhash(s, uid), "Createuser pw 1"))
            key = s.login("tool", "Createuser pw 1")
            r = s.post("/auth/password/change/", token=key, json={
                "new_password1": "Changed pw 12", "new_password2":
                "Changed pw 12"})
            t.eq(first + ": password change", r.status, 200)
            got.append(("password change", pwhash(s, uid), "Changed pw 12"))
            r = s.post("/auth/password/reset/",
                       json={"email": "reg@example.com"})
            t.eq(first + ": reset", r.status, 200)
            link = mb.link()
            t.check(first + ": reset mail", link is not None)
            if link is not None:
                r = s.post("/auth/password/reset/confirm/", json={
                    "uid": link[0], "token": link[1],
                    "new_password1": "Reset pw 123",
                    "new_password2": "Reset pw 123"})
                t.eq(first + ": reset confirm", r.status, 200)
                got.append(("reset confirm",
                            pwhash(s, int(s.sql(
                                "SELECT id FROM auth_user WHERE "
                                "username = 'reg'")[0][0])),
                            "Reset pw 123"))
    finally:
        shutil.rmtree(mb.dir, ignore_errors=True)
    answers = django([{"hashers": hashers, "params": params,
                       "password": pw, "encoded": enc}
                      for what, enc, pw in got])
    for (what, enc, pw), v in zip(got, answers):
        t.check("%s first: %s writes its format" % (first, what),
                enc.startswith(first + "$"), enc)
        t.eq("%s first: %s: Django accepts, no re-hash" % (first, what), v,
             {"ok": True, "setter": False})


def bad_config():
    """Bad values stop the program, naming the key."""
    for cfg, want in (
            ({"PASSWORD_HASHERS": []}, "PASSWORD_HASHERS: must not be empty"),
            ({"PASSWORD_HASHERS": [D + "MD5PasswordHasher"]},
             "PASSWORD_HASHERS[0]: refused"),
            ({"PASSWORD_HASHERS": [HASHERS["bcrypt"], HASHERS["bcrypt"]]},
             "PASSWORD_HASHERS[1]: " + HASHERS["bcrypt"] + " is listed "
             "twice"),
            ({"PASSWORD_HASHER": {"BCRYPT_ROUNDS": 40}},
             "PASSWORD_HASHER.BCRYPT_ROUNDS: must be between 4 and 16")):
        s = h.Stack(cfg)
        with open(s.config_path, "w") as f:
            json.dump(cfg, f)
        rc, out, err = s.tool("check")
        t.check("%s: refused" % want, rc != 0 and ("config: " + want) in err,
                (rc, err[-300:]))
        shutil.rmtree(s.tmp, ignore_errors=True)


for first in HASHERS:
    t.run(matrix, first)
t.run(django32)
t.run(unlisted)
t.run(writers, "pbkdf2_sha256", dict(SMALL, PBKDF2_ITERATIONS=260000))
t.run(writers, "bcrypt_sha256", SMALL)
t.run(writers, "scrypt", SMALL)
t.run(writers, "argon2", dict(SMALL, HASH_LEN=16))
t.run(bad_config)
t.done()
