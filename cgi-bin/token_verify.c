/* token/verify/: simplejwt's TokenVerifyView (JWT mode only). */
#include <time.h>

#include "answer.h"
#include "jwtmode.h"
#include "serve.h"

static void
handle(struct app_call *c)
{
	char token[LIMIT_TOKEN * 4 + 1];
	struct req_field f = { "token", REQ_F_REQUIRED, LIMIT_TOKEN, token,
		sizeof(token), false };
	struct json_object *errs = NULL, *o;
	struct auth_fail fail = { NULL, "token_not_valid", NULL, "" };
	const char *msg = NULL;
	enum app_err er;

	if (c->ctx->jwt == NULL) {
		/* dj-rest-auth routes this view only with USE_JWT. */
		resp_detail(c->resp, 404, "Not found.");
		return;
	}
	if ((er = req_fields(c->req, &f, 1, &errs)) != APP_OK) {
		ans_fail(c->resp, er, &errs);
		return;
	}
	er = jwtm_verify(&c->ctx->cfg, c->ctx->jwt, &c->ctx->db, token,
	    app_now(), &msg);
	if (er == APP_EAUTH) {
		fail.detail = msg;
		ans_unauthorized(&c->ctx->cfg, c->resp, &fail);
	} else if (er == APP_ECONFLICT)
		resp_field_error(c->resp, 400, "non_field_errors",
		    "Token is blacklisted");
	else if (er != APP_OK)
		resp_error(c->resp, er);
	else if ((o = json_object_new_object()) == NULL)
		resp_error(c->resp, APP_ENOMEM);
	else
		resp_json(c->resp, 200, o);
}

static const struct app_endpoint token_verify = {
	.path = "token/verify/",
	.name = "Token Verify",
	.description = "Takes a token and indicates if it is valid. This view "
		       "provides no information about a token's fitness for a "
		       "particular use.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.needs_auth = false,
	.no_auth = true,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &token_verify);
}
