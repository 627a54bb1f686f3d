/*
 * argon2_time.c: the other ceiling of make bench. Times pw_hash (lib/crypto/pw.c,
 * the hash login/ verifies against) with the first of PASSWORD_HASHERS at
 * its PASSWORD_HASHER cost in the config given (argon2 by default; t, m
 * and p are argon2's), and prints one JSON object:
 *   {"algorithm": "argon2", "t": 2, "m_kib": 19456, "p": 1, "runs": 20,
 *    "median_ms": 31.2, "min_ms": 30.8, "cpu_ms": 30.9}
 * (cpu_ms: user + system time per hash, which other programs running on
 * the machine do not inflate as they do the wall-clock times).
 * Usage: argon2_time CONFIG [RUNS]. Exit 1 on a bad config or a failed
 * hash.
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "config.h"
#include "pw.h"

#define RUNS_DEFAULT 20
#define RUNS_MAX 1000

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	static const char pw[] = "correct horse battery staple";
	char err[APP_CONFIG_ERRSZ], out[PW_HASH_MAX];
	double ms[RUNS_MAX], t0, c0;
	struct app_config cfg;
	struct pw_params pp;
	char *end;
	long runs = RUNS_DEFAULT;
	int i;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: argon2_time CONFIG [RUNS]\n");
		return 2;
	}
	if (argc == 3) {
		runs = strtol(argv[2], &end, 10);
		if (*end != '\0' || runs < 1 || runs > RUNS_MAX) {
			fprintf(stderr, "argon2_time: RUNS: 1..%d\n", RUNS_MAX);
			return 2;
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	if (app_config_load(argv[1], &cfg, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	pp = acct_pw_params(&cfg);
	/* One unmeasured hash: page-table and cache warm-up. */
	if (pw_hash(&pp, pw, sizeof(pw) - 1, out) != APP_OK)
		goto fail;
	c0 = cpu_ms();
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		if (pw_hash(&pp, pw, sizeof(pw) - 1, out) != APP_OK)
			goto fail;
		ms[i] = now_ms() - t0;
	}
	c0 = (cpu_ms() - c0) / (double)runs;
	qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
	printf("{\"algorithm\": \"%s\", \"t\": %u, \"m_kib\": %u, "
	       "\"p\": %u, \"runs\": %ld, \"median_ms\": %.3f, "
	       "\"min_ms\": %.3f, \"cpu_ms\": %.3f}\n",
	    pw_algo_name(pp.hashers[0]), (unsigned)pp.time_cost, (unsigned)pp.memory_cost,
	    (unsigned)pp.parallelism, runs, ms[runs / 2], ms[0], c0);
	app_config_free(&cfg);
	return 0;
fail:
	fprintf(stderr, "argon2_time: pw_hash failed\n");
	app_config_free(&cfg);
	return 1;
}
