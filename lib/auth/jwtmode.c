#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "config.h"
#include "csrf.h"
#include "db.h"
#include "jwtmode.h"
#include "log.h"
#include "req.h"
#include "resp.h"

static void
wipe_free(char **s)
{
	if (*s == NULL)
		return;
	OPENSSL_cleanse(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

void
jwtm_pair_free(struct jwtm_pair *p)
{
	if (p == NULL)
		return;
	wipe_free(&p->access);
	wipe_free(&p->refresh);
}

static int64_t
uid_of(const struct jwt_claims *c)
{
	int64_t id = 0;

	if (jwt_uid_id(&c->uid, &id) != APP_OK)
		return 0;
	return id;
}

/* Encode c into *out and, for a refresh token, record it outstanding as
 * user_id's (<= 0: none), the pk whatever USER_ID_FIELD is. */
static enum app_err
issue(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const struct jwt_claims *c, int64_t user_id, char **out)
{
	enum app_err er;
	size_t len;

	if ((er = jwt_encode(jwt, c, out, &len)) != APP_OK)
		return er;
	if (c->type == JWT_REFRESH &&
	    app_config_installed(cfg, JWTM_BLACKLIST_APP) &&
	    (er = db_outstanding_insert(db, c->jti, *out, c->exp, user_id)) !=
		APP_OK) {
		wipe_free(out);
		return er == APP_ECONFLICT ? APP_EINTERNAL : er;
	}
	return APP_OK;
}

enum app_err
jwtm_login(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const struct db_user *user, time_t now,
    struct jwtm_pair *out)
{
	int64_t user_id = user->id;
	struct jwt_uid uid;
	enum app_err er;

	memset(out, 0, sizeof(*out));
	/* simplejwt's for_user: the claim holds getattr(user, USER_ID_FIELD). */
	if (strcmp(cfg->simple_jwt.user_id_field, "username") != 0)
		jwt_uid_set_int(&uid, user_id);
	else if (jwt_uid_set_str(&uid, user->username) != APP_OK)
		return APP_EINTERNAL; /* a column value longer than the claim */
	if ((er = jwt_claims_for_user(jwt, JWT_REFRESH, &uid, now,
		 &out->refresh_claims)) != APP_OK ||
	    (er = jwt_claims_access(jwt, &out->refresh_claims, now,
		 &out->access_claims)) != APP_OK ||
	    (er = issue(cfg, jwt, db, &out->refresh_claims, user_id,
		 &out->refresh)) != APP_OK ||
	    (er = issue(cfg, jwt, db, &out->access_claims, user_id,
		 &out->access)) != APP_OK)
		jwtm_pair_free(out);
	return er;
}

/* RefreshToken(raw): decode, verify, and (when check) the blacklist. */
static enum app_err
refresh_token(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const char *raw, time_t now, bool check,
    struct jwt_claims *c, const char **msg)
{
	enum jwt_fail why;
	enum app_err er;
	bool black = false;

	er = jwt_verify(jwt, raw, strlen(raw), now, JWT_REFRESH, 0, c, &why);
	if (er == APP_EAUTH) {
		*msg = jwt_fail_message(why);
		return er;
	}
	if (er != APP_OK)
		return er;
	if (!check || !app_config_installed(cfg, JWTM_BLACKLIST_APP))
		return APP_OK;
	if ((er = db_is_blacklisted(db, c->jti, &black)) != APP_OK)
		return er;
	if (black) {
		*msg = "Token is blacklisted";
		return APP_EAUTH;
	}
	return APP_OK;
}

/* Mint the new pair, then check the owner, blacklist old and record the
 * new refresh token in one statement: the race between two refreshes is
 * decided there. */
static enum app_err
rotate_blacklist(const struct jwt_ctx *jwt, struct db *db, const char *raw,
    const struct jwt_claims *old, const struct db_owner *owner, time_t now,
    struct jwtm_pair *out, const char **msg)
{
	struct db_refresh was, next;
	enum app_err er;
	size_t len;

	out->refresh_claims = *old;
	if ((er = jwt_claims_renew(jwt, &out->refresh_claims, now)) !=
		APP_OK ||
	    (er = jwt_encode(jwt, &out->refresh_claims, &out->refresh,
		 &len)) != APP_OK ||
	    (er = jwt_encode(jwt, &out->access_claims, &out->access, &len)) !=
		APP_OK)
		return er;
	was = (struct db_refresh){ old->jti, raw, old->exp };
	next = (struct db_refresh){ out->refresh_claims.jti, out->refresh,
		out->refresh_claims.exp };
	er = db_rotate(db, &was, &next, owner);
	if (er == APP_ECONFLICT) {
		*msg = "Token is blacklisted";
		er = APP_EAUTH;
	}
	return er;
}

/*
 * The user a refresh token names, for simplejwt >= 5.4's check: none
 * (no user claim: nothing to check), by pk, or by USER_ID_FIELD
 * "username". A claim that cannot be a pk names nobody.
 */
static void
owner_of(const struct app_config *cfg, const struct jwt_claims *c,
    struct db_owner *o)
{
	memset(o, 0, sizeof(*o));
	if (c->uid.kind == JWT_UID_NONE)
		return;
	o->check = true;
	if (strcmp(cfg->simple_jwt.user_id_field, "username") == 0)
		o->username = c->uid.kind == JWT_UID_STR ? c->uid.str : NULL;
	else if (jwt_uid_id(&c->uid, &o->id) != APP_OK || o->id <= 0)
		o->id = 0;
}

/* The owner check without rotation's statement: one lookup. *id: the
 * owner's pk (0 when the token names nobody). */
static enum app_err
owner_active(struct db *db, const struct db_owner *o, int64_t *id)
{
	struct db_user u;
	enum app_err er;

	*id = 0;
	if (!o->check)
		return APP_OK;
	if (o->username != NULL)
		er = db_user_by_username(db, o->username, &u);
	else if (o->id > 0)
		er = db_user_by_id(db, o->id, &u);
	else
		er = APP_ENOTFOUND;
	if (er == APP_ENOTFOUND || (er == APP_OK && !u.is_active))
		er = APP_EDENIED;
	if (er == APP_OK)
		*id = u.id;
	OPENSSL_cleanse(&u, sizeof(u));
	return er;
}

enum app_err
jwtm_refresh(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const char *raw, time_t now, struct jwtm_pair *out,
    const char **msg)
{
	struct jwt_claims old;
	struct db_owner owner;
	int64_t uid = 0;
	enum app_err er;
	bool rotate = cfg->simple_jwt.rotate_refresh_tokens;
	bool blacklist = rotate && cfg->simple_jwt.blacklist_after_rotation &&
	    app_config_installed(cfg, JWTM_BLACKLIST_APP);

	memset(out, 0, sizeof(*out));
	/* With blacklisting, the rotation statement finds a token already
	 * blacklisted itself: no separate lookup. */
	if ((er = refresh_token(cfg, jwt, db, raw, now, !blacklist, &old,
		 msg)) != APP_OK)
		return er;
	/* Without blacklisting, the owner is checked before anything is
	 * minted or written; with it, inside the rotation statement. */
	owner_of(cfg, &old, &owner);
	if (!blacklist && (er = owner_active(db, &owner, &uid)) != APP_OK)
		return er;
	if ((er = jwt_claims_access(jwt, &old, now, &out->access_claims)) !=
	    APP_OK)
		return er;
	if (blacklist)
		er = rotate_blacklist(jwt, db, raw, &old, &owner, now, out,
		    msg);
	else if (rotate) {
		out->refresh_claims = old;
		if ((er = jwt_claims_renew(jwt, &out->refresh_claims, now)) ==
		    APP_OK)
			er = issue(cfg, jwt, db, &out->refresh_claims, uid,
			    &out->refresh);
	}
	if (er == APP_OK && !blacklist)
		er = issue(cfg, jwt, db, &out->access_claims, uid,
		    &out->access);
	if (er != APP_OK)
		jwtm_pair_free(out);
	return er;
}

enum app_err
jwtm_blacklist(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const char *raw, time_t now, const char **msg)
{
	struct jwt_claims c;
	enum app_err er;

	if ((er = refresh_token(cfg, jwt, db, raw, now, true, &c, msg)) !=
	    APP_OK)
		return er;
	er = db_blacklist(db, c.jti, raw, c.exp, uid_of(&c));
	if (er == APP_ECONFLICT) {
		*msg = "Token is blacklisted";
		return APP_EAUTH;
	}
	return er;
}

enum app_err
jwtm_verify(const struct app_config *cfg, const struct jwt_ctx *jwt,
    struct db *db, const char *raw, time_t now, const char **msg)
{
	struct jwt_claims c;
	enum jwt_fail why;
	enum app_err er;
	bool black = false;

	er = jwt_verify(jwt, raw, strlen(raw), now, JWT_UNTYPED, 0, &c, &why);
	if (er == APP_EAUTH) {
		*msg = jwt_fail_message(why);
		return er;
	}
	if (er != APP_OK)
		return er;
	/* Only refresh tokens are ever blacklisted: an access token's jti
	 * cannot be there, so it needs no lookup. */
	if (!cfg->simple_jwt.blacklist_after_rotation ||
	    !app_config_installed(cfg, JWTM_BLACKLIST_APP) ||
	    c.type == JWT_ACCESS)
		return APP_OK;
	if ((er = db_is_blacklisted(db, c.jti, &black)) != APP_OK)
		return er;
	return black ? APP_ECONFLICT : APP_OK;
}

enum app_err
jwtm_user(const struct app_config *cfg, struct db *db,
    const struct jwt_claims *c, struct db_user *out)
{
	int64_t id;

	if (strcmp(cfg->simple_jwt.user_id_field, "username") == 0) {
		if (c->uid.kind != JWT_UID_STR)
			return APP_ENOTFOUND;
		return db_user_by_username(db, c->uid.str, out);
	}
	if (jwt_uid_id(&c->uid, &id) != APP_OK)
		return APP_ENOTFOUND;
	return db_user_by_id(db, id, out);
}

bool
jwtm_cookie_refresh_jti(const struct app_config *cfg,
    const struct jwt_ctx *jwt, const struct req *r, time_t now,
    char jti[JWT_JTI_BYTES])
{
	struct jwt_claims c;
	enum jwt_fail why;
	const char *raw;

	if (jwt == NULL || cfg->rest_auth.jwt_refresh.name == NULL ||
	    (raw = req_cookie(r, cfg->rest_auth.jwt_refresh.name)) ==
		NULL ||
	    jwt_verify(jwt, raw, strlen(raw), now, JWT_REFRESH, 0, &c,
		&why) != APP_OK)
		return false;
	memcpy(jti, c.jti, JWT_JTI_BYTES);
	return true;
}

void
jwtm_cookie_access(const struct app_config *cfg, struct resp *r,
    const char *token)
{
	if (cfg->rest_auth.jwt_access.name != NULL)
		resp_cookie(r, &cfg->rest_auth.jwt_access, token);
}

void
jwtm_cookie_refresh(const struct app_config *cfg, struct resp *r,
    const char *token)
{
	if (cfg->rest_auth.jwt_refresh.name != NULL)
		resp_cookie(r, &cfg->rest_auth.jwt_refresh, token);
}

void
jwtm_cookies_unset(const struct app_config *cfg, struct resp *r)
{
	if (cfg->rest_auth.jwt_access.name != NULL)
		resp_cookie_delete(r, &cfg->rest_auth.jwt_access);
	if (cfg->rest_auth.jwt_refresh.name != NULL)
		resp_cookie_delete(r, &cfg->rest_auth.jwt_refresh);
}

void
jwtm_expiration(char out[JWTM_DATE_BYTES], long lifetime)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	app_isoformat(out, ts.tv_sec + lifetime, ts.tv_nsec / 1000);
}

enum app_err
jwtm_refresh_cookie(const struct app_config *cfg, const struct req *r,
    const char **raw, char *reason)
{
	const char *v;

	if (cfg->rest_auth.jwt_refresh.name == NULL ||
	    (v = req_cookie(r, cfg->rest_auth.jwt_refresh.name)) ==
		NULL)
		return APP_ENOTFOUND;
	if (csrf_origin_check(cfg, r, reason) != APP_OK)
		return APP_EDENIED;
	*raw = v;
	return APP_OK;
}
