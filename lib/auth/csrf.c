#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "config.h"
#include "csrf.h"
#include "host.h"
#include "req.h"
#include "resp.h"
#include "tok.h"

static const char chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static enum app_err
reject(char *reason, const char *fmt, const char *arg)
{
	char msg[CSRF_REASON_BYTES - 16];

	snprintf(msg, sizeof(msg), fmt, arg != NULL ? arg : "");
	snprintf(reason, CSRF_REASON_BYTES, "CSRF Failed: %s", msg);
	return APP_EDENIED;
}

/*
 * scheme://host of the request, as Django's _origin_verified builds it
 * from get_host() (the pipeline has refused a host not allowed).
 */
static void
own_origin(const struct app_config *cfg, const struct req *r, char *out,
    size_t outsz)
{
	char host[HOST_BYTES];

	if (host_get(cfg, r, host) != APP_OK)
		host[0] = '\0';
	snprintf(out, outsz, "%s://%s",
	    host_is_secure(cfg, r) ? "https" : "http", host);
}

/*
 * An entry of CSRF_TRUSTED_ORIGINS matches origin exactly, or, as
 * a "*.example.com" host, example.com and its subdomains with the same
 * scheme (Django's allowed_origin_subdomains and is_same_domain). With
 * cors, CORS_ALLOWED_ORIGINS count too.
 */
static bool
trusted(const struct app_config *cfg, const char *origin, bool cors)
{
	const char *e, *sep;
	size_t i, slen;

	for (i = 0; i < cfg->csrf_trusted_origins_len; i++) {
		e = cfg->csrf_trusted_origins[i];
		if (strcasecmp(e, origin) == 0)
			return true;
		if ((sep = strstr(e, "://*.")) == NULL)
			continue;
		slen = (size_t)(sep - e);
		if (strncasecmp(e, origin, slen) == 0 &&
		    strncmp(origin + slen, "://", 3) == 0 &&
		    host_same_domain(origin + slen + 3, sep + 4))
			return true;
	}
	return cors &&
	    app_str_in(cfg->cors_allowed_origins, cfg->cors_allowed_origins_len,
		origin);
}

/* Django's _check_token_format: 32 or 64 characters of chars. */
static bool
token_format(const char *t, const char **why)
{
	size_t n = strlen(t), i;

	if (n != CSRF_SECRET_CHARS && n != 2 * CSRF_SECRET_CHARS) {
		*why = "has incorrect length";
		return false;
	}
	for (i = 0; i < n; i++)
		if (strchr(chars, t[i]) == NULL || t[i] == '\0') {
			*why = "has invalid characters";
			return false;
		}
	return true;
}

/* Django's _unmask_cipher_token: a 64-character token to its secret. */
static void
unmask(const char *t, char out[CSRF_SECRET_CHARS + 1])
{
	const char *mask = t, *cipher = t + CSRF_SECRET_CHARS;
	int i, a, b;

	for (i = 0; i < CSRF_SECRET_CHARS; i++) {
		a = (int)(strchr(chars, cipher[i]) - chars);
		b = (int)(strchr(chars, mask[i]) - chars);
		out[i] = chars[(a - b + 62) % 62];
	}
	out[CSRF_SECRET_CHARS] = '\0';
}

static void
secret_of(const char *t, char out[CSRF_SECRET_CHARS + 1])
{
	if (strlen(t) == 2 * CSRF_SECRET_CHARS)
		unmask(t, out);
	else
		snprintf(out, CSRF_SECRET_CHARS + 1, "%s", t);
}

/* Referer checks for https requests without an Origin header. */
static enum app_err
check_referer(const struct app_config *cfg, const struct req *r, char *reason,
    bool cors)
{
	const char *ref = req_env(r, "HTTP_REFERER"), *p;
	char origin[512], own[512];
	size_t n;

	if (ref == NULL)
		return reject(reason, "Referer checking failed - no Referer.",
		    NULL);
	if (strncasecmp(ref, "https://", 8) != 0) {
		if (strstr(ref, "://") == NULL)
			return reject(reason,
			    "Referer checking failed - "
			    "Referer is malformed.",
			    NULL);
		return reject(reason,
		    "Referer checking failed - Referer is "
		    "insecure while host is secure.",
		    NULL);
	}
	p = ref + 8;
	n = strcspn(p, "/?#");
	if (n == 0)
		return reject(reason,
		    "Referer checking failed - Referer is "
		    "malformed.",
		    NULL);
	snprintf(origin, sizeof(origin), "https://%.*s", (int)n, p);
	own_origin(cfg, r, own, sizeof(own));
	if (strcasecmp(origin, own) == 0 || trusted(cfg, origin, cors))
		return APP_OK;
	return reject(reason,
	    "Referer checking failed - %.200s does not match "
	    "any trusted origins.",
	    ref);
}

/*
 * The Origin (else, over https, Referer) half of Django's check; the one
 * place that decides whether a request comes from a trusted origin.
 * strict: Django's own rules (a https request needs one of the headers).
 * Otherwise, for cookie credentials without the token check: a request
 * with neither header is no browser's cross-site request and passes, and
 * CORS_ALLOWED_ORIGINS are trusted as well. "null" is never trusted.
 */
static enum app_err
check_origin(const struct app_config *cfg, const struct req *r, char *reason,
    bool strict)
{
	const char *origin = req_env(r, "HTTP_ORIGIN");
	char own[512];

	if (origin != NULL) {
		own_origin(cfg, r, own, sizeof(own));
		if (strcmp(origin, own) != 0 && !trusted(cfg, origin, !strict))
			return reject(reason,
			    "Origin checking failed - %.200s "
			    "does not match any trusted "
			    "origins.",
			    origin);
		return APP_OK;
	}
	if (!host_is_secure(cfg, r) ||
	    (!strict && req_env(r, "HTTP_REFERER") == NULL))
		return APP_OK;
	return check_referer(cfg, r, reason, !strict);
}

static bool
safe_method(enum req_method m)
{
	return m == REQ_GET || m == REQ_HEAD || m == REQ_OPTIONS ||
	    m == REQ_TRACE;
}

enum app_err
csrf_origin_check(const struct app_config *cfg, const struct req *r,
    char *reason)
{
	if (safe_method(r->method))
		return APP_OK;
	return check_origin(cfg, r, reason, false);
}

enum app_err
csrf_check(const struct app_config *cfg, const struct req *r, char *reason)
{
	char want[CSRF_SECRET_CHARS + 1], got[CSRF_SECRET_CHARS + 1];
	const char *cookie, *header, *why = NULL;
	enum app_err er;

	if (safe_method(r->method))
		return APP_OK;
	if ((er = check_origin(cfg, r, reason, true)) != APP_OK)
		return er;
	cookie = req_cookie(r, cfg->csrf_cookie.name);
	/* A malformed cookie is replaced by a new secret in Django, which
	 * the header cannot match. */
	if (cookie == NULL)
		return reject(reason, "CSRF cookie not set.", NULL);
	header = req_env(r, cfg->csrf_header_name);
	if (header == NULL || header[0] == '\0')
		return reject(reason, "CSRF token missing.", NULL);
	if (!token_format(header, &why))
		return reject(reason,
		    "CSRF token from the 'X-Csrftoken' "
		    "HTTP header %s.",
		    why);
	if (!token_format(cookie, &why))
		return reject(reason,
		    "CSRF token from the 'X-Csrftoken' HTTP "
		    "header incorrect.",
		    NULL);
	secret_of(cookie, want);
	secret_of(header, got);
	if (CRYPTO_memcmp(want, got, CSRF_SECRET_CHARS) != 0)
		return reject(reason,
		    "CSRF token from the 'X-Csrftoken' HTTP "
		    "header incorrect.",
		    NULL);
	return APP_OK;
}

enum app_err
csrf_cookie_new(const struct app_config *cfg, struct resp *resp)
{
	char secret[CSRF_SECRET_CHARS + 1];

	if (tok_random_string(chars, secret, CSRF_SECRET_CHARS) != APP_OK)
		return APP_EINTERNAL;
	resp_cookie(resp, &cfg->csrf_cookie, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return APP_OK;
}
