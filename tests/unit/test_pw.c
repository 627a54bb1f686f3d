/*
 * test_pw.c: lib/crypto/pw.c against RFC 9106's argon2 vectors, Django's own
 * test hashes (tests/auth_tests/test_hashers.py), malformed encodings,
 * and, at run time, Debian's /usr/bin/python3 with argon2-cffi and
 * hashlib (what Django calls) in both directions.
 */
#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "app.h"
#include "bounds.h"
#include "pw.h"
#include "testhelp.h"

/* Rows of django_hashers.h; prm: t, m, p, hash_len, pbkdf2 iterations,
 * bcrypt rounds, scrypt N, r, p. */
#define DJ_PRM 9
struct dj_kat {
	enum pw_algo algo;
	uint32_t prm[DJ_PRM];
	const char *pw;
	const char *enc;
};
struct dj_rehash {
	enum pw_algo first;
	uint32_t prm[DJ_PRM];
	const char *enc;
	const char *pw;
	int setter;
};
#include "django_hashers.h"
/* The salt gen_hashers.py passed to make_password. */
#define DJ_SALT "Xq7sP2mZ9kLw4Rt8Yb3nVc"

#define PYTHON "/usr/bin/python3"
#define CMD_MAX (4 * LIMIT_PASSWORD)
#define LINE_MAX_ 512

/* Django's test password "lètmein" and a few more, UTF-8. */
#define LETMEIN "l\xc3\xa8tmein"
#define NONASCII "p\xc3\xa4ssw\xc3\xb6rd \xe2\x9c\x93 \xf0\x9f\x94\x91 \xd0\xb6"

/* Django's argon2i test hash of "secret", and pieces to break it with. */
#define A2_SALT "c2FsdHNhbHQ"
#define A2_HASH "YC9+jJCrQhs5R6db7LlN8Q"
#define A2S(mid, salt, hash) "argon2$argon2i$" mid "$" salt "$" hash
#define A2(mid) A2S(mid, A2_SALT, A2_HASH)
/* Django's pbkdf2_sha256 and scrypt test hashes of LETMEIN, "seasalt". */
#define PB_DK "8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c="
#define PB(iter, salt, dk) "pbkdf2_sha256$" iter "$" salt "$" dk
#define SC_DK                                                                  \
	"Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkd"  \
	"VCBhhY8mx7rQwite/Pw=="
#define SC(n, r, p, dk) "scrypt$" n "$seasalt$" r "$" p "$" dk
/* A well-formed argon2id hash asking for the largest m, 4 TiB. */
#define A2ID_HUGE                                                              \
	"argon2$argon2id$v=19$m=4294967295,t=1,p=1$" A2_SALT "$" A2_HASH

/*
 * The python side. Passwords arrive hex-encoded behind an "x" (so the
 * empty one is still an argument); hashes to verify arrive hex-encoded.
 * Output: one line.
 */
static const char py_src[] =
    "import sys, binascii, base64, hashlib\n"
    "from argon2 import low_level as ll, exceptions, extract_parameters\n"
    "a = sys.argv\n"
    "pw = binascii.unhexlify(a[2][1:])\n"
    "T = {'id': ll.Type.ID, 'i': ll.Type.I, 'd': ll.Type.D}\n"
    "if a[1] == 'argon2':\n"
    "    h = ll.hash_secret(pw, a[4].encode(), time_cost=int(a[5]),\n"
    "        memory_cost=int(a[6]), parallelism=int(a[7]), hash_len=32,\n"
    "        type=T[a[3]])\n"
    "    print('argon2' + h.decode('ascii'))\n"
    "elif a[1] == 'pbkdf2':\n"
    "    dk = hashlib.pbkdf2_hmac(a[3], pw, a[4].encode(), int(a[5]))\n"
    "    print('pbkdf2_%s$%d$%s$%s' % (a[3], int(a[5]), a[4],\n"
    "        base64.b64encode(dk).decode('ascii').strip()))\n"
    "elif a[1] == 'scrypt':\n"
    "    n, r, p = int(a[4]), int(a[5]), int(a[6])\n"
    "    dk = hashlib.scrypt(pw, salt=a[3].encode(), n=n, r=r, p=p,\n"
    "        maxmem=0, dklen=64)\n"
    "    print('scrypt$%d$%s$%d$%d$%s' % (n, a[3], r, p,\n"
    "        base64.b64encode(dk).decode('ascii').strip()))\n"
    "elif a[1] == 'verify':\n"
    "    enc = binascii.unhexlify(a[3]).decode('ascii')\n"
    "    if not enc.startswith('argon2$'):\n"
    "        sys.exit(2)\n"
    "    h = enc[len('argon2'):]\n"
    "    try:\n"
    "        ok = ll.verify_secret(h.encode(), pw, ll.Type.ID)\n"
    "    except exceptions.VerificationError:\n"
    "        ok = False\n"
    "    prm = extract_parameters(h)\n"
    "    s = h.split('$')[-2]\n"
    "    salt = base64.b64decode(s + '=' * (-len(s) % 4))\n"
    "    print('%s %s %d %d %d %d %s' % ('ok' if ok else 'bad',\n"
    "        prm.type.name, prm.memory_cost, prm.time_cost,\n"
    "        prm.parallelism, prm.hash_len, salt.decode('ascii')))\n"
    "else:\n"
    "    sys.exit(2)\n";

static char py_path[] = "/tmp/test_pw_XXXXXX";
static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t
rng_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rng() % (hi - lo + 1));
}

/* 1..max random printable ASCII bytes (callers pass valid UTF-8). */
static size_t
rng_password(char *buf, size_t max)
{
	size_t i, n = rng_range(1, (uint32_t)max);

	for (i = 0; i < n; i++)
		buf[i] = (char)rng_range(0x20, 0x7e);
	buf[n] = '\0';
	return n;
}

static void
rng_salt(char salt[PW_SALT_CHARS + 1])
{
	static const char an[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i;

	for (i = 0; i < PW_SALT_CHARS; i++)
		salt[i] = an[rng() % 62];
	salt[PW_SALT_CHARS] = '\0';
}

static void
hex(char *out, const void *in, size_t len)
{
	const unsigned char *p = in;
	size_t i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * len] = '\0';
}

static int
py_setup(void)
{
	int fd;
	size_t n = sizeof(py_src) - 1;

	if ((fd = mkstemp(py_path)) == -1)
		return -1;
	if (write(fd, py_src, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Run the python helper with the given arguments (only [0-9a-zA-Z$ ]
 * after hex-encoding, so the shell sees no metacharacters) and keep its
 * one line of output. Returns 0 if it exited 0 and printed a line.
 */
static int
py(char *out, size_t outsz, const char *fmt, ...)
{
	char cmd[CMD_MAX];
	va_list ap;
	FILE *f;
	int n, st, got;

	n = snprintf(cmd, sizeof(cmd), "%s -I %s ", PYTHON, py_path);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	got = fgets(out, (int)outsz, f) != NULL;
	st = pclose(f);
	if (!got || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static struct pw_params
params(uint32_t t, uint32_t m, uint32_t p)
{
	struct pw_params pp;

	memset(&pp, 0, sizeof(pp));
	pp.time_cost = t;
	pp.memory_cost = m;
	pp.parallelism = p;
	return pp;
}

static enum app_err
verify(const struct pw_params *pp, const char *enc, const char *pw, int *rehash)
{
	return pw_verify(pp, enc, pw, strlen(pw), rehash);
}

/*
 * Whether mapping 4 TiB fails here, so the APP_ENOMEM cases can run:
 * not when the kernel overcommits blindly (vm.overcommit_memory = 1),
 * as the mapping would succeed and the hash would then touch it.
 */
static int
overcommit_refuses(void)
{
	FILE *f;
	int mode = -1;

	if ((f = fopen("/proc/sys/vm/overcommit_memory", "r")) != NULL) {
		if (fscanf(f, "%d", &mode) != 1)
			mode = -1;
		fclose(f);
	}
	if (mode == 0 || mode == 2)
		return 1;
	fprintf(stderr,
	    "test_pw: vm.overcommit_memory %d: ENOMEM cases "
	    "skipped\n",
	    mode);
	return 0;
}

/* RFC 9106, 5.1-5.3: the three reference vectors. */
static void
test_rfc9106(void)
{
	static const struct {
		enum pw_argon2_type type;
		uint8_t tag[32];
	} kat[] = {
		{ PW_ARGON2D,
		    { 0x51, 0x2b, 0x39, 0x1b, 0x6f, 0x11, 0x62, 0x97, 0x53,
			0x71, 0xd3, 0x09, 0x19, 0x73, 0x42, 0x94, 0xf8, 0x68,
			0xe3, 0xbe, 0x39, 0x84, 0xf3, 0xc1, 0xa1, 0x3a, 0x4d,
			0xb9, 0xfa, 0xbe, 0x4a, 0xcb } },
		{ PW_ARGON2I,
		    { 0xc8, 0x14, 0xd9, 0xd1, 0xdc, 0x7f, 0x37, 0xaa, 0x13,
			0xf0, 0xd7, 0x7f, 0x24, 0x94, 0xbd, 0xa1, 0xc8, 0xde,
			0x6b, 0x01, 0x6d, 0xd3, 0x88, 0xd2, 0x99, 0x52, 0xa4,
			0xc4, 0x67, 0x2b, 0x6c, 0xe8 } },
		{ PW_ARGON2ID,
		    { 0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08,
			0xc0, 0x37, 0xa3, 0x4a, 0x8b, 0x53, 0xc9, 0xd0, 0x1e,
			0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20,
			0xe9, 0x6b, 0x01, 0xe6, 0x59 } },
	};
	uint8_t pw[32], salt[16], secret[8], ad[12], out[PW_ARGON2_OUT_MAX];
	struct pw_argon2 in;
	size_t i;

	memset(pw, 0x01, sizeof(pw));
	memset(salt, 0x02, sizeof(salt));
	memset(secret, 0x03, sizeof(secret));
	memset(ad, 0x04, sizeof(ad));
	memset(&in, 0, sizeof(in));
	in.version = 0x13;
	in.t_cost = 3;
	in.m_cost = 32;
	in.lanes = 4;
	in.pw = pw;
	in.pwlen = sizeof(pw);
	in.salt = salt;
	in.saltlen = sizeof(salt);
	in.secret = secret;
	in.secretlen = sizeof(secret);
	in.ad = ad;
	in.adlen = sizeof(ad);

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		in.type = kat[i].type;
		memset(out, 0xaa, sizeof(out));
		T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_OK);
		T_ASSERT(memcmp(out, kat[i].tag, 32) == 0);
	}

	/* APP_EINPUT: what libargon2 or we refuse; out stays untouched. */
	in.type = PW_ARGON2ID;
	memset(out, 0xaa, sizeof(out));
	T_ASSERT(pw_argon2_raw(&in, out, 3) == APP_EINPUT);
	T_ASSERT(pw_argon2_raw(&in, out, PW_ARGON2_OUT_MAX + 1) == APP_EINPUT);
	T_ASSERT(out[0] == 0xaa);
	in.saltlen = 7;
	T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_EINPUT);
	in.saltlen = sizeof(salt);
	in.version = 0x14;
	T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_EINPUT);
	in.version = 0x13;
	in.m_cost = 31; /* < 8 * lanes */
	T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_EINPUT);
	in.m_cost = 32;
	in.t_cost = 0;
	T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_EINPUT);
	in.t_cost = 3;
	in.type = PW_ARGON2__MAX;
	T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_EINPUT);
	in.type = PW_ARGON2ID;
	in.pw = NULL; /* NULL with a length */
	T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_EINPUT);
	T_ASSERT(out[0] == 0xaa);
	in.pwlen = 0;
	T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_OK);

	/* APP_ENOMEM: 4 TiB cannot be mapped. */
	if (overcommit_refuses()) {
		in.m_cost = UINT32_MAX;
		in.lanes = 1;
		T_ASSERT(pw_argon2_raw(&in, out, 32) == APP_ENOMEM);
	}
}

/*
 * The working memory must not stay in malloc's heap: with glibc's
 * malloc, the second 19 MiB hash would come from a heap that is never
 * trimmed (the dynamic mmap threshold rises after the first free).
 */
static void
test_heap(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct pw_params pp = params(PW_TIME_COST_DEFAULT,
	    PW_MEMORY_COST_DEFAULT, PW_PARALLELISM_DEFAULT);
	struct mallinfo2 a, b;
	char enc[PW_HASH_MAX];
	int i, rh = -1;

	a = mallinfo2();
	for (i = 0; i < 3; i++) {
		T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_OK);
		T_ASSERT(pw_verify(&pp, enc, "pw", 2, &rh) == APP_OK);
	}
	pw_dummy(&pp, "pw", 2);
	b = mallinfo2();
	T_ASSERT(b.arena + b.hblkhd < a.arena + a.hblkhd + 4 * 1024 * 1024);
	T_ASSERT(rh == 0);
#endif
}

static void
test_roundtrip(void)
{
	struct pw_params pp = params(1, 256, 1), other;
	char enc[PW_HASH_MAX], enc2[PW_HASH_MAX], big[LIMIT_PASSWORD + 1];
	const char *prefix = "argon2$argon2id$v=19$m=256,t=1,p=1$";
	int rh;

	T_ASSERT(pw_hash(&pp, LETMEIN, strlen(LETMEIN), enc) == APP_OK);
	T_ASSERT(strncmp(enc, prefix, strlen(prefix)) == 0);
	/* prefix + 30 chars of salt + '$' + 43 chars of hash */
	T_ASSERT(strlen(enc) == strlen(prefix) + 30 + 1 + 43);
	rh = -1;
	T_ASSERT(verify(&pp, enc, LETMEIN, &rh) == APP_OK);
	T_ASSERT(rh == 0);
	T_ASSERT(verify(&pp, enc, LETMEIN, NULL) == APP_OK);
	rh = -1;
	T_ASSERT(verify(&pp, enc, LETMEIN "z", &rh) == APP_EAUTH);
	T_ASSERT(rh == -1); /* untouched on failure */
	T_ASSERT(verify(&pp, enc, "", &rh) == APP_EAUTH);
	T_ASSERT(pw_verify(&pp, enc, LETMEIN, strlen(LETMEIN) - 1, &rh) ==
	    APP_EAUTH);

	/* A fresh salt each time. */
	T_ASSERT(pw_hash(&pp, LETMEIN, strlen(LETMEIN), enc2) == APP_OK);
	T_ASSERT(strcmp(enc, enc2) != 0);

	/* needs_rehash when any of t, m, p differs (Django must_update). */
	other = params(2, 256, 1);
	T_ASSERT(verify(&other, enc, LETMEIN, &rh) == APP_OK && rh == 1);
	other = params(1, 512, 1);
	T_ASSERT(verify(&other, enc, LETMEIN, &rh) == APP_OK && rh == 1);
	other = params(1, 256, 2);
	T_ASSERT(verify(&other, enc, LETMEIN, &rh) == APP_OK && rh == 1);
	other = params(1, 256, 1);
	T_ASSERT(verify(&other, enc, LETMEIN, &rh) == APP_OK && rh == 0);

	/* Bytes with an explicit length: NUL and high bytes are fine. */
	T_ASSERT(pw_hash(&pp, "a\0b\xff", 4, enc) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, "a\0b\xff", 4, &rh) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, "a\0c\xff", 4, &rh) == APP_EAUTH);
	T_ASSERT(pw_verify(&pp, enc, "a", 1, &rh) == APP_EAUTH);

	/* Empty password: a usable hash, as in Django. */
	T_ASSERT(pw_hash(&pp, "", 0, enc) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, "", 0, &rh) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, NULL, 0, &rh) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, " ", 1, &rh) == APP_EAUTH);

	/* LIMIT_PASSWORD bytes hash; one more is refused, both ways. */
	memset(big, 'x', sizeof(big));
	T_ASSERT(pw_hash(&pp, big, LIMIT_PASSWORD, enc) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, big, LIMIT_PASSWORD, &rh) == APP_OK);
	T_ASSERT(
	    pw_verify(&pp, enc, big, LIMIT_PASSWORD + 1, &rh) == APP_EAUTH);
	snprintf(enc2, sizeof(enc2), "unchanged");
	T_ASSERT(pw_hash(&pp, big, LIMIT_PASSWORD + 1, enc2) == APP_EINPUT);
	T_STREQ(enc2, "unchanged");
}

static void
test_params(void)
{
	struct pw_params pp;
	char enc[PW_HASH_MAX];
	int rh;

	pp = params(PW_TIME_COST_DEFAULT, PW_MEMORY_COST_DEFAULT,
	    PW_PARALLELISM_DEFAULT);
	T_ASSERT(pw_params_check(&pp) == APP_OK);
	pp = params(2, 102400, 8); /* Django's defaults */
	T_ASSERT(pw_params_check(&pp) == APP_OK);
	pp = params(1, 8, 1);
	T_ASSERT(pw_params_check(&pp) == APP_OK);

	/* APP_EINPUT from the check, APP_EINTERNAL from pw_hash. */
	{
		static const uint32_t bad[][3] = {
			{ 0, 256, 1 },
			{ 1, 256, 0 },
			{ 1, 7, 1 },
			{ 1, 63, 8 },
			{ 1, 8 * (PW_PARALLELISM_MAX + 1),
			    PW_PARALLELISM_MAX + 1 },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			pp = params(bad[i][0], bad[i][1], bad[i][2]);
			T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
			snprintf(enc, sizeof(enc), "unchanged");
			T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_EINTERNAL);
			T_STREQ(enc, "unchanged");
		}
	}

	/* The caps never fall below the configured costs. */
	pp = params(3, 1024, 1);
	pp.verify_max_time = 2;
	pp.verify_max_memory = 512;
	T_ASSERT(pw_params_check(&pp) == APP_OK);
	T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_OK);
	rh = -1;
	T_ASSERT(verify(&pp, enc, "pw", &rh) == APP_OK && rh == 0);
	pp = params(PW_VERIFY_MAX_TIME_DEFAULT + 1, 64, 1);
	T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_OK);
	T_ASSERT(verify(&pp, enc, "pw", &rh) == APP_OK && rh == 0);

	/* APP_ENOMEM: the largest m cannot be mapped (4 TiB). */
	if (overcommit_refuses()) {
		pp = params(1, UINT32_MAX, 1);
		T_ASSERT(pw_params_check(&pp) == APP_OK);
		snprintf(enc, sizeof(enc), "unchanged");
		T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_ENOMEM);
		T_STREQ(enc, "unchanged");
		pp = params(1, 256, 1);
		pp.verify_max_memory = UINT32_MAX;
		rh = -1;
		T_ASSERT(verify(&pp, A2ID_HUGE, "pw", &rh) == APP_ENOMEM);
		T_ASSERT(rh == -1);
		/* Under the default cap the same string is just refused. */
		pp.verify_max_memory = 0;
		T_ASSERT(verify(&pp, A2ID_HUGE, "pw", &rh) == APP_EAUTH);
	}
}

static void
test_unusable(void)
{
	struct pw_params pp = params(1, 256, 1);
	int rh = -1;

	T_ASSERT(pw_usable(NULL) == 0);
	T_ASSERT(pw_usable("") == 0);
	T_ASSERT(pw_usable("!") == 0);
	T_ASSERT(pw_usable("!Xk2mQ3Zr4Tp9Lw8Ns7Vb6Cd5Fg1Hj0Kl2Mn3Pq4") == 0);
	T_ASSERT(pw_usable("argon2$argon2id$v=19$m=8,t=1,p=1$x$y") == 1);
	T_ASSERT(pw_usable("garbage") == 1); /* not parsed */

	T_ASSERT(verify(&pp, NULL, "", &rh) == APP_EAUTH);
	T_ASSERT(verify(&pp, "", "", &rh) == APP_EAUTH);
	T_ASSERT(verify(&pp, "!", "", &rh) == APP_EAUTH);
	T_ASSERT(verify(&pp, "!", "!", &rh) == APP_EAUTH);
	T_ASSERT(verify(&pp, "!abc", "abc", &rh) == APP_EAUTH);
	/* An unusable prefix in front of a valid hash is still unusable. */
	T_ASSERT(verify(&pp,
		     "!argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5"
		     "R6db7LlN8Q",
		     "secret", &rh) == APP_EAUTH);
	T_ASSERT(rh == -1);
}

/* Hashes from Django's tests/auth_tests/test_hashers.py. */
static void
test_django(void)
{
	struct pw_params pp = params(PW_TIME_COST_DEFAULT,
	    PW_MEMORY_COST_DEFAULT, PW_PARALLELISM_DEFAULT);
	static const char *const ok[][2] = {
		{ PB("390000", "seasalt", PB_DK), LETMEIN },
		{ PB("390000", "seasalt2",
		      "geC/uZ92nRXDSjSxeoiBqYyRcrLzMm8xK3ro1QS1uo8="),
		    LETMEIN },
		{ "pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I=",
		    LETMEIN },
		{ SC("16384", "8", "1", SC_DK), LETMEIN },
		/* Old hashes without a version: 0x10. */
		{ "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$"
		  "gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP"
		  "2Cuf0nOEXXMocVrsJAtNSsKyfg",
		    "secret" },
		{ A2("v=19$m=8,t=1,p=1"), "secret" },
		/* Django's own defaults, 8 lanes, 100 MiB. */
		{ "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$"
		  "TMa6A8fPJhCAUXRhJXCXdw",
		    "secret" },
	};
#define BCRYPT "LZSJchsWG/DrBy1erNs4eeYo6tZNlLFQmHFtEqqyVMmXbOzlnyZEm"
	static const char *const unknown[] = {
		"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3",
		"sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8",
		"88a434c88cca4e900f7874cd98123f43",
		"md5$$88a434c88cca4e900f7874cd98123f43",
		"sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b",
		"crypt$$ab1Hv2Lg7ltQo",
		"bcrypt_sha256$$2b$12$" BCRYPT,
		"bcrypt$$2b$12$" BCRYPT,
		"lolcat$salt$hash",
	};
	struct pw_params same;
	size_t i;
	int rh;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		rh = -1;
		T_ASSERT(verify(&pp, ok[i][0], ok[i][1], &rh) == APP_OK);
		T_ASSERT(rh == 1); /* none is argon2id with our params */
		T_ASSERT(verify(&pp, ok[i][0], "wrong", &rh) == APP_EAUTH);
		T_ASSERT(verify(&pp, ok[i][0], "", &rh) == APP_EAUTH);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		T_ASSERT(verify(&pp, unknown[i], LETMEIN, &rh) == APP_EAUTH);

	/*
	 * Same t, m, p but a 16-byte hash and a 12-byte salt: Django's
	 * must_update still says yes (hash_len, must_update_salt).
	 */
	same = params(2, 102400, 8);
	rh = -1;
	T_ASSERT(verify(&same, ok[6][0], "secret", &rh) == APP_OK);
	T_ASSERT(rh == 1);
}

/*
 * PASSWORD_HASHERS as gen_hashers.py sets it: first, then every other
 * hasher in enum order, each at prm.
 */
static struct pw_params
dj_params(enum pw_algo first, const uint32_t prm[DJ_PRM])
{
	struct pw_params pp = params(prm[0], prm[1], prm[2]);
	size_t i, n = 0;

	pp.hash_len = prm[3];
	pp.pbkdf2_iterations = prm[4];
	pp.bcrypt_rounds = prm[5];
	pp.scrypt_work_factor = prm[6];
	pp.scrypt_block_size = prm[7];
	pp.scrypt_parallelism = prm[8];
	pp.hashers[n++] = first;
	for (i = 0; i < PW_ALGO__MAX; i++)
		if ((enum pw_algo)i != first)
			pp.hashers[n++] = (enum pw_algo)i;
	pp.hashers_len = n;
	return pp;
}

/*
 * Django's make_password with a fixed salt, byte for byte, for every
 * hasher as the first one; the result verifies without a re-hash, and
 * is refused once its hasher leaves PASSWORD_HASHERS.
 */
static void
test_django_kat(void)
{
	struct pw_params pp;
	char enc[PW_HASH_MAX];
	size_t i, j;
	int rh;

	for (i = 0; i < sizeof(dj_kat) / sizeof(dj_kat[0]); i++) {
		const struct dj_kat *k = &dj_kat[i];

		pp = dj_params(k->algo, k->prm);
		snprintf(enc, sizeof(enc), "unchanged");
		T_ASSERT(pw_hash_salted(&pp, k->pw, strlen(k->pw), DJ_SALT,
			     enc) == APP_OK);
		if (strcmp(enc, k->enc) != 0) {
			th_fail++;
			fprintf(stderr, "FAIL kat %zu: %s\n  want %s\n", i, enc,
			    k->enc);
		} else
			th_pass++;
		rh = -1;
		T_ASSERT(verify(&pp, k->enc, k->pw, &rh) == APP_OK && rh == 0);
		T_ASSERT(verify(&pp, k->enc, "wrong", &rh) == APP_EAUTH);
		/* A random salt: the same format, and it verifies. */
		T_ASSERT(pw_hash(&pp, k->pw, strlen(k->pw), enc) == APP_OK);
		T_ASSERT(strncmp(enc, pw_algo_name(k->algo),
			     strlen(pw_algo_name(k->algo))) == 0);
		T_ASSERT(strlen(enc) == strlen(k->enc));
		rh = -1;
		T_ASSERT(verify(&pp, enc, k->pw, &rh) == APP_OK && rh == 0);
		/* Without its hasher in the list: refused (identify_hasher). */
		pp.hashers_len = 0;
		for (j = 0; j < PW_ALGO__MAX; j++)
			if ((enum pw_algo)j != k->algo)
				pp.hashers[pp.hashers_len++] = (enum pw_algo)j;
		T_ASSERT(verify(&pp, k->enc, k->pw, &rh) == APP_EAUTH);
	}
}

/* Re-hash exactly when Django's check_password calls its setter. */
static void
test_django_rehash(void)
{
	struct pw_params pp;
	size_t i;
	int rh;

	for (i = 0; i < sizeof(dj_rehash) / sizeof(dj_rehash[0]); i++) {
		const struct dj_rehash *r = &dj_rehash[i];

		pp = dj_params(r->first, r->prm);
		rh = -1;
		if (verify(&pp, r->enc, r->pw, &rh) != APP_OK ||
		    rh != r->setter) {
			th_fail++;
			fprintf(stderr,
			    "FAIL rehash %zu: first %s, %s: rehash %d, "
			    "Django %d\n",
			    i, pw_algo_name(r->first), r->enc, rh, r->setter);
		} else
			th_pass++;
	}
}

/* bcrypt: truncation, NUL bytes, the cost caps, prefixes. */
static void
test_bcrypt(void)
{
	static const uint32_t small[DJ_PRM] = { 1, 256, 1, 32, 1000, 4, 1024,
		8, 1 };
	struct pw_params pp = dj_params(PW_ALGO_BCRYPT, small);
	char enc[PW_HASH_MAX], big[100], other[100];
	const char *data;
	int rh;

	/* Plain bcrypt reads 72 bytes; bcrypt_sha256 all of them. */
	memset(big, 'a', sizeof(big));
	memcpy(other, big, sizeof(other));
	other[sizeof(other) - 1] = 'b';
	T_ASSERT(pw_hash(&pp, big, sizeof(big), enc) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, other, sizeof(other), &rh) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, big, 72, &rh) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, big, 71, &rh) == APP_EAUTH);
	/* A NUL: python-bcrypt raises, so no hash and no match. */
	snprintf(enc, sizeof(enc), "unchanged");
	T_ASSERT(pw_hash(&pp, "a\0b", 3, enc) == APP_EINPUT);
	T_STREQ(enc, "unchanged");
	T_ASSERT(pw_hash(&pp, "a", 1, enc) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, "a\0b", 3, &rh) == APP_EAUTH);
	pw_dummy(&pp, "a\0b", 3);

	pp = dj_params(PW_ALGO_BCRYPT_SHA256, small);
	T_ASSERT(pw_hash(&pp, big, sizeof(big), enc) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, other, sizeof(other), &rh) == APP_EAUTH);
	T_ASSERT(pw_verify(&pp, enc, big, sizeof(big), &rh) == APP_OK);
	T_ASSERT(pw_hash(&pp, "a\0b", 3, enc) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, "a\0b", 3, &rh) == APP_OK);
	T_ASSERT(pw_verify(&pp, enc, "a\0c", 3, &rh) == APP_EAUTH);

	/*
	 * Costs over the cap are refused before hashing: cost 31 would
	 * take days (this test would not end), 17 about 8 s.
	 */
	data = "$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFLSLd2HvGv17G";
	T_ASSERT(strlen(data) == 57);
	snprintf(enc, sizeof(enc), "bcrypt_sha256$$2b$31%s", data + 3);
	T_ASSERT(verify(&pp, enc, "pw", &rh) == APP_EAUTH);
	snprintf(enc, sizeof(enc), "bcrypt$$2b$%d%s",
	    PW_VERIFY_MAX_BCRYPT_ROUNDS_DEFAULT + 1, data + 3);
	T_ASSERT(verify(&pp, enc, "pw", &rh) == APP_EAUTH);
	pp.verify_max_bcrypt_rounds = 3; /* never below the configured 4 */
	T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_OK);
	T_ASSERT(verify(&pp, enc, "pw", &rh) == APP_OK && rh == 0);

	/* Malformed: prefixes, costs, lengths, alphabet, fields. */
	{
		static const char *const bad[] = {
			"bcrypt$$2b$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFL"
			"SLd2HvGv17",
			"bcrypt$$2b$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFL"
			"SLd2HvGv17GG",
			"bcrypt$$2x$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFL"
			"SLd2HvGv17G",
			"bcrypt$$2$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFLS"
			"Ld2HvGv17G",
			"bcrypt$$2b$4$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFLS"
			"Ld2HvGv17G",
			"bcrypt$$2b$03$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFL"
			"SLd2HvGv17G",
			"bcrypt$$2b$0a$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFL"
			"SLd2HvGv17G",
			"bcrypt$$2b$04$UFC1az+wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFL"
			"SLd2HvGv17G",
			"bcrypt$x$2b$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnF"
			"LSLd2HvGv17G",
			"bcrypt$2b$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFLS"
			"Ld2HvGv17G",
			"bcrypt$$2b$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnFL"
			"SLd2HvGv17G$",
			"bcrypt$$$2b$04$UFC1az.wZTm3Yyv1LDHyM.yC4ZNrCbcpKC9Tj1QnF"
			"LSLd2HvGv17G",
			"bcrypt_sha256$$2b$04$",
			"bcrypt$",
		};
		size_t i;

		pp = dj_params(PW_ALGO_BCRYPT, small);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			T_ASSERT(verify(&pp, bad[i], "l\xc3\xa8tmein", &rh) ==
			    APP_EAUTH);
	}
}

/* PASSWORD_HASHERS rules of pw_params_check. */
static void
test_hashers_check(void)
{
	struct pw_params pp = params(1, 256, 1);
	char enc[PW_HASH_MAX];

	T_ASSERT(pw_params_check(&pp) == APP_OK); /* the default list */
	pp.hashers[0] = PW_ALGO_PBKDF2_SHA1;
	pp.hashers_len = 1;
	T_ASSERT(pw_params_check(&pp) == APP_OK);
	pp.hashers[1] = PW_ALGO_PBKDF2_SHA1; /* twice */
	pp.hashers_len = 2;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_EINTERNAL);
	pp.hashers[1] = PW_ALGO__MAX; /* unknown */
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp.hashers_len = PW_HASHERS_MAX + 1;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);

	pp = params(1, 256, 1);
	pp.hash_len = PW_ARGON2_HASHLEN_MAX + 1;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp.hash_len = PW_ARGON2_HASHLEN_MIN - 1;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp = params(1, 256, 1);
	pp.bcrypt_rounds = PW_BCRYPT_ROUNDS_MIN - 1;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp.bcrypt_rounds = PW_BCRYPT_ROUNDS_MAX + 1;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp = params(1, 256, 1);
	pp.pbkdf2_iterations = (uint32_t)INT32_MAX + 1;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp = params(1, 256, 1);
	pp.scrypt_work_factor = 1000; /* not a power of two */
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp.scrypt_work_factor = 65536;
	pp.scrypt_block_size = 1; /* RFC 7914: N < 2^(16 r) */
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp.scrypt_block_size = 128; /* N * r * p over the limit */
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);
	pp.scrypt_block_size = 8;
	pp.scrypt_parallelism = PW_SCRYPT_P_MAX + 1;
	T_ASSERT(pw_params_check(&pp) == APP_EINPUT);

	T_STREQ(pw_algo_name(PW_ALGO_BCRYPT_SHA256), "bcrypt_sha256");
	T_STREQ(pw_algo_path(PW_ALGO_PBKDF2_SHA256),
	    "django.contrib.auth.hashers.PBKDF2PasswordHasher");
	T_ASSERT(pw_algo_name(PW_ALGO__MAX) == NULL);
	T_ASSERT(pw_algo_path(PW_ALGO__MAX) == NULL);
}

/* Every proper prefix of a valid hash fails cleanly. */
static void
prefixes(const struct pw_params *pp, const char *enc, const char *pw)
{
	char buf[PW_HASH_MAX];
	size_t n, len = strlen(enc);
	int bad = 0, rh;

	for (n = 0; n < len; n++) {
		memcpy(buf, enc, n);
		buf[n] = '\0';
		if (verify(pp, buf, pw, &rh) != APP_EAUTH)
			bad++;
	}
	T_ASSERT(bad == 0);
	T_ASSERT(verify(pp, enc, pw, &rh) == APP_OK);
}

/* Every one-byte change of a valid hash fails cleanly. */
static void
mutations(const struct pw_params *pp, const char *enc, const char *pw)
{
	static const char subst[] = "$0=9A+/,z!\x80";
	char buf[PW_HASH_MAX];
	size_t i, j, len = strlen(enc);
	int bad = 0, rh;

	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(subst) - 1; j++) {
			if (enc[i] == subst[j])
				continue;
			memcpy(buf, enc, len + 1);
			buf[i] = subst[j];
			if (verify(pp, buf, pw, &rh) != APP_EAUTH)
				bad++;
		}
	}
	T_ASSERT(bad == 0);
}

static void
test_malformed(void)
{
	struct pw_params pp = params(1, 256, 1);
	/* "secret", argon2i, v=19, m=8, t=1, p=1 (Django's test hash) */
	const char *a2 = A2("v=19$m=8,t=1,p=1");
	static const char *const bad[] = {
		"argon2",
		"argon2$",
		"argon2$$$$$",
		A2("v=19$m=8,t=1,p=1") "$",
		A2("v=19$m=8,t=1,p=1") "junk",
		A2("v=19$m=8,t=1,p=1") "=",
		A2S("v=19$m=8,t=1,p=1", A2_SALT "=", A2_HASH),
		A2S("v=19$m=8,t=1,p=1$", A2_SALT, A2_HASH),
		A2("v=19$v=19$m=8,t=1,p=1"),
		"argon2$argon2x$v=19$m=8,t=1,p=1$" A2_SALT "$" A2_HASH,
		"argon2$Argon2i$v=19$m=8,t=1,p=1$" A2_SALT "$" A2_HASH,
		"argon2$argon2i$$v=19$m=8,t=1,p=1$" A2_SALT "$" A2_HASH,
		A2("v=18$m=8,t=1,p=1"),
		A2("v=019$m=8,t=1,p=1"),
		A2("v=+19$m=8,t=1,p=1"),
		A2("V=19$m=8,t=1,p=1"),
		A2("v=19$m=08,t=1,p=1"),
		A2("v=19$m=8,t=1,p=1,"),
		A2("v=19$,m=8,t=1,p=1"),
		A2("v=19$m=8,p=1,t=1"),
		A2("v=19$m=8,t=1"),
		A2("v=19$m=8,t=1,p=1,x=2"),
		A2("v=19$m=8,t=1,p=-1"),
		A2("v=19$m= 8,t=1,p=1"),
		A2("v=19$m=8,t=,p=1"),
		A2("v=19$m=8,,t=1,p=1"),
		A2("v=19$m=8;t=1;p=1"),
		A2("v=19$m8,t=1,p=1"),
		/* overflow and out of range */
		A2("v=19$m=4294967296,t=1,p=1"),
		A2("v=19$m=99999999999,t=1,p=1"),
		A2("v=19$m=8,t=18446744073709551617,p=1"),
		A2("v=4294967315$m=8,t=1,p=1"),
		A2("v=19$m=8,t=0,p=1"),
		A2("v=19$m=8,t=1,p=0"),
		A2("v=19$m=7,t=1,p=1"),
		A2("v=19$m=8,t=1,p=2"),
		A2("v=19$m=1048577,t=1,p=1"),
		A2("v=19$m=8,t=17,p=1"),
		A2("v=19$m=520,t=1,p=65"),
		/* short salt or hash, bad or non-canonical base64 */
		A2S("v=19$m=8,t=1,p=1", "c2FsdHNhbA", A2_HASH),
		A2S("v=19$m=8,t=1,p=1", "", A2_HASH),
		A2S("v=19$m=8,t=1,p=1", A2_SALT, "YC9+"),
		A2S("v=19$m=8,t=1,p=1", A2_SALT, ""),
		A2S("v=19$m=8,t=1,p=1", A2_SALT, "YC9+jJCrQhs5R6db7LlN8R"),
		A2S("v=19$m=8,t=1,p=1", A2_SALT, "YC9+jJCrQhs5R6db7LlN8"),
		A2S("v=19$m=8,t=1,p=1", A2_SALT, "YC9-jJCrQhs5R6db7LlN8Q"),
		A2S("v=19$m=8,t=1,p=1", A2_SALT, "YC9+jJCrQh s5R6db7LlN8Q"),
		A2S("v=19$m=8,t=1,p=1", A2_SALT,
		    "YC9+jJCrQhs5R6db7LlN8\xc3\xa8"),
		A2S("v=19$m=8,t=1,p=1", "c2FsdHNhbHR", A2_HASH),
		/* pbkdf2 */
		PB("390000", "seasalt",
		    "8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c"),
		PB("390000", "seasalt", PB_DK "="),
		PB("390000", "seasalt",
		    "8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7d="),
		PB("0390000", "seasalt", PB_DK),
		PB("0", "seasalt", PB_DK),
		PB("10000001", "seasalt", PB_DK),
		PB("-1", "seasalt", PB_DK),
		PB("390000", "", PB_DK),
		PB("390000", "seasalt", PB_DK "$"),
		PB("390000", "seasalt", "aDapRanzW8aHTz97v2TcfHzWD+I="),
		"pbkdf2_sha1$390000$seasalt$" PB_DK,
		"pbkdf2_sha512$390000$seasalt$" PB_DK,
		"pbkdf2_sha256$390000$seasalt",
		/* scrypt */
		SC("16383", "8", "1", SC_DK),
		SC("1", "8", "1", SC_DK),
		SC("16384", "0", "1", SC_DK),
		SC("16384", "8", "0", SC_DK),
		SC("16384", "8", "17", SC_DK),
		SC("16384", "08", "1", SC_DK),
		SC("65536", "1", "1", SC_DK),
		SC("2147483648", "8", "1", SC_DK),
		SC("4294967296", "8", "1", SC_DK),
		SC("16384", "8", "1",
		    "Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7"),
		SC("16384", "8", "1", PB_DK),
		"scrypt$16384$$8$1$" SC_DK,
		"scrypt$16384$seasalt$8$1",
		"scrypt$16384$seasalt$8$1$" SC_DK "$",
		/* other */
		"$argon2i$v=19$m=8,t=1,p=1$" A2_SALT "$" A2_HASH,
		" " A2("v=19$m=8,t=1,p=1"),
		"ARGON2$argon2i$v=19$m=8,t=1,p=1$" A2_SALT "$" A2_HASH,
		"$",
		"$$$$$$$$$$$$$$$$$$$$$$$$$$$$$$$$",
		"\xff\xfe",
	};
	char longenc[LIMIT_HASH + 2];
	size_t i;
	int rh = -1;

	T_ASSERT(verify(&pp, a2, "secret", &rh) == APP_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (verify(&pp, bad[i], "secret", &rh) != APP_EAUTH ||
		    verify(&pp, bad[i], LETMEIN, &rh) != APP_EAUTH) {
			th_fail++;
			fprintf(stderr, "FAIL malformed accepted: %s\n",
			    bad[i]);
		} else
			th_pass++;
	}

	/* Over LIMIT_HASH chars: refused before parsing. */
	memset(longenc, 'A', sizeof(longenc));
	memcpy(longenc, a2, strlen(a2));
	longenc[LIMIT_HASH + 1] = '\0';
	T_ASSERT(verify(&pp, longenc, "secret", &rh) == APP_EAUTH);
	/* Exactly LIMIT_HASH: parsed, then refused as malformed. */
	longenc[LIMIT_HASH] = '\0';
	T_ASSERT(verify(&pp, longenc, "secret", &rh) == APP_EAUTH);

	prefixes(&pp, a2, "secret");
	prefixes(&pp,
	    "pbkdf2_sha1$1000$seasalt2$zFQibkYUAL5sLWNNyxKLlegrUVM=", "p");
	mutations(&pp, a2, "secret");
}

/* Stored work above the verify caps is refused before any hashing. */
static void
test_caps(void)
{
	struct pw_params pp = params(1, 256, 1);
	char pwhex[16], out[LINE_MAX_], salt[PW_SALT_CHARS + 1];
	int rh;

	hex(pwhex, "pw", 2);
	rng_salt(salt);

	if (py(out, sizeof(out), "argon2 x%s id %s 2 1024 1", pwhex, salt) ==
	    0) {
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_OK);
		pp.verify_max_memory = 1023;
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_EAUTH);
		pp.verify_max_memory = 1024;
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_OK);
		pp.verify_max_time = 1;
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_EAUTH);
	} else
		T_ASSERT(!"python argon2");

	pp = params(1, 256, 1);
	pp.pbkdf2_iterations = 1; /* the caps never fall below it */
	if (py(out, sizeof(out), "pbkdf2 x%s sha256 %s 1000", pwhex, salt) ==
	    0) {
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_OK);
		pp.verify_max_iterations = 999;
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_EAUTH);
	} else
		T_ASSERT(!"python pbkdf2");

	/* N=1024, r=8, p=1: 128 * 8 * (1024 + 2 + 1) bytes = 1027 KiB */
	pp = params(1, 256, 1);
	pp.scrypt_work_factor = 2; /* the caps never fall below it */
	pp.scrypt_block_size = 1;
	if (py(out, sizeof(out), "scrypt x%s %s 1024 8 1", pwhex, salt) == 0) {
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_OK);
		pp.verify_max_memory = 1027;
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_OK);
		pp.verify_max_memory = 1026;
		T_ASSERT(verify(&pp, out, "pw", &rh) == APP_EAUTH);
	} else
		T_ASSERT(!"python scrypt");
}

/* (a) python makes Django-format hashes, restauth checks them. */
static void
cross_from_python(const char *pw, size_t pwlen, uint32_t t, uint32_t m,
    uint32_t p)
{
	char pwhex[2 * LIMIT_PASSWORD + 1], out[LINE_MAX_];
	char salt[PW_SALT_CHARS + 1], wrong[LIMIT_PASSWORD + 2];
	static const char *const types[] = { "id", "i", "d" };
	struct pw_params pp = params(t, m, p);
	size_t i;
	int rh;

	hex(pwhex, pw, pwlen);
	memcpy(wrong, pw, pwlen);
	wrong[pwlen] = 'x';

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		rng_salt(salt);
		if (py(out, sizeof(out), "argon2 x%s %s %s %u %u %u", pwhex,
			types[i], salt, t, m, p) != 0) {
			T_ASSERT(!"python argon2");
			continue;
		}
		rh = -1;
		T_ASSERT(pw_verify(&pp, out, pw, pwlen, &rh) == APP_OK);
		T_ASSERT(rh == (i == 0 ? 0 : 1)); /* only argon2id is ours */
		T_ASSERT(
		    pw_verify(&pp, out, wrong, pwlen + 1, &rh) == APP_EAUTH);
		if (pwlen > 0)
			T_ASSERT(pw_verify(&pp, out, pw, pwlen - 1, &rh) ==
			    APP_EAUTH);
	}

	rng_salt(salt);
	if (py(out, sizeof(out), "pbkdf2 x%s sha256 %s %u", pwhex, salt,
		rng_range(1, 3000)) == 0) {
		rh = -1;
		T_ASSERT(pw_verify(&pp, out, pw, pwlen, &rh) == APP_OK);
		T_ASSERT(rh == 1);
		T_ASSERT(
		    pw_verify(&pp, out, wrong, pwlen + 1, &rh) == APP_EAUTH);
	} else
		T_ASSERT(!"python pbkdf2_sha256");

	rng_salt(salt);
	if (py(out, sizeof(out), "pbkdf2 x%s sha1 %s %u", pwhex, salt,
		rng_range(1, 3000)) == 0) {
		T_ASSERT(pw_verify(&pp, out, pw, pwlen, &rh) == APP_OK);
		T_ASSERT(
		    pw_verify(&pp, out, wrong, pwlen + 1, &rh) == APP_EAUTH);
	} else
		T_ASSERT(!"python pbkdf2_sha1");

	rng_salt(salt);
	if (py(out, sizeof(out), "scrypt x%s %s %u %u %u", pwhex, salt,
		1U << rng_range(1, 10), rng_range(1, 8),
		rng_range(1, 2)) == 0) {
		T_ASSERT(pw_verify(&pp, out, pw, pwlen, &rh) == APP_OK);
		T_ASSERT(
		    pw_verify(&pp, out, wrong, pwlen + 1, &rh) == APP_EAUTH);
	} else
		T_ASSERT(!"python scrypt");
}

/* (b) restauth hashes, argon2-cffi's verify_secret checks them. */
static void
cross_to_python(const char *pw, size_t pwlen, uint32_t t, uint32_t m,
    uint32_t p)
{
	char pwhex[2 * LIMIT_PASSWORD + 1], enchex[2 * PW_HASH_MAX];
	char enc[PW_HASH_MAX], out[LINE_MAX_], want[LINE_MAX_];
	char wrong[LIMIT_PASSWORD + 2], wronghex[2 * LIMIT_PASSWORD + 3];
	struct pw_params pp = params(t, m, p);
	const char *salt;
	size_t i;

	if (pw_hash(&pp, pw, pwlen, enc) != APP_OK) {
		T_ASSERT(!"pw_hash");
		return;
	}
	hex(pwhex, pw, pwlen);
	hex(enchex, enc, strlen(enc));
	snprintf(want, sizeof(want), "ok ID %u %u %u %d ", m, t, p,
	    PW_ARGON2_HASHLEN);
	if (py(out, sizeof(out), "verify x%s %s", pwhex, enchex) != 0) {
		T_ASSERT(!"python verify");
		return;
	}
	T_ASSERT(strncmp(out, want, strlen(want)) == 0);
	/* The salt: 22 characters of [a-zA-Z0-9]. */
	salt = out + strlen(want);
	T_ASSERT(strlen(salt) == PW_SALT_CHARS);
	for (i = 0; salt[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
			   "Z0123456789",
			salt[i]) == NULL)
			break;
	T_ASSERT(i == PW_SALT_CHARS);

	memcpy(wrong, pw, pwlen);
	wrong[pwlen] = '!';
	hex(wronghex, wrong, pwlen + 1);
	if (py(out, sizeof(out), "verify x%s %s", wronghex, enchex) == 0)
		T_ASSERT(strncmp(out, "bad ", 4) == 0);
	else
		T_ASSERT(!"python verify");
}

static void
test_cross(void)
{
	char pw[64];
	size_t len;
	int i;

	/* Fixed ones first: the empty, the non-ASCII, Django's. */
	cross_from_python("", 0, 1, 256, 1);
	cross_to_python("", 0, 1, 256, 1);
	cross_from_python(NONASCII, strlen(NONASCII), 2, 512, 2);
	cross_to_python(NONASCII, strlen(NONASCII), 2, 512, 2);
	cross_from_python(LETMEIN, strlen(LETMEIN), 1, 1024, 1);
	cross_to_python(LETMEIN, strlen(LETMEIN), 1, 1024, 1);

	for (i = 0; i < 6; i++) {
		len = rng_password(pw, sizeof(pw) - 1);
		cross_from_python(pw, len, rng_range(1, 3),
		    rng_range(256, 1024), rng_range(1, 2));
		len = rng_password(pw, sizeof(pw) - 1);
		cross_to_python(pw, len, rng_range(1, 3), rng_range(256, 1024),
		    rng_range(1, 2));
	}

	/* SPEC 5 defaults, both ways. */
	cross_from_python(NONASCII, strlen(NONASCII), PW_TIME_COST_DEFAULT,
	    PW_MEMORY_COST_DEFAULT, PW_PARALLELISM_DEFAULT);
	cross_to_python(NONASCII, strlen(NONASCII), PW_TIME_COST_DEFAULT,
	    PW_MEMORY_COST_DEFAULT, PW_PARALLELISM_DEFAULT);
}

/* The derivation pw_verify(enc, "wrong") runs, or pw_dummy (enc NULL):
 * exactly one, whose kind and cost go to *w. */
static void
derivation(const struct pw_params *pp, const char *enc, struct pw_work *w)
{
	struct pw_work before;
	int rh;

	pw_work(&before);
	if (enc != NULL)
		T_ASSERT(pw_verify(pp, enc, "wrong", 5, &rh) == APP_EAUTH);
	else
		pw_dummy(pp, "wrong", 5);
	pw_work(w);
	T_ASSERT(w->runs == before.runs + 1);
}

static int
same_work(const struct pw_work *a, const struct pw_work *b)
{
	return a->kdf == b->kdf && a->cost[0] == b->cost[0] &&
	    a->cost[1] == b->cost[1] && a->cost[2] == b->cost[2];
}

/*
 * pw_dummy, and pw_verify of an unusable, unknown or malformed hash, run
 * the very key derivation a verify of a configured hash runs, once
 * (SPEC 5): so they cost what it costs. Checked by what ran, not by a
 * clock, which a loaded machine makes lie.
 */
static void
test_dummy(void)
{
	static const char *const nohash[] = { "", "!", "!x", "md5$a$b",
		A2("v=19$m=8,t=1,p=0"), PB("0", "seasalt", PB_DK) };
	struct pw_params pp = params(2, 8192, 1), bad = params(0, 0, 0);
	struct pw_work real, w;
	char enc[PW_HASH_MAX];
	size_t i;

	T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_OK);
	derivation(&pp, enc, &real);
	T_ASSERT(real.kdf == PW_KDF_ARGON2 && real.cost[0] == 8192 &&
	    real.cost[1] == 2 && real.cost[2] == 1);
	derivation(&pp, NULL, &w);
	T_ASSERT(same_work(&w, &real));
	for (i = 0; i < sizeof(nohash) / sizeof(nohash[0]); i++) {
		derivation(&pp, nohash[i], &w);
		T_ASSERT(same_work(&w, &real));
	}
	/* No crash on NULL, too long or bad params. */
	pw_dummy(&pp, NULL, 0);
	pw_dummy(&pp, "x", LIMIT_PASSWORD + 1);
	pw_dummy(&bad, "x", 1);

	/*
	 * Whatever hasher is first, pw_dummy and a refused hash run its
	 * derivation (Django's check_password runs make_password).
	 */
	{
		static const uint32_t prm[DJ_PRM] = { 1, 256, 1, 32, 20000, 6,
			4096, 8, 1 };
		static const struct {
			enum pw_algo first;
			enum pw_kdf kdf;
			uint32_t cost[3];
		} firsts[] = {
			{ PW_ALGO_PBKDF2_SHA256, PW_KDF_PBKDF2, { 20000, 32, 0 } },
			{ PW_ALGO_PBKDF2_SHA1, PW_KDF_PBKDF2, { 20000, 20, 0 } },
			{ PW_ALGO_BCRYPT_SHA256, PW_KDF_BCRYPT, { 6, 0, 0 } },
			{ PW_ALGO_BCRYPT, PW_KDF_BCRYPT, { 6, 0, 0 } },
			{ PW_ALGO_SCRYPT, PW_KDF_SCRYPT, { 4096, 8, 1 } },
		};

		for (i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
			pp = dj_params(firsts[i].first, prm);
			T_ASSERT(pw_hash(&pp, "pw", 2, enc) == APP_OK);
			derivation(&pp, enc, &real);
			T_ASSERT(real.kdf == firsts[i].kdf &&
			    real.cost[0] == firsts[i].cost[0] &&
			    real.cost[1] == firsts[i].cost[1] &&
			    real.cost[2] == firsts[i].cost[2]);
			derivation(&pp, NULL, &w);
			T_ASSERT(same_work(&w, &real));
			derivation(&pp, "md5$a$b", &w);
			T_ASSERT(same_work(&w, &real));
		}
	}
}

int
main(void)
{
	const char *s = getenv("TEST_PW_SEED");
	char *end;

	rng_state = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (s != NULL) {
		errno = 0;
		rng_state = strtoull(s, &end, 10);
		if (errno != 0 || end == s || *end != '\0') {
			fprintf(stderr, "test_pw: bad TEST_PW_SEED\n");
			return 1;
		}
	}
	if (rng_state == 0)
		rng_state = 1;
	fprintf(stderr, "test_pw: TEST_PW_SEED=%llu\n",
	    (unsigned long long)rng_state);
	if (py_setup() == -1) {
		perror("test_pw: python helper");
		return 1;
	}

	test_heap();
	test_rfc9106();
	test_roundtrip();
	test_params();
	test_unusable();
	test_django();
	test_django_kat();
	test_django_rehash();
	test_bcrypt();
	test_hashers_check();
	test_malformed();
	test_caps();
	test_cross();
	test_dummy();

	unlink(py_path);
	return T_DONE();
}
