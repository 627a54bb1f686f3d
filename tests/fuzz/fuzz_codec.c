/*
 * fuzz_codec.c: libFuzzer target for lib/core/codec.c. The first byte picks
 * the base64 and base32 flags; the rest is tried as text for every decoder and
 * as bytes for every encoder. Whatever decodes must re-encode to exactly the
 * input (strictness), and decode(encode(x)) must be x (round trip).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Bigger inputs teach nothing the codecs' loops do not already see. */
#define FUZZ_MAX 1024

static void
check_b64(const uint8_t *data, size_t size, unsigned flags)
{
	static unsigned char raw[FUZZ_MAX];
	static char text[CODEC_B64_LEN(FUZZ_MAX) + 1];
	size_t n = 0, m = 0;

	if (codec_b64_decode((const char *)data, size, flags, raw, sizeof(raw),
		&n) == APP_OK) {
		if (codec_b64_encode(raw, n, flags, text, sizeof(text), &m) !=
			APP_OK ||
		    m != size || memcmp(text, data, size) != 0)
			__builtin_trap();
	}
	if (codec_b64_encode(data, size, flags, text, sizeof(text), &m) !=
		APP_OK ||
	    m != codec_b64_len(size, flags) || strlen(text) != m)
		__builtin_trap();
	if (codec_b64_decode(text, m, flags, raw, sizeof(raw), &n) != APP_OK ||
	    n != size || memcmp(raw, data, size) != 0)
		__builtin_trap();
}

static void
check_b32(const uint8_t *data, size_t size, unsigned flags)
{
	static unsigned char raw[FUZZ_MAX];
	static char text[CODEC_B32_LEN(FUZZ_MAX) + 1];
	size_t n = 0, m = 0, k = 0;

	if (codec_b32_decode((const char *)data, size, flags, raw, sizeof(raw),
		&n) == APP_OK) {
		if (codec_b32_encode(raw, n, flags, text, sizeof(text), &m) !=
			APP_OK ||
		    m != size || memcmp(text, data, size) != 0)
			__builtin_trap();
	}
	/* Lenient about the last character's unused bits, and only that:
	 * the same length, and the strict decoder takes the re-encoding. */
	if (codec_b32_decode((const char *)data, size,
		flags | CODEC_B32_ANY_TAIL, raw, sizeof(raw), &n) == APP_OK) {
		if (codec_b32_encode(raw, n, flags, text, sizeof(text), &m) !=
			APP_OK ||
		    m != size ||
		    codec_b32_decode(text, m, flags, raw, sizeof(raw), &k) !=
			APP_OK ||
		    k != n)
			__builtin_trap();
	}
	if (codec_b32_encode(data, size, flags, text, sizeof(text), &m) !=
		APP_OK ||
	    m != codec_b32_len(size, flags) || strlen(text) != m)
		__builtin_trap();
	if (codec_b32_decode(text, m, flags, raw, sizeof(raw), &n) != APP_OK ||
	    n != size || memcmp(raw, data, size) != 0)
		__builtin_trap();
}

static void
check_hex(const uint8_t *data, size_t size)
{
	static unsigned char raw[FUZZ_MAX];
	static char text[2 * FUZZ_MAX + 1];
	size_t n = 0;

	if (codec_hex_decode((const char *)data, size, raw, sizeof(raw), &n) ==
	    APP_OK) {
		codec_hex_encode(raw, n, text);
		if (2 * n != size || memcmp(text, data, size) != 0)
			__builtin_trap();
	}
	codec_hex_encode(data, size, text);
	if (codec_hex_decode(text, 2 * size, raw, sizeof(raw), &n) != APP_OK ||
	    n != size || memcmp(raw, data, size) != 0)
		__builtin_trap();
}

static void
check_base(const uint8_t *data, size_t size)
{
	char text[CODEC_B36_BYTES];
	uint64_t v = 0, w = 0;
	size_t i, k;

	/* Leading zeros are read; otherwise the text is the encoder's. */
	for (k = 0; k + 1 < size && data[k] == '0'; k++)
		;
	if (codec_b36_decode((const char *)data, size, UINT64_MAX, &v) ==
	    APP_OK) {
		codec_b36_encode(v, text);
		if (strlen(text) != size - k ||
		    memcmp(text, data + k, size - k) != 0)
			__builtin_trap();
	}
	if (codec_b62_decode((const char *)data, size, INT64_MAX, &v) ==
	    APP_OK) {
		codec_b62_encode(v, text);
		if (v > INT64_MAX || strlen(text) != size - k ||
		    memcmp(text, data + k, size - k) != 0)
			__builtin_trap();
	}
	for (v = 0, i = 0; i < size && i < 8; i++)
		v = v << 8 | data[i];
	k = codec_b36_encode(v, text);
	if (codec_b36_decode(text, k, UINT64_MAX, &w) != APP_OK || w != v)
		__builtin_trap();
	k = codec_b62_encode(v, text);
	if (codec_b62_decode(text, k, UINT64_MAX, &w) != APP_OK || w != v)
		__builtin_trap();
	if (v > 0 && codec_b62_decode(text, k, v - 1, &w) != APP_EINPUT)
		__builtin_trap();
}

static void
check_utf8(const uint8_t *data, size_t size)
{
	unsigned char again[CODEC_UTF8_MAX];
	uint32_t cp;
	size_t i = 0, k;
	bool ok = true;

	while (i < size) {
		if ((k = codec_utf8_next(data + i, size - i, &cp)) == 0) {
			ok = false;
			break;
		}
		/* One encoding per code point: the encoder's. */
		if (codec_utf8_put(cp, again) != k ||
		    memcmp(again, data + i, k) != 0)
			__builtin_trap();
		i += k;
	}
	if (codec_utf8_valid(data, size) != ok)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags, b32;

	if (size == 0)
		return 0;
	flags = data[0] & (CODEC_B64_URL | CODEC_B64_PAD);
	b32 = (data[0] >> 2) & CODEC_B32_PAD;
	data++;
	size--;
	if (size > FUZZ_MAX)
		size = FUZZ_MAX;
	check_b64(data, size, flags);
	check_b32(data, size, b32);
	check_hex(data, size);
	check_base(data, size);
	check_utf8(data, size);
	return 0;
}
