/*
 * codec.c: base64, base32, hex, base36, base62 and UTF-8, each once
 * (codec.h).
 * Decoders take only the one text their encoder writes.
 */
#include <string.h>

#include "codec.h"

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/* base62 is signing.BASE62_ALPHABET; base36 is its first 36 in lower case. */
static const char b62_digits[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char b36_digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
static const char hex_digits[] = "0123456789abcdef";
static const char b32_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/* Base32 characters of the last n % 5 bytes, without padding (RFC 4648,
 * 6): and the '=' each such length takes; -1 where no length gives it. */
static const unsigned char b32_tail[5] = { 0, 2, 4, 5, 7 };
static const signed char b32_pad[8] = { 0, -1, 6, -1, 4, 3, -1, 1 };

size_t
codec_b64_len(size_t n, unsigned flags)
{
	if (flags & CODEC_B64_PAD)
		return CODEC_B64_LEN(n);
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

enum app_err
codec_b64_encode(const void *in, size_t n, unsigned flags, char *out,
    size_t outsz, size_t *outlen)
{
	const char *tab = flags & CODEC_B64_URL ? b64_url : b64_std;
	const unsigned char *s = in;
	size_t i, o = 0;
	uint32_t v;

	/* n / 3 first, so codec_b64_len cannot wrap. */
	if (n / 3 > outsz / 4 || codec_b64_len(n, flags) >= outsz)
		return APP_EINTERNAL;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (n - i > 0) {
		v = (uint32_t)s[i] << 16;
		if (n - i == 2)
			v |= (uint32_t)s[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		if (n - i == 2)
			out[o++] = tab[(v >> 6) & 63];
		else if (flags & CODEC_B64_PAD)
			out[o++] = '=';
		if (flags & CODEC_B64_PAD)
			out[o++] = '=';
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return APP_OK;
}

/*
 * The n characters of a base64 or base32 body, each worth width bits (its
 * place in alphabet, 2^width characters), packed into bytes; *tail holds
 * the bits past the last byte, which RFC 4648 3.5 wants zero.
 */
static enum app_err
unpack(const char *in, size_t n, const char *alphabet, unsigned width,
    unsigned char *out, size_t outsz, size_t *outlen, uint32_t *tail)
{
	const char *p;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if ((p = memchr(alphabet, in[i], (size_t)1 << width)) == NULL)
			return APP_EINPUT;
		acc = (acc << width) | (uint32_t)(p - alphabet);
		bits += width;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsz)
				return APP_ETOOBIG;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	*outlen = o;
	*tail = acc;
	return APP_OK;
}

enum app_err
codec_b64_decode(const char *in, size_t n, unsigned flags, unsigned char *out,
    size_t outsz, size_t *outlen)
{
	uint32_t tail;
	size_t o, body = n;
	enum app_err er;

	if (flags & CODEC_B64_PAD) {
		if (n % 4 != 0)
			return APP_EINPUT;
		/* At most two '=', and only where the body needs them. */
		if (n > 0 && in[n - 1] == '=') {
			body--;
			if (in[n - 2] == '=')
				body--;
		}
	}
	if (body % 4 == 1)
		return APP_EINPUT;
	if ((er = unpack(in, body, flags & CODEC_B64_URL ? b64_url : b64_std, 6,
		 out, outsz, &o, &tail)) != APP_OK)
		return er;
	/* RFC 4648, 3.5: the bits past the last byte are zero. */
	if (tail != 0)
		return APP_EINPUT;
	*outlen = o;
	return APP_OK;
}

size_t
codec_b32_len(size_t n, unsigned flags)
{
	if (flags & CODEC_B32_PAD)
		return CODEC_B32_LEN(n);
	return n / 5 * 8 + b32_tail[n % 5];
}

enum app_err
codec_b32_encode(const void *in, size_t n, unsigned flags, char *out,
    size_t outsz, size_t *outlen)
{
	const unsigned char *s = in;
	size_t i, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	/* n / 5 first, so codec_b32_len cannot wrap. */
	if (n / 5 > outsz / 8 || codec_b32_len(n, flags) >= outsz)
		return APP_EINTERNAL;
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | s[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_digits[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b32_digits[(acc << (5 - bits)) & 31];
	if (flags & CODEC_B32_PAD)
		while (o % 8 != 0)
			out[o++] = '=';
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return APP_OK;
}

enum app_err
codec_b32_decode(const char *in, size_t n, unsigned flags, unsigned char *out,
    size_t outsz, size_t *outlen)
{
	uint32_t tail;
	size_t o, body = n;
	enum app_err er;

	if (flags & CODEC_B32_PAD) {
		if (n % 8 != 0)
			return APP_EINPUT;
		/* At most six '='; any more stay in the body: refused. */
		while (body > 0 && n - body < 6 && in[body - 1] == '=')
			body--;
		if (b32_pad[body % 8] != (signed char)(n - body))
			return APP_EINPUT;
	} else if (b32_pad[body % 8] < 0)
		return APP_EINPUT;
	if ((er = unpack(in, body, b32_digits, 5, out, outsz, &o, &tail)) !=
	    APP_OK)
		return er;
	/* RFC 4648, 3.5: the bits past the last byte are zero. */
	if (tail != 0 && !(flags & CODEC_B32_ANY_TAIL))
		return APP_EINPUT;
	*outlen = o;
	return APP_OK;
}

void
codec_hex_encode(const void *in, size_t n, char *out)
{
	const unsigned char *s = in;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex_digits[s[i] >> 4];
		out[2 * i + 1] = hex_digits[s[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Lower case only: the one text codec_hex_encode writes. */
static int
hex_value(char c)
{
	const char *p;

	if ((p = memchr(hex_digits, c, 16)) == NULL)
		return -1;
	return (int)(p - hex_digits);
}

enum app_err
codec_hex_decode(const char *in, size_t n, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	size_t i;
	int hi, lo;

	if (n % 2 != 0)
		return APP_EINPUT;
	for (i = 0; i < n; i += 2)
		if (hex_value(in[i]) < 0 || hex_value(in[i + 1]) < 0)
			return APP_EINPUT;
	if (n / 2 > outsz)
		return APP_ETOOBIG;
	for (i = 0; i < n; i += 2) {
		hi = hex_value(in[i]);
		lo = hex_value(in[i + 1]);
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*outlen = n / 2;
	return APP_OK;
}

static size_t
base_encode(uint64_t v, const char *digits, uint64_t base, char *out)
{
	char tmp[CODEC_B36_BYTES];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

size_t
codec_b36_encode(uint64_t v, char out[CODEC_B36_BYTES])
{
	return base_encode(v, b36_digits, 36, out);
}

size_t
codec_b62_encode(uint64_t v, char out[CODEC_B62_BYTES])
{
	return base_encode(v, b62_digits, 62, out);
}

static enum app_err
base_decode(const char *in, size_t n, const char *digits, uint64_t base,
    uint64_t max, uint64_t *out)
{
	const char *d;
	uint64_t v = 0, k;
	size_t i;

	if (n == 0)
		return APP_EINPUT;
	for (i = 0; i < n; i++) {
		if ((d = memchr(digits, in[i], (size_t)base)) == NULL)
			return APP_EINPUT;
		k = (uint64_t)(d - digits);
		if (k > max || v > (max - k) / base)
			return APP_EINPUT;
		v = v * base + k;
	}
	*out = v;
	return APP_OK;
}

enum app_err
codec_b36_decode(const char *in, size_t n, uint64_t max, uint64_t *out)
{
	return base_decode(in, n, b36_digits, 36, max, out);
}

enum app_err
codec_b62_decode(const char *in, size_t n, uint64_t max, uint64_t *out)
{
	return base_decode(in, n, b62_digits, 62, max, out);
}

size_t
codec_utf8_next(const void *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = str;
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* 0xc0, 0xc1 and 0xf5.. lead only overlong or too large forms. */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

bool
codec_utf8_valid(const void *str, size_t n)
{
	const unsigned char *s = str;
	uint32_t cp;
	size_t k;

	while (n > 0) {
		if ((k = codec_utf8_next(s, n, &cp)) == 0)
			return false;
		s += k;
		n -= k;
	}
	return true;
}

size_t
codec_utf8_put(uint32_t cp, unsigned char out[CODEC_UTF8_MAX])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}
