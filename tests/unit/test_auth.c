/*
 * test_auth: who is calling, without a database. The Authorization
 * header's two forms parsed directly (DRF's Token, simplejwt's
 * AUTH_HEADER_TYPES), the 401 challenge, then through the in-process
 * harness the order of the authentication classes and their failures:
 * Token before JWT, a header before the cookie, CSRF and origin checks
 * on the cookie, DRF's and simplejwt's bodies. A credential that parses
 * goes to the database, which is not there: 503 says it got that far.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "inproc.h"
#include "jwt.h"
#include "req.h"
#include "resp.h"
#include "serve.h"
#include "testhelp.h"

#define HDR_BYTES 256
#define NO_DB                                                                  \
	"{\"detail\":\"Service temporarily unavailable, try again later.\"}"
#define BAD_JWT(msg)                                                           \
	"{\"detail\":\"Given token not valid for any token type\","            \
	"\"code\":\"token_not_valid\",\"messages\":[{\"token_class\":"         \
	"\"AccessToken\",\"token_type\":\"access\",\"message\":\"" msg "\"}]}"
#define TWO_VALUES                                                             \
	"{\"detail\":\"Authorization header must contain two "                 \
	"space-delimited values\",\"code\":\"bad_authorization_header\"}"

static void
echo(struct app_call *call)
{
	resp_json(call->resp, 200, json_object_new_int((int)call->auth.kind));
}

static const struct app_endpoint ep = { .path = "me/",
	.name = "Me",
	.description = "",
	.methods = REQ_BIT(REQ_GET) | REQ_BIT(REQ_POST),
	.handle = echo };

/* status and body of one request; the challenge of a 401. */
static void
expect(struct app_ctx *ctx, const char *method, const char *const *env,
    int status, const char *body)
{
	struct inproc_ans a;
	char buf[HDR_BYTES];
	const char *ch;

	if (inproc_run(ctx, &ep, method, env, NULL, &a) != 0) {
		T_ASSERT(!"answer");
		return;
	}
	T_ASSERT(a.status == status);
	T_STREQ(a.body, body);
	ch = inproc_header(&a, "WWW-Authenticate", 0, buf, sizeof(buf));
	if (status == 401)
		T_STREQ(ch,
		    ctx->cfg.rest_auth.use_jwt ? "Bearer realm=\"api\""
					       : "Token");
	else
		T_ASSERT(ch == NULL);
	inproc_ans_free(&a);
}

static void
token_ok(const char *h, const char *want)
{
	struct auth_fail fail = { NULL, NULL, NULL, "" };
	char key[TOK_KEY_BYTES];

	T_ASSERT(auth_token_header(h, key, &fail) == APP_OK);
	T_STREQ(key, want);
}

static void
token_fails(const char *h, enum app_err want, const char *detail)
{
	struct auth_fail fail = { NULL, NULL, NULL, "" };
	char key[TOK_KEY_BYTES] = "untouched";

	T_ASSERT(auth_token_header(h, key, &fail) == want);
	T_STREQ(key, "untouched");
	if (detail != NULL) {
		T_STREQ(fail.detail, detail);
		T_ASSERT(fail.code == NULL && fail.message == NULL);
	}
}

static void
test_token_header(void)
{
	char h[64];

	token_ok("Token abc", "abc");
	token_ok("tOKEN \t abc \r\n", "abc");
	/* LIMIT_TOKEN_KEY characters pass, one more cannot match a row. */
	snprintf(h, sizeof(h), "Token %.*s", LIMIT_TOKEN_KEY,
	    "0123456789012345678901234567890123456789012345");
	token_ok(h, h + 6);
	snprintf(h, sizeof(h), "Token %.*s", LIMIT_TOKEN_KEY + 1,
	    "0123456789012345678901234567890123456789012345");
	token_fails(h, APP_EAUTH, "Invalid token.");
	token_fails("", APP_ENOTFOUND, NULL);
	token_fails("Bearer abc", APP_ENOTFOUND, NULL);
	token_fails("Tokens abc", APP_ENOTFOUND, NULL);
	token_fails("Token", APP_EAUTH,
	    "Invalid token header. No credentials provided.");
	token_fails("Token a b", APP_EAUTH,
	    "Invalid token header. Token string should not contain spaces.");
	token_fails("Token \xe2\x82", APP_EAUTH,
	    "Invalid token header. Token string should not contain invalid "
	    "characters.");
}

static void
bearer(const struct app_config *cfg, const char *h, enum app_err want,
    const char *raw_want)
{
	struct auth_fail fail = { NULL, NULL, NULL, "" };
	const char *raw = NULL;
	size_t len = 0;

	T_ASSERT(auth_bearer_header(cfg, h, &raw, &len, &fail) == want);
	if (want == APP_OK && raw != NULL)
		T_ASSERT(len == strlen(raw_want) &&
		    strncmp(raw, raw_want, len) == 0);
	if (want == APP_EAUTH) {
		T_STREQ(fail.code, "bad_authorization_header");
		T_ASSERT(fail.message == NULL);
	}
}

static void
test_jwt_header(struct app_ctx *ctx)
{
	const struct app_config *cfg = &ctx->cfg;
	char ch[AUTH_CHALLENGE_BYTES];

	bearer(cfg, "Bearer a.b.c", APP_OK, "a.b.c");
	bearer(cfg, " JWT  a.b.c ", APP_OK, "a.b.c");
	/* The types are case-sensitive, unlike DRF's Token keyword. */
	bearer(cfg, "bearer a.b.c", APP_ENOTFOUND, NULL);
	bearer(cfg, "Token a.b.c", APP_ENOTFOUND, NULL);
	bearer(cfg, "", APP_ENOTFOUND, NULL);
	bearer(cfg, "Bearer", APP_EAUTH, NULL);
	bearer(cfg, "Bearer a b", APP_EAUTH, NULL);
	auth_challenge(cfg, ch);
	T_STREQ(ch, "Bearer realm=\"api\"");
}

/* A token of type for user 7, as "NAME=<prefix><token>" in out. */
static void
minted(struct app_ctx *ctx, enum jwt_type type, const char *prefix, char *out,
    size_t outsz)
{
	struct jwt_uid uid = { JWT_UID_INT, 7, "" };
	char *tok = NULL;

	out[0] = '\0';
	if (jwt_mint(ctx->jwt, type, &uid, app_now(), &tok, NULL) != APP_OK) {
		T_ASSERT(!"jwt_mint");
		return;
	}
	snprintf(out, outsz, "%s%s", prefix, tok);
	OPENSSL_cleanse(tok, strlen(tok));
	free(tok);
}

#define AUTHZ "HTTP_AUTHORIZATION="
#define ACCESS_COOKIE "HTTP_COOKIE=jwt-auth="
#define EVIL "HTTP_ORIGIN=http://evil.example"

/* JWT mode with DRF's Token class first, the access cookie, no CSRF. */
static void
test_jwt_order(struct app_ctx *ctx)
{
	char access[1024], refresh[1024], cookie[1024];

	test_jwt_header(ctx);
	minted(ctx, JWT_ACCESS, AUTHZ "Bearer ", access, sizeof(access));
	minted(ctx, JWT_REFRESH, AUTHZ "Bearer ", refresh, sizeof(refresh));
	minted(ctx, JWT_ACCESS, ACCESS_COOKIE, cookie, sizeof(cookie));

	expect(ctx, "GET", NULL, 200, "0");
	/* Token first: its header goes to the token table. */
	expect(ctx, "GET", (const char *const[]) { AUTHZ "Token k", NULL }, 503,
	    NO_DB);
	expect(ctx, "GET", (const char *const[]) { AUTHZ "Token", NULL }, 401,
	    "{\"detail\":\"Invalid token header. No credentials provided.\"}");
	/* Then the Bearer header: valid goes on to the user. */
	expect(ctx, "GET", (const char *const[]) { access, NULL }, 503, NO_DB);
	expect(ctx, "GET", (const char *const[]) { refresh, NULL }, 401,
	    BAD_JWT("Token has wrong type"));
	expect(ctx, "GET", (const char *const[]) { AUTHZ "Bearer x.y.z", NULL },
	    401, BAD_JWT("Token is invalid or expired"));
	expect(ctx, "GET", (const char *const[]) { AUTHZ "Bearer", NULL }, 401,
	    TWO_VALUES);
	/* A header that is neither: anonymous, the cookie not read. */
	expect(ctx, "GET",
	    (const char *const[]) { AUTHZ "Digest x", cookie, NULL }, 200, "0");
	/* The cookie without a header. */
	expect(ctx, "GET", (const char *const[]) { cookie, NULL }, 503, NO_DB);
	expect(ctx, "POST",
	    (const char *const[]) { ACCESS_COOKIE "x.y.z", NULL }, 401,
	    BAD_JWT("Token is invalid or expired"));
	/* Cross-origin with the cookie: refused before the token is read;
	 * a safe method is not checked. */
	expect(ctx, "POST",
	    (const char *const[]) { ACCESS_COOKIE "x.y.z", EVIL, NULL }, 403,
	    "{\"detail\":\"CSRF Failed: Origin checking failed - "
	    "http://evil.example does not match any trusted origins.\"}");
	expect(ctx, "GET",
	    (const char *const[]) { ACCESS_COOKIE "x.y.z", EVIL, NULL }, 401,
	    BAD_JWT("Token is invalid or expired"));
	/* Without the cookie, the origin does not matter. */
	expect(ctx, "POST", (const char *const[]) { EVIL, NULL }, 200, "0");
}

/* JWT_AUTH_COOKIE_USE_CSRF and ..._ENFORCE_CSRF_ON_UNAUTHENTICATED. */
static void
test_jwt_csrf(struct app_ctx *ctx)
{
	static const char no_cookie[] =
	    "{\"detail\":\"CSRF Failed: CSRF cookie not set.\"}";

	expect(ctx, "POST", (const char *const[]) { ACCESS_COOKIE "x", NULL },
	    403, no_cookie);
	expect(ctx, "POST", NULL, 403, no_cookie);
	expect(ctx, "GET", NULL, 200, "0");
	/* The Authorization header is not a cookie: no CSRF check. */
	expect(ctx, "POST", (const char *const[]) { AUTHZ "Bearer x", NULL },
	    401, BAD_JWT("Token is invalid or expired"));
}

/* Token mode with SESSION_LOGIN: the session cookie is read last. */
static void
test_session(struct app_ctx *ctx)
{
	/* A key of the shape Django makes goes to the session table;
	 * anything else is no session at all. */
	expect(ctx, "GET",
	    (const char *const[]) {
		"HTTP_COOKIE=sessionid=0123456789abcdefghijklmnopqrstuv",
		NULL },
	    503, NO_DB);
	expect(ctx, "GET",
	    (const char *const[]) { "HTTP_COOKIE=sessionid=abc", NULL }, 200,
	    "0");
	expect(ctx, "GET",
	    (const char *const[]) {
		"HTTP_COOKIE=sessionid=0123456789ABCDEFGHIJKLMNOPQRSTUV",
		NULL },
	    200, "0");
	/* The Token header is read first. */
	expect(ctx, "GET",
	    (const char *const[]) { AUTHZ "Token",
		"HTTP_COOKIE=sessionid=0123456789abcdefghijklmnopqrstuv",
		NULL },
	    401,
	    "{\"detail\":\"Invalid token header. No credentials provided.\"}");
	expect(ctx, "GET", NULL, 200, "0");
}

#define HOSTS "\"ALLOWED_HOSTS\": [\"localhost\"],"
#define TOKEN_MODEL "\"TOKEN_MODEL\": \"rest_framework.authtoken.models.Token\""

int
main(void)
{
	test_token_header();
	T_ASSERT(
	    inproc_with("{" HOSTS "\"SIMPLE_JWT\": {\"AUTH_HEADER_TYPES\": "
			"[\"Bearer\", \"JWT\"]},"
			"\"REST_AUTH\": {\"USE_JWT\": true, " TOKEN_MODEL ","
			"\"JWT_AUTH_COOKIE\": \"jwt-auth\","
			"\"SESSION_LOGIN\": false}}",
		test_jwt_order) == 0);
	T_ASSERT(
	    inproc_with(
		"{" HOSTS "\"REST_AUTH\": {\"USE_JWT\": true,"
		"\"TOKEN_MODEL\": null, \"JWT_AUTH_COOKIE\": \"jwt-auth\","
		"\"JWT_AUTH_COOKIE_USE_CSRF\": true,"
		"\"JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED\": true,"
		"\"SESSION_LOGIN\": false}}",
		test_jwt_csrf) == 0);
	T_ASSERT(inproc_with("{" HOSTS "\"REST_AUTH\": {" TOKEN_MODEL ","
			     "\"SESSION_LOGIN\": true}}",
		     test_session) == 0);
	return T_DONE();
}
