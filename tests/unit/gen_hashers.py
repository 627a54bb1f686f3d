#!/usr/bin/python3
"""
gen_hashers.py: Django's password hashers and check_password, run by the
real Django code (Debian 12: Django 3.2.25, python3-argon2 21.1,
python3-bcrypt 3.2.2; run it with /usr/bin/python3).

    /usr/bin/python3 tests/unit/gen_hashers.py
        print tests/unit/django_hashers.h, the known-answer and re-hash
        tables of test_pw.c
    /usr/bin/python3 tests/unit/gen_hashers.py --json < request
        for tests/http/test_hashers.py: read one JSON object
        {"hashers": [dotted paths], "params": {PASSWORD_HASHER keys},
         "password": ..., "encoded": ... (optional)} and print
        {"encoded": make_password(password)} without "encoded", else
        {"ok": check_password(...), "setter": whether check_password
         called its setter, i.e. would have re-hashed}; a list of such
        objects gets the list of answers

restauth's PASSWORD_HASHER keys become the hashers' class attributes
(Django's way to change them: a subclass). Two things Django 3.2 does not
have are stood in for: HASH_LEN (argon2-cffi's DEFAULT_HASH_LENGTH, 16
here, 32 from argon2-cffi 21.2 on) by setting Parameters.hash_len, and
ScryptPasswordHasher (Django 4.0) by a class written here to Django
4.x's documented format: scrypt$N$salt$r$p$base64(64-byte key), re-hash
when N, r or p differ.
"""
import base64
import hashlib
import json
import sys

from genutil import c_str  # (beside this script)
from django.conf import settings

settings.configure(SECRET_KEY="unused", PASSWORD_HASHERS=[])
import django  # noqa
django.setup()
from django.contrib.auth import hashers as H  # noqa
from django.utils.crypto import constant_time_compare  # noqa

D = "django.contrib.auth.hashers."


class Scrypt(H.BasePasswordHasher):
    algorithm = "scrypt"
    work_factor, block_size, parallelism = 2 ** 14, 8, 1

    def encode(self, password, salt, n=None, r=None, p=None):
        n, r, p = n or self.work_factor, r or self.block_size, \
            p or self.parallelism
        dk = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n,
                            r=r, p=p, maxmem=256 << 20, dklen=64)
        return "scrypt$%d$%s$%d$%d$%s" % (
            n, salt, r, p, base64.b64encode(dk).decode("ascii").strip())

    def _split(self, encoded):
        alg, n, salt, r, p, _ = encoded.split("$", 5)
        return int(n), salt, int(r), int(p)

    def verify(self, password, encoded):
        n, salt, r, p = self._split(encoded)
        return constant_time_compare(encoded,
                                     self.encode(password, salt, n, r, p))

    def must_update(self, encoded):
        n, _, r, p = self._split(encoded)
        return (n, r, p) != (self.work_factor, self.block_size,
                             self.parallelism)

    def harden_runtime(self, password, encoded):
        pass


H.ScryptPasswordHasher = Scrypt
_argon2_params = H.Argon2PasswordHasher.params
HASH_LEN = [16]


def _params(self):
    prm = _argon2_params(self)
    prm.hash_len = HASH_LEN[0]
    return prm


H.Argon2PasswordHasher.params = _params

DEFAULT = {"TIME_COST": 2, "MEMORY_COST": 19456, "PARALLELISM": 1,
           "HASH_LEN": 32, "PBKDF2_ITERATIONS": 1000000,
           "BCRYPT_ROUNDS": 12, "SCRYPT_WORK_FACTOR": 16384,
           "SCRYPT_BLOCK_SIZE": 8, "SCRYPT_PARALLELISM": 1}


def configure(paths, params):
    """PASSWORD_HASHERS = paths, each hasher at restauth's params."""
    p = dict(DEFAULT, **params)
    A = H.Argon2PasswordHasher
    A.time_cost, A.memory_cost, A.parallelism = \
        p["TIME_COST"], p["MEMORY_COST"], p["PARALLELISM"]
    HASH_LEN[0] = p["HASH_LEN"]
    H.PBKDF2PasswordHasher.iterations = p["PBKDF2_ITERATIONS"]
    H.BCryptSHA256PasswordHasher.rounds = p["BCRYPT_ROUNDS"]
    Scrypt.work_factor, Scrypt.block_size, Scrypt.parallelism = \
        p["SCRYPT_WORK_FACTOR"], p["SCRYPT_BLOCK_SIZE"], \
        p["SCRYPT_PARALLELISM"]
    settings.PASSWORD_HASHERS = [
        D + "ScryptPasswordHasher" if x == D + "ScryptPasswordHasher"
        else x for x in paths]
    H.get_hashers.cache_clear()
    H.get_hashers_by_algorithm.cache_clear()


def check(password, encoded):
    """(check_password's answer, whether it called its setter)"""
    called = []
    ok = H.check_password(password, encoded, setter=called.append)
    return ok, bool(called)


BCRYPT64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def bcrypt_salt(raw, rounds, prefix="2b"):
    """python-bcrypt's gensalt(rounds) for these 16 raw bytes."""
    bits = "".join("{:08b}".format(b) for b in raw) + "0000"
    chars = "".join(BCRYPT64[int(bits[i:i + 6], 2)]
                    for i in range(0, 132, 6))
    return ("$%s$%02d$%s" % (prefix, rounds, chars)).encode("ascii")


def make(algo, password, salt, params, prefix="2b"):
    """make_password(password, salt) with algo's hasher at params. For
    bcrypt the first 16 characters of salt are the raw salt bytes, as
    restauth's pw_hash_salted takes them, under prefix (2a, 2b, 2y)."""
    configure([D + NAMES[algo]], params)
    if algo.startswith("bcrypt"):
        rounds = dict(DEFAULT, **params)["BCRYPT_ROUNDS"]
        salt = bcrypt_salt(salt[:16].encode("ascii"), rounds, prefix)
    return H.make_password(password, salt)


NAMES = {"argon2": "Argon2PasswordHasher",
         "pbkdf2_sha256": "PBKDF2PasswordHasher",
         "pbkdf2_sha1": "PBKDF2SHA1PasswordHasher",
         "bcrypt_sha256": "BCryptSHA256PasswordHasher",
         "bcrypt": "BCryptPasswordHasher",
         "scrypt": "ScryptPasswordHasher"}
ENUM = {"argon2": "PW_ALGO_ARGON2", "pbkdf2_sha256": "PW_ALGO_PBKDF2_SHA256",
        "pbkdf2_sha1": "PW_ALGO_PBKDF2_SHA1",
        "bcrypt_sha256": "PW_ALGO_BCRYPT_SHA256",
        "bcrypt": "PW_ALGO_BCRYPT", "scrypt": "PW_ALGO_SCRYPT"}
KEYS = ["TIME_COST", "MEMORY_COST", "PARALLELISM", "HASH_LEN",
        "PBKDF2_ITERATIONS", "BCRYPT_ROUNDS", "SCRYPT_WORK_FACTOR",
        "SCRYPT_BLOCK_SIZE", "SCRYPT_PARALLELISM"]

SALT = "Xq7sP2mZ9kLw4Rt8Yb3nVc"  # 22 characters, as Django's
LETMEIN = "l\u00e8tmein"
LONG = "x" * 71 + "\u00e8" + "tail"  # 77 bytes: bcrypt reads 72
# Small costs, so the tests run fast.
SMALL = {"TIME_COST": 1, "MEMORY_COST": 256, "PARALLELISM": 1,
         "HASH_LEN": 32, "PBKDF2_ITERATIONS": 1000, "BCRYPT_ROUNDS": 4,
         "SCRYPT_WORK_FACTOR": 1024, "SCRYPT_BLOCK_SIZE": 8,
         "SCRYPT_PARALLELISM": 1}


def c_params(p):
    p = dict(SMALL, **p)
    return "{ " + ", ".join(str(p[k]) for k in KEYS) + " }"


def tables():
    print("/*\n * django_hashers.h: generated by tests/unit/gen_hashers.py "
          "(Django %s,\n * argon2-cffi 21.1, python3-bcrypt 3.2); do not "
          "edit. Params: t, m, p,\n * hash_len, pbkdf2 iterations, "
          "bcrypt rounds, scrypt N, r, p.\n */" % django.get_version())
    print("\n/* make_password(pw, salt): algorithm, params, pw, encoded */")
    print("static const struct dj_kat dj_kat[] = {")
    kat = []
    for algo in NAMES:
        for pw, extra in [(LETMEIN, {}), ("", {}), (LONG, {}),
                          ("secret", {"HASH_LEN": 16, "BCRYPT_ROUNDS": 5,
                                      "PBKDF2_ITERATIONS": 1001,
                                      "SCRYPT_WORK_FACTOR": 512,
                                      "SCRYPT_BLOCK_SIZE": 4,
                                      "SCRYPT_PARALLELISM": 2,
                                      "TIME_COST": 2, "MEMORY_COST": 64,
                                      "PARALLELISM": 2})]:
            enc = make(algo, pw, SALT, dict(SMALL, **extra))
            kat.append((algo, extra, pw, enc))
            print("\t{ %s, %s,\n\t    %s,\n\t    %s }," % (
                ENUM[algo], c_params(extra), c_str(pw), c_str(enc)))
    print("};\n")
    print("/* check_password(pw, encoded, setter): first hasher, params, "
          "encoded,\n * pw, whether the setter was called */")
    print("static const struct dj_rehash dj_rehash[] = {")
    # Each stored hash against each first hasher at the small params and
    # at params that differ in one way.
    own = {"argon2": [{"HASH_LEN": 16}, {"TIME_COST": 2},
                      {"MEMORY_COST": 512}, {"PARALLELISM": 2}],
           "pbkdf2_sha256": [{"PBKDF2_ITERATIONS": 1001}],
           "pbkdf2_sha1": [{"PBKDF2_ITERATIONS": 999}],
           "bcrypt_sha256": [{"BCRYPT_ROUNDS": 5}],
           "bcrypt": [{"BCRYPT_ROUNDS": 6}],
           "scrypt": [{"SCRYPT_WORK_FACTOR": 512}, {"SCRYPT_BLOCK_SIZE": 4},
                      {"SCRYPT_PARALLELISM": 2}]}
    # Hashes Django made with other salts: a short pbkdf2 salt (Django
    # before 3.2: 12 characters), a short argon2 salt.
    extra_hashes = [
        ("pbkdf2_sha256", LETMEIN, make("pbkdf2_sha256", LETMEIN,
                                        "seasalt12345", SMALL)),
        ("pbkdf2_sha1", LETMEIN, make("pbkdf2_sha1", LETMEIN,
                                      "shortsalt", SMALL)),
        ("argon2", LETMEIN, make("argon2", LETMEIN, "saltsaltsalt1234",
                                 SMALL)),
        ("bcrypt", LETMEIN, make("bcrypt", LETMEIN, SALT, SMALL, "2a")),
        ("bcrypt", LETMEIN, make("bcrypt", LETMEIN, SALT, SMALL, "2y")),
        ("bcrypt_sha256", LETMEIN, make("bcrypt_sha256", LETMEIN, SALT,
                                        SMALL, "2a")),
    ]
    stored = [(a, pw, enc) for a, extra, pw, enc in kat
              if pw == LETMEIN] + extra_hashes
    for first in NAMES:
        for v in [{}] + own[first]:
            paths = [D + NAMES[first]] + [D + NAMES[a] for a in NAMES
                                         if a != first]
            for algo, pw, enc in stored:
                configure(paths, dict(SMALL, **v))
                ok, setter = check(pw, enc)
                assert ok, (first, v, enc)
                print("\t{ %s, %s,\n\t    %s,\n\t    %s, %d }," % (
                    ENUM[first], c_params(v), c_str(enc), c_str(pw),
                    int(setter)))
    print("};")


def answer(req):
    configure(req["hashers"], req.get("params", {}))
    if "encoded" not in req:
        return {"encoded": H.make_password(req["password"])}
    ok, setter = check(req["password"], req["encoded"])
    return {"ok": ok, "setter": setter}


def from_json():
    req = json.load(sys.stdin)
    if isinstance(req, list):
        print(json.dumps([answer(r) for r in req]))
    else:
        print(json.dumps(answer(req)))


if __name__ == "__main__":
    if sys.argv[1:] == ["--json"]:
        from_json()
    else:
        tables()
