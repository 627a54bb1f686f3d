/*
 * test_jwtmode: the parts of JWT mode that need no database: the access
 * and refresh cookies (set and unset, per REST_AUTH), reading the
 * refresh cookie (with its origin check) and its jti, DRF's expiration
 * format, and TokenVerifySerializer where no blacklist lookup is due.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "inproc.h"
#include "jwtmode.h"
#include "req.h"
#include "resp.h"
#include "serve.h"
#include "testhelp.h"

/* A token of type for user 7 at now; the caller frees it. */
static char *
mint(struct app_ctx *ctx, enum jwt_type type, time_t now, struct jwt_claims *c)
{
	struct jwt_uid uid = { JWT_UID_INT, 7, "" };
	char *tok = NULL;

	if (jwt_mint(ctx->jwt, type, &uid, now, &tok, c) != APP_OK)
		T_ASSERT(!"jwt_mint");
	return tok;
}

static void
drop(char *tok)
{
	if (tok != NULL)
		OPENSSL_cleanse(tok, strlen(tok));
	free(tok);
}

/* The value of header i of r without its expires attribute. */
static void
cookie_is(const struct resp *r, size_t i, const char *before, const char *after)
{
	const char *v, *e;

	T_ASSERT(i < r->nheaders);
	if (i >= r->nheaders)
		return;
	v = r->headers[i].value;
	T_STREQ(r->headers[i].name, "Set-Cookie");
	T_ASSERT(strncmp(v, before, strlen(before)) == 0);
	e = strstr(v, " GMT");
	T_STREQ(e != NULL ? e + 4 : NULL, after);
}

static void
test_cookies(struct app_ctx *ctx)
{
	const struct app_config *cfg = &ctx->cfg;
	struct resp r;

	resp_init(&r);
	jwtm_cookie_access(cfg, &r, "a.b.c");
	jwtm_cookie_refresh(cfg, &r, "d.e.f");
	T_ASSERT(r.nheaders == 2);
	cookie_is(&r, 0, "jwt-auth=a.b.c; Domain=.example.com; expires=",
	    "; HttpOnly; Max-Age=120; Path=/; SameSite=Strict; Secure");
	cookie_is(&r, 1, "jwt-refresh=d.e.f; Domain=.example.com; expires=",
	    "; HttpOnly; Max-Age=3600; Path=/auth/token/refresh/; "
	    "SameSite=Strict; Secure");
	resp_free(&r);

	resp_init(&r);
	jwtm_cookies_unset(cfg, &r);
	T_ASSERT(r.nheaders == 2);
	cookie_is(&r, 0,
	    "jwt-auth=\"\"; Domain=.example.com; expires=Thu, 01 "
	    "Jan 1970 00:00:00 GMT",
	    "; Max-Age=0; Path=/; SameSite=Strict");
	cookie_is(&r, 1, "jwt-refresh=\"\"; Domain=.example.com; expires=",
	    "; Max-Age=0; Path=/auth/token/refresh/; SameSite=Strict");
	resp_free(&r);
}

/* Without cookie names nothing is set, read or unset. */
static void
test_no_cookies(struct app_ctx *ctx)
{
	const struct app_config *cfg = &ctx->cfg;
	char reason[CSRF_REASON_BYTES], jti[JWT_JTI_BYTES];
	struct inproc_env e;
	const char *raw = NULL;
	struct resp r;
	struct req q;
	char *tok = mint(ctx, JWT_REFRESH, app_now(), NULL), cookie[1024];

	resp_init(&r);
	jwtm_cookie_access(cfg, &r, "a.b.c");
	jwtm_cookie_refresh(cfg, &r, "d.e.f");
	jwtm_cookies_unset(cfg, &r);
	T_ASSERT(r.nheaders == 0);
	resp_free(&r);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=jwt-refresh=%s",
	    tok != NULL ? tok : "");
	if (inproc_env_init(&e, "POST", "x/",
		(const char *const[]) { cookie, NULL }, NULL) == 0 &&
	    req_init(&q, e.envp) == APP_OK) {
		T_ASSERT(jwtm_refresh_cookie(cfg, &q, &raw, reason) ==
		    APP_ENOTFOUND);
		T_ASSERT(!jwtm_cookie_refresh_jti(cfg, ctx->jwt, &q, app_now(),
		    jti));
		req_free(&q);
	} else
		T_ASSERT(!"req_init");
	drop(tok);
}

/*
 * jwtm_refresh_cookie and jwtm_cookie_refresh_jti on a request with
 * env's variables at now: want is refresh_cookie's answer, jti_want
 * the jti found (NULL: none).
 */
static void
refresh_cookie(struct app_ctx *ctx, const char *method, const char *const *env,
    time_t now, enum app_err want, const char *jti_want)
{
	char reason[CSRF_REASON_BYTES] = "", jti[JWT_JTI_BYTES];
	struct inproc_env e;
	const char *raw = NULL;
	struct req r;

	if (inproc_env_init(&e, method, "token/refresh/", env, NULL) != 0 ||
	    req_init(&r, e.envp) != APP_OK) {
		T_ASSERT(!"req_init");
		return;
	}
	T_ASSERT(jwtm_refresh_cookie(&ctx->cfg, &r, &raw, reason) == want);
	if (want == APP_OK)
		T_STREQ(raw, req_cookie(&r, "jwt-refresh"));
	if (want == APP_EDENIED)
		T_STREQ(reason,
		    "CSRF Failed: Origin checking failed - "
		    "http://evil.example does not match any "
		    "trusted origins.");
	if (jti_want != NULL) {
		T_ASSERT(
		    jwtm_cookie_refresh_jti(&ctx->cfg, ctx->jwt, &r, now, jti));
		T_STREQ(jti, jti_want);
	} else
		T_ASSERT(!jwtm_cookie_refresh_jti(&ctx->cfg, ctx->jwt, &r, now,
		    jti));
	req_free(&r);
}

static void
test_refresh_cookie(struct app_ctx *ctx)
{
	struct jwt_claims c;
	time_t now = app_now();
	char *refresh = mint(ctx, JWT_REFRESH, now, &c);
	char *access = mint(ctx, JWT_ACCESS, now, NULL);
	char good[1024], wrong[1024];
	const char *evil = "HTTP_ORIGIN=http://evil.example";

	snprintf(good, sizeof(good), "HTTP_COOKIE=a=b; jwt-refresh=%s",
	    refresh != NULL ? refresh : "");
	snprintf(wrong, sizeof(wrong), "HTTP_COOKIE=jwt-refresh=%s",
	    access != NULL ? access : "");
	refresh_cookie(ctx, "POST", NULL, now, APP_ENOTFOUND, NULL);
	refresh_cookie(ctx, "POST", (const char *const[]) { good, NULL }, now,
	    APP_OK, c.jti);
	/* A cookie the browser adds cross-site is no proof of intent; a
	 * safe method is not checked. */
	refresh_cookie(ctx, "POST", (const char *const[]) { good, evil, NULL },
	    now, APP_EDENIED, c.jti);
	refresh_cookie(ctx, "GET", (const char *const[]) { good, evil, NULL },
	    now, APP_OK, c.jti);
	/* The jti only of a valid refresh token: not an access token, not
	 * an expired one (REFRESH_TOKEN_LIFETIME is 3600 here). */
	refresh_cookie(ctx, "POST", (const char *const[]) { wrong, NULL }, now,
	    APP_OK, NULL);
	refresh_cookie(ctx, "POST", (const char *const[]) { good, NULL },
	    now + 3601, APP_OK, NULL);
	refresh_cookie(ctx, "POST",
	    (const char *const[]) { "HTTP_COOKIE=jwt-refresh=x.y.z", NULL },
	    now, APP_OK, NULL);
	drop(refresh);
	drop(access);
}

/*
 * TokenVerifySerializer: a refresh token's answer is refresh_want (a
 * blacklist lookup, with BLACKLIST_AFTER_ROTATION, finds the database
 * down); an access token is never looked up.
 */
static void
verify(struct app_ctx *ctx, enum app_err refresh_want)
{
	time_t now = app_now();
	char *refresh = mint(ctx, JWT_REFRESH, now, NULL);
	char *access = mint(ctx, JWT_ACCESS, now, NULL);
	const char *msg = NULL;

	T_ASSERT(jwtm_verify(&ctx->cfg, ctx->jwt, &ctx->db, access, now,
		     &msg) == APP_OK);
	T_ASSERT(jwtm_verify(&ctx->cfg, ctx->jwt, &ctx->db, refresh, now,
		     &msg) == refresh_want);
	T_ASSERT(jwtm_verify(&ctx->cfg, ctx->jwt, &ctx->db, access,
		     now + 100000, &msg) == APP_EAUTH);
	T_STREQ(msg, "Token is invalid or expired");
	msg = NULL;
	T_ASSERT(jwtm_verify(&ctx->cfg, ctx->jwt, &ctx->db, "x.y.z", now,
		     &msg) == APP_EAUTH);
	T_STREQ(msg, "Token is invalid or expired");
	drop(refresh);
	drop(access);
}

static void
test_verify_blacklist(struct app_ctx *ctx)
{
	verify(ctx, APP_EDB);
}

static void
test_expiration(void)
{
	char out[JWTM_DATE_BYTES];
	struct tm tm;
	const char *end;
	time_t want = time(NULL) + 300, got;
	size_t n;

	jwtm_expiration(out, 300);
	memset(&tm, 0, sizeof(tm));
	end = strptime(out, "%Y-%m-%dT%H:%M:%S", &tm);
	T_ASSERT(end != NULL);
	if (end == NULL)
		return;
	got = timegm(&tm);
	T_ASSERT(got >= want - 1 && got <= want + 1);
	/* Microseconds (six digits) unless zero, then Z. */
	n = strlen(end);
	T_ASSERT(strcmp(end, "Z") == 0 ||
	    (n == 8 && end[0] == '.' && strspn(end + 1, "0123456789") == 6 &&
		end[7] == 'Z'));
	T_ASSERT(strlen(out) == 20 || strlen(out) == 27);
}

static void
test_all(struct app_ctx *ctx)
{
	test_cookies(ctx);
	test_refresh_cookie(ctx);
	verify(ctx, APP_OK);
}

#define JWT_ON                                                                 \
	"\"ALLOWED_HOSTS\": [\"localhost\"], \"REST_AUTH\": {\"USE_JWT\": "    \
	"true"

int
main(void)
{
	test_expiration();
	T_ASSERT(
	    inproc_with(
		"{" JWT_ON ", \"JWT_AUTH_COOKIE\": \"jwt-auth\","
		"\"JWT_AUTH_REFRESH_COOKIE\": \"jwt-refresh\","
		"\"JWT_AUTH_REFRESH_COOKIE_PATH\": \"/auth/token/refresh/\","
		"\"JWT_AUTH_COOKIE_DOMAIN\": \".example.com\","
		"\"JWT_AUTH_SECURE\": true, \"JWT_AUTH_SAMESITE\": \"Strict\"},"
		"\"SIMPLE_JWT\": {\"ACCESS_TOKEN_LIFETIME\": 120,"
		"\"REFRESH_TOKEN_LIFETIME\": 3600}}",
		test_all) == 0);
	T_ASSERT(inproc_with("{" JWT_ON "}}", test_no_cookies) == 0);
	T_ASSERT(inproc_with("{" JWT_ON "}, \"SIMPLE_JWT\": "
			     "{\"BLACKLIST_AFTER_ROTATION\": true}}",
		     test_verify_blacklist) == 0);
	return T_DONE();
}
