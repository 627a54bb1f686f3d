/*
 * clientdata.c: clientDataJSON against the expected ceremony
 * (clientdata.h), over body.c's strict JSON and codec.c's base64url.
 */
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "body.h"
#include "bounds.h"
#include "clientdata.h"
#include "codec.h"

/* The expected challenge: WebAuthn 13.4.3 asks for 16 bytes at least;
 * ours are 64 (SPEC 2.4); more than this is the caller's mistake. */
#define CHALLENGE_MIN 16
#define CHALLENGE_MAX 256

static const char *const type_names[CLIENTDATA__MAX] = {
	[CLIENTDATA_CREATE] = "webauthn.create",
	[CLIENTDATA_GET] = "webauthn.get",
};

/* The string member key of o, with its length, or NULL. */
static const char *
member_str(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

static enum app_err
fail(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return APP_EINPUT;
}

enum app_err
clientdata_check(const unsigned char *json, size_t n,
    const struct clientdata_expect *x, const char **why)
{
	char want[CODEC_B64_LEN(CHALLENGE_MAX) + 1];
	struct json_object *root = NULL, *v;
	const char *s;
	size_t len, wlen;
	enum app_err er;

	if (x->type >= CLIENTDATA__MAX || x->challenge_len < CHALLENGE_MIN ||
	    x->challenge_len > CHALLENGE_MAX ||
	    codec_b64_encode(x->challenge, x->challenge_len, CODEC_B64_URL,
		want, sizeof(want), &wlen) != APP_OK)
		return APP_EINTERNAL;
	if (n > LIMIT_PASSKEY_CLIENTDATA)
		return fail(why, "clientDataJSON too long");
	er = body_json_parse((const char *)json, n, &root, NULL, 0);
	if (er == APP_ENOMEM)
		return er;
	if (er != APP_OK || !json_object_is_type(root, json_type_object)) {
		er = fail(why, "clientDataJSON is not a JSON object");
		goto out;
	}
	er = APP_EINPUT;
	s = member_str(root, "type", &len);
	if (s == NULL || len != strlen(type_names[x->type]) ||
	    memcmp(s, type_names[x->type], len) != 0) {
		fail(why, "wrong clientData type");
		goto out;
	}
	s = member_str(root, "challenge", &len);
	if (s == NULL || len != wlen || CRYPTO_memcmp(s, want, len) != 0) {
		fail(why, "wrong challenge");
		goto out;
	}
	s = member_str(root, "origin", &len);
	if (s == NULL || strlen(s) != len ||
	    !app_str_in(x->origins, x->norigins, s)) {
		fail(why, "origin not allowed");
		goto out;
	}
	if (json_object_object_get_ex(root, "crossOrigin", &v) &&
	    (!json_object_is_type(v, json_type_boolean) ||
		json_object_get_boolean(v))) {
		fail(why, "crossOrigin");
		goto out;
	}
	er = APP_OK;
out:
	json_object_put(root);
	return er;
}
