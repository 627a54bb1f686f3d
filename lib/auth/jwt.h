/*
 * jwt.h: JSON Web Tokens exactly as djangorestframework-simplejwt 5.3/5.4
 * mints and checks them through PyJWT 2 (RFC 7515 JWS compact form,
 * RFC 7519 claims), with OpenSSL 3 and json-c.
 *
 * Minted tokens are byte-for-byte what simplejwt would produce with the
 * same settings, clock, key and jti (for HS* and RS*; ES* signatures are
 * randomised, as in PyJWT):
 *   header  {"alg":"HS256","typ":"JWT"}  (PyJWT: sorted keys, compact)
 *   payload {"<TOKEN_TYPE_CLAIM>":"access"|"refresh","exp":N,"iat":N,
 *            "<JTI_CLAIM>":"<uuid4 hex>","<USER_ID_CLAIM>":N|"str"
 *            [,"aud":"<AUDIENCE>"][,"iss":"<ISSUER>"]}
 * as Python's json.dumps(separators=(",", ":")) writes them (non-ASCII
 * as \uXXXX), each part base64url without padding.
 *
 * The config fixes the algorithm: a token whose header names any other
 * ("none", "HS256" under RS256, ...) is refused before any signature work.
 * Decoding is strict: base64url without padding or stray bits, exactly
 * three non-empty segments, at most LIMIT_TOKEN bytes, header and payload
 * JSON objects (depth LIMIT_JSON_DEPTH, valid UTF-8).
 *
 * A struct jwt_ctx is built once per process and only read afterwards.
 */
#ifndef RESTAUTH_JWT_H
#define RESTAUTH_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app.h"
#include "bounds.h"

struct app_config;
struct json_object;
struct jwt_ctx;

/* Key, algorithm and SIMPLE_JWT settings; opaque. */

/* simplejwt's OutstandingToken.jti is varchar(255); plus the NUL. */
#define JWT_JTI_BYTES 256
/* uuid4().hex: 32 lower-case hex digits; plus the NUL. */
#define JWT_JTI_HEX_BYTES 33
/* A string user id (USER_ID_FIELD "username"): 150 characters of up to
 * 4 bytes of UTF-8 each, plus the NUL. */
#define JWT_UID_BYTES (4 * LIMIT_USERNAME + 1)
/* A good size for jwt_ctx_new's err. */
#define JWT_ERRSZ 256

/*
 * Token types. JWT_UNTYPED is simplejwt's UntypedToken: as jwt_verify's
 * want it checks no type (token/verify/); in claims read back it means
 * the type claim was absent or neither "access" nor "refresh".
 */
enum jwt_type { JWT_ACCESS, JWT_REFRESH, JWT_UNTYPED, JWT__MAX };

/*
 * The user id claim. simplejwt's Token.for_user writes an int id as a
 * JSON integer and anything else as str(); tokens from simplejwt >= 5.5.1
 * carry even int ids as strings (see jwt_uid_id).
 */
enum jwt_uid_kind {
	JWT_UID_NONE, /* claim absent, or not an integer or a string */
	JWT_UID_INT,
	JWT_UID_STR,
	JWT_UID__MAX
};

struct jwt_uid {
	enum jwt_uid_kind kind;
	int64_t num; /* JWT_UID_INT */
	char str[JWT_UID_BYTES]; /* JWT_UID_STR: UTF-8, no NUL inside */
};

/* The claims simplejwt reads and writes. */
struct jwt_claims {
	enum jwt_type type;
	int64_t exp; /* seconds since the epoch */
	int64_t iat; /* valid when has_iat (always, for ours) */
	bool has_iat;
	char jti[JWT_JTI_BYTES]; /* ours: 32 hex digits */
	struct jwt_uid uid;
};

/* Why jwt_verify refused a token. */
enum jwt_fail {
	JWT_FAIL_MALFORMED, /* segments, base64url, JSON, claim types */
	JWT_FAIL_ALG, /* header alg is not the configured one */
	JWT_FAIL_SIGNATURE,
	JWT_FAIL_EXPIRED, /* exp + LEEWAY <= now */
	JWT_FAIL_NOT_YET, /* nbf or iat - LEEWAY > now (PyJWT) */
	JWT_FAIL_AUDIENCE, /* AUDIENCE set: aud missing or without it */
	JWT_FAIL_ISSUER, /* ISSUER set: iss missing or different */
	JWT_FAIL_NO_EXP, /* simplejwt: "Token has no 'exp' claim" */
	JWT_FAIL_NO_JTI, /* "Token has no id" */
	JWT_FAIL_NO_TYPE, /* "Token has no type" */
	JWT_FAIL_TYPE, /* "Token has wrong type" */
	JWT_FAIL_NO_USER, /* JWT_NEED_USER and no usable user id claim */
	JWT_FAIL__MAX
};

/* jwt_verify flags */
#define JWT_NEED_USER 0x01 /* JWTAuthentication.get_user: require the id */

/*
 * Build the context from cfg->simple_jwt: ALGORITHM, SIGNING_KEY (HS*: the
 * secret's bytes; RS*, ES*: unencrypted PEM private key), VERIFYING_KEY
 * (RS*, ES*: PEM public key matching it), AUDIENCE, ISSUER, LEEWAY, the
 * lifetimes and the three claim names. Keys are parsed here, once.
 * Returns APP_OK and *out (free with jwt_ctx_free); APP_EINPUT with one
 * line in err (size errsz, may be NULL) naming the setting: unknown
 * algorithm, a key of the wrong type or curve, keys that do not match,
 * an HS* secret that is a PEM or SSH key (PyJWT refuses those as HMAC
 * secrets), claim names that are not UTF-8 or collide with each other or
 * with exp/iat/nbf/aud/iss, AUDIENCE/ISSUER not UTF-8; APP_ENOMEM. The
 * context copies what it needs: cfg may be freed afterwards. Secrets
 * never appear in err.
 */
enum app_err jwt_ctx_new(const struct app_config *cfg, struct jwt_ctx **out,
    char *err, size_t errsz) APP_WUR;

/* Wipe the key material and free ctx. Takes NULL. */
void jwt_ctx_free(struct jwt_ctx *ctx);

/* The configured ALGORITHM ("HS256", ...). Never NULL; owned by ctx. */
const char *jwt_ctx_algorithm(const struct jwt_ctx *ctx);

/* Set uid to an integer id (USER_ID_FIELD "id"). */
void jwt_uid_set_int(struct jwt_uid *uid, int64_t id);

/*
 * Set uid to a string id (USER_ID_FIELD "username"). APP_EINPUT if s is
 * not valid UTF-8 or needs JWT_UID_BYTES or more; uid is then unchanged.
 */
enum app_err jwt_uid_set_str(struct jwt_uid *uid, const char *s) APP_WUR;

/*
 * The id for an auth_user.id lookup: an integer claim, or a string of
 * 1 to 18 ASCII digits (simplejwt >= 5.5.1 writes ids as strings; Django
 * turns "42" into 42). APP_OK and *id; APP_EAUTH otherwise.
 */
enum app_err jwt_uid_id(const struct jwt_uid *uid, int64_t *id) APP_WUR;

/*
 * Fresh claims for uid, as simplejwt's Token.for_user at time now:
 * type, exp = now + ACCESS/REFRESH_TOKEN_LIFETIME, iat = now, a new jti
 * (uuid4().hex: 16 CSPRNG bytes, version 4, RFC 4122 variant).
 * Returns APP_OK and *out; APP_EINTERNAL if type is JWT_UNTYPED, uid has
 * no id, or the CSPRNG fails.
 */
enum app_err jwt_claims_for_user(const struct jwt_ctx *ctx, enum jwt_type type,
    const struct jwt_uid *uid, time_t now, struct jwt_claims *out) APP_WUR;

/*
 * The access token simplejwt 5.3/5.4 derives from a verified refresh
 * token (RefreshToken.access_token) at time now: a new jti, exp = now +
 * ACCESS_TOKEN_LIFETIME, and iat and the user id copied from refresh
 * (5.5.1 stopped copying iat; tokens are valid either way). Claims of the
 * refresh token other than those in struct jwt_claims are not carried.
 * APP_OK and *out; APP_EINTERNAL (CSPRNG).
 */
enum app_err jwt_claims_access(const struct jwt_ctx *ctx,
    const struct jwt_claims *refresh, time_t now,
    struct jwt_claims *out) APP_WUR;

/*
 * ROTATE_REFRESH_TOKENS (TokenRefreshSerializer): give c a new jti,
 * exp = now + REFRESH_TOKEN_LIFETIME and iat = now; type and user stay.
 * APP_OK; APP_EINTERNAL (CSPRNG), and then c is unchanged.
 */
enum app_err jwt_claims_renew(const struct jwt_ctx *ctx, struct jwt_claims *c,
    time_t now) APP_WUR;

/*
 * Sign c into a token. *out is a NUL-terminated malloc'd string of *outlen
 * bytes (outlen may be NULL); the caller wipes it (OPENSSL_cleanse) and
 * frees it. APP_OK; APP_EINPUT if c->type is JWT_UNTYPED, the jti or a
 * string id is not UTF-8 or has no id; APP_EINTERNAL if OpenSSL fails or
 * the token would exceed LIMIT_TOKEN (then jwt_verify would refuse it;
 * only huge AUDIENCE/ISSUER/keys get there); APP_ENOMEM.
 */
enum app_err jwt_encode(const struct jwt_ctx *ctx, const struct jwt_claims *c,
    char **out, size_t *outlen) APP_WUR;

/* jwt_claims_for_user then jwt_encode; claims (may be NULL) gets the
 * claims on success. Failures as those two. */
enum app_err jwt_mint(const struct jwt_ctx *ctx, enum jwt_type type,
    const struct jwt_uid *uid, time_t now, char **out,
    struct jwt_claims *claims) APP_WUR;

/*
 * Check a token as simplejwt does (PyJWT decode, then Token.verify) at
 * time now, in this order: shape and base64url, header, alg, signature,
 * payload; then PyJWT's iat and nbf (not after now + LEEWAY), exp (after
 * now - LEEWAY), ISSUER, AUDIENCE (a string, or a list holding it); then
 * simplejwt's exp present, jti present, type (unless want is JWT_UNTYPED)
 * and, with JWT_NEED_USER in flags, the user id claim.
 * exp/iat/nbf are JSON numbers (a fraction is cut, as Python's int());
 * exp past year 9999 is malformed (simplejwt cannot read it). jti must
 * be a UTF-8 string under JWT_JTI_BYTES (simplejwt's column) without NUL,
 * else JWT_FAIL_NO_JTI. The user id must be an integer (not INT64_MIN or
 * INT64_MAX, which json-c clamps to) or such a string under JWT_UID_BYTES,
 * else JWT_FAIL_NO_USER (with JWT_NEED_USER) or out->uid.kind JWT_UID_NONE
 * (without). Whatever passes re-encodes with jwt_encode.
 * Returns APP_OK and *out; APP_EAUTH with *why (*out untouched); APP_ENOMEM
 * (json-c); APP_EINTERNAL if want is not a jwt_type or OpenSSL fails for a
 * reason other than the token.
 * token need not be NUL-terminated; len counts its bytes.
 */
enum app_err jwt_verify(const struct jwt_ctx *ctx, const char *token,
    size_t len, time_t now, enum jwt_type want, unsigned flags,
    struct jwt_claims *out, enum jwt_fail *why) APP_WUR;

/*
 * The signature layer alone (PyJWS decode): shape, header, alg and
 * signature, and the payload as a JSON object; no claim is looked at.
 * APP_OK and *payload (the caller json_object_put()s it); APP_EAUTH with
 * *why JWT_FAIL_MALFORMED, _ALG or _SIGNATURE; APP_ENOMEM; APP_EINTERNAL.
 */
enum app_err jwt_decode(const struct jwt_ctx *ctx, const char *token,
    size_t len, struct json_object **payload, enum jwt_fail *why) APP_WUR;

/*
 * simplejwt's message for why (the TokenError text in the "messages" of
 * its 401 body): "Token is invalid or expired" for the PyJWT failures,
 * "Token has no id", "Token has wrong type", ... Never NULL; static.
 */
const char *jwt_fail_message(enum jwt_fail why);

/* A short name for logs ("signature", "expired", ...). Never NULL. */
const char *jwt_fail_name(enum jwt_fail why);

#endif
