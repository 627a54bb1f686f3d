/* registration/verify-email/: dj-rest-auth's VerifyEmailView. */
#include <time.h>

#include "answer.h"
#include "register.h"
#include "serve.h"

static void
handle(struct app_call *c)
{
	char key[REG_KEY_MAX_CHARS * 4 + 1];
	struct req_field f = { "key", REQ_F_REQUIRED, REG_KEY_MAX_CHARS, key,
		sizeof(key), false };
	struct json_object *errs = NULL;
	enum app_err er;

	if ((er = req_fields(c->req, &f, 1, &errs)) != APP_OK)
		goto out;
	er = reg_confirm(&c->ctx->cfg, &c->ctx->db, key, app_now());
	if (er == APP_ENOTFOUND) {
		/* ConfirmEmailView.get_object: Http404, as DRF renders it. */
		resp_detail(c->resp, 404, "Not found.");
		er = APP_OK;
		goto out;
	}
	if (er != APP_OK)
		goto out;
	resp_detail(c->resp, 200, "ok");
out:
	if (er != APP_OK)
		ans_fail(c->resp, er, &errs);
}

static const struct app_endpoint verify_email = {
	.path = "registration/verify-email/",
	.name = "Verify Email",
	.description = "Verifies the email associated with the provided key.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.needs_auth = false,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &verify_email);
}
