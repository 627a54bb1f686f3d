/*
 * test_passwd: what passwd.c decides before the database: Django's
 * SetPasswordForm checks and the new hash (mismatch, the validators'
 * words under new_password2, a hash that verifies), what a password
 * reset and a password change revoke for each setting and credential,
 * and a reset confirmation whose uid does not decode (refused before
 * any lookup; one that decodes goes to the database, which is down).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "db.h"
#include "inproc.h"
#include "passwd.h"
#include "req.h"
#include "serve.h"
#include "testhelp.h"

static const struct db_user user = { .id = 7,
	.username = "alice",
	.email = "alice@example.com",
	.password = "x",
	.is_active = true };

/* passwd_new_hash's answer and *errs as JSON ("" for none). */
static void
new_hash(struct app_ctx *ctx, const char *new1, const char *new2,
    enum app_err want, const char *errs_want)
{
	struct pw_params p = acct_pw_params(&ctx->cfg);
	struct json_object *errs = NULL;
	char hash[PW_HASH_MAX] = "";
	int rehash = 0;

	T_ASSERT(passwd_new_hash(&ctx->cfg, ctx->pwval, &user, new1, new2, hash,
		     &errs) == want);
	T_STREQ(errs != NULL
		? json_object_to_json_string_ext(errs, JSON_C_TO_STRING_PLAIN)
		: "",
	    errs_want);
	if (want == APP_OK) {
		T_ASSERT(strncmp(hash, "argon2$argon2id$", 16) == 0);
		T_ASSERT(
		    pw_verify(&p, hash, new2, strlen(new2), &rehash) == APP_OK);
		T_ASSERT(pw_verify(&p, hash, "other", 5, &rehash) != APP_OK);
	}
	json_object_put(errs);
	OPENSSL_cleanse(hash, sizeof(hash));
}

static void
test_new_hash(struct app_ctx *ctx)
{
	struct json_object *errs = NULL;

	new_hash(ctx, "correct horse 1", "correct horse 1", APP_OK, "");
	new_hash(ctx, "correct horse 1", "correct horse 2", APP_EINPUT,
	    "{\"new_password2\":[\"The two password fields didn\xe2\x80\x99t "
	    "match.\"]}");
	new_hash(ctx, "1234567", "1234567", APP_EINPUT,
	    "{\"new_password2\":[\"This password is too short. It must "
	    "contain at least 8 characters.\",\"This password is entirely "
	    "numeric.\"]}");
	/* Mismatch is checked first, alone, and nothing is written. */
	T_ASSERT(passwd_set(&ctx->cfg, &ctx->db, ctx->pwval, &user, "a", "b",
		     NULL, &errs) == APP_EINPUT);
	json_object_put(errs);
	errs = NULL;
	/* A good password gets as far as the database. */
	T_ASSERT(
	    passwd_set(&ctx->cfg, &ctx->db, ctx->pwval, &user,
		"correct horse 1", "correct horse 1", NULL, &errs) == APP_EDB);
	T_ASSERT(errs == NULL);
}

static void
test_reset_confirm(struct app_ctx *ctx)
{
	struct json_object *errs = NULL;
	time_t now = app_now();

	/* urlsafe_base64 of a pk: "!!" and "" are no uid at all. */
	T_ASSERT(passwd_reset_confirm(&ctx->cfg, &ctx->db, ctx->pwval, "!!",
		     "tok-en", "pw", "pw", now, &errs) == APP_EINPUT);
	T_STREQ(errs != NULL
		? json_object_to_json_string_ext(errs, JSON_C_TO_STRING_PLAIN)
		: NULL,
	    "{\"uid\":[\"Invalid value\"]}");
	json_object_put(errs);
	errs = NULL;
	T_ASSERT(passwd_reset_confirm(&ctx->cfg, &ctx->db, ctx->pwval, "",
		     "tok-en", "pw", "pw", now, &errs) == APP_EINPUT);
	json_object_put(errs);
	errs = NULL;
	/* "Nw" is pk 7: looked up. */
	T_ASSERT(passwd_reset_confirm(&ctx->cfg, &ctx->db, ctx->pwval, "Nw",
		     "tok-en", "pw", "pw", now, &errs) == APP_EDB);
	T_ASSERT(errs == NULL);
	json_object_put(errs);
}

static void
test_hashing(struct app_ctx *ctx)
{
	test_new_hash(ctx);
	test_reset_confirm(ctx);
}

/* passwd_change_revoke for a credential kind; want NULL: nothing. */
static void
change(struct app_ctx *ctx, enum auth_kind kind, const char *cookie,
    const struct db_revoke *want)
{
	const char *env[] = { cookie, NULL };
	char jti[JWT_JTI_BYTES];
	struct auth_result a;
	struct inproc_env e;
	struct db_revoke out;
	const struct db_revoke *got;
	struct req r;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	if (inproc_env_init(&e, "POST", "password/change/", env, NULL) != 0 ||
	    req_init(&r, e.envp) != APP_OK) {
		T_ASSERT(!"req_init");
		return;
	}
	got = passwd_change_revoke(&ctx->cfg, ctx->jwt, &a, &r, app_now(), &out,
	    jti);
	T_ASSERT((got == NULL) == (want == NULL));
	if (got != NULL && want != NULL) {
		T_ASSERT(got == &out);
		T_ASSERT(got->token == want->token);
		T_ASSERT(got->refresh == want->refresh);
		T_ASSERT((got->keep_jti == NULL) == (want->keep_jti == NULL));
		if (got->keep_jti != NULL && want->keep_jti != NULL)
			T_STREQ(got->keep_jti, want->keep_jti);
	}
	req_free(&r);
}

/* A refresh cookie for user 7, its jti in jti. */
static void
refresh_cookie(struct app_ctx *ctx, char *out, size_t outsz,
    char jti[JWT_JTI_BYTES])
{
	struct jwt_uid uid = { JWT_UID_INT, 7, "" };
	struct jwt_claims c;
	char *tok = NULL;

	out[0] = jti[0] = '\0';
	if (jwt_mint(ctx->jwt, JWT_REFRESH, &uid, app_now(), &tok, &c) !=
	    APP_OK) {
		T_ASSERT(!"jwt_mint");
		return;
	}
	snprintf(out, outsz, "HTTP_COOKIE=jwt-refresh=%s", tok);
	memcpy(jti, c.jti, JWT_JTI_BYTES);
	OPENSSL_cleanse(tok, strlen(tok));
	free(tok);
}

/* The defaults: every other credential goes, the caller's stays. */
static void
test_revoke(struct app_ctx *ctx)
{
	struct db_revoke rv;
	char cookie[1024], jti[JWT_JTI_BYTES];

	passwd_reset_revoke(&ctx->cfg, &rv);
	T_ASSERT(rv.token && rv.refresh && rv.keep_jti == NULL);
	refresh_cookie(ctx, cookie, sizeof(cookie), jti);
	change(ctx, AUTH_TOKEN, NULL,
	    &(struct db_revoke) { false, true, NULL });
	change(ctx, AUTH_JWT_HEADER, NULL,
	    &(struct db_revoke) { true, true, NULL });
	change(ctx, AUTH_JWT_COOKIE, cookie,
	    &(struct db_revoke) { true, true, jti });
	change(ctx, AUTH_SESSION, "HTTP_COOKIE=jwt-refresh=x.y.z",
	    &(struct db_revoke) { true, true, NULL });
}

/* LOGOUT_ON_PASSWORD_CHANGE: the caller's credentials go too. */
static void
test_revoke_logout(struct app_ctx *ctx)
{
	char cookie[1024], jti[JWT_JTI_BYTES];

	refresh_cookie(ctx, cookie, sizeof(cookie), jti);
	change(ctx, AUTH_TOKEN, NULL, &(struct db_revoke) { true, true, NULL });
	change(ctx, AUTH_JWT_COOKIE, cookie,
	    &(struct db_revoke) { true, true, NULL });
}

/* Without the blacklist app no refresh token can be revoked. */
static void
test_revoke_no_blacklist(struct app_ctx *ctx)
{
	struct db_revoke rv;

	passwd_reset_revoke(&ctx->cfg, &rv);
	T_ASSERT(rv.token && !rv.refresh && rv.keep_jti == NULL);
	change(ctx, AUTH_TOKEN, NULL,
	    &(struct db_revoke) { false, false, NULL });
}

/* dj-rest-auth's own: nothing, or with LOGOUT_ON_PASSWORD_CHANGE the
 * DRF token. */
static void
test_revoke_keep(struct app_ctx *ctx)
{
	change(ctx, AUTH_TOKEN, NULL, NULL);
	change(ctx, AUTH_SESSION, NULL, NULL);
}

static void
test_revoke_keep_logout(struct app_ctx *ctx)
{
	change(ctx, AUTH_TOKEN, NULL,
	    &(struct db_revoke) { true, false, NULL });
}

#define FAST                                                                   \
	"\"PASSWORD_HASHER\": {\"TIME_COST\": 1, \"MEMORY_COST\": 1024, "      \
	"\"PARALLELISM\": 1}"
#define JWT "\"USE_JWT\": true, \"JWT_AUTH_REFRESH_COOKIE\": \"jwt-refresh\""

int
main(void)
{
	T_ASSERT(
	    inproc_with("{" FAST ", \"AUTH_PASSWORD_VALIDATORS\": ["
			"{\"NAME\": \"django.contrib.auth.password_validation."
			"MinimumLengthValidator\"},"
			"{\"NAME\": \"django.contrib.auth.password_validation."
			"NumericPasswordValidator\"}]}",
		test_hashing) == 0);
	T_ASSERT(inproc_with("{\"REST_AUTH\": {" JWT "}}", test_revoke) == 0);
	T_ASSERT(inproc_with("{\"REST_AUTH\": {" JWT ","
			     "\"LOGOUT_ON_PASSWORD_CHANGE\": true}}",
		     test_revoke_logout) == 0);
	T_ASSERT(
	    inproc_with("{\"INSTALLED_APPS\": [\"rest_framework.authtoken\"]}",
		test_revoke_no_blacklist) == 0);
	T_ASSERT(
	    inproc_with("{\"REST_AUTH\": "
			"{\"PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS\": true}}",
		test_revoke_keep) == 0);
	T_ASSERT(
	    inproc_with("{\"REST_AUTH\": "
			"{\"PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS\": true,"
			"\"LOGOUT_ON_PASSWORD_CHANGE\": true}}",
		test_revoke_keep_logout) == 0);
	return T_DONE();
}
