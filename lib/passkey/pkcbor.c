/*
 * pkcbor.c: the strict CBOR walk in front of libcbor, and the few
 * lookups WebAuthn's maps need (pkcbor.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "codec.h"
#include "pkcbor.h"

/* RFC 8949 3.1: major types. */
enum { MT_UINT, MT_NINT, MT_BYTES, MT_TEXT, MT_ARRAY, MT_MAP, MT_TAG, MT_7 };
/* Simple values false, true, null (RFC 8949 3.3). */
#define SIMPLE_FALSE 20
#define SIMPLE_NULL 22

struct walk {
	const unsigned char *buf;
	size_t n, pos;
	unsigned items;
};

/*
 * The head at w->pos: its major type and argument, in the shortest
 * encoding only; no indefinite length (additional information 31), no
 * reserved value (28..30). Advances past the head.
 */
static bool
head(struct walk *w, unsigned *major, uint64_t *arg)
{
	unsigned ai, i, len;
	uint64_t v = 0;

	if (w->pos >= w->n || ++w->items > LIMIT_CBOR_ITEMS)
		return false;
	*major = w->buf[w->pos] >> 5;
	ai = w->buf[w->pos] & 0x1f;
	w->pos++;
	if (ai < 24) {
		*arg = ai;
		return true;
	}
	if (ai > 27)
		return false;
	len = 1u << (ai - 24);
	if (w->n - w->pos < len)
		return false;
	for (i = 0; i < len; i++)
		v = v << 8 | w->buf[w->pos + i];
	w->pos += len;
	/* Shortest form: a value that fits the next smaller size is refused;
	 * 24..255 takes one byte after the head, below 24 none. */
	if ((len == 1 && v < 24) || (len == 2 && v <= 0xff) ||
	    (len == 4 && v <= 0xffff) || (len == 8 && v <= 0xffffffffu))
		return false;
	*arg = v;
	return true;
}

static bool item(struct walk *w, unsigned depth);

/* A map's count pairs: keys integers or text, none twice. */
static bool
map_body(struct walk *w, uint64_t count, unsigned depth)
{
	size_t *off, *len, i, j, start;
	unsigned major;
	bool ok = false;

	if (count == 0)
		return true;
	if (count > (w->n - w->pos) / 2 || count > LIMIT_CBOR_ITEMS)
		return false;
	off = calloc((size_t)count, sizeof(*off));
	len = calloc((size_t)count, sizeof(*len));
	if (off == NULL || len == NULL)
		goto out;
	for (i = 0; i < count; i++) {
		start = w->pos;
		if (w->pos >= w->n)
			goto out;
		major = w->buf[w->pos] >> 5;
		if (major != MT_UINT && major != MT_NINT && major != MT_TEXT)
			goto out;
		if (!item(w, depth + 1))
			goto out;
		off[i] = start;
		len[i] = w->pos - start;
		for (j = 0; j < i; j++)
			if (len[j] == len[i] &&
			    memcmp(w->buf + off[j], w->buf + off[i], len[i]) ==
				0)
				goto out;
		if (!item(w, depth + 1))
			goto out;
	}
	ok = true;
out:
	free(off);
	free(len);
	return ok;
}

static bool
item(struct walk *w, unsigned depth)
{
	unsigned major;
	uint64_t arg, i;

	if (depth >= LIMIT_CBOR_DEPTH || !head(w, &major, &arg))
		return false;
	switch (major) {
	case MT_UINT:
	case MT_NINT:
		return true;
	case MT_BYTES:
	case MT_TEXT:
		if (arg > w->n - w->pos)
			return false;
		if (major == MT_TEXT &&
		    !codec_utf8_valid(w->buf + w->pos, (size_t)arg))
			return false;
		w->pos += (size_t)arg;
		return true;
	case MT_ARRAY:
		if (arg > w->n - w->pos)
			return false;
		for (i = 0; i < arg; i++)
			if (!item(w, depth + 1))
				return false;
		return true;
	case MT_MAP:
		return map_body(w, arg, depth);
	case MT_7:
		return arg >= SIMPLE_FALSE && arg <= SIMPLE_NULL;
	default: /* tags */
		return false;
	}
}

enum app_err
pkcbor_check(const unsigned char *buf, size_t n, size_t *len)
{
	struct walk w = { buf, n, 0, 0 };

	if (!item(&w, 0))
		return APP_EINPUT;
	*len = w.pos;
	return APP_OK;
}

enum app_err
pkcbor_load(const unsigned char *buf, size_t n, cbor_item_t **out)
{
	struct cbor_load_result res;
	cbor_item_t *it;
	enum app_err er;
	size_t len;

	if ((er = pkcbor_check(buf, n, &len)) != APP_OK)
		return er;
	if (len != n)
		return APP_EINPUT;
	it = cbor_load(buf, n, &res);
	if (it == NULL)
		return res.error.code == CBOR_ERR_MEMERROR ? APP_ENOMEM
							   : APP_EINPUT;
	if (res.read != n) {
		cbor_decref(&it);
		return APP_EINPUT;
	}
	*out = it;
	return APP_OK;
}

bool
pkcbor_int(const cbor_item_t *item, int64_t *out)
{
	uint64_t v;

	if (item == NULL)
		return false;
	if (cbor_isa_uint(item)) {
		v = cbor_get_int(item);
		if (v > INT64_MAX)
			return false;
		*out = (int64_t)v;
		return true;
	}
	if (cbor_isa_negint(item)) {
		/* The value is -1 - v. */
		v = cbor_get_int(item);
		if (v > INT64_MAX)
			return false;
		*out = -1 - (int64_t)v;
		return true;
	}
	return false;
}

bool
pkcbor_str_is(const cbor_item_t *item, const char *s)
{
	size_t n = strlen(s);

	return item != NULL && cbor_isa_string(item) &&
	    cbor_string_is_definite(item) && cbor_string_length(item) == n &&
	    memcmp(cbor_string_handle(item), s, n) == 0;
}

cbor_item_t *
pkcbor_map_int(const cbor_item_t *m, int64_t k)
{
	struct cbor_pair *p;
	int64_t v;
	size_t i;

	if (!cbor_isa_map(m))
		return NULL;
	p = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m); i++)
		if (pkcbor_int(p[i].key, &v) && v == k)
			return p[i].value;
	return NULL;
}

cbor_item_t *
pkcbor_map_str(const cbor_item_t *m, const char *s)
{
	struct cbor_pair *p;
	size_t i;

	if (!cbor_isa_map(m))
		return NULL;
	p = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m); i++)
		if (pkcbor_str_is(p[i].key, s))
			return p[i].value;
	return NULL;
}
