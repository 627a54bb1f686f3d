/* login/: dj-rest-auth's LoginView in token mode. */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "account.h"
#include "csrf.h"
#include "jwtmode.h"
#include "policy.h"
#include "serve.h"
#include "session.h"
#include "tok.h"

enum field { F_USERNAME, F_EMAIL, F_PASSWORD, F__MAX };

static void
handle(struct app_call *c)
{
	char username[LIMIT_USERNAME * 4 + 1], email[LIMIT_EMAIL_BYTES + 1];
	char password[LIMIT_PASSWORD * 4 + 1];
	struct req_field f[F__MAX] = {
		[F_USERNAME] = { "username", REQ_F_BLANK, LIMIT_USERNAME,
		    username, sizeof(username), false },
		[F_EMAIL] = { "email", REQ_F_BLANK, LIMIT_EMAIL, email,
		    sizeof(email), false },
		[F_PASSWORD] = { "password", REQ_F_REQUIRED, LIMIT_PASSWORD,
		    password, sizeof(password), false },
	};
	struct json_object *errs = NULL, *o;
	struct app_ctx *ctx = c->ctx;
	char key[TOK_KEY_BYTES] = "", stored[DB_TOKEN_KEY_BYTES] = "";
	char ident[ACCT_IDENT_BYTES];
	struct db_user user = { 0 };
	struct acct_login in;
	struct pol_login pl;
	const char *msg = NULL;
	enum app_err er;
	long wait = 0;

	er = req_fields(c->req, f, F__MAX, &errs);
	if (er != APP_ENOMEM && email[0] != '\0' && !acct_email_valid(email))
		er = resp_errors_add(&errs, "email", ACCT_EMAIL_INVALID) ==
			APP_OK ? APP_EINPUT : APP_ENOMEM;
	if (er != APP_OK)
		goto out;
	in.username = username;
	in.email = email;
	in.password = password;
	in.password_len = strlen(password);
	/* The account's failed-login backoff, before any password hash. */
	er = pol_login_begin(&ctx->cfg, &ctx->db,
	    acct_login_ident(&ctx->cfg, &in, ident) ? ident : NULL, &pl, &wait);
	if (er == APP_ETHROTTLED) {
		pol_throttled(c->resp, wait);
		er = APP_OK;
		goto out;
	}
	if (er != APP_OK)
		goto out;
	er = acct_login(&ctx->cfg, &ctx->db, &in, &user, &msg);
	if (er == APP_EINPUT &&
	    resp_errors_add(&errs, "non_field_errors", msg) != APP_OK)
		er = APP_ENOMEM;
	if (er != APP_OK || (er = pol_login_succeeded(&ctx->db, &pl)) != APP_OK)
		goto out;
	if (!ctx->cfg.rest_auth.use_jwt &&
	    ctx->cfg.rest_auth.token_model != NULL &&
	    ((er = tok_key_new(key)) != APP_OK ||
		(er = db_token_get_or_create(&ctx->db, user.id, key,
		     stored)) != APP_OK))
		goto out;
	/* django_login (its user_logged_in signal) and simplejwt's
	 * UPDATE_LAST_LOGIN set last_login. */
	if ((ctx->cfg.rest_auth.session_login ||
		(ctx->cfg.rest_auth.use_jwt &&
		    ctx->cfg.simple_jwt.update_last_login)) &&
	    (er = db_user_touch_login(&ctx->db, user.id)) != APP_OK)
		goto out;
	/* Django's login() rotates the CSRF token: a new csrftoken cookie. */
	if (ctx->cfg.rest_auth.session_login &&
	    (er = csrf_cookie_new(&ctx->cfg, c->resp)) != APP_OK)
		goto out;
	/* ... and stores the session, SessionMiddleware sets its cookie. */
	if (ctx->cfg.rest_auth.session_login &&
	    (er = sess_login(&ctx->cfg, &ctx->db, &user, c->resp, NULL)) !=
		APP_OK)
		goto out;
	if (ctx->cfg.rest_auth.use_jwt) {
		er = app_jwt_login(c, &user, 200,
		    ctx->cfg.rest_auth.jwt_auth_return_expiration);
		goto out;
	}
	if (ctx->cfg.rest_auth.token_model == NULL) {
		/* No token model and no JWT: dj-rest-auth answers 204. */
		resp_json(c->resp, 204, NULL);
		goto out;
	}
	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "key",
		json_object_new_string(stored)) != 0) {
		json_object_put(o);
		er = APP_ENOMEM;
		goto out;
	}
	resp_json(c->resp, 200, o);
	resp_header(c->resp, "Cache-Control", "no-store");
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(stored, sizeof(stored));
	OPENSSL_cleanse(password, sizeof(password));
	OPENSSL_cleanse(ident, sizeof(ident));
	OPENSSL_cleanse(&user, sizeof(user));
	if (er != APP_OK)
		app_fail(c, er, &errs);
}

static const struct app_endpoint login = {
	.path = "login/",
	.name = "Login",
	.description = "Check the credentials and return the REST Token if "
		       "the credentials are valid and authenticated.",
	.methods = REQ_BIT(REQ_POST),
	.reads_body = true,
	.throttle_scope = "dj_rest_auth",
	.needs_auth = false,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &login);
}
