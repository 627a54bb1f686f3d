/*
 * csrf.h: Django's CsrfViewMiddleware as DRF runs it for
 * cookie-authenticated requests (dj-rest-auth's JWTCookieAuthentication):
 * Origin or Referer against the host and CSRF_TRUSTED_ORIGINS, then the
 * csrftoken cookie against the X-CSRFToken header (masked or not).
 */
#ifndef RESTAUTH_CSRF_H
#define RESTAUTH_CSRF_H

#include <stddef.h>

#include "app.h"

struct app_config;
struct req;
struct resp;

/* Django's secret: 32 characters of [a-zA-Z0-9]; masked tokens are 64. */
#define CSRF_SECRET_CHARS 32
#define CSRF_REASON_BYTES 384

/*
 * Django's process_view for r: APP_OK when the method is safe or every
 * check passes; APP_EDENIED with reason (size CSRF_REASON_BYTES) set to
 * DRF's detail, "CSRF Failed: CSRF cookie not set." and the like.
 */
enum app_err csrf_check(const struct app_config *cfg, const struct req *r,
    char *reason) APP_WUR;

/*
 * The origin half alone, for an unsafe request that carries a cookie
 * credential without the token check (JWT_AUTH_COOKIE_USE_CSRF off, the
 * refresh cookie): APP_EDENIED with reason as csrf_check's when Origin
 * (else, over https, Referer) names an origin other than the request's
 * own, CSRF_TRUSTED_ORIGINS or CORS_ALLOWED_ORIGINS, or is "null". A
 * request with neither header passes (not a browser's cross-site one).
 */
enum app_err csrf_origin_check(const struct app_config *cfg,
    const struct req *r, char *reason) APP_WUR;

/*
 * Django's rotate_token at login: a new secret in the csrftoken cookie
 * (CSRF_COOKIE_* attributes). APP_EINTERNAL if the CSPRNG fails.
 */
enum app_err csrf_cookie_new(const struct app_config *cfg,
    struct resp *resp) APP_WUR;

#endif
