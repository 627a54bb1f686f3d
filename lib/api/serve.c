#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "answer.h"
#include "config.h"
#include "db.h"
#include "fsock.h"
#include "host.h"
#include "jwtmode.h"
#include "log.h"
#include "outbox.h"
#include "policy.h"
#include "pwval.h"
#include "req.h"
#include "resp.h"
#include "serve.h"

extern char **environ;

/* Process the request methods of a view as Django lists them in Allow. */
static void
allow_header(const struct app_endpoint *ep, char *buf, size_t sz)
{
	static const enum req_method order[] = { REQ_GET, REQ_POST, REQ_PUT,
		REQ_PATCH, REQ_DELETE, REQ_HEAD, REQ_OPTIONS };
	static const char *const names[] = { "GET", "POST", "PUT", "PATCH",
		"DELETE", "HEAD", "OPTIONS" };
	unsigned methods = ep->methods | REQ_BIT(REQ_OPTIONS);
	size_t i, off = 0, n;

	/* Django's View.setup: a view with get also answers head. */
	if (methods & REQ_BIT(REQ_GET))
		methods |= REQ_BIT(REQ_HEAD);
	/* Every answer carries it: memcpy, not snprintf (sz fits all). */
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(methods & REQ_BIT(order[i])))
			continue;
		n = strlen(names[i]);
		if (off + 2 + n + 1 > sz)
			break;
		if (off > 0) {
			memcpy(buf + off, ", ", 2);
			off += 2;
		}
		memcpy(buf + off, names[i], n);
		off += n;
	}
	buf[off] = '\0';
}

/* DRF SimpleMetadata, without the per-field "actions" description. */
static void
options_answer(struct app_call *call, const struct app_endpoint *ep)
{
	struct json_object *o, *renders, *parses;

	o = json_object_new_object();
	renders = json_object_new_array();
	parses = json_object_new_array();
	if (o == NULL || renders == NULL || parses == NULL) {
		json_object_put(o);
		json_object_put(renders);
		json_object_put(parses);
		resp_error(call->resp, APP_ENOMEM);
		return;
	}
	json_object_array_add(renders,
	    json_object_new_string("application/json"));
	json_object_array_add(parses,
	    json_object_new_string("application/json"));
	json_object_array_add(parses,
	    json_object_new_string("application/x-www-form-urlencoded"));
	json_object_object_add(o, "name", json_object_new_string(ep->name));
	json_object_object_add(o, "description",
	    json_object_new_string(ep->description));
	json_object_object_add(o, "renders", renders);
	json_object_object_add(o, "parses", parses);
	resp_json(call->resp, 200, o);
}

/*
 * The web server maps a program's path as a prefix ("/auth/user/" also
 * catches "/auth/user/x/"), while Django's URL patterns match the whole
 * (decoded) path. The server splits that path into SCRIPT_NAME and
 * PATH_INFO, each its own way (lighttpd: "/auth/mfa/status" and "/";
 * nginx: "/auth/mfa/" and "status/"; Apache: "/auth/mfa" and
 * "/status/"). An endpoint's path is ours when the whole path ends with
 * "/" + path and the mapped part (mapped, "user/" or a family's "mfa/",
 * its last "/" aside) lies in SCRIPT_NAME. (lighttpd's split cannot
 * tell "/auth/mfa/mfa/status/" from mfa/status/ of a deployment at
 * "/auth/mfa/": a family there takes both.) Without SCRIPT_NAME (a bare
 * CGI call) there is nothing to check. Under Apache's .htaccess
 * rewrites, REDIRECT_URL holds the whole path the client asked for.
 */
static bool
path_matches(const struct req *req, const char *mapped, const char *path,
    size_t plen)
{
	const char *sn = req_env(req, "SCRIPT_NAME");
	const char *pi = req_env(req, "PATH_INFO");
	const char *redirected = req_env(req, "REDIRECT_URL");
	size_t k, n, i, j, mlen = strlen(mapped);

	if (redirected != NULL && redirected[0] != '\0') {
		sn = redirected;
		pi = NULL;
	}
	if (sn == NULL)
		return true;
	if (pi == NULL)
		pi = "";
	k = strlen(sn);
	n = k + strlen(pi);
	/* "/" + path at the end of sn + pi, the mapped part in sn. */
	if (n <= plen || n - plen + mlen - 1 > k)
		return false;
	for (i = 0; i <= plen; i++) {
		j = n - plen - 1 + i;
		if ((j < k ? sn[j] : pi[j - k]) != (i == 0 ? '/' : path[i - 1]))
			return false;
	}
	return true;
}

void
app_mail_queued(struct app_call *call)
{
	call->mail_queued = true;
}

/*
 * After the answer: start the drainer for what the request queued. The
 * request itself never runs sendmail, so the next request this process
 * takes does not wait for it (that wait told known addresses from
 * unknown ones).
 */
static void
mail_queued(struct app_ctx *ctx, struct app_call *call)
{
	if (call->mail_queued &&
	    ctx->cfg.email_outbox_drain == APP_OUTBOX_SPAWN)
		outbox_spawn_drainer(app_config_path());
	call->mail_queued = false;
}

enum app_err
app_body(struct app_call *call)
{
	char msg[REQ_MSG_BYTES];
	struct resp *resp = call->resp;
	enum app_err er;

	if (call->req->data != NULL)
		return APP_OK;
	er = req_read_body(call->req, call->io, call->ctx->cfg.max_body_bytes,
	    msg, sizeof(msg));
	if (er == APP_OK)
		er = req_parse_body(call->req, msg, sizeof(msg));
	if (er == APP_ETOOBIG || er == APP_EINPUT || er == APP_EMEDIA)
		resp_detail(resp, resp_status(er), msg);
	else if (er == APP_ESHAPE)
		/* The serializer's own complaint, not the parser's. */
		resp_field_error(resp, 400, "non_field_errors", msg);
	else if (er != APP_OK)
		resp_error(resp, er);
	return er;
}

/* DRF's APIView.dispatch, in its order. */
static void
pipeline(struct app_call *call, const struct app_endpoint *ep, bool ours)
{
	struct app_ctx *ctx = call->ctx;
	struct req *req = call->req;
	struct resp *resp = call->resp;
	char msg[REQ_MSG_BYTES], allow[96], host[HOST_BYTES];
	struct auth_fail fail = { NULL, NULL, NULL, "" };
	unsigned methods = ep->methods | REQ_BIT(REQ_OPTIONS);
	enum req_method m = req->method;
	enum app_err er;
	long wait = -1;

	/* Django's SecurityMiddleware, whose headers every answer gets,
	 * its https redirect, then django-cors-headers. */
	resp_header(resp, "X-Content-Type-Options", "nosniff");
	resp_header(resp, "Referrer-Policy", "same-origin");
	resp_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	pol_hsts(&ctx->cfg, req, resp);
	/* Django's get_host() raises DisallowedHost: refused before the
	 * redirect (or anything else) builds a URL from the host. */
	if (host_get(&ctx->cfg, req, host) != APP_OK) {
		resp_detail(resp, 400, "Bad Request (400)");
		return;
	}
	if (pol_https_redirect(&ctx->cfg, req, resp))
		return;
	if (pol_cors(&ctx->cfg, req, resp))
		return;
	/* DRF's Vary: Accept, patched with django-cors-headers' origin. */
	resp_header(resp, "Vary", "Accept, origin");
	resp_header(resp, "X-Frame-Options", "DENY");
	allow_header(ep, allow, sizeof(allow));
	resp_header(resp, "Allow", allow);
	if (methods & REQ_BIT(REQ_GET))
		methods |= REQ_BIT(REQ_HEAD);
	if (m == REQ_HEAD)
		resp->head = true;
	if (!ours || (ep->routed != NULL && !ep->routed(&ctx->cfg))) {
		resp_detail(resp, 404, "Not found.");
		return;
	}

	er = ep->no_auth ? APP_OK : auth_request(&ctx->cfg, ctx->jwt,
					&ctx->db, req, &call->auth, &fail);
	if (er == APP_EAUTH) {
		ans_unauthorized(&ctx->cfg, resp, &fail);
		return;
	}
	if (er == APP_EDENIED) {
		resp_detail(resp, 403, fail.detail);
		return;
	}
	if (er != APP_OK) {
		resp_error(resp, er);
		return;
	}
	if (ep->needs_auth && call->auth.kind == AUTH_NONE) {
		fail.detail = "Authentication credentials were not provided.";
		ans_unauthorized(&ctx->cfg, resp, &fail);
		return;
	}
	er = pol_throttle(&ctx->cfg, &ctx->db, req, &call->auth,
	    ep->throttle_scope, &wait);
	if (er == APP_ETHROTTLED) {
		pol_throttled(resp, wait);
		return;
	}
	if (er != APP_OK) {
		resp_error(resp, er);
		return;
	}
	if (!(methods & REQ_BIT(m))) {
		snprintf(msg, sizeof(msg), "Method \"%.64s\" not allowed.",
		    req->method_name);
		resp_detail(resp, 405, msg);
		return;
	}
	if (m == REQ_OPTIONS) {
		options_answer(call, ep);
		return;
	}
	/* DRF parses lazily: only a view that reads the body parses it. */
	if (ep->reads_body &&
	    (m == REQ_POST || m == REQ_PUT || m == REQ_PATCH) &&
	    app_body(call) != APP_OK)
		return;
	ep->handle(call);
}

static long
cgi_read(void *arg, char *buf, size_t n)
{
	size_t got = fread(buf, 1, n, (FILE *)arg);

	return got == 0 && ferror((FILE *)arg) ? -1 : (long)got;
}

/*
 * The endpoint of ep (or of its family, serve.h) that req asked for;
 * NULL when it asked for another path.
 */
static const struct app_endpoint *
route_of(const struct app_endpoint *ep, const struct req *req)
{
	const struct app_endpoint *r;
	size_t i, n;

	if (ep->n_routes == 0)
		return path_matches(req, ep->path, ep->path, strlen(ep->path))
		    ? ep
		    : NULL;
	for (i = 0; i < ep->n_routes; i++) {
		r = &ep->routes[i];
		n = strlen(r->path);
		if (path_matches(req, ep->path, r->path, n) ||
		    (r->slash_optional && n > 1 &&
			path_matches(req, ep->path, r->path, n - 1)))
			return r;
	}
	return NULL;
}

/* Set call up for one request and answer it into resp (not yet written). */
static void
call_answer(struct app_call *call, struct app_ctx *ctx,
    const struct app_endpoint *ep, char **envp, const struct req_io *io,
    struct req *req, struct resp *resp)
{
	const struct app_endpoint *route;

	memset(call, 0, sizeof(*call));
	call->ctx = ctx;
	call->ep = ep;
	call->io = io;
	call->req = req;
	call->resp = resp;
	resp_init(resp);
	if (req_init(req, envp) != APP_OK)
		resp_error(resp, APP_ENOMEM);
	else {
		/* A path not ours goes through the first route's pipeline
		 * (its headers and checks) to its 404. */
		route = route_of(ep, req);
		call->ep = route != NULL ? route
		    : ep->n_routes > 0	 ? &ep->routes[0]
					 : ep;
		pipeline(call, call->ep, route != NULL);
	}
	/* Never leave a transaction open into the next request. */
	db_rollback(&ctx->db);
}

/*
 * One request: answer it, then (the answer already written, and for
 * FastCGI the request finished by the caller through done) send what it
 * left to mail.
 */
static void
serve_one(struct app_ctx *ctx, const struct app_endpoint *ep, char **envp,
    const struct req_io *io, FCGX_Stream *out, void (*done)(void *),
    void *done_arg)
{
	struct req req;
	struct resp resp;
	struct app_call call;
	size_t len = 0;
	char *buf;

	call_answer(&call, ctx, ep, envp, io, &req, &resp);
	if ((buf = resp_render(&resp, &len)) != NULL) {
		if (out != NULL)
			FCGX_PutStr(buf, (int)len, out);
		else
			fwrite(buf, 1, len, stdout);
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	resp_free(&resp);
	OPENSSL_cleanse(&call.auth, sizeof(call.auth));
	/* CGI's done works on the call itself; FastCGI's on the request. */
	done(done_arg != NULL ? done_arg : &call);
	req_free(&req);
	mail_queued(ctx, &call);
}

char *
app_run_one(struct app_ctx *ctx, const struct app_endpoint *ep, char **envp,
    const struct req_io *io, size_t *len, bool *mail)
{
	struct req req;
	struct resp resp;
	struct app_call call;
	char *buf;

	call_answer(&call, ctx, ep, envp, io, &req, &resp);
	buf = resp_render(&resp, len);
	resp_free(&resp);
	OPENSSL_cleanse(&call.auth, sizeof(call.auth));
	req_free(&req);
	*mail = call.mail_queued;
	mail_queued(ctx, &call);
	return buf;
}

static void
fcgi_done(void *arg)
{
	fsock_finish(arg);
}

/*
 * Plain CGI: the answer is complete when the process has read what the
 * server sent and closed stdout; Apache's mod_cgi even waits for the
 * process to exit. So: drain the body the view did not read (else
 * Apache fails the request writing it) and close stdout; a drainer for
 * the outbox starts after that (mail_queued) and is not waited for.
 */
static void
cgi_done(void *arg)
{
	struct app_call *call = arg;
	char buf[8192];
	size_t left = 0, got;
	sigset_t term;

	if (req_content_length(call->req, &left) != APP_OK)
		left = 0;
	/* The web server's own cap bounds this (4 MiB in www/). */
	if (left > 8 * 1024 * 1024)
		left = 8 * 1024 * 1024;
	left = left > call->req->body_len ? left - call->req->body_len : 0;
	while (left > 0 && (got = fread(buf, 1,
				left < sizeof(buf) ? left : sizeof(buf),
				stdin)) > 0)
		left -= got;
	/* lighttpd's mod_cgi sends SIGTERM to a CGI still running once the
	 * answer is complete: held until exit, so that it cannot end us
	 * between the answer and the drainer's start (the mail would wait
	 * for the next drainer). The drainer starts with no signal held. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	fflush(stdout);
	fclose(stdout);
}

enum app_err
app_ctx_init(struct app_ctx *ctx, char *err, size_t errsz)
{
	enum app_err er;

	memset(ctx, 0, sizeof(*ctx));
	if ((er = app_config_load(app_config_path(), &ctx->cfg, err,
		 errsz)) != APP_OK)
		return er;
	if (ctx->cfg.rest_auth.use_jwt &&
	    (er = jwt_ctx_new(&ctx->cfg, &ctx->jwt, err, errsz)) != APP_OK)
		return er;
	if ((er = pwval_init(&ctx->pwval, &ctx->cfg, err, errsz)) != APP_OK)
		return er;
	if ((er = db_init(&ctx->db, ctx->cfg.database_url)) != APP_OK)
		snprintf(err, errsz, "out of memory");
	return er;
}

void
app_ctx_free(struct app_ctx *ctx)
{
	db_free(&ctx->db);
	pwval_free(ctx->pwval);
	jwt_ctx_free(ctx->jwt);
	app_config_free(&ctx->cfg);
	memset(ctx, 0, sizeof(*ctx));
}

/*
 * SIGTERM: libfcgi's own handler only sets a flag it reads before its
 * accept(); a signal between the two was lost and the process waited in
 * accept() for ever, holding its database connection. Idle, we leave at
 * once; in a request, once it is answered (and its mail sent). Ours is
 * in place before libfcgi starts (FCGX_IsCGI starts it), which then
 * keeps it: a web server that stops right after spawning us no longer
 * leaves us behind with its signal swallowed.
 */
static volatile sig_atomic_t busy, stopping;

static void
on_term(int sig)
{
	(void)sig;
	if (!busy)
		_exit(0);
	stopping = 1;
}

/* handler for SIGTERM and SIGUSR1 (multiwatch's default stop signal;
 * libfcgi's handler for it only stops its own accept(), which we do not
 * use). */
static void
stop_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		log_warn("sigaction SIGTERM");
	if (sigaction(SIGUSR1, &sa, NULL) == -1)
		log_warn("sigaction SIGUSR1");
}

int
app_main(int argc, char **argv, const struct app_endpoint *ep)
{
	char err[APP_CONFIG_ERRSZ];
	struct app_ctx ctx;
	FCGX_Request rq;
	struct fsock fs;
	struct req_io io;
	unsigned char seed;

	(void)argc;
	log_init(argv[0] != NULL && strrchr(argv[0], '/') != NULL ?
		strrchr(argv[0], '/') + 1 : argv[0]);
	/* towupper() in acct_login_ident, as PostgreSQL's upper() under a
	 * libc UTF-8 locale; Python's string rules need none (pystr). */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		log_warnx("C.UTF-8 locale missing: login lockout keys fold "
			  "ASCII case only");
	signal(SIGPIPE, SIG_IGN);
	stop_signals(on_term);
	if (app_ctx_init(&ctx, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s\n", err);
		app_ctx_free(&ctx);
		return 1;
	}
	if (FCGX_IsCGI()) {
		stop_signals(SIG_DFL);
		io.read = cgi_read;
		io.arg = stdin;
		serve_one(&ctx, ep, environ, &io, NULL, cgi_done, NULL);
	} else {
		/* Listen socket -1: libfcgi never accepts; fsock does, and
		 * hands it a connection only once its params are whole. */
		memset(&fs, 0, sizeof(fs));
		if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, -1, 0) != 0 ||
		    fsock_init(&fs, &rq) != APP_OK) {
			fprintf(stderr, "FastCGI initialisation failed\n");
			fsock_free(&fs);
			app_ctx_free(&ctx);
			return 1;
		}
		/* Set OpenSSL's random generator up now, once, rather than
		 * in the first request that needs it (2-3 ms, and OpenSSL
		 * 3.0 does not survive a failed allocation there). A plain
		 * CGI process, which may never need it, does not pay. */
		if (RAND_bytes(&seed, 1) != 1)
			log_warnx("OpenSSL's random generator is not ready");
		while (!stopping && fsock_accept(&fs) >= 0) {
			busy = 1;
			io.read = fsock_read;
			io.arg = &fs;
			serve_one(&ctx, ep, rq.envp, &io, rq.out, fcgi_done,
			    &fs);
			busy = 0;
		}
		FCGX_Free(&rq, 1);
		fsock_free(&fs);
	}
	app_ctx_free(&ctx);
	return 0;
}
