/* password/reset/: dj-rest-auth's PasswordResetView. */
#include <time.h>

#include "account.h"
#include "answer.h"
#include "passwd.h"
#include "serve.h"

static void
handle(struct app_call *c)
{
	char email[LIMIT_EMAIL_BYTES + 1];
	struct req_field f = { "email", REQ_F_REQUIRED, LIMIT_EMAIL, email,
		sizeof(email), false };
	struct json_object *errs = NULL;
	size_t n = 0;
	enum app_err er;

	er = req_fields(c->req, &f, 1, &errs);
	if (er == APP_OK && !acct_email_valid(email))
		er = resp_errors_add(&errs, "email", ACCT_EMAIL_INVALID) ==
			APP_OK ? APP_EINPUT : APP_ENOMEM;
	if (er != APP_OK)
		goto out;
	er = passwd_reset_queue(&c->ctx->cfg, &c->ctx->db, email, app_now(),
	    &n);
	if (er != APP_OK)
		goto out;
	/* The mails leave from the outbox after the answer; a drainer
	 * starts for every address, known, unknown or in the cooldown, so
	 * that all answer alike, and the next request too. */
	app_mail_queued(c);
	resp_detail(c->resp, 200, "Password reset e-mail has been sent.");
out:
	if (er != APP_OK)
		ans_fail(c->resp, er, &errs);
}

static const struct app_endpoint password_reset = {
	.path = "password/reset/",
	.name = "Password Reset",
	.description = "Calls Django Auth PasswordResetForm save method.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.throttle_scope = "dj_rest_auth",
	.needs_auth = false,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &password_reset);
}
