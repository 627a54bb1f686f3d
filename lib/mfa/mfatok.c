/*
 * mfatok.c: dj-rest-auth's MFA login and activation tokens and its
 * stored TOTP secret (mfatok.h), over djsign.c and codec.c's base64.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "codec.h"
#include "djsign.h"
#include "mfatok.h"

/* Digits of INT64_MAX. */
#define MFATOK_UID_DIGITS 19
/* The activation payload Django writes: json.dumps(separators=(",", ":")). */
#define ACT_HEAD "{\"uid\":"
#define ACT_MID ",\"secret\":\""
#define ACT_TAIL "\"}"
#define ACT_JSON_MAX                                                           \
	(sizeof(ACT_HEAD) - 1 + MFATOK_UID_DIGITS + sizeof(ACT_MID) - 1 +      \
	    LIMIT_MFA_SECRET + sizeof(ACT_TAIL) - 1)

/* Whether s (n bytes) is in pyotp's alphabet, A-Z2-7. */
static bool
is_b32(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '2' && s[i] <= '7')))
			return false;
	return true;
}

/*
 * str(pk) read back: 1..19 digits, no sign or blank, no leading zero but
 * in "0", at most INT64_MAX.
 */
static bool
uid_parse(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > MFATOK_UID_DIGITS || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    v > (INT64_MAX - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* djsign's refusal (APP_EAUTH) is an invalid token here. */
static enum app_err
as_input(enum app_err er)
{
	return er == APP_EAUTH ? APP_EINPUT : er;
}

enum app_err
mfatok_login_make(const char *secret_key, int64_t uid, time_t now, char **out)
{
	char pk[MFATOK_UID_DIGITS + 1];
	int k;

	if (uid < 0)
		return APP_EINTERNAL;
	k = snprintf(pk, sizeof(pk), "%" PRId64, uid);
	if (k < 0 || (size_t)k >= sizeof(pk))
		return APP_EINTERNAL;
	return djs_ts_sign(secret_key, MFATOK_LOGIN_SALT, pk, (size_t)k, now,
	    out);
}

enum app_err
mfatok_login_check(const char *secret_key, const char *tok, size_t n,
    time_t now, long max_age, int64_t *uid, int64_t *issued)
{
	size_t vlen = 0;
	int64_t ts = 0, v;
	enum app_err er;

	if (n > LIMIT_MFA_TOKEN)
		return APP_EINPUT;
	if ((er = djs_ts_unsign(secret_key, MFATOK_LOGIN_SALT, tok, n, now,
		 max_age, &vlen, &ts)) != APP_OK)
		return as_input(er);
	if (!uid_parse(tok, vlen, &v))
		return APP_EINPUT;
	*uid = v;
	if (issued != NULL)
		*issued = ts;
	return APP_OK;
}

enum app_err
mfatok_activation_make(const char *secret_key, int64_t uid,
    const char *totp_secret, time_t now, char **out)
{
	char json[ACT_JSON_MAX + 1], b64[CODEC_B64_LEN(ACT_JSON_MAX) + 1];
	size_t slen = strlen(totp_secret), blen = 0;
	enum app_err er;
	int k;

	if (slen > LIMIT_MFA_SECRET || !is_b32(totp_secret, slen))
		return APP_EINPUT;
	if (uid < 0)
		return APP_EINTERNAL;
	k = snprintf(json, sizeof(json),
	    ACT_HEAD "%" PRId64 ACT_MID "%s" ACT_TAIL, uid, totp_secret);
	if (k < 0 || (size_t)k >= sizeof(json))
		er = APP_EINTERNAL;
	else if ((er = codec_b64_encode(json, (size_t)k, CODEC_B64_URL, b64,
		      sizeof(b64), &blen)) == APP_OK)
		er = djs_ts_sign(secret_key, MFATOK_ACTIVATION_SALT, b64, blen,
		    now, out);
	OPENSSL_cleanse(json, sizeof(json));
	OPENSSL_cleanse(b64, sizeof(b64));
	return er;
}

/* The payload exactly as Django's JSONSerializer writes it. */
static bool
act_parse(const char *s, size_t n, int64_t *uid, char *secret)
{
	const size_t hl = sizeof(ACT_HEAD) - 1, ml = sizeof(ACT_MID) - 1,
		     tl = sizeof(ACT_TAIL) - 1;
	const char *p, *end = s + n;
	size_t dl, sl;

	if (n < hl + ml + tl || memcmp(s, ACT_HEAD, hl) != 0 ||
	    memcmp(end - tl, ACT_TAIL, tl) != 0)
		return false;
	p = s + hl;
	for (dl = 0; p + dl < end && p[dl] >= '0' && p[dl] <= '9'; dl++)
		;
	if (!uid_parse(p, dl, uid))
		return false;
	p += dl;
	if ((size_t)(end - p) < ml + tl || memcmp(p, ACT_MID, ml) != 0)
		return false;
	p += ml;
	sl = (size_t)(end - tl - p);
	if (sl > LIMIT_MFA_SECRET || !is_b32(p, sl))
		return false;
	memcpy(secret, p, sl);
	secret[sl] = '\0';
	return true;
}

enum app_err
mfatok_activation_check(const char *secret_key, const char *tok, size_t n,
    time_t now, long max_age, int64_t *uid,
    char totp_secret[LIMIT_MFA_SECRET + 1])
{
	unsigned char json[LIMIT_MFA_TOKEN];
	char sec[LIMIT_MFA_SECRET + 1];
	size_t vlen = 0, jlen = 0;
	int64_t ts = 0, v = 0;
	enum app_err er;

	if (n > LIMIT_MFA_TOKEN)
		return APP_EINPUT;
	if ((er = djs_ts_unsign(secret_key, MFATOK_ACTIVATION_SALT, tok, n, now,
		 max_age, &vlen, &ts)) != APP_OK)
		return as_input(er);
	/* A compressed payload starts with '.': not base64, refused here
	 * (upstream never compresses). */
	er = APP_EINPUT;
	if (codec_b64_decode(tok, vlen, CODEC_B64_URL, json, sizeof(json),
		&jlen) == APP_OK &&
	    act_parse((const char *)json, jlen, &v, sec)) {
		*uid = v;
		memcpy(totp_secret, sec, strlen(sec) + 1);
		er = APP_OK;
	}
	OPENSSL_cleanse(json, sizeof(json));
	OPENSSL_cleanse(sec, sizeof(sec));
	return er;
}

enum app_err
mfatok_secret_sign(const char *secret_key, const char *totp_secret, char **out)
{
	size_t slen = strlen(totp_secret);

	if (slen == 0 || slen > LIMIT_MFA_SECRET || !is_b32(totp_secret, slen))
		return APP_EINPUT;
	return djs_sign(secret_key, MFATOK_SECRET_SALT, totp_secret, slen, out);
}

enum app_err
mfatok_secret_unsign(const char *secret_key, const char *stored, size_t n,
    char totp_secret[LIMIT_MFA_SECRET + 1])
{
	size_t vlen = 0;
	enum app_err er;

	if (n > LIMIT_MFA_SECRET + 1 + DJS_SIG_CHARS)
		return APP_EINPUT;
	if ((er = djs_unsign(secret_key, MFATOK_SECRET_SALT, stored, n,
		 &vlen)) != APP_OK)
		return as_input(er);
	if (vlen == 0 || vlen > LIMIT_MFA_SECRET || !is_b32(stored, vlen))
		return APP_EINPUT;
	memcpy(totp_secret, stored, vlen);
	totp_secret[vlen] = '\0';
	return APP_OK;
}
