/* Indexer checks that keep nothing silent (issue 22): failed structs are
 * recorded for cs ls, half or double tempo is warned (indexer_int.h). */
#include "db/indexer_int.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Failures recorded under root are this run's to record again. */
int cs_ix_forget_failures(indexer *ix, const char *root, cs_err *err)
{
    sqlite3_stmt *q = cs_db_prepare(ix->db, "DELETE FROM index_failures WHERE "
                                             "substr(CAST(struct_path AS BLOB), 1, ?) = CAST(? AS BLOB)", err);
    if (!q) return -1;
    char prefix[PATH_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s/", root);
    sqlite3_bind_int(q, 1, (int)strlen(prefix));
    sqlite3_bind_text(q, 2, prefix, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : cs_db_fail(ix->db, err, "forgetting old failures");
    sqlite3_finalize(q);
    return rc;
}

/* Half or double tempo: never used silently (the view resolves it to the
 * beat grid's octave; schema migration 4). */
int cs_ix_warn_octaves(indexer *ix, cs_err *err)
{
    sqlite3_stmt *q = cs_db_prepare(ix->db, "SELECT struct_path, rb_bpm, json_bpm, beats_bpm, bpm FROM library "
                                             "WHERE octave <> 1 ORDER BY struct_path", err);
    if (!q) return -1;
    int row;
    while ((row = cs_db_row(ix->db, q, err)) > 0) {
        bool rb = sqlite3_column_type(q, 1) != SQLITE_NULL;
        cs_log_warn("%s: %s says %.2f BPM, its beat grid %.2f BPM: using %.2f BPM (the grid's octave)",
                    (const char *)sqlite3_column_text(q, 0), rb ? "Rekordbox" : "the struct's \"bpm\"",
                    sqlite3_column_double(q, rb ? 1 : 2), sqlite3_column_double(q, 3), sqlite3_column_double(q, 4));
        ix->st->warnings++;
    }
    sqlite3_finalize(q);
    return row < 0 ? -1 : 0;
}
