/*
 * fuzz_session.c: libFuzzer target for Django's session_data decoder
 * (lib/auth/session.c). The first byte picks what the rest is:
 *   0: zlib data for sess_inflate, which must stay within SESS_JSON_MAX
 *      and NUL-terminate what it returns;
 *   1: zlib data signed here as Django signs a compressed session
 *      ('.' + base64url + ":timestamp:" + HMAC), so sess_decode gets
 *      past the signature to the inflating and the JSON;
 *   2: a whole session_data string (up to its first NUL) for sess_decode.
 * An accepted session must name a positive user and a 64-character hash;
 * nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "djsign.h"
#include "session.h"
#include "tok.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SECRET "fuzz-secret-key"
#define SALT "django.contrib.sessions.SessionStoresigner"
/* Inputs past this are cut: a row is at most SESS_DATA_MAX characters. */
#define IN_MAX (2 * SESS_DATA_MAX)

static void
check(const char *s)
{
	struct sess_auth sa;

	memset(&sa, 0, sizeof(sa));
	if (sess_decode(SECRET, s, &sa) == APP_OK &&
	    (sa.user_id <= 0 || strlen(sa.hash) != SESS_HASH_BYTES - 1))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char mac[DJS_MAC_BYTES], *out;
	char *s;
	size_t outlen, n;

	if (size < 1)
		return 0;
	n = size - 1 > IN_MAX ? IN_MAX : size - 1;
	switch (data[0] % 3) {
	case 0:
		if (sess_inflate(data + 1, n, &out, &outlen) == APP_OK) {
			if (outlen > SESS_JSON_MAX || out[outlen] != '\0')
				__builtin_trap();
			free(out);
		}
		break;
	case 1:
		/* '.' b64 ":1r31eq:" sig NUL */
		if ((s = malloc(1 + 4 * (n / 3 + 1) + 9 + 44 + 1)) == NULL)
			return 0;
		s[0] = '.';
		if (codec_b64_encode(data + 1, n, CODEC_B64_URL, s + 1,
			4 * (n / 3 + 1) + 1, &n) != APP_OK)
			__builtin_trap();
		n++;
		memcpy(s + n, ":1r31eq", 8);
		n += 7;
		if (djs_salted_hmac(SALT, SECRET, s, n, mac) == APP_OK) {
			s[n++] = ':';
			if (codec_b64_encode(mac, sizeof(mac), CODEC_B64_URL,
				s + n, 44, NULL) != APP_OK)
				__builtin_trap();
			check(s);
		}
		free(s);
		break;
	default:
		if ((s = malloc(n + 1)) == NULL)
			return 0;
		memcpy(s, data + 1, n);
		s[n] = '\0';
		check(s);
		free(s);
	}
	return 0;
}
