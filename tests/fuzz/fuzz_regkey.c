/*
 * fuzz_regkey.c: libFuzzer target for allauth's HMAC confirmation keys
 * (reg_key_check in lib/api/register.c, over lib/crypto/djsign.c). Input: one byte
 * of max_age, then the key. A key accepted must be exactly the one
 * reg_key_make writes for that id at its time (no second text for one
 * key); a refused one is APP_EINPUT with *address_id untouched. Every
 * other input is also signed, so the checks past the signature run too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "djsign.h"
#include "register.h"

#define SECRET "fuzz-secret"
#define NOW 1714566896

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const char *key, long max_age)
{
	char again[REG_KEY_BYTES];
	int64_t id = -7, ts;
	size_t vlen;
	enum app_err er;

	er = reg_key_check(SECRET, key, NOW, max_age, &id);
	if (er == APP_OK) {
		if (id < 1 || djs_ts_unsign(SECRET, REG_KEY_SALT, key,
				  strlen(key), NOW, -1, &vlen, &ts) != APP_OK ||
		    reg_key_make(SECRET, id, (time_t)ts, again,
			sizeof(again)) != APP_OK ||
		    strcmp(again, key) != 0)
			__builtin_trap();
	} else if (er != APP_EINPUT || id != -7)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char key[REG_KEY_BYTES + 8], *signed_key = NULL;
	long max_age;

	if (size == 0)
		return 0;
	max_age = (long)data[0] * 1000;
	data++;
	size--;
	if (size >= sizeof(key))
		size = sizeof(key) - 1;
	memcpy(key, data, size);
	key[size] = '\0';
	check(key, max_age);
	/* The same text as a payload, signed at NOW - data[0] seconds. */
	if (djs_ts_sign(SECRET, REG_KEY_SALT, key, strlen(key),
		NOW - (time_t)(data - 1)[0], &signed_key) == APP_OK) {
		if (strlen(signed_key) < REG_KEY_BYTES)
			check(signed_key, max_age);
		free(signed_key);
	}
	return 0;
}
