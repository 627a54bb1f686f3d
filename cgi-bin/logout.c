/* logout/: dj-rest-auth's LogoutView, token and JWT mode. */
#include "logout.h"
#include "req.h"
#include "serve.h"

static const struct app_endpoint logout = {
	.path = "logout/",
	.name = "Logout",
	.description = "Calls Django logout method and delete the Token "
		       "object assigned to the current User object.",
	.methods = REQ_BIT(REQ_GET) | REQ_BIT(REQ_POST),
	.reads_body = false, /* only JWT mode without HttpOnly reads it */
	.throttle_scope = "dj_rest_auth",
	.handle = logout_run,
};

APP_MAIN(logout)
