/* password/change/: dj-rest-auth's PasswordChangeView. */
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "answer.h"
#include "jwtmode.h"
#include "passwd.h"
#include "pw.h"
#include "serve.h"
#include "session.h"

/* dj-rest-auth's PasswordChangeSerializer: CharField(max_length=128). */
#define PASSWORD_FIELD_MAX 128

enum field { F_OLD, F_NEW1, F_NEW2, F__MAX };

static enum app_err
session_after(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	struct db_user u;
	enum app_err er;

	if (cfg->rest_auth.logout_on_password_change)
		return sess_logout(cfg, &c->ctx->db, c->req, c->resp);
	if ((er = db_user_by_id(&c->ctx->db, c->auth.user.id, &u)) != APP_OK)
		return er;
	er = sess_rotate(cfg, &c->ctx->db, c->auth.session_key, &u, c->resp);
	OPENSSL_cleanse(&u, sizeof(u));
	return er;
}

static void
handle(struct app_call *c)
{
	char old[PASSWORD_FIELD_MAX * 4 + 1], new1[PASSWORD_FIELD_MAX * 4 + 1];
	char new2[PASSWORD_FIELD_MAX * 4 + 1];
	const struct app_config *cfg = &c->ctx->cfg;
	bool want_old = cfg->rest_auth.old_password_field_enabled;
	struct req_field f[F__MAX] = {
		[F_OLD] = { "old_password", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, old, sizeof(old), false },
		[F_NEW1] = { "new_password1", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, new1, sizeof(new1), false },
		[F_NEW2] = { "new_password2", REQ_F_REQUIRED,
		    PASSWORD_FIELD_MAX, new2, sizeof(new2), false },
	};
	struct pw_params p = acct_pw_params(cfg);
	const struct db_user *u = &c->auth.user;
	struct json_object *errs = NULL;
	const struct db_revoke *revoke;
	struct db_revoke rv;
	char jti[JWT_JTI_BYTES];
	enum app_err er, fe;

	/* Without OLD_PASSWORD_FIELD_ENABLED the field does not exist. */
	er = req_fields(c->req, want_old ? f : f + 1,
	    want_old ? F__MAX : F__MAX - 1, &errs);
	if (er == APP_ENOMEM)
		goto out;
	/* validate_old_password is a field check: it joins the others. */
	if (want_old && f[F_OLD].present && old[0] != '\0' &&
	    pw_verify(&p, u->password, old, strlen(old), NULL) != APP_OK) {
		fe = resp_errors_add(&errs, "old_password",
		    "Your old password was entered incorrectly. Please enter "
		    "it again.");
		er = fe == APP_OK ? APP_EINPUT : fe;
	}
	if (er != APP_OK)
		goto out;
	revoke = passwd_change_revoke(cfg, c->ctx->jwt, &c->auth, c->req,
	    app_now(), &rv, jti);
	er = passwd_set(cfg, &c->ctx->db, c->ctx->pwval, u, new1, new2, revoke,
	    &errs);
	if (er == APP_ENOTFOUND) {
		/* Changed by another request since ours authenticated. */
		er = resp_errors_add(&errs, want_old ? "old_password" :
						       "non_field_errors",
			 want_old ? "Your old password was entered incorrectly. "
				    "Please enter it again." :
				    "The password was changed meanwhile; try "
				    "again.") == APP_OK ? APP_EINPUT :
							  APP_ENOMEM;
	}
	if (er != APP_OK)
		goto out;
	/* Django's update_session_auth_hash keeps the caller's session
	 * (cycle_key, new hash); with LOGOUT_ON_PASSWORD_CHANGE the hash no
	 * longer matches, so the session ends: delete it now. */
	if (c->auth.kind == AUTH_SESSION && (er = session_after(c)) != APP_OK)
		goto out;
	resp_detail(c->resp, 200, "New password has been saved.");
	if (cfg->rest_auth.logout_on_password_change && cfg->rest_auth.use_jwt)
		jwtm_cookies_unset(cfg, c->resp);
out:
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
