/*
 * logout.h: dj-rest-auth's LogoutView as one use case: the user's token
 * and session go in one transaction, then (JWT mode) the cookies are
 * cleared and the refresh token blacklisted.
 */
#ifndef RESTAUTH_LOGOUT_H
#define RESTAUTH_LOGOUT_H

struct app_call;

/*
 * Log the caller out (GET, HEAD or POST, authenticated or not) and put
 * the answer in call->resp, whatever it is (200, 400, 401, 403, 405,
 * the generic answer for a database failure).
 */
void logout_run(struct app_call *call);

#endif
