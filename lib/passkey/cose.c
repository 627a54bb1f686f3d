/*
 * cose.c: COSE_Key to and from OpenSSL 3 keys, and signature checks
 * (cose.h), over pkcbor.c and libcbor's items.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "cose.h"
#include "pkcbor.h"

/* RFC 9052 7.1, RFC 9053 7.1/7.2, RFC 8230 4: labels and values. */
#define LBL_KTY 1
#define LBL_ALG 3
#define LBL_CRV (-1) /* EC2, OKP */
#define LBL_X (-2) /* EC2, OKP */
#define LBL_Y (-3) /* EC2 */
#define LBL_N (-1) /* RSA */
#define LBL_E (-2) /* RSA */
#define KTY_OKP 1
#define KTY_EC2 2
#define KTY_RSA 3
#define CRV_P256 1
#define CRV_ED25519 6
#define COORD 32
/* RFC 8230 allows any e; ours is 8 bytes at most (65537 takes 3). */
#define RSA_E_MAX 8

/* A byte string's bytes, when item is one of min..max bytes. */
static const unsigned char *
bytes(const cbor_item_t *item, size_t min, size_t max, size_t *len)
{
	if (item == NULL || !cbor_isa_bytestring(item) ||
	    !cbor_bytestring_is_definite(item))
		return NULL;
	*len = cbor_bytestring_length(item);
	if (*len < min || *len > max)
		return NULL;
	return cbor_bytestring_handle(item);
}

/*
 * A new key of type name ("EC", "RSA") from params. An EC point is
 * checked (on the curve, not the point at infinity: SEC 1 3.2.2.1); an
 * RSA modulus is not, as OpenSSL's check (SP 800-56B) would run
 * Miller-Rabin on it at every login: a wrong one only fails signatures.
 */
static enum app_err
from_params(const char *name, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *key = NULL;
	enum app_err er = APP_EINTERNAL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	er = APP_EINPUT;
	if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	if (strcmp(name, "EC") == 0 &&
	    ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL ||
		EVP_PKEY_public_check(chk) != 1))
		goto out;
	*out = key;
	key = NULL;
	er = APP_OK;
out:
	ERR_clear_error();
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return er;
}

static enum app_err
ec2_key(const cbor_item_t *m, EVP_PKEY **out)
{
	unsigned char pt[1 + 2 * COORD];
	const unsigned char *x, *y;
	OSSL_PARAM_BLD *bld;
	enum app_err er = APP_EINTERNAL;
	int64_t crv;
	size_t xl, yl;

	if (!pkcbor_int(pkcbor_map_int(m, LBL_CRV), &crv) || crv != CRV_P256 ||
	    (x = bytes(pkcbor_map_int(m, LBL_X), COORD, COORD, &xl)) == NULL ||
	    (y = bytes(pkcbor_map_int(m, LBL_Y), COORD, COORD, &yl)) == NULL)
		return APP_EINPUT;
	/* SEC 1 2.3.3: an uncompressed point. */
	pt[0] = 0x04;
	memcpy(pt + 1, x, COORD);
	memcpy(pt + 1 + COORD, y, COORD);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return APP_ENOMEM;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
		"prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
		sizeof(pt)) == 1)
		er = from_params("EC", bld, out);
	OSSL_PARAM_BLD_free(bld);
	return er;
}

static enum app_err
okp_key(const cbor_item_t *m, EVP_PKEY **out)
{
	const unsigned char *x;
	EVP_PKEY *key;
	int64_t crv;
	size_t xl;

	if (!pkcbor_int(pkcbor_map_int(m, LBL_CRV), &crv) ||
	    crv != CRV_ED25519 ||
	    (x = bytes(pkcbor_map_int(m, LBL_X), COORD, COORD, &xl)) == NULL)
		return APP_EINPUT;
	key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xl);
	ERR_clear_error();
	if (key == NULL)
		return APP_EINPUT;
	*out = key;
	return APP_OK;
}

static enum app_err
rsa_key(const cbor_item_t *m, EVP_PKEY **out)
{
	const unsigned char *n, *e;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	enum app_err er = APP_EINPUT;
	size_t nl, el;

	if ((n = bytes(pkcbor_map_int(m, LBL_N), LIMIT_PASSKEY_RSA_MIN_BITS / 8,
		 LIMIT_PASSKEY_RSA_BITS / 8, &nl)) == NULL ||
	    (e = bytes(pkcbor_map_int(m, LBL_E), 1, RSA_E_MAX, &el)) == NULL ||
	    n[0] == 0 || e[0] == 0 || !(e[el - 1] & 1) || (el == 1 && e[0] < 3))
		return APP_EINPUT;
	er = APP_ENOMEM;
	if ((bn = BN_bin2bn(n, (int)nl, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)el, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	er = APP_EINPUT;
	/* 2048 bits at least: the top byte of 256 must be >= 0x80. */
	if (BN_num_bits(bn) < LIMIT_PASSKEY_RSA_MIN_BITS)
		goto out;
	er = APP_EINTERNAL;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1)
		er = from_params("RSA", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return er;
}

enum app_err
cose_key_parse(const unsigned char *buf, size_t n, int *alg, EVP_PKEY **out)
{
	cbor_item_t *m = NULL;
	struct cbor_pair *p;
	enum app_err er;
	int64_t kty, a, lbl, lowest;
	size_t i;

	if ((er = pkcbor_load(buf, n, &m)) != APP_OK)
		return er;
	er = APP_EINPUT;
	if (!cbor_isa_map(m) || !pkcbor_int(pkcbor_map_int(m, LBL_KTY), &kty) ||
	    !pkcbor_int(pkcbor_map_int(m, LBL_ALG), &a))
		goto out;
	/* Only the labels of the key type (pkcbor refused duplicates). */
	lowest = kty == KTY_EC2 ? LBL_Y : kty == KTY_OKP ? LBL_X : LBL_E;
	p = cbor_map_handle(m);
	for (i = 0; i < cbor_map_size(m); i++)
		if (!pkcbor_int(p[i].key, &lbl) ||
		    (lbl != LBL_KTY && lbl != LBL_ALG &&
			(lbl > -1 || lbl < lowest)))
			goto out;
	if (kty == KTY_EC2 && a == COSE_ALG_ES256)
		er = ec2_key(m, out);
	else if (kty == KTY_OKP && a == COSE_ALG_EDDSA)
		er = okp_key(m, out);
	else if (kty == KTY_RSA && a == COSE_ALG_RS256)
		er = rsa_key(m, out);
	if (er == APP_OK)
		*alg = (int)a;
out:
	cbor_decref(&m);
	return er;
}

/* Whether key is of alg's type and size. */
static bool
key_fits(EVP_PKEY *key, int alg)
{
	char grp[32];
	int bits;

	switch (alg) {
	case COSE_ALG_ES256:
		return EVP_PKEY_is_a(key, "EC") &&
		    EVP_PKEY_get_utf8_string_param(key,
			OSSL_PKEY_PARAM_GROUP_NAME, grp, sizeof(grp),
			NULL) == 1 &&
		    strcmp(grp, "prime256v1") == 0;
	case COSE_ALG_EDDSA:
		return EVP_PKEY_is_a(key, "ED25519");
	case COSE_ALG_RS256:
		bits = EVP_PKEY_get_bits(key);
		return EVP_PKEY_is_a(key, "RSA") &&
		    bits >= LIMIT_PASSKEY_RSA_MIN_BITS &&
		    bits <= LIMIT_PASSKEY_RSA_BITS;
	default:
		return false;
	}
}

/* The head of a CBOR item, major type major, argument v (shortest). */
static size_t
put_head(unsigned char *o, unsigned major, uint64_t v)
{
	unsigned char mt = (unsigned char)(major << 5);

	if (v < 24) {
		o[0] = mt | (unsigned char)v;
		return 1;
	}
	if (v <= 0xff) {
		o[0] = mt | 24;
		o[1] = (unsigned char)v;
		return 2;
	}
	o[0] = mt | 25; /* keys and their parts are under 64 KiB */
	o[1] = (unsigned char)(v >> 8);
	o[2] = (unsigned char)v;
	return 3;
}

/* An integer (major type 0 or 1). */
static size_t
put_int(unsigned char *o, int64_t v)
{
	return v >= 0 ? put_head(o, 0, (uint64_t)v)
		      : put_head(o, 1, (uint64_t)(-1 - v));
}

/* A byte string. */
static size_t
put_bytes(unsigned char *o, const unsigned char *b, size_t n)
{
	size_t h = put_head(o, 2, n);

	memcpy(o + h, b, n);
	return h + n;
}

/* A BIGNUM parameter of key as big-endian bytes without leading zeros. */
static int
get_bn(EVP_PKEY *key, const char *name, unsigned char *out, size_t max)
{
	BIGNUM *bn = NULL;
	int n = -1;

	if (EVP_PKEY_get_bn_param(key, name, &bn) == 1 &&
	    (size_t)BN_num_bytes(bn) <= max)
		n = BN_bn2bin(bn, out);
	BN_free(bn);
	return n;
}

/*
 * A COSE_Key {1: kty, 3: alg, -1: crv (when crv > 0), then the byte
 * strings b[0..nb) under the next labels down}, in that order.
 */
static size_t
put_key(unsigned char *o, int kty, int alg, int crv,
    const unsigned char *const *b, const size_t *bl, size_t nb)
{
	int64_t lbl = -1;
	size_t n, i;

	n = put_head(o, 5, 2 + (crv > 0) + nb);
	n += put_int(o + n, LBL_KTY);
	n += put_int(o + n, kty);
	n += put_int(o + n, LBL_ALG);
	n += put_int(o + n, alg);
	if (crv > 0) {
		n += put_int(o + n, lbl--);
		n += put_int(o + n, crv);
	}
	for (i = 0; i < nb; i++) {
		n += put_int(o + n, lbl--);
		n += put_bytes(o + n, b[i], bl[i]);
	}
	return n;
}

enum app_err
cose_key_encode(EVP_PKEY *key, int alg, unsigned char out[COSE_KEY_MAX],
    size_t *outlen)
{
	unsigned char pt[1 + 2 * COORD], nb[LIMIT_PASSKEY_RSA_BITS / 8],
	    eb[RSA_E_MAX];
	const unsigned char *b[2];
	size_t bl[2], len = sizeof(pt);
	int nl, el;

	if (!key_fits(key, alg))
		return APP_EINPUT;
	switch (alg) {
	case COSE_ALG_ES256:
		if (EVP_PKEY_get_octet_string_param(key,
			OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len) != 1 ||
		    len != sizeof(pt) || pt[0] != 0x04)
			return APP_EINTERNAL;
		b[0] = pt + 1;
		b[1] = pt + 1 + COORD;
		bl[0] = bl[1] = COORD;
		*outlen = put_key(out, KTY_EC2, alg, CRV_P256, b, bl, 2);
		break;
	case COSE_ALG_EDDSA:
		len = COORD;
		if (EVP_PKEY_get_raw_public_key(key, pt, &len) != 1 ||
		    len != COORD)
			return APP_EINTERNAL;
		b[0] = pt;
		bl[0] = COORD;
		*outlen = put_key(out, KTY_OKP, alg, CRV_ED25519, b, bl, 1);
		break;
	default: /* COSE_ALG_RS256 */
		if ((nl = get_bn(key, OSSL_PKEY_PARAM_RSA_N, nb, sizeof(nb))) <=
			0 ||
		    (el = get_bn(key, OSSL_PKEY_PARAM_RSA_E, eb, sizeof(eb))) <=
			0)
			return APP_EINPUT;
		b[0] = nb;
		b[1] = eb;
		bl[0] = (size_t)nl;
		bl[1] = (size_t)el;
		*outlen = put_key(out, KTY_RSA, alg, 0, b, bl, 2);
		break;
	}
	ERR_clear_error();
	return APP_OK;
}

enum app_err
cose_verify(EVP_PKEY *key, int alg, const unsigned char *sig, size_t siglen,
    const unsigned char *msg, size_t msglen)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	enum app_err er = APP_EINPUT;

	if (!key_fits(key, alg) || siglen == 0 || siglen > LIMIT_PASSKEY_SIG)
		goto out0;
	if ((md = EVP_MD_CTX_new()) == NULL) {
		er = APP_ENOMEM;
		goto out0;
	}
	if (EVP_DigestVerifyInit(md, &pctx,
		alg == COSE_ALG_EDDSA ? NULL : EVP_sha256(), NULL, key) != 1)
		goto out;
	if (alg == COSE_ALG_RS256 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	if (EVP_DigestVerify(md, sig, siglen, msg, msglen) == 1)
		er = APP_OK;
out:
	EVP_MD_CTX_free(md);
out0:
	ERR_clear_error();
	return er;
}
