/*
 * fuzz_auth.c: libFuzzer target for the Authorization header rules of
 * lib/auth/auth.c: DRF's "Token <key>" (auth_token_header) and simplejwt's
 * "<type> <token>" with AUTH_HEADER_TYPES ["Bearer", "JWT"]
 * (auth_bearer_header). The input, up to its first NUL, is the header.
 * A refusal must carry DRF's words; an accepted key must fit the column
 * and hold no whitespace; an accepted token must lie inside the header
 * and be one word.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "bounds.h"
#include "config.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct app_config cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char json[] =
	    "{\"SIMPLE_JWT\": {\"AUTH_HEADER_TYPES\": [\"Bearer\", \"JWT\"]}}";
	char path[] = "/tmp/restauth-fuzz-auth.XXXXXX";
	char err[APP_CONFIG_ERRSZ];
	int fd;

	(void)argc;
	(void)argv;
	setenv("SECRET_KEY",
	    "fuzz-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz", 1);
	setenv("DATABASE_URL", "dbname=unused", 1);
	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, json, sizeof(json) - 1) != (ssize_t)(sizeof(json) - 1))
		abort();
	close(fd);
	if (app_config_load(path, &cfg, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	unlink(path);
	return 0;
}

static int
space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_fail fail;
	char key[TOK_KEY_BYTES];
	const char *raw = NULL;
	char *h;
	size_t len = 0, i;
	enum app_err er;

	if ((h = malloc(size + 1)) == NULL)
		return 0;
	memcpy(h, data, size);
	h[size] = '\0';

	memset(&fail, 0, sizeof(fail));
	er = auth_token_header(h, key, &fail);
	if (er == APP_EAUTH && (fail.detail == NULL || fail.detail[0] == '\0'))
		__builtin_trap();
	if (er == APP_OK) {
		if (strlen(key) > LIMIT_TOKEN_KEY || key[0] == '\0')
			__builtin_trap();
		for (i = 0; key[i] != '\0'; i++)
			if (space(key[i]))
				__builtin_trap();
	} else if (er != APP_EAUTH && er != APP_ENOTFOUND)
		__builtin_trap();

	memset(&fail, 0, sizeof(fail));
	er = auth_bearer_header(&cfg, h, &raw, &len, &fail);
	if (er == APP_EAUTH &&
	    (fail.detail == NULL || fail.code == NULL ||
		strcmp(fail.code, "bad_authorization_header") != 0))
		__builtin_trap();
	if (er == APP_OK) {
		if (raw < h || raw + len > h + strlen(h) || len == 0)
			__builtin_trap();
		for (i = 0; i < len; i++)
			if (space(raw[i]))
				__builtin_trap();
	} else if (er != APP_EAUTH && er != APP_ENOTFOUND)
		__builtin_trap();
	free(h);
	return 0;
}
