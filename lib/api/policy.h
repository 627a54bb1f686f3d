/*
 * policy.h: what Django's middleware and DRF's throttles add around every
 * view: the https redirect and HSTS (SecurityMiddleware), CORS
 * (django-cors-headers), and DRF's rate throttles with their state in
 * PostgreSQL, exact across processes and hosts; and restauth's own
 * per-account failed-login backoff.
 */
#ifndef RESTAUTH_POLICY_H
#define RESTAUTH_POLICY_H

#include <stdbool.h>

#include "app.h"
#include "djsign.h"

struct app_config;
struct auth_result;
struct db;
struct req;
struct resp;

/*
 * SECURE_SSL_REDIRECT: true and a 301 to the https URL in resp when the
 * request is plain http (HTTPS, or SECURE_PROXY_SSL_HEADER, decides).
 */
bool pol_https_redirect(const struct app_config *cfg, const struct req *r,
    struct resp *resp);

/* Strict-Transport-Security on https answers when SECURE_HSTS_SECONDS. */
void pol_hsts(const struct app_config *cfg, const struct req *r,
    struct resp *resp);

/*
 * django-cors-headers: for an Origin in
 * CORS_ALLOWED_ORIGINS, Access-Control-Allow-Origin (and -Credentials
 * when CORS_ALLOW_CREDENTIALS). A preflight (OPTIONS with
 * Access-Control-Request-Method) is answered here, 200 and empty, with
 * Vary: origin: then the function returns true and the view is not run.
 * Any OPTIONS from an allowed origin gets -Allow-Methods, -Allow-Headers
 * and -Max-Age. The caller adds "origin" to Vary on other answers.
 */
bool pol_cors(const struct app_config *cfg, const struct req *r,
    struct resp *resp);

/*
 * DRF's check_throttles for a view with throttle scope view_scope (NULL:
 * none) and the caller auth: every throttle of DEFAULT_THROTTLE_CLASSES
 * counts the request; if any refuses, APP_ETHROTTLED and *wait, the
 * longest wait in whole seconds (-1: none known). APP_OK; APP_EDB.
 */
enum app_err pol_throttle(const struct app_config *cfg, struct db *db,
    const struct req *r, const struct auth_result *auth,
    const char *view_scope, long *wait) APP_WUR;

/* DRF's Throttled detail for wait seconds (-1: no wait known). */
void pol_throttled(struct resp *resp, long wait);

/*
 * Per-account failed-login backoff (restauth's; DRF has none), kept in
 * PostgreSQL so it holds across processes and hosts. The key is the
 * login identifier as acct_login_ident normalises it, whatever the
 * client address, stored only as a keyed hash. LOGIN_FAILURE_LIMIT
 * failures pass freely; after that an attempt passes only when
 * pol_login_backoff seconds have gone by since the last failure. A
 * successful login clears it. Not a lockout: at most
 * LOGIN_FAILURE_BACKOFF_MAX seconds between two attempts.
 */

/* A row with no failure for this long is forgotten (longer than any
 * wait, LOGIN_FAILURE_BACKOFF_MAX <= 1 day, so waiting gains nothing). */
#define POL_LOGIN_QUIET (2L * 86400)
/* Hex of the identifier's HMAC-SHA256, plus NUL. */
#define POL_LOGIN_KEY_BYTES (2 * DJS_MAC_BYTES + 1)

/* One attempt, between pol_login_begin and pol_login_succeeded. */
struct pol_login {
	bool counted; /* the attempt was checked and counted */
	char key[POL_LOGIN_KEY_BYTES];
};

/*
 * The wait in seconds before the next attempt after failures counted
 * failures: 0 below limit (and always when limit is 0), else
 * 2^(failures - limit), at most max.
 */
long pol_login_backoff(long failures, long limit, long max);

/*
 * Check and count one login attempt for identifier ident (NULL: none,
 * nothing to check), before any password hash: APP_OK, the attempt may
 * go on and counts as a failure until pol_login_succeeded; or
 * APP_ETHROTTLED and *wait (>= 1 second): answer pol_throttled. With
 * LOGIN_FAILURE_LIMIT 0, APP_OK and nothing stored. APP_EDB, APP_ENOMEM,
 * APP_EINTERNAL. *pl is always set.
 */
enum app_err pol_login_begin(const struct app_config *cfg, struct db *db,
    const char *ident, struct pol_login *pl, long *wait) APP_WUR;

/* The attempt of pl logged in: forget the identifier's failures. APP_EDB. */
enum app_err pol_login_succeeded(struct db *db, const struct pol_login *pl)
    APP_WUR;

#endif
