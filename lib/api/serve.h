/*
 * serve.h: the FastCGI (or plain CGI) main loop every program in cgi-bin/
 * shares, and DRF's request pipeline: size cap, authentication,
 * permission, method, body parsing, then the endpoint's handler.
 */
#ifndef RESTAUTH_SERVE_H
#define RESTAUTH_SERVE_H

#include <stdbool.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "req.h"
#include "resp.h"

struct form;

/* What lives for the whole process: read once at start. */
struct app_ctx {
	struct app_config cfg;
	struct db db;
	struct pwval *pwval; /* AUTH_PASSWORD_VALIDATORS, loaded once */
	struct jwt_ctx *jwt; /* keys and settings; NULL unless USE_JWT */
};

/* One request in flight; freed before the next one is accepted. */
struct app_call {
	struct app_ctx *ctx;
	const struct app_endpoint *ep; /* the endpoint it is for */
	const struct req_io *io;
	struct req *req;
	struct resp *resp;
	struct auth_result auth;
	bool mail_queued; /* app_mail_queued was called */
};

/*
 * The request added mail to the outbox (or did the same work for an
 * address that gets none, so that both look alike): once the answer is
 * gone, with EMAIL_OUTBOX_DRAIN "spawn", start a drainer and do not
 * wait for it (lib/store/outbox.h). With "worker" the daemon heard the NOTIFY.
 */
void app_mail_queued(struct app_call *call);

struct app_endpoint {
	const char *path;	 /* below the prefix, e.g. "user/" */
	const char *name;	 /* DRF view name, for OPTIONS ("Login") */
	const char *description; /* its docstring, for OPTIONS */
	unsigned methods;	 /* REQ_BIT()s the view defines */
	bool needs_auth;	 /* DRF IsAuthenticated */
	/*
	 * simplejwt's token views have no authentication classes: their
	 * requests are not authenticated (nor CSRF-checked) at all.
	 */
	bool no_auth;
	const char *throttle_scope; /* the view's, for ScopedRateThrottle */
	/* Whether the config routes the view at all (NULL: always); not
	 * routed, its path answers 404 before anything else. */
	bool (*routed)(const struct app_config *cfg);
	/*
	 * The view reads request.data (a serializer; a form endpoint
	 * always does). DRF parses lazily: a view that never reads the
	 * body never refuses a bad one.
	 */
	bool reads_body;
	/*
	 * Handle a request whose method is in methods; for POST, PUT and
	 * PATCH of a reads_body view, call->req->data is the body as a
	 * JSON object (DRF's shape errors are already answered). The
	 * handler fills call->resp (status, body, headers).
	 */
	void (*handle)(struct app_call *call);
	/* The fields and use case of a form endpoint, whose handle is
	 * form_handle (lib/api/form.h, set by form_main); else NULL. */
	const struct form *form;
	/*
	 * A program serving a family of routes (one process pool and one
	 * database connection for all, e.g. mfa/): its n_routes endpoints,
	 * the web server mapping their common prefix to it. A request goes
	 * to the one whose path it asked for, else to the first, which
	 * answers 404. Only the routes' own fields are used.
	 */
	const struct app_endpoint *routes;
	size_t n_routes;
	/* A route of a family whose URL pattern takes the path with or
	 * without its last "/" (re_path(r'^mfa/verify/?$')). */
	bool slash_optional;
};

/*
 * Load the config (exit 1 with one line on stderr if it is bad), then
 * serve requests until the web server stops us: FastCGI when started on
 * a listening socket, else one plain CGI request. Returns the exit code.
 */
int app_main(int argc, char **argv, const struct app_endpoint *ep);

/* A program's main: serve endpoint ep (app_main). */
#define APP_MAIN(ep)                                                     \
	int main(int argc, char **argv)                                  \
	{                                                                \
		return app_main(argc, argv, &(ep));                      \
	}

/*
 * Everything a process reads once, into ctx: the config at
 * app_config_path(), the password validators, the JWT keys (USE_JWT);
 * the database is connected on first use. APP_OK; else err (size errsz)
 * says why in one line and ctx is for app_ctx_free. app_ctx_free takes a
 * zeroed or half-filled ctx.
 */
enum app_err app_ctx_init(struct app_ctx *ctx, char *err, size_t errsz)
    APP_WUR;
void app_ctx_free(struct app_ctx *ctx);

/*
 * One request through the same path as app_main's, without the FastCGI
 * loop or a web server (the in-process tests' seam, tests/unit/inproc.h):
 * envp is the CGI environment, io gives the body. Returns the answer as
 * resp_render renders it ("Status:" line, headers, blank line, body; the
 * caller frees, *len bytes), NULL when even the fallback allocation
 * failed; *mail says whether the request queued mail (app_mail_queued),
 * whose drainer starts as after a real request.
 */
char *app_run_one(struct app_ctx *ctx, const struct app_endpoint *ep,
    char **envp, const struct req_io *io, size_t *len, bool *mail);

/*
 * Read and parse the body if not done yet (DRF's request.data): a view
 * that reads it only sometimes calls this itself. On failure the answer
 * (413, 400, 415) is already in call->resp; the handler just returns.
 */
enum app_err app_body(struct app_call *call) APP_WUR;

#endif
