/*
 * test_session.c: Django's session encoding. Known answers from Debian's
 * Django 3.2 (python3-django): signing.dumps(d,
 * salt="django.contrib.sessions.SessionStore") at time 1700000000 with
 * SECRET_KEY below, and salted_hmac("django.contrib.auth.models.
 * AbstractBaseUser.get_session_auth_hash", PW, algorithm="sha256").
 */
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "testhelp.h"

#define SECRET "unit-test-secret-key-0123456789"
#define PW "argon2$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$" \
	   "aGFzaGhhc2hoYXNoaGFzaA"
#define HASH "926da20becd59853bbe9b8b3516d621967acd78e3ccf97b2de582760f66142fc"
#define PLAIN "eyJfYXV0aF91c2VyX2lkIjoiNDIiLCJfYXV0aF91c2VyX2JhY2tlbmQiOiJk" \
	"amFuZ28uY29udHJpYi5hdXRoLmJhY2tlbmRzLk1vZGVsQmFja2VuZCIsIl9hdXRoX3Vz" \
	"ZXJfaGFzaCI6IjkyNmRhMjBiZWNkNTk4NTNiYmU5YjhiMzUxNmQ2MjE5NjdhY2Q3OGUz" \
	"Y2NmOTdiMmRlNTgyNzYwZjY2MTQyZmMifQ:1r31eq:" \
	"Jh9yTmylSwV2n1X8icGmBjFJL0nySGeA9qDjivJ6C1o"
/* user id 7 as a JSON number, allauth's backend. */
#define ALLAUTH "eyJfYXV0aF91c2VyX2lkIjo3LCJfYXV0aF91c2VyX2JhY2tlbmQiOiJhbGxh" \
	"dXRoLmFjY291bnQuYXV0aF9iYWNrZW5kcy5BdXRoZW50aWNhdGlvbkJhY2tlbmQiLCJf" \
	"YXV0aF91c2VyX2hhc2giOiI5MjZkYTIwYmVjZDU5ODUzYmJlOWI4YjM1MTZkNjIxOTY3" \
	"YWNkNzhlM2NjZjk3YjJkZTU4Mjc2MGY2NjE0MmZjIn0:1r31eq:" \
	"c5ptGyRt5gryYG4K_QBSsXnUsfZr2ltL3XzGr39796E"
/* backend "x.Backend": signed, but not one we accept. */
#define OTHER_BACKEND "eyJfYXV0aF91c2VyX2lkIjoiNDIiLCJfYXV0aF91c2VyX2JhY2tl" \
	"bmQiOiJ4LkJhY2tlbmQiLCJfYXV0aF91c2VyX2hhc2giOiI5MjZkYTIwYmVjZDU5ODUz" \
	"YmJlOWI4YjM1MTZkNjIxOTY3YWNkNzhlM2NjZjk3YjJkZTU4Mjc2MGY2NjE0MmZjIn0:" \
	"1r31eq:1pibPsKq8mfVriTkbg6zDGg6S9OtKN7MMQS0YE8jl14"
/* the signed_cookies backend's salt: not a db session. */
#define OTHER_SALT "eyJfYXV0aF91c2VyX2lkIjoiNDIiLCJfYXV0aF91c2VyX2JhY2tlbmQi" \
	"OiJkamFuZ28uY29udHJpYi5hdXRoLmJhY2tlbmRzLk1vZGVsQmFja2VuZCIsIl9hdXRo" \
	"X3VzZXJfaGFzaCI6IjkyNmRhMjBiZWNkNTk4NTNiYmU5YjhiMzUxNmQ2MjE5NjdhY2Q3" \
	"OGUzY2NmOTdiMmRlNTgyNzYwZjY2MTQyZmMifQ:1r31eq:" \
	"UoQlFTg_loRTPx4EorzEMWfQO2pdG-J1sIka6yAfRuc"
/* What Django itself writes for the same dict (zlib-compressed). */
#define COMPRESSED ".eJxVjMsOgjAQRf-la9PAQKetS_d-A-k8alEDCYWV8d-VhIVu7znnvsyQ" \
	"trUMW9VlGMWcTQ_m9DtS4odOO5F7mm6z5Xlal5HsrtiDVnudRZ-Xw_07KKmWbx0BJUFDy" \
	"uJicB2RRgrUuRYFoY3oE4sP2jHn6AlEXQCPTUZse8hs3h8WoDhM:1r31eq:" \
	"6H02pOoSGLnCAJsP-vGFMIP3BYhOZTQJZIB46HvZcUc"

int
main(void)
{
	char hash[SESS_HASH_BYTES], key[SESS_KEY_BYTES], key2[SESS_KEY_BYTES];
	struct sess_auth sa;
	char *enc = NULL, *bad;
	size_t i;

	T_ASSERT(sess_auth_hash(SECRET, PW, hash) == APP_OK);
	T_STREQ(hash, HASH);

	T_ASSERT(sess_encode(SECRET, 42, PW, 1700000000, &enc) == APP_OK);
	T_STREQ(enc, PLAIN);

	memset(&sa, 0, sizeof(sa));
	T_ASSERT(sess_decode(SECRET, PLAIN, &sa) == APP_OK);
	T_ASSERT(sa.user_id == 42);
	T_STREQ(sa.hash, HASH);
	memset(&sa, 0, sizeof(sa));
	T_ASSERT(sess_decode(SECRET, ALLAUTH, &sa) == APP_OK);
	T_ASSERT(sa.user_id == 7);

	/* Wrong secret, other salt, other backend, compressed: refused. */
	T_ASSERT(sess_decode("another-secret", PLAIN, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, OTHER_SALT, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, OTHER_BACKEND, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, COMPRESSED, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, "", &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, "a:b", &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, ":::", &sa) == APP_EAUTH);

	/* Tamper: every single-character change of payload, timestamp or
	 * signature is refused. */
	bad = strdup(PLAIN);
	T_ASSERT(bad != NULL);
	for (i = 0; bad != NULL && bad[i] != '\0'; i++) {
		char was = bad[i];

		bad[i] = was == 'A' ? 'B' : 'A';
		if (sess_decode(SECRET, bad, &sa) != APP_EAUTH) {
			T_ASSERT(!"tampered session accepted");
			break;
		}
		bad[i] = was;
	}
	T_ASSERT(bad != NULL && bad[i] == '\0');
	/* Truncated signature. */
	if (bad != NULL) {
		bad[strlen(bad) - 1] = '\0';
		T_ASSERT(sess_decode(SECRET, bad, &sa) == APP_EAUTH);
	}
	free(bad);
	free(enc);

	/* Keys: 32 of [a-z0-9], and different each time. */
	T_ASSERT(sess_key_new(key) == APP_OK);
	T_ASSERT(sess_key_new(key2) == APP_OK);
	T_ASSERT(strlen(key) == SESS_KEY_CHARS);
	T_ASSERT(strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789") ==
	    SESS_KEY_CHARS);
	T_ASSERT(strcmp(key, key2) != 0);

	/* Round trip at another time and id. */
	T_ASSERT(sess_encode(SECRET, 9223372036854775807LL, "x", 0, &enc) ==
	    APP_OK);
	T_ASSERT(enc != NULL && sess_decode(SECRET, enc, &sa) == APP_OK &&
	    sa.user_id == 9223372036854775807LL);
	free(enc);
	return T_DONE();
}
