/* What the library has rendered for a track (cs ls). */
#include "db/library.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int cs_library_renders(cs_db *db, long track_id, cs_track_renders *r, cs_err *err)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *q = cs_db_prepare(db, "SELECT target_bpm, out_path, out_size FROM renders "
                                         "WHERE track_id = ? ORDER BY target_bpm", err);
    if (!q) return -1;
    sqlite3_bind_int64(q, 1, track_id);
    size_t len = 0;
    int row;
    while ((row = cs_db_row(db, q, err)) > 0) {
        const char *path = (const char *)sqlite3_column_text(q, 1);
        struct stat sb;
        if (!path || stat(path, &sb) < 0 || (long long)sb.st_size != sqlite3_column_int64(q, 2)) {
            r->missing++;
            continue;
        }
        r->bytes += (long long)sb.st_size;
        if (sqlite3_column_type(q, 0) == SQLITE_NULL) {
            r->orig++;
            continue;
        }
        r->parts++;
        if (len < sizeof r->rungs)
            len += (size_t)snprintf(r->rungs + len, sizeof r->rungs - len, "%s%g", len ? "," : "",
                                    sqlite3_column_double(q, 0));
    }
    sqlite3_finalize(q);
    return row < 0 ? -1 : 0;
}

long cs_library_failures(cs_db *db, void (*fn)(void *arg, const char *path, const char *reason), void *arg,
                         cs_err *err)
{
    sqlite3_stmt *q = cs_db_prepare(db, "SELECT struct_path, reason FROM index_failures ORDER BY struct_path", err);
    if (!q) return -1;
    long n = 0;
    int row;
    while ((row = cs_db_row(db, q, err)) > 0) {
        fn(arg, (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1));
        n++;
    }
    sqlite3_finalize(q);
    return row < 0 ? -1 : n;
}
