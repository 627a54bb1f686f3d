/*
 * testhelp.h: a tiny test harness (after sds testhelp.h). Each test
 * program ends with T_DONE(), which prints "NAME: N passed, M failed"
 * and yields the exit status; tests/run.sh adds the lines up.
 */
#ifndef RESTAUTH_TESTHELP_H
#define RESTAUTH_TESTHELP_H

#include <stdio.h>
#include <string.h>

static int th_pass, th_fail;

#define T_ASSERT(cond)                                                    \
	do {                                                              \
		if (cond) {                                               \
			th_pass++;                                        \
		} else {                                                  \
			th_fail++;                                        \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,     \
			    __LINE__, #cond);                             \
		}                                                         \
	} while (0)

#define T_STREQ(a, b)                                                     \
	do {                                                              \
		const char *t_a_ = (a), *t_b_ = (b);                      \
		if (t_a_ != NULL && t_b_ != NULL && strcmp(t_a_, t_b_) == 0) \
			th_pass++;                                        \
		else {                                                    \
			th_fail++;                                        \
			fprintf(stderr, "FAIL %s:%d: %s == %s (\"%s\" vs \"%s\")\n", \
			    __FILE__, __LINE__, #a, #b,                   \
			    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
		}                                                         \
	} while (0)

#define T_DONE()                                                          \
	(printf("%s: %d passed, %d failed\n", __FILE__, th_pass, th_fail), \
	    th_fail != 0)

#endif
