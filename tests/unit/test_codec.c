/*
 * test_codec.c: lib/core/codec.c against RFC 4648's vectors (10: base64
 * and base32), Django's
 * int_to_base36 / b62_encode answers, RFC 3629's examples, and every
 * non-canonical text each decoder must refuse.
 */
#include <stdint.h>
#include <string.h>

#include "codec.h"
#include "testhelp.h"

/* RFC 4648, 10: "f", "fo", "foo", ... */
static const char *const rfc_pad[] = { "", "Zg==", "Zm8=", "Zm9v",
	"Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
static const char *const rfc_nopad[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
	"Zm9vYmE", "Zm9vYmFy" };

static int
dec_ok(const char *s, unsigned flags, const char *want, size_t wantlen)
{
	unsigned char out[64];
	size_t n = 0;

	if (codec_b64_decode(s, strlen(s), flags, out, sizeof(out), &n) !=
	    APP_OK)
		return 0;
	return n == wantlen && memcmp(out, want, n) == 0;
}

static int
dec_bad(const char *s, unsigned flags)
{
	unsigned char out[64];
	size_t n = 0;

	return codec_b64_decode(s, strlen(s), flags, out, sizeof(out), &n) ==
	    APP_EINPUT;
}

static void
test_b64(void)
{
	static const unsigned char bin[] = { 0xfb, 0xff, 0xbf };
	char out[64];
	unsigned char raw[8];
	size_t i, n = 0;

	for (i = 0; i <= 6; i++) {
		T_ASSERT(codec_b64_encode("foobar", i, CODEC_B64_PAD, out,
			     sizeof(out), &n) == APP_OK);
		T_STREQ(out, rfc_pad[i]);
		T_ASSERT(n == strlen(rfc_pad[i]));
		T_ASSERT(codec_b64_len(i, CODEC_B64_PAD) == n);
		T_ASSERT(codec_b64_encode("foobar", i, 0, out, sizeof(out),
			     NULL) == APP_OK);
		T_STREQ(out, rfc_nopad[i]);
		T_ASSERT(codec_b64_len(i, 0) == strlen(rfc_nopad[i]));
		T_ASSERT(dec_ok(rfc_pad[i], CODEC_B64_PAD, "foobar", i));
		T_ASSERT(dec_ok(rfc_nopad[i], 0, "foobar", i));
		T_ASSERT(dec_ok(rfc_nopad[i], CODEC_B64_URL, "foobar", i));
	}
	/* The two alphabets differ in 62 and 63 only. */
	T_ASSERT(codec_b64_encode(bin, 3, 0, out, sizeof(out), NULL) == APP_OK);
	T_STREQ(out, "+/+/");
	T_ASSERT(codec_b64_encode(bin, 3, CODEC_B64_URL, out, sizeof(out),
		     NULL) == APP_OK);
	T_STREQ(out, "-_-_");
	T_ASSERT(dec_ok("-_-_", CODEC_B64_URL, (const char *)bin, 3));
	T_ASSERT(dec_bad("-_-_", 0));
	T_ASSERT(dec_bad("+/+/", CODEC_B64_URL));
	/* Does not fit: outsz must hold the text and its NUL. */
	T_ASSERT(codec_b64_encode("foo", 3, 0, out, 4, NULL) == APP_EINTERNAL);
	T_ASSERT(codec_b64_encode("foo", 3, 0, out, 5, NULL) == APP_OK);
	T_ASSERT(codec_b64_encode("f", 1, CODEC_B64_PAD, out, 4, NULL) ==
	    APP_EINTERNAL);
	T_ASSERT(codec_b64_encode("", (size_t)-1, 0, out, sizeof(out), NULL) ==
	    APP_EINTERNAL);
	T_ASSERT(codec_b64_decode("Zm9v", 4, 0, raw, 2, &n) == APP_ETOOBIG);
	T_ASSERT(
	    codec_b64_decode("Zm9v", 4, 0, raw, 3, &n) == APP_OK && n == 3);

	/* Stray bits: "Zh" and "Zm9" + 1 would decode to "f" and "fo". */
	T_ASSERT(dec_bad("Zh", 0));
	T_ASSERT(dec_bad("Zh==", CODEC_B64_PAD));
	T_ASSERT(dec_bad("Zm9=", CODEC_B64_PAD));
	T_ASSERT(dec_bad("Zm9", 0));
	T_ASSERT(dec_bad("Zm-", CODEC_B64_URL));
	/* Lengths 4k+1 never come out of an encoder. */
	T_ASSERT(dec_bad("Z", 0));
	T_ASSERT(dec_bad("Zm9vY", 0));
	T_ASSERT(dec_bad("Z===", CODEC_B64_PAD));
	/* Padding only where asked, and exactly as needed. */
	T_ASSERT(dec_bad("Zg==", 0));
	T_ASSERT(dec_bad("Zg", CODEC_B64_PAD));
	T_ASSERT(dec_bad("Zg=", CODEC_B64_PAD));
	T_ASSERT(dec_bad("Zm8==", CODEC_B64_PAD));
	T_ASSERT(dec_bad("Zm9v====", CODEC_B64_PAD));
	T_ASSERT(dec_bad("Zg==Zg==", CODEC_B64_PAD));
	T_ASSERT(dec_bad("Z=g=", CODEC_B64_PAD));
	T_ASSERT(dec_bad("====", CODEC_B64_PAD));
	/* No whitespace, NUL or other byte anywhere. */
	T_ASSERT(dec_bad("Zm9v\n", 0));
	T_ASSERT(dec_bad(" Zm9v", 0));
	T_ASSERT(dec_bad("Zm 9v", 0));
	T_ASSERT(codec_b64_decode("Zm\0v", 4, 0, raw, sizeof(raw), &n) ==
	    APP_EINPUT);
	T_ASSERT(dec_bad("Zm9v\xc3\xa9", 0));
	T_ASSERT(dec_bad("Zm.v", CODEC_B64_URL));
}

/* RFC 4648, 10: BASE32 of "", "f", "fo", ... "foobar". */
static const char *const rfc32_pad[] = { "",
	"MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB",
	"MZXW6YTBOI======" };
static const char *const rfc32_nopad[] = { "", "MY", "MZXQ", "MZXW6", "MZXW6YQ",
	"MZXW6YTB", "MZXW6YTBOI" };

static int
dec32(const char *s, unsigned flags, const char *want, size_t wantlen)
{
	unsigned char out[64];
	size_t n = 0;
	enum app_err er;

	er = codec_b32_decode(s, strlen(s), flags, out, sizeof(out), &n);
	if (want == NULL)
		return er == APP_EINPUT;
	return er == APP_OK && n == wantlen && memcmp(out, want, n) == 0;
}

static void
test_b32(void)
{
	static const unsigned char bin[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
		0x44, 0x32, 0x14, 0xc7 };
	char out[64];
	unsigned char raw[8];
	size_t i, n = 0;

	for (i = 0; i <= 6; i++) {
		T_ASSERT(codec_b32_encode("foobar", i, CODEC_B32_PAD, out,
			     sizeof(out), &n) == APP_OK);
		T_STREQ(out, rfc32_pad[i]);
		T_ASSERT(n == strlen(rfc32_pad[i]) &&
		    codec_b32_len(i, CODEC_B32_PAD) == n);
		T_ASSERT(codec_b32_encode("foobar", i, 0, out, sizeof(out),
			     NULL) == APP_OK);
		T_STREQ(out, rfc32_nopad[i]);
		T_ASSERT(codec_b32_len(i, 0) == strlen(rfc32_nopad[i]));
		T_ASSERT(dec32(rfc32_pad[i], CODEC_B32_PAD, "foobar", i));
		T_ASSERT(dec32(rfc32_nopad[i], 0, "foobar", i));
		T_ASSERT(
		    dec32(rfc32_nopad[i], CODEC_B32_ANY_TAIL, "foobar", i));
		/* Each form only where its flag asks for it. */
		if (i % 5 != 0) {
			T_ASSERT(dec32(rfc32_pad[i], 0, NULL, 0));
			T_ASSERT(dec32(rfc32_nopad[i], CODEC_B32_PAD, NULL, 0));
		}
	}
	/* Every character of the alphabet, and its last two. */
	T_ASSERT(codec_b32_encode(bin, sizeof(bin), 0, out, sizeof(out),
		     NULL) == APP_OK);
	T_STREQ(out, "77777777ABCDEFGH");
	T_ASSERT(dec32("77777777ABCDEFGH", 0, (const char *)bin, sizeof(bin)));
	T_ASSERT(dec32("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 0,
	    "\x00\x44\x32\x14\xc7\x42\x54\xb6\x35\xcf\x84\x65\x3a\x56"
	    "\xd7\xc6\x75\xbe\x77\xdf",
	    20));
	/* Fits: outsz holds the text and its NUL. */
	T_ASSERT(codec_b32_encode("f", 1, CODEC_B32_PAD, out, 8, NULL) ==
	    APP_EINTERNAL);
	T_ASSERT(
	    codec_b32_encode("f", 1, CODEC_B32_PAD, out, 9, NULL) == APP_OK);
	T_ASSERT(codec_b32_encode("f", 1, 0, out, 2, NULL) == APP_EINTERNAL);
	T_ASSERT(codec_b32_encode("", (size_t)-1, 0, out, sizeof(out), NULL) ==
	    APP_EINTERNAL);
	T_ASSERT(codec_b32_decode("MZXW6", 5, 0, raw, 2, &n) == APP_ETOOBIG);
	T_ASSERT(
	    codec_b32_decode("MZXW6", 5, 0, raw, 3, &n) == APP_OK && n == 3);
	/* Stray bits: refused, unless CODEC_B32_ANY_TAIL drops them. */
	T_ASSERT(dec32("MZ", 0, NULL, 0));
	T_ASSERT(dec32("MZ======", CODEC_B32_PAD, NULL, 0));
	T_ASSERT(dec32("MZ", CODEC_B32_ANY_TAIL, "f", 1));
	T_ASSERT(dec32("MZ======", CODEC_B32_PAD | CODEC_B32_ANY_TAIL, "f", 1));
	T_ASSERT(dec32("MZXR", 0, NULL, 0));
	T_ASSERT(dec32("MZXR", CODEC_B32_ANY_TAIL, "fo", 2));
	T_ASSERT(dec32("MZXW7", 0, NULL, 0));
	T_ASSERT(dec32("MZXW6YR", 0, NULL, 0));
	T_ASSERT(dec32("MZXW6YR", CODEC_B32_ANY_TAIL, "foob", 4));
	/* Lengths 8k+1, 3, 6 never come out of an encoder. */
	T_ASSERT(dec32("M", 0, NULL, 0));
	T_ASSERT(dec32("MZX", CODEC_B32_ANY_TAIL, NULL, 0));
	T_ASSERT(dec32("MZXW6Y", 0, NULL, 0));
	T_ASSERT(dec32("M=======", CODEC_B32_PAD, NULL, 0));
	T_ASSERT(dec32("MZX=====", CODEC_B32_PAD, NULL, 0));
	/* Padding exactly as needed, at the end only. */
	T_ASSERT(dec32("MY=====", CODEC_B32_PAD, NULL, 0));
	T_ASSERT(dec32("MZXQ=====", CODEC_B32_PAD, NULL, 0));
	T_ASSERT(dec32("MZXW6YTB========", CODEC_B32_PAD, NULL, 0));
	T_ASSERT(dec32("========", CODEC_B32_PAD, NULL, 0));
	T_ASSERT(dec32("MZ=XQ===", CODEC_B32_PAD, NULL, 0));
	T_ASSERT(dec32("MY======MY======", CODEC_B32_PAD, NULL, 0));
	/* Upper case only; no 0, 1, 8, 9, blank, NUL or other byte. */
	T_ASSERT(dec32("mzxw6", 0, NULL, 0));
	T_ASSERT(dec32("MZXW1", 0, NULL, 0));
	T_ASSERT(dec32("MZXW0", 0, NULL, 0));
	T_ASSERT(dec32("MZXW8", 0, NULL, 0));
	T_ASSERT(dec32("MZXW 6", 0, NULL, 0));
	T_ASSERT(dec32("MZXW6\n", 0, NULL, 0));
	T_ASSERT(codec_b32_decode("MZ\0W6", 5, 0, raw, sizeof(raw), &n) ==
	    APP_EINPUT);
	T_ASSERT(dec32("MZXW\xc3\x89", 0, NULL, 0));
}

static void
test_hex(void)
{
	static const unsigned char bin[] = { 0x00, 0x7f, 0x80, 0xff, 0xa5 };
	unsigned char raw[8];
	char out[16];
	size_t n = 0;

	codec_hex_encode(bin, sizeof(bin), out);
	T_STREQ(out, "007f80ffa5");
	codec_hex_encode(bin, 0, out);
	T_STREQ(out, "");
	T_ASSERT(
	    codec_hex_decode("007f80ffa5", 10, raw, sizeof(raw), &n) == APP_OK);
	T_ASSERT(n == 5 && memcmp(raw, bin, 5) == 0);
	T_ASSERT(
	    codec_hex_decode("", 0, raw, sizeof(raw), &n) == APP_OK && n == 0);
	T_ASSERT(
	    codec_hex_decode("007F", 4, raw, sizeof(raw), &n) == APP_EINPUT);
	T_ASSERT(
	    codec_hex_decode("007", 3, raw, sizeof(raw), &n) == APP_EINPUT);
	T_ASSERT(codec_hex_decode("0g", 2, raw, sizeof(raw), &n) == APP_EINPUT);
	T_ASSERT(codec_hex_decode(" 0", 2, raw, sizeof(raw), &n) == APP_EINPUT);
	T_ASSERT(codec_hex_decode("0011", 4, raw, 1, &n) == APP_ETOOBIG);
}

static void
test_base36_62(void)
{
	char out[CODEC_B36_BYTES];
	uint64_t v = 0;

	/* Django 3.2: int_to_base36(...), signing.b62_encode(...). */
	T_ASSERT(codec_b36_encode(0, out) == 1);
	T_STREQ(out, "0");
	codec_b36_encode(35, out);
	T_STREQ(out, "z");
	codec_b36_encode(36, out);
	T_STREQ(out, "10");
	codec_b36_encode(INT64_MAX, out);
	T_STREQ(out, "1y2p0ij32e8e7");
	T_ASSERT(codec_b36_encode(UINT64_MAX, out) == 13);
	T_STREQ(out, "3w5e11264sgsf");
	codec_b62_encode(0, out);
	T_STREQ(out, "0");
	codec_b62_encode(61, out);
	T_STREQ(out, "z");
	codec_b62_encode(62, out);
	T_STREQ(out, "10");
	codec_b62_encode(1714566896, out);
	T_STREQ(out, "1s29Am");
	T_ASSERT(codec_b62_encode(UINT64_MAX, out) == 11);
	T_STREQ(out, "LygHa16AHYF");

	T_ASSERT(
	    codec_b36_decode("1y2p0ij32e8e7", 13, INT64_MAX, &v) == APP_OK &&
	    v == INT64_MAX);
	T_ASSERT(
	    codec_b36_decode("1y2p0ij32e8e8", 13, INT64_MAX, &v) == APP_EINPUT);
	T_ASSERT(
	    codec_b36_decode("3w5e11264sgsf", 13, UINT64_MAX, &v) == APP_OK &&
	    v == UINT64_MAX);
	T_ASSERT(codec_b36_decode("3w5e11264sgsg", 13, UINT64_MAX, &v) ==
	    APP_EINPUT);
	T_ASSERT(codec_b36_decode("zzzzzzzzzzzzzzzz", 16, UINT64_MAX, &v) ==
	    APP_EINPUT);
	T_ASSERT(codec_b36_decode("007", 3, 100, &v) == APP_OK && v == 7);
	T_ASSERT(codec_b36_decode("z", 1, 34, &v) == APP_EINPUT);
	T_ASSERT(codec_b36_decode("", 0, 100, &v) == APP_EINPUT);
	T_ASSERT(codec_b36_decode("Z", 1, 100, &v) == APP_EINPUT);
	T_ASSERT(codec_b36_decode("-1", 2, 100, &v) == APP_EINPUT);
	T_ASSERT(codec_b36_decode("+1", 2, 100, &v) == APP_EINPUT);
	T_ASSERT(codec_b36_decode("1 ", 2, 100, &v) == APP_EINPUT);
	T_ASSERT(codec_b36_decode("1\0", 2, 100, &v) == APP_EINPUT);
	T_ASSERT(codec_b62_decode("1s29Am", 6, UINT64_MAX, &v) == APP_OK &&
	    v == 1714566896);
	T_ASSERT(
	    codec_b62_decode("LygHa16AHYF", 11, UINT64_MAX, &v) == APP_OK &&
	    v == UINT64_MAX);
	T_ASSERT(
	    codec_b62_decode("LygHa16AHYG", 11, UINT64_MAX, &v) == APP_EINPUT);
	T_ASSERT(codec_b62_decode("1_", 2, UINT64_MAX, &v) == APP_EINPUT);
	T_ASSERT(codec_b62_decode("-1", 2, UINT64_MAX, &v) == APP_EINPUT);
}

static void
test_utf8(void)
{
	unsigned char out[CODEC_UTF8_MAX];
	uint32_t cp = 0;

	T_ASSERT(codec_utf8_next("A", 1, &cp) == 1 && cp == 'A');
	T_ASSERT(codec_utf8_next("\xc2\x80", 2, &cp) == 2 && cp == 0x80);
	T_ASSERT(codec_utf8_next("\xe2\x82\xac", 3, &cp) == 3 && cp == 0x20ac);
	T_ASSERT(codec_utf8_next("\xef\xbf\xbf", 3, &cp) == 3 && cp == 0xffff);
	T_ASSERT(
	    codec_utf8_next("\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1f600);
	T_ASSERT(
	    codec_utf8_next("\xf4\x8f\xbf\xbf", 4, &cp) == 4 && cp == 0x10ffff);
	T_ASSERT(codec_utf8_next("\0", 1, &cp) == 1 && cp == 0);
	/* Refused: empty, truncated, stray continuation, overlongs,
	 * surrogates, past U+10FFFF, bytes never in UTF-8. */
	T_ASSERT(codec_utf8_next("", 0, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xe2\x82\xac", 2, &cp) == 0);
	T_ASSERT(codec_utf8_next("\x80", 1, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xc0\xaf", 2, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xc1\xbf", 2, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xe0\x80\xaf", 3, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xe0\x9f\xbf", 3, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xf0\x8f\xbf\xbf", 4, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xed\xa0\x80", 3, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xed\xbf\xbf", 3, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xf4\x90\x80\x80", 4, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xf5\x80\x80\x80", 4, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xff", 1, &cp) == 0);
	T_ASSERT(codec_utf8_next("\xc3\x28", 2, &cp) == 0);
	T_ASSERT(codec_utf8_valid("", 0));
	T_ASSERT(codec_utf8_valid("a\xc3\xa9\xe2\x82\xac", 6));
	T_ASSERT(!codec_utf8_valid("a\xc3\xa9\xe2\x82", 5));
	T_ASSERT(!codec_utf8_valid("\xed\xa0\x80", 3));

	T_ASSERT(codec_utf8_put('A', out) == 1 && out[0] == 'A');
	T_ASSERT(
	    codec_utf8_put(0xe9, out) == 2 && memcmp(out, "\xc3\xa9", 2) == 0);
	T_ASSERT(codec_utf8_put(0x20ac, out) == 3 &&
	    memcmp(out, "\xe2\x82\xac", 3) == 0);
	T_ASSERT(codec_utf8_put(0x10ffff, out) == 4 &&
	    memcmp(out, "\xf4\x8f\xbf\xbf", 4) == 0);
	T_ASSERT(codec_utf8_put(0xd800, out) == 0);
	T_ASSERT(codec_utf8_put(0xdfff, out) == 0);
	T_ASSERT(codec_utf8_put(0x110000, out) == 0);
}

int
main(void)
{
	test_b64();
	test_b32();
	test_hex();
	test_base36_62();
	test_utf8();
	return T_DONE();
}
