/*
 * fuzz_rtok.c: libFuzzer target for the reset links (rtok_check and
 * rtok_uid_decode in lib/crypto/resettok.c). Input: the uid, a NUL, then the
 * token. A uid that decodes names an id; a token accepted for that user
 * must be exactly the one rtok_make writes at its time, and a refusal
 * is APP_EINPUT.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec.h"

#include "bounds.h"
#include "resettok.h"

#define SECRET "fuzz-secret"
#define NOW 1714566896
#define HASH "argon2$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$" \
	     "RdescudvJCsgt3ub+b+dWRWJTmaaJObG"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const addrs[] = { "a@example.com" };
	char buf[512], again[RTOK_TOKEN_BYTES];
	const char *uid = buf, *token;
	struct rtok_user u = { 1, HASH, RTOK_NO_LOGIN, "a@example.com",
		false, addrs, 1 };
	char made[RTOK_TOKEN_BYTES];
	const char *dash;
	int64_t id = -7;
	enum app_err er;
	uint64_t ts;
	size_t n;

	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	n = strlen(buf);
	token = n < size ? buf + n + 1 : "";
	er = rtok_uid_decode(uid, &id);
	if (er == APP_OK)
		u.id = id;
	else if (er != APP_EINPUT || id != -7)
		__builtin_trap();
	u.allauth = size > 0 && (data[0] & 1);
	/* Or a real token with one byte changed: only the same text may
	 * pass. */
	if (size >= 3 && (data[0] & 2) &&
	    rtok_make(SECRET, &u, NOW, made, sizeof(made)) == APP_OK) {
		n = strlen(made);
		made[data[1] % n] = (char)data[2];
		token = made;
	}
	er = rtok_check(SECRET, &u, token, NOW, 259200L);
	if (er == APP_OK) {
		/* Accepted: the token at its own time, bit for bit. */
		if ((dash = strchr(token, '-')) == NULL ||
		    codec_b36_decode(token, (size_t)(dash - token), INT64_MAX,
			&ts) != APP_OK ||
		    rtok_make(SECRET, &u, (time_t)ts + 978307200, again,
			sizeof(again)) != APP_OK ||
		    strcmp(again, token) != 0)
			__builtin_trap();
	} else if (er != APP_EINPUT)
		__builtin_trap();
	return 0;
}
