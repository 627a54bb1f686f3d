/*
 * assertion.h: an authentication ceremony's checks (WebAuthn Level 3,
 * 7.2) with a stored credential. (Not assert.h: lib/passkey/ is on the
 * include path, and would hide the C library's.)
 *
 * The sign count (6.1.1; SPEC-mfa-passkeys-social 2.4 step 9, 4.2):
 * upstream refuses any count that does not grow once either side is
 * non-zero. A credential that may be synced (BE set) reports 0 from
 * every device (Apple, Google), so there a 0 is accepted and the stored
 * count kept; any other count, and every count of a device-bound
 * credential (BE clear), must grow past the stored one when either is
 * non-zero, or the assertion is refused: a sign of a cloned
 * authenticator, which the caller logs.
 */
#ifndef RESTAUTH_ASSERTION_H
#define RESTAUTH_ASSERTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "clientdata.h"

/* A stored credential, as passkeys_webauthncredential holds it. */
struct assertion_cred {
	const unsigned char *public_key; /* the COSE key (cose.h) */
	size_t public_key_len;
	uint32_t sign_count;
};

/* What a verified assertion tells. */
struct assertion_result {
	uint32_t sign_count; /* the count to store */
	unsigned flags; /* AUTHDATA_* of authData */
	bool counter_regressed; /* set on that refusal only */
};

/*
 * Verify an assertion: clientdata (cdlen bytes) against x (type
 * CLIENTDATA_GET); authdata (adlen bytes, authdata_parse) with rpIdHash
 * = SHA-256(rp_id), UP set, UV set when require_uv, AT clear (an
 * assertion carries no new credential); sig (siglen bytes) the
 * signature of authdata || SHA-256(clientdata) by cred's key under its
 * algorithm (cose_verify); then the sign count as above. On APP_OK
 * *out has the count to store and the flags. APP_EINPUT when anything
 * fails, *why (if why is not NULL) a static text for the log, and
 * out->counter_regressed set (the rest of *out untouched) when the
 * count alone refused it; APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err assertion_verify(const struct clientdata_expect *x,
    const char *rp_id, bool require_uv, const unsigned char *clientdata,
    size_t cdlen, const unsigned char *authdata, size_t adlen,
    const unsigned char *sig, size_t siglen, const struct assertion_cred *cred,
    struct assertion_result *out, const char **why) APP_WUR;

#endif
