/*
 * jwt.c: simplejwt's tokens (see jwt.h). References: RFC 7515 (JWS),
 * RFC 7518 section 3 (HS/RS/ES), RFC 7519 (claims), RFC 4648 section 5
 * (base64url); PyJWT 2.6 api_jws.py/api_jwt.py/algorithms.py and
 * simplejwt 5.3 tokens.py/backends.py for the behaviour matched here.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "codec.h"
#include "config.h"
#include "jwt.h"
#include "log.h"
#include "pemkey.h"

/* 9999-12-31T23:59:59Z: the last second Python's datetime can hold. */
#define JWT_EXP_MAX INT64_C(253402300799)

enum alg_family { FAM_HS, FAM_RS, FAM_ES };

struct alg {
	const char *name;
	enum alg_family fam;
	int bits; /* digest size */
};

static const struct alg algs[] = {
	{ "HS256", FAM_HS, 256 },
	{ "HS384", FAM_HS, 384 },
	{ "HS512", FAM_HS, 512 },
	{ "RS256", FAM_RS, 256 },
	{ "RS384", FAM_RS, 384 },
	{ "RS512", FAM_RS, 512 },
	{ "ES256", FAM_ES, 256 },
	{ "ES384", FAM_ES, 384 },
	{ "ES512", FAM_ES, 512 },
};

struct jwt_ctx {
	const struct alg *alg;
	const EVP_MD *md;
	unsigned char *secret; /* HS*: SIGNING_KEY's bytes (never NULL) */
	size_t secretlen;
	EVP_MAC_CTX *hmac; /* HS*: keyed once; each use works on a copy */
	EVP_PKEY *priv; /* RS*, ES*: SIGNING_KEY */
	EVP_PKEY *pub; /* RS*, ES*: VERIFYING_KEY */
	size_t ec_bytes; /* ES*: bytes of r and of s in a JWS signature */
	char *type_claim;
	char *jti_claim;
	char *uid_claim;
	char *aud; /* NULL: none */
	char *iss; /* NULL: none */
	int64_t lifetime[JWT__MAX]; /* seconds; JWT_UNTYPED unused */
	int64_t leeway;
	char header[64]; /* base64url of PyJWT's header */
	size_t headerlen;
};

static const char *const type_names[JWT__MAX] = {
	[JWT_ACCESS] = "access",
	[JWT_REFRESH] = "refresh",
	[JWT_UNTYPED] = "untyped",
};

/* simplejwt's texts: PyJWT's errors all become TokenBackendError. */
static const char *const fail_messages[JWT_FAIL__MAX] = {
	[JWT_FAIL_MALFORMED] = "Token is invalid or expired",
	[JWT_FAIL_ALG] = "Token is invalid or expired",
	[JWT_FAIL_SIGNATURE] = "Token is invalid or expired",
	[JWT_FAIL_EXPIRED] = "Token is invalid or expired",
	[JWT_FAIL_NOT_YET] = "Token is invalid or expired",
	[JWT_FAIL_AUDIENCE] = "Token is invalid or expired",
	[JWT_FAIL_ISSUER] = "Token is invalid or expired",
	[JWT_FAIL_NO_EXP] = "Token has no 'exp' claim",
	[JWT_FAIL_NO_JTI] = "Token has no id",
	[JWT_FAIL_NO_TYPE] = "Token has no type",
	[JWT_FAIL_TYPE] = "Token has wrong type",
	[JWT_FAIL_NO_USER] =
	    "Token contained no recognizable user identification",
};

static const char *const fail_names[JWT_FAIL__MAX] = {
	[JWT_FAIL_MALFORMED] = "malformed",
	[JWT_FAIL_ALG] = "alg",
	[JWT_FAIL_SIGNATURE] = "signature",
	[JWT_FAIL_EXPIRED] = "expired",
	[JWT_FAIL_NOT_YET] = "not-yet-valid",
	[JWT_FAIL_AUDIENCE] = "audience",
	[JWT_FAIL_ISSUER] = "issuer",
	[JWT_FAIL_NO_EXP] = "no-exp",
	[JWT_FAIL_NO_JTI] = "no-jti",
	[JWT_FAIL_NO_TYPE] = "no-type",
	[JWT_FAIL_TYPE] = "wrong-type",
	[JWT_FAIL_NO_USER] = "no-user",
};

const char *
jwt_fail_message(enum jwt_fail why)
{
	return app_enum_text(fail_messages, JWT_FAIL__MAX, (unsigned)why,
	    fail_messages[JWT_FAIL_MALFORMED]);
}

const char *
jwt_fail_name(enum jwt_fail why)
{
	return app_enum_text(fail_names, JWT_FAIL__MAX, (unsigned)why,
	    "unknown");
}

/* ---- base64url parts, Python-compatible JSON output ---- */

/*
 * A part of a token (RFC 7515, 2): strict unpadded base64url, never
 * empty. out holds at least 3n/4 bytes.
 */
static bool
part_decode(const char *in, size_t n, unsigned char *out, size_t *outlen)
{
	return n > 0 && codec_b64_decode(in, n, CODEC_B64_URL, out, n * 3 / 4,
			    outlen) == APP_OK;
}

/* n bytes of in as a part, and a NUL, into out; returns the length. The
 * callers size out for both. */
static size_t
part_encode(const void *in, size_t n, char *out)
{
	size_t len = 0;

	if (codec_b64_encode(in, n, CODEC_B64_URL, out,
		codec_b64_len(n, CODEC_B64_URL) + 1, &len) != APP_OK)
		return 0;
	return len;
}

/* A bounded output buffer; over is set once something did not fit. */
struct jbuf {
	char *p;
	size_t len, cap;
	bool over;
};

static void
jb_put(struct jbuf *jb, const char *s, size_t n)
{
	if (jb->over || n > jb->cap - jb->len) {
		jb->over = true;
		return;
	}
	memcpy(jb->p + jb->len, s, n);
	jb->len += n;
}

static void
jb_puts(struct jbuf *jb, const char *s)
{
	jb_put(jb, s, strlen(s));
}

static void
jb_int(struct jbuf *jb, int64_t v)
{
	char num[24];
	int k;

	k = snprintf(num, sizeof(num), "%lld", (long long)v);
	jb_put(jb, num, (size_t)k);
}

/*
 * A JSON string as Python's json.dumps writes it (ensure_ascii): \" \\
 * \n \r \t \b \f, every other character outside ' '..'~' as \uXXXX in
 * lower-case hex, astral ones as a surrogate pair. false if s is not
 * valid UTF-8.
 */
static bool
jb_str(struct jbuf *jb, const char *s, size_t n)
{
	/* The characters with a short escape, and the letter after \\. */
	static const char short_in[] = "\"\\\n\r\t\b\f";
	static const char short_out[] = "\"\\nrtbf";
	const unsigned char *p = (const unsigned char *)s;
	const char *e;
	char esc[16];
	uint32_t cp;
	size_t k;

	jb_put(jb, "\"", 1);
	while (n > 0) {
		if ((k = codec_utf8_next(p, n, &cp)) == 0)
			return false;
		p += k;
		n -= k;
		if (cp != 0 && cp < 0x80 &&
		    (e = strchr(short_in, (int)cp)) != NULL) {
			esc[0] = '\\';
			esc[1] = short_out[e - short_in];
			jb_put(jb, esc, 2);
		} else if (cp >= 0x20 && cp <= 0x7e) {
			esc[0] = (char)cp;
			jb_put(jb, esc, 1);
		} else if (cp < 0x10000) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			jb_put(jb, esc, 6);
		} else {
			cp -= 0x10000;
			snprintf(esc, sizeof(esc), "\\u%04x\\u%04x",
			    (unsigned)(0xd800 | (cp >> 10)),
			    (unsigned)(0xdc00 | (cp & 0x3ff)));
			jb_put(jb, esc, 12);
		}
	}
	jb_put(jb, "\"", 1);
	return true;
}

/* ---- context ---- */

/*
 * PyJWT's HMACAlgorithm.prepare_key refuses secrets that look like PEM
 * (is_pem_format) or SSH keys (is_ssh_key): with those, simplejwt could
 * neither mint nor check a token. Slightly broader than PyJWT's regexes.
 */
static bool
looks_asymmetric(const char *k)
{
	static const char *const ssh[] = { "ssh-ed25519", "ssh-rsa", "ssh-dss",
		"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521", NULL };
	static const char cert[] = "-cert-v01@openssh.com";
	const char *p;
	size_t i, w;

	for (i = 0; ssh[i] != NULL; i++)
		if (strstr(k, ssh[i]) != NULL)
			return true;
	for (p = k; (p = strstr(p, "----")) != NULL; p++)
		if ((p[4] == '-' || p[4] == ' ') &&
		    strncmp(p + 5, "BEGIN ", 6) == 0)
			return true;
	w = strcspn(k, " \t\r\n\v\f");
	if (w >= sizeof(cert) - 1 && (k[w] == ' ' || k[w] == '\t') &&
	    memcmp(k + w - (sizeof(cert) - 1), cert, sizeof(cert) - 1) == 0)
		return true;
	return false;
}

static enum app_err
load_keys(struct jwt_ctx *c, const struct app_config *cfg, char *err,
    size_t errsz)
{
	enum app_err er;

	if ((er = pemkey_pair(c->alg->name, cfg->simple_jwt.signing_key,
		 cfg->simple_jwt.verifying_key, &c->priv, &c->pub, err,
		 errsz)) != APP_OK)
		return er;
	if (c->alg->fam == FAM_ES)
		c->ec_bytes = ((size_t)EVP_PKEY_get_bits(c->priv) + 7) / 8;
	return APP_OK;
}

/* Claim names: UTF-8, distinct, and none of the claims PyJWT owns. */
static enum app_err
check_claim_names(const struct jwt_ctx *c, char *err, size_t errsz)
{
	static const char *const reserved[] = { "exp", "iat", "nbf", "aud",
		"iss", NULL };
	const char *names[3] = { c->type_claim, c->jti_claim, c->uid_claim };
	static const char *const keys[3] = { "TOKEN_TYPE_CLAIM", "JTI_CLAIM",
		"USER_ID_CLAIM" };
	size_t i, j;

	for (i = 0; i < 3; i++) {
		if (!codec_utf8_valid(names[i], strlen(names[i])))
			return app_einput(err, errsz, "SIMPLE_JWT.%s: not UTF-8",
			    keys[i]);
		for (j = 0; reserved[j] != NULL; j++)
			if (strcmp(names[i], reserved[j]) == 0)
				return app_einput(err, errsz,
				    "SIMPLE_JWT.%s: \"%s\" is a registered "
				    "claim simplejwt sets itself",
				    keys[i], reserved[j]);
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return app_einput(err, errsz,
				    "SIMPLE_JWT.%s: same as SIMPLE_JWT.%s",
				    keys[i], keys[j]);
	}
	return APP_OK;
}

static char *
dup_or_null(const char *s, bool *nomem)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*nomem = true;
	return d;
}

/*
 * The HMAC context, keyed once: OpenSSL's one-shot HMAC() looks the
 * algorithm up and hashes the key anew on every call, which was a
 * quarter of a token/verify/ request.
 */
static enum app_err
hmac_new(struct jwt_ctx *c)
{
	OSSL_PARAM params[2];
	char digest[sizeof("SHA512")];
	EVP_MAC *mac;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return APP_ENOMEM;
	c->hmac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (c->hmac == NULL)
		return APP_ENOMEM;
	snprintf(digest, sizeof(digest), "SHA%d", c->alg->bits);
	params[0] = OSSL_PARAM_construct_utf8_string("digest", digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(c->hmac, c->secret, c->secretlen, params) != 1) {
		ERR_clear_error();
		return APP_ENOMEM;
	}
	return APP_OK;
}

/* HMAC of msg with the configured key into mac (room for macsz). */
static bool
hmac_run(const struct jwt_ctx *ctx, const unsigned char *msg, size_t msglen,
    unsigned char *mac, size_t macsz, size_t *maclen)
{
	EVP_MAC_CTX *m;
	bool ok;

	if ((m = EVP_MAC_CTX_dup(ctx->hmac)) == NULL)
		return false;
	ok = EVP_MAC_update(m, msg, msglen) == 1 &&
	    EVP_MAC_final(m, mac, maclen, macsz) == 1;
	EVP_MAC_CTX_free(m);
	return ok;
}

enum app_err
jwt_ctx_new(const struct app_config *cfg, struct jwt_ctx **out, char *err,
    size_t errsz)
{
	static const char hjson[] = "{\"alg\":\"%s\",\"typ\":\"JWT\"}";
	char header[40];
	struct jwt_ctx *c;
	const char *sk;
	bool nomem = false;
	enum app_err er = APP_EINPUT;
	size_t i;
	int n;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (cfg->simple_jwt.algorithm != NULL &&
		    strcmp(cfg->simple_jwt.algorithm, algs[i].name) == 0)
			c->alg = &algs[i];
	if (c->alg == NULL) {
		app_einput(err, errsz,
		    "SIMPLE_JWT.ALGORITHM: expected one of HS256, HS384, "
		    "HS512, RS256, RS384, RS512, ES256, ES384, ES512");
		goto out;
	}
	c->md = c->alg->bits == 256 ? EVP_sha256()
	    : c->alg->bits == 384   ? EVP_sha384()
				    : EVP_sha512();
	if (c->alg->fam == FAM_HS) {
		/* simplejwt: SIGNING_KEY defaults to SECRET_KEY. */
		sk = cfg->simple_jwt.signing_key != NULL
		    ? cfg->simple_jwt.signing_key
		    : cfg->secret_key;
		if (sk == NULL) {
			app_einput(err, errsz, "SIMPLE_JWT.SIGNING_KEY: required");
			goto out;
		}
		if (looks_asymmetric(sk)) {
			app_einput(err, errsz,
			    "SIMPLE_JWT.SIGNING_KEY: looks like a PEM or SSH "
			    "key, which PyJWT refuses as an %s secret",
			    c->alg->name);
			goto out;
		}
		c->secretlen = strlen(sk);
		/* malloc(0) may return NULL; HMAC wants a pointer. */
		if ((c->secret = malloc(c->secretlen + 1)) == NULL) {
			er = APP_ENOMEM;
			goto out;
		}
		memcpy(c->secret, sk, c->secretlen + 1);
		if ((er = hmac_new(c)) != APP_OK)
			goto out;
	} else if ((er = load_keys(c, cfg, err, errsz)) != APP_OK)
		goto out;
	er = APP_EINPUT;

	c->type_claim = dup_or_null(cfg->simple_jwt.token_type_claim, &nomem);
	c->jti_claim = dup_or_null(cfg->simple_jwt.jti_claim, &nomem);
	c->uid_claim = dup_or_null(cfg->simple_jwt.user_id_claim, &nomem);
	c->aud = dup_or_null(cfg->simple_jwt.audience, &nomem);
	c->iss = dup_or_null(cfg->simple_jwt.issuer, &nomem);
	if (nomem) {
		er = APP_ENOMEM;
		goto out;
	}
	if (c->type_claim == NULL || c->jti_claim == NULL ||
	    c->uid_claim == NULL) {
		app_einput(err, errsz,
		    "SIMPLE_JWT: TOKEN_TYPE_CLAIM, JTI_CLAIM and "
		    "USER_ID_CLAIM are required");
		goto out;
	}
	if ((er = check_claim_names(c, err, errsz)) != APP_OK)
		goto out;
	er = APP_EINPUT;
	if (c->aud != NULL && !codec_utf8_valid(c->aud, strlen(c->aud))) {
		app_einput(err, errsz, "SIMPLE_JWT.AUDIENCE: not UTF-8");
		goto out;
	}
	if (c->iss != NULL && !codec_utf8_valid(c->iss, strlen(c->iss))) {
		app_einput(err, errsz, "SIMPLE_JWT.ISSUER: not UTF-8");
		goto out;
	}
	if (cfg->simple_jwt.leeway < 0 ||
	    cfg->simple_jwt.access_token_lifetime <= 0 ||
	    cfg->simple_jwt.refresh_token_lifetime <= 0) {
		app_einput(err, errsz,
		    "SIMPLE_JWT: LEEWAY must be >= 0 and the lifetimes > 0");
		goto out;
	}
	c->lifetime[JWT_ACCESS] = cfg->simple_jwt.access_token_lifetime;
	c->lifetime[JWT_REFRESH] = cfg->simple_jwt.refresh_token_lifetime;
	c->leeway = cfg->simple_jwt.leeway;

	n = snprintf(header, sizeof(header), hjson, c->alg->name);
	c->headerlen = part_encode(header, (size_t)n, c->header);
	*out = c;
	return APP_OK;
out:
	jwt_ctx_free(c);
	return er;
}

void
jwt_ctx_free(struct jwt_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MAC_CTX_free(c->hmac);
	if (c->secret != NULL) {
		OPENSSL_cleanse(c->secret, c->secretlen);
		free(c->secret);
	}
	EVP_PKEY_free(c->priv);
	EVP_PKEY_free(c->pub);
	free(c->type_claim);
	free(c->jti_claim);
	free(c->uid_claim);
	free(c->aud);
	free(c->iss);
	free(c);
}

const char *
jwt_ctx_algorithm(const struct jwt_ctx *c)
{
	return c->alg->name;
}

/* ---- user ids and claims ---- */

void
jwt_uid_set_int(struct jwt_uid *uid, int64_t id)
{
	uid->kind = JWT_UID_INT;
	uid->num = id;
	uid->str[0] = '\0';
}

enum app_err
jwt_uid_set_str(struct jwt_uid *uid, const char *s)
{
	size_t n = strlen(s);

	if (n >= sizeof(uid->str) || !codec_utf8_valid(s, n))
		return APP_EINPUT;
	uid->kind = JWT_UID_STR;
	uid->num = 0;
	memcpy(uid->str, s, n + 1);
	return APP_OK;
}

enum app_err
jwt_uid_id(const struct jwt_uid *uid, int64_t *id)
{
	int64_t v = 0;
	size_t i;

	if (uid->kind == JWT_UID_INT) {
		*id = uid->num;
		return APP_OK;
	}
	if (uid->kind != JWT_UID_STR || uid->str[0] == '\0')
		return APP_EAUTH;
	for (i = 0; uid->str[i] != '\0'; i++) {
		if (i >= 18 || uid->str[i] < '0' || uid->str[i] > '9')
			return APP_EAUTH;
		v = v * 10 + (uid->str[i] - '0');
	}
	*id = v;
	return APP_OK;
}

/* uuid4().hex: 16 random bytes with the version (4) and variant bits. */
static enum app_err
new_jti(char out[JWT_JTI_BYTES])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return APP_EINTERNAL;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	codec_hex_encode(b, sizeof(b), out);
	return APP_OK;
}

enum app_err
jwt_claims_for_user(const struct jwt_ctx *ctx, enum jwt_type type,
    const struct jwt_uid *uid, time_t now, struct jwt_claims *out)
{
	struct jwt_claims c;
	enum app_err er;

	if ((type != JWT_ACCESS && type != JWT_REFRESH) ||
	    (uid->kind != JWT_UID_INT && uid->kind != JWT_UID_STR))
		return APP_EINTERNAL;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.exp = (int64_t)now + ctx->lifetime[type];
	c.iat = (int64_t)now;
	c.has_iat = true;
	if ((er = new_jti(c.jti)) != APP_OK)
		return er;
	c.uid = *uid;
	*out = c;
	return APP_OK;
}

enum app_err
jwt_claims_access(const struct jwt_ctx *ctx, const struct jwt_claims *refresh,
    time_t now, struct jwt_claims *out)
{
	struct jwt_claims c;
	enum app_err er;

	memset(&c, 0, sizeof(c));
	c.type = JWT_ACCESS;
	c.exp = (int64_t)now + ctx->lifetime[JWT_ACCESS];
	/* AccessToken() sets iat = now, then the copy loop overwrites it. */
	c.iat = refresh->has_iat ? refresh->iat : (int64_t)now;
	c.has_iat = true;
	if ((er = new_jti(c.jti)) != APP_OK)
		return er;
	c.uid = refresh->uid;
	*out = c;
	return APP_OK;
}

enum app_err
jwt_claims_renew(const struct jwt_ctx *ctx, struct jwt_claims *c, time_t now)
{
	char jti[JWT_JTI_BYTES];
	enum app_err er;

	if ((er = new_jti(jti)) != APP_OK)
		return er;
	memcpy(c->jti, jti, sizeof(c->jti));
	c->exp = (int64_t)now + ctx->lifetime[JWT_REFRESH];
	c->iat = (int64_t)now;
	c->has_iat = true;
	return APP_OK;
}

/* ---- signatures ---- */

/*
 * ES*: a DER ECDSA-Sig-Value from OpenSSL to JWS's r || s, each n bytes
 * big-endian (RFC 7518 3.4). false if it does not parse or fit.
 */
static bool
der_to_raw(const unsigned char *der, size_t derlen, size_t n,
    unsigned char *raw)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	bool ok = false;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return false;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, (int)n) == (int)n &&
	    BN_bn2binpad(s, raw + n, (int)n) == (int)n)
		ok = true;
	ECDSA_SIG_free(sig);
	return ok;
}

/* ES*: r || s to DER; *der is OPENSSL_malloc'd. -1 no memory. */
static int
raw_to_der(const unsigned char *raw, size_t n, unsigned char **der)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	int len;

	r = BN_bin2bn(raw, (int)n, NULL);
	s = BN_bin2bn(raw + n, (int)n, NULL);
	if (r == NULL || s == NULL || (sig = ECDSA_SIG_new()) == NULL) {
		BN_free(r);
		BN_free(s);
		return -1;
	}
	ECDSA_SIG_set0(sig, r, s);
	*der = NULL;
	len = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	return len > 0 ? len : -1;
}

/* Largest signature ctx makes or accepts, in bytes. */
static size_t
sig_max(const struct jwt_ctx *ctx)
{
	if (ctx->alg->fam == FAM_HS)
		return EVP_MAX_MD_SIZE;
	if (ctx->alg->fam == FAM_ES)
		return 2 * ctx->ec_bytes;
	return (size_t)EVP_PKEY_get_size(ctx->priv);
}

/* Sign msg into sig (sig_max(ctx) bytes). APP_EINTERNAL, APP_ENOMEM. */
static enum app_err
sign(const struct jwt_ctx *ctx, const unsigned char *msg, size_t msglen,
    unsigned char *sig, size_t *siglen)
{
	EVP_MD_CTX *mctx = NULL;
	unsigned char *der = NULL;
	enum app_err er = APP_EINTERNAL;
	size_t dlen;

	if (ctx->alg->fam == FAM_HS) {
		if (!hmac_run(ctx, msg, msglen, sig, sig_max(ctx), siglen))
			goto out;
		er = APP_OK;
		goto out;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		er = APP_ENOMEM;
		goto out;
	}
	if (EVP_DigestSignInit(mctx, NULL, ctx->md, NULL, ctx->priv) != 1 ||
	    EVP_DigestSign(mctx, NULL, &dlen, msg, msglen) != 1)
		goto out;
	if (ctx->alg->fam == FAM_RS) {
		if (dlen > sig_max(ctx) ||
		    EVP_DigestSign(mctx, sig, &dlen, msg, msglen) != 1)
			goto out;
		*siglen = dlen;
		er = APP_OK;
		goto out;
	}
	if ((der = OPENSSL_malloc(dlen)) == NULL) {
		er = APP_ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(mctx, der, &dlen, msg, msglen) != 1 ||
	    !der_to_raw(der, dlen, ctx->ec_bytes, sig))
		goto out;
	*siglen = 2 * ctx->ec_bytes;
	er = APP_OK;
out:
	if (er == APP_EINTERNAL) {
		log_warnx("jwt: %s signing failed", ctx->alg->name);
		ERR_clear_error();
	}
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	return er;
}

/* 1 good, 0 bad signature, -1 OpenSSL could not run. */
static int
check_sig(const struct jwt_ctx *ctx, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned char *der = NULL;
	EVP_MD_CTX *mctx = NULL;
	size_t hlen;
	int ok = -1, dlen;

	if (ctx->alg->fam == FAM_HS) {
		if (!hmac_run(ctx, msg, msglen, mac, sizeof(mac), &hlen))
			goto out;
		ok = siglen == hlen && CRYPTO_memcmp(mac, sig, hlen) == 0;
		goto out;
	}
	if (ctx->alg->fam == FAM_ES) {
		/* PyJWT's raw_to_der_signature: exactly 2n bytes. */
		if (siglen != 2 * ctx->ec_bytes) {
			ok = 0;
			goto out;
		}
		if ((dlen = raw_to_der(sig, ctx->ec_bytes, &der)) < 0)
			goto out;
		sig = der;
		siglen = (size_t)dlen;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(mctx, NULL, ctx->md, NULL, ctx->pub) != 1)
		goto out;
	ok = EVP_DigestVerify(mctx, sig, siglen, msg, msglen) == 1;
out:
	ERR_clear_error();
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	return ok;
}

/* ---- encoding ---- */

enum app_err
jwt_encode(const struct jwt_ctx *ctx, const struct jwt_claims *c, char **out,
    size_t *outlen)
{
	char json[LIMIT_TOKEN];
	struct jbuf jb = { json, 0, sizeof(json), false };
	unsigned char *sig = NULL;
	char *tok = NULL;
	size_t siglen, plen, total = 0, off;
	enum app_err er = APP_EINPUT;
	bool ok;

	if ((c->type != JWT_ACCESS && c->type != JWT_REFRESH) ||
	    memchr(c->jti, '\0', sizeof(c->jti)) == NULL ||
	    (c->uid.kind == JWT_UID_STR &&
		memchr(c->uid.str, '\0', sizeof(c->uid.str)) == NULL))
		return APP_EINPUT;
	/* Token.__init__ order, then for_user's id, then encode's aud/iss. */
	jb_puts(&jb, "{");
	ok = jb_str(&jb, ctx->type_claim, strlen(ctx->type_claim));
	jb_puts(&jb, ":");
	ok &= jb_str(&jb, type_names[c->type], strlen(type_names[c->type]));
	jb_puts(&jb, ",\"exp\":");
	jb_int(&jb, c->exp);
	if (c->has_iat) {
		jb_puts(&jb, ",\"iat\":");
		jb_int(&jb, c->iat);
	}
	jb_puts(&jb, ",");
	ok &= jb_str(&jb, ctx->jti_claim, strlen(ctx->jti_claim));
	jb_puts(&jb, ":");
	ok &= jb_str(&jb, c->jti, strlen(c->jti));
	jb_puts(&jb, ",");
	ok &= jb_str(&jb, ctx->uid_claim, strlen(ctx->uid_claim));
	jb_puts(&jb, ":");
	if (c->uid.kind == JWT_UID_INT)
		jb_int(&jb, c->uid.num);
	else if (c->uid.kind == JWT_UID_STR)
		ok &= jb_str(&jb, c->uid.str, strlen(c->uid.str));
	else
		ok = false;
	if (ctx->aud != NULL) {
		jb_puts(&jb, ",\"aud\":");
		ok &= jb_str(&jb, ctx->aud, strlen(ctx->aud));
	}
	if (ctx->iss != NULL) {
		jb_puts(&jb, ",\"iss\":");
		ok &= jb_str(&jb, ctx->iss, strlen(ctx->iss));
	}
	jb_puts(&jb, "}");
	if (!ok)
		return APP_EINPUT;
	er = APP_EINTERNAL;
	if (jb.over)
		goto toobig;

	plen = (jb.len * 4 + 2) / 3;
	total = ctx->headerlen + 1 + plen + 1 + (sig_max(ctx) * 4 + 2) / 3;
	if ((tok = malloc(total + 1)) == NULL ||
	    (sig = malloc(sig_max(ctx))) == NULL) {
		er = APP_ENOMEM;
		goto out;
	}
	memcpy(tok, ctx->header, ctx->headerlen);
	off = ctx->headerlen;
	tok[off++] = '.';
	off += part_encode(json, jb.len, tok + off);
	if ((er = sign(ctx, (const unsigned char *)tok, off, sig, &siglen)) !=
	    APP_OK)
		goto out;
	tok[off++] = '.';
	off += part_encode(sig, siglen, tok + off);
	tok[off] = '\0';
	if (off > LIMIT_TOKEN) {
		er = APP_EINTERNAL;
		goto toobig;
	}
	*out = tok;
	tok = NULL;
	if (outlen != NULL)
		*outlen = off;
	er = APP_OK;
	goto out;
toobig:
	log_warnx("jwt: a token would exceed %d bytes; shorten "
		  "SIMPLE_JWT.AUDIENCE/ISSUER or the key",
	    LIMIT_TOKEN);
out:
	if (tok != NULL) {
		OPENSSL_cleanse(tok, total);
		free(tok);
	}
	free(sig);
	return er;
}

enum app_err
jwt_mint(const struct jwt_ctx *ctx, enum jwt_type type,
    const struct jwt_uid *uid, time_t now, char **out,
    struct jwt_claims *claims)
{
	struct jwt_claims c;
	enum app_err er;

	if ((er = jwt_claims_for_user(ctx, type, uid, now, &c)) != APP_OK)
		return er;
	if ((er = jwt_encode(ctx, &c, out, NULL)) != APP_OK)
		return er;
	if (claims != NULL)
		*claims = c;
	return APP_OK;
}

/* ---- decoding ---- */

/*
 * Strict JSON object from s[0..n). APP_OK and *out; APP_EAUTH if it is
 * not one object of valid UTF-8 within LIMIT_JSON_DEPTH; APP_ENOMEM.
 */
static enum app_err
parse_object(const unsigned char *s, size_t n, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum app_err er = APP_EAUTH;

	/* json-c's depth counts one more than the containers it allows. */
	if ((tok = json_tokener_new_ex(LIMIT_JSON_DEPTH + 1)) == NULL)
		return APP_ENOMEM;
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, (const char *)s, (int)n);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == n &&
	    json_object_is_type(o, json_type_object)) {
		*out = o;
		o = NULL;
		er = APP_OK;
	}
	json_object_put(o);
	json_tokener_free(tok);
	return er;
}

static bool
str_is(struct json_object *v, const char *want)
{
	size_t n = strlen(want);

	return json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == n &&
	    memcmp(json_object_get_string(v), want, n) == 0;
}

/*
 * JOSE header (RFC 7515 4.1): alg must be ours; typ, when present, "JWT"
 * or "application/jwt" in any case (4.1.9); no crit (4.1.11: we know no
 * extension) and no b64 other than true (RFC 7797).
 */
static enum jwt_fail
check_header(const struct jwt_ctx *ctx, struct json_object *h, bool *ok)
{
	struct json_object *v;
	const char *t;

	*ok = false;
	if (!json_object_object_get_ex(h, "alg", &v) ||
	    !str_is(v, ctx->alg->name))
		return JWT_FAIL_ALG;
	if (json_object_object_get_ex(h, "typ", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return JWT_FAIL_MALFORMED;
		t = json_object_get_string(v);
		if ((size_t)json_object_get_string_len(v) != strlen(t) ||
		    (strcasecmp(t, "JWT") != 0 &&
			strcasecmp(t, "application/jwt") != 0))
			return JWT_FAIL_MALFORMED;
	}
	if (json_object_object_get_ex(h, "crit", NULL))
		return JWT_FAIL_MALFORMED;
	if (json_object_object_get_ex(h, "b64", &v) &&
	    !(json_object_is_type(v, json_type_boolean) &&
		json_object_get_boolean(v)))
		return JWT_FAIL_MALFORMED;
	*ok = true;
	return JWT_FAIL_MALFORMED;
}

/* Split, decode and check signature; on APP_OK *payload is the object. */
static enum app_err
decode(const struct jwt_ctx *ctx, const char *token, size_t len,
    unsigned char *buf, struct json_object **payload, enum jwt_fail *why)
{
	struct json_object *hdr = NULL;
	const char *d1, *d2;
	unsigned char *h, *p, *s;
	size_t hl, pl, sl;
	enum app_err er;
	bool ok;
	int r;

	*why = JWT_FAIL_MALFORMED;
	if (len > LIMIT_TOKEN || (d1 = memchr(token, '.', len)) == NULL)
		return APP_EAUTH;
	d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token));
	if (d2 == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)) != NULL)
		return APP_EAUTH;
	/* Decoded parts fit in buf: 3 * len / 4 <= LIMIT_TOKEN. */
	h = buf;
	if (!part_decode(token, (size_t)(d1 - token), h, &hl))
		return APP_EAUTH;
	p = h + hl;
	if (!part_decode(d1 + 1, (size_t)(d2 - d1 - 1), p, &pl))
		return APP_EAUTH;
	s = p + pl;
	if (!part_decode(d2 + 1, len - (size_t)(d2 + 1 - token), s, &sl))
		return APP_EAUTH;
	if ((er = parse_object(h, hl, &hdr)) != APP_OK)
		return er;
	*why = check_header(ctx, hdr, &ok);
	json_object_put(hdr);
	if (!ok)
		return APP_EAUTH;
	if ((r = check_sig(ctx, (const unsigned char *)token,
		 (size_t)(d2 - token), s, sl)) < 0)
		return APP_EINTERNAL;
	if (r == 0) {
		*why = JWT_FAIL_SIGNATURE;
		return APP_EAUTH;
	}
	*why = JWT_FAIL_MALFORMED;
	return parse_object(p, pl, payload);
}

enum app_err
jwt_decode(const struct jwt_ctx *ctx, const char *token, size_t len,
    struct json_object **payload, enum jwt_fail *why)
{
	unsigned char buf[LIMIT_TOKEN];
	struct json_object *o = NULL;
	enum jwt_fail w;
	enum app_err er;

	er = decode(ctx, token, len, buf, &o, &w);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (er == APP_EAUTH)
		*why = w;
	else if (er == APP_OK)
		*payload = o;
	return er;
}

/*
 * A NumericDate (RFC 7519 2) as PyJWT reads it: a JSON integer, or a
 * finite fraction cut toward zero (Python's int()); clamped to int64.
 * *d is the value itself, for PyJWT's uncut iat comparison.
 */
static bool
numeric_date(struct json_object *v, int64_t *i, double *d)
{
	double x;

	if (json_object_is_type(v, json_type_int)) {
		*i = json_object_get_int64(v);
		*d = (double)*i;
		return true;
	}
	if (!json_object_is_type(v, json_type_double))
		return false;
	x = json_object_get_double(v);
	if (!isfinite(x))
		return false;
	*d = x;
	if (x >= 9223372036854775808.0) /* 2^63 */
		*i = INT64_MAX;
	else if (x <= -9223372036854775808.0)
		*i = INT64_MIN;
	else
		*i = (int64_t)x; /* C converts toward zero, as int() */
	return true;
}

/*
 * A string member without NUL, shorter than size, and UTF-8 as
 * jwt_encode wants it (so what verifies re-encodes); copied to dst.
 */
static bool
get_str(struct json_object *v, char *dst, size_t size)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n >= size || memchr(s, '\0', n) != NULL || !codec_utf8_valid(s, n))
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

/* The user id claim: an exact int64 (not a clamped one) or a string. */
static void
get_uid(struct json_object *v, struct jwt_uid *uid)
{
	int64_t n;

	uid->kind = JWT_UID_NONE;
	uid->num = 0;
	uid->str[0] = '\0';
	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
		/* json-c clamps out-of-range integers to these two. */
		if (n == INT64_MIN || n == INT64_MAX)
			return;
		uid->kind = JWT_UID_INT;
		uid->num = n;
	} else if (get_str(v, uid->str, sizeof(uid->str)))
		uid->kind = JWT_UID_STR;
	else
		uid->str[0] = '\0';
}

/* PyJWT _validate_aud with a configured audience. */
static bool
aud_ok(struct json_object *v, const char *want)
{
	struct json_object *e;
	bool found = false;
	size_t i, n;

	if (json_object_is_type(v, json_type_string))
		return str_is(v, want);
	if (!json_object_is_type(v, json_type_array))
		return false;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return false; /* "Invalid claim format in token" */
		if (str_is(e, want))
			found = true;
	}
	return found;
}

/* PyJWT's _validate_claims then simplejwt's Token.verify. */
static enum jwt_fail
check_claims(const struct jwt_ctx *ctx, struct json_object *p, time_t now,
    enum jwt_type want, unsigned flags, struct jwt_claims *c, bool *ok)
{
	struct json_object *v;
	int64_t t = (int64_t)now, i;
	double d;
	bool has_exp;

	*ok = false;
	memset(c, 0, sizeof(*c));
	if (json_object_object_get_ex(p, "iat", &v)) {
		if (!numeric_date(v, &i, &d))
			return JWT_FAIL_MALFORMED;
		if (d > (double)(t + ctx->leeway))
			return JWT_FAIL_NOT_YET;
		c->iat = i;
		c->has_iat = true;
	}
	if (json_object_object_get_ex(p, "nbf", &v)) {
		if (!numeric_date(v, &i, &d))
			return JWT_FAIL_MALFORMED;
		if (i > t + ctx->leeway)
			return JWT_FAIL_NOT_YET;
	}
	if ((has_exp = json_object_object_get_ex(p, "exp", &v))) {
		if (!numeric_date(v, &c->exp, &d) || c->exp > JWT_EXP_MAX)
			return JWT_FAIL_MALFORMED;
		if (c->exp <= t - ctx->leeway)
			return JWT_FAIL_EXPIRED;
	}
	if (ctx->iss != NULL &&
	    (!json_object_object_get_ex(p, "iss", &v) || !str_is(v, ctx->iss)))
		return JWT_FAIL_ISSUER;
	if (ctx->aud != NULL &&
	    (!json_object_object_get_ex(p, "aud", &v) || !aud_ok(v, ctx->aud)))
		return JWT_FAIL_AUDIENCE;

	if (!has_exp)
		return JWT_FAIL_NO_EXP;
	if (!json_object_object_get_ex(p, ctx->jti_claim, &v) ||
	    !get_str(v, c->jti, sizeof(c->jti)))
		return JWT_FAIL_NO_JTI;
	c->type = JWT_UNTYPED;
	if (json_object_object_get_ex(p, ctx->type_claim, &v)) {
		if (str_is(v, type_names[JWT_ACCESS]))
			c->type = JWT_ACCESS;
		else if (str_is(v, type_names[JWT_REFRESH]))
			c->type = JWT_REFRESH;
	} else if (want != JWT_UNTYPED)
		return JWT_FAIL_NO_TYPE;
	if (want != JWT_UNTYPED && c->type != want)
		return JWT_FAIL_TYPE;
	c->uid.kind = JWT_UID_NONE;
	if (json_object_object_get_ex(p, ctx->uid_claim, &v))
		get_uid(v, &c->uid);
	if ((flags & JWT_NEED_USER) && c->uid.kind == JWT_UID_NONE)
		return JWT_FAIL_NO_USER;
	*ok = true;
	return JWT_FAIL_MALFORMED;
}

enum app_err
jwt_verify(const struct jwt_ctx *ctx, const char *token, size_t len, time_t now,
    enum jwt_type want, unsigned flags, struct jwt_claims *out,
    enum jwt_fail *why)
{
	unsigned char buf[LIMIT_TOKEN];
	struct json_object *p = NULL;
	struct jwt_claims c;
	enum jwt_fail w;
	enum app_err er;
	bool ok;

	if ((unsigned)want >= JWT__MAX)
		return APP_EINTERNAL;
	er = decode(ctx, token, len, buf, &p, &w);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (er == APP_OK) {
		w = check_claims(ctx, p, now, want, flags, &c, &ok);
		json_object_put(p);
		if (!ok)
			er = APP_EAUTH;
	}
	if (er == APP_EAUTH)
		*why = w;
	else if (er == APP_OK)
		*out = c;
	return er;
}
