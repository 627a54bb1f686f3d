/*
 * test_resp: the answer as the program writes it: the status line and
 * its reason, headers in order, the JSON body as DRF renders it
 * (compact, UTF-8 and slashes unescaped), HEAD, Set-Cookie in Django's
 * attribute order, the error table, DRF's error shapes, and the fixed
 * 500 when building the answer failed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "resp.h"
#include "testhelp.h"

/* Render r, compare with want, free both. */
static void
rendered(struct resp *r, const char *want)
{
	size_t len = 0;
	char *buf = resp_render(r, &len);

	T_STREQ(buf, want);
	T_ASSERT(buf != NULL && len == strlen(buf));
	free(buf);
	resp_free(r);
}

static void
test_render(void)
{
	struct resp r;
	struct json_object *o;

	resp_init(&r);
	T_ASSERT(r.status == 200 && r.nheaders == 0 && r.body == NULL);
	rendered(&r, "Status: 200 OK\r\nContent-Length: 0\r\n\r\n");

	resp_init(&r);
	o = json_object_new_object();
	json_object_object_add(o, "detail",
	    json_object_new_string("caf\xc3\xa9 a/b \"q\""));
	json_object_object_add(o, "n", json_object_new_int(3));
	resp_json(&r, 201, o);
	resp_header(&r, "Vary", "Accept");
	resp_header(&r, "Allow", "POST, OPTIONS");
	rendered(&r,
	    "Status: 201 Created\r\nVary: Accept\r\n"
	    "Allow: POST, OPTIONS\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 34\r\n\r\n"
	    "{\"detail\":\"caf\xc3\xa9 a/b \\\"q\\\"\",\"n\":3}");

	/* HEAD: the headers of the GET, Content-Length included. */
	resp_init(&r);
	r.head = true;
	resp_detail(&r, 404, "Not found.");
	rendered(&r,
	    "Status: 404 Not Found\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 23\r\n\r\n");

	/* A status without a reason of ours. */
	resp_init(&r);
	resp_json(&r, 418, NULL);
	rendered(&r, "Status: 418 Unknown\r\nContent-Length: 0\r\n\r\n");

	/* resp_json replaces the body it had. */
	resp_init(&r);
	resp_detail(&r, 400, "first");
	resp_json(&r, 204, NULL);
	rendered(&r, "Status: 204 No Content\r\nContent-Length: 0\r\n\r\n");
}

static void
test_failed(void)
{
	static const char fixed[] = "Status: 500 Internal Server Error\r\n"
				    "Content-Type: application/json\r\n"
				    "Content-Length: 37\r\n\r\n"
				    "{\"detail\":\"A server error occurred.\"}";
	char name[16];
	struct resp r;
	size_t i;

	resp_init(&r);
	for (i = 0; i < LIMIT_RESP_HEADERS; i++) {
		snprintf(name, sizeof(name), "X-%zu", i);
		resp_header(&r, name, "v");
	}
	T_ASSERT(!r.failed && r.nheaders == LIMIT_RESP_HEADERS);
	resp_header(&r, "X-One-Too-Many", "v");
	T_ASSERT(r.failed && r.nheaders == LIMIT_RESP_HEADERS);
	resp_detail(&r, 200, "ok");
	rendered(&r, fixed);
	/* A cookie line over LIMIT_HEADER is not cut: the answer fails. */
	{
		char big[LIMIT_HEADER];
		struct app_cookie c = { .name = (char *)(uintptr_t) "n",
			.age = -1 };

		memset(big, 'v', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		resp_init(&r);
		resp_cookie(&r, &c, big);
		T_ASSERT(r.failed && r.nheaders == 0);
		rendered(&r, fixed);
	}
}

static void
test_cookies(void)
{
	struct resp r;
	char name[] = "sessionid", lax[] = "Lax", strict[] = "Strict";
	char path[] = "/auth/", domain[] = ".example.com";
	struct app_cookie c = { .name = name,
		.age = -1,
		.httponly = true,
		.samesite = lax };
	/* Django's delete_cookie: Secure for SameSite=None and the
	 * __Secure-/__Host- prefixes. */
	static const struct {
		const char *name, *path, *domain, *samesite, *rest;
	} del[] = {
		{ "csrftoken", NULL, NULL, "Lax", "Path=/; SameSite=Lax" },
		{ "jwt", "/x/", "a.example", "None",
		    "Path=/x/; SameSite=None; Secure" },
		{ "__Host-s", NULL, NULL, NULL, "Path=/; Secure" },
		{ "__Secure-s", NULL, NULL, "lax",
		    "Path=/; SameSite=lax; Secure" },
	};
	char want[256], date[32], date2[32];
	time_t now;
	size_t i;
	struct tm tm;

	resp_init(&r);
	resp_cookie(&r, &c, "abc");
	T_STREQ(r.headers[0].name, "Set-Cookie");
	T_STREQ(r.headers[0].value,
	    "sessionid=abc; HttpOnly; Path=/; SameSite=Lax");
	resp_free(&r);

	/* Every attribute, in SimpleCookie's order. */
	c.age = 3600;
	c.path = path;
	c.domain = domain;
	c.secure = true;
	c.samesite = strict;
	now = time(NULL);
	resp_init(&r);
	resp_cookie(&r, &c, "abc");
	gmtime_r(&(time_t) { now + 3600 }, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	gmtime_r(&(time_t) { now + 3601 }, &tm);
	strftime(date2, sizeof(date2), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(want, sizeof(want),
	    "sessionid=abc; Domain=.example.com; expires=%s; HttpOnly; "
	    "Max-Age=3600; Path=/auth/; SameSite=Strict; Secure",
	    strstr(r.headers[0].value, date2) != NULL ? date2 : date);
	T_STREQ(r.headers[0].value, want);
	resp_free(&r);

	/* Max-Age 0 is a cookie that expires now, not a session one. */
	c.age = 0;
	c.domain = NULL;
	c.httponly = false;
	c.secure = false;
	c.samesite = NULL;
	resp_init(&r);
	resp_cookie(&r, &c, "abc");
	T_ASSERT(strstr(r.headers[0].value, "; expires=") != NULL);
	T_ASSERT(
	    strstr(r.headers[0].value, "; Max-Age=0; Path=/auth/") != NULL);
	resp_free(&r);

	for (i = 0; i < sizeof(del) / sizeof(del[0]); i++) {
		resp_init(&r);
		struct app_cookie d = { .name = (char *)(uintptr_t)del[i].name,
			.path = (char *)(uintptr_t)del[i].path,
			.domain = (char *)(uintptr_t)del[i].domain,
			.samesite = (char *)(uintptr_t)del[i].samesite };

		resp_cookie_delete(&r, &d);
		snprintf(want, sizeof(want),
		    "%s=\"\"; %sexpires=Thu, 01 Jan 1970 00:00:00 GMT; "
		    "Max-Age=0; %s",
		    del[i].name,
		    del[i].domain != NULL ? "Domain=a.example; " : "",
		    del[i].rest);
		T_ASSERT(r.nheaders == 1);
		T_STREQ(r.headers[0].value, want);
		resp_free(&r);
	}
}

/* resp_error's status and body for er. */
static void
error_is(enum app_err er, const char *want)
{
	struct resp r;
	char buf[256];
	size_t len;
	char *out;

	resp_init(&r);
	resp_error(&r, er);
	out = resp_render(&r, &len);
	T_ASSERT(out != NULL &&
	    r.status ==
		resp_status(er == APP_OK || (unsigned)er >= APP_ERR__MAX
			? APP_EINTERNAL
			: er));
	snprintf(buf, sizeof(buf), "{\"detail\":\"%s\"}", want);
	T_STREQ(out != NULL ? strstr(out, "\r\n\r\n") + 4 : NULL, buf);
	free(out);
	resp_free(&r);
}

static void
test_errors(void)
{
	/* resp_status of each code, in app.h's order: APP_OK, EINPUT,
	 * ESHAPE, EAUTH, EDENIED, ENOTFOUND, EMETHOD, ECONFLICT, ETOOBIG,
	 * EMEDIA, ETHROTTLED, ENOMEM, EINTERNAL, EDB. */
	static const int statuses[APP_ERR__MAX] = { 200, 400, 400, 401, 403,
		404, 405, 409, 413, 415, 429, 500, 500, 503 };
	struct json_object *errs = NULL;
	size_t i;
	struct resp r;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		T_ASSERT(resp_status((enum app_err)i) == statuses[i]);
	T_ASSERT(resp_status(APP_ERR__MAX) == 500);
	T_ASSERT(resp_status((enum app_err) - 1) == 500);

	/* The same words for an unknown user and a wrong password. */
	error_is(APP_EAUTH, "Authentication credentials were not provided.");
	error_is(APP_EDENIED,
	    "You do not have permission to perform this action.");
	error_is(APP_ETHROTTLED, "Request was throttled.");
	error_is(APP_EDB, "Service temporarily unavailable, try again later.");
	error_is(APP_ENOMEM, "A server error occurred.");
	/* APP_OK and out-of-range codes are programmer errors: a 500. */
	error_is(APP_OK, "A server error occurred.");
	error_is(APP_ERR__MAX, "A server error occurred.");

	/* DRF's serializer errors: every message, in order, per field. */
	T_ASSERT(resp_errors_add(&errs, "password", "Too short.") == APP_OK);
	T_ASSERT(resp_errors_add(&errs, "username", "Taken.") == APP_OK);
	T_ASSERT(resp_errors_add(&errs, "password", "Too common.") == APP_OK);
	T_STREQ(json_object_to_json_string_ext(errs, JSON_C_TO_STRING_PLAIN),
	    "{\"password\":[\"Too short.\",\"Too common.\"],"
	    "\"username\":[\"Taken.\"]}");
	json_object_put(errs);

	resp_init(&r);
	resp_field_error(&r, 400, "non_field_errors", "No data provided");
	rendered(&r,
	    "Status: 400 Bad Request\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 41\r\n\r\n"
	    "{\"non_field_errors\":[\"No data provided\"]}");
}

int
main(void)
{
	test_render();
	test_failed();
	test_cookies();
	test_errors();
	return T_DONE();
}
