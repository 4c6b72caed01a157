/* Structs made from the stored collections (indexer_int.h,
 * pkg/analyze_rb.h): one per collection track with a grid (TEMPO rows,
 * Traktor's grid markers) and audio that no struct file (allin1 or cs
 * analyze) covers, by collection track or by audio path.  They are library
 * tracks like any other, with source = the library's label ('rekordbox',
 * 'traktor') and struct_path '<label>:<file>#<track id>'.  When two
 * libraries hold the same file, the first library (cs_lib_kind order) that
 * makes a struct for it keeps it. */
#include "db/indexer_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/analyze_rb.h"
#include "pkg/decoder_offset.h"
#include "pkg/findaudio.h"
#include "pkg/fsutil.h"
#include "pkg/location.h"

/* Memory cues wanted before the cues make the sections: one more than the
 * default --n-sections (6), so a default selection finds them all. */
#define MIN_CUES 7

/* A library struct gives way to a struct file for the same collection
 * track or the same audio path, and goes with its collection track. */
static const char drop_sql[] =
    "DELETE FROM tracks WHERE source IN " CS_IX_LIB_SOURCES " AND (rb_id IS NULL OR rb_id IN "
    "(SELECT rb_id FROM tracks WHERE source NOT IN " CS_IX_LIB_SOURCES " AND rb_id IS NOT NULL) "
    "OR analysed_fold IN (SELECT analysed_fold FROM tracks WHERE source NOT IN "
    CS_IX_LIB_SOURCES " AND analysed_fold IS NOT NULL) "
    "OR audio_path IN (SELECT audio_path FROM tracks WHERE source NOT IN "
    CS_IX_LIB_SOURCES " AND audio_path IS NOT NULL));";

static int load_grid(indexer *ix, sqlite3_int64 rb, cs_rb_tempo **tp, size_t *nt, cs_rb_mark **mk,
                     size_t *nm, cs_err *err)
{
    sqlite3_stmt *q = cs_db_prepare(ix->db, "SELECT inizio, bpm, metro, battito FROM rb_tempos "
                                            "WHERE rb_id = ? ORDER BY idx", err);
    sqlite3_stmt *m = cs_db_prepare(ix->db, "SELECT start, num FROM rb_marks WHERE rb_id = ? "
                                            "ORDER BY idx", err);
    int rc = q && m ? 0 : -1;
    *tp = NULL;
    *mk = NULL;
    *nt = *nm = 0;
    size_t cap = 0;
    sqlite3_bind_int64(q, 1, rb);
    int row = 0;
    while (rc == 0 && (row = cs_db_row(ix->db, q, err)) > 0) {
        if (*nt == cap) {
            cap = cap ? cap * 2 : 16;
            cs_rb_tempo *n = realloc(*tp, cap * sizeof *n);
            if (!n) { rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory"); break; }
            *tp = n;
        }
        cs_rb_tempo *t = &(*tp)[(*nt)++];
        memset(t, 0, sizeof *t);
        t->inizio = sqlite3_column_double(q, 0);
        t->bpm = sqlite3_column_double(q, 1);
        const char *metro = (const char *)sqlite3_column_text(q, 2);
        snprintf(t->metro, sizeof t->metro, "%s", metro ? metro : "4/4");
        t->battito = sqlite3_column_int(q, 3);
    }
    if (row < 0) rc = -1;
    cap = 0;
    sqlite3_bind_int64(m, 1, rb);
    while (rc == 0 && (row = cs_db_row(ix->db, m, err)) > 0) {
        if (*nm == cap) {
            cap = cap ? cap * 2 : 16;
            cs_rb_mark *n = realloc(*mk, cap * sizeof *n);
            if (!n) { rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory"); break; }
            *mk = n;
        }
        cs_rb_mark *k = &(*mk)[(*nm)++];
        memset(k, 0, sizeof *k);
        k->start = sqlite3_column_double(m, 0);
        k->num = sqlite3_column_type(m, 1) == SQLITE_NULL ? 0 : sqlite3_column_int(m, 1);
    }
    if (row < 0) rc = -1;
    sqlite3_finalize(q);
    sqlite3_finalize(m);
    if (rc < 0) {   /* the caller frees only a grid that was read whole */
        free(*tp);
        free(*mk);
        *tp = NULL;
        *mk = NULL;
        *nt = *nm = 0;
    }
    return rc;
}

/* The track's audio on this machine (pkg/findaudio.h cs_find_track_audio:
 * its Location, else its file name in --audio-dir, folded); absolute
 * (realpath) into out (PATH_MAX bytes).  false: not found (or out of
 * memory, errno ENOMEM). */
static bool find_audio(const indexer *ix, const char *path, char *out)
{
    cs_audio_where w = { .path = path, .audio_dir = ix->o->audio_dir };
    char *f = cs_find_track_audio(&w, NULL);
    if (!f) return false;
    if (!realpath(f, out)) snprintf(out, PATH_MAX, "%s", f);
    free(f);
    return true;
}

/* Rekordbox's timeline ignores an MP3's LAME/Xing header and an M4A's
 * priming; FFmpeg's honours them (pkg/decoder_offset.h): the grid and the
 * memory cues move earlier by the difference, or every cut starts ~25 ms
 * after its beat. */
static void shift_to_ffmpeg(indexer *ix, const char *audio, cs_rb_tempo *tp, size_t nt, cs_rb_mark *mk, size_t nm)
{
    double off = 0;
    cs_err e = {0};
    if (cs_decoder_offset(audio, &off, &e) < 0) {
        cs_log_warn("%s; its Rekordbox grid is used as written", e.msg);
        ix->st->warnings++;
        return;
    }
    if (off == 0) return;
    for (size_t i = 0; i < nt; i++) tp[i].inizio -= off;
    for (size_t i = 0; i < nm; i++) mk[i].start -= off;
    cs_log_info("%s: Rekordbox grid and cues moved %.1f ms earlier (the decoder delay FFmpeg skips)", audio,
                off * 1e3);
}

/* 1 when another track (any source) already plays this audio file. */
static int audio_taken(indexer *ix, const char *audio, const char *key, cs_err *err)
{
    sqlite3_stmt *q = cs_db_prepare(ix->db, "SELECT 1 FROM tracks WHERE audio_path = ? AND "
                                            "struct_path <> ? LIMIT 1", err);
    if (!q) return -1;
    sqlite3_bind_text(q, 1, audio, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    int row = cs_db_row(ix->db, q, err);
    sqlite3_finalize(q);
    return row;
}

static int make_one(indexer *ix, int kind, sqlite3_stmt *row, cs_err *err)
{
    const char *label = cs_index_lib_label(kind);
    cs_index_lib_stats *ls = &ix->st->lib[kind];
    bool unchanged = ls->unchanged;
    sqlite3_int64 rb = sqlite3_column_int64(row, 0);
    const char *tid = (const char *)sqlite3_column_text(row, 1);
    const char *path = (const char *)sqlite3_column_text(row, 2);
    double total = sqlite3_column_double(row, 3);
    const char *xml = (const char *)sqlite3_column_text(row, 4);
    const char *name = (const char *)sqlite3_column_text(row, 5);
    char audio[PATH_MAX];
    errno = 0;
    if (!find_audio(ix, path, audio)) {
        if (errno == ENOMEM) return cs_err_setc(err, CS_ERR_NOMEM, "%s: finding its audio: out of memory", path);
        ls->struct_skipped++;
        return 0;
    }
    char key[2 * PATH_MAX + 64];
    snprintf(key, sizeof key, "%s:%s#%s", label, xml ? xml : "", tid ? tid : path);
    sqlite3_int64 existing = 0;
    sqlite3_bind_text(ix->find, 1, key, -1, SQLITE_TRANSIENT);
    int found = cs_db_row(ix->db, ix->find, err);
    if (found > 0) existing = sqlite3_column_int64(ix->find, 0);
    sqlite3_reset(ix->find);
    if (found < 0) return -1;
    /* The same audio under another collection's path: the track made
     * first keeps it (one library track per audio file). */
    int taken = audio_taken(ix, audio, key, err);
    if (taken < 0) return -1;
    if (taken) {
        if (existing) {
            sqlite3_bind_int64(ix->del_track, 1, existing);
            if (cs_ix_step(ix, ix->del_track) < 0) return cs_db_fail(ix->db, err, "dropping a struct");
        }
        return 0;
    }
    if (existing && unchanged && !ix->o->force) {
        ls->structs++;
        return 0;
    }
    cs_rb_tempo *tp;
    cs_rb_mark *mk;
    size_t nt, nm;
    if (load_grid(ix, rb, &tp, &nt, &mk, &nm, err) < 0) return -1;
    cs_struct s;
    cs_err e = {0};
    /* Rekordbox's grid is in a timeline that keeps the MP3 encoder delay;
     * Traktor's, Mixxx's (and, as far as is known, Engine DJ's) match a
     * gapless decoder such as FFmpeg (docs/contract.md "The library"). */
    if (kind == CS_LIB_REKORDBOX) shift_to_ffmpeg(ix, audio, tp, nt, mk, nm);
    int rc = cs_struct_from_rekordbox(tp, nt, mk, nm, total, MIN_CUES, &s, &e);
    free(tp);
    free(mk);
    if (rc < 0) {
        cs_log_warn("%s track %s (%s): %s; no struct made", label, tid ? tid : "?",
                    name ? name : path, e.msg);
        ix->st->warnings++;
        /* out of memory is a failure to retry, not a track without a grid */
        if (rc == CS_ERR_NOMEM) ix->st->failed++;
        else ls->struct_skipped++;
        return 0;
    }
    free(s.source);
    s.source = strdup(label);
    if (!s.source || !(s.path = strdup(path))) {
        cs_struct_free(&s);
        return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    }
    struct stat sb = {0};   /* no file of its own: the collection is its mtime */
    rc = cs_ix_store_struct(ix, key, &sb, existing, &s, err);
    cs_struct_free(&s);
    if (rc < 0) return -1;
    sqlite3_int64 id = existing ? existing : sqlite3_last_insert_rowid(cs_db_sqlite(ix->db));
    sqlite3_stmt *u = cs_db_prepare(ix->db, "UPDATE tracks SET rb_id = ?, audio_path = ? WHERE id = ?",
                                    err);
    if (!u) return -1;
    sqlite3_bind_int64(u, 1, rb);
    sqlite3_bind_text(u, 2, audio, -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 3, id);
    rc = sqlite3_step(u) == SQLITE_DONE ? 0 : cs_db_fail(ix->db, err, "storing a library struct");
    sqlite3_finalize(u);
    if (rc == 0) ls->structs++;
    return rc;
}

int cs_ix_library_structs(indexer *ix, cs_err *err)
{
    if (cs_db_exec(ix->db, drop_sql, err) < 0) return -1;
    for (int kind = 0; kind < CS_LIB_N; kind++) {
        if (!cs_ix_lib_from(ix->o, kind)) continue;
        /* Collection tracks with a grid that no other track covers. */
        sqlite3_stmt *q = cs_db_prepare(ix->db,
            "SELECT r.id, r.track_id, r.path, r.total_time, c.xml_path, r.name FROM rb_tracks r "
            "JOIN rb_collections c ON c.id = r.collection_id "
            "WHERE c.source = ?1 AND EXISTS (SELECT 1 FROM rb_tempos t WHERE t.rb_id = r.id) "
            "AND NOT EXISTS (SELECT 1 FROM tracks k WHERE k.rb_id = r.id AND k.source <> ?1) "
            "AND NOT EXISTS (SELECT 1 FROM tracks k WHERE k.analysed_fold = r.path_fold "
            "                AND (k.rb_id IS NULL OR k.rb_id <> r.id)) "
            "AND r.path IS NOT NULL ORDER BY r.id", err);
        if (!q) return -1;
        sqlite3_bind_text(q, 1, cs_index_lib_label(kind), -1, SQLITE_STATIC);
        int rc = 0;
        int row;
        while (rc == 0 && (row = cs_db_row(ix->db, q, err)) > 0) rc = make_one(ix, kind, q, err);
        if (rc == 0 && row < 0) rc = -1;
        sqlite3_finalize(q);
        if (rc < 0) return -1;
    }
    return 0;
}
