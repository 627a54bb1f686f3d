/* token/refresh/: dj-rest-auth's refresh view with cookie support. */
#include <time.h>

#include "answer.h"
#include "jwtmode.h"
#include "serve.h"

static void
handle(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	char token[LIMIT_TOKEN * 4 + 1];
	struct req_field f = { "refresh", 0, LIMIT_TOKEN, token, sizeof(token),
		false };
	struct auth_fail fail = { NULL, "token_not_valid", NULL, "" };
	struct json_object *errs = NULL;
	struct jwtm_pair pair = { 0 };
	const char *raw = NULL, *msg = NULL;
	char reason[CSRF_REASON_BYTES];
	enum app_err er;

	if (c->ctx->jwt == NULL) {
		resp_detail(c->resp, 404, "Not found.");
		return;
	}
	if ((er = req_fields(c->req, &f, 1, &errs)) != APP_OK) {
		ans_fail(c->resp, er, &errs);
		return;
	}
	/* CookieTokenRefreshSerializer: the body wins, else the cookie. */
	if (f.present && token[0] != '\0')
		raw = token;
	else if (jwtm_refresh_cookie(cfg, c->req, &raw, reason) ==
	    APP_EDENIED) {
		resp_detail(c->resp, 403, reason);
		return;
	}
	if (raw == NULL) {
		fail.detail = "No valid refresh token found.";
		ans_unauthorized(cfg, c->resp, &fail);
		return;
	}
	er = jwtm_refresh(cfg, c->ctx->jwt, &c->ctx->db, raw, app_now(),
	    &pair, &msg);
	if (er == APP_EDENIED) {
		fail.detail = JWTM_NO_ACTIVE_ACCOUNT;
		fail.code = JWTM_NO_ACTIVE_ACCOUNT_CODE;
		er = APP_EAUTH;
	} else if (er == APP_EAUTH)
		fail.detail = msg;
	if (er == APP_EAUTH) {
		ans_unauthorized(cfg, c->resp, &fail);
		return;
	}
	if (er != APP_OK) {
		resp_error(c->resp, er);
		return;
	}
	if ((er = ans_jwt(cfg, c->resp, &pair, NULL, 200, true)) != APP_OK)
		resp_error(c->resp, er);
	jwtm_pair_free(&pair);
}

static const struct app_endpoint token_refresh = {
	.path = "token/refresh/",
	.name = "Refresh View With Cookie Support",
	.description = "Takes a refresh type JSON web token and returns an "
		       "access type JSON web token if the refresh token is "
		       "valid.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.needs_auth = false,
	.no_auth = true,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &token_refresh);
}
