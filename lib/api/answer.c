/*
 * answer.c: answers shared by several endpoints (lib/api/answer.h), so that
 * each is composed once whichever endpoint sends it.
 */
#include <string.h>
#include <time.h>

#include "account.h"
#include "answer.h"
#include "auth.h"
#include "config.h"
#include "jwtmode.h"
#include "resp.h"

void
ans_fail(struct resp *resp, enum app_err er, struct json_object **errs)
{
	if (er == APP_EINPUT && errs != NULL && *errs != NULL) {
		resp_json(resp, 400, *errs);
		*errs = NULL;
		return;
	}
	if (errs != NULL) {
		json_object_put(*errs);
		*errs = NULL;
	}
	resp_error(resp, er);
}

void
ans_unauthorized(const struct app_config *cfg, struct resp *resp,
    const struct auth_fail *fail)
{
	struct json_object *o = NULL, *list = NULL, *m = NULL;
	char challenge[AUTH_CHALLENGE_BYTES];

	auth_challenge(cfg, challenge);
	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "detail",
		json_object_new_string(fail->detail)) != 0)
		goto nomem;
	if (fail->code != NULL &&
	    json_object_object_add(o, "code",
		json_object_new_string(fail->code)) != 0)
		goto nomem;
	if (fail->message != NULL) {
		/* simplejwt tried its one token class, AccessToken. */
		if ((list = json_object_new_array()) == NULL ||
		    (m = json_object_new_object()) == NULL)
			goto nomem;
		json_object_object_add(m, "token_class",
		    json_object_new_string("AccessToken"));
		json_object_object_add(m, "token_type",
		    json_object_new_string("access"));
		json_object_object_add(m, "message",
		    json_object_new_string(fail->message));
		json_object_array_add(list, m);
		m = NULL;
		json_object_object_add(o, "messages", list);
		list = NULL;
	}
	resp_json(resp, 401, o);
	resp_header(resp, "WWW-Authenticate", challenge);
	return;
nomem:
	json_object_put(o);
	json_object_put(list);
	json_object_put(m);
	resp_error(resp, APP_ENOMEM);
}

static int
add_str(struct json_object *o, const char *key, const char *val)
{
	return json_object_object_add(o, key, json_object_new_string(val));
}

enum app_err
ans_token(struct resp *resp, int status, const char *key)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL ||
	    add_str(o, "key", key) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	resp_json(resp, status, o);
	resp_header(resp, "Cache-Control", "no-store");
	return APP_OK;
}

enum app_err
ans_empty(struct resp *resp, int status)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return APP_ENOMEM;
	resp_json(resp, status, o);
	return APP_OK;
}

enum app_err
ans_user(struct resp *resp, const struct db_user *u)
{
	struct json_object *o;

	if ((o = acct_user_json(u)) == NULL)
		return APP_ENOMEM;
	resp_json(resp, 200, o);
	return APP_OK;
}

/* The body's members after "access", in dj-rest-auth's order. */
static int
jwt_body(const struct app_config *cfg, struct json_object *o,
    const struct jwtm_pair *pair, const struct db_user *user,
    bool expirations)
{
	char aexp[JWTM_DATE_BYTES], rexp[JWTM_DATE_BYTES];
	bool httponly = cfg->rest_auth.jwt_access.httponly;
	bool refresh = pair->refresh != NULL && !httponly;
	struct json_object *u;

	jwtm_expiration(aexp, cfg->simple_jwt.access_token_lifetime);
	jwtm_expiration(rexp, cfg->simple_jwt.refresh_token_lifetime);
	if (user == NULL)
		/* TokenRefreshView, with dj-rest-auth's expirations. */
		return (refresh && add_str(o, "refresh", pair->refresh) != 0) ||
		    add_str(o, "access_expiration", aexp) != 0 ||
		    (refresh && add_str(o, "refresh_expiration", rexp) != 0);
	if (add_str(o, "refresh", refresh ? pair->refresh : "") != 0 ||
	    (u = acct_user_json(user)) == NULL)
		return -1;
	if (json_object_object_add(o, "user", u) != 0) {
		json_object_put(u);
		return -1;
	}
	return expirations && (add_str(o, "access_expiration", aexp) != 0 ||
				  add_str(o, "refresh_expiration", rexp) != 0);
}

enum app_err
ans_jwt(const struct app_config *cfg, struct resp *resp,
    const struct jwtm_pair *pair, const struct db_user *user, int status,
    bool expirations)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL ||
	    add_str(o, "access", pair->access) != 0 ||
	    jwt_body(cfg, o, pair, user, expirations) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	resp_json(resp, status, o);
	resp_header(resp, "Cache-Control", "no-store");
	jwtm_cookie_access(cfg, resp, pair->access);
	if (pair->refresh != NULL)
		jwtm_cookie_refresh(cfg, resp, pair->refresh);
	return APP_OK;
}
