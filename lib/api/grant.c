/*
 * grant.c: what a successful login writes and answers (lib/api/grant.h),
 * for login/ and mfa/verify/. It commits together or not at all: a
 * failure half-way leaves no token, session or outstanding JWT behind.
 */
#include <stdbool.h>

#include <openssl/crypto.h>

#include "answer.h"
#include "config.h"
#include "csrf.h"
#include "db.h"
#include "grant.h"
#include "policy.h"
#include "resp.h"
#include "serve.h"
#include "session.h"
#include "tok.h"
#include "tokens.h"

/* What the config makes a login write, read once. */
struct login_plan {
	bool token; /* authtoken_token (token mode with a model) */
	bool touch; /* auth_user.last_login */
	bool session; /* django_session, and the CSRF rotation */
	bool jwt; /* a token pair (outstanding row with the blacklist) */
};

static struct login_plan
plan_of(const struct app_config *cfg)
{
	struct login_plan p;

	p.jwt = cfg->rest_auth.use_jwt;
	p.token = !p.jwt && cfg->rest_auth.token_model != NULL;
	p.session = cfg->rest_auth.session_login;
	/* django_login (its user_logged_in signal) and simplejwt's
	 * UPDATE_LAST_LOGIN set last_login. */
	p.touch = p.session || (p.jwt && cfg->simple_jwt.update_last_login);
	return p;
}

/*
 * Everything a login of user writes, inside the caller's transaction,
 * in the order Django's login() and dj-rest-auth's view do it (the
 * answer's headers come in that order). *stored: the user's token.
 */
static enum app_err
writes(struct app_call *c, const struct login_plan *p,
    const struct pol_login *pl, const struct db_user *user,
    char stored[DB_TOKEN_KEY_BYTES])
{
	struct app_ctx *ctx = c->ctx;
	char key[TOK_KEY_BYTES] = "";
	enum app_err er;

	if ((er = pol_login_succeeded(&ctx->db, pl)) != APP_OK)
		goto out;
	if (p->token &&
	    ((er = tok_key_new(key)) != APP_OK ||
		(er = db_token_get_or_create(&ctx->db, user->id, key,
		     stored)) != APP_OK))
		goto out;
	if (p->touch &&
	    (er = db_user_touch_login(&ctx->db, user->id)) != APP_OK)
		goto out;
	/* Django's login() rotates the CSRF token (a new csrftoken
	 * cookie), stores the session, SessionMiddleware sets its cookie. */
	if (p->session &&
	    ((er = csrf_cookie_new(&ctx->cfg, c->resp)) != APP_OK ||
		(er = sess_login(&ctx->cfg, &ctx->db, user, c->resp, NULL)) !=
		    APP_OK))
		goto out;
	if (p->jwt)
		er = tokens_login(c, user, 200,
		    ctx->cfg.rest_auth.jwt_auth_return_expiration);
out:
	OPENSSL_cleanse(key, sizeof(key));
	return er;
}

enum app_err
grant_login(struct app_call *c, const struct pol_login *pl,
    const struct db_user *user, grant_first_fn first, void *arg)
{
	struct app_ctx *ctx = c->ctx;
	struct login_plan p = plan_of(&ctx->cfg);
	char stored[DB_TOKEN_KEY_BYTES] = "";
	enum app_err er = APP_OK;
	bool tx;

	/* One transaction, only when there is more than one write. */
	tx = (pl->counted + p.token + p.touch + p.session + p.jwt +
		 (first != NULL)) > 1;
	if (tx && (er = db_begin(&ctx->db)) != APP_OK)
		return er;
	if (first != NULL)
		er = first(c, arg);
	if (er == APP_OK)
		er = writes(c, &p, pl, user, stored);
	if (tx && er == APP_OK)
		er = db_commit(&ctx->db);
	if (tx)
		db_rollback(&ctx->db);
	/* Token mode: the key, or dj-rest-auth's 204 without a model. */
	if (er == APP_OK && p.token)
		er = ans_token(c->resp, 200, stored);
	else if (er == APP_OK && !p.jwt)
		resp_json(c->resp, 204, NULL);
	OPENSSL_cleanse(stored, sizeof(stored));
	return er;
}
