/*
 * test_recovery.c: lib/mfa/recovery.c against Python's hmac doing what
 * dj-rest-auth's RecoveryCodes does (tests/unit/gen_mfa.py recovery,
 * kat_recovery.h): the codes of three seeds, the unused ones under a
 * mask, and which text checks as which index (upper case, Unicode
 * blanks, no hyphen, used codes, non-ASCII); then seeds, counts and
 * out-params on failure.
 */
#include <stdint.h>
#include <string.h>

#include "recovery.h"
#include "testhelp.h"

#include "kat_recovery.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_codes(void)
{
	char code[RCODE_CHARS + 1];
	size_t i;

	for (i = 0; i < N(rc_kats); i++) {
		T_ASSERT(rcode_code(rc_kats[i].seed, strlen(rc_kats[i].seed),
			     rc_kats[i].i, code) == APP_OK);
		T_STREQ(code, rc_kats[i].code);
	}
	T_ASSERT(rcode_code(rc_seed, RCODE_SEED_HEX, LIMIT_MFA_RECOVERY_CODES,
		     code) == APP_EINTERNAL);
}

/* The kat of seed's code i. */
static const char *
kat(const char *seed, unsigned i)
{
	size_t k;

	for (k = 0; k < N(rc_kats); k++)
		if (strcmp(rc_kats[k].seed, seed) == 0 && rc_kats[k].i == i)
			return rc_kats[k].code;
	return NULL;
}

static void
test_unused(void)
{
	static const uint64_t masks[] = { 0, 1, 0x200, 0x155, 0x3ff,
		0xffffffffffffffffULL, 0x8000000000000001ULL };
	char out[LIMIT_MFA_RECOVERY_CODES][RCODE_CHARS + 1];
	unsigned count, n, i, o;
	size_t m;

	for (m = 0; m < N(masks); m++) {
		for (count = 0; count <= LIMIT_MFA_RECOVERY_CODES;
		     count += count < 10 ? 10 : 54) {
			n = 999;
			T_ASSERT(rcode_unused(rc_seed, RCODE_SEED_HEX, count,
				     masks[m], out, &n) == APP_OK);
			for (i = 0, o = 0; i < count; i++) {
				if (masks[m] >> i & 1)
					continue;
				T_ASSERT(o < n &&
				    strcmp(out[o], kat(rc_seed, i)) == 0);
				o++;
			}
			T_ASSERT(o == n);
		}
	}
	n = 7;
	T_ASSERT(
	    rcode_unused(rc_seed, RCODE_SEED_HEX, LIMIT_MFA_RECOVERY_CODES + 1,
		0, out, &n) == APP_EINTERNAL &&
	    n == 7);
}

static void
test_check(void)
{
	unsigned index;
	size_t i;
	enum app_err er;

	for (i = 0; i < N(rc_checks); i++) {
		const struct rc_check *c = &rc_checks[i];

		index = 999;
		er = rcode_check(rc_seed, RCODE_SEED_HEX, c->count, c->mask,
		    c->code, strlen(c->code), &index);
		if (c->want >= 0)
			T_ASSERT(er == APP_OK && index == (unsigned)c->want);
		else
			T_ASSERT(er == APP_EINPUT && index == 999);
		if (er != (c->want >= 0 ? APP_OK : APP_EINPUT))
			fprintf(stderr, "  rc_checks[%zu]\n", i);
	}
	/* A NUL after the code, or in it. */
	{
		char buf[RCODE_CHARS + 1];

		memcpy(buf, kat(rc_seed, 0), RCODE_CHARS + 1);
		T_ASSERT(rcode_check(rc_seed, RCODE_SEED_HEX, 10, 0, buf,
			     RCODE_CHARS + 1, &index) == APP_EINPUT);
		T_ASSERT(rcode_check(rc_seed, RCODE_SEED_HEX, 10, 0, buf,
			     RCODE_CHARS, &index) == APP_OK &&
		    index == 0);
		buf[4] = '\0';
		T_ASSERT(rcode_check(rc_seed, RCODE_SEED_HEX, 10, 0, buf,
			     RCODE_CHARS, &index) == APP_EINPUT);
	}
	T_ASSERT(rcode_check(rc_seed, RCODE_SEED_HEX, 65, 0, "x", 1, &index) ==
	    APP_EINTERNAL);
}

static void
test_seeds(void)
{
	char a[RCODE_SEED_HEX + 1], b[RCODE_SEED_HEX + 1], seed[80];
	char code[RCODE_CHARS + 1];
	unsigned index;

	T_ASSERT(rcode_seed_new(a) == APP_OK && rcode_seed_new(b) == APP_OK);
	T_ASSERT(strlen(a) == RCODE_SEED_HEX &&
	    strspn(a, "0123456789abcdef") == RCODE_SEED_HEX);
	T_ASSERT(strcmp(a, b) != 0);
	T_ASSERT(rcode_code(a, RCODE_SEED_HEX, 0, code) == APP_OK);
	/* Upper case, short, long, not hex: refused, not read. */
	memcpy(seed, rc_seed, RCODE_SEED_HEX + 1);
	seed[0] = 'A';
	T_ASSERT(rcode_code(seed, RCODE_SEED_HEX, 0, code) == APP_EINPUT);
	T_ASSERT(
	    rcode_code(rc_seed, RCODE_SEED_HEX - 2, 0, code) == APP_EINPUT);
	memcpy(seed, rc_seed, RCODE_SEED_HEX);
	memcpy(seed + RCODE_SEED_HEX, "00", 3);
	T_ASSERT(rcode_code(seed, RCODE_SEED_HEX + 2, 0, code) == APP_EINPUT);
	T_ASSERT(rcode_code("", 0, 0, code) == APP_EINPUT);
	seed[0] = 'g';
	T_ASSERT(rcode_check(seed, RCODE_SEED_HEX, 10, 0, "0000-0000", 9,
		     &index) == APP_EINPUT);
}

int
main(void)
{
	test_codes();
	test_unused();
	test_check();
	test_seeds();
	return T_DONE();
}
