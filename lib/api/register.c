#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "account.h"
#include "codec.h"
#include "config.h"
#include "djsign.h"
#include "log.h"
#include "mail.h"
#include "pw.h"
#include "pwval.h"
#include "pystr.h"
#include "register.h"
#include "req.h"
#include "resp.h"
#include "tok.h"

/* "9223372036854775807": the longest pk. */
#define PK_MAX_DIGITS 19
/* Attempts at a free username when one is made up from the address. */
#define NAME_TRIES 4
/* Random digits after a made-up username that is taken (allauth adds
 * a suffix of growing length). */
#define NAME_SUFFIX_MIN 4

static enum app_err
add(struct json_object **errs, const char *field, const char *msg)
{
	return resp_errors_add(errs, field, msg) == APP_OK ? APP_EINPUT
							   : APP_ENOMEM;
}

/* ---- Django's signing ---- */

enum app_err
reg_key_make(const char *secret, int64_t address_id, time_t now, char *out,
    size_t outsz)
{
	char pk[PK_MAX_DIGITS + 2], value[REG_KEY_BYTES], *key = NULL;
	size_t n;
	int len;

	if (secret == NULL || address_id < 1 || now < 0 ||
	    outsz < REG_KEY_BYTES)
		return APP_EINTERNAL;
	/* JSONSerializer: json.dumps(pk) of an int is its decimal digits. */
	len = snprintf(pk, sizeof(pk), "%" PRId64, address_id);
	if (codec_b64_encode(pk, (size_t)len, CODEC_B64_URL, value,
		sizeof(value), &n) != APP_OK ||
	    djs_ts_sign(secret, REG_KEY_SALT, value, n, now, &key) != APP_OK)
		return APP_EINTERNAL;
	len = snprintf(out, outsz, "%s", key);
	free(key);
	if (len < 0 || (size_t)len >= outsz)
		return APP_EINTERNAL;
	return APP_OK;
}

enum app_err
reg_key_check(const char *secret, const char *key, time_t now, long max_age,
    int64_t *address_id)
{
	char digits[PK_MAX_DIGITS + 1];
	unsigned char raw[PK_MAX_DIGITS + 4];
	size_t len = strlen(key), vlen, got, i;
	int64_t id = 0, ts;

	if (secret == NULL || len == 0 || len >= REG_KEY_BYTES)
		return APP_EINPUT;
	/* signing.loads: TimestampSigner.unsign, then the payload. */
	if (djs_ts_unsign(secret, REG_KEY_SALT, key, len, now, max_age, &vlen,
		&ts) != APP_OK)
		return APP_EINPUT;
	/* unsign_object: "." marks a compressed payload; we never make one. */
	if (key[0] == '.')
		return APP_EINPUT;
	if (codec_b64_decode(key, vlen, CODEC_B64_URL, raw, sizeof(raw),
		&got) != APP_OK ||
	    got < 1 || got > PK_MAX_DIGITS)
		return APP_EINPUT;
	for (i = 0; i < got; i++) {
		if (raw[i] < '0' || raw[i] > '9' || (i == 0 && raw[i] == '0'))
			return APP_EINPUT;
		digits[i] = (char)raw[i];
	}
	digits[got] = '\0';
	for (i = 0; i < got; i++) {
		if (id > (INT64_MAX - (digits[i] - '0')) / 10)
			return APP_EINPUT;
		id = id * 10 + (digits[i] - '0');
	}
	*address_id = id;
	return APP_OK;
}

enum app_err
reg_stored_key_new(char out[REG_STORED_KEY_CHARS + 1])
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char buf[REG_STORED_KEY_CHARS * 2];
	size_t n = 0, i;

	while (n < REG_STORED_KEY_CHARS) {
		if (RAND_bytes(buf, sizeof(buf)) != 1)
			return APP_EINTERNAL;
		/* 252 = 7 * 36: drop the rest, so that all are as likely. */
		for (i = 0; i < sizeof(buf) && n < REG_STORED_KEY_CHARS; i++)
			if (buf[i] < 252)
				out[n++] = chars[buf[i] % 36];
	}
	out[n] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));
	return APP_OK;
}

enum app_err
reg_link(const char *tpl, const char *key, char *out, size_t outsz)
{
	size_t o = 0, n, klen = strlen(key);

	while (*tpl != '\0') {
		if (strncmp(tpl, "{key}", 5) == 0) {
			n = klen;
			if (o + n + 1 > outsz)
				return APP_EINTERNAL;
			memcpy(out + o, key, n);
			tpl += 5;
		} else {
			n = 1;
			if (o + n + 1 > outsz)
				return APP_EINTERNAL;
			out[o] = *tpl++;
		}
		o += n;
	}
	out[o] = '\0';
	return APP_OK;
}

/* ---- usernames ---- */

void
reg_username_base(const struct app_config *cfg, const char *email,
    char out[DB_USERNAME_BYTES])
{
	char buf[DB_EMAIL_BYTES];
	const unsigned char *s = (const unsigned char *)email;
	const char *p;
	size_t n = 0, o = 0, i;
	bool space = false;

	/* NFKD, then .encode("ascii", "ignore"): what stays is ASCII (a
	 * letter with an accent loses it in allauth; here it goes). Then
	 * re.sub(r"[^\w\s@+.-]", "") and .lower(), cut at the first "@". */
	for (; *s != '\0' && *s != '@' && n + 1 < sizeof(buf); s++) {
		unsigned char c = *s;

		if (c >= 0x80)
			continue;
		if ((c >= 'A' && c <= 'Z'))
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '+' || c == '.' || c == '-' ||
		    pystr_is_space(c))
			buf[n++] = (char)c;
	}
	/* .strip(), then re.sub(r"\s+", "_") (re's \s is str.isspace()). */
	p = pystr_strip(buf, &n);
	for (i = 0; i < n && o + 1 < DB_USERNAME_BYTES; i++) {
		if (pystr_is_space((unsigned char)p[i])) {
			if (!space)
				out[o++] = '_';
			space = true;
			continue;
		}
		space = false;
		out[o++] = p[i];
	}
	out[o] = '\0';
	/* clean_username(shallow=True): the validators (max length 150 too)
	 * and the blacklist; a name that fails them gives way to "user". */
	if (o == 0 || o > LIMIT_USERNAME || !acct_username_valid(out) ||
	    acct_username_blacklisted(cfg, out))
		snprintf(out, DB_USERNAME_BYTES, "user");
}

enum app_err
reg_username_lower(const char *in, char out[DB_USERNAME_BYTES])
{
	uint32_t cp[DB_USERNAME_BYTES];
	uint32_t low[PYSTR_LOWER_MAX * DB_USERNAME_BYTES];
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), k, ncp = 0, nlow, i, o = 0;

	for (; n > 0; s += k, n -= k)
		if (ncp == DB_USERNAME_BYTES ||
		    (k = codec_utf8_next(s, n, &cp[ncp++])) == 0)
			return APP_EINPUT;
	nlow = pystr_lower(cp, ncp, low);
	for (i = 0; i < nlow; i++) {
		if (o + CODEC_UTF8_MAX + 1 > DB_USERNAME_BYTES)
			return APP_EINPUT;
		o += codec_utf8_put(low[i], (unsigned char *)out + o);
	}
	out[o] = '\0';
	return APP_OK;
}

/*
 * A username for a signup without one: the base when it is long enough
 * and free (attempt 0), else the base cut to make room for random
 * digits. The transaction's own check decides in the end.
 */
static enum app_err
made_up_username(const struct app_config *cfg, struct db *db, const char *base,
    int attempt, char out[DB_USERNAME_BYTES])
{
	unsigned char rnd[LIMIT_USERNAME];
	size_t blen = strlen(base), k, i;
	bool taken = true;
	enum app_err er;

	if (attempt == 0 && (long)blen >= cfg->account.username_min_length) {
		if ((er = db_username_taken(db, base, 0, &taken)) != APP_OK)
			return er;
		if (!taken) {
			snprintf(out, DB_USERNAME_BYTES, "%s", base);
			return APP_OK;
		}
	}
	k = NAME_SUFFIX_MIN + (size_t)attempt;
	if ((long)(blen + k) < cfg->account.username_min_length)
		k = (size_t)cfg->account.username_min_length - blen;
	if (k > LIMIT_USERNAME)
		k = LIMIT_USERNAME;
	/* The base is ASCII: bytes are characters. */
	if (blen + k > LIMIT_USERNAME)
		blen = LIMIT_USERNAME - k;
	if (RAND_bytes(rnd, (int)k) != 1)
		return APP_EINTERNAL;
	memcpy(out, base, blen);
	for (i = 0; i < k; i++)
		out[blen + i] = (char)('0' + rnd[i] % 10);
	out[blen + k] = '\0';
	return APP_OK;
}

/* ---- the serializer ---- */

/* validate_username: DRF's min_length, then allauth's clean_username. */
static enum app_err
check_username(const struct app_config *cfg, struct db *db, const char *name,
    struct json_object **errs)
{
	char msg[96];
	bool taken = false;
	enum app_err er;

	if ((long)req_utf8_chars(name, strlen(name)) <
	    cfg->account.username_min_length) {
		snprintf(msg, sizeof(msg), REG_USERNAME_TOO_SHORT,
		    cfg->account.username_min_length);
		return add(errs, "username", msg);
	}
	if (!acct_username_valid(name))
		return add(errs, "username", ACCT_USERNAME_INVALID);
	if (acct_username_blacklisted(cfg, name))
		return add(errs, "username", ACCT_USERNAME_BLACKLISTED);
	if ((er = db_username_taken(db, name, 0, &taken)) != APP_OK)
		return er;
	if (taken)
		return add(errs, "username", ACCT_USERNAME_TAKEN);
	return APP_OK;
}

/*
 * validate_email: DRF's EmailField, then with UNIQUE_EMAIL the address
 * must be nobody's. dj-rest-auth 7.1.1 asks only whether a verified row
 * has it (and allauth then quietly skips the address row); restauth
 * refuses any holder, so the address stays one account's.
 */
static enum app_err
check_email(const struct app_config *cfg, struct db *db, const char *email,
    struct json_object **errs)
{
	bool taken = false;
	enum app_err er;

	if (!acct_email_valid(email))
		return add(errs, "email", ACCT_EMAIL_INVALID);
	if (!cfg->account.unique_email)
		return APP_OK;
	if ((er = db_email_taken(db, email, &taken)) != APP_OK)
		return er;
	if (taken)
		return add(errs, "email", REG_EMAIL_TAKEN);
	return APP_OK;
}

enum field { F_USERNAME, F_EMAIL, F_PASSWORD1, F_PASSWORD2, F__MAX };

enum app_err
reg_form_read(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, const struct req *req, struct reg_form *f,
    struct json_object **errs)
{
	struct req_field fields[F__MAX] = {
		[F_USERNAME] = { "username",
		    cfg->account.username_required ? REQ_F_REQUIRED : 0,
		    LIMIT_USERNAME, f->username, sizeof(f->username), false },
		[F_EMAIL] = { "email",
		    cfg->account.email_required ? REQ_F_REQUIRED : 0,
		    LIMIT_EMAIL, f->email, sizeof(f->email), false },
		[F_PASSWORD1] = { "password1", REQ_F_REQUIRED, LIMIT_PASSWORD,
		    f->password1, sizeof(f->password1), false },
		[F_PASSWORD2] = { "password2", REQ_F_REQUIRED, LIMIT_PASSWORD,
		    f->password2, sizeof(f->password2), false },
	};
	enum app_err er, all = APP_OK;
	int i;

	/* DRF's to_internal_value: field by field, in declaration order,
	 * each field's rules and then its validate_<name>. */
	for (i = 0; i < F__MAX; i++) {
		er = req_fields(req, &fields[i], 1, errs);
		if (er == APP_OK && fields[i].out[0] != '\0') {
			if (i == F_USERNAME)
				er = check_username(cfg, db, f->username, errs);
			else if (i == F_EMAIL)
				er = check_email(cfg, db, f->email, errs);
			else if (i == F_PASSWORD1)
				er = pwval_validate(pv, f->password1,
				    strlen(f->password1), NULL, "password1",
				    errs);
		}
		if (er == APP_EINPUT)
			all = APP_EINPUT;
		else if (er != APP_OK)
			return er;
	}
	if (all != APP_OK)
		return all;
	/* validate(): only when every field is valid. */
	if (strcmp(f->password1, f->password2) != 0)
		return add(errs, "non_field_errors", REG_PASSWORD_MISMATCH);
	return APP_OK;
}

void
reg_form_wipe(struct reg_form *f)
{
	OPENSSL_cleanse(f->password1, sizeof(f->password1));
	OPENSSL_cleanse(f->password2, sizeof(f->password2));
}

/* ---- mails ---- */

/* The confirmation mail for address to of username, with key; on
 * failure m holds what was made (mail_free). */
static enum app_err
make_mail(const struct app_config *cfg, const char *to, const char *username,
    const char *key, bool signup, struct mail *m)
{
	char link[REG_LINK_BYTES];
	int days = cfg->account.email_confirmation_expire_days, len;
	enum app_err er;

	if ((er = reg_link(cfg->email_confirm_url, key, link, sizeof(link))) !=
	    APP_OK)
		return er;
	if ((m->to = strdup(to)) == NULL ||
	    mail_subject(m, cfg->account.email_subject_prefix,
		"Confirm your e-mail address") != APP_OK)
		return APP_ENOMEM;
	len = asprintf(&m->body,
	    "Hello,\n\n"
	    "%s \"%s\" %s. To confirm that this address is yours, open this "
	    "link:\n\n%s\n\n"
	    "The link works for %d day%s. If this was not you, ignore this "
	    "message: the address stays unconfirmed.\n",
	    signup ? "the account" : "a new confirmation link for the account",
	    username,
	    signup ? "was registered with this e-mail address"
		   : "was asked for",
	    link, days, days == 1 ? "" : "s");
	OPENSSL_cleanse(link, sizeof(link));
	if (len < 0) {
		m->body = NULL;
		return APP_ENOMEM;
	}
	return APP_OK;
}

/*
 * Make the confirmation mail and add it to the outbox, in the caller's
 * transaction. APP_EDB from the outbox; a mail that cannot be made
 * (APP_ENOMEM, APP_EINTERNAL) is returned too, with *made false.
 */
static enum app_err
queue_mail(const struct app_config *cfg, struct db *db, const char *to,
    const char *username, const char *key, bool signup, bool *made)
{
	struct mail m = { 0 };
	enum app_err er;

	*made = false;
	if ((er = make_mail(cfg, to, username, key, signup, &m)) == APP_OK) {
		*made = true;
		er = db_outbox_insert(db, cfg->default_from_email, &m);
	}
	mail_free(&m);
	return er;
}

/* ---- signup ---- */

struct plan {
	bool login; /* not mandatory: complete_signup logs the user in */
	bool token; /* and token mode: a DRF token */
	bool confirm; /* EMAIL_VERIFICATION not none, and an address */
};

void
reg_result_free(struct reg_result *r)
{
	if (r == NULL)
		return;
	OPENSSL_cleanse(r->token, sizeof(r->token));
}

enum app_err
reg_username_claim(struct db *db, const char *username, int64_t self,
    bool *taken)
{
	enum app_err er;

	if ((er = db_lock_username(db, username)) != APP_OK)
		return er;
	return db_username_taken(db, username, self, taken);
}

/* Open the transaction of a username write and claim the name in it. */
static enum app_err
claim_begin(struct db *db, const char *username, int64_t self)
{
	bool taken = false;
	enum app_err er;

	if ((er = db_begin(db)) != APP_OK)
		return er;
	er = reg_username_claim(db, username, self, &taken);
	if (er == APP_OK && taken)
		er = APP_ECONFLICT;
	if (er != APP_OK)
		db_rollback(db);
	return er;
}

/* Commit the write when er (its result) is APP_OK, else undo it. */
static enum app_err
claim_end(struct db *db, enum app_err er)
{
	if (er == APP_OK && (er = db_commit(db)) == APP_OK)
		return APP_OK;
	db_rollback(db);
	return er;
}

enum app_err
reg_user_create(struct db *db, const char *username, const char *email,
    const char *hash, bool superuser, int64_t *id)
{
	enum app_err er;

	if ((er = claim_begin(db, username, 0)) != APP_OK)
		return er;
	return claim_end(db, db_user_insert(db, username, email, hash,
	    superuser, superuser, id));
}

enum app_err
reg_user_rename(struct db *db, int64_t id, const char *username,
    const char *first_name, const char *last_name)
{
	enum app_err er;

	if ((er = claim_begin(db, username, id)) != APP_OK)
		return er;
	return claim_end(db, db_user_update_profile(db, id, username,
	    first_name, last_name));
}

/*
 * The signup transaction. APP_ECONFLICT with *field F_USERNAME or
 * F_EMAIL when the name or (UNIQUE_EMAIL) the address is taken, whether
 * a check saw it or a constraint refused it; nothing is left behind.
 * On APP_OK: out->user.id, out->token, *stored (a stored key, "" when
 * none), and *send: the confirmation mail (made at now) is in the
 * outbox, committed with the user.
 */
static enum app_err
create(const struct app_config *cfg, struct db *db, const char *username,
    const char *email, const char *hash, const struct plan *p, time_t now,
    struct reg_result *out, char stored[REG_STORED_KEY_CHARS + 1],
    bool *send, enum field *field)
{
	bool unique = cfg->account.unique_email && email[0] != '\0';
	bool made = false;
	char key[TOK_KEY_BYTES], ckey[REG_KEY_BYTES] = "";
	int64_t uid = 0, aid = 0;
	bool taken = false;
	enum app_err er;

	*send = false;
	stored[0] = '\0';
	if ((er = db_begin(db)) != APP_OK)
		return er;
	*field = F_USERNAME;
	if ((er = reg_username_claim(db, username, 0, &taken)) != APP_OK)
		goto fail;
	if (taken) {
		er = APP_ECONFLICT;
		goto fail;
	}
	*field = F_EMAIL;
	if (unique && (er = db_email_taken(db, email, &taken)) != APP_OK)
		goto fail;
	if (unique && taken) {
		er = APP_ECONFLICT;
		goto fail;
	}
	*field = F_USERNAME;
	if ((er = db_user_register(db, username, email, hash, p->login,
		 &uid)) != APP_OK)
		goto fail;
	*field = F_EMAIL;
	if (email[0] != '\0' &&
	    ((er = db_emailaddress_insert(db, uid, email, &aid)) != APP_OK ||
		(unique && (er = db_email_claim(db, email, aid)) != APP_OK)))
		goto fail;
	*field = F__MAX;
	if (p->token &&
	    ((er = tok_key_new(key)) != APP_OK ||
		(er = db_token_get_or_create(db, uid, key, out->token)) !=
		    APP_OK))
		goto fail;
	if (p->confirm && aid > 0) {
		if ((er = db_email_cooldown(db, email,
			 cfg->account.email_confirmation_cooldown, send)) !=
		    APP_OK)
			goto fail;
		if (*send && !cfg->account.email_confirmation_hmac &&
		    ((er = reg_stored_key_new(stored)) != APP_OK ||
			(er = db_confirmation_insert(db, aid, stored)) !=
			    APP_OK))
			goto fail;
	}
	/* complete_signup's mail: in the outbox with the user, or neither. */
	if (*send) {
		if (cfg->account.email_confirmation_hmac)
			er = reg_key_make(cfg->secret_key, aid, now, ckey,
			    sizeof(ckey));
		else
			snprintf(ckey, sizeof(ckey), "%s", stored);
		if (er == APP_OK)
			er = queue_mail(cfg, db, email, username, ckey, true,
			    &made);
		/* A mail we cannot make is logged, and resend-email/ can
		 * make another; an outbox that fails fails the signup. */
		if (er != APP_OK && (er == APP_EDB || made))
			goto fail;
		if (er != APP_OK) {
			log_warnx("new user: no confirmation mail: %s",
			    app_err_name(er));
			*send = false;
			er = APP_OK;
		}
	}
	if ((er = db_commit(db)) != APP_OK)
		goto fail;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(ckey, sizeof(ckey));
	out->user.id = uid;
	return APP_OK;
fail:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(ckey, sizeof(ckey));
	OPENSSL_cleanse(out->token, sizeof(out->token));
	stored[0] = '\0';
	*send = false;
	db_rollback(db);
	return er;
}

enum app_err
reg_signup(const struct app_config *cfg, struct db *db, const struct pwval *pv,
    const struct reg_form *f, time_t now, struct reg_result *out,
    struct json_object **errs)
{
	enum account_email_verification ev = cfg->account.email_verification;
	struct pw_params pp = acct_pw_params(cfg);
	struct plan p;
	char username[DB_USERNAME_BYTES], base[DB_USERNAME_BYTES];
	char hash[PW_HASH_MAX] = "";
	char stored[REG_STORED_KEY_CHARS + 1] = "";
	bool made_up = f->username[0] == '\0', send = false;
	enum field field = F__MAX;
	enum app_err er = APP_EINTERNAL;
	int attempt;

	memset(out, 0, sizeof(*out));
	p.login = ev != ACCOUNT_EMAIL_VERIFICATION_MANDATORY;
	p.token = p.login && !cfg->rest_auth.use_jwt &&
	    cfg->rest_auth.token_model != NULL;
	p.confirm =
	    ev != ACCOUNT_EMAIL_VERIFICATION_NONE && f->email[0] != '\0';
	/* allauth's save_user: user_username (lower-cased unless
	 * PRESERVE_USERNAME_CASING), then populate_username. */
	if (made_up)
		reg_username_base(cfg, f->email, base);
	else if (cfg->account.preserve_username_casing)
		snprintf(username, sizeof(username), "%s", f->username);
	else if ((er = reg_username_lower(f->username, username)) != APP_OK)
		return er;
	for (attempt = 0; attempt < NAME_TRIES; attempt++) {
		if (made_up &&
		    (er = made_up_username(cfg, db, base, attempt, username)) !=
			APP_OK)
			goto out;
		if (attempt == 0 || made_up) {
			/* save(): the validators again, now with the user;
			 * only the similarity check can fail here, and
			 * dj-rest-auth reports it as a serializer error. */
			struct pwval_user who = { username, "", "", f->email };

			if ((er = pwval_validate(pv, f->password1,
				 strlen(f->password1), &who, "non_field_errors",
				 errs)) != APP_OK)
				goto out;
		}
		if (hash[0] == '\0' &&
		    (er = pw_hash(&pp, f->password1, strlen(f->password1),
			 hash)) != APP_OK)
			goto out;
		er = create(cfg, db, username, f->email, hash, &p, now, out,
		    stored, &send, &field);
		if (!(er == APP_ECONFLICT && made_up && field == F_USERNAME))
			break;
	}
	if (er == APP_ECONFLICT) {
		if (field == F_EMAIL)
			er = add(errs, "email", REG_EMAIL_TAKEN);
		else if (field == F_USERNAME)
			er = add(errs, "username", ACCT_USERNAME_TAKEN);
		else
			er = APP_EINTERNAL;
		goto out;
	}
	if (er != APP_OK)
		goto out;
	snprintf(out->user.username, sizeof(out->user.username), "%s",
	    username);
	snprintf(out->user.email, sizeof(out->user.email), "%s", f->email);
	out->user.is_active = true;
	out->user.last_login = p.login ? (int64_t)now : -1;
	out->mail_queued = send;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(stored, sizeof(stored));
	if (er != APP_OK)
		reg_result_free(out);
	return er;
}

/* ---- verify-email/ and resend-email/ ---- */

enum app_err
reg_confirm(const struct app_config *cfg, struct db *db, const char *key,
    time_t now)
{
	long days = cfg->account.email_confirmation_expire_days;
	int64_t id = 0;
	enum app_err er;

	if (cfg->account.email_confirmation_hmac) {
		/* EmailConfirmationHMAC.from_key. */
		if (reg_key_check(cfg->secret_key, key, now, days * 86400L,
			&id) != APP_OK)
			return APP_ENOTFOUND;
	} else {
		/* EmailConfirmation.from_key; keys are varchar(64). */
		if (strlen(key) > REG_STORED_KEY_CHARS)
			return APP_ENOTFOUND;
		if ((er = db_confirmation_lookup(db, key, (int)days, &id)) !=
		    APP_OK)
			return er;
	}
	/* confirm(): verify_email, under UNIQUE_EMAIL's can_set_verified. */
	return db_emailaddress_confirm(db, id, cfg->account.unique_email);
}

enum app_err
reg_resend(const struct app_config *cfg, struct db *db, const char *email,
    time_t now, bool *queued)
{
	struct db_emailaddress a;
	char key[REG_KEY_BYTES] = "";
	bool send = false, made;
	enum app_err er;

	*queued = false;
	er = db_emailaddress_by_email(db, email, &a);
	if (er == APP_ENOTFOUND)
		return APP_OK;
	if (er != APP_OK)
		return er;
	if (a.verified)
		return APP_OK;
	/* The send time, the stored key and the mail go in together. */
	if ((er = db_begin(db)) != APP_OK)
		return er;
	er = db_email_cooldown(db, a.email,
	    cfg->account.email_confirmation_cooldown, &send);
	if (er == APP_OK && send) {
		if (cfg->account.email_confirmation_hmac)
			er = reg_key_make(cfg->secret_key, a.id, now, key,
			    sizeof(key));
		else if ((er = reg_stored_key_new(key)) == APP_OK)
			er = db_confirmation_insert(db, a.id, key);
		if (er == APP_OK)
			er = queue_mail(cfg, db, a.email, a.username, key,
			    false, &made);
	}
	if (er == APP_OK)
		er = db_commit(db);
	if (er != APP_OK)
		db_rollback(db);
	else
		*queued = send;
	OPENSSL_cleanse(key, sizeof(key));
	return er;
}
