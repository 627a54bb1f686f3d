/*
 * signup.h: dj-rest-auth's RegisterView as one use case: the form,
 * the signup (lib/register), and the answer: the verification notice,
 * or allauth's login of the new user (CSRF rotation, then the JWT pair,
 * the token or nothing, as login/ answers).
 */
#ifndef RESTAUTH_SIGNUP_H
#define RESTAUTH_SIGNUP_H

#include "app.h"

struct app_call;
struct json_object;

/*
 * Register from call->req's body. APP_OK: the answer (201 or 204) is in
 * call->resp. APP_EINPUT: the messages are in *errs (for ans_fail);
 * APP_EDB, APP_ENOMEM, APP_EINTERNAL.
 */
enum app_err signup_run(struct app_call *call,
    struct json_object **errs) APP_WUR;

#endif
