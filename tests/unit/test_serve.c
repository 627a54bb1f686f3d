/*
 * test_serve: serve.c's pipeline (DRF's APIView.dispatch with Django's
 * middleware) run in process through tests/unit/inproc.h: OPTIONS
 * metadata, 405 with Allow, HEAD, CORS, ALLOWED_HOSTS, the https
 * redirect and HSTS, body errors, authentication failures that need no
 * database. The endpoints are the test's own: a handler that echoes.
 */
#include <stdlib.h>
#include <string.h>

#include "inproc.h"
#include "req.h"
#include "resp.h"
#include "serve.h"
#include "testhelp.h"

/* Room for one header value read back. */
#define HDR_BYTES 512

static int handled;

/* Answers 201 with the parsed body (or {} when none was read). */
static void
echo(struct app_call *call)
{
	struct json_object *o = call->req->data;

	handled++;
	call->req->data = NULL;
	resp_json(call->resp, 201, o != NULL ? o : json_object_new_object());
}

#define GET_POST (REQ_BIT(REQ_GET) | REQ_BIT(REQ_POST))
#define POST REQ_BIT(REQ_POST)

/*
 * path, name, description, methods, needs_auth, no_auth, throttle scope,
 * reads_body, handler. private/ is DRF IsAuthenticated; lazy/ never
 * reads its body.
 */
static const struct app_endpoint ep_echo = { .path = "echo/",
	.name = "Echo",
	.description = "Echoes what it was sent.",
	.methods = GET_POST,
	.reads_body = true,
	.handle = echo };
static const struct app_endpoint ep_post = { .path = "post/",
	.name = "Post",
	.description = "",
	.methods = POST,
	.reads_body = true,
	.handle = echo };
static const struct app_endpoint ep_private = { .path = "private/",
	.name = "Private",
	.description = "",
	.methods = POST | REQ_BIT(REQ_DELETE),
	.needs_auth = true,
	.handle = echo };
static const struct app_endpoint ep_lazy = { .path = "lazy/",
	.name = "Lazy",
	.description = "",
	.methods = POST,
	.handle = echo };

static const char *const json_ct[] = { "CONTENT_TYPE=application/json", NULL };

/* One request; the answer's status, or -1 when there was none. */
static int
run(struct app_ctx *ctx, const struct app_endpoint *ep, const char *method,
    const char *const *env, const char *body, struct inproc_ans *a)
{
	if (inproc_run(ctx, ep, method, env, body, a) != 0)
		return -1;
	return a->status;
}

/* One request whose status, and body unless want is NULL, are known. */
static void
expect(struct app_ctx *ctx, const struct app_endpoint *ep, const char *method,
    const char *const *env, const char *body, int status, const char *want)
{
	struct inproc_ans a;

	T_ASSERT(run(ctx, ep, method, env, body, &a) == status);
	if (want != NULL)
		T_STREQ(a.body, want);
	inproc_ans_free(&a);
}

static void
check_header(const struct inproc_ans *a, const char *name, const char *want)
{
	char buf[HDR_BYTES];

	T_STREQ(inproc_header(a, name, 0, buf, sizeof(buf)), want);
}

/* A 401 with {"detail": detail} and Token's challenge. */
static void
unauthorized(struct app_ctx *ctx, const struct app_endpoint *ep,
    const char *method, const char *const *env, const char *detail)
{
	struct inproc_ans a;
	char want[HDR_BYTES];

	snprintf(want, sizeof(want), "{\"detail\":\"%s\"}", detail);
	T_ASSERT(run(ctx, ep, method, env, NULL, &a) == 401);
	T_STREQ(a.body, want);
	check_header(&a, "WWW-Authenticate", "Token");
	inproc_ans_free(&a);
}

static void
check_no_header(const struct inproc_ans *a, const char *name)
{
	char buf[HDR_BYTES];

	T_ASSERT(inproc_header(a, name, 0, buf, sizeof(buf)) == NULL);
}

/* Django's SecurityMiddleware headers, on every answer. */
static void
check_security(const struct inproc_ans *a)
{
	check_header(a, "X-Content-Type-Options", "nosniff");
	check_header(a, "Referrer-Policy", "same-origin");
	check_header(a, "Cross-Origin-Opener-Policy", "same-origin");
}

static void
test_methods(struct app_ctx *ctx)
{
	struct inproc_ans a;
	char len[HDR_BYTES];

	T_ASSERT(run(ctx, &ep_echo, "OPTIONS", NULL, NULL, &a) == 200);
	T_STREQ(a.body,
	    "{\"name\":\"Echo\",\"description\":\"Echoes what it "
	    "was sent.\",\"renders\":[\"application/json\"],"
	    "\"parses\":[\"application/json\","
	    "\"application/x-www-form-urlencoded\"]}");
	check_header(&a, "Allow", "GET, POST, HEAD, OPTIONS");
	check_header(&a, "Content-Type", "application/json");
	check_header(&a, "Vary", "Accept, origin");
	check_header(&a, "X-Frame-Options", "DENY");
	check_security(&a);
	inproc_ans_free(&a);

	T_ASSERT(run(ctx, &ep_post, "GET", NULL, NULL, &a) == 405);
	T_STREQ(a.body, "{\"detail\":\"Method \\\"GET\\\" not allowed.\"}");
	check_header(&a, "Allow", "POST, OPTIONS");
	check_security(&a);
	inproc_ans_free(&a);
	/* No GET: no HEAD either; a method we do not know by name. */
	expect(ctx, &ep_post, "HEAD", NULL, NULL, 405, "");
	expect(ctx, &ep_post, "PROPFIND", NULL, NULL, 405,
	    "{\"detail\":\"Method \\\"PROPFIND\\\" not allowed.\"}");

	/* HEAD is GET without the body, Content-Length kept. */
	handled = 0;
	T_ASSERT(run(ctx, &ep_echo, "HEAD", NULL, NULL, &a) == 201);
	T_STREQ(a.body, "");
	T_STREQ(inproc_header(&a, "Content-Length", 0, len, sizeof(len)), "2");
	T_ASSERT(handled == 1);
	inproc_ans_free(&a);
	T_ASSERT(run(ctx, &ep_echo, "GET", NULL, NULL, &a) == 201);
	T_STREQ(a.body, "{}");
	T_ASSERT(!a.mail);
	inproc_ans_free(&a);
}

static void
test_paths(struct app_ctx *ctx)
{
	static const char *const below[] = { "SCRIPT_NAME=/auth/echo/x/",
		NULL };
	static const char *const info[] = { "PATH_INFO=/x", NULL };
	static const char *const other[] = { "SCRIPT_NAME=/auth/xecho/", NULL };
	static const char *const redirected[] = { "SCRIPT_NAME=/cgi/x.fcgi",
		"REDIRECT_URL=/auth/echo/", NULL };

	expect(ctx, &ep_echo, "GET", below, NULL, 404,
	    "{\"detail\":\"Not found.\"}");
	expect(ctx, &ep_echo, "GET", info, NULL, 404, NULL);
	expect(ctx, &ep_echo, "GET", other, NULL, 404, NULL);
	expect(ctx, &ep_echo, "GET", redirected, NULL, 201, NULL);
}

static void
test_hosts(struct app_ctx *ctx)
{
	static const char *const evil[] = { "HTTP_HOST=evil.example", NULL };
	static const char *const bad[] = { "HTTP_HOST=local host", NULL };
	static const char *const port[] = { "HTTP_HOST=LOCALHOST:8000", NULL };
	struct inproc_ans a;

	handled = 0;
	T_ASSERT(run(ctx, &ep_echo, "GET", evil, NULL, &a) == 400);
	T_STREQ(a.body, "{\"detail\":\"Bad Request (400)\"}");
	check_security(&a);
	check_no_header(&a, "Allow");
	inproc_ans_free(&a);
	expect(ctx, &ep_echo, "GET", bad, NULL, 400, NULL);
	T_ASSERT(handled == 0);
	expect(ctx, &ep_echo, "GET", port, NULL, 201, NULL);
}

static void
test_body(struct app_ctx *ctx)
{
	static const char *const form[] = {
		"CONTENT_TYPE=application/x-www-form-urlencoded", NULL
	};
	static const char *const xml[] = { "CONTENT_TYPE=text/xml", NULL };
	static const char *const badlen[] = { "CONTENT_TYPE=application/json",
		"CONTENT_LENGTH=1x", NULL };
	static const char *const long_len[] = { "CONTENT_TYPE=application/json",
		"CONTENT_LENGTH=10", NULL };
	char big[1030];
	struct inproc_ans a;

	T_ASSERT(run(ctx, &ep_post, "POST", json_ct, "{\"a\":\"\xc3\xa9\"}",
		     &a) == 201);
	T_STREQ(a.body, "{\"a\":\"\xc3\xa9\"}");
	inproc_ans_free(&a);
	expect(ctx, &ep_post, "POST", form, "a=1&b=%C3%A9", 201,
	    "{\"a\":\"1\",\"b\":\"\xc3\xa9\"}");
	/* An empty body is an empty object. */
	expect(ctx, &ep_post, "POST", json_ct, "", 201, "{}");

	expect(ctx, &ep_post, "POST", NULL, "{}", 415,
	    "{\"detail\":\"Unsupported media type \\\"\\\" in request.\"}");
	expect(ctx, &ep_post, "POST", xml, "<a/>", 415,
	    "{\"detail\":\"Unsupported media type "
	    "\\\"text/xml\\\" in request.\"}");
	expect(ctx, &ep_post, "POST", json_ct, "{} x", 400,
	    "{\"detail\":\"JSON parse error - Extra data: line 1 "
	    "column 4 (char 3)\"}");
	expect(ctx, &ep_post, "POST", json_ct, "[1]", 400,
	    "{\"non_field_errors\":[\"Invalid data. Expected a "
	    "dictionary, but got list.\"]}");
	expect(ctx, &ep_post, "POST", json_ct, "null", 400,
	    "{\"non_field_errors\":[\"No data provided\"]}");
	expect(ctx, &ep_post, "POST", badlen, "{}", 400,
	    "{\"detail\":\"Invalid Content-Length header.\"}");
	expect(ctx, &ep_post, "POST", long_len, "{}", 400,
	    "{\"detail\":\"Request body shorter than "
	    "Content-Length.\"}");

	/* MAX_BODY_BYTES is 1024 here: 1024 bytes pass, 1025 are refused. */
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[1023] = '}';
	big[1024] = '\0';
	expect(ctx, &ep_post, "POST", json_ct, big, 201, NULL);
	big[1023] = ' ';
	big[1024] = '}';
	big[1025] = '\0';
	handled = 0;
	T_ASSERT(run(ctx, &ep_post, "POST", json_ct, big, &a) == 413);
	T_STREQ(a.body,
	    "{\"detail\":\"Request body exceeds the limit of "
	    "1024 bytes.\"}");
	T_ASSERT(handled == 0);
	inproc_ans_free(&a);

	/* DRF parses lazily: a view that never reads the body never
	 * refuses a bad one. */
	expect(ctx, &ep_lazy, "POST", json_ct, "{", 201, "{}");
}

static void
test_auth(struct app_ctx *ctx)
{
	static const char *const empty_token[] = { "HTTP_AUTHORIZATION=Token",
		NULL };
	static const char *const spaces[] = { "HTTP_AUTHORIZATION=Token a b",
		NULL };
	static const char *const good[] = {
		"HTTP_AUTHORIZATION=Token 0123456789abcdef", NULL
	};
	static const char *const other[] = { "HTTP_AUTHORIZATION=Digest x",
		NULL };

	handled = 0;
	unauthorized(ctx, &ep_private, "POST", NULL,
	    "Authentication credentials were not provided.");
	/* Authentication comes before the method check. */
	unauthorized(ctx, &ep_private, "GET", NULL,
	    "Authentication credentials were not provided.");
	unauthorized(ctx, &ep_echo, "GET", empty_token,
	    "Invalid token header. No credentials provided.");
	expect(ctx, &ep_echo, "GET", spaces, NULL, 401,
	    "{\"detail\":\"Invalid token header. Token string "
	    "should not contain spaces.\"}");
	/* A well-formed key needs the database, which is not there. */
	expect(ctx, &ep_echo, "GET", good, NULL, 503,
	    "{\"detail\":\"Service temporarily unavailable, try "
	    "again later.\"}");
	T_ASSERT(handled == 0);
	/* Another scheme is nobody's: anonymous. */
	expect(ctx, &ep_echo, "GET", other, NULL, 201, NULL);
	expect(ctx, &ep_private, "POST", other, NULL, 401, NULL);
}

static void
test_cors(struct app_ctx *ctx)
{
	static const char *const pre[] = { "HTTP_ORIGIN=https://app.example",
		"HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST", NULL };
	static const char *const pre_evil[] = {
		"HTTP_ORIGIN=https://evil.example",
		"HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST", NULL
	};
	static const char *const simple[] = { "HTTP_ORIGIN=https://app.example",
		NULL };
	struct inproc_ans a;

	handled = 0;
	T_ASSERT(run(ctx, &ep_post, "OPTIONS", pre, NULL, &a) == 200);
	T_STREQ(a.body, "");
	check_header(&a, "Access-Control-Allow-Origin", "https://app.example");
	check_header(&a, "Access-Control-Allow-Credentials", "true");
	check_header(&a, "Access-Control-Allow-Methods",
	    "DELETE, GET, OPTIONS, PATCH, POST, PUT");
	check_header(&a, "Access-Control-Max-Age", "86400");
	check_header(&a, "Vary", "origin");
	check_no_header(&a, "Allow");
	inproc_ans_free(&a);
	/* An origin not allowed: no CORS headers, but still answered
	 * before the view. */
	T_ASSERT(run(ctx, &ep_post, "OPTIONS", pre_evil, NULL, &a) == 200);
	check_no_header(&a, "Access-Control-Allow-Origin");
	check_no_header(&a, "Access-Control-Allow-Methods");
	inproc_ans_free(&a);
	T_ASSERT(run(ctx, &ep_echo, "GET", simple, NULL, &a) == 201);
	check_header(&a, "Access-Control-Allow-Origin", "https://app.example");
	check_no_header(&a, "Access-Control-Allow-Methods");
	check_header(&a, "Vary", "Accept, origin");
	inproc_ans_free(&a);
	T_ASSERT(handled == 1);
}

static const char *const secure[] = { "HTTPS=on", NULL };
static const char *const proxied[] = { "HTTP_X_FORWARDED_PROTO=https",
	"HTTPS=off", NULL };

/* SECURE_SSL_REDIRECT and HSTS, on HTTPS=on. */
static void
test_https(struct app_ctx *ctx)
{
	static const char *const plain[] = { "REQUEST_URI=/auth/echo/?a=1",
		NULL };
	static const char *const evil[] = { "HTTP_HOST=evil.example", NULL };
	struct inproc_ans a;

	T_ASSERT(run(ctx, &ep_echo, "GET", plain, NULL, &a) == 301);
	check_header(&a, "Location", "https://localhost/auth/echo/?a=1");
	check_no_header(&a, "Strict-Transport-Security");
	T_STREQ(a.body, "");
	inproc_ans_free(&a);
	/* Never a Location on a host not allowed. */
	T_ASSERT(run(ctx, &ep_echo, "GET", evil, NULL, &a) == 400);
	check_no_header(&a, "Location");
	inproc_ans_free(&a);
	T_ASSERT(run(ctx, &ep_echo, "GET", secure, NULL, &a) == 201);
	check_header(&a, "Strict-Transport-Security", "max-age=60; preload");
	inproc_ans_free(&a);
	/* Without SECURE_PROXY_SSL_HEADER, the proxy's header is not
	 * believed. */
	expect(ctx, &ep_echo, "GET", proxied, NULL, 301, NULL);
}

/* SECURE_PROXY_SSL_HEADER: the proxy's header, not HTTPS, says. */
static void
test_proxy_https(struct app_ctx *ctx)
{
	expect(ctx, &ep_echo, "GET", proxied, NULL, 201, NULL);
	expect(ctx, &ep_echo, "GET", secure, NULL, 301, NULL);
}

/* The endpoints' pipeline without https settings. */
static void
test_pipeline(struct app_ctx *ctx)
{
	test_methods(ctx);
	test_paths(ctx);
	test_hosts(ctx);
	test_body(ctx);
	test_auth(ctx);
	test_cors(ctx);
}

int
main(void)
{
	T_ASSERT(
	    inproc_with("{\"ALLOWED_HOSTS\": [\"localhost\"],"
			"\"MAX_BODY_BYTES\": 1024,"
			"\"CORS_ALLOWED_ORIGINS\": [\"https://app.example\"],"
			"\"CORS_ALLOW_CREDENTIALS\": true,"
			"\"REST_AUTH\": {\"TOKEN_MODEL\": "
			"\"rest_framework.authtoken.models.Token\","
			"\"SESSION_LOGIN\": false}}",
		test_pipeline) == 0);
	T_ASSERT(inproc_with("{\"ALLOWED_HOSTS\": [\"localhost\"],"
			     "\"SECURE_SSL_REDIRECT\": true,"
			     "\"SECURE_HSTS_SECONDS\": 60,"
			     "\"SECURE_HSTS_PRELOAD\": true}",
		     test_https) == 0);
	T_ASSERT(inproc_with("{\"ALLOWED_HOSTS\": [\"localhost\"],"
			     "\"SECURE_SSL_REDIRECT\": true,"
			     "\"SECURE_PROXY_SSL_HEADER\": "
			     "[\"HTTP_X_FORWARDED_PROTO\", \"https\"]}",
		     test_proxy_https) == 0);
	return T_DONE();
}
