/*
 * signup.c: registration/ after the request pipeline (lib/api/signup.h):
 * what the endpoint did itself before, so that it calls one use case.
 */
#include <time.h>

#include <openssl/crypto.h>

#include "answer.h"
#include "config.h"
#include "csrf.h"
#include "register.h"
#include "resp.h"
#include "serve.h"
#include "signup.h"
#include "tokens.h"

/* The new user logged in, as allauth does unless verification is
 * mandatory: Django's login() rotates CSRF; then dj-rest-auth's
 * JWTSerializer (login/'s cookies, no expirations), the token or 204. */
static enum app_err
answer(struct app_call *c, const struct reg_result *res)
{
	const struct app_config *cfg = &c->ctx->cfg;
	enum app_err er;

	if (cfg->account.email_verification ==
	    ACCOUNT_EMAIL_VERIFICATION_MANDATORY) {
		resp_detail(c->resp, 201, REG_VERIFICATION_SENT);
		return APP_OK;
	}
	if (cfg->rest_auth.session_login &&
	    (er = csrf_cookie_new(cfg, c->resp)) != APP_OK)
		return er;
	if (cfg->rest_auth.use_jwt)
		return tokens_login(c, &res->user, 201, false);
	if (cfg->rest_auth.token_model != NULL)
		return ans_token(c->resp, 201, res->token);
	resp_json(c->resp, 204, NULL);
	return APP_OK;
}

enum app_err
signup_run(struct app_call *c, struct json_object **errs)
{
	struct app_ctx *ctx = c->ctx;
	struct reg_result res = { 0 };
	struct reg_form f;
	enum app_err er;

	er = reg_form_read(&ctx->cfg, &ctx->db, ctx->pwval, c->req, &f, errs);
	if (er == APP_OK)
		er = reg_signup(&ctx->cfg, &ctx->db, ctx->pwval, &f, app_now(),
		    &res, errs);
	reg_form_wipe(&f);
	if (er != APP_OK)
		goto out;
	/* complete_signup: the mail is in the outbox with the user, and
	 * leaves after the answer. */
	if (res.mail_queued)
		app_mail_queued(c);
	er = answer(c, &res);
out:
	reg_result_free(&res);
	OPENSSL_cleanse(&res, sizeof(res));
	return er;
}
