/* host_split and host_same_domain: Django's split_domain_port and
 * is_same_domain, case by case. */
#include <string.h>

#include "host.h"
#include "testhelp.h"

static void
split_ok(const char *host, const char *want)
{
	char d[HOST_BYTES];

	T_ASSERT(host_split(host, d) == APP_OK);
	if (host_split(host, d) == APP_OK)
		T_STREQ(d, want);
}

static void
split_bad(const char *host)
{
	char d[HOST_BYTES];

	T_ASSERT(host_split(host, d) == APP_EINPUT);
}

int
main(void)
{
	char longest[HOST_BYTES + 1];

	split_ok("example.com", "example.com");
	split_ok("Example.COM:8080", "example.com");
	split_ok("example.com.", "example.com");
	split_ok("example.com.:80", "example.com");
	split_ok("127.0.0.1:8000", "127.0.0.1");
	split_ok("[::1]", "[::1]");
	split_ok("[::1]:8000", "[::1]");
	split_ok("[2001:DB8::1]:443", "[2001:db8::1]");
	split_ok("[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]");
	split_ok("a-b.c", "a-b.c");
	split_bad("");
	split_bad(".");
	split_bad("a b");
	split_bad("a_b.example");
	split_bad("x:y:z");
	split_bad("example.com:");
	split_bad(":80");
	split_bad("example.com:8o");
	split_bad("[::1");
	split_bad("[::1]x");
	split_bad("[::1]:");
	split_bad("[g::1]");
	split_bad("[1]");
	split_bad("[]");
	split_bad("ex\xc3\xa9.com");
	split_bad("a/b");
	split_bad("a@b");
	memset(longest, 'a', HOST_BYTES);
	longest[HOST_BYTES] = '\0';
	split_bad(longest);

	T_ASSERT(host_same_domain("example.com", "example.com"));
	T_ASSERT(host_same_domain("example.com", "EXAMPLE.com"));
	T_ASSERT(host_same_domain("example.com", ".example.com"));
	T_ASSERT(host_same_domain("a.b.example.com", ".example.com"));
	T_ASSERT(!host_same_domain("evilexample.com", ".example.com"));
	T_ASSERT(!host_same_domain("a.example.com", "example.com"));
	T_ASSERT(!host_same_domain("example.com", ""));
	T_ASSERT(!host_same_domain("example.com.evil", ".example.com"));
	return T_DONE();
}
