/*
 * test_mail.c: the message mail_message builds (headers, RFC 2047
 * words, body encodings, injection refused), then mail_send through
 * fake sendmail scripts in a mkdtemp folder: delivery, arguments, the
 * descriptors the command sees, failures, a timeout that kills the
 * command's whole process group, SIGPIPE/SIGCHLD left as found and no
 * zombie left behind.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail.h"
#include "testhelp.h"

#define NOW 1714566896 /* Wed, 01 May 2024 12:34:56 UTC */

static char dir[] = "/tmp/test_mail.XXXXXX";

/* The header block of msg must contain line (a whole line). */
static int
has_line(const char *msg, const char *line)
{
	size_t n = strlen(line);
	const char *p = msg;

	for (;;) {
		if (strncmp(p, line, n) == 0 && p[n] == '\n')
			return 1;
		if ((p = strchr(p, '\n')) == NULL || p[1] == '\n')
			return 0;
		p++;
	}
}

static const char *
body_of(const char *msg)
{
	const char *p = strstr(msg, "\n\n");

	return p != NULL ? p + 2 : "";
}

static int
longest_line(const char *s)
{
	int n = 0, max = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			n = 0;
		else if (++n > max)
			max = n;
	}
	return max;
}

static char *
build(const char *from, const char *to, const char *subject, const char *body)
{
	char *msg = NULL;
	size_t len = 0;

	if (mail_message(from, to, subject, body, NOW, &msg, &len) != APP_OK)
		return NULL;
	if (strlen(msg) != len) {
		free(msg);
		return NULL;
	}
	return msg;
}

static void
test_message(void)
{
	const char *p;
	char *m;

	m = build("webmaster@localhost", "alice@example.com",
	    "Password reset on example.com", "Hello,\n\nclick here.\n");
	T_ASSERT(m != NULL);
	if (m == NULL)
		return;
	T_ASSERT(strncmp(m, "From: webmaster@localhost\n", 26) == 0);
	T_ASSERT(has_line(m, "To: alice@example.com"));
	T_ASSERT(has_line(m, "Subject: Password reset on example.com"));
	T_ASSERT(has_line(m, "Date: Wed, 01 May 2024 12:34:56 +0000"));
	T_ASSERT(has_line(m, "MIME-Version: 1.0"));
	T_ASSERT(has_line(m, "Content-Type: text/plain; charset=\"utf-8\""));
	T_ASSERT(has_line(m, "Content-Transfer-Encoding: 7bit"));
	T_STREQ(body_of(m), "Hello,\n\nclick here.\n");
	T_ASSERT(strchr(m, '\r') == NULL);
	p = strstr(m, "\nMessage-ID: <1714566896.");
	T_ASSERT(p != NULL);
	if (p != NULL) {
		p += strlen("\nMessage-ID: <1714566896.");
		T_ASSERT(strspn(p, "0123456789abcdef") == 32);
		T_ASSERT(strncmp(p + 32, "@localhost>\n", 12) == 0);
	}
	free(m);

	/* Two messages never share a Message-ID. */
	{
		char *a = build("a@b.example", "c@d.example", "s", "b");
		char *b = build("a@b.example", "c@d.example", "s", "b");

		T_ASSERT(a != NULL && b != NULL && strcmp(a, b) != 0);
		free(a);
		free(b);
	}
}

static void
test_from(void)
{
	static const struct {
		const char *from, *line, *msgid_host;
	} cases[] = {
		{ "Acme Ltd <noreply@acme.example>",
		    "From: Acme Ltd <noreply@acme.example>", "@acme.example>" },
		{ "  noreply@acme.example  ", "From: noreply@acme.example",
		    "@acme.example>" },
		{ "<noreply@acme.example>", "From: noreply@acme.example",
		    "@acme.example>" },
		{ "Acme, Inc. <a@b.example>",
		    "From: \"Acme, Inc.\" <a@b.example>", "@b.example>" },
		{ "\"Acme, Inc.\" <a@b.example>",
		    "From: \"Acme, Inc.\" <a@b.example>", "@b.example>" },
		{ "Say \"hi\" <a@b.example>",
		    "From: \"Say \\\"hi\\\"\" <a@b.example>", "@b.example>" },
		{ "J\303\274rgen <j@b.example>",
		    "From: =?utf-8?b?SsO8cmdlbg==?= <j@b.example>",
		    "@b.example>" },
		{ "=?utf-8?q?x?= <a@b.example>",
		    "From: \"=?utf-8?q?x?=\" <a@b.example>", "@b.example>" },
		{ "x <a@[127.0.0.1]>", "From: x <a@[127.0.0.1]>",
		    "@localhost>" },
		/* Not an injection: the first part is a (quoted) name. */
		{ "Name <a@b.example> <x@y.example>",
		    "From: \"Name <a@b.example>\" <x@y.example>",
		    "@y.example>" },
	};
	size_t i;
	char *m;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = build(cases[i].from, "to@example.com", "s", "b");
		T_ASSERT(m != NULL);
		if (m == NULL)
			continue;
		if (!has_line(m, cases[i].line))
			fprintf(stderr, "from %s:\n%s\n", cases[i].from, m);
		T_ASSERT(has_line(m, cases[i].line));
		T_ASSERT(strstr(m, cases[i].msgid_host) != NULL);
		free(m);
	}
}

static void
test_subject(void)
{
	/* 80 bytes: 40 x "é", too long for one encoded word. */
	char longsub[81], *m;
	const char *p, *e;
	int i, words = 0;

	m = build("a@b.example", "c@d.example",
	    "R\303\251initialisation du mot de passe", "b");
	T_ASSERT(m != NULL &&
	    has_line(m,
		"Subject: =?utf-8?b?"
		"UsOpaW5pdGlhbGlzYXRpb24gZHUgbW90IGRlIHBhc3Nl?="));
	free(m);

	for (i = 0; i < 40; i++)
		memcpy(longsub + 2 * i, "\303\251", 2);
	longsub[80] = '\0';
	m = build("a@b.example", "c@d.example", longsub, "b");
	T_ASSERT(m != NULL);
	if (m == NULL)
		return;
	/* 45 bytes never split "é": chunks of 44, 36. */
	T_ASSERT(strstr(m, "Subject: =?utf-8?b?") != NULL);
	p = strstr(m, "Subject: ") + strlen("Subject: ");
	for (;;) {
		T_ASSERT(strncmp(p, "=?utf-8?b?", 10) == 0);
		e = strchr(p, '\n');
		T_ASSERT(
		    e != NULL && e - p <= 75 && strncmp(e - 2, "?=", 2) == 0);
		words++;
		if (e == NULL || e[1] != ' ')
			break;
		p = e + 2;
	}
	T_ASSERT(words == 2);
	T_ASSERT(longest_line(m) <= 78);
	free(m);

	/* Long ASCII subjects are folded as encoded words too. */
	memset(longsub, 'a', 80);
	m = build("a@b.example", "c@d.example", longsub, "b");
	T_ASSERT(m != NULL && longest_line(m) <= 78);
	free(m);
	/* Text that looks like an encoded word is encoded. */
	m = build("a@b.example", "c@d.example", "=?utf-8?b?QQ==?=", "b");
	T_ASSERT(m != NULL &&
	    has_line(m, "Subject: =?utf-8?b?PT91dGYtOD9iP1FRPT0/PQ==?="));
	free(m);
	m = build("a@b.example", "c@d.example", "", "b");
	T_ASSERT(m != NULL && has_line(m, "Subject: "));
	free(m);
}

static void
test_body(void)
{
	char *big, *m;
	const char *b;

	m = build("a@b.example", "c@d.example", "s", "one\r\ntwo\rthree");
	T_ASSERT(m != NULL);
	T_STREQ(body_of(m), "one\ntwo\nthree\n");
	T_ASSERT(has_line(m, "Content-Transfer-Encoding: 7bit"));
	free(m);

	m = build("a@b.example", "c@d.example", "s", "Gr\303\274\303\237e\n");
	T_ASSERT(m != NULL && has_line(m, "Content-Transfer-Encoding: 8bit"));
	T_STREQ(m != NULL ? body_of(m) : NULL, "Gr\303\274\303\237e\n");
	free(m);

	m = build("a@b.example", "c@d.example", "s", "");
	T_ASSERT(m != NULL);
	T_STREQ(m != NULL ? body_of(m) : NULL, "");
	free(m);

	/* A line over 998 bytes: quoted-printable, lines <= 76. */
	big = malloc(2001);
	T_ASSERT(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'x', 2000);
	memcpy(big, "\303\251=", 3);
	memcpy(big + 1993, " \n end ", 7);
	big[2000] = '\0';
	m = build("a@b.example", "c@d.example", "s", big);
	T_ASSERT(m != NULL);
	if (m != NULL) {
		T_ASSERT(
		    has_line(m, "Content-Transfer-Encoding: quoted-printable"));
		b = body_of(m);
		T_ASSERT(strncmp(b, "=C3=A9=3Dxxx", 12) == 0);
		T_ASSERT(longest_line(b) <= 76);
		/* Trailing space before a hard break is encoded. */
		T_ASSERT(strstr(b, "x=20\n end=20\n") != NULL);
		T_ASSERT(longest_line(m) <= 78);
	}
	free(m);

	/* The whole message is capped. */
	free(big);
	big = malloc(MAIL_MAX_BYTES + 1);
	T_ASSERT(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'y', MAIL_MAX_BYTES);
	big[MAIL_MAX_BYTES] = '\0';
	m = NULL;
	T_ASSERT(mail_message("a@b.example", "c@d.example", "s", big, NOW, &m,
		     &(size_t) { 0 }) == APP_EINPUT);
	T_ASSERT(m == NULL);
	free(big);
}

static void
test_refused(void)
{
	static const struct {
		const char *from, *to, *subject, *body;
	} bad[] = {
		{ "a@b.example", "c@d.example", "x\r\nBcc: e@f.example", "b" },
		{ "a@b.example", "c@d.example", "x\nBcc: e@f.example", "b" },
		{ "a@b.example", "c@d.example", "x\rBcc: e@f.example", "b" },
		{ "a@b.example", "c@d.example", "tab\there", "b" },
		{ "a@b.example", "c@d.example\nBcc: e@f.example", "s", "b" },
		{ "a@b.example\r\nBcc: e@f.example", "c@d.example", "s", "b" },
		{ "Name\n <a@b.example>", "c@d.example", "s", "b" },
		{ "a@b.example", "c@d.example, e@f.example", "s", "b" },
		{ "a@b.example", "c@d.example,e@f.example", "s", "b" },
		{ "a@b.example", "Name <c@d.example>", "s", "b" },
		{ "a@b.example", "c@d.example;e@f.example", "s", "b" },
		{ "a@b.example", "c @d.example", "s", "b" },
		{ "a@b.example", "\"c\"@d.example", "s", "b" },
		{ "a@b.example", "c(x)@d.example", "s", "b" },
		{ "a@b.example", "cd.example", "s", "b" },
		{ "a@b.example", "c@d@example", "s", "b" },
		{ "a@b.example", "@d.example", "s", "b" },
		{ "a@b.example", "c@", "s", "b" },
		{ "a@b.example", "", "s", "b" },
		{ "", "c@d.example", "s", "b" },
		{ "Name <>", "c@d.example", "s", "b" },
		{ "Name <a@b.example", "c@d.example", "s", "b" },
		{ "Name a@b.example>", "c@d.example", "s", "b" },
		{ "a@b.example", "c@d.example", "bad \377 utf-8", "b" },
		{ "a@b.example", "c@d.example", "overlong \300\257", "b" },
		{ "a@b.example", "c@d.example", "surrogate \355\240\200", "b" },
		{ "a@b.example", "c@d.example", "s", "cut \342\202" },
		{ "Bad \351 <a@b.example>", "c@d.example", "s", "b" },
		{ NULL, "c@d.example", "s", "b" },
		{ "a@b.example", NULL, "s", "b" },
		{ "a@b.example", "c@d.example", NULL, "b" },
		{ "a@b.example", "c@d.example", "s", NULL },
	};
	char *m = NULL, from[600];
	size_t i, len = 0;

	/* A From: that would not fit one line. */
	memset(from, 'n', sizeof(from));
	memcpy(from + sizeof(from) - 16, " <a@b.example>", 15);
	T_ASSERT(mail_message(from, "c@d.example", "s", "b", NOW, &m, &len) ==
	    APP_EINPUT);
	T_ASSERT(mail_message(from + 100, "c@d.example", "s", "b", NOW, &m,
		     &len) == APP_OK);
	free(m);
	m = NULL;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mail_message(bad[i].from, bad[i].to, bad[i].subject,
			bad[i].body, NOW, &m, &len) != APP_EINPUT) {
			fprintf(stderr, "accepted case %zu\n", i);
			T_ASSERT(0);
			free(m);
			m = NULL;
		} else
			T_ASSERT(m == NULL);
	}
}

static int
write_script(const char *name, const char *text, char *path, size_t pathsz)
{
	FILE *f;

	snprintf(path, pathsz, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0 || chmod(path, 0700) != 0)
		return -1;
	return 0;
}

/* The file's contents (malloc'd), or NULL. */
static char *
slurp(const char *name)
{
	char path[256], *buf;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = calloc(1, MAIL_MAX_BYTES + 1);
	if (buf != NULL) {
		n = fread(buf, 1, MAIL_MAX_BYTES, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* A process that is gone or a zombie (nobody may reap it in a container). */
static int
dead(pid_t pid)
{
	char path[64], stat[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	p = strrchr(stat, ')');
	return p != NULL && (p[2] == 'Z' || p[2] == 'X');
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_send(void)
{
	char ok[256], fail[256], slow[256], *m, *s;
	char *argv[] = { ok, dir, "-t", "-i", NULL };
	char *fargv[] = { fail, NULL };
	char *sargv[] = { slow, dir, NULL };
	char *nargv[] = { "/nonexistent/sendmail", "-t", NULL };
	char *rargv[] = { "sendmail", NULL };
	char *tru[] = { "/bin/true", NULL };
	struct sigaction sa, old;
	double t0, dt;
	int fd, i, failed = 0;
	pid_t sleeper;

	T_ASSERT(
	    write_script("ok",
		"#!/bin/sh\n"
		"d=$1; shift\n"
		"printf '%s\\n' \"$@\" > \"$d/args\"\n"
		"if [ -e /proc/$$/fd/50 ]; then echo leaked; "
		"else echo closed; fi > \"$d/fd\"\n"
		"[ \"$(readlink /proc/$$/fd/1)\" = "
		"\"$(readlink /proc/$$/fd/2)\" ] && echo same >> \"$d/fd\"\n"
		"cat > \"$d/msg\"\n",
		ok, sizeof(ok)) == 0);
	T_ASSERT(write_script("fail", "#!/bin/sh\ncat >/dev/null\nexit 3\n",
		     fail, sizeof(fail)) == 0);
	T_ASSERT(write_script("slow",
		     "#!/bin/sh\nsleep 60 &\necho $! > \"$1/sleeper\"\nwait\n",
		     slow, sizeof(slow)) == 0);

	/* A descriptor without FD_CLOEXEC must not reach the command. */
	fd = open("/dev/null", O_RDONLY);
	T_ASSERT(fd >= 0 && dup2(fd, 50) == 50);

	T_ASSERT(mail_send(argv, "Site <noreply@example.com>",
		     "alice@example.com", "R\303\251initialiser",
		     "Bonjour J\303\274rgen,\nhttp://x/confirm/MQ/tok/\n") ==
	    APP_OK);
	m = slurp("msg");
	T_ASSERT(m != NULL);
	if (m != NULL) {
		T_ASSERT(
		    strncmp(m, "From: Site <noreply@example.com>\n", 33) == 0);
		T_ASSERT(has_line(m, "To: alice@example.com"));
		T_ASSERT(
		    has_line(m, "Subject: =?utf-8?b?UsOpaW5pdGlhbGlzZXI=?="));
		T_ASSERT(has_line(m, "Content-Transfer-Encoding: 8bit"));
		T_ASSERT(strstr(m, "@example.com>\n") != NULL);
		T_STREQ(body_of(m),
		    "Bonjour J\303\274rgen,\nhttp://x/confirm/MQ/tok/\n");
	}
	free(m);
	s = slurp("args");
	T_STREQ(s, "-t\n-i\n");
	free(s);
	s = slurp("fd");
	T_STREQ(s, "closed\nsame\n");
	free(s);
	close(50);
	close(fd);

	/* Failures. */
	T_ASSERT(mail_send(fargv, "a@b.example", "c@d.example", "s", "b") ==
	    APP_EINTERNAL);
	T_ASSERT(mail_send(nargv, "a@b.example", "c@d.example", "s", "b") ==
	    APP_EINTERNAL);
	T_ASSERT(mail_send(rargv, "a@b.example", "c@d.example", "s", "b") ==
	    APP_EINTERNAL);
	T_ASSERT(mail_send(NULL, "a@b.example", "c@d.example", "s", "b") ==
	    APP_EINTERNAL);
	T_ASSERT(mail_send_timeout(argv, "a@b.example", "c@d.example", "s", "b",
		     0) == APP_EINTERNAL);
	/* Refused input never runs the command. */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/msg", dir);
		unlink(path);
	}
	T_ASSERT(mail_send(argv, "a@b.example", "c@d.example", "x\nBcc: e@f",
		     "b") == APP_EINPUT);
	T_ASSERT((s = slurp("msg")) == NULL);
	free(s);

	/* Killed at the deadline, with its whole process group. */
	t0 = seconds();
	T_ASSERT(mail_send_timeout(sargv, "a@b.example", "c@d.example", "s",
		     "b", 300) == APP_EINTERNAL);
	dt = seconds() - t0;
	T_ASSERT(dt >= 0.29 && dt < 3);
	s = slurp("sleeper");
	T_ASSERT(s != NULL);
	if (s != NULL) {
		sleeper = (pid_t)strtol(s, NULL, 10);
		for (i = 0; i < 100 && !dead(sleeper); i++)
			usleep(10000);
		T_ASSERT(sleeper > 0 && dead(sleeper));
	}
	free(s);

	/*
	 * A command that never reads: EPIPE now and then, never SIGPIPE
	 * (which would end this test); the disposition is restored.
	 */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	T_ASSERT(sigaction(SIGPIPE, &sa, NULL) == 0);
	for (i = 0; i < 50; i++)
		if (mail_send(tru, "a@b.example", "c@d.example", "s", "b") !=
		    APP_OK)
			failed++;
	fprintf(stderr, "/bin/true: %d of 50 sends saw EPIPE\n", failed);
	T_ASSERT(
	    sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL);

	/* SIGCHLD ignored: the status is still seen, the setting restored. */
	sa.sa_handler = SIG_IGN;
	T_ASSERT(sigaction(SIGCHLD, &sa, NULL) == 0);
	T_ASSERT(
	    mail_send(argv, "a@b.example", "c@d.example", "s", "b") == APP_OK);
	T_ASSERT(mail_send(fargv, "a@b.example", "c@d.example", "s", "b") ==
	    APP_EINTERNAL);
	T_ASSERT(
	    sigaction(SIGCHLD, NULL, &old) == 0 && old.sa_handler == SIG_IGN);
	sa.sa_handler = SIG_DFL;
	T_ASSERT(sigaction(SIGCHLD, &sa, NULL) == 0);

	/* Every child was reaped. */
	errno = 0;
	T_ASSERT(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
}

static void
cleanup(void)
{
	static const char *files[] = { "ok", "fail", "slow", "msg", "args",
		"fd", "sleeper" };
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* struct mail: the subject with allauth's prefix, cut as before; a
 * half-filled mail frees. */
static void
test_struct(void)
{
	struct mail m = { 0 };
	char prefix[200];

	T_ASSERT(mail_subject(&m, NULL, "Password reset") == APP_OK);
	T_STREQ(m.subject, "Password reset");
	mail_free(&m);
	T_ASSERT(m.subject == NULL && m.to == NULL && m.body == NULL);
	T_ASSERT(mail_subject(&m, "[site] ", "Hi") == APP_OK);
	T_STREQ(m.subject, "[site] Hi");
	mail_free(&m);
	memset(prefix, 'p', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	T_ASSERT(mail_subject(&m, prefix, "Hi") == APP_OK);
	T_ASSERT(strlen(m.subject) == MAIL_SUBJECT_BYTES - 1);
	T_ASSERT(m.subject[0] == 'p');
	m.to = strdup("a@b.example");
	mail_free(&m);
	T_ASSERT(m.subject == NULL && m.to == NULL);
	mail_free(NULL);
}

int
main(void)
{
	test_struct();
	test_message();
	test_from();
	test_subject();
	test_body();
	test_refused();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_send();
	cleanup();
	return T_DONE();
}
