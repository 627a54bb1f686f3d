/*
 * mfa/: dj-rest-auth 7.2's MFA views, one program for the family (one
 * process pool and one database connection instead of six), routed only
 * with REST_AUTH.MFA_ENABLED.
 */
#include <stddef.h>

#include "form.h"
#include "mfa.h"
#include "req.h"
#include "serve.h"

/* MFAVerifyView */
enum verify_field { V_TOKEN, V_CODE, V__MAX };

static const struct form_field verify_fields[V__MAX] = {
	[V_TOKEN] = { "ephemeral_token", REQ_F_REQUIRED, LIMIT_MFA_TOKEN },
	[V_CODE] = { "code", REQ_F_REQUIRED, LIMIT_MFA_VERIFY_CODE },
};

static enum app_err
verify(struct app_call *c, const struct form_in *in, struct json_object **errs)
{
	return mfa_verify(c, form_str(in, V_TOKEN), form_str(in, V_CODE), errs);
}

static const struct app_endpoint verify_ep = {
	.path = "mfa/verify/",
	.name = "Mfa Verify",
	.description = "Complete a login that answered mfa_required with a "
		       "TOTP or recovery code.",
	.methods = REQ_BIT(REQ_POST),
	.throttle_scope = "dj_rest_auth_mfa_verify",
	.routed = mfa_routed,
	.slash_optional = true,
};

static const struct form verify_form = { &verify_ep, verify_fields, V__MAX,
	.run = verify };

/* TOTPActivateView: GET starts, POST confirms. */
enum activate_field { A_TOKEN, A_CODE, A__MAX };

static const struct form_field activate_fields[A__MAX] = {
	[A_TOKEN] = { "activation_token", REQ_F_REQUIRED, LIMIT_MFA_TOKEN },
	[A_CODE] = { "code", REQ_F_REQUIRED, LIMIT_MFA_CODE },
};

static void
activate_prepare(const struct app_call *c, unsigned *flags)
{
	if (c->req->method != REQ_POST)
		flags[A_TOKEN] = flags[A_CODE] = FORM_SKIP;
}

static enum app_err
activate(struct app_call *c, const struct form_in *in,
    struct json_object **errs)
{
	if (c->req->method != REQ_POST)
		return mfa_activate_begin(c);
	return mfa_activate_confirm(c, in->parsed == APP_OK,
	    form_str(in, A_TOKEN), form_str(in, A_CODE), errs);
}

static const struct app_endpoint activate_ep = {
	.path = "mfa/totp/activate/",
	.name = "Totp Activate",
	.description = "GET: a new TOTP secret, its otpauth URI and QR code, "
		       "and an activation token. POST: confirm it with a code; "
		       "answers the recovery codes.",
	.methods = REQ_BIT(REQ_GET) | REQ_BIT(REQ_POST),
	.needs_auth = true,
	.throttle_scope = "dj_rest_auth",
	.routed = mfa_routed,
	.slash_optional = true,
};

static const struct form activate_form = { &activate_ep, activate_fields,
	A__MAX, .run_on_errors = true, .prepare = activate_prepare,
	.run = activate };

/* TOTPDeactivateView */
enum deactivate_field { D_CODE, D__MAX };

static const struct form_field deactivate_fields[D__MAX] = {
	[D_CODE] = { "code", REQ_F_REQUIRED, LIMIT_MFA_CODE },
};

static enum app_err
deactivate(struct app_call *c, const struct form_in *in,
    struct json_object **errs)
{
	return mfa_deactivate(c, in->parsed == APP_OK, form_str(in, D_CODE),
	    errs);
}

static const struct app_endpoint deactivate_ep = {
	.path = "mfa/totp/deactivate/",
	.name = "Totp Deactivate",
	.description = "Remove TOTP and the recovery codes, given a TOTP code.",
	.methods = REQ_BIT(REQ_POST),
	.needs_auth = true,
	.throttle_scope = "dj_rest_auth",
	.routed = mfa_routed,
	.slash_optional = true,
};

static const struct form deactivate_form = { &deactivate_ep, deactivate_fields,
	D__MAX, .run_on_errors = true, .run = deactivate };

/* MFAStatusView, RecoveryCodesView, RecoveryCodesRegenerateView: no
 * fields, the body never read. */
static enum app_err
status(struct app_call *c, const struct form_in *in, struct json_object **e)
{
	(void)in;
	(void)e;
	return mfa_status(c);
}

static enum app_err
codes(struct app_call *c, const struct form_in *in, struct json_object **e)
{
	(void)in;
	return mfa_recovery_codes(c, e);
}

static enum app_err
regenerate(struct app_call *c, const struct form_in *in, struct json_object **e)
{
	(void)in;
	return mfa_recovery_regenerate(c, e);
}

static const struct app_endpoint status_ep = {
	.path = "mfa/status/",
	.name = "Mfa Status",
	.description = "Whether TOTP is on, since when, and its last use.",
	.methods = REQ_BIT(REQ_GET),
	.needs_auth = true,
	.throttle_scope = "dj_rest_auth",
	.routed = mfa_routed,
	.slash_optional = true,
};

static const struct app_endpoint codes_ep = {
	.path = "mfa/recovery-codes/",
	.name = "Recovery Codes",
	.description = "The unused recovery codes.",
	.methods = REQ_BIT(REQ_POST),
	.needs_auth = true,
	.throttle_scope = "dj_rest_auth",
	.routed = mfa_routed,
	.slash_optional = true,
};

static const struct app_endpoint regenerate_ep = {
	.path = "mfa/recovery-codes/regenerate/",
	.name = "Recovery Codes Regenerate",
	.description = "New recovery codes; the old ones stop working.",
	.methods = REQ_BIT(REQ_POST),
	.needs_auth = true,
	.throttle_scope = "dj_rest_auth",
	.routed = mfa_routed,
	.slash_optional = true,
};

static const struct form status_form = { &status_ep, NULL, 0, .no_body = true,
	.run = status };
static const struct form codes_form = { &codes_ep, NULL, 0, .no_body = true,
	.run = codes };
static const struct form regenerate_form = { &regenerate_ep, NULL, 0,
	.no_body = true, .run = regenerate };

static const struct form *const routes[] = { &verify_form, &activate_form,
	&deactivate_form, &status_form, &codes_form, &regenerate_form };

int
main(int argc, char **argv)
{
	return form_main_routes(argc, argv, "mfa/", routes,
	    sizeof(routes) / sizeof(routes[0]));
}
