/*
 * test_session.c: Django's session encoding. Known answers from Debian's
 * Django 3.2 (python3-django): signing.dumps(d,
 * salt="django.contrib.sessions.SessionStore") at time 1700000000 with
 * SECRET_KEY below, and salted_hmac("django.contrib.auth.models.
 * AbstractBaseUser.get_session_auth_hash", PW, algorithm="sha256").
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

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
/* Made by tests/unit/gen_session.py (Django's own encode and signer). */
/* login keys and a 11381-byte cart, compressed */
#define LARGE \
	".eJx91U1uVkcYROG9eEysfqv6l2HmWUEUIdufCYQEFDCDCLH3GAlLJNapO7zV3dI" \
	"ZPV-uXt18fnjz6vOn-4-v3l6uXl51Xb348eftzd27-_fflssfN-9__3B99-H9w8e" \
	"3t9ffjlx_Xz9d__Lhcv_nz9_P_ueBNzef3jzePpqXG7Xb-7vLOHv49vb-3O5bj5q" \
	"XqTpz3dxd1r733d3rs251uR9ba7bXc1bX67vHR-9uPj5cvfz1y9Wnd58fX3z7cP_" \
	"XT-3xe5z-fvjn6mV9ffH_rZ42Pd_0tPn55qetP9_60zaeb-Npm8-3-bSt59sKDTs" \
	"0HG6oxg1V3FDihjI3VOeGGtxQMzSs0LBDw-EGNW5QcYPEDTI3qHODBjdohoYVGnZ" \
	"oONzgxg0ubrC4weYGd27w4AbP0LBCww4Nhxt644Ze3NDFDd3c0Ds39MENfYaGFRp" \
	"2aDjcMBo3jOKGIW4Y5obRuWEMbhgzNKzQsEPD4YbZuGEWN0xxwzQ3zM4Nc3DDnKF" \
	"hhYYdGg43rOD0Ck6v4PQKTq_g9ApOr-D0Ck6v4PQKTu_g9A5O7-D0Dk7v4PQOTu_" \
	"g9A5O7-D0Dk6f4PQJTp_g9AlOn-D0CU6f4PQJTp_g9GGnq7HT1djpaux0NXa6Gjt" \
	"djZ2uxk5XY6ersdPV2OkqdrqKna5ip6vY6Sp2uoqdrmKnq9jpKna6ip0usdMldrr" \
	"ETpfY6RI7XWKnS-x0iZ0usdMldrrMTpfZ6TI7XWany-x0mZ0us9NldrrMTpfZ6er" \
	"sdHV2ujo7XZ2drs5OV2enq7PT1dnp6ux0dXa6Bjtdg52uwU7XYKdrsNM12Oka7HQ" \
	"NdroGO12Dna7JTtdkp2uy0zXZ6ZrsdE12uiY7XZOdrslO1wxOr-D0Ck6v4PQKTq_" \
	"g9ApOr-D0Ck6v4PQKTu_g9A5O7-D0Dk7v4PQOTu_g9A5O7-D0Dk6f4PQJTp_g9Al" \
	"On-D0CU6f4PQJTp_g9GGn1dhpNXZajZ1WY6fV2Gk1dlqNnVZjp9XYaTV2WsVOq9h" \
	"pFTutYqdV7LSKnVax0yp2WsVOq9hpiZ2W2GmJnZbYaYmdlthpiZ2W2GmJnZbYaZm" \
	"dltlpmZ2W2WmZnZbZaZmdltlpmZ2W2Wl1dlqdnVZnp9XZaXV2Wp2dVmen1dlpdXZ" \
	"anZ3WYKc12GkNdlqDndZgpzXYaQ12WoOd1mCnNdhpTXZak53WZKc12WlNdlqTndZ" \
	"kpzXZaU12WjM4vYLTKzi9gtMrOL2C0ys4vYLTKzi9gtMrOL2D0zs4vYPTOzi9g9M" \
	"7OL2D0zs4vYPTOzh9gtMnOH2C0yc4fYLTJzh9gtMnOH2C04eddmOn3dhpN3bajZ1" \
	"2Y6fd2Gk3dtqNnXZjp93YaRc77WKnXey0i512sdMudtrFTrvYaRc77WKnLXbaYqc" \
	"tdtpipy122mKnLXbaYqctdtpip2122manbXbaZqdtdtpmp2122manbXbaZqfd2Wl" \
	"3dtqdnXZnp93ZaXd22p2ddmen3dlpd3bag532YKc92GkPdtqDnfZgpz3YaQ922oO" \
	"d9mCnPdlpT3bak532ZKc92WlPdtqTnfZkpz3Zac_g9ApOr-D0Ck6v4PQKTq_g9Ap" \
	"Or-D0Ck6v4PQOTu_g9A5O7-D0Dk7v4PQOTu_g9A5O7-D0CU6f4PQJTp_g9AlOn-D" \
	"0CU6f4PQJTp8fnP7t67-Ub-bV:1r31eq:-_P4KaUZv7yi-VDVnhDlLyFblethd_F" \
	"RvolCoojJQv0"
/* JSON of exactly SESS_JSON_MAX bytes: read */
#define AT_CAP \
	".eJztzslKA1EQBdB_6bU0yUt6cuneb2jeFBOVRDKAIP67CWShe5fnLOveKuqrmeP" \
	"lvJ0vp3qcd6V5bNahefg9TDG_1f0tKa9x_3Jo82F_Pu5Se6u09_TUPh9KfX-6d_8" \
	"c2MbT9ro9hb7EsEg1l24au1VKdUpjWnXLvvRhOfVDzGUY6yrnzTSkUGo3hqFfbPp" \
	"-uQ6bfD36EW9vfAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPDfmu8fFO_skA:1r31eq:klXN_PRKh" \
	"56GJ6gxm3DgS2Iag6Gcb-1G8ShQaVFZJ8g"
/* JSON of SESS_JSON_MAX + 1 bytes: refused */
#define PAST_CAP \
	".eJztzslKA1EQBdB_6bU0yUt6cuneb2jeFBOVRDKAIP67CWShe5fnLOveKuqrmeP" \
	"lvJ0vp3qcd6V5bNahefg9TDG_1f0tKa9x_3Jo82F_Pu5Se6u09_TUPh9KfX-6d_8" \
	"c2MbT9ro9hb7EsEg1l24au1VKdUpjWnXLvvRhOfVDzGUY6yrnzTSkUGo3hqFfbPp" \
	"-uQ6bfD36EW9vfAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPDvmu8fAlftCA:1r31eq:SXmzBDgM0" \
	"cVelGyaYaDyBLJpDbYQFsvr3GTe6Eh3jJY"
/* a 1 MiB pad in about 1 KiB: refused */
#define BOMB \
	".eJztzjluAkEQBdC7TGyNoGF6Zhw69xlQbxgvAoslsnx3g0Rgx07fC-v_KtVXt0m" \
	"X825zObXj5rV2j906dA-_hzmV97a_JfUt7V8OfTnsz8fX3N8q_T099c-H2j6e7t0" \
	"_B3bptLtuzyHWFBa5lTrM07DKuc15yqthGWsMyzmOqdRxaqtStvOYQ23DFMa42Ma" \
	"4XIdtuR79TLc3FgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	"AAAAAAAAAAAAAAAAAAAAAAAAA_9R9_wDaj2dv:1r31eq:WALwyuQzcDhtiLQA-mf" \
	"VWG3DMaEwC9x6sxD5e9V7xMs"
/* the login dict's zlib without its last 6 bytes */
#define TRUNCATED \
	".eJxVjMsOgjAQRf-la9PAQKetS_d-A-k8alEDCYWV8d-VhIVu7znnvsyQtrUMW9V" \
	"lGMWcTQ_m9DtS4odOO5F7mm6z5Xlal5HsrtiDVnudRZ-Xw_07KKmWbx0BJUFDyuJ" \
	"icB2RRgrUuRYFoY3oE4sP2jHn6AlEXQCPTUZse8hs:1r31eq:AE8uZK698cYHwv-" \
	"o32B_YCZc61YiE84fJqZZBxbKOTk"
/* its adler32 check value changed */
#define BAD_ADLER \
	".eJxVjMsOgjAQRf-la9PAQKetS_d-A-k8alEDCYWV8d-VhIVu7znnvsyQtrUMW9V" \
	"lGMWcTQ_m9DtS4odOO5F7mm6z5Xlal5HsrtiDVnudRZ-Xw_07KKmWbx0BJUFDyuJ" \
	"icB2RRgrUuRYFoY3oE4sP2jHn6AlEXQCPTUZse8hs3h8WoDhN:1r31eq:bOB2jFa" \
	"E5WXWyQdLzv8xD9GnFAg8fKA7A7ZyKmCYrtk"
/* not zlib at all */
#define GARBAGE \
	".dGhpcyBpcyBub3QgemxpYiBkYXRhIGF0IGFsbA:1r31eq:SRUeWf9oHmITcKqVX" \
	"r-f_qjKY9DtpGxggvX8TgKYjYg"
/* raw deflate without zlib's header: refused */
#define RAW_DEFLATE \
	".VYzLDoIwEEX_pWvTwECnrUv3fgPpPGpRAwmFlfHflYSFbu85577MkLa1DFvVZRj" \
	"FnE0P5vQ7UuKHTjuRe5pus-V5WpeR7K7Yg1Z7nUWfl8P9Oyiplm8dASVBQ8riYnA" \
	"dkUYK1LkWBaGN6BOLD9ox5-gJRF0Aj01GbHvIbN4f:1r31eq:VxG76WJFaKznSdr" \
	"c5nzp9J-WwqhXND-BQRPXxFlBt98"
/* '.' and nothing */
#define EMPTY_Z \
	".:1r31eq:P4Cv172tOLqGtwkuWs8-RIJfHYcqxwDq_pn2XgSSOXU"
/* bytes after the stream's end: ignored, as Python */
#define TRAILING \
	".eJxVjMsOgjAQRf-la9PAQKetS_d-A-k8alEDCYWV8d-VhIVu7znnvsyQtrUMW9V" \
	"lGMWcTQ_m9DtS4odOO5F7mm6z5Xlal5HsrtiDVnudRZ-Xw_07KKmWbx0BJUFDyuJ" \
	"icB2RRgrUuRYFoY3oE4sP2jHn6AlEXQCPTUZse8hs3h8WoDhMdHJhaWxpbmc:1r3" \
	"1eq:u2mpWVLL4xrNERvxEHC5zUAf5gMGLeXIMZoHcAx99eg"
/* inflates to a JSON array */
#define NOT_OBJECT \
	".eJyLNtQx0jGOjR6laEEBAIO8Um0:1r31eq:H0ihvm9Iy4oqYD0U8lCQnsL1g7_S" \
	"EhcyuGwC-MEIqEM"

/* sess_inflate of n bytes of zlib made here; 1 if read, 0 if refused. */
static int
inflates(const unsigned char *z, size_t n, size_t want)
{
	unsigned char *out = (unsigned char *)"untouched";
	size_t len = 7;
	enum app_err er;

	er = sess_inflate(z, n, &out, &len);
	if (er != APP_OK) {
		T_ASSERT(er == APP_EAUTH);
		T_ASSERT(len == 7 && strcmp((char *)out, "untouched") == 0);
		return 0;
	}
	T_ASSERT(len == want && out[len] == '\0');
	free(out);
	return 1;
}

/* Django's compressed sessions: read within SESS_JSON_MAX, the rest
 * refused without a crash. */
static void
compressed(void)
{
	struct sess_auth sa;
	unsigned char *plain, *z;
	uLongf zlen;
	size_t n, i;

	memset(&sa, 0, sizeof(sa));
	T_ASSERT(sess_decode(SECRET, COMPRESSED, &sa) == APP_OK);
	T_ASSERT(sa.user_id == 42);
	T_STREQ(sa.hash, HASH);
	T_ASSERT(sess_decode("another-secret", COMPRESSED, &sa) == APP_EAUTH);
	memset(&sa, 0, sizeof(sa));
	T_ASSERT(sess_decode(SECRET, LARGE, &sa) == APP_OK);
	T_ASSERT(sa.user_id == 42);
	memset(&sa, 0, sizeof(sa));
	T_ASSERT(sess_decode(SECRET, AT_CAP, &sa) == APP_OK);
	T_ASSERT(sa.user_id == 42);
	memset(&sa, 0, sizeof(sa));
	T_ASSERT(sess_decode(SECRET, TRAILING, &sa) == APP_OK);
	T_ASSERT(sa.user_id == 42);
	T_ASSERT(sess_decode(SECRET, PAST_CAP, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, BOMB, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, TRUNCATED, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, BAD_ADLER, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, GARBAGE, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, RAW_DEFLATE, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, EMPTY_Z, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, NOT_OBJECT, &sa) == APP_EAUTH);

	/* A 64 MiB bomb (about 64 KiB of zlib): refused after at most
	 * SESS_JSON_MAX + 1 bytes of output. */
	n = (size_t)64 << 20;
	zlen = compressBound((uLong)n);
	plain = calloc(1, n);
	z = malloc(zlen);
	T_ASSERT(plain != NULL && z != NULL);
	if (plain == NULL || z == NULL ||
	    compress2(z, &zlen, plain, (uLong)n, 9) != Z_OK) {
		T_ASSERT(!"compress2");
		goto out;
	}
	T_ASSERT(inflates(z, zlen, 0) == 0);

	/* The cap, exactly: SESS_JSON_MAX is read, one more is not. */
	for (n = SESS_JSON_MAX - 1; n <= SESS_JSON_MAX + 1; n++) {
		memset(plain, 'a' + (int)(n % 26), n);
		zlen = compressBound((uLong)n);
		T_ASSERT(compress2(z, &zlen, plain, (uLong)n, 1) == Z_OK);
		T_ASSERT(inflates(z, zlen, n) == (n <= SESS_JSON_MAX));
	}
	/* Empty, and every buffer step's edge. */
	zlen = compressBound(0);
	T_ASSERT(compress2(z, &zlen, plain, 0, 9) == Z_OK);
	T_ASSERT(inflates(z, zlen, 0) == 1);
	for (n = 1000; n <= 8200; n += 1) {
		if (n % 1024 > 3 && n % 1024 < 1021)
			continue;
		zlen = compressBound((uLong)n);
		T_ASSERT(compress2(z, &zlen, plain, (uLong)n, 1) == Z_OK);
		T_ASSERT(inflates(z, zlen, n) == 1);
	}

	/* Every truncation of a stream, and every byte of it changed:
	 * refused or read, never a crash or an overread (ASan). */
	for (i = 0; i < 3000; i++)
		plain[i] = (unsigned char)(i * 7 % 251);
	zlen = compressBound(3000);
	T_ASSERT(compress2(z, &zlen, plain, 3000, 9) == Z_OK);
	T_ASSERT(inflates(z, zlen, 3000) == 1);
	for (n = 0; n < zlen; n++) {
		unsigned char *cut = malloc(n + 1);

		T_ASSERT(cut != NULL);
		if (cut == NULL)
			break;
		memcpy(cut, z, n);
		T_ASSERT(inflates(cut, n, 0) == 0);
		free(cut);
	}
	for (i = 0; i < zlen; i++) {
		unsigned char *o;
		size_t olen;

		z[i] ^= 0x5a;
		if (sess_inflate(z, zlen, &o, &olen) == APP_OK)
			free(o);
		z[i] ^= 0x5a;
	}
out:
	free(plain);
	free(z);
}

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

	/* Wrong secret, other salt, other backend: refused. */
	T_ASSERT(sess_decode("another-secret", PLAIN, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, OTHER_SALT, &sa) == APP_EAUTH);
	T_ASSERT(sess_decode(SECRET, OTHER_BACKEND, &sa) == APP_EAUTH);
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

	compressed();

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
