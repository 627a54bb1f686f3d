/*
 * form.c: the handler the form endpoints share (lib/api/form.h), so that
 * reading the declared fields, the e-mail rule, wiping the buffers and
 * answering a failure are written once.
 */
#include <assert.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "answer.h"
#include "form.h"
#include "req.h"
#include "resp.h"
#include "serve.h"

const char *
form_str(const struct form_in *in, size_t i)
{
	return in->f[i].out;
}

const char *
form_opt(const struct form_in *in, size_t i)
{
	return in->f[i].present ? in->f[i].out : NULL;
}

/* Django's EmailValidator on each sent address that passed the field
 * rules (a failed field's buffer is empty), after every field's own
 * messages, as DRF's EmailField runs its validators. */
static enum app_err
emails_check(const struct req_field *f, const unsigned *flags, size_t n,
    enum app_err er, struct json_object **errs)
{
	size_t i;

	for (i = 0; i < n && er != APP_ENOMEM; i++) {
		if (!(flags[i] & FORM_EMAIL) || f[i].out[0] == '\0' ||
		    acct_email_valid(f[i].out))
			continue;
		er = resp_errors_add(errs, f[i].name, ACCT_EMAIL_INVALID) ==
			APP_OK
		    ? APP_EINPUT
		    : APP_ENOMEM;
	}
	return er;
}

/* Read the fields of fm not skipped, in declared order, into buf. */
static enum app_err
fields_read(struct app_call *c, const struct form *fm, struct req_field *f,
    char *buf, struct json_object **errs)
{
	unsigned flags[FORM_FIELDS_MAX];
	struct req_field want[FORM_FIELDS_MAX];
	size_t i, k = 0, used = 0;
	enum app_err er;

	for (i = 0; i < fm->n; i++)
		flags[i] = fm->fields[i].flags;
	if (fm->prepare != NULL)
		fm->prepare(c, flags);
	for (i = 0; i < fm->n; i++) {
		f[i].name = fm->fields[i].name;
		f[i].flags =
		    flags[i] & (REQ_F_REQUIRED | REQ_F_BLANK | REQ_F_NOTRIM);
		f[i].max_chars = fm->fields[i].max_chars;
		f[i].out = buf + used;
		f[i].outsz = f[i].max_chars * 4 + 1;
		f[i].out[0] = '\0';
		f[i].present = false;
		used += f[i].outsz;
		if (!(flags[i] & FORM_SKIP))
			want[k++] = f[i];
	}
	if ((er = req_fields(c->req, want, k, errs)) == APP_ENOMEM)
		return er;
	for (i = 0, k = 0; i < fm->n; i++)
		if (!(flags[i] & FORM_SKIP))
			f[i].present = want[k++].present;
	return emails_check(f, flags, fm->n, er, errs);
}

static size_t
form_bytes(const struct form *fm)
{
	size_t i, used = 0;

	for (i = 0; i < fm->n; i++)
		used += fm->fields[i].max_chars * 4 + 1;
	return used;
}

enum app_err
form_run(struct app_call *c, const struct form *fm, struct json_object **errs)
{
	char buf[FORM_BYTES];
	struct req_field f[FORM_FIELDS_MAX];
	struct form_in in = { f, APP_OK };
	enum app_err er;

	if (fm->jwt_only && c->ctx->jwt == NULL)
		return APP_ENOTFOUND;
	/* A form that does not fit is a programmer's error. */
	assert(fm->n <= FORM_FIELDS_MAX && form_bytes(fm) <= sizeof(buf));
	if (fm->n > FORM_FIELDS_MAX || form_bytes(fm) > sizeof(buf))
		return APP_EINTERNAL;
	er = fields_read(c, fm, f, buf, errs);
	in.parsed = er;
	if (er == APP_OK && fm->run_one != NULL)
		er = fm->run_one(c, form_str(&in, 0));
	else if (er == APP_OK || (er == APP_EINPUT && fm->run_on_errors))
		er = fm->run(c, &in, errs);
	if (er == APP_OK && fm->done != NULL)
		resp_detail(c->resp, 200, fm->done);
	OPENSSL_cleanse(buf, form_bytes(fm));
	return er;
}

int
form_main(int argc, char **argv, const struct form *fm)
{
	return form_main_routes(argc, argv, fm->ep->path, &fm, 1);
}

int
form_main_routes(int argc, char **argv, const char *mapped,
    const struct form *const *fms, size_t n)
{
	struct app_endpoint eps[FORM_ROUTES_MAX], family;
	size_t i;

	assert(n > 0 && n <= FORM_ROUTES_MAX);
	if (n == 0 || n > FORM_ROUTES_MAX)
		return 1;
	for (i = 0; i < n; i++) {
		eps[i] = *fms[i]->ep;
		eps[i].handle = form_handle;
		eps[i].form = fms[i];
		eps[i].reads_body = !fms[i]->no_body;
	}
	if (n == 1 && strcmp(mapped, eps[0].path) == 0)
		return app_main(argc, argv, &eps[0]);
	family = eps[0];
	family.path = mapped;
	family.routes = eps;
	family.n_routes = n;
	return app_main(argc, argv, &family);
}

void
form_handle(struct app_call *c)
{
	struct json_object *errs = NULL;
	enum app_err er;

	if ((er = form_run(c, c->ep->form, &errs)) != APP_OK)
		ans_fail(c->resp, er, &errs);
}
