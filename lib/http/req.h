/*
 * req.h: one request as the web server hands it over (RFC 3875 variables
 * plus the body), and DRF's field rules for reading what the client sent.
 */
#ifndef RESTAUTH_REQ_H
#define RESTAUTH_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "app.h"
#include "bounds.h"

enum req_method {
	REQ_GET,
	REQ_POST,
	REQ_PUT,
	REQ_PATCH,
	REQ_DELETE,
	REQ_HEAD,
	REQ_OPTIONS,
	REQ_TRACE,
	REQ_OTHER,
	REQ__MAX
};
#define REQ_BIT(m) (1u << (m))

/* Largest textual client address (IPv6 with zone) plus NUL. */
#define REQ_ADDR_BYTES 64
/* A detail message we build about the request (415, parse errors). */
#define REQ_MSG_BYTES 512

struct req_cookie {
	char *name;
	char *value;
};

/* Reads up to n bytes of body; returns bytes read, 0 at end, -1 on error. */
struct req_io {
	long (*read)(void *arg, char *buf, size_t n);
	void *arg;
};

/* A body held in memory, for req_mem_read (tests, fuzzing). */
struct req_mem {
	const char *p; /* borrowed; advanced as it is read */
	size_t left;
};

/* req_io's read over a struct req_mem: never fails, 0 at its end. */
long req_mem_read(void *arg, char *buf, size_t n);

struct req {
	char **envp;		   /* borrowed CGI environment */
	enum req_method method;
	const char *method_name;   /* borrowed, as sent */
	const char *content_type;  /* borrowed, NULL if none */
	const char *authorization; /* borrowed, NULL if none */
	char client_addr[REQ_ADDR_BYTES];
	char *body;		   /* owned, NUL-terminated, body_len bytes */
	size_t body_len;
	struct json_object *data;  /* owned; the parsed body, or NULL */
	struct req_cookie cookies[LIMIT_COOKIES];
	size_t ncookies;
};

/*
 * Fill r from the CGI environment envp (borrowed for r's lifetime):
 * method, headers, client address and cookies. Does not read the body.
 * APP_ENOMEM.
 */
enum app_err req_init(struct req *r, char **envp) APP_WUR;
void req_free(struct req *r);

/* A CGI variable ("HTTP_ORIGIN", "REMOTE_ADDR"...), or NULL. */
const char *req_env(const struct req *r, const char *name);
/* The last cookie of that name, as Django's parse_cookie keeps; or NULL. */
const char *req_cookie(const struct req *r, const char *name);

/*
 * CONTENT_LENGTH, the one rule for it: absent or empty is 0, else 1 to
 * REQ_CL_DIGITS digits (no sign, no space). APP_OK and *len; APP_EINPUT.
 */
#define REQ_CL_DIGITS 18 /* fits size_t; far past any body we read */
enum app_err req_content_length(const struct req *r, size_t *len) APP_WUR;

/*
 * Read exactly CONTENT_LENGTH bytes. CONTENT_LENGTH must be digits; a
 * value over max is refused before reading. APP_ETOOBIG (413),
 * APP_EINPUT (400: bad CONTENT_LENGTH or short read; msg says which),
 * APP_ENOMEM.
 */
enum app_err req_read_body(struct req *r, const struct req_io *io,
    size_t max, char *msg, size_t msgsz) APP_WUR;

/*
 * Decode the body by Content-Type as DRF's JSON and form parsers do. An
 * empty body is an empty object; a body without a Content-Type is 415
 * (DRF).
 * On APP_OK r->data is an object. APP_EINPUT: msg is DRF's detail
 * ("JSON parse error - ..."); APP_ESHAPE: valid JSON but not an object,
 * msg is the serializer's non_field_errors message (REQ_NOT_DICT, or
 * "No data provided" for null); APP_EMEDIA: msg is
 * 'Unsupported media type "x" in request.'; APP_ENOMEM.
 */
enum app_err req_parse_body(struct req *r, char *msg, size_t msgsz) APP_WUR;

/* DRF's data is a dict; this is the list/str case's message. */
#define REQ_NOT_DICT "Invalid data. Expected a dictionary, but got %s."

/* Field rules, after DRF's CharField arguments. */
#define REQ_F_REQUIRED 0x1 /* missing: "This field is required." */
#define REQ_F_BLANK 0x2	   /* allow_blank=True */
#define REQ_F_NOTRIM 0x4   /* trim_whitespace=False */

/*
 * Read a string field as DRF's CharField does: numbers become their
 * Python str(), whitespace is trimmed (Python's str.strip set), then
 * blank, max_length (max_chars code points; 0 = none) and NUL checks.
 * out (outsz >= max_chars * 4 + 1) receives the value; *present says
 * whether the client sent the field at all.
 * APP_OK when the value is acceptable or absent-and-optional;
 * APP_EINPUT when a message was added to *errs under name; APP_ENOMEM.
 */
enum app_err req_field_string(const struct req *r, const char *name,
    unsigned flags, size_t max_chars, char *out, size_t outsz,
    bool *present, struct json_object **errs) APP_WUR;

/* One field of a serializer, for req_fields. */
struct req_field {
	const char *name;
	unsigned flags;	  /* REQ_F_* */
	size_t max_chars; /* 0: no limit but the buffer */
	char *out;	  /* buffer of outsz >= max_chars * 4 + 1 bytes */
	size_t outsz;
	bool present;	  /* set: the client sent it */
};

/*
 * req_field_string for each of n fields, collecting every error as DRF's
 * serializer does. APP_OK; APP_EINPUT (messages in *errs); APP_ENOMEM.
 */
enum app_err req_fields(const struct req *r, struct req_field *f, size_t n,
    struct json_object **errs) APP_WUR;

/* Code points in a valid UTF-8 string of len bytes. */
size_t req_utf8_chars(const char *s, size_t len);

#endif
