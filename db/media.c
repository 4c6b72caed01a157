/* cs_db_media_files (media.h). */
#include "db/media.h"

int cs_db_media_files(cs_db *db, int (*fn)(void *ud, const char *path), void *ud, cs_err *err)
{
    sqlite3_stmt *st = cs_db_prepare(db,
        "SELECT audio_path FROM tracks WHERE audio_path IS NOT NULL "
        "UNION ALL SELECT out_path FROM renders", err);
    if (!st) return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        if (p && fn(ud, p) != 0) break;
    }
    int res = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cs_db_fail(db, err, "reading media paths");
    sqlite3_finalize(st);
    return res;
}
