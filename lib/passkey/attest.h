/*
 * attest.h: a registration ceremony's checks (WebAuthn Level 3, 7.1)
 * over its clientDataJSON and attestation object, giving what
 * passkeys_webauthncredential stores (SPEC-mfa-passkeys-social 2.3).
 *
 * Formats (SPEC 2.4): "none" with an empty attStmt, which is what the
 * options ask for (attestation "none"); and "packed" (8.2): self
 * attestation (no x5c: alg equal to the credential's, sig made with
 * the credential key), or with an x5c, whose first certificate's key
 * must have made sig. No x5c chain is checked against a root: upstream
 * passes no roots either (py_webauthn then skips the chain), nothing
 * here decides on what the authenticator is, and refusing x5c would
 * refuse keys a browser passes on unchanged. What is checked of it is
 * that each certificate is one DER X.509, the first not a CA and, if it
 * carries the FIDO AAGUID extension (1.3.6.1.4.1.45724.1.1.4), that it
 * names authData's AAGUID (8.2.1). Any other format is refused.
 */
#ifndef RESTAUTH_ATTEST_H
#define RESTAUTH_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "authdata.h"
#include "clientdata.h"

enum attest_fmt {
	ATTEST_NONE,
	ATTEST_PACKED_SELF,
	ATTEST_PACKED_X5C,
	ATTEST__MAX
};

/* A verified registration; attest_result_free releases it. */
struct attest_result {
	unsigned char *cred_id; /* credential_id, malloc'd */
	size_t cred_id_len;
	unsigned char *public_key; /* public_key column (cose.h), malloc'd */
	size_t public_key_len;
	uint32_t sign_count; /* sign_count column */
	unsigned flags; /* AUTHDATA_* of authData */
	unsigned char aaguid[AUTHDATA_AAGUID];
	int alg; /* COSE_ALG_* */
	enum attest_fmt fmt;
};

/*
 * Verify a registration: clientdata (cdlen bytes) against x (whose
 * type must be CLIENTDATA_CREATE), then the attestation object attobj
 * (alen bytes, at most LIMIT_PASSKEY_ATTOBJ): a strict CBOR map of
 * exactly "fmt", "attStmt" and "authData"; authData (authdata_parse)
 * with rpIdHash = SHA-256(rp_id), UP set, UV set when require_uv, AT
 * set; the credential key (cose_key_parse) ES256, EdDSA or RS256; the
 * statement as above. On APP_OK *out is filled (the caller calls
 * attest_result_free). APP_EINPUT when anything fails, with *why (if why
 * is not NULL) a static text for the log; APP_ENOMEM, APP_EINTERNAL.
 * *out is written only on APP_OK.
 */
enum app_err attest_verify(const struct clientdata_expect *x, const char *rp_id,
    bool require_uv, const unsigned char *clientdata, size_t cdlen,
    const unsigned char *attobj, size_t alen, struct attest_result *out,
    const char **why) APP_WUR;

/* Free what r holds (r may be half filled or zeroed), and zero it. */
void attest_result_free(struct attest_result *r);

#endif
