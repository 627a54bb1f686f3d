/*
 * recovery.h: dj-rest-auth's MFA recovery codes (SPEC-mfa 1.4), as its
 * RecoveryCodes derives and checks them. A seed of 32 random bytes is
 * stored as 64 lower-case hex digits; code i (0 <= i < count) is the
 * first 8 hex digits of HMAC-SHA256(key = the seed's bytes, msg =
 * str(i)) written "xxxx-xxxx"; used_mask has bit i set once code i was
 * used. count is MFA_RECOVERY_CODE_COUNT, applied when reading too, at
 * most LIMIT_MFA_RECOVERY_CODES (the bits of used_mask). No database:
 * the caller reads and writes the row.
 */
#ifndef RESTAUTH_RECOVERY_H
#define RESTAUTH_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "bounds.h"

#define RCODE_SEED_BYTES 32
#define RCODE_SEED_HEX (2 * RCODE_SEED_BYTES)
/* "xxxx-xxxx" */
#define RCODE_CHARS 9

/*
 * A new seed, os.urandom(32).hex(): 32 bytes of the CSPRNG (RAND_bytes)
 * as 64 lower-case hex digits and a NUL. APP_EINTERNAL if it fails.
 */
enum app_err rcode_seed_new(char out[RCODE_SEED_HEX + 1]) APP_WUR;

/*
 * Code i of seed (n bytes) and a NUL into out. APP_EINPUT for a seed that
 * is not 64 lower-case hex digits (upstream writes no other), APP_EINTERNAL
 * for i >= LIMIT_MFA_RECOVERY_CODES or an OpenSSL failure.
 */
enum app_err rcode_code(const char *seed, size_t n, unsigned i,
    char out[RCODE_CHARS + 1]) APP_WUR;

/*
 * The unused codes of seed among the first count, in index order, as
 * get_unused_codes lists them: into out, *nout of them. Errors as
 * rcode_code, and APP_EINTERNAL for count over LIMIT_MFA_RECOVERY_CODES;
 * *nout is written only on success. The caller wipes out.
 */
enum app_err rcode_unused(const char *seed, size_t n, unsigned count,
    uint64_t used_mask, char out[][RCODE_CHARS + 1], unsigned *nout) APP_WUR;

/*
 * Whether code (len bytes, as a client sent it) is an unused code of
 * seed among the first count, as RecoveryCodes.validate_code decides:
 * str.strip() (pystr_strip), then lower case, then equal to a code, the
 * hyphen required. Every code is derived and compared in constant time
 * (CRYPTO_memcmp), whatever matches. On success *index is the first
 * unused index that matched; the caller sets its bit in used_mask.
 * APP_EINPUT when it is not: a non-ASCII code is a plain no here
 * (upstream's compare_digest raises, a 500). Errors otherwise as
 * rcode_unused; *index is written only on success.
 */
enum app_err rcode_check(const char *seed, size_t n, unsigned count,
    uint64_t used_mask, const char *code, size_t len, unsigned *index) APP_WUR;

#endif
