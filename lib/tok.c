#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
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

enum app_err
tok_salted_hmac(const char *salt, const char *secret, const void *value,
    size_t len, unsigned char mac[TOK_MAC_BYTES])
{
	unsigned char key[TOK_MAC_BYTES];
	unsigned int maclen = 0, klen = 0;
	EVP_MD_CTX *md;
	enum app_err er = APP_EINTERNAL;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return APP_ENOMEM;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, salt, strlen(salt)) != 1 ||
	    EVP_DigestUpdate(md, secret, strlen(secret)) != 1 ||
	    EVP_DigestFinal_ex(md, key, &klen) != 1 || klen != TOK_MAC_BYTES)
		goto out;
	if (HMAC(EVP_sha256(), key, sizeof(key), value, len, mac, &maclen) ==
		NULL ||
	    maclen != TOK_MAC_BYTES)
		goto out;
	er = APP_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_MD_CTX_free(md);
	return er;
}
