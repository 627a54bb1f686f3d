/*
 * recovery.c: dj-rest-auth's recovery codes (recovery.h), over OpenSSL's
 * HMAC-SHA256 and RAND_bytes, codec.c's hex and pystr.c's str.strip().
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "codec.h"
#include "pystr.h"
#include "recovery.h"

/* Digits of the largest index, LIMIT_MFA_RECOVERY_CODES - 1, and a NUL. */
#define RCODE_INDEX_BYTES 4

enum app_err
rcode_seed_new(char out[RCODE_SEED_HEX + 1])
{
	unsigned char raw[RCODE_SEED_BYTES];

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return APP_EINTERNAL;
	}
	codec_hex_encode(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return APP_OK;
}

/* bytes.fromhex(seed), of the one form upstream writes. */
static enum app_err
seed_key(const char *seed, size_t n, unsigned char key[RCODE_SEED_BYTES])
{
	size_t klen = 0;

	if (n != RCODE_SEED_HEX ||
	    codec_hex_decode(seed, n, key, RCODE_SEED_BYTES, &klen) != APP_OK)
		return APP_EINPUT;
	return APP_OK;
}

/* Code i under key. */
static enum app_err
derive(const unsigned char key[RCODE_SEED_BYTES], unsigned i,
    char out[RCODE_CHARS + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char msg[RCODE_INDEX_BYTES], hex[9];
	unsigned int maclen = 0;
	int k;

	if (i >= LIMIT_MFA_RECOVERY_CODES)
		return APP_EINTERNAL;
	k = snprintf(msg, sizeof(msg), "%u", i);
	if (k < 0 || (size_t)k >= sizeof(msg))
		return APP_EINTERNAL;
	if (HMAC(EVP_sha256(), key, RCODE_SEED_BYTES, (unsigned char *)msg,
		(size_t)k, mac, &maclen) == NULL ||
	    maclen != 32) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return APP_EINTERNAL;
	}
	/* hexdigest()[:8]: the first four bytes. */
	codec_hex_encode(mac, 4, hex);
	memcpy(out, hex, 4);
	out[4] = '-';
	memcpy(out + 5, hex + 4, 4);
	out[RCODE_CHARS] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(hex, sizeof(hex));
	return APP_OK;
}

enum app_err
rcode_code(const char *seed, size_t n, unsigned i, char out[RCODE_CHARS + 1])
{
	unsigned char key[RCODE_SEED_BYTES];
	enum app_err er;

	if ((er = seed_key(seed, n, key)) == APP_OK)
		er = derive(key, i, out);
	OPENSSL_cleanse(key, sizeof(key));
	return er;
}

enum app_err
rcode_unused(const char *seed, size_t n, unsigned count, uint64_t used_mask,
    char out[][RCODE_CHARS + 1], unsigned *nout)
{
	unsigned char key[RCODE_SEED_BYTES];
	unsigned i, o = 0;
	enum app_err er;

	if (count > LIMIT_MFA_RECOVERY_CODES)
		return APP_EINTERNAL;
	if ((er = seed_key(seed, n, key)) != APP_OK)
		goto out;
	for (i = 0; i < count; i++) {
		if (used_mask >> i & 1)
			continue;
		if ((er = derive(key, i, out[o])) != APP_OK)
			goto out;
		o++;
	}
	*nout = o;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return er;
}

enum app_err
rcode_check(const char *seed, size_t n, unsigned count, uint64_t used_mask,
    const char *code, size_t len, unsigned *index)
{
	unsigned char key[RCODE_SEED_BYTES];
	char got[RCODE_CHARS], want[RCODE_CHARS + 1];
	const char *s;
	unsigned i, found = 0, hit, unused, first = 0;
	enum app_err er;
	size_t k;

	if (count > LIMIT_MFA_RECOVERY_CODES)
		return APP_EINTERNAL;
	if ((er = seed_key(seed, n, key)) != APP_OK)
		goto out;
	/*
	 * code.strip().lower(). Codes are ASCII: a non-ASCII byte matches
	 * none, so upstream's TypeError is a plain no.
	 */
	s = pystr_strip(code, &len);
	memset(got, 0, sizeof(got));
	for (k = 0; k < len && k < sizeof(got); k++)
		got[k] = s[k] >= 'A' && s[k] <= 'Z' ? (char)(s[k] - 'A' + 'a')
						    : s[k];
	for (i = 0; i < count; i++) {
		if ((er = derive(key, i, want)) != APP_OK)
			goto out;
		/* No branch on a comparison: the first unused match wins. */
		hit = (unsigned)(CRYPTO_memcmp(want, got, RCODE_CHARS) == 0);
		unused = (unsigned)(~used_mask >> i & 1);
		hit &= unused & (found ^ 1);
		first |= (0u - hit) & i;
		found |= hit;
	}
	er = APP_EINPUT;
	if (found && len == RCODE_CHARS) {
		*index = first;
		er = APP_OK;
	}
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(got, sizeof(got));
	OPENSSL_cleanse(want, sizeof(want));
	return er;
}
