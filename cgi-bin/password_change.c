/* password/change/: dj-rest-auth's PasswordChangeView. */
#include <openssl/crypto.h>

#include "answer.h"
#include "pwchange.h"
#include "serve.h"

/* dj-rest-auth's PasswordChangeSerializer: CharField(max_length=128). */
#define PASSWORD_FIELD_MAX 128

enum field { F_OLD, F_NEW1, F_NEW2, F__MAX };

static void
handle(struct app_call *c)
{
	char old[PASSWORD_FIELD_MAX * 4 + 1], new1[PASSWORD_FIELD_MAX * 4 + 1];
	char new2[PASSWORD_FIELD_MAX * 4 + 1];
	bool want_old = c->ctx->cfg.rest_auth.old_password_field_enabled;
	struct req_field f[F__MAX] = {
		[F_OLD] = { "old_password", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, old, sizeof(old), false },
		[F_NEW1] = { "new_password1", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, new1, sizeof(new1), false },
		[F_NEW2] = { "new_password2", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, new2, sizeof(new2), false },
	};
	struct pwc_in in = { NULL, new1, new2 };
	struct json_object *errs = NULL;
	enum app_err er;

	/* Without OLD_PASSWORD_FIELD_ENABLED the field does not exist. */
	er = req_fields(c->req, want_old ? f : f + 1,
	    want_old ? F__MAX : F__MAX - 1, &errs);
	if (want_old && f[F_OLD].present)
		in.old = old;
	er = pwc_change(c, &in, er, &errs);
	OPENSSL_cleanse(old, sizeof(old));
	OPENSSL_cleanse(new1, sizeof(new1));
	OPENSSL_cleanse(new2, sizeof(new2));
	if (er != APP_OK)
		ans_fail(c->resp, er, &errs);
}

static const struct app_endpoint password_change = {
	.path = "password/change/",
	.name = "Password Change",
	.description = "Calls Django Auth SetPasswordForm save method.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.throttle_scope = "dj_rest_auth",
	.needs_auth = true,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &password_change);
}
