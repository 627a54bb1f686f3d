/*
 * attest.c: registration verification (attest.h) over clientdata.c,
 * authdata.c, cose.c, and OpenSSL's X.509 for packed x5c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest.h"
#include "bounds.h"
#include "cose.h"
#include "pkcbor.h"

/* WebAuthn 8.2.1: id-fido-gen-ce-aaguid. */
#define OID_FIDO_AAGUID "1.3.6.1.4.1.45724.1.1.4"

static enum app_err
fail(const char **why, const char *text)
{
	if (why != NULL)
		*why = text;
	return APP_EINPUT;
}

/* The bytes of a definite byte string item, or NULL. */
static const unsigned char *
bstr(const cbor_item_t *it, size_t *len)
{
	if (it == NULL || !cbor_isa_bytestring(it) ||
	    !cbor_bytestring_is_definite(it))
		return NULL;
	*len = cbor_bytestring_length(it);
	return cbor_bytestring_handle(it);
}

/* One whole DER certificate, or NULL. */
static X509 *
der_cert(const cbor_item_t *it)
{
	const unsigned char *p, *b;
	size_t len;
	X509 *c;

	if ((b = bstr(it, &len)) == NULL || len == 0 ||
	    len > LIMIT_PASSKEY_CERT)
		return NULL;
	p = b;
	c = d2i_X509(NULL, &p, (long)len);
	if (c != NULL && p != b + len) {
		X509_free(c);
		c = NULL;
	}
	return c;
}

/* 8.2.1: the leaf is a version 3 certificate and no CA, and names
 * aaguid if it has the extension (an OCTET STRING wrapping the 16
 * bytes, not critical). */
static bool
leaf_ok(X509 *c, const unsigned char *aaguid)
{
	const ASN1_OCTET_STRING *v;
	ASN1_OCTET_STRING *inner = NULL;
	const unsigned char *p;
	X509_EXTENSION *ext;
	ASN1_OBJECT *oid;
	bool ok = false;
	int i;

	/* X509_check_ca says "no CA" for extensions OpenSSL cannot read:
	 * those are refused first. */
	if (X509_get_version(c) != X509_VERSION_3 ||
	    (X509_get_extension_flags(c) & EXFLAG_INVALID) ||
	    X509_check_ca(c) != 0)
		return false;
	if ((oid = OBJ_txt2obj(OID_FIDO_AAGUID, 1)) == NULL)
		return false;
	i = X509_get_ext_by_OBJ(c, oid, -1);
	ASN1_OBJECT_free(oid);
	if (i < 0)
		return true;
	if ((ext = X509_get_ext(c, i)) == NULL ||
	    X509_EXTENSION_get_critical(ext))
		return false;
	v = X509_EXTENSION_get_data(ext);
	p = ASN1_STRING_get0_data(v);
	inner = d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(v));
	if (inner != NULL &&
	    p == ASN1_STRING_get0_data(v) + ASN1_STRING_length(v) &&
	    ASN1_STRING_length(inner) == AUTHDATA_AAGUID &&
	    memcmp(ASN1_STRING_get0_data(inner), aaguid, AUTHDATA_AAGUID) == 0)
		ok = true;
	ASN1_OCTET_STRING_free(inner);
	return ok;
}

/*
 * The packed statement st (8.2) over msg (authData || clientDataHash),
 * for a credential key of algorithm alg; *fmt gets which kind.
 */
static enum app_err
packed(const cbor_item_t *st, EVP_PKEY *cred, int alg,
    const unsigned char *aaguid, const unsigned char *msg, size_t msglen,
    enum attest_fmt *fmt, const char **why)
{
	const cbor_item_t *x5c;
	cbor_item_t **certs;
	const unsigned char *sig;
	X509 *c, *leaf = NULL;
	enum app_err er;
	size_t siglen, i, nkeys;
	int64_t salg;

	x5c = pkcbor_map_str(st, "x5c");
	nkeys = x5c != NULL ? 3 : 2;
	if (cbor_map_size(st) != nkeys ||
	    !pkcbor_int(pkcbor_map_str(st, "alg"), &salg) ||
	    (sig = bstr(pkcbor_map_str(st, "sig"), &siglen)) == NULL)
		return fail(why, "packed attStmt malformed");
	if (x5c == NULL) {
		if (salg != alg)
			return fail(why, "packed alg is not the key's");
		*fmt = ATTEST_PACKED_SELF;
		er = cose_verify(cred, alg, sig, siglen, msg, msglen);
		return er == APP_EINPUT ? fail(why, "bad attestation signature")
					: er;
	}
	if (!cbor_isa_array(x5c) || cbor_array_size(x5c) == 0 ||
	    cbor_array_size(x5c) > LIMIT_PASSKEY_X5C ||
	    (salg != COSE_ALG_ES256 && salg != COSE_ALG_EDDSA &&
		salg != COSE_ALG_RS256))
		return fail(why, "packed x5c malformed");
	certs = cbor_array_handle(x5c);
	for (i = 0; i < cbor_array_size(x5c); i++) {
		if ((c = der_cert(certs[i])) == NULL) {
			X509_free(leaf);
			ERR_clear_error();
			return fail(why, "packed x5c certificate malformed");
		}
		if (i == 0)
			leaf = c;
		else
			X509_free(c);
	}
	*fmt = ATTEST_PACKED_X5C;
	er = APP_EINPUT;
	if (!leaf_ok(leaf, aaguid))
		fail(why, "packed x5c leaf certificate refused");
	else if ((er = cose_verify(X509_get0_pubkey(leaf), (int)salg, sig,
		      siglen, msg, msglen)) == APP_EINPUT)
		fail(why, "bad attestation signature");
	X509_free(leaf);
	ERR_clear_error();
	return er;
}

enum app_err
attest_verify(const struct clientdata_expect *x, const char *rp_id,
    bool require_uv, const unsigned char *clientdata, size_t cdlen,
    const unsigned char *attobj, size_t alen, struct attest_result *out,
    const char **why)
{
	struct attest_result r;
	struct authdata ad;
	cbor_item_t *root = NULL, *st;
	const unsigned char *adb;
	unsigned char *msg = NULL;
	EVP_PKEY *key = NULL;
	enum app_err er;
	size_t adlen;

	memset(&r, 0, sizeof(r));
	if (x->type != CLIENTDATA_CREATE)
		return APP_EINTERNAL;
	if ((er = clientdata_check(clientdata, cdlen, x, why)) != APP_OK)
		return er;
	if (alen > LIMIT_PASSKEY_ATTOBJ)
		return fail(why, "attestation object too long");
	if ((er = pkcbor_load(attobj, alen, &root)) != APP_OK) {
		if (er == APP_EINPUT)
			fail(why, "attestation object is not strict CBOR");
		return er;
	}
	er = fail(why, "attestation object malformed");
	st = pkcbor_map_str(root, "attStmt");
	if (!cbor_isa_map(root) || cbor_map_size(root) != 3 || st == NULL ||
	    !cbor_isa_map(st) ||
	    (adb = bstr(pkcbor_map_str(root, "authData"), &adlen)) == NULL ||
	    authdata_parse(adb, adlen, &ad) != APP_OK)
		goto out;
	if ((er = authdata_rp_check(&ad, rp_id)) != APP_OK) {
		if (er == APP_EINPUT)
			fail(why, "wrong rpIdHash");
		goto out;
	}
	er = APP_EINPUT;
	if (!(ad.flags & AUTHDATA_UP)) {
		fail(why, "user not present");
		goto out;
	}
	if (require_uv && !(ad.flags & AUTHDATA_UV)) {
		fail(why, "user not verified");
		goto out;
	}
	if (!(ad.flags & AUTHDATA_AT)) {
		fail(why, "no attested credential data");
		goto out;
	}
	if ((er = cose_key_parse(ad.cose_key, ad.cose_key_len, &r.alg, &key)) !=
	    APP_OK) {
		if (er == APP_EINPUT)
			fail(why, "credential public key refused");
		goto out;
	}
	if (pkcbor_str_is(pkcbor_map_str(root, "fmt"), "none")) {
		r.fmt = ATTEST_NONE;
		if (cbor_map_size(st) != 0) {
			er = fail(why, "none attStmt not empty");
			goto out;
		}
	} else if (pkcbor_str_is(pkcbor_map_str(root, "fmt"), "packed")) {
		er = APP_ENOMEM;
		if ((msg = malloc(adlen + SHA256_DIGEST_LENGTH)) == NULL)
			goto out;
		memcpy(msg, adb, adlen);
		er = APP_EINTERNAL;
		if (SHA256(clientdata, cdlen, msg + adlen) == NULL)
			goto out;
		if ((er = packed(st, key, r.alg, ad.aaguid, msg,
			 adlen + SHA256_DIGEST_LENGTH, &r.fmt, why)) != APP_OK)
			goto out;
	} else {
		er = fail(why, "attestation format not supported");
		goto out;
	}
	er = APP_ENOMEM;
	if ((r.cred_id = malloc(ad.cred_id_len)) == NULL ||
	    (r.public_key = malloc(ad.cose_key_len)) == NULL)
		goto out;
	memcpy(r.cred_id, ad.cred_id, ad.cred_id_len);
	r.cred_id_len = ad.cred_id_len;
	memcpy(r.public_key, ad.cose_key, ad.cose_key_len);
	r.public_key_len = ad.cose_key_len;
	r.sign_count = ad.sign_count;
	r.flags = ad.flags;
	memcpy(r.aaguid, ad.aaguid, AUTHDATA_AAGUID);
	*out = r;
	memset(&r, 0, sizeof(r));
	er = APP_OK;
out:
	attest_result_free(&r);
	EVP_PKEY_free(key);
	free(msg);
	if (root != NULL)
		cbor_decref(&root);
	return er;
}

void
attest_result_free(struct attest_result *r)
{
	if (r == NULL)
		return;
	free(r->cred_id);
	free(r->public_key);
	memset(r, 0, sizeof(*r));
}
