/*
 * fuzz_uid.c: libFuzzer target for the uids of the reset links
 * (lib/crypto/resettok.c). A base64url uid that decodes must be exactly the one
 * rtok_uid_encode makes for that id; a base36 one, once its "+", its
 * underscores and its leading zeros are dropped and it is lower-cased,
 * the one rtok_uid36_encode makes. *id is written only on success.
 */
#include <ctype.h>
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

	id = -7;
	er = rtok_uid36_decode(uid, &id);
	if (er == APP_OK) {
		char canon[sizeof(uid)];
		size_t i, n = 0;

		if (id < 1)
			__builtin_trap();
		for (i = uid[0] == '+'; uid[i] != '\0'; i++)
			if (uid[i] != '_' && (n > 0 || uid[i] != '0'))
				canon[n++] = (char)tolower((unsigned char)uid[i]);
		canon[n] = '\0';
		if (rtok_uid36_encode(id, again, sizeof(again)) != APP_OK ||
		    strcmp(again, canon) != 0)
			__builtin_trap();
	} else if (er != APP_EINPUT || id != -7)
		__builtin_trap();
	return 0;
}
