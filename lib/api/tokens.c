/*
 * tokens.c: the JWT use cases of login/, registration/, token/refresh/
 * and token/verify/ (lib/api/tokens.h), their answers through lib/answer.
 */
#include <time.h>

#include "answer.h"
#include "jwtmode.h"
#include "resp.h"
#include "serve.h"
#include "tokens.h"

enum app_err
tokens_login(struct app_call *c, const struct db_user *user, int status,
    bool expirations)
{
	struct app_ctx *ctx = c->ctx;
	struct jwtm_pair pair = { 0 };
	enum app_err er;

	if ((er = jwtm_login(&ctx->cfg, ctx->jwt, &ctx->db, user, app_now(),
		 &pair)) == APP_OK)
		er = ans_jwt(&ctx->cfg, c->resp, &pair, user, status,
		    expirations);
	jwtm_pair_free(&pair);
	return er;
}

enum app_err
tokens_refresh(struct app_call *c, const char *raw)
{
	const struct app_config *cfg = &c->ctx->cfg;
	struct auth_fail fail = { NULL, "token_not_valid", NULL, "" };
	struct jwtm_pair pair = { 0 };
	char reason[CSRF_REASON_BYTES];
	const char *msg = NULL;
	enum app_err er;

	/* CookieTokenRefreshSerializer: the body wins, else the cookie. */
	if (raw[0] == '\0')
		raw = NULL;
	if (raw == NULL &&
	    jwtm_refresh_cookie(cfg, c->req, &raw, reason) == APP_EDENIED) {
		resp_detail(c->resp, 403, reason);
		return APP_OK;
	}
	if (raw == NULL) {
		fail.detail = "No valid refresh token found.";
		ans_unauthorized(cfg, c->resp, &fail);
		return APP_OK;
	}
	er = jwtm_refresh(cfg, c->ctx->jwt, &c->ctx->db, raw, app_now(), &pair,
	    &msg);
	if (er == APP_EDENIED) {
		fail.detail = JWTM_NO_ACTIVE_ACCOUNT;
		fail.code = JWTM_NO_ACTIVE_ACCOUNT_CODE;
		er = APP_EAUTH;
	} else if (er == APP_EAUTH)
		fail.detail = msg;
	if (er == APP_EAUTH) {
		ans_unauthorized(cfg, c->resp, &fail);
		er = APP_OK;
	} else if (er == APP_OK)
		er = ans_jwt(cfg, c->resp, &pair, NULL, 200, true);
	jwtm_pair_free(&pair);
	return er;
}

enum app_err
tokens_verify(struct app_call *c, const char *raw)
{
	struct auth_fail fail = { NULL, "token_not_valid", NULL, "" };
	const char *msg = NULL;
	enum app_err er;

	er = jwtm_verify(&c->ctx->cfg, c->ctx->jwt, &c->ctx->db, raw, app_now(),
	    &msg);
	if (er == APP_EAUTH) {
		fail.detail = msg;
		ans_unauthorized(&c->ctx->cfg, c->resp, &fail);
		return APP_OK;
	}
	if (er == APP_ECONFLICT) {
		resp_field_error(c->resp, 400, "non_field_errors",
		    "Token is blacklisted");
		return APP_OK;
	}
	return er == APP_OK ? ans_empty(c->resp, 200) : er;
}
