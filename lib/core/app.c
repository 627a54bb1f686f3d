/* app.c: the error names, app_einput and the clock (app.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sys/random.h>

#include "app.h"

static const char *const names[APP_ERR__MAX] = {
	[APP_OK] = "ok",
	[APP_EINPUT] = "input",
	[APP_ESHAPE] = "shape",
	[APP_EAUTH] = "auth",
	[APP_EDENIED] = "denied",
	[APP_ENOTFOUND] = "notfound",
	[APP_EMETHOD] = "method",
	[APP_ECONFLICT] = "conflict",
	[APP_ETOOBIG] = "toobig",
	[APP_EMEDIA] = "media",
	[APP_ETHROTTLED] = "throttled",
	[APP_ENOMEM] = "nomem",
	[APP_EINTERNAL] = "internal",
	[APP_EDB] = "db",
};

bool
app_str_in(char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

const char *
app_enum_text(const char *const *table, size_t n, unsigned i,
    const char *fallback)
{
	return i < n && table[i] != NULL ? table[i] : fallback;
}

const char *
app_err_name(enum app_err er)
{
	return app_enum_text(names, APP_ERR__MAX, (unsigned)er, "unknown");
}

enum app_err
app_einput(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return APP_EINPUT;
}

time_t
app_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return time(NULL);
	return ts.tv_sec;
}

void
app_isoformat(char out[APP_DATE_BYTES], time_t t, long us)
{
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, APP_DATE_BYTES, "%Y-%m-%dT%H:%M:%S", &tm);
	/* isoformat() leaves out a zero microsecond part. */
	if (us != 0)
		snprintf(out + n, APP_DATE_BYTES - n, ".%06ldZ", us);
	else
		snprintf(out + n, APP_DATE_BYTES - n, "Z");
}

bool
app_one_in_256(void)
{
	unsigned char dice;

	return getrandom(&dice, 1, GRND_NONBLOCK) == 1 && dice == 0;
}
