/*
 * test_form.c: the form endpoints' shared handler (lib/api/form.c): fields
 * read in declared order, the e-mail rule, skipped fields, the use case
 * run only on good fields unless it merges its messages, JWT-only
 * endpoints, the success detail and the failure answers.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "form.h"
#include "req.h"
#include "resp.h"
#include "serve.h"
#include "testhelp.h"

enum field { F_NAME, F_EMAIL, F_SECRET, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_NAME] = { "name", REQ_F_BLANK, 5 },
	[F_EMAIL] = { "email", REQ_F_BLANK | FORM_EMAIL, LIMIT_EMAIL },
	[F_SECRET] = { "secret", REQ_F_REQUIRED, 16 },
};

/* What the last run saw. */
static struct {
	int calls;
	enum app_err parsed;
	char name[32], email[64], secret[32];
	bool secret_sent;
	const char *one;
} seen;

static enum app_err
run(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	(void)c;
	(void)errs;
	seen.calls++;
	seen.parsed = in->parsed;
	snprintf(seen.name, sizeof(seen.name), "%s", form_str(in, F_NAME));
	snprintf(seen.email, sizeof(seen.email), "%s", form_str(in, F_EMAIL));
	snprintf(seen.secret, sizeof(seen.secret), "%s",
	    form_str(in, F_SECRET));
	seen.secret_sent = form_opt(in, F_SECRET) != NULL;
	return in->parsed;
}

static enum app_err
run_one(struct app_call *c, const char *value)
{
	(void)c;
	seen.calls++;
	seen.one = strcmp(value, "tok") == 0 ? "tok" : "other";
	return APP_OK;
}

static void
skip_secret(const struct app_call *c, unsigned *flags)
{
	(void)c;
	flags[F_SECRET] |= FORM_SKIP;
}

static const struct app_endpoint ep = { .path = "x/", .name = "X" };

/* form_handle on body with fm; the answer in *resp (resp_free it). */
static void
call(const struct form *fm, const char *body, struct app_ctx *ctx,
    struct resp *resp)
{
	struct app_endpoint e = ep;
	struct req req;
	struct app_call c;

	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	memset(&seen, 0, sizeof(seen));
	e.form = fm;
	req.method = REQ_POST;
	req.data = body != NULL ? json_tokener_parse(body) : NULL;
	resp_init(resp);
	c.ctx = ctx;
	c.ep = &e;
	c.req = &req;
	c.resp = resp;
	form_handle(&c);
	json_object_put(req.data);
}

/* resp's body as JSON text (static storage). */
static const char *
body_of(const struct resp *resp)
{
	return resp->body != NULL
	    ? json_object_to_json_string_ext(resp->body, JSON_C_TO_STRING_PLAIN)
	    : "(none)";
}

int
main(void)
{
	static struct app_ctx ctx;
	struct form fm = { &ep, fields, F__MAX, .run = run };
	struct resp resp;

	/* Good fields: run sees them, trimmed; the use case answers. */
	call(&fm,
	    "{\"name\":\" ab \",\"email\":\"a@b.example\","
	    "\"secret\":\"s3\"}",
	    &ctx, &resp);
	T_ASSERT(seen.calls == 1 && seen.parsed == APP_OK);
	T_STREQ(seen.name, "ab");
	T_STREQ(seen.email, "a@b.example");
	T_STREQ(seen.secret, "s3");
	T_ASSERT(seen.secret_sent);
	T_ASSERT(resp.status != 200 || resp.body == NULL);
	resp_free(&resp);

	/* Every field's message in declared order, the e-mail rule after
	 * them; run not called. */
	call(&fm, "{\"name\":\"toolong\",\"email\":\"nope\"}", &ctx, &resp);
	T_ASSERT(seen.calls == 0);
	T_ASSERT(resp.status == 400);
	T_STREQ(body_of(&resp),
	    "{\"name\":[\"Ensure this field has no more than 5 characters.\"],"
	    "\"secret\":[\"This field is required.\"],"
	    "\"email\":[\"Enter a valid email address.\"]}");
	resp_free(&resp);

	/* A blank address is not checked. */
	call(&fm, "{\"email\":\"  \",\"secret\":\"s\"}", &ctx, &resp);
	T_ASSERT(seen.calls == 1);
	T_STREQ(seen.email, "");
	resp_free(&resp);

	/* run_on_errors: run sees the fields' failure and returns it. */
	fm.run_on_errors = true;
	call(&fm, "{\"secret\":\"s\",\"name\":\"123456\"}", &ctx, &resp);
	T_ASSERT(seen.calls == 1 && seen.parsed == APP_EINPUT);
	T_STREQ(seen.name, "");
	T_STREQ(seen.secret, "s");
	T_ASSERT(resp.status == 400);
	resp_free(&resp);
	fm.run_on_errors = false;

	/* A skipped field is not read: not required, not present. */
	fm.prepare = skip_secret;
	call(&fm, "{\"secret\":\"s\"}", &ctx, &resp);
	T_ASSERT(seen.calls == 1 && seen.parsed == APP_OK);
	T_ASSERT(!seen.secret_sent);
	T_STREQ(seen.secret, "");
	resp_free(&resp);
	fm.prepare = NULL;

	/* done: DRF's {"detail": ...} with 200 after a good run. */
	fm.done = "ok";
	call(&fm, "{\"secret\":\"s\"}", &ctx, &resp);
	T_ASSERT(resp.status == 200);
	T_STREQ(body_of(&resp), "{\"detail\":\"ok\"}");
	resp_free(&resp);
	fm.done = NULL;

	/* jwt_only without USE_JWT: 404 before anything is read. */
	fm.jwt_only = true;
	call(&fm, "{}", &ctx, &resp);
	T_ASSERT(seen.calls == 0 && resp.status == 404);
	T_STREQ(body_of(&resp), "{\"detail\":\"Not found.\"}");
	resp_free(&resp);
	fm.jwt_only = false;

	/* run_one gets field 0's value; no body: "" for every field. */
	{
		static const struct form_field one[1] = { { "token",
		    REQ_F_REQUIRED, 8 } };
		struct form f1 = { &ep, one, 1, .run_one = run_one };

		call(&f1, "{\"token\":\"tok\"}", &ctx, &resp);
		T_ASSERT(seen.calls == 1);
		T_STREQ(seen.one, "tok");
		resp_free(&resp);
		call(&f1, NULL, &ctx, &resp);
		T_ASSERT(seen.calls == 0 && resp.status == 400);
		T_STREQ(body_of(&resp),
		    "{\"token\":[\"This field is required.\"]}");
		resp_free(&resp);
	}
	return T_DONE();
}
