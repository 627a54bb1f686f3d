/* user/: dj-rest-auth's UserDetailsView (GET, PUT, PATCH). */
#include <stdio.h>

#include "account.h"
#include "serve.h"

enum field { F_USERNAME, F_FIRST_NAME, F_LAST_NAME, F__MAX };

static const struct {
	const char *name;
	unsigned flags; /* REQ_F_REQUIRED applies to PUT only */
	size_t max;
} fields[F__MAX] = {
	[F_USERNAME] = { "username", REQ_F_REQUIRED, LIMIT_USERNAME },
	[F_FIRST_NAME] = { "first_name", REQ_F_BLANK, LIMIT_NAME },
	[F_LAST_NAME] = { "last_name", REQ_F_BLANK, LIMIT_NAME },
};

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
	char val[F__MAX][LIMIT_USERNAME * 4 + 1];
	struct db_user u = c->auth.user;
	struct json_object *errs = NULL;
	bool present[F__MAX], partial = c->req->method == REQ_PATCH;
	enum app_err er = APP_OK, fe;
	unsigned flags;
	int i;

	for (i = 0; i < F__MAX; i++) {
		flags = fields[i].flags;
		if (partial)
			flags &= ~(unsigned)REQ_F_REQUIRED;
		fe = req_field_string(c->req, fields[i].name, flags,
		    fields[i].max, val[i], sizeof(val[i]), &present[i], &errs);
		if (fe == APP_ENOMEM || fe == APP_EDB) {
			er = fe;
			goto out;
		}
		if (fe != APP_OK)
			er = APP_EINPUT;
	}
	if (er != APP_OK)
		goto out;
	if (present[F_USERNAME] &&
	    (er = check_username(c, val[F_USERNAME], &errs)) != APP_OK)
		goto out;
	if (present[F_USERNAME])
		snprintf(u.username, sizeof(u.username), "%s", val[F_USERNAME]);
	if (present[F_FIRST_NAME])
		snprintf(u.first_name, sizeof(u.first_name), "%s",
		    val[F_FIRST_NAME]);
	if (present[F_LAST_NAME])
		snprintf(u.last_name, sizeof(u.last_name), "%s",
		    val[F_LAST_NAME]);
	er = db_user_update_profile(&c->ctx->db, u.id, u.username,
	    u.first_name, u.last_name);
	if (er == APP_ECONFLICT) {
		/* Lost a race to another rename: the constraint said no. */
		er = resp_errors_add(&errs, "username", ACCT_USERNAME_TAKEN) ==
			APP_OK ? APP_EINPUT : APP_ENOMEM;
		goto out;
	}
	if (er != APP_OK)
		goto out;
	answer_user(c, &u);
out:
	if (er != APP_OK)
		app_fail(c, er, &errs);
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
