/* registration/verify-email/: dj-rest-auth's VerifyEmailView. */
#include <time.h>

#include "form.h"
#include "register.h"
#include "req.h"
#include "serve.h"

enum field { F_KEY, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_KEY] = { "key", REQ_F_REQUIRED, REG_KEY_MAX_CHARS },
};

static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	(void)errs;
	/* APP_ENOTFOUND: ConfirmEmailView.get_object's Http404, which DRF
	 * renders as resp_error does. */
	return reg_confirm(&c->ctx->cfg, &c->ctx->db, form_str(in, F_KEY),
	    app_now());
}

static const struct app_endpoint verify_email = {
	.path = "registration/verify-email/",
	.name = "Verify Email",
	.description = "Verifies the email associated with the provided key.",
	.methods = REQ_BIT(REQ_POST),
};

static const struct form form = { &verify_email, fields, F__MAX, .done = "ok",
	.run = run };

FORM_MAIN(form)
