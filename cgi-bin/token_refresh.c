/* token/refresh/: dj-rest-auth's refresh view with cookie support. */
#include <time.h>

#include "jwtmode.h"
#include "serve.h"

static int
add_str(struct json_object *o, const char *key, const char *val)
{
	return json_object_object_add(o, key, json_object_new_string(val));
}

static void
handle(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	char token[LIMIT_TOKEN * 4 + 1], aexp[JWTM_DATE_BYTES];
	char rexp[JWTM_DATE_BYTES];
	struct req_field f = { "refresh", 0, LIMIT_TOKEN, token, sizeof(token),
		false };
	struct auth_fail fail = { NULL, "token_not_valid", NULL, "" };
	struct json_object *errs = NULL, *o = NULL;
	struct jwtm_pair pair = { 0 };
	const char *raw = NULL, *msg = NULL;
	char reason[CSRF_REASON_BYTES];
	enum app_err er;
	bool httponly = cfg->rest_auth.jwt_auth_httponly;

	if (c->ctx->jwt == NULL) {
		resp_detail(c->resp, 404, "Not found.");
		return;
	}
	if ((er = req_fields(c->req, &f, 1, &errs)) != APP_OK) {
		app_fail(c, er, &errs);
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
		app_unauthorized(c, &fail);
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
		app_unauthorized(c, &fail);
		return;
	}
	if (er != APP_OK) {
		resp_error(c->resp, er);
		return;
	}
	jwtm_expiration(aexp, cfg->simple_jwt.access_token_lifetime);
	jwtm_expiration(rexp, cfg->simple_jwt.refresh_token_lifetime);
	if ((o = json_object_new_object()) == NULL ||
	    add_str(o, "access", pair.access) != 0 ||
	    (pair.refresh != NULL && !httponly &&
		add_str(o, "refresh", pair.refresh) != 0) ||
	    add_str(o, "access_expiration", aexp) != 0 ||
	    (pair.refresh != NULL && !httponly &&
		add_str(o, "refresh_expiration", rexp) != 0)) {
		json_object_put(o);
		jwtm_pair_free(&pair);
		resp_error(c->resp, APP_ENOMEM);
		return;
	}
	resp_json(c->resp, 200, o);
	resp_header(c->resp, "Cache-Control", "no-store");
	jwtm_cookie_access(cfg, c->resp, pair.access);
	if (pair.refresh != NULL)
		jwtm_cookie_refresh(cfg, c->resp, pair.refresh);
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
