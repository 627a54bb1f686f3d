#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "host.h"
#include "req.h"

static const char hexdigits[] = "0123456789abcdef";
static const char digits[] = "0123456789";

/* ":" and one or more digits, to the end; or nothing. */
static bool
port_ok(const char *p)
{
	if (*p == '\0')
		return true;
	return p[0] == ':' && p[1] != '\0' &&
	    strspn(p + 1, digits) == strlen(p + 1);
}

/*
 * Django's host_validation_re on the lower-cased host:
 * ([a-z0-9.-]+ | \[[a-f0-9]*:[a-f0-9.:]+\]) (:[0-9]+)?
 */
enum app_err
host_split(const char *host, char domain[HOST_BYTES])
{
	char h[HOST_BYTES];
	size_t n = strlen(host), i, k;

	if (n == 0 || n >= HOST_BYTES)
		return APP_EINPUT;
	for (i = 0; i <= n; i++)
		h[i] = (char)tolower((unsigned char)host[i]);
	if (h[0] == '[') {
		k = 1 + strspn(h + 1, hexdigits);
		if (h[k] != ':')
			return APP_EINPUT;
		i = strspn(h + k + 1, "0123456789abcdef.:");
		if (i == 0 || h[k + 1 + i] != ']')
			return APP_EINPUT;
		k += 1 + i + 1; /* past ']' */
		if (!port_ok(h + k))
			return APP_EINPUT;
		h[k] = '\0';
	} else {
		k = strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-");
		if (k == 0 || !port_ok(h + k))
			return APP_EINPUT;
		h[k] = '\0';
		if (h[k - 1] == '.')
			h[--k] = '\0';
		if (k == 0)
			return APP_EINPUT;
	}
	memcpy(domain, h, k + 1);
	return APP_OK;
}

bool
host_same_domain(const char *host, const char *pattern)
{
	size_t hl = strlen(host), pl = strlen(pattern);

	if (pl == 0)
		return false;
	if (pattern[0] == '.' &&
	    ((hl >= pl && strcasecmp(host + hl - pl, pattern) == 0) ||
		strcasecmp(host, pattern + 1) == 0))
		return true;
	return strcasecmp(host, pattern) == 0;
}

bool
host_is_secure(const struct app_config *cfg, const struct req *r)
{
	const char *v, *want;
	size_t n;

	if (cfg->secure_proxy_ssl_header[0] != NULL) {
		/* Django: its first comma-separated value, stripped. */
		if ((v = req_env(r, cfg->secure_proxy_ssl_header[0])) == NULL)
			return false;
		want = cfg->secure_proxy_ssl_header[1];
		while (*v == ' ' || *v == '\t')
			v++;
		n = strcspn(v, ",");
		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		return n == strlen(want) && strncmp(v, want, n) == 0;
	}
	v = req_env(r, "HTTPS");
	return v != NULL && strcasecmp(v, "on") == 0;
}

enum app_err
host_get(const struct app_config *cfg, const struct req *r,
    char out[HOST_BYTES])
{
	char raw[HOST_BYTES], domain[HOST_BYTES];
	const char *host = req_env(r, "HTTP_HOST"), *port;
	size_t i;
	int n;

	if (host != NULL)
		n = snprintf(raw, sizeof(raw), "%s", host);
	else {
		/* Django: SERVER_NAME, with SERVER_PORT unless the default. */
		host = req_env(r, "SERVER_NAME");
		port = req_env(r, "SERVER_PORT");
		if (port != NULL &&
		    strcmp(port, host_is_secure(cfg, r) ? "443" : "80") != 0)
			n = snprintf(raw, sizeof(raw), "%s:%s",
			    host != NULL ? host : "", port);
		else
			n = snprintf(raw, sizeof(raw), "%s",
			    host != NULL ? host : "");
	}
	if (n < 0 || (size_t)n >= sizeof(raw) ||
	    host_split(raw, domain) != APP_OK)
		return APP_EINPUT;
	for (i = 0; i < cfg->allowed_hosts_len; i++)
		if (strcmp(cfg->allowed_hosts[i], "*") == 0 ||
		    host_same_domain(domain, cfg->allowed_hosts[i])) {
			memcpy(out, raw, (size_t)n + 1);
			return APP_OK;
		}
	return APP_EINPUT;
}
