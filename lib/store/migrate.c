/*
 * migrate.c: apply sql/NNNN_*.sql in name order, each file in one
 * transaction, under the migrator's advisory lock; restauth_schema_version
 * records what was applied.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "migrate.h"

static enum app_err
exec_params(struct db *db, const char *sql, int n, const char *const *params,
    PGresult **out, char *err, size_t errsz)
{
	PGresult *res;
	ExecStatusType st;

	res = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		snprintf(err, errsz, "migrate: %s", PQresultErrorMessage(res));
		err[strcspn(err, "\n")] = '\0';
		PQclear(res);
		return APP_EDB;
	}
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return APP_OK;
}

static int
sql_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 9 && d->d_name[0] >= '0' && d->d_name[0] <= '9' &&
	    strcmp(d->d_name + n - 4, ".sql") == 0;
}

/* Read a whole file (migrations are small). Caller frees. */
static char *
slurp(const char *path)
{
	struct stat sb;
	char *buf = NULL;
	ssize_t got;
	size_t off = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || sb.st_size > 16 * 1024 * 1024)
		goto fail;
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	while (off < (size_t)sb.st_size) {
		got = read(fd, buf + off, (size_t)sb.st_size - off);
		if (got <= 0)
			goto fail;
		off += (size_t)got;
	}
	buf[off] = '\0';
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

static enum app_err
apply_one(struct db *db, const char *dir, const char *name, int *applied,
    char *err, size_t errsz)
{
	const char *params[] = { name };
	char path[4096];
	PGresult *res = NULL, *r2;
	enum app_err er;
	char *sql = NULL;
	bool done;

	if ((er = exec_params(db, "BEGIN", 0, NULL, NULL, err, errsz)) !=
	    APP_OK)
		return er;
	er = exec_params(db,
	    "SELECT 1 FROM restauth_schema_version WHERE version = $1", 1,
	    params, &res, err, errsz);
	if (er != APP_OK)
		goto fail;
	done = PQntuples(res) > 0;
	PQclear(res);
	if (done)
		return exec_params(db, "COMMIT", 0, NULL, NULL, err, errsz);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((sql = slurp(path)) == NULL) {
		snprintf(err, errsz, "migrate: %s: cannot read: %s", path,
		    strerror(errno));
		er = APP_EINPUT;
		goto fail;
	}
	/* A migration file is our own multi-statement SQL, not user data. */
	r2 = PQexec(db->conn, sql);
	if (PQresultStatus(r2) != PGRES_COMMAND_OK &&
	    PQresultStatus(r2) != PGRES_TUPLES_OK) {
		snprintf(err, errsz, "migrate: %s: %s", name,
		    PQresultErrorMessage(r2));
		err[strcspn(err, "\n")] = '\0';
		PQclear(r2);
		er = APP_EDB;
		goto fail;
	}
	PQclear(r2);
	er = exec_params(db,
	    "INSERT INTO restauth_schema_version (version) VALUES ($1)", 1,
	    params, NULL, err, errsz);
	if (er != APP_OK)
		goto fail;
	if ((er = exec_params(db, "COMMIT", 0, NULL, NULL, err, errsz)) !=
	    APP_OK)
		goto fail;
	free(sql);
	(*applied)++;
	return APP_OK;
fail:
	free(sql);
	PQclear(PQexec(db->conn, "ROLLBACK"));
	return er;
}

/*
 * What a migration says while it runs: its warnings (a constraint left
 * out, say) and its own RAISE NOTICEs (SQLSTATE 00000) are for the
 * person running migrate; the server's "already exists, skipping"
 * notices of IF NOT EXISTS stay debug output. arg: the file's name.
 */
/* A migration's message, escaped, as one log line. */
#define MIGRATE_NOTICE_MAX 1024

static void
migrate_notice(void *arg, const PGresult *res)
{
	const char *const *file = arg;
	const char *sev, *state, *msg;
	char esc[MIGRATE_NOTICE_MAX];

	sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (sev == NULL || msg == NULL)
		return;
	log_escape(esc, sizeof(esc), msg, strlen(msg));
	if (strcmp(sev, "NOTICE") != 0 && strcmp(sev, "INFO") != 0 &&
	    strcmp(sev, "LOG") != 0 && strcmp(sev, "DEBUG") != 0)
		log_warnx("migrate: %s: %s: %s", *file, sev, esc);
	else if (state != NULL && strcmp(state, "00000") == 0)
		log_info("migrate: %s: %s", *file, esc);
	else
		log_debug("migrate: %s: %s", *file, esc);
}

enum app_err
mig_apply(struct db *db, const char *dir, int *applied, char *err, size_t errsz)
{
	const char *lock[] = { DB_LOCK_MIGRATE };
	struct dirent **list = NULL;
	const char *file = "-";
	PQnoticeReceiver was;
	enum app_err er;
	int i, n;

	*applied = 0;
	if ((er = db_connect(db)) != APP_OK) {
		snprintf(err, errsz, "migrate: cannot connect to the database");
		return er;
	}
	if ((n = scandir(dir, &list, sql_file, alphasort)) == -1) {
		snprintf(err, errsz, "migrate: %s: %s", dir, strerror(errno));
		return APP_EINPUT;
	}
	/* libpq's default receiver ignores its argument. */
	was = PQsetNoticeReceiver(db->conn, migrate_notice, &file);
	er = exec_params(db, "SELECT pg_advisory_lock($1::bigint)", 1, lock,
	    NULL, err, errsz);
	if (er != APP_OK)
		goto out;
	er = exec_params(db,
	    "CREATE TABLE IF NOT EXISTS restauth_schema_version ("
	    "version text PRIMARY KEY, "
	    "applied timestamp with time zone NOT NULL DEFAULT now())",
	    0, NULL, NULL, err, errsz);
	for (i = 0; er == APP_OK && i < n; i++) {
		file = list[i]->d_name;
		er = apply_one(db, dir, file, applied, err, errsz);
	}
	PQclear(PQexecParams(db->conn, "SELECT pg_advisory_unlock($1::bigint)",
	    1, NULL, lock, NULL, NULL, 0));
out:
	if (db->conn != NULL)
		(void)PQsetNoticeReceiver(db->conn, was, NULL);
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return er;
}
