/*
 * djsign.h: Django's signing, bit for bit, written once: salted_hmac
 * (django.utils.crypto, algorithm="sha256"), Signer and TimestampSigner
 * (django.core.signing, sep ":", b64_encode'd SHA-256 signatures, b62
 * timestamps), as the sessions (session.c), allauth's HMAC confirmation
 * keys (register.c), the reset tokens (resettok.c) and dj-rest-auth's
 * MFA tokens and stored TOTP secrets (mfatok.c) use them.
 * Signatures are compared in constant time.
 */
#ifndef RESTAUTH_DJSIGN_H
#define RESTAUTH_DJSIGN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app.h"

/* A SHA-256 MAC, and the same as unpadded URL-safe base64. */
#define DJS_MAC_BYTES 32
#define DJS_SIG_CHARS 43
/* Longest timestamp read: 62^10 > year 26 billion, < INT64_MAX. */
#define DJS_TS_MAX_DIGITS 10

/*
 * salted_hmac(salt, value, secret): HMAC-SHA256 of value (len bytes) under
 * the key sha256(salt + secret), into mac. APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err djs_salted_hmac(const char *salt, const char *secret,
    const void *value, size_t len, unsigned char mac[DJS_MAC_BYTES]) APP_WUR;

/*
 * Signer(key=secret, salt=salt).signature(value): b64_encode of
 * salted_hmac(salt + "signer", value, secret), and a NUL, into out.
 * APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err djs_signature(const char *secret, const char *salt,
    const void *value, size_t len, char out[DJS_SIG_CHARS + 1]) APP_WUR;

/*
 * Signer(key=secret, salt=salt).sign(value): value ":" signature into
 * *out, malloc'd, the caller frees. APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err djs_sign(const char *secret, const char *salt, const char *value,
    size_t len, char **out) APP_WUR;

/*
 * Signer(key=secret, salt=salt).unsign(s) for s (n bytes): the text after
 * the last ':' must be the signature of what comes before it, compared
 * in constant time. The value is s[0..*vlen). APP_EAUTH for anything
 * refused, APP_ENOMEM, APP_EINTERNAL; *vlen is written only on success.
 */
enum app_err djs_unsign(const char *secret, const char *salt, const char *s,
    size_t n, size_t *vlen) APP_WUR;

/*
 * TimestampSigner(key=secret, salt=salt).sign(value) at now (0 if
 * negative): value ":" b62(now) ":" signature into *out, malloc'd, the
 * caller frees. APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err djs_ts_sign(const char *secret, const char *salt,
    const char *value, size_t len, time_t now, char **out) APP_WUR;

/*
 * TimestampSigner.unsign(s, max_age) for s (n bytes): the signature after
 * the last ':' must match (Signer.unsign), then the text after the
 * value's last ':' must be 1..DJS_TS_MAX_DIGITS base62 digits and, when
 * max_age >= 0, not older than max_age seconds at now (a time in the
 * future passes, as in Django). The value is s[0..*vlen); *ts is its
 * time. APP_EAUTH for anything refused, APP_ENOMEM, APP_EINTERNAL;
 * *vlen and *ts are written only on success.
 */
enum app_err djs_ts_unsign(const char *secret, const char *salt, const char *s,
    size_t n, time_t now, long max_age, size_t *vlen, int64_t *ts) APP_WUR;

#endif
