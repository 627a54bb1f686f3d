"""MFA_REQUIRE_REAUTH (restauth's, off by default): mfa/recovery-codes/
and mfa/recovery-codes/regenerate/ show or replace the recovery codes only
with a current TOTP code, its step burned; and `restauth mfa-reset`, the
administrator's way out for a lost authenticator. TOTP codes come from
oathtool only."""
import subprocess
import time

import harness as h

t = h.Tests(__file__)
PERIOD = 2  # seconds: steps go by quickly
PASSWORD = "correct horse 7"
REQUIRED = ["This field is required."]
INVALID = {"code": ["Invalid code."]}


def code_at(secret, step):
    return subprocess.run(
        ["oathtool", "--totp", "-b", "-s", "%ds" % PERIOD, "-N",
         "@%d" % (step * PERIOD), secret], capture_output=True, text=True,
        check=True).stdout.strip()


class Totp:
    """Codes of increasing steps within the server's window (T-1..T+1)."""

    def __init__(self, secret):
        self.secret = secret
        self.last = -1

    def fresh(self):
        while True:
            now = int(time.time() // PERIOD)
            step = max(self.last + 1, now - 1)
            # A margin: the request reaches the server within the step.
            if step <= now + 1 and (step > now - 1 or
                                    time.time() % PERIOD < PERIOD - 0.5):
                self.last = step
                return code_at(self.secret, step)
            time.sleep(0.2)


def enrol(s, key):
    r = s.get("/auth/mfa/totp/activate/", token=key)
    t.eq("activate GET", r.status, 200)
    totp = Totp(r.json["secret"])
    r = s.post("/auth/mfa/totp/activate/", token=key,
               json={"activation_token": r.json["activation_token"],
                     "code": totp.fresh()})
    t.eq("activate POST", r.status, 200)
    return totp, r.json["recovery_codes"]


def reauth():
    config = {"PASSWORD_HASHER": h.FAST_HASHER,
              "REST_AUTH": {"MFA_ENABLED": True, "MFA_TOTP_PERIOD": PERIOD,
                            "MFA_REQUIRE_REAUTH": True}}
    with h.Stack(config=config) as s:
        s.createuser("alice", PASSWORD, email="alice@example.com")
        key = s.login("alice", PASSWORD)
        # Without TOTP there is nothing to re-authenticate with.
        r = s.post("/auth/mfa/recovery-codes/", token=key)
        t.eq("no TOTP: no code asked", (r.status, r.json),
             (200, {"codes": []}))
        totp, first = enrol(s, key)
        for path in ("recovery-codes/", "recovery-codes/regenerate/"):
            url = "/auth/mfa/" + path
            r = s.post(url, token=key, json={})
            t.eq(path + " without code", (r.status, r.json),
                 (400, {"code": REQUIRED}))
            r = s.post(url, token=key, json={"code": ""})
            t.eq(path + " blank code", (r.status, r.json),
                 (400, {"code": ["This field may not be blank."]}))
            r = s.post(url, token=key, json={"code": "x" * 33})
            t.eq(path + " long code", (r.status, r.json), (400, {
                "code": ["Ensure this field has no more than 32 "
                         "characters."]}))
            r = s.post(url, token=key, body=b"{", headers={
                "Content-Type": "application/json"})
            t.eq(path + " malformed body", r.status, 400)
            r = s.post(url, token=key, json={"code": first[0]})
            t.eq(path + " a recovery code is no re-authentication",
                 (r.status, r.json), (400, INVALID))
        code = totp.fresh()
        r = s.post("/auth/mfa/recovery-codes/", token=key,
                   json={"code": code})
        t.eq("list with a current code", (r.status, r.json),
             (200, {"codes": first}))
        r = s.post("/auth/mfa/recovery-codes/", token=key,
                   json={"code": code})
        t.eq("the same code again: burned", (r.status, r.json),
             (400, INVALID))
        r = s.post("/auth/mfa/recovery-codes/regenerate/", token=key,
                   json={"code": totp.fresh()})
        t.eq("regenerate with a current code", r.status, 200)
        new = (r.json or {}).get("codes", [])
        t.check("new codes", len(new) == 10 and set(new).isdisjoint(first),
                new)
        # Wrong codes count in the account's backoff (LOGIN_FAILURE_LIMIT
        # 5): the sixth answer in a row is 429.
        answers = [s.post("/auth/mfa/recovery-codes/", token=key,
                          json={"code": "000000"}).status
                   for _ in range(6)]
        t.eq("wrong codes then the backoff", answers, [400] * 5 + [429])
        logs = s.run_log()
        t.check("refusals logged", "mfa: reauth_failed" in logs, logs[-400:])
        t.check("no code in the log", code not in logs)


def off_by_default():
    config = {"PASSWORD_HASHER": h.FAST_HASHER,
              "REST_AUTH": {"MFA_ENABLED": True, "MFA_TOTP_PERIOD": PERIOD}}
    with h.Stack(config=config) as s:
        s.createuser("bob", PASSWORD, email="bob@example.com")
        key = s.login("bob", PASSWORD)
        totp, first = enrol(s, key)
        # dj-rest-auth's view never reads the body: not even a bad one.
        r = s.post("/auth/mfa/recovery-codes/", token=key, body=b"{",
                   headers={"Content-Type": "application/json"})
        t.eq("off: the body is not read", (r.status, r.json),
             (200, {"codes": first}))
        r = s.post("/auth/login/", json={"username": "bob",
                                         "password": PASSWORD})
        t.check("MFA login challenge", (r.json or {}).get("mfa_required"), r)

        # restauth mfa-reset: the lost authenticator.
        rc, out, err = s.tool("mfa-reset", "bob")
        t.eq("mfa-reset", (rc, out.strip()), (0, "MFA removed for user bob"))
        t.eq("rows gone", s.sql("SELECT count(*) FROM "
                                "dj_rest_auth_mfa_authenticator"), [["0"]])
        r = s.post("/auth/login/", json={"username": "bob",
                                         "password": PASSWORD})
        t.eq("login after the reset: no challenge", (r.status, sorted(
            r.json or {})), (200, ["key"]))
        r = s.get("/auth/mfa/status/", token=key)
        t.eq("status after the reset", (r.status, (r.json or {}).get(
            "mfa_enabled")), (200, False))
        rc, out, err = s.tool("mfa-reset", "bob")
        t.eq("mfa-reset again", (rc, out.strip()),
             (0, "no MFA was set up for user bob"))
        rc, out, err = s.tool("mfa-reset", "nobody")
        t.eq("mfa-reset of an unknown user", (rc, err.strip().endswith(
            'user "nobody" does not exist')), (1, True))
        rc, out, err = s.tool("mfa-reset")
        t.eq("mfa-reset without a name: usage", rc, 2)


def damaged_rows():
    """Rows edited by hand into what restauth cannot read are read safe,
    never a 5xx: an unreadable step accepts no TOTP code (not one twice),
    an unreadable used_mask counts every recovery code used."""
    config = {"PASSWORD_HASHER": h.FAST_HASHER,
              "REST_AUTH": {"MFA_ENABLED": True, "MFA_TOTP_PERIOD": PERIOD}}
    with h.Stack(config=config) as s:
        s.createuser("carol", PASSWORD, email="carol@example.com")
        key = s.login("carol", PASSWORD)
        totp, first = enrol(s, key)

        def verify(code):
            r = s.post("/auth/login/", json={"username": "carol",
                                             "password": PASSWORD})
            return s.post("/auth/mfa/verify/", json={
                "ephemeral_token": (r.json or {}).get("ephemeral_token"),
                "code": code})

        # A Django beside restauth accepted a code: it wrote last_code,
        # not last_step. That code does not pass here too; the next does.
        code = totp.fresh()
        s.sql("UPDATE dj_rest_auth_mfa_authenticator SET data = "
              "jsonb_set(data, '{last_code}', to_jsonb(:'p1'::text)) "
              "WHERE type = 'totp'", code)
        r = verify(code)
        t.eq("a code Django accepted last: refused", (r.status, r.json),
             (400, INVALID))
        r = verify(totp.fresh())
        t.eq("the next code: accepted", (r.status, sorted(r.json or {})),
             (200, ["key"]))
        s.sql("UPDATE dj_rest_auth_mfa_authenticator SET data = "
              "jsonb_set(data, '{last_step}', '1.5') WHERE type = 'totp'")
        r = verify(totp.fresh())
        t.eq("unreadable last_step: no code", (r.status, r.json),
             (400, INVALID))
        r = s.get("/auth/mfa/status/", token=key)
        t.eq("unreadable last_step: status", (r.status, (r.json or {}).get(
            "mfa_enabled")), (200, True))
        r = verify(first[0])
        t.eq("unreadable last_step: a recovery code still logs in",
             (r.status, sorted(r.json or {})), (200, ["key"]))
        s.sql("UPDATE dj_rest_auth_mfa_authenticator SET data = "
              "jsonb_set(data, '{used_mask}', '\"x\"') WHERE type = "
              "'recovery_codes'")
        r = s.post("/auth/mfa/recovery-codes/", token=key)
        t.eq("unreadable used_mask: every code used", (r.status, r.json),
             (200, {"codes": []}))
        r = verify(first[1])
        t.eq("unreadable used_mask: no recovery code", (r.status, r.json),
             (400, INVALID))
        s.sql("UPDATE dj_rest_auth_mfa_authenticator SET data = "
              "jsonb_build_object('seed', repeat('zz', 32), 'used_mask', 0)"
              " WHERE type = 'recovery_codes'")
        r = s.post("/auth/mfa/recovery-codes/", token=key)
        t.eq("a seed that is not hex: no codes", (r.status, r.json),
             (200, {"codes": []}))
        r = verify(first[2])
        t.eq("a seed that is not hex: no recovery code", (r.status, r.json),
             (400, INVALID))
        logs = s.run_log()
        t.check("logged", "unreadable" in logs, logs[-600:])


t.run(reauth)
t.run(damaged_rows)
t.run(off_by_default)
t.done()
