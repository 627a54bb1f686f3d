#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>


#include "csrf.h"
#include "host.h"
#include "log.h"
#include "policy.h"

bool
pol_https_redirect(const struct app_config *cfg, const struct req *r,
    struct resp *resp)
{
	char loc[LIMIT_HEADER], host[HOST_BYTES];
	const char *uri;

	/* Django's get_host(): never a Location on a host not allowed. */
	if (!cfg->secure_ssl_redirect || csrf_is_secure(cfg, r) ||
	    host_get(cfg, r, host) != APP_OK)
		return false;
	uri = req_env(r, "REQUEST_URI");
	snprintf(loc, sizeof(loc), "https://%s%s", host,
	    uri != NULL ? uri : "/");
	resp_json(resp, 301, NULL);
	resp_header(resp, "Location", loc);
	return true;
}

void
pol_hsts(const struct app_config *cfg, const struct req *r, struct resp *resp)
{
	char v[96];

	if (cfg->secure_hsts_seconds <= 0 || !csrf_is_secure(cfg, r))
		return;
	snprintf(v, sizeof(v), "max-age=%ld%s%s", cfg->secure_hsts_seconds,
	    cfg->secure_hsts_include_subdomains ? "; includeSubDomains" : "",
	    cfg->secure_hsts_preload ? "; preload" : "");
	resp_header(resp, "Strict-Transport-Security", v);
}

static bool
origin_allowed(const struct app_config *cfg, const char *origin)
{
	size_t i;

	for (i = 0; i < cfg->cors_allowed_origins_len; i++)
		if (strcmp(cfg->cors_allowed_origins[i], origin) == 0)
			return true;
	return false;
}

bool
pol_cors(const struct app_config *cfg, const struct req *r,
    struct resp *resp)
{
	const char *origin = req_env(r, "HTTP_ORIGIN");
	bool preflight = r->method == REQ_OPTIONS &&
	    req_env(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") != NULL;
	bool ok = origin != NULL && origin_allowed(cfg, origin);

	if (ok) {
		resp_header(resp, "Access-Control-Allow-Origin", origin);
		if (cfg->cors_allow_credentials)
			resp_header(resp, "Access-Control-Allow-Credentials",
			    "true");
	}
	/* django-cors-headers adds these to every OPTIONS answer. */
	if (ok && r->method == REQ_OPTIONS) {
		resp_header(resp, "Access-Control-Allow-Headers",
		    "accept, authorization, content-type, user-agent, "
		    "x-csrftoken, x-requested-with");
		resp_header(resp, "Access-Control-Allow-Methods",
		    "DELETE, GET, OPTIONS, PATCH, POST, PUT");
		resp_header(resp, "Access-Control-Max-Age", "86400");
	}
	if (!preflight)
		return false;
	/* ... and answers every preflight itself, before the view. */
	resp_header(resp, "Vary", "origin");
	resp_json(resp, 200, NULL);
	return true;
}

/* DRF's get_ident: the client address, through NUM_PROXIES proxies. */
static void
ident_of(const struct app_config *cfg, const struct req *r, char *out,
    size_t outsz)
{
	const char *xff = req_env(r, "HTTP_X_FORWARDED_FOR"), *p, *start;
	int proxies = cfg->rest_framework.num_proxies, n = 1, k;
	size_t o = 0;

	if (proxies == 0 || (proxies > 0 && xff == NULL) ||
	    (proxies < 0 && (xff == NULL || *xff == '\0'))) {
		snprintf(out, outsz, "%s", r->client_addr);
		return;
	}
	if (proxies < 0) {
		/* DRF without NUM_PROXIES: the header with its spaces
		 * removed (a client can write it: set NUM_PROXIES). */
		for (p = xff; *p != '\0' && o + 1 < outsz; p++)
			if (*p != ' ' && *p != '\t')
				out[o++] = *p;
		out[o] = '\0';
		return;
	}
	for (p = xff; *p != '\0'; p++)
		if (*p == ',')
			n++;
	/* addrs[-min(num_proxies, len(addrs))] */
	k = n - (proxies < n ? proxies : n);
	for (start = xff; k > 0; start++)
		if (*start == ',')
			k--;
	while (*start == ' ' || *start == '\t')
		start++;
	for (p = start; *p != '\0' && *p != ',' && o + 1 < outsz; p++)
		out[o++] = *p;
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = '\0';
}

static const struct app_throttle_rate *
rate_of(const struct app_config *cfg, const char *scope)
{
	size_t i;

	for (i = 0; i < cfg->rest_framework.default_throttle_rates_len; i++)
		if (strcmp(cfg->rest_framework.default_throttle_rates[i].scope,
			scope) == 0)
			return &cfg->rest_framework.default_throttle_rates[i];
	return NULL;
}

enum app_err
pol_throttle(const struct app_config *cfg, struct db *db,
    const struct req *r, const struct auth_result *auth,
    const char *view_scope, long *wait)
{
	const struct app_throttle_rate *rate;
	const char *cls, *scope;
	char ident[REQ_ADDR_BYTES * 4];
	bool authed = auth->kind != AUTH_NONE, refused = false, ran = false;
	bool allowed;
	double w, longest = -1;
	unsigned char dice;
	enum app_err er;
	size_t i;

	for (i = 0; i < cfg->rest_framework.default_throttle_classes_len; i++) {
		cls = cfg->rest_framework.default_throttle_classes[i];
		cls = strrchr(cls, '.') != NULL ? strrchr(cls, '.') + 1 : cls;
		if (strcmp(cls, "AnonRateThrottle") == 0) {
			if (authed)
				continue;
			scope = "anon";
		} else if (strcmp(cls, "UserRateThrottle") == 0)
			scope = "user";
		else if (strcmp(cls, "ScopedRateThrottle") == 0) {
			if (view_scope == NULL)
				continue;
			scope = view_scope;
		} else
			continue;
		if ((rate = rate_of(cfg, scope)) == NULL || rate->disabled)
			continue;
		/* DRF's cache key: the user's pk, else the address. */
		if (authed)
			snprintf(ident, sizeof(ident), "%lld",
			    (long long)auth->user.id);
		else
			ident_of(cfg, r, ident, sizeof(ident));
		if ((er = db_throttle_hit(db, scope, ident, rate->period_seconds,
			 rate->num, &allowed, &w)) != APP_OK)
			return er;
		ran = true;
		if (!allowed) {
			refused = true;
			if (w > longest)
				longest = w;
		}
	}
	/* Clean old rows now and then (one throttled request in 256): no
	 * cron job needed. getrandom, not RAND_bytes: a plain CGI process
	 * would set up OpenSSL's generator for this one byte. */
	if (ran && getrandom(&dice, 1, GRND_NONBLOCK) == 1 && dice == 0 &&
	    db_throttle_clean(db) != APP_OK)
		log_warnx("throttle: cleaning old rows failed");
	if (!refused)
		return APP_OK;
	/* math.ceil, without libm. */
	if (longest < 0)
		*wait = -1;
	else {
		*wait = (long)longest;
		if ((double)*wait < longest)
			(*wait)++;
	}
	return APP_ETHROTTLED;
}

void
pol_throttled(struct resp *resp, long wait)
{
	char msg[128], ra[32];

	if (wait < 0) {
		resp_detail(resp, 429, "Request was throttled.");
		return;
	}
	snprintf(msg, sizeof(msg),
	    "Request was throttled. Expected available in %ld second%s.", wait,
	    wait == 1 ? "" : "s");
	resp_detail(resp, 429, msg);
	/* DRF sends Retry-After only for a non-zero wait. */
	if (wait > 0) {
		snprintf(ra, sizeof(ra), "%ld", wait);
		resp_header(resp, "Retry-After", ra);
	}
}
