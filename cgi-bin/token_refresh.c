/* token/refresh/: dj-rest-auth's refresh view with cookie support. */
#include "form.h"
#include "req.h"
#include "serve.h"
#include "tokens.h"

enum field { F_REFRESH, F__MAX };

static const struct form_field fields[F__MAX] = {
	[F_REFRESH] = { "refresh", 0, LIMIT_TOKEN },
};

static const struct app_endpoint token_refresh = {
	.path = "token/refresh/",
	.name = "Refresh View With Cookie Support",
	.description = "Takes a refresh type JSON web token and returns an "
		       "access type JSON web token if the refresh token is "
		       "valid.",
	.methods = REQ_BIT(REQ_POST),
	.no_auth = true,
};

static const struct form form = { &token_refresh, fields, F__MAX,
	.jwt_only = true, .run_one = tokens_refresh };

FORM_MAIN(form)
