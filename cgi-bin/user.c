/* user/: dj-rest-auth's UserDetailsView (GET, PUT, PATCH). */
#include <stdio.h>

#include "account.h"
#include "answer.h"
#include "register.h"
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

/*
 * The username's serializer checks after the field's own: allauth's
 * clean_username (blacklist, then taken case-insensitively). Unlike
 * allauth we do not count the caller's own row as taken, so a PUT that
 * keeps the name succeeds.
 */
static enum app_err
check_username(struct app_call *c, const char *name, struct json_object **errs)
{
	struct db_user other;
	enum app_err er;

	if (!acct_username_valid(name))
		return resp_errors_add(errs, "username",
			   ACCT_USERNAME_INVALID) == APP_OK ?
		    APP_EINPUT : APP_ENOMEM;
	if (acct_username_blacklisted(&c->ctx->cfg, name))
		return resp_errors_add(errs, "username",
			   ACCT_USERNAME_BLACKLISTED) == APP_OK ?
		    APP_EINPUT : APP_ENOMEM;
	er = db_user_by_username(&c->ctx->db, name, &other);
	if (er == APP_ENOTFOUND ||
	    (er == APP_OK && other.id == c->auth.user.id))
		return APP_OK;
	if (er != APP_OK)
		return er;
	return resp_errors_add(errs, "username", ACCT_USERNAME_TAKEN) ==
		APP_OK ? APP_EINPUT : APP_ENOMEM;
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
	struct db_user u = c->auth.user;
	struct json_object *errs = NULL;
	enum app_err er;

	if ((er = req_fields(c->req, f, F__MAX, &errs)) != APP_OK)
		goto out;
	if (f[F_USERNAME].present &&
	    (er = check_username(c, username, &errs)) != APP_OK)
		goto out;
	if (f[F_USERNAME].present)
		snprintf(u.username, sizeof(u.username), "%s", username);
	if (f[F_FIRST_NAME].present)
		snprintf(u.first_name, sizeof(u.first_name), "%s", first);
	if (f[F_LAST_NAME].present)
		snprintf(u.last_name, sizeof(u.last_name), "%s", last);
	er = reg_user_rename(&c->ctx->db, u.id, u.username, u.first_name,
	    u.last_name);
	if (er == APP_ECONFLICT) {
		/* Lost a race to another write of the name. */
		er = resp_errors_add(&errs, "username", ACCT_USERNAME_TAKEN) ==
			APP_OK ? APP_EINPUT : APP_ENOMEM;
		goto out;
	}
	if (er != APP_OK)
		goto out;
	answer_user(c, &u);
out:
	if (er != APP_OK)
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
