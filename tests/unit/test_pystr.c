/*
 * test_pystr.c: lib/core/pystr.c against Python itself. Every code point
 * 0..U+10FFFF is checked against tests/unit/pystr_cases.txt, which
 * tools/gen_pystr.py prints in another shape than the library's tables;
 * str.lower()'s context rules and str.strip() have known answers; and
 * regenerating both generated files must give the committed bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pystr.h"
#include "testhelp.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define PYTHON "/usr/bin/python3"
/* Largest generated file we compare. */
#define GEN_MAX (256 * 1024)

/* The classes of pystr_cases.txt's "C" lines that pystr exports. */
#define CASE_WORD 1
#define CASE_DIGIT 2
#define CASE_SPACE 4
/* Most lines of each kind in pystr_cases.txt (2,100 and 700 today). */
#define CASE_MAX 4096

struct case_class {
	uint32_t start;
	unsigned bits;
};

struct case_lower {
	uint32_t lo, hi;
	long delta;
};

/* pystr_cases.txt, read once. */
static struct case_class classes[CASE_MAX];
static size_t nclasses;
static struct case_lower lowers[CASE_MAX];
static size_t nlowers;

static int
read_cases(void)
{
	char line[256];
	unsigned long a, b;
	long d;
	unsigned bits;
	FILE *f;

	if ((f = fopen(SRCDIR "/tests/unit/pystr_cases.txt", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "C %lx %u", &a, &bits) == 2 &&
		    nclasses < CASE_MAX)
			classes[nclasses++] =
			    (struct case_class) { (uint32_t)a, bits };
		else if (sscanf(line, "L %lx %lx %ld", &a, &b, &d) == 3 &&
		    nlowers < CASE_MAX)
			lowers[nlowers++] =
			    (struct case_lower) { (uint32_t)a, (uint32_t)b, d };
	}
	fclose(f);
	return nclasses > 0 && nclasses < CASE_MAX && nlowers > 0 &&
	    nlowers < CASE_MAX;
}

static unsigned
classes_of(uint32_t c)
{
	return (pystr_is_word(c) ? CASE_WORD : 0) |
	    (pystr_is_digit(c) ? CASE_DIGIT : 0) |
	    (pystr_is_space(c) ? CASE_SPACE : 0);
}

/* The expected lower() of c (c alone, no context); l: where to look
 * first (the runs are sorted and c only grows). */
static uint32_t
want_lower(uint32_t c, size_t *l)
{
	while (*l < nlowers && lowers[*l].hi < c)
		(*l)++;
	if (*l < nlowers && c >= lowers[*l].lo)
		return (uint32_t)((long)c + lowers[*l].delta);
	return c;
}

static void
test_every_code_point(void)
{
	const unsigned mask = CASE_WORD | CASE_DIGIT | CASE_SPACE;
	size_t r = 0, l = 0, bad = 0, badlow = 0;
	uint32_t c, want_lc, out[PYSTR_LOWER_MAX];
	unsigned want;

	T_ASSERT(read_cases());
	if (nclasses == 0)
		return;
	T_ASSERT(classes[0].start == 0);
	for (c = 0; c <= 0x10ffff; c++) {
		if (r + 1 < nclasses && classes[r + 1].start == c)
			r++;
		want = classes[r].bits & mask;
		if (classes_of(c) != want && bad++ < 5)
			fprintf(stderr, "U+%04X: classes %u, Python %u\n",
			    (unsigned)c, classes_of(c), want);
		want_lc = want_lower(c, &l);
		if (c == 0x130 || c == 0x3a3)
			continue;
		if ((pystr_lower(&c, 1, out) != 1 || out[0] != want_lc) &&
		    badlow++ < 5)
			fprintf(stderr, "U+%04X: lower U+%04X, Python U+%04X\n",
			    (unsigned)c, (unsigned)out[0], (unsigned)want_lc);
	}
	T_ASSERT(r == nclasses - 1);
	T_ASSERT(bad == 0);
	T_ASSERT(badlow == 0);
	/* Beyond Unicode: nothing. */
	T_ASSERT(classes_of(0x110000) == 0 && classes_of(UINT32_MAX) == 0);
	T_ASSERT(pystr_lower(&(uint32_t) { 0x110000 }, 1, out) == 1 &&
	    out[0] == 0x110000);
}

/* lower() of the n code points s is the m code points want. */
static int
lower_is(const uint32_t *s, size_t n, const uint32_t *want, size_t m)
{
	uint32_t out[16];

	return pystr_lower(s, n, out) == m &&
	    memcmp(out, want, m * sizeof(*out)) == 0;
}

static void
test_lower_context(void)
{
	/* Python: "ΟΔΟΣ".lower() == "οδος", "Σ".lower() == "σ" */
	T_ASSERT(lower_is((uint32_t[]) { 0x39f, 0x394, 0x39f, 0x3a3 }, 4,
	    (uint32_t[]) { 0x3bf, 0x3b4, 0x3bf, 0x3c2 }, 4));
	T_ASSERT(
	    lower_is((uint32_t[]) { 0x3a3 }, 1, (uint32_t[]) { 0x3c3 }, 1));
	/* "AΣB" -> "aσb"; "A'Σ" -> "a'ς" (' is case-ignorable);
	 * "AΣ'B" -> "aσ'b" (a cased letter follows past the ignorable) */
	T_ASSERT(lower_is((uint32_t[]) { 'A', 0x3a3, 'B' }, 3,
	    (uint32_t[]) { 'a', 0x3c3, 'b' }, 3));
	T_ASSERT(lower_is((uint32_t[]) { 'A', '\'', 0x3a3 }, 3,
	    (uint32_t[]) { 'a', '\'', 0x3c2 }, 3));
	T_ASSERT(lower_is((uint32_t[]) { 'A', 0x3a3, '\'', 'B' }, 4,
	    (uint32_t[]) { 'a', 0x3c3, '\'', 'b' }, 4));
	/* "1Σ": a digit is not cased */
	T_ASSERT(lower_is((uint32_t[]) { '1', 0x3a3 }, 2,
	    (uint32_t[]) { '1', 0x3c3 }, 2));
	/* "İx".lower() == "i\u0307x" */
	T_ASSERT(lower_is((uint32_t[]) { 0x130, 'x' }, 2,
	    (uint32_t[]) { 'i', 0x307, 'x' }, 3));
	T_ASSERT(lower_is((uint32_t[]) { 0 }, 0, (uint32_t[]) { 0 }, 0));
}

/* pystr_strip of the n bytes s gives the bytes want. */
static int
strip_is(const char *s, size_t n, const char *want)
{
	size_t len = n;
	const char *p = pystr_strip(s, &len);

	return p >= s && p + len <= s + n && len == strlen(want) &&
	    memcmp(p, want, len) == 0;
}

#define STRIP_IS(lit, want) T_ASSERT(strip_is(lit, sizeof(lit) - 1, want))

static void
test_strip(void)
{
	STRIP_IS("", "");
	STRIP_IS("   ", "");
	STRIP_IS(" a b ", "a b");
	STRIP_IS("\t\n\v\f\r\x1c\x1d\x1e\x1f x \x1c", "x");
	/* U+0085, U+00A0, U+1680, U+2000, U+200A, U+2028, U+2029, U+202F,
	 * U+205F, U+3000 are whitespace; U+200B and U+FEFF are not. */
	STRIP_IS("\xc2\x85\xc2\xa0\xe1\x9a\x80\xe2\x80\x80x\xe2\x80\x8a"
		 "\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\x9f\xe3\x80\x80",
	    "x");
	STRIP_IS("\xe2\x80\x8b x \xef\xbb\xbf", "\xe2\x80\x8b x \xef\xbb\xbf");
	/* NUL is not whitespace; the length, not a NUL, ends the text. */
	T_ASSERT(strip_is(" \0 ", 3, (const char[]) { 0 }) == 0);
	{
		size_t len = 3;
		const char *p = pystr_strip(" \0 ", &len);

		T_ASSERT(len == 1 && *p == '\0');
	}
	/* Bytes that are not UTF-8 stop the strip: a lone 0x85 or 0xA0
	 * (U+0085 and U+00A0 in Latin-1), a cut sequence, a stray
	 * continuation byte after a space. */
	STRIP_IS("\x85 x \xa0", "\x85 x \xa0");
	STRIP_IS(" x \xc2", "x \xc2");
	STRIP_IS(" \x80 ", "\x80");
	STRIP_IS("\xe3\x80", "\xe3\x80");
	/* Over-long and surrogate forms of whitespace are not whitespace. */
	STRIP_IS("\xc0\xa0x", "\xc0\xa0x");
	STRIP_IS("x\xed\xa0\x80", "x\xed\xa0\x80");
	/* Digits are not stripped: "\u0660" (Arabic-Indic zero) */
	STRIP_IS(" \xd9\xa0 ", "\xd9\xa0");
}

/* bytes.isspace(): b" \t\n\r\x0b\x0c"; str.isspace()'s 0x1c..0x1f and
 * 0x85, 0xa0 are not bytes whitespace. */
static void
test_bytes_space(void)
{
	const char want[] = " \t\n\r\v\f";
	unsigned c, bad = 0;

	for (c = 0; c < 256; c++)
		if (pystr_bytes_is_space((unsigned char)c) !=
		    (c != 0 && strchr(want, (int)c) != NULL))
			bad++;
	T_ASSERT(bad == 0);
	T_ASSERT(!pystr_bytes_is_space(0x1c) && pystr_is_space(0x1c));
	T_ASSERT(!pystr_bytes_is_space(0x85) && !pystr_bytes_is_space(0xa0));
}

/* The stdout of "python3 tools/gen_pystr.py what" into buf (GEN_MAX). */
static size_t
run_gen(const char *what, char *buf)
{
	char cmd[512];
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), PYTHON " %s/tools/gen_pystr.py %s", SRCDIR,
	    what);
	if ((f = popen(cmd, "r")) == NULL)
		return 0;
	n = fread(buf, 1, GEN_MAX, f);
	if (pclose(f) != 0)
		return 0;
	return n;
}

static size_t
read_all(const char *path, char *buf)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(buf, 1, GEN_MAX, f);
	fclose(f);
	return n;
}

/* Regenerating what gives the committed file path byte for byte. */
static void
test_regenerate(const char *what, const char *path)
{
	char *got = malloc(GEN_MAX), *have = malloc(GEN_MAX), file[512];
	size_t ng, nh;
	const char *nl;

	T_ASSERT(got != NULL && have != NULL);
	if (got == NULL || have == NULL)
		goto out;
	snprintf(file, sizeof(file), "%s/%s", SRCDIR, path);
	nh = read_all(file, have);
	T_ASSERT(nh > 0 && nh < GEN_MAX);
	if (access(PYTHON, X_OK) != 0) {
		printf("SKIP regenerating %s: no %s\n", path, PYTHON);
		goto out;
	}
	ng = run_gen(what, got);
	T_ASSERT(ng > 0 && ng < GEN_MAX);
	/* The first line names the Python and Unicode versions: another
	 * Unicode gives other tables, which is no fault of the file. */
	if ((nl = memchr(got, '\n', ng)) != NULL &&
	    (nh < (size_t)(nl - got) ||
		memcmp(got, have, (size_t)(nl - got)) != 0)) {
		printf("SKIP regenerating %s: %s has another Unicode (%.*s)\n",
		    path, PYTHON, (int)(nl - got), got);
		goto out;
	}
	T_ASSERT(ng == nh && memcmp(got, have, ng) == 0);
	if (ng != nh || memcmp(got, have, ng) != 0)
		fprintf(stderr, "%s differs from tools/gen_pystr.py %s\n", path,
		    what);
out:
	free(got);
	free(have);
}

int
main(void)
{
	test_every_code_point();
	test_lower_context();
	test_strip();
	test_bytes_space();
	test_regenerate("tables", "lib/core/pystr_tables.h");
	test_regenerate("cases", "tests/unit/pystr_cases.txt");
	return T_DONE();
}
