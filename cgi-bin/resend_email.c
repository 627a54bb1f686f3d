/* registration/resend-email/: dj-rest-auth's ResendEmailVerificationView. */
#include <time.h>

#include "form.h"
#include "register.h"
#include "req.h"
#include "serve.h"

enum field { F_EMAIL, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_EMAIL] = { "email", FORM_EMAIL, LIMIT_EMAIL },
};

static void
prepare(const struct app_call *c, unsigned *flags)
{
	if (c->ctx->cfg.account.email_required)
		flags[F_EMAIL] |= REQ_F_REQUIRED;
}

static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	const char *email = form_str(in, F_EMAIL);
	bool queued = false;
	enum app_err er;

	(void)errs;
	/* Without an address (EMAIL_REQUIRED false) there is nothing to
	 * look up; dj-rest-auth would take the first row of the table. */
	if (email[0] != '\0' &&
	    (er = reg_resend(&c->ctx->cfg, &c->ctx->db, email, app_now(),
		 &queued)) != APP_OK)
		return er;
	/* The same answer whether a mail goes or not; the mail leaves from
	 * the outbox after it, and a drainer starts for every address, so
	 * that the next request cannot tell either. */
	if (email[0] != '\0')
		app_mail_queued(c);
	return APP_OK;
}

static const struct app_endpoint resend_email = {
	.path = "registration/resend-email/",
	.name = "Resend Email Verification",
	.description = "Resends another email to an unverified email.",
	.methods = REQ_BIT(REQ_POST),
};

static const struct form form = { &resend_email, fields, F__MAX, .done = "ok",
	.prepare = prepare, .run = run };

FORM_MAIN(form)
