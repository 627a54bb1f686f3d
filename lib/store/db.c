/*
 * db.c: every SQL statement restauth runs, prepared once per connection.
 * Values only ever travel as $n parameters (libpq PQexecPrepared).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "codec.h"
#include "db.h"
#include "log.h"
#include "mail.h"

/* A named limit (a plain number) as SQL text, so LIMIT follows it. */
#define DB_STR(x) DB_STR_(x)
#define DB_STR_(x) #x

/* last_login as whole epoch seconds (Django's reset tokens drop the
 * microseconds), -1 when NULL. */
#define USER_COLS                                                          \
	"id, username, email, first_name, last_name, password, is_active, " \
	"is_staff, is_superuser, "                                          \
	"coalesce(floor(extract(epoch FROM last_login))::bigint, -1)"

/*
 * restauth_login_failure: row t has been quiet (no counted failure) for
 * q seconds, and the seconds left (float8, <= 0: none) until its next
 * attempt may pass: the wait for t.failures failures is 0 below the limit
 * $2, else the entry of the schedule $3 for it, the last one past its end.
 */
#define LF_QUIET(t, q) \
	"(" t ".last_failure <= now() - " q "::int * interval '1 second')"
#define LF_NEED(t)                                                          \
	"CASE WHEN " t ".failures < $2::int THEN 0 ELSE coalesce(($3::int[])" \
	"[" t ".failures - $2::int + 1], ($3::int[])[cardinality($3::int[])]) END"
#define LF_WAIT(t)                                                          \
	"extract(epoch FROM (" t ".last_failure + (" LF_NEED(t) ") * "      \
	"interval '1 second' - now()))::float8"
/* In backoff: at the limit and with time left. Below the limit never,
 * though a racing attempt that started later may have stored a
 * last_failure after this statement's now(). */
#define LF_BACKOFF(t) \
	"(" t ".failures >= $2::int AND " LF_WAIT(t) " > 0)"

enum stmt {
	ST_USER_BY_ID,
	ST_USER_BY_USERNAME,
	ST_USERS_BY_EMAIL,
	ST_USERS_BY_EMAIL_DECOY,
	ST_USER_BY_TOKEN,
	ST_USER_INSERT,
	ST_USER_UPDATE_PROFILE,
	ST_USER_SET_PASSWORD,
	ST_USER_REPLACE_PASSWORD,
	ST_USER_TOUCH_LOGIN,
	ST_TOKEN_GET_OR_CREATE,
	ST_TOKEN_DELETE,
	ST_OUTSTANDING_INSERT,
	ST_BLACKLIST,
	ST_IS_BLACKLISTED,
	ST_ROTATE,
	ST_REVOKE,
	ST_FLUSH_EXPIRED,
	ST_THROTTLE_HIT,
	ST_THROTTLE_CLEAN,
	ST_LOGIN_FAILURE_HIT,
	ST_LOGIN_FAILURE_CLEAR,
	ST_LOGIN_FAILURE_CLEAN,
	/* registration and e-mail confirmation (lib/api/register.c) */
	ST_REG_LOCK_USERNAME,
	ST_USERNAME_TAKEN,
	ST_EMAIL_TAKEN,
	ST_REG_USER_INSERT,
	ST_EMAILADDRESS_INSERT,
	ST_EMAIL_CLAIM,
	ST_EMAIL_COOLDOWN,
	ST_CONFIRMATION_INSERT,
	ST_EMAILADDRESS_BY_EMAIL,
	ST_CONFIRMATION_BY_KEY,
	ST_EMAILADDRESS_CONFIRM,
	ST_EMAIL_VERIFIED,
	ST_USER_ADDRESSES,
	ST_SESSION_INSERT,
	ST_SESSION_GET,
	ST_SESSION_DELETE,
	/* the mail outbox and the reset cooldown (lib/store/outbox.c) */
	ST_OUTBOX_INSERT,
	ST_RESET_QUEUE,
	ST_OUTBOX_CLAIM,
	ST_OUTBOX_DELETE,
	ST_OUTBOX_FAILED,
	ST_COOLDOWN_CLEAN,
	/* MFA (lib/api/mfa.c) */
	ST_MFA_GET,
	ST_MFA_GET_LOCK,
	ST_MFA_TOTP_BURN,
	ST_MFA_TOTP_INSERT,
	ST_MFA_RECOVERY_RESET,
	ST_MFA_RECOVERY_MARK,
	ST_MFA_DELETE,
	ST_MFA_TOKEN_HIT,
	ST_MFA_TOKEN_USE,
	ST_MFA_TOKEN_SEEN,
	ST_MFA_TOKEN_CLEAN,
	/* passkeys */
	ST_PASSKEY_CHALLENGE_CLEAN,
	ST__MAX
};

/* Both MFA rows of user $1; times as seconds and microseconds. */
#define MFA_TIME(c)                                                            \
	"floor(extract(epoch FROM " c "))::bigint, "                           \
	"(extract(microseconds FROM " c ")::bigint % 1000000)"
#define MFA_GET_SQL                                                            \
	"SELECT type, data->>'secret', data->>'last_step', "                   \
	"data->>'last_code', data->>'seed', data->>'used_mask', "              \
	MFA_TIME("created_at") ", " MFA_TIME("last_used_at") " "               \
	"FROM dj_rest_auth_mfa_authenticator WHERE user_id = $1::bigint "     \
	"AND type IN ('totp', 'recovery_codes') ORDER BY type"

static const struct {
	const char *name;
	const char *sql;
	int nparams;
} stmts[ST__MAX] = {
	[ST_USER_BY_ID] = { "user_by_id",
	/* $1 as bigint: an id a client sent (reset uid, JWT claim, session)
	 * above auth_user.id's int4 range finds no row instead of failing. */
	    "SELECT " USER_COLS " FROM auth_user WHERE id = $1::bigint", 1 },
	/* allauth: username__iexact; an exact match wins a legacy tie. */
	[ST_USER_BY_USERNAME] = { "user_by_username",
	    "SELECT " USER_COLS " FROM auth_user WHERE upper(username) = "
	    "upper($1) ORDER BY username = $1 DESC, id LIMIT 1", 1 },
	/* allauth filter_users_by_email: account_emailaddress, then
	 * auth_user.email (a UNION, so both upper() indexes serve). */
	[ST_USERS_BY_EMAIL] = { "users_by_email",
	    "SELECT " USER_COLS " FROM auth_user WHERE id IN (SELECT id FROM "
	    "auth_user WHERE upper(email) = upper($1) UNION SELECT user_id "
	    "FROM account_emailaddress WHERE upper(email) = upper($1)) "
	    "ORDER BY id LIMIT " DB_STR(DB_USERS_BY_EMAIL_MAX), 1 },
	/*
	 * The same, but when nobody matches, the lowest-id user as a decoy
	 * (last column false): both answers fetch and send one row, so a
	 * password reset takes as long for an unknown address as for a
	 * known one.
	 */
	[ST_USERS_BY_EMAIL_DECOY] = { "users_by_email_decoy",
	    "WITH m AS (SELECT id FROM auth_user WHERE upper(email) = "
	    "upper($1) UNION SELECT user_id FROM account_emailaddress WHERE "
	    "upper(email) = upper($1)), k AS (SELECT id, true AS real FROM m "
	    "UNION ALL (SELECT id, false FROM auth_user WHERE NOT EXISTS "
	    "(SELECT 1 FROM m) ORDER BY id LIMIT 1)) "
	    "SELECT " USER_COLS ", k.real FROM auth_user JOIN k USING (id) "
	    "ORDER BY id LIMIT " DB_STR(DB_USERS_BY_EMAIL_MAX), 1 },
	[ST_USER_BY_TOKEN] = { "user_by_token",
	    "SELECT u.id, u.username, u.email, u.first_name, u.last_name, "
	    "u.password, u.is_active, u.is_staff, u.is_superuser, "
	    "coalesce(floor(extract(epoch FROM u.last_login))::bigint, -1) "
	    "FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id "
	    "WHERE t.key = $1", 1 },
	[ST_USER_INSERT] = { "user_insert",
	    "INSERT INTO auth_user (password, is_superuser, username, "
	    "first_name, last_name, email, is_staff, is_active, date_joined) "
	    "VALUES ($1, $2, $3, '', '', $4, $5, true, now()) RETURNING id", 5 },
	[ST_USER_UPDATE_PROFILE] = { "user_update_profile",
	    "UPDATE auth_user SET username = $2, first_name = $3, "
	    "last_name = $4 WHERE id = $1", 4 },
	[ST_USER_SET_PASSWORD] = { "user_set_password",
	    "UPDATE auth_user SET password = $2 WHERE id = $1", 2 },
	/* Compare-and-set: of two requests holding the same old hash (one
	 * reset token, one old password), exactly one wins. */
	[ST_USER_REPLACE_PASSWORD] = { "user_replace_password",
	    "UPDATE auth_user SET password = $2 WHERE id = $1 AND "
	    "password = $3", 3 },
	[ST_USER_TOUCH_LOGIN] = { "user_touch_login",
	    "UPDATE auth_user SET last_login = now() WHERE id = $1", 1 },
	/*
	 * DRF's get_or_create in one statement. If a concurrent login
	 * inserted first, the CTE does nothing and the snapshot may miss
	 * its row: db_token_get_or_create then asks again.
	 */
	[ST_TOKEN_GET_OR_CREATE] = { "token_get_or_create",
	    "WITH ins AS (INSERT INTO authtoken_token (key, created, user_id) "
	    "VALUES ($2, now(), $1) ON CONFLICT (user_id) DO NOTHING "
	    "RETURNING key) SELECT key FROM ins UNION ALL "
	    "SELECT key FROM authtoken_token WHERE user_id = $1", 2 },
	[ST_TOKEN_DELETE] = { "token_delete",
	    "DELETE FROM authtoken_token WHERE user_id = $1", 1 },
	/*
	 * simplejwt's OutstandingToken keeps the whole refresh token (a
	 * Django process sharing the table reads it), so we do too.
	 */
	[ST_OUTSTANDING_INSERT] = { "outstanding_insert",
	    "INSERT INTO token_blacklist_outstandingtoken (jti, token, "
	    "created_at, expires_at, user_id) VALUES ($1, $2, now(), "
	    "to_timestamp($3), $4)", 4 },
	/*
	 * Blacklist in one statement: make sure the outstanding row exists
	 * (a token Django minted may lack one), then add the blacklist row.
	 * The unique token_id lets exactly one of racing requests insert:
	 * the others get no row back. A user_id naming no user (deleted,
	 * or beyond int4) is recorded as NULL rather than failing.
	 */
	[ST_BLACKLIST] = { "blacklist",
	    "WITH o AS (INSERT INTO token_blacklist_outstandingtoken (jti, "
	    "token, created_at, expires_at, user_id) VALUES ($1, $2, NULL, "
	    "to_timestamp($3), (SELECT id FROM auth_user WHERE id = "
	    "$4::bigint)) ON CONFLICT (jti) DO UPDATE SET jti = "
	    "EXCLUDED.jti RETURNING id) "
	    "INSERT INTO token_blacklist_blacklistedtoken (token_id, "
	    "blacklisted_at) SELECT id, now() FROM o ON CONFLICT (token_id) "
	    "DO NOTHING RETURNING id", 4 },
	/*
	 * A refresh with rotation and blacklisting in one statement (one
	 * round trip, one commit): when $7, the owner ($8 id or $9
	 * username) must exist and be active (a), and both rows record it
	 * (never a value cast from the claim: that could fail); then
	 * ST_BLACKLIST's two steps, then the new refresh token's outstanding
	 * row, inserted only from the blacklist row this statement made. The loser of a race
	 * gets 0 and no row. FOR SHARE orders a refresh against a password
	 * change or reset of its user (their UPDATE of auth_user waits, or
	 * makes it wait): the revocation then sees the new token, or the
	 * refresh finds the old one blacklisted. Columns: the owner is fine,
	 * the new token was recorded, and (owner refused) whether the old
	 * token was blacklisted already, which simplejwt reports first.
	 */
	[ST_ROTATE] = { "rotate",
	    "WITH a AS (SELECT id FROM auth_user WHERE $7::bool AND (id = "
	    "$8::bigint OR upper(username) = upper($9::text)) AND is_active "
	    "LIMIT 1 FOR SHARE), "
	    "ok AS (SELECT 1 WHERE NOT $7::bool OR EXISTS (SELECT 1 FROM a)), "
	    "o AS (INSERT INTO token_blacklist_outstandingtoken (jti, "
	    "token, created_at, expires_at, user_id) SELECT $1, $2, NULL, "
	    "to_timestamp($3), (SELECT id FROM a) FROM ok ON CONFLICT (jti) "
	    "DO UPDATE SET jti = EXCLUDED.jti RETURNING id), "
	    "b AS (INSERT INTO token_blacklist_blacklistedtoken (token_id, "
	    "blacklisted_at) SELECT id, now() FROM o ON CONFLICT (token_id) "
	    "DO NOTHING RETURNING id), "
	    "n AS (INSERT INTO token_blacklist_outstandingtoken (jti, token, "
	    "created_at, expires_at, user_id) SELECT $4, $5, now(), "
	    "to_timestamp($6), (SELECT id FROM a) FROM b RETURNING id) "
	    "SELECT EXISTS (SELECT 1 FROM ok), (SELECT count(*) FROM n), "
	    "CASE WHEN NOT EXISTS (SELECT 1 FROM ok) THEN EXISTS (SELECT 1 "
	    "FROM token_blacklist_blacklistedtoken x JOIN "
	    "token_blacklist_outstandingtoken y ON y.id = x.token_id WHERE "
	    "y.jti = $1) ELSE false END", 9 },
	/*
	 * What a password reset or change takes from user $1: its DRF token
	 * when $2, and when $3 a blacklist row for each outstanding,
	 * unexpired, not yet blacklisted refresh token but jti $4 (NULL:
	 * none kept). Run in the transaction that sets the password.
	 */
	[ST_REVOKE] = { "revoke",
	    "WITH b AS (INSERT INTO token_blacklist_blacklistedtoken (token_id, "
	    "blacklisted_at) SELECT o.id, now() FROM "
	    "token_blacklist_outstandingtoken o WHERE $3::bool AND o.user_id "
	    "= $1::bigint AND o.expires_at > now() AND o.jti IS DISTINCT "
	    "FROM $4::text AND NOT EXISTS (SELECT 1 FROM "
	    "token_blacklist_blacklistedtoken x WHERE x.token_id = o.id) "
	    "ON CONFLICT (token_id) DO NOTHING) "
	    "DELETE FROM authtoken_token WHERE $2::bool AND user_id = "
	    "$1::bigint", 4 },
	[ST_IS_BLACKLISTED] = { "is_blacklisted",
	    "SELECT 1 FROM token_blacklist_blacklistedtoken b JOIN "
	    "token_blacklist_outstandingtoken o ON o.id = b.token_id "
	    "WHERE o.jti = $1", 1 },
	/*
	 * DRF's SimpleRateThrottle in one statement: drop the hits older
	 * than the period ($3 seconds), accept when fewer than $4 remain
	 * (then add now()), and say so. The row lock of the upsert orders
	 * concurrent requests for one client. The second column is the wait
	 * in seconds until the oldest hit leaves the window, for the 429.
	 * A client already at its limit in the statement's snapshot (s) is
	 * refused by that read alone, as DRF stores nothing for a refusal:
	 * no row lock, no write, no commit to flush, so a flood at the
	 * limit costs the database little. Hits only leave a window by
	 * age, so a refusal read from the snapshot is never wrong.
	 */
	[ST_THROTTLE_HIT] = { "throttle_hit",
	    "WITH s AS (SELECT (SELECT min(h) FROM unnest(t.hits) h WHERE "
	    "h > now() - $3::int * interval '1 second') AS oldest FROM "
	    "restauth_throttle t WHERE t.scope = $1 AND t.ident = $2 AND "
	    "(SELECT count(*) FROM unnest(t.hits) h WHERE h > now() - "
	    "$3::int * interval '1 second') >= $4::int), "
	    "u AS (INSERT INTO restauth_throttle AS t (scope, ident, hits, "
	    "allowed, expires) SELECT $1, $2, CASE WHEN $4::int > 0 THEN "
	    "ARRAY[now()] ELSE '{}'::timestamptz[] END, $4::int > 0, "
	    "now() + $3::int * interval '1 second' "
	    "WHERE NOT EXISTS (SELECT 1 FROM s) "
	    "ON CONFLICT (scope, ident) DO UPDATE SET "
	    "allowed = (SELECT count(*) FROM unnest(t.hits) h WHERE h > "
	    "now() - $3::int * interval '1 second') < $4::int, "
	    "hits = ARRAY(SELECT h FROM unnest(t.hits) h WHERE h > now() - "
	    "$3::int * interval '1 second' ORDER BY h) || CASE WHEN "
	    "(SELECT count(*) FROM unnest(t.hits) h WHERE h > now() - "
	    "$3::int * interval '1 second') < $4::int THEN ARRAY[now()] "
	    "ELSE '{}'::timestamptz[] END, "
	    "expires = now() + $3::int * interval '1 second' "
	    "RETURNING allowed, coalesce(extract(epoch FROM (t.hits[1] + "
	    "$3::int * interval '1 second' - now())), $3::int)::float8) "
	    "SELECT * FROM u UNION ALL SELECT false, coalesce(extract(epoch "
	    "FROM (oldest + $3::int * interval '1 second' - now())), "
	    "$3::int)::float8 FROM s", 4 },
	/* Rows whose every hit has left its window. */
	[ST_THROTTLE_CLEAN] = { "throttle_clean",
	    "DELETE FROM restauth_throttle WHERE expires < now()", 0 },
	/*
	 * One login attempt of the identifier hash $1 (lib/api/policy.c): $2
	 * the failure limit, $3 the waits (seconds) after limit, limit + 1,
	 * ... failures (the last one repeats), $4 the seconds after which a
	 * quiet row counts as none. LF_WAIT(t) is the time left until t's
	 * next attempt may pass. An attempt that passes is counted as a
	 * failure at once (the caller clears the row after a success), so
	 * the check and the count are this one statement, and the upsert's
	 * row lock orders a burst: exactly limit attempts pass for a fresh
	 * identifier. As for ST_THROTTLE_HIT, one the snapshot (s) already
	 * shows in backoff is refused by that read alone; a refusal
	 * decided by the upsert leaves failures and last_failure alone.
	 */
	[ST_LOGIN_FAILURE_HIT] = { "login_failure_hit",
	    "WITH s AS (SELECT " LF_WAIT("t") " AS wait FROM "
	    "restauth_login_failure t WHERE t.ident = $1 AND NOT "
	    LF_QUIET("t", "$4") " AND " LF_BACKOFF("t") "), "
	    "u AS (INSERT INTO restauth_login_failure AS t (ident, failures, "
	    "last_failure, allowed) SELECT $1, 1, now(), true "
	    "WHERE NOT EXISTS (SELECT 1 FROM s) "
	    "ON CONFLICT (ident) DO UPDATE SET "
	    "allowed = " LF_QUIET("t", "$4") " OR NOT " LF_BACKOFF("t") ", "
	    "failures = CASE WHEN " LF_QUIET("t", "$4") " THEN 1 WHEN NOT "
	    LF_BACKOFF("t") " THEN least(t.failures, 2000000000) + 1 ELSE "
	    "t.failures END, "
	    "last_failure = CASE WHEN " LF_QUIET("t", "$4") " OR NOT "
	    LF_BACKOFF("t") " THEN greatest(t.last_failure, now()) ELSE "
	    "t.last_failure END "
	    "RETURNING t.allowed, CASE WHEN t.allowed THEN 0 ELSE "
	    LF_WAIT("t") " END) "
	    "SELECT * FROM u UNION ALL SELECT false, wait FROM s", 4 },
	/* A successful login: the identifier starts afresh. */
	[ST_LOGIN_FAILURE_CLEAR] = { "login_failure_clear",
	    "DELETE FROM restauth_login_failure WHERE ident = $1", 1 },
	/* Rows that ST_LOGIN_FAILURE_HIT would treat as none anyway. */
	[ST_LOGIN_FAILURE_CLEAN] = { "login_failure_clean",
	    "DELETE FROM restauth_login_failure t WHERE " LF_QUIET("t", "$1"),
	    1 },
	/* simplejwt's flushexpiredtokens; blacklist rows go with theirs. */
	[ST_FLUSH_EXPIRED] = { "flush_expired",
	    "WITH e AS (SELECT id FROM token_blacklist_outstandingtoken "
	    "WHERE expires_at <= now()), b AS (DELETE FROM "
	    "token_blacklist_blacklistedtoken WHERE token_id IN (SELECT id "
	    "FROM e)) DELETE FROM token_blacklist_outstandingtoken WHERE id "
	    "IN (SELECT id FROM e)", 0 },
	/*
	 * Every write of a username (signup, createuser, a user/ rename)
	 * takes this advisory lock on the name (in its own key space: the
	 * two-int form), so the check that follows holds until COMMIT:
	 * there is no unique index on upper(username), which Django's own
	 * exact-match forms would trip over (sql/0008_restauth_names.sql).
	 */
	[ST_REG_LOCK_USERNAME] = { "reg_lock_username",
	    "SELECT pg_advisory_xact_lock(" DB_LOCK_USERNAME ", "
	    "hashtext(upper($1)))", 1 },
	/* allauth filter_users_by_username: username__iexact. */
	[ST_USERNAME_TAKEN] = { "username_taken",
	    "SELECT 1 FROM auth_user WHERE upper(username) = upper($1) "
	    "AND id <> $2 LIMIT 1", 2 },
	/* An address any user has: allauth's filter_users_by_email looks in
	 * account_emailaddress and at auth_user.email. */
	[ST_EMAIL_TAKEN] = { "email_taken",
	    "SELECT 1 WHERE EXISTS (SELECT 1 FROM account_emailaddress WHERE "
	    "upper(email) = upper($1)) OR EXISTS (SELECT 1 FROM auth_user "
	    "WHERE upper(email) = upper($1))", 1 },
	/* A signed-up user; $4: logged in at once (allauth's complete_signup
	 * calls login(), which sets last_login). */
	[ST_REG_USER_INSERT] = { "reg_user_insert",
	    "INSERT INTO auth_user (password, is_superuser, username, "
	    "first_name, last_name, email, is_staff, is_active, date_joined, "
	    "last_login) VALUES ($1, false, $2, '', '', $3, false, true, "
	    "now(), CASE WHEN $4::bool THEN now() END) RETURNING id", 4 },
	/* allauth setup_user_email: the address, primary and unverified. */
	[ST_EMAILADDRESS_INSERT] = { "emailaddress_insert",
	    "INSERT INTO account_emailaddress (email, verified, \"primary\", "
	    "user_id) VALUES ($1, false, true, $2) RETURNING id", 2 },
	/* UNIQUE_EMAIL: of racing claims exactly one inserts (23505). */
	[ST_EMAIL_CLAIM] = { "email_claim",
	    "INSERT INTO restauth_email_unique (email, email_address_id) "
	    "VALUES (upper($1), $2)", 2 },
	/*
	 * EMAIL_CONFIRMATION_COOLDOWN in one statement: a row comes back
	 * when no mail went to the address within $2 seconds, and the send
	 * time is then now. The upsert's row lock orders racing requests.
	 */
	[ST_EMAIL_COOLDOWN] = { "email_cooldown",
	    "INSERT INTO restauth_email_sent AS s (email, sent) VALUES "
	    "(upper($1), now()) ON CONFLICT (email) DO UPDATE SET sent = "
	    "now() WHERE s.sent <= now() - $2::int * interval '1 second' "
	    "RETURNING 1", 2 },
	/* allauth EmailConfirmation.create + send (sent = now). */
	[ST_CONFIRMATION_INSERT] = { "confirmation_insert",
	    "INSERT INTO account_emailconfirmation (created, sent, key, "
	    "email_address_id) VALUES (now(), now(), $1, $2)", 2 },
	/* dj-rest-auth's resend: EmailAddress.objects.filter(email=)
	 * .first(), compared case-insensitively. */
	[ST_EMAILADDRESS_BY_EMAIL] = { "emailaddress_by_email",
	    "SELECT a.id, a.user_id, a.email, a.verified, u.username FROM "
	    "account_emailaddress a JOIN auth_user u ON u.id = a.user_id "
	    "WHERE upper(a.email) = upper($1) ORDER BY a.id LIMIT 1", 1 },
	/* allauth EmailConfirmation.from_key: all_valid() (sent within
	 * $2 days, address unverified), key compared lower-cased. */
	[ST_CONFIRMATION_BY_KEY] = { "confirmation_by_key",
	    "SELECT c.email_address_id FROM account_emailconfirmation c "
	    "JOIN account_emailaddress a ON a.id = c.email_address_id WHERE "
	    "c.key = lower($1) AND NOT a.verified AND (c.sent IS NULL OR "
	    "c.sent >= now() - $2::int * interval '1 day') LIMIT 1", 2 },
	/*
	 * allauth verify_email: the unverified address $1 becomes verified
	 * unless ($2, UNIQUE_EMAIL) another verified row holds the same
	 * address (can_set_verified). First column: the row was there and
	 * unverified; second: it was verified now.
	 */
	[ST_EMAILADDRESS_CONFIRM] = { "emailaddress_confirm",
	    "WITH a AS (SELECT id, email FROM account_emailaddress WHERE id = "
	    "$1 AND NOT verified FOR UPDATE), u AS (UPDATE "
	    "account_emailaddress e SET verified = true FROM a WHERE e.id = "
	    "a.id AND (NOT $2::bool OR NOT EXISTS (SELECT 1 FROM "
	    "account_emailaddress o WHERE o.id <> a.id AND o.verified AND "
	    "upper(o.email) = upper(a.email))) RETURNING e.id) "
	    "SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM u)", 2 },
	/* dj-rest-auth's login check: user.emailaddress_set.filter(
	 * email=user.email, verified=True).exists(). */
	[ST_EMAIL_VERIFIED] = { "email_verified",
	    "SELECT 1 FROM account_emailaddress WHERE user_id = $1 AND "
	    "upper(email) = upper($2) AND verified LIMIT 1", 2 },
	/* allauth's reset token hashes every address row of the user
	 * (EmailAddress.objects.filter(user=user)); one row past the
	 * limit tells db_user_addresses there are too many. */
	[ST_USER_ADDRESSES] = { "user_addresses",
	    "SELECT email FROM account_emailaddress WHERE user_id = "
	    "$1::bigint LIMIT " DB_STR(DB_USER_ADDRESSES_MAX) " + 1", 1 },
	/* Django's db SessionStore: create (save(must_create=True)), load
	 * (expire_date__gt=now) and delete. */
	[ST_SESSION_INSERT] = { "session_insert",
	    "INSERT INTO django_session (session_key, session_data, "
	    "expire_date) VALUES ($1, $2, now() + $3::bigint * "
	    "interval '1 second')", 3 },
	[ST_SESSION_GET] = { "session_get",
	    "SELECT session_data FROM django_session WHERE session_key = $1 "
	    "AND expire_date > now()", 1 },
	[ST_SESSION_DELETE] = { "session_delete",
	    "DELETE FROM django_session WHERE session_key = $1", 1 },
	/* A mail, and the wake-up of the mail worker at COMMIT. */
	[ST_OUTBOX_INSERT] = { "outbox_insert",
	    "WITH i AS (INSERT INTO restauth_mail_outbox (sender, recipient, "
	    "subject, body) VALUES ($1, $2, $3, $4) RETURNING id) "
	    "SELECT pg_notify('" DB_MAIL_CHANNEL "', '') FROM i", 4 },
	/*
	 * PASSWORD_RESET_COOLDOWN and the reset mails in one statement, the
	 * same for every address, known or not: the cooldown row of $1 is
	 * written when the last mail to it is older than $2 seconds, and
	 * only then do the mails of $4 (a JSON list, empty for an unknown
	 * address) go in. The upsert's row lock orders racing requests.
	 */
	[ST_RESET_QUEUE] = { "reset_queue",
	    "WITH c AS (INSERT INTO restauth_reset_cooldown AS c (addr_hash, "
	    "sent) VALUES ($1, now()) ON CONFLICT (addr_hash) DO UPDATE SET "
	    "sent = now() WHERE c.sent <= now() - $2::int * interval "
	    "'1 second' RETURNING 1), m AS (INSERT INTO restauth_mail_outbox "
	    "(sender, recipient, subject, body) SELECT $3, j.recipient, "
	    "j.subject, j.body FROM json_to_recordset($4::json) AS "
	    "j(recipient text, subject text, body text) WHERE EXISTS "
	    "(SELECT 1 FROM c) RETURNING id) SELECT (SELECT count(*) FROM m), "
	    "pg_notify('" DB_MAIL_CHANNEL "', '')", 4 },
	/* One due mail, locked until COMMIT; other drainers skip it. */
	[ST_OUTBOX_CLAIM] = { "outbox_claim",
	    "SELECT id, sender, recipient, subject, body, attempts FROM "
	    "restauth_mail_outbox WHERE next_attempt <= now() ORDER BY "
	    "next_attempt, id LIMIT 1 FOR UPDATE SKIP LOCKED", 0 },
	[ST_OUTBOX_DELETE] = { "outbox_delete",
	    "DELETE FROM restauth_mail_outbox WHERE id = $1", 1 },
	/* Exponential backoff: 30 s, doubling, at most an hour. */
	[ST_OUTBOX_FAILED] = { "outbox_failed",
	    "UPDATE restauth_mail_outbox SET attempts = attempts + 1, "
	    "last_error = $2, next_attempt = now() + least(30 * power(2, "
	    "least(attempts, 20)), 3600) * interval '1 second' WHERE id = $1 "
	    "RETURNING attempts", 2 },
	/* Rows a day past their cooldown: a reset for an address asked
	 * for just now never waits for this DELETE's row locks. */
	[ST_COOLDOWN_CLEAN] = { "cooldown_clean",
	    "DELETE FROM restauth_reset_cooldown WHERE sent < now() - "
	    "($1::int + 86400) * interval '1 second'", 1 },
	/* A user's MFA rows as dj-rest-auth writes their JSON; the times
	 * as whole seconds and microseconds. */
	[ST_MFA_GET] = { "mfa_get", MFA_GET_SQL, 1 },
	[ST_MFA_GET_LOCK] = { "mfa_get_lock", MFA_GET_SQL " FOR UPDATE", 1 },
	/*
	 * Accept a TOTP step once (SPEC-mfa 4.1 M2): only while the row
	 * holds the secret checked ($4), its last accepted step is before
	 * $2, and the code ($3) is not the last accepted one (Django's own
	 * rule: a Django beside restauth that accepted a code updates
	 * last_code, not last_step, and that code must not pass here too).
	 * Concurrent requests queue on the row lock and re-check: one wins.
	 */
	[ST_MFA_TOTP_BURN] = { "mfa_totp_burn",
	    "UPDATE dj_rest_auth_mfa_authenticator SET data = data || "
	    "jsonb_build_object('last_code', $3::text, 'last_step', "
	    "$2::bigint), last_used_at = now() WHERE user_id = $1::bigint "
	    "AND type = 'totp' AND data->>'secret' = $4 AND "
	    "data->>'last_code' IS DISTINCT FROM $3 AND (jsonb_typeof("
	    "data->'last_step') IS DISTINCT FROM 'number' OR "
	    "(data->>'last_step')::numeric < $2::bigint) RETURNING id", 4 },
	[ST_MFA_TOTP_INSERT] = { "mfa_totp_insert",
	    "INSERT INTO dj_rest_auth_mfa_authenticator (type, data, "
	    "created_at, last_used_at, user_id) VALUES ('totp', "
	    "jsonb_build_object('secret', $2::text, 'last_code', $3::text, "
	    "'last_step', $4::bigint), now(), NULL, $1::bigint) "
	    "ON CONFLICT (user_id, type) DO NOTHING RETURNING id", 4 },
	/* update_or_create: created_at and last_used_at stay on update. */
	[ST_MFA_RECOVERY_RESET] = { "mfa_recovery_reset",
	    "INSERT INTO dj_rest_auth_mfa_authenticator (type, data, "
	    "created_at, last_used_at, user_id) SELECT 'recovery_codes', "
	    "jsonb_build_object('seed', $2::text, 'used_mask', 0), now(), "
	    "NULL, $1::bigint WHERE NOT $3::boolean OR EXISTS (SELECT 1 FROM "
	    "dj_rest_auth_mfa_authenticator WHERE user_id = $1::bigint AND "
	    "type = 'totp') ON CONFLICT (user_id, type) DO UPDATE SET "
	    "data = EXCLUDED.data RETURNING id", 3 },
	[ST_MFA_RECOVERY_MARK] = { "mfa_recovery_mark",
	    "UPDATE dj_rest_auth_mfa_authenticator SET data = data || "
	    "jsonb_build_object('used_mask', $2::numeric), last_used_at = "
	    "now() WHERE user_id = $1::bigint AND type = 'recovery_codes'",
	    2 },
	[ST_MFA_DELETE] = { "mfa_delete",
	    "DELETE FROM dj_rest_auth_mfa_authenticator WHERE user_id = "
	    "$1::bigint AND type IN ('totp', 'recovery_codes')", 1 },
	/* One try of a login token, counted before its code is checked. */
	[ST_MFA_TOKEN_HIT] = { "mfa_token_hit",
	    "INSERT INTO restauth_mfa_token AS t (digest, attempts, used_at, "
	    "expires_at) VALUES ($1::bytea, 1, NULL, to_timestamp($2::bigint)) "
	    "ON CONFLICT (digest) DO UPDATE SET attempts = t.attempts + 1 "
	    "RETURNING t.attempts, t.used_at IS NOT NULL", 2 },
	[ST_MFA_TOKEN_USE] = { "mfa_token_use",
	    "UPDATE restauth_mfa_token SET used_at = now() WHERE digest = "
	    "$1::bytea AND used_at IS NULL RETURNING 1", 1 },
	[ST_MFA_TOKEN_SEEN] = { "mfa_token_seen",
	    "SELECT 1 FROM restauth_mfa_token WHERE digest = $1::bytea", 1 },
	/* Login tokens of mfa/verify/ past their expiry, which refuses them
	 * anyway (flushexpiredtokens). */
	[ST_MFA_TOKEN_CLEAN] = { "mfa_token_clean",
	    "DELETE FROM restauth_mfa_token WHERE expires_at <= now()", 0 },
	/* Passkey ceremonies past their expiry, which the take refuses anyway
	 * (flushexpiredtokens). */
	[ST_PASSKEY_CHALLENGE_CLEAN] = { "passkey_challenge_clean",
	    "DELETE FROM restauth_passkey_challenge WHERE expires_at <= now()",
	    0 },
};

enum app_err
db_init(struct db *db, const char *url)
{
	memset(db, 0, sizeof(*db));
	if ((db->url = strdup(url != NULL ? url : "")) == NULL)
		return APP_ENOMEM;
	return APP_OK;
}

static void
db_disconnect(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_tx = false;
	db->prepared = false;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db->url);
	db->url = NULL;
}

/* Server notices ("already exists, skipping") are for debugging only. */
static void
notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("database: %s", msg);
}

enum app_err
db_connect(struct db *db)
{
	const char *keys[] = { "dbname", "connect_timeout",
		"application_name", NULL };
	const char *vals[] = { db->url, "2", "restauth", NULL };

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return APP_OK;
	db_disconnect(db);
	/* expand_dbname: the URL or keyword string fills in the rest. */
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL)
		return APP_ENOMEM;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		log_warnx("database: %s", PQerrorMessage(db->conn));
		db_disconnect(db);
		return APP_EDB;
	}
	PQsetNoticeProcessor(db->conn, notice, NULL);
	return APP_OK;
}

/* Connect if needed and prepare every statement once per connection. */
static enum app_err
db_ready(struct db *db)
{
	PGresult *res;
	enum app_err er;
	int i;

	if ((er = db_connect(db)) != APP_OK)
		return er;
	if (db->prepared)
		return APP_OK;
	for (i = 0; i < ST__MAX; i++) {
		res = PQprepare(db->conn, stmts[i].name, stmts[i].sql,
		    stmts[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_warnx("database: prepare %s: %s", stmts[i].name,
			    PQerrorMessage(db->conn));
			PQclear(res);
			db_disconnect(db);
			return APP_EDB;
		}
		PQclear(res);
	}
	db->prepared = true;
	return APP_OK;
}

/*
 * Run a prepared statement. When the connection turns out dead (the
 * server restarted since our last request) and no transaction is open,
 * reconnect and try once more, so the first request after an outage
 * succeeds. *out is set only on APP_OK; APP_ECONFLICT for a unique
 * violation, else APP_EDB.
 */
static enum app_err
run(struct db *db, enum stmt st, const char *const *params,
    PGresult **out)
{
	PGresult *res = NULL;
	ExecStatusType status;
	const char *state;
	enum app_err er;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if ((er = db_ready(db)) != APP_OK)
			return er;
		res = PQexecPrepared(db->conn, stmts[st].name,
		    stmts[st].nparams, params, NULL, NULL, 0);
		status = PQresultStatus(res);
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
			*out = res;
			return APP_OK;
		}
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state != NULL && strcmp(state, "23505") == 0) {
			PQclear(res);
			return APP_ECONFLICT;
		}
		log_warnx("database: %s: %s", stmts[st].name,
		    PQerrorMessage(db->conn));
		PQclear(res);
		res = NULL;
		if (PQstatus(db->conn) == CONNECTION_OK)
			return APP_EDB;
		if (db->in_tx) {
			db_disconnect(db);
			return APP_EDB;
		}
		db_disconnect(db);
	}
	return APP_EDB;
}

/* Run st and report whether it returned a row. APP_ECONFLICT (a unique
 * violation), APP_EDB. */
static enum app_err
exists(struct db *db, enum stmt st, const char *const *params, bool *yes)
{
	PGresult *res = NULL;
	enum app_err er;

	if ((er = run(db, st, params, &res)) != APP_OK)
		return er;
	*yes = PQntuples(res) > 0;
	PQclear(res);
	return APP_OK;
}

/* Run st for its effect alone; errors as exists. */
static enum app_err
run_only(struct db *db, enum stmt st, const char *const *params)
{
	bool any;

	return exists(db, st, params, &any);
}

static enum app_err
simple(struct db *db, const char *sql)
{
	PGresult *res;
	enum app_err er = APP_EDB;

	if ((er = db_connect(db)) != APP_OK)
		return er;
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		er = APP_OK;
	else {
		log_warnx("database: %s: %s", sql, PQerrorMessage(db->conn));
		er = APP_EDB;
		if (PQstatus(db->conn) != CONNECTION_OK)
			db_disconnect(db);
	}
	PQclear(res);
	return er;
}

enum app_err
db_begin(struct db *db)
{
	enum app_err er;

	if ((er = simple(db, "BEGIN")) == APP_OK)
		db->in_tx = true;
	return er;
}

enum app_err
db_commit(struct db *db)
{
	enum app_err er;

	er = simple(db, "COMMIT");
	db->in_tx = false;
	return er;
}

void
db_rollback(struct db *db)
{
	if (!db->in_tx)
		return;
	db->in_tx = false;
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    simple(db, "ROLLBACK") != APP_OK)
		db_disconnect(db);
}

static void
copy_field(char *dst, size_t dstsz, const PGresult *res, int row, int col)
{
	const char *v = PQgetvalue(res, row, col);
	size_t n = strnlen(v, dstsz - 1);

	memcpy(dst, v, n);
	dst[n] = '\0';
}

static bool
parse_bool(const char *v)
{
	return v[0] == 't';
}

/* A number's text starts with a digit, or a minus and a digit: strtoll
 * and strtod alone would also take leading space, a plus or nothing. */
static bool
number_start(const char *v)
{
	if (v[0] == '-')
		v++;
	return v[0] >= '0' && v[0] <= '9';
}

enum app_err
db_parse_int(const char *v, long long min, long long max, long long *out)
{
	char *end;
	long long n;

	if (v == NULL || !number_start(v))
		return APP_EDB;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return APP_EDB;
	*out = n;
	return APP_OK;
}

enum app_err
db_parse_seconds(const char *v, double *out)
{
	char *end;
	double d;

	/* Digits, a point and an exponent only: no hex, inf or nan. */
	if (v == NULL || !number_start(v) ||
	    v[strspn(v, "0123456789.eE+-")] != '\0')
		return APP_EDB;
	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d))
		return APP_EDB;
	*out = d;
	return APP_OK;
}

/* Column col of row as a row id (a positive bigint). APP_EDB. */
static enum app_err
col_id(const PGresult *res, int row, int col, int64_t *out)
{
	long long v;

	if (db_parse_int(PQgetvalue(res, row, col), 1, INT64_MAX, &v) !=
	    APP_OK)
		return APP_EDB;
	*out = v;
	return APP_OK;
}

static enum app_err
user_from_row(const PGresult *res, int row, struct db_user *out)
{
	long long last_login;

	if (col_id(res, row, 0, &out->id) != APP_OK ||
	    db_parse_int(PQgetvalue(res, row, 9), -1, INT64_MAX,
		&last_login) != APP_OK)
		return APP_EDB;
	copy_field(out->username, sizeof(out->username), res, row, 1);
	copy_field(out->email, sizeof(out->email), res, row, 2);
	copy_field(out->first_name, sizeof(out->first_name), res, row, 3);
	copy_field(out->last_name, sizeof(out->last_name), res, row, 4);
	copy_field(out->password, sizeof(out->password), res, row, 5);
	out->is_active = parse_bool(PQgetvalue(res, row, 6));
	out->is_staff = parse_bool(PQgetvalue(res, row, 7));
	out->is_superuser = parse_bool(PQgetvalue(res, row, 8));
	out->last_login = last_login;
	return APP_OK;
}

static enum app_err
user_one(struct db *db, enum stmt st, const char *const *params,
    struct db_user *out)
{
	PGresult *res = NULL;
	enum app_err er;

	if ((er = run(db, st, params, &res)) != APP_OK)
		return er;
	er = APP_ENOTFOUND;
	if (PQntuples(res) != 1)
		goto out;
	er = user_from_row(res, 0, out);
out:
	PQclear(res);
	return er;
}

#define ID_BYTES 24

static const char *
fmt_id(char buf[ID_BYTES], int64_t id)
{
	snprintf(buf, ID_BYTES, "%" PRId64, id);
	return buf;
}

enum app_err
db_user_by_id(struct db *db, int64_t id, struct db_user *out)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id) };

	return user_one(db, ST_USER_BY_ID, params, out);
}

enum app_err
db_user_by_username(struct db *db, const char *username, struct db_user *out)
{
	const char *params[] = { username };

	return user_one(db, ST_USER_BY_USERNAME, params, out);
}

enum app_err
db_user_by_token(struct db *db, const char *key, struct db_user *out)
{
	const char *params[] = { key };

	return user_one(db, ST_USER_BY_TOKEN, params, out);
}

static enum app_err
users_by_email(struct db *db, enum stmt st, const char *email,
    struct db_user *out, size_t *n, bool *decoy)
{
	const char *params[] = { email };
	PGresult *res = NULL;
	enum app_err er;
	int i, rows;

	if ((er = run(db, st, params, &res)) != APP_OK)
		return er;
	rows = PQntuples(res);
	if (rows > DB_USERS_BY_EMAIL_MAX)
		rows = DB_USERS_BY_EMAIL_MAX;
	for (i = 0; i < rows; i++)
		if ((er = user_from_row(res, i, &out[i])) != APP_OK)
			goto out;
	*n = (size_t)rows;
	if (decoy != NULL)
		*decoy = rows == 1 && !parse_bool(PQgetvalue(res, 0, 10));
out:
	PQclear(res);
	return er;
}

enum app_err
db_users_by_email(struct db *db, const char *email, struct db_user *out,
    size_t *n)
{
	return users_by_email(db, ST_USERS_BY_EMAIL, email, out, n, NULL);
}

enum app_err
db_users_by_email_or_decoy(struct db *db, const char *email,
    struct db_user *out, size_t *n, bool *decoy)
{
	return users_by_email(db, ST_USERS_BY_EMAIL_DECOY, email, out, n,
	    decoy);
}

/*
 * The first column of the one row st returns, as a positive id.
 * APP_ENOTFOUND when no row came back, APP_ECONFLICT, APP_EDB.
 */
static enum app_err
returned_id(struct db *db, enum stmt st, const char *const *params,
    int64_t *id)
{
	PGresult *res = NULL;
	enum app_err er;

	if ((er = run(db, st, params, &res)) != APP_OK)
		return er;
	er = PQntuples(res) == 0 ? APP_ENOTFOUND : APP_EDB;
	if (PQntuples(res) == 1)
		er = col_id(res, 0, 0, id);
	PQclear(res);
	return er;
}

enum app_err
db_user_insert(struct db *db, const char *username, const char *email,
    const char *hash, bool is_staff, bool is_superuser, int64_t *id)
{
	const char *params[] = { hash, is_superuser ? "t" : "f", username,
		email, is_staff ? "t" : "f" };
	enum app_err er;

	er = returned_id(db, ST_USER_INSERT, params, id);
	return er == APP_ENOTFOUND ? APP_EDB : er;
}

static enum app_err
update_one(struct db *db, enum stmt st, const char *const *params)
{
	PGresult *res = NULL;
	enum app_err er;

	if ((er = run(db, st, params, &res)) != APP_OK)
		return er;
	er = strcmp(PQcmdTuples(res), "1") == 0 ? APP_OK : APP_ENOTFOUND;
	PQclear(res);
	return er;
}

enum app_err
db_user_update_profile(struct db *db, int64_t id, const char *username,
    const char *first_name, const char *last_name)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id), username, first_name,
		last_name };

	return update_one(db, ST_USER_UPDATE_PROFILE, params);
}

enum app_err
db_user_set_password(struct db *db, int64_t id, const char *hash)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id), hash };

	return update_one(db, ST_USER_SET_PASSWORD, params);
}

enum app_err
db_user_replace_password(struct db *db, int64_t id, const char *old,
    const char *hash)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id), hash, old };

	return update_one(db, ST_USER_REPLACE_PASSWORD, params);
}

enum app_err
db_user_touch_login(struct db *db, int64_t id)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id) };
	enum app_err er;

	er = update_one(db, ST_USER_TOUCH_LOGIN, params);
	return er == APP_ENOTFOUND ? APP_OK : er;
}

enum app_err
db_token_get_or_create(struct db *db, int64_t user_id, const char *newkey,
    char out[DB_TOKEN_KEY_BYTES])
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id), newkey };
	PGresult *res = NULL;
	enum app_err er;
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		if ((er = run(db, ST_TOKEN_GET_OR_CREATE, params, &res)) !=
		    APP_OK)
			return er;
		if (PQntuples(res) >= 1) {
			copy_field(out, DB_TOKEN_KEY_BYTES, res, 0, 0);
			PQclear(res);
			return APP_OK;
		}
		PQclear(res);
	}
	return APP_EDB;
}

enum app_err
db_token_delete(struct db *db, int64_t user_id)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id) };

	return run_only(db, ST_TOKEN_DELETE, params);
}

static const char *
opt_id(char buf[ID_BYTES], int64_t id)
{
	return id > 0 ? fmt_id(buf, id) : NULL;
}

enum app_err
db_outstanding_insert(struct db *db, const char *jti, const char *token,
    int64_t exp, int64_t user_id)
{
	char expbuf[ID_BYTES], idbuf[ID_BYTES];
	const char *params[] = { jti, token, fmt_id(expbuf, exp),
		opt_id(idbuf, user_id) };

	return run_only(db, ST_OUTSTANDING_INSERT, params);
}

enum app_err
db_blacklist(struct db *db, const char *jti, const char *token, int64_t exp,
    int64_t user_id)
{
	char expbuf[ID_BYTES], idbuf[ID_BYTES];
	const char *params[] = { jti, token, fmt_id(expbuf, exp),
		opt_id(idbuf, user_id) };
	PGresult *res = NULL;
	enum app_err er;

	if ((er = run(db, ST_BLACKLIST, params, &res)) != APP_OK)
		return er;
	er = PQntuples(res) == 1 ? APP_OK : APP_ECONFLICT;
	PQclear(res);
	return er;
}

enum app_err
db_rotate(struct db *db, const struct db_refresh *old,
    const struct db_refresh *new, const struct db_owner *owner)
{
	char oexp[ID_BYTES], nexp[ID_BYTES], uid[ID_BYTES];
	const char *params[] = { old->jti, old->token, fmt_id(oexp, old->exp),
		new->jti, new->token, fmt_id(nexp, new->exp),
		owner->check ? "t" : "f", opt_id(uid, owner->id),
		owner->username };
	PGresult *res = NULL;
	enum app_err er;

	if ((er = run(db, ST_ROTATE, params, &res)) != APP_OK)
		return er;
	er = APP_EDB;
	if (PQntuples(res) != 1)
		goto out;
	if (!parse_bool(PQgetvalue(res, 0, 0)))
		er = parse_bool(PQgetvalue(res, 0, 2)) ? APP_ECONFLICT :
							 APP_EDENIED;
	else
		er = strcmp(PQgetvalue(res, 0, 1), "1") == 0 ? APP_OK :
							      APP_ECONFLICT;
out:
	PQclear(res);
	return er;
}

enum app_err
db_revoke(struct db *db, int64_t user_id, const struct db_revoke *what)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id),
		what->token ? "t" : "f", what->refresh ? "t" : "f",
		what->keep_jti };

	return run_only(db, ST_REVOKE, params);
}

enum app_err
db_is_blacklisted(struct db *db, const char *jti, bool *yes)
{
	const char *params[] = { jti };

	return exists(db, ST_IS_BLACKLISTED, params, yes);
}

/* Run st, a DELETE without parameters; *deleted: its row count. APP_EDB. */
static enum app_err
run_deleted(struct db *db, enum stmt st, long *deleted)
{
	PGresult *res = NULL;
	enum app_err er;
	long long n;

	if ((er = run(db, st, NULL, &res)) != APP_OK)
		return er;
	if ((er = db_parse_int(PQcmdTuples(res), 0, LONG_MAX, &n)) == APP_OK)
		*deleted = (long)n;
	PQclear(res);
	return er;
}

enum app_err
db_flush_expired(struct db *db, long *deleted)
{
	return run_deleted(db, ST_FLUSH_EXPIRED, deleted);
}

/*
 * Run st, whose one row is (allowed, wait in seconds; NULL, which a
 * schedule without entries gives, as no wait). APP_EDB.
 */
static enum app_err
run_allowed(struct db *db, enum stmt st, const char *const *params,
    bool *allowed, double *wait)
{
	PGresult *res = NULL;
	enum app_err er;
	double w = 0;

	if ((er = run(db, st, params, &res)) != APP_OK)
		return er;
	er = APP_EDB;
	if (PQntuples(res) != 1 || (!PQgetisnull(res, 0, 1) &&
	    db_parse_seconds(PQgetvalue(res, 0, 1), &w) != APP_OK))
		goto out;
	*allowed = parse_bool(PQgetvalue(res, 0, 0));
	*wait = w;
	er = APP_OK;
out:
	PQclear(res);
	return er;
}

enum app_err
db_throttle_hit(struct db *db, const char *scope, const char *ident,
    long period, long num, bool *allowed, double *wait)
{
	char pbuf[ID_BYTES], nbuf[ID_BYTES];
	const char *params[] = { scope, ident, fmt_id(pbuf, period),
		fmt_id(nbuf, num) };

	return run_allowed(db, ST_THROTTLE_HIT, params, allowed, wait);
}

enum app_err
db_throttle_clean(struct db *db)
{
	return run_only(db, ST_THROTTLE_CLEAN, NULL);
}

enum app_err
db_login_failure_hit(struct db *db, const char *ident, int limit,
    const char *schedule, long quiet, bool *allowed, double *wait)
{
	char lbuf[ID_BYTES], qbuf[ID_BYTES];
	const char *params[] = { ident, fmt_id(lbuf, limit), schedule,
		fmt_id(qbuf, quiet) };

	return run_allowed(db, ST_LOGIN_FAILURE_HIT, params, allowed, wait);
}

enum app_err
db_login_failure_clear(struct db *db, const char *ident)
{
	const char *params[] = { ident };

	return run_only(db, ST_LOGIN_FAILURE_CLEAR, params);
}

enum app_err
db_login_failure_clean(struct db *db, long quiet)
{
	char qbuf[ID_BYTES];
	const char *params[] = { fmt_id(qbuf, quiet) };

	return run_only(db, ST_LOGIN_FAILURE_CLEAN, params);
}

/* ---- registration and e-mail confirmation ---- */

enum app_err
db_lock_username(struct db *db, const char *username)
{
	const char *params[] = { username };

	return run_only(db, ST_REG_LOCK_USERNAME, params);
}

enum app_err
db_username_taken(struct db *db, const char *username, int64_t except,
    bool *taken)
{
	char idbuf[ID_BYTES];
	const char *params[] = { username, fmt_id(idbuf, except) };

	return exists(db, ST_USERNAME_TAKEN, params, taken);
}

enum app_err
db_email_taken(struct db *db, const char *email, bool *taken)
{
	const char *params[] = { email };

	return exists(db, ST_EMAIL_TAKEN, params, taken);
}

enum app_err
db_user_register(struct db *db, const char *username, const char *email,
    const char *hash, bool login, int64_t *id)
{
	const char *params[] = { hash, username, email, login ? "t" : "f" };

	return returned_id(db, ST_REG_USER_INSERT, params, id);
}

enum app_err
db_emailaddress_insert(struct db *db, int64_t user_id, const char *email,
    int64_t *id)
{
	char idbuf[ID_BYTES];
	const char *params[] = { email, fmt_id(idbuf, user_id) };

	return returned_id(db, ST_EMAILADDRESS_INSERT, params, id);
}

enum app_err
db_email_claim(struct db *db, const char *email, int64_t address_id)
{
	char idbuf[ID_BYTES];
	const char *params[] = { email, fmt_id(idbuf, address_id) };

	return run_only(db, ST_EMAIL_CLAIM, params);
}

enum app_err
db_email_cooldown(struct db *db, const char *email, long seconds,
    bool *may_send)
{
	char sbuf[ID_BYTES];
	const char *params[] = { email, fmt_id(sbuf, seconds) };

	return exists(db, ST_EMAIL_COOLDOWN, params, may_send);
}

enum app_err
db_confirmation_insert(struct db *db, int64_t address_id, const char *key)
{
	char idbuf[ID_BYTES];
	const char *params[] = { key, fmt_id(idbuf, address_id) };

	return run_only(db, ST_CONFIRMATION_INSERT, params);
}

enum app_err
db_emailaddress_by_email(struct db *db, const char *email,
    struct db_emailaddress *out)
{
	const char *params[] = { email };
	PGresult *res = NULL;
	enum app_err er;
	int64_t id, uid;

	if ((er = run(db, ST_EMAILADDRESS_BY_EMAIL, params, &res)) != APP_OK)
		return er;
	er = APP_ENOTFOUND;
	if (PQntuples(res) != 1)
		goto out;
	er = APP_EDB;
	if (col_id(res, 0, 0, &id) != APP_OK ||
	    col_id(res, 0, 1, &uid) != APP_OK)
		goto out;
	out->id = id;
	out->user_id = uid;
	copy_field(out->email, sizeof(out->email), res, 0, 2);
	out->verified = parse_bool(PQgetvalue(res, 0, 3));
	copy_field(out->username, sizeof(out->username), res, 0, 4);
	er = APP_OK;
out:
	PQclear(res);
	return er;
}

enum app_err
db_confirmation_lookup(struct db *db, const char *key, int expire_days,
    int64_t *address_id)
{
	char dbuf[ID_BYTES];
	const char *params[] = { key, fmt_id(dbuf, expire_days) };

	return returned_id(db, ST_CONFIRMATION_BY_KEY, params, address_id);
}

enum app_err
db_emailaddress_confirm(struct db *db, int64_t id, bool unique_email)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id), unique_email ? "t" : "f" };
	PGresult *res = NULL;
	enum app_err er;

	if ((er = run(db, ST_EMAILADDRESS_CONFIRM, params, &res)) != APP_OK)
		return er;
	er = APP_EDB;
	if (PQntuples(res) != 1)
		goto out;
	er = strcmp(PQgetvalue(res, 0, 0), "0") == 0 ? APP_ENOTFOUND : APP_OK;
out:
	PQclear(res);
	return er;
}

enum app_err
db_email_verified(struct db *db, int64_t user_id, const char *email,
    bool *yes)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id), email };

	return exists(db, ST_EMAIL_VERIFIED, params, yes);
}

enum app_err
db_user_addresses(struct db *db, int64_t user_id, struct db_addrs *out)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id) };
	PGresult *res = NULL;
	enum app_err er;
	int i, rows;

	memset(out, 0, sizeof(*out));
	if ((er = run(db, ST_USER_ADDRESSES, params, &res)) != APP_OK)
		return er;
	er = APP_EDB;
	if ((rows = PQntuples(res)) > DB_USER_ADDRESSES_MAX) {
		log_warnx("user %" PRId64 " has more than %d e-mail "
		    "addresses: no reset token", user_id,
		    DB_USER_ADDRESSES_MAX);
		goto out;
	}
	er = APP_ENOMEM;
	if (rows > 0 && (out->v = calloc((size_t)rows, sizeof(char *))) ==
	    NULL)
		goto out;
	for (i = 0; i < rows; i++) {
		if ((out->v[i] = strdup(PQgetvalue(res, i, 0))) == NULL)
			goto out;
		out->n++;
	}
	er = APP_OK;
out:
	if (er != APP_OK)
		db_addrs_free(out);
	PQclear(res);
	return er;
}

void
db_addrs_free(struct db_addrs *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

enum app_err
db_session_insert(struct db *db, const char *key, const char *data, long age)
{
	char agebuf[ID_BYTES];
	const char *params[] = { key, data, fmt_id(agebuf, age) };

	return run_only(db, ST_SESSION_INSERT, params);
}

enum app_err
db_session_get(struct db *db, const char *key, char *data, size_t size)
{
	const char *params[] = { key };
	PGresult *res = NULL;
	enum app_err er;
	size_t n;

	if ((er = run(db, ST_SESSION_GET, params, &res)) != APP_OK)
		return er;
	er = APP_ENOTFOUND;
	if (PQntuples(res) != 1)
		goto out;
	er = APP_ETOOBIG;
	if ((n = (size_t)PQgetlength(res, 0, 0)) >= size)
		goto out;
	memcpy(data, PQgetvalue(res, 0, 0), n + 1);
	er = APP_OK;
out:
	PQclear(res);
	return er;
}

enum app_err
db_session_delete(struct db *db, const char *key)
{
	const char *params[] = { key };

	return run_only(db, ST_SESSION_DELETE, params);
}

/* ---- the mail outbox and the reset cooldown ---- */

enum app_err
db_outbox_insert(struct db *db, const char *from, const struct mail *m)
{
	const char *params[] = { from, m->to, m->subject, m->body };

	return run_only(db, ST_OUTBOX_INSERT, params);
}

/* The mails as the JSON list ST_RESET_QUEUE reads; free()d by the caller. */
static char *
mails_json(const struct mail *mails, size_t n)
{
	struct json_object *a, *o;
	const char *s;
	char *out = NULL;
	size_t i;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL ||
		    json_object_array_add(a, o) != 0) {
			json_object_put(o);
			goto out;
		}
		if (json_object_object_add(o, "recipient",
			json_object_new_string(mails[i].to)) != 0 ||
		    json_object_object_add(o, "subject",
			json_object_new_string(mails[i].subject)) != 0 ||
		    json_object_object_add(o, "body",
			json_object_new_string(mails[i].body)) != 0)
			goto out;
	}
	if ((s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN)) !=
	    NULL)
		out = strdup(s);
out:
	json_object_put(a);
	return out;
}

enum app_err
db_reset_queue(struct db *db, const char *addr_key, long seconds,
    const char *from, const struct mail *mails, size_t n, size_t *queued)
{
	char sbuf[ID_BYTES];
	const char *params[4] = { addr_key, fmt_id(sbuf, seconds), from, NULL };
	PGresult *res = NULL;
	enum app_err er;
	long long v;
	char *json;

	if ((json = mails_json(mails, n)) == NULL)
		return APP_ENOMEM;
	params[3] = json;
	er = run(db, ST_RESET_QUEUE, params, &res);
	OPENSSL_cleanse(json, strlen(json));
	free(json);
	if (er != APP_OK)
		return er;
	er = APP_EDB;
	if (PQntuples(res) == 1 &&
	    db_parse_int(PQgetvalue(res, 0, 0), 0, (long long)n, &v) ==
	    APP_OK) {
		*queued = (size_t)v;
		er = APP_OK;
	}
	PQclear(res);
	return er;
}

enum app_err
db_outbox_claim(struct db *db, int64_t *id, struct mail *out)
{
	struct mail m = { 0 };
	PGresult *res = NULL;
	enum app_err er;
	long long i;

	if ((er = run(db, ST_OUTBOX_CLAIM, NULL, &res)) != APP_OK)
		return er;
	er = APP_ENOTFOUND;
	if (PQntuples(res) != 1)
		goto out;
	er = APP_EDB;
	if (db_parse_int(PQgetvalue(res, 0, 0), 0, INT64_MAX, &i) != APP_OK)
		goto out;
	er = APP_ENOMEM;
	if ((m.from = strdup(PQgetvalue(res, 0, 1))) == NULL ||
	    (m.to = strdup(PQgetvalue(res, 0, 2))) == NULL ||
	    (m.subject = strdup(PQgetvalue(res, 0, 3))) == NULL ||
	    (m.body = strdup(PQgetvalue(res, 0, 4))) == NULL)
		goto out;
	*id = i;
	*out = m;
	memset(&m, 0, sizeof(m));
	er = APP_OK;
out:
	mail_free(&m);
	PQclear(res);
	return er;
}

enum app_err
db_outbox_sent(struct db *db, int64_t id)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id) };

	return run_only(db, ST_OUTBOX_DELETE, params);
}

enum app_err
db_outbox_failed(struct db *db, int64_t id, const char *error, int *attempts)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, id), error };
	PGresult *res = NULL;
	enum app_err er;
	long long n = 0;

	if ((er = run(db, ST_OUTBOX_FAILED, params, &res)) != APP_OK)
		return er;
	if (PQntuples(res) != 1 ||
	    db_parse_int(PQgetvalue(res, 0, 0), 0, INT32_MAX, &n) != APP_OK)
		n = 0;
	*attempts = (int)n;
	PQclear(res);
	return APP_OK;
}

enum app_err
db_cooldown_clean(struct db *db, long seconds)
{
	char sbuf[ID_BYTES];
	const char *params[] = { fmt_id(sbuf, seconds) };

	return run_only(db, ST_COOLDOWN_CLEAN, params);
}

enum app_err
db_mail_listen(struct db *db)
{
	enum app_err er;

	if ((er = db_ready(db)) != APP_OK)
		return er;
	return simple(db, "LISTEN " DB_MAIL_CHANNEL);
}

enum app_err
db_mail_wait(struct db *db, int timeout_ms, const sigset_t *mask,
    bool *woken)
{
	struct timespec ts = { timeout_ms / 1000,
		(long)(timeout_ms % 1000) * 1000000 };
	struct pollfd pfd;
	PGnotify *n;
	int rc;

	*woken = false;
	if (db->conn == NULL || (pfd.fd = PQsocket(db->conn)) < 0)
		return APP_EDB;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if ((rc = ppoll(&pfd, 1, &ts, mask)) == -1)
		return errno == EINTR ? APP_OK : APP_EDB;
	if (rc == 0)
		return APP_OK;
	if (PQconsumeInput(db->conn) == 0) {
		log_warnx("database: %s", PQerrorMessage(db->conn));
		db_disconnect(db);
		return APP_EDB;
	}
	while ((n = PQnotifies(db->conn)) != NULL) {
		*woken = true;
		PQfreemem(n);
	}
	return APP_OK;
}

/* ---- MFA ---- */

/* A JSON number Django wrote as used_mask: a whole decimal up to 2^64-1. */
static enum app_err
parse_mask(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v == NULL || v[0] == '\0')
		return APP_EDB;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' ||
		    n > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return APP_EDB;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*out = n;
	return APP_OK;
}

/* Columns s, s + 1 of row: a time as seconds and microseconds. */
static enum app_err
mfa_time(const PGresult *res, int row, int col, int64_t *s, long *us)
{
	long long sec, usec;

	if (db_parse_int(PQgetvalue(res, row, col), INT64_MIN + 1, INT64_MAX,
		&sec) != APP_OK ||
	    db_parse_int(PQgetvalue(res, row, col + 1), 0, 999999, &usec) !=
		APP_OK)
		return APP_EDB;
	*s = sec;
	*us = (long)usec;
	return APP_OK;
}

/* One row of ST_MFA_GET into out. */
static enum app_err
mfa_row(const PGresult *res, int row, struct db_mfa *out)
{
	const char *type = PQgetvalue(res, row, 0);
	long long step;
	int64_t us_s;
	long us_us;

	if (!PQgetisnull(res, row, 8)) {
		if (mfa_time(res, row, 8, &us_s, &us_us) != APP_OK)
			return APP_EDB;
		if (us_s > out->used_s ||
		    (us_s == out->used_s && us_us > out->used_us)) {
			out->used_s = us_s;
			out->used_us = us_us;
		}
	}
	if (strcmp(type, "totp") == 0) {
		out->totp = true;
		copy_field(out->secret, sizeof(out->secret), res, row, 1);
		copy_field(out->last_code, sizeof(out->last_code), res, row, 3);
		/* A step that is not a whole number (a hand-edited row):
		 * none is accepted any more, rather than one twice. */
		if (!PQgetisnull(res, row, 2)) {
			if (db_parse_int(PQgetvalue(res, row, 2), INT64_MIN + 1,
				INT64_MAX, &step) != APP_OK) {
				log_warnx("database: an MFA totp row's last_step "
					  "is unreadable: no code accepted");
				step = INT64_MAX;
			}
			out->last_step = step;
		}
		return mfa_time(res, row, 6, &out->created_s,
		    &out->created_us);
	}
	out->recovery = true;
	copy_field(out->seed, sizeof(out->seed), res, row, 4);
	/* A row without a mask is one whose codes are all unused; an
	 * unreadable one (hand-edited) counts every code used. */
	if (!PQgetisnull(res, row, 5) &&
	    parse_mask(PQgetvalue(res, row, 5), &out->used_mask) != APP_OK) {
		log_warnx("database: an MFA recovery row's used_mask is "
			  "unreadable: its codes count as used");
		out->used_mask = UINT64_MAX;
	}
	return APP_OK;
}

enum app_err
db_mfa_get(struct db *db, int64_t user_id, bool lock, struct db_mfa *out)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id) };
	PGresult *res = NULL;
	enum app_err er;
	int i;

	memset(out, 0, sizeof(*out));
	out->last_step = INT64_MIN;
	out->used_s = -1;
	if ((er = run(db, lock ? ST_MFA_GET_LOCK : ST_MFA_GET, params,
		 &res)) != APP_OK)
		return er;
	for (i = 0; i < PQntuples(res) && er == APP_OK; i++)
		er = mfa_row(res, i, out);
	PQclear(res);
	return er;
}

/* Run st; APP_ENOTFOUND when it returned no row. */
static enum app_err
run_found(struct db *db, enum stmt st, const char *const *params)
{
	enum app_err er;
	bool yes = false;

	if ((er = exists(db, st, params, &yes)) != APP_OK)
		return er;
	return yes ? APP_OK : APP_ENOTFOUND;
}

enum app_err
db_mfa_totp_burn(struct db *db, int64_t user_id, const char *secret,
    int64_t step, const char *code)
{
	char idbuf[ID_BYTES], stepbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id), fmt_id(stepbuf, step),
		code, secret };

	return run_found(db, ST_MFA_TOTP_BURN, params);
}

enum app_err
db_mfa_totp_insert(struct db *db, int64_t user_id, const char *secret,
    const char *code, int64_t step)
{
	char idbuf[ID_BYTES], stepbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id), secret, code,
		fmt_id(stepbuf, step) };
	enum app_err er;

	er = run_found(db, ST_MFA_TOTP_INSERT, params);
	return er == APP_ENOTFOUND ? APP_ECONFLICT : er;
}

enum app_err
db_mfa_recovery_reset(struct db *db, int64_t user_id, const char *seed,
    bool need_totp)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id), seed,
		need_totp ? "true" : "false" };

	return run_found(db, ST_MFA_RECOVERY_RESET, params);
}

enum app_err
db_mfa_recovery_mark(struct db *db, int64_t user_id, uint64_t mask)
{
	char idbuf[ID_BYTES], maskbuf[24];
	const char *params[] = { fmt_id(idbuf, user_id), maskbuf };

	snprintf(maskbuf, sizeof(maskbuf), "%" PRIu64, mask);
	return run_only(db, ST_MFA_RECOVERY_MARK, params);
}

enum app_err
db_mfa_delete(struct db *db, int64_t user_id)
{
	char idbuf[ID_BYTES];
	const char *params[] = { fmt_id(idbuf, user_id) };

	return run_only(db, ST_MFA_DELETE, params);
}

/* bytea's hex input form of a digest. */
static const char *
fmt_digest(char buf[2 * DB_MFA_DIGEST_BYTES + 3],
    const unsigned char d[DB_MFA_DIGEST_BYTES])
{
	buf[0] = '\\';
	buf[1] = 'x';
	codec_hex_encode(d, DB_MFA_DIGEST_BYTES, buf + 2);
	return buf;
}

enum app_err
db_mfa_token_hit(struct db *db, const unsigned char digest[DB_MFA_DIGEST_BYTES],
    int64_t expires, int *attempts, bool *used)
{
	char dbuf[2 * DB_MFA_DIGEST_BYTES + 3], ebuf[ID_BYTES];
	const char *params[] = { fmt_digest(dbuf, digest),
		fmt_id(ebuf, expires) };
	PGresult *res = NULL;
	long long n;
	enum app_err er;

	if ((er = run(db, ST_MFA_TOKEN_HIT, params, &res)) != APP_OK)
		return er;
	if (PQntuples(res) != 1 ||
	    db_parse_int(PQgetvalue(res, 0, 0), 1, INT_MAX, &n) != APP_OK)
		er = APP_EDB;
	else {
		*attempts = (int)n;
		*used = parse_bool(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return er;
}

enum app_err
db_mfa_token_use(struct db *db, const unsigned char digest[DB_MFA_DIGEST_BYTES])
{
	char dbuf[2 * DB_MFA_DIGEST_BYTES + 3];
	const char *params[] = { fmt_digest(dbuf, digest) };

	return run_found(db, ST_MFA_TOKEN_USE, params);
}

enum app_err
db_mfa_token_seen(struct db *db,
    const unsigned char digest[DB_MFA_DIGEST_BYTES], bool *seen)
{
	char dbuf[2 * DB_MFA_DIGEST_BYTES + 3];
	const char *params[] = { fmt_digest(dbuf, digest) };

	return exists(db, ST_MFA_TOKEN_SEEN, params, seen);
}

enum app_err
db_mfa_token_clean(struct db *db, long *deleted)
{
	return run_deleted(db, ST_MFA_TOKEN_CLEAN, deleted);
}

enum app_err
db_passkey_challenge_clean(struct db *db, long *deleted)
{
	return run_deleted(db, ST_PASSKEY_CHALLENGE_CLEAN, deleted);
}
