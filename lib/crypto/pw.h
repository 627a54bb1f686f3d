/*
 * pw.h: Django-compatible password hashing (django.contrib.auth.hashers)
 * and Django's PASSWORD_HASHERS rules.
 *
 * The hashers, by the algorithm name that starts an encoded hash, each in
 * Django's encoding byte for byte:
 *   argon2$argon2id$v=19$m=M,t=T,p=P$<salt>$<hash>     Argon2PasswordHasher
 *   pbkdf2_sha256$<iter>$<salt>$<base64 of 32 bytes>    PBKDF2PasswordHasher
 *   pbkdf2_sha1$<iter>$<salt>$<base64 of 20 bytes>      PBKDF2SHA1...
 *   bcrypt_sha256$$2b$<cost>$<22 salt><31 hash chars>   BCryptSHA256...
 *   bcrypt$$2b$<cost>$<22 salt><31 hash chars>          BCryptPasswordHasher
 *   scrypt$<N>$<salt>$<r>$<p>$<base64 of 64 bytes>      ScryptPasswordHasher
 * <salt> is 22 characters of [a-zA-Z0-9] (Django's get_random_string,
 * 128 bits); argon2 writes it and its hash as base64 without padding
 * (libargon2's PHC encoding), pbkdf2 and scrypt pad. bcrypt's salt is 16
 * random bytes in bcrypt's own base64 (python-bcrypt's gensalt).
 * bcrypt_sha256 is bcrypt of the 64 lower-case hex digits of the
 * password's SHA-256 (Django 3.2 and later); plain bcrypt sees only the
 * first 72 bytes of a password, as python-bcrypt truncates them.
 * Verification also takes argon2i/argon2d and argon2 without "v=" (0x10),
 * and $2a$/$2y$ bcrypt. md5, sha1, unsalted and crypt hashes are never
 * accepted.
 *
 * pw_params.hashers is Django's PASSWORD_HASHERS: hashers[0] makes every
 * new hash, the others only verify, and a hash of an algorithm not in the
 * list is refused like a wrong password. A hash is re-encoded exactly
 * when Django's check_password would call its setter.
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

/* Django's hashers, by algorithm name; the order of Django's docs. */
enum pw_algo {
	PW_ALGO_ARGON2, /* "argon2" */
	PW_ALGO_PBKDF2_SHA256, /* "pbkdf2_sha256" */
	PW_ALGO_PBKDF2_SHA1, /* "pbkdf2_sha1" */
	PW_ALGO_BCRYPT_SHA256, /* "bcrypt_sha256" */
	PW_ALGO_BCRYPT, /* "bcrypt" */
	PW_ALGO_SCRYPT, /* "scrypt" (Django 4.0 and later) */
	PW_ALGO__MAX
};

/* The module of Django's hasher classes. */
#define PW_DJANGO "django.contrib.auth.hashers."
/* The longest PASSWORD_HASHERS: each hasher once. */
#define PW_HASHERS_MAX PW_ALGO__MAX

/*
 * argon2 hash length: argon2-cffi's DEFAULT_HASH_LENGTH, which Django's
 * Argon2PasswordHasher writes and compares in must_update: 32 since
 * argon2-cffi 21.2, 16 before (Debian 12's python3-argon2 21.1). Above
 * 32 a hash at the largest costs would not fit varchar(128).
 */
#define PW_ARGON2_HASHLEN 32
#define PW_ARGON2_HASHLEN_MIN 16
#define PW_ARGON2_HASHLEN_MAX 32

/* SPEC 5 defaults for new hashes: OWASP's argon2id m=19 MiB, t=2, p=1. */
#define PW_TIME_COST_DEFAULT 2
#define PW_MEMORY_COST_DEFAULT 19456
#define PW_PARALLELISM_DEFAULT 1
/*
 * PBKDF2: Django 5.2's (the LTS in service) iterations, above OWASP's
 * 600,000 for PBKDF2-HMAC-SHA256. Django 3.2 has 260,000, 4.2 600,000:
 * beside those set PBKDF2_ITERATIONS, or each side re-hashes the other's.
 * RFC 8018, 4.2 asks for at least 1,000.
 */
#define PW_PBKDF2_ITERATIONS_DEFAULT 1000000
#define PW_PBKDF2_ITERATIONS_MIN 1000
/* bcrypt: Django's rounds (cost, log2 of the work); libcrypt's 4..31. */
#define PW_BCRYPT_ROUNDS_DEFAULT 12
#define PW_BCRYPT_ROUNDS_MIN 4
#define PW_BCRYPT_ROUNDS_MAX 31
/* scrypt: Django's N = 2^14, r = 8, p = 1 (16 MiB). */
#define PW_SCRYPT_WORK_FACTOR_DEFAULT 16384
#define PW_SCRYPT_BLOCK_SIZE_DEFAULT 8
#define PW_SCRYPT_PARALLELISM_DEFAULT 1
/* scrypt: p and N*r*p over 32 times Django's defaults are refused. */
#define PW_SCRYPT_P_MAX 16
#define PW_SCRYPT_WORK_MAX (UINT64_C(1) << 22)

/*
 * Ceilings on the work one stored hash may ask pw_verify for, so a
 * corrupt or hostile row cannot cost a login minutes or gigabytes.
 * They leave room above Django's own defaults (argon2 m=100 MiB, t=2,
 * p=8; pbkdf2 1,000,000 iterations; scrypt N=2^14, r=8, p=1; bcrypt 12:
 * cost 16 is 16 times that, about 4 s; cost 31 would be days).
 */
#define PW_VERIFY_MAX_MEMORY_DEFAULT (1024 * 1024) /* KiB: argon2 m, scrypt */
#define PW_VERIFY_MAX_TIME_DEFAULT 16 /* argon2 t */
#define PW_VERIFY_MAX_ITERATIONS_DEFAULT 10000000 /* pbkdf2 */
#define PW_VERIFY_MAX_BCRYPT_ROUNDS_DEFAULT 16 /* bcrypt cost */
/* argon2 lanes (= threads used); not configurable. */
#define PW_PARALLELISM_MAX 64

/*
 * PASSWORD_HASHERS and each hasher's parameters. A zero in any field
 * after parallelism means its default: the *_DEFAULT value, and for
 * hashers_len 0 restauth's default list (argon2, pbkdf2_sha256,
 * pbkdf2_sha1, bcrypt_sha256, scrypt); so a struct with only the argon2
 * costs set hashes argon2id as before. The parameters of hashers[0] make
 * new hashes and decide needs_rehash.
 *
 * The verify_max_* fields cap what pw_verify computes for a stored hash
 * (0: the PW_VERIFY_MAX_*_DEFAULT value); a cap never falls below the
 * configured cost, so hashes made with these params always verify.
 * Tests and the fuzzer lower the caps.
 */
struct pw_params {
	uint32_t time_cost; /* argon2 t, passes */
	uint32_t memory_cost; /* argon2 m, KiB */
	uint32_t parallelism; /* argon2 p, lanes */
	uint32_t hash_len; /* argon2 tag bytes */
	uint32_t pbkdf2_iterations; /* pbkdf2_sha256 and pbkdf2_sha1 */
	uint32_t bcrypt_rounds; /* bcrypt_sha256 and bcrypt */
	uint32_t scrypt_work_factor; /* N, a power of two */
	uint32_t scrypt_block_size; /* r */
	uint32_t scrypt_parallelism; /* p */
	enum pw_algo hashers[PW_HASHERS_MAX]; /* each at most once */
	size_t hashers_len;
	uint32_t verify_max_memory; /* KiB: argon2 m; scrypt's 128r(N+p+2) B */
	uint32_t verify_max_time; /* argon2 t */
	uint32_t verify_max_iterations; /* pbkdf2 iterations */
	uint32_t verify_max_bcrypt_rounds; /* bcrypt cost */
};

/* The algorithm name ("pbkdf2_sha256") of a; NULL if out of range. */
const char *pw_algo_name(enum pw_algo a);

/*
 * Django's dotted path of a's hasher class
 * ("django.contrib.auth.hashers.PBKDF2PasswordHasher"); NULL if out of
 * range.
 */
const char *pw_algo_path(enum pw_algo a);

/*
 * Check parameters, after the zero defaults: argon2 t >= 1,
 * 1 <= p <= PW_PARALLELISM_MAX, m >= 8 * p (libargon2's minimum),
 * hash_len within PW_ARGON2_HASHLEN_MIN..MAX; pbkdf2 iterations >= 1
 * (the config asks for PW_PBKDF2_ITERATIONS_MIN); bcrypt rounds within
 * PW_BCRYPT_ROUNDS_MIN..MAX; scrypt N a power of two >= 2,
 * 1 <= p <= PW_SCRYPT_P_MAX, r >= 1, N*r*p <= PW_SCRYPT_WORK_MAX and
 * N < 2^(16 r) (RFC 7914, 2); hashers known and none twice.
 * Returns APP_OK, or APP_EINPUT naming nothing: the caller says which
 * setting is wrong.
 */
enum app_err pw_params_check(const struct pw_params *) APP_WUR;

/*
 * Hash pw (pwlen bytes, any bytes, at most LIMIT_PASSWORD) with the first
 * hasher into out, NUL-terminated, at most PW_HASH_MAX - 1 chars.
 * out is written only on success.
 * Returns APP_OK; APP_EINPUT if pwlen > LIMIT_PASSWORD, or if the first
 * hasher is plain bcrypt and pw holds a NUL byte (python-bcrypt refuses
 * those too); APP_ENOMEM if memory ran out; APP_EINTERNAL if the params
 * fail pw_params_check, the CSPRNG fails or a library fails otherwise
 * (logged).
 */
enum app_err pw_hash(const struct pw_params *, const char *pw, size_t pwlen,
    char out[PW_HASH_MAX]) APP_WUR;

/*
 * Internal, exported for tests/unit/test_pw.c (Django's known answers):
 * pw_hash with the given salt instead of a random one. bcrypt takes the
 * first 16 characters as its raw salt bytes. Same returns as pw_hash.
 */
enum app_err pw_hash_salted(const struct pw_params *, const char *pw,
    size_t pwlen, const char salt[PW_SALT_CHARS],
    char out[PW_HASH_MAX]) APP_WUR;

/*
 * Check pw (pwlen bytes) against encoded, a NUL-terminated hash in one of
 * the formats above, as Django's check_password does. The parser is
 * strict: decimal numbers without sign or leading zero and within the
 * caps, canonical base64, no extra fields.
 * Returns APP_OK on a match, and then, if needs_rehash is not NULL, sets
 * *needs_rehash to 1 when Django's check_password would call its setter
 * and to 0 otherwise: 1 when the hash's algorithm is not hashers[0]'s, or
 * when hashers[0]'s must_update says so for a hash of its own:
 *   argon2: not argon2id v=19 with exactly these t, m, p and hash_len,
 *     or a salt shorter than PW_SALT_CHARS bytes;
 *   pbkdf2: other iterations, or a salt shorter than PW_SALT_CHARS
 *     characters (Django 3.2's must_update_salt);
 *   bcrypt: another cost;  scrypt: another N, r or p.
 * Returns APP_EAUTH on a mismatch, for NULL, "" and unusable ("!...")
 * hashes, hashes of an algorithm not in hashers, unknown or malformed
 * encodings, encodings over LIMIT_HASH chars, work over the verify caps,
 * and pwlen > LIMIT_PASSWORD; APP_ENOMEM if memory ran out;
 * APP_EINTERNAL if a library failed otherwise (logged). *needs_rehash is
 * untouched on failure.
 * When nothing could be hashed (unusable, unknown, malformed, over the
 * caps) it spends pw_dummy's hash before answering APP_EAUTH, so every
 * refusal costs at least one configured hash. A wrong password for a
 * hash of hashers[0]'s algorithm that must_update also runs Django's
 * harden_runtime (pbkdf2: the missing iterations; bcrypt: the missing
 * rounds), so its answer takes about as long as at the configured cost.
 */
enum app_err pw_verify(const struct pw_params *, const char *encoded,
    const char *pw, size_t pwlen, int *needs_rehash) APP_WUR;

/*
 * Spend what pw_hash spends with these params (the first hasher, its
 * costs, a fixed salt), for a user that does not exist, so the answer
 * takes as long as for a wrong password (SPEC 5; Django's
 * check_password runs make_password for the same reason).
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

/* The key derivations pw_work tells of. */
enum pw_kdf {
	PW_KDF_NONE = 0,
	PW_KDF_ARGON2,
	PW_KDF_PBKDF2,
	PW_KDF_BCRYPT,
	PW_KDF_SCRYPT
};

/*
 * The key derivations the calling thread has run, and the last one: its
 * kind and cost, {m, t, lanes} for argon2, {iterations, digest bytes}
 * for PBKDF2, {log2 rounds} for bcrypt, {N, r, p} for scrypt, other
 * entries 0. Internal, for tests/unit/test_pw.c: it shows that pw_dummy
 * and a refused hash run the very derivation a verify of a real hash
 * runs, which a timing cannot show reliably on a loaded machine.
 */
struct pw_work {
	unsigned long runs;
	enum pw_kdf kdf;
	uint32_t cost[3];
};
void pw_work(struct pw_work *out);

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
