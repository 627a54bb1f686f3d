/*
 * mfatok.h: dj-rest-auth's MFA tokens and its stored TOTP secret
 * (SPEC-mfa 1.3, 1.4), byte for byte as Django writes them, all through
 * djsign.c:
 *   login token       TimestampSigner(salt="dj-rest-auth-mfa")
 *                     .sign(str(pk))                    "<pk>:<ts>:<sig>"
 *   activation token  signing.dumps({"uid": pk, "secret": S},
 *                     salt="dj-rest-auth-mfa-activation")
 *                                       "<b64url(json)>:<ts>:<sig>"
 *   stored secret     Signer(salt="dj-rest-auth-mfa-totp-secret")
 *                     .sign(S)                          "<S>:<sig>"
 * Reading is strict: only what those calls write (a canonical decimal pk,
 * compact JSON with "uid" then "secret", an uncompressed payload, a
 * secret of A-Z2-7), within LIMIT_MFA_TOKEN and LIMIT_MFA_SECRET; any
 * other input, however long or malformed, is APP_EINPUT. secret_key is
 * Django's SECRET_KEY; the config has no SECRET_KEY_FALLBACKS, so tokens
 * signed with an older key are refused.
 */
#ifndef RESTAUTH_MFATOK_H
#define RESTAUTH_MFATOK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app.h"
#include "bounds.h"

#define MFATOK_LOGIN_SALT "dj-rest-auth-mfa"
#define MFATOK_ACTIVATION_SALT "dj-rest-auth-mfa-activation"
#define MFATOK_SECRET_SALT "dj-rest-auth-mfa-totp-secret"

/*
 * The login (ephemeral) token of user uid (>= 0) at now into *out,
 * malloc'd, the caller frees. APP_EINTERNAL for a negative uid,
 * APP_ENOMEM.
 */
enum app_err mfatok_login_make(const char *secret_key, int64_t uid, time_t now,
    char **out) APP_WUR;

/*
 * Read the login token tok (n bytes): signed with secret_key, not older
 * than max_age seconds at now (verify_ephemeral_token's unsign), its
 * value a canonical decimal pk. *uid gets the pk and *issued (may be
 * NULL) its time. APP_EINPUT for anything refused (over LIMIT_MFA_TOKEN
 * bytes, bad signature, expired, not a pk), APP_ENOMEM, APP_EINTERNAL;
 * out-params are written only on success.
 */
enum app_err mfatok_login_check(const char *secret_key, const char *tok,
    size_t n, time_t now, long max_age, int64_t *uid, int64_t *issued) APP_WUR;

/*
 * The activation token of user uid (>= 0) for the base32 secret
 * totp_secret (A-Z2-7, at most LIMIT_MFA_SECRET characters) at now into
 * *out, malloc'd, the caller frees. APP_EINPUT for such a secret,
 * APP_EINTERNAL for a negative uid, APP_ENOMEM.
 */
enum app_err mfatok_activation_make(const char *secret_key, int64_t uid,
    const char *totp_secret, time_t now, char **out) APP_WUR;

/*
 * Read the activation token tok (n bytes) as signing.loads(max_age=)
 * does, for the payload {"uid":<pk>,"secret":"<A-Z2-7>*"} exactly: *uid
 * gets the pk and totp_secret the secret (possibly empty: upstream then
 * answers "Invalid code", not an invalid token) and a NUL. Whether uid is
 * the caller's is the caller's check. Errors as mfatok_login_check;
 * out-params are written only on success.
 */
enum app_err mfatok_activation_check(const char *secret_key, const char *tok,
    size_t n, time_t now, long max_age, int64_t *uid,
    char totp_secret[LIMIT_MFA_SECRET + 1]) APP_WUR;

/*
 * The stored form of the base32 secret totp_secret (A-Z2-7, 1 to
 * LIMIT_MFA_SECRET characters) into *out, malloc'd, the caller frees.
 * APP_EINPUT for another secret, APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err mfatok_secret_sign(const char *secret_key, const char *totp_secret,
    char **out) APP_WUR;

/*
 * The secret of a stored value (n bytes, data["secret"] of the totp row)
 * and a NUL into totp_secret. APP_EINPUT for a value not signed with
 * secret_key (a rotated SECRET_KEY: upstream answers 500) or whose
 * secret is empty, over LIMIT_MFA_SECRET or not A-Z2-7; APP_ENOMEM,
 * APP_EINTERNAL. totp_secret is written only on success; the caller
 * wipes it.
 */
enum app_err mfatok_secret_unsign(const char *secret_key, const char *stored,
    size_t n, char totp_secret[LIMIT_MFA_SECRET + 1]) APP_WUR;

#endif
