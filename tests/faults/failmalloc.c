/*
 * failmalloc.c: an LD_PRELOAD shim that makes one allocation fail.
 * FAILMALLOC_NTH=N: the Nth call to malloc, calloc, realloc or
 * posix_memalign (counted together from program start) returns NULL
 * with errno ENOMEM; every other call goes to glibc's __libc_* entry
 * points (no dlsym, so no allocation of our own while starting). Without
 * the variable, or N = 0, nothing fails. FAILMALLOC_COUNT=path: at exit
 * write the number of calls there, so a test knows how far to sweep.
 * A fatal signal prints "failmalloc: signal S, allocation N failed" and
 * the stack (backtrace_symbols_fd) on stderr before the default action,
 * so a test can tell where the crash was. Not for sanitizer builds:
 * their allocator is not glibc's.
 */
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);

static unsigned long calls, nth;
static int ready, quiet;

static void
on_fatal(int sig)
{
	char line[96];
	void *frames[64];
	int n;

	n = snprintf(line, sizeof(line),
	    "failmalloc: signal %d, allocation %lu failed\n", sig, nth);
	if (n > 0)
		(void)!write(2, line, (size_t)n);
	n = backtrace(frames, 64);
	backtrace_symbols_fd(frames, n, 2);
	raise(sig); /* SA_RESETHAND: the default action now */
}

__attribute__((constructor)) static void
setup(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa;
	void *frame;
	size_t i;

	quiet = 1; /* backtrace loads libgcc_s now, not in the handler */
	(void)backtrace(&frame, 1);
	quiet = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

static void
report(void)
{
	const char *path = getenv("FAILMALLOC_COUNT");
	FILE *f;

	nth = 0; /* fopen allocates */
	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%lu\n", calls);
	fclose(f);
}

static int
fail_now(void)
{
	const char *s;

	if (quiet)
		return 0;
	if (!ready) {
		ready = 1;
		if ((s = getenv("FAILMALLOC_NTH")) != NULL)
			nth = strtoul(s, NULL, 10);
		atexit(report);
	}
	calls++;
	if (nth != 0 && calls == nth) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
malloc(size_t n)
{
	if (fail_now())
		return NULL;
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	if (fail_now())
		return NULL;
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	if (fail_now())
		return NULL;
	return __libc_realloc(p, n);
}

int
posix_memalign(void **p, size_t align, size_t n)
{
	void *q;

	if (fail_now())
		return ENOMEM;
	if ((q = __libc_memalign(align, n)) == NULL)
		return ENOMEM;
	*p = q;
	return 0;
}
