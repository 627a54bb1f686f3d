/*
 * logout.c: dj-rest-auth's LogoutView (lib/api/logout.h). The token and
 * session deletions commit together; the blacklisting comes after them,
 * since its refusal (a 401 for a bad refresh token) does not undo the
 * logout in dj-rest-auth either.
 */
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "jwtmode.h"
#include "logout.h"
#include "req.h"
#include "resp.h"
#include "serve.h"
#include "session.h"

/*
 * JWT mode: clear the cookies, then blacklist the refresh token from the
 * cookie (HttpOnly) or the body, with dj-rest-auth's 401s when it is
 * missing or bad. The cookies are cleared whatever the outcome. cookie:
 * the refresh cookie, already checked by jwtm_refresh_cookie, or NULL.
 */
static void
logout_jwt(struct app_call *c, const char *cookie)
{
	const struct app_config *cfg = &c->ctx->cfg;
	struct json_object *v;
	const char *raw = NULL, *msg = NULL;
	enum app_err er;

	resp_detail(c->resp, 200, "Successfully logged out.");
	jwtm_cookies_unset(cfg, c->resp);
	if (!app_config_installed(cfg, JWTM_BLACKLIST_APP)) {
		if (cfg->rest_auth.jwt_access.name == NULL)
			resp_detail(c->resp, 200,
			    "Neither cookies or blacklist are enabled, so the "
			    "token has not been deleted server side. Please "
			    "make sure the token is deleted client side.");
		return;
	}
	if (cfg->rest_auth.jwt_access.httponly) {
		if ((raw = cookie) == NULL) {
			resp_detail(c->resp, 401, "Refresh token was not "
						  "included in cookie data.");
			return;
		}
	} else {
		if (app_body(c) != APP_OK)
			return;
		if (!json_object_object_get_ex(c->req->data, "refresh", &v)) {
			resp_detail(c->resp, 401, "Refresh token was not "
						  "included in request data.");
			return;
		}
		/* simplejwt decodes only strings; others are invalid. */
		raw = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
	}
	er = jwtm_blacklist(cfg, c->ctx->jwt, &c->ctx->db, raw, app_now(),
	    &msg);
	if (er == APP_EAUTH)
		resp_detail(c->resp, 401, msg);
	else if (er != APP_OK)
		resp_error(c->resp, er);
}

/* request.user.auth_token.delete() (the user's one token) and
 * django_logout (flush the session; SessionMiddleware deletes the cookie
 * the request carried), together. */
static enum app_err
forget(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	struct db *db = &c->ctx->db;
	bool token = c->auth.kind != AUTH_NONE;
	bool tx = token && cfg->rest_auth.session_login;
	enum app_err er;

	if (tx && (er = db_begin(db)) != APP_OK)
		return er;
	if ((!token || (er = db_token_delete(db, c->auth.user.id)) == APP_OK) &&
	    (!cfg->rest_auth.session_login ||
		(er = sess_logout(cfg, db, c->req, c->resp)) == APP_OK))
		er = tx ? db_commit(db) : APP_OK;
	if (tx)
		db_rollback(db);
	return er;
}

void
logout_run(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	char reason[CSRF_REASON_BYTES];
	const char *cookie = NULL;
	enum app_err er;

	/* Django's head = get: HEAD follows GET's rule. */
	if ((c->req->method == REQ_GET || c->req->method == REQ_HEAD) &&
	    !cfg->account.logout_on_get) {
		resp_detail(c->resp, 405, c->req->method == REQ_GET ?
			"Method \"GET\" not allowed." :
			"Method \"HEAD\" not allowed.");
		return;
	}
	/* Before anything is undone: a cross-origin request may not use
	 * the refresh cookie the browser adds. */
	if (cfg->rest_auth.use_jwt &&
	    jwtm_refresh_cookie(cfg, c->req, &cookie, reason) == APP_EDENIED) {
		resp_detail(c->resp, 403, reason);
		return;
	}
	if (c->auth.kind == AUTH_NONE && !cfg->rest_auth.use_jwt &&
	    !cfg->rest_auth.session_login) {
		resp_detail(c->resp, 400, "You should be logged in to logout. "
					  "Check whether the token is passed.");
		return;
	}
	if ((er = forget(c)) != APP_OK) {
		resp_error(c->resp, er);
		return;
	}
	if (cfg->rest_auth.use_jwt)
		logout_jwt(c, cookie);
	else
		resp_detail(c->resp, 200, "Successfully logged out.");
}
