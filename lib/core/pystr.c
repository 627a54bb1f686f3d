/*
 * pystr.c: Python's string rules without the C locale (pystr.h). The
 * classes are sorted range tables searched with a binary search; the
 * tables are generated (pystr_tables.h, tools/gen_pystr.py).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "pystr.h"
#include "pystr_tables.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
in_ranges(uint32_t c, const struct pystr_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c < r[mid].lo)
			hi = mid;
		else if (c > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool
pystr_is_word(uint32_t cp)
{
	return in_ranges(cp, pystr_word, NELEM(pystr_word));
}

bool
pystr_is_digit(uint32_t cp)
{
	return in_ranges(cp, pystr_digit, NELEM(pystr_digit));
}

bool
pystr_is_space(uint32_t cp)
{
	return in_ranges(cp, pystr_space, NELEM(pystr_space));
}

bool
pystr_bytes_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
is_cased(uint32_t cp)
{
	return in_ranges(cp, pystr_cased, NELEM(pystr_cased));
}

static bool
is_ignorable(uint32_t cp)
{
	return in_ranges(cp, pystr_ignorable, NELEM(pystr_ignorable));
}

/* The one-to-one part of str.lower(). */
static uint32_t
lower1(uint32_t c)
{
	size_t lo = 0, hi = NELEM(pystr_lower_runs);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pystr_run *l = &pystr_lower_runs[mid];

		if (c < l->lo)
			hi = mid;
		else if (c > l->hi)
			lo = mid + 1;
		else if ((c - l->lo) % l->stride == 0)
			return (uint32_t)((int32_t)c + l->delta);
		else
			return c;
	}
	return c;
}

/*
 * CPython's handle_capital_sigma (unicodeobject.c): U+03A3 lowers to
 * final sigma U+03C2 after a cased letter and not before one, skipping
 * case-ignorable characters both ways (Unicode's Final_Sigma). Each
 * scan stops at the next cased letter or sigma, so a whole string costs
 * O(n).
 */
static bool
final_sigma(const uint32_t *s, size_t n, size_t i)
{
	size_t j;

	for (j = i; j > 0 && is_ignorable(s[j - 1]); j--)
		continue;
	if (j == 0 || !is_cased(s[j - 1]))
		return false;
	for (j = i + 1; j < n && is_ignorable(s[j]); j++)
		continue;
	return j == n || !is_cased(s[j]);
}

size_t
pystr_lower(const uint32_t *s, size_t n, uint32_t *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == 0x130) { /* SpecialCasing.txt: i, combining dot */
			out[o++] = 'i';
			out[o++] = 0x307;
		} else if (s[i] == 0x3a3)
			out[o++] = final_sigma(s, n, i) ? 0x3c2 : 0x3c3;
		else
			out[o++] = lower1(s[i]);
	}
	return o;
}

const char *
pystr_strip(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start = 0, end = *len, k, b;
	uint32_t c;

	while (start < end &&
	    (k = codec_utf8_next(p + start, end - start, &c)) != 0 &&
	    pystr_is_space(c))
		start += k;
	while (end > start) {
		for (b = end - 1; b > start && (p[b] & 0xc0) == 0x80; b--)
			continue;
		if (codec_utf8_next(p + b, end - b, &c) != end - b ||
		    !pystr_is_space(c))
			break;
		end = b;
	}
	*len = end - start;
	return s + start;
}
