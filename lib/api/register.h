/*
 * register.h: dj-rest-auth 7.1.1's registration app on top of
 * django-allauth 65: RegisterSerializer (field rules, allauth's
 * clean_username/clean_email, the password validators), the signup
 * transaction (auth_user, account_emailaddress, the token), e-mail
 * confirmation keys and their mails, VerifyEmailView and
 * ResendEmailVerificationView.
 *
 * Confirmation keys are allauth's (ACCOUNT.EMAIL_CONFIRMATION_HMAC):
 *  - true (the default): EmailConfirmationHMAC, Django's
 *    signing.dumps(address_pk, salt="account"), i.e.
 *	b64(pk) ":" b62(time) ":" b64(HMAC-SHA256(SHA256("accountsigner"
 *	secret), b64(pk) ":" b62(time)))
 *    with b64 URL-safe and unpadded, pk as JSON ("42"), time in Unix
 *    seconds in Django's base 62. Nothing is stored; a key is good for
 *    EMAIL_CONFIRMATION_EXPIRE_DAYS and only while the address is
 *    unverified. A key made by Django with the same SECRET_KEY works
 *    here and the other way round.
 *  - false: EmailConfirmation, 64 random characters [a-z0-9] stored in
 *    account_emailconfirmation as mailed (a Django process sharing the
 *    table compares them as is).
 */
#ifndef RESTAUTH_REGISTER_H
#define RESTAUTH_REGISTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "db.h"

struct app_config;
struct pwval;
struct req;

/* dj-rest-auth 7.1.1's words (registration/serializers.py, views.py). */
#define REG_EMAIL_TAKEN "User is already registered with this e-mail address."
#define REG_PASSWORD_MISMATCH "The two password fields didn't match."
#define REG_VERIFICATION_SENT "Verification e-mail sent."
/* DRF CharField(min_length=...): %d is ACCOUNT.USERNAME_MIN_LENGTH. */
#define REG_USERNAME_TOO_SHORT "Ensure this field has at least %d characters."

/* allauth's SALT setting: the salt of HMAC confirmation keys. */
#define REG_KEY_SALT "account"
/* An HMAC key: b64 of a 19-digit pk (26), ':', up to 11 base-62 digits,
 * ':', 43 characters of signature, NUL; rounded up. */
#define REG_KEY_BYTES 96
/* allauth generate_emailconfirmation_key: get_random_string(64).lower(). */
#define REG_STORED_KEY_CHARS 64
/* A confirmation link, after {key} is filled in. */
#define REG_LINK_BYTES 2048
/* Longest key verify-email/ reads (DRF's CharField has no limit). */
#define REG_KEY_MAX_CHARS 1024

/* What registration/ took, after RegisterSerializer's validation. */
struct reg_form {
	char username[DB_USERNAME_BYTES]; /* "" when not sent */
	char email[DB_EMAIL_BYTES]; /* "" when not sent */
	char password1[LIMIT_PASSWORD * 4 + 1];
	char password2[LIMIT_PASSWORD * 4 + 1];
};

/* What a signup made. */
struct reg_result {
	struct db_user user; /* the new user (no password) */
	char token[DB_TOKEN_KEY_BYTES]; /* its DRF token, or "" */
	bool mail_queued; /* a confirmation mail is in the outbox */
};

/*
 * RegisterSerializer.is_valid(): username (CharField, max 150, min
 * USERNAME_MIN_LENGTH, required per USERNAME_REQUIRED, then allauth's
 * clean_username: Django's username validator, USERNAME_BLACKLIST,
 * taken), email (EmailField, required per EMAIL_REQUIRED; with
 * UNIQUE_EMAIL not in use, case-insensitively), password1 (the
 * validators without a user), password2; then, only when every field
 * passed, the two passwords must match. All messages go to *errs, in
 * DRF's shape and order. Reads req->data; fills f (wipe it with
 * reg_form_wipe).
 * APP_OK; APP_EINPUT (messages added); APP_EDB; APP_ENOMEM.
 */
enum app_err reg_form_read(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, const struct req *req, struct reg_form *f,
    struct json_object **errs) APP_WUR;
void reg_form_wipe(struct reg_form *f);

/*
 * RegisterSerializer.save() and RegisterView.perform_create(): the
 * username to store (lower-cased unless PRESERVE_USERNAME_CASING; made
 * from the address when none was sent, as allauth's populate_username),
 * the validators again with the user (a similarity failure goes under
 * non_field_errors, as dj-rest-auth reports it), then in one
 * transaction: the user (logged in, i.e. last_login set, unless
 * EMAIL_VERIFICATION is mandatory), its primary unverified address, the
 * UNIQUE_EMAIL claim, its token (token mode, not mandatory) and, when
 * EMAIL_VERIFICATION is not none, the confirmation (cooldown, stored
 * key). Losing a race for the username or the address is a field error
 * like the check's. On APP_OK *out is filled (reg_result_free).
 * APP_EINPUT (messages added); APP_EDB; APP_ENOMEM; APP_EINTERNAL.
 */
enum app_err reg_signup(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, const struct reg_form *f, time_t now,
    struct reg_result *out, struct json_object **errs) APP_WUR;
void reg_result_free(struct reg_result *r);

/*
 * Usernames are unique case-insensitively for everything restauth
 * writes, without a unique index (Django's exact-match forms would trip
 * over one): every write takes the advisory lock on the name and then
 * looks for it, in one transaction.
 *
 * reg_username_claim, inside the caller's transaction: lock username,
 * then *taken: a user other than self (0: none) has it. APP_EDB.
 * reg_user_create (restauth createuser): the user, active, staff and
 * superuser as superuser says; *id. reg_user_rename (user/ PUT/PATCH):
 * the profile fields of user id. Both: APP_ECONFLICT when the name is
 * taken; APP_ENOTFOUND (rename: no such user); APP_EDB.
 */
enum app_err reg_username_claim(struct db *db, const char *username,
    int64_t self, bool *taken) APP_WUR;
enum app_err reg_user_create(struct db *db, const char *username,
    const char *email, const char *hash, bool superuser, int64_t *id) APP_WUR;
enum app_err reg_user_rename(struct db *db, int64_t id, const char *username,
    const char *first_name, const char *last_name) APP_WUR;

/*
 * VerifyEmailView: confirm the address key names (HMAC or stored, per
 * EMAIL_CONFIRMATION_HMAC), at now. APP_OK; APP_ENOTFOUND (malformed,
 * forged, expired, unknown, or the address is verified already); APP_EDB.
 */
enum app_err reg_confirm(const struct app_config *cfg, struct db *db,
    const char *key, time_t now) APP_WUR;

/*
 * ResendEmailVerificationView: when email (case-insensitively) is an
 * unverified address, and no confirmation mail went to it within
 * EMAIL_CONFIRMATION_COOLDOWN seconds, a new confirmation mail goes
 * into the outbox (with its stored key, in one transaction) and *queued
 * is true. APP_OK; APP_EDB; APP_ENOMEM; APP_EINTERNAL.
 */
enum app_err reg_resend(const struct app_config *cfg, struct db *db,
    const char *email, time_t now, bool *queued) APP_WUR;

/* ---- pure parts, for the unit tests ---- */

/*
 * Django's signing.dumps(address_id, salt=REG_KEY_SALT) at now, keyed
 * with secret, into out (outsz >= REG_KEY_BYTES). APP_EINTERNAL (id < 1,
 * now < 0, out too small, libcrypto).
 */
enum app_err reg_key_make(const char *secret, int64_t address_id, time_t now,
    char *out, size_t outsz) APP_WUR;

/*
 * Django's signing.loads(key, salt=REG_KEY_SALT, max_age=max_age) for a
 * key that signs a positive integer: APP_OK and *address_id; APP_EINPUT
 * when it is malformed, the signature (compared in constant time) is
 * not secret's, it is older than max_age seconds, or it signs anything
 * but a plain JSON integer (restauth never compresses or signs others).
 */
enum app_err reg_key_check(const char *secret, const char *key, time_t now,
    long max_age, int64_t *address_id) APP_WUR;

/* A new stored key: REG_STORED_KEY_CHARS of [a-z0-9]. APP_EINTERNAL. */
enum app_err reg_stored_key_new(char out[REG_STORED_KEY_CHARS + 1]) APP_WUR;

/*
 * allauth's _generate_unique_username_base for a user with only an
 * e-mail address: the ASCII part of the address before the "@",
 * characters outside [\w\s@+.-] dropped, lower-cased, whitespace runs
 * as "_"; "user" when that is empty, longer than 150, not a valid
 * username or blacklisted. out has room for DB_USERNAME_BYTES.
 */
void reg_username_base(const struct app_config *cfg, const char *email,
    char out[DB_USERNAME_BYTES]);

/*
 * allauth's user_username setter without PRESERVE_USERNAME_CASING:
 * Python's str.lower() (pystr_lower) into out. APP_EINPUT for invalid
 * UTF-8 or a result that does not fit.
 */
enum app_err reg_username_lower(const char *in,
    char out[DB_USERNAME_BYTES]) APP_WUR;

/* EMAIL_CONFIRM_URL, every {key} replaced. APP_EINTERNAL: no room. */
enum app_err reg_link(const char *tpl, const char *key, char *out,
    size_t outsz) APP_WUR;

#endif
