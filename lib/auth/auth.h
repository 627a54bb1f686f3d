/*
 * auth.h: who is calling. DRF's TokenAuthentication, header parsing and
 * messages included; JWT authentication joins here when USE_JWT exists.
 */
#ifndef RESTAUTH_AUTH_H
#define RESTAUTH_AUTH_H

#include <stdbool.h>

#include "app.h"
#include "config.h"
#include "csrf.h"
#include "db.h"
#include "session.h"
#include "tok.h"

struct jwt_ctx;
struct req;

enum auth_kind {
	AUTH_NONE,	 /* anonymous */
	AUTH_TOKEN,	 /* Authorization: Token <key> */
	AUTH_JWT_HEADER, /* Authorization: Bearer <access JWT> */
	AUTH_JWT_COOKIE, /* the JWT_AUTH_COOKIE access cookie */
	AUTH_SESSION,	 /* Django's sessionid cookie (SESSION_LOGIN) */
	AUTH__MAX
};

/* Why a credential was refused: DRF's and simplejwt's 401 bodies. */
struct auth_fail {
	const char *detail;  /* always */
	const char *code;    /* simplejwt's "code", or NULL (DRF's Token) */
	const char *message; /* simplejwt's per-token-class message, for
				"messages", or NULL */
	char buf[CSRF_REASON_BYTES]; /* room for a built detail */
};

struct auth_result {
	enum auth_kind kind;
	struct db_user user;	   /* valid unless kind == AUTH_NONE */
	char key[TOK_KEY_BYTES];   /* the presented key, for AUTH_TOKEN */
	char session_key[SESS_KEY_BYTES]; /* for AUTH_SESSION */
};

/* Room for a WWW-Authenticate value. */
#define AUTH_CHALLENGE_BYTES 128

/*
 * DRF's WWW-Authenticate for a 401, the first authentication class's:
 * 'Bearer realm="api"' (the first AUTH_HEADER_TYPES) in JWT mode, else
 * "Token".
 */
void auth_challenge(const struct app_config *cfg,
    char out[AUTH_CHALLENGE_BYTES]);

/*
 * DRF's TokenAuthentication header rules: "Token <key>" (keyword in any
 * case). APP_OK: key holds the key (at most LIMIT_TOKEN_KEY bytes, no
 * whitespace or NUL); APP_ENOTFOUND: not a Token header; APP_EAUTH: a
 * Token header DRF refuses, *fail holds its words.
 */
enum app_err auth_token_header(const char *h, char key[TOK_KEY_BYTES],
    struct auth_fail *fail) APP_WUR;
/*
 * simplejwt's get_raw_token: "<one of AUTH_HEADER_TYPES> <token>".
 * APP_OK: *raw and *len point at the token inside h; APP_ENOTFOUND: not
 * one of ours; APP_EAUTH: ours but not two words (*fail).
 */
enum app_err auth_bearer_header(const struct app_config *cfg, const char *h,
    const char **raw, size_t *len, struct auth_fail *fail) APP_WUR;

/*
 * Authenticate the request as DRF would with TokenAuthentication (when
 * TOKEN_MODEL is set), then dj-rest-auth's JWTCookieAuthentication (when
 * jwt is not NULL): a Bearer header (AUTH_HEADER_TYPES) or, without an
 * Authorization header, the access cookie; last, when SESSION_LOGIN,
 * DRF's SessionAuthentication: the session cookie (a missing, expired or
 * bad session is anonymous, as Django's). APP_OK: *out says who,
 * possibly nobody. APP_EAUTH: a credential was presented and is bad;
 * *fail holds the answer's words. APP_EDENIED: a cookie-authenticated
 * unsafe request failed Django's CSRF checks (JWT_AUTH_COOKIE_USE_CSRF,
 * or any request with JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED),
 * or, without them, csrf_origin_check (a cross-origin request with the
 * access cookie), or a session-authenticated one
 * (SessionAuthentication.enforce_csrf);
 * fail->detail is DRF's 403 detail. APP_EDB. out is fully written only
 * on APP_OK.
 */
enum app_err auth_request(const struct app_config *cfg,
    const struct jwt_ctx *jwt, struct db *db, const struct req *r,
    struct auth_result *out, struct auth_fail *fail) APP_WUR;

#endif
