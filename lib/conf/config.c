/*
 * config.c: SPEC section 3. Every accepted key is one row of a table
 * (name, type, where it goes, default as JSON text, bounds); the file and
 * the defaults go through the same setter, so a default can never skip a
 * check. Then a few rules that tie keys together (allauth's asserts,
 * argon2's m >= 8p, simplejwt's asymmetric keys).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "config.h"
#include "bounds.h"
#include "log.h"
#include "pemkey.h"

/* Longest dotted key name we print, and longest echo of a file value. */
#define CFG_PATH_MAX 256
#define CFG_ECHO_MAX 80
/* "Did you mean": a known key within this many edits (or differing only
 * in case); names longer than CFG_KEY_MAX (the longest key is 46) are no
 * typo of ours. */
#define CFG_SUGGEST_DIST 2
#define CFG_KEY_MAX 64

_Static_assert(sizeof(enum account_authentication_method) == sizeof(int),
    "K_ENUM stores an int");
_Static_assert(sizeof(enum account_email_verification) == sizeof(int),
    "K_ENUM stores an int");
_Static_assert(sizeof(enum app_outbox_drain) == sizeof(int),
    "K_ENUM stores an int");
_Static_assert(sizeof(enum app_reset_generator) == sizeof(int),
    "K_ENUM stores an int");

enum ktype {
	K_BOOL,
	K_INT, /* int */
	K_LONG, /* long */
	K_U32, /* uint32_t */
	K_SIZE, /* size_t */
	K_DOUBLE, /* double; an integer is fine too */
	K_STR, /* char * */
	K_LIST, /* char ** (NULL-terminated) and size_t at lenoff */
	K_ENUM, /* an int-sized enum: index into names */
	K_SAMESITE, /* char *: Lax, Strict, None; false or null: NULL */
	K_FIXED, /* no storage: only the default is accepted */
	K_REFUSED, /* no storage: every value is refused */
	K_BLOCK, /* a nested object, described by sub */
	K_VALIDATORS, /* AUTH_PASSWORD_VALIDATORS */
	K_RATES, /* DEFAULT_THROTTLE_RATES */
	K_ARGV, /* EMAIL_SENDMAIL: char ** and size_t at lenoff */
	K_PAIR, /* SECURE_PROXY_SSL_HEADER: char *[2] */
};

#define F_NULL 0x1 /* null allowed: NULL string, -1 integer */
#define F_STR1 0x2 /* a string stands for a one-element list */
#define F_SECRET 0x4 /* OPENSSL_cleanse before free */

/* A check on a string value: NULL if fine, else what is wrong. */
typedef const char *(*str_check)(const char *);

struct key {
	const char *name;
	enum ktype type;
	unsigned flags;
	size_t off; /* in struct app_config or app_validator */
	size_t lenoff; /* K_LIST, K_ARGV: the count */
	const char *dflt; /* JSON text; NULL: none (left zero) */
	long min, max; /* integers; K_LIST: fewest elements */
	double dmin; /* K_DOUBLE */
	const char *const *names; /* K_ENUM */
	const struct key *sub; /* K_BLOCK */
	str_check check; /* K_STR, K_LIST: each element */
	const char *why; /* K_FIXED, K_REFUSED */
};

#define C(m) offsetof(struct app_config, m)
#define V(m) offsetof(struct app_validator, m)
#define KBOOL(n, o, d)                                                         \
	{                                                                      \
		.name = n, .type = K_BOOL, .off = o, .dflt = d                 \
	}
#define KNUM(n, t, f, o, d, lo, hi)                                            \
	{                                                                      \
		.name = n, .type = t, .flags = f, .off = o, .dflt = d,         \
		.min = lo, .max = hi                                           \
	}
#define KSTR(n, f, o, d, ck)                                                   \
	{                                                                      \
		.name = n, .type = K_STR, .flags = f, .off = o, .dflt = d,     \
		.check = ck                                                    \
	}
#define KLIST(n, f, o, lo, d, least, ck)                                       \
	{                                                                      \
		.name = n, .type = K_LIST, .flags = f, .off = o, .lenoff = lo, \
		.dflt = d, .min = least, .check = ck                           \
	}
#define KENUM(n, o, d, nm)                                                     \
	{                                                                      \
		.name = n, .type = K_ENUM, .off = o, .dflt = d, .names = nm    \
	}
#define KSAME(n, o, d)                                                         \
	{                                                                      \
		.name = n, .type = K_SAMESITE, .off = o, .dflt = d             \
	}
#define KFIXED(n, d, w)                                                        \
	{                                                                      \
		.name = n, .type = K_FIXED, .dflt = d, .why = w                \
	}
#define KREFUSED(n, w)                                                         \
	{                                                                      \
		.name = n, .type = K_REFUSED, .why = w                         \
	}
#define KBLOCK(n, s)                                                           \
	{                                                                      \
		.name = n, .type = K_BLOCK, .dflt = "{}", .sub = s             \
	}
#define KSPECIAL(n, t, o, lo, d)                                               \
	{                                                                      \
		.name = n, .type = t, .off = o, .lenoff = lo, .dflt = d        \
	}
#define KEND                                                                   \
	{                                                                      \
		.name = NULL                                                   \
	}

/* Upper bound for lifetimes and ages: ten years, far from overflow. */
#define SECONDS_MAX (3650L * 86400)

#define PYCLASS "restauth cannot load Python classes"

struct ctx {
	const char *file; /* the config file, NULL for defaults only */
	char *err;
	size_t errsz;
	char path[CFG_PATH_MAX];
	size_t plen;
};

/* --- messages ----------------------------------------------------- */

static enum app_err
failv(struct ctx *c, bool withpath, const char *fmt, va_list ap)
{
	int n;

	if (c->err == NULL || c->errsz == 0)
		return APP_EINPUT;
	if (withpath)
		n = snprintf(c->err, c->errsz, "config: %s: ", c->path);
	else
		n = snprintf(c->err, c->errsz, "config: ");
	if (n >= 0 && (size_t)n < c->errsz)
		vsnprintf(c->err + n, c->errsz - n, fmt, ap);
	return APP_EINPUT;
}

/* "config: <msg>" */
static enum app_err failf(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum app_err
failf(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	failv(c, false, fmt, ap);
	va_end(ap);
	return APP_EINPUT;
}

/* "config: <current key>: <msg>" */
static enum app_err bad(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum app_err
bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	failv(c, true, fmt, ap);
	va_end(ap);
	return APP_EINPUT;
}

static enum app_err
nomem(struct ctx *c)
{
	failf(c, "out of memory");
	return APP_ENOMEM;
}

/* Append ".name" (escaped: it may come from the file); returns the old
 * length for path_pop. */
static size_t
path_key(struct ctx *c, const char *name)
{
	char esc[CFG_PATH_MAX];
	size_t old = c->plen;
	int n;

	log_escape(esc, sizeof(esc), name, strlen(name));
	n = snprintf(c->path + old, sizeof(c->path) - old, "%s%s",
	    old == 0 ? "" : ".", esc);
	if (n > 0)
		c->plen = strlen(c->path);
	return old;
}

static size_t
path_idx(struct ctx *c, size_t i)
{
	size_t old = c->plen;

	snprintf(c->path + old, sizeof(c->path) - old, "[%zu]", i);
	c->plen = strlen(c->path);
	return old;
}

static void
path_pop(struct ctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* --- string checks -------------------------------------------------- */

static bool
has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* RFC 7230 tchar, which is also RFC 6265's cookie-name token. */
static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (strchr("!#$%&'*+-.^_`|~", *s) == NULL &&
		    !((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
			(*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

/* RFC 3986 scheme followed by "://"; returns what follows, or NULL. */
static const char *
skip_scheme(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return NULL;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0)
		return NULL;
	return p + 3;
}

static const char *
ck_nonempty(const char *s)
{
	return *s == '\0' ? "must not be empty" : NULL;
}

static const char *
ck_text(const char *s)
{
	return has_ctl(s) ? "must not contain control characters" : NULL;
}

static const char *
ck_line(const char *s)
{
	if (*s == '\0')
		return "must not be empty";
	return ck_text(s);
}

static const char *
ck_cookie_name(const char *s)
{
	return is_token(s)
	    ? NULL
	    : "must be a cookie name (RFC 6265 token characters)";
}

/* The issuer of the otpauth:// URI: printable, bounded. */
static const char *
ck_mfa_issuer(const char *s)
{
	_Static_assert(LIMIT_MFA_LABEL == 1024, "the message below");
	if (strlen(s) > LIMIT_MFA_LABEL)
		return "must be at most 1024 bytes";
	return ck_text(s);
}

static const char *
ck_cookie_path(const char *s)
{
	if (*s != '/' || has_ctl(s) || strchr(s, ';') != NULL)
		return "must start with / and hold no ; or control characters";
	return NULL;
}

static const char *
ck_cookie_domain(const char *s)
{
	if (*s == '\0' || has_ctl(s) || strpbrk(s, "; ,") != NULL)
		return "must be a domain name (no ;, comma or spaces)";
	return NULL;
}

static const char *
ck_from_email(const char *s)
{
	if (*s == '\0' || has_ctl(s) || strchr(s, '@') == NULL)
		return "must be an address like \"Name <a@example.com>\"";
	return NULL;
}

static const char *
ck_header_type(const char *s)
{
	return is_token(s) ? NULL : "must be one word, like \"Bearer\"";
}

static const char *
ck_meta_name(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			*p == '_'))
			break;
	if (*s == '\0' || *p != '\0')
		return "must be a request.META name like \"HTTP_X_CSRFTOKEN\"";
	return NULL;
}

/* django-cors-headers checks.E013/E014: scheme and netloc, nothing more. */
static const char *
ck_cors_origin(const char *s)
{
	const char *host = skip_scheme(s);

	if (host == NULL || *host == '\0' || has_ctl(s) ||
	    strpbrk(host, "/?# ") != NULL)
		return "must be scheme://host[:port] with no path";
	return NULL;
}

/* A host pattern: "*", or a name with no spaces, scheme or path. */
static const char *
ck_allowed_host(const char *s)
{
	if (*s == '\0' || has_ctl(s) || strpbrk(s, " /?#@") != NULL)
		return "must be a host name, \".example.com\" or \"*\"";
	return NULL;
}

/* Django 4.0 checks: CSRF_TRUSTED_ORIGINS entries start with a scheme. */
static const char *
ck_trusted_origin(const char *s)
{
	const char *host = skip_scheme(s);

	if (host == NULL || *host == '\0' || has_ctl(s) ||
	    strchr(s, ' ') != NULL)
		return "must start with a scheme, like https://example.com";
	return NULL;
}

static const char *
ck_reset_url(const char *s)
{
	if (strstr(s, "{uid}") == NULL || strstr(s, "{token}") == NULL)
		return "must contain {uid} and {token}";
	if (has_ctl(s) || strchr(s, ' ') != NULL)
		return "must not contain spaces or control characters";
	return NULL;
}

static const char *
ck_confirm_url(const char *s)
{
	if (strstr(s, "{key}") == NULL)
		return "must contain {key}";
	if (has_ctl(s) || strchr(s, ' ') != NULL)
		return "must not contain spaces or control characters";
	return NULL;
}

static const char *const algorithms[] = { "HS256", "HS384", "HS512", "RS256",
	"RS384", "RS512", "ES256", "ES384", "ES512", NULL };

static const char *
ck_algorithm(const char *s)
{
	size_t i;

	for (i = 0; algorithms[i] != NULL; i++)
		if (strcmp(s, algorithms[i]) == 0)
			return NULL;
	return "expected one of HS256, HS384, HS512, RS256, RS384, RS512, "
	       "ES256, ES384, ES512";
}

/* Columns of auth_user that identify a user for good. */
static const char *
ck_user_id_field(const char *s)
{
	if (strcmp(s, "id") == 0 || strcmp(s, "username") == 0)
		return NULL;
	return "expected \"id\" or \"username\" (a unique auth_user column)";
}

static const char *
ck_token_model(const char *s)
{
	if (strcmp(s, "rest_framework.authtoken.models.Token") == 0)
		return NULL;
	return "only \"rest_framework.authtoken.models.Token\" or null is "
	       "supported (" PYCLASS ")";
}

static const char *const throttle_classes[] = {
	"rest_framework.throttling.AnonRateThrottle",
	"rest_framework.throttling.UserRateThrottle",
	"rest_framework.throttling.ScopedRateThrottle", NULL
};
/* The scope each of them needs a rate for (dj-rest-auth's views all
 * have throttle_scope = "dj_rest_auth"). */
static const char *const throttle_scopes[] = { "anon", "user", "dj_rest_auth" };

static const char *
ck_throttle_class(const char *s)
{
	size_t i;

	for (i = 0; throttle_classes[i] != NULL; i++)
		if (strcmp(s, throttle_classes[i]) == 0)
			return NULL;
	return "expected rest_framework.throttling.AnonRateThrottle, "
	       "UserRateThrottle or ScopedRateThrottle (" PYCLASS ")";
}

static const char *
ck_user_attr(const char *s)
{
	if (strcmp(s, "username") == 0 || strcmp(s, "first_name") == 0 ||
	    strcmp(s, "last_name") == 0 || strcmp(s, "email") == 0)
		return NULL;
	return "expected username, first_name, last_name or email";
}

static const char *
ck_readable(const char *s)
{
	if (*s == '\0' || access(s, R_OK) == -1)
		return "cannot read that file";
	return NULL;
}

/* Django's hashers restauth will not verify, and why. */
static const struct {
	const char *name;
	const char *why;
} refused_hashers[] = {
	{ "MD5PasswordHasher", "one salted MD5" },
	{ "UnsaltedMD5PasswordHasher", "one unsalted MD5" },
	{ "SHA1PasswordHasher", "one salted SHA-1" },
	{ "UnsaltedSHA1PasswordHasher", "one unsalted SHA-1" },
	{ "CryptPasswordHasher", "DES crypt(3), 8 characters," },
};

/* A PASSWORD_HASHERS entry: a hasher pw_ implements. */
static const char *
ck_hasher(const char *s)
{
	const char *name = s;
	size_t i;

	for (i = 0; i < PW_ALGO__MAX; i++)
		if (strcmp(s, pw_algo_path((enum pw_algo)i)) == 0)
			return NULL;
	if (strncmp(s, PW_DJANGO, strlen(PW_DJANGO)) == 0)
		name += strlen(PW_DJANGO);
	for (i = 0; i < sizeof(refused_hashers) / sizeof(refused_hashers[0]);
	     i++)
		if (strcmp(name, refused_hashers[i].name) == 0)
			return "refused: a password hashed with it is "
			       "guessed at billions of tries a second on one "
			       "GPU; let Django re-hash those users (log "
			       "them in there once) or reset their "
			       "passwords, then drop it";
	return "unknown hasher; expected " PW_DJANGO
	       "Argon2PasswordHasher, PBKDF2PasswordHasher, "
	       "PBKDF2SHA1PasswordHasher, BCryptSHA256PasswordHasher, "
	       "BCryptPasswordHasher or ScryptPasswordHasher (" PYCLASS ")";
}

/* --- the tables ------------------------------------------------------ */

static const char *const auth_methods[] = { "username", "email",
	"username_email", NULL };
static const char *const verifications[] = { "none", "optional", "mandatory",
	NULL };
static const char *const outbox_drains[] = { "spawn", "worker", NULL };
static const char *const reset_generators[] = { "allauth", "django", NULL };

/* dj-rest-auth 7.1.1 app_settings.py DEFAULTS */
static const struct key rest_auth_keys[] = {
	KBOOL("USE_JWT", C(rest_auth.use_jwt), "false"),
	KSTR("TOKEN_MODEL", F_NULL, C(rest_auth.token_model),
	    "\"rest_framework.authtoken.models.Token\"", ck_token_model),
	KBOOL("SESSION_LOGIN", C(rest_auth.session_login), "true"),
	KBOOL("OLD_PASSWORD_FIELD_ENABLED",
	    C(rest_auth.old_password_field_enabled), "false"),
	KBOOL("LOGOUT_ON_PASSWORD_CHANGE",
	    C(rest_auth.logout_on_password_change), "false"),
	/* restauth's: true keeps dj-rest-auth's password change, which
	 * leaves the user's other tokens alive. */
	KBOOL("PASSWORD_CHANGE_KEEP_OTHER_CREDENTIALS",
	    C(rest_auth.password_change_keep_other_credentials), "false"),
	KSTR("JWT_AUTH_COOKIE", F_NULL, C(rest_auth.jwt_access.name), "null",
	    ck_cookie_name),
	KSTR("JWT_AUTH_REFRESH_COOKIE", F_NULL, C(rest_auth.jwt_refresh.name),
	    "null", ck_cookie_name),
	KSTR("JWT_AUTH_REFRESH_COOKIE_PATH", 0, C(rest_auth.jwt_refresh.path),
	    "\"/\"", ck_cookie_path),
	KBOOL("JWT_AUTH_SECURE", C(rest_auth.jwt_access.secure), "false"),
	KBOOL("JWT_AUTH_HTTPONLY", C(rest_auth.jwt_access.httponly), "true"),
	KSAME("JWT_AUTH_SAMESITE", C(rest_auth.jwt_access.samesite), "\"Lax\""),
	KSTR("JWT_AUTH_COOKIE_DOMAIN", F_NULL, C(rest_auth.jwt_access.domain),
	    "null", ck_cookie_domain),
	KBOOL("JWT_AUTH_RETURN_EXPIRATION",
	    C(rest_auth.jwt_auth_return_expiration), "false"),
	KBOOL("JWT_AUTH_COOKIE_USE_CSRF", C(rest_auth.jwt_auth_cookie_use_csrf),
	    "false"),
	KBOOL("JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED",
	    C(rest_auth.jwt_auth_cookie_enforce_csrf_on_unauthenticated),
	    "false"),
	/* dj-rest-auth 7.2's MFA: its settings, and MFA_ENABLED for
	 * installing dj_rest_auth.mfa and routing MFALoginView. At most 9
	 * digits: mfa/verify/ takes codes of 9 characters at most, so
	 * pyotp's 10 could never log in. */
	KBOOL("MFA_ENABLED", C(rest_auth.mfa_enabled), "false"),
	KNUM("MFA_EPHEMERAL_TOKEN_TIMEOUT", K_LONG, 0,
	    C(rest_auth.mfa_ephemeral_token_timeout), "300", 1, 86400),
	KNUM("MFA_TOTP_DIGITS", K_INT, 0, C(rest_auth.mfa_totp_digits), "6", 1,
	    LIMIT_MFA_VERIFY_CODE),
	KNUM("MFA_TOTP_PERIOD", K_INT, 0, C(rest_auth.mfa_totp_period), "30", 1,
	    3600),
	KSTR("MFA_TOTP_ISSUER", 0, C(rest_auth.mfa_totp_issuer), "\"\"",
	    ck_mfa_issuer),
	KNUM("MFA_RECOVERY_CODE_COUNT", K_INT, 0,
	    C(rest_auth.mfa_recovery_code_count), "10", 1,
	    LIMIT_MFA_RECOVERY_CODES),
	/* restauth's: a login token dies after this many mfa/verify/. */
	KNUM("MFA_VERIFY_ATTEMPTS", K_INT, 0, C(rest_auth.mfa_verify_attempts),
	    "5", 1, 100),
	/* restauth's: POST mfa/recovery-codes/ and .../regenerate/ take a
	 * current TOTP code ("code"), so a stolen token alone mints no
	 * codes that bypass MFA. Off: dj-rest-auth's wire format. */
	KBOOL("MFA_REQUIRE_REAUTH", C(rest_auth.mfa_require_reauth), "false"),
	KFIXED("MFA_VERIFY_SERIALIZER",
	    "\"dj_rest_auth.mfa.serializers.MFAVerifySerializer\"", PYCLASS),
	KFIXED("MFA_TOTP_ACTIVATE_INIT_SERIALIZER",
	    "\"dj_rest_auth.mfa.serializers.TOTPActivateInitSerializer\"",
	    PYCLASS),
	KFIXED("MFA_TOTP_ACTIVATE_CONFIRM_SERIALIZER",
	    "\"dj_rest_auth.mfa.serializers.TOTPActivateConfirmSerializer\"",
	    PYCLASS),
	KFIXED("MFA_TOTP_DEACTIVATE_SERIALIZER",
	    "\"dj_rest_auth.mfa.serializers.TOTPDeactivateSerializer\"",
	    PYCLASS),
	KFIXED("MFA_STATUS_SERIALIZER",
	    "\"dj_rest_auth.mfa.serializers.MFAStatusSerializer\"", PYCLASS),
	KFIXED("MFA_RECOVERY_CODES_SERIALIZER",
	    "\"dj_rest_auth.mfa.serializers.RecoveryCodesSerializer\"",
	    PYCLASS),
	KFIXED("LOGIN_SERIALIZER",
	    "\"dj_rest_auth.serializers.LoginSerializer\"", PYCLASS),
	KFIXED("TOKEN_SERIALIZER",
	    "\"dj_rest_auth.serializers.TokenSerializer\"", PYCLASS),
	KFIXED("JWT_SERIALIZER", "\"dj_rest_auth.serializers.JWTSerializer\"",
	    PYCLASS),
	KFIXED("JWT_SERIALIZER_WITH_EXPIRATION",
	    "\"dj_rest_auth.serializers.JWTSerializerWithExpiration\"",
	    PYCLASS),
	KFIXED("JWT_TOKEN_CLAIMS_SERIALIZER",
	    "\"rest_framework_simplejwt.serializers."
	    "TokenObtainPairSerializer\"",
	    PYCLASS),
	KFIXED("USER_DETAILS_SERIALIZER",
	    "\"dj_rest_auth.serializers.UserDetailsSerializer\"", PYCLASS),
	KFIXED("PASSWORD_RESET_SERIALIZER",
	    "\"dj_rest_auth.serializers.PasswordResetSerializer\"", PYCLASS),
	KFIXED("PASSWORD_RESET_CONFIRM_SERIALIZER",
	    "\"dj_rest_auth.serializers.PasswordResetConfirmSerializer\"",
	    PYCLASS),
	KFIXED("PASSWORD_CHANGE_SERIALIZER",
	    "\"dj_rest_auth.serializers.PasswordChangeSerializer\"", PYCLASS),
	KFIXED("REGISTER_SERIALIZER",
	    "\"dj_rest_auth.registration.serializers.RegisterSerializer\"",
	    PYCLASS),
	KFIXED("REGISTER_PERMISSION_CLASSES",
	    "[\"rest_framework.permissions.AllowAny\"]", PYCLASS),
	KFIXED("TOKEN_CREATOR", "\"dj_rest_auth.utils.default_create_token\"",
	    PYCLASS),
	KFIXED("PASSWORD_RESET_USE_SITES_DOMAIN", "false",
	    "reset links come from PASSWORD_RESET_URL"),
	KEND,
};

/* simplejwt settings.py DEFAULTS; timedeltas are integer seconds. */
static const struct key simple_jwt_keys[] = {
	KNUM("ACCESS_TOKEN_LIFETIME", K_LONG, 0,
	    C(simple_jwt.access_token_lifetime), "300", 1, SECONDS_MAX),
	KNUM("REFRESH_TOKEN_LIFETIME", K_LONG, 0,
	    C(simple_jwt.refresh_token_lifetime), "86400", 1, SECONDS_MAX),
	KBOOL("ROTATE_REFRESH_TOKENS", C(simple_jwt.rotate_refresh_tokens),
	    "false"),
	KBOOL("BLACKLIST_AFTER_ROTATION",
	    C(simple_jwt.blacklist_after_rotation), "false"),
	KBOOL("UPDATE_LAST_LOGIN", C(simple_jwt.update_last_login), "false"),
	KSTR("ALGORITHM", 0, C(simple_jwt.algorithm), "\"HS256\"",
	    ck_algorithm),
	/* Default: SECRET_KEY, filled in after the environment. */
	KSTR("SIGNING_KEY", F_SECRET, C(simple_jwt.signing_key), NULL,
	    ck_nonempty),
	KSTR("VERIFYING_KEY", 0, C(simple_jwt.verifying_key), "\"\"", NULL),
	KSTR("AUDIENCE", F_NULL, C(simple_jwt.audience), "null", ck_line),
	KSTR("ISSUER", F_NULL, C(simple_jwt.issuer), "null", ck_line),
	KNUM("LEEWAY", K_LONG, 0, C(simple_jwt.leeway), "0", 0, SECONDS_MAX),
	KLIST("AUTH_HEADER_TYPES", F_STR1, C(simple_jwt.auth_header_types),
	    C(simple_jwt.auth_header_types_len), "[\"Bearer\"]", 1,
	    ck_header_type),
	KSTR("USER_ID_FIELD", 0, C(simple_jwt.user_id_field), "\"id\"",
	    ck_user_id_field),
	KSTR("USER_ID_CLAIM", 0, C(simple_jwt.user_id_claim), "\"user_id\"",
	    ck_line),
	KSTR("TOKEN_TYPE_CLAIM", 0, C(simple_jwt.token_type_claim),
	    "\"token_type\"", ck_line),
	KSTR("JTI_CLAIM", 0, C(simple_jwt.jti_claim), "\"jti\"", ck_line),
	KSTR("SLIDING_TOKEN_REFRESH_EXP_CLAIM", 0,
	    C(simple_jwt.sliding_token_refresh_exp_claim), "\"refresh_exp\"",
	    ck_line),
	KNUM("SLIDING_TOKEN_LIFETIME", K_LONG, 0,
	    C(simple_jwt.sliding_token_lifetime), "300", 1, SECONDS_MAX),
	KNUM("SLIDING_TOKEN_REFRESH_LIFETIME", K_LONG, 0,
	    C(simple_jwt.sliding_token_refresh_lifetime), "86400", 1,
	    SECONDS_MAX),
	KFIXED("AUTH_HEADER_NAME", "\"HTTP_AUTHORIZATION\"",
	    "restauth reads the Authorization header"),
	KFIXED("JSON_ENCODER", "null", PYCLASS),
	KFIXED("JWK_URL", "null", "restauth does not fetch keys"),
	KFIXED("USER_AUTHENTICATION_RULE",
	    "\"rest_framework_simplejwt.authentication."
	    "default_user_authentication_rule\"",
	    PYCLASS),
	KFIXED("AUTH_TOKEN_CLASSES",
	    "[\"rest_framework_simplejwt.tokens.AccessToken\"]", PYCLASS),
	KFIXED("TOKEN_USER_CLASS",
	    "\"rest_framework_simplejwt.models.TokenUser\"", PYCLASS),
	KFIXED("TOKEN_OBTAIN_SERIALIZER",
	    "\"rest_framework_simplejwt.serializers."
	    "TokenObtainPairSerializer\"",
	    PYCLASS),
	KFIXED("TOKEN_REFRESH_SERIALIZER",
	    "\"rest_framework_simplejwt.serializers.TokenRefreshSerializer\"",
	    PYCLASS),
	KFIXED("TOKEN_VERIFY_SERIALIZER",
	    "\"rest_framework_simplejwt.serializers.TokenVerifySerializer\"",
	    PYCLASS),
	KFIXED("TOKEN_BLACKLIST_SERIALIZER",
	    "\"rest_framework_simplejwt.serializers.TokenBlacklistSerializer\"",
	    PYCLASS),
	KFIXED("SLIDING_TOKEN_OBTAIN_SERIALIZER",
	    "\"rest_framework_simplejwt.serializers."
	    "TokenObtainSlidingSerializer\"",
	    PYCLASS),
	KFIXED("SLIDING_TOKEN_REFRESH_SERIALIZER",
	    "\"rest_framework_simplejwt.serializers."
	    "TokenRefreshSlidingSerializer\"",
	    PYCLASS),
	KFIXED("CHECK_REVOKE_TOKEN", "false", "not supported"),
	KFIXED("REVOKE_TOKEN_CLAIM", "\"hash_password\"", "not supported"),
	KFIXED("CHECK_USER_IS_ACTIVE", "true",
	    "inactive users are always refused"),
	KEND,
};

static const struct key rest_framework_keys[] = {
	KLIST("DEFAULT_THROTTLE_CLASSES", 0,
	    C(rest_framework.default_throttle_classes),
	    C(rest_framework.default_throttle_classes_len), "[]", 0,
	    ck_throttle_class),
	KSPECIAL("DEFAULT_THROTTLE_RATES", K_RATES, 0, 0, "{}"),
	KNUM("NUM_PROXIES", K_INT, F_NULL, C(rest_framework.num_proxies),
	    "null", 0, 64),
	KEND,
};

/* allauth account/app_settings.py, ACCOUNT_ prefix dropped */
static const struct key account_keys[] = {
	KENUM("AUTHENTICATION_METHOD", C(account.authentication_method),
	    "\"username\"", auth_methods),
	KBOOL("EMAIL_REQUIRED", C(account.email_required), "false"),
	KENUM("EMAIL_VERIFICATION", C(account.email_verification),
	    "\"optional\"", verifications),
	KBOOL("UNIQUE_EMAIL", C(account.unique_email), "true"),
	KBOOL("LOGOUT_ON_GET", C(account.logout_on_get), "false"),
	KNUM("USERNAME_MIN_LENGTH", K_INT, 0, C(account.username_min_length),
	    "1", 1, LIMIT_USERNAME),
	KBOOL("USERNAME_REQUIRED", C(account.username_required), "true"),
	KLIST("USERNAME_BLACKLIST", 0, C(account.username_blacklist),
	    C(account.username_blacklist_len), "[]", 0, ck_nonempty),
	KBOOL("PRESERVE_USERNAME_CASING", C(account.preserve_username_casing),
	    "true"),
	KNUM("EMAIL_CONFIRMATION_EXPIRE_DAYS", K_INT, 0,
	    C(account.email_confirmation_expire_days), "3", 1, 3650),
	KNUM("EMAIL_CONFIRMATION_COOLDOWN", K_INT, 0,
	    C(account.email_confirmation_cooldown), "180", 0, 86400),
	KBOOL("EMAIL_CONFIRMATION_HMAC", C(account.email_confirmation_hmac),
	    "true"),
	KBOOL("CONFIRM_EMAIL_ON_GET", C(account.confirm_email_on_get), "false"),
	KBOOL("LOGIN_ON_EMAIL_CONFIRMATION",
	    C(account.login_on_email_confirmation), "false"),
	KSTR("EMAIL_SUBJECT_PREFIX", F_NULL, C(account.email_subject_prefix),
	    "null", ck_text),
	KREFUSED("PASSWORD_MIN_LENGTH",
	    "deprecated by allauth; use AUTH_PASSWORD_VALIDATORS "
	    "MinimumLengthValidator with OPTIONS min_length"),
	KEND,
};

/*
 * Each hasher's parameters (Django's class attributes). argon2: limits
 * as libargon2 enforces them (t, m in KiB, p lanes) and argon2-cffi's
 * hash lengths; bcrypt: up to the cost pw_verify accepts by default
 * (16: seconds per login); scrypt: N*r*p within pw's work limit.
 */
static const struct key hasher_keys[] = {
	KNUM("TIME_COST", K_U32, 0, C(password_hasher.time_cost), "2", 1, 64),
	KNUM("MEMORY_COST", K_U32, 0, C(password_hasher.memory_cost), "19456",
	    8, 4194304),
	KNUM("PARALLELISM", K_U32, 0, C(password_hasher.parallelism), "1", 1,
	    16),
	KNUM("HASH_LEN", K_U32, 0, C(password_hasher.hash_len), "32",
	    PW_ARGON2_HASHLEN_MIN, PW_ARGON2_HASHLEN_MAX),
	KNUM("PBKDF2_ITERATIONS", K_U32, 0,
	    C(password_hasher.pbkdf2_iterations), "1000000",
	    PW_PBKDF2_ITERATIONS_MIN, PW_VERIFY_MAX_ITERATIONS_DEFAULT),
	KNUM("BCRYPT_ROUNDS", K_U32, 0, C(password_hasher.bcrypt_rounds), "12",
	    PW_BCRYPT_ROUNDS_MIN, PW_VERIFY_MAX_BCRYPT_ROUNDS_DEFAULT),
	KNUM("SCRYPT_WORK_FACTOR", K_U32, 0,
	    C(password_hasher.scrypt_work_factor), "16384", 2,
	    (long)PW_SCRYPT_WORK_MAX),
	KNUM("SCRYPT_BLOCK_SIZE", K_U32, 0,
	    C(password_hasher.scrypt_block_size), "8", 1, 1024),
	KNUM("SCRYPT_PARALLELISM", K_U32, 0,
	    C(password_hasher.scrypt_parallelism), "1", 1, PW_SCRYPT_P_MAX),
	KEND,
};
_Static_assert(PW_PBKDF2_ITERATIONS_DEFAULT == 1000000, "PBKDF2 default");
_Static_assert(PW_BCRYPT_ROUNDS_DEFAULT == 12, "BCRYPT_ROUNDS default");
_Static_assert(PW_SCRYPT_WORK_FACTOR_DEFAULT == 16384 &&
	PW_SCRYPT_BLOCK_SIZE_DEFAULT == 8 && PW_SCRYPT_PARALLELISM_DEFAULT == 1,
    "SCRYPT_* defaults");
_Static_assert(PW_ARGON2_HASHLEN == 32, "HASH_LEN default");

static const struct key top_keys[] = {
	KBLOCK("REST_AUTH", rest_auth_keys),
	KBLOCK("SIMPLE_JWT", simple_jwt_keys),
	KBLOCK("REST_FRAMEWORK", rest_framework_keys),
	KBLOCK("ACCOUNT", account_keys),
	KSPECIAL("AUTH_PASSWORD_VALIDATORS", K_VALIDATORS, 0, 0, "[]"),
	/* Django's; restauth looks for the optional apps it emulates. */
	KLIST("INSTALLED_APPS", 0, C(installed_apps), C(installed_apps_len),
	    "[\"rest_framework.authtoken\", "
	    "\"rest_framework_simplejwt.token_blacklist\", "
	    "\"allauth\", \"allauth.account\", "
	    "\"dj_rest_auth.registration\"]",
	    0, NULL),
	/* Django's DEBUG default for an empty list: local names only. */
	KLIST("ALLOWED_HOSTS", 0, C(allowed_hosts), C(allowed_hosts_len),
	    "[\".localhost\", \"127.0.0.1\", \"[::1]\"]", 0, ck_allowed_host),
	KLIST("CORS_ALLOWED_ORIGINS", 0, C(cors_allowed_origins),
	    C(cors_allowed_origins_len), "[]", 0, ck_cors_origin),
	KBOOL("CORS_ALLOW_CREDENTIALS", C(cors_allow_credentials), "false"),
	KBOOL("SECURE_SSL_REDIRECT", C(secure_ssl_redirect), "false"),
	KSPECIAL("SECURE_PROXY_SSL_HEADER", K_PAIR, C(secure_proxy_ssl_header),
	    0, "null"),
	KNUM("SECURE_HSTS_SECONDS", K_LONG, 0, C(secure_hsts_seconds), "0", 0,
	    SECONDS_MAX),
	KBOOL("SECURE_HSTS_INCLUDE_SUBDOMAINS",
	    C(secure_hsts_include_subdomains), "false"),
	KBOOL("SECURE_HSTS_PRELOAD", C(secure_hsts_preload), "false"),
	KSTR("SESSION_COOKIE_NAME", 0, C(session_cookie.name), "\"sessionid\"",
	    ck_cookie_name),
	KNUM("SESSION_COOKIE_AGE", K_LONG, 0, C(session_cookie.age), "1209600",
	    1, SECONDS_MAX),
	KBOOL("SESSION_COOKIE_SECURE", C(session_cookie.secure), "false"),
	KBOOL("SESSION_COOKIE_HTTPONLY", C(session_cookie.httponly), "true"),
	KSAME("SESSION_COOKIE_SAMESITE", C(session_cookie.samesite), "\"Lax\""),
	KSTR("SESSION_COOKIE_DOMAIN", F_NULL, C(session_cookie.domain), "null",
	    ck_cookie_domain),
	KSTR("SESSION_COOKIE_PATH", 0, C(session_cookie.path), "\"/\"",
	    ck_cookie_path),
	KSTR("CSRF_COOKIE_NAME", 0, C(csrf_cookie.name), "\"csrftoken\"",
	    ck_cookie_name),
	KNUM("CSRF_COOKIE_AGE", K_LONG, 0, C(csrf_cookie.age), "31449600", 1,
	    SECONDS_MAX),
	KBOOL("CSRF_COOKIE_SECURE", C(csrf_cookie.secure), "false"),
	KBOOL("CSRF_COOKIE_HTTPONLY", C(csrf_cookie.httponly), "false"),
	KSAME("CSRF_COOKIE_SAMESITE", C(csrf_cookie.samesite), "\"Lax\""),
	KSTR("CSRF_COOKIE_DOMAIN", F_NULL, C(csrf_cookie.domain), "null",
	    ck_cookie_domain),
	KSTR("CSRF_COOKIE_PATH", 0, C(csrf_cookie.path), "\"/\"",
	    ck_cookie_path),
	KSTR("CSRF_HEADER_NAME", 0, C(csrf_header_name), "\"HTTP_X_CSRFTOKEN\"",
	    ck_meta_name),
	KLIST("CSRF_TRUSTED_ORIGINS", 0, C(csrf_trusted_origins),
	    C(csrf_trusted_origins_len), "[]", 0, ck_trusted_origin),
	KNUM("PASSWORD_RESET_TIMEOUT", K_LONG, 0, C(password_reset_timeout),
	    "259200", 1, SECONDS_MAX),
	KSTR("DEFAULT_FROM_EMAIL", 0, C(default_from_email),
	    "\"webmaster@localhost\"", ck_from_email),
	KSPECIAL("EMAIL_SENDMAIL", K_ARGV, C(email_sendmail),
	    C(email_sendmail_len), "\"/usr/sbin/sendmail -t -i\""),
	/* restauth's: who sends the outbox, and one reset mail per address
	 * per this many seconds (0: no limit). */
	KENUM("EMAIL_OUTBOX_DRAIN", C(email_outbox_drain), "\"spawn\"",
	    outbox_drains),
	KNUM("PASSWORD_RESET_COOLDOWN", K_LONG, 0, C(password_reset_cooldown),
	    "180", 0, SECONDS_MAX),
	/* dj-rest-auth mails allauth's links when allauth is installed
	 * (registration needs it), Django's otherwise. */
	KENUM("PASSWORD_RESET_TOKEN_GENERATOR",
	    C(password_reset_token_generator), "\"allauth\"", reset_generators),
	KSTR("PASSWORD_RESET_URL", 0, C(password_reset_url),
	    "\"http://localhost:8000/password-reset/confirm/{uid}/{token}/\"",
	    ck_reset_url),
	KSTR("EMAIL_CONFIRM_URL", 0, C(email_confirm_url),
	    "\"http://localhost:8000/account-confirm-email/{key}/\"",
	    ck_confirm_url),
	KBOOL("DEBUG", C(debug), "false"),
	/* Required; the environment may supply them instead. */
	KSTR("SECRET_KEY", F_SECRET, C(secret_key), NULL, ck_nonempty),
	KSTR("DATABASE_URL", F_SECRET, C(database_url), NULL, ck_nonempty),
	/* Django's; restauth's default has argon2id first. */
	KLIST("PASSWORD_HASHERS", 0, C(password_hashers),
	    C(password_hashers_len),
	    "[\"" PW_DJANGO "Argon2PasswordHasher\", "
	    "\"" PW_DJANGO "PBKDF2PasswordHasher\", "
	    "\"" PW_DJANGO "PBKDF2SHA1PasswordHasher\", "
	    "\"" PW_DJANGO "BCryptSHA256PasswordHasher\", "
	    "\"" PW_DJANGO "ScryptPasswordHasher\"]",
	    1, ck_hasher),
	KBLOCK("PASSWORD_HASHER", hasher_keys),
	KNUM("MAX_BODY_BYTES", K_SIZE, 0, C(max_body_bytes), "65536", 1024,
	    LIMIT_BODY_MAX),
	/* restauth's per-account failed-login backoff (0: off). */
	KNUM("LOGIN_FAILURE_LIMIT", K_INT, 0, C(login_failure_limit), "5", 0,
	    1000000),
	KNUM("LOGIN_FAILURE_BACKOFF_MAX", K_INT, 0,
	    C(login_failure_backoff_max), "300", 1, 86400),
	KEND,
};
_Static_assert(LIMIT_BODY_DEFAULT == 65536, "MAX_BODY_BYTES default");

/* Options of each validator, in struct app_validator; Django's names. */
static const struct key minlen_opts[] = {
	KNUM("min_length", K_INT, 0, V(min_length), "8", 0, LIMIT_PASSWORD),
	KEND,
};
static const struct key common_opts[] = {
	KSTR("password_list_path", F_NULL, V(password_list_path), "null",
	    ck_readable),
	KEND,
};
static const struct key numeric_opts[] = {
	KEND,
};
static const struct key similarity_opts[] = {
	KLIST("user_attributes", 0, V(user_attributes), V(user_attributes_len),
	    "[\"username\", \"first_name\", \"last_name\", \"email\"]", 0,
	    ck_user_attr),
	{ .name = "max_similarity",
	    .type = K_DOUBLE,
	    .off = V(max_similarity),
	    .dflt = "0.7",
	    .dmin = 0.1 },
	KEND,
};

static const struct {
	const char *name;
	const struct key *opts;
} validators[APP_VALIDATOR__MAX] = {
	[APP_VALIDATOR_MIN_LENGTH] = { "MinimumLengthValidator", minlen_opts },
	[APP_VALIDATOR_COMMON] = { "CommonPasswordValidator", common_opts },
	[APP_VALIDATOR_NUMERIC] = { "NumericPasswordValidator", numeric_opts },
	[APP_VALIDATOR_SIMILARITY] = { "UserAttributeSimilarityValidator",
	    similarity_opts },
};

#define VALIDATOR_MODULE "django.contrib.auth.password_validation."

/* --- unknown keys ------------------------------------------------------ */

/* The keys an AUTH_PASSWORD_VALIDATORS entry takes (for "did you mean"). */
static const struct key validator_entry_keys[] = {
	{ .name = "NAME" },
	{ .name = "OPTIONS" },
	KEND,
};

/* JSON has no comments; "_comment": "..." is how its users write one. */
static bool
is_comment(const char *name)
{
	return name[0] == '_';
}

/*
 * Levenshtein distance of a and b (bytes, ASCII case folded), or
 * CFG_SUGGEST_DIST + 1 when it is larger or a name is too long to be a
 * typo of a known key.
 */
static size_t
key_distance(const char *a, const char *b)
{
	size_t row[CFG_KEY_MAX + 1], i, j, la = strlen(a), lb = strlen(b);
	size_t diag, up, best;

	if (la > CFG_KEY_MAX || lb > CFG_KEY_MAX)
		return CFG_SUGGEST_DIST + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] =
			    diag + (strncasecmp(a + i - 1, b + j - 1, 1) != 0);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (row[j] < best)
				best = row[j];
			diag = up;
		}
		if (best > CFG_SUGGEST_DIST)
			return CFG_SUGGEST_DIST + 1;
	}
	return row[lb];
}

/* The known key of tbl closest to name, or NULL when none is close. */
static const char *
closest_key(const struct key *tbl, const char *name)
{
	const struct key *k, *best = NULL;
	size_t d, bestd = CFG_SUGGEST_DIST + 1;

	for (k = tbl; k->name != NULL; k++) {
		/* A wrong case alone is always a match (distance 0 here). */
		d = key_distance(name, k->name);
		if (d < bestd) {
			bestd = d;
			best = k;
		}
	}
	return best != NULL ? best->name : NULL;
}

/* "config: unknown key A.B (did you mean A.C?)", at the current path. */
static enum app_err
unknown_key(struct ctx *c, const struct key *tbl, const char *name)
{
	const char *near = closest_key(tbl, name);
	char parent[CFG_PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", c->path);
	path_key(c, name);
	if (near == NULL)
		return failf(c, "unknown key %s", c->path);
	return failf(c, "unknown key %s (did you mean %s%s%s?)", c->path,
	    parent, parent[0] == '\0' ? "" : ".", near);
}

/* --- setters ------------------------------------------------------------ */

static enum app_err apply_table(struct ctx *, const struct key *, json_object *,
    void *, struct app_config *);
static void free_table(const struct key *, void *);

/* A JSON string as an owned C string; refuses embedded NULs. */
static enum app_err
dup_json_str(struct ctx *c, json_object *v, char **out)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);

	if (strlen(s) != len)
		return bad(c, "must not contain NUL characters");
	if ((*out = strdup(s)) == NULL)
		return nomem(c);
	return APP_OK;
}

/* The text of a JSON string, or NULL if v is not one or holds a NUL. */
static const char *
cstr(json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

static void
free_strv(char ***vp, size_t *lenp)
{
	size_t i;

	if (*vp == NULL)
		return;
	for (i = 0; i < *lenp; i++)
		free((*vp)[i]);
	free(*vp);
	*vp = NULL;
	*lenp = 0;
}

static enum app_err
set_list(struct ctx *c, const struct key *k, json_object *v, void *base)
{
	char ***vp = (char ***)((char *)base + k->off);
	size_t *lenp = (size_t *)((char *)base + k->lenoff);
	bool arr = json_object_is_type(v, json_type_array);
	const char *msg;
	enum app_err er;
	size_t i, n, old;
	json_object *e;

	if (arr)
		n = json_object_array_length(v);
	else if ((k->flags & F_STR1) &&
	    json_object_is_type(v, json_type_string))
		n = 1;
	else
		return bad(c,
		    (k->flags & F_STR1)
			? "expected a string or a list of strings"
			: "expected a list of strings");
	if ((long)n < k->min)
		return bad(c, "must not be empty");
	if ((*vp = calloc(n + 1, sizeof(**vp))) == NULL)
		return nomem(c);
	for (i = 0; i < n; i++) {
		e = arr ? json_object_array_get_idx(v, i) : v;
		old = arr ? path_idx(c, i) : c->plen;
		if (!json_object_is_type(e, json_type_string))
			return bad(c, "expected a string");
		if ((er = dup_json_str(c, e, &(*vp)[i])) != APP_OK)
			return er;
		(*lenp)++;
		if (k->check != NULL && (msg = k->check((*vp)[i])) != NULL)
			return bad(c, "%s", msg);
		path_pop(c, old);
	}
	return APP_OK;
}

static enum app_err
set_enum(struct ctx *c, const struct key *k, json_object *v, void *base)
{
	char list[256];
	const char *s;
	size_t len = 0;
	int i;

	if ((s = cstr(v)) != NULL) {
		for (i = 0; k->names[i] != NULL; i++)
			if (strcmp(s, k->names[i]) == 0) {
				memcpy((char *)base + k->off, &i, sizeof(i));
				return APP_OK;
			}
	}
	list[0] = '\0';
	for (i = 0; k->names[i] != NULL; i++) {
		snprintf(list + len, sizeof(list) - len, "%s\"%s\"",
		    i == 0 ? "" : (k->names[i + 1] == NULL ? " or " : ", "),
		    k->names[i]);
		len = strlen(list);
	}
	return bad(c, "expected %s", list);
}

/* Django's set_cookie() takes lax, strict or none in any case, or
 * False/None for no attribute. */
static enum app_err
set_samesite(struct ctx *c, const struct key *k, json_object *v, void *base)
{
	static const char *const vals[] = { "Lax", "Strict", "None" };
	char **p = (char **)((char *)base + k->off);
	const char *s;
	size_t i;

	if (v == NULL ||
	    (json_object_is_type(v, json_type_boolean) &&
		!json_object_get_boolean(v)))
		return APP_OK;
	if ((s = cstr(v)) != NULL) {
		for (i = 0; i < 3; i++)
			if (strcasecmp(s, vals[i]) == 0) {
				/* Kept as written: Django sends it so. */
				if ((*p = strdup(s)) == NULL)
					return nomem(c);
				return APP_OK;
			}
	}
	return bad(c, "expected \"Lax\", \"Strict\", \"None\", false or null");
}

static enum app_err
set_fixed(struct ctx *c, const struct key *k, json_object *v)
{
	json_object *d = NULL;
	bool same;

	if (strcmp(k->dflt, "null") != 0 &&
	    (d = json_tokener_parse(k->dflt)) == NULL)
		return nomem(c);
	same = json_object_equal(d, v);
	json_object_put(d);
	if (!same)
		return bad(c, "only %s is supported (%s)", k->dflt, k->why);
	return APP_OK;
}

/*
 * A program named by a relative path is found relative to the config
 * file's folder (a config can ship with its helper scripts); without a
 * file it must be absolute. Replaces *prog on success.
 */
static enum app_err
relative_to_file(struct ctx *c, char **prog)
{
	const char *slash;
	char *full;
	size_t dlen, plen;

	if (c->file == NULL || (slash = strrchr(c->file, '/')) == NULL)
		return bad(c,
		    "the program must be an absolute path, or "
		    "relative to a config file given by its path");
	dlen = (size_t)(slash - c->file) + 1;
	plen = strlen(*prog);
	if ((full = malloc(dlen + plen + 1)) == NULL)
		return nomem(c);
	memcpy(full, c->file, dlen);
	memcpy(full + dlen, *prog, plen + 1);
	free(*prog);
	*prog = full;
	return APP_OK;
}

/* EMAIL_SENDMAIL: split on spaces, run without a shell (SPEC 8). */
static enum app_err
set_argv(struct ctx *c, const struct key *k, json_object *v, void *base)
{
	char ***vp = (char ***)((char *)base + k->off);
	size_t *lenp = (size_t *)((char *)base + k->lenoff);
	const char *s, *p, *e;
	enum app_err er;
	char *cmd;
	size_t n = 0;

	if (!json_object_is_type(v, json_type_string))
		return bad(c, "expected a string (a command line)");
	if ((er = dup_json_str(c, v, &cmd)) != APP_OK)
		return er;
	s = cmd;
	er = APP_EINPUT;
	if (has_ctl(s)) {
		bad(c, "must not contain control characters");
		goto out;
	}
	for (p = s; *p != '\0'; p = e) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		n++;
	}
	if (n == 0) {
		bad(c, "must name a program");
		goto out;
	}
	if ((*vp = calloc(n + 1, sizeof(**vp))) == NULL) {
		er = nomem(c);
		goto out;
	}
	for (p = s; *p != '\0'; p = e) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " ");
		if (((*vp)[*lenp] = strndup(p, (size_t)(e - p))) == NULL) {
			er = nomem(c);
			goto out;
		}
		(*lenp)++;
	}
	if ((*vp)[0][0] != '/' &&
	    (er = relative_to_file(c, &(*vp)[0])) != APP_OK)
		goto out;
	er = APP_OK;
out:
	free(cmd);
	return er;
}

/* SECURE_PROXY_SSL_HEADER: null or (META name, value). */
static enum app_err
set_pair(struct ctx *c, const struct key *k, json_object *v, void *base)
{
	char **pair = (char **)((char *)base + k->off);
	json_object *e;
	enum app_err er;
	size_t i;

	if (v == NULL)
		return APP_OK;
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 2)
		return bad(c,
		    "expected null or a list of 2 strings "
		    "(header, value)");
	for (i = 0; i < 2; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string) ||
		    json_object_get_string_len(e) == 0)
			return bad(c,
			    "expected null or a list of 2 non-empty "
			    "strings (header, value)");
		if ((er = dup_json_str(c, e, &pair[i])) != APP_OK)
			return er;
	}
	if (ck_meta_name(pair[0]) != NULL)
		return bad(c,
		    "the header must be a request.META name like "
		    "\"HTTP_X_FORWARDED_PROTO\"");
	return APP_OK;
}

/* DRF SimpleRateThrottle.parse_rate: "num/period", where DRF reads only
 * the first letter of period; we take the usual words only, so a typo
 * ("10/mnute") is an error rather than a surprise. */
static bool
parse_rate(const char *s, long *num, long *period)
{
	static const struct {
		const char *word;
		long secs;
	} periods[] = { { "s", 1 }, { "sec", 1 }, { "second", 1 },
		{ "seconds", 1 }, { "m", 60 }, { "min", 60 }, { "minute", 60 },
		{ "minutes", 60 }, { "h", 3600 }, { "hour", 3600 },
		{ "hours", 3600 }, { "d", 86400 }, { "day", 86400 },
		{ "days", 86400 } };
	const char *p = s;
	long n = 0;
	size_t i;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > 100000000)
			return false;
		n = n * 10 + (*p - '0');
	}
	if (*p++ != '/')
		return false;
	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		if (strcmp(p, periods[i].word) == 0) {
			*num = n;
			*period = periods[i].secs;
			return true;
		}
	return false;
}

static enum app_err
set_rates(struct ctx *c, json_object *v, struct app_config *cfg)
{
	struct app_throttle_rate *r;
	struct json_object_iterator it, end;
	json_object *val;
	size_t old;

	if (!json_object_is_type(v, json_type_object))
		return bad(c, "expected an object of scope: \"N/period\"");
	cfg->rest_framework.default_throttle_rates =
	    calloc((size_t)json_object_object_length(v) + 1, sizeof(*r));
	if (cfg->rest_framework.default_throttle_rates == NULL)
		return nomem(c);
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		if (is_comment(json_object_iter_peek_name(&it)))
			continue;
		r = &cfg->rest_framework.default_throttle_rates
			 [cfg->rest_framework.default_throttle_rates_len];
		if ((r->scope = strdup(json_object_iter_peek_name(&it))) ==
		    NULL)
			return nomem(c);
		cfg->rest_framework.default_throttle_rates_len++;
		val = json_object_iter_peek_value(&it);
		old = path_key(c, r->scope);
		if (val == NULL) {
			r->disabled = true;
		} else if (cstr(val) == NULL ||
		    !parse_rate(cstr(val), &r->num, &r->period_seconds)) {
			return bad(c,
			    "expected \"N/period\" with period s, "
			    "sec, second, m, min, minute, h, hour, d "
			    "or day, or null");
		}
		path_pop(c, old);
	}
	return APP_OK;
}

static enum app_err
set_validators(struct ctx *c, json_object *v, struct app_config *cfg)
{
	struct app_validator *val;
	struct json_object_iterator it, end;
	json_object *e, *name, *opts;
	const char *s;
	enum app_err er;
	size_t i, n, old, old2;
	int kind;

	if (!json_object_is_type(v, json_type_array))
		return bad(c,
		    "expected a list of {\"NAME\": ..., "
		    "\"OPTIONS\": {...}}");
	n = json_object_array_length(v);
	if ((cfg->auth_password_validators = calloc(n + 1, sizeof(*val))) ==
	    NULL)
		return nomem(c);
	for (i = 0; i < n; i++) {
		val = &cfg->auth_password_validators[i];
		old = path_idx(c, i);
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_object))
			return bad(c,
			    "expected {\"NAME\": ..., "
			    "\"OPTIONS\": {...}}");
		it = json_object_iter_begin(e);
		end = json_object_iter_end(e);
		for (; !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it)) {
			s = json_object_iter_peek_name(&it);
			if (!is_comment(s) && strcmp(s, "NAME") != 0 &&
			    strcmp(s, "OPTIONS") != 0)
				return unknown_key(c, validator_entry_keys, s);
		}
		old2 = path_key(c, "NAME");
		if (!json_object_object_get_ex(e, "NAME", &name))
			return bad(c, "required");
		if ((s = cstr(name)) == NULL)
			return bad(c, "expected a string");
		if (strncmp(s, VALIDATOR_MODULE, strlen(VALIDATOR_MODULE)) == 0)
			s += strlen(VALIDATOR_MODULE);
		for (kind = 0; kind < APP_VALIDATOR__MAX; kind++)
			if (strcmp(s, validators[kind].name) == 0)
				break;
		if (kind == APP_VALIDATOR__MAX) {
			char esc[CFG_ECHO_MAX];

			s = json_object_get_string(name);
			log_escape(esc, sizeof(esc), s, strlen(s));
			return bad(c, "unknown validator \"%s\"", esc);
		}
		val->kind = (enum app_validator_kind)kind;
		cfg->auth_password_validators_len++;
		path_pop(c, old2);
		opts = NULL;
		old2 = path_key(c, "OPTIONS");
		if (json_object_object_get_ex(e, "OPTIONS", &opts) &&
		    !json_object_is_type(opts, json_type_object))
			return bad(c, "expected an object");
		if ((er = apply_table(c, validators[kind].opts, opts, val,
			 cfg)) != APP_OK)
			return er;
		path_pop(c, old2);
		path_pop(c, old);
	}
	return APP_OK;
}

static enum app_err
set_value(struct ctx *c, const struct key *k, json_object *v, void *base,
    struct app_config *cfg)
{
	void *p = (char *)base + k->off;
	const char *msg;
	int64_t n;
	double d;
	enum app_err er;

	switch (k->type) {
	case K_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return bad(c, "expected true or false");
		*(bool *)p = json_object_get_boolean(v);
		return APP_OK;
	case K_INT:
	case K_LONG:
	case K_U32:
	case K_SIZE:
		if (v == NULL && (k->flags & F_NULL)) {
			n = -1;
		} else if (!json_object_is_type(v, json_type_int)) {
			return bad(c,
			    (k->flags & F_NULL) ? "expected an integer or null"
						: "expected an integer");
		} else {
			n = json_object_get_int64(v);
			if (n < k->min || n > k->max)
				return bad(c, "must be between %ld and %ld",
				    k->min, k->max);
		}
		if (k->type == K_INT)
			*(int *)p = (int)n;
		else if (k->type == K_LONG)
			*(long *)p = (long)n;
		else if (k->type == K_U32)
			*(uint32_t *)p = (uint32_t)n;
		else
			*(size_t *)p = (size_t)n;
		return APP_OK;
	case K_DOUBLE:
		if (!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int))
			return bad(c, "expected a number");
		d = json_object_get_double(v);
		if (!(d >= k->dmin))
			return bad(c, "must be at least %g", k->dmin);
		*(double *)p = d;
		return APP_OK;
	case K_STR:
		if (v == NULL && (k->flags & F_NULL))
			return APP_OK;
		if (!json_object_is_type(v, json_type_string))
			return bad(c,
			    (k->flags & F_NULL) ? "expected a string or null"
						: "expected a string");
		if ((er = dup_json_str(c, v, (char **)p)) != APP_OK)
			return er;
		if (k->check != NULL && (msg = k->check(*(char **)p)) != NULL)
			return bad(c, "%s", msg);
		return APP_OK;
	case K_LIST:
		return set_list(c, k, v, base);
	case K_ENUM:
		return set_enum(c, k, v, base);
	case K_SAMESITE:
		return set_samesite(c, k, v, base);
	case K_FIXED:
		return set_fixed(c, k, v);
	case K_REFUSED:
		return bad(c, "%s", k->why);
	case K_BLOCK:
		if (!json_object_is_type(v, json_type_object))
			return bad(c, "expected an object");
		return apply_table(c, k->sub, v, base, cfg);
	case K_VALIDATORS:
		return set_validators(c, v, cfg);
	case K_RATES:
		return set_rates(c, v, cfg);
	case K_ARGV:
		return set_argv(c, k, v, base);
	case K_PAIR:
		return set_pair(c, k, v, base);
	}
	return APP_EINTERNAL;
}

/*
 * Refuse keys tbl does not know (in file order), then set each key of
 * tbl from obj (NULL: all defaults) or from its default.
 */
static enum app_err
apply_table(struct ctx *c, const struct key *tbl, json_object *obj, void *base,
    struct app_config *cfg)
{
	struct json_object_iterator it, end;
	const struct key *k;
	json_object *v, *d;
	const char *name;
	enum app_err er;
	size_t old;

	if (obj != NULL) {
		it = json_object_iter_begin(obj);
		end = json_object_iter_end(obj);
		for (; !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it)) {
			name = json_object_iter_peek_name(&it);
			if (is_comment(name))
				continue;
			for (k = tbl; k->name != NULL; k++)
				if (strcmp(k->name, name) == 0)
					break;
			if (k->name == NULL)
				return unknown_key(c, tbl, name);
		}
	}
	for (k = tbl; k->name != NULL; k++) {
		d = NULL;
		if (obj == NULL ||
		    !json_object_object_get_ex(obj, k->name, &v)) {
			if (k->dflt == NULL || k->type == K_FIXED ||
			    k->type == K_REFUSED)
				continue;
			if (strcmp(k->dflt, "null") != 0 &&
			    (d = json_tokener_parse(k->dflt)) == NULL)
				return nomem(c);
			v = d;
		}
		old = path_key(c, k->name);
		er = set_value(c, k, v, base, cfg);
		json_object_put(d);
		if (er != APP_OK)
			return er;
		path_pop(c, old);
	}
	return APP_OK;
}

static void
free_table(const struct key *tbl, void *base)
{
	const struct key *k;
	char **s;
	size_t i;

	for (k = tbl; k->name != NULL; k++) {
		s = (char **)((char *)base + k->off);
		switch (k->type) {
		case K_STR:
		case K_SAMESITE:
			if (*s != NULL && (k->flags & F_SECRET))
				OPENSSL_cleanse(*s, strlen(*s));
			free(*s);
			*s = NULL;
			break;
		case K_LIST:
		case K_ARGV:
			free_strv((char ***)s,
			    (size_t *)((char *)base + k->lenoff));
			break;
		case K_PAIR:
			for (i = 0; i < 2; i++) {
				free(s[i]);
				s[i] = NULL;
			}
			break;
		case K_BLOCK:
			free_table(k->sub, base);
			break;
		default:
			break;
		}
	}
}

/* --- the file ----------------------------------------------------------- */

static enum app_err
read_file(struct ctx *c, const char *path, char **out, size_t *outlen)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return failf(c, "%s: cannot read: %s", path, strerror(errno));
	if ((buf = malloc(LIMIT_CONFIG_BYTES + 1)) == NULL) {
		close(fd);
		return nomem(c);
	}
	for (;;) {
		n = read(fd, buf + len, LIMIT_CONFIG_BYTES + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			failf(c, "%s: cannot read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > LIMIT_CONFIG_BYTES) {
			failf(c, "%s: larger than %d bytes", path,
			    LIMIT_CONFIG_BYTES);
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return APP_OK;
fail:
	close(fd);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return APP_EINPUT;
}

static size_t
line_of(const char *buf, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

/*
 * json-c keeps the last of two equal keys without a word; a settings
 * file with USE_JWT twice is a mistake worth naming. The text is valid
 * JSON already, so a scan for brackets, commas and strings is enough;
 * each key is decoded by json-c so escapes compare as json-c sees them.
 */
struct scan_level {
	bool obj;
	size_t idx; /* array: current index */
	size_t first; /* object: its first key in keys[] */
};

struct scan {
	struct scan_level lv[LIMIT_JSON_DEPTH + 1];
	int depth;
	char **keys; /* keys of the open objects, outermost first */
	size_t nkeys;
	json_tokener *tok;
};

/* Append the dotted name of the value being scanned to c->path. */
static void
scan_path(struct ctx *c, const struct scan *s)
{
	int d;

	for (d = 0; d < s->depth; d++)
		if (s->lv[d].obj)
			path_key(c, s->keys[s->lv[d + 1].first - 1]);
		else
			path_idx(c, s->lv[d].idx);
}

/* Add the key quoted in buf[0..len) to the innermost object. */
static enum app_err
scan_key(struct ctx *c, struct scan *s, const char *buf, size_t len)
{
	const struct scan_level *l = &s->lv[s->depth];
	json_object *ko;
	char *key;
	size_t m;

	json_tokener_reset(s->tok);
	ko = json_tokener_parse_ex(s->tok, buf, (int)len);
	key = ko == NULL ? NULL : strdup(json_object_get_string(ko));
	json_object_put(ko);
	if (key == NULL)
		return nomem(c);
	/* Comments may repeat: {"_": "one", ..., "_": "two"}. */
	for (m = l->first; m < s->nkeys && !is_comment(key); m++)
		if (strcmp(s->keys[m], key) == 0) {
			scan_path(c, s);
			path_key(c, key);
			free(key);
			return failf(c, "duplicate key %s", c->path);
		}
	if (s->nkeys - l->first >= LIMIT_JSON_MEMBERS) {
		free(key);
		scan_path(c, s);
		if (c->plen == 0)
			return failf(c, "more than %d keys at the top level",
			    LIMIT_JSON_MEMBERS);
		return bad(c, "more than %d keys", LIMIT_JSON_MEMBERS);
	}
	s->keys[s->nkeys++] = key;
	return APP_OK;
}

static enum app_err
check_dups(struct ctx *c, const char *buf, size_t len)
{
	struct scan s;
	size_t i, j;
	bool want_key = false;
	enum app_err er = APP_OK;

	memset(&s, 0, sizeof(s));
	s.depth = -1;
	if ((s.tok = json_tokener_new()) == NULL)
		return nomem(c);
	s.keys = calloc(LIMIT_JSON_DEPTH * LIMIT_JSON_MEMBERS, sizeof(*s.keys));
	if (s.keys == NULL) {
		er = nomem(c);
		goto out;
	}
	for (i = 0; i < len; i++) {
		switch (buf[i]) {
		case '{':
		case '[':
			if (s.depth + 1 >= LIMIT_JSON_DEPTH) {
				er = failf(c, "nested too deeply");
				goto out;
			}
			s.depth++;
			s.lv[s.depth].obj = buf[i] == '{';
			s.lv[s.depth].idx = 0;
			s.lv[s.depth].first = s.nkeys;
			want_key = s.lv[s.depth].obj;
			break;
		case '}':
		case ']':
			while (s.nkeys > s.lv[s.depth].first)
				free(s.keys[--s.nkeys]);
			s.depth--;
			want_key = false;
			break;
		case ',':
			if (s.lv[s.depth].obj)
				want_key = true;
			else
				s.lv[s.depth].idx++;
			break;
		case '"':
			for (j = i + 1; buf[j] != '"'; j++)
				if (buf[j] == '\\')
					j++;
			if (want_key &&
			    (er = scan_key(c, &s, buf + i, j + 1 - i)) !=
				APP_OK)
				goto out;
			want_key = false;
			i = j;
			break;
		}
	}
out:
	while (s.nkeys > 0)
		free(s.keys[--s.nkeys]);
	free(s.keys);
	json_tokener_free(s.tok);
	return er;
}

static enum app_err
parse_file(struct ctx *c, const char *path, const char *buf, size_t len,
    json_object **out)
{
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *root;
	enum app_err er = APP_EINPUT;
	size_t end, i;

	*out = NULL;
	if (memchr(buf, '\0', len) != NULL)
		return failf(c, "%s: JSON error at line %zu: NUL byte", path,
		    line_of(buf,
			(size_t)((const char *)memchr(buf, '\0', len) - buf)));
	if ((tok = json_tokener_new_ex(LIMIT_JSON_DEPTH)) == NULL)
		return nomem(c);
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue ||
	    jerr == json_tokener_error_parse_eof) {
		failf(c, "%s: JSON error at line %zu: unexpected end of file",
		    path, line_of(buf, len));
		goto out;
	}
	if (jerr != json_tokener_success) {
		failf(c, "%s: JSON error at line %zu: %s", path,
		    line_of(buf, end), json_tokener_error_desc(jerr));
		goto out;
	}
	for (i = end; i < len; i++)
		if (strchr(" \t\r\n", buf[i]) == NULL) {
			failf(c,
			    "%s: JSON error at line %zu: data after the "
			    "top-level object",
			    path, line_of(buf, i));
			goto out;
		}
	if (!json_object_is_type(root, json_type_object)) {
		failf(c, "%s: the top level must be a JSON object", path);
		goto out;
	}
	if ((er = check_dups(c, buf, end)) != APP_OK)
		goto out;
	*out = root;
	root = NULL;
out:
	json_object_put(root);
	json_tokener_free(tok);
	return er;
}

/* --- keys that depend on each other ------------------------------------ */

/*
 * RS* and ES*: SIGNING_KEY is a PEM private key and VERIFYING_KEY its PEM
 * public key, of the algorithm's type (and curve), and they match.
 */
static enum app_err
check_keypair(struct ctx *c, struct app_config *cfg)
{
	const char *alg = cfg->simple_jwt.algorithm;
	EVP_PKEY *priv, *pub;
	char err[256];
	enum app_err er;

	if (alg[0] == 'H')
		return APP_OK;
	er = pemkey_pair(alg, cfg->simple_jwt.signing_key,
	    cfg->simple_jwt.verifying_key, &priv, &pub, err, sizeof(err));
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	if (er == APP_ENOMEM)
		return nomem(c);
	if (er != APP_OK)
		return failf(c, "%s", err);
	return APP_OK;
}

/* A non-empty environment variable replaces the file's value. */
static enum app_err
env_override(struct ctx *c, const char *name, char **dst)
{
	const char *e = getenv(name);
	char *s;

	if (e != NULL && *e != '\0') {
		if ((s = strdup(e)) == NULL)
			return nomem(c);
		if (*dst != NULL) {
			OPENSSL_cleanse(*dst, strlen(*dst));
			free(*dst);
		}
		*dst = s;
	}
	if (*dst == NULL)
		return failf(c,
		    "%s: required (set it in the file or the %s "
		    "environment variable)",
		    name, name);
	return APP_OK;
}

/* One UTF-8 sequence at s as a code point (a stray byte stands for
 * itself); *s moves past it. */
static uint32_t
next_cp(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp = *p++;
	int more = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;

	if (cp >= 0x80 && cp < 0xc0)
		more = 0;
	cp &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0xff;
	for (; more > 0 && (*p & 0xc0) == 0x80; more--)
		cp = (cp << 6) | (*p++ & 0x3f);
	*s = p;
	return cp;
}

const char *
app_secret_weakness(const char *key)
{
	const unsigned char *p = (const unsigned char *)key;
	uint32_t seen[APP_SECRET_MIN_DISTINCT], cp;
	size_t chars = 0, distinct = 0, i;

	if (strncmp(key, APP_SECRET_INSECURE_PREFIX,
		strlen(APP_SECRET_INSECURE_PREFIX)) == 0)
		return "it starts with \"" APP_SECRET_INSECURE_PREFIX
		       "\", the key of a development project";
	while (*p != '\0') {
		cp = next_cp(&p);
		chars++;
		for (i = 0; i < distinct && seen[i] != cp; i++)
			;
		if (i == distinct && distinct < APP_SECRET_MIN_DISTINCT)
			seen[distinct++] = cp;
	}
	if (chars < APP_SECRET_MIN_CHARS)
		return "it is shorter than 50 characters";
	if (distinct < APP_SECRET_MIN_DISTINCT)
		return "it has fewer than 5 distinct characters";
	return NULL;
}
_Static_assert(APP_SECRET_MIN_CHARS == 50 && APP_SECRET_MIN_DISTINCT == 5,
    "the messages above name the figures");

/*
 * A weak secret stops the program; with DEBUG it is admitted with one
 * warning on stderr. The key itself is never printed.
 */
static enum app_err
check_secret(struct ctx *c, const struct app_config *cfg, const char *name,
    const char *key)
{
	const char *why = app_secret_weakness(key);

	if (why == NULL)
		return APP_OK;
	if (cfg->debug) {
		fprintf(stderr,
		    "config: warning: %s is weak (%s); accepted only because "
		    "DEBUG is true\n",
		    name, why);
		return APP_OK;
	}
	return failf(c,
	    "%s: too weak (%s; Django's security.W009): use 50 or more "
	    "random characters, e.g. openssl rand -base64 48, or set "
	    "DEBUG true for development",
	    name, why);
}

/*
 * PASSWORD_HASHERS as pw_ algorithms, each once (Django would let a
 * later duplicate shadow nothing: a sign of a mistake), and scrypt's
 * rules on its parameters (RFC 7914, 2; pw_params_check).
 */
static enum app_err
check_hashers(struct ctx *c, struct app_config *cfg)
{
	uint32_t n = cfg->password_hasher.scrypt_work_factor;
	uint32_t r = cfg->password_hasher.scrypt_block_size;
	uint32_t p = cfg->password_hasher.scrypt_parallelism;
	size_t i, j, k;

	for (i = 0; i < cfg->password_hashers_len; i++) {
		for (k = 0; k < PW_ALGO__MAX; k++)
			if (strcmp(cfg->password_hashers[i],
				pw_algo_path((enum pw_algo)k)) == 0)
				break;
		if (k == PW_ALGO__MAX)
			return APP_EINTERNAL; /* ck_hasher let it through */
		cfg->password_hashers_algo[i] = (enum pw_algo)k;
		for (j = 0; j < i; j++)
			if (cfg->password_hashers_algo[j] == (enum pw_algo)k)
				return failf(c,
				    "PASSWORD_HASHERS[%zu]: %s is listed "
				    "twice (also at [%zu])",
				    i, cfg->password_hashers[i], j);
	}
	if ((n & (n - 1)) != 0)
		return failf(c,
		    "PASSWORD_HASHER.SCRYPT_WORK_FACTOR: must be a power of "
		    "two");
	if (r == 1 && n >= 65536)
		return failf(c,
		    "PASSWORD_HASHER.SCRYPT_WORK_FACTOR: must be below "
		    "65536 when SCRYPT_BLOCK_SIZE is 1 (RFC 7914)");
	if ((uint64_t)n * r * p > PW_SCRYPT_WORK_MAX)
		return failf(c,
		    "PASSWORD_HASHER.SCRYPT_WORK_FACTOR: times "
		    "SCRYPT_BLOCK_SIZE times SCRYPT_PARALLELISM must be at "
		    "most %llu",
		    (unsigned long long)PW_SCRYPT_WORK_MAX);
	return APP_OK;
}

static enum app_err
check_rules(struct ctx *c, struct app_config *cfg)
{
	const struct app_throttle_rate *r;
	enum account_authentication_method am =
	    cfg->account.authentication_method;
	enum app_err er;
	size_t i, j, n;

	if ((er = env_override(c, "SECRET_KEY", &cfg->secret_key)) != APP_OK)
		return er;
	if ((er = env_override(c, "DATABASE_URL", &cfg->database_url)) !=
	    APP_OK)
		return er;
	if ((er = check_secret(c, cfg, "SECRET_KEY", cfg->secret_key)) !=
	    APP_OK)
		return er;
	if ((er = check_keypair(c, cfg)) != APP_OK)
		return er;
	if (cfg->simple_jwt.algorithm[0] == 'H' &&
	    cfg->simple_jwt.signing_key != NULL &&
	    (er = check_secret(c, cfg, "SIMPLE_JWT.SIGNING_KEY",
		 cfg->simple_jwt.signing_key)) != APP_OK)
		return er;
	if (cfg->simple_jwt.signing_key == NULL &&
	    (cfg->simple_jwt.signing_key = strdup(cfg->secret_key)) == NULL)
		return nomem(c);

	if (cfg->password_hasher.memory_cost <
	    8 * cfg->password_hasher.parallelism)
		return failf(c,
		    "PASSWORD_HASHER.MEMORY_COST: must be at least "
		    "8 * PARALLELISM (%u)",
		    8 * cfg->password_hasher.parallelism);
	if ((er = check_hashers(c, cfg)) != APP_OK)
		return er;

	/* allauth account/app_settings.py __init__ asserts */
	if (am == ACCOUNT_AUTH_EMAIL && !cfg->account.email_required)
		return failf(c,
		    "ACCOUNT.EMAIL_REQUIRED: must be true when "
		    "ACCOUNT.AUTHENTICATION_METHOD is \"email\"");
	if (am != ACCOUNT_AUTH_USERNAME && !cfg->account.unique_email)
		return failf(c,
		    "ACCOUNT.UNIQUE_EMAIL: must be true when "
		    "ACCOUNT.AUTHENTICATION_METHOD is \"%s\"",
		    auth_methods[am]);
	if (cfg->account.email_verification ==
		ACCOUNT_EMAIL_VERIFICATION_MANDATORY &&
	    !cfg->account.email_required)
		return failf(c,
		    "ACCOUNT.EMAIL_REQUIRED: must be true when "
		    "ACCOUNT.EMAIL_VERIFICATION is \"mandatory\"");
	/* Without a username the only way in is the email address. */
	if (!cfg->account.username_required && am != ACCOUNT_AUTH_EMAIL)
		return failf(c,
		    "ACCOUNT.USERNAME_REQUIRED: false needs "
		    "ACCOUNT.AUTHENTICATION_METHOD \"email\"");

	/* DRF raises ImproperlyConfigured at the first request otherwise. */
	for (i = 0; i < cfg->rest_framework.default_throttle_classes_len; i++) {
		for (n = 0; throttle_classes[n] != NULL; n++)
			if (strcmp(
				cfg->rest_framework.default_throttle_classes[i],
				throttle_classes[n]) == 0)
				break;
		for (j = 0; j < cfg->rest_framework.default_throttle_rates_len;
		     j++) {
			r = &cfg->rest_framework.default_throttle_rates[j];
			if (strcmp(r->scope, throttle_scopes[n]) == 0)
				break;
		}
		if (j == cfg->rest_framework.default_throttle_rates_len)
			return failf(c,
			    "REST_FRAMEWORK.DEFAULT_THROTTLE_RATES: "
			    "no rate for scope \"%s\" (%s needs "
			    "one)",
			    throttle_scopes[n], throttle_classes[n]);
	}
	return APP_OK;
}

/* --- entry points ---------------------------------------------------- */

/*
 * dj-rest-auth's two JWT cookies share JWT_AUTH_SECURE, _HTTPONLY,
 * _SAMESITE and _COOKIE_DOMAIN (read into jwt_access; jwt_refresh
 * borrows them); the access cookie's path is "/"; each lives as long as
 * its token.
 */
static void
jwt_cookies_fill(struct app_config *cfg)
{
	struct app_cookie *a = &cfg->rest_auth.jwt_access;
	struct app_cookie *r = &cfg->rest_auth.jwt_refresh;

	a->path = NULL;
	a->age = cfg->simple_jwt.access_token_lifetime;
	r->age = cfg->simple_jwt.refresh_token_lifetime;
	r->secure = a->secure;
	r->httponly = a->httponly;
	r->samesite = a->samesite;
	r->domain = a->domain;
}

/* Wipe the secrets' copies inside the parse tree before it is freed. */
static void
wipe_tree(json_object *root)
{
	static const char *const secret[] = { "SECRET_KEY", "DATABASE_URL" };
	json_object *v, *jwt;
	size_t i;

	for (i = 0; i < 2; i++)
		if (json_object_object_get_ex(root, secret[i], &v) &&
		    json_object_is_type(v, json_type_string))
			OPENSSL_cleanse(
			    (void *)(uintptr_t)json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
	if (json_object_object_get_ex(root, "SIMPLE_JWT", &jwt) &&
	    json_object_object_get_ex(jwt, "SIGNING_KEY", &v) &&
	    json_object_is_type(v, json_type_string))
		OPENSSL_cleanse((void *)(uintptr_t)json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
}

enum app_err
app_config_load(const char *path, struct app_config *cfg, char *err,
    size_t errsz)
{
	struct ctx c;
	json_object *root = NULL;
	char *buf = NULL;
	size_t len = 0;
	enum app_err er;

	memset(cfg, 0, sizeof(*cfg));
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errsz = errsz;
	c.file = path != NULL && *path != '\0' ? path : NULL;
	if (err != NULL && errsz > 0)
		err[0] = '\0';

	if (path != NULL && *path != '\0') {
		if ((er = read_file(&c, path, &buf, &len)) != APP_OK)
			goto out;
		if ((er = parse_file(&c, path, buf, len, &root)) != APP_OK)
			goto out;
	}
	if ((er = apply_table(&c, top_keys, root, cfg, cfg)) != APP_OK)
		goto out;
	cfg->allowed_hosts_given = root != NULL &&
	    json_object_object_get_ex(root, "ALLOWED_HOSTS", NULL);
	jwt_cookies_fill(cfg);
	er = check_rules(&c, cfg);
out:
	if (root != NULL)
		wipe_tree(root);
	json_object_put(root);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (er != APP_OK)
		app_config_free(cfg);
	return er;
}

void
app_config_free(struct app_config *cfg)
{
	size_t i, k;

	if (cfg == NULL)
		return;
	free_table(top_keys, cfg);
	for (i = 0; i < cfg->auth_password_validators_len; i++)
		for (k = 0; k < APP_VALIDATOR__MAX; k++)
			free_table(validators[k].opts,
			    &cfg->auth_password_validators[i]);
	free(cfg->auth_password_validators);
	for (i = 0; i < cfg->rest_framework.default_throttle_rates_len; i++)
		free(cfg->rest_framework.default_throttle_rates[i].scope);
	free(cfg->rest_framework.default_throttle_rates);
	memset(cfg, 0, sizeof(*cfg));
}

bool
app_config_installed(const struct app_config *cfg, const char *app)
{
	return app_str_in(cfg->installed_apps, cfg->installed_apps_len, app);
}

const char *
app_config_path(void)
{
	const char *p = getenv("RESTAUTH_CONFIG");

	return p != NULL && *p != '\0' ? p : RESTAUTH_DEFAULT_CONFIG;
}
