#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "tok.h"

enum app_err
tok_hex_random(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t i;

	if (n > sizeof(raw) || RAND_bytes(raw, (int)n) != 1)
		return APP_EINTERNAL;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * n] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return APP_OK;
}

enum app_err
tok_key_new(char out[TOK_KEY_BYTES])
{
	return tok_hex_random(out, LIMIT_TOKEN_KEY / 2);
}
