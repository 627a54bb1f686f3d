/*
 * totp.h: TOTP as dj-rest-auth's MFA (SPEC-mfa 1.4) uses it through
 * pyotp: RFC 6238 over HMAC-SHA1 with RFC 4226's dynamic truncation,
 * 1..TOTP_DIGITS_MAX digits, a period in seconds, the steps T-1..T+1
 * accepted; pyotp's random secrets and how it reads them (padding added,
 * case folded); its comparison (strings_equal: NFKC of the code, then a
 * constant-time compare); and the otpauth:// URI of its provisioning_uri.
 * No database and no clock: the caller passes the time and keeps the
 * accepted steps.
 */
#ifndef RESTAUTH_TOTP_H
#define RESTAUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app.h"
#include "bounds.h"

/* pyotp refuses more digits (OTP.__init__); its defaults are 6 and 30 s. */
#define TOTP_DIGITS_MIN 1
#define TOTP_DIGITS_MAX 10
#define TOTP_DIGITS_DEFAULT 6
#define TOTP_PERIOD_DEFAULT 30
/* pyotp.random_base32(): 32 characters of A-Z2-7, 160 bits. */
#define TOTP_SECRET_CHARS 32
/* Bytes of the longest secret read (LIMIT_MFA_SECRET characters). */
#define TOTP_KEY_MAX (LIMIT_MFA_SECRET * 5 / 8)
/* valid_window=1: one step either side of now. */
#define TOTP_WINDOW 1

/*
 * A new secret as pyotp.random_base32() makes one: 20 bytes of the
 * CSPRNG (OpenSSL's RAND_bytes) as 32 upper-case base32 characters and a
 * NUL. APP_EINTERNAL if the CSPRNG fails.
 */
enum app_err totp_secret_new(char out[TOTP_SECRET_CHARS + 1]) APP_WUR;

/*
 * The key of the base32 secret s (n bytes) as pyotp's byte_secret reads
 * it: '=' added to a multiple of 8, ASCII letters of either case, all
 * trailing '=' stripped and 0, 1, 3, 4 or 6 of them, the unused bits of
 * the last character ignored (Python's base64.b32decode). "" is an empty
 * key. APP_EINPUT for anything else (over LIMIT_MFA_SECRET characters,
 * non-ASCII included). *keylen is written only on success, key may be
 * written on failure too; the caller wipes key (OPENSSL_cleanse).
 */
enum app_err totp_secret_decode(const char *s, size_t n,
    unsigned char key[TOTP_KEY_MAX], size_t *keylen) APP_WUR;

/*
 * The HOTP value of counter under key (keylen bytes), digits digits
 * (TOTP_DIGITS_MIN..MAX) zero-padded, and a NUL, into out (RFC 4226, 5.3;
 * RFC 6238 uses counter = unix time / period). APP_EINTERNAL for digits
 * out of range, a key over TOTP_KEY_MAX bytes or an OpenSSL failure.
 */
enum app_err totp_code(const unsigned char *key, size_t keylen, unsigned digits,
    uint64_t counter, char out[TOTP_DIGITS_MAX + 1]) APP_WUR;

/*
 * The ASCII digits a client's code (n bytes of UTF-8) stands for, as
 * upstream compares it: str.strip() (pystr_strip), then NFKC, which
 * turns full-width, superscript, subscript, circled and mathematical
 * digits into ASCII ones (U+2469 CIRCLED NUMBER TEN gives "10"). A NUL
 * follows. APP_EINPUT for ill-formed UTF-8, any code point NFKC does not
 * make all digits of, an empty code, or more than TOTP_DIGITS_MAX digits
 * (no code is that long). out and *outlen are written only on success.
 */
enum app_err totp_code_digits(const char *code, size_t n,
    char out[TOTP_DIGITS_MAX + 1], size_t *outlen) APP_WUR;

/*
 * Whether code (n bytes, as a client sent it) is the TOTP of the base32
 * secret (slen bytes, read as totp_secret_decode) at step T - 1, T or
 * T + 1, T = now / period, for a step of at least min_step (pass
 * INT64_MIN for none; a caller that stores the last accepted step
 * passes it + 1 so that no step is accepted twice). Every step of the
 * window is computed and compared in constant time (CRYPTO_memcmp) to
 * totp_code_digits(code), as pyotp's strings_equal. On success *step is
 * the earliest step that matched. APP_EINPUT when it is not (an empty or
 * unreadable secret included), APP_EINTERNAL for digits out of range, a
 * period of 0, a negative now or an OpenSSL failure.
 */
enum app_err totp_verify(const char *secret, size_t slen, unsigned digits,
    unsigned period, time_t now, int64_t min_step, const char *code, size_t n,
    int64_t *step) APP_WUR;

/*
 * pyotp's TOTP(secret, digits, interval=period).provisioning_uri(name,
 * issuer_name=issuer), as dj-rest-auth calls it:
 *   otpauth://totp/LABEL?secret=S[&issuer=I][&digits=D][&period=P]
 * LABEL is quote(name) ("Secret" for an empty name), after quote(issuer)
 * and ":" when issuer is neither NULL nor empty; quote keeps letters,
 * digits, "_.-~" and, in LABEL only, "/", and writes the rest as %XX of
 * its UTF-8 bytes, upper-case hex. digits and period are left out at 6
 * and 30. Into *out, malloc'd, the caller frees. APP_EINPUT for a name or
 * issuer over LIMIT_MFA_LABEL bytes or not UTF-8, a secret over
 * LIMIT_MFA_SECRET; APP_EINTERNAL for digits or period out of range;
 * APP_ENOMEM.
 */
enum app_err totp_uri(const char *secret, const char *name, const char *issuer,
    unsigned digits, unsigned period, char **out) APP_WUR;

#endif
