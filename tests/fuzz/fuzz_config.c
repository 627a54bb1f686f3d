/*
 * fuzz_config.c: libFuzzer target for lib/conf/config.c. Each input is the
 * settings file (written to a private temporary file, as the programs
 * read a path); a success must free cleanly, a refusal must leave a
 * one-line message and a zeroed struct, and nothing may leak (LSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	setenv("SECRET_KEY",
	    "fuzz-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz", 1);
	setenv("DATABASE_URL", "postgresql:///fuzz", 1);
	snprintf(path, sizeof(path), "/tmp/restauth-fuzz-config.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		abort();
	close(fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct app_config zero;
	struct app_config cfg;
	char err[APP_CONFIG_ERRSZ];
	enum app_err er;
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	err[0] = '\0';
	er = app_config_load(path, &cfg, err, sizeof(err));
	if (er == APP_OK)
		app_config_free(&cfg);
	else if (er == APP_EINPUT || er == APP_ENOMEM) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0' ||
		    strchr(err, '\n') != NULL)
			__builtin_trap();
		if (memcmp(&cfg, &zero, sizeof(cfg)) != 0)
			__builtin_trap();
	} else
		__builtin_trap();
	return 0;
}
