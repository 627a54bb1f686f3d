/*
 * form.h: an endpoint's serializer declared once, as a table of fields
 * indexed by the endpoint's enum (kcgi's keys[KEY__MAX]), and the one
 * handler every form endpoint shares: read the fields (req_fields), add
 * Django's EmailValidator message, run the endpoint's one use case, and
 * answer its success or failure (ans_fail); the field buffers are wiped
 * afterwards. A form endpoint reads the body, unless it says not to.
 */
#ifndef RESTAUTH_FORM_H
#define RESTAUTH_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "bounds.h"

struct app_call;
struct app_endpoint;
struct json_object;
struct req_field;

/* The most fields a form declares (login/ and password/reset/confirm/). */
#define FORM_FIELDS_MAX 4
/*
 * The buffers of one form, max_chars * 4 + 1 bytes a field (UTF-8 and
 * NUL): login/'s username, email and password are the largest form.
 */
#define FORM_BYTES ((LIMIT_USERNAME + LIMIT_EMAIL + LIMIT_PASSWORD) * 4 + 3)

/* Flags of a field besides req.h's REQ_F_*. */
#define FORM_EMAIL 0x100 /* a sent value must pass acct_email_valid */
#define FORM_SKIP 0x200 /* not a field of this request: not read */

struct form_field {
	const char *name;
	unsigned flags; /* REQ_F_*, FORM_* */
	size_t max_chars;
};

/* The fields as read, for the use case; valid during run only. */
struct form_in {
	const struct req_field *f; /* indexed as the declared fields */
	enum app_err parsed; /* APP_OK, or APP_EINPUT (in *errs) */
};

struct form {
	/* The endpoint; its handle and form are form_main's. */
	const struct app_endpoint *ep;
	const struct form_field *fields;
	size_t n; /* at most FORM_FIELDS_MAX */
	/* dj-rest-auth routes the view only with USE_JWT: 404 before
	 * anything is read when JWT mode is off. */
	bool jwt_only;
	/* The view never reads request.data: the body is not parsed (nor
	 * a bad one refused) unless the use case asks (app_body). */
	bool no_body;
	/* The use case runs even when fields failed, to add its own
	 * messages beside theirs (in->parsed says); else it runs only
	 * when every field is good. */
	bool run_on_errors;
	/* DRF's Response({"detail": done}) when run succeeds; NULL: run
	 * answers itself. */
	const char *done;
	/* Optional: the flags for this request (the config or the method
	 * decides), given the declared ones in flags[0..n). */
	void (*prepare)(const struct app_call *call, unsigned *flags);
	/*
	 * The endpoint's use case: APP_OK with the answer in call->resp
	 * (or done's); else an error for ans_fail (APP_EINPUT with *errs).
	 */
	enum app_err (*run)(struct app_call *call, const struct form_in *in,
	    struct json_object **errs);
	/* Instead of run, a use case of one field: called with its value
	 * (form_str of field 0). */
	enum app_err (*run_one)(struct app_call *call, const char *value);
};

/* Field i's value: "" when absent, blank or bad. */
const char *form_str(const struct form_in *in, size_t i);
/* Field i's value, NULL when the client did not send it. */
const char *form_opt(const struct form_in *in, size_t i);

/*
 * The handler of a form endpoint (struct app_endpoint .handle): reads
 * call->ep->form as above and leaves the answer in call->resp.
 */
void form_handle(struct app_call *call);

/* app_main for fm's endpoint, handled by form_handle. */
int form_main(int argc, char **argv, const struct form *fm);

/*
 * app_main for a family of n form endpoints (serve.h's routes), at
 * most FORM_ROUTES_MAX, which the web server maps at the path mapped
 * ("mfa/"), a prefix of each of their paths.
 */
#define FORM_ROUTES_MAX 8
int form_main_routes(int argc, char **argv, const char *mapped,
    const struct form *const *fms, size_t n);

/* A form endpoint's main. */
#define FORM_MAIN(fm)                                                          \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		return form_main(argc, argv, &(fm));                           \
	}

/*
 * form_handle's work for fm, without the answer of a failure: APP_OK
 * (the use case answered), or the error for ans_fail with *errs.
 */
enum app_err form_run(struct app_call *call, const struct form *fm,
    struct json_object **errs) APP_WUR;

#endif
