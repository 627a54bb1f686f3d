"""The MFA table beside a real Django project (djproject with mfaside, the
stand-in of dj-rest-auth's MFA app, label dj_rest_auth_mfa): restauth's
migrate first records the app's 0001_initial and Django's migrate then
skips it; Django's migrate first makes the table and restauth keeps it
and records nothing; the table restauth makes is the one Django makes
(columns, types, NULLs, defaults, constraint and index names and
definitions) but for ON DELETE CASCADE on the user key; deleting a user
in SQL, through Django's ORM, and from a Django project without the app
deletes the user's rows; rows Django's ORM writes read back in SQL as
restauth reads them, and rows written in SQL read back in the ORM."""
import secrets
import shutil

import djside
from djside import h

t = h.Tests(__file__)

TABLE = "dj_rest_auth_mfa_authenticator"
FK = "dj_rest_auth_mfa_authenticator_user_id_e953f0ca_fk_auth_user_id"
SEED = "0f" * 32
BIG_MASK = 2 ** 64 - 1  # 64 recovery codes, all used


class NoMfaDjango(djside.Django):
    """The Django project without dj-rest-auth's MFA app."""

    def env(self):
        e = super().env()
        e["INTEROP_MFA"] = "0"
        return e


def database(prefix):
    """A new database and an unstarted Stack for restauth's admin tool."""
    s = h.Stack(dbname=prefix + "_" + secrets.token_hex(4))
    with open(s.config_path, "w") as f:
        f.write("{}")
    h.createdb(s.dbname)
    return s


def ra_migrate(what, s):
    rc, out, err = s.tool("migrate")
    t.eq(what + ": restauth migrate exits 0", (rc, err), (0, ""))
    return out


def dj_migrate(what, d):
    rc, out = d.manage("migrate", "--noinput")
    t.check(what + ": Django's migrate succeeds", rc == 0, out[-2000:])
    return out


def ledger(s):
    return s.sql("SELECT name FROM django_migrations "
                 "WHERE app = 'dj_rest_auth_mfa' ORDER BY id")


def objects(s):
    """Names of every index and constraint in the database."""
    return set(r[0] for r in s.sql(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
        "UNION SELECT conname FROM pg_constraint WHERE connamespace = "
        "'public'::regnamespace"))


def table(s):
    """Everything about the MFA table that Django's migration decides:
    columns (type, NOT NULL, default), constraints and indexes (name and
    definition), the id sequence (name, type)."""
    rel = "'%s'::regclass" % TABLE
    return sorted(
        [("column",) + tuple(r) for r in s.sql(
            "SELECT attname, format_type(atttypid, atttypmod), "
            "attnotnull::text, coalesce(pg_get_expr(d.adbin, d.adrelid), "
            "'-') FROM pg_attribute a LEFT JOIN pg_attrdef d ON "
            "d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE "
            "a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped" % rel)]
        + [("constraint",) + tuple(r) for r in s.sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s" % rel)]
        + [("index",) + tuple(r) for r in s.sql(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = '%s'" % TABLE)]
        + [("sequence",) + tuple(r) for r in s.sql(
            "SELECT sequencename, data_type::text FROM pg_sequences "
            "WHERE sequencename LIKE '%s%%'" % TABLE)])


def on_delete(s):
    """The user key's ON DELETE action ('a' none, 'c' cascade)."""
    return s.sql("SELECT confdeltype FROM pg_constraint WHERE conname = "
                 "'%s'" % FK)


def shell(d, code):
    rc, out = d.manage("shell", "-c", code)
    return rc, out


def stand_in():
    """mfaside's model and its migration agree (no migration to make)."""
    s = database("mfaside")
    d = djside.Django(s.dbname, s.secret)
    rc, out = d.manage("makemigrations", "--check", "--dry-run",
                       "dj_rest_auth_mfa")
    t.check("mfaside: model and migration 0001 agree", rc == 0, out)
    d.remove()
    shutil.rmtree(s.tmp, ignore_errors=True)


def restauth_first(dbs):
    """restauth's migrate, then Django's with the app."""
    s = database("mfa_ra")
    ra_migrate("restauth first", s)
    t.eq("restauth first: dj_rest_auth_mfa 0001_initial recorded",
         ledger(s), [["0001_initial"]])
    t.eq("restauth first: the user key cascades", on_delete(s), [["c"]])
    d = djside.Django(s.dbname, s.secret)
    out = dj_migrate("restauth first", d)
    t.check("restauth first: Django skips dj_rest_auth_mfa 0001",
            "Applying dj_rest_auth_mfa" not in out, out[-2000:])
    rc, out = d.manage("showmigrations", "dj_rest_auth_mfa")
    t.check("restauth first: showmigrations: 0001_initial applied",
            rc == 0 and "[X] 0001_initial" in out, out[-2000:])
    out = ra_migrate("restauth first, again", s)
    t.check("restauth first, again: nothing applied",
            "0 migrations applied" in out, out)
    t.eq("restauth first, again: one ledger row", ledger(s),
         [["0001_initial"]])
    dbs["restauth"] = (s, d)


def django_first(dbs):
    """Django's migrate with the app, then restauth's."""
    s = database("mfa_dj")
    d = djside.Django(s.dbname, s.secret)
    out = dj_migrate("Django first", d)
    t.check("Django first: Django applies dj_rest_auth_mfa 0001",
            "Applying dj_rest_auth_mfa.0001_initial... OK" in out,
            out[-2000:])
    before = (table(s), objects(s), ledger(s),
              s.sql("SELECT id FROM django_migrations ORDER BY id"))
    ra_migrate("Django first", s)
    t.eq("Django first: restauth keeps Django's table as it is",
         table(s), before[0])
    t.eq("Django first: its user key stays without cascade",
         on_delete(s), [["a"]])
    extra = sorted(n for n in objects(s) - before[1]
                   if not n.startswith("restauth_"))
    t.eq("Django first: restauth adds no object that is not restauth_",
         extra, [])
    t.eq("Django first: restauth records nothing",
         s.sql("SELECT id FROM django_migrations ORDER BY id"), before[3])
    t.eq("Django first: restauth_mfa_token made",
         s.sql("SELECT to_regclass('restauth_mfa_token') IS NOT NULL"),
         [["t"]])
    rc, out = d.manage("migrate", "--noinput")
    t.check("Django first, then restauth: Django has nothing to apply",
            rc == 0 and "No migrations to apply." in out, out[-2000:])
    dbs["django"] = (s, d)


def same_table(dbs):
    """The table restauth makes is Django's but for the cascade."""
    mine, theirs = table(dbs["restauth"][0]), table(dbs["django"][0])
    diff = sorted([("-",) + x for x in theirs if x not in mine] +
                  [("+",) + x for x in mine if x not in theirs])
    want = sorted([
        ("-", "constraint", FK, "FOREIGN KEY (user_id) REFERENCES "
         "auth_user(id) DEFERRABLE INITIALLY DEFERRED"),
        ("+", "constraint", FK, "FOREIGN KEY (user_id) REFERENCES "
         "auth_user(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED")])
    t.eq("restauth's table is Django's but for ON DELETE CASCADE "
         "(- Django, + restauth)", diff, want)


def rows_of(s, uid):
    return s.sql("SELECT type FROM %s WHERE user_id = %d ORDER BY type"
                 % (TABLE, uid))


def add_rows(s, uid):
    """A totp and a recovery_codes row for user uid, written in SQL."""
    s.sql("INSERT INTO %s (type, data, created_at, user_id) VALUES "
          "('totp', jsonb_build_object('secret', 'JBSWY3DPEHPK3PXP:sig', "
          "'last_code', '000123'), now(), %d), ('recovery_codes', "
          "jsonb_build_object('seed', '%s', 'used_mask', 5), now(), %d)"
          % (TABLE, uid, SEED, uid))


def deletes(dbs):
    """Deleting a user deletes its rows: in SQL, through Django's ORM
    with the app, and through a Django project that lacks the app."""
    s, d = dbs["restauth"]
    uid = s.createuser("mfasql", "Tr0ub4dor&3x!")
    add_rows(s, uid)
    t.eq("SQL delete: the user has two rows", len(rows_of(s, uid)), 2)
    s.sql("DELETE FROM auth_user WHERE id = %d" % uid)
    t.eq("SQL delete: its rows are gone", rows_of(s, uid), [])

    rc, out = shell(d, (
        "from django.contrib.auth.models import User\n"
        "from mfaside.models import Authenticator\n"
        "u = User.objects.create_user('mfaorm')\n"
        "Authenticator.objects.create(user=u, type='totp', "
        "data={'secret': 'S:sig'})\n"
        "uid = u.pk\n"
        "u.delete()\n"
        "print('LEFT', User.objects.filter(pk=uid).count(), "
        "Authenticator.objects.filter(user_id=uid).count())\n"))
    t.check("Django ORM delete with the app: user and rows deleted",
            rc == 0 and "LEFT 0 0" in out, out[-2000:])

    n = NoMfaDjango(s.dbname, s.secret)
    uid = s.createuser("mfanoapp", "Tr0ub4dor&3x!")
    add_rows(s, uid)
    rc, out = shell(n, (
        "from django.contrib.auth.models import User\n"
        "User.objects.get(username='mfanoapp').delete()\n"
        "print('DELETED')\n"))
    t.check("Django ORM delete without the app: succeeds",
            rc == 0 and "DELETED" in out, out[-2000:])
    t.eq("Django ORM delete without the app: the rows are gone",
         rows_of(s, uid), [])
    n.remove()


def orm_rows(dbs):
    """JSONField rows written by Django read back in SQL as restauth's
    statements read them; rows written in SQL read back in the ORM."""
    s, d = dbs["restauth"]
    rc, out = shell(d, (
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
    rc, out = shell(d, (
        "from mfaside.models import Authenticator as A\n"
        "for a in A.objects.filter(user_id=%d).order_by('type'):\n"
        "    print('ROW', a.type, sorted(a.data.items()), "
        "a.created_at is not None, a.last_used_at is not None)\n" % uid))
    t.check("the ORM reads rows written in SQL", rc == 0 and (
        "ROW recovery_codes [('seed', %r), ('used_mask', %d)] True True"
        % (SEED, BIG_MASK)) in out and (
        "ROW totp [('last_code', '000123'), ('secret', "
        "'JBSWY3DPEHPK3PXP:sig')] True False") in out, out[-2000:])


def without_app_first():
    """A Django project without the app migrates first; restauth makes
    the table and records the app, so adding the app later applies
    nothing."""
    s = database("mfa_noapp")
    n = NoMfaDjango(s.dbname, s.secret)
    dj_migrate("no MFA app", n)
    t.eq("no MFA app: no table yet",
         s.sql("SELECT to_regclass('%s') IS NULL" % TABLE), [["t"]])
    ra_migrate("no MFA app, then restauth", s)
    t.eq("no MFA app, then restauth: 0001_initial recorded", ledger(s),
         [["0001_initial"]])
    d = djside.Django(s.dbname, s.secret)
    rc, out = d.manage("migrate", "--noinput")
    t.check("the app added later: Django has nothing to apply",
            rc == 0 and "No migrations to apply." in out, out[-2000:])
    for x in (n, d):
        x.remove()
    shutil.rmtree(s.tmp, ignore_errors=True)


def main():
    dbs = {}
    t.run(stand_in)
    t.run(restauth_first, dbs)
    t.run(django_first, dbs)
    if len(dbs) == 2:
        t.run(same_table, dbs)
    if "restauth" in dbs:
        t.run(deletes, dbs)
        t.run(orm_rows, dbs)
    t.run(without_app_first)
    for s, d in dbs.values():
        d.remove()
        shutil.rmtree(s.tmp, ignore_errors=True)


main()
t.done()
