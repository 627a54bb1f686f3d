"""The cross checks of the interop tier, written once for both
directions: each takes the side that makes a thing (src) and the side
that uses it (dst), a DjangoSide or a RestauthSide with the same
operations (dj-rest-auth's API on each). test_interop_django_to_restauth
runs them with src Django, test_interop_restauth_to_django the reverse."""

import itertools
import os

import djside
from djside import bearer, cookie, session_headers

_n = itertools.count(1)


class User:
    """A user made for one check: unique name and address."""

    def __init__(self, tag):
        i = next(_n)
        self.username = "%s%d_%s" % (tag, i, os.urandom(2).hex())
        self.email = self.username + "@example.org"
        self.password = "Old-pw-" + os.urandom(6).hex()
        self.pk = None

    def cred(self, password=None):
        return {"username": self.username,
                "password": password or self.password}


class Side:
    """Operations common to both sides, over self.tok (token mode, with
    sessions), self.jwt (JWT mode) and self.db (for SQL)."""

    name = None

    def __init__(self, tok, jwt):
        self.tok = tok
        self.jwt = jwt

    def login_token(self, u, password=None):
        return self.tok.post("/auth/login/", json=u.cred(password))

    def user(self, headers):
        """GET user/ with headers (Token, Bearer or session)."""
        return self.jwt_server(headers).get("/auth/user/", headers=headers)

    def jwt_server(self, headers):
        if headers.get("Authorization", "").startswith("Bearer "):
            return self.jwt
        return self.tok

    def refresh(self, refresh):
        return self.jwt.post(self.refresh_path(), json={"refresh": refresh})

    def refresh_path(self):
        return "/auth/token/refresh/"

    def logout(self, refresh):
        return self.jwt.post("/auth/logout/", json={"refresh": refresh})

    def password_reset(self, email):
        return self.tok.post("/auth/password/reset/", json={"email": email})

    def reset_confirm(self, uid, token, password):
        return self.tok.post("/auth/password/reset/confirm/", json={
            "uid": uid, "token": token, "new_password1": password,
            "new_password2": password})

    def password_change(self, headers, password):
        return self.tok.post("/auth/password/change/", headers=headers,
                             json={"new_password1": password,
                                   "new_password2": password})

    def verify_email(self, key, hmac):
        """registration/verify-email/ where hmac (True: HMAC keys,
        False: stored keys) is the setting in force."""
        return self.confirm_server(hmac).post(
            "/auth/registration/verify-email/", json={"key": key})

    def confirm_server(self, hmac):
        return self.tok

    def session_login(self, u, password=None):
        """(sessionid, csrftoken) of a login here."""
        r = self.login_token(u, password)
        return cookie(r, "sessionid"), cookie(r, "csrftoken")

    def origin(self):
        return "http://127.0.0.1:%d" % self.tok.port


class DjangoSide(Side):
    name = "django"

    def __init__(self, dj):
        super().__init__(dj, dj)
        self.dj = dj

    def create_user(self, u):
        r = self.dj.post("/interop/create-user/", json={
            "username": u.username, "email": u.email,
            "password": u.password})
        if r.status != 201:
            raise RuntimeError("Django create-user: %r" % r)
        u.pk = r.json["pk"]
        return u

    def login_jwt(self, u):
        return self.dj.post("/auth/login-jwt/", json=u.cred())

    def reset_link(self, u):
        found = self.dj.mail_links(djside.RESET_RE, to=u.email)
        return found[-1] if found else (None, None)

    def send_confirmation(self, u, hmac):
        r = self.dj.post("/interop/send-confirmation/",
                         json={"email": u.email, "hmac": hmac})
        if r.status != 200:
            raise RuntimeError("Django send-confirmation: %r" % r)
        found = self.dj.mail_links(djside.CONFIRM_RE, to=u.email)
        return found[-1] if found else None

    def unsafe(self, headers):
        """An unsafe request that needs the user: POST user/ (a
        DRF view: session callers pass Django's CSRF check)."""
        return self.dj.post("/auth/user/", headers=headers, json={})


class RestauthSide(Side):
    """tok: a token-mode stack with HMAC confirmation keys; jwt: a JWT
    mode stack with stored keys (or None); both mail into mailbox."""
    name = "restauth"

    def __init__(self, tok, jwt, mailbox):
        super().__init__(tok, jwt)
        self.mailbox = mailbox

    def create_user(self, u):
        """dj-rest-auth's registration/."""
        r = self.tok.post("/auth/registration/", json={
            "username": u.username, "email": u.email,
            "password1": u.password, "password2": u.password})
        if r.status not in (200, 201):
            raise RuntimeError("restauth registration: %r" % r)
        u.pk = int(self.tok.sql("SELECT id FROM auth_user WHERE username "
                                "= :'p1'", u.username)[0][0])
        # Its confirmation mail is read here, not by a later check.
        self.mailbox.links(djside.CONFIRM_RE, to=u.email)
        return u

    def createuser(self, u):
        """`restauth createuser`."""
        u.pk = self.tok.createuser(u.username, u.password, u.email)
        return u

    def login_jwt(self, u):
        return self.jwt.post("/auth/login/", json=u.cred())

    def reset_link(self, u):
        found = self.mailbox.links(djside.RESET_RE, to=u.email)
        return found[-1] if found else (None, None)

    def send_confirmation(self, u, hmac):
        """resend-email/ on the stack that makes HMAC keys (tok) or
        stored ones (jwt)."""
        r = self.confirm_server(hmac).post(
            "/auth/registration/resend-email/", json={"email": u.email})
        if r.status != 200:
            raise RuntimeError("restauth resend-email: %r" % r)
        found = self.mailbox.links(djside.CONFIRM_RE, to=u.email)
        return found[-1] if found else None

    def confirm_server(self, hmac):
        return self.tok if hmac else self.jwt

    def unsafe(self, headers):
        """PATCH user/."""
        return self.tok.request("PATCH", "/auth/user/", headers=headers,
                                json={"first_name": "Crossed"})


class Checks:
    """The cross checks from src to dst, counted in t; sql(query,
    *params) reads the shared database."""

    def __init__(self, t, src, dst, sql, tag=""):
        self.t = t
        self.src = src
        self.dst = dst
        self.sql = sql
        self.pre = "%s->%s%s: " % (src.name, dst.name, tag)

    def eq(self, what, got, want):
        return self.t.eq(self.pre + what, got, want)

    def check(self, what, cond, detail=""):
        return self.t.check(self.pre + what, cond, detail)

    def status(self, what, r, want):
        return self.check(what, r.status == want, "got %r, want %d" % (
            r, want))

    def blacklisted(self, what, r):
        """simplejwt's answer (both sides) for a blacklisted refresh."""
        return self.check(what, r.status == 401 and r.json == {
            "detail": "Token is blacklisted", "code": "token_not_valid"},
            "got %r, want 401 Token is blacklisted" % r)

    def new_user(self, tag):
        return self.src.create_user(User(tag))

    def hash_of(self, u):
        return self.sql("SELECT password FROM auth_user WHERE id = :'p1'",
                        str(u.pk))[0][0]

    # --- users and passwords ---

    def users(self):
        """A user made on src logs in on dst (not with a wrong
        password), and src's hash is left as it is."""
        u = self.new_user("usr")
        before = self.hash_of(u)
        r = self.dst.login_token(u)
        self.check("user made on %s logs in on %s" % (
            self.src.name, self.dst.name),
            r.status == 200 and "key" in (r.json or {}), repr(r))
        self.status("wrong password refused", self.dst.login_token(
            u, "Wrong-pw-1"), 400)
        self.eq("login leaves the hash as written (no re-hash)",
                self.hash_of(u), before)
        r = self.src.login_token(u)
        self.status("and still logs in where it was made", r, 200)

    def tool_user(self):
        """A user made by `restauth createuser` logs in on dst."""
        u = self.src.createuser(User("cli"))
        self.status("user made by restauth createuser logs in on %s" %
                    self.dst.name, self.dst.login_token(u), 200)

    def password_change(self):
        """src changes the password: dst takes the new one, not the
        old."""
        u = self.new_user("chg")
        key = self.src.login_token(u).json["key"]
        new = "New-pw-" + os.urandom(6).hex()
        r = self.src.password_change({"Authorization": "Token " + key}, new)
        self.status("password change", r, 200)
        self.status("new password logs in", self.dst.login_token(u, new),
                    200)
        self.status("old password refused", self.dst.login_token(u), 400)

    def reset(self):
        """A reset link mailed by src: dst's confirm takes it once; then
        both refuse it; the new password logs in on both."""
        u = self.new_user("rst")
        self.status("password reset", self.src.password_reset(u.email), 200)
        uid, token = self.src.reset_link(u)
        self.check("reset mail with a link", uid is not None,
                   "no reset link in %s's mail" % self.src.name)
        if uid is None:
            return
        new = "Reset-pw-" + os.urandom(6).hex()
        r = self.dst.reset_confirm(uid, token, new)
        self.status("reset link accepted", r, 200)
        for side in (self.dst, self.src):
            r = side.reset_confirm(uid, token, "Again-pw-" + os.urandom(4).hex())
            self.check("used link refused by %s" % side.name,
                       r.status == 400 and
                       r.json == {"token": ["Invalid value"]}, repr(r))
        for side in (self.dst, self.src):
            self.status("reset password logs in on %s" % side.name,
                        side.login_token(u, new), 200)
            self.status("old password refused on %s" % side.name,
                        side.login_token(u), 400)

    def sessions_survive(self):
        """Logging in on one side does not end the user's session on the
        other (no re-hash of each other's hashes): a session on src,
        a login on dst, the src session still works; a login on src
        again, the dst session still works; the hash never changes."""
        u = self.new_user("ses")
        before = self.hash_of(u)
        sid_src, _ = self.src.session_login(u)
        sid_dst, _ = self.dst.session_login(u)
        self.check("%s login gives a session" % self.dst.name,
                   sid_dst is not None and sid_src is not None)
        r = self.src.user(session_headers(sid_src or ""))
        self.status("%s session still works after a %s login" % (
            self.src.name, self.dst.name), r, 200)
        self.status("second %s login" % self.src.name,
                    self.src.login_token(u), 200)
        r = self.dst.user(session_headers(sid_dst or ""))
        self.status("%s session still works after a %s login" % (
            self.dst.name, self.src.name), r, 200)
        self.eq("logins on both sides leave the hash as written",
                self.hash_of(u), before)

    def password_checks(self):
        self.users()
        self.password_change()
        self.reset()
        self.sessions_survive()

    # --- tokens ---

    def drf_token(self):
        u = self.new_user("tok")
        key = self.src.login_token(u).json["key"]
        r = self.dst.user({"Authorization": "Token " + key})
        self.check("%s's DRF token authenticates user/" % self.src.name,
                   r.status == 200 and (r.json or {}).get("username") ==
                   u.username, repr(r))

    def jwt(self):
        """Access, refresh with rotation, blacklist after rotation and
        after logout, across the sides."""
        u = self.new_user("jwt")
        r = self.src.login_jwt(u)
        if not self.status("JWT login", r, 200):
            return
        access, refresh = r.json["access"], r.json["refresh"]
        r = self.dst.user(bearer(access))
        self.check("%s's access token authenticates user/" % self.src.name,
                   r.status == 200 and (r.json or {}).get("username") ==
                   u.username, repr(r))
        # src's refresh rotated on dst.
        r = self.dst.refresh(refresh)
        if not self.check("%s's refresh rotated on %s" % (
                self.src.name, self.dst.name), r.status == 200 and
                "refresh" in (r.json or {}) and "access" in r.json, repr(r)):
            return
        access2, refresh2 = r.json["access"], r.json["refresh"]
        self.status("rotated access works on %s" % self.src.name,
                    self.src.user(bearer(access2)), 200)
        for side in (self.dst, self.src):
            self.blacklisted("old refresh refused on %s" % side.name,
                             side.refresh(refresh))
        # dst's rotated refresh rotated back on src.
        r = self.src.refresh(refresh2)
        if not self.check("%s's refresh rotated on %s" % (
                self.dst.name, self.src.name), r.status == 200 and
                "refresh" in (r.json or {}), repr(r)):
            return
        refresh3 = r.json["refresh"]
        for side in (self.src, self.dst):
            self.blacklisted("%s's old refresh refused on %s" % (
                self.dst.name, side.name), side.refresh(refresh2))
        # Logout on src blacklists it for dst.
        self.status("logout on %s" % self.src.name,
                    self.src.logout(refresh3), 200)
        for side in (self.dst, self.src):
            self.blacklisted("refresh refused on %s after %s's logout" % (
                side.name, self.src.name), side.refresh(refresh3))

    # --- e-mail confirmation ---

    def confirmation(self):
        """A confirmation key mailed by src confirms the address on dst,
        with EMAIL_CONFIRMATION_HMAC as src had it (HMAC keys, then
        stored ones)."""
        for hmac in (True, False):
            kind = "HMAC" if hmac else "stored"
            u = self.new_user("cnf")
            key = self.src.send_confirmation(u, hmac)
            if not self.check("%s mails a %s key" % (self.src.name, kind),
                              key is not None):
                continue
            r = self.dst.verify_email(key, hmac)
            self.check("%s's %s key confirms on %s" % (
                self.src.name, kind, self.dst.name),
                r.status == 200 and r.json == {"detail": "ok"}, repr(r))
            got = self.sql("SELECT verified FROM account_emailaddress "
                           "WHERE user_id = :'p1'", str(u.pk))
            self.eq("%s address verified" % kind, got, [["t"]])

    # --- sessions ---

    def session(self):
        """A session made on src authenticates user/ on dst; an unsafe
        request there needs the CSRF token."""
        u = self.new_user("sid")
        sid, csrf = self.src.session_login(u)
        if not self.check("%s login sets sessionid and csrftoken" %
                          self.src.name, sid is not None and
                          csrf is not None):
            return
        r = self.dst.user(session_headers(sid))
        self.check("%s session authenticates user/ on %s" % (
            self.src.name, self.dst.name), r.status == 200 and
            (r.json or {}).get("username") == u.username, repr(r))
        origin = self.dst.origin()
        self.status("unsafe request with the session, no CSRF token: 403",
                    self.dst.unsafe(session_headers(sid, origin=origin)),
                    403)
        self.status("unsafe request with the session and %s's CSRF "
                    "token" % self.src.name, self.dst.unsafe(
                        session_headers(sid, csrf, origin)), 200)


def run(t, src_name):
    """The tier for one direction (src_name "django" or "restauth"
    makes, the other uses): one database that Django migrates first (the
    order restauth supports today), a Django server and restauth stacks
    per hasher setting (default: token mode with HMAC confirmation keys
    and JWT mode with stored keys; argon2: token mode), every check;
    everything stopped at the end."""
    pair = djside.Pair()
    mb = djside.Mailbox()
    try:
        dj = pair.django("default")
        dj.migrate()
        dja = pair.django("argon2")
        tok = pair.stack(djside.restauth_config("default", maildir=mb.dir))
        jwt = pair.stack(djside.restauth_config("default", jwt=True,
                                                maildir=mb.dir, hmac=False))
        toka = pair.stack(djside.restauth_config("argon2", maildir=mb.dir))
        pair.start()
        for hashers, sides in (
                ("default", (DjangoSide(dj), RestauthSide(tok, jwt, mb))),
                ("argon2", (DjangoSide(dja), RestauthSide(toka, None, mb)))):
            src, dst = sides if src_name == "django" else sides[::-1]
            c = Checks(t, src, dst, tok.sql,
                       "" if hashers == "default" else " (argon2)")
            t.run(c.password_checks)
            if hashers != "default":
                continue
            if src_name == "restauth":
                t.run(c.tool_user)
            t.run(c.drf_token)
            t.run(c.jwt)
            t.run(c.confirmation)
            t.run(c.session)
    finally:
        pair.stop()
        mb.remove()
    t.done()
