/*
 * pwchange.h: dj-rest-auth's PasswordChangeView as one use case: the old
 * password, SetPasswordForm, then the new hash, what it revokes and the
 * caller's session (kept with the new hash, or ended) in one
 * transaction, and the answer.
 */
#ifndef RESTAUTH_PWCHANGE_H
#define RESTAUTH_PWCHANGE_H

#include "app.h"

struct app_call;
struct json_object;

/* The request's fields, through the field rules. */
struct pwc_in {
	const char *old; /* NULL: not sent, or OLD_PASSWORD_FIELD_ENABLED off */
	const char *new1;
	const char *new2;
};

/*
 * Change the caller's password. fields: what req_fields returned (its
 * messages in *errs); validate_old_password's joins them. APP_OK: the
 * answer is in call->resp. APP_EINPUT with *errs; APP_EDB, APP_ENOMEM,
 * APP_EINTERNAL: nothing was written.
 */
enum app_err pwc_change(struct app_call *call, const struct pwc_in *in,
    enum app_err fields, struct json_object **errs) APP_WUR;

#endif
