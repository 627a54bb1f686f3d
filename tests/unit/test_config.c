/*
 * test_config.c: lib/conf/config.c against SPEC section 3: every default, the
 * environment override, and one refusal per kind of mistake, each
 * checked for APP_EINPUT, the key named in the message, and a zeroed
 * struct afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "config.h"
#include "bounds.h"
#include "testhelp.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

/* Strong by Django's security.W009 rule: 50+ characters, 5+ distinct. */
#define ENV_SECRET "env-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
#define FILE_SECRET "file-secret-0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ-xyz"
#define JWT_SECRET "jwt-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
#define ENV_DB "postgresql://restauth@localhost/restauth"

static char dir[64];
static char file[128];

/* Write text (len bytes) to the test config file; returns its path. */
static const char *
put_file(const char *text, size_t len)
{
	FILE *f;

	snprintf(file, sizeof(file), "%s/restauth.json", dir);
	if ((f = fopen(file, "w")) == NULL || fwrite(text, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(file);
		exit(2);
	}
	return file;
}

static const char *
put(const char *json)
{
	return put_file(json, strlen(json));
}

static bool
is_zero(const struct app_config *cfg)
{
	static const struct app_config zero;

	return memcmp(cfg, &zero, sizeof(zero)) == 0;
}

/* Loading json must fail with APP_EINPUT and a message containing want. */
static void
refuse_at(int line, const char *json, const char *want)
{
	struct app_config cfg;
	char err[APP_CONFIG_ERRSZ];
	enum app_err er;

	er = app_config_load(put(json), &cfg, err, sizeof(err));
	if (er != APP_EINPUT || strstr(err, want) == NULL ||
	    strncmp(err, "config: ", 8) != 0 || strchr(err, '\n') != NULL) {
		th_fail++;
		fprintf(stderr,
		    "FAIL line %d: %s\n  got %d \"%s\"\n  want \"%s\"\n", line,
		    json, (int)er, err, want);
	} else
		th_pass++;
	T_ASSERT(is_zero(&cfg));
}
#define REFUSE(json, want) refuse_at(__LINE__, json, want)

/* As REFUSE, and the message is exactly want. */
static void
refuse_exact_at(int line, const char *json, const char *want)
{
	struct app_config cfg;
	char err[APP_CONFIG_ERRSZ];

	if (app_config_load(put(json), &cfg, err, sizeof(err)) != APP_EINPUT ||
	    strcmp(err, want) != 0) {
		th_fail++;
		fprintf(stderr,
		    "FAIL line %d: %s\n  got \"%s\"\n  want \"%s\"\n", line,
		    json, err, want);
	} else
		th_pass++;
}
#define refuse_exact(json, want) refuse_exact_at(__LINE__, json, want)

/* Loading json must succeed; the caller checks and frees cfg. */
static bool
accept_at(int line, const char *json, struct app_config *cfg)
{
	char err[APP_CONFIG_ERRSZ];
	enum app_err er;

	er = app_config_load(put(json), cfg, err, sizeof(err));
	if (er != APP_OK) {
		th_fail++;
		fprintf(stderr, "FAIL line %d: %s\n  got %d \"%s\"\n", line,
		    json, (int)er, err);
		return false;
	}
	th_pass++;
	return true;
}
#define ACCEPT(json, cfg) accept_at(__LINE__, json, cfg)

static void
test_defaults(void)
{
	struct app_config cfg;

	if (!ACCEPT("{}", &cfg))
		return;
	/* REST_AUTH */
	T_ASSERT(!cfg.rest_auth.use_jwt);
	T_STREQ(cfg.rest_auth.token_model,
	    "rest_framework.authtoken.models.Token");
	T_ASSERT(cfg.rest_auth.session_login);
	T_ASSERT(!cfg.rest_auth.old_password_field_enabled);
	T_ASSERT(!cfg.rest_auth.logout_on_password_change);
	T_ASSERT(!cfg.rest_auth.password_change_keep_other_credentials);
	T_ASSERT(cfg.rest_auth.jwt_access.name == NULL);
	T_ASSERT(cfg.rest_auth.jwt_refresh.name == NULL);
	T_STREQ(cfg.rest_auth.jwt_refresh.path, "/");
	T_ASSERT(!cfg.rest_auth.jwt_access.secure);
	T_ASSERT(cfg.rest_auth.jwt_access.httponly);
	T_STREQ(cfg.rest_auth.jwt_access.samesite, "Lax");
	T_ASSERT(cfg.rest_auth.jwt_access.domain == NULL);
	/* Each cookie's struct is whole: path, age and the JWT attributes
	 * the refresh cookie shares. */
	T_ASSERT(cfg.rest_auth.jwt_access.path == NULL); /* "/" */
	T_ASSERT(cfg.rest_auth.jwt_access.age == 300);
	T_ASSERT(cfg.rest_auth.jwt_refresh.age == 86400);
	T_ASSERT(cfg.rest_auth.jwt_refresh.httponly);
	T_STREQ(cfg.rest_auth.jwt_refresh.samesite, "Lax");
	T_ASSERT(cfg.session_cookie.age == 1209600);
	T_STREQ(cfg.csrf_cookie.name, "csrftoken");
	T_ASSERT(!cfg.rest_auth.jwt_auth_return_expiration);
	T_ASSERT(!cfg.rest_auth.jwt_auth_cookie_use_csrf);
	T_ASSERT(
	    !cfg.rest_auth.jwt_auth_cookie_enforce_csrf_on_unauthenticated);
	/* SIMPLE_JWT */
	T_ASSERT(cfg.simple_jwt.access_token_lifetime == 300);
	T_ASSERT(cfg.simple_jwt.refresh_token_lifetime == 86400);
	T_ASSERT(!cfg.simple_jwt.rotate_refresh_tokens);
	T_ASSERT(!cfg.simple_jwt.blacklist_after_rotation);
	T_ASSERT(!cfg.simple_jwt.update_last_login);
	T_STREQ(cfg.simple_jwt.algorithm, "HS256");
	T_STREQ(cfg.simple_jwt.signing_key, ENV_SECRET);
	T_STREQ(cfg.simple_jwt.verifying_key, "");
	T_ASSERT(cfg.simple_jwt.audience == NULL);
	T_ASSERT(cfg.simple_jwt.issuer == NULL);
	T_ASSERT(cfg.simple_jwt.leeway == 0);
	T_ASSERT(cfg.simple_jwt.auth_header_types_len == 1);
	T_STREQ(cfg.simple_jwt.auth_header_types[0], "Bearer");
	T_ASSERT(cfg.simple_jwt.auth_header_types[1] == NULL);
	T_STREQ(cfg.simple_jwt.user_id_field, "id");
	T_STREQ(cfg.simple_jwt.user_id_claim, "user_id");
	T_STREQ(cfg.simple_jwt.token_type_claim, "token_type");
	T_STREQ(cfg.simple_jwt.jti_claim, "jti");
	/* REST_FRAMEWORK */
	T_ASSERT(cfg.rest_framework.default_throttle_classes_len == 0);
	T_ASSERT(cfg.rest_framework.default_throttle_classes != NULL &&
	    cfg.rest_framework.default_throttle_classes[0] == NULL);
	T_ASSERT(cfg.rest_framework.default_throttle_rates_len == 0);
	T_ASSERT(cfg.rest_framework.num_proxies == -1);
	/* ACCOUNT */
	T_ASSERT(cfg.account.authentication_method == ACCOUNT_AUTH_USERNAME);
	T_ASSERT(!cfg.account.email_required);
	T_ASSERT(cfg.account.email_verification ==
	    ACCOUNT_EMAIL_VERIFICATION_OPTIONAL);
	T_ASSERT(cfg.account.unique_email);
	T_ASSERT(!cfg.account.logout_on_get);
	T_ASSERT(cfg.account.username_min_length == 1);
	T_ASSERT(cfg.account.username_required);
	T_ASSERT(cfg.account.username_blacklist_len == 0);
	T_ASSERT(cfg.account.preserve_username_casing);
	T_ASSERT(cfg.account.email_confirmation_expire_days == 3);
	T_ASSERT(cfg.account.email_confirmation_cooldown == 180);
	T_ASSERT(cfg.account.email_confirmation_hmac);
	T_ASSERT(!cfg.account.confirm_email_on_get);
	T_ASSERT(!cfg.account.login_on_email_confirmation);
	T_ASSERT(cfg.account.email_subject_prefix == NULL);
	/* top level */
	T_ASSERT(cfg.auth_password_validators_len == 0);
	T_ASSERT(cfg.cors_allowed_origins_len == 0);
	T_ASSERT(!cfg.cors_allow_credentials);
	T_ASSERT(!cfg.secure_ssl_redirect);
	T_ASSERT(cfg.secure_proxy_ssl_header[0] == NULL &&
	    cfg.secure_proxy_ssl_header[1] == NULL);
	T_ASSERT(cfg.secure_hsts_seconds == 0);
	T_ASSERT(!cfg.secure_hsts_include_subdomains);
	T_ASSERT(!cfg.secure_hsts_preload);
	T_STREQ(cfg.session_cookie.name, "sessionid");
	T_ASSERT(cfg.session_cookie.age == 1209600);
	T_ASSERT(!cfg.session_cookie.secure);
	T_ASSERT(cfg.session_cookie.httponly);
	T_STREQ(cfg.session_cookie.samesite, "Lax");
	T_ASSERT(cfg.session_cookie.domain == NULL);
	T_STREQ(cfg.session_cookie.path, "/");
	T_STREQ(cfg.csrf_cookie.name, "csrftoken");
	T_ASSERT(cfg.csrf_cookie.age == 31449600);
	T_ASSERT(!cfg.csrf_cookie.secure);
	T_ASSERT(!cfg.csrf_cookie.httponly);
	T_STREQ(cfg.csrf_cookie.samesite, "Lax");
	T_ASSERT(cfg.csrf_cookie.domain == NULL);
	T_STREQ(cfg.csrf_cookie.path, "/");
	T_STREQ(cfg.csrf_header_name, "HTTP_X_CSRFTOKEN");
	T_ASSERT(cfg.csrf_trusted_origins_len == 0);
	/* Django's DEBUG list for an empty ALLOWED_HOSTS. */
	T_ASSERT(cfg.allowed_hosts_len == 3);
	T_STREQ(cfg.allowed_hosts[0], ".localhost");
	T_STREQ(cfg.allowed_hosts[1], "127.0.0.1");
	T_STREQ(cfg.allowed_hosts[2], "[::1]");
	T_ASSERT(!cfg.allowed_hosts_given);
	T_ASSERT(cfg.password_reset_timeout == 259200);
	T_STREQ(cfg.default_from_email, "webmaster@localhost");
	T_ASSERT(cfg.email_sendmail_len == 3);
	T_STREQ(cfg.email_sendmail[0], "/usr/sbin/sendmail");
	T_STREQ(cfg.email_sendmail[1], "-t");
	T_STREQ(cfg.email_sendmail[2], "-i");
	T_ASSERT(cfg.email_sendmail[3] == NULL);
	T_STREQ(cfg.password_reset_url,
	    "http://localhost:8000/password-reset/confirm/{uid}/{token}/");
	T_STREQ(cfg.email_confirm_url,
	    "http://localhost:8000/account-confirm-email/{key}/");
	T_STREQ(cfg.secret_key, ENV_SECRET);
	T_STREQ(cfg.database_url, ENV_DB);
	T_ASSERT(cfg.password_hasher.time_cost == 2);
	T_ASSERT(cfg.password_hasher.memory_cost == 19456);
	T_ASSERT(cfg.password_hasher.parallelism == 1);
	T_ASSERT(cfg.max_body_bytes == LIMIT_BODY_DEFAULT);
	T_ASSERT(cfg.login_failure_limit == 5);
	T_ASSERT(cfg.login_failure_backoff_max == 300);
	app_config_free(&cfg);
	T_ASSERT(is_zero(&cfg));
	app_config_free(&cfg); /* twice is fine */
	app_config_free(NULL);

	/* No file at all: the same defaults. */
	{
		char err[APP_CONFIG_ERRSZ];

		T_ASSERT(
		    app_config_load(NULL, &cfg, err, sizeof(err)) == APP_OK);
		T_ASSERT(cfg.max_body_bytes == LIMIT_BODY_DEFAULT);
		app_config_free(&cfg);
		T_ASSERT(app_config_load("", &cfg, err, sizeof(err)) == APP_OK);
		T_STREQ(cfg.session_cookie.name, "sessionid");
		app_config_free(&cfg);
	}
	/* PASSWORD_HASHERS, PASSWORD_HASHER: restauth's defaults. */
	if (ACCEPT("{}", &cfg)) {
		T_ASSERT(cfg.password_hashers_len == 5);
		T_STREQ(cfg.password_hashers[0], PW_DJANGO "Argon2PasswordHasher");
		T_ASSERT(cfg.password_hashers_algo[0] == PW_ALGO_ARGON2);
		T_ASSERT(cfg.password_hashers_algo[1] == PW_ALGO_PBKDF2_SHA256);
		T_ASSERT(cfg.password_hashers_algo[2] == PW_ALGO_PBKDF2_SHA1);
		T_ASSERT(cfg.password_hashers_algo[3] == PW_ALGO_BCRYPT_SHA256);
		T_ASSERT(cfg.password_hashers_algo[4] == PW_ALGO_SCRYPT);
		T_ASSERT(cfg.password_hasher.time_cost == 2);
		T_ASSERT(cfg.password_hasher.memory_cost == 19456);
		T_ASSERT(cfg.password_hasher.parallelism == 1);
		T_ASSERT(cfg.password_hasher.hash_len == 32);
		T_ASSERT(cfg.password_hasher.pbkdf2_iterations == 1000000);
		T_ASSERT(cfg.password_hasher.bcrypt_rounds == 12);
		T_ASSERT(cfg.password_hasher.scrypt_work_factor == 16384);
		T_ASSERT(cfg.password_hasher.scrypt_block_size == 8);
		T_ASSERT(cfg.password_hasher.scrypt_parallelism == 1);
		app_config_free(&cfg);
	}
}

static void
test_env(void)
{
	struct app_config cfg;
	char err[APP_CONFIG_ERRSZ];
	const char *both = "{\"SECRET_KEY\": \"" FILE_SECRET "\", "
			   "\"DATABASE_URL\": \"dbname=file\"}";

	/* The environment wins over the file... */
	if (ACCEPT(both, &cfg)) {
		T_STREQ(cfg.secret_key, ENV_SECRET);
		T_STREQ(cfg.database_url, ENV_DB);
		T_STREQ(cfg.simple_jwt.signing_key, ENV_SECRET);
		app_config_free(&cfg);
	}
	/* ...unless it is empty or unset. */
	setenv("SECRET_KEY", "", 1);
	unsetenv("DATABASE_URL");
	if (ACCEPT(both, &cfg)) {
		T_STREQ(cfg.secret_key, FILE_SECRET);
		T_STREQ(cfg.database_url, "dbname=file");
		T_STREQ(cfg.simple_jwt.signing_key, FILE_SECRET);
		app_config_free(&cfg);
	}
	/* An explicit SIGNING_KEY is kept. */
	if (ACCEPT("{\"SECRET_KEY\": \"" FILE_SECRET "\", "
		   "\"DATABASE_URL\": \"d\", "
		   "\"SIMPLE_JWT\": {\"SIGNING_KEY\": \"" JWT_SECRET "\"}}",
		&cfg)) {
		T_STREQ(cfg.simple_jwt.signing_key, JWT_SECRET);
		app_config_free(&cfg);
	}
	REFUSE("{\"DATABASE_URL\": \"d\"}",
	    "config: SECRET_KEY: required (set it in the file or the "
	    "SECRET_KEY environment variable)");
	REFUSE("{\"SECRET_KEY\": \"s\"}",
	    "config: DATABASE_URL: required (set it in the file or the "
	    "DATABASE_URL environment variable)");
	T_ASSERT(app_config_load(NULL, &cfg, err, sizeof(err)) == APP_EINPUT);
	T_STREQ(err,
	    "config: SECRET_KEY: required (set it in the file or "
	    "the SECRET_KEY environment variable)");
	REFUSE("{\"SECRET_KEY\": \"\", \"DATABASE_URL\": \"d\"}",
	    "config: SECRET_KEY: must not be empty");
	REFUSE("{\"SECRET_KEY\": \"a\\u0000b\", \"DATABASE_URL\": \"d\"}",
	    "config: SECRET_KEY: must not contain NUL");
	setenv("SECRET_KEY", ENV_SECRET, 1);
	setenv("DATABASE_URL", ENV_DB, 1);

	unsetenv("RESTAUTH_CONFIG");
	/* The library may be built with its own RESTAUTH_DEFAULT_CONFIG. */
	T_ASSERT(app_config_path() != NULL && app_config_path()[0] == '/');
	setenv("RESTAUTH_CONFIG", "/etc/x.json", 1);
	T_STREQ(app_config_path(), "/etc/x.json");
	unsetenv("RESTAUTH_CONFIG");
}

static void
test_file(void)
{
	struct app_config cfg;
	char err[APP_CONFIG_ERRSZ], want[256], small[20];
	char *big;
	enum app_err er;

	snprintf(want, sizeof(want),
	    "config: %s/nope.json: cannot read: No such file or directory",
	    dir);
	snprintf(file, sizeof(file), "%s/nope.json", dir);
	er = app_config_load(file, &cfg, err, sizeof(err));
	T_ASSERT(er == APP_EINPUT);
	T_STREQ(err, want);
	T_ASSERT(is_zero(&cfg));
	/* A short buffer is cut, never overrun; NULL is fine too. */
	T_ASSERT(
	    app_config_load(file, &cfg, small, sizeof(small)) == APP_EINPUT);
	T_ASSERT(strlen(small) == sizeof(small) - 1);
	T_ASSERT(app_config_load(file, &cfg, NULL, 0) == APP_EINPUT);

	snprintf(want, sizeof(want),
	    "config: %s/restauth.json: JSON error "
	    "at line 3: ",
	    dir);
	REFUSE("{\n\"REST_AUTH\": {\n\"USE_JWT\": tru }\n}", want);
	REFUSE("{\"A\": 1,}", "JSON error at line 1");
	REFUSE("", "JSON error at line 1: unexpected end of file");
	REFUSE("{\"A\": ", "unexpected end of file");
	REFUSE("{} {}", "JSON error at line 1");
	REFUSE("{}\n\n]", "JSON error at line 3");
	REFUSE("{\"A\": \"\xff\"}", "JSON error");
	REFUSE("[]", "restauth.json: the top level must be a JSON object");
	REFUSE("\"x\"", "the top level must be a JSON object");
	REFUSE("null", "the top level must be a JSON object");
	REFUSE("{\"A\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}",
	    "JSON error");
	er = app_config_load(put_file("{}\0", 3), &cfg, err, sizeof(err));
	T_ASSERT(er == APP_EINPUT && strstr(err, "NUL byte") != NULL);

	if ((big = malloc(LIMIT_CONFIG_BYTES + 2)) == NULL)
		exit(2);
	memset(big, ' ', LIMIT_CONFIG_BYTES + 1);
	big[0] = '{';
	big[LIMIT_CONFIG_BYTES - 1] = '}';
	er = app_config_load(put_file(big, LIMIT_CONFIG_BYTES), &cfg, err,
	    sizeof(err));
	T_ASSERT(er == APP_OK);
	app_config_free(&cfg);
	er = app_config_load(put_file(big, LIMIT_CONFIG_BYTES + 1), &cfg, err,
	    sizeof(err));
	T_ASSERT(er == APP_EINPUT && strstr(err, "larger than") != NULL);
	free(big);

	/* Duplicate keys: json-c would keep the last silently. */
	REFUSE("{\"REST_AUTH\": {\"USE_JWT\": true, \"USE_JWT\": false}}",
	    "config: duplicate key REST_AUTH.USE_JWT");
	REFUSE("{\"REST_AUTH\": {\"USE_JWT\": true, \"USE\\u005fJWT\": 1}}",
	    "config: duplicate key REST_AUTH.USE_JWT");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": \"a\"}, "
	       "{\"NAME\": \"a\", \"OPTIONS\": {}, \"NAME\": \"b\"}]}",
	    "config: duplicate key AUTH_PASSWORD_VALIDATORS[1].NAME");
	REFUSE("{\"ACCOUNT\": {}, \"ACCOUNT\": {}}",
	    "config: duplicate key ACCOUNT");
	/* One object may hold LIMIT_JSON_MEMBERS keys, not more. */
	{
		size_t i, len, sz = 64 * (LIMIT_JSON_MEMBERS + 2);
		char *many = malloc(sz);

		if (many == NULL)
			exit(2);
		len = (size_t)snprintf(many, sz,
		    "{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": {");
		for (i = 0; i < LIMIT_JSON_MEMBERS; i++)
			len += (size_t)snprintf(many + len, sz - len,
			    "%s\"s%zu\": null", i == 0 ? "" : ", ", i);
		snprintf(many + len, sz - len, "}}}");
		if (ACCEPT(many, &cfg)) {
			T_ASSERT(
			    cfg.rest_framework.default_throttle_rates_len ==
			    LIMIT_JSON_MEMBERS);
			app_config_free(&cfg);
		}
		snprintf(many + len, sz - len, ", \"one_more\": null}}}");
		REFUSE(many,
		    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES: more than "
		    "256 keys");
		free(many);
	}
	/* Same key in sibling objects is fine. */
	if (ACCEPT(
		"{\"AUTH_PASSWORD_VALIDATORS\": ["
		"{\"NAME\": \"NumericPasswordValidator\"}, "
		"{\"NAME\": \"NumericPasswordValidator\", \"OPTIONS\": {}}], "
		"\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": "
		"{\"NAME\": null}}}",
		&cfg))
		app_config_free(&cfg);
}

static void
test_types(void)
{
	REFUSE("{\"FOO\": 1}", "config: unknown key FOO");
	REFUSE("{\"ACCOUNT\": {\"FOO\": 1}}",
	    "config: unknown key ACCOUNT.FOO");
	REFUSE("{\"SIMPLE_JWT\": {\"AUTH_HEADER_TYPE\": \"Bearer\"}}",
	    "config: unknown key SIMPLE_JWT.AUTH_HEADER_TYPE");
	REFUSE("{\"REST_AUTH\": []}", "config: REST_AUTH: expected an object");
	REFUSE("{\"REST_AUTH\": null}",
	    "config: REST_AUTH: expected an object");
	REFUSE("{\"REST_AUTH\": {\"USE_JWT\": \"yes\"}}",
	    "config: REST_AUTH.USE_JWT: expected true or false");
	REFUSE("{\"REST_AUTH\": {\"USE_JWT\": 1}}",
	    "config: REST_AUTH.USE_JWT: expected true or false");
	REFUSE("{\"SIMPLE_JWT\": {\"ACCESS_TOKEN_LIFETIME\": \"5\"}}",
	    "config: SIMPLE_JWT.ACCESS_TOKEN_LIFETIME: expected an integer");
	REFUSE("{\"SIMPLE_JWT\": {\"ACCESS_TOKEN_LIFETIME\": 1.5}}",
	    "config: SIMPLE_JWT.ACCESS_TOKEN_LIFETIME: expected an integer");
	REFUSE("{\"SIMPLE_JWT\": {\"ACCESS_TOKEN_LIFETIME\": true}}",
	    "config: SIMPLE_JWT.ACCESS_TOKEN_LIFETIME: expected an integer");
	REFUSE("{\"SIMPLE_JWT\": {\"ACCESS_TOKEN_LIFETIME\": null}}",
	    "config: SIMPLE_JWT.ACCESS_TOKEN_LIFETIME: expected an integer");
	REFUSE("{\"DEFAULT_FROM_EMAIL\": 5}",
	    "config: DEFAULT_FROM_EMAIL: expected a string");
	REFUSE("{\"DEFAULT_FROM_EMAIL\": null}",
	    "config: DEFAULT_FROM_EMAIL: expected a string");
	REFUSE("{\"REST_AUTH\": {\"JWT_AUTH_COOKIE\": false}}",
	    "config: REST_AUTH.JWT_AUTH_COOKIE: expected a string or null");
	REFUSE("{\"CORS_ALLOWED_ORIGINS\": \"http://a.example\"}",
	    "config: CORS_ALLOWED_ORIGINS: expected a list of strings");
	REFUSE("{\"CORS_ALLOWED_ORIGINS\": {}}",
	    "config: CORS_ALLOWED_ORIGINS: expected a list of strings");
	REFUSE("{\"CORS_ALLOWED_ORIGINS\": [\"http://a.example\", 1]}",
	    "config: CORS_ALLOWED_ORIGINS[1]: expected a string");
	REFUSE("{\"ACCOUNT\": {\"AUTHENTICATION_METHOD\": \"phone\"}}",
	    "config: ACCOUNT.AUTHENTICATION_METHOD: expected \"username\", "
	    "\"email\" or \"username_email\"");
	REFUSE("{\"ACCOUNT\": {\"AUTHENTICATION_METHOD\": \"email\\u0000x\"}}",
	    "config: ACCOUNT.AUTHENTICATION_METHOD: expected");
	REFUSE("{\"ACCOUNT\": {\"EMAIL_VERIFICATION\": true}}",
	    "config: ACCOUNT.EMAIL_VERIFICATION: expected \"none\", "
	    "\"optional\" or \"mandatory\"");
	REFUSE("{\"REST_AUTH\": {\"JWT_AUTH_SAMESITE\": \"Loose\"}}",
	    "config: REST_AUTH.JWT_AUTH_SAMESITE: expected \"Lax\"");
	REFUSE("{\"REST_AUTH\": {\"JWT_AUTH_SAMESITE\": true}}",
	    "config: REST_AUTH.JWT_AUTH_SAMESITE: expected");
	REFUSE("{\"REST_AUTH\": {\"JWT_AUTH_COOKIE\": \"a b\"}}",
	    "config: REST_AUTH.JWT_AUTH_COOKIE: must be a cookie name");
	REFUSE("{\"SESSION_COOKIE_PATH\": \"api\"}",
	    "config: SESSION_COOKIE_PATH: must start with /");
	REFUSE("{\"CSRF_COOKIE_DOMAIN\": \"a.example; x\"}",
	    "config: CSRF_COOKIE_DOMAIN: must be a domain name");
	REFUSE("{\"CSRF_HEADER_NAME\": \"X-CSRFToken\"}",
	    "config: CSRF_HEADER_NAME: must be a request.META name");
	REFUSE("{\"DEFAULT_FROM_EMAIL\": \"a@b\\r\\nBcc: c@d\"}",
	    "config: DEFAULT_FROM_EMAIL: must be an address");
}

/* dj-rest-auth 7.2's MFA settings and restauth's MFA_VERIFY_ATTEMPTS. */
static void
test_mfa(void)
{
	struct app_config cfg;
	char json[1200];

	if (ACCEPT("{}", &cfg)) {
		T_ASSERT(!cfg.rest_auth.mfa_enabled);
		T_ASSERT(cfg.rest_auth.mfa_ephemeral_token_timeout == 300);
		T_ASSERT(cfg.rest_auth.mfa_totp_digits == 6);
		T_ASSERT(cfg.rest_auth.mfa_totp_period == 30);
		T_ASSERT(strcmp(cfg.rest_auth.mfa_totp_issuer, "") == 0);
		T_ASSERT(cfg.rest_auth.mfa_recovery_code_count == 10);
		T_ASSERT(cfg.rest_auth.mfa_verify_attempts == 5);
		T_ASSERT(!cfg.rest_auth.mfa_require_reauth);
		app_config_free(&cfg);
	}
	if (ACCEPT("{\"REST_AUTH\": {\"MFA_ENABLED\": true, "
		   "\"MFA_EPHEMERAL_TOKEN_TIMEOUT\": 60, \"MFA_TOTP_DIGITS\": 9, "
		   "\"MFA_TOTP_PERIOD\": 60, \"MFA_TOTP_ISSUER\": \"Ex \u00e9\", "
		   "\"MFA_RECOVERY_CODE_COUNT\": 64, "
		   "\"MFA_VERIFY_ATTEMPTS\": 1}}",
		&cfg)) {
		T_ASSERT(cfg.rest_auth.mfa_enabled);
		T_ASSERT(cfg.rest_auth.mfa_ephemeral_token_timeout == 60);
		T_ASSERT(cfg.rest_auth.mfa_totp_digits == 9);
		T_ASSERT(cfg.rest_auth.mfa_totp_period == 60);
		T_ASSERT(strcmp(cfg.rest_auth.mfa_totp_issuer, "Ex \xc3\xa9") ==
		    0);
		T_ASSERT(cfg.rest_auth.mfa_recovery_code_count == 64);
		T_ASSERT(cfg.rest_auth.mfa_verify_attempts == 1);
		app_config_free(&cfg);
	}
	/* pyotp takes 10 digits, but mfa/verify/ never a 10-character code. */
	REFUSE("{\"REST_AUTH\": {\"MFA_TOTP_DIGITS\": 10}}",
	    "config: REST_AUTH.MFA_TOTP_DIGITS: must be between 1 and 9");
	REFUSE("{\"REST_AUTH\": {\"MFA_TOTP_DIGITS\": 0}}",
	    "config: REST_AUTH.MFA_TOTP_DIGITS: must be between 1 and 9");
	REFUSE("{\"REST_AUTH\": {\"MFA_TOTP_PERIOD\": 0}}",
	    "config: REST_AUTH.MFA_TOTP_PERIOD: must be between 1 and 3600");
	REFUSE("{\"REST_AUTH\": {\"MFA_EPHEMERAL_TOKEN_TIMEOUT\": 0}}",
	    "config: REST_AUTH.MFA_EPHEMERAL_TOKEN_TIMEOUT: must be between 1");
	REFUSE("{\"REST_AUTH\": {\"MFA_RECOVERY_CODE_COUNT\": 65}}",
	    "config: REST_AUTH.MFA_RECOVERY_CODE_COUNT: must be between 1 and "
	    "64");
	REFUSE("{\"REST_AUTH\": {\"MFA_VERIFY_ATTEMPTS\": 0}}",
	    "config: REST_AUTH.MFA_VERIFY_ATTEMPTS: must be between 1 and 100");
	REFUSE("{\"REST_AUTH\": {\"MFA_ENABLED\": \"yes\"}}",
	    "config: REST_AUTH.MFA_ENABLED:");
	REFUSE("{\"REST_AUTH\": {\"MFA_TOTP_ISSUER\": \"a\\nb\"}}",
	    "config: REST_AUTH.MFA_TOTP_ISSUER: must not contain control");
	snprintf(json, sizeof(json),
	    "{\"REST_AUTH\": {\"MFA_TOTP_ISSUER\": \"%01025d\"}}", 0);
	REFUSE(json, "config: REST_AUTH.MFA_TOTP_ISSUER: must be at most 1024");
	snprintf(json, sizeof(json),
	    "{\"REST_AUTH\": {\"MFA_TOTP_ISSUER\": \"%01024d\"}}", 0);
	if (ACCEPT(json, &cfg))
		app_config_free(&cfg);
	REFUSE("{\"REST_AUTH\": {\"MFA_VERIFY_SERIALIZER\": \"x.Y\"}}",
	    "config: REST_AUTH.MFA_VERIFY_SERIALIZER:");
	/* Upstream's defaults, as a copied settings.py has them. */
	if (ACCEPT("{\"REST_AUTH\": {\"MFA_STATUS_SERIALIZER\": "
		   "\"dj_rest_auth.mfa.serializers.MFAStatusSerializer\", "
		   "\"MFA_RECOVERY_CODES_SERIALIZER\": "
		   "\"dj_rest_auth.mfa.serializers.RecoveryCodesSerializer\", "
		   "\"MFA_TOTP_ACTIVATE_INIT_SERIALIZER\": "
		   "\"dj_rest_auth.mfa.serializers.TOTPActivateInitSerializer\"}}",
		&cfg))
		app_config_free(&cfg);
	REFUSE("{\"REST_AUTH\": {\"MFA_TOTP_DEACTIVATE_SERIALIZER\": \"a.B\"}}",
	    "config: REST_AUTH.MFA_TOTP_DEACTIVATE_SERIALIZER:");
}

static void
test_bounds(void)
{
	struct app_config cfg;
	char json[128];

	REFUSE("{\"SIMPLE_JWT\": {\"ACCESS_TOKEN_LIFETIME\": 0}}",
	    "config: SIMPLE_JWT.ACCESS_TOKEN_LIFETIME: must be between 1 and");
	REFUSE("{\"SIMPLE_JWT\": {\"REFRESH_TOKEN_LIFETIME\": -5}}",
	    "config: SIMPLE_JWT.REFRESH_TOKEN_LIFETIME: must be between");
	REFUSE("{\"SIMPLE_JWT\": {\"LEEWAY\": -1}}",
	    "config: SIMPLE_JWT.LEEWAY: must be between 0 and");
	REFUSE("{\"SIMPLE_JWT\": {\"ACCESS_TOKEN_LIFETIME\": "
	       "99999999999999999999}}",
	    "config: SIMPLE_JWT.ACCESS_TOKEN_LIFETIME: must be between");
	REFUSE("{\"MAX_BODY_BYTES\": 1023}",
	    "config: MAX_BODY_BYTES: must be between 1024 and 1048576");
	snprintf(json, sizeof(json), "{\"MAX_BODY_BYTES\": %d}",
	    LIMIT_BODY_MAX + 1);
	REFUSE(json, "config: MAX_BODY_BYTES: must be between");
	snprintf(json, sizeof(json), "{\"MAX_BODY_BYTES\": %d}",
	    LIMIT_BODY_MAX);
	if (ACCEPT(json, &cfg)) {
		T_ASSERT(cfg.max_body_bytes == LIMIT_BODY_MAX);
		app_config_free(&cfg);
	}
	REFUSE("{\"REST_FRAMEWORK\": {\"NUM_PROXIES\": -1}}",
	    "config: REST_FRAMEWORK.NUM_PROXIES: must be between 0");
	REFUSE("{\"REST_FRAMEWORK\": {\"NUM_PROXIES\": \"1\"}}",
	    "config: REST_FRAMEWORK.NUM_PROXIES: expected an integer or null");
	if (ACCEPT("{\"REST_FRAMEWORK\": {\"NUM_PROXIES\": 2}}", &cfg)) {
		T_ASSERT(cfg.rest_framework.num_proxies == 2);
		app_config_free(&cfg);
	}
	if (ACCEPT("{\"REST_FRAMEWORK\": {\"NUM_PROXIES\": null}}", &cfg)) {
		T_ASSERT(cfg.rest_framework.num_proxies == -1);
		app_config_free(&cfg);
	}
	REFUSE("{\"LOGIN_FAILURE_LIMIT\": -1}",
	    "config: LOGIN_FAILURE_LIMIT: must be between 0 and");
	REFUSE("{\"LOGIN_FAILURE_LIMIT\": 1.5}",
	    "config: LOGIN_FAILURE_LIMIT: expected an integer");
	REFUSE("{\"LOGIN_FAILURE_BACKOFF_MAX\": 0}",
	    "config: LOGIN_FAILURE_BACKOFF_MAX: must be between 1 and 86400");
	REFUSE("{\"LOGIN_FAILURE_BACKOFF_MAX\": 86401}",
	    "config: LOGIN_FAILURE_BACKOFF_MAX: must be between 1 and 86400");
	if (ACCEPT("{\"LOGIN_FAILURE_LIMIT\": 0, "
		   "\"LOGIN_FAILURE_BACKOFF_MAX\": 1}", &cfg)) {
		T_ASSERT(cfg.login_failure_limit == 0);
		T_ASSERT(cfg.login_failure_backoff_max == 1);
		app_config_free(&cfg);
	}
	REFUSE("{\"ACCOUNT\": {\"USERNAME_MIN_LENGTH\": 0}}",
	    "config: ACCOUNT.USERNAME_MIN_LENGTH: must be between 1 and 150");
	REFUSE("{\"SECURE_HSTS_SECONDS\": -1}",
	    "config: SECURE_HSTS_SECONDS: must be between 0");

	/* PASSWORD_HASHER: libargon2's bounds. */
	REFUSE("{\"PASSWORD_HASHER\": {\"TIME_COST\": 0}}",
	    "config: PASSWORD_HASHER.TIME_COST: must be between 1 and 64");
	REFUSE("{\"PASSWORD_HASHER\": {\"TIME_COST\": 65}}",
	    "config: PASSWORD_HASHER.TIME_COST: must be between 1 and 64");
	REFUSE("{\"PASSWORD_HASHER\": {\"PARALLELISM\": 17}}",
	    "config: PASSWORD_HASHER.PARALLELISM: must be between 1 and 16");
	REFUSE("{\"PASSWORD_HASHER\": {\"MEMORY_COST\": 4194305}}",
	    "config: PASSWORD_HASHER.MEMORY_COST: must be between 8 and "
	    "4194304");
	REFUSE("{\"PASSWORD_HASHER\": {\"MEMORY_COST\": 8, \"PARALLELISM\": "
	       "2}}",
	    "config: PASSWORD_HASHER.MEMORY_COST: must be at least 8 * "
	    "PARALLELISM (16)");
	REFUSE("{\"PASSWORD_HASHER\": {\"SALT_LEN\": 16}}",
	    "config: unknown key PASSWORD_HASHER.SALT_LEN");
	REFUSE("{\"PASSWORD_HASHER\": {\"TIME_COST\": 2.0}}",
	    "config: PASSWORD_HASHER.TIME_COST: expected an integer");
	if (ACCEPT("{\"PASSWORD_HASHER\": {\"TIME_COST\": 3, \"MEMORY_COST\": "
		   "65536, \"PARALLELISM\": 4}}",
		&cfg)) {
		T_ASSERT(cfg.password_hasher.time_cost == 3);
		T_ASSERT(cfg.password_hasher.memory_cost == 65536);
		T_ASSERT(cfg.password_hasher.parallelism == 4);
		app_config_free(&cfg);
	}

	/* PASSWORD_HASHER: the other hashers' parameters. */
	REFUSE("{\"PASSWORD_HASHER\": {\"HASH_LEN\": 15}}",
	    "config: PASSWORD_HASHER.HASH_LEN: must be between 16 and 32");
	REFUSE("{\"PASSWORD_HASHER\": {\"HASH_LEN\": 33}}",
	    "config: PASSWORD_HASHER.HASH_LEN: must be between 16 and 32");
	REFUSE("{\"PASSWORD_HASHER\": {\"PBKDF2_ITERATIONS\": 999}}",
	    "config: PASSWORD_HASHER.PBKDF2_ITERATIONS: must be between 1000 "
	    "and 10000000");
	REFUSE("{\"PASSWORD_HASHER\": {\"PBKDF2_ITERATIONS\": 10000001}}",
	    "config: PASSWORD_HASHER.PBKDF2_ITERATIONS: must be between 1000 "
	    "and 10000000");
	REFUSE("{\"PASSWORD_HASHER\": {\"BCRYPT_ROUNDS\": 3}}",
	    "config: PASSWORD_HASHER.BCRYPT_ROUNDS: must be between 4 and 16");
	REFUSE("{\"PASSWORD_HASHER\": {\"BCRYPT_ROUNDS\": 17}}",
	    "config: PASSWORD_HASHER.BCRYPT_ROUNDS: must be between 4 and 16");
	REFUSE("{\"PASSWORD_HASHER\": {\"SCRYPT_WORK_FACTOR\": 1}}",
	    "config: PASSWORD_HASHER.SCRYPT_WORK_FACTOR: must be between 2 "
	    "and 4194304");
	REFUSE("{\"PASSWORD_HASHER\": {\"SCRYPT_WORK_FACTOR\": 10000}}",
	    "config: PASSWORD_HASHER.SCRYPT_WORK_FACTOR: must be a power of "
	    "two");
	REFUSE("{\"PASSWORD_HASHER\": {\"SCRYPT_WORK_FACTOR\": 65536, "
	       "\"SCRYPT_BLOCK_SIZE\": 1}}",
	    "config: PASSWORD_HASHER.SCRYPT_WORK_FACTOR: must be below 65536 "
	    "when SCRYPT_BLOCK_SIZE is 1");
	REFUSE("{\"PASSWORD_HASHER\": {\"SCRYPT_WORK_FACTOR\": 1048576, "
	       "\"SCRYPT_PARALLELISM\": 2}}",
	    "config: PASSWORD_HASHER.SCRYPT_WORK_FACTOR: times "
	    "SCRYPT_BLOCK_SIZE times SCRYPT_PARALLELISM must be at most "
	    "4194304");
	REFUSE("{\"PASSWORD_HASHER\": {\"SCRYPT_BLOCK_SIZE\": 0}}",
	    "config: PASSWORD_HASHER.SCRYPT_BLOCK_SIZE: must be between 1");
	REFUSE("{\"PASSWORD_HASHER\": {\"SCRYPT_PARALLELISM\": 17}}",
	    "config: PASSWORD_HASHER.SCRYPT_PARALLELISM: must be between 1 "
	    "and 16");
	REFUSE("{\"PASSWORD_HASHER\": {\"PBKDF2_ITERATIONS\": \"260000\"}}",
	    "config: PASSWORD_HASHER.PBKDF2_ITERATIONS: expected an integer");

	/* PASSWORD_HASHERS: known, not refused, not empty, each once. */
	REFUSE("{\"PASSWORD_HASHERS\": []}",
	    "config: PASSWORD_HASHERS: must not be empty");
	REFUSE("{\"PASSWORD_HASHERS\": \"" PW_DJANGO "PBKDF2PasswordHasher\"}",
	    "config: PASSWORD_HASHERS: expected a list of strings");
	REFUSE("{\"PASSWORD_HASHERS\": [\"" PW_DJANGO
	       "PBKDF2PasswordHasher\", \"" PW_DJANGO "MD5PasswordHasher\"]}",
	    "config: PASSWORD_HASHERS[1]: refused: a password hashed with it "
	    "is guessed at billions");
	REFUSE("{\"PASSWORD_HASHERS\": [\"" PW_DJANGO
	       "UnsaltedSHA1PasswordHasher\"]}",
	    "config: PASSWORD_HASHERS[0]: refused:");
	REFUSE("{\"PASSWORD_HASHERS\": [\"" PW_DJANGO "CryptPasswordHasher\"]}",
	    "config: PASSWORD_HASHERS[0]: refused:");
	REFUSE("{\"PASSWORD_HASHERS\": [\"myproject.hashers.Fast\"]}",
	    "config: PASSWORD_HASHERS[0]: unknown hasher; expected "
	    "django.contrib.auth.hashers.Argon2PasswordHasher, ");
	REFUSE("{\"PASSWORD_HASHERS\": [\"" PW_DJANGO
	       "Argon2PasswordHasher\", \"" PW_DJANGO
	       "PBKDF2PasswordHasher\", \"" PW_DJANGO
	       "Argon2PasswordHasher\"]}",
	    "config: PASSWORD_HASHERS[2]: django.contrib.auth.hashers."
	    "Argon2PasswordHasher is listed twice (also at [0])");
	if (ACCEPT("{\"PASSWORD_HASHERS\": [\"" PW_DJANGO
		   "PBKDF2PasswordHasher\", \"" PW_DJANGO
		   "BCryptPasswordHasher\"], \"PASSWORD_HASHER\": "
		   "{\"PBKDF2_ITERATIONS\": 260000, \"BCRYPT_ROUNDS\": 10, "
		   "\"HASH_LEN\": 16, \"SCRYPT_WORK_FACTOR\": 32768, "
		   "\"SCRYPT_BLOCK_SIZE\": 4, \"SCRYPT_PARALLELISM\": 2}}",
		&cfg)) {
		T_ASSERT(cfg.password_hashers_len == 2);
		T_ASSERT(cfg.password_hashers_algo[0] == PW_ALGO_PBKDF2_SHA256);
		T_ASSERT(cfg.password_hashers_algo[1] == PW_ALGO_BCRYPT);
		T_ASSERT(cfg.password_hasher.pbkdf2_iterations == 260000);
		T_ASSERT(cfg.password_hasher.bcrypt_rounds == 10);
		T_ASSERT(cfg.password_hasher.hash_len == 16);
		T_ASSERT(cfg.password_hasher.scrypt_work_factor == 32768);
		T_ASSERT(cfg.password_hasher.scrypt_block_size == 4);
		T_ASSERT(cfg.password_hasher.scrypt_parallelism == 2);
		app_config_free(&cfg);
	}
}

/* A fresh key as JSON-escaped PEM (private or public) in buf. */
static void
pem_json(EVP_PKEY *pk, bool priv, char *buf, size_t bufsz)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *o = buf;
	long len, i;

	if (bio == NULL ||
	    (priv ? PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL)
		  : PEM_write_bio_PUBKEY(bio, pk)) != 1)
		exit(2);
	len = BIO_get_mem_data(bio, &data);
	for (i = 0; i < len && (size_t)(o - buf) + 3 < bufsz; i++) {
		if (data[i] == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else
			*o++ = data[i];
	}
	*o = '\0';
	BIO_free(bio);
}

static void
test_jwt(void)
{
	static char priv[8192], pub[8192], pub2[8192], ecpriv[1024],
	    ecpub[1024], json[20000];
	struct app_config cfg;
	EVP_PKEY *rsa, *rsa2, *ec, *ec384;
	char err[APP_CONFIG_ERRSZ];

	REFUSE("{\"SIMPLE_JWT\": {\"ALGORITHM\": \"none\"}}",
	    "config: SIMPLE_JWT.ALGORITHM: expected one of HS256");
	REFUSE("{\"SIMPLE_JWT\": {\"ALGORITHM\": \"hs256\"}}",
	    "config: SIMPLE_JWT.ALGORITHM: expected one of");
	REFUSE("{\"SIMPLE_JWT\": {\"ALGORITHM\": \"RS256\"}}",
	    "config: SIMPLE_JWT.SIGNING_KEY: required for RS256");
	REFUSE("{\"SIMPLE_JWT\": {\"SIGNING_KEY\": \"\"}}",
	    "config: SIMPLE_JWT.SIGNING_KEY: must not be empty");
	REFUSE("{\"SIMPLE_JWT\": {\"AUTH_HEADER_TYPES\": []}}",
	    "config: SIMPLE_JWT.AUTH_HEADER_TYPES: must not be empty");
	REFUSE("{\"SIMPLE_JWT\": {\"AUTH_HEADER_TYPES\": [\"Bearer x\"]}}",
	    "config: SIMPLE_JWT.AUTH_HEADER_TYPES[0]: must be one word");
	REFUSE("{\"SIMPLE_JWT\": {\"AUTH_HEADER_TYPES\": 1}}",
	    "config: SIMPLE_JWT.AUTH_HEADER_TYPES: expected a string or a "
	    "list of strings");
	REFUSE("{\"SIMPLE_JWT\": {\"USER_ID_FIELD\": \"uuid\"}}",
	    "config: SIMPLE_JWT.USER_ID_FIELD: expected \"id\"");
	REFUSE("{\"SIMPLE_JWT\": {\"AUTH_HEADER_NAME\": \"HTTP_X_TOKEN\"}}",
	    "config: SIMPLE_JWT.AUTH_HEADER_NAME: only \"HTTP_AUTHORIZATION\" "
	    "is supported");
	REFUSE("{\"SIMPLE_JWT\": {\"CHECK_REVOKE_TOKEN\": true}}",
	    "config: SIMPLE_JWT.CHECK_REVOKE_TOKEN: only false is supported");
	if (ACCEPT("{\"SIMPLE_JWT\": {\"AUTH_HEADER_TYPES\": \"JWT\", "
		   "\"ALGORITHM\": \"HS512\", \"AUDIENCE\": \"api\", "
		   "\"ISSUER\": \"me\", \"LEEWAY\": 10, "
		   "\"ACCESS_TOKEN_LIFETIME\": 60, "
		   "\"AUTH_HEADER_NAME\": \"HTTP_AUTHORIZATION\", "
		   "\"JWK_URL\": null, \"CHECK_USER_IS_ACTIVE\": true, "
		   "\"AUTH_TOKEN_CLASSES\": "
		   "[\"rest_framework_simplejwt.tokens.AccessToken\"], "
		   "\"SLIDING_TOKEN_LIFETIME\": 1200}}",
		&cfg)) {
		T_ASSERT(cfg.simple_jwt.auth_header_types_len == 1);
		T_STREQ(cfg.simple_jwt.auth_header_types[0], "JWT");
		T_STREQ(cfg.simple_jwt.algorithm, "HS512");
		T_STREQ(cfg.simple_jwt.audience, "api");
		T_STREQ(cfg.simple_jwt.issuer, "me");
		T_ASSERT(cfg.simple_jwt.leeway == 10);
		T_ASSERT(cfg.simple_jwt.access_token_lifetime == 60);
		T_ASSERT(cfg.simple_jwt.sliding_token_lifetime == 1200);
		app_config_free(&cfg);
	}

	rsa = EVP_RSA_gen(2048);
	rsa2 = EVP_RSA_gen(2048);
	ec = EVP_EC_gen("P-256");
	ec384 = EVP_EC_gen("P-384");
	if (rsa == NULL || rsa2 == NULL || ec == NULL || ec384 == NULL)
		exit(2);
	pem_json(rsa, true, priv, sizeof(priv));
	pem_json(rsa, false, pub, sizeof(pub));
	pem_json(rsa2, false, pub2, sizeof(pub2));

	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": "
	    "\"RS256\", \"SIGNING_KEY\": \"%s\"}}",
	    priv);
	REFUSE(json, "config: SIMPLE_JWT.VERIFYING_KEY: required for RS256");
	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": \"RS256\", \"SIGNING_KEY\": "
	    "\"%s\", \"VERIFYING_KEY\": \"%s\"}}",
	    priv, pub);
	if (ACCEPT(json, &cfg)) {
		T_STREQ(cfg.simple_jwt.algorithm, "RS256");
		T_ASSERT(
		    strncmp(cfg.simple_jwt.signing_key, "-----BEGIN", 10) == 0);
		T_ASSERT(
		    strstr(cfg.simple_jwt.verifying_key, "PUBLIC KEY") != NULL);
		app_config_free(&cfg);
	}
	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": \"RS512\", \"SIGNING_KEY\": "
	    "\"%s\", \"VERIFYING_KEY\": \"%s\"}}",
	    priv, pub2);
	REFUSE(json,
	    "config: SIMPLE_JWT.VERIFYING_KEY: does not match "
	    "SIMPLE_JWT.SIGNING_KEY");
	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": \"RS256\", \"SIGNING_KEY\": "
	    "\"%s\", \"VERIFYING_KEY\": \"%s\"}}",
	    pub, pub);
	REFUSE(json,
	    "config: SIMPLE_JWT.SIGNING_KEY: expected an "
	    "unencrypted PEM RSA private key");
	/* The message never echoes the key. */
	T_ASSERT(
	    app_config_load(put(json), &cfg, err, sizeof(err)) == APP_EINPUT);
	T_ASSERT(strstr(err, "BEGIN") == NULL);
	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": \"RS256\", \"SIGNING_KEY\": "
	    "\"%s\", \"VERIFYING_KEY\": \"not a key\"}}",
	    priv);
	REFUSE(json,
	    "config: SIMPLE_JWT.VERIFYING_KEY: expected a PEM RSA "
	    "public key");

	pem_json(ec, true, ecpriv, sizeof(ecpriv));
	pem_json(ec, false, ecpub, sizeof(ecpub));
	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": \"ES256\", \"SIGNING_KEY\": "
	    "\"%s\", \"VERIFYING_KEY\": \"%s\"}}",
	    ecpriv, ecpub);
	if (ACCEPT(json, &cfg))
		app_config_free(&cfg);
	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": \"ES384\", \"SIGNING_KEY\": "
	    "\"%s\", \"VERIFYING_KEY\": \"%s\"}}",
	    ecpriv, ecpub);
	REFUSE(json,
	    "config: SIMPLE_JWT.SIGNING_KEY: expected an unencrypted "
	    "PEM EC private key on the algorithm's curve for ES384");
	snprintf(json, sizeof(json),
	    "{\"SIMPLE_JWT\": {\"ALGORITHM\": \"RS256\", \"SIGNING_KEY\": "
	    "\"%s\", \"VERIFYING_KEY\": \"%s\"}}",
	    ecpriv, ecpub);
	REFUSE(json,
	    "config: SIMPLE_JWT.SIGNING_KEY: expected an unencrypted "
	    "PEM RSA private key");
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ec384);
}

static void
test_rest_auth(void)
{
	struct app_config cfg;

	REFUSE("{\"REST_AUTH\": {\"LOGIN_SERIALIZER\": \"myapp.Login\"}}",
	    "config: REST_AUTH.LOGIN_SERIALIZER: only "
	    "\"dj_rest_auth.serializers.LoginSerializer\" is supported "
	    "(restauth cannot load Python classes)");
	REFUSE("{\"REST_AUTH\": {\"REGISTER_PERMISSION_CLASSES\": []}}",
	    "config: REST_AUTH.REGISTER_PERMISSION_CLASSES: only");
	REFUSE("{\"REST_AUTH\": {\"PASSWORD_RESET_USE_SITES_DOMAIN\": true}}",
	    "config: REST_AUTH.PASSWORD_RESET_USE_SITES_DOMAIN: only false");
	REFUSE("{\"REST_AUTH\": {\"TOKEN_MODEL\": \"myapp.models.Token\"}}",
	    "config: REST_AUTH.TOKEN_MODEL: only "
	    "\"rest_framework.authtoken.models.Token\" or null");
	/* A settings.py copied verbatim loads. */
	if (ACCEPT(
		"{\"REST_AUTH\": {"
		"\"LOGIN_SERIALIZER\": "
		"\"dj_rest_auth.serializers.LoginSerializer\", "
		"\"REGISTER_SERIALIZER\": "
		"\"dj_rest_auth.registration.serializers.RegisterSerializer\", "
		"\"REGISTER_PERMISSION_CLASSES\": "
		"[\"rest_framework.permissions.AllowAny\"], "
		"\"TOKEN_CREATOR\": "
		"\"dj_rest_auth.utils.default_create_token\", "
		"\"PASSWORD_RESET_USE_SITES_DOMAIN\": false, "
		"\"TOKEN_MODEL\": null, \"USE_JWT\": true, "
		"\"JWT_AUTH_COOKIE\": \"my-app-auth\", "
		"\"JWT_AUTH_REFRESH_COOKIE\": \"my-refresh\", "
		"\"JWT_AUTH_REFRESH_COOKIE_PATH\": \"/auth/token/refresh/\", "
		"\"JWT_AUTH_SAMESITE\": \"strict\", "
		"\"JWT_AUTH_COOKIE_DOMAIN\": \".example.com\"}, "
		"\"SESSION_COOKIE_SAMESITE\": false, "
		"\"CSRF_COOKIE_SAMESITE\": \"none\"}",
		&cfg)) {
		T_ASSERT(cfg.rest_auth.token_model == NULL);
		T_ASSERT(cfg.rest_auth.use_jwt);
		T_STREQ(cfg.rest_auth.jwt_access.name, "my-app-auth");
		T_STREQ(cfg.rest_auth.jwt_refresh.name, "my-refresh");
		T_STREQ(cfg.rest_auth.jwt_refresh.path,
		    "/auth/token/refresh/");
		T_STREQ(cfg.rest_auth.jwt_access.samesite, "strict"); /* as written, as Django sends it */
		T_STREQ(cfg.rest_auth.jwt_access.domain, ".example.com");
		T_STREQ(cfg.rest_auth.jwt_refresh.domain, ".example.com");
		T_STREQ(cfg.rest_auth.jwt_refresh.samesite, "strict");
		T_ASSERT(cfg.session_cookie.samesite == NULL);
		T_STREQ(cfg.csrf_cookie.samesite, "none");
		app_config_free(&cfg);
	}
	if (ACCEPT("{\"REST_AUTH\": {\"JWT_AUTH_SAMESITE\": null}}", &cfg)) {
		T_ASSERT(cfg.rest_auth.jwt_access.samesite == NULL);
		app_config_free(&cfg);
	}
}

static void
test_throttle(void)
{
	struct app_config cfg;
	const struct app_throttle_rate *r;
	size_t i;
	bool anon = false, user = false, scoped = false;

	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": "
	       "{\"anon\": \"10/fortnight\"}}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES.anon: expected "
	    "\"N/period\"");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": "
	       "{\"anon\": \"x/hour\"}}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES.anon: expected");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": "
	       "{\"user\": \"10\"}}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES.user: expected");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": "
	       "{\"user\": \"-1/min\"}}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES.user: expected");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": "
	       "{\"user\": 10}}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES.user: expected");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_RATES\": []}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES: expected an "
	    "object");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_CLASSES\": "
	       "[\"myapp.throttles.Burst\"]}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_CLASSES[0]: expected "
	    "rest_framework.throttling.AnonRateThrottle");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_CLASSES\": "
	       "[\"rest_framework.throttling.AnonRateThrottle\"]}}",
	    "config: REST_FRAMEWORK.DEFAULT_THROTTLE_RATES: no rate for scope "
	    "\"anon\"");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_CLASSES\": "
	       "[\"rest_framework.throttling.ScopedRateThrottle\"], "
	       "\"DEFAULT_THROTTLE_RATES\": {\"anon\": \"1/s\"}}}",
	    "no rate for scope \"dj_rest_auth\"");
	REFUSE("{\"REST_FRAMEWORK\": {\"DEFAULT_AUTHENTICATION_CLASSES\": []}}",
	    "config: unknown key "
	    "REST_FRAMEWORK.DEFAULT_AUTHENTICATION_CLASSES");
	if (!ACCEPT("{\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_CLASSES\": ["
		    "\"rest_framework.throttling.AnonRateThrottle\", "
		    "\"rest_framework.throttling.UserRateThrottle\", "
		    "\"rest_framework.throttling.ScopedRateThrottle\"], "
		    "\"DEFAULT_THROTTLE_RATES\": {\"anon\": \"100/day\", "
		    "\"user\": \"5/m\", \"dj_rest_auth\": null, "
		    "\"burst\": \"0/seconds\"}}}",
		&cfg))
		return;
	T_ASSERT(cfg.rest_framework.default_throttle_classes_len == 3);
	T_STREQ(cfg.rest_framework.default_throttle_classes[2],
	    "rest_framework.throttling.ScopedRateThrottle");
	T_ASSERT(cfg.rest_framework.default_throttle_rates_len == 4);
	for (i = 0; i < cfg.rest_framework.default_throttle_rates_len; i++) {
		r = &cfg.rest_framework.default_throttle_rates[i];
		if (strcmp(r->scope, "anon") == 0)
			anon = !r->disabled && r->num == 100 &&
			    r->period_seconds == 86400;
		else if (strcmp(r->scope, "user") == 0)
			user = !r->disabled && r->num == 5 &&
			    r->period_seconds == 60;
		else if (strcmp(r->scope, "dj_rest_auth") == 0)
			scoped = r->disabled;
		else
			T_ASSERT(strcmp(r->scope, "burst") == 0 &&
			    r->num == 0 && r->period_seconds == 1);
	}
	T_ASSERT(anon && user && scoped);
	app_config_free(&cfg);
}

static void
test_validators(void)
{
	struct app_config cfg;
	const struct app_validator *v;
	char json[512];

	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"MinimumLengthValidator\"}, {\"NAME\": "
	       "\"NumericPasswordValidator\"}, {\"NAME\": \"Foo\"}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[2].NAME: unknown validator "
	    "\"Foo\"");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"django.contrib.auth.password_validation.Nope\"}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0].NAME: unknown validator "
	    "\"django.contrib.auth.password_validation.Nope\"");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"MinimumLengthValidator\", \"OPTIONS\": {\"foo\": 1}}]}",
	    "config: unknown key AUTH_PASSWORD_VALIDATORS[0].OPTIONS.foo");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"NumericPasswordValidator\", \"OPTIONS\": {\"min_length\": "
	       "1}}]}",
	    "config: unknown key AUTH_PASSWORD_VALIDATORS[0].OPTIONS."
	    "min_length");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"UserAttributeSimilarityValidator\", \"OPTIONS\": "
	       "{\"max_similarity\": 0.05}}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0].OPTIONS.max_similarity: must "
	    "be at least 0.1");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"UserAttributeSimilarityValidator\", \"OPTIONS\": "
	       "{\"user_attributes\": [\"username\", \"phone\"]}}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0].OPTIONS.user_attributes[1]: "
	    "expected username");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"MinimumLengthValidator\", \"OPTIONS\": {\"min_length\": "
	       "-1}}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0].OPTIONS.min_length: must be "
	    "between 0");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"OPTIONS\": {}}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0].NAME: required");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"NumericPasswordValidator\", \"OPTIONS\": null}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0].OPTIONS: expected an object");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"NumericPasswordValidator\", \"options\": {}}]}",
	    "config: unknown key AUTH_PASSWORD_VALIDATORS[0].options");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [\"MinimumLengthValidator\"]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0]: expected {");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": {}}",
	    "config: AUTH_PASSWORD_VALIDATORS: expected a list");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"CommonPasswordValidator\", \"OPTIONS\": "
	       "{\"password_list_path\": \"/nonexistent/list.txt\"}}]}",
	    "config: AUTH_PASSWORD_VALIDATORS[0].OPTIONS.password_list_path: "
	    "cannot read");

	snprintf(json, sizeof(json),
	    "{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	    "\"CommonPasswordValidator\", \"OPTIONS\": "
	    "{\"password_list_path\": \"%s/config/restauth.json\"}}]}",
	    SRCDIR);
	if (ACCEPT(json, &cfg)) {
		T_ASSERT(cfg.auth_password_validators_len == 1);
		T_ASSERT(
		    strstr(cfg.auth_password_validators[0].password_list_path,
			"restauth.json") != NULL);
		app_config_free(&cfg);
	}

	if (!ACCEPT("{\"AUTH_PASSWORD_VALIDATORS\": ["
		    "{\"NAME\": \"django.contrib.auth.password_validation."
		    "UserAttributeSimilarityValidator\"}, "
		    "{\"NAME\": \"MinimumLengthValidator\", \"OPTIONS\": "
		    "{\"min_length\": 12}}, "
		    "{\"NAME\": \"CommonPasswordValidator\"}, "
		    "{\"NAME\": \"NumericPasswordValidator\"}, "
		    "{\"NAME\": \"UserAttributeSimilarityValidator\", "
		    "\"OPTIONS\": {\"user_attributes\": [\"email\"], "
		    "\"max_similarity\": 1}}]}",
		&cfg))
		return;
	T_ASSERT(cfg.auth_password_validators_len == 5);
	v = cfg.auth_password_validators;
	T_ASSERT(v[0].kind == APP_VALIDATOR_SIMILARITY);
	T_ASSERT(v[0].user_attributes_len == 4);
	T_STREQ(v[0].user_attributes[0], "username");
	T_STREQ(v[0].user_attributes[1], "first_name");
	T_STREQ(v[0].user_attributes[2], "last_name");
	T_STREQ(v[0].user_attributes[3], "email");
	T_ASSERT(v[0].max_similarity > 0.69 && v[0].max_similarity < 0.71);
	T_ASSERT(v[1].kind == APP_VALIDATOR_MIN_LENGTH);
	T_ASSERT(v[1].min_length == 12);
	T_ASSERT(v[2].kind == APP_VALIDATOR_COMMON);
	T_ASSERT(v[2].password_list_path == NULL);
	T_ASSERT(v[3].kind == APP_VALIDATOR_NUMERIC);
	T_ASSERT(v[4].kind == APP_VALIDATOR_SIMILARITY);
	T_ASSERT(v[4].user_attributes_len == 1);
	T_ASSERT(v[4].max_similarity == 1.0);
	app_config_free(&cfg);

	if (ACCEPT("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
		   "\"MinimumLengthValidator\"}]}",
		&cfg)) {
		T_ASSERT(cfg.auth_password_validators[0].min_length == 8);
		app_config_free(&cfg);
	}
}

static void
test_account(void)
{
	struct app_config cfg;

	REFUSE("{\"ACCOUNT\": {\"AUTHENTICATION_METHOD\": \"email\"}}",
	    "config: ACCOUNT.EMAIL_REQUIRED: must be true when "
	    "ACCOUNT.AUTHENTICATION_METHOD is \"email\"");
	REFUSE("{\"ACCOUNT\": {\"AUTHENTICATION_METHOD\": \"email\", "
	       "\"EMAIL_REQUIRED\": true, \"UNIQUE_EMAIL\": false}}",
	    "config: ACCOUNT.UNIQUE_EMAIL: must be true when "
	    "ACCOUNT.AUTHENTICATION_METHOD is \"email\"");
	REFUSE("{\"ACCOUNT\": {\"AUTHENTICATION_METHOD\": \"username_email\", "
	       "\"UNIQUE_EMAIL\": false}}",
	    "config: ACCOUNT.UNIQUE_EMAIL: must be true when "
	    "ACCOUNT.AUTHENTICATION_METHOD is \"username_email\"");
	REFUSE("{\"ACCOUNT\": {\"EMAIL_VERIFICATION\": \"mandatory\"}}",
	    "config: ACCOUNT.EMAIL_REQUIRED: must be true when "
	    "ACCOUNT.EMAIL_VERIFICATION is \"mandatory\"");
	REFUSE("{\"ACCOUNT\": {\"USERNAME_REQUIRED\": false}}",
	    "config: ACCOUNT.USERNAME_REQUIRED: false needs "
	    "ACCOUNT.AUTHENTICATION_METHOD \"email\"");
	REFUSE("{\"ACCOUNT\": {\"PASSWORD_MIN_LENGTH\": 8}}",
	    "config: ACCOUNT.PASSWORD_MIN_LENGTH: deprecated by allauth; use "
	    "AUTH_PASSWORD_VALIDATORS");
	REFUSE("{\"ACCOUNT\": {\"USERNAME_BLACKLIST\": [\"admin\", \"\"]}}",
	    "config: ACCOUNT.USERNAME_BLACKLIST[1]: must not be empty");
	if (ACCEPT("{\"ACCOUNT\": {\"AUTHENTICATION_METHOD\": \"email\", "
		   "\"EMAIL_REQUIRED\": true, \"USERNAME_REQUIRED\": false, "
		   "\"EMAIL_VERIFICATION\": \"mandatory\", "
		   "\"LOGOUT_ON_GET\": true, \"USERNAME_BLACKLIST\": "
		   "[\"admin\", \"root\"], \"EMAIL_SUBJECT_PREFIX\": "
		   "\"[Site] \"}}",
		&cfg)) {
		T_ASSERT(
		    cfg.account.authentication_method == ACCOUNT_AUTH_EMAIL);
		T_ASSERT(cfg.account.email_verification ==
		    ACCOUNT_EMAIL_VERIFICATION_MANDATORY);
		T_ASSERT(!cfg.account.username_required);
		T_ASSERT(cfg.account.logout_on_get);
		T_ASSERT(cfg.account.username_blacklist_len == 2);
		T_STREQ(cfg.account.username_blacklist[1], "root");
		T_STREQ(cfg.account.email_subject_prefix, "[Site] ");
		app_config_free(&cfg);
	}
	if (ACCEPT("{\"ACCOUNT\": {\"AUTHENTICATION_METHOD\": "
		   "\"username_email\", \"EMAIL_VERIFICATION\": \"none\"}}",
		&cfg)) {
		T_ASSERT(cfg.account.authentication_method ==
		    ACCOUNT_AUTH_USERNAME_EMAIL);
		T_ASSERT(cfg.account.email_verification ==
		    ACCOUNT_EMAIL_VERIFICATION_NONE);
		app_config_free(&cfg);
	}
}

static void
test_top(void)
{
	struct app_config cfg;

	REFUSE("{\"SECURE_PROXY_SSL_HEADER\": [\"HTTP_X_FORWARDED_PROTO\", "
	       "\"https\", \"x\"]}",
	    "config: SECURE_PROXY_SSL_HEADER: expected null or a list of 2 "
	    "strings");
	REFUSE("{\"SECURE_PROXY_SSL_HEADER\": [\"HTTP_X_FORWARDED_PROTO\"]}",
	    "config: SECURE_PROXY_SSL_HEADER: expected null or a list of 2");
	REFUSE("{\"SECURE_PROXY_SSL_HEADER\": \"HTTP_X_FORWARDED_PROTO\"}",
	    "config: SECURE_PROXY_SSL_HEADER: expected null or a list of 2");
	REFUSE("{\"SECURE_PROXY_SSL_HEADER\": [\"X-Forwarded-Proto\", "
	       "\"https\"]}",
	    "config: SECURE_PROXY_SSL_HEADER: the header must be a "
	    "request.META name");
	REFUSE("{\"PASSWORD_RESET_URL\": \"https://a.example/reset/{uid}/\"}",
	    "config: PASSWORD_RESET_URL: must contain {uid} and {token}");
	REFUSE("{\"EMAIL_CONFIRM_URL\": \"https://a.example/confirm/\"}",
	    "config: EMAIL_CONFIRM_URL: must contain {key}");
	REFUSE("{\"CORS_ALLOWED_ORIGINS\": [\"https://a.example/\"]}",
	    "config: CORS_ALLOWED_ORIGINS[0]: must be scheme://host[:port] "
	    "with no path");
	REFUSE("{\"CORS_ALLOWED_ORIGINS\": [\"a.example\"]}",
	    "config: CORS_ALLOWED_ORIGINS[0]: must be scheme://host");
	REFUSE("{\"CSRF_TRUSTED_ORIGINS\": [\"a.example\"]}",
	    "config: CSRF_TRUSTED_ORIGINS[0]: must start with a scheme");
	REFUSE("{\"ALLOWED_HOSTS\": [\"a b\"]}",
	    "config: ALLOWED_HOSTS[0]: must be a host name");
	REFUSE("{\"ALLOWED_HOSTS\": [\"https://a.example\"]}",
	    "config: ALLOWED_HOSTS[0]: must be a host name");
	REFUSE("{\"ALLOWED_HOSTS\": [\"\"]}",
	    "config: ALLOWED_HOSTS[0]: must be a host name");
	REFUSE("{\"ALLOWED_HOSTS\": \"a.example\"}",
	    "config: ALLOWED_HOSTS: expected a list of strings");
	/* A relative program is found next to the config file. */
	{
		struct app_config rel;
		const char *slash;

		if (ACCEPT("{\"EMAIL_SENDMAIL\": \"bin/mailer -t\"}", &rel)) {
			slash = strrchr(rel.email_sendmail[0], '/');
			T_ASSERT(rel.email_sendmail[0][0] == '/');
			T_ASSERT(strncmp(rel.email_sendmail[0], dir,
				     strlen(dir)) == 0);
			T_STREQ(slash - 3, "bin/mailer");
			T_STREQ(rel.email_sendmail[1], "-t");
			app_config_free(&rel);
		}
	}
	REFUSE("{\"EMAIL_SENDMAIL\": \"/bin/cat\\t-t\"}",
	    "config: EMAIL_SENDMAIL: must not contain control characters");
	REFUSE("{\"EMAIL_SENDMAIL\": \"   \"}",
	    "config: EMAIL_SENDMAIL: must name a program");
	REFUSE("{\"EMAIL_SENDMAIL\": [\"/usr/sbin/sendmail\"]}",
	    "config: EMAIL_SENDMAIL: expected a string");
	REFUSE("{\"EMAIL_OUTBOX_DRAIN\": \"cron\"}",
	    "config: EMAIL_OUTBOX_DRAIN:");
	REFUSE("{\"PASSWORD_RESET_COOLDOWN\": -1}",
	    "config: PASSWORD_RESET_COOLDOWN:");
	REFUSE("{\"PASSWORD_RESET_COOLDOWN\": \"180\"}",
	    "config: PASSWORD_RESET_COOLDOWN:");
	REFUSE("{\"PASSWORD_RESET_TOKEN_GENERATOR\": \"Django\"}",
	    "config: PASSWORD_RESET_TOKEN_GENERATOR:");
	REFUSE("{\"PASSWORD_RESET_TOKEN_GENERATOR\": null}",
	    "config: PASSWORD_RESET_TOKEN_GENERATOR:");
	{
		struct app_config d;

		if (ACCEPT("{}", &d)) {
			/* Safe defaults: spawned drainers, a 3-minute
			 * cooldown. */
			T_ASSERT(d.email_outbox_drain == APP_OUTBOX_SPAWN);
			T_ASSERT(d.password_reset_cooldown == 180);
			/* allauth's reset links, as dj-rest-auth mails
			 * them beside registration. */
			T_ASSERT(d.password_reset_token_generator ==
			    APP_RESET_ALLAUTH);
			app_config_free(&d);
		}
		if (ACCEPT("{\"EMAIL_OUTBOX_DRAIN\": \"worker\", "
			   "\"PASSWORD_RESET_COOLDOWN\": 0, "
			   "\"PASSWORD_RESET_TOKEN_GENERATOR\": \"django\"}",
			&d)) {
			T_ASSERT(d.email_outbox_drain == APP_OUTBOX_WORKER);
			T_ASSERT(d.password_reset_token_generator ==
			    APP_RESET_DJANGO);
			T_ASSERT(d.password_reset_cooldown == 0);
			app_config_free(&d);
		}
	}
	if (!ACCEPT(
		"{\"SECURE_PROXY_SSL_HEADER\": [\"HTTP_X_FORWARDED_PROTO\", "
		"\"https\"], \"CORS_ALLOWED_ORIGINS\": "
		"[\"http://localhost:3000\", \"https://app.example.com\"], "
		"\"CSRF_TRUSTED_ORIGINS\": [\"https://*.example.com\"], "
		"\"EMAIL_SENDMAIL\": \"  /bin/cat  -t \", "
		"\"PASSWORD_RESET_URL\": "
		"\"myapp://reset?u={uid}&t={token}\", "
		"\"DEFAULT_FROM_EMAIL\": \"Site <noreply@example.com>\", "
		"\"SECURE_SSL_REDIRECT\": true, "
		"\"ALLOWED_HOSTS\": [],"
		"\"SESSION_COOKIE_SECURE\": true}",
		&cfg))
		return;
	T_STREQ(cfg.secure_proxy_ssl_header[0], "HTTP_X_FORWARDED_PROTO");
	T_STREQ(cfg.secure_proxy_ssl_header[1], "https");
	T_ASSERT(cfg.cors_allowed_origins_len == 2);
	T_STREQ(cfg.cors_allowed_origins[1], "https://app.example.com");
	T_ASSERT(cfg.csrf_trusted_origins_len == 1);
	T_ASSERT(cfg.email_sendmail_len == 2);
	T_STREQ(cfg.email_sendmail[0], "/bin/cat");
	T_STREQ(cfg.email_sendmail[1], "-t");
	T_ASSERT(cfg.email_sendmail[2] == NULL);
	T_STREQ(cfg.password_reset_url, "myapp://reset?u={uid}&t={token}");
	T_STREQ(cfg.default_from_email, "Site <noreply@example.com>");
	T_ASSERT(cfg.secure_ssl_redirect);
	T_ASSERT(cfg.allowed_hosts_len == 0 && cfg.allowed_hosts_given);
	T_ASSERT(cfg.session_cookie.secure);
	app_config_free(&cfg);
}

/* "_" keys are comments at every level; other unknown keys name the
 * closest known one. */
static void
test_comments(void)
{
	struct app_config cfg;

	if (ACCEPT("{\"_comment\": \"top\", \"_\": [1, {\"x\": 2}], "
		   "\"_comment\": \"again\", "
		   "\"REST_AUTH\": {\"_why\": \"jwt\", \"USE_JWT\": true, "
		   "\"_why\": \"twice\"}, "
		   "\"SIMPLE_JWT\": {\"_c\": null}, "
		   "\"ACCOUNT\": {\"_c\": {}}, "
		   "\"PASSWORD_HASHER\": {\"_c\": 1}, "
		   "\"REST_FRAMEWORK\": {\"_c\": 1, \"DEFAULT_THROTTLE_RATES\": "
		   "{\"_c\": \"not a rate\", \"anon\": \"1/s\"}}, "
		   "\"AUTH_PASSWORD_VALIDATORS\": [{\"_c\": \"len\", "
		   "\"NAME\": \"MinimumLengthValidator\", "
		   "\"OPTIONS\": {\"_c\": \"ten\", \"min_length\": 10}}]}",
		&cfg)) {
		T_ASSERT(cfg.rest_auth.use_jwt);
		T_ASSERT(cfg.rest_framework.default_throttle_rates_len == 1);
		T_ASSERT(cfg.auth_password_validators_len == 1 &&
		    cfg.auth_password_validators[0].min_length == 10);
		app_config_free(&cfg);
	}
	/* A duplicate that is no comment is still one. */
	REFUSE("{\"_c\": 1, \"DEBUG\": true, \"DEBUG\": false}",
	    "config: duplicate key DEBUG");
	REFUSE("{\"REST_AUTH\": {\"USE_JTW\": true}}",
	    "config: unknown key REST_AUTH.USE_JTW (did you mean "
	    "REST_AUTH.USE_JWT?)");
	REFUSE("{\"REST_AUTH\": {\"use_jwt\": true}}",
	    "config: unknown key REST_AUTH.use_jwt (did you mean "
	    "REST_AUTH.USE_JWT?)");
	REFUSE("{\"SECRET_KY\": \"x\"}",
	    "config: unknown key SECRET_KY (did you mean SECRET_KEY?)");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"NumericPasswordValidator\", \"OPTION\": {}}]}",
	    "config: unknown key AUTH_PASSWORD_VALIDATORS[0].OPTION (did you "
	    "mean AUTH_PASSWORD_VALIDATORS[0].OPTIONS?)");
	REFUSE("{\"AUTH_PASSWORD_VALIDATORS\": [{\"NAME\": "
	       "\"MinimumLengthValidator\", \"OPTIONS\": "
	       "{\"min_lenght\": 3}}]}",
	    "(did you mean AUTH_PASSWORD_VALIDATORS[0].OPTIONS.min_length?)");
	/* Nothing close: no guess. */
	REFUSE("{\"ACCOUNT\": {\"FOO\": 1}}", "config: unknown key ACCOUNT.FOO");
	REFUSE("{\"ZZZZZZZZZZZZ\": 1}", "config: unknown key ZZZZZZZZZZZZ");
	refuse_exact("{\"ACCOUNT\": {\"FOO\": 1}}",
	    "config: unknown key ACCOUNT.FOO");
}

/* Django's security.W009: refused unless DEBUG, for SECRET_KEY and an
 * HS* SIGNING_KEY; the key never appears in the message. */
static void
test_weak_secret(void)
{
	static const struct {
		const char *key, *why;
	} weak[] = {
		{ "x", "shorter than 50 characters" },
		{ "0123456789012345678901234567890123456789012345678",
		    "shorter than 50 characters" },
		{ "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd",
		    "fewer than 5 distinct characters" },
		/* 50 characters of 4 distinct two-byte ones: 100 bytes. */
		{ "\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8"
		  "\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8"
		  "\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8"
		  "\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8"
		  "\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8\u00ea\u00eb\u00e9\u00e8",
		    "fewer than 5 distinct characters" },
		{ "django-insecure-0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
		    "starts with \"django-insecure-\"" },
	};
	struct app_config cfg;
	char json[1024];
	size_t i;

	T_ASSERT(app_secret_weakness(ENV_SECRET) == NULL);
	/* 50 code points in 100 bytes, 5 distinct: strong enough. */
	T_ASSERT(app_secret_weakness("\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0"
				     "\xc3\xa9\xc3\xa8\xc3\xaa\xc3\xab\xc3\xa0") == NULL);
	unsetenv("SECRET_KEY");
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		snprintf(json, sizeof(json),
		    "{\"SECRET_KEY\": \"%s\"}", weak[i].key);
		REFUSE(json, weak[i].why);
		REFUSE(json, "config: SECRET_KEY: too weak (");
		REFUSE(json, "or set DEBUG true for development");
		snprintf(json, sizeof(json),
		    "{\"DEBUG\": true, \"SECRET_KEY\": \"%s\"}", weak[i].key);
		if (ACCEPT(json, &cfg)) {
			T_ASSERT(cfg.debug);
			app_config_free(&cfg);
		}
	}
	/* The message never holds the key. */
	refuse_exact("{\"SECRET_KEY\": \"weakweakweak\"}",
	    "config: SECRET_KEY: too weak (it is shorter than 50 characters; "
	    "Django's security.W009): use 50 or more random characters, e.g. "
	    "openssl rand -base64 48, or set DEBUG true for development");
	/* The environment's key is checked as well. */
	setenv("SECRET_KEY", "short-env-key", 1);
	REFUSE("{}", "config: SECRET_KEY: too weak");
	REFUSE("{\"SECRET_KEY\": \"" FILE_SECRET "\"}",
	    "config: SECRET_KEY: too weak");
	setenv("SECRET_KEY", ENV_SECRET, 1);
	/* An HS* SIGNING_KEY of its own: the same rule... */
	REFUSE("{\"SIMPLE_JWT\": {\"SIGNING_KEY\": \"x\"}}",
	    "config: SIMPLE_JWT.SIGNING_KEY: too weak (it is shorter than 50");
	REFUSE("{\"SIMPLE_JWT\": {\"ALGORITHM\": \"HS512\", "
	       "\"SIGNING_KEY\": \"django-insecure-" ENV_SECRET "\"}}",
	    "config: SIMPLE_JWT.SIGNING_KEY: too weak (it starts with");
	if (ACCEPT("{\"DEBUG\": true, \"SIMPLE_JWT\": {\"SIGNING_KEY\": "
		   "\"x\"}}",
		&cfg)) {
		T_STREQ(cfg.simple_jwt.signing_key, "x");
		app_config_free(&cfg);
	}
	if (ACCEPT("{}", &cfg)) {
		T_ASSERT(!cfg.debug);
		app_config_free(&cfg);
	}
}

static void
test_repo_config(void)
{
	struct app_config cfg;
	char err[APP_CONFIG_ERRSZ];
	enum app_err er;

	er = app_config_load(SRCDIR "/config/restauth.json", &cfg, err,
	    sizeof(err));
	if (er != APP_OK)
		fprintf(stderr, "config/restauth.json: %s\n", err);
	T_ASSERT(er == APP_OK);
	T_ASSERT(cfg.rest_auth.token_model != NULL && !cfg.rest_auth.use_jwt);
	T_ASSERT(cfg.account.authentication_method == ACCOUNT_AUTH_USERNAME);
	T_ASSERT(cfg.allowed_hosts_given && cfg.allowed_hosts_len == 2);
	app_config_free(&cfg);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	setenv("SECRET_KEY", ENV_SECRET, 1);
	setenv("DATABASE_URL", ENV_DB, 1);

	test_defaults();
	test_env();
	test_file();
	test_types();
	test_bounds();
	test_mfa();
	test_jwt();
	test_rest_auth();
	test_throttle();
	test_validators();
	test_account();
	test_top();
	test_comments();
	test_weak_secret();
	test_repo_config();

	snprintf(file, sizeof(file), "%s/restauth.json", dir);
	unlink(file);
	rmdir(dir);
	return T_DONE();
}
