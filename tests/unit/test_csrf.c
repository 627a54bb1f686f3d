/*
 * test_csrf: Django's CsrfViewMiddleware checks as csrf.c runs them:
 * the token (32 characters, or 64 masked) in the cookie against the
 * header, Origin and (over https) Referer against the request's own
 * origin and CSRF_TRUSTED_ORIGINS, each failure reason word for word;
 * the looser origin-only check; the new cookie at login.
 */
#include <stdlib.h>
#include <string.h>

#include "csrf.h"
#include "host.h"
#include "inproc.h"
#include "req.h"
#include "resp.h"
#include "serve.h"
#include "testhelp.h"

static const char chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

#define SECRET "abcdefghijklmnopqrstuvwxyzABCDEF"
#define OTHER "0123456789abcdefghijklmnopqrstuv"
#define FAILED "CSRF Failed: "
#define HEADER_WORDS FAILED "CSRF token from the 'X-Csrftoken' HTTP header "

/* Django's masking: mask, then each secret character shifted by it. */
static void
mask(const char *secret, const char *m, char out[2 * CSRF_SECRET_CHARS + 1])
{
	size_t i, s, k;

	for (i = 0; i < CSRF_SECRET_CHARS; i++) {
		s = (size_t)(strchr(chars, secret[i]) - chars);
		k = (size_t)(strchr(chars, m[i]) - chars);
		out[i] = m[i];
		out[CSRF_SECRET_CHARS + i] = chars[(s + k) % 62];
	}
	out[2 * CSRF_SECRET_CHARS] = '\0';
}

/*
 * csrf_check (or, with origin_only, csrf_origin_check) on a POST to
 * localhost with env's variables; want NULL: it passes, else the reason
 * it gives.
 */
static void
check(const struct app_config *cfg, bool origin_only, const char *const *env,
    const char *want)
{
	char reason[CSRF_REASON_BYTES] = "";
	struct inproc_env e;
	struct req r;
	enum app_err er;

	if (inproc_env_init(&e, "POST", "x/", env, NULL) != 0 ||
	    req_init(&r, e.envp) != APP_OK) {
		T_ASSERT(!"req_init");
		return;
	}
	er = origin_only ? csrf_origin_check(cfg, &r, reason)
			 : csrf_check(cfg, &r, reason);
	if (want == NULL)
		T_ASSERT(er == APP_OK);
	else {
		T_ASSERT(er == APP_EDENIED);
		T_STREQ(reason, want);
	}
	req_free(&r);
}

#define COOKIE "HTTP_COOKIE=csrftoken="

static void
test_token(const struct app_config *cfg)
{
	char masked[2 * CSRF_SECRET_CHARS + 1],
	    other[2 * CSRF_SECRET_CHARS + 1];
	char hdr[128], hdr2[128], cookie[128];
	const char *env[4] = { NULL };

	check(cfg, false, (const char *const[]) { "REQUEST_METHOD=GET", NULL },
	    NULL);
	check(cfg, false,
	    (const char *const[]) { "REQUEST_METHOD=OPTIONS", NULL }, NULL);
	check(cfg, false, NULL, FAILED "CSRF cookie not set.");
	check(cfg, false, (const char *const[]) { COOKIE SECRET, NULL },
	    FAILED "CSRF token missing.");
	check(cfg, false,
	    (const char *const[]) { COOKIE SECRET, "HTTP_X_CSRFTOKEN=", NULL },
	    FAILED "CSRF token missing.");
	check(cfg, false,
	    (const char *const[]) { COOKIE SECRET, "HTTP_X_CSRFTOKEN=abc",
		NULL },
	    HEADER_WORDS "has incorrect length.");
	check(cfg, false,
	    (const char *const[]) { COOKIE SECRET,
		"HTTP_X_CSRFTOKEN=abcdefghijklmnopqrstuvwxyzABCDE-", NULL },
	    HEADER_WORDS "has invalid characters.");

	/* The secret itself, or masked with any mask. */
	env[0] = COOKIE SECRET;
	env[1] = "HTTP_X_CSRFTOKEN=" SECRET;
	check(cfg, false, env, NULL);
	mask(SECRET, "ZYXWVUTSRQPONMLKJIHGFEDCBA987654", masked);
	snprintf(hdr, sizeof(hdr), "HTTP_X_CSRFTOKEN=%s", masked);
	env[1] = hdr;
	check(cfg, false, env, NULL);
	mask(SECRET, "00000000000000000000000000000000", other);
	snprintf(hdr2, sizeof(hdr2), "HTTP_X_CSRFTOKEN=%s", other);
	env[1] = hdr2;
	check(cfg, false, env, NULL);
	/* A masked cookie (what Django sent before 4.1) counts too. */
	snprintf(cookie, sizeof(cookie), COOKIE "%s", masked);
	env[0] = cookie;
	env[1] = "HTTP_X_CSRFTOKEN=" SECRET;
	check(cfg, false, env, NULL);
	env[1] = hdr2;
	check(cfg, false, env, NULL);

	/* Another secret, plain or masked; a cookie that is no token. */
	env[0] = COOKIE SECRET;
	env[1] = "HTTP_X_CSRFTOKEN=" OTHER;
	check(cfg, false, env, HEADER_WORDS "incorrect.");
	mask(OTHER, "ZYXWVUTSRQPONMLKJIHGFEDCBA987654", masked);
	snprintf(hdr, sizeof(hdr), "HTTP_X_CSRFTOKEN=%s", masked);
	env[1] = hdr;
	check(cfg, false, env, HEADER_WORDS "incorrect.");
	env[0] = COOKIE "short";
	env[1] = "HTTP_X_CSRFTOKEN=" SECRET;
	check(cfg, false, env, HEADER_WORDS "incorrect.");
}

#define GOOD COOKIE SECRET, "HTTP_X_CSRFTOKEN=" SECRET
#define ORIGIN_WORDS(o)                                                        \
	FAILED "Origin checking failed - " o " does not match any trusted "    \
	       "origins."
#define REFERER_WORDS FAILED "Referer checking failed - "

/* A POST with a good token from origin: trusted or refused. */
static void
origin_is(const struct app_config *cfg, const char *origin, bool trusted)
{
	char var[256], want[CSRF_REASON_BYTES];

	snprintf(var, sizeof(var), "HTTP_ORIGIN=%s", origin);
	snprintf(want, sizeof(want), ORIGIN_WORDS("%s"), origin);
	check(cfg, false, (const char *const[]) { GOOD, var, NULL },
	    trusted ? NULL : want);
}

/* A POST over https with a good token and no Origin: the Referer's
 * verdict (NULL: passes). */
static void
referer_is(const struct app_config *cfg, const char *referer, const char *want)
{
	check(cfg, false,
	    (const char *const[]) { GOOD, "HTTPS=on", referer, NULL }, want);
}

static void
test_origin(const struct app_config *cfg)
{
	origin_is(cfg, "http://localhost", true);
	origin_is(cfg, "https://localhost", false);
	origin_is(cfg, "http://evil.example", false);
	origin_is(cfg, "null", false);
	/* CSRF_TRUSTED_ORIGINS: exact, and *.example.com with its scheme. */
	origin_is(cfg, "https://trusted.example", true);
	origin_is(cfg, "https://a.b.example.com", true);
	origin_is(cfg, "https://example.com", true);
	origin_is(cfg, "http://a.example.com", false);
	origin_is(cfg, "https://evilexample.com", false);
	/* CORS_ALLOWED_ORIGINS are not CSRF-trusted in Django's check. */
	origin_is(cfg, "https://app.example", false);

	/* Over https without Origin: the Referer decides. */
	referer_is(cfg, NULL, REFERER_WORDS "no Referer.");
	referer_is(cfg, "HTTP_REFERER=http://localhost/x",
	    REFERER_WORDS "Referer is insecure while host is secure.");
	referer_is(cfg, "HTTP_REFERER=nonsense",
	    REFERER_WORDS "Referer is malformed.");
	referer_is(cfg, "HTTP_REFERER=https:///x",
	    REFERER_WORDS "Referer is malformed.");
	referer_is(cfg, "HTTP_REFERER=https://localhost/page?q=1", NULL);
	referer_is(cfg, "HTTP_REFERER=https://x.example.com/", NULL);
	referer_is(cfg, "HTTP_REFERER=https://evil.example/p",
	    REFERER_WORDS "https://evil.example/p does not match any trusted "
			  "origins.");
	/* Over http, the Referer is not looked at. */
	check(cfg, false,
	    (const char *const[]) { GOOD, "HTTP_REFERER=https://evil.example/",
		NULL },
	    NULL);
}

/* The origin half alone, for cookie credentials without the token. */
static void
test_origin_only(const struct app_config *cfg)
{
	check(cfg, true, NULL, NULL);
	check(cfg, true, (const char *const[]) { "HTTPS=on", NULL }, NULL);
	check(cfg, true,
	    (const char *const[]) { "REQUEST_METHOD=GET",
		"HTTP_ORIGIN=http://evil.example", NULL },
	    NULL);
	check(cfg, true,
	    (const char *const[]) { "HTTP_ORIGIN=http://evil.example", NULL },
	    ORIGIN_WORDS("http://evil.example"));
	check(cfg, true, (const char *const[]) { "HTTP_ORIGIN=null", NULL },
	    ORIGIN_WORDS("null"));
	check(cfg, true,
	    (const char *const[]) { "HTTP_ORIGIN=https://app.example", NULL },
	    NULL);
	check(cfg, true,
	    (const char *const[]) { "HTTPS=on",
		"HTTP_REFERER=https://evil.example/", NULL },
	    REFERER_WORDS "https://evil.example/ does not match any trusted "
			  "origins.");
	check(cfg, true,
	    (const char *const[]) { "HTTPS=on",
		"HTTP_REFERER=https://app.example/", NULL },
	    NULL);
}

static void
test_cookie_new(const struct app_config *cfg)
{
	struct resp r;
	const char *v, *w;
	size_t i;

	resp_init(&r);
	T_ASSERT(csrf_cookie_new(cfg, &r) == APP_OK);
	T_ASSERT(csrf_cookie_new(cfg, &r) == APP_OK);
	T_ASSERT(r.nheaders == 2);
	if (r.nheaders == 2) {
		v = r.headers[0].value;
		w = r.headers[1].value;
		T_STREQ(r.headers[0].name, "Set-Cookie");
		T_ASSERT(strncmp(v, "csrftoken=", 10) == 0);
		for (i = 10; i < 10 + CSRF_SECRET_CHARS; i++)
			T_ASSERT(v[i] != '\0' && strchr(chars, v[i]) != NULL);
		T_ASSERT(
		    strncmp(v + 10 + CSRF_SECRET_CHARS, "; expires=", 10) == 0);
		T_ASSERT(
		    strstr(v, "; Max-Age=31449600; Path=/; SameSite=Lax") !=
		    NULL);
		T_ASSERT(strstr(v, "HttpOnly") == NULL);
		/* A new secret each time. */
		T_ASSERT(strncmp(v, w, 10 + CSRF_SECRET_CHARS) != 0);
	}
	resp_free(&r);
}

static void
test_secure(struct app_ctx *ctx)
{
	const struct app_config *cfg = &ctx->cfg;
	struct req r;
	char *env[][3] = {
		{ "HTTP_X_FORWARDED_PROTO=https", NULL },
		{ "HTTP_X_FORWARDED_PROTO= https , http", NULL },
		{ "HTTP_X_FORWARDED_PROTO=http, https", NULL },
		{ "HTTPS=on", NULL },
	};
	const bool want[] = { true, true, false, false };
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (req_init(&r, env[i]) != APP_OK) {
			T_ASSERT(!"req_init");
			continue;
		}
		T_ASSERT(host_is_secure(cfg, &r) == want[i]);
		req_free(&r);
	}
}

static void
test_all(struct app_ctx *ctx)
{
	const struct app_config *cfg = &ctx->cfg;

	test_token(cfg);
	test_origin(cfg);
	test_origin_only(cfg);
	test_cookie_new(cfg);
}

int
main(void)
{
	T_ASSERT(inproc_with(
		     "{\"ALLOWED_HOSTS\": [\"localhost\"],"
		     "\"CSRF_TRUSTED_ORIGINS\": [\"https://trusted.example\","
		     "\"https://*.example.com\"],"
		     "\"CORS_ALLOWED_ORIGINS\": [\"https://app.example\"]}",
		     test_all) == 0);
	T_ASSERT(inproc_with("{\"SECURE_PROXY_SSL_HEADER\": "
			     "[\"HTTP_X_FORWARDED_PROTO\", \"https\"]}",
		     test_secure) == 0);
	return T_DONE();
}
