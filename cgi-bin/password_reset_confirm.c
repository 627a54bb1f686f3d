/* password/reset/confirm/: dj-rest-auth's PasswordResetConfirmView. */
#include <time.h>

#include <openssl/crypto.h>

#include "answer.h"
#include "passwd.h"
#include "serve.h"

/* dj-rest-auth's serializer: CharField(max_length=128) for passwords. */
#define PASSWORD_FIELD_MAX 128

enum field { F_NEW1, F_NEW2, F_UID, F_TOKEN, F__MAX };

static void
handle(struct app_call *c)
{
	char new1[PASSWORD_FIELD_MAX * 4 + 1], new2[PASSWORD_FIELD_MAX * 4 + 1];
	char uid[LIMIT_TOKEN + 1], token[LIMIT_TOKEN + 1];
	struct req_field f[F__MAX] = {
		[F_NEW1] = { "new_password1", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, new1, sizeof(new1), false },
		[F_NEW2] = { "new_password2", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, new2, sizeof(new2), false },
		[F_UID] = { "uid", REQ_F_REQUIRED, LIMIT_TOKEN / 4, uid,
		    sizeof(uid), false },
		[F_TOKEN] = { "token", REQ_F_REQUIRED, LIMIT_TOKEN / 4, token,
		    sizeof(token), false },
	};
	struct json_object *errs = NULL;
	enum app_err er;

	if ((er = req_fields(c->req, f, F__MAX, &errs)) != APP_OK)
		goto out;
	er = passwd_reset_confirm(&c->ctx->cfg, &c->ctx->db, c->ctx->pwval,
	    uid, token, new1, new2, app_now(), &errs);
	if (er != APP_OK)
		goto out;
	resp_detail(c->resp, 200,
	    "Password has been reset with the new password.");
out:
	OPENSSL_cleanse(new1, sizeof(new1));
	OPENSSL_cleanse(new2, sizeof(new2));
	OPENSSL_cleanse(token, sizeof(token));
	if (er != APP_OK)
		ans_fail(c->resp, er, &errs);
}

static const struct app_endpoint password_reset_confirm = {
	.path = "password/reset/confirm/",
	.name = "Password Reset Confirm",
	.description = "Password reset e-mail link is confirmed, therefore "
		       "this resets the user's password.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.throttle_scope = "dj_rest_auth",
	.needs_auth = false,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &password_reset_confirm);
}
