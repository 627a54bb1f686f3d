/* registration/: dj-rest-auth's RegisterView with allauth. */
#include "form.h"
#include "req.h"
#include "serve.h"
#include "signup.h"

/* RegisterSerializer's fields depend on the config: reg_form_read
 * reads them inside the use case. */
static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	(void)in;
	return signup_run(c, errs);
}

static const struct app_endpoint registration = {
	.path = "registration/",
	.name = "Register",
	.description = "Registers a new user.",
	.methods = REQ_BIT(REQ_POST),
	.throttle_scope = "dj_rest_auth",
};

static const struct form form = { &registration, NULL, 0, .run = run };

FORM_MAIN(form)
