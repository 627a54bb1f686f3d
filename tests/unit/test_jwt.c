/*
 * test_jwt.c: lib/auth/jwt.c against RFC 7515 appendix A (A.1 HS256, A.2
 * RS256, A.3 ES256, A.4 ES512), against Debian's /usr/bin/python3 with
 * PyJWT (python3-jwt, what simplejwt calls) in both directions for all
 * nine algorithms with keys from `openssl genpkey`, byte-identical HS*
 * and RS* tokens, and a refusal for every jwt_fail reason.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "app.h"
#include "bounds.h"
#include "config.h"
#include "jwt.h"
#include "testhelp.h"

#define PYTHON "/usr/bin/python3"
#define OUT_MAX 65536
/* 2023-11-14T22:13:20Z: the clock of the fixed-time cases. */
#define T0 INT64_C(1700000000)

/*
 * The python side: PyJWT as simplejwt calls it. Every argument is a
 * file in the temporary folder, so the shell sees only safe paths.
 *   enc ALG KEY PAYLOAD        jwt.encode(json.loads(PAYLOAD), KEY)
 *   dec ALG KEY TOKEN OPTS     payload, then header, compact JSON
 *   jwk JWK PRIV PUB           RFC 7517 key to PKCS#8 / SPKI PEM
 */
static const char py_src[] =
    "import json, sys\n"
    "import jwt\n"
    "from jwt.algorithms import ECAlgorithm, RSAAlgorithm\n"
    "from cryptography.hazmat.primitives import serialization as ser\n"
    "def rd(p):\n"
    "    with open(p, 'rb') as f:\n"
    "        return f.read()\n"
    "a = sys.argv\n"
    "if a[1] == 'enc':\n"
    "    p = json.loads(rd(a[4]))\n"
    "    sys.stdout.write(jwt.encode(p, rd(a[3]), algorithm=a[2]))\n"
    "elif a[1] == 'dec':\n"
    "    o = json.loads(rd(a[5]))\n"
    "    t = rd(a[4]).decode('ascii')\n"
    "    p = jwt.decode(t, rd(a[3]), algorithms=[a[2]],\n"
    "        audience=o.get('aud'), issuer=o.get('iss'),\n"
    "        leeway=o.get('leeway', 0),\n"
    "        options={'verify_aud': o.get('aud') is not None})\n"
    "    sys.stdout.write(json.dumps(p, separators=(',', ':')) + '\\n')\n"
    "    h = jwt.get_unverified_header(t)\n"
    "    sys.stdout.write(json.dumps(h, separators=(',', ':')))\n"
    "elif a[1] == 'jwk':\n"
    "    d = json.loads(rd(a[2]))\n"
    "    alg = RSAAlgorithm if d['kty'] == 'RSA' else ECAlgorithm\n"
    "    k = alg.from_jwk(json.dumps(d))\n"
    "    with open(a[3], 'wb') as f:\n"
    "        f.write(k.private_bytes(ser.Encoding.PEM,\n"
    "            ser.PrivateFormat.PKCS8, ser.NoEncryption()))\n"
    "    with open(a[4], 'wb') as f:\n"
    "        f.write(k.public_key().public_bytes(ser.Encoding.PEM,\n"
    "            ser.PublicFormat.SubjectPublicKeyInfo))\n"
    "    sys.stdout.write('ok')\n"
    "else:\n"
    "    sys.exit(2)\n";

static char dir[] = "/tmp/test_jwt.XXXXXX";
static char out[OUT_MAX];
static int have_python;

/* RFC 7515 A.1-A.4: the common payload and the four examples. */
#define RFC_PAYLOAD                                                            \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"     \
	"cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
#define RFC_EXP INT64_C(1300819380)
static const char rfc_a1[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." RFC_PAYLOAD
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/* A.1's JWK "k", decoded. */
static const unsigned char rfc_a1_key[64] = { 0x03, 0x23, 0x35, 0x4b, 0x2b,
	0x0f, 0xa5, 0xbc, 0x83, 0x7e, 0x06, 0x65, 0x77, 0x7b, 0xa6, 0x8f, 0x5a,
	0xb3, 0x28, 0xe6, 0xf0, 0x54, 0xc9, 0x28, 0xa9, 0x0f, 0x84, 0xb2, 0xd2,
	0x50, 0x2e, 0xbf, 0xd3, 0xfb, 0x5a, 0x92, 0xd2, 0x06, 0x47, 0xef, 0x96,
	0x8a, 0xb4, 0xc3, 0x77, 0x62, 0x3d, 0x22, 0x3d, 0x2e, 0x21, 0x72, 0x05,
	0x2e, 0x4f, 0x08, 0xc0, 0xcd, 0x9a, 0xf5, 0x67, 0xd0, 0x80, 0xa3 };
static const char rfc_a2[] =
    "eyJhbGciOiJSUzI1NiJ9." RFC_PAYLOAD
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"
    "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
    "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
    "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
    "p0igcN_IoypGlUPQGe77Rw";
static const char rfc_a2_jwk[] =
    "{\"kty\":\"RSA\","
    "\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
    "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOW"
    "vG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-K"
    "XBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJ"
    "H7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyu"
    "XpoQ\",\"e\":\"AQAB\","
    "\"d\":\"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97I"
    "jlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKV"
    "RUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4"
    "D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl"
    "_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOo"
    "pznQ\","
    "\"p\":\"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdi"
    "YrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ"
    "5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc\","
    "\"q\":\"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxa"
    "ewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLt"
    "XlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc\","
    "\"dp\":\"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3Q"
    "CLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh"
    "_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0\","
    "\"dq\":\"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa"
    "7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhG"
    "NpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU\","
    "\"qi\":\"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2o"
    "y26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1"
    "cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U\"}";
static const char rfc_a3[] =
    "eyJhbGciOiJFUzI1NiJ9." RFC_PAYLOAD
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA"
    "pmWQxfKTUJqPP3-Kg6NU1Q";
static const char rfc_a3_jwk[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
    "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}";
/* A.4: ES512 over the payload "Payload" (not a JSON object). */
static const char rfc_a4[] =
    "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA."
    "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZq"
    "wqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8Kp"
    "EHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
static const char rfc_a4_jwk[] =
    "{\"kty\":\"EC\",\"crv\":\"P-521\","
    "\"x\":\"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_Nj"
    "FZ6OvLFV1jSfS9tsz4qUxcWceqwQGk\","
    "\"y\":\"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly7"
    "9ajL4Kkd0AZMaZmh9ubmf63e3kyMj2\","
    "\"d\":\"AY5pb7A0UFiB3RELSD64fTLOSV_jazdF7fLYyuTw8lOfRhWg6Y6rUrPAxe"
    "rEzgdRhajnu0ferB0d53vM9mE15j2C\"}";

/* ---- helpers ---- */

static const char *
path(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int
wfile(const char *name, const void *data, size_t len)
{
	FILE *f;
	int ok;

	if ((f = fopen(path(name), "wb")) == NULL)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* A whole file into a malloc'd NUL-terminated string, or NULL. */
static char *
rfile(const char *name)
{
	FILE *f;
	char *s;
	long n;

	if ((f = fopen(path(name), "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (s = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	} else
		s[n] = '\0';
	fclose(f);
	return s;
}

/*
 * Run a command (only safe characters: paths under dir, algorithm
 * names) and keep its standard output in out. 0 if it exited 0.
 */
static int
run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	size_t n = 0, k;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	while (n < sizeof(out) - 1 &&
	    (k = fread(out + n, 1, sizeof(out) - 1 - n, f)) > 0)
		n += k;
	out[n] = '\0';
	st = pclose(f);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "test_jwt: failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

static int
py(const char *fmt, ...)
{
	char args[768];
	va_list ap;

	if (!have_python)
		return -1;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return run("%s -I %s %s 2>&2", PYTHON, path("helper.py"), args);
}

/* Test-side base64url, written apart from lib/auth/jwt.c's. */
static char *
b64u(const void *data, size_t n)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789-_";
	const unsigned char *p = data;
	char *s;
	size_t i, o = 0;
	uint32_t v;

	if ((s = malloc(n / 3 * 4 + 5)) == NULL)
		abort();
	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		s[o++] = a[v >> 18];
		s[o++] = a[(v >> 12) & 63];
		if (i + 1 < n)
			s[o++] = a[(v >> 6) & 63];
		if (i + 2 < n)
			s[o++] = a[v & 63];
	}
	s[o] = '\0';
	return s;
}

/* Decode one base64url segment (lenient, test-side) into a string. */
static char *
unb64u(const char *s, size_t n)
{
	char *d;
	uint32_t acc = 0;
	int bits = 0;
	size_t i, o = 0;
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-_";
	const char *q;

	if ((d = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if ((q = strchr(a, s[i])) == NULL || s[i] == '\0')
			break;
		acc = (acc << 6) | (uint32_t)(q - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	d[o] = '\0';
	return d;
}

/* The JSON of segment i (0 header, 1 payload) of token. */
static char *
segment(const char *token, int i)
{
	const char *s = token, *e;

	while (i-- > 0)
		s = strchr(s, '.') + 1;
	e = strchr(s, '.');
	return unb64u(s, e != NULL ? (size_t)(e - s) : strlen(s));
}

/* A token over header and payload, HMAC'd with key by the test itself. */
static char *
craft_hs(const char *md, const void *key, size_t keylen, const char *hdr,
    const char *pay)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen;
	char *h, *p, *s, *tok;
	size_t n;

	h = b64u(hdr, strlen(hdr));
	p = b64u(pay, strlen(pay));
	n = strlen(h) + strlen(p) + 2 + 2 * EVP_MAX_MD_SIZE;
	if ((tok = malloc(n)) == NULL)
		abort();
	snprintf(tok, n, "%s.%s", h, p);
	HMAC(EVP_get_digestbyname(md), key, (int)keylen,
	    (const unsigned char *)tok, strlen(tok), mac, &maclen);
	s = b64u(mac, maclen);
	snprintf(tok, n, "%s.%s.%s", h, p, s);
	free(h);
	free(p);
	free(s);
	return tok;
}

#define KEY "test-secret-\xc3\x9f"
#define HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

static char *
hs(const char *pay)
{
	return craft_hs("SHA256", KEY, strlen(KEY), HDR, pay);
}

struct opts {
	const char *alg, *sk, *vk, *aud, *iss;
	const char *type_claim, *jti_claim, *uid_claim;
	long leeway;
};

static void
set(char **dst, const char *v)
{
	if (*dst != NULL)
		OPENSSL_cleanse(*dst, strlen(*dst));
	free(*dst);
	*dst = NULL;
	if (v != NULL && (*dst = strdup(v)) == NULL)
		abort();
}

/* A context from the default config with o's changes; errors in err. */
static enum app_err
ctx_from(const struct opts *o, struct jwt_ctx **ctx, char *err, size_t errsz)
{
	struct app_config cfg;
	char cerr[APP_CONFIG_ERRSZ];
	enum app_err er;

	if (app_config_load(NULL, &cfg, cerr, sizeof(cerr)) != APP_OK) {
		fprintf(stderr, "test_jwt: config: %s\n", cerr);
		abort();
	}
	set(&cfg.simple_jwt.algorithm, o->alg != NULL ? o->alg : "HS256");
	set(&cfg.simple_jwt.signing_key, o->sk != NULL ? o->sk : KEY);
	set(&cfg.simple_jwt.verifying_key, o->vk != NULL ? o->vk : "");
	set(&cfg.simple_jwt.audience, o->aud);
	set(&cfg.simple_jwt.issuer, o->iss);
	if (o->type_claim != NULL)
		set(&cfg.simple_jwt.token_type_claim, o->type_claim);
	if (o->jti_claim != NULL)
		set(&cfg.simple_jwt.jti_claim, o->jti_claim);
	if (o->uid_claim != NULL)
		set(&cfg.simple_jwt.user_id_claim, o->uid_claim);
	cfg.simple_jwt.leeway = o->leeway;
	er = jwt_ctx_new(&cfg, ctx, err, errsz);
	app_config_free(&cfg);
	return er;
}

static struct jwt_ctx *
ctx_new(const struct opts *o)
{
	struct jwt_ctx *ctx = NULL;
	char err[JWT_ERRSZ];

	if (ctx_from(o, &ctx, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "test_jwt: jwt_ctx_new: %s\n", err);
		return NULL;
	}
	return ctx;
}

/* -1 accepted, -2 another error, else the jwt_fail reason. */
static int
why_not(const struct jwt_ctx *ctx, const char *tok, int64_t now,
    enum jwt_type want, unsigned flags)
{
	struct jwt_claims c;
	enum jwt_fail why = JWT_FAIL__MAX;
	enum app_err er;

	if (tok == NULL)
		return -2;
	er = jwt_verify(ctx, tok, strlen(tok), (time_t)now, want, flags, &c,
	    &why);
	if (er == APP_OK)
		return -1;
	if (er != APP_EAUTH)
		return -2;
	return (int)why;
}

/* why_not for a crafted HS256 payload, freeing the token. */
static int
why_pay(const struct jwt_ctx *ctx, const char *pay, int64_t now,
    enum jwt_type want, unsigned flags)
{
	char *tok = hs(pay);
	int r = why_not(ctx, tok, now, want, flags);

	free(tok);
	return r;
}

/* A simplejwt-shaped payload around T0 with one part changed. */
static char *
pay(const char *type, const char *exp, const char *jti, const char *uid,
    const char *extra)
{
	static char buf[8192];
	int n = 0;

	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "{");
	if (type != NULL)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
		    "\"token_type\":%s,", type);
	if (exp != NULL)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\"exp\":%s,",
		    exp);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\"iat\":%lld",
	    (long long)T0 - 10);
	if (jti != NULL)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",\"jti\":%s",
		    jti);
	if (uid != NULL)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
		    ",\"user_id\":%s", uid);
	if (extra != NULL)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ",%s", extra);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "}");
	return buf;
}

#define GOOD_TYPE "\"access\""
#define GOOD_EXP "1700000300"
#define GOOD_JTI "\"0123456789abcdef0123456789abcdef\""
#define GOOD_UID "42"
#define P_EXTRA(x) pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, GOOD_UID, x)

static int
is_uuid4_hex(const char *s)
{
	size_t i;

	if (strlen(s) != 32)
		return 0;
	for (i = 0; i < 32; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[12] == '4' && strchr("89ab", s[16]) != NULL;
}

/* ---- RFC 7515 appendix A ---- */

static void
test_rfc7515_a1(void)
{
	char key[sizeof(rfc_a1_key) + 1];
	struct json_object *p = NULL, *v;
	struct jwt_ctx *ctx, *ctx1;
	struct jwt_claims c;
	enum jwt_fail why;
	char *bad;

	memcpy(key, rfc_a1_key, sizeof(rfc_a1_key));
	key[sizeof(rfc_a1_key)] = '\0'; /* the key has no NUL byte */
	ctx = ctx_new(&(struct opts) { .sk = key, .iss = "joe" });
	ctx1 = ctx_new(&(struct opts) { .sk = key, .iss = "joe", .leeway = 1 });
	T_ASSERT(ctx != NULL && ctx1 != NULL);
	if (ctx == NULL || ctx1 == NULL)
		goto out;

	/* The signature layer: A.1 verifies and its payload reads back. */
	T_ASSERT(jwt_decode(ctx, rfc_a1, strlen(rfc_a1), &p, &why) == APP_OK);
	T_ASSERT(p != NULL && json_object_object_get_ex(p, "iss", &v) &&
	    strcmp(json_object_get_string(v), "joe") == 0);
	T_ASSERT(p != NULL && json_object_object_get_ex(p, "exp", &v) &&
	    json_object_get_int64(v) == RFC_EXP);
	T_ASSERT(p != NULL &&
	    json_object_object_get_ex(p, "http://example.com/is_root", &v) &&
	    json_object_get_boolean(v));
	json_object_put(p);

	/*
	 * The claim layer: every PyJWT check passes a second before exp
	 * (ISSUER "joe" too), and simplejwt's then wants a jti.
	 */
	T_ASSERT(why_not(ctx, rfc_a1, RFC_EXP - 1, JWT_UNTYPED, 0) ==
	    JWT_FAIL_NO_JTI);
	T_ASSERT(
	    why_not(ctx, rfc_a1, RFC_EXP, JWT_UNTYPED, 0) == JWT_FAIL_EXPIRED);
	T_ASSERT(
	    why_not(ctx1, rfc_a1, RFC_EXP, JWT_UNTYPED, 0) == JWT_FAIL_NO_JTI);
	T_ASSERT(why_not(ctx1, rfc_a1, RFC_EXP + 1, JWT_UNTYPED, 0) ==
	    JWT_FAIL_EXPIRED);
	jwt_ctx_free(ctx1);
	ctx1 = ctx_new(&(struct opts) { .sk = key, .iss = "bob" });
	T_ASSERT(why_not(ctx1, rfc_a1, RFC_EXP - 1, JWT_UNTYPED, 0) ==
	    JWT_FAIL_ISSUER);

	/* One bit off in the signature. */
	bad = strdup(rfc_a1);
	bad[strlen(bad) - 5] ^= 1;
	T_ASSERT(jwt_decode(ctx, bad, strlen(bad), &p, &why) == APP_EAUTH &&
	    why == JWT_FAIL_SIGNATURE);
	free(bad);
	/* verify writes no claims on failure */
	memset(&c, 0x5a, sizeof(c));
	T_ASSERT(jwt_verify(ctx, rfc_a1, strlen(rfc_a1), RFC_EXP, JWT_UNTYPED,
		     0, &c, &why) == APP_EAUTH);
	T_ASSERT(c.exp == (int64_t)0x5a5a5a5a5a5a5a5aLL);
out:
	jwt_ctx_free(ctx);
	jwt_ctx_free(ctx1);
}

/* A.2-A.4 through PEM keys that PyJWT makes from the RFC's JWKs. */
static void
test_rfc7515_a234(void)
{
	static const struct {
		const char *name, *jwk, *tok, *alg;
		int want; /* why jwt_decode refuses it, -1: accepts */
	} v[] = {
		{ "a2", rfc_a2_jwk, rfc_a2, "RS256", -1 },
		{ "a3", rfc_a3_jwk, rfc_a3, "ES256", -1 },
		/* signature good, payload "Payload" is not an object */
		{ "a4", rfc_a4_jwk, rfc_a4, "ES512", JWT_FAIL_MALFORMED },
	};
	char priv[32], pub[32], *sk, *vk, *bad;
	struct json_object *p;
	struct jwt_ctx *ctx;
	enum jwt_fail why;
	enum app_err er;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(priv, sizeof(priv), "%s.pem", v[i].name);
		snprintf(pub, sizeof(pub), "%s.pub", v[i].name);
		T_ASSERT(wfile("jwk.json", v[i].jwk, strlen(v[i].jwk)) == 0);
		T_ASSERT(py("jwk %s %s %s", path("jwk.json"), path(priv),
			     path(pub)) == 0);
		sk = rfile(priv);
		vk = rfile(pub);
		ctx = NULL;
		if (sk != NULL && vk != NULL)
			ctx = ctx_new(&(struct opts) { .alg = v[i].alg,
			    .sk = sk,
			    .vk = vk,
			    .iss = "joe" });
		T_ASSERT(ctx != NULL);
		if (ctx == NULL)
			goto next;
		p = NULL;
		why = JWT_FAIL__MAX;
		er = jwt_decode(ctx, v[i].tok, strlen(v[i].tok), &p, &why);
		if (v[i].want == -1) {
			T_ASSERT(er == APP_OK);
			T_ASSERT(why_not(ctx, v[i].tok, RFC_EXP - 1,
				     JWT_UNTYPED, 0) == JWT_FAIL_NO_JTI);
		} else
			T_ASSERT(er == APP_EAUTH && (int)why == v[i].want);
		json_object_put(p);
		/* a bit off in the middle of the signature */
		bad = strdup(v[i].tok);
		bad[strlen(bad) - 20] ^= 2;
		T_ASSERT(
		    jwt_decode(ctx, bad, strlen(bad), &p, &why) == APP_EAUTH &&
		    why == JWT_FAIL_SIGNATURE);
		free(bad);
		jwt_ctx_free(ctx);
	next:
		free(sk);
		free(vk);
	}
}

/* ---- minting ---- */

static void
test_mint(void)
{
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { 0 });
	struct jwt_claims a, r, c, r2;
	struct jwt_uid u;
	char *tok = NULL, *tok2 = NULL, *json, jtis[50][JWT_JTI_HEX_BYTES];
	enum jwt_fail why;
	size_t len = 0;
	int i, j, uniq = 1, fmt = 1;

	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	T_STREQ(jwt_ctx_algorithm(ctx), "HS256");
	jwt_uid_set_int(&u, 42);
	T_ASSERT(jwt_claims_for_user(ctx, JWT_REFRESH, &u, (time_t)T0, &r) ==
	    APP_OK);
	T_ASSERT(r.type == JWT_REFRESH && r.exp == T0 + 86400 && r.iat == T0 &&
	    r.has_iat && is_uuid4_hex(r.jti));
	T_ASSERT(r.uid.kind == JWT_UID_INT && r.uid.num == 42);
	/* RefreshToken.access_token, later: exp from now, iat copied */
	T_ASSERT(jwt_claims_access(ctx, &r, (time_t)(T0 + 1000), &a) == APP_OK);
	T_ASSERT(a.type == JWT_ACCESS && a.exp == T0 + 1000 + 300 &&
	    a.iat == T0 && is_uuid4_hex(a.jti) && strcmp(a.jti, r.jti) != 0);
	T_ASSERT(a.uid.kind == JWT_UID_INT && a.uid.num == 42);
	/* rotation */
	r2 = r;
	T_ASSERT(jwt_claims_renew(ctx, &r2, (time_t)(T0 + 50)) == APP_OK);
	T_ASSERT(r2.type == JWT_REFRESH && r2.exp == T0 + 50 + 86400 &&
	    r2.iat == T0 + 50 && strcmp(r2.jti, r.jti) != 0 &&
	    r2.uid.num == 42);
	T_ASSERT(jwt_claims_for_user(ctx, JWT_UNTYPED, &u, (time_t)T0, &c) ==
	    APP_EINTERNAL);

	/* The exact payload bytes, with a jti of our choosing. */
	c = a;
	memcpy(c.jti, "0123456789abcdef0123456789abcdef", 33);
	T_ASSERT(jwt_encode(ctx, &c, &tok, &len) == APP_OK);
	T_ASSERT(tok != NULL && strlen(tok) == len);
	json = segment(tok, 0);
	T_STREQ(json, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
	free(json);
	json = segment(tok, 1);
	T_STREQ(json,
	    "{\"token_type\":\"access\",\"exp\":1700001300,\"iat\":"
	    "1700000000,\"jti\":\"0123456789abcdef0123456789abcdef\","
	    "\"user_id\":42}");
	free(json);
	/* and the signature is the test's own HMAC of the same input */
	tok2 = hs("{\"token_type\":\"access\",\"exp\":1700001300,\"iat\":"
		  "1700000000,\"jti\":\"0123456789abcdef0123456789abcdef\","
		  "\"user_id\":42}");
	T_STREQ(tok, tok2);
	T_ASSERT(jwt_verify(ctx, tok, len, (time_t)T0, JWT_ACCESS,
		     JWT_NEED_USER, &r2, &why) == APP_OK);
	T_ASSERT(r2.type == JWT_ACCESS && r2.exp == c.exp && r2.iat == c.iat &&
	    strcmp(r2.jti, c.jti) == 0 && r2.uid.kind == JWT_UID_INT &&
	    r2.uid.num == 42);
	free(tok);
	free(tok2);
	tok = tok2 = NULL;

	/* String ids, escaped as Python's json.dumps does (ensure_ascii). */
	T_ASSERT(
	    jwt_uid_set_str(&u,
		"\xc3\xa9\"\\\n\r\t\b\f\x01\x7f/\xf0\x9f\x98\x80~") == APP_OK);
	T_ASSERT(
	    jwt_claims_for_user(ctx, JWT_ACCESS, &u, (time_t)T0, &c) == APP_OK);
	memcpy(c.jti, "ffffffffffffffffffffffffffffffff", 33);
	T_ASSERT(jwt_encode(ctx, &c, &tok, NULL) == APP_OK);
	json = tok != NULL ? segment(tok, 1) : NULL;
	T_STREQ(json,
	    "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":"
	    "1700000000,\"jti\":\"ffffffffffffffffffffffffffffffff\","
	    "\"user_id\":\"\\u00e9\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u007f/"
	    "\\ud83d\\ude00~\"}");
	free(json);
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_ACCESS,
		     JWT_NEED_USER, &r2, &why) == APP_OK);
	T_ASSERT(r2.uid.kind == JWT_UID_STR && strcmp(r2.uid.str, u.str) == 0);
	free(tok);
	tok = NULL;

	/* bad ids */
	T_ASSERT(jwt_uid_set_str(&u, "bad\xff") == APP_EINPUT);
	T_ASSERT(jwt_uid_set_str(&u, "\xc0\xaf") == APP_EINPUT); /* overlong */
	T_ASSERT(jwt_uid_set_str(&u, "\xed\xa0\x80") == APP_EINPUT);
	{
		char big[JWT_UID_BYTES + 1];

		memset(big, 'a', sizeof(big));
		big[JWT_UID_BYTES] = '\0';
		T_ASSERT(jwt_uid_set_str(&u, big) == APP_EINPUT);
		big[JWT_UID_BYTES - 1] = '\0';
		T_ASSERT(jwt_uid_set_str(&u, big) == APP_OK);
	}
	c.uid.kind = JWT_UID_STR;
	memcpy(c.uid.str, "x\xff", 3);
	T_ASSERT(jwt_encode(ctx, &c, &tok, NULL) == APP_EINPUT);
	c.uid.kind = JWT_UID_NONE;
	T_ASSERT(jwt_encode(ctx, &c, &tok, NULL) == APP_EINPUT);
	jwt_uid_set_int(&c.uid, 7);
	c.type = JWT_UNTYPED;
	T_ASSERT(jwt_encode(ctx, &c, &tok, NULL) == APP_EINPUT);
	T_ASSERT(tok == NULL);

	/* jwt_mint, and uuid4 jtis: distinct, version 4, RFC 4122 variant */
	for (i = 0; i < 50; i++) {
		jwt_uid_set_int(&u, i);
		if (jwt_mint(ctx, JWT_ACCESS, &u, time(NULL), &tok, &c) !=
		    APP_OK) {
			fmt = 0;
			break;
		}
		if (!is_uuid4_hex(c.jti) ||
		    why_not(ctx, tok, time(NULL), JWT_ACCESS, JWT_NEED_USER) !=
			-1)
			fmt = 0;
		memcpy(jtis[i], c.jti, JWT_JTI_HEX_BYTES);
		for (j = 0; j < i; j++)
			if (strcmp(jtis[i], jtis[j]) == 0)
				uniq = 0;
		free(tok);
		tok = NULL;
	}
	T_ASSERT(fmt);
	T_ASSERT(uniq);

	/* jwt_uid_id */
	{
		int64_t id = -1;

		jwt_uid_set_int(&u, 5);
		T_ASSERT(jwt_uid_id(&u, &id) == APP_OK && id == 5);
		T_ASSERT(jwt_uid_set_str(&u, "123") == APP_OK);
		T_ASSERT(jwt_uid_id(&u, &id) == APP_OK && id == 123);
		T_ASSERT(jwt_uid_set_str(&u, "999999999999999999") == APP_OK);
		T_ASSERT(jwt_uid_id(&u, &id) == APP_OK &&
		    id == INT64_C(999999999999999999));
		T_ASSERT(jwt_uid_set_str(&u, "1234567890123456789") == APP_OK);
		T_ASSERT(jwt_uid_id(&u, &id) == APP_EAUTH);
		T_ASSERT(jwt_uid_set_str(&u, "alice") == APP_OK);
		T_ASSERT(jwt_uid_id(&u, &id) == APP_EAUTH);
		T_ASSERT(jwt_uid_set_str(&u, "") == APP_OK);
		T_ASSERT(jwt_uid_id(&u, &id) == APP_EAUTH);
		T_ASSERT(jwt_uid_set_str(&u, "-1") == APP_OK);
		T_ASSERT(jwt_uid_id(&u, &id) == APP_EAUTH);
		u.kind = JWT_UID_NONE;
		T_ASSERT(jwt_uid_id(&u, &id) == APP_EAUTH);
	}
	jwt_ctx_free(ctx);
	jwt_ctx_free(NULL);
}

/* Other claim names, and aud/iss written last as simplejwt does. */
static void
test_claim_names(void)
{
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { .type_claim = "kind",
	    .jti_claim = "tid",
	    .uid_claim = "sub",
	    .aud = "api \xe2\x9c\x93",
	    .iss = "https://id.example/" });
	struct jwt_claims c, r;
	struct jwt_uid u;
	enum jwt_fail why;
	char *tok = NULL, *json;

	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	T_ASSERT(jwt_uid_set_str(&u, "alice") == APP_OK);
	T_ASSERT(jwt_claims_for_user(ctx, JWT_REFRESH, &u, (time_t)T0, &c) ==
	    APP_OK);
	memcpy(c.jti, "00000000000040008000000000000000", 33);
	T_ASSERT(jwt_encode(ctx, &c, &tok, NULL) == APP_OK);
	json = segment(tok, 1);
	T_STREQ(json,
	    "{\"kind\":\"refresh\",\"exp\":1700086400,\"iat\":1700000000,"
	    "\"tid\":\"00000000000040008000000000000000\",\"sub\":\"alice\","
	    "\"aud\":\"api \\u2713\",\"iss\":\"https://id.example/\"}");
	free(json);
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_REFRESH,
		     JWT_NEED_USER, &r, &why) == APP_OK);
	T_ASSERT(r.type == JWT_REFRESH && strcmp(r.uid.str, "alice") == 0 &&
	    strcmp(r.jti, c.jti) == 0);
	T_ASSERT(why_not(ctx, tok, T0, JWT_ACCESS, 0) == JWT_FAIL_TYPE);
	free(tok);
	jwt_ctx_free(ctx);
}

/* ---- refusals ---- */

static void
test_alg(void)
{
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { 0 });
	static const char *const hdrs[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"None\",\"typ\":\"JWT\"}",
		"{\"alg\":\"NONE\"}",
		"{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256 \",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256\\u0000\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
		"{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"\",\"typ\":\"JWT\"}",
		"{\"alg\":null,\"typ\":\"JWT\"}",
		"{\"alg\":[\"HS256\"],\"typ\":\"JWT\"}",
		"{\"typ\":\"JWT\"}",
		"{}",
	};
	char *tok, *h, *p, unsigned_tok[512];
	size_t i;
	int n = 0;

	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		tok = craft_hs("SHA256", KEY, strlen(KEY), hdrs[i],
		    P_EXTRA(NULL));
		if (why_not(ctx, tok, T0, JWT_UNTYPED, 0) == JWT_FAIL_ALG)
			n++;
		else
			fprintf(stderr, "FAIL alg header %s\n", hdrs[i]);
		free(tok);
	}
	T_ASSERT(n == (int)(sizeof(hdrs) / sizeof(hdrs[0])));
	/* the unsecured form: an empty signature is malformed already */
	h = b64u("{\"alg\":\"none\"}", 14);
	p = b64u(P_EXTRA(NULL), strlen(P_EXTRA(NULL)));
	snprintf(unsigned_tok, sizeof(unsigned_tok), "%s.%s.", h, p);
	T_ASSERT(why_not(ctx, unsigned_tok, T0, JWT_UNTYPED, 0) ==
	    JWT_FAIL_MALFORMED);
	free(h);
	free(p);
	/* HS384 with the right key for HS384 still is not HS256 */
	tok = craft_hs("SHA384", KEY, strlen(KEY),
	    "{\"alg\":\"HS384\",\"typ\":\"JWT\"}", P_EXTRA(NULL));
	T_ASSERT(why_not(ctx, tok, T0, JWT_UNTYPED, 0) == JWT_FAIL_ALG);
	free(tok);
	/* the baseline is fine */
	T_ASSERT(
	    why_pay(ctx, P_EXTRA(NULL), T0, JWT_ACCESS, JWT_NEED_USER) == -1);
	jwt_ctx_free(ctx);
}

static void
test_header(void)
{
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { 0 });
	static const struct {
		const char *hdr;
		int want;
	} v[] = {
		{ "{\"alg\":\"HS256\"}", -1 },
		{ "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", -1 },
		{ " {\"alg\":\"HS256\",\"typ\":\"jwt\"} ", -1 },
		{ "{\"alg\":\"HS256\",\"typ\":\"application/JWT\"}", -1 },
		{ "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}", -1 },
		{ "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"b64\":true}", -1 },
		{ "{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
		    JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\",\"typ\":1}", JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\",\"typ\":\"JWT\\u0000\"}",
		    JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}",
		    JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\",\"b64\":false}", JWT_FAIL_MALFORMED },
		{ "[\"HS256\"]", JWT_FAIL_MALFORMED },
		{ "\"HS256\"", JWT_FAIL_MALFORMED },
		{ "HS256", JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\",}", JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\"}x", JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\"}{}", JWT_FAIL_MALFORMED },
		{ "{'alg':'HS256'}", JWT_FAIL_MALFORMED },
		{ "{\"alg\":\"HS256\",\"x\":\"\xff\"}", JWT_FAIL_MALFORMED },
		{ "", JWT_FAIL_MALFORMED },
	};
	char *tok;
	size_t i;
	int r;

	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		tok = craft_hs("SHA256", KEY, strlen(KEY), v[i].hdr,
		    P_EXTRA(NULL));
		r = why_not(ctx, tok, T0, JWT_ACCESS, JWT_NEED_USER);
		if (r != v[i].want)
			fprintf(stderr, "FAIL header %s: %d\n", v[i].hdr, r);
		T_ASSERT(r == v[i].want);
		free(tok);
	}
	jwt_ctx_free(ctx);
}

/* Every single-bit change of every base64url character is refused. */
static void
test_bitflips(void)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				"stuvwxyz0123456789-_";
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { 0 });
	char *tok, *d1, *d2;
	size_t i, n;
	int b, seg, accepted[3] = { 0 }, tried[3] = { 0 }, sig_why = 0;
	int pay_why = 0, r;
	char save;

	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	tok = hs(P_EXTRA(NULL));
	n = strlen(tok);
	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');
	for (i = 0; i < n; i++) {
		if (tok[i] == '.')
			continue;
		seg = tok + i < d1 ? 0 : tok + i < d2 ? 1 : 2;
		save = tok[i];
		for (b = 0; b < 6; b++) {
			tok[i] = a[(strchr(a, save) - a) ^ (1 << b)];
			r = why_not(ctx, tok, T0, JWT_UNTYPED, 0);
			tried[seg]++;
			if (r == -1 || r == -2)
				accepted[seg]++;
			/* inside the payload or signature: the MAC says no */
			if (seg == 1 && tok + i + 1 < d2 &&
			    r == JWT_FAIL_SIGNATURE)
				pay_why++;
			if (seg == 2 && i + 1 < n && r == JWT_FAIL_SIGNATURE)
				sig_why++;
		}
		tok[i] = save;
	}
	T_ASSERT(tried[0] > 0 && accepted[0] == 0);
	T_ASSERT(tried[1] > 0 && accepted[1] == 0);
	T_ASSERT(tried[2] > 0 && accepted[2] == 0);
	T_ASSERT(pay_why == 6 * (int)(d2 - d1 - 2));
	T_ASSERT(sig_why == 6 * (int)(n - (size_t)(d2 - tok) - 2));
	T_ASSERT(why_not(ctx, tok, T0, JWT_UNTYPED, 0) == -1);
	free(tok);
	jwt_ctx_free(ctx);
}

static void
test_malformed(void)
{
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { 0 });
	char *good, *h, *p, *s, buf[LIMIT_TOKEN + 64], *big;
	static const char *const bad[] = { "", ".", "..", "...", "a", "a.b",
		"a.b.c", "abcd", "abcd.abcd", "abcd..abcd", ".abcd.abcd",
		"abcd.abcd.", "\0" };
	enum jwt_fail why;
	struct jwt_claims c;
	size_t i, n, fill;
	int all = 1, hit;

	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (why_not(ctx, bad[i], T0, JWT_UNTYPED, 0) !=
		    JWT_FAIL_MALFORMED)
			all = 0;
	T_ASSERT(all);
	T_ASSERT(jwt_verify(ctx, "", 0, (time_t)T0, JWT_UNTYPED, 0, &c, &why) ==
		APP_EAUTH &&
	    why == JWT_FAIL_MALFORMED);

	good = hs(P_EXTRA(NULL));
	h = strdup(good);
	p = strchr(h, '.');
	*p++ = '\0';
	s = strchr(p, '.');
	*s++ = '\0';
#define TRY(...)                                                               \
	(snprintf(buf, sizeof(buf), __VA_ARGS__),                              \
	    why_not(ctx, buf, T0, JWT_UNTYPED, 0))
	T_ASSERT(TRY("%s.%s.%s", h, p, s) == -1);
	/* 1, 2, 4 and 5 segments */
	T_ASSERT(TRY("%s", h) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s", h, p) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.%s.%s", h, p, s, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.%s.", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.%s.%s.%s", h, p, s, p, s) == JWT_FAIL_MALFORMED);
	/* empty segments */
	T_ASSERT(TRY(".%s.%s", p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s..%s", h, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.", h, p) == JWT_FAIL_MALFORMED);
	/* padding, standard base64, spaces, other bytes */
	T_ASSERT(TRY("%s.%s.%s=", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s=.%s.%s", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s==.%s", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.%s ", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY(" %s.%s.%s", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.%s\n", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s+.%s", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s/.%s", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.%s\xc3\xa9", h, p, s) == JWT_FAIL_MALFORMED);
	/* a length of 1 mod 4 (the header is 36 characters) */
	T_ASSERT(strlen(h) == 36);
	T_ASSERT(TRY("%sA.%s.%s", h, p, s) == JWT_FAIL_MALFORMED);
	T_ASSERT(TRY("%s.%s.%sAA", h, p, s) == JWT_FAIL_MALFORMED);
	/* the same bytes, written with stray low bits */
	{
		/* HS256: 32 bytes, 43 chars; the last carries 2 unused bits */
		size_t k = strlen(s) - 1;
		char save = s[k];
		const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
				 "tuvwxyz0123456789-_";
		int v = (int)(strchr(al, save) - al);

		T_ASSERT((v & 3) == 0);
		s[k] = al[v | 1];
		T_ASSERT(TRY("%s.%s.%s", h, p, s) == JWT_FAIL_MALFORMED);
		s[k] = al[v | 2];
		T_ASSERT(TRY("%s.%s.%s", h, p, s) == JWT_FAIL_MALFORMED);
		s[k] = save;
	}
	/* a NUL inside: len counts it, and it is not base64url */
	snprintf(buf, sizeof(buf), "%s.%s.%s", h, p, s);
	n = strlen(buf);
	buf[5] = '\0';
	T_ASSERT(jwt_verify(ctx, buf, n, (time_t)T0, JWT_UNTYPED, 0, &c,
		     &why) == APP_EAUTH &&
	    why == JWT_FAIL_MALFORMED);
	/* the token cut short, by one byte at a time */
	snprintf(buf, sizeof(buf), "%s.%s.%s", h, p, s);
	for (i = 0, all = 1; i < n; i++)
		if (jwt_verify(ctx, buf, i, (time_t)T0, JWT_UNTYPED, 0, &c,
			&why) != APP_EAUTH)
			all = 0;
	T_ASSERT(all);
	free(h);
	free(good);

	/* a payload that is not an object, or not JSON, correctly signed */
	T_ASSERT(
	    why_pay(ctx, "[1,2]", T0, JWT_UNTYPED, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(
	    why_pay(ctx, "\"x\"", T0, JWT_UNTYPED, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(
	    why_pay(ctx, "null", T0, JWT_UNTYPED, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(why_pay(ctx, "{\"exp\":1", T0, JWT_UNTYPED, 0) ==
	    JWT_FAIL_MALFORMED);
	T_ASSERT(why_pay(ctx, "{\"a\":\"\xc3\x28\"}", T0, JWT_UNTYPED, 0) ==
	    JWT_FAIL_MALFORMED);
	{
		/* nesting: LIMIT_JSON_DEPTH levels parse, one more does not */
		char deep[256];
		int d;

		for (d = LIMIT_JSON_DEPTH; d <= LIMIT_JSON_DEPTH + 1; d++) {
			n = 0;
			n += (size_t)snprintf(deep, sizeof(deep), "%s",
			    P_EXTRA("\"x\":"));
			n--; /* drop the closing brace */
			for (i = 1; i < (size_t)d; i++)
				deep[n++] = '[';
			deep[n++] = '1';
			for (i = 1; i < (size_t)d; i++)
				deep[n++] = ']';
			deep[n++] = '}';
			deep[n] = '\0';
			T_ASSERT(why_pay(ctx, deep, T0, JWT_UNTYPED, 0) ==
			    (d == LIMIT_JSON_DEPTH ? -1 : JWT_FAIL_MALFORMED));
		}
	}

	/* LIMIT_TOKEN bytes pass, one more does not */
	if ((big = malloc(LIMIT_TOKEN)) == NULL)
		abort();
	for (fill = 0, hit = 0; fill < LIMIT_TOKEN; fill++) {
		char *t, extra[LIMIT_TOKEN + 16];

		memset(big, 'a', fill);
		big[fill] = '\0';
		snprintf(extra, sizeof(extra), "\"fill\":\"%s\"", big);
		t = hs(P_EXTRA(extra));
		n = strlen(t);
		if (n == LIMIT_TOKEN) {
			T_ASSERT(why_not(ctx, t, T0, JWT_UNTYPED, 0) == -1);
			hit++;
		}
		if (n == LIMIT_TOKEN + 1) {
			hit++;
			T_ASSERT(why_not(ctx, t, T0, JWT_UNTYPED, 0) ==
			    JWT_FAIL_MALFORMED);
			free(t);
			break;
		}
		free(t);
	}
	free(big);
	T_ASSERT(hit == 2);
#undef TRY
	jwt_ctx_free(ctx);
}

static void
test_time(void)
{
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { 0 });
	struct jwt_ctx *ctx10 = ctx_new(&(struct opts) { .leeway = 10 });
	struct jwt_claims c;
	enum jwt_fail why;
	char *tok;

	T_ASSERT(ctx != NULL && ctx10 != NULL);
	if (ctx == NULL || ctx10 == NULL)
		goto out;
	/* exp: valid while exp + leeway > now */
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "1700000001", GOOD_JTI, "1", NULL),
		     T0, JWT_ACCESS, 0) == -1);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "1700000000", GOOD_JTI, "1", NULL),
		     T0, JWT_ACCESS, 0) == JWT_FAIL_EXPIRED);
	T_ASSERT(
	    why_pay(ctx10, pay(GOOD_TYPE, "1699999991", GOOD_JTI, "1", NULL),
		T0, JWT_ACCESS, 0) == -1);
	T_ASSERT(
	    why_pay(ctx10, pay(GOOD_TYPE, "1699999990", GOOD_JTI, "1", NULL),
		T0, JWT_ACCESS, 0) == JWT_FAIL_EXPIRED);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "0", GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_EXPIRED);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "-1", GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_EXPIRED);
	/* a fraction is cut, as int() does; exp must be a number */
	tok = hs(pay(GOOD_TYPE, "1700000300.9", GOOD_JTI, "1", NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_ACCESS, 0,
		     &c, &why) == APP_OK &&
	    c.exp == T0 + 300);
	free(tok);
	T_ASSERT(
	    why_pay(ctx, pay(GOOD_TYPE, "1700000000.5", GOOD_JTI, "1", NULL),
		T0, JWT_ACCESS, 0) == JWT_FAIL_EXPIRED);
	T_ASSERT(
	    why_pay(ctx, pay(GOOD_TYPE, "\"1700000300\"", GOOD_JTI, "1", NULL),
		T0, JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "null", GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "true", GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "NaN", GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, "1e400", GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
	/* year 9999 is the end of Python's datetime */
	T_ASSERT(
	    why_pay(ctx, pay(GOOD_TYPE, "253402300799", GOOD_JTI, "1", NULL),
		T0, JWT_ACCESS, 0) == -1);
	T_ASSERT(
	    why_pay(ctx, pay(GOOD_TYPE, "253402300800", GOOD_JTI, "1", NULL),
		T0, JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
	T_ASSERT(
	    why_pay(ctx,
		pay(GOOD_TYPE, "99999999999999999999999", GOOD_JTI, "1", NULL),
		T0, JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
	/* exp missing: simplejwt's own message */
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, NULL, GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_NO_EXP);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, NULL, GOOD_JTI, "1", NULL), T0,
		     JWT_UNTYPED, 0) == JWT_FAIL_NO_EXP);

	/* nbf: valid once nbf - leeway <= now */
	T_ASSERT(why_pay(ctx, P_EXTRA("\"nbf\":1700000000"), T0, JWT_ACCESS,
		     0) == -1);
	T_ASSERT(why_pay(ctx, P_EXTRA("\"nbf\":1700000001"), T0, JWT_ACCESS,
		     0) == JWT_FAIL_NOT_YET);
	T_ASSERT(why_pay(ctx10, P_EXTRA("\"nbf\":1700000010"), T0, JWT_ACCESS,
		     0) == -1);
	T_ASSERT(why_pay(ctx10, P_EXTRA("\"nbf\":1700000011"), T0, JWT_ACCESS,
		     0) == JWT_FAIL_NOT_YET);
	T_ASSERT(why_pay(ctx, P_EXTRA("\"nbf\":\"soon\""), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_MALFORMED);
	/* iat in the future (PyJWT 2.6); not required */
	T_ASSERT(why_pay(ctx,
		     "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":"
		     "1700000001,\"jti\":\"x\",\"user_id\":1}",
		     T0, JWT_ACCESS, 0) == JWT_FAIL_NOT_YET);
	T_ASSERT(why_pay(ctx,
		     "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":"
		     "1700000000.5,\"jti\":\"x\",\"user_id\":1}",
		     T0, JWT_ACCESS, 0) == JWT_FAIL_NOT_YET);
	T_ASSERT(why_pay(ctx10,
		     "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":"
		     "1700000010,\"jti\":\"x\",\"user_id\":1}",
		     T0, JWT_ACCESS, 0) == -1);
	tok = hs("{\"token_type\":\"access\",\"exp\":1700000300,\"jti\":\"x\","
		 "\"user_id\":1}");
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_ACCESS, 0,
		     &c, &why) == APP_OK &&
	    !c.has_iat);
	free(tok);
	T_ASSERT(why_pay(ctx,
		     "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":"
		     "\"x\",\"jti\":\"x\",\"user_id\":1}",
		     T0, JWT_ACCESS, 0) == JWT_FAIL_MALFORMED);
out:
	jwt_ctx_free(ctx);
	jwt_ctx_free(ctx10);
}

static void
test_aud_iss(void)
{
	struct jwt_ctx *ca = ctx_new(&(struct opts) { .aud = "api" });
	struct jwt_ctx *ci = ctx_new(&(struct opts) { .iss = "me" });
	struct jwt_ctx *c0 = ctx_new(&(struct opts) { 0 });

	T_ASSERT(ca != NULL && ci != NULL && c0 != NULL);
	if (ca == NULL || ci == NULL || c0 == NULL)
		goto out;
	T_ASSERT(
	    why_pay(ca, P_EXTRA("\"aud\":\"api\""), T0, JWT_ACCESS, 0) == -1);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":[\"x\",\"api\"]"), T0, JWT_ACCESS,
		     0) == -1);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":\"x\""), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_AUDIENCE);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":\"API\""), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_AUDIENCE);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":[\"x\"]"), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_AUDIENCE);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":[\"api\",1]"), T0, JWT_ACCESS,
		     0) == JWT_FAIL_AUDIENCE);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":[]"), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_AUDIENCE);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":\"\""), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_AUDIENCE);
	T_ASSERT(why_pay(ca, P_EXTRA("\"aud\":{\"api\":1}"), T0, JWT_ACCESS,
		     0) == JWT_FAIL_AUDIENCE);
	T_ASSERT(
	    why_pay(ca, P_EXTRA(NULL), T0, JWT_ACCESS, 0) == JWT_FAIL_AUDIENCE);
	/* without AUDIENCE simplejwt turns verify_aud off */
	T_ASSERT(
	    why_pay(c0, P_EXTRA("\"aud\":\"x\""), T0, JWT_ACCESS, 0) == -1);

	T_ASSERT(
	    why_pay(ci, P_EXTRA("\"iss\":\"me\""), T0, JWT_ACCESS, 0) == -1);
	T_ASSERT(why_pay(ci, P_EXTRA("\"iss\":\"you\""), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_ISSUER);
	T_ASSERT(why_pay(ci, P_EXTRA("\"iss\":[\"me\"]"), T0, JWT_ACCESS, 0) ==
	    JWT_FAIL_ISSUER);
	T_ASSERT(
	    why_pay(ci, P_EXTRA(NULL), T0, JWT_ACCESS, 0) == JWT_FAIL_ISSUER);
	T_ASSERT(
	    why_pay(c0, P_EXTRA("\"iss\":\"you\""), T0, JWT_ACCESS, 0) == -1);
out:
	jwt_ctx_free(ca);
	jwt_ctx_free(ci);
	jwt_ctx_free(c0);
}

static void
test_simplejwt_claims(void)
{
	struct jwt_ctx *ctx = ctx_new(&(struct opts) { 0 });
	struct jwt_claims c;
	enum jwt_fail why;
	char jti[300], *tok;

	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	/* type */
	T_ASSERT(why_pay(ctx, pay("\"refresh\"", GOOD_EXP, GOOD_JTI, "1", NULL),
		     T0, JWT_ACCESS, 0) == JWT_FAIL_TYPE);
	T_ASSERT(why_pay(ctx, pay("\"access\"", GOOD_EXP, GOOD_JTI, "1", NULL),
		     T0, JWT_REFRESH, 0) == JWT_FAIL_TYPE);
	T_ASSERT(why_pay(ctx, pay("\"Access\"", GOOD_EXP, GOOD_JTI, "1", NULL),
		     T0, JWT_ACCESS, 0) == JWT_FAIL_TYPE);
	T_ASSERT(why_pay(ctx, pay("1", GOOD_EXP, GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_TYPE);
	T_ASSERT(why_pay(ctx, pay(NULL, GOOD_EXP, GOOD_JTI, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_NO_TYPE);
	/* UntypedToken checks no type */
	tok = hs(pay(NULL, GOOD_EXP, GOOD_JTI, "1", NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_UNTYPED, 0,
		     &c, &why) == APP_OK &&
	    c.type == JWT_UNTYPED);
	free(tok);
	tok = hs(pay("\"sliding\"", GOOD_EXP, GOOD_JTI, "1", NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_UNTYPED, 0,
		     &c, &why) == APP_OK &&
	    c.type == JWT_UNTYPED);
	free(tok);
	tok = hs(pay("\"refresh\"", GOOD_EXP, GOOD_JTI, "1", NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_UNTYPED, 0,
		     &c, &why) == APP_OK &&
	    c.type == JWT_REFRESH);
	free(tok);
	T_ASSERT(jwt_verify(ctx, "x", 1, (time_t)T0, JWT__MAX, 0, &c, &why) ==
	    APP_EINTERNAL);

	/* jti: present, a string under 256 bytes */
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, NULL, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_NO_JTI);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, NULL, "1", NULL), T0,
		     JWT_UNTYPED, 0) == JWT_FAIL_NO_JTI);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, "7", "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_NO_JTI);
	T_ASSERT(
	    why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, "\"a\\u0000b\"", "1", NULL),
		T0, JWT_ACCESS, 0) == JWT_FAIL_NO_JTI);
	jti[0] = '"';
	memset(jti + 1, 'j', 255);
	snprintf(jti + 256, sizeof(jti) - 256, "\"");
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, jti, "1", NULL), T0,
		     JWT_ACCESS, 0) == -1);
	memset(jti + 1, 'j', 256);
	snprintf(jti + 257, sizeof(jti) - 257, "\"");
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, jti, "1", NULL), T0,
		     JWT_ACCESS, 0) == JWT_FAIL_NO_JTI);
	/* a jti of another shape (PyJWT-minted, say) is kept as it is */
	tok = hs(
	    pay(GOOD_TYPE, GOOD_EXP, "\"6f1c-uuid-with-dashes\"", "1", NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_ACCESS, 0,
		     &c, &why) == APP_OK &&
	    strcmp(c.jti, "6f1c-uuid-with-dashes") == 0);
	free(tok);

	/* user id */
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, NULL, NULL),
		     T0, JWT_ACCESS, JWT_NEED_USER) == JWT_FAIL_NO_USER);
	tok = hs(pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, NULL, NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_ACCESS, 0,
		     &c, &why) == APP_OK &&
	    c.uid.kind == JWT_UID_NONE);
	free(tok);
	tok = hs(pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, "\"alice\"", NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_ACCESS,
		     JWT_NEED_USER, &c, &why) == APP_OK &&
	    c.uid.kind == JWT_UID_STR && strcmp(c.uid.str, "alice") == 0);
	free(tok);
	tok = hs(
	    pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, "-9223372036854775807", NULL));
	T_ASSERT(jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_ACCESS,
		     JWT_NEED_USER, &c, &why) == APP_OK &&
	    c.uid.kind == JWT_UID_INT && c.uid.num == -INT64_MAX);
	free(tok);
	T_ASSERT(
	    why_pay(ctx,
		pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, "9223372036854775808", NULL),
		T0, JWT_ACCESS, JWT_NEED_USER) == JWT_FAIL_NO_USER);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, "1.5", NULL),
		     T0, JWT_ACCESS, JWT_NEED_USER) == JWT_FAIL_NO_USER);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, "null", NULL),
		     T0, JWT_ACCESS, JWT_NEED_USER) == JWT_FAIL_NO_USER);
	T_ASSERT(why_pay(ctx, pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, "[1]", NULL),
		     T0, JWT_ACCESS, JWT_NEED_USER) == JWT_FAIL_NO_USER);
	T_ASSERT(why_pay(ctx,
		     pay(GOOD_TYPE, GOOD_EXP, GOOD_JTI, "\"a\\u0000\"", NULL),
		     T0, JWT_ACCESS, JWT_NEED_USER) == JWT_FAIL_NO_USER);

	/* simplejwt's words */
	T_STREQ(jwt_fail_message(JWT_FAIL_SIGNATURE),
	    "Token is invalid or expired");
	T_STREQ(jwt_fail_message(JWT_FAIL_EXPIRED),
	    "Token is invalid or expired");
	T_STREQ(jwt_fail_message(JWT_FAIL_NO_JTI), "Token has no id");
	T_STREQ(jwt_fail_message(JWT_FAIL_TYPE), "Token has wrong type");
	T_STREQ(jwt_fail_message(JWT_FAIL_NO_TYPE), "Token has no type");
	T_STREQ(jwt_fail_message(JWT_FAIL_NO_EXP), "Token has no 'exp' claim");
	T_STREQ(jwt_fail_message(JWT_FAIL_NO_USER),
	    "Token contained no recognizable user identification");
	T_STREQ(jwt_fail_message(JWT_FAIL__MAX), "Token is invalid or expired");
	T_STREQ(jwt_fail_name(JWT_FAIL_ALG), "alg");
	T_STREQ(jwt_fail_name(JWT_FAIL__MAX), "unknown");
	jwt_ctx_free(ctx);
}

/* ---- keys ---- */

static char *rsa_pem, *rsa_pub, *ec_pem[3], *ec_pub[3];
static const char *const curves[3] = { "P-256", "P-384", "P-521" };

static int
make_keys(void)
{
	char name[32];
	int i;

	if (run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
		"-out %s 2>&1",
		path("rsa.pem")) != 0 ||
	    run("openssl pkey -in %s -pubout -out %s 2>&1", path("rsa.pem"),
		path("rsa.pub")) != 0)
		return -1;
	rsa_pem = rfile("rsa.pem");
	rsa_pub = rfile("rsa.pub");
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "ec%d.pem", i);
		if (run("openssl genpkey -algorithm EC -pkeyopt "
			"ec_paramgen_curve:%s -out %s 2>&1",
			curves[i], path(name)) != 0)
			return -1;
		ec_pem[i] = rfile(name);
		snprintf(name, sizeof(name), "ec%d.pub", i);
		if (run("openssl pkey -in %s/ec%d.pem -pubout -out %s 2>&1",
			dir, i, path(name)) != 0)
			return -1;
		ec_pub[i] = rfile(name);
	}
	return rsa_pem != NULL && rsa_pub != NULL && ec_pem[2] != NULL &&
		ec_pub[2] != NULL
	    ? 0
	    : -1;
}

static void
test_ctx_errors(void)
{
	static const char pem_like[] = "-----BEGIN PRIVATE KEY-----\nabc\n"
				       "-----END PRIVATE KEY-----\n";
	char err[JWT_ERRSZ];
	struct jwt_ctx *ctx = NULL;
	size_t i;
	static const struct {
		struct opts o;
		const char *msg;
	} v[] = {
		{ { .alg = "none" }, "SIMPLE_JWT.ALGORITHM" },
		{ { .alg = "HS1" }, "SIMPLE_JWT.ALGORITHM" },
		{ { .sk = pem_like }, "SIMPLE_JWT.SIGNING_KEY" },
		{ { .sk = "my ssh-rsa AAAA key" }, "SIMPLE_JWT.SIGNING_KEY" },
		{ { .uid_claim = "exp" }, "SIMPLE_JWT.USER_ID_CLAIM" },
		{ { .type_claim = "aud" }, "SIMPLE_JWT.TOKEN_TYPE_CLAIM" },
		{ { .jti_claim = "user_id" }, "SIMPLE_JWT.JTI_CLAIM" },
		{ { .uid_claim = "\xff" }, "SIMPLE_JWT.USER_ID_CLAIM" },
		{ { .aud = "\xc3" }, "SIMPLE_JWT.AUDIENCE" },
		{ { .iss = "\xe2\x82" }, "SIMPLE_JWT.ISSUER" },
		{ { .alg = "RS256", .sk = "not a key", .vk = "x" },
		    "SIMPLE_JWT.SIGNING_KEY" },
	};

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		err[0] = '\0';
		T_ASSERT(
		    ctx_from(&v[i].o, &ctx, err, sizeof(err)) == APP_EINPUT);
		if (strstr(err, v[i].msg) == NULL)
			fprintf(stderr, "FAIL ctx error %zu: \"%s\"\n", i, err);
		T_ASSERT(strstr(err, v[i].msg) != NULL);
	}
	/* the secret never shows in the message */
	T_ASSERT(ctx_from(&(struct opts) { .sk = pem_like }, &ctx, err,
		     sizeof(err)) == APP_EINPUT &&
	    strstr(err, "abc") == NULL);
	/* no err buffer is fine */
	T_ASSERT(ctx_from(&(struct opts) { .alg = "none" }, &ctx, NULL, 0) ==
	    APP_EINPUT);
	/* an empty HMAC secret is PyJWT's b"": allowed */
	ctx = ctx_new(&(struct opts) { .sk = "" });
	T_ASSERT(ctx != NULL);
	jwt_ctx_free(ctx);
	if (rsa_pem == NULL)
		return;
	/* asymmetric keys: type, curve, pairing */
	T_ASSERT(ctx_from(&(struct opts) { .alg = "RS256", .sk = rsa_pem },
		     &ctx, err, sizeof(err)) == APP_EINPUT &&
	    strstr(err, "SIMPLE_JWT.VERIFYING_KEY") != NULL);
	T_ASSERT(ctx_from(&(struct opts) { .alg = "RS256",
			      .sk = ec_pem[0],
			      .vk = ec_pub[0] },
		     &ctx, err, sizeof(err)) == APP_EINPUT &&
	    strstr(err, "SIMPLE_JWT.SIGNING_KEY") != NULL);
	T_ASSERT(ctx_from(&(struct opts) { .alg = "ES256",
			      .sk = ec_pem[1],
			      .vk = ec_pub[1] },
		     &ctx, err, sizeof(err)) == APP_EINPUT &&
	    strstr(err, "curve") != NULL);
	T_ASSERT(ctx_from(&(struct opts) { .alg = "ES256",
			      .sk = ec_pem[0],
			      .vk = rsa_pub },
		     &ctx, err, sizeof(err)) == APP_EINPUT &&
	    strstr(err, "SIMPLE_JWT.VERIFYING_KEY") != NULL);
	T_ASSERT(ctx_from(&(struct opts) { .alg = "ES384",
			      .sk = ec_pem[1],
			      .vk = ec_pub[2] },
		     &ctx, err, sizeof(err)) == APP_EINPUT &&
	    strstr(err, "does not match") != NULL);
	T_ASSERT(
	    ctx_from(
		&(struct opts) { .alg = "RS256", .sk = rsa_pub, .vk = rsa_pub },
		&ctx, err, sizeof(err)) == APP_EINPUT);
	/* a PEM public key as an HS256 secret: PyJWT refuses it too */
	T_ASSERT(ctx_from(&(struct opts) { .alg = "HS256", .sk = rsa_pub },
		     &ctx, err, sizeof(err)) == APP_EINPUT);
}

/* The key-confusion attack and its relatives under asymmetric configs. */
static void
test_confusion(void)
{
	struct jwt_ctx *rs, *es, *hsx;
	struct jwt_uid u;
	char *tok = NULL;

	if (rsa_pem == NULL)
		return;
	rs = ctx_new(
	    &(struct opts) { .alg = "RS256", .sk = rsa_pem, .vk = rsa_pub });
	es = ctx_new(&(
	    struct opts) { .alg = "ES256", .sk = ec_pem[0], .vk = ec_pub[0] });
	hsx = ctx_new(&(struct opts) { 0 });
	T_ASSERT(rs != NULL && es != NULL && hsx != NULL);
	if (rs == NULL || es == NULL || hsx == NULL)
		goto out;
	/* HS256 keyed with the public key's PEM text */
	tok = craft_hs("SHA256", rsa_pub, strlen(rsa_pub), HDR, P_EXTRA(NULL));
	T_ASSERT(why_not(rs, tok, T0, JWT_ACCESS, 0) == JWT_FAIL_ALG);
	free(tok);
	tok = craft_hs("SHA256", ec_pub[0], strlen(ec_pub[0]), HDR,
	    P_EXTRA(NULL));
	T_ASSERT(why_not(es, tok, T0, JWT_ACCESS, 0) == JWT_FAIL_ALG);
	free(tok);
	tok = craft_hs("SHA256", rsa_pub, strlen(rsa_pub), "{\"alg\":\"none\"}",
	    P_EXTRA(NULL));
	T_ASSERT(why_not(rs, tok, T0, JWT_ACCESS, 0) == JWT_FAIL_ALG);
	free(tok);
	/* an RS256 token against HS256 and ES256 configs */
	jwt_uid_set_int(&u, 1);
	T_ASSERT(
	    jwt_mint(rs, JWT_ACCESS, &u, (time_t)T0, &tok, NULL) == APP_OK);
	T_ASSERT(why_not(rs, tok, T0, JWT_ACCESS, 0) == -1);
	T_ASSERT(why_not(hsx, tok, T0, JWT_ACCESS, 0) == JWT_FAIL_ALG);
	T_ASSERT(why_not(es, tok, T0, JWT_ACCESS, 0) == JWT_FAIL_ALG);
	free(tok);
	tok = NULL;
	/* ES256 signature lengths other than 64 bytes */
	T_ASSERT(
	    jwt_mint(es, JWT_ACCESS, &u, (time_t)T0, &tok, NULL) == APP_OK);
	if (tok != NULL) {
		char *cut = strdup(tok), *s = strrchr(cut, '.') + 1;
		char longer[600];

		T_ASSERT(strlen(s) == 86);
		s[84] = '\0'; /* 63 bytes */
		T_ASSERT(
		    why_not(es, cut, T0, JWT_ACCESS, 0) == JWT_FAIL_SIGNATURE);
		snprintf(longer, sizeof(longer), "%sAAAA", tok); /* 67 */
		T_ASSERT(why_not(es, longer, T0, JWT_ACCESS, 0) ==
		    JWT_FAIL_SIGNATURE);
		free(cut);
	}
out:
	free(tok);
	jwt_ctx_free(rs);
	jwt_ctx_free(es);
	jwt_ctx_free(hsx);
}

/* ---- PyJWT both ways ---- */

#define OPTS_JSON "{\"aud\":\"restauth-api\",\"iss\":\"https://auth.example\"}"

struct algcase {
	const char *alg;
	const char *sk, *vk; /* NULL: the HMAC secret */
};

static void
cross_one(const struct algcase *ac, const char *secret)
{
	struct jwt_ctx *ctx;
	struct jwt_claims c;
	struct jwt_uid u;
	enum jwt_fail why;
	char payload[512], want[1024], *tok = NULL, *json, *nl;
	const char *signer, *checker;
	time_t now = time(NULL);
	int ok;

	ctx = ctx_new(&(struct opts) { .alg = ac->alg,
	    .sk = ac->sk != NULL ? ac->sk : secret,
	    .vk = ac->vk,
	    .aud = "restauth-api",
	    .iss = "https://auth.example" });
	T_ASSERT(ctx != NULL);
	if (ctx == NULL)
		return;
	signer = ac->sk != NULL ? "priv.pem" : "secret.key";
	checker = ac->sk != NULL ? "pub.pem" : "secret.key";
	if (ac->sk != NULL) {
		T_ASSERT(wfile("priv.pem", ac->sk, strlen(ac->sk)) == 0);
		T_ASSERT(wfile("pub.pem", ac->vk, strlen(ac->vk)) == 0);
	} else
		T_ASSERT(wfile("secret.key", secret, strlen(secret)) == 0);
	T_ASSERT(wfile("opts.json", OPTS_JSON, strlen(OPTS_JSON)) == 0);

	/* PyJWT mints as simplejwt does; we verify. */
	snprintf(payload, sizeof(payload),
	    "{\"token_type\":\"refresh\",\"exp\":%lld,\"iat\":%lld,"
	    "\"jti\":\"9f86d081884c4d659a2feaa0c55ad015\",\"user_id\":4242,"
	    "\"aud\":\"restauth-api\",\"iss\":\"https://auth.example\"}",
	    (long long)now + 3600, (long long)now);
	T_ASSERT(wfile("payload.json", payload, strlen(payload)) == 0);
	ok = py("enc %s %s %s", ac->alg, path(signer), path("payload.json")) ==
	    0;
	T_ASSERT(ok);
	if (ok) {
		T_ASSERT(jwt_verify(ctx, out, strlen(out), now, JWT_REFRESH,
			     JWT_NEED_USER, &c, &why) == APP_OK);
		T_ASSERT(c.type == JWT_REFRESH && c.exp == now + 3600 &&
		    c.iat == now && c.uid.kind == JWT_UID_INT &&
		    c.uid.num == 4242 &&
		    strcmp(c.jti, "9f86d081884c4d659a2feaa0c55ad015") == 0);
		json = segment(out, 0);
		snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
		    ac->alg);
		T_STREQ(json, want);
		free(json);
	}

	/* We mint; PyJWT verifies and reads back the same payload. */
	T_ASSERT(
	    jwt_uid_set_str(&u, "j\xc3\xb6rg \"the\" \\admin\\") == APP_OK);
	T_ASSERT(jwt_mint(ctx, JWT_ACCESS, &u, now, &tok, &c) == APP_OK);
	if (tok == NULL)
		goto out;
	T_ASSERT(wfile("token.txt", tok, strlen(tok)) == 0);
	ok = py("dec %s %s %s %s", ac->alg, path(checker), path("token.txt"),
		 path("opts.json")) == 0;
	T_ASSERT(ok);
	if (ok && (nl = strchr(out, '\n')) != NULL) {
		*nl = '\0';
		json = segment(tok, 1);
		T_STREQ(out, json); /* same keys, order and values */
		free(json);
		snprintf(want, sizeof(want),
		    "{\"token_type\":\"access\",\"exp\":%lld,\"iat\":%lld,"
		    "\"jti\":\"%s\",\"user_id\":\"j\\u00f6rg \\\"the\\\" "
		    "\\\\admin\\\\\",\"aud\":\"restauth-api\","
		    "\"iss\":\"https://auth.example\"}",
		    (long long)now + 300, (long long)now, c.jti);
		T_STREQ(out, want);
		snprintf(want, sizeof(want), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
		    ac->alg);
		T_STREQ(nl + 1, want);
	}

	/*
	 * Byte for byte: PyJWT encoding our payload JSON (json.loads keeps
	 * the order) gives our token. ECDSA signatures are random, so ES*
	 * compare all but the signature.
	 */
	json = segment(tok, 1);
	T_ASSERT(wfile("payload.json", json, strlen(json)) == 0);
	free(json);
	ok = py("enc %s %s %s", ac->alg, path(signer), path("payload.json")) ==
	    0;
	T_ASSERT(ok);
	if (ok && ac->alg[0] != 'E')
		T_STREQ(out, tok);
	else if (ok)
		T_ASSERT(strrchr(out, '.') - out == strrchr(tok, '.') - tok &&
		    strncmp(out, tok, (size_t)(strrchr(tok, '.') - tok)) == 0);
out:
	free(tok);
	jwt_ctx_free(ctx);
}

static void
test_pyjwt(void)
{
	struct algcase v[9] = {
		{ "HS256", NULL, NULL },
		{ "HS384", NULL, NULL },
		{ "HS512", NULL, NULL },
		{ "RS256", rsa_pem, rsa_pub },
		{ "RS384", rsa_pem, rsa_pub },
		{ "RS512", rsa_pem, rsa_pub },
		{ "ES256", ec_pem[0], ec_pub[0] },
		{ "ES384", ec_pem[1], ec_pub[1] },
		{ "ES512", ec_pem[2], ec_pub[2] },
	};
	struct jwt_ctx *ctx;
	struct jwt_uid u;
	char *tok = NULL;
	size_t i;

	T_ASSERT(have_python);
	if (!have_python) {
		fprintf(stderr,
		    "test_jwt: %s with PyJWT (python3-jwt) is needed\n",
		    PYTHON);
		return;
	}
	T_ASSERT(rsa_pem != NULL);
	for (i = 0; i < 9; i++)
		if (v[i].sk != NULL || v[i].alg[0] == 'H')
			cross_one(&v[i],
			    "django-insecure-s\xc3\xa9"
			    "cret!");
	/* Django's default SECRET_KEY shape, and an empty secret */
	cross_one(&v[0], "django-insecure-#x8$+t=v(q*2@&!n%k^z_y0");
	cross_one(&v[0], "");

	/* An int id minted by us, byte-identical to PyJWT's encoding. */
	ctx = ctx_new(&(struct opts) { .sk = "s3cr3t" });
	if (ctx == NULL)
		return;
	jwt_uid_set_int(&u, INT64_C(9007199254740993)); /* beyond a double */
	T_ASSERT(
	    jwt_mint(ctx, JWT_REFRESH, &u, time(NULL), &tok, NULL) == APP_OK);
	if (tok != NULL) {
		char *json = segment(tok, 1);

		T_ASSERT(wfile("payload.json", json, strlen(json)) == 0);
		T_ASSERT(wfile("secret.key", "s3cr3t", 6) == 0);
		T_ASSERT(py("enc HS256 %s %s", path("secret.key"),
			     path("payload.json")) == 0);
		T_STREQ(out, tok);
		free(json);
	}
	free(tok);
	jwt_ctx_free(ctx);
}

/* Tokens made by us with every algorithm verify here too. */
static void
test_roundtrip(void)
{
	static const char *const algs[9] = { "HS256", "HS384", "HS512", "RS256",
		"RS384", "RS512", "ES256", "ES384", "ES512" };
	struct jwt_ctx *ctx, *other;
	struct jwt_claims c, r;
	struct jwt_uid u;
	enum jwt_fail why;
	char *tok;
	size_t i;
	int e;

	if (rsa_pem == NULL)
		return;
	jwt_uid_set_int(&u, 3);
	for (i = 0; i < 9; i++) {
		e = algs[i][0] == 'E' ? (int)i - 6 : 0;
		ctx = ctx_new(&(struct opts) { .alg = algs[i],
		    .sk = algs[i][0] == 'H' ? NULL
			: algs[i][0] == 'R' ? rsa_pem
					    : ec_pem[e],
		    .vk = algs[i][0] == 'H' ? NULL
			: algs[i][0] == 'R' ? rsa_pub
					    : ec_pub[e] });
		T_ASSERT(ctx != NULL);
		if (ctx == NULL)
			continue;
		tok = NULL;
		T_ASSERT(jwt_mint(ctx, JWT_REFRESH, &u, (time_t)T0, &tok, &c) ==
		    APP_OK);
		T_ASSERT(tok != NULL &&
		    jwt_verify(ctx, tok, strlen(tok), (time_t)T0, JWT_REFRESH,
			JWT_NEED_USER, &r, &why) == APP_OK &&
		    r.exp == c.exp && strcmp(r.jti, c.jti) == 0);
		/* the same algorithm with another key says "signature" */
		other = NULL;
		if (algs[i][0] == 'H')
			other = ctx_new(
			    &(struct opts) { .alg = algs[i], .sk = "other" });
		else if (algs[i][0] == 'E' && e > 0)
			other = ctx_new(&(struct opts) { .alg = "ES256",
			    .sk = ec_pem[0],
			    .vk = ec_pub[0] });
		if (algs[i][0] == 'H' && tok != NULL)
			T_ASSERT(other != NULL &&
			    why_not(other, tok, T0, JWT_REFRESH, 0) ==
				JWT_FAIL_SIGNATURE);
		if (other != NULL && algs[i][0] == 'E' && tok != NULL)
			T_ASSERT(why_not(other, tok, T0, JWT_REFRESH, 0) ==
			    JWT_FAIL_ALG);
		jwt_ctx_free(other);
		free(tok);
		jwt_ctx_free(ctx);
	}
}

int
main(void)
{
	int py_ok;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	setenv("SECRET_KEY",
	    "unit-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz", 1);
	setenv("DATABASE_URL", "dbname=unused", 1);
	unsetenv("RESTAUTH_CONFIG");
	py_ok = wfile("helper.py", py_src, strlen(py_src)) == 0;
	have_python = py_ok && access(PYTHON, X_OK) == 0 &&
	    run("%s -I -c 'import jwt, cryptography' 2>&1", PYTHON) == 0;
	if (make_keys() != 0)
		fprintf(stderr, "test_jwt: openssl genpkey failed\n");

	test_rfc7515_a1();
	if (have_python)
		test_rfc7515_a234();
	test_mint();
	test_claim_names();
	test_alg();
	test_header();
	test_bitflips();
	test_malformed();
	test_time();
	test_aud_iss();
	test_simplejwt_claims();
	test_ctx_errors();
	test_confusion();
	test_roundtrip();
	test_pyjwt();

	run("rm -rf %s", dir);
	free(rsa_pem);
	free(rsa_pub);
	for (int i = 0; i < 3; i++) {
		free(ec_pem[i]);
		free(ec_pub[i]);
	}
	return T_DONE();
}
