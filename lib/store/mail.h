/*
 * mail.h: one UTF-8 mail through a sendmail-compatible command (SPEC 8;
 * config EMAIL_SENDMAIL, default "/usr/sbin/sendmail -t -i"). The
 * message is RFC 5322 with LF line ends (sendmail converts), the headers
 * Django's EmailMessage writes, and RFC 2047 encoded words for non-ASCII
 * subjects and display names.
 */
#ifndef RESTAUTH_MAIL_H
#define RESTAUTH_MAIL_H

#include <stddef.h>
#include <time.h>

#include "app.h"

/* How long the command may take, message written and exit included. */
#define MAIL_TIMEOUT_MS 10000
/* The command's environment: this, and nothing else. */
#define MAIL_ENV_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
/* A whole message: our mails are a few lines and one link. */
/*
 * One mail, whoever holds it: the mail a use case queues, the outbox
 * row the drainer sends. Owned NUL-terminated strings (malloc'd), wiped
 * and freed by mail_free: a body may hold a secret link.
 */
struct mail {
	char *from; /* NULL in a mail being queued: the queue's sender */
	char *to;
	char *subject;
	char *body;
};

/* Wipe and free m's strings; m may be NULL or half-filled. */
void mail_free(struct mail *m);

/* The longest subject restauth writes, NUL included: longer ones (a
 * long EMAIL_SUBJECT_PREFIX) are cut, as they always were. */
#define MAIL_SUBJECT_BYTES 128

/* m->subject = allauth's EMAIL_SUBJECT_PREFIX (NULL: none) + text, cut
 * to MAIL_SUBJECT_BYTES. APP_OK; APP_ENOMEM. */
enum app_err mail_subject(struct mail *m, const char *prefix,
    const char *text) APP_WUR;

#define MAIL_MAX_BYTES (64 * 1024)

/*
 * Send one mail: run argv (argv[0] an absolute path; no shell, no PATH)
 * with only MAIL_ENV_PATH in its environment, in its own process group with the message on its standard input and
 * its standard output on our standard error, and wait for it. After
 * MAIL_TIMEOUT_MS it is killed (with its process group).
 *
 * from is "addr" or "Name <addr>" (the name may be quoted, and
 * non-ASCII); to is one bare address; subject and body are UTF-8, body
 * lines end in LF (CR LF is taken too).
 *
 * APP_EINPUT: a CR, LF or other control character in from, to or
 * subject (header injection), an address with spaces or any of
 * "(),:;<>\ or not one "@", from over 512 bytes, invalid UTF-8, or a
 * message over MAIL_MAX_BYTES; nothing is run. APP_ENOMEM. APP_EINTERNAL: the
 * command could not be run, did not read the whole message, exited non-zero,
 * was killed or timed out; logged with argv[0] and the status, never the
 * message. The child is always reaped. Safe in a long-running process:
 * no descriptor but 0, 1, 2 reaches the command, and the SIGPIPE and
 * SIGCHLD dispositions are restored before returning.
 */
enum app_err mail_send(char *const argv[], const char *from, const char *to,
    const char *subject, const char *body) APP_WUR;

/* mail_send with another time limit, in milliseconds (> 0). */
enum app_err mail_send_timeout(char *const argv[], const char *from,
    const char *to, const char *subject, const char *body,
    int timeout_ms) APP_WUR;

/*
 * Just build the message mail_send would write, dated now, into *out
 * (NUL-terminated, *outlen bytes without the NUL; the caller frees it
 * with free()). Errors as mail_send, without the APP_EINTERNAL of the
 * command; *out and *outlen are written only on APP_OK.
 */
enum app_err mail_message(const char *from, const char *to, const char *subject,
    const char *body, time_t now, char **out, size_t *outlen) APP_WUR;

#endif
