/*
 * fuzz_uid.c: libFuzzer target for the base64url uid of the reset links
 * (lib/resettok.c). A uid that decodes must be exactly the one
 * rtok_uid_encode makes for that id, and *id is written only on success.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "resettok.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char uid[256], again[RTOK_UID_BYTES];
	int64_t id = -7;
	enum app_err er;

	if (size >= sizeof(uid))
		size = sizeof(uid) - 1;
	memcpy(uid, data, size);
	uid[size] = '\0';
	er = rtok_uid_decode(uid, &id);
	if (er == APP_OK) {
		if (id < 1)
			__builtin_trap();
		if (rtok_uid_encode(id, again, sizeof(again)) != APP_OK ||
		    strcmp(again, uid) != 0)
			__builtin_trap();
	} else if (er != APP_EINPUT || id != -7)
		__builtin_trap();
	return 0;
}
