/*
 * deploycheck.h: `restauth check --deploy`, Django's `manage.py check
 * --deploy` for restauth: the production risks of a loaded config, as a
 * pure function (no I/O), one finding per risk.
 *
 * Ids: restauth.W0xx mirrors Django's security.W0xx of the same number
 * where Django has that check (W004, W008, W009, W012, W016, W018,
 * W020); restauth.W1xx are restauth's own; restauth.I1xx are hints,
 * which are listed but do not make the check fail.
 */
#ifndef RESTAUTH_DEPLOYCHECK_H
#define RESTAUTH_DEPLOYCHECK_H

#include <stdbool.h>
#include <stddef.h>

struct app_config;

/* Most findings one config can give (each id at most once). */
#define DEPLOY_FINDINGS_MAX 24
/* One finding's text, without the id. */
#define DEPLOY_TEXT_MAX 320

/* OWASP's argon2id minimums (Password Storage Cheat Sheet), p = 1:
 * any one pair of memory (KiB) and iterations is enough; scrypt's have
 * as many pairs of N and p. */
#define DEPLOY_OWASP_PAIRS 5
/* OWASP's other minimums: PBKDF2 iterations, bcrypt cost. */
#define DEPLOY_OWASP_PBKDF2_SHA256 600000
#define DEPLOY_OWASP_PBKDF2_SHA1 1300000
#define DEPLOY_OWASP_BCRYPT 10

struct deploy_finding {
	const char *id; /* "restauth.W009" */
	bool hint; /* I1xx: listed, not counted as a failure */
	char text[DEPLOY_TEXT_MAX];
};

/*
 * Every finding for cfg into out[0..max), in id order; returns how many
 * were found (never more than max is written). *warnings (may be NULL)
 * gets the number of findings that are not hints.
 */
size_t deploy_check(const struct app_config *cfg, struct deploy_finding *out,
    size_t max, size_t *warnings);

#endif
