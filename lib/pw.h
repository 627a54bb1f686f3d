/*
 * pw.h: Django-compatible password hashing (django.contrib.auth.hashers).
 *
 * New hashes are Django's Argon2PasswordHasher format with argon2id:
 *   argon2$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
 * where the salt is 22 characters from [a-zA-Z0-9] (Django's
 * get_random_string, 128 bits) whose ASCII bytes are the argon2 salt, and
 * <salt>/<hash> are standard base64 without padding (libargon2's PHC
 * encoding) of the salt bytes and of the 32-byte hash.
 *
 * pw_verify also accepts what Django stores for its other maintained
 * hashers, so a database shared with Django keeps working:
 *   argon2$argon2{id,i,d}$[v=19$]m=M,t=T,p=P$<salt>$<hash>  (no v=: 0x10)
 *   pbkdf2_sha256$<iter>$<salt>$<base64 of 32 bytes, padded>
 *   pbkdf2_sha1$<iter>$<salt>$<base64 of 20 bytes, padded>
 *   scrypt$<N>$<salt>$<r>$<p>$<base64 of 64 bytes, padded>
 * Everything else (bcrypt, md5, sha1, unsalted, crypt) is refused.
 *
 * Argon2's working memory is mmap'd and munmap'd per hash, so a
 * long-running FastCGI process returns it to the OS (glibc's malloc
 * would keep ~19 MiB in its heap after the first login). No function
 * keeps state between calls; all are safe to call from any thread.
 */
#ifndef RESTAUTH_PW_H
#define RESTAUTH_PW_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "bounds.h"

/* An encoded hash and its NUL: Django's password column is varchar(128). */
#define PW_HASH_MAX (LIMIT_HASH + 1)
/* Django's salt: ceil(128 bits / log2(62)) characters of [a-zA-Z0-9]. */
#define PW_SALT_CHARS 22
/* Django's (argon2-cffi >= 21.2) argon2 hash length. */
#define PW_ARGON2_HASHLEN 32

/* SPEC 5 defaults for new hashes: OWASP's argon2id m=19 MiB, t=2, p=1. */
#define PW_TIME_COST_DEFAULT 2
#define PW_MEMORY_COST_DEFAULT 19456
#define PW_PARALLELISM_DEFAULT 1

/*
 * Ceilings on the work one stored hash may ask pw_verify for, so a
 * corrupt or hostile row cannot cost a login minutes or gigabytes.
 * They leave room above Django's own defaults (argon2 m=100 MiB, t=2,
 * p=8; pbkdf2 1,000,000 iterations; scrypt N=2^14, r=8, p=1).
 */
#define PW_VERIFY_MAX_MEMORY_DEFAULT (1024 * 1024) /* KiB: argon2 m, scrypt */
#define PW_VERIFY_MAX_TIME_DEFAULT 16 /* argon2 t */
#define PW_VERIFY_MAX_ITERATIONS_DEFAULT 10000000 /* pbkdf2 */
/* argon2 lanes (= threads used); not configurable. */
#define PW_PARALLELISM_MAX 64

/*
 * Cost parameters. The first three choose new hashes and decide
 * needs_rehash. The verify_max_* fields cap what pw_verify computes for a
 * stored hash: 0 means the PW_VERIFY_MAX_*_DEFAULT value (so a struct
 * with only the first three set gets the defaults), and the memory and
 * time caps never fall below memory_cost and time_cost, so hashes made
 * with these params always verify. Tests and the fuzzer lower the caps.
 */
struct pw_params {
	uint32_t time_cost; /* argon2 t, passes */
	uint32_t memory_cost; /* argon2 m, KiB */
	uint32_t parallelism; /* argon2 p, lanes */
	uint32_t verify_max_memory; /* KiB: argon2 m; scrypt's 128r(N+p+2) B */
	uint32_t verify_max_time; /* argon2 t */
	uint32_t verify_max_iterations; /* pbkdf2 iterations */
};

/*
 * Check parameters for new hashes, e.g. from the config: t >= 1,
 * 1 <= p <= PW_PARALLELISM_MAX and m >= 8 * p (libargon2's minimum).
 * Returns APP_OK, or APP_EINPUT naming nothing: the caller says which
 * setting is wrong.
 */
enum app_err pw_params_check(const struct pw_params *) APP_WUR;

/*
 * Hash pw (pwlen bytes, any bytes, at most LIMIT_PASSWORD) into a new
 * argon2id string in out, NUL-terminated, at most PW_HASH_MAX - 1 chars.
 * out is written only on success.
 * Returns APP_OK; APP_EINPUT if pwlen > LIMIT_PASSWORD; APP_ENOMEM if the
 * working memory could not be mapped; APP_EINTERNAL if the params fail
 * pw_params_check, the CSPRNG fails or libargon2 fails otherwise (logged).
 */
enum app_err pw_hash(const struct pw_params *, const char *pw, size_t pwlen,
    char out[PW_HASH_MAX]) APP_WUR;

/*
 * Check pw (pwlen bytes) against encoded, a NUL-terminated hash in one of
 * the formats above. The parser is strict: decimal numbers without sign
 * or leading zero and within the caps, canonical base64, no extra fields.
 * Returns APP_OK on a match, and then, if needs_rehash is not NULL, sets
 * *needs_rehash to 1 when Django's check_password would call its setter
 * (the hash is not argon2id v=19 with exactly these t, m and p, or its
 * hash is not PW_ARGON2_HASHLEN bytes, or its salt is shorter than
 * PW_SALT_CHARS bytes: Django's must_update) and to 0 otherwise.
 * Returns APP_EAUTH on a mismatch, for NULL, "" and unusable ("!...")
 * hashes, unknown or malformed encodings, encodings over LIMIT_HASH
 * chars, work over the verify caps, and pwlen > LIMIT_PASSWORD;
 * APP_ENOMEM if memory ran out; APP_EINTERNAL if libargon2 or OpenSSL
 * failed otherwise (logged). *needs_rehash is untouched on failure.
 * When nothing could be hashed (unusable, unknown, malformed, over the
 * caps) it spends pw_dummy's hash before answering APP_EAUTH, so every
 * refusal costs at least one configured hash.
 */
enum app_err pw_verify(const struct pw_params *, const char *encoded,
    const char *pw, size_t pwlen, int *needs_rehash) APP_WUR;

/*
 * Spend what pw_verify spends on a hash made with these params (one
 * argon2id with t, m, p and a fixed salt), for a user that does not
 * exist, so the answer takes as long as for a wrong password (SPEC 5).
 * Failures are ignored: there is nothing to report.
 */
void pw_dummy(const struct pw_params *, const char *pw, size_t pwlen);

/*
 * 0 for NULL, "" and Django's unusable passwords ("!" followed by
 * anything, set_unusable_password()), else 1. The string is not parsed.
 * Note: Django >= 2.1's is_password_usable says 1 for NULL and "".
 */
int pw_usable(const char *encoded);

/* Argon2 variants, numbered as libargon2's argon2_type. */
enum pw_argon2_type {
	PW_ARGON2D = 0,
	PW_ARGON2I = 1,
	PW_ARGON2ID = 2,
	PW_ARGON2__MAX
};

/* Inputs of one raw argon2 computation (RFC 9106, 3.1). */
struct pw_argon2 {
	enum pw_argon2_type type;
	uint32_t version; /* 0x10 or 0x13 */
	uint32_t t_cost; /* passes */
	uint32_t m_cost; /* KiB */
	uint32_t lanes; /* also the number of threads */
	const void *pw; /* may be NULL if pwlen is 0; same for the rest */
	size_t pwlen;
	const void *salt; /* at least 8 bytes */
	size_t saltlen;
	const void *secret; /* RFC 9106 K */
	size_t secretlen;
	const void *ad; /* RFC 9106 X */
	size_t adlen;
};

/* Largest tag pw_argon2_raw produces. */
#define PW_ARGON2_OUT_MAX 64

/*
 * Internal, exported for tests/unit/test_pw.c (RFC 9106 test vectors):
 * the argon2 tag of outlen bytes (4 .. PW_ARGON2_OUT_MAX) for in, computed
 * by libargon2's argon2_ctx with the mmap allocator pw_hash uses. Applies
 * none of pw_params' caps: only callers that chose the costs may call it.
 * out is written only on success.
 * Returns APP_OK; APP_EINPUT if libargon2 refuses the inputs (short salt,
 * bad version or type, m < 8 * lanes, ...); APP_ENOMEM if the memory could
 * not be mapped; APP_EINTERNAL on any other libargon2 failure (threads).
 */
enum app_err pw_argon2_raw(const struct pw_argon2 *in, uint8_t *out,
    size_t outlen) APP_WUR;

#endif
