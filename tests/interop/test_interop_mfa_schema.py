"""The MFA table beside a real Django project (djproject with mfaside, the
stand-in of dj-rest-auth's MFA app, label dj_rest_auth_mfa): the checks
of appschema.py (both migrate orders, the table equal to Django's but
for the cascade, user deletion), and JSONField rows Django's ORM writes
read back in SQL as restauth reads them, and rows written in SQL read
back in the ORM."""
import appschema
from djside import h

t = h.Tests(__file__)

TABLE = "dj_rest_auth_mfa_authenticator"
SEED = "0f" * 32
BIG_MASK = 2 ** 64 - 1  # 64 recovery codes, all used


def add_rows(s, uid):
    """A totp and a recovery_codes row for user uid, written in SQL."""
    s.sql("INSERT INTO %s (type, data, created_at, user_id) VALUES "
          "('totp', jsonb_build_object('secret', 'JBSWY3DPEHPK3PXP:sig', "
          "'last_code', '000123'), now(), %d), ('recovery_codes', "
          "jsonb_build_object('seed', '%s', 'used_mask', 5), now(), %d)"
          % (TABLE, uid, SEED, uid))


def orm_rows(s, d):
    """JSONField rows written by Django read back in SQL as restauth's
    statements read them; rows written in SQL read back in the ORM."""
    rc, out = appschema.shell(d, (
        "from django.contrib.auth.models import User\n"
        "from mfaside.models import Authenticator as A\n"
        "u = User.objects.create_user('mfajson')\n"
        "A.objects.create(user=u, type='totp', data={'secret': "
        "'JBSWY3DPEHPK3PXP:x-y_z', 'last_code': '012345'})\n"
        "A.objects.create(user=u, type='recovery_codes', data={'seed': "
        "%r, 'used_mask': %d})\n"
        "print('UID', u.pk)\n" % (SEED, BIG_MASK)))
    t.check("ORM writes totp and recovery_codes rows",
            rc == 0 and "UID " in out, out[-2000:])
    uid = int(out.split("UID ")[1].split()[0])
    got = s.sql(
        "SELECT type, coalesce(data->>'secret', '-'), "
        "coalesce(data->>'last_code', '-'), coalesce(data->>'seed', '-'), "
        "coalesce((data->>'used_mask'), '-'), "
        "(created_at IS NOT NULL)::text, (last_used_at IS NULL)::text "
        "FROM %s WHERE user_id = %d ORDER BY type" % (TABLE, uid))
    t.eq("SQL reads the ORM's rows", got, [
        ["recovery_codes", "-", "-", SEED, str(BIG_MASK), "true", "true"],
        ["totp", "JBSWY3DPEHPK3PXP:x-y_z", "012345", "-", "-", "true",
         "true"]])

    uid = s.createuser("mfasqlrows", "Tr0ub4dor&3x!")
    add_rows(s, uid)
    s.sql("UPDATE %s SET last_used_at = now(), data = data || "
          "jsonb_build_object('used_mask', (%d)::numeric) "
          "WHERE user_id = %d AND type = 'recovery_codes'"
          % (TABLE, BIG_MASK, uid))
    rc, out = appschema.shell(d, (
        "from mfaside.models import Authenticator as A\n"
        "for a in A.objects.filter(user_id=%d).order_by('type'):\n"
        "    print('ROW', a.type, sorted(a.data.items()), "
        "a.created_at is not None, a.last_used_at is not None)\n" % uid))
    t.check("the ORM reads rows written in SQL", rc == 0 and (
        "ROW recovery_codes [('seed', %r), ('used_mask', %d)] True True"
        % (SEED, BIG_MASK)) in out and (
        "ROW totp [('last_code', '000123'), ('secret', "
        "'JBSWY3DPEHPK3PXP:sig')] True False") in out, out[-2000:])


APP = appschema.App(
    t, label="dj_rest_auth_mfa", table=TABLE,
    fk="dj_rest_auth_mfa_authenticator_user_id_e953f0ca_fk_auth_user_id",
    switch="INTEROP_MFA", own=["restauth_mfa_token"], prefix="mfa",
    model="mfaside.models.Authenticator",
    create="M.objects.create(user=u, type='totp', data={'secret': 'S:sig'})",
    add_rows=add_rows)
APP.run(orm_rows)
