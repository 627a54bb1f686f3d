/*
 * authdata.h: WebAuthn's authenticatorData (WebAuthn Level 3, 6.1),
 * read strictly: rpIdHash, flags, signCount, the attested credential
 * data (AAGUID, credential ID, COSE public key) when AT is set, the
 * extensions map when ED is set, and nothing after them. The COSE key
 * and the extensions are strict CBOR (pkcbor.h), so the key's bytes are
 * already the form passkeys_webauthncredential.public_key stores
 * (cose.h).
 */
#ifndef RESTAUTH_AUTHDATA_H
#define RESTAUTH_AUTHDATA_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "bounds.h"

/* Flags (6.1): user present, user verified, backup eligible, backed up,
 * attested credential data, extension data. Bits 1 and 5 are reserved
 * and ignored, as the specification says. */
#define AUTHDATA_UP 0x01u
#define AUTHDATA_UV 0x04u
#define AUTHDATA_BE 0x08u
#define AUTHDATA_BS 0x10u
#define AUTHDATA_AT 0x40u
#define AUTHDATA_ED 0x80u

#define AUTHDATA_RPID_HASH 32
#define AUTHDATA_AAGUID 16
/* rpIdHash, flags and the 4-byte signCount. */
#define AUTHDATA_MIN (AUTHDATA_RPID_HASH + 1 + 4)

/* A parsed authenticatorData: every pointer points into the buffer
 * read, which must outlive it. */
struct authdata {
	const unsigned char *rp_id_hash; /* AUTHDATA_RPID_HASH bytes */
	unsigned flags;
	uint32_t sign_count;
	/* With AUTHDATA_AT, else NULL and 0. */
	const unsigned char *aaguid; /* AUTHDATA_AAGUID bytes */
	const unsigned char *cred_id;
	size_t cred_id_len; /* 1..LIMIT_PASSKEY_CRED_ID */
	const unsigned char *cose_key; /* one strict CBOR map */
	size_t cose_key_len;
	/* With AUTHDATA_ED, else NULL and 0: one strict CBOR map. */
	const unsigned char *ext;
	size_t ext_len;
};

/*
 * Parse buf (n bytes, at most LIMIT_PASSKEY_AUTHDATA) into *out.
 * APP_EINPUT for: too short or too long; BS without BE (6.1.3); AT with
 * an empty, over-long or truncated credential ID, or a COSE key that is
 * not one strict CBOR map; ED without one strict CBOR map; any byte
 * after what the flags announce. Only what the bytes are is checked
 * here (not the key itself: cose.h). *out is written only on APP_OK.
 */
enum app_err authdata_parse(const unsigned char *buf, size_t n,
    struct authdata *out) APP_WUR;

/*
 * Whether a's rpIdHash is SHA-256 of rp_id (NUL-terminated; 7.1 step
 * 13, 7.2 step 15): APP_OK, APP_EINPUT when not, APP_EINTERNAL if
 * OpenSSL fails.
 */
enum app_err authdata_rp_check(const struct authdata *a,
    const char *rp_id) APP_WUR;

#endif
