/*
 * body.c: request bodies (JSON, urlencoded forms) into json-c trees.
 *
 * The JSON parser follows CPython 3.11's Modules/_json.c step by step
 * (scan_once_unicode, _parse_object_unicode, _parse_array_unicode,
 * scanstring_unicode, _match_number_unicode) so that each syntax error
 * gets the same words and the same position as DRF's json.load; the
 * UTF-8 check follows Objects/stringlib/codecs.h (utf8_decode). Python
 * positions count code points; we walk bytes of text already known to
 * be UTF-8 and convert an offset only when we report it.
 *
 * Refusals Python would not make (duplicate key, NUL in a key, unpaired
 * surrogate escape) are "deferred": the first is remembered and parsing
 * goes on, so a body that is also malformed still gets Python's syntax
 * message. Limits (depth, members, string length) stop at once.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "body.h"
#include "bounds.h"
#include "codec.h"

/* CPython's default sys.get_int_max_str_digits() (3.11, CVE-2020-10735). */
#define PY_INT_MAX_STR_DIGITS 4300
/* Bytes of a name quoted in a message, before "...". */
#define QUOTE_MAX 64

/* One JSON parse; lives on body_json_parse's stack. */
struct jp {
	const unsigned char *p;
	size_t len;
	size_t pos; /* byte offset of the next unread byte */
	char *msg; /* caller's buffer, may be NULL */
	size_t msgsz;
	char *sbuf; /* decoded string, LIMIT_JSON_STRING + 1 bytes */
	size_t slen;
	int deferred; /* msg holds a deferred refusal */
};

/* Why a UTF-8 sequence is bad, and how many bytes Python blames. */
struct u8bad {
	size_t start, end;
	const char *why;
};

static enum app_err jp_value(struct jp *, int, struct json_object **);

static void msg_set(char *msg, size_t msgsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
msg_set(char *msg, size_t msgsz, const char *fmt, ...)
{
	va_list ap;

	if (msg == NULL || msgsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msgsz, fmt, ap);
	va_end(ap);
}

/*
 * Check one sequence at p (n > 0 bytes left) as CPython's utf8_decode
 * does: 1 and *seq = its length, or 0 with bad->end relative to p.
 * Overlongs (C0, C1, E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and
 * values over U+10FFFF (F4 90-BF, F5-FF) are refused.
 */
static int
u8_seq(const unsigned char *p, size_t n, size_t *seq, struct u8bad *bad)
{
	unsigned char c = p[0];
	int ok2;

#define CONT(b) (((b)&0xc0) == 0x80)
	bad->why = "invalid continuation byte";
	bad->end = 1;
	if (c < 0x80) {
		*seq = 1;
		return 1;
	}
	if (c < 0xc2 || c > 0xf4) {
		bad->why = "invalid start byte";
		return 0;
	}
	if (c < 0xe0) {
		if (n < 2)
			goto eod;
		if (!CONT(p[1]))
			return 0;
		*seq = 2;
		return 1;
	}
	if (n >= 2) {
		if (c < 0xf0)
			ok2 = CONT(p[1]) &&
			    !(p[1] < 0xa0 ? c == 0xe0 : c == 0xed);
		else
			ok2 = CONT(p[1]) &&
			    !(p[1] < 0x90 ? c == 0xf0 : c == 0xf4);
		if (!ok2)
			return 0;
	}
	if (c < 0xf0) {
		if (n < 3)
			goto eod;
		bad->end = 2;
		if (!CONT(p[2]))
			return 0;
		*seq = 3;
		return 1;
	}
	if (n < 3)
		goto eod;
	bad->end = 2;
	if (!CONT(p[2]))
		return 0;
	if (n < 4)
		goto eod;
	bad->end = 3;
	if (!CONT(p[3]))
		return 0;
	*seq = 4;
	return 1;
eod:
	/* Python blames every byte up to the end of the input. */
	bad->why = "unexpected end of data";
	bad->end = n;
	return 0;
#undef CONT
}

/* 1 if p[0..len) is UTF-8; else 0 and *bad (offsets into p). */
static int
u8_valid(const unsigned char *p, size_t len, struct u8bad *bad)
{
	size_t i = 0, seq;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (!u8_seq(p + i, len - i, &seq, bad)) {
			bad->start = i;
			bad->end += i;
			return 0;
		}
		i += seq;
	}
	return 1;
}

/* Python's UnicodeDecodeError text for the 'utf-8' codec. */
static void
u8_msg(char *msg, size_t msgsz, const unsigned char *p, const struct u8bad *bad)
{
	if (bad->end - bad->start == 1)
		msg_set(msg, msgsz,
		    "'utf-8' codec can't decode byte 0x%02x in position %zu: "
		    "%s",
		    p[bad->start], bad->start, bad->why);
	else
		msg_set(msg, msgsz,
		    "'utf-8' codec can't decode bytes in position %zu-%zu: %s",
		    bad->start, bad->end - 1, bad->why);
}

/*
 * Write s[0..n) into dst for a message: printable ASCII and whole valid
 * UTF-8 sequences as they are, '"' and '\' escaped, other bytes \xHH;
 * past QUOTE_MAX bytes "..." ends it. Always terminates.
 */
static void
quote(char *dst, size_t dstsz, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	struct u8bad bad;
	size_t i = 0, o = 0, seq;

	if (dstsz < QUOTE_MAX + 8) {
		if (dstsz > 0)
			dst[0] = '\0';
		return;
	}
	while (i < n && o < QUOTE_MAX) {
		if (u[i] == '"' || u[i] == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)u[i++];
		} else if (u[i] >= 0x20 && u[i] < 0x7f) {
			dst[o++] = (char)u[i++];
		} else if (u[i] >= 0x80 && u8_seq(u + i, n - i, &seq, &bad)) {
			memcpy(dst + o, u + i, seq);
			o += seq;
			i += seq;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[u[i] >> 4];
			dst[o++] = hex[u[i] & 0xf];
			i++;
		}
	}
	if (i < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* json.JSONDecodeError's "<what>: line L column C (char N)". */
static void
jp_msg(struct jp *jp, size_t off, const char *what)
{
	size_t i, ch = 0, line = 1, nl = 0;
	int seen = 0;

	for (i = 0; i < off && i < jp->len; i++) {
		if ((jp->p[i] & 0xc0) == 0x80)
			continue;
		if (jp->p[i] == '\n') {
			line++;
			nl = ch;
			seen = 1;
		}
		ch++;
	}
	msg_set(jp->msg, jp->msgsz, "%s: line %zu column %zu (char %zu)", what,
	    line, seen ? ch - nl : ch + 1, ch);
}

static enum app_err
jp_fail(struct jp *jp, size_t off, const char *what)
{
	jp_msg(jp, off, what);
	return APP_EINPUT;
}

/* Remember the first refusal Python would not make; parsing goes on. */
static void
jp_defer(struct jp *jp, size_t off, const char *what)
{
	if (jp->deferred)
		return;
	jp->deferred = 1;
	jp_msg(jp, off, what);
}

static void
jp_ws(struct jp *jp)
{
	while (jp->pos < jp->len &&
	    (jp->p[jp->pos] == ' ' || jp->p[jp->pos] == '\t' ||
		jp->p[jp->pos] == '\n' || jp->p[jp->pos] == '\r'))
		jp->pos++;
}

/* At least n code points start at byte off (off is a boundary). */
static int
jp_have(const struct jp *jp, size_t off, size_t n)
{
	for (; off < jp->len && n > 0; off++)
		if ((jp->p[off] & 0xc0) != 0x80)
			n--;
	return n == 0;
}

/* 4 hex digits at off (in bounds) into *cp; 0 if any is not hex. */
static int
jp_hex4(const struct jp *jp, size_t off, unsigned int *cp)
{
	unsigned int c = 0, d;
	size_t i;

	for (i = 0; i < 4; i++) {
		d = jp->p[off + i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if (d >= 'a' && d <= 'f')
			d -= 'a' - 10;
		else if (d >= 'A' && d <= 'F')
			d -= 'A' - 10;
		else
			return 0;
		c = c << 4 | d;
	}
	*cp = c;
	return 1;
}

static int
jp_put(struct jp *jp, const void *s, size_t n)
{
	if (n > LIMIT_JSON_STRING - jp->slen)
		return 0;
	memcpy(jp->sbuf + jp->slen, s, n);
	jp->slen += n;
	return 1;
}

/*
 * The string whose '"' is at jp->pos, decoded into jp->sbuf/slen
 * (NUL-terminated); jp->pos ends past the closing quote. After
 * scanstring_unicode with strict=True.
 */
static enum app_err
jp_string(struct jp *jp)
{
	const unsigned char *p = jp->p;
	size_t begin = jp->pos, off = begin + 1, run, end;
	unsigned int cp, lo;
	unsigned char u8[4], c;
	char what[48];

	jp->slen = 0;
	for (;;) {
		for (run = off; off < jp->len; off++) {
			c = p[off];
			if (c == '"' || c == '\\')
				break;
			if (c <= 0x1f)
				return jp_fail(jp, off,
				    "Invalid control character at");
		}
		if (!jp_put(jp, p + run, off - run))
			goto toolong;
		if (off == jp->len)
			return jp_fail(jp, begin,
			    "Unterminated string starting at");
		if (p[off] == '"')
			break;
		if (++off == jp->len)
			return jp_fail(jp, begin,
			    "Unterminated string starting at");
		c = p[off];
		if (c != 'u') {
			switch (c) {
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			default:
				return jp_fail(jp, off - 1, "Invalid \\escape");
			}
			if (!jp_put(jp, &c, 1))
				goto toolong;
			off++;
			continue;
		}
		/* Python wants 4 digits and one more code point after. */
		off++;
		if (!jp_have(jp, off, 5) || !jp_hex4(jp, off, &cp))
			return jp_fail(jp, off - 1, "Invalid \\uXXXX escape");
		end = off + 4;
		if (cp >= 0xd800 && cp <= 0xdbff && jp_have(jp, end, 7) &&
		    p[end] == '\\' && p[end + 1] == 'u') {
			if (!jp_hex4(jp, end + 2, &lo))
				return jp_fail(jp, end + 1,
				    "Invalid \\uXXXX escape");
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				end += 6;
			}
		}
		if (cp >= 0xd800 && cp <= 0xdfff) {
			/* Python keeps it; UTF-8 cannot hold it. */
			snprintf(what, sizeof(what),
			    "Unpaired surrogate \\u%04x", cp);
			jp_defer(jp, off - 2, what);
		} else if (!jp_put(jp, u8, codec_utf8_put(cp, u8)))
			goto toolong;
		off = end;
	}
	jp->sbuf[jp->slen] = '\0';
	jp->pos = off + 1;
	return APP_OK;
toolong:
	snprintf(what, sizeof(what), "String too long (limit %d bytes)",
	    LIMIT_JSON_STRING);
	return jp_fail(jp, begin, what);
}

/* 1 if the text at jp->pos starts with lit (ASCII). */
static int
jp_lit(const struct jp *jp, const char *lit)
{
	size_t n = strlen(lit);

	return jp->len - jp->pos >= n && memcmp(jp->p + jp->pos, lit, n) == 0;
}

static int
is_digit(const struct jp *jp, size_t off)
{
	return off < jp->len && jp->p[off] >= '0' && jp->p[off] <= '9';
}

/*
 * A number at jp->pos, after _match_number_unicode: the longest prefix
 * that is a JSON number, backing off a bare '.', 'e' or 'e+'. Integers
 * are int64 when they fit, else doubles; strtod assumes the "C" locale,
 * which we never change.
 */
static enum app_err
jp_number(struct jp *jp, struct json_object **out)
{
	const unsigned char *p = jp->p;
	size_t start = jp->pos, i = start, e, n;
	char small[64], *s;
	int isfloat = 0;
	long long ll;
	double d;
	enum app_err er = APP_ENOMEM;

	if (i < jp->len && p[i] == '-')
		i++;
	if (i < jp->len && p[i] >= '1' && p[i] <= '9') {
		while (is_digit(jp, i))
			i++;
	} else if (i < jp->len && p[i] == '0')
		i++;
	else
		return jp_fail(jp, start, "Expecting value");
	if (i < jp->len && p[i] == '.' && is_digit(jp, i + 1)) {
		isfloat = 1;
		i += 2;
		while (is_digit(jp, i))
			i++;
	}
	if (i + 1 < jp->len && (p[i] == 'e' || p[i] == 'E')) {
		e = i++;
		if (i + 1 < jp->len && (p[i] == '-' || p[i] == '+'))
			i++;
		while (is_digit(jp, i))
			i++;
		if (p[i - 1] >= '0' && p[i - 1] <= '9')
			isfloat = 1;
		else
			i = e;
	}
	n = i - start;
	if (!isfloat && n - (p[start] == '-') > PY_INT_MAX_STR_DIGITS) {
		/* ValueError from int(); DRF shows it as is. */
		msg_set(jp->msg, jp->msgsz,
		    "Exceeds the limit (%d digits) for integer string "
		    "conversion: value has %zu digits; use "
		    "sys.set_int_max_str_digits() to increase the limit",
		    PY_INT_MAX_STR_DIGITS, n - (p[start] == '-'));
		return APP_EINPUT;
	}
	/* strtod must not read past the span (think "0x1"): copy it. */
	s = n < sizeof(small) ? small : malloc(n + 1);
	if (s == NULL)
		goto out;
	memcpy(s, p + start, n);
	s[n] = '\0';
	if (!isfloat) {
		errno = 0;
		ll = strtoll(s, NULL, 10);
		if (errno == 0) {
			if ((*out = json_object_new_int64(ll)) != NULL)
				er = APP_OK;
			goto out;
		}
	}
	d = strtod(s, NULL);
	if (isinf(d)) {
		er = jp_fail(jp, start,
		    "Out of range float values are not JSON compliant");
		goto out;
	}
	if ((*out = json_object_new_double(d)) != NULL)
		er = APP_OK;
out:
	if (s != small)
		free(s);
	if (er == APP_OK)
		jp->pos = i;
	return er;
}

/* Read the n-th member (from 1) of container c at jp->pos, add it to c. */
typedef enum app_err jp_member_fn(struct jp *, int depth, struct json_object *c,
    size_t n);

/* The limit on members, as Python would say it (limit) at the member. */
static enum app_err
jp_too_many(struct jp *jp, size_t at, const char *kind)
{
	char what[96];

	snprintf(what, sizeof(what), "Too many %s (limit %d)", kind,
	    LIMIT_JSON_MEMBERS);
	return jp_fail(jp, at, what);
}

/*
 * An object or an array, its opening bracket at jp->pos: members
 * separated by ',' up to close, each read by member. Python's "Expecting
 * ',' delimiter" when a member is followed by neither.
 */
static enum app_err
jp_container(struct jp *jp, int depth, char close, struct json_object *c,
    jp_member_fn *member)
{
	enum app_err er;
	size_t n = 0;

	jp->pos++;
	jp_ws(jp);
	if (jp->pos < jp->len && jp->p[jp->pos] == close) {
		jp->pos++;
		return APP_OK;
	}
	for (;;) {
		if ((er = member(jp, depth, c, ++n)) != APP_OK)
			return er;
		jp_ws(jp);
		if (jp->pos < jp->len && jp->p[jp->pos] == close) {
			jp->pos++;
			return APP_OK;
		}
		if (jp->pos >= jp->len || jp->p[jp->pos] != ',')
			return jp_fail(jp, jp->pos, "Expecting ',' delimiter");
		jp->pos++;
		jp_ws(jp);
	}
}

/* "key": value, the key not yet in obj (a duplicate is reported, its
 * value dropped: Python keeps the last, DRF's strict parser refuses). */
static enum app_err
jp_pair(struct jp *jp, int depth, struct json_object *obj, size_t n)
{
	struct json_object *val;
	size_t keyat = jp->pos, klen;
	char *key = NULL, what[QUOTE_MAX + 64], q[QUOTE_MAX + 8];
	int dup = 0;
	enum app_err er;

	if (jp->pos >= jp->len || jp->p[jp->pos] != '"')
		return jp_fail(jp, jp->pos,
		    "Expecting property name enclosed in double quotes");
	if ((er = jp_string(jp)) != APP_OK)
		return er;
	/* jp->sbuf is reused by the value: keep our own copy. */
	klen = jp->slen;
	if ((key = malloc(klen + 1)) == NULL)
		return APP_ENOMEM;
	memcpy(key, jp->sbuf, klen + 1);
	if (memchr(key, '\0', klen) != NULL) {
		dup = 1;
		quote(q, sizeof(q), key, klen);
		snprintf(what, sizeof(what),
		    "Property name \"%s\" contains \\u0000", q);
		jp_defer(jp, keyat, what);
	} else if (json_object_object_get_ex(obj, key, NULL)) {
		dup = 1;
		quote(q, sizeof(q), key, klen);
		snprintf(what, sizeof(what), "Duplicate key \"%s\"", q);
		jp_defer(jp, keyat, what);
	}
	jp_ws(jp);
	if (jp->pos >= jp->len || jp->p[jp->pos] != ':') {
		er = jp_fail(jp, jp->pos, "Expecting ':' delimiter");
		goto out;
	}
	jp->pos++;
	jp_ws(jp);
	if ((er = jp_value(jp, depth, &val)) != APP_OK)
		goto out;
	if (n > LIMIT_JSON_MEMBERS) {
		json_object_put(val);
		er = jp_too_many(jp, keyat, "members in object");
	} else if (dup)
		json_object_put(val);
	else if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		er = APP_ENOMEM;
	}
out:
	free(key);
	return er;
}

static enum app_err
jp_element(struct jp *jp, int depth, struct json_object *arr, size_t n)
{
	struct json_object *val;
	size_t at = jp->pos;
	enum app_err er;

	if ((er = jp_value(jp, depth, &val)) != APP_OK)
		return er;
	if (n > LIMIT_JSON_MEMBERS) {
		json_object_put(val);
		return jp_too_many(jp, at, "elements in array");
	}
	if (json_object_array_add(arr, val) != 0) {
		json_object_put(val);
		return APP_ENOMEM;
	}
	return APP_OK;
}

/* The object or array that starts at jp->pos, into *out. */
static enum app_err
jp_compound(struct jp *jp, int depth, struct json_object **out)
{
	bool obj = jp->p[jp->pos] == '{';
	struct json_object *c;
	enum app_err er;

	c = obj ? json_object_new_object() : json_object_new_array();
	if (c == NULL)
		return APP_ENOMEM;
	er = obj ? jp_container(jp, depth, '}', c, jp_pair)
		 : jp_container(jp, depth, ']', c, jp_element);
	if (er != APP_OK) {
		json_object_put(c);
		return er;
	}
	*out = c;
	return APP_OK;
}

/* DRF's strict_constant: ValueError('... compliant: ' + repr(o)). */
static enum app_err
jp_constant(struct jp *jp, const char *lit)
{
	msg_set(jp->msg, jp->msgsz,
	    "Out of range float values are not JSON compliant: '%s'", lit);
	return APP_EINPUT;
}

/*
 * One value at jp->pos (whitespace already skipped), after
 * scan_once_unicode; depth counts the containers around it. JSON null
 * is *out = NULL.
 */
static enum app_err
jp_value(struct jp *jp, int depth, struct json_object **out)
{
	char what[48];
	enum app_err er;

	if (jp->pos >= jp->len)
		return jp_fail(jp, jp->pos, "Expecting value");
	switch (jp->p[jp->pos]) {
	case '"':
		if ((er = jp_string(jp)) != APP_OK)
			return er;
		*out = json_object_new_string_len(jp->sbuf, (int)jp->slen);
		return *out != NULL ? APP_OK : APP_ENOMEM;
	case '{':
	case '[':
		if (depth >= LIMIT_JSON_DEPTH) {
			snprintf(what, sizeof(what),
			    "Nesting too deep (limit %d)", LIMIT_JSON_DEPTH);
			return jp_fail(jp, jp->pos, what);
		}
		return jp_compound(jp, depth + 1, out);
	case 'n':
		if (jp_lit(jp, "null")) {
			jp->pos += 4;
			*out = NULL;
			return APP_OK;
		}
		break;
	case 't':
	case 'f':
		if (jp_lit(jp, "true") || jp_lit(jp, "false")) {
			*out = json_object_new_boolean(jp->p[jp->pos] == 't');
			if (*out == NULL)
				return APP_ENOMEM;
			jp->pos += jp->p[jp->pos] == 't' ? 4 : 5;
			return APP_OK;
		}
		break;
	case 'N':
		if (jp_lit(jp, "NaN"))
			return jp_constant(jp, "NaN");
		break;
	case 'I':
		if (jp_lit(jp, "Infinity"))
			return jp_constant(jp, "Infinity");
		break;
	case '-':
		if (jp_lit(jp, "-Infinity"))
			return jp_constant(jp, "-Infinity");
		break;
	}
	return jp_number(jp, out);
}

enum app_err
body_json_parse(const char *buf, size_t len, struct json_object **out,
    char *msg, size_t msgsz)
{
	struct jp jp;
	struct u8bad bad;
	struct json_object *val = NULL;
	enum app_err er;

	memset(&jp, 0, sizeof(jp));
	jp.p = (const unsigned char *)buf;
	jp.len = len;
	jp.msg = msg;
	jp.msgsz = msgsz;
	/* DRF decodes the whole body before json.loads sees it. */
	if (!u8_valid(jp.p, len, &bad)) {
		u8_msg(msg, msgsz, jp.p, &bad);
		return APP_EINPUT;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		return jp_fail(&jp, 0,
		    "Unexpected UTF-8 BOM (decode using utf-8-sig)");
	if ((jp.sbuf = malloc(LIMIT_JSON_STRING + 1)) == NULL) {
		msg_set(msg, msgsz, "Out of memory");
		return APP_ENOMEM;
	}
	jp_ws(&jp);
	if ((er = jp_value(&jp, 0, &val)) != APP_OK)
		goto out;
	jp_ws(&jp);
	if (jp.pos != len)
		er = jp_fail(&jp, jp.pos, "Extra data");
	else if (jp.deferred)
		er = APP_EINPUT;
out:
	if (er == APP_ENOMEM)
		msg_set(msg, msgsz, "Out of memory");
	if (er == APP_OK)
		*out = val;
	else
		json_object_put(val);
	free(jp.sbuf);
	return er;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * urllib.parse.unquote_plus of s[0..n) into dst (cap bytes): '+' is a
 * space, %XX a byte, any other '%' itself. 0 if it would not fit.
 */
static int
form_unquote(const unsigned char *s, size_t n, char *dst, size_t cap,
    size_t *outlen)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (o == cap)
			return 0;
		if (s[i] == '+')
			dst[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			dst[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			dst[o++] = (char)s[i];
	}
	*outlen = o;
	return 1;
}

enum app_err
body_form_parse(const char *buf, size_t len, struct json_object **out,
    char *msg, size_t msgsz)
{
	const unsigned char *p = (const unsigned char *)buf, *amp, *eq;
	struct json_object *obj, *val;
	struct u8bad bad;
	size_t i = 0, end, klen, vlen, vstart, n = 0;
	char *kbuf = NULL, *vbuf = NULL, q[QUOTE_MAX + 8];
	enum app_err er = APP_ENOMEM;

	if ((obj = json_object_new_object()) == NULL)
		goto out;
	if ((kbuf = malloc(LIMIT_JSON_STRING + 1)) == NULL ||
	    (vbuf = malloc(LIMIT_JSON_STRING + 1)) == NULL)
		goto out;
	for (; i < len; i = end + 1) {
		amp = memchr(p + i, '&', len - i);
		end = amp != NULL ? (size_t)(amp - p) : len;
		if (end == i)
			continue;
		er = APP_EINPUT;
		if (++n > LIMIT_JSON_MEMBERS) {
			msg_set(msg, msgsz, "Too many form fields (limit %d)",
			    LIMIT_JSON_MEMBERS);
			goto out;
		}
		eq = memchr(p + i, '=', end - i);
		klen = eq != NULL ? (size_t)(eq - p) - i : end - i;
		vstart = eq != NULL ? (size_t)(eq - p) + 1 : end;
		if (!form_unquote(p + i, klen, kbuf, LIMIT_JSON_STRING,
			&klen)) {
			msg_set(msg, msgsz,
			    "Form field name too long (limit %d bytes)",
			    LIMIT_JSON_STRING);
			goto out;
		}
		kbuf[klen] = '\0';
		quote(q, sizeof(q), kbuf, klen);
		if (!u8_valid((unsigned char *)kbuf, klen, &bad)) {
			msg_set(msg, msgsz,
			    "Invalid UTF-8 in form field name \"%s\"", q);
			goto out;
		}
		if (memchr(kbuf, '\0', klen) != NULL) {
			msg_set(msg, msgsz,
			    "Form field name \"%s\" contains NUL", q);
			goto out;
		}
		if (!form_unquote(p + vstart, end - vstart, vbuf,
			LIMIT_JSON_STRING, &vlen)) {
			msg_set(msg, msgsz,
			    "Form field \"%s\" too long (limit %d bytes)", q,
			    LIMIT_JSON_STRING);
			goto out;
		}
		if (!u8_valid((unsigned char *)vbuf, vlen, &bad)) {
			msg_set(msg, msgsz,
			    "Invalid UTF-8 in form field \"%s\"", q);
			goto out;
		}
		if (json_object_object_get_ex(obj, kbuf, NULL)) {
			msg_set(msg, msgsz, "Duplicate field \"%s\"", q);
			goto out;
		}
		er = APP_ENOMEM;
		if ((val = json_object_new_string_len(vbuf, (int)vlen)) == NULL)
			goto out;
		if (json_object_object_add(obj, kbuf, val) != 0) {
			json_object_put(val);
			goto out;
		}
	}
	*out = obj;
	obj = NULL;
	er = APP_OK;
out:
	if (er == APP_ENOMEM)
		msg_set(msg, msgsz, "Out of memory");
	json_object_put(obj);
	free(kbuf);
	free(vbuf);
	return er;
}
