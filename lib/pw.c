/*
 * pw.c: Django-compatible password hashing; see pw.h for the formats.
 *
 * Verification recomputes the digest from the stored parameters and
 * compares raw digests with CRYPTO_memcmp on equal lengths. Django
 * compares the re-encoded strings instead; requiring canonical decimal
 * and base64 here makes the two accept exactly the same strings.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "app.h"
#include "bounds.h"
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
/* scrypt: p and N*r*p over 32 times Django's defaults are refused. */
#define PW_SCRYPT_P_MAX 16
#define PW_SCRYPT_WORK_MAX (UINT64_C(1) << 22)
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

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A fixed salt for pw_dummy: the cost does not depend on its value. */
static const char dummy_salt[PW_SALT_CHARS + 1] = "restauthdummysalt00000";

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

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode standard base64 strictly: with pad, the length is a multiple of
 * 4 and ends in the needed '=' (RFC 4648, 4); without, no '=' at all.
 * Either way the unused bits of the last char must be zero (RFC 4648,
 * 3.5), so each byte string has exactly one accepted encoding.
 */
static int
b64_decode(struct span s, int pad, uint8_t *out, size_t outsz, size_t *outlen)
{
	unsigned int acc = 0, bits = 0;
	size_t i, n = 0, body = s.n;
	int v;

	if (pad) {
		if (s.n == 0 || s.n % 4 != 0)
			return -1;
		if (s.p[s.n - 1] == '=') {
			body--;
			if (s.p[s.n - 2] == '=')
				body--;
		}
	}
	if (body % 4 == 1)
		return -1;
	for (i = 0; i < body; i++) {
		if ((v = b64_value((unsigned char)s.p[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == outsz)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	if (acc != 0)
		return -1;
	*outlen = n;
	return 0;
}

/*
 * Encode len bytes as standard base64, with or without padding, into out
 * (outsz bytes, NUL-terminated). Returns the length, or 0 if it does not
 * fit.
 */
static size_t
b64_encode(const uint8_t *in, size_t len, int pad, char *out, size_t outsz)
{
	size_t i, n = 0;
	uint32_t w;

	if (len > (outsz - 1) / 4 * 3)
		return 0;
	for (i = 0; i + 3 <= len; i += 3) {
		w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[n++] = b64_chars[w >> 18];
		out[n++] = b64_chars[(w >> 12) & 63];
		out[n++] = b64_chars[(w >> 6) & 63];
		out[n++] = b64_chars[w & 63];
	}
	if (len - i == 1) {
		w = (uint32_t)in[i] << 16;
		out[n++] = b64_chars[w >> 18];
		out[n++] = b64_chars[(w >> 12) & 63];
		if (pad) {
			out[n++] = '=';
			out[n++] = '=';
		}
	} else if (len - i == 2) {
		w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[n++] = b64_chars[w >> 18];
		out[n++] = b64_chars[(w >> 12) & 63];
		out[n++] = b64_chars[(w >> 6) & 63];
		if (pad)
			out[n++] = '=';
	}
	out[n] = '\0';
	return n;
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

enum app_err
pw_params_check(const struct pw_params *pp)
{
	uint32_t t = pp->time_cost, m = pp->memory_cost, p = pp->parallelism;

	if (t < 1 || p < 1 || p > PW_PARALLELISM_MAX || m < 8 * p)
		return APP_EINPUT;
	return APP_OK;
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

enum app_err
pw_hash(const struct pw_params *pp, const char *pw, size_t pwlen,
    char out[PW_HASH_MAX])
{
	struct pw_argon2 in;
	char salt[PW_SALT_CHARS];
	char salt64[PW_BIN_MAX], hash64[PW_BIN_MAX], buf[PW_HASH_MAX];
	uint8_t hash[PW_ARGON2_HASHLEN];
	enum app_err er;
	int n;

	if (pw_params_check(pp) != APP_OK)
		return APP_EINTERNAL;
	if (pwlen > LIMIT_PASSWORD)
		return APP_EINPUT;
	if ((er = salt_make(salt)) != APP_OK)
		return er;

	memset(&in, 0, sizeof(in));
	in.type = PW_ARGON2ID;
	in.version = ARGON2_VERSION_13;
	in.t_cost = pp->time_cost;
	in.m_cost = pp->memory_cost;
	in.lanes = pp->parallelism;
	in.pw = pw;
	in.pwlen = pwlen;
	in.salt = salt;
	in.saltlen = sizeof(salt);
	er = pw_argon2_raw(&in, hash, sizeof(hash));
	if (er == APP_EINPUT)
		er = APP_EINTERNAL; /* pw_params_check let it through */
	if (er != APP_OK)
		goto out;

	er = APP_EINTERNAL;
	if (b64_encode((const uint8_t *)salt, sizeof(salt), 0, salt64,
		sizeof(salt64)) == 0 ||
	    b64_encode(hash, sizeof(hash), 0, hash64, sizeof(hash64)) == 0)
		goto out;
	n = snprintf(buf, sizeof(buf),
	    "argon2$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s",
	    (unsigned int)pp->memory_cost, (unsigned int)pp->time_cost,
	    (unsigned int)pp->parallelism, salt64, hash64);
	if (n < 0 || (size_t)n >= sizeof(buf))
		goto out;
	memcpy(out, buf, (size_t)n + 1);
	er = APP_OK;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(hash64, sizeof(hash64));
	OPENSSL_cleanse(buf, sizeof(buf));
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
 * The verify_* functions return APP_OK, APP_EAUTH on a mismatch,
 * APP_EINPUT for an encoding they refuse before computing anything,
 * APP_ENOMEM or APP_EINTERNAL; *rehash is set on APP_OK only.
 */
static enum app_err
verify_argon2(const struct pw_params *pp, const struct span *f, size_t nf,
    const char *pw, size_t pwlen, int *rehash)
{
	struct argon2_enc a;
	struct pw_argon2 in;
	uint8_t tag[PW_ARGON2_OUT_MAX];
	enum app_err er;

	if (argon2_parse(pp, f, nf, &a) == -1)
		return APP_EINPUT;

	memset(&in, 0, sizeof(in));
	in.type = a.type;
	in.version = a.version;
	in.t_cost = a.t;
	in.m_cost = a.m;
	in.lanes = a.p;
	in.pw = pw;
	in.pwlen = pwlen;
	in.salt = a.salt;
	in.saltlen = a.saltlen;
	/* APP_EINPUT if libargon2 refused what we parsed: malformed too. */
	er = pw_argon2_raw(&in, tag, a.hashlen);
	if (er != APP_OK)
		goto out;
	er = APP_EAUTH;
	if (CRYPTO_memcmp(tag, a.hash, a.hashlen) != 0)
		goto out;
	/* Django's Argon2PasswordHasher.must_update. */
	*rehash = a.type != PW_ARGON2ID || a.version != ARGON2_VERSION_13 ||
	    a.m != pp->memory_cost || a.t != pp->time_cost ||
	    a.p != pp->parallelism || a.hashlen != PW_ARGON2_HASHLEN ||
	    a.saltlen < PW_SALT_CHARS;
	er = APP_OK;
out:
	OPENSSL_cleanse(tag, sizeof(tag));
	return er;
}

/* pbkdf2_<digest>$<iterations>$<salt>$<base64 dk, padded> */
static enum app_err
verify_pbkdf2(const struct pw_params *pp, const struct span *f, size_t nf,
    const char *pw, size_t pwlen, int *rehash)
{
	const EVP_MD *md;
	uint8_t want[PW_BIN_MAX], dk[PW_SHA256_LEN];
	size_t wantlen, dklen;
	uint32_t iter;
	enum app_err er = APP_EAUTH;

	if (nf != 4)
		return APP_EINPUT;
	if (span_eq(f[0], "pbkdf2_sha256")) {
		md = EVP_sha256();
		dklen = PW_SHA256_LEN;
	} else {
		md = EVP_sha1();
		dklen = PW_SHA1_LEN;
	}
	if (parse_u32(f[1], &iter) == -1 || iter < 1 ||
	    iter > cap(pp->verify_max_iterations,
		       PW_VERIFY_MAX_ITERATIONS_DEFAULT, 0) ||
	    iter > INT32_MAX)
		return APP_EINPUT;
	if (f[2].n == 0 || f[2].n > INT32_MAX)
		return APP_EINPUT;
	if (b64_decode(f[3], 1, want, sizeof(want), &wantlen) == -1 ||
	    wantlen != dklen)
		return APP_EINPUT;

	if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, (const unsigned char *)f[2].p,
		(int)f[2].n, (int)iter, md, (int)dklen, dk) != 1) {
		log_warnx("pw: PKCS5_PBKDF2_HMAC failed");
		er = APP_EINTERNAL;
		goto out;
	}
	if (CRYPTO_memcmp(dk, want, dklen) != 0)
		goto out;
	*rehash = 1; /* not the preferred hasher */
	er = APP_OK;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	return er;
}

/* scrypt$<N>$<salt>$<r>$<p>$<base64 of 64 bytes, padded> */
static enum app_err
verify_scrypt(const struct pw_params *pp, const struct span *f, size_t nf,
    const char *pw, size_t pwlen, int *rehash)
{
	uint8_t want[PW_BIN_MAX], dk[PW_SCRYPT_DKLEN];
	size_t wantlen;
	uint32_t n, r, p;
	uint64_t mem, maxmem;
	enum app_err er = APP_EAUTH;

	if (nf != 6)
		return APP_EINPUT;
	if (parse_u32(f[1], &n) == -1 || parse_u32(f[3], &r) == -1 ||
	    parse_u32(f[4], &p) == -1)
		return APP_EINPUT;
	/* RFC 7914, 2: N a power of two > 1, r >= 1, p >= 1. */
	if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 ||
	    p > PW_SCRYPT_P_MAX)
		return APP_EINPUT;
	/* OpenSSL's EVP_PBE_scrypt: N < 2^(16 r) (RFC 7914, 2). */
	if (r < 2 && n >= (UINT32_C(1) << 16))
		return APP_EINPUT;
	if ((uint64_t)n * r * p > PW_SCRYPT_WORK_MAX)
		return APP_EINPUT;
	/* What EVP_PBE_scrypt allocates: B (128 r p) and V (128 r (N + 2)). */
	mem = UINT64_C(128) * r * ((uint64_t)n + 2 + p);
	maxmem = (uint64_t)cap(pp->verify_max_memory,
		     PW_VERIFY_MAX_MEMORY_DEFAULT, pp->memory_cost) *
	    1024;
	if (mem > maxmem)
		return APP_EINPUT;
	if (f[2].n == 0)
		return APP_EINPUT;
	if (b64_decode(f[5], 1, want, sizeof(want), &wantlen) == -1 ||
	    wantlen != PW_SCRYPT_DKLEN)
		return APP_EINPUT;

	if (EVP_PBE_scrypt(pw, pwlen, (const unsigned char *)f[2].p, f[2].n, n,
		r, p, mem, dk, sizeof(dk)) != 1) {
		log_warnx("pw: EVP_PBE_scrypt failed");
		er = APP_EINTERNAL;
		goto out;
	}
	if (CRYPTO_memcmp(dk, want, sizeof(dk)) != 0)
		goto out;
	*rehash = 1; /* not the preferred hasher */
	er = APP_OK;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	return er;
}

enum app_err
pw_verify(const struct pw_params *pp, const char *encoded, const char *pw,
    size_t pwlen, int *needs_rehash)
{
	struct span f[PW_FIELDS_MAX];
	size_t len, nf;
	int rehash = 0;
	enum app_err er = APP_EINPUT;

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

	if (span_eq(f[0], "argon2"))
		er = verify_argon2(pp, f, nf, pw, pwlen, &rehash);
	else if (span_eq(f[0], "pbkdf2_sha256") || span_eq(f[0], "pbkdf2_sha1"))
		er = verify_pbkdf2(pp, f, nf, pw, pwlen, &rehash);
	else if (span_eq(f[0], "scrypt"))
		er = verify_scrypt(pp, f, nf, pw, pwlen, &rehash);
out:
	/*
	 * Nothing was hashed (unusable, unknown or malformed): spend one
	 * configured hash anyway, so such a user answers as slowly as one
	 * with a wrong password, or one that does not exist.
	 */
	if (er == APP_EINPUT) {
		pw_dummy(pp, pw, pwlen);
		er = APP_EAUTH;
	}
	if (er == APP_OK && needs_rehash != NULL)
		*needs_rehash = rehash;
	return er;
}

void
pw_dummy(const struct pw_params *pp, const char *pw, size_t pwlen)
{
	struct pw_argon2 in;
	uint8_t tag[PW_ARGON2_HASHLEN];

	if (pw_params_check(pp) != APP_OK)
		return;
	memset(&in, 0, sizeof(in));
	in.type = PW_ARGON2ID;
	in.version = ARGON2_VERSION_13;
	in.t_cost = pp->time_cost;
	in.m_cost = pp->memory_cost;
	in.lanes = pp->parallelism;
	if (pw != NULL && pwlen <= LIMIT_PASSWORD) {
		in.pw = pw;
		in.pwlen = pwlen;
	}
	in.salt = dummy_salt;
	in.saltlen = PW_SALT_CHARS;
	if (pw_argon2_raw(&in, tag, sizeof(tag)) == APP_OK)
		OPENSSL_cleanse(tag, sizeof(tag));
}

int
pw_usable(const char *encoded)
{
	return encoded != NULL && encoded[0] != '\0' &&
	    encoded[0] != PW_UNUSABLE_PREFIX;
}
