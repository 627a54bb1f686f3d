"""Migration order beside a real Django project (tests/interop/djproject:
Django 3.2, DRF tokens, simplejwt's blacklist, allauth's account app) on
one database: restauth's migrate first and Django's migrate first both
end in a working pair; a database that allauth later upgrades (its 0.63
constraint unique_primary_email) does not collide with restauth's
objects; Django can create "BOB2" beside "bob2"; both orders give Django's
tables the same shape; restauth's migrate is idempotent and an old
restauth database upgrades to the same state."""
import os
import secrets
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import harness as h  # noqa: E402

t = h.Tests(__file__)

DJ = os.path.join(HERE, "djproject")
PY = "/usr/bin/python3"
PW = "Tr0ub4dor&3x!"
# allauth 0.63's account 0009, as its migration makes it.
ALLAUTH_0009 = ("CREATE UNIQUE INDEX unique_primary_email ON "
                "account_emailaddress (user_id, \"primary\") "
                "WHERE \"primary\"; "
                "INSERT INTO django_migrations (app, name, applied) VALUES "
                "('account', '0009_emailaddress_unique_primary_email', "
                "now())")
# The schema operations of allauth 0.63's account 0003-0009 (with
# ACCOUNT_UNIQUE_EMAIL), run through Django's migration machinery from the
# state Django records after 0002: what upgrading allauth does to the
# account tables restauth made.
ALLAUTH_063_OPS = """
from django.db import connection, models
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.models.functions import Upper
state = MigrationLoader(connection).project_state(
    ("account", "0002_email_max_length"))
Q, UC = models.Q, models.UniqueConstraint
steps = [
    ops.AlterUniqueTogether("emailaddress", {("user", "email")}),
    ops.AddConstraint("emailaddress", UC(
        fields=["email"], condition=Q(verified=True),
        name="unique_verified_email")),
    ops.AlterField("emailaddress", "email",
                   models.EmailField(max_length=254)),
    ops.AddIndex("emailaddress", models.Index(
        Upper("email"), name="account_emailaddress_upper")),
    ops.RemoveIndex("emailaddress", "account_emailaddress_upper"),
    ops.AlterField("emailaddress", "email",
                   models.EmailField(max_length=254, db_index=True)),
    ops.AddConstraint("emailaddress", UC(
        fields=["user", "primary"], condition=Q(primary=True),
        name="unique_primary_email")),
]
with connection.schema_editor() as editor:
    for op in steps:
        new = state.clone()
        op.state_forwards("account", new)
        op.database_forwards("account", editor, state, new)
        state = new
print("UPGRADED")
"""
# What allauth 0.51 with ACCOUNT_UNIQUE_EMAIL makes of account_emailaddress
# (UNIQUE (email)) against restauth's shape, allauth's since 0.63
# (UNIQUE (user_id, email); the verified-address uniqueness lives in
# restauth_email_unique): the one difference between the two orders.
KNOWN = {("-", "constraint", "account_emailaddress|u|email|-"),
         ("+", "constraint", "account_emailaddress|u|email,user_id|-")}


def django(s, *args, env=None):
    """manage.py args against Stack s's database. (rc, stdout+stderr)."""
    e = dict(os.environ)
    e.update({"INTEROP_SECRET_KEY": s.secret, "INTEROP_DB_NAME": s.dbname,
              "INTEROP_DB_HOST": os.path.join(h.PGDIR, "sock"),
              "INTEROP_MAIL_DIR": s.tmp})
    e.update(env or {})
    r = subprocess.run([PY, "manage.py"] + list(args), cwd=DJ, env=e,
                       capture_output=True, text=True,
                       timeout=h.scaled(120))
    return r.returncode, r.stdout + r.stderr


def unstarted(prefix):
    """A Stack on a new database that is not served: for restauth's
    admin tool and SQL only."""
    s = h.Stack(dbname=prefix + "_" + os.urandom(4).hex())
    with open(s.config_path, "w") as f:
        f.write("{}")
    h.createdb(s.dbname)
    return s


def migrate(s, *args):
    rc, out, err = s.tool("migrate", *args)
    t.eq("restauth migrate %s on %s: exit 0" % (" ".join(args), s.dbname),
         rc, 0)
    return out, err


def all_applied(what, s):
    rc, out = django(s, "showmigrations")
    t.check(what + ": showmigrations lists every migration applied",
            rc == 0 and "[ ]" not in out and "[X]" in out, out[-2000:])


def nothing_to_apply(what, s):
    rc, out = django(s, "migrate")
    t.check(what + ": Django's migrate has nothing to apply",
            rc == 0 and "No migrations to apply." in out, out[-2000:])


def authenticates(s, username, password):
    rc, out = django(s, "shell", "-c",
                     "from django.contrib.auth import authenticate\n"
                     "u = authenticate(username=%r, password=%r)\n"
                     "print('AUTH', u.username if u else None)"
                     % (username, password))
    return "AUTH %s" % username in out, out[-2000:]


def objects(s):
    """Names of every index and constraint in the database."""
    return set(r[0] for r in s.sql(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
        "UNION SELECT conname FROM pg_constraint WHERE connamespace = "
        "'public'::regnamespace"))


def shape(s):
    """Django's tables (all but restauth's own): columns (name, type,
    nullability) and unique/PK/FK constraints as column sets."""
    cols = s.sql(
        "SELECT c.relname || '|' || a.attname || '|' || "
        "format_type(a.atttypid, a.atttypmod) || '|' || a.attnotnull "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
        "AND c.relname NOT LIKE 'restauth\\_%' AND a.attnum > 0 "
        "AND NOT a.attisdropped")
    cons = s.sql(
        "SELECT conrelid::regclass::text || '|' || contype::text || '|' || "
        "(SELECT string_agg(attname, ',' ORDER BY attname) FROM "
        "pg_attribute WHERE attrelid = conrelid AND attnum = ANY (conkey)) "
        "|| '|' || coalesce(confrelid::regclass::text, '-') "
        "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
        "AND contype IN ('p', 'u', 'f') "
        "AND conrelid::regclass::text NOT LIKE 'restauth\\_%'")
    return (set(("column", r[0]) for r in cols) |
            set(("constraint", r[0]) for r in cons))


def ledger(s):
    return sorted(tuple(r) for r in s.sql(
        "SELECT app, name FROM django_migrations"))


def restauth_first(k, shapes):
    """(a): restauth's migrate on an empty database, then Django's."""
    with h.Stack(secret=k) as s:
        rc, out = django(s, "migrate")
        t.check("restauth first: Django's migrate succeeds", rc == 0,
                out[-2000:])
        all_applied("restauth first", s)
        rc, out = django(s, "createsuperuser", "--noinput", "--username",
                         "djadmin", "--email", "djadmin@example.com",
                         env={"DJANGO_SUPERUSER_PASSWORD": PW})
        t.check("restauth first: Django's createsuperuser", rc == 0,
                out[-2000:])
        rc, out = django(s, "check")
        t.check("restauth first: Django's check", rc == 0, out[-2000:])
        r = s.post("/auth/login/", json={"username": "djadmin",
                                         "password": PW})
        t.check("restauth first: Django's superuser logs in on restauth",
                r.status == 200 and "key" in (r.json or {}), repr(r))
        s.createuser("racreated", PW)
        ok, out = authenticates(s, "racreated", PW)
        t.check("restauth first: a createuser user authenticates in "
                "Django", ok, out)
        r = s.post("/auth/registration/", json={
            "username": "raregistered", "email": "rareg@example.com",
            "password1": PW, "password2": PW})
        t.eq("restauth first: registration", r.status, 201)
        ok, out = authenticates(s, "raregistered", PW)
        t.check("restauth first: a registered user authenticates in "
                "Django", ok, out)
        django_case(s)
        shapes["restauth first"] = shape(s)
        rc, out = django(s, "shell", "-c", ALLAUTH_063_OPS)
        t.check("restauth first: allauth 0.63's account migrations run on "
                "restauth's tables", rc == 0 and "UPGRADED" in out,
                out[-2000:])


def django_case(s):
    """(d): Django's own code creates "BOB2" beside "bob2" (its checks
    compare names exactly) on a database restauth migrated."""
    rc, out = django(s, "shell", "-c",
                     "from django.contrib.auth.models import User\n"
                     "User.objects.create_user('bob2', password='x')\n"
                     "User.objects.create_user('BOB2', password='x')\n"
                     "print('CREATED')")
    t.check("Django creates BOB2 beside bob2", rc == 0 and "CREATED" in out,
            out[-2000:])
    rc, out = django(s, "createsuperuser", "--noinput", "--username",
                     "Bob2", "--email", "bob2@example.com",
                     env={"DJANGO_SUPERUSER_PASSWORD": PW})
    t.check("Django's createsuperuser makes Bob2 beside them", rc == 0,
            out[-2000:])


def django_first(k, shapes):
    """(b), (c): Django's migrate on an empty database, then restauth's
    (a Stack on it), then Django's again; then allauth 0.63 upgrades."""
    dbname = "dj_" + os.urandom(4).hex()
    h.createdb(dbname)
    s = h.Stack(secret=k, dbname=dbname)
    rc, out = django(s, "migrate")
    t.check("Django first: Django's migrate", rc == 0, out[-2000:])
    rc, out = django(s, "createsuperuser", "--noinput", "--username",
                     "djfirst", "--email", "djfirst@example.com",
                     env={"DJANGO_SUPERUSER_PASSWORD": PW})
    t.check("Django first: createsuperuser", rc == 0, out[-2000:])
    before, rows = objects(s), ledger(s)
    with s:
        extra = sorted(n for n in objects(s) - before
                       if not n.startswith("restauth_"))
        t.eq("Django first: restauth adds no object under a name that is "
             "not restauth_", extra, [])
        t.eq("Django first: restauth records nothing Django recorded",
             ledger(s), rows)
        nothing_to_apply("Django first, then restauth", s)
        all_applied("Django first, then restauth", s)
        r = s.post("/auth/login/", json={"username": "djfirst",
                                         "password": PW})
        t.eq("Django first: Django's user logs in on restauth", r.status,
             200)
        s.createuser("rafirst2", PW)
        ok, out = authenticates(s, "rafirst2", PW)
        t.check("Django first: restauth's user authenticates in Django",
                ok, out)
        django_case(s)
        shapes["Django first"] = shape(s)
        # (c) allauth 0.63 upgrades this database later.
        try:
            s.sql(ALLAUTH_0009)
            collided = ""
        except subprocess.CalledProcessError as e:
            collided = e.stderr
        t.eq("allauth's unique_primary_email after restauth: no collision",
             collided, "")
        out, err = migrate(s)
        t.check("restauth migrate again: nothing applied",
                "0 migrations applied" in out, out + err)
        t.eq("allauth's index stays", sorted(
            n for n in objects(s) if n.endswith("unique_primary_email")),
            ["restauth_unique_primary_email", "unique_primary_email"])


def same_shape(shapes):
    """(e): Django's tables have the same shape in both orders."""
    a, b = shapes["restauth first"], shapes["Django first"]
    diff = sorted([("-",) + x for x in b - a] + [("+",) + x for x in a - b])
    t.eq("Django's tables: same shape in both orders (- Django first, "
         "+ restauth first)", [d for d in diff if d not in KNOWN], [])


def without_allauth(k):
    """(b) for a Django project that has no allauth (nor simplejwt):
    restauth makes account_* and token_blacklist_* and records those
    apps, so adding them to the project later does not fail."""
    s = unstarted("noaa")
    rc, out = django(s, "migrate")
    t.check("no allauth: Django's migrate", rc == 0, out[-2000:])
    s.sql("DROP TABLE account_emailconfirmation, account_emailaddress, "
          "token_blacklist_blacklistedtoken, "
          "token_blacklist_outstandingtoken; DELETE FROM django_migrations "
          "WHERE app IN ('account', 'token_blacklist')")
    migrate(s)
    t.eq("no allauth: restauth records account's migrations", s.sql(
        "SELECT name FROM django_migrations WHERE app = 'account' "
        "ORDER BY name"), [["0001_initial"], ["0002_email_max_length"]])
    nothing_to_apply("no allauth, then restauth, then allauth added", s)
    shutil.rmtree(s.tmp, ignore_errors=True)


def allauth_first(k):
    """(c): allauth (0.63) made unique_primary_email before restauth's
    first migrate: restauth keeps it as allauth's."""
    s = unstarted("aa")
    rc, out = django(s, "migrate")
    t.check("allauth first: Django's migrate", rc == 0, out[-2000:])
    s.sql(ALLAUTH_0009)
    migrate(s)
    names = sorted(n for n in objects(s)
                   if n.endswith("unique_primary_email"))
    t.eq("allauth first: its constraint kept, none of restauth's",
         names, ["unique_primary_email"])
    shutil.rmtree(s.tmp, ignore_errors=True)


def upgrade():
    """(c) reverse and (f): a restauth database from before (sql/0001 to
    0007) upgrades to the state of a fresh one; migrate twice is a
    no-op; allauth's constraint then finds its name free."""
    old = tempfile.mkdtemp(prefix="restauth-oldsql-")
    try:
        for name in sorted(os.listdir(os.path.join(h.SRC, "sql"))):
            if name[:4].isdigit() and "0001" <= name[:4] <= "0007":
                shutil.copy(os.path.join(h.SRC, "sql", name), old)
        up = unstarted("up")
        migrate(up, "--sql", old)
        t.eq("old restauth: its index is named unique_primary_email",
             "unique_primary_email" in objects(up), True)
        migrate(up)
        fresh = unstarted("fresh")
        out, err = migrate(fresh)
        t.eq("an empty database: a quiet migrate", err, "")
        state = (objects(fresh), shape(fresh), ledger(fresh))
        out, err = migrate(fresh)
        t.check("migrate twice: nothing applied",
                "0 migrations applied" in out, out + err)
        t.eq("migrate twice: same state",
             (objects(fresh), shape(fresh), ledger(fresh)) == state, True)
        t.eq("upgraded old database: names as a fresh one",
             sorted(objects(up) ^ state[0]), [])
        t.eq("upgraded old database: shape as a fresh one",
             sorted(shape(up) ^ state[1]), [])
        t.eq("upgraded old database: ledger as a fresh one", ledger(up),
             state[2])
        try:
            up.sql(ALLAUTH_0009)
            collided = ""
        except subprocess.CalledProcessError as e:
            collided = e.stderr
        t.eq("upgraded old database: allauth's constraint does not "
             "collide", collided, "")
        for s in (up, fresh):
            shutil.rmtree(s.tmp, ignore_errors=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def main():
    k = secrets.token_urlsafe(40)
    shapes = {}
    t.run(restauth_first, k, shapes)
    t.run(django_first, k, shapes)
    t.run(same_shape, shapes)
    t.run(without_allauth, k)
    t.run(allauth_first, k)
    t.run(upgrade)

main()
t.done()
