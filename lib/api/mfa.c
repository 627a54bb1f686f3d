/*
 * mfa.c: dj-rest-auth 7.2's MFA views as use cases (lib/api/mfa.h).
 * Storage is dj-rest-auth's own (dj_rest_auth_mfa_authenticator, JSON
 * as Django writes it) plus restauth_mfa_token; the cryptography is
 * lib/mfa/'s. Every refusal is logged as "mfa: EVENT user=ID ..." (no
 * secret, no code), as upstream's audit logger records them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "answer.h"
#include "config.h"
#include "db.h"
#include "grant.h"
#include "log.h"
#include "mfa.h"
#include "mfatok.h"
#include "policy.h"
#include "qr.h"
#include "recovery.h"
#include "req.h"
#include "resp.h"
#include "serve.h"
#include "totp.h"

#define TOKEN_INVALID "Invalid or expired token."
#define CODE_INVALID "Invalid code."
#define DISABLED "User account is disabled."
#define NOT_ENABLED "MFA is not enabled."
#define ALREADY_ENABLED                                                        \
	"MFA is already enabled. Deactivate it before activating again."
#define ACTIVATION_INVALID "Invalid or expired activation token."
#define ACTIVATION_OTHER "Invalid activation token for this user."
#define ACTIVATION_CODE                                                        \
	"Invalid code. Please check your authenticator app and try again."
#define DEACTIVATED "TOTP has been deactivated."

/* The per-account backoff key of a user's codes: never a login
 * identifier (a username has no ':', an address has an '@'). */
#define BACKOFF_IDENT_BYTES 32

bool
mfa_routed(const struct app_config *cfg)
{
	return cfg->rest_auth.mfa_enabled;
}

/* One audit line: event, user, the client's address. */
static void
audit(const struct app_call *c, const char *event, int64_t uid,
    const char *reason)
{
	const char *addr = req_env(c->req, "REMOTE_ADDR");

	log_info("mfa: %s user=%" PRId64 "%s%s addr=%.64s", event, uid,
	    reason != NULL ? " reason=" : "", reason != NULL ? reason : "",
	    addr != NULL ? addr : "-");
}

/* field: [msg] into *errs; APP_EINPUT, or APP_ENOMEM. */
static enum app_err
refuse(struct json_object **errs, const char *field, const char *msg)
{
	return resp_errors_add(errs, field, msg) == APP_OK ? APP_EINPUT
							   : APP_ENOMEM;
}

/* Upstream checks some state before reading the body: its answer wins
 * over the field errors, which are dropped. */
static enum app_err
refuse_state(struct app_call *c, struct json_object **errs, const char *msg)
{
	json_object_put(*errs);
	*errs = NULL;
	resp_detail(c->resp, 400, msg);
	return APP_OK;
}

static void
backoff_ident(char out[BACKOFF_IDENT_BYTES], int64_t uid)
{
	snprintf(out, BACKOFF_IDENT_BYTES, "mfa:%" PRId64, uid);
}

/* The account's backoff for a code: APP_ETHROTTLED answered (429). */
static enum app_err
backoff_begin(struct app_call *c, int64_t uid, struct pol_login *pl)
{
	char ident[BACKOFF_IDENT_BYTES];
	enum app_err er;
	long wait = 0;

	backoff_ident(ident, uid);
	er = pol_login_begin(&c->ctx->cfg, &c->ctx->db, ident, pl, &wait);
	if (er == APP_ETHROTTLED) {
		audit(c, "backoff", uid, NULL);
		pol_throttled(c->resp, wait);
	}
	return er;
}

/* A JSON object of n string keys and values, then key yes (if not
 * NULL) true; Cache-Control: no-store (secrets). */
static enum app_err
answer_obj(struct app_call *c, int status, const char *const *kv, size_t n,
    const char *yes)
{
	struct json_object *o, *v;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < n; i++) {
		v = kv[2 * i + 1] != NULL
		    ? json_object_new_string(kv[2 * i + 1])
		    : NULL;
		if ((kv[2 * i + 1] != NULL && v == NULL) ||
		    json_object_object_add(o, kv[2 * i], v) != 0) {
			json_object_put(v);
			json_object_put(o);
			return APP_ENOMEM;
		}
	}
	if (yes != NULL &&
	    json_object_object_add(o, yes, json_object_new_boolean(1)) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	resp_json(c->resp, status, o);
	resp_header(c->resp, "Cache-Control", "no-store");
	return APP_OK;
}

/* 200 {key: [codes]}. */
static enum app_err
answer_codes(struct app_call *c, const char *key, char codes[][RCODE_CHARS + 1],
    unsigned n)
{
	struct json_object *o, *a;
	unsigned i;

	if ((o = json_object_new_object()) == NULL ||
	    (a = json_object_new_array()) == NULL ||
	    json_object_object_add(o, key, a) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (json_object_array_add(a,
			json_object_new_string(codes[i])) != 0) {
			json_object_put(o);
			return APP_ENOMEM;
		}
	resp_json(c->resp, 200, o);
	resp_header(c->resp, "Cache-Control", "no-store");
	return APP_OK;
}

/* The unused codes of the user's recovery row m (none without one). */
static enum app_err
codes_of(const struct app_config *cfg, const struct db_mfa *m,
    char codes[][RCODE_CHARS + 1], unsigned *n)
{
	enum app_err er;

	*n = 0;
	if (!m->recovery)
		return APP_OK;
	er = rcode_unused(m->seed, strlen(m->seed),
	    (unsigned)cfg->rest_auth.mfa_recovery_code_count, m->used_mask,
	    codes, n);
	/* A seed restauth cannot read (hand-edited): no codes. */
	if (er == APP_EINPUT) {
		log_warnx("mfa: unreadable recovery seed");
		*n = 0;
		er = APP_OK;
	}
	return er;
}

/*
 * Whether code is a TOTP of the base32 secret at a step of at least
 * min_step: *step, and the code's ASCII digits (for last_code).
 * APP_EINPUT when not (an empty secret included).
 */
static enum app_err
code_check(const struct app_config *cfg, const char *secret, int64_t min_step,
    const char *code, int64_t *step, char digits[TOTP_DIGITS_MAX + 1])
{
	size_t n;
	enum app_err er;

	if (secret[0] == '\0')
		return APP_EINPUT;
	er = totp_verify(secret, strlen(secret),
	    (unsigned)cfg->rest_auth.mfa_totp_digits,
	    (unsigned)cfg->rest_auth.mfa_totp_period, app_now(), min_step, code,
	    strlen(code), step);
	if (er == APP_OK)
		er = totp_code_digits(code, strlen(code), digits, &n);
	return er;
}

/*
 * Whether code is a TOTP of m's stored secret at a step after the last
 * accepted one (code_check). APP_EINPUT when not (no row, an unreadable
 * one or a secret signed with another key included).
 */
static enum app_err
totp_check(const struct app_config *cfg, const struct db_mfa *m,
    const char *code, int64_t *step, char digits[TOTP_DIGITS_MAX + 1])
{
	char secret[LIMIT_MFA_SECRET + 1];
	enum app_err er;

	/* No row, or one whose last step is unreadable (db_mfa_get). */
	if (!m->totp || m->last_step == INT64_MAX)
		return APP_EINPUT;
	er = mfatok_secret_unsign(cfg->secret_key, m->secret, strlen(m->secret),
	    secret);
	if (er == APP_EINPUT)
		/* Another SECRET_KEY signed it: upstream's 500. */
		log_warnx("mfa: a stored TOTP secret is not signed with "
			  "SECRET_KEY");
	if (er == APP_OK)
		er = code_check(cfg, secret,
		    m->last_step == INT64_MIN ? INT64_MIN : m->last_step + 1,
		    code, step, digits);
	OPENSSL_cleanse(secret, sizeof(secret));
	return er;
}

/* SHA-256 of a login token, its key in restauth_mfa_token. */
static enum app_err
token_digest(const char *tok, unsigned char digest[DB_MFA_DIGEST_BYTES])
{
	return EVP_Digest(tok, strlen(tok), digest, NULL, EVP_sha256(), NULL) ==
		1
	    ? APP_OK
	    : APP_EINTERNAL;
}

/*
 * A login token for uid that mfa/verify/ has not seen. Its only
 * variable part is the second it was made in, so a second login within
 * the same second would get the token the first one spent: dated a
 * second earlier instead, a few times at most (it then lives that much
 * less).
 */
#define FRESH_TOKEN_TRIES 5
static enum app_err
fresh_token(struct app_ctx *ctx, int64_t uid, char **tok)
{
	unsigned char digest[DB_MFA_DIGEST_BYTES];
	time_t now = app_now();
	bool seen = true;
	enum app_err er;
	int i;

	for (i = 0; i < FRESH_TOKEN_TRIES; i++) {
		if ((er = mfatok_login_make(ctx->cfg.secret_key, uid, now - i,
			 tok)) != APP_OK ||
		    (er = token_digest(*tok, digest)) != APP_OK ||
		    (er = db_mfa_token_seen(&ctx->db, digest, &seen)) !=
			APP_OK ||
		    !seen)
			break;
		free(*tok);
		*tok = NULL;
	}
	if (er == APP_OK && seen)
		er = mfatok_login_make(ctx->cfg.secret_key, uid, now, tok);
	if (er != APP_OK) {
		free(*tok);
		*tok = NULL;
	}
	return er;
}

enum app_err
mfa_login_challenge(struct app_call *c, const struct db_user *user,
    const struct pol_login *pl, bool *challenged)
{
	struct app_ctx *ctx = c->ctx;
	struct db_mfa m;
	char *tok = NULL;
	const char *kv[2];
	enum app_err er;

	*challenged = false;
	if ((er = db_mfa_get(&ctx->db, user->id, false, &m)) != APP_OK ||
	    !m.totp)
		goto out;
	/* The password was right: its failures are forgotten. */
	if ((er = pol_login_succeeded(&ctx->db, pl)) != APP_OK ||
	    (er = fresh_token(ctx, user->id, &tok)) != APP_OK)
		goto out;
	kv[0] = "ephemeral_token";
	kv[1] = tok;
	if ((er = answer_obj(c, 200, kv, 1, "mfa_required")) != APP_OK)
		goto out;
	*challenged = true;
	audit(c, "challenge", user->id, NULL);
out:
	OPENSSL_cleanse(&m, sizeof(m));
	free(tok);
	return er;
}

/* What mfa/verify/ found, for what it writes with the login. */
struct verify {
	int64_t uid;
	unsigned char digest[DB_MFA_DIGEST_BYTES];
	const struct db_mfa *m;
	bool by_totp;
	int64_t step;
	char digits[TOTP_DIGITS_MAX + 1];
	unsigned index; /* the recovery code's */
	const char *lost; /* a race lost: the field refused */
};

/* In the login's transaction: burn the step or the recovery code, and
 * spend the token; a race lost stops the login (APP_EINPUT). */
static enum app_err
verify_first(struct app_call *c, void *arg)
{
	struct verify *v = arg;
	struct db *db = &c->ctx->db;
	struct db_mfa now;
	uint64_t bit = UINT64_C(1) << v->index;
	enum app_err er;

	if (v->by_totp) {
		er = db_mfa_totp_burn(db, v->uid, v->m->secret, v->step,
		    v->digits);
	} else if ((er = db_mfa_get(db, v->uid, true, &now)) == APP_OK) {
		/* The row as locked: the same seed, the code still unused. */
		if (!now.recovery || strcmp(now.seed, v->m->seed) != 0 ||
		    (now.used_mask & bit) != 0)
			er = APP_ENOTFOUND;
		else
			er = db_mfa_recovery_mark(db, v->uid,
			    now.used_mask | bit);
		OPENSSL_cleanse(&now, sizeof(now));
	}
	if (er == APP_ENOTFOUND) {
		v->lost = "code";
		return APP_EINPUT;
	}
	if (er == APP_OK &&
	    (er = db_mfa_token_use(db, v->digest)) == APP_ENOTFOUND) {
		v->lost = "ephemeral_token";
		return APP_EINPUT;
	}
	return er;
}

/* The login token's try: APP_EINPUT when it is refused. */
static enum app_err
verify_token(struct app_call *c, const char *token, struct verify *v)
{
	const struct app_config *cfg = &c->ctx->cfg;
	long max_age = cfg->rest_auth.mfa_ephemeral_token_timeout;
	int64_t issued = 0;
	int attempts = 0;
	bool used = false;
	enum app_err er;

	er = mfatok_login_check(cfg->secret_key, token, strlen(token),
	    app_now(), max_age, &v->uid, &issued);
	if (er != APP_OK)
		return er;
	if ((er = token_digest(token, v->digest)) != APP_OK)
		return er;
	/* The row lives as long as the token can. */
	if ((er = db_mfa_token_hit(&c->ctx->db, v->digest, issued + max_age + 1,
		 &attempts, &used)) != APP_OK)
		return er;
	if (app_one_in_256() &&
	    db_mfa_token_clean(&c->ctx->db, &(long) { 0 }) != APP_OK)
		log_warnx("mfa: cleaning expired login tokens failed");
	if (used || attempts > cfg->rest_auth.mfa_verify_attempts) {
		audit(c, "verify_failed", v->uid,
		    used ? "token_used" : "token_attempts");
		return APP_EINPUT;
	}
	return APP_OK;
}

enum app_err
mfa_verify(struct app_call *c, const char *token, const char *code,
    struct json_object **errs)
{
	struct app_ctx *ctx = c->ctx;
	struct verify v;
	struct db_user user = { 0 };
	struct db_mfa m;
	struct pol_login pl;
	enum app_err er;

	memset(&v, 0, sizeof(v));
	memset(&m, 0, sizeof(m));
	v.m = &m;
	if ((er = verify_token(c, token, &v)) == APP_OK &&
	    (er = db_user_by_id(&ctx->db, v.uid, &user)) == APP_ENOTFOUND) {
		audit(c, "verify_failed", v.uid, "user_deleted");
		er = APP_EINPUT;
	}
	if (er == APP_EINPUT) {
		er = refuse(errs, "ephemeral_token", TOKEN_INVALID);
		goto out;
	}
	if (er != APP_OK)
		goto out;
	if (!user.is_active) {
		audit(c, "verify_failed", v.uid, "user_inactive");
		resp_field_error(c->resp, 400, "detail", DISABLED);
		goto out;
	}
	if ((er = backoff_begin(c, v.uid, &pl)) != APP_OK) {
		if (er == APP_ETHROTTLED)
			er = APP_OK;
		goto out;
	}
	if ((er = db_mfa_get(&ctx->db, v.uid, false, &m)) != APP_OK)
		goto out;
	er = totp_check(&ctx->cfg, &m, code, &v.step, v.digits);
	v.by_totp = er == APP_OK;
	if (er == APP_EINPUT && m.recovery)
		er = rcode_check(m.seed, strlen(m.seed),
		    (unsigned)ctx->cfg.rest_auth.mfa_recovery_code_count,
		    m.used_mask, code, strlen(code), &v.index);
	if (er == APP_OK)
		er = grant_login(c, &pl, &user, verify_first, &v);
	if (er == APP_EINPUT) {
		audit(c, "verify_failed", v.uid,
		    v.lost != NULL ? "race_lost" : "invalid_code");
		er = v.lost != NULL && strcmp(v.lost, "ephemeral_token") == 0
		    ? refuse(errs, "ephemeral_token", TOKEN_INVALID)
		    : refuse(errs, "code", CODE_INVALID);
	} else if (er == APP_OK)
		audit(c, v.by_totp ? "totp_verified" : "recovery_code_used",
		    v.uid, NULL);
out:
	OPENSSL_cleanse(&v, sizeof(v));
	OPENSSL_cleanse(&m, sizeof(m));
	OPENSSL_cleanse(&user, sizeof(user));
	return er;
}

/* The QR code of uri, or "" (upstream's answer without a QR library)
 * for one too long to draw. */
static enum app_err
qr_or_none(const char *uri, char **qr)
{
	enum app_err er;

	if ((er = qr_svg_data_uri(uri, qr)) == APP_EINPUT &&
	    (*qr = strdup("")) == NULL)
		er = APP_ENOMEM;
	else if (er == APP_EINPUT)
		er = APP_OK;
	return er;
}

enum app_err
mfa_activate_begin(struct app_call *c)
{
	const struct app_config *cfg = &c->ctx->cfg;
	const struct db_user *u = &c->auth.user;
	char secret[TOTP_SECRET_CHARS + 1];
	char *uri = NULL, *qr = NULL, *tok = NULL;
	const char *kv[8];
	enum app_err er;

	/* str(user) is the username when there is no address. */
	if ((er = totp_secret_new(secret)) != APP_OK ||
	    (er = totp_uri(secret, u->email[0] != '\0' ? u->email : u->username,
		 cfg->rest_auth.mfa_totp_issuer,
		 (unsigned)cfg->rest_auth.mfa_totp_digits,
		 (unsigned)cfg->rest_auth.mfa_totp_period, &uri)) != APP_OK ||
	    (er = qr_or_none(uri, &qr)) != APP_OK ||
	    (er = mfatok_activation_make(cfg->secret_key, u->id, secret,
		 app_now(), &tok)) != APP_OK)
		goto out;
	kv[0] = "secret";
	kv[1] = secret;
	kv[2] = "totp_url";
	kv[3] = uri;
	kv[4] = "qr_code_data_uri";
	kv[5] = qr;
	kv[6] = "activation_token";
	kv[7] = tok;
	er = answer_obj(c, 200, kv, 4, NULL);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	free(uri);
	free(qr);
	free(tok);
	return er;
}

/* Store the confirmed secret with its step, and new recovery codes, in
 * one transaction; APP_ECONFLICT when another request enrolled first. */
static enum app_err
activate_store(struct app_ctx *ctx, int64_t uid, const char *secret,
    int64_t step, const char *digits, char seed[RCODE_SEED_HEX + 1])
{
	char *stored = NULL;
	enum app_err er;

	if ((er = mfatok_secret_sign(ctx->cfg.secret_key, secret, &stored)) !=
		APP_OK ||
	    (er = rcode_seed_new(seed)) != APP_OK ||
	    (er = db_begin(&ctx->db)) != APP_OK)
		goto out;
	if ((er = db_mfa_totp_insert(&ctx->db, uid, stored, digits, step)) ==
		APP_OK &&
	    (er = db_mfa_recovery_reset(&ctx->db, uid, seed, false)) == APP_OK)
		er = db_commit(&ctx->db);
	db_rollback(&ctx->db);
out:
	free(stored);
	return er;
}

enum app_err
mfa_activate_confirm(struct app_call *c, bool fields_ok, const char *token,
    const char *code, struct json_object **errs)
{
	struct app_ctx *ctx = c->ctx;
	int64_t uid = c->auth.user.id, tuid = -1, step = 0;
	char secret[LIMIT_MFA_SECRET + 1] = "", digits[TOTP_DIGITS_MAX + 1];
	char seed[RCODE_SEED_HEX + 1] = "";
	char codes[LIMIT_MFA_RECOVERY_CODES][RCODE_CHARS + 1];
	unsigned n = 0;
	struct db_mfa m;
	enum app_err er;

	if ((er = db_mfa_get(&ctx->db, uid, false, &m)) != APP_OK)
		goto out;
	if (m.totp) {
		audit(c, "activation_failed", uid, "already_enabled");
		er = refuse_state(c, errs, ALREADY_ENABLED);
		goto out;
	}
	if (!fields_ok) {
		er = APP_EINPUT;
		goto out;
	}
	er = mfatok_activation_check(ctx->cfg.secret_key, token, strlen(token),
	    app_now(), ctx->cfg.rest_auth.mfa_ephemeral_token_timeout, &tuid,
	    secret);
	if (er == APP_EINPUT || (er == APP_OK && tuid != uid)) {
		audit(c, "activation_failed", uid,
		    er == APP_OK ? "token_user_mismatch" : "invalid_token");
		er = refuse(errs, "activation_token",
		    er == APP_OK ? ACTIVATION_OTHER : ACTIVATION_INVALID);
		goto out;
	}
	if (er != APP_OK)
		goto out;
	if ((er = code_check(&ctx->cfg, secret, INT64_MIN, code, &step,
		 digits)) == APP_EINPUT) {
		audit(c, "activation_failed", uid, "invalid_code");
		er = refuse(errs, "code", ACTIVATION_CODE);
		goto out;
	}
	if (er != APP_OK)
		goto out;
	er = activate_store(ctx, uid, secret, step, digits, seed);
	if (er == APP_ECONFLICT) {
		audit(c, "activation_failed", uid, "already_enabled");
		er = refuse_state(c, errs, ALREADY_ENABLED);
		goto out;
	}
	if (er == APP_OK &&
	    (er = rcode_unused(seed, strlen(seed),
		 (unsigned)ctx->cfg.rest_auth.mfa_recovery_code_count, 0, codes,
		 &n)) == APP_OK &&
	    (er = answer_codes(c, "recovery_codes", codes, n)) == APP_OK)
		audit(c, "activated", uid, NULL);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(codes, sizeof(codes));
	OPENSSL_cleanse(&m, sizeof(m));
	return er;
}

enum app_err
mfa_deactivate(struct app_call *c, bool fields_ok, const char *code,
    struct json_object **errs)
{
	struct app_ctx *ctx = c->ctx;
	int64_t uid = c->auth.user.id, step = 0;
	char digits[TOTP_DIGITS_MAX + 1];
	struct pol_login pl;
	struct db_mfa m;
	enum app_err er;

	if ((er = db_mfa_get(&ctx->db, uid, false, &m)) != APP_OK)
		goto out;
	if (!m.totp) {
		audit(c, "deactivation_failed", uid, "not_enabled");
		er = refuse_state(c, errs, NOT_ENABLED);
		goto out;
	}
	if (!fields_ok) {
		er = APP_EINPUT;
		goto out;
	}
	if ((er = backoff_begin(c, uid, &pl)) != APP_OK) {
		if (er == APP_ETHROTTLED)
			er = APP_OK;
		goto out;
	}
	/* TOTP only, as upstream: a recovery code does not remove it. */
	if ((er = totp_check(&ctx->cfg, &m, code, &step, digits)) == APP_OK &&
	    (er = db_begin(&ctx->db)) == APP_OK) {
		if ((er = db_mfa_totp_burn(&ctx->db, uid, m.secret, step,
			 digits)) == APP_ENOTFOUND)
			er = APP_EINPUT;
		if (er == APP_OK &&
		    (er = db_mfa_delete(&ctx->db, uid)) == APP_OK &&
		    (er = pol_login_succeeded(&ctx->db, &pl)) == APP_OK)
			er = db_commit(&ctx->db);
		db_rollback(&ctx->db);
	}
	if (er == APP_EINPUT) {
		audit(c, "deactivation_failed", uid, "invalid_code");
		er = refuse(errs, "code", CODE_INVALID);
	} else if (er == APP_OK) {
		audit(c, "deactivated", uid, NULL);
		resp_detail(c->resp, 200, DEACTIVATED);
	}
out:
	OPENSSL_cleanse(&m, sizeof(m));
	return er;
}

/* DRF's DateTimeField of seconds s and microseconds us. */
static struct json_object *
json_time(int64_t s, long us)
{
	char buf[APP_DATE_BYTES];

	app_isoformat(buf, (time_t)s, us);
	return json_object_new_string(buf);
}

enum app_err
mfa_status(struct app_call *c)
{
	struct db_mfa m;
	struct json_object *o;
	enum app_err er;

	if ((er = db_mfa_get(&c->ctx->db, c->auth.user.id, false, &m)) !=
	    APP_OK)
		goto out;
	er = APP_ENOMEM;
	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "mfa_enabled",
		json_object_new_boolean(m.totp)) != 0 ||
	    json_object_object_add(o, "created_at",
		m.totp ? json_time(m.created_s, m.created_us) : NULL) != 0 ||
	    json_object_object_add(o, "last_used_at",
		m.totp && m.used_s >= 0 ? json_time(m.used_s, m.used_us)
					: NULL) != 0) {
		json_object_put(o);
		goto out;
	}
	resp_json(c->resp, 200, o);
	er = APP_OK;
out:
	OPENSSL_cleanse(&m, sizeof(m));
	return er;
}

/*
 * MFA_REQUIRE_REAUTH (SPEC-mfa 4.1 M10): a current TOTP code in the
 * body's "code", its step burned and counted in the account's backoff,
 * before recovery codes are shown or replaced. Off, or without TOTP:
 * nothing asked. APP_OK with *answered: the answer is made (a bad body,
 * 429); APP_EINPUT: *errs.
 */
static enum app_err
reauth(struct app_call *c, const struct db_mfa *m, struct json_object **errs,
    bool *answered)
{
	struct app_ctx *ctx = c->ctx;
	char code[LIMIT_MFA_CODE * 4 + 1], digits[TOTP_DIGITS_MAX + 1];
	struct req_field f = { "code", REQ_F_REQUIRED, LIMIT_MFA_CODE, code,
		sizeof(code), false };
	struct pol_login pl;
	int64_t step = 0;
	enum app_err er;

	*answered = false;
	if (!ctx->cfg.rest_auth.mfa_require_reauth || !m->totp)
		return APP_OK;
	if (app_body(c) != APP_OK) {
		*answered = true;
		return APP_OK;
	}
	if ((er = req_fields(c->req, &f, 1, errs)) != APP_OK)
		goto out;
	if ((er = backoff_begin(c, c->auth.user.id, &pl)) != APP_OK) {
		*answered = er == APP_ETHROTTLED;
		er = *answered ? APP_OK : er;
		goto out;
	}
	if ((er = totp_check(&ctx->cfg, m, code, &step, digits)) == APP_OK &&
	    (er = db_mfa_totp_burn(&ctx->db, c->auth.user.id, m->secret, step,
		 digits)) == APP_ENOTFOUND)
		er = APP_EINPUT;
	if (er == APP_OK)
		er = pol_login_succeeded(&ctx->db, &pl);
	else if (er == APP_EINPUT) {
		audit(c, "reauth_failed", c->auth.user.id, "invalid_code");
		er = refuse(errs, "code", CODE_INVALID);
	}
out:
	OPENSSL_cleanse(code, sizeof(code));
	return er;
}

enum app_err
mfa_recovery_codes(struct app_call *c, struct json_object **errs)
{
	char codes[LIMIT_MFA_RECOVERY_CODES][RCODE_CHARS + 1];
	unsigned n = 0;
	struct db_mfa m;
	bool answered = false;
	enum app_err er;

	if ((er = db_mfa_get(&c->ctx->db, c->auth.user.id, false, &m)) ==
		APP_OK &&
	    (er = reauth(c, &m, errs, &answered)) == APP_OK && !answered &&
	    (er = codes_of(&c->ctx->cfg, &m, codes, &n)) == APP_OK)
		er = answer_codes(c, "codes", codes, n);
	OPENSSL_cleanse(codes, sizeof(codes));
	OPENSSL_cleanse(&m, sizeof(m));
	return er;
}

enum app_err
mfa_recovery_regenerate(struct app_call *c, struct json_object **errs)
{
	const struct app_config *cfg = &c->ctx->cfg;
	int64_t uid = c->auth.user.id;
	char codes[LIMIT_MFA_RECOVERY_CODES][RCODE_CHARS + 1];
	char seed[RCODE_SEED_HEX + 1];
	unsigned n = 0;
	struct db_mfa m;
	bool answered = false;
	enum app_err er;

	memset(&m, 0, sizeof(m));
	if (cfg->rest_auth.mfa_require_reauth &&
	    ((er = db_mfa_get(&c->ctx->db, uid, false, &m)) != APP_OK ||
		(er = reauth(c, &m, errs, &answered)) != APP_OK || answered))
		goto out;
	if ((er = rcode_seed_new(seed)) != APP_OK)
		goto out;
	er = db_mfa_recovery_reset(&c->ctx->db, uid, seed, true);
	if (er == APP_ENOTFOUND) {
		resp_detail(c->resp, 400, NOT_ENABLED);
		er = APP_OK;
		goto out;
	}
	if (er == APP_OK &&
	    (er = rcode_unused(seed, strlen(seed),
		 (unsigned)cfg->rest_auth.mfa_recovery_code_count, 0, codes,
		 &n)) == APP_OK &&
	    (er = answer_codes(c, "codes", codes, n)) == APP_OK)
		audit(c, "recovery_codes_regenerated", uid, NULL);
out:
	OPENSSL_cleanse(&m, sizeof(m));
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(codes, sizeof(codes));
	return er;
}
