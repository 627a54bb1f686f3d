/*
 * account.h: the rules of dj-rest-auth's LoginSerializer on top of
 * allauth's authentication backend, and Django's username rules.
 */
#ifndef RESTAUTH_ACCOUNT_H
#define RESTAUTH_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "bounds.h"

struct app_config;
struct db;
struct db_user;
struct pw_params;

#include <json-c/json.h>

/* PASSWORD_HASHERS and PASSWORD_HASHER as pw_ parameters (verify caps
 * at their defaults). */
struct pw_params acct_pw_params(const struct app_config *cfg);

/* What the client sent to login/, already through the field rules. */
struct acct_login {
	const char *username; /* "" when absent or blank */
	const char *email;    /* "" when absent or blank */
	const char *password; /* non-empty */
	size_t password_len;
};

/*
 * Authenticate as dj-rest-auth + allauth do for ACCOUNT.AUTHENTICATION_METHOD:
 * email, username, or either (an e-mail address typed as the username is
 * tried as one, as allauth does). An unknown user costs one password hash
 * like a known one. A matching hash is replaced by one of the first of
 * PASSWORD_HASHERS exactly when Django's check_password would do so.
 * APP_OK: *out is the user, active. APP_EINPUT: *msg is the
 * non_field_errors message ("Unable to log in with provided
 * credentials.", "User account is disabled.", 'Must include ...').
 * APP_EDB, APP_ENOMEM.
 */
enum app_err acct_login(const struct app_config *cfg, struct db *db,
    const struct acct_login *in, struct db_user *out, const char **msg) APP_WUR;

/* A normalised login identifier: any field of up to LIMIT_EMAIL code
 * points (the longest), 4 bytes each, and a NUL. */
#define ACCT_IDENT_BYTES (LIMIT_EMAIL * 4 + 1)
_Static_assert(LIMIT_EMAIL >= LIMIT_USERNAME, "ACCT_IDENT_BYTES");

/*
 * The identifier acct_login would look the user up by (e-mail or username
 * by AUTHENTICATION_METHOD), upper-cased per code point as the lookups
 * compare it, into out: one account, one identifier, whatever its case.
 * false when in has none (acct_login then asks for one). in's strings are
 * valid UTF-8.
 */
bool acct_login_ident(const struct app_config *cfg,
    const struct acct_login *in, char out[ACCT_IDENT_BYTES]);

/*
 * With ACCOUNT.EMAIL_VERIFICATION "mandatory" (and dj-rest-auth's
 * registration app in INSTALLED_APPS), acct_login also refuses a user
 * whose own address (auth_user.email) is not a verified
 * account_emailaddress row: APP_EINPUT with this message.
 */
#define ACCT_EMAIL_NOT_VERIFIED "E-mail is not verified."
#define ACCT_REGISTRATION_APP "dj_rest_auth.registration"

/*
 * Django's UnicodeUsernameValidator (^[\w.@+-]+\Z, with Python re's
 * Unicode \w: pystr_is_word). The caller checks length and blankness
 * first.
 */
bool acct_username_valid(const char *username);

/* Django's message for a username acct_username_valid refuses. */
#define ACCT_USERNAME_INVALID                                          \
	"Enter a valid username. This value may contain only letters, " \
	"numbers, and @/./+/-/_ characters."
#define ACCT_USERNAME_TAKEN "A user with that username already exists."
#define ACCT_USERNAME_BLACKLISTED \
	"Username can not be used. Please use other username."

/* allauth's USERNAME_BLACKLIST check, case-insensitive (ASCII). */
bool acct_username_blacklisted(const struct app_config *cfg,
    const char *username);

/*
 * Django's EmailValidator: dot-atom or quoted local part, a domain of
 * labels with a TLD of two or more, "localhost", or an [address literal].
 * Non-ASCII domain labels pass (Django's IDN branch).
 */
bool acct_email_valid(const char *email);
#define ACCT_EMAIL_INVALID "Enter a valid email address."

/*
 * dj-rest-auth's UserDetailsSerializer: pk, username, email, first_name,
 * last_name. New reference the caller puts; NULL on ENOMEM.
 */
struct json_object *acct_user_json(const struct db_user *u);

#endif
