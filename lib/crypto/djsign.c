/*
 * djsign.c: Django's salted_hmac, Signer and TimestampSigner (djsign.h),
 * over OpenSSL's SHA-256 and HMAC and codec.c's base64 and base62.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "codec.h"
#include "djsign.h"

/* Signer's key_salt is salt + "signer"; salts here are short constants. */
#define DJS_SALT_MAX 128

enum app_err
djs_salted_hmac(const char *salt, const char *secret, const void *value,
    size_t len, unsigned char mac[DJS_MAC_BYTES])
{
	unsigned char key[DJS_MAC_BYTES];
	unsigned int maclen = 0, klen = 0;
	EVP_MD_CTX *md;
	enum app_err er = APP_EINTERNAL;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return APP_ENOMEM;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, salt, strlen(salt)) != 1 ||
	    EVP_DigestUpdate(md, secret, strlen(secret)) != 1 ||
	    EVP_DigestFinal_ex(md, key, &klen) != 1 || klen != DJS_MAC_BYTES)
		goto out;
	if (HMAC(EVP_sha256(), key, sizeof(key), value, len, mac, &maclen) ==
		NULL ||
	    maclen != DJS_MAC_BYTES)
		goto out;
	er = APP_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_MD_CTX_free(md);
	return er;
}

enum app_err
djs_signature(const char *secret, const char *salt, const void *value,
    size_t len, char out[DJS_SIG_CHARS + 1])
{
	unsigned char mac[DJS_MAC_BYTES];
	char key_salt[DJS_SALT_MAX];
	enum app_err er;
	int n;

	n = snprintf(key_salt, sizeof(key_salt), "%ssigner", salt);
	if (n < 0 || (size_t)n >= sizeof(key_salt))
		return APP_EINTERNAL;
	if ((er = djs_salted_hmac(key_salt, secret, value, len, mac)) == APP_OK)
		er = codec_b64_encode(mac, sizeof(mac), CODEC_B64_URL, out,
		    DJS_SIG_CHARS + 1, NULL);
	OPENSSL_cleanse(mac, sizeof(mac));
	return er;
}

enum app_err
djs_sign(const char *secret, const char *salt, const char *value, size_t len,
    char **out)
{
	enum app_err er;
	char *res;

	if (len > SIZE_MAX / 2 ||
	    (res = malloc(len + 1 + DJS_SIG_CHARS + 1)) == NULL)
		return APP_ENOMEM;
	memcpy(res, value, len);
	res[len] = ':';
	if ((er = djs_signature(secret, salt, value, len, res + len + 1)) !=
	    APP_OK) {
		free(res);
		return er;
	}
	*out = res;
	return APP_OK;
}

enum app_err
djs_unsign(const char *secret, const char *salt, const char *s, size_t n,
    size_t *vlen)
{
	char sig[DJS_SIG_CHARS + 1];
	size_t sep;
	enum app_err er;

	/* value, sig = signed_value.rsplit(sep, 1) */
	for (sep = n; sep > 0 && s[sep - 1] != ':'; sep--)
		;
	if (sep-- == 0)
		return APP_EAUTH;
	if ((er = djs_signature(secret, salt, s, sep, sig)) != APP_OK)
		return er;
	if (n - sep - 1 != DJS_SIG_CHARS ||
	    CRYPTO_memcmp(sig, s + sep + 1, DJS_SIG_CHARS) != 0)
		return APP_EAUTH;
	*vlen = sep;
	return APP_OK;
}

enum app_err
djs_ts_sign(const char *secret, const char *salt, const char *value, size_t len,
    time_t now, char **out)
{
	char ts[CODEC_B62_BYTES], *res;
	size_t tlen, n;
	enum app_err er;

	tlen = codec_b62_encode(now < 0 ? 0 : (uint64_t)now, ts);
	n = len + 1 + tlen;
	if (len > SIZE_MAX / 2 ||
	    (res = malloc(n + 1 + DJS_SIG_CHARS + 1)) == NULL)
		return APP_ENOMEM;
	memcpy(res, value, len);
	res[len] = ':';
	memcpy(res + len + 1, ts, tlen);
	if ((er = djs_signature(secret, salt, res, n, res + n + 1)) != APP_OK) {
		free(res);
		return er;
	}
	res[n] = ':';
	*out = res;
	return APP_OK;
}

enum app_err
djs_ts_unsign(const char *secret, const char *salt, const char *s, size_t n,
    time_t now, long max_age, size_t *vlen, int64_t *ts)
{
	size_t sep2 = 0, sep1;
	uint64_t t;
	enum app_err er;

	if ((er = djs_unsign(secret, salt, s, n, &sep2)) != APP_OK)
		return er;
	/* TimestampSigner.unsign: value, ts = value.rsplit(sep, 1). */
	for (sep1 = sep2; sep1 > 0 && s[sep1 - 1] != ':'; sep1--)
		;
	if (sep1-- == 0 || sep2 - sep1 - 1 > DJS_TS_MAX_DIGITS ||
	    codec_b62_decode(s + sep1 + 1, sep2 - sep1 - 1, UINT64_MAX, &t) !=
		APP_OK)
		return APP_EAUTH;
	if (max_age >= 0 && (int64_t)t < (int64_t)now &&
	    (int64_t)now - (int64_t)t > max_age)
		return APP_EAUTH;
	*vlen = sep1;
	*ts = (int64_t)t;
	return APP_OK;
}
