/*
 * clientdata.h: the checks of a ceremony's clientDataJSON (WebAuthn
 * Level 3, 5.8.1; 7.1 steps 5-10, 7.2 steps 10-14) against what the
 * relying party expects.
 */
#ifndef RESTAUTH_CLIENTDATA_H
#define RESTAUTH_CLIENTDATA_H

#include <stddef.h>

#include "app.h"

enum clientdata_type {
	CLIENTDATA_CREATE, /* "webauthn.create": registration */
	CLIENTDATA_GET, /* "webauthn.get": authentication */
	CLIENTDATA__MAX
};

/* What one ceremony expects; everything borrowed. */
struct clientdata_expect {
	enum clientdata_type type;
	const unsigned char *challenge; /* the bytes the options sent */
	size_t challenge_len;
	char *const *origins; /* PASSKEY_RP_ORIGINS, each exact */
	size_t norigins;
};

/*
 * Check json (n bytes, at most LIMIT_PASSKEY_CLIENTDATA) against x: one
 * JSON object, strict (body_json_parse: UTF-8, no duplicate key, the
 * bounds of lib/core/bounds.h); "type" the string of x->type;
 * "challenge" the string x->challenge makes as base64url without
 * padding, compared in constant time; "origin" exactly one of
 * x->origins (scheme, host and port as written, no wildcard);
 * "crossOrigin" absent or false. "tokenBinding", "topOrigin" and other
 * members are ignored. APP_OK; APP_EINPUT when any of that fails, with
 * *why (when why is not NULL) a static text for the log; APP_ENOMEM.
 */
enum app_err clientdata_check(const unsigned char *json, size_t n,
    const struct clientdata_expect *x, const char **why) APP_WUR;

#endif
