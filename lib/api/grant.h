/*
 * grant.h: what a successful login grants, once for every way to log
 * in (login/, mfa/verify/): the account's backoff cleared, the DRF
 * token, last_login, the Django session with the CSRF rotation, the JWT
 * pair with its outstanding row, in one transaction, and the answer
 * dj-rest-auth's LoginView gives in the configured mode.
 */
#ifndef RESTAUTH_GRANT_H
#define RESTAUTH_GRANT_H

#include "app.h"

struct app_call;
struct db_user;
struct pol_login;

/*
 * Log user in (pl: its backoff attempt). first (may be NULL) runs
 * before, in the same transaction (mfa/verify/'s step burn): its error
 * stops and undoes the login and is returned. APP_OK: the answer (200 or
 * 204) is in call->resp. APP_EDB, APP_ENOMEM, APP_EINTERNAL: nothing of
 * the login was stored.
 */
typedef enum app_err (*grant_first_fn)(struct app_call *call, void *arg);
enum app_err grant_login(struct app_call *call, const struct pol_login *pl,
    const struct db_user *user, grant_first_fn first, void *arg) APP_WUR;

#endif
