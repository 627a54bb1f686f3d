/*
 * fuzz_body.c: libFuzzer target for lib/http/body.c. Every input goes to
 * both parsers; a success must give a tree we can walk and free, a
 * refusal a terminated message, and nothing may leak (LSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(enum app_err er, struct json_object *o, const char *msg)
{
	if (er == APP_OK) {
		/* walk the whole tree: every node must be valid json-c */
		(void)json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		json_object_put(o);
	} else if (er == APP_EINPUT) {
		if (memchr(msg, '\0', BODY_MSG_SIZE) == NULL || msg[0] == '\0')
			__builtin_trap();
	} else if (er != APP_ENOMEM)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *o = NULL;
	char msg[BODY_MSG_SIZE];
	enum app_err er;

	msg[0] = '\0';
	er = body_json_parse((const char *)data, size, &o, msg, sizeof(msg));
	check(er, o, msg);
	o = NULL;
	msg[0] = '\0';
	er = body_form_parse((const char *)data, size, &o, msg, sizeof(msg));
	check(er, o, msg);
	return 0;
}
