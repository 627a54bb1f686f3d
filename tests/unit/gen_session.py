#!/usr/bin/python3
"""
gen_session.py: print the compressed-session known answers of
test_session.c from Django's own signing and SessionStore.

    apt-get install -y python3-django   # Debian 12: Django 3.2
    /usr/bin/python3 tests/unit/gen_session.py

SessionStore.encode in Django 3.1+ is signing.dumps(session_dict,
salt=key_salt, serializer=JSONSerializer, compress=True): zlib when that
is shorter, marked by a '.' before the base64, all under the
TimestampSigner's HMAC. The signer's clock is fixed at 1700000000. The
malformed-zlib vectors are signed the same way, so only the inflating
can refuse them; each is checked against Django's own decode.
"""
import base64
import time
import zlib

from django.conf import settings

SECRET = "unit-test-secret-key-0123456789"
settings.configure(SECRET_KEY=SECRET, USE_TZ=True,
                   INSTALLED_APPS=["django.contrib.sessions"])
import django  # noqa

django.setup()
from django.contrib.sessions.backends.db import SessionStore  # noqa
from django.core import signing  # noqa

time.time = lambda: 1700000000.0
SALT = "django.contrib.sessions.SessionStore"
HASH = "926da20becd59853bbe9b8b3516d621967acd78e3ccf97b2de582760f66142fc"
JSON_MAX = 64 * 1024  # SESS_JSON_MAX
LOGIN = {"_auth_user_id": "42",
         "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
         "_auth_user_hash": HASH}


def encode(d):
    s = SessionStore().encode(d)
    assert s.startswith("."), "not compressed"
    assert SessionStore().decode(s) == d
    return s


def signed_zlib(raw):
    """'.' + base64(raw) signed as Django signs a compressed session."""
    b = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return signing.TimestampSigner(salt=SALT).sign("." + b)


def django_refuses(s):
    try:
        signing.loads(s, salt=SALT)
    except Exception:
        return True
    return False


def padded(n):
    """LOGIN plus a "pad" string, its JSON exactly n bytes."""
    d = dict(LOGIN, pad="")
    base = len(signing.JSONSerializer().dumps(d))
    d["pad"] = "x" * (n - base)
    assert len(signing.JSONSerializer().dumps(d)) == n
    return d


def c_string(name, s, comment):
    print("/* %s */" % comment)
    print("#define %s \\" % name)
    parts = [s[i:i + 64] for i in range(0, len(s), 64)]
    for i, p in enumerate(parts):
        print('\t"%s"%s' % (p, " \\" if i + 1 < len(parts) else ""))


# A session of other apps' data too (a cart of 400 items): about 11 KB of
# JSON that zlib takes to under SESS_DATA_MAX characters.
cart = [{"sku": "item-%04d" % i, "qty": i % 7 + 1} for i in range(400)]
big = dict(LOGIN, cart=cart)
big_s = encode(big)
assert len(big_s) <= 4096
c_string("LARGE", big_s, "login keys and a %d-byte cart, compressed"
         % len(signing.JSONSerializer().dumps(big)))
c_string("AT_CAP", encode(padded(JSON_MAX)),
         "JSON of exactly SESS_JSON_MAX bytes: read")
c_string("PAST_CAP", encode(padded(JSON_MAX + 1)),
         "JSON of SESS_JSON_MAX + 1 bytes: refused")
bomb = dict(LOGIN, pad="0" * (1 << 20))
c_string("BOMB", encode(bomb), "a 1 MiB pad in about 1 KiB: refused")
z = zlib.compress(signing.JSONSerializer().dumps(LOGIN))
trunc = signed_zlib(z[:-6])
assert django_refuses(trunc)
c_string("TRUNCATED", trunc, "the login dict's zlib without its last 6 bytes")
bad_sum = signed_zlib(z[:-1] + bytes([z[-1] ^ 1]))
assert django_refuses(bad_sum)
c_string("BAD_ADLER", bad_sum, "its adler32 check value changed")
garbage = signed_zlib(b"this is not zlib data at all")
assert django_refuses(garbage)
c_string("GARBAGE", garbage, "not zlib at all")
raw = signed_zlib(zlib.compress(signing.JSONSerializer().dumps(LOGIN))[2:-4])
assert django_refuses(raw)
c_string("RAW_DEFLATE", raw, "raw deflate without zlib's header: refused")
empty = signed_zlib(b"")
assert django_refuses(empty)
c_string("EMPTY_Z", empty, "'.' and nothing")
trail = signed_zlib(z + b"trailing")
assert signing.loads(trail, salt=SALT) == LOGIN
c_string("TRAILING", trail, "bytes after the stream's end: ignored, as Python")
notjson = signed_zlib(zlib.compress(b"[1,2,3]" * 50))
c_string("NOT_OBJECT", notjson, "inflates to a JSON array")
