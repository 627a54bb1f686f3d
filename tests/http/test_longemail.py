"""An e-mail address of 254 characters (Django's EmailField max_length
counts characters) but far more than 254 bytes (an IDN domain in UTF-8):
registration, the confirmation mail, user/, createuser, password
reset (the mail arrives, its link works) and resend-email all take it;
nothing answers 5xx. It used to break the reset token (500) and mail."""
import os
import re
import shutil
import subprocess
import tempfile
import time
import email
import email.policy

import harness as h

t = h.Tests(__file__)
HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "capture_mail.sh")
RESET_URL = "https://app.example/reset/{uid}/{token}/"
LINK_RE = re.compile(r"https://app\.example/reset/([^/\s]*)/([^/\s]*)/")
FAST = h.FAST_HASHER


def address(local_len, label="\u00e9" * 30, labels=7):
    """local@label.label...com: 254 characters when local_len is 33; each
    label is 30 two-byte characters (36 characters in punycode)."""
    return "u" * local_len + "@" + ".".join([label] * labels) + ".com"


LONG = address(33)
LONG3 = "w" + LONG[1:]
TOOLONG = address(34)  # 255 characters


def wait_mail(d, seen, deadline_s=h.MAIL_WAIT):
    """The first new finished message in d, polled until a deadline."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        fresh = sorted(f for f in os.listdir(d)
                       if not f.startswith(".") and f not in seen)
        if fresh:
            seen.add(fresh[0])
            with open(os.path.join(d, fresh[0]), "rb") as f:
                # (RFC 6532: UTF-8 in the header, as sent.)
                return email.message_from_string(
                    f.read().decode(), policy=email.policy.default)
        time.sleep(0.05)
    return None


def no5xx(what, r):
    t.check(what + ": no 5xx", r.status < 500, r)


def scenario(s, maildir):
    t.eq("254 characters", len(LONG), 254)
    t.check("more than 254 bytes", len(LONG.encode()) > 400,
            len(LONG.encode()))
    seen = set()
    r = s.post("/auth/registration/", json={
        "username": "longmail", "email": LONG,
        "password1": "a long enough pass 1", "password2":
        "a long enough pass 1"})
    no5xx("register", r)
    t.check("register: 201", r.status == 201, r)
    m = wait_mail(maildir, seen)
    t.check("confirmation mail arrives", m is not None)
    if m is not None:
        t.eq("confirmation mail: To", [a.addr_spec for a in
                                        m["To"].addresses], [LONG])
    r = s.post("/auth/registration/", json={
        "username": "toolong", "email": TOOLONG,
        "password1": "a long enough pass 1", "password2":
        "a long enough pass 1"})
    no5xx("255 characters", r)
    t.eq("255 characters: Django's max_length error", (r.status, r.json),
         (400, {"email": ["Ensure this field has no more than 254 "
                          "characters."]}))
    r = s.post("/auth/registration/resend-email/", json={"email": LONG})
    no5xx("resend-email", r)
    t.eq("resend-email: 200", r.status, 200)
    wait_mail(maildir, seen, h.scaled(3))  # (a cooldown may hold it)

    # Reset: the mail arrives and its link sets the password.
    r = s.post("/auth/password/reset/", json={"email": LONG})
    no5xx("reset", r)
    t.check("reset: 200", r.status == 200, r)
    m = wait_mail(maildir, seen)
    if not t.check("reset mail arrives", m is not None):
        return
    t.eq("reset mail: To", [a.addr_spec for a in m["To"].addresses], [LONG])
    link = LINK_RE.search(m.get_body(preferencelist=("plain",))
                          .get_content())
    if not t.check("reset mail: a link", link is not None, m):
        return
    r = s.post("/auth/password/reset/confirm/", json={
        "uid": link.group(1), "token": link.group(2),
        "new_password1": "another long pass 2",
        "new_password2": "another long pass 2"})
    no5xx("confirm", r)
    t.eq("confirm: 200", r.status, 200)
    r = s.post("/auth/login/", json={"username": "longmail",
                                     "password": "another long pass 2"})
    t.eq("login with the new password", r.status, 200)
    key = (r.json or {}).get("key")

    # (user/ cannot change the address: dj-rest-auth's
    # UserDetailsSerializer has email read-only.)
    r = s.request("PATCH", "/auth/user/", json={"first_name": "L"},
                  token=key)
    no5xx("user PATCH", r)
    t.eq("user PATCH: the address comes back whole",
         (r.status, (r.json or {}).get("email")), (200, LONG))
    r = s.get("/auth/user/", token=key)
    t.eq("user GET: the address", (r.json or {}).get("email"), LONG)

    # The admin tool's createuser.
    rc, out, err = s.tool("createuser", "tooluser", "--email", LONG3,
                          input="a long enough pass 3\n")
    t.eq("createuser with the address", rc, 0)
    r = s.post("/auth/password/reset/", json={"email": LONG3})
    no5xx("reset of the tool's user", r)
    t.check("reset mail of the tool's user",
            wait_mail(maildir, seen) is not None)


maildir = tempfile.mkdtemp(prefix="restauth-mail-")
os.chmod(maildir, 0o777)
try:
    with h.Stack(config={"EMAIL_SENDMAIL": CAPTURE + " " + maildir,
                         "DEFAULT_FROM_EMAIL": "r <noreply@example.com>",
                         "PASSWORD_RESET_URL": RESET_URL,
                         "PASSWORD_HASHER": FAST,
                         "ACCOUNT": {"EMAIL_CONFIRMATION_COOLDOWN": 0},
                         "AUTH_PASSWORD_VALIDATORS": []}) as s:
        t.run(scenario, s, maildir)
finally:
    shutil.rmtree(maildir, ignore_errors=True)
t.done()
