/*
 * fuzz_fsock.c: libFuzzer target for the FastCGI socket guard's record
 * check (fsock_check_records, lib/http/fsock.c): the input is the start of a
 * connection. When the check says FSOCK_WHOLE, the records must be what
 * libfcgi 2.4.2 then reads safely, walked here again on their own: a
 * BEGIN_REQUEST of 8 bytes for request id r != 0 and a role 1..3, then
 * PARAMS records of r up to an empty one, whose content read as
 * libfcgi's ReadParams does (1- or 4-byte lengths, across records) ends
 * with the stream, each name and value inside it, and nameLen +
 * valueLen + 2 far below INT_MAX (the overflow that aborted libfcgi).
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "fsock.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned char params[LIMIT_FCGI_PARAMS_BYTES];
static unsigned char joined[LIMIT_FCGI_PARAMS_BYTES];

/* A 1- or 4-byte length, as ReadParams reads it; -1 past the end. */
static long
len_at(const unsigned char *p, size_t len, size_t *i)
{
	long v;

	if (*i >= len)
		return -1;
	if (!(p[*i] & 0x80))
		return p[(*i)++];
	if (len - *i < 4)
		return -1;
	v = ((long)(p[*i] & 0x7f) << 24) | ((long)p[*i + 1] << 16) |
	    ((long)p[*i + 2] << 8) | p[*i + 3];
	*i += 4;
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	size_t off, clen, total, jlen = 0, i;
	unsigned rid;
	long nlen, vlen;

	if (size > LIMIT_FCGI_PARAMS_BYTES)
		size = LIMIT_FCGI_PARAMS_BYTES;
	switch (fsock_check_records(data, size, params, &why)) {
	case FSOCK_BAD:
		if (why == NULL)
			abort();
		return 0;
	case FSOCK_MORE:
		return 0;
	case FSOCK_WHOLE:
		break;
	}
	/* BEGIN_REQUEST first. */
	if (size < 16 || data[0] != 1 || data[1] != 1 || data[4] != 0 ||
	    data[5] != 8)
		abort();
	rid = ((unsigned)data[2] << 8) | data[3];
	if (rid == 0 || ((data[8] << 8) | data[9]) < 1 ||
	    ((data[8] << 8) | data[9]) > 3)
		abort();
	off = 16 + data[6];
	/* PARAMS of the same request up to the empty one. */
	for (;;) {
		if (size - off < 8 || data[off] != 1 || data[off + 1] != 4 ||
		    (((unsigned)data[off + 2] << 8) | data[off + 3]) != rid)
			abort();
		clen = ((size_t)data[off + 4] << 8) | data[off + 5];
		total = 8 + clen + data[off + 6];
		if (size - off < total)
			abort();
		if (clen == 0)
			break;
		memcpy(joined + jlen, data + off + 8, clen);
		jlen += clen;
		off += total;
	}
	/* ReadParams over the joined stream. */
	for (i = 0; i < jlen;) {
		if ((nlen = len_at(joined, jlen, &i)) < 0 ||
		    (vlen = len_at(joined, jlen, &i)) < 0)
			abort();
		if ((size_t)nlen + (size_t)vlen > jlen - i ||
		    nlen + vlen + 2 >= INT_MAX)
			abort();
		i += (size_t)(nlen + vlen);
	}
	return 0;
}
