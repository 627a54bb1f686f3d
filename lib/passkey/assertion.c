/*
 * assertion.c: authentication verification (assertion.h) over
 * clientdata.c, authdata.c and cose.c.
 */
#include <string.h>

#include <openssl/sha.h>

#include "assertion.h"
#include "authdata.h"
#include "cose.h"

static enum app_err
fail(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return APP_EINPUT;
}

enum app_err
assertion_verify(const struct clientdata_expect *x, const char *rp_id,
    bool require_uv, const unsigned char *clientdata, size_t cdlen,
    const unsigned char *authdata, size_t adlen, const unsigned char *sig,
    size_t siglen, const struct assertion_cred *cred,
    struct assertion_result *out, const char **why)
{
	unsigned char msg[LIMIT_PASSKEY_AUTHDATA + SHA256_DIGEST_LENGTH];
	struct authdata ad;
	EVP_PKEY *key = NULL;
	enum app_err er;
	uint32_t count;
	int alg;

	if (x->type != CLIENTDATA_GET)
		return APP_EINTERNAL;
	if ((er = clientdata_check(clientdata, cdlen, x, why)) != APP_OK)
		return er;
	if (authdata_parse(authdata, adlen, &ad) != APP_OK)
		return fail(why, "authenticatorData malformed");
	if ((er = authdata_rp_check(&ad, rp_id)) != APP_OK)
		return er == APP_EINPUT ? fail(why, "wrong rpIdHash") : er;
	if (!(ad.flags & AUTHDATA_UP))
		return fail(why, "user not present");
	if (require_uv && !(ad.flags & AUTHDATA_UV))
		return fail(why, "user not verified");
	if (ad.flags & AUTHDATA_AT)
		return fail(why, "attested credential data in an assertion");
	/* A stored key this build does not take (a Django deployment may
	 * have stored ES512 or PS256 ones) fails the login, not the server. */
	if ((er = cose_key_parse(cred->public_key, cred->public_key_len, &alg,
		 &key)) != APP_OK)
		return er == APP_EINPUT ? fail(why, "stored key not supported")
					: er;
	memcpy(msg, authdata, adlen);
	er = APP_EINTERNAL;
	if (SHA256(clientdata, cdlen, msg + adlen) == NULL)
		goto out;
	er = cose_verify(key, alg, sig, siglen, msg,
	    adlen + SHA256_DIGEST_LENGTH);
	if (er != APP_OK) {
		if (er == APP_EINPUT)
			fail(why, "bad signature");
		goto out;
	}
	count = ad.sign_count;
	if ((ad.flags & AUTHDATA_BE) && count == 0)
		count = cred->sign_count;
	else if ((count != 0 || cred->sign_count != 0) &&
	    count <= cred->sign_count) {
		out->counter_regressed = true;
		er = fail(why, "sign count did not grow");
		goto out;
	}
	out->sign_count = count;
	out->flags = ad.flags;
	out->counter_regressed = false;
	er = APP_OK;
out:
	EVP_PKEY_free(key);
	return er;
}
