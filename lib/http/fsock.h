/*
 * fsock.h: the guard in front of libfcgi on a FastCGI listening socket.
 *
 * libfcgi (Debian 12's 2.4.2) reads a request's records with blocking
 * reads and no time limit, and trusts the name and value lengths in
 * PARAMS: a 28-byte record whose name length is 0x7ffffffe makes its
 * ReadParams ask malloc for ~SIZE_MAX bytes and abort the process, and
 * a connection that stops in the middle of a record holds the process
 * for ever. We keep libfcgi for the protocol (its FCGX_Accept_r reads
 * from request->ipcFd when that is already open and never accepts then)
 * and do the accepting ourselves: each new connection waits here, with
 * the others, until its BEGIN_REQUEST and PARAMS records are all in the
 * socket (seen with MSG_PEEK, so libfcgi still reads them), every record
 * header and every name and value length checked against what is left
 * of the params; only then does libfcgi get it. A connection that sends
 * something libfcgi would choke on, or that is not done within
 * LIMIT_FCGI_READ_SECONDS, is closed with one line in the log. The same
 * limit bounds each wait for the body's next bytes, and closing a connection waits a
 * bounded time for the web server's end of it (libfcgi's waits 2 s per
 * byte the peer sends). A patched copy of ReadParams would not do:
 * it is static in fcgiapp.c, with the stream reader under it.
 */
#ifndef RESTAUTH_FSOCK_H
#define RESTAUTH_FSOCK_H

#include <stdbool.h>
#include <time.h>

#include <fcgiapp.h>

#include "app.h"
#include "bounds.h"

enum fsock_check {
	FSOCK_WHOLE, /* BEGIN_REQUEST and every PARAMS record are there */
	FSOCK_MORE, /* valid so far, not all there yet */
	FSOCK_BAD, /* something libfcgi would fail on, or too big */
};

/*
 * The records at the start of a connection (b, n bytes, n at most
 * LIMIT_FCGI_PARAMS_BYTES): one BEGIN_REQUEST for a role libfcgi knows,
 * then PARAMS records of the same request up to the empty one, whose
 * joined content (copied to params, LIMIT_FCGI_PARAMS_BYTES) is a
 * sequence of whole name-value pairs. Anything else libfcgi would skip,
 * answer itself or fail on is FSOCK_BAD, with *why (no web server sends
 * it before the params); so is a start longer than the limit.
 */
enum fsock_check fsock_check_records(const unsigned char *b, size_t n,
    unsigned char *params, const char **why);

/* A connection accepted, its request not yet whole. */
struct fsock_conn {
	int fd;
	bool dated; /* deadline set (not an idle kept one) */
	struct timespec deadline; /* then: drop it if not whole by then */
	bool waiting; /* seen incomplete: peek again at recheck */
	struct timespec recheck;
	long backoff_ms;
};

struct fsock {
	int listen_fd;
	FCGX_Request *rq;
	struct fsock_conn conn[LIMIT_FCGI_PENDING];
	size_t nconn;
	unsigned char *peek; /* LIMIT_FCGI_PARAMS_BYTES: a peeked copy */
	unsigned char *params; /* the params stream, records joined */
	bool dropped; /* its body was not read in time */
};

/*
 * Take over accepting on the FastCGI listening socket (fd 0, made
 * non-blocking) for rq, which must come from FCGX_InitRequest(rq, -1, 0)
 * so that libfcgi never accepts itself. APP_ENOMEM; APP_EINTERNAL
 * (logged). fsock_free is safe after a failure.
 */
enum app_err fsock_init(struct fsock *s, FCGX_Request *rq) APP_WUR;
void fsock_free(struct fsock *s);

/*
 * The next request, accepted and read by libfcgi into s->rq (its env,
 * in and out streams): 0, or -1 when accepting fails for good (the
 * process should leave, as libfcgi's FCGX_Accept_r returns < 0).
 */
int fsock_accept(struct fsock *s);

/* req_io read for s->rq->in, within the connection's deadline. */
long fsock_read(void *arg, char *buf, size_t n);

/* End the request (libfcgi's FCGX_Finish_r) and close or keep its
 * connection. */
void fsock_finish(struct fsock *s);

#endif
