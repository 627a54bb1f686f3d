/* login/: dj-rest-auth's LoginView in token mode. */
#include <string.h>

#include "account.h"
#include "form.h"
#include "login.h"
#include "req.h"
#include "serve.h"

enum field { F_USERNAME, F_EMAIL, F_PASSWORD, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_USERNAME] = { "username", REQ_F_BLANK, LIMIT_USERNAME },
	[F_EMAIL] = { "email", REQ_F_BLANK | FORM_EMAIL, LIMIT_EMAIL },
	[F_PASSWORD] = { "password", REQ_F_REQUIRED, LIMIT_PASSWORD },
};

static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	struct acct_login l = { form_str(in, F_USERNAME), form_str(in, F_EMAIL),
		form_str(in, F_PASSWORD), strlen(form_str(in, F_PASSWORD)) };

	return login_run(c, &l, errs);
}

static const struct app_endpoint login = {
	.path = "login/",
	.name = "Login",
	.description = "Check the credentials and return the REST Token if "
		       "the credentials are valid and authenticated.",
	.methods = REQ_BIT(REQ_POST),
	.throttle_scope = "dj_rest_auth",
};

static const struct form form = { &login, fields, F__MAX, .run = run };

FORM_MAIN(form)
