/*
 * fuzz_pwhash.c: libFuzzer target for the encoded-hash parsers in
 * lib/crypto/pw.c. Each input, cut at LIMIT_HASH + 1 bytes and NUL-terminated,
 * is a stored hash checked against a fixed password. The verify caps are
 * tiny, so any cost the string asks for over them (argon2 m or t, pbkdf2
 * iterations, scrypt N*r, bcrypt cost) is refused before hashing and no input stalls.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bounds.h"
#include "pw.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pw[] = "password";
	struct pw_params pp;
	char enc[LIMIT_HASH + 2];
	enum app_err er;
	int rh = -1;

	memset(&pp, 0, sizeof(pp));
	pp.time_cost = 1;
	pp.memory_cost = 8;
	pp.parallelism = 1;
	pp.verify_max_memory = 64; /* KiB: argon2 m; scrypt's 128r(N+p+2) B */
	pp.verify_max_time = 2; /* argon2 t */
	pp.verify_max_iterations = 64; /* pbkdf2 */
	pp.verify_max_bcrypt_rounds = 4; /* bcrypt cost */
	/* The caps never fall below the configured costs: keep them low. */
	pp.pbkdf2_iterations = 1;
	pp.bcrypt_rounds = 4;
	pp.scrypt_work_factor = 2;
	pp.scrypt_block_size = 1;
	pp.scrypt_parallelism = 1;

	if (size > LIMIT_HASH + 1)
		size = LIMIT_HASH + 1;
	memcpy(enc, data, size);
	enc[size] = '\0';

	er = pw_verify(&pp, enc, pw, sizeof(pw) - 1, &rh);
	switch (er) {
	case APP_OK:
		if (rh != 0 && rh != 1)
			__builtin_trap();
		if (!pw_usable(enc))
			__builtin_trap();
		break;
	case APP_EAUTH:
	case APP_ENOMEM:
	case APP_EINTERNAL:
		if (rh != -1)
			__builtin_trap(); /* written only on success */
		break;
	default:
		__builtin_trap();
	}
	return 0;
}
