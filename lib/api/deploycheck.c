/*
 * deploycheck.c: the findings of `restauth check --deploy` (see
 * deploycheck.h). Each rule reads cfg only; the texts say what is wrong
 * and what to set, never a secret.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "deploycheck.h"
#include "jwtmode.h"

struct found {
	struct deploy_finding *out;
	size_t max, n, warnings;
};

static void add(struct found *f, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
add(struct found *f, const char *id, const char *fmt, ...)
{
	struct deploy_finding *d;
	va_list ap;

	if (f->n < f->max) {
		d = &f->out[f->n];
		d->id = id;
		d->hint = strncmp(id, "restauth.I", 10) == 0;
		va_start(ap, fmt);
		vsnprintf(d->text, sizeof(d->text), fmt, ap);
		va_end(ap);
		if (!d->hint)
			f->warnings++;
		f->n++;
	}
}

/* Whether (a, b) reaches one of OWASP's pairs of minimums. */
static bool
reaches(const uint32_t min[DEPLOY_OWASP_PAIRS][2], uint32_t a, uint32_t b)
{
	size_t i;

	for (i = 0; i < DEPLOY_OWASP_PAIRS; i++)
		if (a >= min[i][0] && b >= min[i][1])
			return true;
	return false;
}

/* OWASP: m=47104/t=1, m=19456/t=2, m=12288/t=3, m=9216/t=4, m=7168/t=5. */
static bool
argon2_ok(const struct app_config *cfg)
{
	static const uint32_t owasp[DEPLOY_OWASP_PAIRS][2] = { { 47104, 1 },
		{ 19456, 2 }, { 12288, 3 }, { 9216, 4 }, { 7168, 5 } };

	return reaches(owasp, cfg->password_hasher.memory_cost,
	    cfg->password_hasher.time_cost);
}

/* OWASP's scrypt minimums with r = 8: N=2^17/p=1, 2^16/2, 2^15/3,
 * 2^14/5, 2^13/10. */
static bool
scrypt_ok(const struct app_config *cfg)
{
	static const uint32_t owasp[DEPLOY_OWASP_PAIRS][2] = { { 1U << 17, 1 },
		{ 1U << 16, 2 }, { 1U << 15, 3 }, { 1U << 14, 5 },
		{ 1U << 13, 10 } };

	return cfg->password_hasher.scrypt_block_size >= 8 &&
	    reaches(owasp, cfg->password_hasher.scrypt_work_factor,
		cfg->password_hasher.scrypt_parallelism);
}

/* W106: the first of PASSWORD_HASHERS, which hashes every new password,
 * below OWASP's minimum for its algorithm (Password Storage Cheat Sheet). */
static void
weak_hasher(const struct app_config *cfg, struct found *f)
{
	const char *first = cfg->password_hashers[0];
	uint32_t iter = cfg->password_hasher.pbkdf2_iterations;

	switch (cfg->password_hashers_algo[0]) {
	case PW_ALGO_ARGON2:
		if (!argon2_ok(cfg))
			add(f, "restauth.W106",
			    "PASSWORD_HASHER (argon2id m=%u KiB, t=%u) is "
			    "below OWASP's minimum: m=19456 with t=2, or "
			    "m=47104/t=1, 12288/3, 9216/4, 7168/5.",
			    cfg->password_hasher.memory_cost,
			    cfg->password_hasher.time_cost);
		break;
	case PW_ALGO_PBKDF2_SHA256:
	case PW_ALGO_PBKDF2_SHA1:
		if (iter < (cfg->password_hashers_algo[0] == PW_ALGO_PBKDF2_SHA1
				   ? DEPLOY_OWASP_PBKDF2_SHA1
				   : DEPLOY_OWASP_PBKDF2_SHA256))
			add(f, "restauth.W106",
			    "%s hashes new passwords with "
			    "PASSWORD_HASHER.PBKDF2_ITERATIONS %u, below "
			    "OWASP's minimum: %u for PBKDF2-HMAC-SHA256, %u "
			    "for PBKDF2-HMAC-SHA1 (raise it on both sides, "
			    "with Django's).",
			    first, iter, DEPLOY_OWASP_PBKDF2_SHA256,
			    DEPLOY_OWASP_PBKDF2_SHA1);
		break;
	case PW_ALGO_BCRYPT_SHA256:
	case PW_ALGO_BCRYPT:
		if (cfg->password_hasher.bcrypt_rounds < DEPLOY_OWASP_BCRYPT)
			add(f, "restauth.W106",
			    "%s hashes new passwords with "
			    "PASSWORD_HASHER.BCRYPT_ROUNDS %u, below OWASP's "
			    "minimum of %u.",
			    first, cfg->password_hasher.bcrypt_rounds,
			    DEPLOY_OWASP_BCRYPT);
		break;
	case PW_ALGO_SCRYPT:
		if (!scrypt_ok(cfg))
			add(f, "restauth.W106",
			    "%s hashes new passwords with scrypt N=%u, r=%u, "
			    "p=%u, below OWASP's minimum: r=8 with N=2^17 "
			    "and p=1, or N=2^16/p=2, 2^15/3, 2^14/5, 2^13/10.",
			    first, cfg->password_hasher.scrypt_work_factor,
			    cfg->password_hasher.scrypt_block_size,
			    cfg->password_hasher.scrypt_parallelism);
		break;
	case PW_ALGO__MAX:
		break;
	}
}

/* ScopedRateThrottle with a (non-null) rate for dj_rest_auth. */
static bool
throttled(const struct app_config *cfg)
{
	const struct app_throttle_rate *r;
	bool scoped = false;
	size_t i;

	for (i = 0; i < cfg->rest_framework.default_throttle_classes_len; i++)
		if (strcmp(cfg->rest_framework.default_throttle_classes[i],
			"rest_framework.throttling.ScopedRateThrottle") == 0)
			scoped = true;
	if (!scoped)
		return false;
	for (i = 0; i < cfg->rest_framework.default_throttle_rates_len; i++) {
		r = &cfg->rest_framework.default_throttle_rates[i];
		if (strcmp(r->scope, "dj_rest_auth") == 0)
			return !r->disabled;
	}
	return false;
}

/* Why ALLOWED_HOSTS is not fit for production, or NULL. */
static const char *
hosts_risk(const struct app_config *cfg)
{
	if (!cfg->allowed_hosts_given)
		return "is not set: only the local names (.localhost, "
		       "127.0.0.1, [::1]) are answered";
	if (cfg->allowed_hosts_len == 0)
		return "is empty: every request is refused";
	if (app_str_in(cfg->allowed_hosts, cfg->allowed_hosts_len, "*"))
		return "holds \"*\": any Host header is trusted, "
		       "and https redirects may point anywhere";
	return NULL;
}

size_t
deploy_check(const struct app_config *cfg, struct deploy_finding *out,
    size_t max, size_t *warnings)
{
	struct found f = { out, max, 0, 0 };
	bool jwt_cookies = cfg->rest_auth.use_jwt &&
	    (cfg->rest_auth.jwt_access.name != NULL ||
		cfg->rest_auth.jwt_refresh.name != NULL);
	const char *why;
	size_t i;

	if (cfg->secure_hsts_seconds == 0)
		add(&f, "restauth.W004",
		    "SECURE_HSTS_SECONDS is 0: browsers may reach the site "
		    "over plain http, where tokens and cookies can be "
		    "read. Set it (e.g. 31536000) once https works "
		    "(Django security.W004).");
	if (!cfg->secure_ssl_redirect)
		add(&f, "restauth.W008",
		    "SECURE_SSL_REDIRECT is false: plain-http requests are "
		    "served instead of sent to https. Set it true, or make "
		    "sure the web server redirects (Django security.W008).");
	/* The config loader refuses a missing key, and a weak one unless
	 * DEBUG: here a weak one is left only with DEBUG true. */
	if ((why = app_secret_weakness(cfg->secret_key)) != NULL)
		add(&f, "restauth.W009",
		    "SECRET_KEY is weak: %s; admitted only because DEBUG is "
		    "true. Use 50 or more random characters (Django "
		    "security.W009).",
		    why);
	if (cfg->rest_auth.session_login && !cfg->session_cookie.secure)
		add(&f, "restauth.W012",
		    "SESSION_COOKIE_SECURE is false while "
		    "REST_AUTH.SESSION_LOGIN is true: the session cookie "
		    "also travels over plain http (Django security.W012).");
	if (!cfg->csrf_cookie.secure)
		add(&f, "restauth.W016",
		    "CSRF_COOKIE_SECURE is false: the csrftoken cookie also "
		    "travels over plain http (Django security.W016).");
	if (cfg->debug)
		add(&f, "restauth.W018",
		    "DEBUG is true: weak keys are admitted. Never deploy "
		    "with DEBUG on (Django security.W018).");
	/* Django's W020 is "empty"; "*" and the local default are as bad
	 * a sign in production: any Host is trusted, or no public one. */
	if ((why = hosts_risk(cfg)) != NULL)
		add(&f, "restauth.W020",
		    "ALLOWED_HOSTS %s: list the site's public host names "
		    "(Django security.W020).",
		    why);
	if (jwt_cookies && !cfg->rest_auth.jwt_access.secure)
		add(&f, "restauth.W101",
		    "REST_AUTH.JWT_AUTH_SECURE is false while JWT cookies are "
		    "set (JWT_AUTH_COOKIE, JWT_AUTH_REFRESH_COOKIE): the "
		    "tokens also travel over plain http.");
	if (!throttled(cfg))
		add(&f, "restauth.W102",
		    "no throttle on scope dj_rest_auth: add "
		    "rest_framework.throttling.ScopedRateThrottle to "
		    "REST_FRAMEWORK.DEFAULT_THROTTLE_CLASSES and a rate such "
		    "as \"20/minute\" for dj_rest_auth in "
		    "DEFAULT_THROTTLE_RATES, or passwords can be guessed as "
		    "fast as the server answers.");
	if (cfg->cors_allow_credentials)
		for (i = 0; i < cfg->cors_allowed_origins_len; i++)
			if (strchr(cfg->cors_allowed_origins[i], '*') != NULL) {
				add(&f, "restauth.W103",
				    "CORS_ALLOW_CREDENTIALS is true and "
				    "CORS_ALLOWED_ORIGINS has a wildcard "
				    "entry: "
				    "list each trusted origin instead "
				    "(restauth compares origins exactly, so "
				    "the "
				    "entry matches only itself).");
				break;
			}
	if (cfg->rest_auth.use_jwt && cfg->simple_jwt.rotate_refresh_tokens &&
	    (!cfg->simple_jwt.blacklist_after_rotation ||
		!app_config_installed(cfg, JWTM_BLACKLIST_APP)))
		add(&f, "restauth.W104",
		    "SIMPLE_JWT.ROTATE_REFRESH_TOKENS is true without "
		    "BLACKLIST_AFTER_ROTATION (and %s in INSTALLED_APPS): "
		    "every rotated refresh token stays valid until it "
		    "expires, so a stolen one keeps working.",
		    JWTM_BLACKLIST_APP);
	if (cfg->rest_auth.use_jwt &&
	    !app_config_installed(cfg, JWTM_BLACKLIST_APP))
		add(&f, "restauth.W108",
		    "USE_JWT without %s in INSTALLED_APPS: no refresh token "
		    "can be revoked, not by logout, nor by a password reset "
		    "or change; a stolen one works until it expires.",
		    JWTM_BLACKLIST_APP);
	if (jwt_cookies && cfg->rest_auth.jwt_access.samesite != NULL &&
	    strcasecmp(cfg->rest_auth.jwt_access.samesite, "None") == 0 &&
	    !cfg->rest_auth.jwt_auth_cookie_use_csrf)
		add(&f, "restauth.W105",
		    "REST_AUTH.JWT_AUTH_SAMESITE is \"None\" without "
		    "JWT_AUTH_COOKIE_USE_CSRF: other sites' pages send the "
		    "JWT cookies along. Use \"Lax\" or turn CSRF on.");
	weak_hasher(cfg, &f);
	if (cfg->login_failure_limit == 0)
		add(&f, "restauth.W107",
		    "LOGIN_FAILURE_LIMIT is 0: no per-account backoff, so a "
		    "guesser that spreads over many addresses is never "
		    "slowed down. Leave it at 5.");
	if (cfg->rest_auth.use_jwt && cfg->simple_jwt.algorithm[0] == 'H' &&
	    strcmp(cfg->simple_jwt.signing_key, cfg->secret_key) != 0 &&
	    (why = app_secret_weakness(cfg->simple_jwt.signing_key)) != NULL)
		add(&f, "restauth.W110",
		    "SIMPLE_JWT.SIGNING_KEY is weak: %s; one JWT lets an "
		    "attacker recover it offline. Use 50 or more random "
		    "characters.",
		    why);
	if (cfg->rest_framework.num_proxies < 0)
		add(&f, "restauth.I101",
		    "REST_FRAMEWORK.NUM_PROXIES is unset: the throttle counts "
		    "per REMOTE_ADDR. If the site sits behind a proxy, set "
		    "it to the number of proxies, or every client shares "
		    "the proxy's address.");
	if (warnings != NULL)
		*warnings = f.warnings;
	return f.n;
}
