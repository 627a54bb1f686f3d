/*
 * outbox.h: mail leaves through restauth_mail_outbox (sql/0007). A
 * request only adds rows (lib/store/db.c db_outbox_insert, db_reset_queue), in
 * the transaction of the change the mail belongs to; never runs or waits
 * for sendmail. `restauth mail-worker` sends them with mail_send:
 * --drain once (started by a program after its answer when
 * EMAIL_OUTBOX_DRAIN is "spawn", or by cron), or as a daemon that LISTENs
 * for the programs' NOTIFY ("worker").
 */
#ifndef RESTAUTH_OUTBOX_H
#define RESTAUTH_OUTBOX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "app.h"

struct app_config;
struct db;

/* Most mails one drain sends: bounds a run that mail keeps feeding. */
#define OUTBOX_DRAIN_MAX 10000
/* Failed attempts after which every further failure is logged loudly. */
#define OUTBOX_WARN_ATTEMPTS 8
/*
 * A drainer waits this long before it reaches the database: the request
 * that follows the one that started it (on the same process, most
 * likely) is then over before the drainer's work, which differs with
 * whether there was mail, competes with it for the CPU.
 */
#define OUTBOX_DRAIN_PAUSE_MS 100
/*
 * The recipient of a password reset's decoy row: a reset that has no
 * mail to send (an unknown address) queues a row of the same size all
 * the same, which the drainer deletes unsent, so that the database
 * does the same work for every address (the request after a reset
 * timed it otherwise). No real recipient is empty.
 */
#define OUTBOX_DECOY_TO ""
/* The daemon looks for retries at least this often, NOTIFY or not. */
#define OUTBOX_POLL_MS (15 * 1000)
/* ... and waits this long before reconnecting to a database gone. */
#define OUTBOX_RECONNECT_MS (5 * 1000)
/* The key of an address in restauth_reset_cooldown: hex HMAC-SHA256. */
#define OUTBOX_ADDR_KEY_CHARS 64

#ifndef RESTAUTH_TOOL
#define RESTAUTH_TOOL "/usr/local/bin/restauth"
#endif

/*
 * The restauth_reset_cooldown key of email: HMAC-SHA256 under secret of
 * the address with ASCII letters lower-cased (the lookups are
 * case-insensitive), in hex. The table never holds an address.
 * APP_EINTERNAL (libcrypto).
 */
enum app_err outbox_addr_key(const char *secret, const char *email,
    char out[OUTBOX_ADDR_KEY_CHARS + 1]) APP_WUR;

/*
 * EMAIL_OUTBOX_DRAIN "spawn": start RESTAUTH_TOOL -c config mail-worker
 * --drain (config NULL: without -c) and do not wait for it. It runs in
 * a session of its own with /dev/null as standard input and output, our
 * standard error, no other descriptor; SIGCHLD is ignored here from then
 * on so that it never stays a zombie. Failures are logged.
 */
void outbox_spawn_drainer(const char *config);

/* What one drain did. */
struct outbox_stats {
	size_t sent;
	size_t failed;
};

/*
 * Send every due mail through cfg's EMAIL_SENDMAIL (mail_send), one
 * claimed row per transaction (FOR UPDATE SKIP LOCKED: concurrent
 * drainers never send one mail twice); a sent row is deleted, a failed
 * one kept with its error for a later try. Stops after
 * OUTBOX_DRAIN_MAX, or when stop (may be NULL) says so between mails.
 * Also forgets expired reset cooldowns. APP_EDB (the database failed;
 * what was sent is deleted), APP_ENOMEM.
 */
enum app_err outbox_drain(const struct app_config *cfg, struct db *db,
    bool (*stop)(void), struct outbox_stats *st) APP_WUR;

/*
 * The daemon: LISTEN, drain, wait for a NOTIFY or OUTBOX_POLL_MS, again,
 * until stop() says so; reconnects by itself. The signals that end it
 * must be blocked by the caller; waitmask (the mask without them) is in
 * force only while waiting, so a signal never interrupts a mail.
 */
void outbox_worker(const struct app_config *cfg, struct db *db,
    bool (*stop)(void), const sigset_t *waitmask);

#endif
