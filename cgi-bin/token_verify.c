/* token/verify/: simplejwt's TokenVerifyView (JWT mode only). */
#include "form.h"
#include "req.h"
#include "serve.h"
#include "tokens.h"

enum field { F_TOKEN, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_TOKEN] = { "token", REQ_F_REQUIRED, LIMIT_TOKEN },
};

static const struct app_endpoint token_verify = {
	.path = "token/verify/",
	.name = "Token Verify",
	.description = "Takes a token and indicates if it is valid. This view "
		       "provides no information about a token's fitness for a "
		       "particular use.",
	.methods = REQ_BIT(REQ_POST),
	.no_auth = true,
};

/* dj-rest-auth routes this view only with USE_JWT. */
static const struct form form = { &token_verify, fields, F__MAX,
	.jwt_only = true, .run_one = tokens_verify };

FORM_MAIN(form)
