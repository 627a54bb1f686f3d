#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "body.h"
#include "pystr.h"
#include "req.h"
#include "resp.h"

static const char *const method_names[REQ__MAX] = {
	[REQ_GET] = "GET",
	[REQ_POST] = "POST",
	[REQ_PUT] = "PUT",
	[REQ_PATCH] = "PATCH",
	[REQ_DELETE] = "DELETE",
	[REQ_HEAD] = "HEAD",
	[REQ_OPTIONS] = "OPTIONS",
	[REQ_TRACE] = "TRACE",
	[REQ_OTHER] = NULL,
};

const char *
req_env(const struct req *r, const char *name)
{
	size_t n = strlen(name);
	char **e;

	if (r->envp == NULL)
		return NULL;
	for (e = r->envp; *e != NULL; e++)
		if (**e == *name && strncmp(*e, name, n) == 0 &&
		    (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static char *
strip_dup(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return strndup(s, len);
}

/*
 * Python's http.cookies._unquote: a value in double quotes loses them
 * and its \ooo and \x escapes.
 */
static void
cookie_unquote(char *v)
{
	size_t n = strlen(v), i, o = 0;

	if (n < 2 || v[0] != '"' || v[n - 1] != '"')
		return;
	for (i = 1; i < n - 1; i++) {
		if (v[i] == '\\' && i + 3 < n - 1 && v[i + 1] >= '0' &&
		    v[i + 1] <= '3' && v[i + 2] >= '0' && v[i + 2] <= '7' &&
		    v[i + 3] >= '0' && v[i + 3] <= '7') {
			v[o++] = (char)(((v[i + 1] - '0') << 6) |
			    ((v[i + 2] - '0') << 3) | (v[i + 3] - '0'));
			i += 3;
		} else if (v[i] == '\\' && i + 1 < n - 1) {
			v[o++] = v[++i];
		} else
			v[o++] = v[i];
	}
	v[o] = '\0';
}

/* Django's parse_cookie: ';'-separated, first '=' splits, later wins. */
static enum app_err
parse_cookies(struct req *r, const char *hdr)
{
	const char *p = hdr, *end, *eq;
	char *name, *value;

	while (*p != '\0' && r->ncookies < LIMIT_COOKIES) {
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL) {
			name = strip_dup(p, (size_t)(eq - p));
			value = strip_dup(eq + 1, (size_t)(end - eq - 1));
		} else {
			name = strdup("");
			value = strip_dup(p, (size_t)(end - p));
		}
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			return APP_ENOMEM;
		}
		if (name[0] == '\0' && value[0] == '\0') {
			free(name);
			free(value);
		} else {
			cookie_unquote(value);
			r->cookies[r->ncookies].name = name;
			r->cookies[r->ncookies].value = value;
			r->ncookies++;
		}
		p = *end == ';' ? end + 1 : end;
	}
	return APP_OK;
}

enum app_err
req_init(struct req *r, char **envp)
{
	const char *m, *addr, *cookie;
	int i;

	memset(r, 0, sizeof(*r));
	r->envp = envp;
	m = req_env(r, "REQUEST_METHOD");
	r->method_name = m != NULL ? m : "GET";
	r->method = REQ_OTHER;
	for (i = 0; i < REQ_OTHER; i++)
		if (strcmp(r->method_name, method_names[i]) == 0)
			r->method = (enum req_method)i;
	r->content_type = req_env(r, "CONTENT_TYPE");
	if (r->content_type != NULL && r->content_type[0] == '\0')
		r->content_type = NULL;
	r->authorization = req_env(r, "HTTP_AUTHORIZATION");
	addr = req_env(r, "REMOTE_ADDR");
	snprintf(r->client_addr, sizeof(r->client_addr), "%s",
	    addr != NULL ? addr : "");
	cookie = req_env(r, "HTTP_COOKIE");
	if (cookie != NULL && strlen(cookie) <= LIMIT_HEADER)
		return parse_cookies(r, cookie);
	return APP_OK;
}

void
req_free(struct req *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ncookies; i++) {
		free(r->cookies[i].name);
		free(r->cookies[i].value);
	}
	r->ncookies = 0;
	free(r->body);
	r->body = NULL;
	json_object_put(r->data);
	r->data = NULL;
}

const char *
req_cookie(const struct req *r, const char *name)
{
	size_t i;

	for (i = r->ncookies; i > 0; i--)
		if (strcmp(r->cookies[i - 1].name, name) == 0)
			return r->cookies[i - 1].value;
	return NULL;
}

enum app_err
req_content_length(const struct req *r, size_t *len)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");
	size_t v = 0, i;

	for (i = 0; cl != NULL && cl[i] != '\0'; i++) {
		if (cl[i] < '0' || cl[i] > '9' || i >= REQ_CL_DIGITS)
			return APP_EINPUT;
		v = v * 10 + (size_t)(cl[i] - '0');
	}
	*len = v;
	return APP_OK;
}

enum app_err
req_read_body(struct req *r, const struct req_io *io, size_t max, char *msg,
    size_t msgsz)
{
	size_t len = 0, off = 0;
	long got;

	if (req_content_length(r, &len) != APP_OK) {
		snprintf(msg, msgsz, "Invalid Content-Length header.");
		return APP_EINPUT;
	}
	if (len > max) {
		snprintf(msg, msgsz,
		    "Request body exceeds the limit of %zu bytes.", max);
		return APP_ETOOBIG;
	}
	if ((r->body = malloc(len + 1)) == NULL)
		return APP_ENOMEM;
	while (off < len) {
		got = io->read(io->arg, r->body + off, len - off);
		if (got <= 0)
			break;
		off += (size_t)got;
	}
	r->body[off] = '\0';
	r->body_len = off;
	if (off != len) {
		snprintf(msg, msgsz, "Request body shorter than Content-Length.");
		return APP_EINPUT;
	}
	return APP_OK;
}

/* "application/json; charset=utf-8" -> is its media type equal to want? */
static bool
media_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static const char *
python_type(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_array: return "list";
	case json_type_string: return "str";
	case json_type_int: return "int";
	case json_type_double: return "float";
	case json_type_boolean: return "bool";
	case json_type_null: return "NoneType";
	default: return "dict";
	}
}

enum app_err
req_parse_body(struct req *r, char *msg, size_t msgsz)
{
	char reason[REQ_MSG_BYTES];
	struct json_object *o = NULL;
	enum app_err er;

	json_object_put(r->data);
	r->data = NULL;
	if (r->body_len == 0) {
		if ((r->data = json_object_new_object()) == NULL)
			return APP_ENOMEM;
		return APP_OK;
	}
	if (r->content_type == NULL) {
		/* DRF: a body without a type matches no parser. */
		snprintf(msg, msgsz, "Unsupported media type \"\" in request.");
		return APP_EMEDIA;
	}
	if (media_is(r->content_type, "application/json")) {
		er = body_json_parse(r->body, r->body_len, &o, reason,
		    sizeof(reason));
		if (er == APP_EINPUT)
			snprintf(msg, msgsz, "JSON parse error - %s", reason);
		if (er != APP_OK)
			return er;
		if (o == NULL) {
			/* DRF Serializer.errors: the "null" edge case. */
			snprintf(msg, msgsz, "No data provided");
			return APP_ESHAPE;
		}
		if (!json_object_is_type(o, json_type_object)) {
			/* DRF lets the parse pass and the serializer say no. */
			snprintf(msg, msgsz, REQ_NOT_DICT, python_type(o));
			json_object_put(o);
			return APP_ESHAPE;
		}
	} else if (media_is(r->content_type,
		       "application/x-www-form-urlencoded")) {
		er = body_form_parse(r->body, r->body_len, &o, reason,
		    sizeof(reason));
		if (er == APP_EINPUT)
			snprintf(msg, msgsz, "Form parse error - %s", reason);
		if (er != APP_OK)
			return er;
	} else {
		snprintf(msg, msgsz, "Unsupported media type \"%.200s\" in request.",
		    r->content_type);
		return APP_EMEDIA;
	}
	r->data = o;
	return APP_OK;
}

size_t
req_utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Python's repr(float): shortest digits that round-trip, positional
 * between 1e-4 and 1e16, else d.ddde+XX.
 */
static void
py_float(char *out, size_t outsz, double v)
{
	char digits[40], *e;
	int prec, exp, nd, i;
	size_t o = 0;

	if (isnan(v) || isinf(v)) {
		snprintf(out, outsz, "%s", isnan(v) ? "nan" :
		    (v < 0 ? "-inf" : "inf"));
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, v);
		if (strtod(digits, NULL) == v)
			break;
	}
	e = strchr(digits, 'e');
	/* Our own %e output: the exponent is always a valid int. */
	exp = (int)strtol(e + 1, NULL, 10);
	*e = '\0';
	if (exp < -4 || exp >= 16) {
		snprintf(out, outsz, "%se%c%02d", digits, exp < 0 ? '-' : '+',
		    exp < 0 ? -exp : exp);
		return;
	}
	/* Collect the bare digits. */
	{
		char bare[40];
		const char *p = digits;

		nd = 0;
		if (*p == '-') {
			out[o++] = '-';
			p++;
		}
		for (; *p != '\0'; p++)
			if (*p >= '0' && *p <= '9')
				bare[nd++] = *p;
		if (exp < 0) {
			o += (size_t)snprintf(out + o, outsz - o, "0.");
			for (i = 0; i < -exp - 1; i++)
				out[o++] = '0';
			for (i = 0; i < nd; i++)
				out[o++] = bare[i];
		} else {
			for (i = 0; i <= exp; i++)
				out[o++] = i < nd ? bare[i] : '0';
			out[o++] = '.';
			if (nd > exp + 1)
				for (i = exp + 1; i < nd; i++)
					out[o++] = bare[i];
			else
				out[o++] = '0';
		}
		out[o] = '\0';
	}
}

enum app_err
req_field_string(const struct req *r, const char *name, unsigned flags,
    size_t max_chars, char *out, size_t outsz, bool *present,
    struct json_object **errs)
{
	struct json_object *v = NULL;
	char num[64], msg[128];
	const char *s;
	size_t len;
	enum app_err er = APP_OK;
	bool bad = false;

	*present = false;
	out[0] = '\0';
	if (r->data == NULL || !json_object_object_get_ex(r->data, name, &v)) {
		if (flags & REQ_F_REQUIRED)
			goto required;
		return APP_OK;
	}
	*present = true;
	switch (json_object_get_type(v)) {
	case json_type_null:
		return resp_errors_add(errs, name,
			   "This field may not be null.") == APP_OK ?
		    APP_EINPUT : APP_ENOMEM;
	case json_type_string:
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		break;
	case json_type_int:
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_object_get_int64(v));
		s = num;
		len = strlen(num);
		break;
	case json_type_double:
		py_float(num, sizeof(num), json_object_get_double(v));
		s = num;
		len = strlen(num);
		break;
	default:
		return resp_errors_add(errs, name, "Not a valid string.") ==
			APP_OK ? APP_EINPUT : APP_ENOMEM;
	}
	if (!(flags & REQ_F_NOTRIM))
		s = pystr_strip(s, &len);
	if (len == 0) {
		if (flags & REQ_F_BLANK)
			return APP_OK;
		return resp_errors_add(errs, name,
			   "This field may not be blank.") == APP_OK ?
		    APP_EINPUT : APP_ENOMEM;
	}
	if (max_chars > 0 && req_utf8_chars(s, len) > max_chars) {
		snprintf(msg, sizeof(msg),
		    "Ensure this field has no more than %zu characters.",
		    max_chars);
		if ((er = resp_errors_add(errs, name, msg)) != APP_OK)
			return er;
		bad = true;
	}
	if (memchr(s, '\0', len) != NULL) {
		if ((er = resp_errors_add(errs, name,
			 "Null characters are not allowed.")) != APP_OK)
			return er;
		bad = true;
	}
	if (bad)
		return APP_EINPUT;
	if (len + 1 > outsz) {
		snprintf(msg, sizeof(msg),
		    "Ensure this field has no more than %zu characters.",
		    outsz / 4);
		return resp_errors_add(errs, name, msg) == APP_OK ?
		    APP_EINPUT : APP_ENOMEM;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return APP_OK;
required:
	return resp_errors_add(errs, name, "This field is required.") ==
		APP_OK ? APP_EINPUT : APP_ENOMEM;
}

enum app_err
req_fields(const struct req *r, struct req_field *f, size_t n,
    struct json_object **errs)
{
	enum app_err er, all = APP_OK;
	size_t i;

	for (i = 0; i < n; i++) {
		er = req_field_string(r, f[i].name, f[i].flags, f[i].max_chars,
		    f[i].out, f[i].outsz, &f[i].present, errs);
		if (er == APP_ENOMEM)
			return er;
		if (er != APP_OK)
			all = APP_EINPUT;
	}
	return all;
}

long
req_mem_read(void *arg, char *buf, size_t n)
{
	struct req_mem *m = arg;

	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (long)n;
}
