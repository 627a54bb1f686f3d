"""A dj-rest-auth app whose table restauth's migrations also make
(through its stand-in in djproject: mfaside, passkeyside), beside a real
Django project: the checks test_interop_mfa_schema.py and
test_interop_passkey_schema.py share. restauth's migrate first records
the app's 0001_initial and Django's migrate then skips it; Django's
migrate first makes the table and restauth keeps it and records
nothing; the table restauth makes is the one Django makes (columns,
types, NULLs, defaults, constraint and index names and definitions) but
for ON DELETE CASCADE on the user key; deleting a user in SQL, through
Django's ORM, and from a Django project without the app deletes the
user's rows; a project without the app migrating first, then restauth,
then the app added: nothing left to apply."""
import secrets
import shutil

import djside
from djside import h

# Run in Django's shell: showmigrations of the app, and whether the
# stand-in's model and its migration agree (nothing to make).
MIGRATIONS = """import io
from django.core.management import call_command
out = io.StringIO()
call_command('showmigrations', %(label)r, stdout=out)
print(out.getvalue())
try:
    call_command('makemigrations', %(label)r, check=True, dry_run=True,
                 stdout=io.StringIO())
    print('MODEL AGREES')
except SystemExit:
    print('MODEL DIFFERS')
"""

# Run in Django's shell: a user with rows made through the ORM, deleted.
ORM_DELETE = """from django.contrib.auth.models import User
from %(module)s import %(model)s as M
u = User.objects.create_user(%(name)r)
%(create)s
uid = u.pk
print('ROWS', M.objects.filter(user_id=uid).count())
u.delete()
print('LEFT', User.objects.filter(pk=uid).count(),
      M.objects.filter(user_id=uid).count())
"""


class WithoutApp(djside.Django):
    """The Django project with one app left out (its INTEROP_* switch)."""

    def __init__(self, dbname, secret, switch):
        super().__init__(dbname, secret)
        self.switch = switch

    def env(self):
        e = super().env()
        e[self.switch] = "0"
        return e


def database(prefix):
    """A new database and an unstarted Stack for restauth's admin tool."""
    s = h.Stack(dbname=prefix + "_" + secrets.token_hex(4))
    with open(s.config_path, "w") as f:
        f.write("{}")
    h.createdb(s.dbname)
    return s


def shell(d, code):
    """Run code in Django's shell: (returncode, output)."""
    return d.manage("shell", "-c", code)


class App:
    """One app. t: the file's h.Tests; label: the app label; table: its
    table; fk: its user key's constraint name; switch: the environment
    variable that leaves it out of djproject; own: restauth's own tables
    of the same migration; prefix: for database and user names;
    model: "module.Class" of the stand-in's model; create: Python that
    gives user u rows through M, the model; add_rows(s, uid): the same
    in SQL, as restauth writes them."""

    def __init__(self, t, label, table, fk, switch, own, prefix, model,
                 create, add_rows):
        self.t = t
        self.label = label
        self.table = table
        self.fk = fk
        self.switch = switch
        self.own = own
        self.prefix = prefix
        self.module, self.model = model.rsplit(".", 1)
        self.create = create
        self.add_rows = add_rows

    # --- one database ---

    def ra_migrate(self, what, s):
        rc, out, err = s.tool("migrate")
        self.t.eq(what + ": restauth migrate exits 0", (rc, err), (0, ""))
        return out

    def dj_migrate(self, what, d):
        rc, out = d.manage("migrate", "--noinput")
        self.t.check(what + ": Django's migrate succeeds", rc == 0,
                     out[-2000:])
        return out

    def ledger(self, s):
        return s.sql("SELECT name FROM django_migrations WHERE app = "
                     ":'p1' ORDER BY id", self.label)

    def shape(self, s):
        """Everything about the table that Django's migration decides:
        columns (type, NOT NULL, default), constraints and indexes (name
        and definition), the id sequence (name, type)."""
        rel = "'%s'::regclass" % self.table
        return sorted(
            [("column",) + tuple(r) for r in s.sql(
                "SELECT attname, format_type(atttypid, atttypmod), "
                "attnotnull::text, coalesce(pg_get_expr(d.adbin, "
                "d.adrelid), '-') FROM pg_attribute a LEFT JOIN pg_attrdef "
                "d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE "
                "a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped"
                % rel)]
            + [("constraint",) + tuple(r) for r in s.sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM "
                "pg_constraint WHERE conrelid = %s" % rel)]
            + [("index",) + tuple(r) for r in s.sql(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = '%s'" % self.table)]
            + [("sequence",) + tuple(r) for r in s.sql(
                "SELECT sequencename, data_type::text FROM pg_sequences "
                "WHERE sequencename LIKE '%s%%'" % self.table)])

    def on_delete(self, s):
        """The user key's ON DELETE action ('a' none, 'c' cascade)."""
        return s.sql("SELECT confdeltype FROM pg_constraint WHERE conname "
                     "= :'p1'", self.fk)

    def rows_of(self, s, uid):
        return s.sql("SELECT count(*) FROM %s WHERE user_id = %d"
                     % (self.table, uid))[0][0]

    # --- the scenarios ---

    def restauth_first(self, dbs):
        """restauth's migrate, then Django's with the app."""
        t, w = self.t, "restauth first"
        s = database(self.prefix + "_ra")
        self.ra_migrate(w, s)
        t.eq("%s: %s 0001_initial recorded" % (w, self.label),
             self.ledger(s), [["0001_initial"]])
        t.eq(w + ": the user key cascades", self.on_delete(s), [["c"]])
        d = djside.Django(s.dbname, s.secret)
        out = self.dj_migrate(w, d)
        t.check("%s: Django skips %s 0001" % (w, self.label),
                "Applying %s." % self.label not in out, out[-2000:])
        rc, out = shell(d, MIGRATIONS % {"label": self.label})
        t.check(w + ": showmigrations: 0001_initial applied",
                rc == 0 and "[X] 0001_initial" in out, out[-2000:])
        t.check("the stand-in's model and migration 0001 agree",
                rc == 0 and "MODEL AGREES" in out, out[-2000:])
        out = self.ra_migrate(w + ", again", s)
        t.check(w + ", again: nothing applied",
                "0 migrations applied" in out, out)
        t.eq(w + ", again: one ledger row", self.ledger(s),
             [["0001_initial"]])
        dbs["restauth"] = (s, d)

    def django_first(self, dbs):
        """Django's migrate with the app, then restauth's."""
        t, w = self.t, "Django first"
        s = database(self.prefix + "_dj")
        d = djside.Django(s.dbname, s.secret)
        out = self.dj_migrate(w, d)
        t.check("%s: Django applies %s 0001" % (w, self.label),
                "Applying %s.0001_initial... OK" % self.label in out,
                out[-2000:])
        migrations = "SELECT id FROM django_migrations ORDER BY id"
        before = (self.shape(s), objects(s), s.sql(migrations))
        self.ra_migrate(w, s)
        t.eq(w + ": restauth keeps Django's table as it is",
             self.shape(s), before[0])
        t.eq(w + ": its user key stays without cascade",
             self.on_delete(s), [["a"]])
        extra = sorted(n for n in objects(s) - before[1]
                       if not n.startswith("restauth_"))
        t.eq(w + ": restauth adds no object that is not restauth_",
             extra, [])
        t.eq(w + ": restauth records nothing", s.sql(migrations),
             before[2])
        for name in self.own:
            t.eq("%s: %s made" % (w, name), s.sql(
                "SELECT to_regclass(:'p1') IS NOT NULL", name), [["t"]])
        rc, out = d.manage("migrate", "--noinput")
        t.check(w + ", then restauth: Django has nothing to apply",
                rc == 0 and "No migrations to apply." in out, out[-2000:])
        dbs["django"] = (s, d)

    def same_table(self, dbs):
        """The table restauth makes is Django's but for the cascade."""
        mine = self.shape(dbs["restauth"][0])
        theirs = self.shape(dbs["django"][0])
        diff = sorted([("-",) + x for x in theirs if x not in mine] +
                      [("+",) + x for x in mine if x not in theirs])
        key = "FOREIGN KEY (user_id) REFERENCES auth_user(id) "
        want = sorted([
            ("-", "constraint", self.fk,
             key + "DEFERRABLE INITIALLY DEFERRED"),
            ("+", "constraint", self.fk,
             key + "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED")])
        self.t.eq("restauth's table is Django's but for ON DELETE CASCADE "
                  "(- Django, + restauth)", diff, want)

    def deletes(self, dbs):
        """Deleting a user deletes its rows: in SQL, through Django's ORM
        with the app, and through a Django project that lacks the app."""
        t, (s, d) = self.t, dbs["restauth"]
        uid = s.createuser(self.prefix + "sql", "Tr0ub4dor&3x!")
        self.add_rows(s, uid)
        t.check("SQL delete: the user has rows", self.rows_of(s, uid) != "0")
        s.sql("DELETE FROM auth_user WHERE id = %d" % uid)
        t.eq("SQL delete: its rows are gone", self.rows_of(s, uid), "0")

        rc, out = shell(d, ORM_DELETE % {
            "module": self.module, "model": self.model, "create":
            self.create, "name": self.prefix + "orm"})
        t.check("Django ORM delete with the app: user and rows deleted",
                rc == 0 and "ROWS " in out and "ROWS 0" not in out
                and "LEFT 0 0" in out, out[-2000:])

        n = WithoutApp(s.dbname, s.secret, self.switch)
        name = self.prefix + "noapp"
        uid = s.createuser(name, "Tr0ub4dor&3x!")
        self.add_rows(s, uid)
        rc, out = shell(n, (
            "from django.contrib.auth.models import User\n"
            "User.objects.get(username=%r).delete()\n"
            "print('DELETED')\n" % name))
        t.check("Django ORM delete without the app: succeeds",
                rc == 0 and "DELETED" in out, out[-2000:])
        t.eq("Django ORM delete without the app: the rows are gone",
             self.rows_of(s, uid), "0")
        n.remove()

    def without_app_first(self):
        """A Django project without the app migrates first; restauth
        makes the table and records the app, so adding the app later
        applies nothing."""
        t, w = self.t, "without the app"
        s = database(self.prefix + "_noapp")
        n = WithoutApp(s.dbname, s.secret, self.switch)
        self.dj_migrate(w, n)
        t.eq(w + ": no table yet", s.sql(
            "SELECT to_regclass(:'p1') IS NULL", self.table), [["t"]])
        self.ra_migrate(w + ", then restauth", s)
        t.eq(w + ", then restauth: 0001_initial recorded", self.ledger(s),
             [["0001_initial"]])
        d = djside.Django(s.dbname, s.secret)
        rc, out = d.manage("migrate", "--noinput")
        t.check("the app added later: Django has nothing to apply",
                rc == 0 and "No migrations to apply." in out, out[-2000:])
        for x in (n, d):
            x.remove()
        shutil.rmtree(s.tmp, ignore_errors=True)

    def run(self, *more):
        """Every scenario above, then each of more (called with the Stack
        and the Django of the restauth-first database), then t.done()."""
        t, dbs = self.t, {}
        t.run(self.restauth_first, dbs)
        t.run(self.django_first, dbs)
        if len(dbs) == 2:
            t.run(self.same_table, dbs)
        if "restauth" in dbs:
            t.run(self.deletes, dbs)
            for fn in more:
                t.run(fn, *dbs["restauth"])
        t.run(self.without_app_first)
        for s, d in dbs.values():
            d.remove()
            shutil.rmtree(s.tmp, ignore_errors=True)
        t.done()


def objects(s):
    """Names of every index and constraint in the database."""
    return set(r[0] for r in s.sql(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
        "UNION SELECT conname FROM pg_constraint WHERE connamespace = "
        "'public'::regnamespace"))
