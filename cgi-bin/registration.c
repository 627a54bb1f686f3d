/* registration/: dj-rest-auth's RegisterView with allauth. */
#include <time.h>

#include <openssl/crypto.h>

#include "account.h"
#include "answer.h"
#include "csrf.h"
#include "jwtmode.h"
#include "log.h"
#include "register.h"
#include "serve.h"

/* dj-rest-auth's JWTSerializer, with login/'s cookies (it sets none
 * here); no expirations. */
static enum app_err
jwt_answer(struct app_call *c, const struct db_user *user)
{
	struct jwtm_pair pair;
	enum app_err er;

	if ((er = jwtm_login(&c->ctx->cfg, c->ctx->jwt, &c->ctx->db, user,
		 app_now(), &pair)) != APP_OK)
		return er;
	er = ans_jwt(&c->ctx->cfg, c->resp, &pair, user, 201, false);
	jwtm_pair_free(&pair);
	return er;
}

static void
handle(struct app_call *c)
{
	struct app_ctx *ctx = c->ctx;
	const struct app_config *cfg = &ctx->cfg;
	struct json_object *errs = NULL;
	struct reg_result res = { 0 };
	struct reg_form f;
	enum app_err er;

	er = reg_form_read(cfg, &ctx->db, ctx->pwval, c->req, &f, &errs);
	if (er == APP_OK)
		er = reg_signup(cfg, &ctx->db, ctx->pwval, &f, app_now(), &res,
		    &errs);
	reg_form_wipe(&f);
	if (er != APP_OK)
		goto out;
	/* complete_signup: the mail is in the outbox with the user, and
	 * leaves after the answer. */
	if (res.mail_queued)
		app_mail_queued(c);
	if (cfg->account.email_verification ==
	    ACCOUNT_EMAIL_VERIFICATION_MANDATORY) {
		resp_detail(c->resp, 201, REG_VERIFICATION_SENT);
		goto out;
	}
	/* allauth logs the new user in: Django's login() rotates CSRF. */
	if (cfg->rest_auth.session_login &&
	    (er = csrf_cookie_new(cfg, c->resp)) != APP_OK)
		goto out;
	if (cfg->rest_auth.use_jwt)
		er = jwt_answer(c, &res.user);
	else if (cfg->rest_auth.token_model != NULL)
		er = ans_token(c->resp, 201, res.token);
	else
		resp_json(c->resp, 204, NULL);
out:
	reg_result_free(&res);
	OPENSSL_cleanse(&res, sizeof(res));
	if (er != APP_OK)
		ans_fail(c->resp, er, &errs);
}

static const struct app_endpoint registration = {
	.path = "registration/",
	.name = "Register",
	.description = "Registers a new user.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.needs_auth = false,
	.throttle_scope = "dj_rest_auth",
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &registration);
}
