#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "codec.h"
#include "config.h"
#include "db.h"
#include "djsign.h"
#include "req.h"
#include "resp.h"
#include "session.h"
#include "tok.h"

/* SessionBase.key_salt for backends.db.SessionStore (its __qualname__). */
#define SESS_SALT "django.contrib.sessions.SessionStore"
/* AbstractBaseUser.get_session_auth_hash's key_salt. */
#define HASH_SALT "django.contrib.auth.models.AbstractBaseUser." \
		  "get_session_auth_hash"
#define ALLAUTH_BACKEND "allauth.account.auth_backends.AuthenticationBackend"

/* First output buffer of sess_inflate; it doubles up to SESS_JSON_MAX. */
#define INFLATE_STEP 1024

enum app_err
sess_auth_hash(const char *secret, const char *password,
    char out[SESS_HASH_BYTES])
{
	unsigned char mac[DJS_MAC_BYTES];
	enum app_err er;

	if ((er = djs_salted_hmac(HASH_SALT, secret, password, strlen(password),
		 mac)) != APP_OK)
		return er;
	codec_hex_encode(mac, sizeof(mac), out);
	return APP_OK;
}

enum app_err
sess_encode(const char *secret, int64_t user_id, const char *password,
    time_t now, char **out)
{
	char hash[SESS_HASH_BYTES], json[256], *b = NULL;
	size_t jlen, blen;
	enum app_err er;
	int n;

	if ((er = sess_auth_hash(secret, password, hash)) != APP_OK)
		return er;
	/* JSONSerializer: json.dumps(separators=(",", ":")), login()'s
	 * insertion order; every value is ASCII. */
	n = snprintf(json, sizeof(json),
	    "{\"_auth_user_id\":\"%" PRId64 "\",\"_auth_user_backend\":\""
	    SESS_BACKEND "\",\"_auth_user_hash\":\"%s\"}", user_id, hash);
	if (n < 0 || (size_t)n >= sizeof(json))
		return APP_EINTERNAL;
	jlen = (size_t)n;
	er = APP_ENOMEM;
	if ((b = malloc(CODEC_B64_LEN(jlen) + 1)) == NULL)
		goto out;
	/* signing.dumps: TimestampSigner(salt=key_salt).sign(b64(json)). */
	if ((er = codec_b64_encode(json, jlen, CODEC_B64_URL, b,
		 CODEC_B64_LEN(jlen) + 1, &blen)) == APP_OK)
		er = djs_ts_sign(secret, SESS_SALT, b, blen, now, out);
out:
	free(b);
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(json, sizeof(json));
	return er;
}

/*
 * Django's b64_decode of a signed payload into *out (malloc'd, with a NUL
 * after the bytes). Strict (codec.h): the signature was checked first,
 * and Django's b64_encode writes only the canonical text.
 */
static enum app_err
unb64url(const char *in, size_t n, unsigned char **out, size_t *outlen)
{
	unsigned char *d;
	size_t len;

	if ((d = malloc(n / 4 * 3 + 3)) == NULL)
		return APP_ENOMEM;
	if (codec_b64_decode(in, n, CODEC_B64_URL, d, n / 4 * 3 + 2, &len) !=
	    APP_OK) {
		free(d);
		return APP_EAUTH;
	}
	d[len] = '\0';
	*out = d;
	*outlen = len;
	return APP_OK;
}

/* Move the first n bytes of *buf (size old) to a buffer of size new,
 * wiping the old one: inflated sessions hold a password's auth hash. */
static enum app_err
grow(unsigned char **buf, size_t old, size_t n, size_t new)
{
	unsigned char *b;

	if ((b = malloc(new)) == NULL)
		return APP_ENOMEM;
	memcpy(b, *buf, n);
	OPENSSL_cleanse(*buf, old);
	free(*buf);
	*buf = b;
	return APP_OK;
}

enum app_err
sess_inflate(const unsigned char *in, size_t n, unsigned char **out,
    size_t *outlen)
{
	z_stream zs;
	unsigned char *buf = NULL;
	size_t size = INFLATE_STEP, next, len;
	enum app_err er = APP_ENOMEM;
	int zr, started = 0;

	if (n > UINT_MAX)
		return APP_EAUTH;
	memset(&zs, 0, sizeof(zs));
	/* size - 1 is room for output, the last byte for the NUL. */
	if ((buf = malloc(size)) == NULL)
		goto out;
	if ((zr = inflateInit(&zs)) != Z_OK) {
		er = zr == Z_MEM_ERROR ? APP_ENOMEM : APP_EINTERNAL;
		goto out;
	}
	started = 1;
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = buf;
	zs.avail_out = (uInt)(size - 1);
	/* Each round either ends the stream, fails, or fills the buffer and
	 * doubles it: at most log2(SESS_JSON_MAX / INFLATE_STEP) + 2
	 * rounds, and never more than SESS_JSON_MAX + 1 bytes of output. */
	for (;;) {
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		er = zr == Z_MEM_ERROR ? APP_ENOMEM : APP_EAUTH;
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			goto out;
		er = APP_EAUTH;
		if (zs.avail_out != 0) /* all input used, no end: truncated */
			goto out;
		if (size - 1 > SESS_JSON_MAX) /* past the cap: refused */
			goto out;
		len = size - 1;
		next = size * 2 > SESS_JSON_MAX + 2 ? SESS_JSON_MAX + 2 :
						       size * 2;
		if ((er = grow(&buf, size, len, next)) != APP_OK)
			goto out;
		size = next;
		zs.next_out = buf + len;
		zs.avail_out = (uInt)(size - 1 - len);
	}
	len = (size - 1) - zs.avail_out;
	er = APP_EAUTH;
	if (len > SESS_JSON_MAX)
		goto out;
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	er = APP_OK;
out:
	if (started)
		inflateEnd(&zs);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, size);
		free(buf);
	}
	return er;
}

static const char *
str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

enum app_err
sess_decode(const char *secret, const char *data, struct sess_auth *out)
{
	const char *id, *backend, *hash;
	unsigned char *json = NULL, *zdata = NULL;
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL, *v;
	size_t plen, jlen, zlen;
	int64_t uid = 0, ts;
	enum app_err er;

	/* signing.loads without max_age: "payload:timestamp:signature"; a
	 * leading '.' in the payload marks zlib (signed with it). */
	if ((er = djs_ts_unsign(secret, SESS_SALT, data, strlen(data), 0, -1,
		 &plen, &ts)) != APP_OK)
		return er;
	if (data[0] != '.') {
		if ((er = unb64url(data, plen, &json, &jlen)) != APP_OK)
			return er;
	} else {
		if ((er = unb64url(data + 1, plen - 1, &zdata, &zlen)) !=
		    APP_OK)
			return er;
		er = sess_inflate(zdata, zlen, &json, &jlen);
		OPENSSL_cleanse(zdata, zlen);
		free(zdata);
		if (er != APP_OK)
			return er;
	}
	er = APP_ENOMEM;
	if ((tok = json_tokener_new_ex(LIMIT_JSON_DEPTH)) == NULL)
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	er = APP_EAUTH;
	root = json_tokener_parse_ex(tok, (const char *)json, (int)jlen);
	if (root == NULL || json_tokener_get_parse_end(tok) != jlen ||
	    !json_object_is_type(root, json_type_object))
		goto out;
	/* pk.to_python: a decimal string, or a number from other writers. */
	if (json_object_object_get_ex(root, "_auth_user_id", &v) &&
	    json_object_is_type(v, json_type_int))
		uid = json_object_get_int64(v);
	else if ((id = str_member(root, "_auth_user_id")) != NULL &&
	    id[0] != '\0' && strlen(id) <= 19 &&
	    strspn(id, "0123456789") == strlen(id)) {
		errno = 0;
		uid = (int64_t)strtoll(id, NULL, 10);
		if (errno != 0)
			uid = 0;
	}
	backend = str_member(root, "_auth_user_backend");
	hash = str_member(root, "_auth_user_hash");
	if (uid <= 0 || backend == NULL || hash == NULL ||
	    strlen(hash) != SESS_HASH_BYTES - 1 ||
	    (strcmp(backend, SESS_BACKEND) != 0 &&
		strcmp(backend, ALLAUTH_BACKEND) != 0))
		goto out;
	out->user_id = uid;
	memcpy(out->hash, hash, SESS_HASH_BYTES);
	er = APP_OK;
out:
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	if (json != NULL) {
		OPENSSL_cleanse(json, jlen);
		free(json);
	}
	return er;
}

enum app_err
sess_key_new(char out[SESS_KEY_BYTES])
{
	return tok_random_string("abcdefghijklmnopqrstuvwxyz0123456789", out,
	    SESS_KEY_CHARS);
}

/* SessionStore.create: a fresh key, retried on the unlikely collision. */
static enum app_err
create(const struct app_config *cfg, struct db *db,
    const struct db_user *user, char key[SESS_KEY_BYTES])
{
	char *data = NULL;
	enum app_err er;
	int tries;

	if ((er = sess_encode(cfg->secret_key, user->id, user->password,
		 app_now(), &data)) != APP_OK)
		return er;
	for (tries = 0; tries < 4; tries++) {
		if ((er = sess_key_new(key)) != APP_OK)
			break;
		er = db_session_insert(db, key, data, cfg->session_cookie.age);
		if (er != APP_ECONFLICT)
			break;
	}
	if (er == APP_ECONFLICT)
		er = APP_EINTERNAL;
	free(data);
	return er;
}

enum app_err
sess_login(const struct app_config *cfg, struct db *db,
    const struct db_user *user, struct resp *resp, char key[SESS_KEY_BYTES])
{
	char k[SESS_KEY_BYTES];
	enum app_err er;

	if ((er = create(cfg, db, user, k)) != APP_OK)
		return er;
	resp_cookie(resp, &cfg->session_cookie, k);
	if (key != NULL)
		memcpy(key, k, sizeof(k));
	OPENSSL_cleanse(k, sizeof(k));
	return APP_OK;
}

/*
 * The cookie's key when it could name a row (Django: 8 to 40 chars of
 * [a-z0-9], what it generates): anything else, such as bytes that are not
 * UTF-8 (which PostgreSQL would refuse), is no session.
 */
static const char *
cookie_key(const struct app_config *cfg, const struct req *r)
{
	const char *k;
	size_t n;

	if (cfg->session_cookie.name == NULL ||
	    (k = req_cookie(r, cfg->session_cookie.name)) == NULL)
		return NULL;
	n = strlen(k);
	return n >= SESS_KEY_MIN && n <= SESS_KEY_MAX &&
		strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789") == n ?
	    k :
	    NULL;
}

enum app_err
sess_user(const struct app_config *cfg, struct db *db, const struct req *r,
    struct db_user *user, char key[SESS_KEY_BYTES])
{
	char data[SESS_DATA_BYTES], want[SESS_HASH_BYTES];
	struct sess_auth sa;
	struct db_user u;
	const char *k;
	enum app_err er;

	if ((k = cookie_key(cfg, r)) == NULL)
		return APP_ENOTFOUND;
	er = db_session_get(db, k, data, sizeof(data));
	if (er == APP_ETOOBIG)
		er = APP_ENOTFOUND;
	if (er != APP_OK)
		return er;
	er = sess_decode(cfg->secret_key, data, &sa);
	OPENSSL_cleanse(data, sizeof(data));
	if (er == APP_EAUTH)
		return APP_ENOTFOUND;
	if (er != APP_OK)
		return er;
	if ((er = db_user_by_id(db, sa.user_id, &u)) != APP_OK)
		goto out;
	if ((er = sess_auth_hash(cfg->secret_key, u.password, want)) != APP_OK)
		goto out;
	if (CRYPTO_memcmp(want, sa.hash, SESS_HASH_BYTES - 1) != 0) {
		/* Django's get_user: request.session.flush(). */
		er = db_session_delete(db, k);
		if (er == APP_OK)
			er = APP_ENOTFOUND;
		goto out;
	}
	er = APP_ENOTFOUND;
	if (!u.is_active)
		goto out;
	*user = u;
	memcpy(key, k, strlen(k) + 1);
	er = APP_OK;
out:
	OPENSSL_cleanse(&sa, sizeof(sa));
	OPENSSL_cleanse(want, sizeof(want));
	OPENSSL_cleanse(&u, sizeof(u));
	return er;
}

enum app_err
sess_logout(const struct app_config *cfg, struct db *db, const struct req *r,
    struct resp *resp)
{
	const char *k;
	enum app_err er;

	if (cfg->session_cookie.name == NULL ||
	    req_cookie(r, cfg->session_cookie.name) == NULL)
		return APP_OK;
	if ((k = cookie_key(cfg, r)) != NULL &&
	    (er = db_session_delete(db, k)) != APP_OK)
		return er;
	resp_cookie_delete(resp, &cfg->session_cookie);
	return APP_OK;
}

enum app_err
sess_rotate(const struct app_config *cfg, struct db *db, const char *old_key,
    const struct db_user *user, struct resp *resp)
{
	enum app_err er;

	if ((er = db_session_delete(db, old_key)) != APP_OK)
		return er;
	return sess_login(cfg, db, user, resp, NULL);
}
