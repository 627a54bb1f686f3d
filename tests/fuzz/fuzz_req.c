/*
 * fuzz_req.c: libFuzzer target for what lib/http/req.c and lib/auth/csrf.c read
 * from the client: the input's first lines are CGI variables (below, in
 * order), the rest is the body behind CONTENT_LENGTH. req_init parses
 * the cookies, req_read_body checks CONTENT_LENGTH and reads, csrf_check
 * runs Django's Origin/Referer/token checks on the lot.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csrf.h"
#include "req.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

static const char *const vars[] = { "REQUEST_METHOD", "HTTP_COOKIE",
	"HTTP_AUTHORIZATION", "CONTENT_LENGTH", "HTTP_ORIGIN",
	"HTTP_REFERER", "HTTP_X_CSRFTOKEN", "HTTP_HOST", "HTTPS" };
#define NVARS (sizeof(vars) / sizeof(vars[0]))

static struct app_config cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[APP_CONFIG_ERRSZ];

	(void)argc;
	(void)argv;
	setenv("SECRET_KEY",
	    "fuzz-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz", 1);
	setenv("DATABASE_URL", "postgresql:///fuzz", 1);
	if (app_config_load(NULL, &cfg, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *env[NVARS + 2], reason[CSRF_REASON_BYTES], msg[REQ_MSG_BYTES];
	const char *p = (const char *)data, *nl;
	size_t n = size, i, k = 0, len;
	struct req_mem s;
	struct req_io io = { req_mem_read, &s };
	struct req r;
	enum app_err er;

	for (i = 0; i < NVARS && n > 0; i++) {
		nl = memchr(p, '\n', n);
		len = nl != NULL ? (size_t)(nl - p) : n;
		if (memchr(p, '\0', len) == NULL) {
			env[k] = malloc(strlen(vars[i]) + len + 2);
			if (env[k] == NULL)
				abort();
			snprintf(env[k], strlen(vars[i]) + len + 2, "%s=%.*s",
			    vars[i], (int)len, p);
			k++;
		}
		p += len;
		n -= len;
		if (nl != NULL) {
			p++;
			n--;
		}
	}
	env[k++] = strdup("REMOTE_ADDR=127.0.0.1");
	env[k] = NULL;

	memset(&r, 0, sizeof(r));
	er = req_init(&r, env);
	if (er == APP_OK) {
		(void)req_cookie(&r, "csrftoken");
		(void)req_cookie(&r, "jwt-auth");
		s.p = p;
		s.left = n;
		msg[0] = '\0';
		er = req_read_body(&r, &io, 4096, msg, sizeof(msg));
		if (er != APP_OK && er != APP_EINPUT && er != APP_ETOOBIG &&
		    er != APP_ENOMEM)
			__builtin_trap();
		if ((er == APP_EINPUT || er == APP_ETOOBIG) && msg[0] == '\0')
			__builtin_trap();
		reason[0] = '\0';
		er = csrf_check(&cfg, &r, reason);
		if (er == APP_EDENIED &&
		    memchr(reason, '\0', sizeof(reason)) == NULL)
			__builtin_trap();
	} else if (er != APP_ENOMEM && er != APP_EINPUT)
		__builtin_trap();
	req_free(&r);
	for (i = 0; i < k; i++)
		free(env[i]);
	return 0;
}
