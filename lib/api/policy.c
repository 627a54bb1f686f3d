#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "auth.h"
#include "codec.h"
#include "config.h"
#include "csrf.h"
#include "db.h"
#include "djsign.h"
#include "host.h"
#include "log.h"
#include "policy.h"
#include "req.h"
#include "resp.h"

bool
pol_https_redirect(const struct app_config *cfg, const struct req *r,
    struct resp *resp)
{
	char loc[LIMIT_HEADER], host[HOST_BYTES];
	const char *uri;

	/* Django's get_host(): never a Location on a host not allowed. */
	if (!cfg->secure_ssl_redirect || host_is_secure(cfg, r) ||
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

	if (cfg->secure_hsts_seconds <= 0 || !host_is_secure(cfg, r))
		return;
	snprintf(v, sizeof(v), "max-age=%ld%s%s", cfg->secure_hsts_seconds,
	    cfg->secure_hsts_include_subdomains ? "; includeSubDomains" : "",
	    cfg->secure_hsts_preload ? "; preload" : "");
	resp_header(resp, "Strict-Transport-Security", v);
}

bool
pol_cors(const struct app_config *cfg, const struct req *r, struct resp *resp)
{
	const char *origin = req_env(r, "HTTP_ORIGIN");
	bool preflight = r->method == REQ_OPTIONS &&
	    req_env(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") != NULL;
	bool ok = origin != NULL &&
	    app_str_in(cfg->cors_allowed_origins, cfg->cors_allowed_origins_len,
		origin);

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

/*
 * The textual address in s (n bytes) in canonical form (inet_ntop of
 * what inet_pton parsed, so "0:0::1" is "::1") into out, or false when
 * it is not exactly one IPv4 or IPv6 address.
 */
static bool
canonical_addr(const char *s, size_t n, char *out, size_t outsz)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	int af;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	af = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	return inet_pton(af, buf, bin) == 1 &&
	    inet_ntop(af, bin, out, (socklen_t)outsz) != NULL;
}

/*
 * The client's identity for the throttles (DRF's get_ident, made safe):
 * REMOTE_ADDR, unless NUM_PROXIES n >= 1 names an X-Forwarded-For entry
 * (addrs[-min(n, len(addrs))], blanks trimmed) that is an IP address:
 * then that, canonical. Never the raw header: without trusted proxies a
 * client writes it, and would get a fresh quota per value or spend
 * another client's.
 */
static void
ident_of(const struct app_config *cfg, const struct req *r, char *out,
    size_t outsz)
{
	const char *xff = req_env(r, "HTTP_X_FORWARDED_FOR"), *p, *start;
	int proxies = cfg->rest_framework.num_proxies, n = 1, k;
	size_t len;

	if (proxies > 0 && xff != NULL && strlen(xff) <= LIMIT_HEADER) {
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
		for (len = 0; start[len] != '\0' && start[len] != ','; len++)
			;
		while (len > 0 &&
		    (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (canonical_addr(start, len, out, outsz))
			return;
	}
	snprintf(out, outsz, "%s", r->client_addr);
}

/* math.ceil of a positive wait, without libm. */
static long
ceil_seconds(double w)
{
	long s = (long)w;

	return (double)s < w ? s + 1 : s;
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
pol_throttle(const struct app_config *cfg, struct db *db, const struct req *r,
    const struct auth_result *auth, const char *view_scope, long *wait)
{
	const struct app_throttle_rate *rate;
	const char *cls, *scope;
	char ident[REQ_ADDR_BYTES * 4];
	bool authed = auth->kind != AUTH_NONE, refused = false, ran = false;
	bool allowed;
	double w, longest = -1;
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
		if ((er = db_throttle_hit(db, scope, ident,
			 rate->period_seconds, rate->num, &allowed, &w)) !=
		    APP_OK)
			return er;
		ran = true;
		if (!allowed) {
			refused = true;
			/* now() is when each transaction began: a hit written
			 * by one that began later but took the row first can
			 * lie after ours, and the wait past the period (61 s
			 * of a minute). DRF's wait never passes it. */
			if (w > rate->period_seconds)
				w = rate->period_seconds;
			if (w > longest)
				longest = w;
		}
	}
	if (ran && app_one_in_256() && db_throttle_clean(db) != APP_OK)
		log_warnx("throttle: cleaning old rows failed");
	if (!refused)
		return APP_OK;
	*wait = longest < 0 ? -1 : ceil_seconds(longest);
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

long
pol_login_backoff(long failures, long limit, long max)
{
	long e;

	if (limit <= 0 || failures < limit)
		return 0;
	e = failures - limit;
	if (e >= 62 || (1L << e) >= max)
		return max;
	return 1L << e;
}

/* The waits after limit, limit + 1, ... failures up to the first that
 * reaches max, as an SQL array literal: "{1,2,4,...,max}". */
static enum app_err
login_schedule(long limit, long max, char *out, size_t outsz)
{
	size_t o = 0;
	long i, w = 0;
	int n;

	for (i = 0; w < max; i++) {
		w = pol_login_backoff(limit + i, limit, max);
		n = snprintf(out + o, outsz - o, "%c%ld", i == 0 ? '{' : ',',
		    w);
		if (n < 0 || (size_t)n >= outsz - o)
			return APP_EINTERNAL;
		o += (size_t)n;
	}
	if (o + 2 > outsz)
		return APP_EINTERNAL;
	out[o++] = '}';
	out[o] = '\0';
	return APP_OK;
}

/* Salt of the identifier hash: its own key, derived from SECRET_KEY. */
#define LOGIN_SALT "restauth.policy.login_failure"
/* The schedule for LOGIN_FAILURE_BACKOFF_MAX <= 86400 < 2^17: 18 waits. */
#define LOGIN_SCHEDULE_BYTES 160

enum app_err
pol_login_begin(const struct app_config *cfg, struct db *db, const char *ident,
    struct pol_login *pl, long *wait)
{
	unsigned char mac[DJS_MAC_BYTES];
	char schedule[LOGIN_SCHEDULE_BYTES];
	bool allowed = false;
	double w = 0;
	enum app_err er;

	memset(pl, 0, sizeof(*pl));
	if (cfg->login_failure_limit <= 0 || ident == NULL)
		return APP_OK;
	if ((er = djs_salted_hmac(LOGIN_SALT, cfg->secret_key, ident,
		 strlen(ident), mac)) != APP_OK)
		return er;
	codec_hex_encode(mac, sizeof(mac), pl->key);
	if ((er = login_schedule(cfg->login_failure_limit,
		 cfg->login_failure_backoff_max, schedule, sizeof(schedule))) !=
	    APP_OK)
		return er;
	if ((er = db_login_failure_hit(db, pl->key, cfg->login_failure_limit,
		 schedule, POL_LOGIN_QUIET, &allowed, &w)) != APP_OK)
		return er;
	if (app_one_in_256() &&
	    db_login_failure_clean(db, POL_LOGIN_QUIET) != APP_OK)
		log_warnx("login backoff: cleaning old rows failed");
	if (allowed) {
		pl->counted = true;
		return APP_OK;
	}
	*wait = w < 1 ? 1 : ceil_seconds(w);
	return APP_ETHROTTLED;
}

enum app_err
pol_login_succeeded(struct db *db, const struct pol_login *pl)
{
	if (!pl->counted)
		return APP_OK;
	return db_login_failure_clear(db, pl->key);
}
