/*
 * test_body.c: lib/http/body.c against the exact texts Python 3.11 gives
 * (bytes.decode('utf-8') then json.loads with DRF's strict_constant;
 * each expected string below was produced by /usr/bin/python3), our own
 * refusals and limits, and urlencoded forms as parse_qsl reads them.
 * Without ASan, a glibc malloc wrapper also fails every allocation in
 * turn and checks that nothing leaks.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "bounds.h"
#include "testhelp.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_NOMEM 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_NOMEM 0
#endif
#endif
#if !defined(TEST_NOMEM) && defined(__GLIBC__)
#define TEST_NOMEM 1
#endif
#ifndef TEST_NOMEM
#define TEST_NOMEM 0
#endif

#if TEST_NOMEM
/* glibc lets a program replace malloc; json-c's calls come here too. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static long nm_left = -1; /* allocations before one fails; -1 never */
static long nm_live; /* outstanding allocations */

static int
nm_fail(void)
{
	if (nm_left < 0)
		return 0;
	return nm_left-- == 0;
}

void *
malloc(size_t n)
{
	void *p;

	if (nm_fail())
		return NULL;
	if ((p = __libc_malloc(n)) != NULL)
		nm_live++;
	return p;
}

void *
calloc(size_t n, size_t m)
{
	void *p;

	if (nm_fail())
		return NULL;
	if ((p = __libc_calloc(n, m)) != NULL)
		nm_live++;
	return p;
}

void *
realloc(void *old, size_t n)
{
	void *p;

	if (nm_fail())
		return NULL;
	p = __libc_realloc(old, n);
	if (old == NULL && p != NULL)
		nm_live++;
	return p;
}

void
free(void *p)
{
	if (p != NULL)
		nm_live--;
	__libc_free(p);
}
#endif

static char msgbuf[BODY_MSG_SIZE];

/* Parse and return the message, "<ok>" or "<code N>"; *out untouched. */
static const char *
jerr(const char *s, size_t len)
{
	struct json_object *o = (struct json_object *)&msgbuf;
	enum app_err er;

	snprintf(msgbuf, sizeof(msgbuf), "<unset>");
	er = body_json_parse(s, len, &o, msgbuf, sizeof(msgbuf));
	if (er == APP_OK) {
		json_object_put(o);
		return "<ok>";
	}
	if (o != (struct json_object *)&msgbuf)
		return "<out written on error>";
	if (er != APP_EINPUT)
		snprintf(msgbuf, sizeof(msgbuf), "<code %d>", er);
	return msgbuf;
}

#define JERR(lit) jerr(lit, sizeof(lit) - 1)

static const char *
ferr(const char *s, size_t len)
{
	struct json_object *o = (struct json_object *)&msgbuf;
	enum app_err er;

	snprintf(msgbuf, sizeof(msgbuf), "<unset>");
	er = body_form_parse(s, len, &o, msgbuf, sizeof(msgbuf));
	if (er == APP_OK) {
		json_object_put(o);
		return "<ok>";
	}
	if (o != (struct json_object *)&msgbuf)
		return "<out written on error>";
	if (er != APP_EINPUT)
		snprintf(msgbuf, sizeof(msgbuf), "<code %d>", er);
	return msgbuf;
}

#define FERR(lit) ferr(lit, sizeof(lit) - 1)

/* Parse what must succeed; NULL (and a failed assertion) otherwise. */
static struct json_object *
jok(const char *s, size_t len)
{
	struct json_object *o = NULL;
	char msg[BODY_MSG_SIZE] = "";

	if (body_json_parse(s, len, &o, msg, sizeof(msg)) != APP_OK) {
		fprintf(stderr, "unexpected error: %s\n", msg);
		T_ASSERT(0);
		return NULL;
	}
	return o;
}

#define JOK(lit) jok(lit, sizeof(lit) - 1)

static struct json_object *
fok(const char *s, size_t len)
{
	struct json_object *o = NULL;
	char msg[BODY_MSG_SIZE] = "";

	if (body_form_parse(s, len, &o, msg, sizeof(msg)) != APP_OK) {
		fprintf(stderr, "unexpected error: %s\n", msg);
		T_ASSERT(0);
		return NULL;
	}
	return o;
}

#define FOK(lit) fok(lit, sizeof(lit) - 1)

/* Member key of o is a string of exactly n bytes equal to s. */
static int
has_str(struct json_object *o, const char *key, const char *s, size_t n)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	return (size_t)json_object_get_string_len(v) == n &&
	    memcmp(json_object_get_string(v), s, n) == 0;
}

#define HAS_STR(o, k, lit) has_str(o, k, lit, sizeof(lit) - 1)

/* A buffer of pre, n copies of rep, post; caller frees. */
static char *
build(const char *pre, const char *rep, size_t n, const char *post, size_t *len)
{
	size_t a = strlen(pre), r = strlen(rep), z = strlen(post), i;
	char *b = malloc(a + r * n + z + 1);

	if (b == NULL)
		abort();
	memcpy(b, pre, a);
	for (i = 0; i < n; i++)
		memcpy(b + a + r * i, rep, r);
	memcpy(b + a + r * n, post, z + 1);
	*len = a + r * n + z;
	return b;
}

/* "[[...]]" or {"a":{"a":...1}} nested n deep. */
static char *
nest(size_t n, int obj, size_t *len)
{
	char *b = malloc(n * 6 + 2);
	size_t i, o = 0;

	if (b == NULL)
		abort();
	for (i = 0; i < n; i++) {
		memcpy(b + o, obj ? "{\"a\":" : "[", obj ? 5 : 1);
		o += obj ? 5 : 1;
	}
	b[o++] = '1';
	for (i = 0; i < n; i++)
		b[o++] = obj ? '}' : ']';
	b[o] = '\0';
	*len = o;
	return b;
}

/* n members ("k0":1,...) or elements (1,...). */
static char *
members(size_t n, int obj, size_t *len)
{
	char *b = malloc(n * 16 + 3);
	size_t i, o = 0;

	if (b == NULL)
		abort();
	b[o++] = obj ? '{' : '[';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(b + o, 16, obj ? "%s\"k%zu\":1" : "%s1",
		    i ? "," : "", i);
	b[o++] = obj ? '}' : ']';
	b[o] = '\0';
	*len = o;
	return b;
}

static void
test_syntax(void)
{
	T_STREQ(JERR(""), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR(" "), "Expecting value: line 1 column 2 (char 1)");
	T_STREQ(JERR("{"),
	    "Expecting property name enclosed in double quotes: "
	    "line 1 column 2 (char 1)");
	T_STREQ(JERR("{'a':1}"),
	    "Expecting property name enclosed in double quotes: "
	    "line 1 column 2 (char 1)");
	T_STREQ(JERR("{\"a\":1,}"),
	    "Expecting property name enclosed in double quotes: "
	    "line 1 column 8 (char 7)");
	T_STREQ(JERR("{\"a\" 1}"),
	    "Expecting ':' delimiter: line 1 column 6 (char 5)");
	T_STREQ(JERR("[1 2]"),
	    "Expecting ',' delimiter: line 1 column 4 (char 3)");
	T_STREQ(JERR("{\"a\":1 \"b\":2}"),
	    "Expecting ',' delimiter: line 1 column 8 (char 7)");
	T_STREQ(JERR("[1,]"), "Expecting value: line 1 column 4 (char 3)");
	T_STREQ(JERR("{\"a\":}"), "Expecting value: line 1 column 6 (char 5)");
	T_STREQ(JERR("{\"a\": tru}"),
	    "Expecting value: line 1 column 7 (char 6)");
	T_STREQ(JERR("["), "Expecting value: line 1 column 2 (char 1)");
	T_STREQ(JERR("[\"a\"\r\n,\r\n]"),
	    "Expecting value: line 3 column 1 (char 9)");
	T_STREQ(JERR("\n\n  x"), "Expecting value: line 3 column 3 (char 4)");
	/* char and column count code points, not bytes */
	T_STREQ(JERR("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\n  x]"),
	    "Expecting value: line 2 column 3 (char 10)");
	T_STREQ(JERR("\"abc"),
	    "Unterminated string starting at: line 1 column 1 (char 0)");
	T_STREQ(JERR("{\"a\":\"x\\"),
	    "Unterminated string starting at: line 1 column 6 (char 5)");
	T_STREQ(JERR("\"ab\nc\""),
	    "Invalid control character at: line 1 column 4 (char 3)");
	T_STREQ(JERR("\"a\\x\""), "Invalid \\escape: line 1 column 3 (char 2)");
	T_STREQ(JERR("{\"a\":\"\\t\\x\"}"),
	    "Invalid \\escape: line 1 column 9 (char 8)");
	T_STREQ(JERR("\"\\u12\""),
	    "Invalid \\uXXXX escape: line 1 column 3 (char 2)");
	T_STREQ(JERR("\"\\u00zz\""),
	    "Invalid \\uXXXX escape: line 1 column 3 (char 2)");
	/* Python wants a code point after the four digits */
	T_STREQ(JERR("\"\\u0041"),
	    "Invalid \\uXXXX escape: line 1 column 3 (char 2)");
	T_STREQ(JERR("\"\\ud800\\u00zz\""),
	    "Invalid \\uXXXX escape: line 1 column 9 (char 8)");
	T_STREQ(JERR("[1] x"), "Extra data: line 1 column 5 (char 4)");
	T_STREQ(JERR("\"\xc3\xa9\" x"), "Extra data: line 1 column 5 (char 4)");
	T_STREQ(JERR("{}{}"), "Extra data: line 1 column 3 (char 2)");
	/* RFC 8259 whitespace only: form feed is not */
	T_STREQ(JERR("\f1"), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR("\x00"), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR("\xef\xbb\xbf{}"),
	    "Unexpected UTF-8 BOM (decode using utf-8-sig): "
	    "line 1 column 1 (char 0)");
	T_STREQ(JERR("nul"), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR("[nul]"), "Expecting value: line 1 column 2 (char 1)");
	T_STREQ(JERR("True"), "Expecting value: line 1 column 1 (char 0)");
}

static void
test_utf8(void)
{
	T_STREQ(JERR("\xff"),
	    "'utf-8' codec can't decode byte 0xff in "
	    "position 0: invalid start byte");
	T_STREQ(JERR("\x80"),
	    "'utf-8' codec can't decode byte 0x80 in "
	    "position 0: invalid start byte");
	T_STREQ(JERR("{\"a\":\"\xc3\"}"),
	    "'utf-8' codec can't decode byte 0xc3 in position 6: "
	    "invalid continuation byte");
	T_STREQ(JERR("\"\xe2\x82"),
	    "'utf-8' codec can't decode bytes in "
	    "position 1-2: unexpected end of data");
	T_STREQ(JERR("\"\xe2"),
	    "'utf-8' codec can't decode byte 0xe2 in "
	    "position 1: unexpected end of data");
	T_STREQ(JERR("\xf0\x90\x80"),
	    "'utf-8' codec can't decode bytes in "
	    "position 0-2: unexpected end of data");
	T_STREQ(JERR("\xe2\x82\x41"),
	    "'utf-8' codec can't decode bytes in "
	    "position 0-1: invalid continuation "
	    "byte");
	T_STREQ(JERR("\xf0\x9f\x98\x41"),
	    "'utf-8' codec can't decode bytes in position 0-2: "
	    "invalid continuation byte");
	/* overlong forms */
	T_STREQ(JERR("\xc0\x80"),
	    "'utf-8' codec can't decode byte 0xc0 in "
	    "position 0: invalid start byte");
	T_STREQ(JERR("\xe0\x80\x80"),
	    "'utf-8' codec can't decode byte 0xe0 "
	    "in position 0: invalid continuation "
	    "byte");
	T_STREQ(JERR("\xf0\x80\x80\x80"),
	    "'utf-8' codec can't decode byte 0xf0 in position 0: "
	    "invalid continuation byte");
	/* a UTF-16 surrogate written in UTF-8 */
	T_STREQ(JERR("\xed\xa0\x80"),
	    "'utf-8' codec can't decode byte 0xed "
	    "in position 0: invalid continuation "
	    "byte");
	/* beyond U+10FFFF */
	T_STREQ(JERR("\xf4\x90\x80\x80"),
	    "'utf-8' codec can't decode byte 0xf4 in position 0: "
	    "invalid continuation byte");
	T_STREQ(JERR("\xf5\x80\x80\x80"),
	    "'utf-8' codec can't decode byte 0xf5 in position 0: "
	    "invalid start byte");
	/* the whole body is decoded before JSON is looked at */
	T_STREQ(JERR("[\xff"),
	    "'utf-8' codec can't decode byte 0xff in "
	    "position 1: invalid start byte");
	T_STREQ(JERR("[\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\"]"), "<ok>");
}

static void
test_numbers(void)
{
	struct json_object *o;
	char *b;
	size_t n;

	T_STREQ(JERR("NaN"),
	    "Out of range float values are not JSON compliant: 'NaN'");
	T_STREQ(JERR("Infinity"),
	    "Out of range float values are not JSON compliant: 'Infinity'");
	T_STREQ(JERR("[1, -Infinity]"),
	    "Out of range float values are not JSON compliant: '-Infinity'");
	T_STREQ(JERR("-"), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR("-Inf"), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR(".5"), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR("+1"), "Expecting value: line 1 column 1 (char 0)");
	T_STREQ(JERR("01"), "Extra data: line 1 column 2 (char 1)");
	T_STREQ(JERR("1."), "Extra data: line 1 column 2 (char 1)");
	T_STREQ(JERR("1e"), "Extra data: line 1 column 2 (char 1)");
	T_STREQ(JERR("1e+"), "Extra data: line 1 column 2 (char 1)");
	T_STREQ(JERR("0x10"), "Extra data: line 1 column 2 (char 1)");
	/* Python gives inf here; we refuse it */
	T_STREQ(JERR("1e400"),
	    "Out of range float values are not JSON "
	    "compliant: line 1 column 1 (char 0)");
	T_STREQ(JERR("[-1e400]"),
	    "Out of range float values are not JSON "
	    "compliant: line 1 column 2 (char 1)");
	b = build("1", "0", 4300, "", &n);
	T_STREQ(jerr(b, n),
	    "Exceeds the limit (4300 digits) for integer "
	    "string conversion: value has 4301 digits; use "
	    "sys.set_int_max_str_digits() to increase the "
	    "limit");
	free(b);
	b = build("-1", "0", 308, "", &n);
	if ((o = jok(b, n)) != NULL) {
		T_ASSERT(json_object_is_type(o, json_type_double));
		T_ASSERT(json_object_get_double(o) == -1e308);
		json_object_put(o);
	}
	free(b);
	if ((o = JOK("-0")) != NULL) {
		T_ASSERT(json_object_is_type(o, json_type_int));
		T_ASSERT(json_object_get_int64(o) == 0);
		json_object_put(o);
	}
	if ((o = JOK("-0.0")) != NULL) {
		T_ASSERT(json_object_is_type(o, json_type_double));
		T_ASSERT(signbit(json_object_get_double(o)));
		json_object_put(o);
	}
	if ((o = JOK("9223372036854775807")) != NULL) {
		T_ASSERT(json_object_get_int64(o) == INT64_MAX);
		json_object_put(o);
	}
	if ((o = JOK("-9223372036854775808")) != NULL) {
		T_ASSERT(json_object_is_type(o, json_type_int));
		T_ASSERT(json_object_get_int64(o) == INT64_MIN);
		json_object_put(o);
	}
	if ((o = JOK("9223372036854775808")) != NULL) {
		T_ASSERT(json_object_is_type(o, json_type_double));
		T_ASSERT(json_object_get_double(o) == 9223372036854775808.0);
		json_object_put(o);
	}
	if ((o = JOK(" [1E5, 2.5e-3, 1e-400, 0, 1.0] ")) != NULL) {
		T_ASSERT(json_object_get_double(
			     json_object_array_get_idx(o, 0)) == 1e5);
		T_ASSERT(json_object_get_double(
			     json_object_array_get_idx(o, 1)) == 2.5e-3);
		T_ASSERT(json_object_get_double(
			     json_object_array_get_idx(o, 2)) == 0.0);
		T_ASSERT(json_object_is_type(json_object_array_get_idx(o, 3),
		    json_type_int));
		T_ASSERT(json_object_is_type(json_object_array_get_idx(o, 4),
		    json_type_double));
		json_object_put(o);
	}
}

static void
test_values(void)
{
	struct json_object *o, *v;
	char msg[8];

	o = (struct json_object *)msgbuf;
	T_ASSERT(body_json_parse("null", 4, &o, NULL, 0) == APP_OK);
	T_ASSERT(o == NULL);
	if ((o = JOK(" \t\r\n{\"t\": true, \"f\": false, \"n\": null, "
		     "\"a\": [[], {}], \"s\": \"\"} \n")) != NULL) {
		T_ASSERT(json_object_object_get_ex(o, "t", &v) &&
		    json_object_get_boolean(v));
		T_ASSERT(json_object_object_get_ex(o, "f", &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    !json_object_get_boolean(v));
		T_ASSERT(json_object_object_get_ex(o, "n", &v) && v == NULL);
		T_ASSERT(json_object_object_get_ex(o, "a", &v) &&
		    json_object_array_length(v) == 2);
		T_ASSERT(HAS_STR(o, "s", ""));
		T_ASSERT(json_object_object_length(o) == 5);
		json_object_put(o);
	}
	if ((o = JOK("{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\","
		     "\"u\":\"\\u00e9\\u20AC\\uD83D\\ude00\","
		     "\"r\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
		     "\"\xc3\xa9\":1}")) != NULL) {
		T_ASSERT(HAS_STR(o, "e", "\"\\/\b\f\n\r\t"));
		T_ASSERT(
		    HAS_STR(o, "u", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
		T_ASSERT(
		    HAS_STR(o, "r", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
		T_ASSERT(json_object_object_get_ex(o, "\xc3\xa9", NULL));
		json_object_put(o);
	}
	/* surrogate pairs; a high one followed by a pair */
	if ((o = JOK("[\"\\ud800\\udc00\", \"\\udbff\\udfff\"]")) != NULL) {
		T_STREQ(json_object_get_string(json_object_array_get_idx(o, 0)),
		    "\xf0\x90\x80\x80");
		T_STREQ(json_object_get_string(json_object_array_get_idx(o, 1)),
		    "\xf4\x8f\xbf\xbf");
		json_object_put(o);
	}
	/* U+0000 is kept with its length */
	if ((o = JOK("{\"a\":\"x\\u0000y\"}")) != NULL) {
		T_ASSERT(HAS_STR(o, "a", "x\0y"));
		json_object_put(o);
	}
	if ((o = JOK("\"\\u0000\"")) != NULL) {
		T_ASSERT(json_object_get_string_len(o) == 1);
		json_object_put(o);
	}
	/* a top-level scalar is returned; the caller checks the type */
	if ((o = JOK("\"x\"")) != NULL) {
		T_ASSERT(json_object_is_type(o, json_type_string));
		json_object_put(o);
	}
	/* msg may be short or absent */
	T_ASSERT(body_json_parse("x", 1, &o, NULL, 0) == APP_EINPUT);
	T_ASSERT(body_json_parse("x", 1, &o, msg, sizeof(msg)) == APP_EINPUT);
	T_STREQ(msg, "Expecti");
}

static void
test_refusals(void)
{
	char *b;
	size_t n;

	/* unpaired surrogate escapes: Python keeps them, UTF-8 cannot */
	T_STREQ(JERR("\"\\ud800\""),
	    "Unpaired surrogate \\ud800: line 1 column 2 (char 1)");
	T_STREQ(JERR("[\"ab\", \"\\uDC00x\"]"),
	    "Unpaired surrogate \\udc00: line 1 column 9 (char 8)");
	T_STREQ(JERR("\"\\ud800\\u0041\""),
	    "Unpaired surrogate \\ud800: line 1 column 2 (char 1)");
	T_STREQ(JERR("\"\\ude00\\ud83d\""),
	    "Unpaired surrogate \\ude00: line 1 column 2 (char 1)");
	T_STREQ(JERR("\"\\ud800\\ud800\\udc00\""),
	    "Unpaired surrogate \\ud800: line 1 column 2 (char 1)");
	/* ... but a syntax error still gets Python's words */
	T_STREQ(JERR("[\"\\ud800\" 1]"),
	    "Expecting ',' delimiter: line 1 column 11 (char 10)");

	/* duplicate keys, compared after decoding */
	T_STREQ(JERR("{\"a\":1,\"a\":2}"),
	    "Duplicate key \"a\": line 1 column 8 (char 7)");
	T_STREQ(JERR("{\"A\":1, \"\\u0041\":2}"),
	    "Duplicate key \"A\": line 1 column 9 (char 8)");
	T_STREQ(JERR("{\"x\":{\"q\\\"\\\\\":1,\n\"q\\\"\\\\\":[]}}"),
	    "Duplicate key \"q\\\"\\\\\": line 2 column 1 (char 17)");
	T_STREQ(JERR("{\"\xc3\xa9\\n\":1,\"\xc3\xa9\\n\":2}"),
	    "Duplicate key \"\xc3\xa9\\x0a\": line 1 column 10 (char 9)");
	T_STREQ(JERR("{\"a\":1,\"a\":2 x"),
	    "Expecting ',' delimiter: line 1 column 14 (char 13)");
	T_STREQ(JERR("[{\"a\":1},{\"a\":1}]"), "<ok>");
	b = build("{\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		  "kkkkkkkkkkkkkkkkkkkk\":1,\"",
	    "k", 70, "\":2}", &n);
	T_STREQ(jerr(b, n),
	    "Duplicate key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...\": "
	    "line 1 column 77 (char 76)");
	free(b);
	/* json-c keys are C strings */
	T_STREQ(JERR("{\"a\\u0000b\":1}"),
	    "Property name \"a\\x00b\" contains \\u0000: "
	    "line 1 column 2 (char 1)");
}

static void
test_limits(void)
{
	char *b;
	size_t n;

	b = nest(LIMIT_JSON_DEPTH, 0, &n);
	T_STREQ(jerr(b, n), "<ok>");
	free(b);
	b = nest(LIMIT_JSON_DEPTH + 1, 0, &n);
	T_STREQ(jerr(b, n),
	    "Nesting too deep (limit 16): line 1 column 17 (char 16)");
	free(b);
	b = nest(LIMIT_JSON_DEPTH, 1, &n);
	T_STREQ(jerr(b, n), "<ok>");
	free(b);
	b = nest(LIMIT_JSON_DEPTH + 1, 1, &n);
	T_STREQ(jerr(b, n),
	    "Nesting too deep (limit 16): line 1 column 81 (char 80)");
	free(b);
	/* far deeper than the limit: no recursion past it */
	b = build("", "[", 100000, "", &n);
	T_STREQ(jerr(b, n),
	    "Nesting too deep (limit 16): line 1 column 17 (char 16)");
	free(b);

	b = members(LIMIT_JSON_MEMBERS, 0, &n);
	T_STREQ(jerr(b, n), "<ok>");
	free(b);
	b = members(LIMIT_JSON_MEMBERS + 1, 0, &n);
	T_STREQ(jerr(b, n),
	    "Too many elements in array (limit 256): "
	    "line 1 column 514 (char 513)");
	free(b);
	b = members(LIMIT_JSON_MEMBERS, 1, &n);
	T_STREQ(jerr(b, n), "<ok>");
	free(b);
	b = members(LIMIT_JSON_MEMBERS + 1, 1, &n);
	T_STREQ(jerr(b, n),
	    "Too many members in object (limit 256): "
	    "line 1 column 2196 (char 2195)");
	free(b);

	b = build("[1,\"", "a", LIMIT_JSON_STRING, "\"]", &n);
	T_STREQ(jerr(b, n), "<ok>");
	free(b);
	b = build("[1,\"", "a", LIMIT_JSON_STRING + 1, "\"]", &n);
	T_STREQ(jerr(b, n),
	    "String too long (limit 16384 bytes): "
	    "line 1 column 4 (char 3)");
	free(b);
	/* the limit is on decoded bytes */
	b = build("\"", "\\u00e9", LIMIT_JSON_STRING / 2, "\"", &n);
	T_STREQ(jerr(b, n), "<ok>");
	free(b);
	b = build("\"", "\xc3\xa9", LIMIT_JSON_STRING / 2, "x\"", &n);
	T_STREQ(jerr(b, n),
	    "String too long (limit 16384 bytes): "
	    "line 1 column 1 (char 0)");
	free(b);
	b = build("{\"", "k", LIMIT_JSON_STRING, "\":1}", &n);
	T_STREQ(jerr(b, n), "<ok>");
	free(b);
	b = build("{\"", "k", LIMIT_JSON_STRING + 1, "\":1}", &n);
	T_STREQ(jerr(b, n),
	    "String too long (limit 16384 bytes): "
	    "line 1 column 2 (char 1)");
	free(b);
}

static void
test_form(void)
{
	struct json_object *o;
	char *b;
	size_t n;

	if ((o = FOK("a=1&b=x+y%2By%2b&%7A%7a=%41&flag&e=&=v&c=b=c&s=1;t=2")) !=
	    NULL) {
		T_ASSERT(json_object_object_length(o) == 8);
		T_ASSERT(HAS_STR(o, "a", "1"));
		T_ASSERT(HAS_STR(o, "b", "x y+y+"));
		T_ASSERT(HAS_STR(o, "zz", "A"));
		T_ASSERT(HAS_STR(o, "flag", ""));
		T_ASSERT(HAS_STR(o, "e", ""));
		T_ASSERT(HAS_STR(o, "", "v"));
		T_ASSERT(HAS_STR(o, "c", "b=c"));
		T_ASSERT(HAS_STR(o, "s", "1;t=2"));
		json_object_put(o);
	}
	/* malformed % stays literal, as urllib.parse.unquote */
	if ((o = FOK("a=%zz%4%&b=%%41&c=%")) != NULL) {
		T_ASSERT(HAS_STR(o, "a", "%zz%4%"));
		T_ASSERT(HAS_STR(o, "b", "%A"));
		T_ASSERT(HAS_STR(o, "c", "%"));
		json_object_put(o);
	}
	if ((o = FOK("&&a=1&&&")) != NULL) {
		T_ASSERT(json_object_object_length(o) == 1);
		json_object_put(o);
	}
	if ((o = FOK("")) != NULL) {
		T_ASSERT(json_object_is_type(o, json_type_object) &&
		    json_object_object_length(o) == 0);
		json_object_put(o);
	}
	if ((o = FOK("n=%c3%a9\xc3\xa9&%E2%82%AC=1&z=x%00y")) != NULL) {
		T_ASSERT(HAS_STR(o, "n", "\xc3\xa9\xc3\xa9"));
		T_ASSERT(HAS_STR(o, "\xe2\x82\xac", "1"));
		T_ASSERT(HAS_STR(o, "z", "x\0y"));
		json_object_put(o);
	}
	T_STREQ(FERR("a=1&a=2"), "Duplicate field \"a\"");
	T_STREQ(FERR("a=1&%61=2"), "Duplicate field \"a\"");
	T_STREQ(FERR("a=%ff"), "Invalid UTF-8 in form field \"a\"");
	T_STREQ(FERR("a=%c3"), "Invalid UTF-8 in form field \"a\"");
	T_STREQ(FERR("a=%ed%a0%80"), "Invalid UTF-8 in form field \"a\"");
	T_STREQ(FERR("a=\xff"), "Invalid UTF-8 in form field \"a\"");
	T_STREQ(FERR("%ff=1"), "Invalid UTF-8 in form field name \"\\xff\"");
	T_STREQ(FERR("a%00=1"), "Form field name \"a\\x00\" contains NUL");

	b = malloc(LIMIT_JSON_MEMBERS * 16 + 8);
	if (b == NULL)
		abort();
	n = 0;
	for (size_t i = 0; i < LIMIT_JSON_MEMBERS; i++)
		n += (size_t)snprintf(b + n, 16, "k%zu=v&&", i);
	T_STREQ(ferr(b, n), "<ok>");
	n += (size_t)snprintf(b + n, 16, "one=more");
	T_STREQ(ferr(b, n), "Too many form fields (limit 256)");
	free(b);

	b = build("a=", "x", LIMIT_JSON_STRING, "", &n);
	T_STREQ(ferr(b, n), "<ok>");
	free(b);
	b = build("a=", "x", LIMIT_JSON_STRING + 1, "", &n);
	T_STREQ(ferr(b, n), "Form field \"a\" too long (limit 16384 bytes)");
	free(b);
	b = build("a=", "%41", LIMIT_JSON_STRING, "", &n);
	T_STREQ(ferr(b, n), "<ok>");
	free(b);
	b = build("", "k", LIMIT_JSON_STRING + 1, "=1", &n);
	T_STREQ(ferr(b, n), "Form field name too long (limit 16384 bytes)");
	free(b);
}

#if TEST_NOMEM
/* Fail allocation k for k = 0, 1, ...: APP_ENOMEM, no leak, no crash. */
static void
nomem_one(int form, const char *s)
{
	struct json_object *o;
	char msg[BODY_MSG_SIZE];
	enum app_err er;
	long k, live;
	int bad = 0, reached = 0;

	for (k = 0; k < 10000 && !reached; k++) {
		live = nm_live;
		nm_left = k;
		o = NULL;
		er = form ? body_form_parse(s, strlen(s), &o, msg, sizeof(msg))
			  : body_json_parse(s, strlen(s), &o, msg, sizeof(msg));
		nm_left = -1;
		if (er == APP_OK) {
			json_object_put(o);
			reached = 1;
		} else if (er != APP_ENOMEM || o != NULL)
			bad++;
		if (nm_live != live)
			bad++;
	}
	T_ASSERT(reached && k > 1);
	T_ASSERT(bad == 0);
}
#endif

static void
test_nomem(void)
{
#if TEST_NOMEM
	nomem_one(0,
	    "{\"a\":[1,2.5,\"x\",{\"b\":null,\"c\":true}],"
	    "\"d\":\"\\u00e9\",\"e\":{\"f\":[[],{}]},"
	    "\"g\":\"12345678901234567890123456789012345678901234567"
	    "890123456789012345678901234567890\"}");
	nomem_one(1, "a=1&b=%41+&c&d=x");
#endif
}

int
main(void)
{
	test_syntax();
	test_utf8();
	test_numbers();
	test_values();
	test_refusals();
	test_limits();
	test_form();
	test_nomem();
	return T_DONE();
}
