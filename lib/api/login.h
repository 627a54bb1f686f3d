/*
 * login.h: dj-rest-auth's LoginView as one use case: the failed-login
 * backoff, the credentials, then every write of a successful login
 * (backoff cleared, token, last_login, session, outstanding JWT) in one
 * transaction, and the answer (CSRF rotation, cookies, the body).
 */
#ifndef RESTAUTH_LOGIN_H
#define RESTAUTH_LOGIN_H

#include "app.h"

struct acct_login;
struct app_call;
struct db_user;
struct json_object;
struct pol_login;

/*
 * Log in with in (its fields already through req_fields). APP_OK: the
 * answer (200, 204 or 429) is in call->resp. APP_EINPUT: the reason is
 * in *errs (allocated; the caller passes it to ans_fail). APP_EDB,
 * APP_ENOMEM, APP_EINTERNAL: nothing of the login was stored.
 */
enum app_err login_run(struct app_call *call, const struct acct_login *in,
    struct json_object **errs) APP_WUR;

/*
 * What a login of user writes (pl's backoff cleared, token, last_login,
 * session, outstanding JWT) and its answer, as login_run after the
 * credentials; first (may be NULL) runs before, in the same transaction
 * (mfa/verify/'s step burn): its error stops and undoes the login and is
 * returned. Errors otherwise as login_run.
 */
typedef enum app_err (*login_first_fn)(struct app_call *call, void *arg);
enum app_err login_user(struct app_call *call, const struct pol_login *pl,
    const struct db_user *user, login_first_fn first, void *arg) APP_WUR;

#endif
