/*
 * log.h: one line per event on stderr, which every web server keeps
 * (after OpenBSD httpd log.c). log_warn appends strerror(errno),
 * log_warnx does not. Callers never pass passwords, tokens, cookies or
 * Authorization values; untrusted text goes through log_escape first.
 */
#ifndef RESTAUTH_LOG_H
#define RESTAUTH_LOG_H

#include <stddef.h>

/* Name shown on each line; the pointer is kept, not copied. */
void log_init(const char *progname);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only when RESTAUTH_DEBUG is set in the environment. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy at most len bytes of untrusted src into dst (size dstsz > 0) with
 * every byte outside printable ASCII written as \xHH; always terminates,
 * truncating if needed. Returns dst.
 */
char *log_escape(char *dst, size_t dstsz, const char *src, size_t len);

#endif
