/* password/change/: dj-rest-auth's PasswordChangeView. */
#include "form.h"
#include "pwchange.h"
#include "req.h"
#include "serve.h"

/* dj-rest-auth's PasswordChangeSerializer: CharField(max_length=128). */
#define PASSWORD_FIELD_MAX 128

enum field { F_OLD, F_NEW1, F_NEW2, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_OLD] = { "old_password", REQ_F_REQUIRED, PASSWORD_FIELD_MAX },
	[F_NEW1] = { "new_password1", REQ_F_REQUIRED, PASSWORD_FIELD_MAX },
	[F_NEW2] = { "new_password2", REQ_F_REQUIRED, PASSWORD_FIELD_MAX },
};

/* Without OLD_PASSWORD_FIELD_ENABLED the field does not exist. */
static void
prepare(const struct app_call *c, unsigned *flags)
{
	if (!c->ctx->cfg.rest_auth.old_password_field_enabled)
		flags[F_OLD] |= FORM_SKIP;
}

/* The old password is a field check: it joins the fields' messages. */
static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	struct pwc_in p = { form_opt(in, F_OLD), form_str(in, F_NEW1),
		form_str(in, F_NEW2) };

	return pwc_change(c, &p, in->parsed, errs);
}

static const struct app_endpoint password_change = {
	.path = "password/change/",
	.name = "Password Change",
	.description = "Calls Django Auth SetPasswordForm save method.",
	.methods = REQ_BIT(REQ_POST),
	.throttle_scope = "dj_rest_auth",
	.needs_auth = true,
};

static const struct form form = { &password_change, fields, F__MAX,
	.run_on_errors = true, .prepare = prepare, .run = run };

FORM_MAIN(form)
