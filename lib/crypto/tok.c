#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "codec.h"
#include "tok.h"

enum app_err
tok_hex_random(char *out, size_t n)
{
	unsigned char raw[64];

	if (n > sizeof(raw) || RAND_bytes(raw, (int)n) != 1)
		return APP_EINTERNAL;
	codec_hex_encode(raw, n, out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return APP_OK;
}

enum app_err
tok_random_string(const char *alphabet, char *out, size_t n)
{
	unsigned char raw[64];
	size_t i, k = strlen(alphabet);
	unsigned limit;

	if (n > sizeof(raw) || k < 2 || k > 255 ||
	    RAND_bytes(raw, (int)n) != 1)
		return APP_EINTERNAL;
	/* k need not divide 256: redraw the bytes that would bias. */
	limit = 256 - 256 % (unsigned)k;
	for (i = 0; i < n; i++) {
		while (raw[i] >= limit)
			if (RAND_bytes(&raw[i], 1) != 1)
				return APP_EINTERNAL;
		out[i] = alphabet[raw[i] % k];
	}
	out[n] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return APP_OK;
}

enum app_err
tok_key_new(char out[TOK_KEY_BYTES])
{
	return tok_hex_random(out, LIMIT_TOKEN_KEY / 2);
}
