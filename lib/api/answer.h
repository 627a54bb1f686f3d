/*
 * answer.h: the answers several endpoints share, composed in one place:
 * DRF's field errors or the generic answer for an error, the 401 with
 * its challenge, the user, the token answer, and the JWT answer of a login or a
 * refresh with its cookies.
 */
#ifndef RESTAUTH_ANSWER_H
#define RESTAUTH_ANSWER_H

#include <stdbool.h>

#include "app.h"

struct app_config;
struct auth_fail;
struct db_user;
struct json_object;
struct jwtm_pair;
struct resp;

/*
 * DRF's field errors (*errs, consumed) as 400 when er is APP_EINPUT and
 * there are some, else the generic answer for er (*errs dropped).
 */
void ans_fail(struct resp *resp, enum app_err er, struct json_object **errs);

/* 401 with DRF's/simplejwt's body for fail and the WWW-Authenticate. */
void ans_unauthorized(const struct app_config *cfg, struct resp *resp,
    const struct auth_fail *fail);

/* Token mode: status with {"key": key}, Cache-Control: no-store.
 * APP_OK; APP_ENOMEM (nothing set). */
enum app_err ans_token(struct resp *resp, int status, const char *key)
    APP_WUR;

/* status with {}. APP_OK; APP_ENOMEM (nothing set). */
enum app_err ans_empty(struct resp *resp, int status) APP_WUR;

/* 200 with dj-rest-auth's UserDetailsSerializer of u. APP_OK;
 * APP_ENOMEM (nothing set). */
enum app_err ans_user(struct resp *resp, const struct db_user *u) APP_WUR;

/*
 * The JWT answer for pair, Cache-Control: no-store, the access cookie
 * and (when pair has one) the refresh cookie. With user: dj-rest-auth's
 * login answer, status with {"access", "refresh" ("" when HttpOnly),
 * "user"} (plus both expirations when expirations). Without (a
 * refresh): 200 with {"access", "refresh", "access_expiration",
 * "refresh_expiration"}, the refresh ones only for a rotated refresh
 * token and not HttpOnly. APP_OK; APP_ENOMEM (nothing set).
 */
enum app_err ans_jwt(const struct app_config *cfg, struct resp *resp,
    const struct jwtm_pair *pair, const struct db_user *user, int status,
    bool expirations) APP_WUR;

#endif
