/*
 * tok.h: opaque API tokens, DRF's Token.generate_key: 20 bytes from the
 * OS CSPRNG as 40 lower-case hex characters.
 */
#ifndef RESTAUTH_TOK_H
#define RESTAUTH_TOK_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "bounds.h"

#define TOK_KEY_BYTES (LIMIT_TOKEN_KEY + 1)

/* A new key in out. APP_EINTERNAL if the CSPRNG fails. */
enum app_err tok_key_new(char out[TOK_KEY_BYTES]) APP_WUR;

/*
 * Fill buf with n bytes from the CSPRNG and hex-encode them into out
 * (2n + 1 bytes). APP_EINTERNAL.
 */
enum app_err tok_hex_random(char *out, size_t n) APP_WUR;

/*
 * Django's get_random_string: n characters (n <= 64) drawn uniformly from
 * alphabet (2..255 characters) by the CSPRNG into out (n + 1 bytes).
 * APP_EINTERNAL.
 */
enum app_err tok_random_string(const char *alphabet, char *out, size_t n)
    APP_WUR;

#endif
