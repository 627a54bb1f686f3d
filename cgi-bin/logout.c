/* logout/: dj-rest-auth's LogoutView in token mode. */
#include "serve.h"

static void
handle(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	enum app_err er;

	/* Django's head = get: HEAD follows GET's rule. */
	if ((c->req->method == REQ_GET || c->req->method == REQ_HEAD) &&
	    !cfg->account.logout_on_get) {
		resp_detail(c->resp, 405, c->req->method == REQ_GET ?
			"Method \"GET\" not allowed." :
			"Method \"HEAD\" not allowed.");
		return;
	}
	if (c->auth.kind == AUTH_NONE && !cfg->rest_auth.use_jwt &&
	    !cfg->rest_auth.session_login) {
		resp_detail(c->resp, 400, "You should be logged in to logout. "
					  "Check whether the token is passed.");
		return;
	}
	/* request.user.auth_token.delete(): the user's one token. */
	if (c->auth.kind != AUTH_NONE &&
	    (er = db_token_delete(&c->ctx->db, c->auth.user.id)) != APP_OK) {
		resp_error(c->resp, er);
		return;
	}
	resp_detail(c->resp, 200, "Successfully logged out.");
}

static const struct app_endpoint logout = {
	.path = "logout/",
	.name = "Logout",
	.description = "Calls Django logout method and delete the Token "
		       "object assigned to the current User object.",
	.methods = REQ_BIT(REQ_GET) | REQ_BIT(REQ_POST),
	.reads_body = false,
	.needs_auth = false,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &logout);
}
