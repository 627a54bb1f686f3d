"""The admin tool, build/restauth -c CONFIG CMD: migrate, createuser,
changepassword, check, flushexpiredtokens' MFA and passkey parts, and its
exit codes
(0 done, 1 refused, 2 usage, 3 bad config, 4 database unreachable)."""
import base64
import json
import os
import re
import subprocess
import tempfile

import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
CONFIG = {"PASSWORD_HASHER": FAST}
TOOL = os.path.join(h.BUILD, "restauth")
HASH_RE = re.compile(r"^argon2\$argon2id\$v=19\$m=1024,t=1,p=1\$"
                     r"([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$")


def tool(s, *args, input=None, env=None, config=None):
    e = s.env()
    e.update(env or {})
    argv = [TOOL]
    if config is not False:
        argv += ["-c", config or s.config_path]
    r = subprocess.run(argv + list(args), input=input, capture_output=True,
                       text=True, env=e, timeout=60)
    return r.returncode, r.stdout, r.stderr


def schema(s, dburl=None):
    """Tables, columns, indexes, constraints and the migration rows."""
    q = """
SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' '
       || coalesce(character_maximum_length::text, '') || ' ' || is_nullable
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL SELECT 'idx ' || indexname || ' ' || indexdef FROM pg_indexes
  WHERE schemaname = 'public'
UNION ALL SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
ORDER BY 1"""
    return sql_at(dburl or s.dburl, q)


def sql_at(dburl, q):
    r = subprocess.run([h.PSQL, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                        "-d", dburl], input=q, capture_output=True,
                       text=True, check=True)
    return [l for l in r.stdout.splitlines() if l]


def migrate(s):
    # tools/run.sh migrated this database when the stack started.
    before = schema(s)
    versions = s.sql("SELECT * FROM restauth_schema_version")
    rc, out, err = tool(s, "migrate")
    t.eq("migrate again: exit", rc, 0)
    t.check("migrate again: 0 applied", re.search(r"\b0 migrations? "
                                                   r"applied", out), out)
    t.eq("migrate again: schema unchanged", schema(s), before)
    t.eq("migrate again: versions unchanged",
         s.sql("SELECT * FROM restauth_schema_version"), versions)
    # A fresh database: the first run applies, the second does not.
    name = s.dbname + "_m"
    subprocess.run([os.path.join(h.SRC, "tools/pg.sh"), "createdb", h.PGDIR,
                    name], check=True, stdout=subprocess.DEVNULL)
    url = h.pg_url(name)
    rc, out, err = tool(s, "migrate", env={"DATABASE_URL": url})
    t.eq("fresh migrate: exit", rc, 0)
    m = re.search(r"\b(\d+) migrations? applied", out)
    t.check("fresh migrate: some applied", m and int(m.group(1)) > 0, out)
    first = schema(s, url)
    t.check("fresh migrate: auth_user and authtoken_token",
            any(l.startswith("col auth_user.password ") for l in first) and
            any(l.startswith("col authtoken_token.key ") for l in first),
            first[:5])
    rc, out, err = tool(s, "migrate", env={"DATABASE_URL": url})
    t.eq("fresh migrate twice: exit", rc, 0)
    t.check("fresh migrate twice: 0 applied",
            re.search(r"\b0 migrations? applied", out), out)
    t.eq("fresh migrate twice: schema unchanged", schema(s, url), first)
    t.eq("same schema as the stack's", first, before)


def createuser(s):
    rc, out, err = tool(s, "createuser", "carol", "--email",
                        "carol@example.com", input="s3cret pass\n")
    t.eq("createuser: exit", rc, 0)
    rows = s.sql("SELECT password, email, is_superuser, is_staff, "
                 "is_active, first_name = '' AND last_name = '', "
                 "date_joined IS NOT NULL, last_login IS NULL FROM auth_user "
                 "WHERE username = 'carol'")
    t.eq("createuser: one row", len(rows), 1)
    if rows:
        pw = rows[0][0]
        m = HASH_RE.match(pw)
        t.check("argon2id hash with the configured cost", m, pw)
        if m:
            salt = base64.b64decode(m.group(1) + "=" * (-len(m.group(1)) % 4))
            t.check("salt of 16+ bytes", len(salt) >= 16, len(salt))
        t.check("no plain password in the hash", "s3cret" not in pw, pw)
        t.eq("createuser: columns", rows[0][1:],
             ["carol@example.com", "f", "f", "t", "t", "t", "t"])
        try:
            import argon2
            t.check("hash verifies with argon2-cffi",
                    argon2.PasswordHasher().verify(pw[len("argon2"):],
                                                   "s3cret pass"), pw)
        except ImportError:
            pass
    r = s.post("/auth/login/", json={"username": "carol",
                                     "password": "s3cret pass"})
    t.eq("created user logs in", r.status, 200)
    # Two users with the same password get different hashes.
    rc, out, err = tool(s, "createuser", "carol2", input="s3cret pass\n")
    t.eq("createuser without --email: exit", rc, 0)
    h1, h2 = (s.sql("SELECT password FROM auth_user WHERE username = :'p1'",
                    n)[0][0] for n in ("carol", "carol2"))
    t.check("salted: different hashes", h1 != h2, (h1, h2))
    t.eq("no email is empty", s.sql("SELECT email = '' FROM auth_user WHERE "
                                    "username = 'carol2'"), [["t"]])
    # Refusals.
    count = s.sql("SELECT count(*) FROM auth_user")
    rc, out, err = tool(s, "createuser", "carol", "--email",
                        "other@example.com", input="another\n")
    t.eq("duplicate: exit", rc, 1)
    t.check("duplicate: says why", err.strip() != "", err)
    t.eq("duplicate: password untouched", s.sql(
        "SELECT password FROM auth_user WHERE username = 'carol'")[0][0], h1)
    for bad in ("bad name!", "a/b", "", "x" * 151):
        rc, out, err = tool(s, "createuser", bad, input="pw\n")
        t.eq("invalid username %r: exit" % bad[:20], rc, 1)
    rc, out, err = tool(s, "createuser", "dave", "--email", "not-an-email",
                        input="pw\n")
    t.eq("invalid email: exit", rc, 1)
    rc, out, err = tool(s, "createuser", "erin", input="")
    t.eq("no password on stdin: exit", rc, 1)
    rc, out, err = tool(s, "createuser", "erin", input="\n")
    t.eq("empty password: exit", rc, 1)
    t.eq("refusals made no rows", s.sql("SELECT count(*) FROM auth_user"),
         count)
    # Unicode usernames are valid, as Django's UnicodeUsernameValidator.
    rc, out, err = tool(s, "createuser", "Zoë", input="pw zoe\n")
    t.eq("unicode username: exit", rc, 0)
    t.eq("unicode username stored", s.sql(
        "SELECT count(*) FROM auth_user WHERE username = 'Zoë'"), [["1"]])
    # Superuser.
    rc, out, err = tool(s, "createuser", "root2", "--email",
                        "root@example.com", "--superuser", input="rootpw\n")
    t.eq("superuser: exit", rc, 0)
    t.eq("superuser flags", s.sql("SELECT is_superuser, is_staff, is_active "
                                  "FROM auth_user WHERE username = 'root2'"),
         [["t", "t", "t"]])


def changepassword(s):
    s.createuser("frank", "old password")
    key = s.login("frank", "old password")
    old_hash = s.sql("SELECT password FROM auth_user WHERE username = "
                     "'frank'")[0][0]
    rc, out, err = tool(s, "changepassword", "frank",
                        input="new password\n")
    t.eq("changepassword: exit", rc, 0)
    new_hash = s.sql("SELECT password FROM auth_user WHERE username = "
                     "'frank'")[0][0]
    t.check("new argon2id hash", HASH_RE.match(new_hash) and
            new_hash != old_hash, new_hash)
    r = s.post("/auth/login/", json={"username": "frank",
                                     "password": "new password"})
    t.eq("new password logs in", r.status, 200)
    r = s.post("/auth/login/", json={"username": "frank",
                                     "password": "old password"})
    t.eq("old password refused", (r.status, r.json), (400, {
        "non_field_errors": ["Unable to log in with provided credentials."]}))
    # Like a reset, changepassword ends the old token (test_revoke.py).
    t.check("existing token ended", s.get("/auth/user/",
                                          token=key).status == 401, key)
    rc, out, err = tool(s, "changepassword", "nobody", input="x\n")
    t.eq("unknown user: exit", rc, 1)
    t.check("unknown user: says why", err.strip() != "", err)
    rc, out, err = tool(s, "changepassword", "frank", input="")
    t.eq("changepassword without password: exit", rc, 1)
    t.eq("hash kept", s.sql("SELECT password FROM auth_user WHERE username "
                            "= 'frank'")[0][0], new_hash)


def check_and_exits(s):
    rc, out, err = tool(s, "check")
    t.eq("check: exit", rc, 0)
    lines = out.lower().splitlines()
    t.check("check: config ok", any("config" in l and "ok" in l
                                    for l in lines), out)
    t.check("check: database reachable", any("database" in l and
                                             "reachable" in l
                                             for l in lines), out)
    bad_url = ("postgresql:///nope?host=/nonexistent/restauth-sock&"
               "user=restauth")
    rc, out, err = tool(s, "check", env={"DATABASE_URL": bad_url})
    t.eq("check, unreachable database: exit", rc, 4)
    rc, out, err = tool(s, "migrate", env={"DATABASE_URL": bad_url})
    t.eq("migrate, unreachable database: exit", rc, 4)
    rc, out, err = tool(s, "createuser", "gina", input="pw\n",
                        env={"DATABASE_URL": bad_url})
    t.eq("createuser, unreachable database: exit", rc, 4)

    tmp = tempfile.mkdtemp(prefix="restauth-admin-")
    path = os.path.join(tmp, "bad.json")
    with open(path, "w") as f:
        json.dump({"PASSWORD_HASHER": FAST, "NOPE": 1}, f)
    for cmd in ("check", "migrate"):
        rc, out, err = tool(s, cmd, config=path)
        t.eq("unknown key, %s: exit" % cmd, rc, 3)
        t.check("unknown key, %s: named on stderr" % cmd, "NOPE" in err, err)
    rc, out, err = tool(s, "createuser", "hank", input="pw\n", config=path)
    t.eq("unknown key, createuser: exit", rc, 3)
    t.eq("unknown key: no user made", s.sql(
        "SELECT count(*) FROM auth_user WHERE username = 'hank'"), [["0"]])
    rc, out, err = tool(s, "check", config=os.path.join(tmp, "missing.json"))
    t.eq("missing config: exit", rc, 3)

    rc, out, err = tool(s)
    t.eq("no command: exit", rc, 2)
    t.check("no command: usage on stderr", "usage" in err.lower(), err)
    rc, out, err = tool(s, config=False)
    t.eq("no arguments at all: exit", rc, 2)
    rc, out, err = tool(s, "frobnicate")
    t.eq("unknown command: exit", rc, 2)
    rc, out, err = tool(s, "createuser", input="pw\n")
    t.eq("createuser without a name: exit", rc, 2)
    rc, out, err = tool(s, "createuser", "ivy", "--bogus", input="pw\n")
    t.eq("unknown option: exit", rc, 2)


def flush_mfa(s):
    """flushexpiredtokens also deletes the expired MFA login tokens."""
    s.sql("DELETE FROM restauth_mfa_token; INSERT INTO restauth_mfa_token "
          "(digest, attempts, used_at, expires_at) SELECT sha256(i::text::"
          "bytea), i, CASE WHEN i % 2 = 0 THEN now() END, now() + CASE "
          "WHEN i <= 3 THEN -i ELSE i END * interval '1 minute' "
          "FROM generate_series(1, 5) AS i")
    rc, out, err = tool(s, "flushexpiredtokens")
    t.eq("flush, MFA tokens: exit", rc, 0)
    t.check("flush, MFA tokens: how many said",
            "3 expired MFA login tokens deleted" in out, out + err)
    t.eq("flush, MFA tokens: the unexpired ones stay", s.sql(
        "SELECT attempts FROM restauth_mfa_token ORDER BY attempts"),
        [["4"], ["5"]])
    rc, out, err = tool(s, "flushexpiredtokens")
    t.check("flush again: none", rc == 0 and
            "0 expired MFA login tokens deleted" in out, out + err)
    s.sql("UPDATE restauth_mfa_token SET expires_at = now() - "
          "interval '1 second' WHERE attempts = 4")
    rc, out, err = tool(s, "flushexpiredtokens")
    t.check("flush, one more expired: one", rc == 0 and
            "1 expired MFA login token deleted" in out, out + err)
    t.eq("flush: the rest stays", s.sql(
        "SELECT attempts FROM restauth_mfa_token"), [["5"]])


def flush_passkey(s):
    """flushexpiredtokens also deletes the expired passkey ceremonies,
    and only those (a login and a registration of each)."""
    s.sql("DELETE FROM restauth_passkey_challenge; INSERT INTO "
          "restauth_passkey_challenge (ceremony, kind, user_id, challenge, "
          "expires_at) SELECT sha256(i::text::bytea), CASE WHEN i % 2 = 0 "
          "THEN 'register' ELSE 'login' END, CASE WHEN i % 2 = 0 THEN i "
          "END, sha512(i::text::bytea), now() + CASE WHEN i <= 2 THEN -i "
          "ELSE i END * interval '1 minute' FROM generate_series(1, 4) i")
    rc, out, err = tool(s, "flushexpiredtokens")
    t.check("flush, passkey challenges: the expired two deleted", rc == 0
            and "2 expired passkey challenges deleted" in out, out + err)
    left = "SELECT kind, user_id FROM restauth_passkey_challenge ORDER BY " \
        "expires_at"
    t.eq("flush, passkey challenges: the others stay", s.sql(left),
         [["login", ""], ["register", "4"]])
    s.sql("UPDATE restauth_passkey_challenge SET expires_at = now() "
          "WHERE kind = 'login'")
    rc, out, err = tool(s, "flushexpiredtokens")
    t.check("flush, passkey challenges: one expiring now", rc == 0 and
            "1 expired passkey challenge deleted" in out, out + err)
    t.eq("flush, passkey challenges: the rest stays", s.sql(left),
         [["register", "4"]])


with h.Stack(CONFIG) as s:
    for fn in (migrate, createuser, changepassword, check_and_exits,
               flush_mfa, flush_passkey):
        t.run(fn, s)
t.done()
