/*
 * fuzz_pystr.c: libFuzzer target for lib/core/pystr.c, whose strip trims
 * every string field of a request body (req_field_string). The input is
 * copied to a buffer of its exact size, so ASan sees any read outside
 * it. pystr_strip must return a slice of its input that removed only
 * whole whitespace code points and ends at none; on valid UTF-8 it must
 * agree with stripping the decoded code points. pystr_lower must stay
 * within PYSTR_LOWER_MAX per code point, and the classes must nest as
 * Python's do (isdigit implies \w; no \w is whitespace).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "pystr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether s[0..n) is whitespace code points only (valid UTF-8). */
static bool
all_space(const unsigned char *s, size_t n)
{
	uint32_t c;
	size_t k;

	for (; n > 0; s += k, n -= k)
		if ((k = codec_utf8_next(s, n, &c)) == 0 || !pystr_is_space(c))
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	uint32_t *cp = malloc((size + 1) * sizeof(*cp)), *low, c;
	size_t *at = malloc((size + 1) * sizeof(*at));
	size_t len = size, off, n = 0, k, lo, hi, i;
	const char *p;

	if (s == NULL || cp == NULL || at == NULL)
		goto out;
	memcpy(s, data, size);
	p = pystr_strip(s, &len);
	off = (size_t)(p - s);
	if (p < s || off > size || len > size - off)
		__builtin_trap();
	if (!all_space((const unsigned char *)s, off) ||
	    !all_space((const unsigned char *)p + len, size - off - len))
		__builtin_trap();
	/* Stripping again removes nothing. */
	k = len;
	if (pystr_strip(p, &k) != p || k != len)
		__builtin_trap();

	if (!codec_utf8_valid(data, size))
		goto out;
	/* at[i]: the byte where code point i starts; at[n] == size. */
	for (i = 0; i < size; i += k, n++) {
		at[n] = i;
		if ((k = codec_utf8_next(data + i, size - i, &cp[n])) == 0)
			__builtin_trap();
	}
	at[n] = size;
	for (lo = 0; lo < n && pystr_is_space(cp[lo]); lo++)
		continue;
	for (hi = n; hi > lo && pystr_is_space(cp[hi - 1]); hi--)
		continue;
	if (off != at[lo] || off + len != at[hi])
		__builtin_trap();
	for (i = 0; i < n; i++) {
		c = cp[i];
		if (pystr_is_digit(c) && !pystr_is_word(c))
			__builtin_trap();
		if (pystr_is_word(c) && pystr_is_space(c))
			__builtin_trap();
	}

	if ((low = malloc((PYSTR_LOWER_MAX * n + 1) * sizeof(*low))) == NULL)
		goto out;
	if (pystr_lower(cp, n, low) > PYSTR_LOWER_MAX * n)
		__builtin_trap();
	free(low);
out:
	free(at);
	free(cp);
	free(s);
	return 0;
}
