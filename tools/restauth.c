/*
 * restauth: the admin tool. migrate, createuser, changepassword, check,
 * flushexpiredtokens, mail-worker.
 * Exit codes: 0 done; 1 refused (user exists, no such user, bad
 * password); 2 usage; 3 bad config; 4 database unreachable or failed.
 */
#include <sys/resource.h>

#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "account.h"
#include "config.h"
#include "db.h"
#include "deploycheck.h"
#include "log.h"
#include "migrate.h"
#include "outbox.h"
#include "passwd.h"
#include "pw.h"
#include "pwval.h"
#include "register.h"
#include "req.h"

#ifndef RESTAUTH_SQLDIR
#define RESTAUTH_SQLDIR "/usr/local/share/restauth/sql"
#endif

enum exit_code {
	EX_DONE = 0,
	EX_REFUSED = 1,
	EX_USAGE_ = 2,
	EX_CONFIG_ = 3,
	EX_DB = 4
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: restauth [-c config.json] command [args]\n"
	    "  migrate [--sql DIR]         apply the SQL migrations\n"
	    "  createuser NAME [--email E] [--superuser] [--password P]\n"
	    "                              (password from stdin when not given)\n"
	    "  changepassword NAME [--password P]\n"
	    "  check                       validate the config, reach the database\n"
	    "  check --deploy [--config-only] [-c config.json]\n"
	    "                              and list the config's risks\n"
	    "  flushexpiredtokens          delete expired outstanding/blacklisted JWTs\n"
	    "                              and expired MFA login tokens\n"
	    "  mail-worker [--drain]       send the mail outbox: as a daemon, or\n"
	    "                              once (--drain) and exit\n"
	    "  mfa-reset NAME              remove the user's TOTP and recovery\n"
	    "                              codes (a lost authenticator)\n");
}

static int
load(const char *path, struct app_config *cfg, struct db *db,
    struct pwval **pv)
{
	char err[APP_CONFIG_ERRSZ];

	if (app_config_load(path, cfg, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s\n", err);
		return EX_CONFIG_;
	}
	if (pwval_init(pv, cfg, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s\n", err);
		app_config_free(cfg);
		return EX_CONFIG_;
	}
	if (db_init(db, cfg->database_url) != APP_OK) {
		fprintf(stderr, "out of memory\n");
		app_config_free(cfg);
		return EX_CONFIG_;
	}
	return EX_DONE;
}

/* The password from --password, else the first line of stdin. */
static int
read_password(const char *given, char *buf, size_t sz)
{
	size_t n;

	if (given != NULL) {
		if (strlen(given) >= sz)
			return -1;
		snprintf(buf, sz, "%s", given);
		return 0;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Password: ");
	if (fgets(buf, (int)sz, stdin) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

static int
cmd_migrate(struct db *db, int argc, char **argv)
{
	const char *dir = RESTAUTH_SQLDIR;
	char err[512];
	int applied = 0;
	enum app_err er;

	if (argc == 3 && strcmp(argv[1], "--sql") == 0)
		dir = argv[2];
	else if (argc != 1) {
		usage();
		return EX_USAGE_;
	}
	er = mig_apply(db, dir, &applied, err, sizeof(err));
	if (er != APP_OK) {
		fprintf(stderr, "%s\n", err);
		return er == APP_EDB ? EX_DB : EX_REFUSED;
	}
	printf("migrate: %d migration%s applied\n", applied,
	    applied == 1 ? "" : "s");
	return EX_DONE;
}

/*
 * AUTH_PASSWORD_VALIDATORS, as Django's createsuperuser and
 * changepassword run them: every message, then refuse.
 */
static bool
password_ok(const struct pwval *pv, const char *prog, const char *pw,
    const struct pwval_user *who)
{
	struct json_object *errs = NULL, *list;
	enum app_err er;
	size_t i;

	er = pwval_validate(pv, pw, strlen(pw), who, "password", &errs);
	if (er == APP_EINPUT && json_object_object_get_ex(errs, "password",
				    &list))
		for (i = 0; i < json_object_array_length(list); i++)
			fprintf(stderr, "%s: %s\n", prog,
			    json_object_get_string(
				json_object_array_get_idx(list, i)));
	else if (er != APP_OK)
		fprintf(stderr, "%s: password check failed (%s)\n", prog,
		    app_err_name(er));
	json_object_put(errs);
	return er == APP_OK;
}

static int
cmd_user(const struct app_config *cfg, struct db *db,
    const struct pwval *pv, int argc, char **argv, bool create)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "password", required_argument, NULL, 'p' },
		{ "superuser", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *email = "", *given = NULL, *name;
	char pw[LIMIT_PASSWORD + 2], hash[PW_HASH_MAX];
	struct pw_params p = acct_pw_params(cfg);
	bool super = false;
	struct pwval_user who;
	struct db_revoke rv;
	struct db_user u;
	enum app_err er;
	int64_t id;
	int c, rc = EX_REFUSED;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e': email = optarg; break;
		case 'p': given = optarg; break;
		case 's': super = true; break;
		default: usage(); return EX_USAGE_;
		}
	}
	if (optind != argc - 1 || (!create && (super || email[0] != '\0'))) {
		usage();
		return EX_USAGE_;
	}
	name = argv[optind];
	if (strlen(name) > LIMIT_USERNAME * 4 ||
	    req_utf8_chars(name, strlen(name)) > LIMIT_USERNAME ||
	    !acct_username_valid(name)) {
		fprintf(stderr, "%s: %s\n", argv[0], ACCT_USERNAME_INVALID);
		return EX_REFUSED;
	}
	if (email[0] != '\0' && !acct_email_valid(email)) {
		fprintf(stderr, "%s: %s\n", argv[0], ACCT_EMAIL_INVALID);
		return EX_REFUSED;
	}
	if (read_password(given, pw, sizeof(pw)) != 0 || pw[0] == '\0' ||
	    strlen(pw) > LIMIT_PASSWORD) {
		fprintf(stderr, "%s: a password of 1 to %d bytes is needed\n",
		    argv[0], LIMIT_PASSWORD);
		goto out;
	}
	if (!create) {
		er = db_user_by_username(db, name, &u);
		if (er == APP_ENOTFOUND) {
			fprintf(stderr, "%s: user \"%s\" does not exist\n",
			    argv[0], name);
			goto out;
		}
		if (er != APP_OK) {
			fprintf(stderr, "%s: database error (%s)\n", argv[0],
			    app_err_name(er));
			rc = EX_DB;
			goto out;
		}
	} else {
		memset(&u, 0, sizeof(u));
		snprintf(u.username, sizeof(u.username), "%s", name);
		snprintf(u.email, sizeof(u.email), "%s", email);
	}
	who.username = u.username;
	who.first_name = u.first_name;
	who.last_name = u.last_name;
	who.email = u.email;
	if (!password_ok(pv, argv[0], pw, &who))
		goto out;
	if ((er = pw_hash(&p, pw, strlen(pw), hash)) != APP_OK) {
		fprintf(stderr, "%s: hashing failed (%s)\n", argv[0],
		    app_err_name(er));
		goto out;
	}
	if (create) {
		er = reg_user_create(db, name, email, hash, super, &id);
		if (er == APP_ECONFLICT) {
			fprintf(stderr, "%s: %s\n", argv[0],
			    ACCT_USERNAME_TAKEN);
			goto out;
		}
		if (er == APP_OK)
			printf("created user %s (pk %lld)\n", name,
			    (long long)id);
	} else {
		/* As a reset: the old token, refresh tokens and sessions
		 * end with the old password, in the same transaction. */
		passwd_reset_revoke(cfg, &rv);
		er = passwd_store(db, u.id, NULL, hash, &rv);
		if (er == APP_OK)
			printf("password changed for user %s\n", u.username);
	}
	if (er != APP_OK) {
		fprintf(stderr, "%s: database error (%s)\n", argv[0],
		    app_err_name(er));
		rc = EX_DB;
		goto out;
	}
	rc = EX_DONE;
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

/*
 * mfa-reset NAME: what an administrator does for a user who lost the
 * authenticator (mfa/totp/deactivate/ needs a TOTP code, and recovery
 * codes only log in): the user's TOTP and recovery codes are deleted, so
 * the next login asks for no code. Logged.
 */
static int
cmd_mfa_reset(struct db *db, int argc, char **argv)
{
	struct db_user u;
	struct db_mfa m;
	enum app_err er;
	int rc = EX_DB;

	if (argc != 2) {
		usage();
		return EX_USAGE_;
	}
	er = db_user_by_username(db, argv[1], &u);
	if (er == APP_ENOTFOUND) {
		fprintf(stderr, "%s: user \"%s\" does not exist\n", argv[0],
		    argv[1]);
		return EX_REFUSED;
	}
	if (er == APP_OK && (er = db_mfa_get(db, u.id, false, &m)) == APP_OK &&
	    (er = db_mfa_delete(db, u.id)) == APP_OK) {
		printf("%s for user %s\n",
		    m.totp || m.recovery ? "MFA removed" : "no MFA was set up",
		    u.username);
		log_info("mfa: reset user=%lld (admin tool)", (long long)u.id);
		rc = EX_DONE;
	} else
		fprintf(stderr, "%s: database error (%s)\n", argv[0],
		    app_err_name(er));
	OPENSSL_cleanse(&m, sizeof(m));
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}

/*
 * simplejwt's flushexpiredtokens, and the expired MFA login tokens and
 * passkey ceremonies.
 */
static int
cmd_flush(struct db *db)
{
	enum app_err er;
	long n = 0, mfa = 0, pk = 0;

	if ((er = db_flush_expired(db, &n)) != APP_OK ||
	    (er = db_mfa_token_clean(db, &mfa)) != APP_OK ||
	    (er = db_passkey_challenge_clean(db, &pk)) != APP_OK) {
		fprintf(stderr, "flushexpiredtokens: database error (%s)\n",
		    app_err_name(er));
		return EX_DB;
	}
	printf("flushexpiredtokens: %ld expired token%s deleted\n", n,
	    n == 1 ? "" : "s");
	printf("flushexpiredtokens: %ld expired MFA login token%s deleted\n",
	    mfa, mfa == 1 ? "" : "s");
	printf("flushexpiredtokens: %ld expired passkey challenge%s deleted\n",
	    pk, pk == 1 ? "" : "s");
	return EX_DONE;
}

/*
 * check --deploy: each production risk of cfg on one line, "id text";
 * EX_REFUSED when any is not a hint.
 */
static int
deploy_report(const struct app_config *cfg)
{
	struct deploy_finding found[DEPLOY_FINDINGS_MAX];
	size_t i, n, warnings;

	n = deploy_check(cfg, found, DEPLOY_FINDINGS_MAX, &warnings);
	for (i = 0; i < n; i++)
		printf("%s %s\n", found[i].id, found[i].text);
	printf("check --deploy: %zu issue%s, %zu hint%s\n", warnings,
	    warnings == 1 ? "" : "s", n - warnings,
	    n - warnings == 1 ? "" : "s");
	return warnings > 0 ? EX_REFUSED : EX_DONE;
}

static volatile sig_atomic_t stop_flag;

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Stop: SIGTERM or SIGINT handled during the wait, or pending. */
static bool
worker_stop(void)
{
	sigset_t p;

	return stop_flag ||
	    (sigpending(&p) == 0 &&
		(sigismember(&p, SIGTERM) == 1 ||
		    sigismember(&p, SIGINT) == 1));
}

/*
 * mail-worker --drain: send what is due and exit (a program starts it
 * after its answer, or cron does), at the lowest priority. mail-worker:
 * the daemon, until SIGTERM or SIGINT.
 */
static int
cmd_mail_worker(const struct app_config *cfg, struct db *db, int argc,
    char **argv)
{
	struct outbox_stats st;
	struct sigaction sa;
	sigset_t stops, waitmask;
	enum app_err er;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--drain") != 0)) {
		usage();
		return EX_USAGE_;
	}
	/* Blocked but while the daemon waits, so that a stop never cuts a
	 * mail in half: seen pending between mails, or handled in the wait. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stops, &waitmask) == -1) {
		perror("sigprocmask");
		return EX_CONFIG_;
	}
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2) {
		struct timespec pause = { 0, OUTBOX_DRAIN_PAUSE_MS * 1000000L };

		(void)nanosleep(&pause, NULL);
		if ((er = outbox_drain(cfg, db, worker_stop, &st)) != APP_OK) {
			fprintf(stderr, "mail-worker: database error (%s)\n",
			    app_err_name(er));
			return EX_DB;
		}
		if (st.failed > 0)
			log_warnx("mail-worker: %zu sent, %zu failed", st.sent,
			    st.failed);
		return EX_DONE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1) {
		perror("sigaction");
		return EX_CONFIG_;
	}
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	outbox_worker(cfg, db, worker_stop, &waitmask);
	return EX_DONE;
}

/* Config already loaded; reach the database and compare the schema. */
static int
cmd_check(const char *path, struct db *db)
{
	PGresult *res;
	int rc = EX_DONE;

	printf("config: %s: ok\n", path);
	if (db_connect(db) != APP_OK) {
		printf("database: cannot connect (see the line above)\n");
		return EX_DB;
	}
	printf("database: reachable\n");
	res = PQexec(db->conn,
	    "SELECT count(*) FROM restauth_schema_version");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		printf("database: schema not installed: run "
		       "\"restauth migrate\"\n");
		rc = EX_DB;
	} else
		printf("database: %s migration(s) applied\n",
		    PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

/*
 * check [--deploy [--config-only]]: the config, then (--deploy) its
 * production risks, then the database. Exit codes in order of weight:
 * 3 bad config, 4 database, 1 a --deploy issue, 0 none of these. With
 * --config-only the database (and the password list) are left out.
 */
static int
cmd_check_all(const char *path, int argc, char **argv)
{
	struct app_config cfg;
	struct pwval *pv = NULL;
	struct db db;
	char err[APP_CONFIG_ERRSZ];
	bool deploy = false, only = false;
	int i, rc, drc = EX_DONE;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--deploy") == 0)
			deploy = true;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i]; /* check --deploy -c FILE */
		else if (strcmp(argv[i], "--config-only") == 0 && deploy)
			only = true;
		else {
			usage();
			return EX_USAGE_;
		}
	}
	if (only) {
		if (app_config_load(path, &cfg, err, sizeof(err)) != APP_OK) {
			fprintf(stderr, "%s\n", err);
			printf("config: %s: invalid\n", path);
			return EX_CONFIG_;
		}
		printf("config: %s: ok (database not checked)\n", path);
		rc = deploy_report(&cfg);
		app_config_free(&cfg);
		return rc;
	}
	if ((rc = load(path, &cfg, &db, &pv)) != EX_DONE) {
		printf("config: %s: invalid\n", path);
		return rc;
	}
	rc = cmd_check(path, &db);
	if (deploy)
		drc = deploy_report(&cfg);
	db_free(&db);
	pwval_free(pv);
	app_config_free(&cfg);
	return rc != EX_DONE ? rc : drc;
}

int
main(int argc, char **argv)
{
	const char *path = NULL, *cmd;
	struct app_config cfg;
	struct pwval *pv = NULL;
	struct db db;
	int rc, i = 1;

	log_init("restauth");
	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		path = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage();
		return EX_USAGE_;
	}
	cmd = argv[i];
	if (path == NULL)
		path = app_config_path();
	if (strcmp(cmd, "migrate") != 0 && strcmp(cmd, "createuser") != 0 &&
	    strcmp(cmd, "changepassword") != 0 && strcmp(cmd, "check") != 0 &&
	    strcmp(cmd, "flushexpiredtokens") != 0 &&
	    strcmp(cmd, "mail-worker") != 0 && strcmp(cmd, "mfa-reset") != 0) {
		usage();
		return EX_USAGE_;
	}
	if (strcmp(cmd, "check") == 0)
		return cmd_check_all(path, argc - i, argv + i);
	/*
	 * A drainer a program started after its answer: the lowest share of
	 * a CPU there is short of SCHED_IDLE, before the config and the
	 * password list are read, so that its start (and the sendmail it
	 * runs, which inherits it) takes next to nothing from the request
	 * that follows. SCHED_BATCH never preempts a request on wake-up;
	 * nice 19 weighs 15 against a request's 1024. Not SCHED_IDLE: on a
	 * machine whose CPUs never idle it waited for ever, and a process
	 * that is not root cannot leave it again.
	 */
	if (strcmp(cmd, "mail-worker") == 0 && argc - i == 2 &&
	    strcmp(argv[i + 1], "--drain") == 0) {
		struct sched_param batch = { .sched_priority = 0 };

		if (sched_setscheduler(0, SCHED_BATCH, &batch) == -1)
			log_warn("mail-worker: SCHED_BATCH");
		if (setpriority(PRIO_PROCESS, 0, 19) == -1)
			log_warn("mail-worker: setpriority");
	}
	if ((rc = load(path, &cfg, &db, &pv)) != EX_DONE)
		return rc;
	if (strcmp(cmd, "migrate") == 0)
		rc = cmd_migrate(&db, argc - i, argv + i);
	else if (strcmp(cmd, "createuser") == 0)
		rc = cmd_user(&cfg, &db, pv, argc - i, argv + i, true);
	else if (strcmp(cmd, "changepassword") == 0)
		rc = cmd_user(&cfg, &db, pv, argc - i, argv + i, false);
	else if (strcmp(cmd, "mfa-reset") == 0)
		rc = cmd_mfa_reset(&db, argc - i, argv + i);
	else if (strcmp(cmd, "mail-worker") == 0)
		rc = cmd_mail_worker(&cfg, &db, argc - i, argv + i);
	else
		rc = cmd_flush(&db);
	db_free(&db);
	pwval_free(pv);
	app_config_free(&cfg);
	return rc;
}
