/*
 * test_totp.c: lib/mfa/totp.c against RFC 6238's appendix B (SHA-1),
 * Debian's oathtool and pyotp (codes, how a secret is read, which codes
 * upstream accepts, the otpauth:// URI) and Python's NFKC for every code
 * point, all printed by tests/unit/gen_mfa.py into kat_totp.h; then the
 * window, min_step, the bounds and every refusal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "totp.h"
#include "testhelp.h"

#include "kat_totp.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 6238, appendix B: SHA-1, 8 digits, 30 s, key "1234567890" * 2. */
static const struct {
	int64_t now;
	const char *code;
} rfc6238[] = {
	{ 59, "94287082" },
	{ 1111111109, "07081804" },
	{ 1111111111, "14050471" },
	{ 1234567890, "89005924" },
	{ 2000000000, "69279037" },
	{ 20000000000LL, "65353130" },
};

static enum app_err
verify(const char *secret, unsigned digits, unsigned period, int64_t now,
    int64_t min_step, const char *code, int64_t *step)
{
	return totp_verify(secret, strlen(secret), digits, period, (time_t)now,
	    min_step, code, strlen(code), step);
}

static void
test_rfc6238(void)
{
	static const char key[] = "12345678901234567890";
	unsigned char dec[TOTP_KEY_MAX];
	char code[TOTP_DIGITS_MAX + 1];
	size_t i, klen = 0;
	int64_t step = -1;

	for (i = 0; i < N(rfc6238); i++) {
		T_ASSERT(totp_code((const unsigned char *)key, 20, 8,
			     (uint64_t)(rfc6238[i].now / 30), code) == APP_OK);
		T_STREQ(code, rfc6238[i].code);
		/* The same key as base32 text, through the verifier. */
		T_ASSERT(verify("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 8, 30,
			     rfc6238[i].now, INT64_MIN, rfc6238[i].code,
			     &step) == APP_OK &&
		    step == rfc6238[i].now / 30);
	}
	T_ASSERT(totp_secret_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 32, dec,
		     &klen) == APP_OK &&
	    klen == 20 && memcmp(dec, key, 20) == 0);
}

static void
test_kats(void)
{
	unsigned char key[TOTP_KEY_MAX];
	char code[TOTP_DIGITS_MAX + 1];
	size_t i, klen;
	int64_t step, t;

	for (i = 0; i < N(totp_kats); i++) {
		const struct totp_kat *k = &totp_kats[i];

		t = k->now / k->period;
		klen = 0;
		T_ASSERT(totp_secret_decode(k->secret, strlen(k->secret), key,
			     &klen) == APP_OK);
		T_ASSERT(totp_code(key, klen, k->digits, (uint64_t)t, code) ==
		    APP_OK);
		T_STREQ(code, k->code);
		/* Accepted at its step, or at T - 1 if that one's code is
		 * the same (one digit: one in ten). */
		step = -1;
		T_ASSERT(verify(k->secret, k->digits, k->period, k->now,
			     INT64_MIN, k->code, &step) == APP_OK);
		T_ASSERT(totp_code(key, klen, k->digits, (uint64_t)step,
			     code) == APP_OK &&
		    strcmp(code, k->code) == 0 && step >= t - 1 && step <= t);
		/* Not once the step and all before it are spent. */
		T_ASSERT(verify(k->secret, k->digits, k->period, k->now, t + 1,
			     k->code, &step) == APP_EINPUT ||
		    (totp_code(key, klen, k->digits, (uint64_t)t + 1, code) ==
			    APP_OK &&
			strcmp(code, k->code) == 0));
	}
}

static void
test_decode(void)
{
	unsigned char key[TOTP_KEY_MAX];
	char hex[2 * TOTP_KEY_MAX + 1];
	size_t i, klen;
	enum app_err er;

	for (i = 0; i < N(totp_decs); i++) {
		klen = 999;
		er = totp_secret_decode(totp_decs[i].secret,
		    strlen(totp_decs[i].secret), key, &klen);
		if (totp_decs[i].key == NULL) {
			T_ASSERT(er == APP_EINPUT && klen == 999);
			continue;
		}
		T_ASSERT(er == APP_OK);
		if (er != APP_OK)
			continue;
		codec_hex_encode(key, klen, hex);
		T_STREQ(hex, totp_decs[i].key);
	}
	/* LIMIT_MFA_SECRET characters are read, one more is not. */
	{
		char s[LIMIT_MFA_SECRET + 2];

		memset(s, 'A', sizeof(s));
		T_ASSERT(totp_secret_decode(s, LIMIT_MFA_SECRET, key, &klen) ==
			APP_OK &&
		    klen == TOTP_KEY_MAX);
		T_ASSERT(totp_secret_decode(s, LIMIT_MFA_SECRET + 1, key,
			     &klen) == APP_EINPUT);
		/* A NUL is no base32 character. */
		T_ASSERT(
		    totp_secret_decode("MZ\0W", 4, key, &klen) == APP_EINPUT);
	}
}

static void
test_verify(void)
{
	size_t i;
	int64_t step;
	enum app_err er;

	for (i = 0; i < N(totp_vers); i++) {
		const struct totp_ver *v = &totp_vers[i];

		step = -7;
		er = verify(v->secret, v->digits, v->period, v->now, INT64_MIN,
		    v->code, &step);
		T_ASSERT(er == (v->ok ? APP_OK : APP_EINPUT));
		if (er != (v->ok ? APP_OK : APP_EINPUT))
			fprintf(stderr, "  totp_vers[%zu]\n", i);
		T_ASSERT(v->ok ? step >= 0 : step == -7);
	}
}

static void
test_window(void)
{
	static const char *s = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
	unsigned char key[TOTP_KEY_MAX];
	char code[TOTP_DIGITS_MAX + 1];
	int64_t now = 1714566896, t = now / 30, step;
	size_t klen = 0;
	int off;

	T_ASSERT(totp_secret_decode(s, strlen(s), key, &klen) == APP_OK);
	for (off = -3; off <= 3; off++) {
		T_ASSERT(totp_code(key, klen, 6, (uint64_t)(t + off), code) ==
		    APP_OK);
		step = -1;
		if (off < -1 || off > 1) {
			T_ASSERT(verify(s, 6, 30, now, INT64_MIN, code,
				     &step) == APP_EINPUT);
			continue;
		}
		T_ASSERT(
		    verify(s, 6, 30, now, INT64_MIN, code, &step) == APP_OK &&
		    step == t + off);
		/* min_step: the step itself passes, the one after not. */
		T_ASSERT(
		    verify(s, 6, 30, now, t + off, code, &step) == APP_OK &&
		    step == t + off);
		T_ASSERT(verify(s, 6, 30, now, t + off + 1, code, &step) ==
		    APP_EINPUT);
	}
	/* The first and last second of a step. */
	T_ASSERT(totp_code(key, klen, 6, (uint64_t)t + 2, code) == APP_OK);
	T_ASSERT(
	    verify(s, 6, 30, t * 30 + 30, INT64_MIN, code, &step) == APP_OK &&
	    step == t + 2);
	T_ASSERT(verify(s, 6, 30, t * 30 + 29, INT64_MIN, code, &step) ==
	    APP_EINPUT);
	/* At T = 0 there is no T - 1 (pyotp raises there): T, T + 1 pass. */
	T_ASSERT(totp_code(key, klen, 6, 0, code) == APP_OK);
	T_ASSERT(verify(s, 6, 30, 10, INT64_MIN, code, &step) == APP_OK &&
	    step == 0);
	T_ASSERT(totp_code(key, klen, 6, 1, code) == APP_OK);
	T_ASSERT(verify(s, 6, 30, 10, INT64_MIN, code, &step) == APP_OK &&
	    step == 1);
	/* Programmer errors and an empty secret. */
	T_ASSERT(
	    verify(s, 0, 30, now, INT64_MIN, code, &step) == APP_EINTERNAL);
	T_ASSERT(
	    verify(s, 11, 30, now, INT64_MIN, code, &step) == APP_EINTERNAL);
	T_ASSERT(verify(s, 6, 0, now, INT64_MIN, code, &step) == APP_EINTERNAL);
	T_ASSERT(verify(s, 6, 30, -1, INT64_MIN, code, &step) == APP_EINTERNAL);
	T_ASSERT(verify("", 6, 30, now, INT64_MIN, code, &step) == APP_EINPUT);
	T_ASSERT(verify("1", 6, 30, now, INT64_MIN, code, &step) == APP_EINPUT);
	T_ASSERT(totp_code(key, klen, 0, 1, code) == APP_EINTERNAL);
	T_ASSERT(totp_code(key, klen, 11, 1, code) == APP_EINTERNAL);
	/* A NUL in the code, and a code of 4 KiB. */
	T_ASSERT(totp_code(key, klen, 6, (uint64_t)t, code) == APP_OK);
	{
		char big[4096];

		memcpy(big, code, 6);
		big[6] = '\0';
		T_ASSERT(totp_verify(s, strlen(s), 6, 30, (time_t)now,
			     INT64_MIN, big, 7, &step) == APP_EINPUT);
		T_ASSERT(totp_verify(s, strlen(s), 6, 30, (time_t)now,
			     INT64_MIN, big, 6, &step) == APP_OK);
		memset(big, '1', sizeof(big));
		T_ASSERT(totp_verify(s, strlen(s), 6, 30, (time_t)now,
			     INT64_MIN, big, sizeof(big), &step) == APP_EINPUT);
	}
}

static void
test_digits(void)
{
	char out[TOTP_DIGITS_MAX + 1], want[3];
	unsigned char u[CODEC_UTF8_MAX];
	size_t i = 0, k, n = 0, bad = 0;
	uint32_t cp;
	enum app_err er;

	/* Every code point, alone: the digits NFKC makes of it, or none. */
	for (cp = 0; cp < 0x110000; cp++) {
		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		k = codec_utf8_put(cp, u);
		want[0] = '\0';
		if (cp >= '0' && cp <= '9') {
			want[0] = (char)cp;
			want[1] = '\0';
		} else if (i < N(totp_nfkcs) && totp_nfkcs[i].cp == cp) {
			memcpy(want, totp_nfkcs[i].digits,
			    strlen(totp_nfkcs[i].digits) + 1);
			i++;
		}
		out[0] = 'x';
		er = totp_code_digits((const char *)u, k, out, &n);
		if (want[0] == '\0' ? er != APP_EINPUT || out[0] != 'x'
				    : er != APP_OK || strcmp(out, want) != 0 ||
			    n != strlen(want)) {
			if (bad++ < 5)
				fprintf(stderr, "FAIL U+%04X\n", cp);
		}
	}
	T_ASSERT(i == N(totp_nfkcs));
	T_ASSERT(bad == 0);
	/* Ten digits, eleven, ill-formed UTF-8, empty. */
	T_ASSERT(totp_code_digits(" 0123456789 ", 12, out, &n) == APP_OK &&
	    n == 10 && strcmp(out, "0123456789") == 0);
	T_ASSERT(totp_code_digits("01234567890", 11, out, &n) == APP_EINPUT);
	T_ASSERT(totp_code_digits("012345678\xe2\x91\xa9", 12, out, &n) ==
	    APP_EINPUT);
	T_ASSERT(totp_code_digits("12\xff", 3, out, &n) == APP_EINPUT);
	T_ASSERT(totp_code_digits("12\xef\xbc", 4, out, &n) == APP_EINPUT);
	T_ASSERT(totp_code_digits("", 0, out, &n) == APP_EINPUT);
	T_ASSERT(totp_code_digits(" \t", 2, out, &n) == APP_EINPUT);
}

static void
test_uri(void)
{
	char *uri, big[LIMIT_MFA_LABEL + 2];
	size_t i;

	for (i = 0; i < N(totp_uris); i++) {
		const struct totp_uri_kat *u = &totp_uris[i];

		uri = NULL;
		T_ASSERT(totp_uri(u->secret, u->name, u->issuer, u->digits,
			     u->period, &uri) == APP_OK);
		T_STREQ(uri, u->uri);
		free(uri);
	}
	memset(big, 'a', sizeof(big));
	big[LIMIT_MFA_LABEL] = '\0';
	T_ASSERT(totp_uri("AAAA", big, big, 6, 30, &uri) == APP_OK &&
	    strlen(uri) ==
		strlen("otpauth://totp/:?secret=AAAA&issuer=") +
		    3 * LIMIT_MFA_LABEL);
	free(uri);
	big[LIMIT_MFA_LABEL] = 'a';
	big[LIMIT_MFA_LABEL + 1] = '\0';
	uri = NULL;
	T_ASSERT(totp_uri("AAAA", big, NULL, 6, 30, &uri) == APP_EINPUT &&
	    uri == NULL);
	T_ASSERT(totp_uri("AAAA", "a", big, 6, 30, &uri) == APP_EINPUT);
	T_ASSERT(totp_uri("AAAA", "a\xff", NULL, 6, 30, &uri) == APP_EINPUT);
	T_ASSERT(
	    totp_uri("AAAA", "a", "\xed\xa0\x80", 6, 30, &uri) == APP_EINPUT);
	T_ASSERT(totp_uri("AAAA", "a", NULL, 0, 30, &uri) == APP_EINTERNAL);
	T_ASSERT(totp_uri("AAAA", "a", NULL, 6, 0, &uri) == APP_EINTERNAL);
}

static void
test_new(void)
{
	char a[TOTP_SECRET_CHARS + 1], b[TOTP_SECRET_CHARS + 1];
	unsigned char key[TOTP_KEY_MAX];
	size_t klen = 0;

	T_ASSERT(totp_secret_new(a) == APP_OK && totp_secret_new(b) == APP_OK);
	T_ASSERT(strlen(a) == TOTP_SECRET_CHARS &&
	    strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == TOTP_SECRET_CHARS);
	T_ASSERT(strcmp(a, b) != 0);
	T_ASSERT(totp_secret_decode(a, strlen(a), key, &klen) == APP_OK &&
	    klen == 20);
}

int
main(void)
{
	test_rfc6238();
	test_kats();
	test_decode();
	test_verify();
	test_window();
	test_digits();
	test_uri();
	test_new();
	return T_DONE();
}
