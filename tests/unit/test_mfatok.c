/*
 * test_mfatok.c: lib/mfa/mfatok.c against Django's own TimestampSigner,
 * signing.dumps and Signer (tests/unit/gen_mfa.py mfatok, kat_mfatok.h):
 * each token and stored secret made byte for byte and read back; tokens
 * Django signs but upstream never writes refused; then age, keys, every
 * changed byte, the bounds, and out-params untouched on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "djsign.h"
#include "mfatok.h"
#include "testhelp.h"

#include "kat_mfatok.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define KEY "unit-test-secret-key-0123456789"

static void
test_login(void)
{
	char *tok, buf[LIMIT_MFA_TOKEN + 2];
	int64_t uid, ts;
	size_t i, j, n;

	for (i = 0; i < N(login_kats); i++) {
		const struct login_kat *k = &login_kats[i];

		n = strlen(k->token);
		tok = NULL;
		T_ASSERT(mfatok_login_make(k->key, k->pk, (time_t)k->now,
			     &tok) == APP_OK);
		T_STREQ(tok, k->token);
		free(tok);
		uid = ts = -1;
		T_ASSERT(mfatok_login_check(k->key, k->token, n,
			     (time_t)k->now + 300, 300, &uid, &ts) == APP_OK &&
		    uid == k->pk && ts == k->now);
		T_ASSERT(mfatok_login_check(k->key, k->token, n, (time_t)k->now,
			     300, &uid, NULL) == APP_OK);
		/* One second too old; another key; another salt. */
		uid = ts = -1;
		T_ASSERT(
		    mfatok_login_check(k->key, k->token, n,
			(time_t)k->now + 301, 300, &uid, &ts) == APP_EINPUT &&
		    uid == -1 && ts == -1);
		T_ASSERT(mfatok_login_check("other", k->token, n,
			     (time_t)k->now, 300, &uid, &ts) == APP_EINPUT);
		T_ASSERT(mfatok_activation_check(k->key, k->token, n,
			     (time_t)k->now, 300, &uid, buf) == APP_EINPUT);
	}
	/* Every byte changed, one at a time. */
	{
		const struct login_kat *k = &login_kats[0];

		n = strlen(k->token);
		for (j = 0; j < n; j++) {
			memcpy(buf, k->token, n + 1);
			buf[j] = buf[j] == '1' ? '2' : '1';
			T_ASSERT(
			    mfatok_login_check(k->key, buf, n, (time_t)k->now,
				300, &uid, &ts) == APP_EINPUT);
		}
		/* Cut short at every length. */
		for (j = 0; j < n; j++)
			T_ASSERT(
			    mfatok_login_check(k->key, k->token, j,
				(time_t)k->now, 300, &uid, &ts) == APP_EINPUT);
	}
	/* Over LIMIT_MFA_TOKEN, whatever it holds. */
	memset(buf, '1', sizeof(buf));
	T_ASSERT(mfatok_login_check(KEY, buf, LIMIT_MFA_TOKEN + 1, 0, 300, &uid,
		     &ts) == APP_EINPUT);
	T_ASSERT(mfatok_login_make(KEY, -1, 0, &tok) == APP_EINTERNAL);
}

static void
test_activation(void)
{
	char *tok, sec[LIMIT_MFA_SECRET + 1];
	int64_t uid;
	size_t i, n;

	for (i = 0; i < N(act_kats); i++) {
		const struct act_kat *k = &act_kats[i];

		n = strlen(k->token);
		tok = NULL;
		T_ASSERT(mfatok_activation_make(k->key, k->pk, k->secret,
			     (time_t)k->now, &tok) == APP_OK);
		T_STREQ(tok, k->token);
		free(tok);
		uid = -1;
		memset(sec, 'x', sizeof(sec));
		T_ASSERT(mfatok_activation_check(k->key, k->token, n,
			     (time_t)k->now + 300, 300, &uid, sec) == APP_OK &&
		    uid == k->pk);
		T_STREQ(sec, k->secret);
		uid = -1;
		T_ASSERT(
		    mfatok_activation_check(k->key, k->token, n,
			(time_t)k->now + 301, 300, &uid, sec) == APP_EINPUT &&
		    uid == -1);
		T_ASSERT(mfatok_activation_check("other", k->token, n,
			     (time_t)k->now, 300, &uid, sec) == APP_EINPUT);
		T_ASSERT(mfatok_login_check(k->key, k->token, n, (time_t)k->now,
			     300, &uid, NULL) == APP_EINPUT);
	}
	/* Secrets that are not pyotp's: lower case, too long; a bad pk. */
	T_ASSERT(mfatok_activation_make(KEY, 1, "aaaa", 0, &tok) == APP_EINPUT);
	{
		char big[LIMIT_MFA_SECRET + 2];

		memset(big, 'A', sizeof(big));
		big[LIMIT_MFA_SECRET + 1] = '\0';
		T_ASSERT(
		    mfatok_activation_make(KEY, 1, big, 0, &tok) == APP_EINPUT);
	}
	T_ASSERT(
	    mfatok_activation_make(KEY, -1, "AAAA", 0, &tok) == APP_EINTERNAL);
}

static void
test_odd(void)
{
	char sec[LIMIT_MFA_SECRET + 1];
	int64_t uid = -5, ts = -5;
	size_t i, n;

	/* Signed with the right key and salt, but not what upstream
	 * writes: each refused by both readers, out-params untouched. */
	for (i = 0; i < N(odd_kats); i++) {
		n = strlen(odd_kats[i].token);
		sec[0] = 'x';
		T_ASSERT(
		    mfatok_login_check(odd_kats[i].key, odd_kats[i].token, n,
			(time_t)odd_kats[i].now, 300, &uid, &ts) == APP_EINPUT);
		T_ASSERT(mfatok_activation_check(odd_kats[i].key,
			     odd_kats[i].token, n, (time_t)odd_kats[i].now, 300,
			     &uid, sec) == APP_EINPUT);
		T_ASSERT(uid == -5 && ts == -5 && sec[0] == 'x');
	}
	/* A compressed payload (".", as signing.dumps(compress=True)
	 * marks it), and stray bits in the base64, signed by us. */
	{
		static const char *const vals[] = {
			".eJyrVirNTFGyMtRRKk5NTixJTVGyUnIEASwcBHo",
			"eyJ1aWQiOjEsInNlY3JldCI6IkFBQUEifR",
			"eyJ1aWQiOjEsInNlY3JldCI6IkFBQUEifQ==",
			"eyJ1aWQiOjEsInNlY3JldCI6IkFBQUEifQ",
		};
		char *tok;

		for (i = 0; i < N(vals); i++) {
			tok = NULL;
			T_ASSERT(
			    djs_ts_sign(KEY, MFATOK_ACTIVATION_SALT, vals[i],
				strlen(vals[i]), 5, &tok) == APP_OK);
			T_ASSERT(mfatok_activation_check(KEY, tok, strlen(tok),
				     5, 300, &uid,
				     sec) == (i == 3 ? APP_OK : APP_EINPUT));
			free(tok);
		}
		T_ASSERT(uid == 1 && strcmp(sec, "AAAA") == 0);
	}
}

static void
test_stored(void)
{
	char *s, sec[LIMIT_MFA_SECRET + 1], buf[256];
	size_t i, n;

	for (i = 0; i < N(stored_kats); i++) {
		const struct stored_kat *k = &stored_kats[i];

		s = NULL;
		T_ASSERT(mfatok_secret_sign(k->key, k->secret, &s) == APP_OK);
		T_STREQ(s, k->stored);
		free(s);
		memset(sec, 'x', sizeof(sec));
		T_ASSERT(mfatok_secret_unsign(k->key, k->stored,
			     strlen(k->stored), sec) == APP_OK);
		T_STREQ(sec, k->secret);
		/* A rotated SECRET_KEY: refused, not a crash. */
		sec[0] = 'x';
		T_ASSERT(mfatok_secret_unsign("rotated", k->stored,
			     strlen(k->stored), sec) == APP_EINPUT &&
		    sec[0] == 'x');
	}
	n = strlen(stored_kats[0].stored);
	for (i = 0; i < n; i++) {
		memcpy(buf, stored_kats[0].stored, n + 1);
		buf[i] = buf[i] == 'A' ? 'B' : 'A';
		T_ASSERT(mfatok_secret_unsign(stored_kats[0].key, buf, n,
			     sec) == APP_EINPUT);
	}
	T_ASSERT(mfatok_secret_unsign(KEY, "", 0, sec) == APP_EINPUT);
	T_ASSERT(mfatok_secret_sign(KEY, "", &s) == APP_EINPUT);
	T_ASSERT(mfatok_secret_sign(KEY, "JBSW:", &s) == APP_EINPUT);
	/* Signed by us, but empty, lower case, too long. */
	{
		static const char *const vals[] = { "", "jbswy3dp", "A:A" };
		char big[LIMIT_MFA_SECRET + 2];

		for (i = 0; i < N(vals); i++) {
			s = NULL;
			T_ASSERT(djs_sign(KEY, MFATOK_SECRET_SALT, vals[i],
				     strlen(vals[i]), &s) == APP_OK);
			T_ASSERT(mfatok_secret_unsign(KEY, s, strlen(s), sec) ==
			    APP_EINPUT);
			free(s);
		}
		memset(big, 'A', sizeof(big));
		for (n = LIMIT_MFA_SECRET; n <= LIMIT_MFA_SECRET + 1; n++) {
			s = NULL;
			T_ASSERT(djs_sign(KEY, MFATOK_SECRET_SALT, big, n,
				     &s) == APP_OK);
			T_ASSERT(mfatok_secret_unsign(KEY, s, strlen(s), sec) ==
			    (n == LIMIT_MFA_SECRET ? APP_OK : APP_EINPUT));
			free(s);
		}
	}
}

int
main(void)
{
	test_login();
	test_activation();
	test_odd();
	test_stored();
	return T_DONE();
}
