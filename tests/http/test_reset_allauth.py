"""Password-reset links as dj-rest-auth mails them with allauth installed
(PASSWORD_RESET_TOKEN_GENERATOR "allauth", the default): a base36 uid and
a token of allauth's EmailAwarePasswordResetTokenGenerator, checked here
against the real allauth code (Debian's python3-django-allauth, run by
tests/unit/gen_allauth.py under /usr/bin/python3) in both directions; a
used link is dead on both sides; the uid forms allauth's decoder takes;
and "django" keeps Django's plain links."""
import base64
import email
import email.policy
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
CAPTURE = os.path.join(HERE, "capture_mail.sh")
GEN = os.path.join(HERE, "..", "unit", "gen_allauth.py")
PY = "/usr/bin/python3"  # Debian's Django 3.2 and allauth 0.51
RESET_URL = "https://app.example/reset/{uid}/{token}/"
LINK_RE = re.compile(r"https://app\.example/reset/([^/\s]*)/([^/\s]*)/")
FAST = h.FAST_HASHER
INVALID = ["Invalid value"]
DONE = {"detail": "Password has been reset with the new password."}


def config(maildir, generator=None):
    c = {"PASSWORD_HASHER": FAST, "PASSWORD_RESET_COOLDOWN": 0,
         "EMAIL_SENDMAIL": CAPTURE + " " + maildir,
         "PASSWORD_RESET_URL": RESET_URL}
    if generator is not None:
        c["PASSWORD_RESET_TOKEN_GENERATOR"] = generator
    return c


def wait_link(d, seen, deadline_s=h.scaled(10)):
    """(uid, token) of the first new finished message in d, polled until
    a deadline; None if none arrives."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        fresh = sorted(f for f in os.listdir(d)
                       if not f.startswith(".") and f not in seen)
        if fresh:
            seen.add(fresh[0])
            with open(os.path.join(d, fresh[0]), "rb") as f:
                m = email.message_from_bytes(f.read(),
                                             policy=email.policy.default)
            link = LINK_RE.search(m.get_body(preferencelist=("plain",))
                                  .get_content())
            return (link.group(1), link.group(2)) if link else None
        time.sleep(0.05)
    return None


def ask_link(s, d, seen, address):
    r = s.post("/auth/password/reset/", json={"email": address})
    t.eq("reset for %s: 200" % address, r.status, 200)
    link = wait_link(d, seen)
    t.check("reset for %s: a link mailed" % address, link is not None)
    return link or ("", "")


def allauth(s, pk, **extra):
    """The real allauth side for the row of pk as it is now: its uid,
    its token made now, check_token(extra token), url_str_to_user_pk
    (extra uid)."""
    password, last_login, mail = s.sql(
        "SELECT password, extract(epoch FROM last_login), email "
        "FROM auth_user WHERE id = :'p1'", pk)[0]
    addrs = [r[0] for r in s.sql(
        "SELECT email FROM account_emailaddress WHERE user_id = :'p1'", pk)]
    req = dict(secret=s.secret, now=time.time(), pk=pk, password=password,
               last_login=float(last_login) if last_login else None,
               email=mail, addrs=addrs, **extra)
    r = subprocess.run([PY, GEN, "--json"], input=json.dumps(req),
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("gen_allauth.py: " + r.stderr)
    return json.loads(r.stdout)


def confirm(s, uid, token, pw="a new pass 4711"):
    return s.post("/auth/password/reset/confirm/", json={
        "uid": uid, "token": token, "new_password1": pw,
        "new_password2": pw})


def expect(what, r, status, body):
    t.eq(what + ": status", r.status, status)
    t.eq(what + ": body", r.json, body)


def add_address(s, pk, address):
    s.sql("INSERT INTO account_emailaddress (email, verified, \"primary\", "
          "user_id) VALUES (:'p1', false, false, :'p2')", address, pk)


def mailed_link_crosses(s, d, seen):
    pk = s.createuser("ann", "ann pass 1234", "ann@example.com")
    # Several rows, one differing from user.email only in case, and one
    # non-ASCII: allauth hashes the exact set, sorted by code point.
    add_address(s, pk, "Ann@example.com")
    add_address(s, pk, "\u00e4nn@example.com")
    add_address(s, pk, "zz@example.com")
    uid, token = ask_link(s, d, seen, "ann@example.com")
    t.check("mailed uid is lower-case base36 of the pk",
            uid == uid.lower() and int(uid, 36) == pk, uid)
    aa = allauth(s, pk, token=token, uid=uid)
    t.eq("mailed uid is allauth's", uid, aa["uid"])
    t.eq("allauth decodes the uid", aa["pk"], pk)
    t.eq("allauth's check_token takes the mailed token", aa["check"], True)
    if token.split("-")[0] == aa["token"].split("-")[0]:
        t.eq("made in the same second: allauth's token", token, aa["token"])
    expect("restauth confirms its link", confirm(s, uid, token), 200, DONE)
    expect("used link: refused by restauth", confirm(s, uid, token), 400,
           {"token": INVALID})
    t.eq("used link: refused by allauth",
         allauth(s, pk, token=token)["check"], False)


def allauth_token_accepted(s):
    pk = s.createuser("bea", "bea pass 1234", "bea@example.com")
    add_address(s, pk, "bea.two@example.com")
    aa = allauth(s, pk)
    expect("restauth takes allauth's token", confirm(s, aa["uid"],
                                                     aa["token"]), 200, DONE)
    expect("used: refused by restauth", confirm(s, aa["uid"], aa["token"]),
           400, {"token": INVALID})
    t.eq("used: refused by allauth",
         allauth(s, pk, token=aa["token"])["check"], False)
    r = s.post("/auth/login/", json={"username": "bea",
                                     "password": "a new pass 4711"})
    t.eq("login with the new password", r.status, 200)


def address_change_kills(s, d, seen):
    pk = s.createuser("cid", "cid pass 1234", "cid@example.com")
    uid, token = ask_link(s, d, seen, "cid@example.com")
    add_address(s, pk, "cid.new@example.com")
    t.eq("allauth: a new address ends the token",
         allauth(s, pk, token=token)["check"], False)
    expect("restauth: a new address ends the token",
           confirm(s, uid, token), 400, {"token": INVALID})


def django_link_refused(s):
    pk = s.createuser("dan", "dan pass 1234", "dan@example.com")
    aa = allauth(s, pk)
    b64 = base64.urlsafe_b64encode(str(pk).encode()).rstrip(b"=").decode()
    t.eq("allauth finds no such user for a base64 uid",
         allauth(s, pk, uid=b64)["pk"] != pk, True)
    r = confirm(s, b64, aa["token"])
    t.check("base64 uid: refused", r.status == 400 and
            r.json in ({"uid": INVALID}, {"token": INVALID}), r)


def uid_forms(s):
    """What allauth's url_str_to_user_pk takes (base36_to_int: at most 13
    characters, Python's int(s, 36)) restauth takes; what it refuses or
    finds no user for, restauth refuses with {"uid": ["Invalid value"]}."""
    # A pk with letters and several digits in base36.
    s.sql("SELECT setval(pg_get_serial_sequence('auth_user', 'id'), "
          "1000000)")
    pk = s.createuser("eve", "eve pass 1234", "eve@example.com")
    aa = allauth(s, pk)
    u = aa["uid"]
    t.check("eve's uid has letters", not u.isdigit(), u)
    good = [u.upper(), "+" + u, "0" * (13 - len(u)) + u]
    if len(u) >= 2:
        good.append(u[0] + "_" + u[1:])
    bad = ["0" * (14 - len(u)) + u, "-" + u, "_" + u, u + "_", u + "!",
           "0", "", "zzzzzzzzzzzzz", "1y2p0ij32e8e8", u + "\u0661"]
    for g in good:
        t.eq("allauth decodes %r" % g, allauth(s, pk, uid=g)["pk"], pk)
        r = confirm(s, g, "x-y")
        expect("uid %r: taken (then the token is refused)" % g, r, 400,
               {"token": INVALID})
    for b in bad:
        got = allauth(s, pk, uid=b)["pk"] if b.strip() else None
        t.check("allauth finds no user for %r" % b, got != pk, got)
        r = confirm(s, b, aa["token"])
        want = {"uid": ["This field may not be blank."]} if b == "" else \
            {"uid": INVALID}
        expect("uid %r: refused" % b, r, 400, want)
    # The right uid and token still work after all that.
    expect("eve's link", confirm(s, u, aa["token"]), 200, DONE)


def django_setting(s, d, seen):
    """PASSWORD_RESET_TOKEN_GENERATOR "django": base64 uids and Django's
    plain tokens (test_password.py checks those in depth); allauth's
    base36 uid and token are refused."""
    pk = s.createuser("fay", "fay pass 1234", "fay@example.com")
    aa = allauth(s, pk)
    uid, token = ask_link(s, d, seen, "fay@example.com")
    t.eq("django: uid is base64 of the pk", uid,
         base64.urlsafe_b64encode(str(pk).encode()).rstrip(b"=").decode())
    r = confirm(s, aa["uid"], aa["token"])
    t.check("django: allauth's link refused", r.status == 400, r)
    expect("django: its own link works", confirm(s, uid, token), 200, DONE)


def main():
    d = tempfile.mkdtemp(prefix="restauth-mail-")
    seen = set()
    try:
        with h.Stack(config(d)) as s:
            t.run(mailed_link_crosses, s, d, seen)
            t.run(allauth_token_accepted, s)
            t.run(address_change_kills, s, d, seen)
            t.run(django_link_refused, s)
            t.run(uid_forms, s)
        with h.Stack(config(d, "django")) as s:
            t.run(django_setting, s, d, seen)
    finally:
        shutil.rmtree(d, ignore_errors=True)


main()
t.done()
