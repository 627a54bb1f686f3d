/*
 * test_req.c: request parsing (environment, cookies, Content-Length and
 * body, content types, DRF field rules), the response builder (headers,
 * Set-Cookie, rendering), opaque token keys and the Authorization header.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "req.h"
#include "resp.h"
#include "testhelp.h"
#include "tok.h"

struct mem {
	const char *data;
	size_t len, off;
};

static long
mem_read(void *arg, char *buf, size_t n)
{
	struct mem *m = arg;
	size_t k = m->len - m->off;

	if (k > n)
		k = n;
	/* Hand out at most 3 bytes a call: short reads must be looped. */
	if (k > 3)
		k = 3;
	memcpy(buf, m->data + m->off, k);
	m->off += k;
	return (long)k;
}

static void
test_env_and_cookies(void)
{
	char *env[] = { "REQUEST_METHOD=PATCH", "CONTENT_TYPE=",
		"HTTP_AUTHORIZATION=Token abc", "REMOTE_ADDR=127.0.0.9",
		"HTTP_COOKIE=a=1; b = two ; =; c=\"q\\\"x\"; novalue; a=3",
		NULL };
	struct req r;

	T_ASSERT(req_init(&r, env) == APP_OK);
	T_ASSERT(r.method == REQ_PATCH);
	T_STREQ(r.method_name, "PATCH");
	T_ASSERT(r.content_type == NULL); /* empty means none */
	T_STREQ(r.authorization, "Token abc");
	T_STREQ(r.client_addr, "127.0.0.9");
	T_STREQ(req_cookie(&r, "a"), "3"); /* the later one wins */
	T_STREQ(req_cookie(&r, "b"), "two");
	T_STREQ(req_cookie(&r, "c"), "q\"x");
	T_STREQ(req_cookie(&r, ""), "novalue");
	T_ASSERT(req_cookie(&r, "zzz") == NULL);
	T_ASSERT(req_env(&r, "REMOTE") == NULL); /* whole names only */
	req_free(&r);
	req_free(NULL);
}

static void
test_methods(void)
{
	char *env1[] = { "REQUEST_METHOD=FOO", NULL };
	char *env2[] = { "REQUEST_METHOD=get", NULL };
	struct req r;

	T_ASSERT(req_init(&r, env1) == APP_OK);
	T_ASSERT(r.method == REQ_OTHER);
	T_STREQ(r.method_name, "FOO");
	req_free(&r);
	T_ASSERT(req_init(&r, env2) == APP_OK);
	T_ASSERT(r.method == REQ_OTHER); /* methods are case-sensitive */
	req_free(&r);
}

static enum app_err
read_with(const char *cl, const char *body, size_t max, char *msg,
    struct req *r)
{
	char clbuf[64];
	char *env[] = { "REQUEST_METHOD=POST", clbuf, NULL };
	struct mem m = { body, strlen(body), 0 };
	struct req_io io = { mem_read, &m };

	snprintf(clbuf, sizeof(clbuf), "CONTENT_LENGTH=%s", cl);
	if (req_init(r, env) != APP_OK)
		return APP_ENOMEM;
	/* envp points at our stack: only valid inside this call. */
	return req_read_body(r, &io, max, msg, REQ_MSG_BYTES);
}

static void
test_body_read(void)
{
	char msg[REQ_MSG_BYTES];
	struct req r;

	T_ASSERT(read_with("5", "hello", 5, msg, &r) == APP_OK);
	T_ASSERT(r.body_len == 5 && memcmp(r.body, "hello", 5) == 0);
	req_free(&r);
	/* One byte over the cap: refused before reading. */
	T_ASSERT(read_with("6", "hello!", 5, msg, &r) == APP_ETOOBIG);
	T_ASSERT(strstr(msg, "5 bytes") != NULL);
	req_free(&r);
	T_ASSERT(read_with("10", "short", 100, msg, &r) == APP_EINPUT);
	T_STREQ(msg, "Request body shorter than Content-Length.");
	req_free(&r);
	T_ASSERT(read_with("-1", "", 100, msg, &r) == APP_EINPUT);
	T_STREQ(msg, "Invalid Content-Length header.");
	req_free(&r);
	T_ASSERT(read_with("1e3", "", 100, msg, &r) == APP_EINPUT);
	req_free(&r);
	T_ASSERT(read_with("99999999999999999999999", "", 100, msg, &r) ==
	    APP_EINPUT);
	req_free(&r);
	T_ASSERT(read_with("", "", 100, msg, &r) == APP_OK);
	T_ASSERT(r.body_len == 0);
	req_free(&r);
}

/* CONTENT_LENGTH of cl (NULL: none), through the one rule. */
static enum app_err
cl_of(const char *cl, size_t *len)
{
	char clbuf[64];
	char *env[] = { clbuf, NULL };
	struct req r;
	enum app_err er;

	snprintf(clbuf, sizeof(clbuf), "CONTENT_LENGTH=%s", cl);
	if (cl == NULL)
		env[0] = NULL;
	if (req_init(&r, env) != APP_OK)
		return APP_ENOMEM;
	er = req_content_length(&r, len);
	req_free(&r);
	return er;
}

static void
test_content_length(void)
{
	size_t len = 7;

	T_ASSERT(cl_of(NULL, &len) == APP_OK && len == 0);
	T_ASSERT(cl_of("", &len) == APP_OK && len == 0);
	T_ASSERT(cl_of("0", &len) == APP_OK && len == 0);
	T_ASSERT(cl_of("0042", &len) == APP_OK && len == 42);
	T_ASSERT(cl_of("999999999999999999", &len) == APP_OK &&
	    len == 999999999999999999ULL);
	len = 7;
	/* Refused values leave *len alone. */
	T_ASSERT(cl_of("1000000000000000000", &len) == APP_EINPUT && len == 7);
	T_ASSERT(cl_of("-1", &len) == APP_EINPUT && len == 7);
	T_ASSERT(cl_of("+1", &len) == APP_EINPUT);
	T_ASSERT(cl_of(" 1", &len) == APP_EINPUT);
	T_ASSERT(cl_of("1 ", &len) == APP_EINPUT);
	T_ASSERT(cl_of("0x10", &len) == APP_EINPUT);
	T_ASSERT(cl_of("1e3", &len) == APP_EINPUT && len == 7);
}

static enum app_err
parse_with(const char *ct, const char *body, char *msg, struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->content_type = ct;
	r->body = strdup(body);
	r->body_len = strlen(body);
	return req_parse_body(r, msg, REQ_MSG_BYTES);
}

static void
test_body_parse(void)
{
	char msg[REQ_MSG_BYTES];
	struct req r;

	T_ASSERT(parse_with("application/json; charset=utf-8", "{\"a\":1}",
		     msg, &r) == APP_OK);
	T_ASSERT(json_object_object_length(r.data) == 1);
	req_free(&r);
	T_ASSERT(parse_with("Application/JSON", "{}", msg, &r) == APP_OK);
	req_free(&r);
	T_ASSERT(parse_with("application/json", "x", msg, &r) == APP_EINPUT);
	T_STREQ(msg,
	    "JSON parse error - Expecting value: line 1 column 1 (char 0)");
	req_free(&r);
	T_ASSERT(parse_with("application/json", "[1]", msg, &r) ==
	    APP_ESHAPE);
	T_STREQ(msg, "Invalid data. Expected a dictionary, but got list.");
	req_free(&r);
	T_ASSERT(parse_with("application/json", " null ", msg, &r) ==
	    APP_ESHAPE);
	T_STREQ(msg, "No data provided");
	req_free(&r);
	T_ASSERT(parse_with("application/x-www-form-urlencoded",
		     "a=1&b=x+y%21", msg, &r) == APP_OK);
	T_STREQ(json_object_get_string(json_object_object_get(r.data, "b")),
	    "x y!");
	req_free(&r);
	T_ASSERT(parse_with("text/plain", "hi", msg, &r) == APP_EMEDIA);
	T_STREQ(msg, "Unsupported media type \"text/plain\" in request.");
	req_free(&r);
	T_ASSERT(parse_with("application/jsonx", "{}", msg, &r) ==
	    APP_EMEDIA);
	req_free(&r);
	/* DRF: no body is an empty dict; a body without a type is 415. */
	T_ASSERT(parse_with(NULL, "garbage", msg, &r) == APP_EMEDIA);
	T_STREQ(msg, "Unsupported media type \"\" in request.");
	req_free(&r);
	T_ASSERT(parse_with(NULL, "", msg, &r) == APP_OK);
	T_ASSERT(json_object_object_length(r.data) == 0);
	req_free(&r);
	T_ASSERT(parse_with("text/plain", "", msg, &r) == APP_OK);
	req_free(&r);
}

static enum app_err
field(const char *json, const char *name, unsigned flags, size_t max,
    char *out, size_t outsz, bool *present, char *err, size_t errsz)
{
	struct json_object *errs = NULL, *list;
	char msg[REQ_MSG_BYTES];
	enum app_err er;
	struct req r;

	err[0] = '\0';
	if (parse_with("application/json", json, msg, &r) != APP_OK)
		return APP_EINTERNAL;
	er = req_field_string(&r, name, flags, max, out, outsz, present,
	    &errs);
	if (errs != NULL && json_object_object_get_ex(errs, name, &list))
		snprintf(err, errsz, "%s",
		    json_object_get_string(json_object_array_get_idx(list,
			json_object_array_length(list) - 1)));
	json_object_put(errs);
	req_free(&r);
	return er;
}

static void
test_fields(void)
{
	char out[64], err[128];
	bool present;

	T_ASSERT(field("{\"p\":\"  x y \\t\"}", "p", REQ_F_REQUIRED, 10,
		     out, sizeof(out), &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "x y");
	T_ASSERT(present);
	T_ASSERT(field("{\"p\":\"\\u00a0x\\u3000\"}", "p", 0, 10, out,
		     sizeof(out), &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "x"); /* Python's str.strip set */
	T_ASSERT(field("{\"p\":\" x \"}", "p", REQ_F_NOTRIM, 10, out,
		     sizeof(out), &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, " x ");
	T_ASSERT(field("{}", "p", REQ_F_REQUIRED, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err, "This field is required.");
	T_ASSERT(!present);
	T_ASSERT(field("{}", "p", 0, 10, out, sizeof(out), &present, err,
		     sizeof(err)) == APP_OK);
	T_ASSERT(field("{\"p\":\"  \"}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err, "This field may not be blank.");
	T_ASSERT(field("{\"p\":\"\"}", "p", REQ_F_BLANK, 10, out,
		     sizeof(out), &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "");
	T_ASSERT(field("{\"p\":null}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err, "This field may not be null.");
	T_ASSERT(field("{\"p\":true}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err, "Not a valid string.");
	T_ASSERT(field("{\"p\":[1]}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err, "Not a valid string.");
	T_ASSERT(field("{\"p\":-42}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "-42");
	T_ASSERT(field("{\"p\":1.5}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "1.5");
	T_ASSERT(field("{\"p\":100.0}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "100.0"); /* Python's str(float) */
	T_ASSERT(field("{\"p\":1e16}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "1e+16");
	T_ASSERT(field("{\"p\":1e-5}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "1e-05");
	T_ASSERT(field("{\"p\":0.001}", "p", 0, 10, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_OK);
	T_STREQ(out, "0.001");
	/* max_length counts characters, not bytes: one over is refused. */
	T_ASSERT(field("{\"p\":\"\\u00e9\\u00e9\\u00e9\"}", "p", 0, 3, out,
		     sizeof(out), &present, err, sizeof(err)) == APP_OK);
	T_ASSERT(field("{\"p\":\"abcd\"}", "p", 0, 3, out, sizeof(out),
		     &present, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err, "Ensure this field has no more than 3 characters.");
	T_ASSERT(field("{\"p\":\"a\\u0000b\"}", "p", 0, 10, out,
		     sizeof(out), &present, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err, "Null characters are not allowed.");
	T_ASSERT(req_utf8_chars("a\xc3\xa9\xe2\x82\xac", 6) == 3);
}

static const char *
header(const char *rendered, const char *name)
{
	return strstr(rendered, name);
}

static void
test_resp(void)
{
	struct app_cookie c = { .name = "sessionid", .age = 60,
		.secure = true, .httponly = true, .samesite = "Lax",
		.domain = "ex.com", .path = "/api" };
	struct app_cookie old = { .name = "old", .age = 5, .secure = false,
		.httponly = true, .samesite = "None" };
	struct app_cookie browser = { .name = "b", .age = -1 };
	struct json_object *errs = NULL;
	struct resp r;
	size_t len;
	char *out;

	resp_init(&r);
	resp_header(&r, "X-A", "1");
	resp_cookie(&r, &c, "abc");
	resp_cookie_delete(&r, &old);
	resp_cookie(&r, &browser, "v");
	resp_detail(&r, 401, "No.");
	out = resp_render(&r, &len);
	T_ASSERT(out != NULL && len == strlen(out));
	T_ASSERT(strncmp(out, "Status: 401 Unauthorized\r\n", 26) == 0);
	T_ASSERT(header(out, "X-A: 1\r\n") != NULL);
	T_ASSERT(header(out, "Set-Cookie: sessionid=abc; Domain=ex.com; "
			     "expires=") != NULL);
	T_ASSERT(header(out, "; HttpOnly; Max-Age=60; Path=/api; "
			     "SameSite=Lax; Secure\r\n") != NULL);
	T_ASSERT(header(out, "Set-Cookie: old=\"\"; expires=Thu, 01 Jan 1970 "
			     "00:00:00 GMT; Max-Age=0; Path=/; SameSite=None; "
			     "Secure\r\n") != NULL);
	/* No age: a browser-session cookie, without expires or Max-Age. */
	T_ASSERT(header(out, "Set-Cookie: b=v; Path=/\r\n") != NULL);
	T_ASSERT(header(out, "Content-Type: application/json\r\n") != NULL);
	T_ASSERT(header(out, "\r\n\r\n{\"detail\":\"No.\"}") != NULL);
	free(out);
	resp_free(&r);

	/* HEAD: the length of the body, but no body. */
	resp_init(&r);
	r.head = true;
	resp_detail(&r, 200, "yes");
	out = resp_render(&r, &len);
	T_ASSERT(header(out, "Content-Length: 16\r\n\r\n") != NULL);
	T_ASSERT(out[len - 1] == '\n');
	free(out);
	resp_free(&r);

	/* 204: no body, no content type. */
	resp_init(&r);
	resp_json(&r, 204, NULL);
	out = resp_render(&r, &len);
	T_ASSERT(strstr(out, "Content-Type") == NULL);
	T_ASSERT(header(out, "Content-Length: 0\r\n") != NULL);
	free(out);
	resp_free(&r);

	/* Field errors gather per field, in order; slashes not escaped. */
	T_ASSERT(resp_errors_add(&errs, "a", "one/two") == APP_OK);
	T_ASSERT(resp_errors_add(&errs, "a", "three") == APP_OK);
	T_ASSERT(resp_errors_add(&errs, "b", "\xc3\xa9") == APP_OK);
	resp_init(&r);
	resp_json(&r, 400, errs);
	out = resp_render(&r, &len);
	T_ASSERT(header(out,
		     "{\"a\":[\"one/two\",\"three\"],\"b\":[\"\xc3\xa9\"]}") !=
	    NULL);
	free(out);
	resp_free(&r);

	/* Too many headers: the fixed 500 answer, never a half answer. */
	resp_init(&r);
	for (len = 0; len < LIMIT_RESP_HEADERS + 1; len++)
		resp_header(&r, "X", "y");
	T_ASSERT(r.failed);
	out = resp_render(&r, &len);
	T_ASSERT(strncmp(out, "Status: 500", 11) == 0);
	free(out);
	resp_free(&r);

	T_ASSERT(resp_status(APP_EDB) == 503);
	T_ASSERT(resp_status(APP_ETOOBIG) == 413);
	T_ASSERT(resp_status(APP_EMEDIA) == 415);
	T_ASSERT(resp_status((enum app_err)999) == 500);
}

static void
test_tokens(void)
{
	char a[TOK_KEY_BYTES], b[TOK_KEY_BYTES];
	size_t i;
	bool hex = true;

	T_ASSERT(tok_key_new(a) == APP_OK);
	T_ASSERT(tok_key_new(b) == APP_OK);
	T_ASSERT(strlen(a) == 40);
	for (i = 0; i < 40; i++)
		hex = hex && strchr("0123456789abcdef", a[i]) != NULL;
	T_ASSERT(hex);
	T_ASSERT(strcmp(a, b) != 0);
	T_ASSERT(tok_hex_random(a, 100) == APP_EINTERNAL); /* over the cap */
}

static enum app_err
auth_with(const char *hdr, bool token_model, const char **msg,
    struct auth_result *res)
{
	struct auth_fail fail = { NULL, NULL, NULL, "" };
	struct app_config cfg;
	struct db db;
	struct req r;
	enum app_err er;

	memset(&cfg, 0, sizeof(cfg));
	cfg.rest_auth.token_model = token_model ? "x" : NULL;
	memset(&r, 0, sizeof(r));
	r.authorization = hdr;
	/* A database nobody can reach: parsing errors must come first. */
	if (db_init(&db, "host=/nonexistent dbname=x") != APP_OK)
		return APP_ENOMEM;
	er = auth_request(&cfg, NULL, &db, &r, res, &fail);
	*msg = fail.detail;
	db_free(&db);
	return er;
}

static void
test_auth_header(void)
{
	struct auth_result res;
	const char *msg = NULL;

	T_ASSERT(auth_with(NULL, true, &msg, &res) == APP_OK);
	T_ASSERT(res.kind == AUTH_NONE);
	T_ASSERT(auth_with("Bearer x.y.z", true, &msg, &res) == APP_OK);
	T_ASSERT(res.kind == AUTH_NONE);
	T_ASSERT(auth_with("Tokens abc", true, &msg, &res) == APP_OK);
	T_ASSERT(auth_with("Token abc", false, &msg, &res) == APP_OK);
	T_ASSERT(auth_with("   ", true, &msg, &res) == APP_OK);
	T_ASSERT(auth_with("Token", true, &msg, &res) == APP_EAUTH);
	T_STREQ(msg, "Invalid token header. No credentials provided.");
	T_ASSERT(auth_with("token  ", true, &msg, &res) == APP_EAUTH);
	T_STREQ(msg, "Invalid token header. No credentials provided.");
	T_ASSERT(auth_with("Token a b", true, &msg, &res) == APP_EAUTH);
	T_STREQ(msg, "Invalid token header. Token string should not contain "
		     "spaces.");
	T_ASSERT(auth_with("TOKEN \xff\xfe", true, &msg, &res) == APP_EAUTH);
	T_STREQ(msg, "Invalid token header. Token string should not contain "
		     "invalid characters.");
	T_ASSERT(auth_with("Token \xc0\xaf", true, &msg, &res) == APP_EAUTH);
	T_STREQ(msg, "Invalid token header. Token string should not contain "
		     "invalid characters.");
	T_ASSERT(auth_with("Token "
			   "0123456789012345678901234567890123456789X",
		     true, &msg, &res) == APP_EAUTH);
	T_STREQ(msg, "Invalid token.");
	/* A well-formed key needs the database, which is down here. */
	T_ASSERT(auth_with("Token 0123", true, &msg, &res) == APP_EDB);
}

int
main(void)
{
	test_env_and_cookies();
	test_methods();
	test_body_read();
	test_content_length();
	test_body_parse();
	test_fields();
	test_resp();
	test_tokens();
	test_auth_header();
	return T_DONE();
}
