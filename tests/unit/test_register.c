/*
 * test_register.c: the pure parts of registration. HMAC confirmation
 * keys against answers from Django itself (django.core.signing 3.2,
 * signing.dumps(pk, salt="account") and TimestampSigner.sign with
 * time.time mocked, SECRET_KEY "test-secret"), every way a key must be
 * refused, stored keys, usernames made from an address, lower-casing,
 * and the link template.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "config.h"
#include "register.h"
#include "testhelp.h"

#define SECRET "test-secret"
#define T0 1700000000

static const struct kat {
	int64_t id;
	time_t now;
	const char *key;
} kats[] = {
	{ 1, T0, "MQ:1r31eq:vxYdgXy3ldGmiuBv-BWdvNTEhpprEePlZsRPrOH1fkM" },
	{ 42, T0, "NDI:1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCM" },
	{ 123456789, 1234567890,
	    "MTIzNDU2Nzg5:1LY7VK:zCRSR8VlPQ6lPpFJyv2IHT67jasZmZUHNne1JL9izKM" },
	{ INT64_MAX, 2000000000,
	    "OTIyMzM3MjAzNjg1NDc3NTgwNw:2BLnMW:"
	    "z6LYrcC3FauGDcBi1AHvgkMKpxY_MuHP5jnqaTUbnYo" },
};

static void
test_known_answers(void)
{
	char key[REG_KEY_BYTES];
	int64_t id;
	size_t i;

	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		T_ASSERT(reg_key_make(SECRET, kats[i].id, kats[i].now, key,
			     sizeof(key)) == APP_OK);
		T_STREQ(key, kats[i].key);
		id = 0;
		T_ASSERT(reg_key_check(SECRET, kats[i].key, kats[i].now, 60,
			     &id) == APP_OK);
		T_ASSERT(id == kats[i].id);
	}
	/* A key made now checks now. */
	T_ASSERT(reg_key_make(SECRET, 7, T0, key, sizeof(key)) == APP_OK);
	T_ASSERT(reg_key_check(SECRET, key, T0, 0, &id) == APP_OK && id == 7);
}

static void
test_refused(void)
{
	/* Signed by Django with the right key and salt, but not a plain
	 * positive JSON integer, or marked compressed. */
	static const char *const signed_odd[] = {
		"IjQyIg:1r31eq:zvAo0jZiyi7PzGVX9SQ35NkmL52TFvfPamGNr2hRgvA",
		"MDQy:1r31eq:_R_m90BXUqpaJiIAskzrUgynKSP7DoWIvEuy1RwRsXo",
		"MA:1r31eq:gqWtU4IHIsgd-u5AxcB97-DawjQLlz3lHucAXjgFm8A",
		"LTE:1r31eq:DTC6-yCEaoA9r6bG2zmyoLHgwXJu6OQZKxzkSBR0pPI",
		"NC4y:1r31eq:G_qB0nZOJb53tdb_PJIhM4vP-Pl9q4UUz24HeYonS9o",
		"WzFd:1r31eq:UnXZcazZ3YypkIcA7kIX4GKfH0MCE3uS7wl_tW0HHjs",
		".NDI:1r31eq:fNJ4QX1g9r5V8q1KYx_W2bGVYq0tIWOim7RJJQxN6Eo",
	};
	static const char *const bad[] = {
		/* salt "other" */
		"NDI:1r31eq:HHlWTJh8c62YbONQpjrXdBShMVk5KeZ2ubB7gukRP_8",
		/* SECRET_KEY "other-secret" */
		"NDI:1r31eq:q5mvwDzW0jOBjsJVvbwncJgxyYu1y5KxN_iSRmmdO0Y",
		/* one character of the signature changed */
		"NDI:1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCN",
		/* the payload changed (43 -> "NDM") */
		"NDM:1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCM",
		/* the timestamp changed */
		"NDI:1r31er:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCM",
		/* signature cut, or longer */
		"NDI:1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPC",
		"NDI:1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCMA",
		/* parts missing */
		"",
		":",
		"::",
		"NDI",
		"NDI:1r31eq",
		":1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCM",
		"NDI::86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCM",
		"1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCM",
		/* hostile */
		"'; DROP TABLE account_emailaddress; --",
		"NDI:1r31eq:86zPwUrCgbCgGkvVw2ZB0RYqfPd5C-MQqWheGvriPCM\n",
		"\xff\xfe:\xff:\xff",
	};
	char longkey[4096];
	int64_t id = 99;
	size_t i;

	for (i = 0; i < sizeof(signed_odd) / sizeof(signed_odd[0]); i++)
		T_ASSERT(reg_key_check(SECRET, signed_odd[i], T0, 60, &id) ==
		    APP_EINPUT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_ASSERT(
		    reg_key_check(SECRET, bad[i], T0, 60, &id) == APP_EINPUT);
	memset(longkey, 'A', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	T_ASSERT(reg_key_check(SECRET, longkey, T0, 60, &id) == APP_EINPUT);
	T_ASSERT(id == 99); /* written only on success */

	/* Expiry: Django's age > max_age. */
	T_ASSERT(reg_key_check(SECRET, kats[1].key, T0 + 3 * 86400, 3 * 86400,
		     &id) == APP_OK);
	T_ASSERT(reg_key_check(SECRET, kats[1].key, T0 + 3 * 86400 + 1,
		     3 * 86400, &id) == APP_EINPUT);
	/* From the future: not refused, as in Django. */
	T_ASSERT(
	    reg_key_check(SECRET, kats[1].key, T0 - 1000, 60, &id) == APP_OK);

	/* What reg_key_make refuses. */
	T_ASSERT(reg_key_make(SECRET, 0, T0, longkey, sizeof(longkey)) ==
	    APP_EINTERNAL);
	T_ASSERT(reg_key_make(SECRET, -5, T0, longkey, sizeof(longkey)) ==
	    APP_EINTERNAL);
	T_ASSERT(reg_key_make(SECRET, 5, -1, longkey, sizeof(longkey)) ==
	    APP_EINTERNAL);
	T_ASSERT(reg_key_make(SECRET, 5, T0, longkey, 10) == APP_EINTERNAL);
	T_ASSERT(reg_key_make(NULL, 5, T0, longkey, sizeof(longkey)) ==
	    APP_EINTERNAL);
}

static void
test_stored_keys(void)
{
	char a[REG_STORED_KEY_CHARS + 1], b[REG_STORED_KEY_CHARS + 1];
	size_t i;

	T_ASSERT(reg_stored_key_new(a) == APP_OK);
	T_ASSERT(reg_stored_key_new(b) == APP_OK);
	T_ASSERT(strlen(a) == REG_STORED_KEY_CHARS);
	T_ASSERT(strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789") ==
	    REG_STORED_KEY_CHARS);
	T_ASSERT(strcmp(a, b) != 0);
	for (i = 0; i < 200; i++) {
		T_ASSERT(reg_stored_key_new(a) == APP_OK);
		if (strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789") !=
		    REG_STORED_KEY_CHARS)
			break;
	}
	T_ASSERT(i == 200);
}

static void
test_username_base(void)
{
	static char *blacklist[] = { "admin" };
	struct app_config cfg;
	char out[DB_USERNAME_BYTES], local[400];

	memset(&cfg, 0, sizeof(cfg));
	cfg.account.username_blacklist = blacklist;
	cfg.account.username_blacklist_len = 1;

	reg_username_base(&cfg, "Alice.Smith@example.com", out);
	T_STREQ(out, "alice.smith");
	reg_username_base(&cfg, "bob+tag@example.com", out);
	T_STREQ(out, "bob+tag");
	reg_username_base(&cfg, "\"a  b\"@example.com", out);
	T_STREQ(out, "a_b");
	reg_username_base(&cfg, "\" x \"@example.com", out);
	T_STREQ(out, "x");
	reg_username_base(&cfg, "x!#$%y@z.com", out);
	T_STREQ(out, "xy");
	/* Non-ASCII goes (allauth's NFKD keeps the base letter). */
	reg_username_base(&cfg,
	    "\xc3\x9cnic\xc3\xb6\x64"
	    "e@x.com",
	    out);
	T_STREQ(out, "nicde");
	reg_username_base(&cfg, "\xc3\xbc@x.com", out);
	T_STREQ(out, "user");
	reg_username_base(&cfg, "@x.com", out);
	T_STREQ(out, "user");
	reg_username_base(&cfg, "", out);
	T_STREQ(out, "user");
	reg_username_base(&cfg, "ADMIN@example.com", out);
	T_STREQ(out, "user");
	memset(local, 'a', 151);
	snprintf(local + 151, sizeof(local) - 151, "@example.com");
	reg_username_base(&cfg, local, out);
	T_STREQ(out, "user");
	local[150] = '@';
	reg_username_base(&cfg, local, out);
	T_ASSERT(strlen(out) == 150);
	T_ASSERT(acct_username_valid(out));
}

static void
test_username_lower(void)
{
	char out[DB_USERNAME_BYTES];

	T_ASSERT(reg_username_lower("BoB.X", out) == APP_OK);
	T_STREQ(out, "bob.x");
	T_ASSERT(
	    reg_username_lower("\xc3\x80\xc3\x89t\xc3\xa9", out) == APP_OK);
	T_STREQ(out, "\xc3\xa0\xc3\xa9t\xc3\xa9");
	/* A capital whose small letter is longer in UTF-8 (U+023A). */
	T_ASSERT(reg_username_lower("\xc8\xba", out) == APP_OK);
	T_STREQ(out, "\xe2\xb1\xa5");
	/* Python's str.lower(), not towlower: "ΟΔΟΣ" ends in final sigma,
	 * "İ" is "i" and a combining dot above. */
	T_ASSERT(reg_username_lower("\xce\x9f\xce\x94\xce\x9f\xce\xa3", out) ==
	    APP_OK);
	T_STREQ(out, "\xce\xbf\xce\xb4\xce\xbf\xcf\x82");
	T_ASSERT(reg_username_lower("\xc4\xb0x", out) == APP_OK);
	T_STREQ(out, "i\xcc\x87x");
	/* 150 "İ" (300 bytes) lower to 300 code points, 450 bytes: fits. */
	{
		char big[301];
		size_t i;

		for (i = 0; i < 150; i++)
			memcpy(big + 2 * i, "\xc4\xb0", 2);
		big[300] = '\0';
		T_ASSERT(reg_username_lower(big, out) == APP_OK &&
		    strlen(out) == 450);
	}
	T_ASSERT(reg_username_lower("\xff", out) == APP_EINPUT);
	T_ASSERT(reg_username_lower("a\xc3", out) == APP_EINPUT);
}

static void
test_username_rules(void)
{
	/* Django's UnicodeUsernameValidator, which registration applies. */
	T_ASSERT(acct_username_valid("alice"));
	T_ASSERT(acct_username_valid("a.b@c+d-e_f"));
	T_ASSERT(acct_username_valid("\xc3\xa9t\xc3\xa9"));
	T_ASSERT(!acct_username_valid("a b"));
	T_ASSERT(!acct_username_valid("a'b"));
	T_ASSERT(!acct_username_valid("a;b"));
	T_ASSERT(!acct_username_valid(""));
}

static void
test_link(void)
{
	char out[64];

	T_ASSERT(reg_link("https://app/confirm/{key}/", "K:1", out,
		     sizeof(out)) == APP_OK);
	T_STREQ(out, "https://app/confirm/K:1/");
	T_ASSERT(reg_link("{key}{key}", "ab", out, sizeof(out)) == APP_OK);
	T_STREQ(out, "abab");
	T_ASSERT(reg_link("{ke}{key", "ab", out, sizeof(out)) == APP_OK);
	T_STREQ(out, "{ke}{key");
	T_ASSERT(reg_link("x{key}", "0123456789", out, 11) == APP_EINTERNAL);
	T_ASSERT(reg_link("x{key}", "0123456789", out, 12) == APP_OK);
}

int
main(void)
{
	test_known_answers();
	test_refused();
	test_stored_keys();
	test_username_base();
	test_username_lower();
	test_username_rules();
	test_link();
	return T_DONE();
}
