/*
 * cose.h: credential public keys as COSE_Key (RFC 9052 7, RFC 9053 2
 * and 7; RFC 8230 for RSA) and their signatures, for the algorithms a
 * passkey uses: ES256 (-7: kty 2 EC2, crv 1 P-256), EdDSA (-8: kty 1
 * OKP, crv 6 Ed25519) and RS256 (-257: kty 3 RSA, PKCS#1 v1.5 with
 * SHA-256, LIMIT_PASSKEY_RSA_MIN_BITS..LIMIT_PASSKEY_RSA_BITS).
 *
 * The stored form. passkeys_webauthncredential.public_key holds what
 * py_webauthn returns as credential_public_key: cbor2.dumps(cbor2.loads(
 * the key's bytes in authenticatorData)) (SPEC-mfa-passkeys-social 2.3).
 * The strict CBOR of pkcbor.h is exactly the CBOR that survives that
 * round trip unchanged, so the bytes authdata_parse hands out as
 * cose_key are the stored form as they are, and a column Django wrote is
 * read back by cose_key_parse. cose_key_encode writes a key in the
 * order authenticators use (CTAP2 canonical: 1, 3, -1, -2, -3).
 */
#ifndef RESTAUTH_COSE_H
#define RESTAUTH_COSE_H

#include <stddef.h>

#include <openssl/evp.h>

#include "app.h"
#include "bounds.h"

#define COSE_ALG_ES256 (-7)
#define COSE_ALG_EDDSA (-8)
#define COSE_ALG_RS256 (-257)

/* The longest COSE key cose_key_encode writes (an RSA-4096 one). */
#define COSE_KEY_MAX (16 + LIMIT_PASSKEY_RSA_BITS / 8 + 8)

/*
 * buf (n bytes) as one COSE_Key: a strict CBOR map (pkcbor.h) with
 * integer labels kty (1), alg (3) and the key type's parameters and no
 * other label; alg agreeing with kty and crv as above; EC2 x and y of 32
 * bytes each, a point of P-256 (OpenSSL's public key check); OKP x of
 * 32 bytes; RSA n without leading zero of the allowed sizes and e odd,
 * at least 3, at most 8 bytes without leading zero. On APP_OK *alg is
 * the algorithm and *out a new key the caller frees (EVP_PKEY_free).
 * APP_EINPUT for anything else, APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err cose_key_parse(const unsigned char *buf, size_t n, int *alg,
    EVP_PKEY **out) APP_WUR;

/*
 * key as the COSE_Key of algorithm alg, into out (COSE_KEY_MAX bytes),
 * *outlen its length: the inverse of cose_key_parse for what it
 * accepts. APP_EINPUT when key is not of alg's type and size,
 * APP_EINTERNAL.
 */
enum app_err cose_key_encode(EVP_PKEY *key, int alg,
    unsigned char out[COSE_KEY_MAX], size_t *outlen) APP_WUR;

/*
 * Whether sig (siglen bytes) is key's signature of msg (msglen bytes)
 * under alg: ES256 an ASN.1 DER ECDSA-Sig-Value (as WebAuthn 6.5.5
 * has it), EdDSA the raw 64 bytes (RFC 8032), RS256 PKCS#1 v1.5. The key
 * must be of alg's type and size (a certificate's key is checked so
 * too). APP_OK, APP_EINPUT when it is not (a malformed signature
 * included), APP_ENOMEM.
 */
enum app_err cose_verify(EVP_PKEY *key, int alg, const unsigned char *sig,
    size_t siglen, const unsigned char *msg, size_t msglen) APP_WUR;

#endif
