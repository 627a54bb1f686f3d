/*
 * resp.h: one HTTP answer, built up then written in one go: status,
 * headers, Set-Cookie lines and a JSON body rendered as DRF does
 * (compact separators, UTF-8 not escaped).
 */
#ifndef RESTAUTH_RESP_H
#define RESTAUTH_RESP_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "app.h"
#include "bounds.h"

struct resp_header {
	char *name;
	char *value;
};

struct resp {
	int status;
	struct resp_header headers[LIMIT_RESP_HEADERS];
	size_t nheaders;
	struct json_object *body; /* owned; NULL: no body (204) */
	bool head;		  /* HEAD: headers only */
	bool failed;		  /* an allocation failed while building */
};

/* A cookie's settings (lib/conf/config.h). */
struct app_cookie;

void resp_init(struct resp *);
void resp_free(struct resp *);

/* Add a header (copied). Sets r->failed on ENOMEM or when full. */
void resp_header(struct resp *, const char *name, const char *value);
/* Set-Cookie for cookie c with value, in Django's attribute order, with
 * Expires and Max-Age (c->age). */
void resp_cookie(struct resp *, const struct app_cookie *c, const char *value);
/* Django's delete_cookie of c: empty value, expired, same path, domain
 * and SameSite; Secure only as the name or SameSite=None demand. */
void resp_cookie_delete(struct resp *, const struct app_cookie *c);

/* Status plus body; takes ownership of body (NULL for none). */
void resp_json(struct resp *, int status, struct json_object *body);
/* {"detail": msg} */
void resp_detail(struct resp *, int status, const char *msg);
/* {"field": [msg]}; field "non_field_errors" for serializer-wide errors. */
void resp_field_error(struct resp *, int status, const char *field,
    const char *msg);
/*
 * The generic answer for an error code: status and DRF's wording
 * ("Service temporarily unavailable, try again later." for APP_EDB, ...).
 */
void resp_error(struct resp *, enum app_err);
/* HTTP status for an error code. */
int resp_status(enum app_err);

/*
 * Accumulate DRF serializer errors: {"field": ["m1", "m2"], ...}.
 * *errs starts NULL and is created on first use; APP_ENOMEM.
 */
enum app_err resp_errors_add(struct json_object **errs, const char *field,
    const char *msg) APP_WUR;

/*
 * Render the whole answer (CGI/FastCGI: "Status:" line, headers, blank
 * line, body) into a new NUL-terminated buffer (*len bytes before the
 * NUL) the caller frees. On failure to build
 * anything else, renders a fixed 500 JSON answer. Never NULL unless the
 * fallback allocation fails too.
 */
char *resp_render(struct resp *, size_t *len);

#endif
