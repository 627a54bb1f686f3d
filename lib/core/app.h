/*
 * app.h: the one error type every lib/ function returns, and the
 * attributes the whole tree shares.
 */
#ifndef RESTAUTH_APP_H
#define RESTAUTH_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define APP_WUR __attribute__((warn_unused_result))

/*
 * Every fallible lib/ function returns one of these. resp_error() maps
 * each to an HTTP status and a generic DRF-shaped body; callers that
 * know better (field errors) build their own body instead.
 */
enum app_err {
	APP_OK = 0,
	APP_EINPUT, /* 400: the client sent something we refuse */
	APP_ESHAPE, /* 400: well-formed, but not the shape we take */
	APP_EAUTH, /* 401: missing or bad credentials */
	APP_EDENIED, /* 403: authenticated but not allowed */
	APP_ENOTFOUND, /* 404 */
	APP_EMETHOD, /* 405 */
	APP_ECONFLICT, /* 409: a uniqueness constraint said no */
	APP_ETOOBIG, /* 413: body over MAX_BODY_BYTES */
	APP_EMEDIA, /* 415: content type we do not parse */
	APP_ETHROTTLED, /* 429 */
	APP_ENOMEM, /* 500: allocation failed */
	APP_EINTERNAL, /* 500: a bug or an unexpected library failure */
	APP_EDB, /* 503: the database is unreachable or failed */
	APP_ERR__MAX
};

/* A short lower-case name for logs ("input", "db", ...). Never NULL. */
const char *app_err_name(enum app_err);

/* Whether s is one of the n strings of list (exactly, case included). */
bool app_str_in(char *const *list, size_t n, const char *s);

/*
 * The text an enum's value i has in table (n entries, indexed by the
 * enum): fallback for a value out of range or without an entry.
 */
const char *app_enum_text(const char *const *table, size_t n, unsigned i,
    const char *fallback);

/*
 * Why a setting or an input is refused, as one line into err (when err is
 * not NULL and errsz > 0); returns APP_EINPUT.
 */
enum app_err app_einput(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Now, in seconds, from the precise CLOCK_REALTIME. Not time(): glibc's
 * reads the kernel's coarse clock, which lags by up to a tick (and far
 * more on an idle tickless machine), so a token another server (or a
 * client) minted a moment ago could look issued in the future and be
 * refused (iat, as PyJWT checks it).
 */
time_t app_now(void);

/*
 * True about once in 256 calls: when a request also deletes expired
 * rows (throttle, backoff, MFA tokens), so that no cron job is needed.
 * getrandom, not RAND_bytes: a plain CGI process would set up OpenSSL's
 * generator for this one byte.
 */
bool app_one_in_256(void);

/* Python's isoformat() of a UTC time as DRF renders it ("Z" for
 * +00:00; no fraction when us is 0): "2026-12-07T23:10:16.123456Z". */
#define APP_DATE_BYTES 32
void app_isoformat(char out[APP_DATE_BYTES], time_t t, long us);

#endif
