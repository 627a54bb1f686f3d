/* password/reset/: dj-rest-auth's PasswordResetView. */
#include <time.h>

#include "form.h"
#include "passwd.h"
#include "req.h"
#include "serve.h"

enum field { F_EMAIL, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_EMAIL] = { "email", REQ_F_REQUIRED | FORM_EMAIL, LIMIT_EMAIL },
};

static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	size_t n = 0;
	enum app_err er;

	(void)errs;
	if ((er = passwd_reset_queue(&c->ctx->cfg, &c->ctx->db,
		 form_str(in, F_EMAIL), app_now(), &n)) != APP_OK)
		return er;
	/* The mails leave from the outbox after the answer; a drainer
	 * starts for every address, known, unknown or in the cooldown, so
	 * that all answer alike, and the next request too. */
	app_mail_queued(c);
	return APP_OK;
}

static const struct app_endpoint password_reset = {
	.path = "password/reset/",
	.name = "Password Reset",
	.description = "Calls Django Auth PasswordResetForm save method.",
	.methods = REQ_BIT(REQ_POST),
	.throttle_scope = "dj_rest_auth",
};

static const struct form form = { &password_reset, fields, F__MAX,
	.done = "Password reset e-mail has been sent.", .run = run };

FORM_MAIN(form)
