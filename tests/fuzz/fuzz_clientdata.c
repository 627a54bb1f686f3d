/*
 * fuzz_clientdata.c: libFuzzer target for clientDataJSON
 * (lib/passkey/clientdata.c), checked as a registration's and as an
 * authentication's. Only APP_OK and APP_EINPUT may come back, and an
 * accepted text holds the expected challenge, in base64url, and an
 * allowed origin. Seeds: tests/unit/gen_passkey.py --seeds.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>

#include "clientdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *const origins[] = { "https://example.com",
	"https://login.example.com:8443" };
/* base64url of gen_passkey.py's challenge, (i * 7 + 3) & 0xff. */
#define CHALLENGE_B64                                                          \
	"AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4_wYNFBsiKTA3PkVMU1"   \
	"phaG92fYSLkpmgp661vA"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char ch[64];
	struct clientdata_expect x = { CLIENTDATA_CREATE, ch, sizeof(ch),
		origins, 2 };
	const char *why;
	enum app_err er;
	unsigned i, t;

	for (i = 0; i < sizeof(ch); i++)
		ch[i] = (unsigned char)(i * 7 + 3);
	for (t = 0; t < CLIENTDATA__MAX; t++) {
		x.type = (enum clientdata_type)t;
		why = NULL;
		er = clientdata_check(data, size, &x, &why);
		if (er == APP_OK) {
			if (memmem(data, size, CHALLENGE_B64,
				strlen(CHALLENGE_B64)) == NULL ||
			    (memmem(data, size, origins[0],
				 strlen(origins[0])) == NULL &&
				memmem(data, size, origins[1],
				    strlen(origins[1])) == NULL))
				__builtin_trap();
		} else if (er != APP_EINPUT || why == NULL)
			__builtin_trap();
	}
	return 0;
}
