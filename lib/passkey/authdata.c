/*
 * authdata.c: authenticatorData, strictly (authdata.h), over pkcbor.c's
 * walk and OpenSSL's SHA-256.
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "authdata.h"
#include "pkcbor.h"

/* Whether one strict CBOR map starts at buf[*pos] (n bytes in all);
 * then *item and *len are it and *pos is past it. */
static bool
map_at(const unsigned char *buf, size_t n, size_t *pos,
    const unsigned char **item, size_t *len)
{
	/* Major type 5 in the first byte. */
	if (*pos >= n || buf[*pos] >> 5 != 5 ||
	    pkcbor_check(buf + *pos, n - *pos, len) != APP_OK)
		return false;
	*item = buf + *pos;
	*pos += *len;
	return true;
}

enum app_err
authdata_parse(const unsigned char *buf, size_t n, struct authdata *out)
{
	struct authdata a;
	size_t pos;

	if (n < AUTHDATA_MIN || n > LIMIT_PASSKEY_AUTHDATA)
		return APP_EINPUT;
	memset(&a, 0, sizeof(a));
	a.rp_id_hash = buf;
	a.flags = buf[AUTHDATA_RPID_HASH];
	a.sign_count = (uint32_t)buf[33] << 24 | (uint32_t)buf[34] << 16 |
	    (uint32_t)buf[35] << 8 | buf[36];
	pos = AUTHDATA_MIN;
	if ((a.flags & AUTHDATA_BS) && !(a.flags & AUTHDATA_BE))
		return APP_EINPUT;
	if (a.flags & AUTHDATA_AT) {
		if (n - pos < AUTHDATA_AAGUID + 2)
			return APP_EINPUT;
		a.aaguid = buf + pos;
		pos += AUTHDATA_AAGUID;
		a.cred_id_len = (size_t)buf[pos] << 8 | buf[pos + 1];
		pos += 2;
		if (a.cred_id_len == 0 ||
		    a.cred_id_len > LIMIT_PASSKEY_CRED_ID ||
		    a.cred_id_len > n - pos)
			return APP_EINPUT;
		a.cred_id = buf + pos;
		pos += a.cred_id_len;
		if (!map_at(buf, n, &pos, &a.cose_key, &a.cose_key_len))
			return APP_EINPUT;
	}
	if ((a.flags & AUTHDATA_ED) &&
	    !map_at(buf, n, &pos, &a.ext, &a.ext_len))
		return APP_EINPUT;
	if (pos != n)
		return APP_EINPUT;
	*out = a;
	return APP_OK;
}

enum app_err
authdata_rp_check(const struct authdata *a, const char *rp_id)
{
	unsigned char h[SHA256_DIGEST_LENGTH];

	if (SHA256((const unsigned char *)rp_id, strlen(rp_id), h) == NULL)
		return APP_EINTERNAL;
	return CRYPTO_memcmp(h, a->rp_id_hash, sizeof(h)) == 0 ? APP_OK
							       : APP_EINPUT;
}
