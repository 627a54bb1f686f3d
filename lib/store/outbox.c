#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "outbox.h"

/* Separates this use of SECRET_KEY from every other one. */
#define ADDR_KEY_SALT "restauth.outbox.reset-cooldown"

extern char **environ;

enum app_err
outbox_addr_key(const char *secret, const char *email,
    char out[OUTBOX_ADDR_KEY_CHARS + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;
	size_t n = strlen(email), slen = strlen(ADDR_KEY_SALT);
	enum app_err er = APP_ENOMEM;
	char *msg;

	if ((msg = malloc(slen + 1 + n + 1)) == NULL)
		return er;
	memcpy(msg, ADDR_KEY_SALT, slen);
	msg[slen] = '|';
	for (i = 0; i < n; i++)
		msg[slen + 1 + i] = email[i] >= 'A' && email[i] <= 'Z' ?
		    (char)(email[i] - 'A' + 'a') :
		    email[i];
	er = APP_EINTERNAL;
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
		(const unsigned char *)msg, slen + 1 + n, mac, &maclen) ==
		NULL ||
	    maclen * 2 != OUTBOX_ADDR_KEY_CHARS)
		goto out;
	for (i = 0; i < maclen; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[OUTBOX_ADDR_KEY_CHARS] = '\0';
	er = APP_OK;
out:
	OPENSSL_cleanse(msg, slen + 1 + n);
	free(msg);
	return er;
}

void
outbox_spawn_drainer(const char *config)
{
	char *argv[] = { (char *)(uintptr_t)RESTAUTH_TOOL, NULL, NULL,
		(char *)(uintptr_t) "mail-worker",
		(char *)(uintptr_t) "--drain", NULL };
	char **args = argv;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid;
	int rc;

	if (config != NULL) {
		argv[1] = (char *)(uintptr_t) "-c";
		argv[2] = (char *)(uintptr_t)config;
	} else {
		argv[2] = argv[0];
		args = argv + 2;
	}
	/* Nobody waits for the drainer: the kernel reaps it. */
	if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)
		log_warn("mail: SIGCHLD");
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTERM);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		log_warnx("mail: spawn the drainer: %s", strerror(rc));
		return;
	}
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		log_warnx("mail: spawn the drainer: %s", strerror(rc));
		return;
	}
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
		 O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
		 O_WRONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (rc = posix_spawnattr_setflags(&at,
		 POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
		     POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&at, &def)) == 0)
		rc = posix_spawn(&pid, args[0], &fa, &at, args, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		log_warnx("mail: spawn %s: %s", RESTAUTH_TOOL, strerror(rc));
}

/* Send m, the claimed row id; the transaction is open. */
static enum app_err
send_one(const struct app_config *cfg, struct db *db,
    int64_t id, const struct mail *m, struct outbox_stats *st)
{
	const char *why;
	enum app_err er;
	int attempts = 0;

	/* A reset's decoy (outbox.h): deleted, never sent. */
	if (m->to[0] == '\0')
		return db_outbox_sent(db, id);
	er = mail_send(cfg->email_sendmail, m->from, m->to, m->subject,
	    m->body);
	if (er == APP_OK) {
		st->sent++;
		return db_outbox_sent(db, id);
	}
	st->failed++;
	why = er == APP_EINPUT ?
	    "the message was refused (bad address, header or size)" :
	    er == APP_ENOMEM ? "out of memory" :
			       "EMAIL_SENDMAIL failed (see the log)";
	if ((er = db_outbox_failed(db, id, why, &attempts)) != APP_OK)
		return er;
	if (attempts >= OUTBOX_WARN_ATTEMPTS)
		log_warnx("mail: outbox row %lld failed %d times (%s); "
			  "it is kept in restauth_mail_outbox and tried "
			  "again hourly: fix EMAIL_SENDMAIL",
		    (long long)id, attempts, why);
	else
		log_warnx("mail: outbox row %lld failed (attempt %d): %s",
		    (long long)id, attempts, why);
	return APP_OK;
}

enum app_err
outbox_drain(const struct app_config *cfg, struct db *db, bool (*stop)(void),
    struct outbox_stats *st)
{
	struct mail m;
	int64_t id;
	enum app_err er = APP_OK;
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < OUTBOX_DRAIN_MAX; i++) {
		if (stop != NULL && stop())
			break;
		if ((er = db_begin(db)) != APP_OK)
			return er;
		memset(&m, 0, sizeof(m));
		er = db_outbox_claim(db, &id, &m);
		if (er == APP_ENOTFOUND) {
			db_rollback(db);
			er = APP_OK;
			break;
		}
		if (er == APP_OK)
			er = send_one(cfg, db, id, &m, st);
		mail_free(&m);
		if (er == APP_OK)
			er = db_commit(db);
		if (er != APP_OK) {
			db_rollback(db);
			return er;
		}
	}
	return db_cooldown_clean(db, cfg->password_reset_cooldown);
}

/* Sleep ms with waitmask in force (a stop signal cuts it short). */
static void
nap(int ms, const sigset_t *waitmask)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	(void)ppoll(NULL, 0, &ts, waitmask);
}

void
outbox_worker(const struct app_config *cfg, struct db *db, bool (*stop)(void),
    const sigset_t *waitmask)
{
	struct outbox_stats st;
	enum app_err er;
	bool woken;

	log_info("mail worker: listening on %s", DB_MAIL_CHANNEL);
	while (!stop()) {
		/* LISTEN first, so that no NOTIFY after the drain is lost. */
		if (db_mail_listen(db) != APP_OK) {
			nap(OUTBOX_RECONNECT_MS, waitmask);
			continue;
		}
		if ((er = outbox_drain(cfg, db, stop, &st)) != APP_OK) {
			log_warnx("mail worker: drain: %s", app_err_name(er));
			nap(OUTBOX_RECONNECT_MS, waitmask);
			continue;
		}
		if (st.sent > 0 || st.failed > 0)
			log_info("mail worker: %zu sent, %zu failed", st.sent,
			    st.failed);
		if (stop())
			break;
		if (db_mail_wait(db, OUTBOX_POLL_MS, waitmask, &woken) !=
		    APP_OK)
			nap(OUTBOX_RECONNECT_MS, waitmask);
	}
	log_info("mail worker: stopped");
}
