/* Rekordbox playlists: a selection narrowed and ordered (see playlist.h). */
#include "db/playlist.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_PLAYLIST "no playlist \""

/* err = "no playlist "X"; playlists: A, B" (paths where a name repeats). */
static int no_such(cs_db *db, const char *name, cs_err *err)
{
    char list[sizeof err->msg] = "";
    size_t len = 0, count = 0;
    cs_err e2 = {0};
    sqlite3_stmt *q = cs_db_prepare(db, "SELECT p.name, p.path, (SELECT COUNT(*) FROM rb_playlists o "
                                        "WHERE o.type = 1 AND o.name = p.name) FROM rb_playlists p "
                                        "WHERE p.type = 1 ORDER BY p.path, p.id", &e2);
    int r;
    while (q && (r = cs_db_row(db, q, &e2)) == 1) {
        const char *nm = (const char *)sqlite3_column_text(q, 0);
        const char *path = (const char *)sqlite3_column_text(q, 1);
        const char *show = sqlite3_column_int(q, 2) > 1 || !nm ? path : nm;
        if (!show) continue;
        if (len < sizeof list)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", count ? ", " : "", show);
        count++;
    }
    sqlite3_finalize(q);
    if (!count) return cs_err_setc(err, CS_ERR_USAGE, NO_PLAYLIST "%s\"; the library has no playlists (index a Rekordbox XML)", name);
    return cs_err_setc(err, CS_ERR_USAGE, NO_PLAYLIST "%s\"; playlists (%zu): %s", name, count, list);
}

int cs_playlist_err_is_usage(const cs_err *err)
{
    return err->code == CS_ERR_USAGE;
}

int cs_playlist_apply(cs_db *db, const char *name, cs_lib_track **tracks, size_t *n, size_t *not_selected,
                      cs_err *err)
{
    if (not_selected) *not_selected = 0;
    /* The playlist: by name, else by path; the first stored when a name repeats. */
    sqlite3_stmt *q = cs_db_prepare(db, "SELECT id, path FROM rb_playlists WHERE type = 1 AND (name = ?1 OR path = ?1) "
                                        "ORDER BY (name = ?1) DESC, id", err);
    if (!q) return -1;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    int r = cs_db_row(db, q, err);
    if (r < 0) {
        sqlite3_finalize(q);
        return -1;
    }
    if (r == 0) {
        sqlite3_finalize(q);
        return no_such(db, name, err);
    }
    sqlite3_int64 pl = sqlite3_column_int64(q, 0);
    char path[512];
    snprintf(path, sizeof path, "%s", sqlite3_column_text(q, 1) ? (const char *)sqlite3_column_text(q, 1) : name);
    if (cs_db_row(db, q, err) == 1)
        cs_log_warn("playlist \"%s\": more than one has that name; using %s (give the path to choose)", name, path);
    sqlite3_finalize(q);
    /* Entries in order -> library track ids (key_type 0: TrackID, 1: Location). */
    q = cs_db_prepare(db, "SELECT e.pos, (SELECT t.id FROM rb_tracks r JOIN tracks t ON t.rb_id = r.id "
                          "WHERE r.collection_id = p.collection_id AND "
                          "((p.key_type = 1 AND r.location = e.key) OR (p.key_type IS NOT 1 AND r.track_id = e.key)) "
                          "ORDER BY t.id LIMIT 1) FROM rb_playlists p JOIN rb_playlist_entries e ON e.playlist_id = p.id "
                          "WHERE p.id = ? ORDER BY e.pos", err);
    if (!q) return -1;
    sqlite3_bind_int64(q, 1, pl);
    size_t m = *n, kept = 0, missing = 0;
    cs_lib_track *in = *tracks;
    cs_lib_track *out = malloc((m ? m : 1) * sizeof *out);
    unsigned char *used = calloc(m ? m : 1, 1);
    if (!out || !used) {
        free(out);
        free(used);
        sqlite3_finalize(q);
        return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    }
    while ((r = cs_db_row(db, q, err)) == 1) {
        long id = sqlite3_column_type(q, 1) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(q, 1);
        size_t k = 0;
        while (k < m && in[k].id != id) k++;
        if (id < 0 || k == m) {
            missing++;
            continue;
        }
        if (used[k]) continue;                        /* listed twice: its first place */
        used[k] = 1;
        out[kept++] = in[k];
    }
    sqlite3_finalize(q);
    if (r < 0) {
        free(out);
        free(used);
        return -1;
    }
    for (size_t k = 0; k < m; k++)
        if (!used[k]) cs_lib_track_clear(&in[k]);
    free(used);
    free(in);
    *tracks = out;
    *n = kept;
    if (not_selected) *not_selected = missing;
    cs_log_info("playlist %s: %zu tracks in its order%s", path, kept,
                missing ? " (some entries are not in the selection)" : "");
    return 0;
}
