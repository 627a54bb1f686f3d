/*
 * test_deploycheck.c: lib/api/deploycheck.c. A safe config has no finding;
 * each risk, added to it alone, gives exactly its id (and a hint does not
 * count as a warning); the defaults give the ones Django's defaults do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "deploycheck.h"
#include "testhelp.h"

#define SECRET "deploy-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

static char dir[64];
static char file[128];

/* The production-safe settings, but for the four given (JSON text);
 * more members may follow before the closing brace. */
#define SAFE_CORE(ssl, hsts, session, csrf)                                    \
	"{\"SECURE_SSL_REDIRECT\": " ssl ", \"SECURE_HSTS_SECONDS\": " hsts    \
	", \"SESSION_COOKIE_SECURE\": " session                                \
	", \"CSRF_COOKIE_SECURE\": " csrf ", "                                 \
	"\"REST_FRAMEWORK\": {\"NUM_PROXIES\": 1, "                            \
	"\"DEFAULT_THROTTLE_CLASSES\": "                                       \
	"[\"rest_framework.throttling.ScopedRateThrottle\"], "                 \
	"\"DEFAULT_THROTTLE_RATES\": {\"dj_rest_auth\": \"20/minute\"}}"
#define SAFE_WITH(ssl, hsts, session, csrf)                                    \
	SAFE_CORE(ssl, hsts, session, csrf)                                    \
	", \"ALLOWED_HOSTS\": [\"api.example.com\"]"
#define SAFE_BEGIN SAFE_WITH("true", "31536000", "true", "true")
#define SAFE_NO_HOSTS SAFE_CORE("true", "31536000", "true", "true")

static bool
load(const char *json, struct app_config *cfg)
{
	char err[APP_CONFIG_ERRSZ];
	FILE *f;

	snprintf(file, sizeof(file), "%s/c.json", dir);
	if ((f = fopen(file, "w")) == NULL || fputs(json, f) < 0 ||
	    fclose(f) != 0) {
		perror(file);
		exit(2);
	}
	if (app_config_load(file, cfg, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "FAIL config %s: %s\n", json, err);
		th_fail++;
		return false;
	}
	return true;
}

/* The ids found for json, space-separated, and the warning count. */
static void
ids_at(int line, const char *json, const char *want, size_t want_warnings)
{
	struct deploy_finding found[DEPLOY_FINDINGS_MAX];
	struct app_config cfg;
	char got[512] = "";
	size_t i, n, warnings;

	if (!load(json, &cfg))
		return;
	n = deploy_check(&cfg, found, DEPLOY_FINDINGS_MAX, &warnings);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(got, " ", sizeof(got) - strlen(got) - 1);
		strncat(got, found[i].id, sizeof(got) - strlen(got) - 1);
		T_ASSERT(found[i].text[0] != '\0' &&
		    strchr(found[i].text, '\n') == NULL);
		/* Never the key itself. */
		T_ASSERT(strstr(found[i].text, cfg.secret_key) == NULL);
	}
	if (strcmp(got, want) != 0 || warnings != want_warnings) {
		th_fail++;
		fprintf(stderr,
		    "FAIL line %d: %s\n  got \"%s\" (%zu)\n  want "
		    "\"%s\" (%zu)\n",
		    line, json, got, warnings, want, want_warnings);
	} else
		th_pass++;
	app_config_free(&cfg);
}
#define IDS(json, want, nw) ids_at(__LINE__, json, want, nw)

static void
test_rules(void)
{
	IDS(SAFE_BEGIN "}", "", 0);
	/* Django's defaults, as restauth's. */
	IDS("{}",
	    "restauth.W004 restauth.W008 restauth.W012 restauth.W016 "
	    "restauth.W020 restauth.W102 restauth.I101",
	    6);
	/* ALLOWED_HOSTS: absent (the local default), empty, or "*". */
	IDS(SAFE_NO_HOSTS "}", "restauth.W020", 1);
	IDS(SAFE_NO_HOSTS ", \"ALLOWED_HOSTS\": []}", "restauth.W020", 1);
	IDS(SAFE_NO_HOSTS ", \"ALLOWED_HOSTS\": [\"api.example.com\", \"*\"]}",
	    "restauth.W020", 1);
	IDS(SAFE_NO_HOSTS ", \"ALLOWED_HOSTS\": [\".example.com\"]}", "", 0);
	IDS(SAFE_BEGIN ", \"LOGIN_FAILURE_LIMIT\": 0}", "restauth.W107", 1);
	IDS(SAFE_BEGIN ", \"LOGIN_FAILURE_LIMIT\": 1}", "", 0);
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true}, "
		       "\"INSTALLED_APPS\": [\"rest_framework.authtoken\"]}",
	    "restauth.W108", 1);
	IDS(SAFE_WITH("true", "0", "true", "true") "}", "restauth.W004", 1);
	IDS(SAFE_WITH("false", "1", "true", "true") "}", "restauth.W008", 1);
	IDS(SAFE_WITH("true", "1", "false", "true") "}", "restauth.W012", 1);
	/* No session login: the session cookie is never set. */
	IDS(SAFE_WITH("true", "1", "false",
		"true") ", \"REST_AUTH\": {\"SESSION_LOGIN\": false}}",
	    "", 0);
	IDS(SAFE_WITH("true", "1", "true", "false") "}", "restauth.W016", 1);
	/* DEBUG with a weak key: both. */
	setenv("SECRET_KEY", "zq7#k", 1);
	IDS(SAFE_BEGIN ", \"DEBUG\": true}", "restauth.W009 restauth.W018", 2);
	setenv("SECRET_KEY", SECRET, 1);
	IDS(SAFE_BEGIN ", \"DEBUG\": true}", "restauth.W018", 1);
	/* JWT cookies without Secure; header-only JWT has no cookie. */
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true, "
		       "\"JWT_AUTH_COOKIE\": \"a\"}}",
	    "restauth.W101", 1);
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true}}", "", 0);
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true, "
		       "\"JWT_AUTH_REFRESH_COOKIE\": \"r\", "
		       "\"JWT_AUTH_SECURE\": true}}",
	    "", 0);
	/* Throttle: the class without the scope's rate, or a null rate. */
	IDS("{\"SECURE_SSL_REDIRECT\": true, \"SECURE_HSTS_SECONDS\": 1, "
	    "\"SESSION_COOKIE_SECURE\": true, \"CSRF_COOKIE_SECURE\": true, "
	    "\"ALLOWED_HOSTS\": [\"api.example.com\"], "
	    "\"REST_FRAMEWORK\": {\"NUM_PROXIES\": 0, "
	    "\"DEFAULT_THROTTLE_CLASSES\": "
	    "[\"rest_framework.throttling.AnonRateThrottle\"], "
	    "\"DEFAULT_THROTTLE_RATES\": {\"anon\": \"5/minute\", "
	    "\"dj_rest_auth\": \"5/minute\"}}}",
	    "restauth.W102", 1);
	IDS("{\"SECURE_SSL_REDIRECT\": true, \"SECURE_HSTS_SECONDS\": 1, "
	    "\"SESSION_COOKIE_SECURE\": true, \"CSRF_COOKIE_SECURE\": true, "
	    "\"ALLOWED_HOSTS\": [\"api.example.com\"], "
	    "\"REST_FRAMEWORK\": {\"NUM_PROXIES\": 0, "
	    "\"DEFAULT_THROTTLE_CLASSES\": "
	    "[\"rest_framework.throttling.ScopedRateThrottle\"], "
	    "\"DEFAULT_THROTTLE_RATES\": {\"dj_rest_auth\": null}}}",
	    "restauth.W102", 1);
	/* CORS: a wildcard entry with credentials, not without. */
	IDS(SAFE_BEGIN ", \"CORS_ALLOW_CREDENTIALS\": true, "
		       "\"CORS_ALLOWED_ORIGINS\": [\"https://a.example\", "
		       "\"https://*.example.com\"]}",
	    "restauth.W103", 1);
	IDS(SAFE_BEGIN ", \"CORS_ALLOWED_ORIGINS\": "
		       "[\"https://*.example.com\"]}",
	    "", 0);
	IDS(SAFE_BEGIN ", \"CORS_ALLOW_CREDENTIALS\": true, "
		       "\"CORS_ALLOWED_ORIGINS\": [\"https://a.example\"]}",
	    "", 0);
	/* Rotation without the blacklist, or without its app. */
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true}, \"SIMPLE_JWT\": "
		       "{\"ROTATE_REFRESH_TOKENS\": true}}",
	    "restauth.W104", 1);
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true}, \"SIMPLE_JWT\": "
		       "{\"ROTATE_REFRESH_TOKENS\": true, "
		       "\"BLACKLIST_AFTER_ROTATION\": true}, "
		       "\"INSTALLED_APPS\": [\"rest_framework.authtoken\"]}",
	    "restauth.W104 restauth.W108", 2);
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true}, \"SIMPLE_JWT\": "
		       "{\"ROTATE_REFRESH_TOKENS\": true, "
		       "\"BLACKLIST_AFTER_ROTATION\": true}}",
	    "", 0);
	/* SameSite None: only without CSRF. */
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true, "
		       "\"JWT_AUTH_COOKIE\": \"a\", \"JWT_AUTH_SECURE\": true, "
		       "\"JWT_AUTH_SAMESITE\": \"none\"}}",
	    "restauth.W105", 1);
	IDS(SAFE_BEGIN ", \"REST_AUTH\": {\"USE_JWT\": true, "
		       "\"JWT_AUTH_COOKIE\": \"a\", \"JWT_AUTH_SECURE\": true, "
		       "\"JWT_AUTH_SAMESITE\": \"None\", "
		       "\"JWT_AUTH_COOKIE_USE_CSRF\": true}}",
	    "", 0);
	/* argon2id: each OWASP pair passes, one step below does not. */
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 19456, "
		       "\"TIME_COST\": 2}}",
	    "", 0);
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 19455, "
		       "\"TIME_COST\": 2}}",
	    "restauth.W106", 1);
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 47104, "
		       "\"TIME_COST\": 1}}",
	    "", 0);
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 47103, "
		       "\"TIME_COST\": 1}}",
	    "restauth.W106", 1);
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 12288, "
		       "\"TIME_COST\": 3}}",
	    "", 0);
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 9216, "
		       "\"TIME_COST\": 4}}",
	    "", 0);
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 7168, "
		       "\"TIME_COST\": 5}}",
	    "", 0);
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHER\": {\"MEMORY_COST\": 7167, "
		       "\"TIME_COST\": 64}}",
	    "restauth.W106", 1);
	/* W106 judges the first hasher only, by its own OWASP minimum. */
#define FIRST(x) "\"PASSWORD_HASHERS\": [\"" PW_DJANGO x "\"]"
	IDS(SAFE_BEGIN ", " FIRST("PBKDF2PasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"MEMORY_COST\": 8}}",
	    "", 0);
	IDS(SAFE_BEGIN ", " FIRST("PBKDF2PasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"PBKDF2_ITERATIONS\": 600000}}",
	    "", 0);
	IDS(SAFE_BEGIN ", " FIRST("PBKDF2PasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"PBKDF2_ITERATIONS\": 599999}}",
	    "restauth.W106", 1);
	IDS(SAFE_BEGIN ", " FIRST("PBKDF2SHA1PasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"PBKDF2_ITERATIONS\": 1000000}}",
	    "restauth.W106", 1);
	IDS(SAFE_BEGIN ", " FIRST("PBKDF2SHA1PasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"PBKDF2_ITERATIONS\": 1300000}}",
	    "", 0);
	IDS(SAFE_BEGIN ", " FIRST("BCryptSHA256PasswordHasher") "}", "", 0);
	IDS(SAFE_BEGIN ", " FIRST("BCryptPasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"BCRYPT_ROUNDS\": 10}}",
	    "", 0);
	IDS(SAFE_BEGIN ", " FIRST("BCryptSHA256PasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"BCRYPT_ROUNDS\": 9}}",
	    "restauth.W106", 1);
	/* Django's scrypt defaults (2^14, 8, 1) are below OWASP's. */
	IDS(SAFE_BEGIN ", " FIRST("ScryptPasswordHasher") "}",
	    "restauth.W106", 1);
	IDS(SAFE_BEGIN ", " FIRST("ScryptPasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"SCRYPT_WORK_FACTOR\": 16384, "
		       "\"SCRYPT_PARALLELISM\": 5}}",
	    "", 0);
	IDS(SAFE_BEGIN ", " FIRST("ScryptPasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"SCRYPT_WORK_FACTOR\": 131072, "
		       "\"SCRYPT_BLOCK_SIZE\": 4}}",
	    "restauth.W106", 1);
	IDS(SAFE_BEGIN ", " FIRST("ScryptPasswordHasher") ", "
		       "\"PASSWORD_HASHER\": {\"SCRYPT_WORK_FACTOR\": 131072}}",
	    "", 0);
	/* Argon2 second: its cost is no finding. */
	IDS(SAFE_BEGIN ", \"PASSWORD_HASHERS\": [\"" PW_DJANGO
		       "BCryptSHA256PasswordHasher\", \"" PW_DJANGO
		       "Argon2PasswordHasher\"], "
		       "\"PASSWORD_HASHER\": {\"MEMORY_COST\": 8}}",
	    "", 0);
#undef FIRST
	/* A weak SIGNING_KEY of its own (only DEBUG admits it). */
	IDS(SAFE_BEGIN ", \"DEBUG\": true, \"REST_AUTH\": {\"USE_JWT\": "
		       "true}, \"SIMPLE_JWT\": {\"SIGNING_KEY\": \"x\"}}",
	    "restauth.W018 restauth.W110", 2);
	/* NUM_PROXIES unset: a hint, not a warning. */
	IDS("{\"SECURE_SSL_REDIRECT\": true, \"SECURE_HSTS_SECONDS\": 1, "
	    "\"SESSION_COOKIE_SECURE\": true, \"CSRF_COOKIE_SECURE\": true, "
	    "\"ALLOWED_HOSTS\": [\"api.example.com\"], "
	    "\"REST_FRAMEWORK\": {\"DEFAULT_THROTTLE_CLASSES\": "
	    "[\"rest_framework.throttling.ScopedRateThrottle\"], "
	    "\"DEFAULT_THROTTLE_RATES\": {\"dj_rest_auth\": \"20/minute\"}}}",
	    "restauth.I101", 0);
}

/* out is never overrun, warnings may be NULL. */
static void
test_bounds(void)
{
	struct deploy_finding found[2];
	struct app_config cfg;

	if (!load("{}", &cfg))
		return;
	T_ASSERT(deploy_check(&cfg, found, 2, NULL) == 2);
	T_STREQ(found[0].id, "restauth.W004");
	T_ASSERT(!found[0].hint);
	T_ASSERT(deploy_check(&cfg, found, 0, NULL) == 0);
	app_config_free(&cfg);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_deploycheck.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	setenv("SECRET_KEY", SECRET, 1);
	setenv("DATABASE_URL", "dbname=unused", 1);
	test_rules();
	test_bounds();
	unlink(file);
	rmdir(dir);
	return T_DONE();
}
