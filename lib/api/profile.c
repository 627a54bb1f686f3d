/*
 * profile.c: PUT and PATCH user/ (lib/api/profile.h): one statement writes
 * the row, so no transaction; a race for the name ends in its unique
 * index and the same "taken" answer.
 */
#include <stdio.h>

#include "account.h"
#include "profile.h"
#include "register.h"
#include "resp.h"

static enum app_err
refuse(struct json_object **errs, const char *msg)
{
	return resp_errors_add(errs, "username", msg) == APP_OK ? APP_EINPUT :
								  APP_ENOMEM;
}

/*
 * The username's serializer checks after the field's own: allauth's
 * clean_username (blacklist, then taken case-insensitively). Unlike
 * allauth we do not count the caller's own row as taken, so a PUT that
 * keeps the name succeeds.
 */
static enum app_err
check_username(const struct app_config *cfg, struct db *db, int64_t self,
    const char *name, struct json_object **errs)
{
	struct db_user other;
	enum app_err er;

	if (!acct_username_valid(name))
		return refuse(errs, ACCT_USERNAME_INVALID);
	if (acct_username_blacklisted(cfg, name))
		return refuse(errs, ACCT_USERNAME_BLACKLISTED);
	er = db_user_by_username(db, name, &other);
	if (er == APP_ENOTFOUND || (er == APP_OK && other.id == self))
		return APP_OK;
	if (er != APP_OK)
		return er;
	return refuse(errs, ACCT_USERNAME_TAKEN);
}

enum app_err
prof_update(const struct app_config *cfg, struct db *db,
    const struct prof_change *ch, struct db_user *u,
    struct json_object **errs)
{
	struct db_user n = *u;
	enum app_err er;

	if (ch->username != NULL &&
	    (er = check_username(cfg, db, u->id, ch->username, errs)) !=
		APP_OK)
		return er;
	if (ch->username != NULL)
		snprintf(n.username, sizeof(n.username), "%s", ch->username);
	if (ch->first_name != NULL)
		snprintf(n.first_name, sizeof(n.first_name), "%s",
		    ch->first_name);
	if (ch->last_name != NULL)
		snprintf(n.last_name, sizeof(n.last_name), "%s", ch->last_name);
	er = reg_user_rename(db, n.id, n.username, n.first_name, n.last_name);
	/* Lost a race to another write of the name. */
	if (er == APP_ECONFLICT)
		return refuse(errs, ACCT_USERNAME_TAKEN);
	if (er == APP_OK)
		*u = n;
	return er;
}
