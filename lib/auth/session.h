/*
 * session.h: Django's database sessions (django.contrib.sessions.backends.db)
 * for dj-rest-auth's SESSION_LOGIN, in Django's own encoding so a Django app
 * on the same database accepts them: session_data is
 * signing.dumps(session_dict, salt="django.contrib.sessions.SessionStore",
 * compress=True) with the JSON serializer, HMAC-SHA256 over SECRET_KEY
 * (Django 3.1 and later). We read Django's zlib-compressed payloads
 * (a '.' before the base64) and write uncompressed ones, which Django
 * reads. The dict
 * is django.contrib.auth.login's: _auth_user_id, _auth_user_backend,
 * _auth_user_hash.
 */
#ifndef RESTAUTH_SESSION_H
#define RESTAUTH_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app.h"

struct app_config;
struct db;
struct db_user;
struct req;
struct resp;

/* Django's session_key: get_random_string(32, [a-z0-9]); column is 40. */
#define SESS_KEY_CHARS 32
#define SESS_KEY_MAX 40
#define SESS_KEY_MIN 8 /* Django's _validate_session_key */
#define SESS_KEY_BYTES (SESS_KEY_MAX + 1)
/* get_session_auth_hash: SHA-256 hexdigest. */
#define SESS_HASH_BYTES 65
/* Largest session_data we read; bigger rows (other apps' data) are
 * treated as no session rather than parsed without bound. */
#define SESS_DATA_MAX 4096
#define SESS_DATA_BYTES (SESS_DATA_MAX + 1)
/* Largest JSON we inflate a compressed session_data to. A session row
 * is at most SESS_DATA_MAX characters, and real sessions (login keys plus
 * what other apps keep, e.g. messages) inflate to a few KiB; zlib can
 * expand about 1000 to 1, so without a cap a signed 4 KiB row could ask
 * for megabytes. More than this is refused, not inflated further. */
#define SESS_JSON_MAX (64 * 1024)

/* The backend we write: Django's default AUTHENTICATION_BACKENDS. */
#define SESS_BACKEND "django.contrib.auth.backends.ModelBackend"

/* What a session says about its user. */
struct sess_auth {
	int64_t user_id;
	char hash[SESS_HASH_BYTES];
};

/*
 * AbstractBaseUser.get_session_auth_hash(): HMAC-SHA256 keyed with
 * sha256(key_salt + secret) over the password hash, hex. APP_EINTERNAL.
 */
enum app_err sess_auth_hash(const char *secret, const char *password,
    char out[SESS_HASH_BYTES]) APP_WUR;

/*
 * Django's SessionStore.encode of login()'s dict for user_id, whose
 * password hash is password, signed at time now. *out is allocated;
 * the caller frees it. APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err sess_encode(const char *secret, int64_t user_id,
    const char *password, time_t now, char **out) APP_WUR;

/*
 * SessionStore.decode: verify the signature (no age limit, as Django's)
 * inflate a compressed payload and read the auth keys. APP_EAUTH for a
 * bad signature, a malformed payload, zlib data that is malformed,
 * truncated or inflates past SESS_JSON_MAX, a missing key or a backend
 * other than ModelBackend or allauth's; APP_ENOMEM.
 */
enum app_err sess_decode(const char *secret, const char *data,
    struct sess_auth *out) APP_WUR;

/*
 * zlib.decompress of in[0..n-1] (a zlib stream; bytes after its end are
 * ignored, as Python's), inflated in bounded steps to at most
 * SESS_JSON_MAX bytes. *out (allocated, NUL-terminated, the caller wipes
 * and frees it) and *outlen are written only on APP_OK. APP_EAUTH for
 * malformed or truncated data or an output past the cap; APP_ENOMEM.
 */
enum app_err sess_inflate(const unsigned char *in, size_t n,
    unsigned char **out, size_t *outlen) APP_WUR;

/* A new random session key. APP_EINTERNAL if the CSPRNG fails. */
enum app_err sess_key_new(char out[SESS_KEY_BYTES]) APP_WUR;

/*
 * django.contrib.auth.login + SessionMiddleware: store a new session for
 * user (expiring after SESSION_COOKIE_AGE) and set the SESSION_COOKIE_*
 * cookie. key (may be NULL) receives the new key. APP_EDB, APP_ENOMEM,
 * APP_EINTERNAL.
 */
enum app_err sess_login(const struct app_config *cfg, struct db *db,
    const struct db_user *user, struct resp *resp,
    char key[SESS_KEY_BYTES]) APP_WUR;

/*
 * The user of r's session cookie, as Django's get_user finds it: row
 * present and unexpired, signature good, user active and
 * _auth_user_hash matching the current password (a mismatch deletes the
 * row, as Django's flush). APP_ENOTFOUND: no usable session (anonymous).
 * key receives the cookie's key on APP_OK. APP_EDB.
 */
enum app_err sess_user(const struct app_config *cfg, struct db *db,
    const struct req *r, struct db_user *user,
    char key[SESS_KEY_BYTES]) APP_WUR;

/*
 * django.contrib.auth.logout: delete r's session row if it has a cookie,
 * and the cookie (SessionMiddleware's delete_cookie). APP_EDB.
 */
enum app_err sess_logout(const struct app_config *cfg, struct db *db,
    const struct req *r, struct resp *resp) APP_WUR;

/*
 * update_session_auth_hash: cycle_key with the hash of user's (new)
 * password: a new row and cookie replace session old_key. APP_EDB,
 * APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err sess_rotate(const struct app_config *cfg, struct db *db,
    const char *old_key, const struct db_user *user,
    struct resp *resp) APP_WUR;

#endif
