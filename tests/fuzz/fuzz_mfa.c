/*
 * fuzz_mfa.c: libFuzzer target for what lib/mfa/ reads from a client or
 * from the database: the login and activation tokens and the stored
 * secret (mfatok.c), the TOTP and recovery code checkers and the secret
 * reader (totp.c, recovery.c). The first byte picks the reader, the rest
 * is its input; with bit 0x80, a real token or code with one byte
 * changed (data[1] where, data[2] what) is read instead. Whatever is
 * accepted must be exactly what the writer makes of what was read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mfatok.h"
#include "pystr.h"
#include "recovery.h"
#include "totp.h"

#define KEY "fuzz-secret-key"
#define NOW 1714566896
#define SECRET "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
#define SEED "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
/* Past LIMIT_MFA_TOKEN, so the bound itself is reached. */
#define FUZZ_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_login(const char *s, size_t n)
{
	int64_t uid = -7, ts = -7;
	char *again = NULL;
	enum app_err er;

	er = mfatok_login_check(KEY, s, n, NOW, 300, &uid, &ts);
	if (er != APP_OK) {
		if (er != APP_EINPUT || uid != -7 || ts != -7)
			__builtin_trap();
		return;
	}
	if (mfatok_login_make(KEY, uid, (time_t)ts, &again) != APP_OK ||
	    strlen(again) != n || memcmp(again, s, n) != 0)
		__builtin_trap();
	free(again);
}

static void
check_activation(const char *s, size_t n)
{
	char sec[LIMIT_MFA_SECRET + 1], *again = NULL;
	int64_t uid = -7;
	enum app_err er;
	size_t i;

	sec[0] = 'x';
	er = mfatok_activation_check(KEY, s, n, NOW, 300, &uid, sec);
	if (er != APP_OK) {
		if (er != APP_EINPUT || uid != -7 || sec[0] != 'x')
			__builtin_trap();
		return;
	}
	/* Made again at each time it could carry (it is no older than
	 * 300 s): one of them must be the same text. */
	for (i = 0; i <= 300; i++) {
		if (mfatok_activation_make(KEY, uid, sec, NOW - (time_t)i,
			&again) != APP_OK)
			__builtin_trap();
		if (strlen(again) == n && memcmp(again, s, n) == 0)
			break;
		free(again);
		again = NULL;
	}
	if (again == NULL)
		__builtin_trap();
	free(again);
}

static void
check_stored(const char *s, size_t n)
{
	char sec[LIMIT_MFA_SECRET + 1], *again = NULL;

	sec[0] = 'x';
	if (mfatok_secret_unsign(KEY, s, n, sec) != APP_OK) {
		if (sec[0] != 'x')
			__builtin_trap();
		return;
	}
	if (mfatok_secret_sign(KEY, sec, &again) != APP_OK ||
	    strlen(again) != n || memcmp(again, s, n) != 0)
		__builtin_trap();
	free(again);
}

static void
check_totp(const char *s, size_t n)
{
	unsigned char key[TOTP_KEY_MAX];
	char want[TOTP_DIGITS_MAX + 1], got[TOTP_DIGITS_MAX + 1];
	size_t klen = 0, glen = 0;
	int64_t step = -7;
	enum app_err er;

	er = totp_verify(SECRET, strlen(SECRET), 6, 30, NOW, INT64_MIN, s, n,
	    &step);
	if (er != APP_OK) {
		if (er != APP_EINPUT || step != -7)
			__builtin_trap();
	} else if (step < NOW / 30 - 1 || step > NOW / 30 + 1 ||
	    totp_secret_decode(SECRET, strlen(SECRET), key, &klen) != APP_OK ||
	    totp_code(key, klen, 6, (uint64_t)step, want) != APP_OK ||
	    totp_code_digits(s, n, got, &glen) != APP_OK ||
	    strcmp(want, got) != 0)
		__builtin_trap();
	/* The input as a secret: read, or refused, never more. */
	klen = 999;
	if (totp_secret_decode(s, n, key, &klen) != APP_OK) {
		if (klen != 999)
			__builtin_trap();
	} else if (klen > TOTP_KEY_MAX || klen > n)
		__builtin_trap();
}

static void
check_recovery(const char *s, size_t n)
{
	char want[RCODE_CHARS + 1];
	unsigned index = 999, i;
	enum app_err er;

	er = rcode_check(SEED, strlen(SEED), 10, 0x5, s, n, &index);
	if (er != APP_OK) {
		if (er != APP_EINPUT || index != 999)
			__builtin_trap();
		return;
	}
	if (index >= 10 || index == 0 || index == 2 ||
	    rcode_code(SEED, strlen(SEED), index, want) != APP_OK)
		__builtin_trap();
	/* What was sent, stripped and lower-cased, is that code. */
	s = pystr_strip(s, &n);
	if (n != RCODE_CHARS)
		__builtin_trap();
	for (i = 0; i < RCODE_CHARS; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]) !=
		    want[i])
			__builtin_trap();
}

/* A real input of reader what, into *out (malloc'd). */
static char *
real(unsigned what)
{
	char *s = NULL, code[TOTP_DIGITS_MAX + 1];
	unsigned char key[TOTP_KEY_MAX];
	size_t klen = 0;

	switch (what) {
	case 0:
		if (mfatok_login_make(KEY, 42, NOW, &s) != APP_OK)
			s = NULL;
		break;
	case 1:
		if (mfatok_activation_make(KEY, 42, SECRET, NOW, &s) != APP_OK)
			s = NULL;
		break;
	case 2:
		if (mfatok_secret_sign(KEY, SECRET, &s) != APP_OK)
			s = NULL;
		break;
	case 3:
		if (totp_secret_decode(SECRET, strlen(SECRET), key, &klen) ==
			APP_OK &&
		    totp_code(key, klen, 6, NOW / 30, code) == APP_OK)
			s = strdup(code);
		break;
	default:
		if (rcode_code(SEED, strlen(SEED), 1, code) == APP_OK)
			s = strdup(code);
		break;
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[FUZZ_MAX];
	unsigned what;
	char *made = NULL;
	const char *s = buf;
	size_t n;

	if (size == 0)
		return 0;
	what = (data[0] & 0x7f) % 5;
	if ((data[0] & 0x80) && size >= 3 && (made = real(what)) != NULL) {
		n = strlen(made);
		made[data[1] % n] = (char)data[2];
		s = made;
	} else {
		n = size - 1 < sizeof(buf) ? size - 1 : sizeof(buf);
		memcpy(buf, data + 1, n);
	}
	switch (what) {
	case 0:
		check_login(s, n);
		break;
	case 1:
		check_activation(s, n);
		break;
	case 2:
		check_stored(s, n);
		break;
	case 3:
		check_totp(s, n);
		break;
	default:
		check_recovery(s, n);
		break;
	}
	free(made);
	return 0;
}
