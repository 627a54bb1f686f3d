/*
 * profile.h: the update of dj-rest-auth's UserDetailsView (PUT and
 * PATCH user/): the username's serializer checks, then the new names.
 */
#ifndef RESTAUTH_PROFILE_H
#define RESTAUTH_PROFILE_H

#include "app.h"

struct app_config;
struct db;
struct db_user;
struct json_object;

/* What the request changes, through the field rules; NULL: not sent. */
struct prof_change {
	const char *username;
	const char *first_name;
	const char *last_name;
};

/*
 * Apply ch to the caller's row (*u, the authenticated user): the username
 * must be valid, not blacklisted and not another user's (allauth's
 * clean_username; the caller's own name is not taken). APP_OK and *u
 * updated as stored; APP_EINPUT with the reason in *errs; APP_EDB;
 * APP_ENOMEM.
 */
enum app_err prof_update(const struct app_config *cfg, struct db *db,
    const struct prof_change *ch, struct db_user *u,
    struct json_object **errs) APP_WUR;

#endif
