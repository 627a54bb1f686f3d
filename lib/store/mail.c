#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "bounds.h"
#include "codec.h"
#include "log.h"
#include "mail.h"
#include "tok.h"

/* RFC 5322, 2.1.1: a line MUST be at most 998 octets, SHOULD 78. */
#define MAIL_LINE_MAX 998
#define MAIL_LINE_SHOULD 78
/* RFC 2047, 2: a header line with encoded words is at most 76 long. */
#define MAIL_WORD_LINE 76
/* Random bytes in a Message-ID. */
#define MAIL_MSGID_BYTES 16
/* From: as configured; keeps a quoted name within one 998-octet line. */
#define MAIL_FROM_MAX 512

/* A capped growable buffer; the first error sticks (curl dynbuf). */
struct mbuf {
	char *p;
	size_t len, cap;
	enum app_err er;
};

static void
mb_add(struct mbuf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->er != APP_OK)
		return;
	if (n > MAIL_MAX_BYTES - b->len) {
		b->er = APP_EINPUT;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap == 0 ? 1024 : b->cap;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->er = APP_ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
mb_str(struct mbuf *b, const char *s)
{
	mb_add(b, s, strlen(s));
}

static void mb_fmt(struct mbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
mb_fmt(struct mbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		if (b->er == APP_OK)
			b->er = APP_EINTERNAL;
		return;
	}
	mb_add(b, tmp, (size_t)n);
}

/* RFC 4648, 4, with padding, as RFC 2047's "B" encoding wants; n is at
 * most one encoded word's worth (mb_words). */
static void
mb_base64(struct mbuf *b, const unsigned char *s, size_t n)
{
	char q[CODEC_B64_LEN(MAIL_WORD_LINE) + 1];
	size_t len = 0;

	if (codec_b64_encode(s, n, CODEC_B64_PAD, q, sizeof(q), &len) !=
	    APP_OK) {
		if (b->er == APP_OK)
			b->er = APP_EINTERNAL;
		return;
	}
	mb_add(b, q, len);
}

/*
 * RFC 2047 encoded words for UTF-8 text s, the first starting at column
 * col, each on its own line of the folded header and no line over 76
 * characters (RFC 2047, 2); a chunk never ends inside a UTF-8 sequence
 * (RFC 2047, 5(3)). Returns the column after the last word.
 */
static size_t
mb_words(struct mbuf *b, const char *str, size_t len, size_t col)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, room;

	while (i < len) {
		if (i > 0) {
			mb_str(b, "\n ");
			col = 1;
		}
		/* "=?utf-8?b?" and "?=" are 12; 4 base64 per 3 bytes. */
		room = 6;
		if (col + 12 + 8 <= MAIL_WORD_LINE)
			room = (MAIL_WORD_LINE - col - 12) / 4 * 3;
		if ((n = len - i) > room) {
			/* Back off to the start of a UTF-8 sequence. */
			n = room;
			while (n > 1 && (s[i + n] & 0xc0) == 0x80)
				n--;
		}
		mb_str(b, "=?utf-8?b?");
		mb_base64(b, s + i, n);
		mb_str(b, "?=");
		col += 12 + (n + 2) / 3 * 4;
		i += n;
	}
	return col;
}

/* Header text: UTF-8 without CR, LF or any other control character. */
static int
header_ok(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return codec_utf8_valid(s, strlen(s));
}

static int
is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* Text that a reader would take for an encoded word must be encoded. */
static int
has_word_start(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '=' && s[i + 1] == '?')
			return 1;
	return 0;
}

/*
 * One bare addr-spec: one "@" with text on both sides, no white space
 * and none of the characters that would make sendmail -t see another
 * recipient or a comment. Non-ASCII is passed on (RFC 6532).
 */
static int
addr_ok(const char *s, size_t n)
{
	size_t i, at = 0, ats = 0;

	if (n < 3 || n > LIMIT_EMAIL_BYTES)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    strchr("\"(),:;<>\\", s[i]) != NULL)
			return 0;
		if (s[i] == '@') {
			ats++;
			at = i;
		}
	}
	return ats == 1 && at > 0 && at < n - 1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && **s == ' ') {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && (*s)[*n - 1] == ' ')
		(*n)--;
}

/* RFC 5322 3.2.3 atext, plus the spaces between atoms of a phrase. */
static int
phrase_plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(s[i] == ' ' || (s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') ||
			strchr("!#$%&'*+-/=?^_`{|}~", s[i]) != NULL))
			return 0;
	return !has_word_start(s, n);
}

/*
 * The display name as a phrase (what Python's formataddr does), from
 * column col: atoms as they are, other ASCII as a quoted-string,
 * non-ASCII as encoded words. A name given quoted is unquoted first.
 * Returns the column after it.
 */
static size_t
mb_phrase(struct mbuf *b, const char *s, size_t n, size_t col)
{
	char *name;
	size_t i, k = 0;

	if ((name = malloc(n + 1)) == NULL) {
		if (b->er == APP_OK)
			b->er = APP_ENOMEM;
		return col;
	}
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		for (i = 1; i < n - 1; i++) {
			if (s[i] == '\\' && i + 1 < n - 1)
				i++;
			name[k++] = s[i];
		}
	} else {
		memcpy(name, s, n);
		k = n;
	}
	if (!is_ascii(name, k))
		col = mb_words(b, name, k, col);
	else if (phrase_plain(name, k)) {
		mb_add(b, name, k);
		col += k;
	} else {
		mb_str(b, "\"");
		for (i = 0; i < k; i++) {
			if (name[i] == '"' || name[i] == '\\') {
				mb_str(b, "\\");
				col++;
			}
			mb_add(b, name + i, 1);
		}
		mb_str(b, "\"");
		col += k + 2;
	}
	free(name);
	return col;
}

/* One body line as quoted-printable (RFC 2045, 6.7), lines <= 76. */
static void
mb_qp_line(struct mbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i, col = 0, tl;
	char t[3];

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && i + 1 < n)) {
			t[0] = (char)c;
			tl = 1;
		} else {
			t[0] = '=';
			t[1] = hex[c >> 4];
			t[2] = hex[c & 15];
			tl = 3;
		}
		if (col + tl > 75) {
			mb_str(b, "=\n");
			col = 0;
		}
		mb_add(b, t, tl);
		col += tl;
	}
	mb_str(b, "\n");
}

/* Length of the line at s (up to CR or LF) and of its line end. */
static size_t
line_at(const char *s, size_t *eol)
{
	size_t n = strcspn(s, "\r\n");

	if (s[n] == '\0')
		*eol = 0;
	else if (s[n] == '\r' && s[n + 1] == '\n')
		*eol = 2;
	else
		*eol = 1;
	return n;
}

/*
 * The body with LF line ends and a final LF: 7bit if ASCII, else 8bit,
 * but quoted-printable when a line is over 998 bytes (as Django does).
 */
static void
mb_body(struct mbuf *b, const char *body)
{
	const char *p, *cte;
	size_t n, eol, longest = 0;
	int qp;

	for (p = body; *p != '\0'; p += n + eol)
		if ((n = line_at(p, &eol)) > longest)
			longest = n;
	qp = longest > MAIL_LINE_MAX;
	if (qp)
		cte = "quoted-printable";
	else if (is_ascii(body, strlen(body)))
		cte = "7bit";
	else
		cte = "8bit";
	mb_fmt(b, "Content-Transfer-Encoding: %s\n\n", cte);
	for (p = body; *p != '\0'; p += n + eol) {
		n = line_at(p, &eol);
		if (qp)
			mb_qp_line(b, p, n);
		else {
			mb_add(b, p, n);
			mb_str(b, "\n");
		}
	}
}

enum app_err
mail_message(const char *from, const char *to, const char *subject,
    const char *body, time_t now, char **out, size_t *outlen)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct mbuf b = { NULL, 0, 0, APP_OK };
	const char *name, *addr, *lt, *dom = "localhost";
	char rnd[2 * MAIL_MSGID_BYTES + 1];
	size_t namelen = 0, addrlen, sublen, i, col;
	struct tm tm;

	if (from == NULL || to == NULL || subject == NULL || body == NULL)
		return APP_EINPUT;
	if (strlen(from) > MAIL_FROM_MAX || !header_ok(from) ||
	    !header_ok(to) || !header_ok(subject) ||
	    !codec_utf8_valid(body, strlen(body)) || !addr_ok(to, strlen(to)))
		return APP_EINPUT;

	/* from: "addr" or "Name <addr>". */
	addr = from;
	addrlen = strlen(from);
	trim(&addr, &addrlen);
	name = addr;
	if (addrlen > 0 && addr[addrlen - 1] == '>') {
		if ((lt = memrchr(addr, '<', addrlen)) == NULL)
			return APP_EINPUT;
		namelen = (size_t)(lt - addr);
		trim(&name, &namelen);
		addrlen -= (size_t)(lt - addr) + 2;
		addr = lt + 1;
	}
	if (!addr_ok(addr, addrlen))
		return APP_EINPUT;
	/* Message-ID's domain: the sender's, if it is a plain host name. */
	lt = (const char *)memchr(addr, '@', addrlen) + 1;
	i = (size_t)(addr + addrlen - lt);
	if (strspn(lt,
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") >= i)
		dom = lt;
	else
		i = strlen(dom);

	if (gmtime_r(&now, &tm) == NULL)
		return APP_EINTERNAL;
	if (tok_hex_random(rnd, MAIL_MSGID_BYTES) != APP_OK)
		return APP_EINTERNAL;

	mb_str(&b, "From: ");
	if (namelen > 0) {
		col = mb_phrase(&b, name, namelen, strlen("From: "));
		/* Fold before the address rather than pass 78 columns. */
		mb_str(&b,
		    col + addrlen + 3 > MAIL_LINE_SHOULD ? "\n <" : " <");
		mb_add(&b, addr, addrlen);
		mb_str(&b, ">\n");
	} else {
		mb_add(&b, addr, addrlen);
		mb_str(&b, "\n");
	}
	/* (Up to LIMIT_EMAIL_BYTES: mb_fmt's line buffer is too short.) */
	mb_str(&b, "To: ");
	mb_str(&b, to);
	mb_str(&b, "\n");
	mb_str(&b, "Subject: ");
	sublen = strlen(subject);
	if (is_ascii(subject, sublen) && !has_word_start(subject, sublen) &&
	    sublen <= MAIL_LINE_SHOULD - strlen("Subject: "))
		mb_add(&b, subject, sublen);
	else
		(void)mb_words(&b, subject, sublen, strlen("Subject: "));
	/* RFC 5322, 3.3; names in English whatever the locale. */
	mb_fmt(&b, "\nDate: %s, %02d %s %04d %02d:%02d:%02d +0000\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	mb_fmt(&b, "Message-ID: <%" PRId64 ".%s@%.*s>\n", (int64_t)now, rnd,
	    (int)i, dom);
	mb_str(&b, "MIME-Version: 1.0\n");
	mb_str(&b, "Content-Type: text/plain; charset=\"utf-8\"\n");
	mb_body(&b, body);

	if (b.er != APP_OK) {
		free(b.p);
		return b.er;
	}
	*out = b.p;
	*outlen = b.len;
	return APP_OK;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The command's whole environment: a PATH for a script's tools, and
 * nothing of ours (SECRET_KEY, DATABASE_URL, RESTAUTH_*: a sendmail, or
 * anything it runs, has no business with them).
 */
static char *const mail_env[] = { MAIL_ENV_PATH, NULL };

/*
 * Start argv with rfd as its standard input, our standard error as its
 * standard output, every other descriptor closed, in a process group of
 * its own, with no signal blocked and SIGPIPE as a fresh process has it.
 * posix_spawn, not fork: glibc's clones without copying our page tables,
 * so neither the spawn nor this process's next request pays for them.
 */
static int
spawn(pid_t *pid, char *const argv[], int rfd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	/* dup2 onto itself clears close-on-exec (glibc >= 2.29). */
	if ((rc = posix_spawn_file_actions_adddup2(&fa, rfd, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, 2, 1)) == 0 &&
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (rc = posix_spawnattr_setflags(&at,
		 POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
		     POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&at, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&at, &def)) == 0)
		rc = posix_spawn(pid, argv[0], &fa, &at, argv, mail_env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/*
 * Write msg to the non-blocking fd before the deadline: 0 done, 1 timed
 * out, -1 failed (logged).
 */
static int
feed(int fd, const char *msg, size_t len, int64_t deadline, const char *cmd)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	int64_t left;
	ssize_t w;
	size_t off = 0;

	while (off < len) {
		w = write(fd, msg + off, len - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w == -1 && errno == EPIPE) {
			log_warnx("mail: %s did not read the whole message",
			    cmd);
			return -1;
		}
		if (w == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			log_warn("mail: write to %s", cmd);
			return -1;
		}
		if ((left = deadline - now_ms()) <= 0)
			return 1;
		if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) == -1 &&
		    errno != EINTR) {
			log_warn("mail: poll");
			return -1;
		}
	}
	return 0;
}

/* Run argv with msg on its stdin; see mail_send. */
static enum app_err
run(char *const argv[], const char *msg, size_t len, int timeout_ms)
{
	struct sigaction ign, dfl, oldpipe, oldchld;
	struct timespec nap;
	char cmd[256];
	int64_t deadline, left, step = 1;
	int fds[2], st = 0, restore_chld = 0, rc;
	int fed = -1, reaped = 0;
	enum app_err er = APP_EINTERNAL;
	pid_t pid, w;

	log_escape(cmd, sizeof(cmd), argv[0], strlen(argv[0]));
	if (access(argv[0], X_OK) == -1) {
		log_warn("mail: %s", cmd);
		return APP_EINTERNAL;
	}
	memset(&ign, 0, sizeof(ign));
	sigemptyset(&ign.sa_mask);
	ign.sa_handler = SIG_IGN;
	dfl = ign;
	dfl.sa_handler = SIG_DFL;

	/*
	 * With SIGCHLD ignored the kernel would reap the child itself and
	 * its exit status would be lost.
	 */
	if (sigaction(SIGCHLD, NULL, &oldchld) == 0 &&
	    oldchld.sa_handler == SIG_IGN) {
		if (sigaction(SIGCHLD, &dfl, NULL) == -1) {
			log_warn("mail: sigaction");
			return APP_EINTERNAL;
		}
		restore_chld = 1;
	}
	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("mail: pipe");
		goto out;
	}
	deadline = now_ms() + timeout_ms;
	if ((rc = spawn(&pid, argv, fds[0])) != 0) {
		log_warnx("mail: %s: %s", cmd, strerror(rc));
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	close(fds[0]);

	/* A reader gone must be EPIPE, not a signal that ends us. */
	if (fcntl(fds[1], F_SETFL, O_NONBLOCK) == -1 ||
	    sigaction(SIGPIPE, &ign, &oldpipe) == -1)
		log_warn("mail: fcntl/sigaction");
	else {
		fed = feed(fds[1], msg, len, deadline, cmd);
		(void)sigaction(SIGPIPE, &oldpipe, NULL);
	}
	close(fds[1]);

	/* Wait, backing off from 1 ms to 32 ms between looks. */
	while (fed != 1) {
		if ((w = waitpid(pid, &st, WNOHANG)) == pid) {
			reaped = 1;
			break;
		}
		if (w == -1 && errno != EINTR) {
			/* Someone else reaped it: nothing left to kill. */
			log_warn("mail: waitpid");
			goto out;
		}
		if ((left = deadline - now_ms()) <= 0)
			break;
		if (step > left)
			step = left;
		nap.tv_sec = 0;
		nap.tv_nsec = (long)step * 1000000;
		(void)nanosleep(&nap, NULL);
		if (step < 32)
			step *= 2;
	}
	if (!reaped) {
		log_warnx("mail: %s timed out after %d ms, killed", cmd,
		    timeout_ms);
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		goto out;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		/* A command that exits 0 without reading all of it failed. */
		if (fed == 0)
			er = APP_OK;
	} else if (WIFEXITED(st))
		log_warnx("mail: %s exited with status %d", cmd,
		    WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		log_warnx("mail: %s killed by signal %d", cmd, WTERMSIG(st));
out:
	if (restore_chld)
		(void)sigaction(SIGCHLD, &oldchld, NULL);
	return er;
}

enum app_err
mail_send_timeout(char *const argv[], const char *from, const char *to,
    const char *subject, const char *body, int timeout_ms)
{
	char *msg = NULL;
	size_t len = 0;
	enum app_err er;

	if (argv == NULL || argv[0] == NULL || argv[0][0] != '/' ||
	    timeout_ms <= 0) {
		log_warnx("mail: the command must be an absolute path");
		return APP_EINTERNAL;
	}
	if ((er = mail_message(from, to, subject, body, app_now(), &msg,
		 &len)) != APP_OK)
		return er;
	er = run(argv, msg, len, timeout_ms);
	free(msg);
	return er;
}

enum app_err
mail_subject(struct mail *m, const char *prefix, const char *text)
{
	char s[MAIL_SUBJECT_BYTES];

	snprintf(s, sizeof(s), "%s%s", prefix != NULL ? prefix : "", text);
	return (m->subject = strdup(s)) != NULL ? APP_OK : APP_ENOMEM;
}

void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	if (m->body != NULL)
		OPENSSL_cleanse(m->body, strlen(m->body));
	free(m->from);
	free(m->to);
	free(m->subject);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

enum app_err
mail_send(char *const argv[], const char *from, const char *to,
    const char *subject, const char *body)
{
	return mail_send_timeout(argv, from, to, subject, body,
	    MAIL_TIMEOUT_MS);
}
