/*
 * pemkey.h: the PEM key pair of simplejwt's RS* and ES* algorithms
 * (SIGNING_KEY, VERIFYING_KEY), read and checked once for both the
 * config's check and the JWT context: an unencrypted private key of the
 * algorithm's type (and, for ES*, curve: RFC 7518 3.4) and the public key
 * that matches it.
 */
#ifndef RESTAUTH_PEMKEY_H
#define RESTAUTH_PEMKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "app.h"

/*
 * Read the pair for alg ("RS256".."ES512"): APP_OK with *priv and *pub
 * (the caller frees both); APP_EINPUT with one line in err naming the
 * setting at fault (missing, not a PEM key of the right kind, encrypted,
 * on another curve, or not the pair); APP_ENOMEM. Never prompts for a
 * passphrase; leaves no OpenSSL error queued.
 */
enum app_err pemkey_pair(const char *alg, const char *signing_key,
    const char *verifying_key, EVP_PKEY **priv, EVP_PKEY **pub, char *err,
    size_t errsz) APP_WUR;

#endif
