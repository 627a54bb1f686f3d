/*
 * pkcbor.h: the strict CBOR (RFC 8949) WebAuthn's binary data is read
 * with, in front of libcbor.
 *
 * libcbor 0.8 decodes any well-formed CBOR and allocates what a header
 * announces before the bytes are there. So every text is first walked
 * here without allocating: one item, shortest ("preferred", RFC 8949
 * 4.1) argument encodings, definite lengths, no tags, no floats, simple
 * values false, true and null only, UTF-8 text strings, map keys
 * integers or text strings and none twice, at most LIMIT_CBOR_DEPTH
 * deep and LIMIT_CBOR_ITEMS items. Such a text is exactly what Python's
 * cbor2.dumps(cbor2.loads(text)) gives back (py_webauthn stores a COSE
 * key so: SPEC-mfa-passkeys-social 2.3), and what CTAP2's canonical
 * encoding writes, less its key order, which is not asked for.
 */
#ifndef RESTAUTH_PKCBOR_H
#define RESTAUTH_PKCBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "app.h"

/*
 * Walk the one CBOR item at the start of buf (n bytes) as above; *len
 * gets its length in bytes (<= n; what follows is the caller's).
 * APP_EINPUT for anything else: truncated, malformed or not strict.
 */
enum app_err pkcbor_check(const unsigned char *buf, size_t n,
    size_t *len) APP_WUR;

/*
 * buf (n bytes) as exactly one strict item (pkcbor_check, nothing
 * after it), decoded by libcbor into *out, which the caller releases
 * with cbor_decref. APP_EINPUT, APP_ENOMEM.
 */
enum app_err pkcbor_load(const unsigned char *buf, size_t n,
    cbor_item_t **out) APP_WUR;

/* The value of integer key k, or of text key s, in map m (borrowed), or
 * NULL when m is not a map or has no such key. */
cbor_item_t *pkcbor_map_int(const cbor_item_t *m, int64_t k);
cbor_item_t *pkcbor_map_str(const cbor_item_t *m, const char *s);

/* Whether item (may be NULL) is an integer within int64 (then *out is
 * it). */
bool pkcbor_int(const cbor_item_t *item, int64_t *out);

/* Whether item (may be NULL) is a text string equal to s. */
bool pkcbor_str_is(const cbor_item_t *item, const char *s);

#endif
