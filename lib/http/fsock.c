/*
 * fsock.c: accept FastCGI connections, and hand one to libfcgi only when
 * its params are whole and sound (see fsock.h for why).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fastcgi.h>

#include "fsock.h"
#include "log.h"

/* First wait before peeking again at a connection seen incomplete (a
 * request split over two writes is complete a moment later), and the
 * longest: poll cannot wait for "more than what is there" on a unix
 * socket (SO_RCVLOWAT does not apply), so incomplete ones are re-peeked
 * on a timer rather than on POLLIN, which would fire at once. */
#define FSOCK_RECHECK_FIRST_MS 1
#define FSOCK_RECHECK_MAX_MS 64
/* Closing: how long to wait for the web server to close its end after
 * the answer (libfcgi waits 2 s for each read, without bound). */
#define FSOCK_DRAIN_MS 2000

static void
mono_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static void
ts_add_ms(struct timespec *ts, long ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Milliseconds from now to then, rounded up; <= 0 when passed. */
static long
ms_until(const struct timespec *then, const struct timespec *now)
{
	long long ns = (long long)(then->tv_sec - now->tv_sec) * 1000000000LL +
	    (then->tv_nsec - now->tv_nsec);

	if (ns <= 0)
		return 0;
	return (long)((ns + 999999) / 1000000);
}

/* A 1- or 4-byte FastCGI length at p[*i], within len; false if cut. */
static bool
pair_len(const unsigned char *p, size_t len, size_t *i, size_t *out)
{
	if (*i >= len)
		return false;
	if ((p[*i] & 0x80) == 0) {
		*out = p[(*i)++];
		return true;
	}
	if (len - *i < 4)
		return false;
	*out = ((size_t)(p[*i] & 0x7f) << 24) | ((size_t)p[*i + 1] << 16) |
	    ((size_t)p[*i + 2] << 8) | p[*i + 3];
	*i += 4;
	return true;
}

/* Every name-value pair of the params stream fits in it. */
static bool
params_ok(const unsigned char *p, size_t len)
{
	size_t i = 0, nlen, vlen;

	while (i < len) {
		if (!pair_len(p, len, &i, &nlen) ||
		    !pair_len(p, len, &i, &vlen))
			return false;
		if (nlen > len - i || vlen > len - i - nlen)
			return false;
		i += nlen + vlen;
	}
	return true;
}

enum fsock_check
fsock_check_records(const unsigned char *b, size_t n, unsigned char *params,
    const char **why)
{
	size_t off = 0, plen = 0, clen, total;
	unsigned rid = 0, role;

	for (;;) {
		if (n - off < FCGI_HEADER_LEN)
			goto short_;
		if (b[off] != FCGI_VERSION_1) {
			*why = "not FastCGI version 1";
			return FSOCK_BAD;
		}
		clen = ((size_t)b[off + 4] << 8) | b[off + 5];
		total = FCGI_HEADER_LEN + clen + b[off + 6];
		if (total > LIMIT_FCGI_PARAMS_BYTES - off) {
			*why = "params too large";
			return FSOCK_BAD;
		}
		if (rid == 0) {
			rid = ((unsigned)b[off + 2] << 8) | b[off + 3];
			if (b[off + 1] != FCGI_BEGIN_REQUEST || rid == 0 ||
			    clen != sizeof(FCGI_BeginRequestBody)) {
				*why = "no BEGIN_REQUEST first";
				return FSOCK_BAD;
			}
			if (n - off < total)
				goto short_;
			role = ((unsigned)b[off + 8] << 8) | b[off + 9];
			if (role < FCGI_RESPONDER || role > FCGI_FILTER) {
				*why = "unknown role";
				return FSOCK_BAD;
			}
			off += total;
			continue;
		}
		if (b[off + 1] != FCGI_PARAMS ||
		    (((unsigned)b[off + 2] << 8) | b[off + 3]) != rid) {
			*why = "a record other than PARAMS before the body";
			return FSOCK_BAD;
		}
		if (n - off < total)
			goto short_;
		if (clen == 0)
			break;
		memcpy(params + plen, b + off + FCGI_HEADER_LEN, clen);
		plen += clen;
		off += total;
	}
	if (!params_ok(params, plen)) {
		*why = "a name or value length past the params";
		return FSOCK_BAD;
	}
	return FSOCK_WHOLE;
short_:
	if (n >= LIMIT_FCGI_PARAMS_BYTES) {
		*why = "params too large";
		return FSOCK_BAD;
	}
	return FSOCK_MORE;
}

static void
conn_drop(struct fsock *s, size_t i)
{
	close(s->conn[i].fd);
	s->conn[i] = s->conn[--s->nconn];
}

static void
conn_add(struct fsock *s, int fd, bool dated)
{
	struct fsock_conn *c = &s->conn[s->nconn++];

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->dated = dated;
	if (dated) {
		mono_now(&c->deadline);
		c->deadline.tv_sec += LIMIT_FCGI_READ_SECONDS;
	}
}

/* libfcgi's FCGI_WEB_SERVER_ADDRS: the IPv4 peers it takes (all if
 * unset). Other address families pass, as in libfcgi. */
static bool
peer_ok(const struct sockaddr_storage *sa)
{
	const char *list = getenv("FCGI_WEB_SERVER_ADDRS"), *p, *e;
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	struct in_addr a;
	char one[INET_ADDRSTRLEN];
	size_t len;

	if (sa->ss_family != AF_INET || list == NULL || *list == '\0')
		return true;
	for (p = list; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		len = (size_t)(e - p);
		if (len >= sizeof(one))
			continue;
		memcpy(one, p, len);
		one[len] = '\0';
		if (inet_pton(AF_INET, one, &a) == 1 &&
		    a.s_addr == in->sin_addr.s_addr)
			return true;
	}
	return false;
}

/* Errors of accept() that concern one connection, not the socket
 * (libfcgi's list, after Apache's). */
static bool
accept_errno_passing(int e)
{
	return e == ECONNABORTED || e == EPROTO || e == ECONNRESET ||
	    e == ETIMEDOUT || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == EINTR;
}

/* Accept one connection, if the listening socket still has one (a
 * backlog keeps it readable for the next poll). -1 on an error of the
 * socket itself. */
static int
accept_new(struct fsock *s)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	fd = accept4(s->listen_fd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    accept_errno_passing(errno))
			return 0;
		log_warn("FastCGI accept");
		return -1;
	}
	if (sa.ss_family == AF_INET || sa.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (!peer_ok(&sa))
		close(fd);
	else
		conn_add(s, fd, true);
	return 0;
}

/*
 * Peek at connection i after poll said revents (0: just accepted, or
 * its recheck time).
 * FSOCK_WHOLE leaves it in the table for the caller; the others drop it
 * or set it to wait.
 */
static enum fsock_check
conn_check(struct fsock *s, size_t i, short revents)
{
	struct fsock_conn *c = &s->conn[i];
	const char *why = NULL;
	struct timespec now;
	enum fsock_check r;
	ssize_t n;

	n = recv(c->fd, s->peek, LIMIT_FCGI_PARAMS_BYTES,
	    MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) &&
	    !(revents & (POLLHUP | POLLERR)))
		return FSOCK_MORE;
	if (n <= 0) {
		/* The web server closed it (idle kept, or given up). */
		conn_drop(s, i);
		return FSOCK_BAD;
	}
	r = fsock_check_records(s->peek, (size_t)n, s->params, &why);
	if (r == FSOCK_MORE && (revents & (POLLRDHUP | POLLHUP | POLLERR))) {
		why = "closed before its params were whole";
		r = FSOCK_BAD;
	}
	if (r == FSOCK_BAD) {
		log_warnx("FastCGI connection dropped: %s", why);
		conn_drop(s, i);
		return r;
	}
	if (r == FSOCK_MORE) {
		mono_now(&now);
		if (!c->dated) {
			/* A kept connection: its next request has begun. */
			c->dated = true;
			c->deadline = now;
			c->deadline.tv_sec += LIMIT_FCGI_READ_SECONDS;
		}
		c->backoff_ms =
		    c->waiting ? c->backoff_ms * 2 : FSOCK_RECHECK_FIRST_MS;
		if (c->backoff_ms > FSOCK_RECHECK_MAX_MS)
			c->backoff_ms = FSOCK_RECHECK_MAX_MS;
		c->waiting = true;
		c->recheck = now;
		ts_add_ms(&c->recheck, c->backoff_ms);
	}
	return r;
}

/* Drop the connections past their deadline; the poll timeout until the
 * next deadline or recheck (-1: none). */
static int
expire(struct fsock *s)
{
	struct timespec now;
	long t, best = -1;
	size_t i;

	mono_now(&now);
	for (i = 0; i < s->nconn;) {
		struct fsock_conn *c = &s->conn[i];

		if (c->dated && ms_until(&c->deadline, &now) == 0) {
			log_warnx("FastCGI connection dropped: params not "
				  "whole within %d s",
			    LIMIT_FCGI_READ_SECONDS);
			conn_drop(s, i);
			continue;
		}
		if (c->dated) {
			t = ms_until(&c->deadline, &now);
			best = best < 0 || t < best ? t : best;
		}
		if (c->waiting) {
			t = ms_until(&c->recheck, &now);
			best = best < 0 || t < best ? t : best;
		}
		i++;
	}
	return best > INT32_MAX ? INT32_MAX : (int)best;
}

/*
 * Whether the table has room for one more connection, or can make it
 * by closing (when make) a connection the web server keeps idle: a
 * full table of those must not keep new ones waiting (nginx keeps up to
 * its upstream keepalive count open, and reconnects).
 */
static bool
room(struct fsock *s, bool make)
{
	size_t i;

	if (s->nconn < LIMIT_FCGI_PENDING)
		return true;
	for (i = 0; i < s->nconn; i++)
		if (!s->conn[i].dated) {
			if (make)
				conn_drop(s, i);
			return true;
		}
	return false;
}

/* Take connection i (whole) out of the table: its fd. */
static int
conn_take(struct fsock *s, size_t i)
{
	int fd = s->conn[i].fd;

	s->conn[i] = s->conn[--s->nconn];
	return fd;
}

/* The first connection whose request is whole, taken out of the
 * table: its fd, or -1 on an error of the listening socket. */
static int
wait_whole(struct fsock *s)
{
	struct pollfd pfd[LIMIT_FCGI_PENDING + 1];
	struct timespec now;
	size_t i, n, np;
	int timeout;

	for (;;) {
		timeout = expire(s);
		np = 0;
		if (s->nconn < LIMIT_FCGI_PENDING || room(s, false)) {
			pfd[np].fd = s->listen_fd;
			pfd[np].events = POLLIN;
			pfd[np++].revents = 0;
		}
		for (i = 0; i < s->nconn; i++) {
			pfd[np].fd = s->conn[i].fd;
			pfd[np].events =
			    s->conn[i].waiting ? POLLRDHUP : POLLIN | POLLRDHUP;
			pfd[np++].revents = 0;
		}
		if (poll(pfd, np, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("FastCGI poll");
			return -1;
		}
		/* The table as polled: pfd[k] is conn[k - first]. Walk it
		 * from the end, so a drop (which moves the last entry into
		 * its slot) never skips one. */
		mono_now(&now);
		n = s->nconn;
		for (i = n; i-- > 0;) {
			struct pollfd *p = &pfd[np - n + i];
			struct fsock_conn *c = &s->conn[i];
			short ev = p->revents;

			if (ev == 0 &&
			    !(c->waiting && ms_until(&c->recheck, &now) == 0))
				continue;
			if (conn_check(s, i, ev) == FSOCK_WHOLE)
				return conn_take(s, i);
		}
		if (np == n || !(pfd[0].revents & POLLIN) || !room(s, true))
			continue;
		n = s->nconn;
		if (accept_new(s) == -1)
			return -1;
		/* A web server writes its request as soon as it connects: it
		 * is usually all there already, without another poll. */
		if (s->nconn > n && conn_check(s, n, 0) == FSOCK_WHOLE)
			return conn_take(s, n);
	}
}

/* Set by the alarm that ends a blocked read of the body. */
static volatile sig_atomic_t alarm_fired;

static void
on_alarm(int sig)
{
	(void)sig; /* interrupts a read that ran out of time */
	alarm_fired = 1;
}

enum app_err
fsock_init(struct fsock *s, FCGX_Request *rq)
{
	int listen_fd = FCGI_LISTENSOCK_FILENO, fl;
	struct sigaction sa;

	memset(s, 0, sizeof(*s));
	s->listen_fd = listen_fd;
	s->rq = rq;
	s->peek = malloc(LIMIT_FCGI_PARAMS_BYTES);
	s->params = malloc(LIMIT_FCGI_PARAMS_BYTES);
	if (s->peek == NULL || s->params == NULL)
		return APP_ENOMEM;
	/* Several processes share the socket: poll says a connection is
	 * there, another process may take it first. */
	if ((fl = fcntl(listen_fd, F_GETFL)) == -1 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_warn("FastCGI socket O_NONBLOCK");
		return APP_EINTERNAL;
	}
	/* No SA_RESTART: the alarm interrupts a read past its deadline. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) == -1) {
		log_warn("sigaction SIGALRM");
		return APP_EINTERNAL;
	}
	return APP_OK;
}

void
fsock_free(struct fsock *s)
{
	while (s->nconn > 0)
		conn_drop(s, s->nconn - 1);
	free(s->peek);
	free(s->params);
	s->peek = s->params = NULL;
}

int
fsock_accept(struct fsock *s)
{
	FCGX_Request *rq = s->rq;
	int fd;

	for (;;) {
		/* A connection the web server keeps between requests
		 * (FCGI_KEEP_CONN) waits with the new ones, undated. */
		if (rq->ipcFd >= 0 && s->nconn < LIMIT_FCGI_PENDING)
			conn_add(s, rq->ipcFd, false);
		else if (rq->ipcFd >= 0)
			close(rq->ipcFd);
		rq->ipcFd = -1;
		if ((fd = wait_whole(s)) == -1)
			return -1;
		s->dropped = false;
		rq->ipcFd = fd;
		/* FCGX_Accept_r first finishes the last request: keep it from
		 * closing this descriptor; and let whatever libfcgi closes be
		 * closed at once (fsock_finish drains, bounded). */
		rq->keepConnection = 1;
		rq->detached = 1;
		/* Checked: only a read error fails now, and then libfcgi
		 * has closed it (rq->listen_sock is -1: it cannot accept). */
		if (FCGX_Accept_r(rq) == 0)
			return 0;
		rq->ipcFd = -1;
	}
}

/* Arm (ms > 0) or stop (0) the alarm that ends a blocked read. */
static void
alarm_ms(long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	(void)setitimer(ITIMER_REAL, &it, NULL);
}

long
fsock_read(void *arg, char *buf, size_t n)
{
	struct fsock *s = arg;
	FCGX_Stream *in = s->rq->in;
	int chunk = n > 65536 ? 65536 : (int)n, got;

	/* What libfcgi has already read costs no system call. */
	if (in->stop - in->rdNext > 0) {
		if (chunk > in->stop - in->rdNext)
			chunk = (int)(in->stop - in->rdNext);
		return FCGX_GetStr(buf, chunk, in);
	}
	if (s->dropped)
		return -1;
	/* Each blocking read of the body gets the whole limit: a stalled
	 * connection is dropped LIMIT_FCGI_READ_SECONDS after its last
	 * byte, however long the request took before it read the body
	 * (a slow database, a program under valgrind). libfcgi keeps the
	 * EINTR of a cut read as the stream's error, so the flag, not the
	 * error, tells the alarm from another signal (SIGTERM). */
	alarm_fired = 0;
	alarm_ms(LIMIT_FCGI_READ_SECONDS * 1000L);
	got = FCGX_GetStr(buf, chunk, in);
	alarm_ms(0);
	if (!alarm_fired)
		return got;
	log_warnx("FastCGI connection dropped: body not read within %d s",
	    LIMIT_FCGI_READ_SECONDS);
	s->dropped = true;
	return got > 0 ? got : -1;
}

/* Close fd as libfcgi does (shut our side, read what the web server
 * still sends until it closes), but within FSOCK_DRAIN_MS in all. */
static void
drain_close(int fd)
{
	struct timespec end, now;
	struct pollfd p;
	char trash[1024];
	long left;

	if (shutdown(fd, SHUT_WR) == 0) {
		mono_now(&end);
		ts_add_ms(&end, FSOCK_DRAIN_MS);
		p.fd = fd;
		p.events = POLLIN;
		for (;;) {
			mono_now(&now);
			if ((left = ms_until(&end, &now)) == 0 ||
			    poll(&p, 1, (int)left) <= 0 ||
			    read(fd, trash, sizeof(trash)) <= 0)
				break;
		}
	}
	close(fd);
}

void
fsock_finish(struct fsock *s)
{
	FCGX_Request *rq = s->rq;
	int keep = rq->keepConnection;

	/* libfcgi writes the end of the answer, and closes only a
	 * connection with an error (at once: fsock_accept set detached);
	 * we close the rest. */
	rq->keepConnection = 1;
	FCGX_Finish_r(rq);
	if (rq->ipcFd >= 0 && (!keep || s->dropped)) {
		if (s->dropped)
			close(rq->ipcFd);
		else
			drain_close(rq->ipcFd);
		rq->ipcFd = -1;
	}
	rq->keepConnection = keep;
}
