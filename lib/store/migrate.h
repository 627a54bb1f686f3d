/*
 * migrate.h: the schema migrations, for the admin tool only (restauth
 * migrate): the programs never link it.
 */
#ifndef RESTAUTH_MIGRATE_H
#define RESTAUTH_MIGRATE_H

#include <stddef.h>

#include "app.h"

struct db;

/*
 * Apply every sql/NNNN_*.sql in dir not yet recorded, in name order, each
 * in one transaction under an advisory lock; *applied counts them. Writes
 * one line into err on failure. APP_EINPUT (bad dir/file), APP_EDB.
 */
enum app_err mig_apply(struct db *, const char *dir, int *applied, char *err,
    size_t errsz) APP_WUR;

#endif
