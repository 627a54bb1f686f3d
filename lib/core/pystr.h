/*
 * pystr.h: Python's string rules, as Django and DRF see them through
 * Python 3's str methods and re, in one place and without the C locale:
 * re's \w, str.isdigit(), str.isspace(), str.lower() and str.strip().
 * The Unicode data comes from lib/core/pystr_tables.h, which
 * tools/gen_pystr.py prints from Python itself (its header names the
 * Python and Unicode versions); test_pystr checks every code point.
 */
#ifndef RESTAUTH_PYSTR_H
#define RESTAUTH_PYSTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Code point predicates; false for surrogates and above U+10FFFF. */
bool pystr_is_word(uint32_t cp); /* re \w (str pattern): isalnum() or _ */
bool pystr_is_digit(uint32_t cp); /* str.isdigit() */
bool pystr_is_space(uint32_t cp); /* str.isspace() */

/* bytes.isspace(), what bytes.split() splits on: ASCII " \t\n\r\v\f". */
bool pystr_bytes_is_space(unsigned char c);

/* Code points str.lower() of a one-character string can give at most. */
#define PYSTR_LOWER_MAX 2

/*
 * str.lower() of the n code points s into out, which has room for
 * PYSTR_LOWER_MAX * n; returns how many it wrote. Context included:
 * U+03A3 becomes final sigma U+03C2 by Unicode's Final_Sigma rule, and
 * U+0130 becomes "i" and U+0307 (SpecialCasing.txt), as in Python.
 */
size_t pystr_lower(const uint32_t *s, size_t n, uint32_t *out);

/*
 * str.strip() with no argument on the UTF-8 text s[0..*len): returns
 * where the stripped text starts inside s and sets *len to its length.
 * A byte that does not begin a valid UTF-8 sequence is not whitespace,
 * so stripping stops there. Needs no NUL; never reads outside s.
 */
const char *pystr_strip(const char *s, size_t *len);

#endif
