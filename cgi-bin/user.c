/* user/: dj-rest-auth's UserDetailsView (GET, PUT, PATCH). */
#include "account.h"
#include "answer.h"
#include "profile.h"
#include "serve.h"

enum field { F_USERNAME, F_FIRST_NAME, F_LAST_NAME, F__MAX };

static void
answer_user(struct app_call *c, const struct db_user *u)
{
	struct json_object *o;

	if ((o = acct_user_json(u)) == NULL) {
		resp_error(c->resp, APP_ENOMEM);
		return;
	}
	resp_json(c->resp, 200, o);
}

static void
update(struct app_call *c)
{
	char username[LIMIT_USERNAME * 4 + 1], first[LIMIT_NAME * 4 + 1];
	char last[LIMIT_NAME * 4 + 1];
	/* PUT needs every required field; PATCH only what it sends. */
	unsigned req = c->req->method == REQ_PUT ? REQ_F_REQUIRED : 0;
	struct req_field f[F__MAX] = {
		[F_USERNAME] = { "username", req, LIMIT_USERNAME, username,
		    sizeof(username), false },
		[F_FIRST_NAME] = { "first_name", REQ_F_BLANK, LIMIT_NAME,
		    first, sizeof(first), false },
		[F_LAST_NAME] = { "last_name", REQ_F_BLANK, LIMIT_NAME, last,
		    sizeof(last), false },
	};
	struct prof_change ch = { NULL, NULL, NULL };
	struct db_user u = c->auth.user;
	struct json_object *errs = NULL;
	enum app_err er;

	if ((er = req_fields(c->req, f, F__MAX, &errs)) == APP_OK) {
		ch.username = f[F_USERNAME].present ? username : NULL;
		ch.first_name = f[F_FIRST_NAME].present ? first : NULL;
		ch.last_name = f[F_LAST_NAME].present ? last : NULL;
		er = prof_update(&c->ctx->cfg, &c->ctx->db, &ch, &u, &errs);
	}
	if (er == APP_OK)
		answer_user(c, &u);
	else
		ans_fail(c->resp, er, &errs);
}

static void
handle(struct app_call *c)
{
	if (c->req->method == REQ_GET || c->req->method == REQ_HEAD)
		answer_user(c, &c->auth.user);
	else
		update(c);
}

static const struct app_endpoint user = {
	.path = "user/",
	.name = "User Details",
	.description = "Reads and updates UserModel fields Accepts GET, PUT, "
		       "PATCH methods.",
	.methods = REQ_BIT(REQ_GET) | REQ_BIT(REQ_PUT) | REQ_BIT(REQ_PATCH),
	.reads_body = true,
	.needs_auth = true,
	.handle = handle,
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &user);
}
