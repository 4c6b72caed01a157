/* Opening the library, migrations and transactions. */
#include "db/db.h"
#include "pkg/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern const char cs_schema_sql[];

struct cs_db {
    sqlite3 *h;
    char *path;
};

/* Highest "-- migration N" in the schema text. */
int cs_db_schema_version(void)
{
    int v = 0;
    for (const char *p = cs_schema_sql; (p = strstr(p, "-- migration ")); p++) {
        int n = atoi(p + 13);
        if (n > v) v = n;
    }
    return v;
}

int cs_db_code(sqlite3 *h)
{
    if (!h) return CS_ERR_NOMEM;
    switch (sqlite3_errcode(h) & 0xff) {
    case SQLITE_NOMEM: return CS_ERR_NOMEM;
    case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_CANTOPEN: return CS_ERR_IO;
    case SQLITE_NOTADB: case SQLITE_CORRUPT: return CS_ERR_FORMAT;
    default: return CS_ERR_DB;
    }
}

int cs_db_fail(cs_db *db, cs_err *err, const char *what)
{
    return cs_err_setc(err, cs_db_code(db->h), "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

int cs_db_exec(cs_db *db, const char *sql, cs_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cs_err_setc(err, cs_db_code(db->h), "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->h));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

sqlite3_stmt *cs_db_prepare(cs_db *db, const char *sql, cs_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        cs_db_fail(db, err, "prepare");
        return NULL;
    }
    return st;
}

int cs_db_row(cs_db *db, sqlite3_stmt *q, cs_err *err)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    return cs_db_fail(db, err, "reading");
}

int cs_db_begin(cs_db *db, cs_err *err) { return cs_db_exec(db, "BEGIN IMMEDIATE", err); }
int cs_db_commit(cs_db *db, cs_err *err)
{
    /* A transaction SQLite already rolled back (an error inside it that a
     * caller dropped) must not read as "cannot commit": say what happened. */
    if (sqlite3_get_autocommit(db->h))
        return cs_err_setc(err, CS_ERR_DB, "%s: the transaction was rolled back by an earlier error; "
                               "nothing was written", db->path);
    return cs_db_exec(db, "COMMIT", err);
}
void cs_db_rollback(cs_db *db)
{
    if (!sqlite3_get_autocommit(db->h)) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *cs_db_sqlite(cs_db *db) { return db->h; }

static int user_version(cs_db *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Applies every "-- migration N" block with N > user_version, each in its own
 * transaction together with the user_version bump. */
static int migrate(cs_db *db, cs_err *err)
{
    int have = user_version(db);
    int want = cs_db_schema_version();
    if (have < 0) return cs_db_fail(db, err, "reading schema version");
    if (have > want)
        return cs_err_setc(err, CS_ERR_DB, "%s: library schema version %d is newer than this cs (%d); upgrade cs",
                          db->path, have, want);
    const char *p = cs_schema_sql;
    while ((p = strstr(p, "-- migration "))) {
        int n = atoi(p + 13);
        const char *body = strchr(p, '\n');
        const char *next = body ? strstr(body, "-- migration ") : NULL;
        p = next ? next : p + strlen(p);
        if (n <= have || !body) continue;
        size_t len = (size_t)(next ? next - body : (long)strlen(body));
        char *sql = malloc(len + 64);
        if (!sql) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", db->path);
        memcpy(sql, body, len);
        snprintf(sql + len, 64, "\nPRAGMA user_version = %d;", n);
        int rc = cs_db_begin(db, err);
        if (rc == 0) rc = cs_db_exec(db, sql, err);
        if (rc == 0) rc = cs_db_commit(db, err);
        free(sql);
        if (rc < 0) { cs_db_rollback(db); return -1; }
    }
    return 0;
}

static int open_common(const char *path, int flags, cs_db **out, cs_err *err)
{
    cs_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
    }
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        cs_err_setc(err, cs_db_code(db->h), "%s: cannot open library: %s", path,
                   db->h ? sqlite3_errmsg(db->h) : "out of memory");
        cs_db_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    *out = db;
    return 0;
}

int cs_db_open(const char *path, cs_db **out, cs_err *err)
{
    if (cs_mkdirs_for(path) < 0)
        return cs_err_setc(err, CS_ERR_IO, "%s: cannot create its folder: %s", path, strerror(errno));
    cs_db *db = NULL;
    if (open_common(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, err) < 0) return -1;
    /* Check it is a database at all before changing anything. */
    if (cs_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                       "PRAGMA synchronous=NORMAL;", err) < 0 ||
        migrate(db, err) < 0) {
        cs_db_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

int cs_db_open_readonly(const char *path, cs_db **out, cs_err *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return cs_err_setc(err, CS_ERR_NOT_FOUND, "%s: no library here (run 'cs index' first)", path);
    /* Opened read-write so a library from an older cs is migrated in place. */
    return cs_db_open(path, out, err);
}

int cs_db_open_lookup(const char *path, cs_db **out, cs_err *err)
{
    struct stat st;
    if (stat(path, &st) < 0) return cs_err_setc(err, CS_ERR_NOT_FOUND, "%s: no library here", path);
    cs_db *db = NULL;
    if (open_common(path, SQLITE_OPEN_READONLY, &db, err) < 0) return -1;
    int have = user_version(db);
    if (have != cs_db_schema_version()) {
        cs_err_setc(err, CS_ERR_DB, "%s: library schema %d, this cs reads %d (run 'cs index' to migrate it)", path, have,
                   cs_db_schema_version());
        cs_db_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

void cs_db_close(cs_db *db)
{
    if (!db) return;
    sqlite3_close(db->h);
    free(db->path);
    free(db);
}
