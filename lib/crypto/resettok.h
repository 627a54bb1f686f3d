/*
 * resettok.h: Django's stateless password-reset tokens
 * (django.contrib.auth.tokens.PasswordResetTokenGenerator, 3.1 to 5.x,
 * sha256, no SECRET_KEY_FALLBACKS) and the uid of a reset link
 * (django.utils.http.urlsafe_base64_encode of the decimal pk), bit for
 * bit, so a link mailed by Django works here and the other way round.
 *
 * token = base36(ts) "-" every second hex digit of
 *	HMAC-SHA256(SHA256(key_salt secret), pk password last_login ts email)
 * with ts in seconds since 2001-01-01, last_login as Python's
 * str(datetime) ("2024-05-01 12:34:56", UTC, seconds) or "" when NULL.
 * Nothing is stored: a token dies when the password, last_login or email
 * changes, or PASSWORD_RESET_TIMEOUT after it was made (SPEC 5).
 *
 * Django counts ts from its naive datetime.now(), i.e. in the server's
 * TIME_ZONE; restauth counts in UTC. Tokens cross between the two only
 * where Django runs with TIME_ZONE "UTC" (startproject's default).
 * That is dj-rest-auth without allauth. With allauth installed (the
 * default, PASSWORD_RESET_TOKEN_GENERATOR "allauth") it mails allauth's
 * uid, the pk in base36 (allauth.account.utils.user_pk_to_url_str), and
 * tokens of allauth's EmailAwarePasswordResetTokenGenerator: the same,
 * with "|".join(sorted(set of the user's addresses)) appended to the
 * hashed value (rtok_user.allauth), so a token also dies when an
 * address is added, removed or changed.
 */
#ifndef RESTAUTH_RESETTOK_H
#define RESTAUTH_RESETTOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app.h"

/* Longest ts Django's base36_to_int takes (13), "-", 32 hex, NUL. */
#define RTOK_TOKEN_BYTES (13 + 1 + 32 + 1)
/* base64url of 19 decimal digits (INT64_MAX) without padding, NUL. */
#define RTOK_UID_BYTES (26 + 1)
/* base36 of INT64_MAX ("1y2p0ij32e8e7", 13 digits), NUL. */
#define RTOK_UID36_BYTES (13 + 1)
/* Most addresses (account_emailaddress rows) one user's token hashes;
 * allauth 0.51 sets no limit, restauth's own endpoints add one per
 * user, this bounds what a hand-filled table costs per reset. */
#define RTOK_ADDRS_MAX 256
/* last_login value meaning NULL (Django's None). */
#define RTOK_NO_LOGIN (-1)

/* What the hash covers; every pointer is borrowed. */
struct rtok_user {
	int64_t id; /* auth_user.id */
	const char *password; /* auth_user.password as stored */
	int64_t last_login; /* epoch seconds (floor), or RTOK_NO_LOGIN */
	const char *email; /* auth_user.email; NULL counts as "" */
	/* allauth's generator (also hashes addrs); false: Django's. */
	bool allauth;
	const char *const *addrs; /* account_emailaddress.email rows */
	size_t naddrs; /* <= RTOK_ADDRS_MAX */
};

/*
 * Make the token for u at time now into out (outsz >= RTOK_TOKEN_BYTES
 * always suffices; at most 46 characters until the year 2069, 7 + 1 +
 * 32 after). APP_EINTERNAL if out is too small, now is before 2001, a
 * field is longer than Django's column (password 128, email 254
 * characters: LIMIT_EMAIL_BYTES in UTF-8),
 * last_login is outside years 1..9999, naddrs is above RTOK_ADDRS_MAX,
 * or libcrypto fails; APP_ENOMEM.
 */
enum app_err rtok_make(const char *secret, const struct rtok_user *u,
    time_t now, char *out, size_t outsz) APP_WUR;

/*
 * Check token for u at time now, as Django's check_token: APP_OK if it
 * is the token made for u at its ts and now - ts <= timeout seconds (a
 * token from the future is not refused, as in Django). APP_EINPUT if it
 * is malformed (not exactly one "-", ts not 1..13 base36 digits),
 * forged, made for another state of u, or expired; APP_EINTERNAL as
 * rtok_make. The hash is compared in constant time.
 */
enum app_err rtok_check(const char *secret, const struct rtok_user *u,
    const char *token, time_t now, long timeout) APP_WUR;

/*
 * The uid of a link into out: base64url, unpadded, of the decimal id.
 * APP_EINPUT if id < 1; APP_EINTERNAL if outsz is too small
 * (RTOK_UID_BYTES always suffices).
 */
enum app_err rtok_uid_encode(int64_t id, char *out, size_t outsz) APP_WUR;

/*
 * Read a uid back into *id. APP_EINPUT unless uid is exactly what
 * rtok_uid_encode makes for some id in 1..INT64_MAX: no padding, no
 * other characters, no leading zeros or signs. (Django's decoder is
 * laxer, but a link it mailed always passes.)
 */
enum app_err rtok_uid_decode(const char *uid, int64_t *id) APP_WUR;

/*
 * allauth's uid: the id in lower-case base36 (int_to_base36). APP_EINPUT
 * if id < 1; APP_EINTERNAL if outsz is too small (RTOK_UID36_BYTES
 * always suffices).
 */
enum app_err rtok_uid36_encode(int64_t id, char *out, size_t outsz) APP_WUR;

/*
 * Read an allauth uid back as url_str_to_user_pk (base36_to_int) does:
 * at most 13 characters, then Python's int(s, 36): an optional sign,
 * digits in either case, single underscores between digits. APP_EINPUT
 * otherwise, and for a value below 1 or above INT64_MAX (no such user
 * there either). Python also takes non-ASCII digits; those are refused.
 */
enum app_err rtok_uid36_decode(const char *uid, int64_t *id) APP_WUR;

#endif
