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
struct json_object;

/*
 * Log in with in (its fields already through req_fields). APP_OK: the
 * answer (200, 204 or 429) is in call->resp. APP_EINPUT: the reason is
 * in *errs (allocated; the caller passes it to ans_fail). APP_EDB,
 * APP_ENOMEM, APP_EINTERNAL: nothing of the login was stored.
 */
enum app_err login_run(struct app_call *call, const struct acct_login *in,
    struct json_object **errs) APP_WUR;

#endif
