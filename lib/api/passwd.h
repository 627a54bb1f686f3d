/*
 * passwd.h: setting passwords (Django's SetPasswordForm) and the
 * password-reset flow of dj-rest-auth (PasswordResetForm, reset tokens,
 * the link in the mail).
 */
#ifndef RESTAUTH_PASSWD_H
#define RESTAUTH_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "jwt.h"
#include "pw.h"

struct app_config;
struct auth_result;
struct db;
struct db_revoke;
struct db_user;
struct pwval;
struct req;

/* Django's SetPasswordForm message (with its curly apostrophe). */
#define PASSWD_MISMATCH "The two password fields didn\u2019t match."
/* dj-rest-auth's PasswordResetConfirmSerializer, for uid and token. */
#define PASSWD_INVALID_VALUE "Invalid value"

/*
 * Django's SetPasswordForm for user u: new1 and new2 must match
 * (PASSWD_MISMATCH), then AUTH_PASSWORD_VALIDATORS; every message goes to
 * *errs under "new_password2". Then the new hash replaces u->password,
 * only if that is still the stored one (so a reset token or an old
 * password is good once); with revoke (not NULL), what it names of the
 * user's other credentials is revoked in the same transaction.
 * APP_OK; APP_EINPUT (messages added); APP_ENOTFOUND (the stored hash
 * changed meanwhile; nothing written); APP_EDB; APP_ENOMEM.
 */
enum app_err passwd_set(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, const struct db_user *u, const char *new1,
    const char *new2, const struct db_revoke *revoke,
    struct json_object **errs) APP_WUR;

/*
 * passwd_set's checks and hash: new1 and new2 match and pass the
 * validators (messages in *errs), then the hash of new2 into hash.
 * APP_OK; APP_EINPUT; APP_ENOMEM; APP_EINTERNAL.
 */
enum app_err passwd_new_hash(const struct app_config *cfg,
    const struct pwval *pv, const struct db_user *u, const char *new1,
    const char *new2, char hash[PW_HASH_MAX], struct json_object **errs)
    APP_WUR;

/*
 * passwd_store's writes inside the caller's transaction (or, without
 * revoke, one statement outside any).
 */
enum app_err passwd_store_in(struct db *db, int64_t id, const char *old,
    const char *hash, const struct db_revoke *revoke) APP_WUR;

/*
 * Store hash as user id's password: only if old is still the stored one
 * (old NULL: whatever it is), and with revoke (not NULL) revoke the
 * credentials it names, all in one transaction (nothing written on
 * failure). APP_OK; APP_ENOTFOUND (no such user, or old no longer
 * stored); APP_EDB.
 */
enum app_err passwd_store(struct db *db, int64_t id, const char *old,
    const char *hash, const struct db_revoke *revoke) APP_WUR;

/*
 * What a password reset (and the admin tool's changepassword) revokes:
 * the DRF token, every outstanding refresh token (when simplejwt's
 * blacklist app is installed). Sessions need nothing: each carries a
 * hash of the password it was made with, so it dies with that password.
 */
void passwd_reset_revoke(const struct app_config *cfg, struct db_revoke *out);

/*
 * What password/change/ revokes for the request authenticated as a: every
 * credential but the one making it (its DRF token when a->kind is
 * AUTH_TOKEN; the refresh token of r's refresh cookie, whose jti goes to
 * jti), and with LOGOUT_ON_PASSWORD_CHANGE those too. With
 * PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS, dj-rest-auth's: nothing (NULL),
 * or with LOGOUT_ON_PASSWORD_CHANGE the DRF token only. Returns out or
 * NULL, for passwd_set.
 */
const struct db_revoke *passwd_change_revoke(const struct app_config *cfg,
    const struct jwt_ctx *jwt, const struct auth_result *a,
    const struct req *r, time_t now, struct db_revoke *out,
    char jti[JWT_JTI_BYTES]);

/*
 * Django's PasswordResetForm.save: one mail for each active user with a
 * usable password whose address matches email case-insensitively, with
 * a link made from PASSWORD_RESET_URL ({uid}: URL-safe base64 of the pk;
 * {token}: Django's reset token at now), added to the outbox unless a
 * reset mail went to the address within PASSWORD_RESET_COOLDOWN. An
 * unknown address costs the same: a decoy mail is made and dropped, and
 * the one cooldown-and-outbox statement runs with no mails. *queued:
 * mails added (0 for an unknown address or in the cooldown).
 * APP_EDB, APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err passwd_reset_queue(const struct app_config *cfg, struct db *db,
    const char *email, time_t now, size_t *queued) APP_WUR;

/*
 * dj-rest-auth's PasswordResetConfirmSerializer and save(): uid decodes to
 * an existing user (else PASSWD_INVALID_VALUE under "uid"), token is
 * valid for that user at now within PASSWORD_RESET_TIMEOUT and still
 * unused (else under "token"), then passwd_set with passwd_reset_revoke:
 * the new password and the end of every other credential in one
 * transaction. APP_OK; APP_EINPUT (messages added); APP_EDB; APP_ENOMEM.
 */
enum app_err passwd_reset_confirm(const struct app_config *cfg,
    struct db *db, const struct pwval *pv, const char *uid,
    const char *token, const char *new1, const char *new2, time_t now,
    struct json_object **errs) APP_WUR;

#endif
