/*
 * policy.h: what Django's middleware and DRF's throttles add around every
 * view: the https redirect and HSTS (SecurityMiddleware), CORS
 * (django-cors-headers), and DRF's rate throttles with their state in
 * PostgreSQL, exact across processes and hosts.
 */
#ifndef RESTAUTH_POLICY_H
#define RESTAUTH_POLICY_H

#include <stdbool.h>

#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "req.h"
#include "resp.h"

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

#endif
