#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "bounds.h"
#include "codec.h"
#include "djsign.h"
#include "resettok.h"

/* PasswordResetTokenGenerator.key_salt (Django 3.1 to 5.x). */
#define RTOK_KEY_SALT "django.contrib.auth.tokens.PasswordResetTokenGenerator"
/* datetime(2001, 1, 1) as a Unix time: the origin of ts. */
#define RTOK_EPOCH_2001 978307200
/* Django's base36_to_int refuses longer input. */
#define RTOK_TS_MAX_DIGITS 13
/* "-9223372036854775808", the longest int64 in decimal. */
#define RTOK_INT_CHARS 20
/* "YYYY-MM-DD HH:MM:SS", Python's str(datetime) without microseconds. */
#define RTOK_LOGIN_CHARS 19
/* pk password last_login ts email, each at its longest. */
#define RTOK_VALUE_BYTES                                                       \
	(RTOK_INT_CHARS + LIMIT_HASH + RTOK_LOGIN_CHARS + RTOK_INT_CHARS +     \
	    LIMIT_EMAIL_BYTES + 1)

/* Python's str(datetime.replace(microsecond=0, tzinfo=None)), in UTC. */
static enum app_err
login_string(int64_t epoch, char out[RTOK_LOGIN_CHARS + 1])
{
	time_t t = (time_t)epoch;
	struct tm tm;
	int n;

	if ((int64_t)t != epoch || gmtime_r(&t, &tm) == NULL)
		return APP_EINTERNAL;
	/* Python's datetime has years 1..9999 only. */
	if (tm.tm_year < 1 - 1900 || tm.tm_year > 9999 - 1900)
		return APP_EINTERNAL;
	n = snprintf(out, RTOK_LOGIN_CHARS + 1, "%04d-%02d-%02d %02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (n != RTOK_LOGIN_CHARS)
		return APP_EINTERNAL;
	return APP_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * allauth's EmailAwarePasswordResetTokenGenerator._make_hash_value:
 * Django's value (base, len bytes) followed by
 * "|".join(sorted({user.email if non-empty} | {every address})). Python
 * compares str by code point, strcmp UTF-8 bytes: the same order. The
 * set is exact (case counts); an empty address row counts, an empty
 * user.email does not. *out is malloc'd.
 */
static enum app_err
allauth_value(const struct rtok_user *u, const char *base, size_t len,
    char **out)
{
	const char **set = NULL;
	size_t i, k = 0, total = len + 1;
	enum app_err er = APP_EINTERNAL;
	bool sep = false;
	char *v = NULL;

	if (u->naddrs > RTOK_ADDRS_MAX || (u->naddrs > 0 && u->addrs == NULL))
		return APP_EINTERNAL;
	if ((set = calloc(u->naddrs + 1, sizeof(*set))) == NULL)
		return APP_ENOMEM;
	if (u->email != NULL && u->email[0] != '\0')
		set[k++] = u->email;
	for (i = 0; i < u->naddrs; i++) {
		if (u->addrs[i] == NULL ||
		    strlen(u->addrs[i]) > LIMIT_EMAIL_BYTES)
			goto out;
		set[k++] = u->addrs[i];
	}
	qsort(set, k, sizeof(*set), cmp_str);
	for (i = 0; i < k; i++)
		total += strlen(set[i]) + 1;
	er = APP_ENOMEM;
	if ((v = malloc(total)) == NULL)
		goto out;
	memcpy(v, base, len);
	for (i = 0; i < k; i++) {
		if (i > 0 && strcmp(set[i], set[i - 1]) == 0)
			continue;
		if (sep)
			v[len++] = '|';
		sep = true;
		memcpy(v + len, set[i], strlen(set[i]));
		len += strlen(set[i]);
	}
	v[len] = '\0';
	*out = v;
	er = APP_OK;
out:
	free(set);
	return er;
}

/*
 * Django's _make_token_with_timestamp: salted_hmac(key_salt, value,
 * secret, algorithm="sha256").hexdigest()[::2], behind base36(ts) "-".
 */
static enum app_err
make_with_ts(const char *secret, const struct rtok_user *u, uint64_t ts,
    char out[RTOK_TOKEN_BYTES])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[DJS_MAC_BYTES];
	char value[RTOK_VALUE_BYTES], login[RTOK_LOGIN_CHARS + 1];
	const char *email = u->email != NULL ? u->email : "";
	enum app_err er = APP_EINTERNAL;
	char *full = NULL;
	size_t n, i;
	int len;

	if (secret == NULL || u->password == NULL ||
	    strlen(u->password) > LIMIT_HASH ||
	    strlen(email) > LIMIT_EMAIL_BYTES)
		return APP_EINTERNAL;
	login[0] = '\0';
	if (u->last_login != RTOK_NO_LOGIN &&
	    (er = login_string(u->last_login, login)) != APP_OK)
		return er;
	er = APP_EINTERNAL;
	len = snprintf(value, sizeof(value), "%" PRId64 "%s%s%" PRIu64 "%s",
	    u->id, u->password, login, ts, email);
	if (len < 0 || (size_t)len >= sizeof(value))
		goto out;
	if (u->allauth && (er = allauth_value(u, value, (size_t)len,
			       &full)) != APP_OK)
		goto out;
	if ((er = djs_salted_hmac(RTOK_KEY_SALT, secret,
		 full != NULL ? full : value,
		 full != NULL ? strlen(full) : (size_t)len, mac)) != APP_OK)
		goto out;
	n = codec_b36_encode(ts, out);
	out[n++] = '-';
	/* hexdigest()[::2]: the high nibble of each byte. */
	for (i = 0; i < sizeof(mac); i++)
		out[n++] = hex[mac[i] >> 4];
	out[n] = '\0';
	er = APP_OK;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(value, sizeof(value));
	if (full != NULL) {
		OPENSSL_cleanse(full, strlen(full));
		free(full);
	}
	return er;
}

enum app_err
rtok_make(const char *secret, const struct rtok_user *u, time_t now, char *out,
    size_t outsz)
{
	char tok[RTOK_TOKEN_BYTES];
	enum app_err er;
	size_t n;

	/* int_to_base36 raises on a negative ts. */
	if (now < RTOK_EPOCH_2001)
		return APP_EINTERNAL;
	if ((er = make_with_ts(secret, u, (uint64_t)now - RTOK_EPOCH_2001,
		 tok)) != APP_OK)
		return er;
	if ((n = strlen(tok)) >= outsz)
		er = APP_EINTERNAL;
	else
		memcpy(out, tok, n + 1);
	OPENSSL_cleanse(tok, sizeof(tok));
	return er;
}

enum app_err
rtok_check(const char *secret, const struct rtok_user *u, const char *token,
    time_t now, long timeout)
{
	char want[RTOK_TOKEN_BYTES];
	const char *p;
	uint64_t ts = 0;
	size_t len, digits;
	enum app_err er;

	if (token == NULL)
		return APP_EINPUT;
	len = strnlen(token, RTOK_TOKEN_BYTES);
	if (len == 0 || len >= RTOK_TOKEN_BYTES)
		return APP_EINPUT;
	/* ts_b36, _ = token.split("-"): exactly one dash. */
	if ((p = strchr(token, '-')) == NULL || strchr(p + 1, '-') != NULL)
		return APP_EINPUT;
	digits = (size_t)(p - token);
	if (digits == 0 || digits > RTOK_TS_MAX_DIGITS)
		return APP_EINPUT;
	/*
	 * int(ts_b36, 36) also takes signs, blanks, underscores and upper
	 * case, but such a ts never rebuilds the same token, so refuse it
	 * here. A ts past int64 was never made by anyone.
	 */
	if (codec_b36_decode(token, digits, INT64_MAX, &ts) != APP_OK)
		return APP_EINPUT;

	if ((er = make_with_ts(secret, u, ts, want)) != APP_OK)
		return er;
	/* constant_time_compare of the whole token. */
	er = APP_EINPUT;
	if (strlen(want) != len || CRYPTO_memcmp(want, token, len) != 0)
		goto out;
	/* (_num_seconds(_now()) - ts) > PASSWORD_RESET_TIMEOUT: expired. */
	if ((int64_t)now - RTOK_EPOCH_2001 - (int64_t)ts > (int64_t)timeout)
		goto out;
	er = APP_OK;
out:
	OPENSSL_cleanse(want, sizeof(want));
	return er;
}

enum app_err
rtok_uid_encode(int64_t id, char *out, size_t outsz)
{
	char dec[RTOK_INT_CHARS + 1];
	int k;

	if (id < 1)
		return APP_EINPUT;
	k = snprintf(dec, sizeof(dec), "%" PRId64, id);
	if (k < 1 || (size_t)k >= sizeof(dec))
		return APP_EINTERNAL;
	/* RFC 4648, 5 (base64url), padding stripped as Django does. */
	return codec_b64_encode(dec, (size_t)k, CODEC_B64_URL, out, outsz,
	    NULL);
}

enum app_err
rtok_uid_decode(const char *uid, int64_t *id)
{
	unsigned char dec[RTOK_UID_BYTES];
	size_t i, n = 0, len;
	int64_t v = 0;

	if (uid == NULL)
		return APP_EINPUT;
	len = strnlen(uid, RTOK_UID_BYTES);
	/* Strict (codec.h): no spare bits, no length of 4k+1, which would
	 * decode to the same digits. */
	if (len < 2 || len >= RTOK_UID_BYTES ||
	    codec_b64_decode(uid, len, CODEC_B64_URL, dec, sizeof(dec), &n) !=
		APP_OK)
		return APP_EINPUT;
	/* 1..19 digits, no leading zero: a positive int64 in canonical form. */
	if (n == 0 || n > RTOK_INT_CHARS - 1 || dec[0] == '0')
		return APP_EINPUT;
	for (i = 0; i < n; i++) {
		if (dec[i] < '0' || dec[i] > '9')
			return APP_EINPUT;
		if (v > (INT64_MAX - (dec[i] - '0')) / 10)
			return APP_EINPUT;
		v = v * 10 + (dec[i] - '0');
	}
	*id = v;
	return APP_OK;
}

enum app_err
rtok_uid36_encode(int64_t id, char *out, size_t outsz)
{
	char tmp[CODEC_B36_BYTES];
	size_t n;

	if (id < 1)
		return APP_EINPUT;
	if ((n = codec_b36_encode((uint64_t)id, tmp)) >= outsz)
		return APP_EINTERNAL;
	memcpy(out, tmp, n + 1);
	return APP_OK;
}

enum app_err
rtok_uid36_decode(const char *uid, int64_t *id)
{
	const char *p;
	uint64_t v = 0;
	size_t len;
	bool neg = false, digit = false;
	int d;

	if (uid == NULL)
		return APP_EINPUT;
	/* base36_to_int: len(s) > 13 raises (every byte here is one
	 * character: non-ASCII is refused below). */
	len = strnlen(uid, RTOK_TS_MAX_DIGITS + 1);
	if (len == 0 || len > RTOK_TS_MAX_DIGITS)
		return APP_EINPUT;
	/* int(s, 36): an optional sign, then digits of either case with
	 * single underscores between them. */
	p = uid;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; *p != '\0'; p++) {
		if (*p == '_') {
			if (!digit || p[1] == '\0' || p[1] == '_')
				return APP_EINPUT;
			continue;
		}
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'z')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'Z')
			d = *p - 'A' + 10;
		else
			return APP_EINPUT;
		digit = true;
		/* Past int64 (13 digits reach 36^13 - 1): no such row. */
		if (v > ((uint64_t)INT64_MAX - (uint64_t)d) / 36)
			return APP_EINPUT;
		v = v * 36 + (uint64_t)d;
	}
	/* pk 0 or below: no such row either. */
	if (!digit || neg || v == 0)
		return APP_EINPUT;
	*id = (int64_t)v;
	return APP_OK;
}
