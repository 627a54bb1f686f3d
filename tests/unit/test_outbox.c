/*
 * test_outbox.c: the restauth_reset_cooldown key of an address. Known
 * answers from Python: hmac.new(b"k3y", b"restauth.outbox.reset-cooldown|"
 * + address, hashlib.sha256).hexdigest(), the address with its ASCII
 * letters lower-cased (non-ASCII is left as it is).
 */
#include <string.h>

#include "outbox.h"
#include "testhelp.h"

#define ALICE "633b63338d51569c302818588c1360237e24cd2f93a95c531829b5ffff28dbfa"
#define UNI "a04acb2371049a621887771dc3ace8aa93a77cc7eed7ef2604b7fbfd931bc4a3"

int
main(void)
{
	char a[OUTBOX_ADDR_KEY_CHARS + 1], b[OUTBOX_ADDR_KEY_CHARS + 1];

	T_ASSERT(outbox_addr_key("k3y", "alice@example.com", a) == APP_OK);
	T_STREQ(a, ALICE);
	/* Any case of one address is one key. */
	T_ASSERT(outbox_addr_key("k3y", "Alice@EXAMPLE.com", b) == APP_OK);
	T_STREQ(b, ALICE);
	T_ASSERT(outbox_addr_key("k3y", "\xc3\x9cn\xc3\xaf@Example.COM", a) ==
	    APP_OK);
	T_STREQ(a, UNI);
	/* Another secret, another key: the table tells nothing without it. */
	T_ASSERT(outbox_addr_key("other", "alice@example.com", a) == APP_OK);
	T_ASSERT(strcmp(a, ALICE) != 0 && strlen(a) == OUTBOX_ADDR_KEY_CHARS);
	/* Another address, another key. */
	T_ASSERT(outbox_addr_key("k3y", "alice@example.org", a) == APP_OK);
	T_ASSERT(strcmp(a, ALICE) != 0);
	return T_DONE();
}
