/* registration/resend-email/: dj-rest-auth's ResendEmailVerificationView. */
#include <time.h>

#include "account.h"
#include "answer.h"
#include "register.h"
#include "serve.h"

static void
handle(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	char email[LIMIT_EMAIL_BYTES + 1];
	struct req_field f = { "email",
		cfg->account.email_required ? REQ_F_REQUIRED : 0, LIMIT_EMAIL,
		email, sizeof(email), false };
	struct json_object *errs = NULL;
	bool queued = false;
	enum app_err er;

	er = req_fields(c->req, &f, 1, &errs);
	if (er == APP_OK && email[0] != '\0' && !acct_email_valid(email) &&
	    (er = resp_errors_add(&errs, "email", ACCT_EMAIL_INVALID)) ==
		APP_OK)
		er = APP_EINPUT;
	if (er != APP_OK)
		goto out;
	/* Without an address (EMAIL_REQUIRED false) there is nothing to
	 * look up; dj-rest-auth would take the first row of the table. */
	if (email[0] != '\0' &&
	    (er = reg_resend(cfg, &c->ctx->db, email, app_now(), &queued)) !=
		APP_OK)
		goto out;
	/* The same answer whether a mail goes or not; the mail leaves from
	 * the outbox after it, and a drainer starts for every address, so
	 * that the next request cannot tell either. */
	if (email[0] != '\0')
		app_mail_queued(c);
	resp_detail(c->resp, 200, "ok");
out:
	if (er != APP_OK)
		ans_fail(c->resp, er, &errs);
}

static const struct app_endpoint resend_email = {
	.path = "registration/resend-email/",
	.name = "Resend Email Verification",
	.description = "Resends another email to an unverified email.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.needs_auth = false,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &resend_email);
}
