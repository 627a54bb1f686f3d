/*
 * fuzz_passkey.c: libFuzzer target for the binary WebAuthn readers of
 * lib/passkey/: the strict CBOR walk and libcbor behind it (pkcbor.c),
 * authenticatorData (authdata.c), COSE keys (cose.c) and whole
 * attestation objects (attest.c). The first byte picks the reader, the
 * rest is its input. What is accepted must hold together: a strict CBOR
 * item is what libcbor writes back byte for byte, a parsed authData
 * covers its input exactly, a COSE key read is written and read again
 * as the same algorithm, a verified registration's key reads back.
 * Seeds: tests/unit/gen_passkey.py --seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "authdata.h"
#include "cose.h"
#include "pkcbor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The origin and challenge gen_passkey.py's registrations use. */
static char *const origins[] = { "https://example.com" };

static void
check_cbor(const uint8_t *d, size_t n)
{
	unsigned char *again = NULL;
	cbor_item_t *it = NULL;
	size_t len = 0, size = 0, wrote;

	if (pkcbor_check(d, n, &len) != APP_OK)
		return;
	if (len == 0 || len > n || pkcbor_load(d, len, &it) != APP_OK)
		__builtin_trap();
	wrote = cbor_serialize_alloc(it, &again, &size);
	if (wrote != len || memcmp(again, d, len) != 0)
		__builtin_trap();
	free(again);
	cbor_decref(&it);
}

static void
check_authdata(const uint8_t *d, size_t n)
{
	struct authdata a;
	size_t sum;

	if (authdata_parse(d, n, &a) != APP_OK)
		return;
	sum = AUTHDATA_MIN + a.cose_key_len + a.ext_len;
	if (a.flags & AUTHDATA_AT)
		sum += AUTHDATA_AAGUID + 2 + a.cred_id_len;
	if (sum != n || a.rp_id_hash != d ||
	    (a.cred_id != NULL && a.cred_id + a.cred_id_len != a.cose_key) ||
	    (a.ext != NULL && a.ext + a.ext_len != d + n))
		__builtin_trap();
}

static void
check_cose(const uint8_t *d, size_t n)
{
	unsigned char enc[COSE_KEY_MAX];
	EVP_PKEY *key = NULL, *again = NULL;
	size_t len;
	int alg, alg2;

	if (cose_key_parse(d, n, &alg, &key) != APP_OK)
		return;
	if (cose_key_encode(key, alg, enc, &len) != APP_OK ||
	    cose_key_parse(enc, len, &alg2, &again) != APP_OK || alg2 != alg ||
	    EVP_PKEY_eq(key, again) != 1)
		__builtin_trap();
	EVP_PKEY_free(key);
	EVP_PKEY_free(again);
}

static void
check_attest(const uint8_t *d, size_t n)
{
	/* {"type":"webauthn.create","challenge":b64url(CH),...}: the
	 * challenge gen_passkey.py uses, so that seeds get past it. */
	static const char cdata[] =
	    "{\"type\":\"webauthn.create\",\"challenge\":\"AwoRGB8mLTQ7QklQV1"
	    "5lbHN6gYiPlp2kq7K5wMfO1dzj6vH4_wYNFBsiKTA3PkVMU1phaG92fYSLkpmgp6"
	    "61vA\",\"origin\":\"https://example.com\",\"crossOrigin\":false}";
	unsigned char ch[64];
	struct clientdata_expect x = { CLIENTDATA_CREATE, ch, sizeof(ch),
		origins, 1 };
	struct attest_result r;
	EVP_PKEY *key = NULL;
	enum app_err er;
	unsigned i;
	int alg;

	for (i = 0; i < sizeof(ch); i++)
		ch[i] = (unsigned char)(i * 7 + 3);
	memset(&r, 0, sizeof(r));
	er = attest_verify(&x, "example.com", false,
	    (const unsigned char *)cdata, sizeof(cdata) - 1, d, n, &r, NULL);
	if (er != APP_OK) {
		if (er != APP_EINPUT || r.cred_id != NULL)
			__builtin_trap();
		return;
	}
	if (cose_key_parse(r.public_key, r.public_key_len, &alg, &key) !=
		APP_OK ||
	    alg != r.alg || r.cred_id_len == 0 ||
	    r.cred_id_len > LIMIT_PASSKEY_CRED_ID)
		__builtin_trap();
	EVP_PKEY_free(key);
	attest_result_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size - 1 > LIMIT_PASSKEY_ATTOBJ)
		return 0;
	switch (data[0] % 4) {
	case 0:
		check_cbor(data + 1, size - 1);
		break;
	case 1:
		check_authdata(data + 1, size - 1);
		break;
	case 2:
		check_cose(data + 1, size - 1);
		break;
	default:
		check_attest(data + 1, size - 1);
		break;
	}
	return 0;
}
