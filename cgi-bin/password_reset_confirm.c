/* password/reset/confirm/: dj-rest-auth's PasswordResetConfirmView. */
#include <time.h>

#include "form.h"
#include "passwd.h"
#include "req.h"
#include "serve.h"

/* dj-rest-auth's serializer: CharField(max_length=128) for passwords. */
#define PASSWORD_FIELD_MAX 128

enum field { F_NEW1, F_NEW2, F_UID, F_TOKEN, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_NEW1] = { "new_password1", REQ_F_REQUIRED, PASSWORD_FIELD_MAX },
	[F_NEW2] = { "new_password2", REQ_F_REQUIRED, PASSWORD_FIELD_MAX },
	[F_UID] = { "uid", REQ_F_REQUIRED, LIMIT_TOKEN / 4 },
	[F_TOKEN] = { "token", REQ_F_REQUIRED, LIMIT_TOKEN / 4 },
};

static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	return passwd_reset_confirm(&c->ctx->cfg, &c->ctx->db, c->ctx->pwval,
	    form_str(in, F_UID), form_str(in, F_TOKEN), form_str(in, F_NEW1),
	    form_str(in, F_NEW2), app_now(), errs);
}

static const struct app_endpoint password_reset_confirm = {
	.path = "password/reset/confirm/",
	.name = "Password Reset Confirm",
	.description = "Password reset e-mail link is confirmed, therefore "
		       "this resets the user's password.",
	.methods = REQ_BIT(REQ_POST),
	.throttle_scope = "dj_rest_auth",
};

static const struct form form = { &password_reset_confirm, fields, F__MAX,
	.done = "Password has been reset with the new password.", .run = run };

FORM_MAIN(form)
