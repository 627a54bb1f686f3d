/*
 * pw.c: Django-compatible password hashing; see pw.h for the formats.
 *
 * Verification recomputes the digest from the stored parameters and
 * compares raw digests with CRYPTO_memcmp on equal lengths. Django
 * compares the re-encoded strings instead; requiring canonical decimal
 * and base64 here makes the two accept exactly the same strings. bcrypt
 * compares the whole 60-character string libcrypt returns, as Django
 * does with python-bcrypt's.
 *
 * pw_verify follows Django's check_password step by step: identify the
 * hasher by the algorithm name (only hashers in the list answer), fake
 * the runtime with the first hasher when there is none, re-hash when the
 * hasher is not the first or the first one's must_update says so, and
 * run harden_runtime for a wrong password that must_update.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "app.h"
#include "bounds.h"
#include "codec.h"
#include "log.h"
#include "pw.h"

_Static_assert((int)PW_ARGON2D == (int)Argon2_d, "argon2 type numbering");
_Static_assert((int)PW_ARGON2I == (int)Argon2_i, "argon2 type numbering");
_Static_assert((int)PW_ARGON2ID == (int)Argon2_id, "argon2 type numbering");
_Static_assert(LIMIT_PASSWORD <= INT32_MAX, "PKCS5_PBKDF2_HMAC takes int");

/* Fields of an encoded hash: scrypt and argon2 with v= have six. */
#define PW_FIELDS_MAX 6
/* Decoded salt or digest: more than fits in LIMIT_HASH base64 chars. */
#define PW_BIN_MAX 96
/* Decimal digits of the largest uint32_t. */
#define PW_U32_DIGITS 10
/* libargon2 refuses salts and tags shorter than these (argon2.h). */
#define PW_ARGON2_SALT_MIN 8
#define PW_ARGON2_OUT_MIN 4
/* Django's scrypt dklen, and its pbkdf2 dklen (the digest size). */
#define PW_SCRYPT_DKLEN 64
#define PW_SHA256_LEN 32
#define PW_SHA1_LEN 20
/* bcrypt: "$2b$12$" and 53 characters; 22 of them the salt (16 bytes),
 * the raw salt crypt_gensalt_rn takes; bcrypt's key limit and its NUL. */
#define PW_BCRYPT_LEN 60
#define PW_BCRYPT_DATA 53
#define PW_BCRYPT_RAW_SALT 16
#define PW_BCRYPT_KEY_MAX 72
/* Django's unusable-password prefix (hashers.UNUSABLE_PASSWORD_PREFIX). */
#define PW_UNUSABLE_PREFIX '!'

/* A byte range of the encoded string; not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

/* A parsed argon2 hash. */
struct argon2_enc {
	enum pw_argon2_type type;
	uint32_t version, m, t, p;
	uint8_t salt[PW_BIN_MAX];
	size_t saltlen;
	uint8_t hash[PW_BIN_MAX];
	size_t hashlen;
};

/* Each hasher's algorithm name and Django's class, by enum pw_algo. */
static const struct {
	const char *name;
	const char *path;
} algos[PW_ALGO__MAX] = {
	[PW_ALGO_ARGON2] = { "argon2", PW_DJANGO "Argon2PasswordHasher" },
	[PW_ALGO_PBKDF2_SHA256] = { "pbkdf2_sha256",
	    PW_DJANGO "PBKDF2PasswordHasher" },
	[PW_ALGO_PBKDF2_SHA1] = { "pbkdf2_sha1",
	    PW_DJANGO "PBKDF2SHA1PasswordHasher" },
	[PW_ALGO_BCRYPT_SHA256] = { "bcrypt_sha256",
	    PW_DJANGO "BCryptSHA256PasswordHasher" },
	[PW_ALGO_BCRYPT] = { "bcrypt", PW_DJANGO "BCryptPasswordHasher" },
	[PW_ALGO_SCRYPT] = { "scrypt", PW_DJANGO "ScryptPasswordHasher" },
};

/* PASSWORD_HASHERS when hashers_len is 0: restauth's own default. */
static const enum pw_algo default_hashers[] = { PW_ALGO_ARGON2,
	PW_ALGO_PBKDF2_SHA256, PW_ALGO_PBKDF2_SHA1, PW_ALGO_BCRYPT_SHA256,
	PW_ALGO_SCRYPT };

/* A fixed salt for pw_dummy: the cost does not depend on its value. */
static const char dummy_salt[PW_SALT_CHARS + 1] = "restauthdummysalt00000";

/* What pw_work reports: per thread, so no function shares state. */
static _Thread_local struct pw_work work;

static void
work_note(enum pw_kdf kdf, uint32_t a, uint32_t b, uint32_t c)
{
	work.runs++;
	work.kdf = kdf;
	work.cost[0] = a;
	work.cost[1] = b;
	work.cost[2] = c;
}

void
pw_work(struct pw_work *out)
{
	*out = work;
}

static int
span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

/*
 * Split s on '$' into at most PW_FIELDS_MAX fields. Returns the number of
 * fields, or 0 if there are more.
 */
static size_t
split_fields(const char *s, size_t len, struct span f[PW_FIELDS_MAX])
{
	size_t i, nf = 0, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '$')
			continue;
		if (nf == PW_FIELDS_MAX)
			return 0;
		f[nf].p = s + start;
		f[nf].n = i - start;
		nf++;
		start = i + 1;
	}
	return nf;
}

/* A canonical decimal: digits, no sign, no leading zero, <= UINT32_MAX. */
static int
parse_u32(struct span s, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.n == 0 || s.n > PW_U32_DIGITS)
		return -1;
	if (s.p[0] == '0' && s.n > 1)
		return -1;
	for (i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* s must be "<key>=<u32>". */
static int
parse_kv(struct span s, char key, uint32_t *out)
{
	struct span v;

	if (s.n < 2 || s.p[0] != key || s.p[1] != '=')
		return -1;
	v.p = s.p + 2;
	v.n = s.n - 2;
	return parse_u32(v, out);
}

/*
 * Django's hashes hold standard base64, padded (pbkdf2, scrypt) or not
 * (argon2), decoded strictly (codec.h): one accepted text per hash.
 */
static int
b64_decode(struct span s, unsigned flags, uint8_t *out, size_t outsz,
    size_t *outlen)
{
	return codec_b64_decode(s.p, s.n, flags, out, outsz, outlen) == APP_OK
	    ? 0
	    : -1;
}

/*
 * libargon2's allocator hooks: map the working memory and unmap it, so
 * it goes back to the OS after every hash. libargon2 wipes it before
 * calling the free hook, and ignores our return value: it checks
 * *memory for NULL.
 *
 * Fresh memory costs a page fault per 4 KiB page touched (4,864 for the
 * default 19 MiB, about a quarter of the hash time), so the mapping is
 * aligned to and sized in 2 MiB units and asked for transparent huge
 * pages: ten faults instead. Where THP is off, madvise fails and nothing
 * else changes.
 */
#define PW_HUGE ((size_t)2 << 20)

static size_t
huge_round(size_t len)
{
	return len > SIZE_MAX - (PW_HUGE - 1) ? 0 :
						(len + PW_HUGE - 1) & ~(PW_HUGE - 1);
}

static int
argon2_mmap(uint8_t **memory, size_t len)
{
	size_t size = huge_round(len);
	uintptr_t start, aligned;
	void *p;

	*memory = NULL;
	if (size == 0 || size > SIZE_MAX - PW_HUGE)
		return ARGON2_MEMORY_ALLOCATION_ERROR;
	/* Over-map by one huge page, then trim to an aligned window. */
	p = mmap(NULL, size + PW_HUGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return ARGON2_MEMORY_ALLOCATION_ERROR;
	start = (uintptr_t)p;
	aligned = (start + PW_HUGE - 1) & ~(uintptr_t)(PW_HUGE - 1);
	if (aligned > start)
		(void)munmap(p, aligned - start);
	if (start + PW_HUGE > aligned)
		(void)munmap((void *)(aligned + size),
		    start + PW_HUGE - aligned);
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)aligned, size, MADV_HUGEPAGE);
#endif
	*memory = (uint8_t *)aligned;
	return ARGON2_OK;
}

static void
argon2_munmap(uint8_t *memory, size_t len)
{
	if (memory != NULL && munmap(memory, huge_round(len)) == -1)
		log_warn("pw: munmap");
}

enum app_err
pw_argon2_raw(const struct pw_argon2 *in, uint8_t *out, size_t outlen)
{
	argon2_context ctx;
	uint8_t tag[PW_ARGON2_OUT_MAX];
	int rc;

	if (outlen < PW_ARGON2_OUT_MIN || outlen > PW_ARGON2_OUT_MAX ||
	    (unsigned int)in->type >= PW_ARGON2__MAX ||
	    in->pwlen > UINT32_MAX || in->saltlen > UINT32_MAX ||
	    in->secretlen > UINT32_MAX || in->adlen > UINT32_MAX)
		return APP_EINPUT;
	/* argon2_ctx accepts any version; argon2_verify only these two. */
	if (in->version != ARGON2_VERSION_10 &&
	    in->version != ARGON2_VERSION_13)
		return APP_EINPUT;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = tag;
	ctx.outlen = (uint32_t)outlen;
	/* libargon2 takes non-const pointers; flags 0: it writes none. */
	ctx.pwd = (uint8_t *)(uintptr_t)in->pw;
	ctx.pwdlen = (uint32_t)in->pwlen;
	ctx.salt = (uint8_t *)(uintptr_t)in->salt;
	ctx.saltlen = (uint32_t)in->saltlen;
	ctx.secret = (uint8_t *)(uintptr_t)in->secret;
	ctx.secretlen = (uint32_t)in->secretlen;
	ctx.ad = (uint8_t *)(uintptr_t)in->ad;
	ctx.adlen = (uint32_t)in->adlen;
	ctx.t_cost = in->t_cost;
	ctx.m_cost = in->m_cost;
	ctx.lanes = in->lanes;
	ctx.threads = in->lanes;
	ctx.version = in->version;
	ctx.allocate_cbk = argon2_mmap;
	ctx.free_cbk = argon2_munmap;
	ctx.flags = ARGON2_DEFAULT_FLAGS;

	work_note(PW_KDF_ARGON2, in->m_cost, in->t_cost, in->lanes);
	rc = argon2_ctx(&ctx, (argon2_type)in->type);
	switch (rc) {
	case ARGON2_OK:
		memcpy(out, tag, outlen);
		OPENSSL_cleanse(tag, sizeof(tag));
		return APP_OK;
	case ARGON2_MEMORY_ALLOCATION_ERROR:
		return APP_ENOMEM;
	case ARGON2_THREAD_FAIL:
		log_warnx("pw: argon2: %s", argon2_error_message(rc));
		return APP_EINTERNAL;
	default:
		return APP_EINPUT;
	}
}

/*
 * Caps on a stored hash: the verify_max_* value (0: the default), but
 * never below the configured cost, so our own hashes always verify.
 */
static uint32_t
cap(uint32_t v, uint32_t dflt, uint32_t configured)
{
	if (v == 0)
		v = dflt;
	return v > configured ? v : configured;
}

/* argon2 bounds: libargon2's minimums, our lane limit, and the caps. */
static int
argon2_costs_ok(const struct pw_params *pp, uint32_t m, uint32_t t, uint32_t p)
{
	if (t < 1 ||
	    t > cap(pp->verify_max_time, PW_VERIFY_MAX_TIME_DEFAULT,
		    pp->time_cost))
		return 0;
	if (p < 1 || p > PW_PARALLELISM_MAX)
		return 0;
	if (m < 8 * p ||
	    m > cap(pp->verify_max_memory, PW_VERIFY_MAX_MEMORY_DEFAULT,
		    pp->memory_cost))
		return 0;
	return 1;
}

/*
 * scrypt's rules (RFC 7914, 2: N a power of two > 1, r >= 1, p >= 1;
 * OpenSSL's N < 2^(16 r)) and our work limit, before any memory cap.
 */
static int
scrypt_shape_ok(uint32_t n, uint32_t r, uint32_t p)
{
	if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 ||
	    p > PW_SCRYPT_P_MAX)
		return 0;
	if (r < 2 && n >= (UINT32_C(1) << 16))
		return 0;
	return (uint64_t)n * r * p <= PW_SCRYPT_WORK_MAX;
}

/* What EVP_PBE_scrypt allocates: B (128 r p) and V (128 r (N + 2)). */
static uint64_t
scrypt_mem(uint32_t n, uint32_t r, uint32_t p)
{
	return UINT64_C(128) * r * ((uint64_t)n + 2 + p);
}

/* pp with every zero default filled in (see struct pw_params). */
static void
resolve(const struct pw_params *in, struct pw_params *pp)
{
	*pp = *in;
	if (pp->hash_len == 0)
		pp->hash_len = PW_ARGON2_HASHLEN;
	if (pp->pbkdf2_iterations == 0)
		pp->pbkdf2_iterations = PW_PBKDF2_ITERATIONS_DEFAULT;
	if (pp->bcrypt_rounds == 0)
		pp->bcrypt_rounds = PW_BCRYPT_ROUNDS_DEFAULT;
	if (pp->scrypt_work_factor == 0)
		pp->scrypt_work_factor = PW_SCRYPT_WORK_FACTOR_DEFAULT;
	if (pp->scrypt_block_size == 0)
		pp->scrypt_block_size = PW_SCRYPT_BLOCK_SIZE_DEFAULT;
	if (pp->scrypt_parallelism == 0)
		pp->scrypt_parallelism = PW_SCRYPT_PARALLELISM_DEFAULT;
	if (pp->hashers_len == 0) {
		memcpy(pp->hashers, default_hashers, sizeof(default_hashers));
		pp->hashers_len =
		    sizeof(default_hashers) / sizeof(default_hashers[0]);
	}
}

/* pw_params_check on a resolved struct: 1 if fine. */
static int
params_ok(const struct pw_params *pp)
{
	uint32_t t = pp->time_cost, m = pp->memory_cost, p = pp->parallelism;
	size_t i, j;

	if (t < 1 || p < 1 || p > PW_PARALLELISM_MAX || m < 8 * p)
		return 0;
	if (pp->hash_len < PW_ARGON2_HASHLEN_MIN ||
	    pp->hash_len > PW_ARGON2_HASHLEN_MAX)
		return 0;
	if (pp->pbkdf2_iterations < 1 || pp->pbkdf2_iterations > INT32_MAX)
		return 0;
	if (pp->bcrypt_rounds < PW_BCRYPT_ROUNDS_MIN ||
	    pp->bcrypt_rounds > PW_BCRYPT_ROUNDS_MAX)
		return 0;
	if (!scrypt_shape_ok(pp->scrypt_work_factor, pp->scrypt_block_size,
		pp->scrypt_parallelism))
		return 0;
	if (pp->hashers_len < 1 || pp->hashers_len > PW_HASHERS_MAX)
		return 0;
	for (i = 0; i < pp->hashers_len; i++) {
		if ((unsigned int)pp->hashers[i] >= PW_ALGO__MAX)
			return 0;
		for (j = 0; j < i; j++)
			if (pp->hashers[j] == pp->hashers[i])
				return 0;
	}
	return 1;
}

enum app_err
pw_params_check(const struct pw_params *in)
{
	struct pw_params pp;

	resolve(in, &pp);
	return params_ok(&pp) ? APP_OK : APP_EINPUT;
}

const char *
pw_algo_name(enum pw_algo a)
{
	return (unsigned int)a < PW_ALGO__MAX ? algos[a].name : NULL;
}

const char *
pw_algo_path(enum pw_algo a)
{
	return (unsigned int)a < PW_ALGO__MAX ? algos[a].path : NULL;
}

/* 22 characters of [a-zA-Z0-9], uniformly (Django get_random_string). */
static enum app_err
salt_make(char salt[PW_SALT_CHARS])
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[2 * PW_SALT_CHARS];
	size_t i, n = 0;

	while (n < PW_SALT_CHARS) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			log_warnx("pw: RAND_bytes failed");
			OPENSSL_cleanse(rnd, sizeof(rnd));
			return APP_EINTERNAL;
		}
		/* 248 = 4 * 62: taking bytes below it keeps % 62 unbiased. */
		for (i = 0; i < sizeof(rnd) && n < PW_SALT_CHARS; i++)
			if (rnd[i] < 248)
				salt[n++] = alnum[rnd[i] % 62];
	}
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return APP_OK;
}

/* printf into out, all or nothing: APP_EINTERNAL if it does not fit. */
static enum app_err emit(char out[PW_HASH_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum app_err
emit(char out[PW_HASH_MAX], const char *fmt, ...)
{
	char buf[PW_HASH_MAX];
	va_list ap;
	int n, fits;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((fits = n >= 0 && (size_t)n < sizeof(buf)))
		memcpy(out, buf, (size_t)n + 1);
	OPENSSL_cleanse(buf, sizeof(buf));
	return fits ? APP_OK : APP_EINTERNAL;
}

/* The argon2 tag of pw under the given costs, hashlen bytes. */
static enum app_err
argon2_tag(enum pw_argon2_type type, uint32_t version, uint32_t t, uint32_t m,
    uint32_t p, const char *pw, size_t pwlen, const void *salt,
    size_t saltlen, uint8_t *tag, size_t hashlen)
{
	struct pw_argon2 in;

	memset(&in, 0, sizeof(in));
	in.type = type;
	in.version = version;
	in.t_cost = t;
	in.m_cost = m;
	in.lanes = p;
	in.pw = pw;
	in.pwlen = pwlen;
	in.salt = salt;
	in.saltlen = saltlen;
	return pw_argon2_raw(&in, tag, hashlen);
}

/* Django's Argon2PasswordHasher.encode, with argon2-cffi's encoding. */
static enum app_err
encode_argon2(const struct pw_params *pp, const char *pw, size_t pwlen,
    const char salt[PW_SALT_CHARS], char out[PW_HASH_MAX])
{
	char salt64[PW_BIN_MAX], hash64[PW_BIN_MAX];
	uint8_t hash[PW_ARGON2_HASHLEN_MAX];
	enum app_err er;

	er = argon2_tag(PW_ARGON2ID, ARGON2_VERSION_13, pp->time_cost,
	    pp->memory_cost, pp->parallelism, pw, pwlen, salt, PW_SALT_CHARS,
	    hash, pp->hash_len);
	if (er == APP_EINPUT)
		er = APP_EINTERNAL; /* params_ok let it through */
	if (er != APP_OK)
		goto out;
	er = APP_EINTERNAL;
	if (codec_b64_encode(salt, PW_SALT_CHARS, 0, salt64, sizeof(salt64),
		NULL) != APP_OK ||
	    codec_b64_encode(hash, pp->hash_len, 0, hash64, sizeof(hash64),
		NULL) != APP_OK)
		goto out;
	er = emit(out, "argon2$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s",
	    (unsigned int)pp->memory_cost, (unsigned int)pp->time_cost,
	    (unsigned int)pp->parallelism, salt64, hash64);
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(hash64, sizeof(hash64));
	return er;
}

/* PBKDF2-HMAC of pw; dk is EVP_MD_get_size(md) bytes. */
static enum app_err
pbkdf2(const EVP_MD *md, const char *pw, size_t pwlen, const char *salt,
    size_t saltlen, uint32_t iter, uint8_t *dk, size_t dklen)
{
	work_note(PW_KDF_PBKDF2, iter, (uint32_t)EVP_MD_get_size(md), 0);
	if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, (const unsigned char *)salt,
		(int)saltlen, (int)iter, md, (int)dklen, dk) != 1) {
		log_warnx("pw: PKCS5_PBKDF2_HMAC failed");
		return APP_EINTERNAL;
	}
	return APP_OK;
}

/* Django's PBKDF2PasswordHasher.encode (and its SHA-1 subclass). */
static enum app_err
encode_pbkdf2(const struct pw_params *pp, enum pw_algo algo, const char *pw,
    size_t pwlen, const char salt[PW_SALT_CHARS], char out[PW_HASH_MAX])
{
	int sha1 = algo == PW_ALGO_PBKDF2_SHA1;
	size_t dklen = sha1 ? PW_SHA1_LEN : PW_SHA256_LEN;
	char dk64[PW_BIN_MAX];
	uint8_t dk[PW_SHA256_LEN];
	enum app_err er;

	er = pbkdf2(sha1 ? EVP_sha1() : EVP_sha256(), pw, pwlen, salt,
	    PW_SALT_CHARS, pp->pbkdf2_iterations, dk, dklen);
	if (er != APP_OK)
		goto out;
	er = APP_EINTERNAL;
	if (codec_b64_encode(dk, dklen, CODEC_B64_PAD, dk64, sizeof(dk64),
		NULL) != APP_OK)
		goto out;
	er = emit(out, "%s$%u$%.*s$%s", algos[algo].name,
	    (unsigned int)pp->pbkdf2_iterations, PW_SALT_CHARS, salt, dk64);
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	OPENSSL_cleanse(dk64, sizeof(dk64));
	return er;
}

/*
 * What Django hands python-bcrypt's hashpw: for bcrypt_sha256 the 64
 * lower-case hex digits of SHA-256(pw); for bcrypt pw itself, cut to the
 * 72 bytes bcrypt reads (python-bcrypt cuts there too; libcrypt would
 * refuse a phrase of CRYPT_MAX_PASSPHRASE_SIZE). APP_EINPUT if plain
 * bcrypt's pw holds a NUL (python-bcrypt raises ValueError).
 */
static enum app_err
bcrypt_key(enum pw_algo algo, const char *pw, size_t pwlen,
    char key[PW_BCRYPT_KEY_MAX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (algo == PW_ALGO_BCRYPT) {
		if (pwlen > 0 && memchr(pw, '\0', pwlen) != NULL)
			return APP_EINPUT;
		if (pwlen > PW_BCRYPT_KEY_MAX)
			pwlen = PW_BCRYPT_KEY_MAX;
		if (pwlen > 0)
			memcpy(key, pw, pwlen);
		key[pwlen] = '\0';
		return APP_OK;
	}
	if (EVP_Digest(pw, pwlen, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != PW_SHA256_LEN) {
		log_warnx("pw: EVP_Digest failed");
		return APP_EINTERNAL;
	}
	codec_hex_encode(md, mdlen, key);
	OPENSSL_cleanse(md, sizeof(md));
	return APP_OK;
}

/*
 * bcrypt of key under setting ("$2b$12$" and at least the 22 salt
 * characters), through libcrypt's crypt_rn, into out (PW_BCRYPT_LEN
 * chars and a NUL). APP_EINPUT if libcrypt refuses the setting.
 */
static enum app_err
bcrypt_run(const char *key, const char *setting,
    char out[PW_BCRYPT_LEN + 1])
{
	struct crypt_data *cd;
	const char *r;
	enum app_err er = APP_EINPUT;

	/* 32 KiB: too much for the stack of a sanitizer build. */
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return APP_ENOMEM;
	/* "$2b$NN$": the cost is checked before a setting gets here. */
	work_note(PW_KDF_BCRYPT, (uint32_t)(setting[4] - '0') * 10 +
	    (uint32_t)(setting[5] - '0'), 0, 0);
	errno = 0;
	r = crypt_rn(key, setting, cd, (int)sizeof(*cd));
	if (r == NULL && errno == ENOMEM)
		er = APP_ENOMEM;
	else if (r != NULL && strlen(r) == PW_BCRYPT_LEN) {
		memcpy(out, r, PW_BCRYPT_LEN + 1);
		er = APP_OK;
	}
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return er;
}

/* Django's BCryptSHA256PasswordHasher/BCryptPasswordHasher.encode with
 * a salt from python-bcrypt's gensalt(rounds): "$2b$", 16 raw bytes. */
static enum app_err
encode_bcrypt(const struct pw_params *pp, enum pw_algo algo, const char *pw,
    size_t pwlen, const uint8_t raw[PW_BCRYPT_RAW_SALT],
    char out[PW_HASH_MAX])
{
	char key[PW_BCRYPT_KEY_MAX + 1], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char hash[PW_BCRYPT_LEN + 1];
	enum app_err er;

	if ((er = bcrypt_key(algo, pw, pwlen, key)) != APP_OK)
		goto out;
	er = APP_EINTERNAL;
	if (crypt_gensalt_rn("$2b$", pp->bcrypt_rounds, (const char *)raw,
		PW_BCRYPT_RAW_SALT, setting, (int)sizeof(setting)) == NULL) {
		log_warn("pw: crypt_gensalt_rn");
		goto out;
	}
	if ((er = bcrypt_run(key, setting, hash)) != APP_OK) {
		if (er == APP_EINPUT)
			er = APP_EINTERNAL; /* our own setting */
		goto out;
	}
	er = emit(out, "%s$%s", algos[algo].name, hash);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hash, sizeof(hash));
	return er;
}

/* scrypt of pw, PW_SCRYPT_DKLEN bytes (Django's dklen), as hashlib's. */
static enum app_err
scrypt_dk(const char *pw, size_t pwlen, const char *salt, size_t saltlen,
    uint32_t n, uint32_t r, uint32_t p, uint8_t dk[PW_SCRYPT_DKLEN])
{
	work_note(PW_KDF_SCRYPT, n, r, p);
	if (EVP_PBE_scrypt(pw, pwlen, (const unsigned char *)salt, saltlen, n,
		r, p, scrypt_mem(n, r, p), dk, PW_SCRYPT_DKLEN) != 1) {
		log_warnx("pw: EVP_PBE_scrypt failed");
		return APP_EINTERNAL;
	}
	return APP_OK;
}

/* Django's ScryptPasswordHasher.encode. */
static enum app_err
encode_scrypt(const struct pw_params *pp, const char *pw, size_t pwlen,
    const char salt[PW_SALT_CHARS], char out[PW_HASH_MAX])
{
	char dk64[PW_BIN_MAX];
	uint8_t dk[PW_SCRYPT_DKLEN];
	enum app_err er;

	er = scrypt_dk(pw, pwlen, salt, PW_SALT_CHARS, pp->scrypt_work_factor,
	    pp->scrypt_block_size, pp->scrypt_parallelism, dk);
	if (er != APP_OK)
		goto out;
	er = APP_EINTERNAL;
	if (codec_b64_encode(dk, sizeof(dk), CODEC_B64_PAD, dk64, sizeof(dk64),
		NULL) != APP_OK)
		goto out;
	er = emit(out, "scrypt$%u$%.*s$%u$%u$%s",
	    (unsigned int)pp->scrypt_work_factor, PW_SALT_CHARS, salt,
	    (unsigned int)pp->scrypt_block_size,
	    (unsigned int)pp->scrypt_parallelism, dk64);
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	OPENSSL_cleanse(dk64, sizeof(dk64));
	return er;
}

/*
 * make_password with the first hasher and the given salt: PW_SALT_CHARS
 * characters, of which bcrypt takes the first PW_BCRYPT_RAW_SALT as raw
 * bytes. pp is resolved and passed params_ok.
 */
static enum app_err
encode_first(const struct pw_params *pp, const char *pw, size_t pwlen,
    const char salt[PW_SALT_CHARS], char out[PW_HASH_MAX])
{
	_Static_assert(PW_BCRYPT_RAW_SALT <= PW_SALT_CHARS, "salt sizes");

	switch (pp->hashers[0]) {
	case PW_ALGO_ARGON2:
		return encode_argon2(pp, pw, pwlen, salt, out);
	case PW_ALGO_PBKDF2_SHA256:
	case PW_ALGO_PBKDF2_SHA1:
		return encode_pbkdf2(pp, pp->hashers[0], pw, pwlen, salt, out);
	case PW_ALGO_BCRYPT_SHA256:
	case PW_ALGO_BCRYPT:
		return encode_bcrypt(pp, pp->hashers[0], pw, pwlen,
		    (const uint8_t *)salt, out);
	case PW_ALGO_SCRYPT:
		return encode_scrypt(pp, pw, pwlen, salt, out);
	case PW_ALGO__MAX:
		break;
	}
	return APP_EINTERNAL;
}

enum app_err
pw_hash_salted(const struct pw_params *in, const char *pw, size_t pwlen,
    const char salt[PW_SALT_CHARS], char out[PW_HASH_MAX])
{
	struct pw_params pp;

	resolve(in, &pp);
	if (!params_ok(&pp))
		return APP_EINTERNAL;
	if (pwlen > LIMIT_PASSWORD || (pw == NULL && pwlen != 0))
		return APP_EINPUT;
	return encode_first(&pp, pw == NULL ? "" : pw, pwlen, salt, out);
}

enum app_err
pw_hash(const struct pw_params *in, const char *pw, size_t pwlen,
    char out[PW_HASH_MAX])
{
	struct pw_params pp;
	char salt[PW_SALT_CHARS];
	enum app_err er;

	resolve(in, &pp);
	/* bcrypt's salt is raw bytes; the others' Django's characters. */
	if (pp.hashers_len > 0 && (pp.hashers[0] == PW_ALGO_BCRYPT_SHA256 ||
				      pp.hashers[0] == PW_ALGO_BCRYPT)) {
		if (RAND_bytes((unsigned char *)salt, sizeof(salt)) != 1) {
			log_warnx("pw: RAND_bytes failed");
			return APP_EINTERNAL;
		}
	} else if ((er = salt_make(salt)) != APP_OK)
		return er;
	er = pw_hash_salted(&pp, pw, pwlen, salt, out);
	OPENSSL_cleanse(salt, sizeof(salt));
	return er;
}

/*
 * Parse f[0..nf-1] (f[0] is "argon2") as libargon2's PHC string:
 * $argon2{id,i,d}[$v=<16|19>]$m=<m>,t=<t>,p=<p>$<salt>$<hash>, with
 * costs within the caps and libargon2's minimum lengths.
 */
static int
argon2_parse(const struct pw_params *pp, const struct span *f, size_t nf,
    struct argon2_enc *a)
{
	struct span mtp[3];
	size_t i, k, start;
	const struct span *fp = f + 2;

	if (nf != 5 && nf != 6)
		return -1;
	if (span_eq(f[1], "argon2id"))
		a->type = PW_ARGON2ID;
	else if (span_eq(f[1], "argon2i"))
		a->type = PW_ARGON2I;
	else if (span_eq(f[1], "argon2d"))
		a->type = PW_ARGON2D;
	else
		return -1;

	if (nf == 6) {
		if (parse_kv(*fp, 'v', &a->version) == -1)
			return -1;
		if (a->version != ARGON2_VERSION_10 &&
		    a->version != ARGON2_VERSION_13)
			return -1;
		fp++;
	} else
		a->version = ARGON2_VERSION_10; /* before "v=" was written */

	/* "m=..,t=..,p=..", in that order, nothing else. */
	for (i = 0, k = 0, start = 0; i <= fp->n; i++) {
		if (i < fp->n && fp->p[i] != ',')
			continue;
		if (k == 3)
			return -1;
		mtp[k].p = fp->p + start;
		mtp[k].n = i - start;
		k++;
		start = i + 1;
	}
	if (k != 3 || parse_kv(mtp[0], 'm', &a->m) == -1 ||
	    parse_kv(mtp[1], 't', &a->t) == -1 ||
	    parse_kv(mtp[2], 'p', &a->p) == -1)
		return -1;
	if (!argon2_costs_ok(pp, a->m, a->t, a->p))
		return -1;
	fp++;

	if (b64_decode(fp[0], 0, a->salt, sizeof(a->salt), &a->saltlen) == -1 ||
	    a->saltlen < PW_ARGON2_SALT_MIN)
		return -1;
	if (b64_decode(fp[1], 0, a->hash, sizeof(a->hash), &a->hashlen) == -1 ||
	    a->hashlen < PW_ARGON2_OUT_MIN || a->hashlen > PW_ARGON2_OUT_MAX)
		return -1;
	return 0;
}

/*
 * The verify_* functions get the resolved params and whether the hash's
 * algorithm is the first hasher's (then *rehash is that hasher's
 * must_update; else check_password re-hashes anyway). They return
 * APP_OK, APP_EAUTH on a mismatch, APP_EINPUT for an encoding they
 * refuse before computing anything, APP_ENOMEM or APP_EINTERNAL; *rehash
 * is set on APP_OK only.
 */
static enum app_err
verify_argon2(const struct pw_params *pp, const struct span *f, size_t nf,
    const char *pw, size_t pwlen, int *rehash)
{
	struct argon2_enc a;
	uint8_t tag[PW_ARGON2_OUT_MAX];
	enum app_err er;

	if (argon2_parse(pp, f, nf, &a) == -1)
		return APP_EINPUT;
	/* APP_EINPUT if libargon2 refused what we parsed: malformed too. */
	er = argon2_tag(a.type, a.version, a.t, a.m, a.p, pw, pwlen, a.salt,
	    a.saltlen, tag, a.hashlen);
	if (er != APP_OK)
		goto out;
	er = APP_EAUTH;
	if (CRYPTO_memcmp(tag, a.hash, a.hashlen) != 0)
		goto out;
	/*
	 * Django's Argon2PasswordHasher.must_update: argon2-cffi's
	 * Parameters differ (type, version, t, m, p, hash_len; salt_len is
	 * copied over), or must_update_salt on the decoded salt's bytes.
	 */
	*rehash = a.type != PW_ARGON2ID || a.version != ARGON2_VERSION_13 ||
	    a.m != pp->memory_cost || a.t != pp->time_cost ||
	    a.p != pp->parallelism || a.hashlen != pp->hash_len ||
	    a.saltlen < PW_SALT_CHARS;
	er = APP_OK;
out:
	OPENSSL_cleanse(tag, sizeof(tag));
	return er;
}

/* Characters (code points) of a UTF-8 string, as Python's len(). */
static size_t
utf8_chars(struct span s)
{
	size_t i, n = 0;

	for (i = 0; i < s.n; i++)
		if (((unsigned char)s.p[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* pbkdf2_<digest>$<iterations>$<salt>$<base64 dk, padded> */
static enum app_err
verify_pbkdf2(const struct pw_params *pp, enum pw_algo algo, int first,
    const struct span *f, size_t nf, const char *pw, size_t pwlen,
    int *rehash)
{
	const EVP_MD *md;
	uint8_t want[PW_BIN_MAX], dk[PW_SHA256_LEN];
	size_t wantlen, dklen;
	uint32_t iter;
	int upd;
	enum app_err er;

	if (nf != 4)
		return APP_EINPUT;
	if (algo == PW_ALGO_PBKDF2_SHA256) {
		md = EVP_sha256();
		dklen = PW_SHA256_LEN;
	} else {
		md = EVP_sha1();
		dklen = PW_SHA1_LEN;
	}
	if (parse_u32(f[1], &iter) == -1 || iter < 1 ||
	    iter > cap(pp->verify_max_iterations,
		       PW_VERIFY_MAX_ITERATIONS_DEFAULT,
		       pp->pbkdf2_iterations) ||
	    iter > INT32_MAX)
		return APP_EINPUT;
	if (f[2].n == 0 || f[2].n > INT32_MAX)
		return APP_EINPUT;
	if (b64_decode(f[3], CODEC_B64_PAD, want, sizeof(want), &wantlen) == -1 ||
	    wantlen != dklen)
		return APP_EINPUT;
	/* PBKDF2PasswordHasher.must_update (Django 3.2 and later). */
	upd = iter != pp->pbkdf2_iterations || utf8_chars(f[2]) < PW_SALT_CHARS;

	if ((er = pbkdf2(md, pw, pwlen, f[2].p, f[2].n, iter, dk, dklen)) !=
	    APP_OK)
		goto out;
	er = APP_EAUTH;
	if (CRYPTO_memcmp(dk, want, dklen) != 0) {
		/* harden_runtime: the iterations the stored hash lacks. */
		if (first && upd && pp->pbkdf2_iterations > iter)
			(void)pbkdf2(md, pw, pwlen, f[2].p, f[2].n,
			    pp->pbkdf2_iterations - iter, dk, dklen);
		goto out;
	}
	*rehash = upd;
	er = APP_OK;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	return er;
}

/* bcrypt's base64 alphabet (not RFC 4648's order). */
static int
bcrypt_char(char c)
{
	return c == '.' || c == '/' || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * bcrypt_sha256$$2b$<cost>$<53> and bcrypt$$2b$<cost>$<53>: f[1] empty,
 * then python-bcrypt's prefixes 2a, 2b, 2y and a two-digit cost. Django
 * re-encodes and compares the whole string; so do we (libcrypt writes
 * the salt's last character canonically, as python-bcrypt does).
 */
static enum app_err
verify_bcrypt(const struct pw_params *pp, enum pw_algo algo, int first,
    const struct span *f, size_t nf, const char *pw, size_t pwlen,
    int *rehash)
{
	char key[PW_BCRYPT_KEY_MAX + 1], data[PW_BCRYPT_LEN + 1];
	char hash[PW_BCRYPT_LEN + 1];
	uint32_t rounds, extra;
	size_t i;
	int upd;
	enum app_err er;

	if (nf != 5 || f[1].n != 0)
		return APP_EINPUT;
	if (!span_eq(f[2], "2a") && !span_eq(f[2], "2b") &&
	    !span_eq(f[2], "2y"))
		return APP_EINPUT;
	/* Always two digits ("%2.2u" in gensalt), 04..31. */
	if (f[3].n != 2 || f[3].p[0] < '0' || f[3].p[0] > '9' ||
	    f[3].p[1] < '0' || f[3].p[1] > '9')
		return APP_EINPUT;
	rounds = (uint32_t)(f[3].p[0] - '0') * 10 + (uint32_t)(f[3].p[1] - '0');
	if (rounds < PW_BCRYPT_ROUNDS_MIN || rounds > PW_BCRYPT_ROUNDS_MAX ||
	    rounds > cap(pp->verify_max_bcrypt_rounds,
			 PW_VERIFY_MAX_BCRYPT_ROUNDS_DEFAULT,
			 pp->bcrypt_rounds))
		return APP_EINPUT;
	if (f[4].n != PW_BCRYPT_DATA)
		return APP_EINPUT;
	for (i = 0; i < f[4].n; i++)
		if (!bcrypt_char(f[4].p[i]))
			return APP_EINPUT;
	/* The bcrypt string: from the '$' before the prefix to the end. */
	memcpy(data, f[2].p - 1, PW_BCRYPT_LEN);
	data[PW_BCRYPT_LEN] = '\0';
	/* BCryptSHA256PasswordHasher.must_update: another work factor. */
	upd = rounds != pp->bcrypt_rounds;

	if ((er = bcrypt_key(algo, pw, pwlen, key)) != APP_OK)
		goto out;
	if ((er = bcrypt_run(key, data, hash)) != APP_OK)
		goto out;
	er = APP_EAUTH;
	if (CRYPTO_memcmp(hash, data, PW_BCRYPT_LEN) != 0) {
		/* harden_runtime: 2^(preferred - stored) - 1 more hashes. */
		if (first && upd && pp->bcrypt_rounds > rounds) {
			extra = (UINT32_C(1) << (pp->bcrypt_rounds - rounds)) -
			    1;
			while (extra-- > 0 &&
			    bcrypt_run(key, data, hash) == APP_OK)
				;
		}
		goto out;
	}
	*rehash = upd;
	er = APP_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hash, sizeof(hash));
	return er;
}

/* scrypt$<N>$<salt>$<r>$<p>$<base64 of 64 bytes, padded> */
static enum app_err
verify_scrypt(const struct pw_params *pp, const struct span *f, size_t nf,
    const char *pw, size_t pwlen, int *rehash)
{
	uint8_t want[PW_BIN_MAX], dk[PW_SCRYPT_DKLEN];
	size_t wantlen;
	uint32_t n, r, p, own;
	uint64_t maxmem;
	enum app_err er;

	if (nf != 6)
		return APP_EINPUT;
	if (parse_u32(f[1], &n) == -1 || parse_u32(f[3], &r) == -1 ||
	    parse_u32(f[4], &p) == -1)
		return APP_EINPUT;
	if (!scrypt_shape_ok(n, r, p))
		return APP_EINPUT;
	/* The memory cap in KiB, never below what our own hashes need. */
	own = (uint32_t)((scrypt_mem(pp->scrypt_work_factor,
			      pp->scrypt_block_size, pp->scrypt_parallelism) +
			     1023) /
	    1024);
	maxmem = (uint64_t)cap(pp->verify_max_memory,
		     PW_VERIFY_MAX_MEMORY_DEFAULT, own) *
	    1024;
	if (scrypt_mem(n, r, p) > maxmem)
		return APP_EINPUT;
	if (f[2].n == 0)
		return APP_EINPUT;
	if (b64_decode(f[5], CODEC_B64_PAD, want, sizeof(want), &wantlen) == -1 ||
	    wantlen != PW_SCRYPT_DKLEN)
		return APP_EINPUT;

	if ((er = scrypt_dk(pw, pwlen, f[2].p, f[2].n, n, r, p, dk)) != APP_OK)
		goto out;
	er = APP_EAUTH;
	if (CRYPTO_memcmp(dk, want, sizeof(dk)) != 0)
		goto out;
	/* ScryptPasswordHasher.must_update (Django 4.0 and later). */
	*rehash = n != pp->scrypt_work_factor || r != pp->scrypt_block_size ||
	    p != pp->scrypt_parallelism;
	er = APP_OK;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	return er;
}

/*
 * Django's identify_hasher: the algorithm is what comes before the first
 * '$', and only a hasher in PASSWORD_HASHERS may answer to it.
 * PW_ALGO__MAX if none does.
 */
static enum pw_algo
listed_algo(const struct pw_params *pp, struct span name)
{
	size_t i;

	for (i = 0; i < pp->hashers_len; i++)
		if (span_eq(name, algos[pp->hashers[i]].name))
			return pp->hashers[i];
	return PW_ALGO__MAX;
}

enum app_err
pw_verify(const struct pw_params *in, const char *encoded, const char *pw,
    size_t pwlen, int *needs_rehash)
{
	struct pw_params pp;
	struct span f[PW_FIELDS_MAX];
	enum pw_algo algo = PW_ALGO__MAX;
	size_t len, nf;
	int rehash = 0, first;
	enum app_err er = APP_EINPUT;

	resolve(in, &pp);
	if (pw == NULL && pwlen != 0)
		goto out;
	if (pw == NULL)
		pw = "";
	if (!pw_usable(encoded) || pwlen > LIMIT_PASSWORD)
		goto out;
	if ((len = strnlen(encoded, LIMIT_HASH + 1)) > LIMIT_HASH)
		goto out;
	if ((nf = split_fields(encoded, len, f)) == 0)
		goto out;
	if (!params_ok(&pp) || (algo = listed_algo(&pp, f[0])) == PW_ALGO__MAX)
		goto out;
	first = algo == pp.hashers[0];

	switch (algo) {
	case PW_ALGO_ARGON2:
		er = verify_argon2(&pp, f, nf, pw, pwlen, &rehash);
		break;
	case PW_ALGO_PBKDF2_SHA256:
	case PW_ALGO_PBKDF2_SHA1:
		er = verify_pbkdf2(&pp, algo, first, f, nf, pw, pwlen, &rehash);
		break;
	case PW_ALGO_BCRYPT_SHA256:
	case PW_ALGO_BCRYPT:
		er = verify_bcrypt(&pp, algo, first, f, nf, pw, pwlen, &rehash);
		break;
	case PW_ALGO_SCRYPT:
		er = verify_scrypt(&pp, f, nf, pw, pwlen, &rehash);
		break;
	case PW_ALGO__MAX:
		break;
	}
	/* check_password: hasher_changed or preferred.must_update. */
	if (!first)
		rehash = 1;
out:
	/*
	 * Nothing was hashed (unusable, unknown or malformed): spend one
	 * configured hash anyway, so such a user answers as slowly as one
	 * with a wrong password, or one that does not exist.
	 */
	if (er == APP_EINPUT) {
		pw_dummy(&pp, pw, pwlen);
		er = APP_EAUTH;
	}
	if (er == APP_OK && needs_rehash != NULL)
		*needs_rehash = rehash;
	return er;
}

void
pw_dummy(const struct pw_params *in, const char *pw, size_t pwlen)
{
	struct pw_params pp;
	char out[PW_HASH_MAX];

	resolve(in, &pp);
	if (!params_ok(&pp))
		return;
	if (pw == NULL || pwlen > LIMIT_PASSWORD) {
		pw = "";
		pwlen = 0;
	}
	/* Plain bcrypt refuses a NUL: hash what comes before it. */
	if (pp.hashers[0] == PW_ALGO_BCRYPT && pwlen > 0 &&
	    memchr(pw, '\0', pwlen) != NULL)
		pwlen = strlen(pw);
	if (encode_first(&pp, pw, pwlen, dummy_salt, out) == APP_OK)
		OPENSSL_cleanse(out, sizeof(out));
}

int
pw_usable(const char *encoded)
{
	return encoded != NULL && encoded[0] != '\0' &&
	    encoded[0] != PW_UNUSABLE_PREFIX;
}
