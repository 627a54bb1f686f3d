/*
 * fuzz_host.c: libFuzzer target for Django's split_domain_port as
 * lib/http/host.c has it (host_split). The input, up to its first NUL, is a
 * Host header. An accepted host gives a non-empty domain that is the
 * lower-cased start of the input (less one trailing dot), made of
 * [a-z0-9.-] or a bracketed IPv6 literal, followed in the input by
 * nothing or ":" and digits; the domain is the same domain as itself.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[HOST_BYTES + 8], domain[HOST_BYTES];
	const char *rest;
	size_t n, dl, i;

	n = size < sizeof(host) - 1 ? size : sizeof(host) - 1;
	memcpy(host, data, n);
	host[n] = '\0';
	if (host_split(host, domain) != APP_OK)
		return 0;
	dl = strlen(domain);
	if (dl == 0 || dl > strlen(host))
		abort();
	for (i = 0; i < dl; i++)
		if (domain[i] != tolower((unsigned char)host[i]))
			abort();
	if (domain[0] == '[') {
		if (domain[dl - 1] != ']' ||
		    strspn(domain + 1, "0123456789abcdef:.") != dl - 2)
			abort();
	} else if (strspn(domain, "abcdefghijklmnopqrstuvwxyz0123456789.-") !=
		dl ||
	    (domain[dl - 1] == '.' && host[dl] != '.'))
		abort(); /* one trailing dot goes: "a.." is "a." */
	rest = host + dl;
	if (domain[0] != '[' && *rest == '.')
		rest++;
	if (*rest != '\0' &&
	    (rest[0] != ':' || rest[1] == '\0' ||
		strspn(rest + 1, "0123456789") != strlen(rest + 1)))
		abort();
	if (!host_same_domain(domain, domain))
		abort();
	return 0;
}
