#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "jwtmode.h"
#include "log.h"
#include "mail.h"
#include "outbox.h"
#include "passwd.h"
#include "pw.h"
#include "pwval.h"
#include "resettok.h"
#include "resp.h"

/* Room for a reset token: base36 timestamp, '-', 32 hex characters. */
#define TOKEN_BYTES 64
/* Room for a uid: base64 of a 19-digit pk. */
#define UID_BYTES 32
/* A reset link, after the placeholders are filled in. */
#define LINK_BYTES 2048

static enum app_err
add(struct json_object **errs, const char *field, const char *msg)
{
	return resp_errors_add(errs, field, msg) == APP_OK ? APP_EINPUT :
							     APP_ENOMEM;
}

enum app_err
passwd_new_hash(const struct app_config *cfg, const struct pwval *pv,
    const struct db_user *u, const char *new1, const char *new2,
    char hash[PW_HASH_MAX], struct json_object **errs)
{
	struct pw_params p = acct_pw_params(cfg);
	struct pwval_user who = { u->username, u->first_name, u->last_name,
		u->email };
	enum app_err er;

	if (strcmp(new1, new2) != 0)
		return add(errs, "new_password2", PASSWD_MISMATCH);
	if ((er = pwval_validate(pv, new2, strlen(new2), &who,
		 "new_password2", errs)) != APP_OK)
		return er;
	return pw_hash(&p, new2, strlen(new2), hash);
}

enum app_err
passwd_set(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, const struct db_user *u, const char *new1,
    const char *new2, const struct db_revoke *revoke,
    struct json_object **errs)
{
	char hash[PW_HASH_MAX];
	enum app_err er;

	if ((er = passwd_new_hash(cfg, pv, u, new1, new2, hash, errs)) ==
	    APP_OK)
		er = passwd_store(db, u->id, u->password, hash, revoke);
	OPENSSL_cleanse(hash, sizeof(hash));
	return er;
}

enum app_err
passwd_store_in(struct db *db, int64_t id, const char *old,
    const char *hash, const struct db_revoke *revoke)
{
	enum app_err er;

	er = old != NULL ? db_user_replace_password(db, id, old, hash) :
			   db_user_set_password(db, id, hash);
	if (er == APP_OK && revoke != NULL)
		er = db_revoke(db, id, revoke);
	return er;
}

enum app_err
passwd_store(struct db *db, int64_t id, const char *old, const char *hash,
    const struct db_revoke *revoke)
{
	enum app_err er;

	if (revoke != NULL && (er = db_begin(db)) != APP_OK)
		return er;
	er = passwd_store_in(db, id, old, hash, revoke);
	if (revoke == NULL)
		return er;
	if (er == APP_OK)
		er = db_commit(db);
	else
		db_rollback(db);
	return er;
}

void
passwd_reset_revoke(const struct app_config *cfg, struct db_revoke *out)
{
	out->token = true;
	out->refresh = app_config_installed(cfg, JWTM_BLACKLIST_APP);
	out->keep_jti = NULL;
}

const struct db_revoke *
passwd_change_revoke(const struct app_config *cfg, const struct jwt_ctx *jwt,
    const struct auth_result *a, const struct req *r, time_t now,
    struct db_revoke *out, char jti[JWT_JTI_BYTES])
{
	bool logout = cfg->rest_auth.logout_on_password_change;

	memset(out, 0, sizeof(*out));
	if (cfg->rest_auth.password_change_keep_other_credentials) {
		/* dj-rest-auth: nothing, but LOGOUT_ON_PASSWORD_CHANGE's
		 * token. */
		out->token = logout;
		return logout ? out : NULL;
	}
	/* The credential making the request stays, unless it logs out. */
	out->token = logout || a->kind != AUTH_TOKEN;
	out->refresh = app_config_installed(cfg, JWTM_BLACKLIST_APP);
	if (!logout && jwtm_cookie_refresh_jti(cfg, jwt, r, now, jti))
		out->keep_jti = jti;
	return out;
}

/*
 * Copy tpl into out with every {uid} and {token} replaced. APP_EINTERNAL
 * when the result does not fit (the config checks the template).
 */
static enum app_err
fill_link(const char *tpl, const char *uid, const char *token, char *out,
    size_t outsz)
{
	size_t o = 0, n;
	const char *v;

	while (*tpl != '\0') {
		v = NULL;
		if (strncmp(tpl, "{uid}", 5) == 0) {
			v = uid;
			tpl += 5;
		} else if (strncmp(tpl, "{token}", 7) == 0) {
			v = token;
			tpl += 7;
		}
		n = v != NULL ? strlen(v) : 1;
		if (o + n + 1 > outsz)
			return APP_EINTERNAL;
		if (v != NULL)
			memcpy(out + o, v, n);
		else
			out[o] = *tpl++;
		o += n;
	}
	out[o] = '\0';
	return APP_OK;
}

/*
 * What u's reset token hashes, by PASSWORD_RESET_TOKEN_GENERATOR: with
 * allauth's also the user's address rows, read into a (db_addrs_free).
 */
static enum app_err
reset_user(const struct app_config *cfg, struct db *db,
    const struct db_user *u, struct rtok_user *ru, struct db_addrs *a)
{
	enum app_err er;

	memset(ru, 0, sizeof(*ru));
	memset(a, 0, sizeof(*a));
	ru->id = u->id;
	ru->password = u->password;
	ru->last_login = u->last_login;
	ru->email = u->email;
	if (cfg->password_reset_token_generator != APP_RESET_ALLAUTH)
		return APP_OK;
	if ((er = db_user_addresses(db, u->id, a)) != APP_OK)
		return er;
	ru->allauth = true;
	ru->addrs = (const char *const *)a->v;
	ru->naddrs = a->n;
	return APP_OK;
}

/* The uid of u's link: allauth's base36 or Django's base64. */
static enum app_err
reset_uid(const struct app_config *cfg, int64_t id, char *out, size_t outsz)
{
	if (cfg->password_reset_token_generator == APP_RESET_ALLAUTH)
		return rtok_uid36_encode(id, out, outsz);
	return rtok_uid_encode(id, out, outsz);
}

static enum app_err
make_mail(const struct app_config *cfg, struct db *db,
    const struct db_user *u, time_t now, struct mail *m)
{
	char uid[UID_BYTES], token[TOKEN_BYTES], link[LINK_BYTES];
	struct rtok_user ru;
	struct db_addrs a;
	enum app_err er;
	int len;

	memset(m, 0, sizeof(*m));
	memset(token, 0, sizeof(token));
	memset(link, 0, sizeof(link));
	if ((er = reset_user(cfg, db, u, &ru, &a)) != APP_OK ||
	    (er = reset_uid(cfg, u->id, uid, sizeof(uid))) != APP_OK ||
	    (er = rtok_make(cfg->secret_key, &ru, now, token,
		 sizeof(token))) != APP_OK ||
	    (er = fill_link(cfg->password_reset_url, uid, token, link,
		 sizeof(link))) != APP_OK)
		goto out;
	er = APP_ENOMEM;
	if ((m->to = strdup(u->email)) == NULL ||
	    mail_subject(m, cfg->account.email_subject_prefix,
		"Password reset") != APP_OK)
		goto out;
	er = APP_OK;
	len = asprintf(&m->body,
	    "Hello,\n\n"
	    "someone asked to reset the password of the account \"%s\" "
	    "that uses this e-mail address. If it was you, open this link "
	    "to choose a new password:\n\n%s\n\n"
	    "The link works once. If you did not ask for it, ignore this "
	    "message: your password stays as it is.\n",
	    u->username, link);
	if (len < 0) {
		m->body = NULL;
		er = APP_ENOMEM;
	}
out:
	if (er != APP_OK)
		mail_free(m);
	db_addrs_free(&a);
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(link, sizeof(link));
	return er;
}

enum app_err
passwd_reset_queue(const struct app_config *cfg, struct db *db,
    const char *email, time_t now, size_t *queued)
{
	struct db_user users[DB_USERS_BY_EMAIL_MAX];
	struct mail mails[DB_USERS_BY_EMAIL_MAX], decoy_mail;
	char key[OUTBOX_ADDR_KEY_CHARS + 1];
	size_t found = 0, i, k = 0, n;
	enum app_err er;
	bool decoy = false, have_decoy = false;

	if ((er = db_users_by_email_or_decoy(db, email, users, &found,
		 &decoy)) != APP_OK)
		return er;
	if (decoy) {
		/* An unknown address: make the mail a known one gets, so
		 * that both take the same time. */
		have_decoy = make_mail(cfg, db, &users[0], now,
				 &decoy_mail) == APP_OK;
		found = 0;
	}
	for (i = 0; i < found && er == APP_OK; i++) {
		if (!users[i].is_active || !pw_usable(users[i].password))
			continue;
		if ((er = make_mail(cfg, db, &users[i], now, &mails[k])) == APP_OK)
			k++;
	}
	if (er == APP_OK && k == 0 && !have_decoy && found > 0)
		have_decoy = make_mail(cfg, db, &users[0], now,
				 &decoy_mail) == APP_OK;
	OPENSSL_cleanse(users, sizeof(users));
	/*
	 * No mail to send (an unknown address, or only inactive users):
	 * queue a decoy of the same size, which the drainer deletes
	 * unsent. The outbox row, its WAL and its later DELETE were what
	 * still told a known address's reset from an unknown one, in the
	 * time of the request after it. The decoy holds no link.
	 */
	if (er == APP_OK && k == 0 && have_decoy) {
		memset(decoy_mail.body, 'x', strlen(decoy_mail.body));
		/* OUTBOX_DECOY_TO is "": the address goes. */
		_Static_assert(sizeof(OUTBOX_DECOY_TO) == 1, "decoy");
		memset(decoy_mail.to, 0, strlen(decoy_mail.to));
		n = 1;
	} else
		n = k;
	/* Known or not, mail or not: the same one statement. */
	if (er == APP_OK &&
	    (er = outbox_addr_key(cfg->secret_key, email, key)) == APP_OK)
		er = db_reset_queue(db, key, cfg->password_reset_cooldown,
		    cfg->default_from_email, n == k ? mails : &decoy_mail, n,
		    queued);
	while (k > 0)
		mail_free(&mails[--k]);
	if (have_decoy)
		mail_free(&decoy_mail);
	return er;
}

static enum app_err
reset_check(const struct app_config *cfg, struct db *db, const char *uid,
    const char *token, time_t now, struct db_user *u,
    struct json_object **errs)
{
	struct rtok_user ru;
	struct db_addrs a;
	enum app_err er;
	int64_t id;

	/* dj-rest-auth: allauth's url_str_to_user_pk with allauth
	 * installed, else urlsafe_base64_decode. */
	if ((cfg->password_reset_token_generator == APP_RESET_ALLAUTH ?
		rtok_uid36_decode(uid, &id) : rtok_uid_decode(uid, &id)) !=
	    APP_OK)
		return add(errs, "uid", PASSWD_INVALID_VALUE);
	er = db_user_by_id(db, id, u);
	if (er == APP_ENOTFOUND)
		return add(errs, "uid", PASSWD_INVALID_VALUE);
	if (er != APP_OK)
		return er;
	if ((er = reset_user(cfg, db, u, &ru, &a)) != APP_OK)
		return er;
	er = rtok_check(cfg->secret_key, &ru, token, now,
	    cfg->password_reset_timeout);
	db_addrs_free(&a);
	if (er == APP_EINPUT)
		return add(errs, "token", PASSWD_INVALID_VALUE);
	return er;
}

enum app_err
passwd_reset_confirm(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, const char *uid, const char *token,
    const char *new1, const char *new2, time_t now,
    struct json_object **errs)
{
	struct db_revoke rv;
	struct db_user u;
	enum app_err er;

	memset(&u, 0, sizeof(u));
	if ((er = reset_check(cfg, db, uid, token, now, &u, errs)) != APP_OK)
		goto out;
	passwd_reset_revoke(cfg, &rv);
	er = passwd_set(cfg, db, pv, &u, new1, new2, &rv, errs);
	if (er == APP_ENOTFOUND)
		/* Another request used this token first. */
		er = add(errs, "token", PASSWD_INVALID_VALUE);
out:
	OPENSSL_cleanse(&u, sizeof(u));
	return er;
}
