/*
 * fuzz_jwt.c: libFuzzer target for lib/auth/jwt.c. Every input is tried
 * twice against an HS256 context (key "fuzz-key", clock fixed at
 * 2023-11-14): as a whole token (base64url, segments, header, signature),
 * and as the payload of a token this harness signs, so mutations reach
 * the JSON and claim checks behind the MAC. A refusal must name a reason;
 * a token that passes must re-encode into one that passes with the same
 * claims; nothing may leak (LSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bounds.h"
#include "config.h"
#include "jwt.h"

#define FUZZ_NOW ((time_t)1700000000)
#define FUZZ_KEY "fuzz-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF"
/* base64url of {"alg":"HS256","typ":"JWT"} */
#define FUZZ_HDR "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct jwt_ctx *ctx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct app_config cfg;
	char err[APP_CONFIG_ERRSZ];

	(void)argc;
	(void)argv;
	setenv("SECRET_KEY", FUZZ_KEY, 1);
	setenv("DATABASE_URL", "dbname=unused", 1);
	unsetenv("RESTAUTH_CONFIG");
	if (app_config_load(NULL, &cfg, err, sizeof(err)) != APP_OK ||
	    jwt_ctx_new(&cfg, &ctx, err, sizeof(err)) != APP_OK)
		abort();
	app_config_free(&cfg);
	return 0;
}

static void
check_fail(enum app_err er, enum jwt_fail why)
{
	if (er == APP_EAUTH && (unsigned)why >= JWT_FAIL__MAX)
		__builtin_trap();
	if (er != APP_OK && er != APP_EAUTH && er != APP_ENOMEM)
		__builtin_trap();
}

static int
same(const struct jwt_claims *a, const struct jwt_claims *b)
{
	return a->type == b->type && a->exp == b->exp &&
	    a->has_iat == b->has_iat && (!a->has_iat || a->iat == b->iat) &&
	    strcmp(a->jti, b->jti) == 0 && a->uid.kind == b->uid.kind &&
	    (a->uid.kind != JWT_UID_INT || a->uid.num == b->uid.num) &&
	    (a->uid.kind != JWT_UID_STR || strcmp(a->uid.str, b->uid.str) == 0);
}

/* Claims that passed must survive jwt_encode and jwt_verify unchanged. */
static void
roundtrip(const struct jwt_claims *c)
{
	struct jwt_claims back;
	enum jwt_fail why;
	enum app_err er;
	char *tok = NULL;
	size_t len;

	er = jwt_encode(ctx, c, &tok, &len);
	if (er == APP_ENOMEM)
		return;
	/* a long jti or id may push the token over LIMIT_TOKEN */
	if (er == APP_EINTERNAL)
		return;
	if (er != APP_OK || tok == NULL || strlen(tok) != len)
		__builtin_trap();
	er = jwt_verify(ctx, tok, len, FUZZ_NOW, c->type, JWT_NEED_USER, &back,
	    &why);
	if (er != APP_OK || !same(c, &back))
		__builtin_trap();
	free(tok);
}

static size_t
b64url(const uint8_t *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				"stuvwxyz0123456789-_";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = a[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = a[v & 63];
	}
	return o;
}

static void
check_token(const char *tok, size_t size)
{
	struct json_object *p = NULL;
	struct jwt_claims c;
	enum jwt_fail why = JWT_FAIL__MAX;
	enum app_err er;

	er = jwt_decode(ctx, tok, size, &p, &why);
	check_fail(er, why);
	if (er == APP_OK) {
		if (!json_object_is_type(p, json_type_object))
			__builtin_trap();
		json_object_put(p);
	}

	why = JWT_FAIL__MAX;
	er = jwt_verify(ctx, tok, size, FUZZ_NOW, JWT_UNTYPED, 0, &c, &why);
	check_fail(er, why);

	why = JWT_FAIL__MAX;
	er = jwt_verify(ctx, tok, size, FUZZ_NOW, JWT_ACCESS, JWT_NEED_USER, &c,
	    &why);
	check_fail(er, why);
	if (er == APP_OK)
		roundtrip(&c);
	er = jwt_verify(ctx, tok, size, FUZZ_NOW, JWT_REFRESH, JWT_NEED_USER,
	    &c, &why);
	check_fail(er, why);
	if (er == APP_OK)
		roundtrip(&c);
}

/* data as the payload of a correctly signed HS256 token. */
static void
check_payload(const uint8_t *data, size_t size)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen;
	size_t n, hl = sizeof(FUZZ_HDR) - 1;
	char *tok;

	if (size > LIMIT_TOKEN)
		return;
	if ((tok = malloc(hl + 2 + (size + 2) / 3 * 4 + 2 * EVP_MAX_MD_SIZE)) ==
	    NULL)
		return;
	memcpy(tok, FUZZ_HDR, hl);
	n = hl;
	tok[n++] = '.';
	n += b64url(data, size, tok + n);
	if (HMAC(EVP_sha256(), FUZZ_KEY, (int)sizeof(FUZZ_KEY) - 1,
		(const unsigned char *)tok, n, mac, &maclen) == NULL)
		__builtin_trap();
	tok[n++] = '.';
	n += b64url(mac, maclen, tok + n);
	check_token(tok, n);
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_token((const char *)data, size);
	check_payload(data, size);
	return 0;
}
