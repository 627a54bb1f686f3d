/*
 * db.h: one persistent libpq connection per process, prepared statements
 * only, reconnect on demand. Every statement is a constant in db.c with a
 * function of its own named for what it does.
 */
#ifndef RESTAUTH_DB_H
#define RESTAUTH_DB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "app.h"
#include "bounds.h"

/* Byte sizes of the user fields we hold: characters times 4 for UTF-8. */
#define DB_USERNAME_BYTES (LIMIT_USERNAME * 4 + 1)
#define DB_NAME_BYTES (LIMIT_NAME * 4 + 1)
#define DB_EMAIL_BYTES (LIMIT_EMAIL_BYTES + 1)
#define DB_HASH_BYTES (LIMIT_HASH + 1)
#define DB_TOKEN_KEY_BYTES (LIMIT_TOKEN_KEY + 1)

/*
 * PostgreSQL advisory-lock keys, arbitrary but fixed: every restauth
 * process (and every version of it) must take the same ones. The
 * migrator's is one bigint; the username lock is the two-int form, a key
 * space of its own, with the name's hash as the second int.
 */
#define DB_LOCK_MIGRATE "7240531"
#define DB_LOCK_USERNAME "7240532"

struct db {
	PGconn *conn;	/* NULL until the first use, or after a failure */
	char *url;	/* owned libpq connection string */
	bool in_tx;	/* a BEGIN is open: never retry silently */
	bool prepared;	/* the statements exist on this connection */
};

/* One row of auth_user, as much as the endpoints need. */
struct db_user {
	int64_t id;
	char username[DB_USERNAME_BYTES];
	char email[DB_EMAIL_BYTES];
	char first_name[DB_NAME_BYTES];
	char last_name[DB_NAME_BYTES];
	char password[DB_HASH_BYTES];
	bool is_active;
	bool is_staff;
	bool is_superuser;
	int64_t last_login; /* epoch seconds, -1 when never */
};

/* Most users one e-mail address may match at login (allauth tries each).
 * A plain number: db.c writes it into the statement's LIMIT. */
#define DB_USERS_BY_EMAIL_MAX 8

/*
 * Remember the connection string; connects lazily. APP_ENOMEM.
 * db_free closes the connection and frees the copy (NULL-safe).
 */
enum app_err db_init(struct db *, const char *url) APP_WUR;
void db_free(struct db *);

/*
 * Make sure the connection is up, connecting (2 s timeout) if needed;
 * statements are prepared on first use. APP_EDB when the server cannot
 * be reached.
 */
enum app_err db_connect(struct db *) APP_WUR;

/* Transactions. db_rollback is safe to call when none is open. */
enum app_err db_begin(struct db *) APP_WUR;
enum app_err db_commit(struct db *) APP_WUR;
void db_rollback(struct db *);

/*
 * Lookups: APP_OK and *out filled; APP_ENOTFOUND; APP_EDB.
 * db_user_by_username is case-insensitive as allauth's login is; where a
 * legacy table holds names differing only in case, the exact one wins.
 */
enum app_err db_user_by_id(struct db *, int64_t id, struct db_user *out) APP_WUR;
enum app_err db_user_by_username(struct db *, const char *username,
    struct db_user *out) APP_WUR;
/*
 * Users whose e-mail matches case-insensitively, lowest id first, at most
 * DB_USERS_BY_EMAIL_MAX; *n is set on APP_OK (0 when none). APP_EDB.
 */
enum app_err db_users_by_email(struct db *, const char *email,
    struct db_user *out, size_t *n) APP_WUR;
/*
 * The same, except that when nobody matches, out[0] is a decoy (some
 * other user, *decoy true, *n 1) for the caller to do the same work with
 * and then drop: equal time for known and unknown addresses. *n is 0 only
 * when there are no users at all.
 */
enum app_err db_users_by_email_or_decoy(struct db *, const char *email,
    struct db_user *out, size_t *n, bool *decoy) APP_WUR;
/*
 * The user owning token key (exact match, as DRF's lookup).
 * APP_OK, APP_ENOTFOUND, APP_EDB.
 */
enum app_err db_user_by_token(struct db *, const char *key,
    struct db_user *out) APP_WUR;

/*
 * Insert a user; the password is an already encoded hash. *id set on
 * APP_OK. APP_ECONFLICT when the username is taken. APP_EDB.
 */
enum app_err db_user_insert(struct db *, const char *username,
    const char *email, const char *hash, bool is_staff, bool is_superuser,
    int64_t *id) APP_WUR;
/* Update the editable profile fields. APP_ECONFLICT (username), APP_ENOTFOUND, APP_EDB. */
enum app_err db_user_update_profile(struct db *, int64_t id,
    const char *username, const char *first_name, const char *last_name) APP_WUR;
/* Store a new password hash. APP_ENOTFOUND, APP_EDB. */
enum app_err db_user_set_password(struct db *, int64_t id, const char *hash) APP_WUR;
/*
 * Store hash only if the stored one is still old. APP_ENOTFOUND when it
 * is not (someone else changed it first) or the user is gone; APP_EDB.
 */
enum app_err db_user_replace_password(struct db *, int64_t id,
    const char *old, const char *hash) APP_WUR;
/* last_login = now(). APP_EDB. */
enum app_err db_user_touch_login(struct db *, int64_t id) APP_WUR;

/*
 * DRF's get_or_create(user=...): the user's token, or a new one made from
 * newkey when it has none. out gets the key in force. APP_EDB.
 */
enum app_err db_token_get_or_create(struct db *, int64_t user_id,
    const char *newkey, char out[DB_TOKEN_KEY_BYTES]) APP_WUR;
/* Delete the user's token if any. APP_EDB. */
enum app_err db_token_delete(struct db *, int64_t user_id) APP_WUR;

/*
 * Record a refresh token restauth issued (simplejwt's OutstandingToken):
 * jti, the token, its exp (epoch seconds), its user (<= 0: none).
 * APP_ECONFLICT if the jti exists; APP_EDB.
 */
enum app_err db_outstanding_insert(struct db *, const char *jti,
    const char *token, int64_t exp, int64_t user_id) APP_WUR;
/*
 * Blacklist a refresh token, creating its outstanding row if missing.
 * APP_OK: this call blacklisted it; APP_ECONFLICT: it already was (so of
 * racing callers exactly one gets APP_OK); APP_EDB.
 */
enum app_err db_blacklist(struct db *, const char *jti, const char *token,
    int64_t exp, int64_t user_id) APP_WUR;
/* A refresh token as the outstanding table records it. */
struct db_refresh {
	const char *jti;
	const char *token;
	int64_t exp; /* epoch seconds */
};
/* Whose refresh token a rotation renews (simplejwt >= 5.4 refuses an
 * inactive or deleted user). check false: no user claim, no check. */
struct db_owner {
	bool check;
	int64_t id;	      /* > 0: by primary key */
	const char *username; /* else, when not NULL: by username, as
				 db_user_by_username (case-insensitive) */
};
/*
 * Rotation with blacklisting in one statement: unless owner is missing
 * or inactive, blacklist old (creating its outstanding row if missing)
 * and record new as outstanding. APP_OK: this call did both;
 * APP_ECONFLICT: old was already blacklisted and nothing changed (of
 * racing callers exactly one gets APP_OK); APP_EDENIED: the owner does
 * not exist or is inactive, nothing written; APP_EDB.
 */
enum app_err db_rotate(struct db *, const struct db_refresh *old,
    const struct db_refresh *new, const struct db_owner *owner) APP_WUR;
/* What a password reset or change revokes of a user's credentials. */
struct db_revoke {
	bool token;	      /* delete the DRF token */
	bool refresh;	      /* blacklist the outstanding refresh tokens */
	const char *keep_jti; /* ... but this one (NULL: none) */
};
/*
 * Revoke what says of user_id's credentials (one statement; call it in
 * the transaction that sets the password). APP_EDB.
 */
enum app_err db_revoke(struct db *, int64_t user_id,
    const struct db_revoke *what) APP_WUR;
/* *yes: the jti is blacklisted. APP_EDB. */
enum app_err db_is_blacklisted(struct db *, const char *jti, bool *yes) APP_WUR;
/* Delete expired outstanding tokens and their blacklist rows. APP_EDB. */
enum app_err db_flush_expired(struct db *, long *deleted) APP_WUR;

/*
 * One request of client ident against scope's rate of num per period
 * seconds (DRF's sliding window): *allowed, and for a refusal *wait, the
 * seconds until a request would be accepted. APP_EDB.
 */
enum app_err db_throttle_hit(struct db *, const char *scope,
    const char *ident, long period, long num, bool *allowed,
    double *wait) APP_WUR;
/* Delete throttle rows with nothing left in their window. APP_EDB. */
enum app_err db_throttle_clean(struct db *) APP_WUR;

/*
 * One login attempt of identifier hash ident against the failed-login
 * backoff: limit failures pass freely, then schedule (an SQL int array
 * literal: the waits in seconds after limit, limit + 1, ... failures, the
 * last repeating) spaces them; a row quiet for quiet seconds counts as
 * none. *allowed: the attempt passed and is counted as a failure;
 * otherwise *wait, the seconds left. Check and count are one statement.
 * APP_EDB.
 */
enum app_err db_login_failure_hit(struct db *, const char *ident, int limit,
    const char *schedule, long quiet, bool *allowed, double *wait) APP_WUR;
/* Forget ident's failures (a successful login). APP_EDB. */
enum app_err db_login_failure_clear(struct db *, const char *ident) APP_WUR;
/* Delete the rows quiet for quiet seconds. APP_EDB. */
enum app_err db_login_failure_clean(struct db *, long quiet) APP_WUR;

/* ---- registration and e-mail confirmation (lib/api/register.c) ---- */

/* One row of account_emailaddress, with its user's username. */
struct db_emailaddress {
	int64_t id;
	int64_t user_id;
	char email[DB_EMAIL_BYTES];
	bool verified;
	char username[DB_USERNAME_BYTES];
};

/*
 * Inside a transaction: wait until no other transaction holds the lock
 * on username (case-insensitive), then hold it until COMMIT/ROLLBACK.
 * APP_EDB.
 */
enum app_err db_lock_username(struct db *, const char *username) APP_WUR;
/*
 * *taken: a user other than the one with id except (0: none) has this
 * username, case-insensitively. APP_EDB.
 */
enum app_err db_username_taken(struct db *, const char *username,
    int64_t except, bool *taken) APP_WUR;
/*
 * *taken: some user has this address (account_emailaddress or
 * auth_user.email), case-insensitively. APP_EDB.
 */
enum app_err db_email_taken(struct db *, const char *email,
    bool *taken) APP_WUR;
/*
 * Insert a signed-up user (active, not staff; the password an encoded
 * hash; last_login now when login). *id on APP_OK. APP_ECONFLICT (the
 * username is taken), APP_EDB.
 */
enum app_err db_user_register(struct db *, const char *username,
    const char *email, const char *hash, bool login, int64_t *id) APP_WUR;
/* The user's primary, unverified address. *id on APP_OK. APP_ECONFLICT, APP_EDB. */
enum app_err db_emailaddress_insert(struct db *, int64_t user_id,
    const char *email, int64_t *id) APP_WUR;
/*
 * Claim email (case-insensitively) for address_id, for UNIQUE_EMAIL.
 * APP_ECONFLICT when it is claimed already; APP_EDB.
 */
enum app_err db_email_claim(struct db *, const char *email,
    int64_t address_id) APP_WUR;
/*
 * *may_send: no confirmation mail went to email within seconds; the
 * send time is then recorded as now (atomically). APP_EDB.
 */
enum app_err db_email_cooldown(struct db *, const char *email, long seconds,
    bool *may_send) APP_WUR;
/* Store a confirmation key (sent now). APP_ECONFLICT, APP_EDB. */
enum app_err db_confirmation_insert(struct db *, int64_t address_id,
    const char *key) APP_WUR;
/*
 * The lowest-id address equal to email case-insensitively.
 * APP_OK, APP_ENOTFOUND, APP_EDB.
 */
enum app_err db_emailaddress_by_email(struct db *, const char *email,
    struct db_emailaddress *out) APP_WUR;
/*
 * The address a stored key confirms: sent within expire_days and still
 * unverified. APP_OK, APP_ENOTFOUND, APP_EDB.
 */
enum app_err db_confirmation_lookup(struct db *, const char *key,
    int expire_days, int64_t *address_id) APP_WUR;
/*
 * Mark the address verified. APP_OK when it existed unverified (with
 * unique_email it stays unverified if another verified row has the same
 * address, as allauth's can_set_verified); APP_ENOTFOUND when there is
 * no such unverified address; APP_EDB.
 */
enum app_err db_emailaddress_confirm(struct db *, int64_t id,
    bool unique_email) APP_WUR;
/* *yes: the user has email (case-insensitively) verified. APP_EDB. */
enum app_err db_email_verified(struct db *, int64_t user_id,
    const char *email, bool *yes) APP_WUR;

/* Most account_emailaddress rows of one user a reset token covers
 * (RTOK_ADDRS_MAX, lib/crypto/resettok.h). */
#define DB_USER_ADDRESSES_MAX 256
/* A user's addresses as stored (malloc'd; db_addrs_free). */
struct db_addrs {
	char **v;
	size_t n;
};
/*
 * Every account_emailaddress.email of the user, in no order. APP_EDB
 * (also when there are more than DB_USER_ADDRESSES_MAX), APP_ENOMEM;
 * out is empty on error. db_addrs_free is NULL-safe and idempotent.
 */
enum app_err db_user_addresses(struct db *, int64_t user_id,
    struct db_addrs *out) APP_WUR;
void db_addrs_free(struct db_addrs *);

/*
 * django_session (Django's db backend). db_session_insert: a new row
 * expiring age seconds from now; APP_ECONFLICT when the key exists.
 * db_session_get: the unexpired row's session_data into data (size
 * bytes, NUL-terminated); APP_ENOTFOUND, APP_ETOOBIG when it does not
 * fit. db_session_delete: no row is not an error. All: APP_EDB.
 */
enum app_err db_session_insert(struct db *, const char *key,
    const char *data, long age) APP_WUR;
enum app_err db_session_get(struct db *, const char *key, char *data,
    size_t size) APP_WUR;
enum app_err db_session_delete(struct db *, const char *key) APP_WUR;

/* ---- the mail outbox and the reset cooldown (lib/store/outbox.c) ---- */

/* The channel the programs NOTIFY when they add mail, at COMMIT. */
#define DB_MAIL_CHANNEL "restauth_mail"

/* The outbox's mails are lib/store/mail.h's struct mail. */
struct mail;

/*
 * Add a mail to the outbox and NOTIFY DB_MAIL_CHANNEL, both taking
 * effect with the surrounding transaction (or at once outside one).
 * APP_EDB.
 */
enum app_err db_outbox_insert(struct db *, const char *from,
    const struct mail *m) APP_WUR;
/*
 * PASSWORD_RESET_COOLDOWN and the reset mails in one statement: when no
 * reset mail went to addr_key (an HMAC of the address) within seconds,
 * record now and add the n mails (n may be 0: an unknown address does
 * the same work); *queued is how many went in (0 in the cooldown).
 * Always NOTIFYs. APP_ENOMEM, APP_EDB.
 */
enum app_err db_reset_queue(struct db *, const char *addr_key, long seconds,
    const char *from, const struct mail *mails, size_t n,
    size_t *queued) APP_WUR;
/*
 * Inside a transaction: lock one due row (FOR UPDATE SKIP LOCKED, so
 * concurrent drainers never take the same one): its *id and its mail
 * into *out (mail_free). APP_ENOTFOUND when none is due, APP_ENOMEM,
 * APP_EDB; on failure nothing is written.
 */
enum app_err db_outbox_claim(struct db *, int64_t *id, struct mail *out)
    APP_WUR;
/* The mail went: delete its row. APP_EDB. */
enum app_err db_outbox_sent(struct db *, int64_t id) APP_WUR;
/*
 * The mail failed: count the attempt, keep error, try again after
 * 30 s * 2^(attempts before), at most an hour. *attempts: the new count.
 * APP_EDB.
 */
enum app_err db_outbox_failed(struct db *, int64_t id, const char *error,
    int *attempts) APP_WUR;
/* Forget cooldown rows a day older than seconds. APP_EDB. */
enum app_err db_cooldown_clean(struct db *, long seconds) APP_WUR;
/* LISTEN on DB_MAIL_CHANNEL (again after a reconnect). APP_EDB. */
enum app_err db_mail_listen(struct db *) APP_WUR;
/*
 * Wait up to timeout_ms for a notification on the listening connection,
 * with mask as the signal mask meanwhile (ppoll). *woken: one came; a
 * signal or the timeout return APP_OK with *woken false. APP_EDB: the
 * connection is gone (it is closed; listen again).
 */
enum app_err db_mail_wait(struct db *, int timeout_ms, const sigset_t *mask,
    bool *woken) APP_WUR;
/*
 * Delete the MFA login tokens (restauth_mfa_token) past their expiry;
 * *deleted: how many. APP_EDB (then *deleted is untouched).
 */
enum app_err db_mfa_token_clean(struct db *, long *deleted) APP_WUR;

/* ---- MFA (lib/api/mfa.c): dj_rest_auth_mfa_authenticator, restauth_mfa_token */

/* A stored TOTP secret: "<base32>:<signature>" (lib/mfa/mfatok.h). */
#define DB_MFA_SECRET_BYTES (LIMIT_MFA_SECRET + 64)
/* A recovery seed: 64 hex digits. */
#define DB_MFA_SEED_BYTES 65
/* The digest of a login token: SHA-256. */
#define DB_MFA_DIGEST_BYTES 32

/* A user's two MFA rows, as much as mfa.c reads of them. */
struct db_mfa {
	bool totp;	/* a totp row */
	char secret[DB_MFA_SECRET_BYTES]; /* its data.secret ("" if none) */
	int64_t last_step; /* data.last_step; INT64_MIN when absent */
	char last_code[LIMIT_MFA_CODE * 4 + 1]; /* data.last_code */
	int64_t created_s; /* the totp row's created_at: seconds, */
	long created_us;   /* and microseconds */
	bool recovery;	/* a recovery_codes row */
	char seed[DB_MFA_SEED_BYTES]; /* its data.seed ("" if none) */
	uint64_t used_mask;		 /* its data.used_mask */
	/* The later last_used_at of both rows; used_s -1: never used. */
	int64_t used_s;
	long used_us;
};

/*
 * user_id's MFA rows into *out (all false/empty when none). lock: the
 * recovery_codes row FOR UPDATE (inside a transaction). A row whose
 * JSON restauth cannot read is read safe, logged: an unreadable
 * last_step accepts no step (INT64_MAX), an unreadable used_mask counts
 * every code used; a bad seed or secret is refused where it is used.
 * APP_EDB.
 */
enum app_err db_mfa_get(struct db *, int64_t user_id, bool lock,
    struct db_mfa *out) APP_WUR;
/*
 * Accept TOTP step step with code for user_id, if the totp row still
 * holds secret, no step at or after step was accepted, and code is not
 * the last accepted code (Django's own replay rule, which a Django
 * beside restauth keeps): data.last_step, data.last_code and
 * last_used_at, in one conditional UPDATE. APP_OK, APP_ENOTFOUND when it was not accepted
 * (another request took that step first), APP_EDB.
 */
enum app_err db_mfa_totp_burn(struct db *, int64_t user_id, const char *secret,
    int64_t step, const char *code) APP_WUR;
/*
 * A new totp row with the stored secret, the code and step that
 * confirmed it; APP_ECONFLICT when the user has one already, APP_EDB.
 */
enum app_err db_mfa_totp_insert(struct db *, int64_t user_id,
    const char *secret, const char *code, int64_t step) APP_WUR;
/*
 * The recovery_codes row of user_id made or replaced with seed and
 * used_mask 0; with need_totp only while the user has a totp row
 * (APP_ENOTFOUND without). APP_EDB.
 */
enum app_err db_mfa_recovery_reset(struct db *, int64_t user_id,
    const char *seed, bool need_totp) APP_WUR;
/* The recovery_codes row's used_mask := mask, last_used_at now. APP_EDB. */
enum app_err db_mfa_recovery_mark(struct db *, int64_t user_id, uint64_t mask)
    APP_WUR;
/* Delete the user's totp and recovery_codes rows. APP_EDB. */
enum app_err db_mfa_delete(struct db *, int64_t user_id) APP_WUR;
/*
 * One try of the login token whose digest is given, expiring at
 * expires (epoch seconds): counted at once. *attempts: tries so far,
 * this one included; *used: a verification already logged in with it.
 * APP_EDB.
 */
enum app_err db_mfa_token_hit(struct db *,
    const unsigned char digest[DB_MFA_DIGEST_BYTES], int64_t expires,
    int *attempts, bool *used) APP_WUR;
/* Whether the token was seen by mfa/verify/ already. APP_EDB. */
enum app_err db_mfa_token_seen(struct db *,
    const unsigned char digest[DB_MFA_DIGEST_BYTES], bool *seen) APP_WUR;
/* Mark the token used; APP_ENOTFOUND when it already was. APP_EDB. */
enum app_err db_mfa_token_use(struct db *,
    const unsigned char digest[DB_MFA_DIGEST_BYTES]) APP_WUR;

/* ---- Passkeys: restauth_passkey_challenge (sql/0011_passkeys.sql) */

/*
 * Delete the passkey ceremonies (restauth_passkey_challenge) past their
 * expiry; *deleted: how many. APP_EDB (then *deleted is untouched).
 */
enum app_err db_passkey_challenge_clean(struct db *, long *deleted) APP_WUR;

/*
 * The checked number parsers every result column goes through (exported
 * for the unit test). db_parse_int: v, a whole decimal number in
 * min..max, into *out; db_parse_seconds: v, a finite float8 as the server
 * prints it. Anything else (NULL, empty, a leading space or '+', trailing
 * text, out of range, NaN or Infinity) is APP_EDB and leaves *out alone.
 */
enum app_err db_parse_int(const char *v, long long min, long long max,
    long long *out) APP_WUR;
enum app_err db_parse_seconds(const char *v, double *out) APP_WUR;

#endif
