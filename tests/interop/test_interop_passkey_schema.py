"""The passkeys table beside a real Django project (djproject with
passkeyside, the stand-in of dj-rest-auth's passkeys app, label
passkeys): the checks of appschema.py (both migrate orders, the table
equal to Django's but for the cascade, user deletion), and credentials
Django's ORM writes (BinaryField bytes, JSONField transports) read back
in SQL as restauth reads them, found by their raw id and kept unique;
credentials written and updated in SQL as restauth writes them read
back in the ORM."""
import appschema
from djside import h

t = h.Tests(__file__)

TABLE = "passkeys_webauthncredential"
# A COSE_Key's bytes (an ES256 key's layout: kty 2, alg -7, crv 1, x, y).
KEY = (bytes.fromhex("a5010203262001215820") + bytes(range(32)) +
       bytes.fromhex("225820") + bytes(range(32, 64)))
NAME = "Cl\u00e9 de s\u00e9curit\u00e9"
COLUMNS = ("name, credential_id, public_key, sign_count, transports, "
           "discoverable, created_at, last_used_at, user_id")


def cid(uid, n):
    """A credential id for user uid: NUL, backslash, quote, 0xff bytes."""
    return bytes([0, 0x5c, 0x27, 0xff, n]) + uid.to_bytes(4, "big")


def bytea(b):
    """bytea's hex input form, as restauth passes binary parameters."""
    return "\\x" + b.hex()


def add_rows(s, uid):
    """Two credentials of user uid, written in SQL as restauth's
    register/complete/ writes them."""
    s.sql("INSERT INTO %s (%s) VALUES (:'p1', :'p2'::bytea, :'p4'::bytea, "
          "0, '[\"internal\", \"hybrid\"]'::jsonb, true, now(), NULL, %d), "
          "('YubiKey', :'p3'::bytea, :'p4'::bytea, 0, '[]'::jsonb, true, "
          "now(), NULL, %d)" % (TABLE, COLUMNS, uid, uid),
          NAME, bytea(cid(uid, 1)), bytea(cid(uid, 2)), bytea(KEY))


def orm_to_sql(s, d):
    """Credentials the ORM writes, read in SQL as restauth reads them."""
    rc, out = appschema.shell(d, (
        "from django.contrib.auth.models import User\n"
        "from passkeyside.models import WebAuthnCredential as C\n"
        "u = User.objects.create_user('pkorm2sql')\n"
        "C.objects.create(user=u, name=%r, credential_id=bytes(range(256)),"
        " public_key=%r, sign_count=2 ** 31 - 1, transports=['usb', 'nfc',"
        " 'hybrid'])\n"
        "C.objects.create(user=u, name='phone', credential_id=b'\\0', "
        "public_key=%r)\n"
        "print('UID', u.pk)\n" % (NAME, KEY, KEY)))
    t.check("ORM writes two credentials", rc == 0 and "UID " in out,
            out[-2000:])
    uid = int(out.split("UID ")[1].split()[0])
    got = s.sql(
        "SELECT name, encode(credential_id, 'hex'), encode(public_key, "
        "'hex'), sign_count, transports::text, discoverable::text, "
        "(created_at <= now())::text, (last_used_at IS NULL)::text "
        "FROM %s WHERE user_id = %d ORDER BY id" % (TABLE, uid))
    t.eq("SQL reads the ORM's credentials", got, [
        [NAME, bytes(range(256)).hex(), KEY.hex(), str(2 ** 31 - 1),
         '["usb", "nfc", "hybrid"]', "true", "true", "true"],
        ["phone", "00", KEY.hex(), "0", "[]", "true", "true", "true"]])
    t.eq("SQL finds an ORM credential by its raw id", s.sql(
        "SELECT user_id, name FROM %s WHERE credential_id = :'p1'::bytea"
        % TABLE, bytea(bytes(range(256)))), [[str(uid), NAME]])
    t.eq("the raw id is unique: a second insert of it adds nothing", s.sql(
        "INSERT INTO %s (%s) VALUES ('again', '\\x00', '\\x00', 0, '[]', "
        "true, now(), NULL, %d) ON CONFLICT (credential_id) DO NOTHING "
        "RETURNING id" % (TABLE, COLUMNS, uid)), [])


def sql_to_orm(s, d):
    """Credentials written and updated in SQL, read in the ORM."""
    uid = s.createuser("pksql2orm", "Tr0ub4dor&3x!")
    add_rows(s, uid)
    s.sql("UPDATE %s SET sign_count = 7, last_used_at = now() WHERE "
          "credential_id = :'p1'::bytea" % TABLE, bytea(cid(uid, 2)))
    rc, out = appschema.shell(d, (
        "from django.contrib.auth.models import User\n"
        "from passkeyside.models import WebAuthnCredential as C\n"
        "for c in User.objects.get(pk=%d).webauthn_credentials.order_by("
        "'id'):\n"
        "    print('ROW', ascii(c.name), bytes(c.credential_id).hex(), "
        "bytes(c.public_key) == %r, c.sign_count, c.transports, "
        "c.discoverable, c.created_at is not None, c.last_used_at is not "
        "None)\n"
        "print('BYID', C.objects.get(credential_id=%r).user_id)\n"
        % (uid, KEY, cid(uid, 2))))
    want = ["ROW %s %s True 0 ['internal', 'hybrid'] True True False" % (
        ascii(NAME), cid(uid, 1).hex()),
        "ROW 'YubiKey' %s True 7 [] True True True" % cid(uid, 2).hex(),
        "BYID %d" % uid]
    t.eq("the ORM reads credentials written in SQL",
         (rc, [x for x in out.splitlines() if x.startswith(("ROW", "BYID"))]),
         (0, want))


appschema.App(
    t, label="passkeys", table=TABLE,
    fk="passkeys_webauthncredential_user_id_4a0e0f60_fk_auth_user_id",
    switch="INTEROP_PASSKEYS", own=["restauth_passkey_challenge"],
    prefix="pk", model="passkeyside.models.WebAuthnCredential",
    create="M.objects.create(user=u, name='key', credential_id=b'pk-orm', "
    "public_key=b'k')", add_rows=add_rows).run(orm_to_sql, sql_to_orm)
