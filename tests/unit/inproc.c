/*
 * inproc.c: the in-process harness (inproc.h): a CGI environment and a
 * body through app_run_one, the rendered answer parsed back into its
 * status, headers and body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "inproc.h"
#include "req.h"
#include "serve.h"

/* A strong key (app_secret_weakness) and a database nobody serves. */
#define INPROC_SECRET_KEY                                                      \
	"inproc-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
#define INPROC_DATABASE_URL "host=/nonexistent dbname=inproc"

int
inproc_ctx_init(struct app_ctx *ctx, const char *json)
{
	char path[] = "/tmp/restauth-inproc.XXXXXX";
	char err[APP_CONFIG_ERRSZ];
	size_t len = strlen(json);
	int fd, rc = -1;

	memset(ctx, 0, sizeof(*ctx));
	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		return -1;
	}
	if (write(fd, json, len) != (ssize_t)len) {
		perror("write");
		close(fd);
		goto out;
	}
	close(fd);
	/* The program's own start: the config it names, whose SECRET_KEY
	 * and DATABASE_URL the environment overrides. */
	if (setenv("RESTAUTH_CONFIG", path, 1) != 0 ||
	    setenv("SECRET_KEY", INPROC_SECRET_KEY, 1) != 0 ||
	    setenv("DATABASE_URL", INPROC_DATABASE_URL, 1) != 0)
		goto out;
	if (app_ctx_init(ctx, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "inproc: %s\n", err);
		app_ctx_free(ctx);
		goto out;
	}
	rc = 0;
out:
	unlink(path);
	return rc;
}

void
inproc_ctx_free(struct app_ctx *ctx)
{
	app_ctx_free(ctx);
}

int
inproc_with(const char *json, void (*test)(struct app_ctx *))
{
	struct app_ctx ctx;

	if (inproc_ctx_init(&ctx, json) != 0)
		return -1;
	test(&ctx);
	inproc_ctx_free(&ctx);
	return 0;
}

/* Whether env sets the variable name. */
static bool
env_has(const char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return true;
	return false;
}

/* Unless e's caller set name, add "name=value" to e. */
static void
add_default(struct inproc_env *e, const char *const *env, const char *name,
    const char *value)
{
	char *var = e->vars[e->nvars];

	if (env_has(env, name) || e->nvars >= INPROC_DEFAULTS)
		return;
	snprintf(var, INPROC_VAR_BYTES, "%s=%s", name, value);
	e->envp[e->n++] = var;
	e->nvars++;
	e->envp[e->n] = NULL;
}

int
inproc_env_init(struct inproc_env *e, const char *method, const char *path,
    const char *const *env, const char *body)
{
	char script[INPROC_VAR_BYTES], clen[32];

	memset(e, 0, sizeof(*e));
	for (; env != NULL && *env != NULL; env++) {
		if (e->n >= INPROC_ENV_MAX) {
			fprintf(stderr, "inproc: too many variables\n");
			return -1;
		}
		/* req_init borrows envp and never writes through it. */
		e->envp[e->n++] = (char *)(uintptr_t)*env;
	}
	env = (const char *const *)e->envp;
	add_default(e, env, "REQUEST_METHOD", method);
	snprintf(script, sizeof(script), "/auth/%s", path);
	add_default(e, env, "SCRIPT_NAME", script);
	add_default(e, env, "HTTP_HOST", "localhost");
	add_default(e, env, "SERVER_NAME", "localhost");
	add_default(e, env, "REMOTE_ADDR", "127.0.0.1");
	snprintf(clen, sizeof(clen), "%zu", body != NULL ? strlen(body) : 0);
	if (body != NULL)
		add_default(e, env, "CONTENT_LENGTH", clen);
	return 0;
}

/* Split raw into status and body; -1 when it is not an answer. */
static int
parse_answer(struct inproc_ans *a)
{
	char *end;
	long st;

	if (strncmp(a->raw, "Status: ", 8) != 0)
		return -1;
	st = strtol(a->raw + 8, &end, 10);
	if (end == a->raw + 8 || *end != ' ' || st < 100 || st > 599)
		return -1;
	a->status = (int)st;
	if ((end = strstr(a->raw, "\r\n\r\n")) == NULL)
		return -1;
	a->body = end + 4;
	return 0;
}

int
inproc_run(struct app_ctx *ctx, const struct app_endpoint *ep,
    const char *method, const char *const *env, const char *body,
    struct inproc_ans *out)
{
	struct inproc_env e;
	struct req_mem src = { body != NULL ? body : "",
		body != NULL ? strlen(body) : 0 };
	struct req_io io = { req_mem_read, &src };
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	if (inproc_env_init(&e, method, ep->path, env, body) != 0)
		return -1;
	out->raw = app_run_one(ctx, ep, e.envp, &io, &len, &out->mail);
	out->raw_len = len;
	if (out->raw == NULL || parse_answer(out) != 0) {
		fprintf(stderr, "inproc: no answer: %s\n",
		    out->raw != NULL ? out->raw : "(null)");
		inproc_ans_free(out);
		return -1;
	}
	return 0;
}

void
inproc_ans_free(struct inproc_ans *a)
{
	free(a->raw);
	memset(a, 0, sizeof(*a));
}

const char *
inproc_header(const struct inproc_ans *a, const char *name, size_t n, char *buf,
    size_t sz)
{
	const char *line, *eol, *v;
	size_t nl = strlen(name), vl;

	if (a->raw == NULL)
		return NULL;
	/* Past the status line; the headers end at the blank line. */
	for (line = strstr(a->raw, "\r\n"); line != NULL && line + 2 < a->body;
	     line = eol) {
		line += 2;
		if ((eol = strstr(line, "\r\n")) == NULL || eol == line)
			break;
		if (strncasecmp(line, name, nl) != 0 || line[nl] != ':' ||
		    n-- > 0)
			continue;
		v = line + nl + 1;
		while (*v == ' ')
			v++;
		vl = (size_t)(eol - v);
		if (vl >= sz)
			vl = sz - 1;
		memcpy(buf, v, vl);
		buf[vl] = '\0';
		return buf;
	}
	return NULL;
}
