/*
 * jwtmode.h: dj-rest-auth's JWT mode on top of lib/jwt: the token pair
 * of a login, the HttpOnly cookies, refresh with rotation and
 * blacklisting (simplejwt's token_blacklist tables), and the
 * authentication of a request by Bearer header or access cookie.
 */
#ifndef RESTAUTH_JWTMODE_H
#define RESTAUTH_JWTMODE_H

#include <stdbool.h>
#include <time.h>

#include "app.h"
#include "jwt.h"

struct app_config;
struct db;
struct db_user;
struct req;
struct resp;

/* DRF's DateTimeField output: 2026-01-02T03:04:05.123456Z, and NUL. */
#define JWTM_DATE_BYTES APP_DATE_BYTES

/* simplejwt's TokenRefreshSerializer "no_active_account" (5.4 and later). */
#define JWTM_NO_ACTIVE_ACCOUNT "No active account found for the given token."
#define JWTM_NO_ACTIVE_ACCOUNT_CODE "no_active_account"

/* simplejwt: the app that gives refresh tokens a blacklist. */
#define JWTM_BLACKLIST_APP "rest_framework_simplejwt.token_blacklist"

/* A pair of encoded tokens (malloc'd, wiped and freed by jwtm_pair_free). */
struct jwtm_pair {
	char *access;
	char *refresh; /* NULL when a refresh did not rotate */
	struct jwt_claims access_claims;
	struct jwt_claims refresh_claims;
};

void jwtm_pair_free(struct jwtm_pair *p);

/*
 * dj-rest-auth's jwt_encode: a refresh token for user, its claim the pk or
 * the username as USER_ID_FIELD says (recorded as
 * outstanding when the blacklist app is installed) and its access token.
 * APP_OK; APP_EDB; APP_ENOMEM; APP_EINTERNAL.
 */
enum app_err jwtm_login(const struct app_config *cfg,
    const struct jwt_ctx *jwt, struct db *db, const struct db_user *user,
    time_t now, struct jwtm_pair *out) APP_WUR;

/*
 * simplejwt's TokenRefreshSerializer on raw: a new access token, and with
 * ROTATE_REFRESH_TOKENS a new refresh token; with
 * BLACKLIST_AFTER_ROTATION the old one is blacklisted first, atomically,
 * so of concurrent refreshes with one token exactly one succeeds.
 * As simplejwt >= 5.4, the user the token names must exist and be
 * active, checked before anything is minted or written (a token without
 * a user claim is not checked).
 * APP_OK; APP_EAUTH with *msg simplejwt's words ("Token is invalid or
 * expired", "Token is blacklisted", ...); APP_EDENIED: the user is
 * inactive or deleted (JWTM_NO_ACTIVE_ACCOUNT); APP_EDB; APP_ENOMEM.
 */
enum app_err jwtm_refresh(const struct app_config *cfg,
    const struct jwt_ctx *jwt, struct db *db, const char *raw, time_t now,
    struct jwtm_pair *out, const char **msg) APP_WUR;

/*
 * Validate raw as a refresh token (RefreshToken(raw): blacklist check
 * included) and blacklist it, for logout. APP_OK; APP_EAUTH with *msg;
 * APP_EDB.
 */
enum app_err jwtm_blacklist(const struct app_config *cfg,
    const struct jwt_ctx *jwt, struct db *db, const char *raw, time_t now,
    const char **msg) APP_WUR;

/*
 * simplejwt's TokenVerifySerializer: APP_OK for a valid token of any
 * type; APP_EAUTH with *msg for a bad one; APP_ECONFLICT when it is a
 * blacklisted refresh token and BLACKLIST_AFTER_ROTATION is on (a 400
 * "Token is blacklisted"); APP_EDB.
 */
enum app_err jwtm_verify(const struct app_config *cfg,
    const struct jwt_ctx *jwt, struct db *db, const char *raw, time_t now,
    const char **msg) APP_WUR;

/* The user a valid access token names. APP_OK, APP_ENOTFOUND, APP_EDB. */
enum app_err jwtm_user(const struct app_config *cfg, struct db *db,
    const struct jwt_claims *c, struct db_user *out) APP_WUR;

/*
 * The jti of the valid refresh token in r's JWT_AUTH_REFRESH_COOKIE, if
 * any (signature, type and expiry checked; not the blacklist): true and
 * jti filled, else false.
 */
bool jwtm_cookie_refresh_jti(const struct app_config *cfg,
    const struct jwt_ctx *jwt, const struct req *r, time_t now,
    char jti[JWT_JTI_BYTES]);

/* Set-Cookie for the access / refresh token, per REST_AUTH (no-op when
 * the cookie name is null). */
void jwtm_cookie_access(const struct app_config *cfg, struct resp *r,
    const char *token);
void jwtm_cookie_refresh(const struct app_config *cfg, struct resp *r,
    const char *token);
/* dj-rest-auth's unset_jwt_cookies. */
void jwtm_cookies_unset(const struct app_config *cfg, struct resp *r);

/*
 * The refresh cookie of r, for token/refresh/ and logout/: APP_OK with
 * *raw pointing into r; APP_ENOTFOUND without one (or without a cookie
 * name); APP_EDENIED when the request is unsafe and cross-origin
 * (csrf_origin_check), reason (size CSRF_REASON_BYTES) holding the 403's
 * detail: a cookie the browser adds is no proof of the user's intent.
 */
enum app_err jwtm_refresh_cookie(const struct app_config *cfg,
    const struct req *r, const char **raw, char *reason) APP_WUR;

/* now + lifetime seconds in DRF's DateTimeField format. */
void jwtm_expiration(char out[JWTM_DATE_BYTES], long lifetime);

#endif
