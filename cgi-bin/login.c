/* login/: dj-rest-auth's LoginView in token mode. */
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "answer.h"
#include "login.h"
#include "serve.h"

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
	struct json_object *errs = NULL;
	struct acct_login in;
	enum app_err er;

	er = req_fields(c->req, f, F__MAX, &errs);
	if (er != APP_ENOMEM && email[0] != '\0' && !acct_email_valid(email))
		er = resp_errors_add(&errs, "email", ACCT_EMAIL_INVALID) ==
			APP_OK ? APP_EINPUT : APP_ENOMEM;
	if (er == APP_OK) {
		in.username = username;
		in.email = email;
		in.password = password;
		in.password_len = strlen(password);
		er = login_run(c, &in, &errs);
	}
	OPENSSL_cleanse(password, sizeof(password));
	if (er != APP_OK)
		ans_fail(c->resp, er, &errs);
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
