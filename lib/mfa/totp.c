/*
 * totp.c: RFC 6238 TOTP with pyotp's secrets, comparison and URI
 * (totp.h), over OpenSSL's HMAC-SHA1 and RAND_bytes, codec.c's base32
 * and UTF-8, and pystr.c's str.strip().
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "codec.h"
#include "pystr.h"
#include "totp.h"

/* Bytes of a new secret: TOTP_SECRET_CHARS base32 characters. */
#define TOTP_SECRET_BYTES (TOTP_SECRET_CHARS * 5 / 8)

/*
 * The code points beside '0'..'9' that NFKC (Unicode 14, Python 3.11)
 * turns into ASCII digits only: lo..hi stand for the numbers first,
 * first + 1, ... in decimal. Superscripts, subscripts, circled numbers
 * up to 50, full-width, mathematical and segmented digits. test_totp
 * checks every code point against Python's unicodedata.normalize.
 */
static const struct nfkc_run {
	uint32_t lo, hi;
	unsigned first;
} nfkc_digits[] = {
	{ 0xb2, 0xb3, 2 }, /* superscript two, three */
	{ 0xb9, 0xb9, 1 }, /* superscript one */
	{ 0x2070, 0x2070, 0 }, /* superscript zero */
	{ 0x2074, 0x2079, 4 }, /* superscript four..nine */
	{ 0x2080, 0x2089, 0 }, /* subscript zero..nine */
	{ 0x2460, 0x2473, 1 }, /* circled one..twenty */
	{ 0x24ea, 0x24ea, 0 }, /* circled zero */
	{ 0x3251, 0x325f, 21 }, /* circled twenty-one..thirty-five */
	{ 0x32b1, 0x32bf, 36 }, /* circled thirty-six..fifty */
	{ 0xff10, 0xff19, 0 }, /* full-width */
	{ 0x1d7ce, 0x1d7d7, 0 }, /* mathematical bold */
	{ 0x1d7d8, 0x1d7e1, 0 }, /* double-struck */
	{ 0x1d7e2, 0x1d7eb, 0 }, /* sans-serif */
	{ 0x1d7ec, 0x1d7f5, 0 }, /* sans-serif bold */
	{ 0x1d7f6, 0x1d7ff, 0 }, /* monospace */
	{ 0x1fbf0, 0x1fbf9, 0 }, /* segmented */
};

enum app_err
totp_secret_new(char out[TOTP_SECRET_CHARS + 1])
{
	unsigned char raw[TOTP_SECRET_BYTES];
	enum app_err er = APP_EINTERNAL;

	if (RAND_bytes(raw, sizeof(raw)) == 1)
		er = codec_b32_encode(raw, sizeof(raw), 0, out,
		    TOTP_SECRET_CHARS + 1, NULL);
	OPENSSL_cleanse(raw, sizeof(raw));
	return er;
}

enum app_err
totp_secret_decode(const char *s, size_t n, unsigned char key[TOTP_KEY_MAX],
    size_t *keylen)
{
	char up[LIMIT_MFA_SECRET];
	size_t i, body, padchars;
	enum app_err er;

	if (n > LIMIT_MFA_SECRET)
		return APP_EINPUT;
	/* b32decode(casefold=True): bytes.upper(), so ASCII letters only. */
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return APP_EINPUT;
		up[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A')
						   : s[i];
	}
	/* pyotp pads to a multiple of 8; b32decode strips every trailing
	 * '=' and takes 0, 1, 3, 4 or 6 of them. */
	for (body = n; body > 0 && up[body - 1] == '='; body--)
		;
	padchars = (n + 7) / 8 * 8 - body;
	if (padchars != 0 && padchars != 1 && padchars != 3 && padchars != 4 &&
	    padchars != 6)
		er = APP_EINPUT;
	else
		er = codec_b32_decode(up, body, CODEC_B32_ANY_TAIL, key,
		    TOTP_KEY_MAX, keylen);
	OPENSSL_cleanse(up, sizeof(up));
	return er == APP_ETOOBIG ? APP_EINPUT : er;
}

enum app_err
totp_code(const unsigned char *key, size_t keylen, unsigned digits,
    uint64_t counter, char out[TOTP_DIGITS_MAX + 1])
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;
	uint64_t bin, mod = 1;
	unsigned off;

	if (digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX ||
	    keylen > TOTP_KEY_MAX)
		return APP_EINTERNAL;
	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)(counter >> (56 - 8 * i));
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac,
		&maclen) == NULL ||
	    maclen != 20)
		return APP_EINTERNAL;
	/* RFC 4226, 5.3: dynamic truncation. */
	off = mac[19] & 0xf;
	bin = (uint64_t)(mac[off] & 0x7f) << 24 | (uint64_t)mac[off + 1] << 16 |
	    (uint64_t)mac[off + 2] << 8 | mac[off + 3];
	OPENSSL_cleanse(mac, sizeof(mac));
	for (i = 0; i < digits; i++)
		mod *= 10;
	bin %= mod;
	for (i = digits; i > 0; i--) {
		out[i - 1] = (char)('0' + bin % 10);
		bin /= 10;
	}
	out[digits] = '\0';
	return APP_OK;
}

/* The decimal digits NFKC makes of cp into out (room for 2): 0 if it
 * makes anything else. */
static size_t
nfkc_digit(uint32_t cp, char out[2])
{
	size_t i;
	unsigned v;

	if (cp >= '0' && cp <= '9') {
		out[0] = (char)cp;
		return 1;
	}
	for (i = 0; i < sizeof(nfkc_digits) / sizeof(nfkc_digits[0]); i++) {
		if (cp < nfkc_digits[i].lo || cp > nfkc_digits[i].hi)
			continue;
		v = nfkc_digits[i].first + (unsigned)(cp - nfkc_digits[i].lo);
		if (v < 10) {
			out[0] = (char)('0' + v);
			return 1;
		}
		out[0] = (char)('0' + v / 10);
		out[1] = (char)('0' + v % 10);
		return 2;
	}
	return 0;
}

enum app_err
totp_code_digits(const char *code, size_t n, char out[TOTP_DIGITS_MAX + 1],
    size_t *outlen)
{
	char buf[TOTP_DIGITS_MAX + 2], d[2];
	const char *s;
	size_t len = n, o = 0, k, m;
	uint32_t cp;

	/*
	 * NFKC decomposes each code point on its own, then composes; ASCII
	 * digits compose with nothing, so a text NFKC turns into digits
	 * only is one whose code points each turn into digits only.
	 */
	s = pystr_strip(code, &len);
	while (len > 0) {
		if ((k = codec_utf8_next(s, len, &cp)) == 0 ||
		    (m = nfkc_digit(cp, d)) == 0 || o + m > TOTP_DIGITS_MAX)
			return APP_EINPUT;
		memcpy(buf + o, d, m);
		o += m;
		s += k;
		len -= k;
	}
	if (o == 0)
		return APP_EINPUT;
	memcpy(out, buf, o);
	out[o] = '\0';
	*outlen = o;
	return APP_OK;
}

enum app_err
totp_verify(const char *secret, size_t slen, unsigned digits, unsigned period,
    time_t now, int64_t min_step, const char *code, size_t n, int64_t *step)
{
	unsigned char key[TOTP_KEY_MAX];
	char want[TOTP_DIGITS_MAX + 1], got[TOTP_DIGITS_MAX + 1];
	size_t keylen = 0, glen = 0;
	int64_t t, c, found = -1;
	enum app_err er;
	int off;

	if (digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX ||
	    period == 0 || now < 0)
		return APP_EINTERNAL;
	/* Upstream refuses an empty secret before comparing anything. */
	if (slen == 0)
		return APP_EINPUT;
	/* A refused secret may leave part of a key behind: wiped at out. */
	if ((er = totp_secret_decode(secret, slen, key, &keylen)) != APP_OK)
		goto out;
	er = APP_EINPUT;
	if (keylen == 0 || totp_code_digits(code, n, got, &glen) != APP_OK)
		goto out;
	t = (int64_t)now / (int64_t)period;
	for (off = -TOTP_WINDOW; off <= TOTP_WINDOW; off++) {
		/* pyotp raises for a negative counter: no code there. */
		if ((c = t + off) < 0)
			continue;
		if (totp_code(key, keylen, digits, (uint64_t)c, want) !=
		    APP_OK) {
			er = APP_EINTERNAL;
			goto out;
		}
		/* Every step is compared; only lengths are public. */
		if (glen == digits && CRYPTO_memcmp(want, got, digits) == 0 &&
		    c >= min_step && found < 0)
			found = c;
	}
	if (found >= 0) {
		*step = found;
		er = APP_OK;
	}
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(want, sizeof(want));
	OPENSSL_cleanse(got, sizeof(got));
	return er;
}

/* How uri_add writes a text: as it is, or as Python's quote(s, safe). */
enum uri_mode {
	URI_RAW,
	URI_LABEL, /* quote(s): safe="/" */
	URI_QUERY, /* urlencode's quote_plus, then "+" -> "%20": safe="" */
};

/* The URI being written into out, or only measured when out is NULL. */
struct uri_buf {
	char *out;
	size_t len;
};

/*
 * Append s: in the quoted modes, letters, digits and "_.-~" (and "/" in
 * a label) as they are, every other byte as %XX, upper-case hex.
 */
static void
uri_add(struct uri_buf *b, const char *s, enum uri_mode mode)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (mode == URI_RAW || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-' || c == '~' ||
		    (mode == URI_LABEL && c == '/')) {
			if (b->out != NULL)
				b->out[b->len] = (char)c;
			b->len++;
			continue;
		}
		if (b->out != NULL) {
			b->out[b->len] = '%';
			b->out[b->len + 1] = hex[c >> 4];
			b->out[b->len + 2] = hex[c & 15];
		}
		b->len += 3;
	}
}

/* provisioning_uri's text into b; issuer NULL for none. */
static void
uri_put(struct uri_buf *b, const char *secret, const char *name,
    const char *issuer, const char *tail)
{
	uri_add(b, "otpauth://totp/", URI_RAW);
	if (issuer != NULL) {
		uri_add(b, issuer, URI_LABEL);
		uri_add(b, ":", URI_RAW);
	}
	uri_add(b, name, URI_LABEL);
	uri_add(b, "?secret=", URI_RAW);
	uri_add(b, secret, URI_QUERY);
	if (issuer != NULL) {
		uri_add(b, "&issuer=", URI_RAW);
		uri_add(b, issuer, URI_QUERY);
	}
	uri_add(b, tail, URI_RAW);
}

enum app_err
totp_uri(const char *secret, const char *name, const char *issuer,
    unsigned digits, unsigned period, char **out)
{
	struct uri_buf b = { NULL, 0 };
	char tail[64];
	size_t nl, il = 0;
	int k = 0, m = 0;

	if (digits < TOTP_DIGITS_MIN || digits > TOTP_DIGITS_MAX || period == 0)
		return APP_EINTERNAL;
	nl = strlen(name);
	if (issuer != NULL && (il = strlen(issuer)) == 0)
		issuer = NULL;
	if (strlen(secret) > LIMIT_MFA_SECRET || nl > LIMIT_MFA_LABEL ||
	    il > LIMIT_MFA_LABEL || !codec_utf8_valid(name, nl) ||
	    !codec_utf8_valid(issuer != NULL ? issuer : "", il))
		return APP_EINPUT;
	/* TOTP.provisioning_uri: name if name else self.name ("Secret"). */
	if (nl == 0)
		name = "Secret";
	if (digits != TOTP_DIGITS_DEFAULT)
		k = snprintf(tail, sizeof(tail), "&digits=%u", digits);
	if (k >= 0 && period != TOTP_PERIOD_DEFAULT)
		m = snprintf(tail + k, sizeof(tail) - (size_t)k, "&period=%u",
		    period);
	if (k < 0 || m < 0 || (size_t)(k + m) >= sizeof(tail))
		return APP_EINTERNAL;
	tail[k + m] = '\0';
	uri_put(&b, secret, name, issuer, tail);
	if ((b.out = malloc(b.len + 1)) == NULL)
		return APP_ENOMEM;
	b.len = 0;
	uri_put(&b, secret, name, issuer, tail);
	b.out[b.len] = '\0';
	*out = b.out;
	return APP_OK;
}
