/* Other programs' SQLite libraries (Mixxx's mixxxdb.sqlite, Engine DJ's
 * m.db), opened so that we never get in their way: read-only through a
 * "file:" URI with mode=ro (no write, no journal, no lock held past a
 * read), a short busy timeout, and when the file cannot be read that way
 * (a WAL database whose -shm this user cannot create, a writer holding its
 * lock past the timeout) once more with immutable=1: SQLite then takes no
 * lock and reads the file as it is, so a running program's latest,
 * uncommitted changes may be missing; *immutable says so for the caller's
 * warning.  A file that is not SQLite, or is corrupt at its first page,
 * fails.  Any thread; the handle is the caller's (sqlite3_close_v2).
 */
#ifndef CS_DB_LIBDB_H
#define CS_DB_LIBDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include "pkg/err.h"

/* 0 and *out, or -1 with err "<path>: <reason>". */
int cs_libdb_open(const char *path, int busy_ms, sqlite3 **out, bool *immutable, cs_err *err);

/* 1 when table exists, 0 not, -1 error (err set). */
int cs_libdb_has_table(sqlite3 *h, const char *path, const char *table, cs_err *err);

#endif
