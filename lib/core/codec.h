/*
 * codec.h: the byte-to-text encodings every module shares, each written
 * once: base64 (RFC 4648, 4 and 5, with or without padding), base32
 * (RFC 4648, 6: TOTP secrets), lower-case hex, Django's base36 (int_to_base36)
 * and base62 (signing's b62), and UTF-8 (RFC 3629).
 *
 * Decoding is strict: a text is accepted only if encoding what it decodes
 * to gives that text back (no stray bits, no whitespace, no padding where
 * none is asked for, no upper-case hex), so each value has one encoding.
 * Lengths are explicit; nothing here needs a NUL in its input.
 */
#ifndef RESTAUTH_CODEC_H
#define RESTAUTH_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

/* Flags of the base64 calls. */
#define CODEC_B64_URL 0x1 /* RFC 4648, 5: '-' and '_' for '+' and '/' */
#define CODEC_B64_PAD 0x2 /* '=' to a multiple of 4: written and required */

/* Characters of n bytes in base64 with padding (the most), without NUL. */
#define CODEC_B64_LEN(n) (4 * (((size_t)(n) + 2) / 3))

/* Characters of n bytes in base64 under flags, without the NUL. */
size_t codec_b64_len(size_t n, unsigned flags);

/*
 * n bytes of in as base64 under flags, and a NUL, into out (outsz bytes).
 * *outlen (may be NULL) gets the length without the NUL. APP_EINTERNAL if
 * it does not fit (outsz < codec_b64_len(n, flags) + 1).
 */
enum app_err codec_b64_encode(const void *in, size_t n, unsigned flags,
    char *out, size_t outsz, size_t *outlen) APP_WUR;

/*
 * Decode n characters of in, base64 under flags, into out (outsz bytes):
 * the alphabet of flags only, a length of 4k, 4k+2 or 4k+3 without
 * CODEC_B64_PAD, 4k with the needed '=' (no more) with it, and the unused
 * bits of the last character zero. An empty text is zero bytes. APP_EINPUT
 * for anything else, APP_ETOOBIG if the bytes do not fit in outsz. *outlen
 * and out are written only on success (out may be written on failure).
 */
enum app_err codec_b64_decode(const char *in, size_t n, unsigned flags,
    unsigned char *out, size_t outsz, size_t *outlen) APP_WUR;

/* Flags of the base32 calls (RFC 4648, 6: "A".."Z", "2".."7"). */
#define CODEC_B32_PAD 0x1 /* '=' to a multiple of 8: written and required */
/*
 * Decoding only: the unused low bits of the last character may be set,
 * and are dropped, as Python's base64.b32decode does (the one leniency
 * pyotp's secrets need; RFC 4648, 3.5 lets a decoder choose).
 */
#define CODEC_B32_ANY_TAIL 0x2

/* Characters of n bytes in base32 with padding (the most), without NUL. */
#define CODEC_B32_LEN(n) (8 * (((size_t)(n) + 4) / 5))

/* Characters of n bytes in base32 under flags, without the NUL. */
size_t codec_b32_len(size_t n, unsigned flags);

/*
 * n bytes of in as upper-case base32 under flags, and a NUL, into out
 * (outsz bytes). *outlen (may be NULL) gets the length without the NUL.
 * APP_EINTERNAL if it does not fit (outsz < codec_b32_len(n, flags) + 1).
 */
enum app_err codec_b32_encode(const void *in, size_t n, unsigned flags,
    char *out, size_t outsz, size_t *outlen) APP_WUR;

/*
 * Decode n characters of in, base32 under flags, into out (outsz bytes):
 * upper case only, a length of 8k, 8k+2, 8k+4, 8k+5 or 8k+7 without
 * CODEC_B32_PAD, 8k with exactly the needed '=' with it, and the unused
 * bits of the last character zero (unless CODEC_B32_ANY_TAIL). An empty
 * text is zero bytes. APP_EINPUT for anything else, APP_ETOOBIG if the
 * bytes do not fit in outsz. *outlen and out are written only on success
 * (out may be written on failure).
 */
enum app_err codec_b32_decode(const char *in, size_t n, unsigned flags,
    unsigned char *out, size_t outsz, size_t *outlen) APP_WUR;

/* n bytes of in as 2n lower-case hex digits and a NUL into out. */
void codec_hex_encode(const void *in, size_t n, char *out);

/*
 * Decode n lower-case hex digits (n even) into out (outsz >= n / 2).
 * APP_EINPUT for an odd length or any other character, APP_ETOOBIG.
 */
enum app_err codec_hex_decode(const char *in, size_t n, unsigned char *out,
    size_t outsz, size_t *outlen) APP_WUR;

/* Digits of UINT64_MAX in base 36 and 62, plus the NUL. */
#define CODEC_B36_BYTES 14
#define CODEC_B62_BYTES 12

/*
 * Django's int_to_base36 (digits then lower case) and signing's
 * b62_encode (digits, upper, lower case) of v, most significant digit
 * first, no leading zero ("0" for 0), and a NUL. Returns the length.
 */
size_t codec_b36_encode(uint64_t v, char out[CODEC_B36_BYTES]);
size_t codec_b62_encode(uint64_t v, char out[CODEC_B62_BYTES]);

/*
 * Read n (>= 1) digits of the same alphabets back (base36: lower case
 * only), leading zeros allowed; no sign, blank or other character.
 * APP_EINPUT for those, for n == 0 and for a value over max (so
 * max = INT64_MAX reads an int64 that cannot overflow).
 */
enum app_err codec_b36_decode(const char *in, size_t n, uint64_t max,
    uint64_t *out) APP_WUR;
enum app_err codec_b62_decode(const char *in, size_t n, uint64_t max,
    uint64_t *out) APP_WUR;

/* The longest UTF-8 sequence of one code point. */
#define CODEC_UTF8_MAX 4

/*
 * Decode the code point at the start of s (n bytes) as RFC 3629 says: no
 * overlong forms, no surrogates (U+D800..U+DFFF), nothing past U+10FFFF,
 * no truncated sequence. Returns its length (1..4) and *cp, or 0 (n == 0
 * or ill-formed; *cp untouched).
 */
size_t codec_utf8_next(const void *s, size_t n, uint32_t *cp);

/* Whether all n bytes of s are well-formed UTF-8 (codec_utf8_next). */
bool codec_utf8_valid(const void *s, size_t n);

/*
 * Code point cp (a scalar value: <= U+10FFFF, not a surrogate) as UTF-8
 * into out. Returns its length (1..4), or 0 for anything else.
 */
size_t codec_utf8_put(uint32_t cp, unsigned char out[CODEC_UTF8_MAX]);

#endif
