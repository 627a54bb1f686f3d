/*
 * config.h: the JSON settings file of SPEC section 3, parsed once at start,
 * type-checked and defaulted. Keys are Django's setting names; each member
 * here is that name lower-cased, inside one struct per settings block. The
 * defaults are those of dj-rest-auth 7.1.1, djangorestframework-simplejwt,
 * django-allauth and Django's global_settings.
 *
 * Lists come as a pointer plus a <name>_len count. Every string and array
 * is owned by the struct and freed by app_config_free().
 */
#ifndef RESTAUTH_CONFIG_H
#define RESTAUTH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "pw.h"

#ifndef RESTAUTH_DEFAULT_CONFIG
#define RESTAUTH_DEFAULT_CONFIG "/usr/local/etc/restauth.json"
#endif

/* A big enough err buffer for app_config_load (the line is cut to fit). */
#define APP_CONFIG_ERRSZ 512

/* allauth ACCOUNT_AUTHENTICATION_METHOD */
enum account_authentication_method {
	ACCOUNT_AUTH_USERNAME,
	ACCOUNT_AUTH_EMAIL,
	ACCOUNT_AUTH_USERNAME_EMAIL,
	ACCOUNT_AUTH__MAX
};

/* allauth ACCOUNT_EMAIL_VERIFICATION */
/* EMAIL_OUTBOX_DRAIN: who sends what the programs add to the outbox. */
enum app_outbox_drain {
	APP_OUTBOX_SPAWN,  /* "spawn": a program starts `restauth mail-worker
			      --drain` after its answer */
	APP_OUTBOX_WORKER, /* "worker": a `restauth mail-worker` daemon */
};

/*
 * PASSWORD_RESET_TOKEN_GENERATOR: which side's reset links restauth
 * mails and accepts (dj-rest-auth picks by INSTALLED_APPS).
 */
enum app_reset_generator {
	APP_RESET_ALLAUTH, /* "allauth": base36 uid, allauth's
			      EmailAwarePasswordResetTokenGenerator */
	APP_RESET_DJANGO,  /* "django": base64 uid, Django's
			      PasswordResetTokenGenerator */
};

enum account_email_verification {
	ACCOUNT_EMAIL_VERIFICATION_NONE,
	ACCOUNT_EMAIL_VERIFICATION_OPTIONAL,
	ACCOUNT_EMAIL_VERIFICATION_MANDATORY,
	ACCOUNT_EMAIL_VERIFICATION__MAX
};

/* The four validators of django.contrib.auth.password_validation. */
enum app_validator_kind {
	APP_VALIDATOR_MIN_LENGTH, /* MinimumLengthValidator */
	APP_VALIDATOR_COMMON, /* CommonPasswordValidator */
	APP_VALIDATOR_NUMERIC, /* NumericPasswordValidator */
	APP_VALIDATOR_SIMILARITY, /* UserAttributeSimilarityValidator */
	APP_VALIDATOR__MAX
};

/* One AUTH_PASSWORD_VALIDATORS entry; only its kind's options are set. */
struct app_validator {
	enum app_validator_kind kind;
	int min_length; /* MIN_LENGTH: default 8 */
	char **user_attributes; /* SIMILARITY: subset of username, */
	size_t user_attributes_len; /* first_name, last_name, email */
	double max_similarity; /* SIMILARITY: >= 0.1, default 0.7 */
	char *password_list_path; /* COMMON: NULL = the built-in list */
};

/* One DEFAULT_THROTTLE_RATES entry: "num/period", or null (no limit). */
struct app_throttle_rate {
	char *scope;
	bool disabled; /* JSON null: DRF lets every request pass */
	long num; /* requests allowed per period (>= 0) */
	long period_seconds; /* 1, 60, 3600 or 86400 */
};

/*
 * One cookie's settings, as Django's HttpResponse.set_cookie takes them:
 * the session cookie, the CSRF cookie and dj-rest-auth's two JWT
 * cookies, filled once by app_config_load; resp_cookie writes them.
 */
struct app_cookie {
	char *name;	/* NULL: the cookie is off (the JWT ones) */
	long age;	/* Max-Age, seconds; < 0: no Expires nor Max-Age */
	bool secure;
	bool httponly;
	char *samesite; /* Lax/Strict/None as written; NULL: omit */
	char *domain;	/* NULL: host-only */
	char *path;	/* NULL: "/" */
};

struct app_config {
	struct {
		bool use_jwt;
		char *token_model; /* NULL: opaque tokens off */
		bool session_login;
		bool old_password_field_enabled;
		bool logout_on_password_change;
		bool password_change_keep_other_credentials;
		/* JWT_AUTH_COOKIE (name NULL: no access cookie), path "/",
		 * with JWT_AUTH_SECURE, _HTTPONLY, _SAMESITE and
		 * _COOKIE_DOMAIN; age: ACCESS_TOKEN_LIFETIME. */
		struct app_cookie jwt_access;
		/* JWT_AUTH_REFRESH_COOKIE (NULL: none) and its _PATH; the
		 * other attributes are jwt_access's (borrowed); age:
		 * REFRESH_TOKEN_LIFETIME. */
		struct app_cookie jwt_refresh;
		bool jwt_auth_return_expiration;
		bool jwt_auth_cookie_use_csrf;
		bool jwt_auth_cookie_enforce_csrf_on_unauthenticated;
		/* dj-rest-auth 7.2's MFA (lib/api/mfa.c); off: no mfa/
		 * routes, the 7.1.1 login. */
		bool mfa_enabled;
		long mfa_ephemeral_token_timeout; /* seconds, both tokens */
		int mfa_totp_digits;
		int mfa_totp_period; /* seconds */
		char *mfa_totp_issuer; /* "": none */
		int mfa_recovery_code_count;
		int mfa_verify_attempts; /* restauth's: tries per login token */
		/* restauth's: recovery codes shown or replaced only with a
		 * current TOTP code */
		bool mfa_require_reauth;
	} rest_auth;

	struct {
		long access_token_lifetime; /* seconds */
		long refresh_token_lifetime; /* seconds */
		bool rotate_refresh_tokens;
		bool blacklist_after_rotation;
		bool update_last_login;
		char *algorithm; /* "HS256" ... "ES512", never "none" */
		char *signing_key; /* HS*: secret; RS*, ES*: PEM private key */
		char *verifying_key; /* RS*, ES*: PEM public key; HS*: unused */
		char *audience; /* NULL: no aud claim */
		char *issuer; /* NULL: no iss claim */
		long leeway; /* seconds */
		char **auth_header_types;
		size_t auth_header_types_len; /* >= 1 */
		char *user_id_field; /* "id" or "username" */
		char *user_id_claim;
		char *token_type_claim;
		char *jti_claim;
		/* Accepted so a copied settings.py loads; nothing uses them. */
		char *sliding_token_refresh_exp_claim;
		long sliding_token_lifetime;
		long sliding_token_refresh_lifetime;
	} simple_jwt;

	struct {
		char **default_throttle_classes; /* DRF dotted names */
		size_t default_throttle_classes_len;
		struct app_throttle_rate *default_throttle_rates;
		size_t default_throttle_rates_len;
		int num_proxies; /* -1: null (DRF's default) */
	} rest_framework;

	struct {
		enum account_authentication_method authentication_method;
		bool email_required;
		enum account_email_verification email_verification;
		bool unique_email;
		bool logout_on_get;
		int username_min_length;
		bool username_required;
		char **username_blacklist;
		size_t username_blacklist_len;
		bool preserve_username_casing;
		int email_confirmation_expire_days;
		int email_confirmation_cooldown; /* seconds */
		bool email_confirmation_hmac;
		bool confirm_email_on_get;
		bool login_on_email_confirmation;
		char *email_subject_prefix; /* NULL: none */
	} account;

	struct app_validator *auth_password_validators;
	size_t auth_password_validators_len;

	char **installed_apps; /* Django's INSTALLED_APPS, as given */
	size_t installed_apps_len;

	/* Django's host patterns: "name", ".domain" (and subdomains), "*". */
	char **allowed_hosts;
	size_t allowed_hosts_len;
	bool allowed_hosts_given; /* false: the key was absent (default) */

	char **cors_allowed_origins; /* "scheme://host[:port]" */
	size_t cors_allowed_origins_len;
	bool cors_allow_credentials;

	bool secure_ssl_redirect;
	/* Django's META name and value, e.g. HTTP_X_FORWARDED_PROTO, https;
	 * both NULL when the setting is null. */
	char *secure_proxy_ssl_header[2];
	long secure_hsts_seconds;
	bool secure_hsts_include_subdomains;
	bool secure_hsts_preload;

	struct app_cookie session_cookie; /* SESSION_COOKIE_* */
	struct app_cookie csrf_cookie;	  /* CSRF_COOKIE_* */
	char *csrf_header_name; /* META name: HTTP_X_CSRFTOKEN */
	char **csrf_trusted_origins;
	size_t csrf_trusted_origins_len;

	long password_reset_timeout; /* seconds */
	long password_reset_cooldown; /* seconds per address; 0: off */
	enum app_reset_generator password_reset_token_generator;
	enum app_outbox_drain email_outbox_drain;
	char *default_from_email;
	char **email_sendmail; /* argv, NULL-terminated; [0] absolute */
	size_t email_sendmail_len; /* >= 1, without the NULL */
	char *password_reset_url; /* has {uid} and {token} */
	char *email_confirm_url; /* has {key} */

	bool debug; /* Django's DEBUG: a weak SECRET_KEY only warns */
	char *secret_key; /* non-empty; strong unless debug */
	char *database_url; /* non-empty; libpq URI or key=value */
	/* Django's PASSWORD_HASHERS: dotted class paths as given, each one
	 * once, and the same as pw_ algorithms; [0] hashes new passwords. */
	char **password_hashers;
	size_t password_hashers_len; /* 1..PW_HASHERS_MAX */
	enum pw_algo password_hashers_algo[PW_HASHERS_MAX];
	struct {
		uint32_t time_cost; /* argon2 t: 1..64 */
		uint32_t memory_cost; /* KiB: 8 * parallelism..4194304 */
		uint32_t parallelism; /* 1..16 */
		uint32_t hash_len; /* argon2 tag bytes: 16..32 */
		uint32_t pbkdf2_iterations; /* 1000..10000000 */
		uint32_t bcrypt_rounds; /* 4..16 */
		uint32_t scrypt_work_factor; /* N: a power of two */
		uint32_t scrypt_block_size; /* r; N * r * p <= 2^22 */
		uint32_t scrypt_parallelism; /* p: 1..16 */
	} password_hasher;
	size_t max_body_bytes; /* 1024..LIMIT_BODY_MAX */
	/* Failed logins of one identifier before backoff (0: no backoff),
	 * and the longest wait in backoff, seconds (1..86400). */
	int login_failure_limit;
	int login_failure_backoff_max;
};

/*
 * Zero cfg, then load the file at path (NULL or "": built-in defaults
 * only) and apply the environment: a non-empty SECRET_KEY or DATABASE_URL
 * wins over the file. Both are required in the end.
 * Returns APP_OK, APP_EINPUT (bad file or value) or APP_ENOMEM. On
 * failure cfg is freed and zeroed, and err (size errsz) holds one line
 * without a newline naming the file or the key, e.g.
 *   config: REST_AUTH.USE_JWT: expected true or false
 *   config: unknown key ACCOUNT.FOO
 * Secrets never appear in err. The caller frees cfg with app_config_free.
 */
enum app_err app_config_load(const char *path, struct app_config *cfg,
    char *err, size_t errsz) APP_WUR;

/*
 * Free everything cfg owns and zero it; SECRET_KEY, SIGNING_KEY and
 * DATABASE_URL are wiped first. Takes NULL, a zeroed struct or one that
 * app_config_load left half-filled.
 */
void app_config_free(struct app_config *cfg);

/*
 * Whether INSTALLED_APPS names app: restauth follows the optional Django
 * apps it emulates (rest_framework_simplejwt.token_blacklist).
 */
bool app_config_installed(const struct app_config *cfg, const char *app);

/*
 * Django's security.W009 rule for a secret: at least APP_SECRET_MIN_CHARS
 * characters (code points), APP_SECRET_MIN_DISTINCT distinct ones, and not
 * the "django-insecure-" key startproject writes. NULL when key passes,
 * else what is wrong with it (never the key itself). app_config_load
 * refuses such a SECRET_KEY, or an HS* SIMPLE_JWT.SIGNING_KEY, unless
 * DEBUG is true: a short key is recovered offline from one JWT.
 */
#define APP_SECRET_MIN_CHARS 50
#define APP_SECRET_MIN_DISTINCT 5
#define APP_SECRET_INSECURE_PREFIX "django-insecure-"
const char *app_secret_weakness(const char *key);

/*
 * The config file the programs read: $RESTAUTH_CONFIG if set and
 * non-empty, else RESTAUTH_DEFAULT_CONFIG. Never NULL; not to be freed.
 */
const char *app_config_path(void);

#endif
