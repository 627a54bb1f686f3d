#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "codec.h"
#include "config.h"
#include "db.h"
#include "jwtmode.h"
#include "pystr.h"
#include "req.h"

void
auth_challenge(const struct app_config *cfg, char out[AUTH_CHALLENGE_BYTES])
{
	if (cfg->rest_auth.use_jwt)
		snprintf(out, AUTH_CHALLENGE_BYTES, "%s realm=\"api\"",
		    cfg->simple_jwt.auth_header_types[0]);
	else
		snprintf(out, AUTH_CHALLENGE_BYTES, "Token");
}

/* Up to three whitespace-separated words of h (Python's bytes.split()). */
static size_t
split3(const char *h, const char *w[3], size_t wl[3])
{
	size_t nw = 0;

	while (*h != '\0' && nw < 3) {
		while (pystr_bytes_is_space((unsigned char)*h))
			h++;
		if (*h == '\0')
			break;
		w[nw] = h;
		while (*h != '\0' && !pystr_bytes_is_space((unsigned char)*h))
			h++;
		wl[nw] = (size_t)(h - w[nw]);
		nw++;
	}
	return nw;
}

static enum app_err
fail_with(struct auth_fail *fail, const char *detail, const char *code,
    const char *message)
{
	fail->detail = detail;
	fail->code = code;
	fail->message = message;
	return APP_EAUTH;
}

enum app_err
auth_token_header(const char *h, char key[TOK_KEY_BYTES],
    struct auth_fail *fail)
{
	const char *w[3];
	size_t wl[3], nw;

	nw = split3(h, w, wl);
	if (nw == 0 || wl[0] != 5 || strncasecmp(w[0], "token", 5) != 0)
		return APP_ENOTFOUND;
	if (nw == 1)
		return fail_with(fail, "Invalid token header. No credentials "
				       "provided.", NULL, NULL);
	if (nw > 2)
		return fail_with(fail, "Invalid token header. Token string "
				       "should not contain spaces.", NULL, NULL);
	if (!codec_utf8_valid(w[1], wl[1]))
		return fail_with(fail, "Invalid token header. Token string "
				       "should not contain invalid characters.",
		    NULL, NULL);
	/* Longer than the column: no row can match. */
	if (wl[1] > LIMIT_TOKEN_KEY || memchr(w[1], '\0', wl[1]) != NULL)
		return fail_with(fail, "Invalid token.", NULL, NULL);
	memcpy(key, w[1], wl[1]);
	key[wl[1]] = '\0';
	return APP_OK;
}

/* A CSRF refusal: the 403 detail csrf_check wrote in fail->buf. */
static enum app_err
denied(struct auth_fail *fail)
{
	fail->detail = fail->buf;
	fail->code = NULL;
	fail->message = NULL;
	return APP_EDENIED;
}

/* DRF's TokenAuthentication. APP_ENOTFOUND: not its header. */
static enum app_err
by_token(struct db *db, const char *h, struct auth_result *out,
    struct auth_fail *fail)
{
	enum app_err er;

	if ((er = auth_token_header(h, out->key, fail)) != APP_OK)
		return er;
	er = db_user_by_token(db, out->key, &out->user);
	if (er == APP_ENOTFOUND)
		return fail_with(fail, "Invalid token.", NULL, NULL);
	if (er != APP_OK)
		return er;
	if (!out->user.is_active)
		return fail_with(fail, "User inactive or deleted.", NULL, NULL);
	out->kind = AUTH_TOKEN;
	return APP_OK;
}

enum app_err
auth_bearer_header(const struct app_config *cfg, const char *h,
    const char **raw, size_t *len, struct auth_fail *fail)
{
	const char *w[3];
	size_t wl[3], nw, i;
	bool ours = false;

	nw = split3(h, w, wl);
	for (i = 0; nw > 0 && i < cfg->simple_jwt.auth_header_types_len; i++)
		if (strlen(cfg->simple_jwt.auth_header_types[i]) == wl[0] &&
		    strncmp(cfg->simple_jwt.auth_header_types[i], w[0],
			wl[0]) == 0)
			ours = true;
	if (!ours)
		return APP_ENOTFOUND;
	if (nw != 2)
		return fail_with(fail, "Authorization header must contain two "
				       "space-delimited values",
		    "bad_authorization_header", NULL);
	*raw = w[1];
	*len = wl[1];
	return APP_OK;
}

/* simplejwt's get_validated_token + get_user for an access token. */
static enum app_err
by_jwt(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const char *raw, size_t len, struct auth_result *out,
    struct auth_fail *fail)
{
	struct jwt_claims c;
	enum jwt_fail why;
	enum app_err er;

	er = jwt_verify(jwt, raw, len, app_now(), JWT_ACCESS, JWT_NEED_USER,
	    &c, &why);
	if (er == APP_EAUTH && why == JWT_FAIL_NO_USER)
		return fail_with(fail, "Token contained no recognizable user "
				       "identification", "token_not_valid",
		    NULL);
	if (er == APP_EAUTH)
		return fail_with(fail, "Given token not valid for any token "
				       "type", "token_not_valid",
		    jwt_fail_message(why));
	if (er != APP_OK)
		return er;
	er = jwtm_user(cfg, db, &c, &out->user);
	if (er == APP_ENOTFOUND)
		return fail_with(fail, "User not found", "user_not_found", NULL);
	if (er != APP_OK)
		return er;
	if (!out->user.is_active)
		return fail_with(fail, "User is inactive", "user_inactive", NULL);
	return APP_OK;
}

/* dj-rest-auth's JWTCookieAuthentication. APP_ENOTFOUND: no JWT. */
static enum app_err
by_jwt_request(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const struct req *r, struct auth_result *out,
    struct auth_fail *fail)
{
	const char *raw;
	size_t len;
	enum app_err er;

	if (r->authorization == NULL) {
		if (cfg->rest_auth.jwt_access.name == NULL)
			return APP_ENOTFOUND;
		raw = req_cookie(r, cfg->rest_auth.jwt_access.name);
		/* dj-rest-auth checks CSRF before it looks at the token;
		 * without its check, a cookie still needs a trusted origin. */
		if (cfg->rest_auth.jwt_auth_cookie_enforce_csrf_on_unauthenticated ||
		    (raw != NULL && cfg->rest_auth.jwt_auth_cookie_use_csrf))
			er = csrf_check(cfg, r, fail->buf);
		else if (raw != NULL)
			er = csrf_origin_check(cfg, r, fail->buf);
		else
			return APP_ENOTFOUND;
		if (er != APP_OK)
			return denied(fail);
		if (raw == NULL)
			return APP_ENOTFOUND;
		if ((er = by_jwt(cfg, jwt, db, raw, strlen(raw), out,
			 fail)) == APP_OK)
			out->kind = AUTH_JWT_COOKIE;
		return er;
	}
	/* A header that is not ours means "not JWT": the cookie is not
	 * consulted then (simplejwt's get_raw_token). */
	if ((er = auth_bearer_header(cfg, r->authorization, &raw, &len,
		 fail)) != APP_OK)
		return er;
	if ((er = by_jwt(cfg, jwt, db, raw, len, out, fail)) == APP_OK)
		out->kind = AUTH_JWT_HEADER;
	return er;
}

/* DRF's SessionAuthentication. APP_ENOTFOUND: anonymous. */
static enum app_err
by_session(const struct app_config *cfg, struct db *db, const struct req *r,
    struct auth_result *out, struct auth_fail *fail)
{
	enum app_err er;

	if ((er = sess_user(cfg, db, r, &out->user, out->session_key)) !=
	    APP_OK)
		return er;
	/* enforce_csrf: only a session-authenticated request is checked. */
	if (csrf_check(cfg, r, fail->buf) != APP_OK)
		return denied(fail);
	out->kind = AUTH_SESSION;
	return APP_OK;
}

enum app_err
auth_request(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const struct req *r, struct auth_result *out,
    struct auth_fail *fail)
{
	enum app_err er = APP_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	out->kind = AUTH_NONE;
	if (r->authorization != NULL && cfg->rest_auth.token_model != NULL)
		er = by_token(db, r->authorization, out, fail);
	if (er == APP_ENOTFOUND && jwt != NULL)
		er = by_jwt_request(cfg, jwt, db, r, out, fail);
	if (er == APP_ENOTFOUND && cfg->rest_auth.session_login)
		er = by_session(cfg, db, r, out, fail);
	if (er == APP_ENOTFOUND) {
		memset(out, 0, sizeof(*out));
		out->kind = AUTH_NONE;
		return APP_OK;
	}
	return er;
}
