/*
 * pwchange.c: password/change/ (lib/api/pwchange.h). The new hash, the
 * revocations and the session's new key (or its end) commit together:
 * a failure half-way leaves the old password and everything it opened.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "account.h"
#include "config.h"
#include "db.h"
#include "jwtmode.h"
#include "passwd.h"
#include "pwchange.h"
#include "resp.h"
#include "serve.h"
#include "session.h"

#define OLD_WRONG                                                         \
	"Your old password was entered incorrectly. Please enter it again."

static enum app_err
add(struct json_object **errs, const char *field, const char *msg)
{
	return resp_errors_add(errs, field, msg) == APP_OK ? APP_EINPUT :
							     APP_ENOMEM;
}

/* Django's update_session_auth_hash keeps the caller's session
 * (cycle_key, new hash); with LOGOUT_ON_PASSWORD_CHANGE the hash no
 * longer matches, so the session ends: delete it now. */
static enum app_err
session_after(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	struct db_user u;
	enum app_err er;

	if (cfg->rest_auth.logout_on_password_change)
		return sess_logout(cfg, &c->ctx->db, c->req, c->resp);
	if ((er = db_user_by_id(&c->ctx->db, c->auth.user.id, &u)) != APP_OK)
		return er;
	er = sess_rotate(cfg, &c->ctx->db, c->auth.session_key, &u, c->resp);
	OPENSSL_cleanse(&u, sizeof(u));
	return er;
}

/* The writes, in one transaction when there is more than one. */
static enum app_err
store(struct app_call *c, const char *hash, const struct db_revoke *revoke)
{
	struct db *db = &c->ctx->db;
	const struct db_user *u = &c->auth.user;
	bool session = c->auth.kind == AUTH_SESSION;
	bool tx = revoke != NULL || session;
	enum app_err er;

	if (tx && (er = db_begin(db)) != APP_OK)
		return er;
	er = passwd_store_in(db, u->id, u->password, hash, revoke);
	if (er == APP_OK && session)
		er = session_after(c);
	if (er == APP_OK && tx)
		er = db_commit(db);
	if (tx)
		db_rollback(db);
	return er;
}

enum app_err
pwc_change(struct app_call *c, const struct pwc_in *in, enum app_err fields,
    struct json_object **errs)
{
	const struct app_config *cfg = &c->ctx->cfg;
	bool want_old = cfg->rest_auth.old_password_field_enabled;
	struct pw_params p = acct_pw_params(cfg);
	const struct db_user *u = &c->auth.user;
	const struct db_revoke *revoke;
	char jti[JWT_JTI_BYTES], hash[PW_HASH_MAX];
	struct db_revoke rv;
	enum app_err er = fields;

	if (er == APP_ENOMEM)
		return er;
	/* validate_old_password is a field check: it joins the others. */
	if (in->old != NULL && in->old[0] != '\0' &&
	    pw_verify(&p, u->password, in->old, strlen(in->old), NULL) !=
		APP_OK)
		er = add(errs, "old_password", OLD_WRONG);
	if (er != APP_OK)
		return er;
	revoke = passwd_change_revoke(cfg, c->ctx->jwt, &c->auth, c->req,
	    app_now(), &rv, jti);
	er = passwd_new_hash(cfg, c->ctx->pwval, u, in->new1, in->new2, hash,
	    errs);
	if (er == APP_OK)
		er = store(c, hash, revoke);
	OPENSSL_cleanse(hash, sizeof(hash));
	/* Changed by another request since ours authenticated. */
	if (er == APP_ENOTFOUND)
		return add(errs, want_old ? "old_password" : "non_field_errors",
		    want_old ? OLD_WRONG :
			       "The password was changed meanwhile; try again.");
	if (er != APP_OK)
		return er;
	resp_detail(c->resp, 200, "New password has been saved.");
	if (cfg->rest_auth.logout_on_password_change && cfg->rest_auth.use_jwt)
		jwtm_cookies_unset(cfg, c->resp);
	return APP_OK;
}
