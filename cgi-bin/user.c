/* user/: dj-rest-auth's UserDetailsView (GET, PUT, PATCH). */
#include "answer.h"
#include "db.h"
#include "form.h"
#include "profile.h"
#include "req.h"
#include "serve.h"

enum field { F_USERNAME, F_FIRST_NAME, F_LAST_NAME, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_USERNAME] = { "username", 0, LIMIT_USERNAME },
	[F_FIRST_NAME] = { "first_name", REQ_F_BLANK, LIMIT_NAME },
	[F_LAST_NAME] = { "last_name", REQ_F_BLANK, LIMIT_NAME },
};

/* PUT needs every required field; PATCH only what it sends. */
static void
prepare(const struct app_call *c, unsigned *flags)
{
	if (c->req->method == REQ_PUT)
		flags[F_USERNAME] |= REQ_F_REQUIRED;
}

static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	struct prof_change ch = { form_opt(in, F_USERNAME),
		form_opt(in, F_FIRST_NAME), form_opt(in, F_LAST_NAME) };
	struct db_user u = c->auth.user;
	enum app_err er;

	/* GET and HEAD have no body: no field is present. */
	if (c->req->method != REQ_GET && c->req->method != REQ_HEAD &&
	    (er = prof_update(&c->ctx->cfg, &c->ctx->db, &ch, &u, errs)) !=
		APP_OK)
		return er;
	return ans_user(c->resp, &u);
}

static const struct app_endpoint user = {
	.path = "user/",
	.name = "User Details",
	.description = "Reads and updates UserModel fields Accepts GET, PUT, "
		       "PATCH methods.",
	.methods = REQ_BIT(REQ_GET) | REQ_BIT(REQ_PUT) | REQ_BIT(REQ_PATCH),
	.needs_auth = true,
};

static const struct form form = { &user, fields, F__MAX, .prepare = prepare,
	.run = run };

FORM_MAIN(form)
