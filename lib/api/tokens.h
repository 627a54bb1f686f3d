/*
 * tokens.h: the JWT use cases of the endpoints, each with its answer:
 * the token pair of a login (login/, registration/), simplejwt's
 * refresh with dj-rest-auth's refresh cookie (token/refresh/) and
 * simplejwt's verify (token/verify/).
 */
#ifndef RESTAUTH_TOKENS_H
#define RESTAUTH_TOKENS_H

#include <stdbool.h>

#include "app.h"

struct app_call;
struct db_user;

/*
 * jwtm_login for user, then ans_jwt's login answer with status (and the
 * expirations when expirations). APP_OK; APP_EDB; APP_ENOMEM;
 * APP_EINTERNAL (nothing answered).
 */
enum app_err tokens_login(struct app_call *call, const struct db_user *user,
    int status, bool expirations) APP_WUR;

/*
 * token/refresh/ with raw, the body's "refresh" ("" when not sent or
 * blank: then the refresh cookie, as CookieTokenRefreshSerializer).
 * APP_OK: the answer (200 with the new tokens, 401, or 403 for a
 * cross-origin cookie) is in call->resp; APP_EDB; APP_ENOMEM.
 */
enum app_err tokens_refresh(struct app_call *call, const char *raw) APP_WUR;

/*
 * token/verify/ with raw: APP_OK with the answer (200 {}, 401, or 400
 * for a blacklisted token) in call->resp; APP_EDB; APP_ENOMEM.
 */
enum app_err tokens_verify(struct app_call *call, const char *raw) APP_WUR;

#endif
