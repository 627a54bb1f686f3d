/* app.c: the error names, app_einput and the clock (app.h). */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

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

const char *
app_err_name(enum app_err er)
{
	if ((unsigned)er >= APP_ERR__MAX)
		return "unknown";
	return names[er];
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
