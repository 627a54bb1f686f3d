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
#include "config.h"
#include "db.h"

struct pwval;

/* Django's SetPasswordForm message (with its curly apostrophe). */
#define PASSWD_MISMATCH "The two password fields didn\u2019t match."
/* dj-rest-auth's PasswordResetConfirmSerializer, for uid and token. */
#define PASSWD_INVALID_VALUE "Invalid value"

/*
 * Django's SetPasswordForm for user u: new1 and new2 must match
 * (PASSWD_MISMATCH), then AUTH_PASSWORD_VALIDATORS; every message goes to
 * *errs under "new_password2". Then the new hash replaces u->password,
 * only if that is still the stored one (so a reset token or an old
 * password is good once); with revoke, the user's token is deleted in the
 * same transaction.
 * APP_OK; APP_EINPUT (messages added); APP_ENOTFOUND (the stored hash
 * changed meanwhile; nothing written); APP_EDB; APP_ENOMEM.
 */
enum app_err passwd_set(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, const struct db_user *u, const char *new1,
    const char *new2, bool revoke, struct json_object **errs) APP_WUR;

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
 * dj-rest-auth's PasswordResetConfirmSerializer checks: uid decodes to an
 * existing user (else PASSWD_INVALID_VALUE under "uid"), token is valid
 * for that user at now within PASSWORD_RESET_TIMEOUT (else under
 * "token"). APP_OK and *u filled; APP_EINPUT (message added); APP_EDB;
 * APP_ENOMEM.
 */
enum app_err passwd_reset_check(const struct app_config *cfg, struct db *db,
    const char *uid, const char *token, time_t now, struct db_user *u,
    struct json_object **errs) APP_WUR;

#endif
