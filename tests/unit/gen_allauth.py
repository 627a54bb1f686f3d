#!/usr/bin/python3
"""
gen_allauth.py: allauth's password-reset tokens and uids, made by the
real allauth code (Debian 12: python3-django-allauth 0.51.0 on Django
3.2; run it with /usr/bin/python3).

    /usr/bin/python3 tests/unit/gen_allauth.py
        print the allauth tables of test_resettok.c
    /usr/bin/python3 tests/unit/gen_allauth.py --json < request
        for tests/http/test_reset_allauth.py: read one JSON object
        {"secret", "now", "pk", "password", "last_login" (epoch seconds
        or null), "email", "addrs" (the account_emailaddress rows),
        "token" (optional), "uid" (optional)} and print {"uid",
        "token" (made at now), "check" (check_token(token) at now, when
        given), "pk" (url_str_to_user_pk(uid), or null if it raises)}

EmailAwarePasswordResetTokenGenerator._make_hash_value runs unchanged;
only its two database reads are fed from here: sync_user_email_addresses
(which at most adds a row equal to user.email, already in the hashed
set) does nothing, and EmailAddress.objects.filter(user=user)
.values_list("email", flat=True) answers the given rows. _now() is a
naive UTC time, as restauth counts seconds since 2001-01-01 in UTC.
"""
import datetime
import json
import sys

from c_literal import c_str  # noqa: E402 (beside this script)
from django.conf import settings

settings.configure(
    SECRET_KEY="unused",
    USE_TZ=True,
    PASSWORD_RESET_TIMEOUT=259200,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth",
                    "django.contrib.sites", "allauth", "allauth.account"],
    DATABASES={},
)
import django  # noqa

django.setup()

from allauth.account import forms as aforms  # noqa
from allauth.account.utils import (user_pk_to_url_str,  # noqa
                                   url_str_to_user_pk)
from django.contrib.auth.models import User  # noqa

UTC = datetime.timezone.utc


class Rows:
    """EmailAddress.objects for one user's rows."""

    def __init__(self):
        self.rows = []

    def filter(self, user):
        return self

    def values_list(self, field, flat):
        assert field == "email" and flat
        return list(self.rows)


class FakeEmailAddress:
    objects = Rows()


aforms.EmailAddress = FakeEmailAddress
aforms.sync_user_email_addresses = lambda user: None


class Gen(aforms.EmailAwarePasswordResetTokenGenerator):
    def __init__(self, secret, now):
        self.secret = secret
        self.now = now
        super().__init__()

    def _now(self):
        return datetime.datetime.utcfromtimestamp(self.now)


def user(pk, password, last_login, email):
    u = User(pk=pk, password=password, email=email)
    u.last_login = (None if last_login is None else
                    datetime.datetime.fromtimestamp(last_login, UTC))
    return u


def token(secret, now, u, addrs):
    FakeEmailAddress.objects.rows = addrs
    return Gen(secret, now).make_token(u)


def check(secret, now, u, addrs, tok):
    FakeEmailAddress.objects.rows = addrs
    return Gen(secret, now).check_token(u, tok)


def serve_json():
    r = json.load(sys.stdin)
    u = user(r["pk"], r["password"], r["last_login"], r["email"])
    out = {"uid": user_pk_to_url_str(u),
           "token": token(r["secret"], r["now"], u, r["addrs"])}
    if "token" in r:
        out["check"] = check(r["secret"], r["now"], u, r["addrs"],
                             r["token"])
    if "uid" in r:
        try:
            out["pk"] = url_str_to_user_pk(r["uid"])
        except ValueError:
            out["pk"] = None
    json.dump(out, sys.stdout)


HASH = ("argon2$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$"
        "RdescudvJCsgt3ub+b+dWRWJTmaaJObG")
CASES = [
    # secret, pk, password, last_login, email, addresses, now
    ("s3cret", 1, HASH, 1714566000, "alice@example.com",
     ["alice@example.com"], 1714566896),
    # no row: user.email alone
    ("s3cret", 1, HASH, 1714566000, "alice@example.com", [], 1714566896),
    # no address at all: the same as Django's token
    ("s3cret", 1, HASH, 1714566000, "", [], 1714566896),
    ("s3cret", 1, HASH, None, None, [], 1714566896),
    # several rows, unsorted, one equal to user.email, case kept apart
    ("s3cret", 1, HASH, 1714566000, "alice@example.com",
     ["zed@example.com", "Alice@example.com", "alice@example.com",
      "bob@example.com"], 1714566896),
    # a row but an empty user.email; an empty row counts
    ("s3cret", 1, HASH, 1714566000, "", ["b@x.org", "a@x.org"],
     1714566896),
    ("s3cret", 1, HASH, 1714566000, "a@x.org", ["", "a@x.org"],
     1714566896),
    # non-ASCII: code point order ("z" < "\u00e9" < "\u20ac")
    ("django-insecure-\u00e9\u00e8\u20ac", 42,
     "pbkdf2_sha256$600000$salt$hash=", -86400 * 365 * 30,
     "j\u00fcrgen@b\u00fccher.example",
     ["\u20ac@example.com", "z@example.com", "\u00e9@example.com"],
     978307200),
    ("k", 9223372036854775807, "!unusable", 0, "b@example.org",
     ["B@example.org"], 1714566896),
]


def tables():
    import allauth
    print("/* generated by tests/unit/gen_allauth.py (allauth %s, Django "
          "%s) */" % (allauth.__version__, django.get_version()))
    for secret, pk, pw, ll, email, addrs, now in CASES:
        u = user(pk, pw, ll, email)
        tok = token(secret, now, u, addrs)
        assert check(secret, now, u, addrs, tok)
        llc = -1 if ll is None else int(ll // 1)
        print("\t{ %s, %dLL, %s, %dLL, %s, { %s }, %d, %d, %s }," % (
            c_str(secret), pk, c_str(pw), llc,
            "NULL" if email is None else c_str(email),
            ", ".join(c_str(a) for a in addrs) or "NULL", len(addrs),
            now, c_str(tok)))
    print("/* uid: user_pk_to_url_str */")
    for pk in (1, 9, 10, 35, 36, 123, 1234, 2**31, 9223372036854775807):
        print('\t{ %dLL, "%s" },' % (pk, user_pk_to_url_str(User(pk=pk))))
    print("/* url_str_to_user_pk; 0: raises, or no auth_user row can "
          "have that pk */")
    for s in ("1", "A", "+z", "1_0", "00001", "-1", "0", "-0", "_1",
              "1_", "1__0", "+_1", "1 0", "zzzzzzzzzzzz", "zzzzzzzzzzzzz",
              "1y2p0ij32e8e7", "1y2p0ij32e8e8", "00000000000001",
              "0x10", "", "+", "-", "1.0", "1/2", "1\u00e9"):
        try:
            v = url_str_to_user_pk(s)
        except ValueError:
            v = 0
        if not 1 <= v <= 9223372036854775807:
            v = 0
        print("\t{ %s, %dLL }," % (c_str(s), v))


if __name__ == "__main__":
    if sys.argv[1:] == ["--json"]:
        serve_json()
    else:
        tables()
