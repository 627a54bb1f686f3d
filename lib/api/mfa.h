/*
 * mfa.h: dj-rest-auth 7.2's MFA use cases (SPEC-mfa 1.5, 1.6) on
 * lib/mfa/ and the dj_rest_auth_mfa_authenticator rows: login/'s
 * challenge, mfa/verify/, TOTP enrolment and removal, status and the
 * recovery codes; with restauth's fixes (4.1): a TOTP step accepted once
 * per user, a login token that logs in once and dies after
 * MFA_VERIFY_ATTEMPTS tries, the account's backoff on wrong codes, every
 * refusal a 400 (never a 500), activation in one transaction.
 * Each returns APP_OK with its answer in call->resp, APP_EINPUT with the
 * field errors in *errs, or an error for ans_fail.
 */
#ifndef RESTAUTH_MFA_H
#define RESTAUTH_MFA_H

#include <stdbool.h>

#include "app.h"

struct app_call;
struct app_config;
struct db_user;
struct json_object;
struct pol_login;

/* The mfa/ routes exist (REST_AUTH.MFA_ENABLED). */
bool mfa_routed(const struct app_config *cfg);

/*
 * login/ for user, whose credentials passed (pl: its backoff attempt):
 * with a TOTP authenticator, the backoff is cleared and the answer is
 * {"ephemeral_token", "mfa_required": true}, *challenged true; else
 * nothing is done.
 */
enum app_err mfa_login_challenge(struct app_call *call,
    const struct db_user *user, const struct pol_login *pl,
    bool *challenged) APP_WUR;

/* POST mfa/verify/: the login token and a TOTP or recovery code. */
enum app_err mfa_verify(struct app_call *call, const char *token,
    const char *code, struct json_object **errs) APP_WUR;

/* GET mfa/totp/activate/: a new secret, its URI and QR, and the
 * activation token; nothing stored. */
enum app_err mfa_activate_begin(struct app_call *call) APP_WUR;

/*
 * POST mfa/totp/activate/ and mfa/totp/deactivate/. fields_ok: the
 * fields passed their rules (else *errs holds why): the state checks
 * upstream makes before reading the body come first.
 */
enum app_err mfa_activate_confirm(struct app_call *call, bool fields_ok,
    const char *token, const char *code, struct json_object **errs) APP_WUR;
enum app_err mfa_deactivate(struct app_call *call, bool fields_ok,
    const char *code, struct json_object **errs) APP_WUR;

/* GET mfa/status/. */
enum app_err mfa_status(struct app_call *call) APP_WUR;

/* POST mfa/recovery-codes/ (list) and .../regenerate/; with
 * MFA_REQUIRE_REAUTH they read the body's "code" (errors in *errs). */
enum app_err mfa_recovery_codes(struct app_call *call,
    struct json_object **errs) APP_WUR;
enum app_err mfa_recovery_regenerate(struct app_call *call,
    struct json_object **errs) APP_WUR;

#endif
