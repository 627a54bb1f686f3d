/*
 * test_db.c: what of lib/store/db.c runs without a server. The number parsers
 * every result column goes through (a value the server should never send
 * is APP_EDB and writes nothing), and a statement against a database that
 * cannot be reached: APP_EDB, the out-param untouched, no crash.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "db.h"
#include "testhelp.h"

static void
test_parse_int(void)
{
	static const char *const bad[] = { "", " 1", "+1", "1 ", "1x", "-",
		"0x10", "1.5", "1e3", "--1", "9223372036854775808",
		"-9223372036854775809" };
	long long v = 42;
	size_t i;

	T_ASSERT(db_parse_int("0", 0, 10, &v) == APP_OK && v == 0);
	T_ASSERT(db_parse_int("10", 0, 10, &v) == APP_OK && v == 10);
	T_ASSERT(db_parse_int("-1", -1, 10, &v) == APP_OK && v == -1);
	T_ASSERT(db_parse_int("007", 0, 10, &v) == APP_OK && v == 7);
	T_ASSERT(db_parse_int("9223372036854775807", 1, INT64_MAX, &v) ==
	    APP_OK && v == INT64_MAX);
	/* Out of min..max, one over each end. */
	v = 42;
	T_ASSERT(db_parse_int("11", 0, 10, &v) == APP_EDB && v == 42);
	T_ASSERT(db_parse_int("-2", -1, 10, &v) == APP_EDB && v == 42);
	T_ASSERT(db_parse_int("0", 1, INT64_MAX, &v) == APP_EDB && v == 42);
	T_ASSERT(db_parse_int("2147483648", 0, INT32_MAX, &v) == APP_EDB);
	T_ASSERT(db_parse_int(NULL, 0, 10, &v) == APP_EDB && v == 42);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		T_ASSERT(db_parse_int(bad[i], LLONG_MIN, LLONG_MAX, &v) ==
		    APP_EDB && v == 42);
		if (v != 42)
			fprintf(stderr, "  took \"%s\"\n", bad[i]);
	}
}

static void
test_parse_seconds(void)
{
	static const char *const bad[] = { "", " 1", "+1", "1 ", "1s", "-",
		".5", "NaN", "Infinity", "-Infinity", "inf", "1e999", "0x1p3",
		"1e5x", "-0x8" };
	double d = 42;
	size_t i;

	/* As PostgreSQL prints a float8 (extra_float_digits >= 1). */
	T_ASSERT(db_parse_seconds("0", &d) == APP_OK && d == 0);
	T_ASSERT(db_parse_seconds("59.999871", &d) == APP_OK &&
	    fabs(d - 59.999871) < 1e-9);
	T_ASSERT(db_parse_seconds("-0.25", &d) == APP_OK && d == -0.25);
	T_ASSERT(db_parse_seconds("1.5e-05", &d) == APP_OK &&
	    fabs(d - 1.5e-05) < 1e-12);
	T_ASSERT(db_parse_seconds("3600", &d) == APP_OK && d == 3600);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 42;
		T_ASSERT(db_parse_seconds(bad[i], &d) == APP_EDB && d == 42);
		if (d != 42)
			fprintf(stderr, "  took \"%s\"\n", bad[i]);
	}
	d = 42;
	T_ASSERT(db_parse_seconds(NULL, &d) == APP_EDB && d == 42);
}

/* No server behind the URL (a socket folder that does not exist). */
static void
test_unreachable(void)
{
	struct db db;
	struct db_user u;
	bool yes = true;
	long n = 42;

	T_ASSERT(db_init(&db, "postgresql:///restauth?host=/nonexistent-dir")
	    == APP_OK);
	memset(&u, 0x5a, sizeof(u));
	T_ASSERT(db_user_by_id(&db, 1, &u) == APP_EDB);
	T_ASSERT(u.id == (int64_t)0x5a5a5a5a5a5a5a5aLL);
	T_ASSERT(db_is_blacklisted(&db, "jti", &yes) == APP_EDB && yes);
	T_ASSERT(db_session_delete(&db, "key") == APP_EDB);
	T_ASSERT(db_mfa_token_clean(&db, &n) == APP_EDB && n == 42);
	T_ASSERT(db_passkey_challenge_clean(&db, &n) == APP_EDB && n == 42);
	T_ASSERT(db.conn == NULL);
	db_free(&db);
	db_free(NULL);
}

int
main(void)
{
	test_parse_int();
	test_parse_seconds();
	test_unreachable();
	return T_DONE();
}
