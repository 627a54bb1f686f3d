/*
 * login.c: dj-rest-auth's LoginView after the field rules: the backoff,
 * the credentials, MFALoginView's challenge, then what a login grants
 * (lib/api/grant.c).
 */
#include <openssl/crypto.h>

#include "account.h"
#include "config.h"
#include "db.h"
#include "grant.h"
#include "login.h"
#include "mfa.h"
#include "policy.h"
#include "resp.h"
#include "serve.h"

enum app_err
login_run(struct app_call *c, const struct acct_login *in,
    struct json_object **errs)
{
	struct app_ctx *ctx = c->ctx;
	char ident[ACCT_IDENT_BYTES];
	struct db_user user = { 0 };
	struct pol_login pl;
	const char *msg = NULL;
	enum app_err er;
	bool challenged = false;
	long wait = 0;

	/* The account's failed-login backoff, before any password hash;
	 * its count commits on its own, whatever the outcome. */
	er = pol_login_begin(&ctx->cfg, &ctx->db,
	    acct_login_ident(&ctx->cfg, in, ident) ? ident : NULL, &pl, &wait);
	if (er == APP_ETHROTTLED) {
		pol_throttled(c->resp, wait);
		er = APP_OK;
		goto out;
	}
	if (er != APP_OK)
		goto out;
	er = acct_login(&ctx->cfg, &ctx->db, in, &user, &msg);
	if (er == APP_EINPUT &&
	    resp_errors_add(errs, "non_field_errors", msg) != APP_OK)
		er = APP_ENOMEM;
	if (er != APP_OK)
		goto out;
	/* dj-rest-auth's MFALoginView: a user with TOTP gets a login
	 * token for mfa/verify/ instead. */
	if (ctx->cfg.rest_auth.mfa_enabled &&
	    ((er = mfa_login_challenge(c, &user, &pl, &challenged)) !=
		    APP_OK ||
		challenged))
		goto out;
	er = grant_login(c, &pl, &user, NULL, NULL);
out:
	OPENSSL_cleanse(ident, sizeof(ident));
	OPENSSL_cleanse(&user, sizeof(user));
	return er;
}
