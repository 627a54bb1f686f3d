#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include <openssl/crypto.h>

#include "account.h"
#include "codec.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "pw.h"
#include "pystr.h"
#include "req.h"

static const char MSG_BAD_CREDENTIALS[] =
    "Unable to log in with provided credentials.";

struct pw_params
acct_pw_params(const struct app_config *cfg)
{
	struct pw_params p = { 0 };

	p.time_cost = cfg->password_hasher.time_cost;
	p.memory_cost = cfg->password_hasher.memory_cost;
	p.parallelism = cfg->password_hasher.parallelism;
	p.hash_len = cfg->password_hasher.hash_len;
	p.pbkdf2_iterations = cfg->password_hasher.pbkdf2_iterations;
	p.bcrypt_rounds = cfg->password_hasher.bcrypt_rounds;
	p.scrypt_work_factor = cfg->password_hasher.scrypt_work_factor;
	p.scrypt_block_size = cfg->password_hasher.scrypt_block_size;
	p.scrypt_parallelism = cfg->password_hasher.scrypt_parallelism;
	memcpy(p.hashers, cfg->password_hashers_algo, sizeof(p.hashers));
	p.hashers_len = cfg->password_hashers_len;
	return p;
}

/*
 * Check one candidate's password; on success upgrade its hash. APP_OK
 * match, APP_EAUTH no match, APP_ENOMEM.
 */
static enum app_err
check_password(const struct app_config *cfg, struct db *db,
    struct db_user *u, const struct acct_login *in)
{
	struct pw_params p = acct_pw_params(cfg);
	char hash[PW_HASH_MAX];
	enum app_err er;
	int rehash = 0;

	er = pw_verify(&p, u->password, in->password, in->password_len,
	    &rehash);
	if (er != APP_OK || !rehash)
		return er;
	/* Django's check_password setter: re-hash with the first hasher. */
	if (pw_hash(&p, in->password, in->password_len, hash) == APP_OK) {
		if (db_user_set_password(db, u->id, hash) != APP_OK)
			log_warnx("user %lld: could not store the re-hashed "
			    "password", (long long)u->id);
		else
			snprintf(u->password, sizeof(u->password), "%s", hash);
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	return APP_OK;
}

/* allauth _authenticate_by_username. APP_OK, APP_EAUTH, APP_EDB. */
static enum app_err
by_username(const struct app_config *cfg, struct db *db, const char *name,
    const struct acct_login *in, struct db_user *out)
{
	struct pw_params p = acct_pw_params(cfg);
	enum app_err er;

	er = db_user_by_username(db, name, out);
	if (er == APP_ENOTFOUND) {
		pw_dummy(&p, in->password, in->password_len);
		return APP_EAUTH;
	}
	if (er != APP_OK)
		return er;
	return check_password(cfg, db, out, in);
}

/* allauth _authenticate_by_email: every user with that address is tried. */
static enum app_err
by_email(const struct app_config *cfg, struct db *db, const char *email,
    const struct acct_login *in, struct db_user *out)
{
	struct db_user users[DB_USERS_BY_EMAIL_MAX];
	struct pw_params p = acct_pw_params(cfg);
	size_t n = 0, i;
	enum app_err er;

	if ((er = db_users_by_email(db, email, users, &n)) != APP_OK)
		return er;
	if (n == 0) {
		pw_dummy(&p, in->password, in->password_len);
		return APP_EAUTH;
	}
	er = APP_EAUTH;
	for (i = 0; i < n && er == APP_EAUTH; i++)
		if ((er = check_password(cfg, db, &users[i], in)) == APP_OK)
			*out = users[i];
	OPENSSL_cleanse(users, sizeof(users));
	return er;
}

enum app_err
acct_login(const struct app_config *cfg, struct db *db,
    const struct acct_login *in, struct db_user *out, const char **msg)
{
	bool has_user = in->username[0] != '\0';
	bool has_email = in->email[0] != '\0';
	enum app_err er;

	switch (cfg->account.authentication_method) {
	case ACCOUNT_AUTH_EMAIL:
		if (!has_email) {
			*msg = "Must include \"email\" and \"password\".";
			return APP_EINPUT;
		}
		er = by_email(cfg, db, in->email, in, out);
		break;
	case ACCOUNT_AUTH_USERNAME:
		if (!has_user) {
			*msg = "Must include \"username\" and \"password\".";
			return APP_EINPUT;
		}
		er = by_username(cfg, db, in->username, in, out);
		break;
	default:
		if (has_email)
			er = by_email(cfg, db, in->email, in, out);
		else if (has_user) {
			/* allauth tries the username as an address first. */
			er = APP_EAUTH;
			if (strchr(in->username, '@') != NULL)
				er = by_email(cfg, db, in->username, in, out);
			if (er == APP_EAUTH)
				er = by_username(cfg, db, in->username, in,
				    out);
		} else {
			*msg = "Must include either \"username\" or \"email\" "
			       "and \"password\".";
			return APP_EINPUT;
		}
		break;
	}
	if (er == APP_EAUTH) {
		*msg = MSG_BAD_CREDENTIALS;
		return APP_EINPUT;
	}
	if (er != APP_OK)
		return er;
	if (!out->is_active) {
		*msg = "User account is disabled.";
		return APP_EINPUT;
	}
	/* dj-rest-auth's validate_email_verification_status, which runs
	 * when its registration app is installed. */
	if (cfg->account.email_verification ==
		ACCOUNT_EMAIL_VERIFICATION_MANDATORY &&
	    app_config_installed(cfg, ACCT_REGISTRATION_APP)) {
		bool verified = false;

		if ((er = db_email_verified(db, out->id, out->email,
			 &verified)) != APP_OK)
			return er;
		if (!verified) {
			*msg = ACCT_EMAIL_NOT_VERIFIED;
			return APP_EINPUT;
		}
	}
	return APP_OK;
}

bool
acct_login_ident(const struct app_config *cfg, const struct acct_login *in,
    char out[ACCT_IDENT_BYTES])
{
	const unsigned char *s;
	uint32_t cp;
	wint_t up;
	size_t o = 0, n, k;

	switch (cfg->account.authentication_method) {
	case ACCOUNT_AUTH_EMAIL:
		s = (const unsigned char *)in->email;
		break;
	case ACCOUNT_AUTH_USERNAME:
		s = (const unsigned char *)in->username;
		break;
	default:
		s = (const unsigned char *)(in->email[0] != '\0' ? in->email :
								 in->username);
		break;
	}
	if (*s == '\0')
		return false;
	n = strlen((const char *)s);
	/* PostgreSQL's upper() with a libc locale: towupper per code
	 * point, as the lookups compare upper(name) = upper($1). s is
	 * valid UTF-8 (the body parser checks it). */
	for (; n > 0 && o + 4 < ACCT_IDENT_BYTES; s += k, n -= k) {
		if ((k = codec_utf8_next(s, n, &cp)) == 0)
			return false;
		up = towupper((wint_t)cp);
		o += codec_utf8_put(up <= 0x10ffff ? (uint32_t)up : cp,
		    (unsigned char *)out + o);
	}
	out[o] = '\0';
	return true;
}

bool
acct_username_valid(const char *username)
{
	const unsigned char *s = (const unsigned char *)username;
	size_t n = strlen(username), k;
	uint32_t cp;

	if (n == 0)
		return false;
	for (; n > 0; s += k, n -= k)
		if ((k = codec_utf8_next(s, n, &cp)) == 0 ||
		    !(cp == '.' || cp == '@' || cp == '+' || cp == '-' ||
			pystr_is_word(cp)))
			return false;
	return true;
}

bool
acct_username_blacklisted(const struct app_config *cfg, const char *username)
{
	size_t i;

	for (i = 0; i < cfg->account.username_blacklist_len; i++)
		if (strcasecmp(cfg->account.username_blacklist[i],
			username) == 0)
			return true;
	return false;
}

/* Django's EmailValidator user part: dot-atom or quoted string. */
static bool
email_user_ok(const char *s, size_t n)
{
	static const char atext[] = "-!#$%&'*+/=?^_`{}|~";
	size_t i;
	bool dot_ok = false;

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		for (i = 1; i < n - 1; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '\\') {
				if (++i >= n - 1)
					return false;
				c = (unsigned char)s[i];
				if (c == 0 || c == '\n' || c == '\r' || c > 0x7f)
					return false;
			} else if (c == 0 || c == '\t' || c == '\n' ||
			    c == '\r' || c == ' ' || c == '"' || c == '\\' ||
			    c > 0x7f)
				return false;
		}
		return true;
	}
	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (!dot_ok)
				return false;
			dot_ok = false;
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c != 0 && strchr(atext, c) != NULL))
			dot_ok = true;
		else
			return false;
	}
	return dot_ok;
}

/* A hostname label character: ASCII alnum or any non-ASCII (IDN). */
static bool
label_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Django's domain_regex: labels of 1..63, no edge hyphens, a TLD of 2+. */
static bool
email_domain_ok(const char *s, size_t n)
{
	size_t i, start = 0, labels = 0, len;

	if (n == 9 && strncmp(s, "localhost", 9) == 0)
		return true;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		for (i = 1; i < n - 1; i++)
			if (!(strchr("0123456789abcdefABCDEF:.", s[i]) != NULL &&
				s[i] != '\0'))
				return false;
		return n > 2;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!label_char((unsigned char)s[i]) && s[i] != '-')
				return false;
			continue;
		}
		len = i - start;
		if (len == 0 || len > 63 || s[start] == '-' || s[i - 1] == '-')
			return false;
		labels++;
		if (i == n && len < 2)
			return false;
		start = i + 1;
	}
	return labels >= 2;
}

bool
acct_email_valid(const char *email)
{
	const char *at = strrchr(email, '@');
	size_t n = strlen(email);

	/* Django's EmailValidator: at most 320 characters, not bytes. */
	if (n == 0 || at == NULL || n > LIMIT_EMAIL_VALIDATOR_BYTES ||
	    req_utf8_chars(email, n) > LIMIT_EMAIL_VALIDATOR)
		return false;
	return email_user_ok(email, (size_t)(at - email)) &&
	    email_domain_ok(at + 1, n - (size_t)(at - email) - 1);
}

struct json_object *
acct_user_json(const struct db_user *u)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "pk", json_object_new_int64(u->id)) ||
	    json_object_object_add(o, "username",
		json_object_new_string(u->username)) ||
	    json_object_object_add(o, "email",
		json_object_new_string(u->email)) ||
	    json_object_object_add(o, "first_name",
		json_object_new_string(u->first_name)) ||
	    json_object_object_add(o, "last_name",
		json_object_new_string(u->last_name))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
