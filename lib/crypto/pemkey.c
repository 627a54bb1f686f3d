/*
 * pemkey.c: simplejwt's RS and ES key pairs from PEM, checked once
 * (pemkey.h).
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "pemkey.h"

static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1; /* encrypted keys are refused, never prompted for */
}

/* The curve ES256/ES384/ES512 sign on (RFC 7518 3.4); NID_undef else. */
static int
curve_for(const char *alg)
{
	if (strcmp(alg, "ES256") == 0)
		return NID_X9_62_prime256v1;
	if (strcmp(alg, "ES384") == 0)
		return NID_secp384r1;
	if (strcmp(alg, "ES512") == 0)
		return NID_secp521r1;
	return NID_undef;
}

static int
curve_of(const EVP_PKEY *pk)
{
	char name[80];
	size_t len;
	int nid;

	if (EVP_PKEY_get_group_name(pk, name, sizeof(name), &len) != 1)
		return NID_undef;
	if ((nid = OBJ_sn2nid(name)) == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid;
}

/* The key in pem (NULL when it is none); APP_ENOMEM. */
static enum app_err
read_pem(const char *pem, bool private, EVP_PKEY **pk)
{
	BIO *bio;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return APP_ENOMEM;
	*pk = private ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
		      : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	return APP_OK;
}

enum app_err
pemkey_pair(const char *alg, const char *sk, const char *vk, EVP_PKEY **priv,
    EVP_PKEY **pub, char *err, size_t errsz)
{
	bool rsa = alg[0] == 'R';
	int type = rsa ? EVP_PKEY_RSA : EVP_PKEY_EC, nid = curve_for(alg);
	const char *kind = rsa ? "RSA" : "EC";

	*priv = *pub = NULL;
	if (sk == NULL || *sk == '\0')
		return app_einput(err, errsz,
		    "SIMPLE_JWT.SIGNING_KEY: required for %s (a PEM private "
		    "key)",
		    alg);
	if (vk == NULL || *vk == '\0')
		return app_einput(err, errsz,
		    "SIMPLE_JWT.VERIFYING_KEY: required for %s (a PEM public "
		    "key)",
		    alg);
	if (read_pem(sk, true, priv) != APP_OK)
		return APP_ENOMEM;
	if (*priv == NULL || EVP_PKEY_get_base_id(*priv) != type ||
	    (!rsa && curve_of(*priv) != nid)) {
		EVP_PKEY_free(*priv);
		*priv = NULL;
		ERR_clear_error();
		return app_einput(err, errsz,
		    "SIMPLE_JWT.SIGNING_KEY: expected an unencrypted PEM %s "
		    "private key%s for %s",
		    kind, rsa ? "" : " on the algorithm's curve", alg);
	}
	if (read_pem(vk, false, pub) != APP_OK) {
		EVP_PKEY_free(*priv);
		*priv = NULL;
		return APP_ENOMEM;
	}
	if (*pub == NULL || EVP_PKEY_get_base_id(*pub) != type ||
	    EVP_PKEY_eq(*priv, *pub) != 1) {
		bool other = *pub != NULL && EVP_PKEY_get_base_id(*pub) == type;

		EVP_PKEY_free(*priv);
		EVP_PKEY_free(*pub);
		*priv = *pub = NULL;
		ERR_clear_error();
		if (other)
			return app_einput(err, errsz,
			    "SIMPLE_JWT.VERIFYING_KEY: does not match "
			    "SIMPLE_JWT.SIGNING_KEY");
		return app_einput(err, errsz,
		    "SIMPLE_JWT.VERIFYING_KEY: expected a PEM %s public key "
		    "for %s",
		    kind, alg);
	}
	return APP_OK;
}
