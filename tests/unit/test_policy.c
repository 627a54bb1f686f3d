/*
 * test_policy.c: the pure part of lib/api/policy.c's failed-login backoff:
 * free attempts below the limit, then 2^(failures - limit) seconds
 * capped at the maximum, and nothing at all with the limit 0.
 */
#include <limits.h>

#include "policy.h"
#include "testhelp.h"

int
main(void)
{
	long f;

	/* Below the limit: no wait. */
	for (f = 0; f < 5; f++)
		T_ASSERT(pol_login_backoff(f, 5, 300) == 0);
	/* At and past it: 1, 2, 4, ... seconds. */
	T_ASSERT(pol_login_backoff(5, 5, 300) == 1);
	T_ASSERT(pol_login_backoff(6, 5, 300) == 2);
	T_ASSERT(pol_login_backoff(7, 5, 300) == 4);
	T_ASSERT(pol_login_backoff(13, 5, 300) == 256);
	/* Capped: 512 > 300. */
	T_ASSERT(pol_login_backoff(14, 5, 300) == 300);
	T_ASSERT(pol_login_backoff(1000, 5, 300) == 300);
	/* No shift overflow, however many failures. */
	T_ASSERT(pol_login_backoff(5 + 62, 5, 300) == 300);
	T_ASSERT(pol_login_backoff(5 + 63, 5, 300) == 300);
	T_ASSERT(pol_login_backoff(LONG_MAX, 5, 86400) == 86400);
	T_ASSERT(pol_login_backoff(LONG_MAX, 1, LONG_MAX) > 0);
	/* A cap below the first step. */
	T_ASSERT(pol_login_backoff(6, 5, 1) == 1);
	/* A cap that is a power of two is reached exactly. */
	T_ASSERT(pol_login_backoff(7, 5, 4) == 4);
	T_ASSERT(pol_login_backoff(8, 5, 4) == 4);
	/* Limit 1: the first failure already counts. */
	T_ASSERT(pol_login_backoff(0, 1, 300) == 0);
	T_ASSERT(pol_login_backoff(1, 1, 300) == 1);
	/* Limit 0: off. */
	T_ASSERT(pol_login_backoff(0, 0, 300) == 0);
	T_ASSERT(pol_login_backoff(1000, 0, 300) == 0);
	return T_DONE();
}
