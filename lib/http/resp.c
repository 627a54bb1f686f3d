#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "resp.h"

void
resp_init(struct resp *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
}

void
resp_free(struct resp *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	r->nheaders = 0;
	json_object_put(r->body);
	r->body = NULL;
}

void
resp_header(struct resp *r, const char *name, const char *value)
{
	struct resp_header *h;

	if (r->nheaders >= LIMIT_RESP_HEADERS) {
		r->failed = true;
		return;
	}
	h = &r->headers[r->nheaders];
	h->name = strdup(name);
	h->value = strdup(value);
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		r->failed = true;
		return;
	}
	r->nheaders++;
}

/* RFC 7231 IMF-fixdate, as Django's http_date. */
static void
http_date(char buf[32], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void
cookie_line(struct resp *r, const char *name, const char *value,
    const char *expires, long max_age, bool has_max_age, const char *path,
    const char *domain, bool secure, bool httponly, const char *samesite)
{
	char line[LIMIT_HEADER];
	size_t n;

	/* Django (SimpleCookie) order: value; Domain; expires; HttpOnly;
	 * Max-Age; Path; SameSite; Secure. */
	n = (size_t)snprintf(line, sizeof(line), "%s=%s", name, value);
	if (domain != NULL && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    "; Domain=%s", domain);
	if (expires != NULL && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    "; expires=%s", expires);
	if (httponly && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; HttpOnly");
	if (has_max_age && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    "; Max-Age=%ld", max_age);
	if (n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; Path=%s",
		    path != NULL ? path : "/");
	if (samesite != NULL && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    "; SameSite=%s", samesite);
	if (secure && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "; Secure");
	if (n >= sizeof(line)) {
		r->failed = true;
		return;
	}
	resp_header(r, "Set-Cookie", line);
}

void
resp_cookie(struct resp *r, const struct app_cookie *c, const char *value)
{
	char date[32];

	if (c->age >= 0) {
		http_date(date, app_now() + c->age);
		cookie_line(r, c->name, value, date, c->age, true, c->path,
		    c->domain, c->secure, c->httponly, c->samesite);
	} else
		cookie_line(r, c->name, value, NULL, 0, false, c->path,
		    c->domain, c->secure, c->httponly, c->samesite);
}

void
resp_cookie_delete(struct resp *r, const struct app_cookie *c)
{
	bool secure;

	/* Django: Secure when the name demands it or SameSite=None. */
	secure = strncmp(c->name, "__Secure-", 9) == 0 ||
	    strncmp(c->name, "__Host-", 7) == 0 ||
	    (c->samesite != NULL && strcasecmp(c->samesite, "None") == 0);
	cookie_line(r, c->name, "\"\"", "Thu, 01 Jan 1970 00:00:00 GMT", 0,
	    true, c->path, c->domain, secure, false, c->samesite);
}

void
resp_json(struct resp *r, int status, struct json_object *body)
{
	r->status = status;
	json_object_put(r->body);
	r->body = body;
}

void
resp_detail(struct resp *r, int status, const char *msg)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "detail",
		json_object_new_string(msg)) != 0) {
		json_object_put(o);
		r->failed = true;
		return;
	}
	resp_json(r, status, o);
}

enum app_err
resp_errors_add(struct json_object **errs, const char *field,
    const char *msg)
{
	struct json_object *list, *s;

	if (*errs == NULL && (*errs = json_object_new_object()) == NULL)
		return APP_ENOMEM;
	if (!json_object_object_get_ex(*errs, field, &list)) {
		if ((list = json_object_new_array()) == NULL)
			return APP_ENOMEM;
		if (json_object_object_add(*errs, field, list) != 0) {
			json_object_put(list);
			return APP_ENOMEM;
		}
	}
	if ((s = json_object_new_string(msg)) == NULL)
		return APP_ENOMEM;
	if (json_object_array_add(list, s) != 0) {
		json_object_put(s);
		return APP_ENOMEM;
	}
	return APP_OK;
}

void
resp_field_error(struct resp *r, int status, const char *field,
    const char *msg)
{
	struct json_object *errs = NULL;

	if (resp_errors_add(&errs, field, msg) != APP_OK) {
		json_object_put(errs);
		r->failed = true;
		return;
	}
	resp_json(r, status, errs);
}

static const struct {
	int status;
	const char *detail;
} errmap[APP_ERR__MAX] = {
	[APP_OK] = { 200, NULL },
	[APP_EINPUT] = { 400, "Malformed request." },
	[APP_ESHAPE] = { 400, "Malformed request." },
	[APP_EAUTH] = { 401, "Authentication credentials were not provided." },
	[APP_EDENIED] = { 403,
	    "You do not have permission to perform this action." },
	[APP_ENOTFOUND] = { 404, "Not found." },
	[APP_EMETHOD] = { 405, "Method not allowed." },
	[APP_ECONFLICT] = { 409, "Conflict." },
	[APP_ETOOBIG] = { 413, "Request body too large." },
	[APP_EMEDIA] = { 415, "Unsupported media type in request." },
	[APP_ETHROTTLED] = { 429, "Request was throttled." },
	[APP_ENOMEM] = { 500, "A server error occurred." },
	[APP_EINTERNAL] = { 500, "A server error occurred." },
	[APP_EDB] = { 503, "Service temporarily unavailable, try again later." },
};

int
resp_status(enum app_err er)
{
	if ((unsigned)er >= APP_ERR__MAX)
		return 500;
	return errmap[er].status;
}

void
resp_error(struct resp *r, enum app_err er)
{
	if ((unsigned)er >= APP_ERR__MAX || er == APP_OK)
		er = APP_EINTERNAL;
	resp_detail(r, errmap[er].status, errmap[er].detail);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Request Entity Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static const char fallback[] =
    "Status: 500 Internal Server Error\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 37\r\n\r\n"
    "{\"detail\":\"A server error occurred.\"}";

/* Copy s to buf + off; the new offset. The caller sized buf. */
static size_t
put(char *buf, size_t off, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + off, s, n);
	return off + n;
}

char *
resp_render(struct resp *r, size_t *len)
{
	const char *json = NULL;
	size_t jlen = 0, need, i, off;
	char *buf;
	int n;

	if (r->failed)
		goto fail;
	if (r->body != NULL) {
		json = json_object_to_json_string_length(r->body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &jlen);
		if (json == NULL)
			goto fail;
	}
	/* Status line, the two fixed headers, CRLFs and the NUL. */
	need = 128 + jlen + 1;
	for (i = 0; i < r->nheaders; i++)
		need += strlen(r->headers[i].name) +
		    strlen(r->headers[i].value) + 4;
	if ((buf = malloc(need)) == NULL)
		goto fail;
	/* Appends, not snprintf: this runs for every answer. need counts
	 * every byte put. */
	off = (size_t)snprintf(buf, need, "Status: %d ", r->status);
	off = put(buf, off, reason(r->status));
	off = put(buf, off, "\r\n");
	for (i = 0; i < r->nheaders; i++) {
		off = put(buf, off, r->headers[i].name);
		off = put(buf, off, ": ");
		off = put(buf, off, r->headers[i].value);
		off = put(buf, off, "\r\n");
	}
	if (json != NULL)
		off = put(buf, off, "Content-Type: application/json\r\n");
	n = snprintf(buf + off, need - off, "Content-Length: %zu\r\n\r\n",
	    jlen);
	off += (size_t)n;
	if (json != NULL && !r->head) {
		memcpy(buf + off, json, jlen);
		off += jlen;
	}
	buf[off] = '\0';
	*len = off;
	return buf;
fail:
	if ((buf = strdup(fallback)) != NULL)
		*len = sizeof(fallback) - 1;
	return buf;
}
