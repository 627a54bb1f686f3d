/*
 * auth.h: who is calling. DRF's TokenAuthentication, header parsing and
 * messages included; JWT authentication joins here when USE_JWT exists.
 */
#ifndef RESTAUTH_AUTH_H
#define RESTAUTH_AUTH_H

#include <stdbool.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "req.h"
#include "tok.h"

enum auth_kind {
	AUTH_NONE,  /* anonymous */
	AUTH_TOKEN, /* Authorization: Token <key> */
	AUTH__MAX
};

struct auth_result {
	enum auth_kind kind;
	struct db_user user;	   /* valid unless kind == AUTH_NONE */
	char key[TOK_KEY_BYTES];   /* the presented key, for AUTH_TOKEN */
};

/* DRF's WWW-Authenticate for a 401: the first authentication scheme. */
#define AUTH_CHALLENGE "Token"

/*
 * Authenticate the request as DRF would with TokenAuthentication (when
 * cfg's TOKEN_MODEL is set). APP_OK: *out says who, possibly nobody.
 * APP_EAUTH: a credential was presented and is bad; *msg is DRF's detail
 * (static string). APP_EDB. out is fully written only on APP_OK.
 */
enum app_err auth_request(const struct app_config *cfg, struct db *db,
    const struct req *r, struct auth_result *out, const char **msg) APP_WUR;

#endif
