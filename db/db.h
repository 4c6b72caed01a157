/* The library database (SQLite): opening, migrations, transactions.
 *
 * cs_db_open() creates the file and its folder when needed, turns on WAL and
 * foreign keys, and applies the forward migrations of db/schema.sql
 * (PRAGMA user_version).  A database newer than this program is refused.
 * Every command's writes go through cs_db_begin()/cs_db_commit(); a failed or
 * interrupted command leaves the previous committed state.
 *
 *   cs_db *db;
 *   if (cs_db_open(path, &db, &err) < 0) ...
 *   cs_db_begin(db, &err); ...; cs_db_commit(db, &err);
 *   cs_db_close(db);
 */
#ifndef CS_DB_H
#define CS_DB_H

#include <sqlite3.h>
#include "pkg/err.h"

typedef struct cs_db cs_db;

/* Schema version this program writes. */
int cs_db_schema_version(void);

int cs_db_open(const char *path, cs_db **out, cs_err *err);
/* Opens an existing library for reading (search); fails if it does not
 * exist.  An older library is migrated in place first. */
int cs_db_open_readonly(const char *path, cs_db **out, cs_err *err);
/* Truly read-only (SQLITE_OPEN_READONLY, no migration, no WAL switch), for
 * optional lookups that must leave the library as it is; a library of
 * another schema version is refused. */
int cs_db_open_lookup(const char *path, cs_db **out, cs_err *err);
void cs_db_close(cs_db *db);
sqlite3 *cs_db_sqlite(cs_db *db);

int cs_db_begin(cs_db *db, cs_err *err);    /* BEGIN IMMEDIATE */
int cs_db_commit(cs_db *db, cs_err *err);
void cs_db_rollback(cs_db *db);

/* Runs SQL with no result rows; err gets "<db>: <sqlite message>". */
int cs_db_exec(cs_db *db, const char *sql, cs_err *err);
/* Prepares a statement; on failure sets err and returns NULL. */
sqlite3_stmt *cs_db_prepare(cs_db *db, const char *sql, cs_err *err);
/* Sets err from the connection's last error; returns its code
 * (cs_db_code). */
int cs_db_fail(cs_db *db, cs_err *err, const char *what);
/* The cs_err code (pkg/err.h) for connection h's last error: CS_ERR_NOMEM
 * for SQLITE_NOMEM (and for h NULL: sqlite3_open gives no handle only when
 * out of memory), CS_ERR_IO for SQLITE_IOERR/FULL/CANTOPEN, CS_ERR_FORMAT
 * for SQLITE_NOTADB/CORRUPT, CS_ERR_DB otherwise.  Any thread. */
int cs_db_code(sqlite3 *h);
/* Steps q once: 1 a row, 0 done, -1 an error (err gets "<db>: reading: <sqlite
 * message>").  Use it for every read: SQLite may roll back the whole
 * transaction on SQLITE_NOMEM/IOERR/FULL inside a step (sqlite.org/lang_transaction.html,
 * "Response To Errors Within A Transaction"), so a read error that is
 * dropped turns into a later, misleading "cannot commit" or a wrong count. */
int cs_db_row(cs_db *db, sqlite3_stmt *q, cs_err *err);

#endif
