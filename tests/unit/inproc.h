/*
 * inproc.h: run an endpoint in the test process (after kcgi's regress
 * harness): a CGI environment and a body go in through app_run_one, the
 * status, headers and body that the FastCGI program would write come
 * out. No web server, no socket, no database: the context's database
 * URL names no server, so a request that reaches it gets APP_EDB (503).
 */
#ifndef RESTAUTH_INPROC_H
#define RESTAUTH_INPROC_H

#include <stdbool.h>
#include <stddef.h>

struct app_ctx;
struct app_endpoint;

/* The most CGI variables one test request sets. */
#define INPROC_ENV_MAX 32

/* The variables the harness adds when the test does not set them. */
#define INPROC_DEFAULTS 6
/* Room for one "NAME=value" default. */
#define INPROC_VAR_BYTES 256

/* A CGI environment: the test's variables, then the defaults. */
struct inproc_env {
	char *envp[INPROC_ENV_MAX + INPROC_DEFAULTS + 1]; /* NULL-ended */
	char vars[INPROC_DEFAULTS][INPROC_VAR_BYTES];
	size_t n, nvars;
};

/*
 * Fill e for a request: env's "NAME=value" variables (borrowed, NULL
 * ended, at most INPROC_ENV_MAX), then what a web server always sets,
 * unless env sets it: REQUEST_METHOD=method, SCRIPT_NAME ("/auth/" +
 * path), HTTP_HOST=localhost, SERVER_NAME, REMOTE_ADDR=127.0.0.1 and,
 * when body is not NULL, CONTENT_LENGTH (its length). For req_init on
 * e->envp. Returns 0, or -1 when env is too long.
 */
int inproc_env_init(struct inproc_env *e, const char *method, const char *path,
    const char *const *env, const char *body);

/* One answer, as the program would have written it. */
struct inproc_ans {
	int status;
	char *raw; /* owned: the whole rendered answer, NUL-terminated */
	size_t raw_len;
	const char *body; /* into raw: after the blank line ("" for none) */
	bool mail; /* the request queued mail */
};

/*
 * A context as a program's, from the JSON config text (written to a
 * temporary file and loaded with app_config_load; SECRET_KEY and
 * DATABASE_URL are added when the text has none). JWT keys are loaded
 * when USE_JWT; no password validators. Returns 0, or -1 with the
 * reason on stderr. Free with inproc_ctx_free.
 */
int inproc_ctx_init(struct app_ctx *ctx, const char *json);
void inproc_ctx_free(struct app_ctx *ctx);

/*
 * Run test on a context made from the config text json, then free it.
 * Returns 0, or -1 when the config is refused (test not run).
 */
int inproc_with(const char *json, void (*test)(struct app_ctx *));

/*
 * Answer one request on the environment inproc_env_init makes of method,
 * the endpoint's path, env and body (NULL: none), the body readable
 * behind it. Returns 0, or -1 when the answer could not be parsed
 * (reason on stderr). Free out with inproc_ans_free.
 */
int inproc_run(struct app_ctx *ctx, const struct app_endpoint *ep,
    const char *method, const char *const *env, const char *body,
    struct inproc_ans *out);
void inproc_ans_free(struct inproc_ans *a);

/*
 * The value of the n-th (from 0) header called name (any case) in a,
 * copied into buf (size sz, cut to fit); NULL when there is none.
 */
const char *inproc_header(const struct inproc_ans *a, const char *name,
    size_t n, char *buf, size_t sz);

#endif
