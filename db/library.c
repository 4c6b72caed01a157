/* cs_library_select (library.h): tracks by BPM range and key, with their mix cues. */
#include "db/library.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cues.h"

static char *dup_col(sqlite3_stmt *q, int i)
{
    const unsigned char *s = sqlite3_column_text(q, i);
    return s ? strdup((const char *)s) : NULL;
}

static int load_doubles(sqlite3_stmt *q, int i, cs_dvec *v)
{
    int bytes = sqlite3_column_bytes(q, i);
    const void *b = sqlite3_column_blob(q, i);
    v->n = b ? (size_t)bytes / sizeof(double) : 0;
    v->v = NULL;
    if (!v->n) return 0;
    if (!(v->v = malloc(v->n * sizeof(double)))) return -1;
    memcpy(v->v, b, v->n * sizeof(double));
    return 0;
}

static int load_segments(sqlite3_stmt *q, long id, cs_segvec *out)
{
    size_t cap = 0;
    out->v = NULL;
    out->n = 0;
    sqlite3_bind_int64(q, 1, id);
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            cs_segment *p = realloc(out->v, cap * sizeof *p);
            if (!p) { rc = -1; break; }
            out->v = p;
        }
        cs_segment *g = &out->v[out->n];
        g->start = sqlite3_column_double(q, 0);
        g->end = sqlite3_column_double(q, 1);
        if (!(g->label = dup_col(q, 2))) { rc = -1; break; }
        out->n++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) rc = -1;   /* out of memory, I/O */
    sqlite3_reset(q);
    return rc;
}

static const char select_sql[] =
    "SELECT l.id, l.struct_path, l.analysed_path, l.audio_path, l.json_bpm, l.rb_bpm, l.bpm, "
    "       l.key, r.name, l.beats, l.downbeats, l.struct_mtime_ns, l.struct_size, l.source, r.artist, "
    "       l.energy "
    "FROM library l LEFT JOIN rb_tracks r ON r.id = l.rb_id "
    "ORDER BY COALESCE(l.analysed_path, l.struct_path), l.struct_path";

/* The selection loop; keep_all also returns the left-out tracks with
 * left_out set (cs ls). */
static int select_rows(cs_db *db, const cs_selection *sel, bool keep_all, cs_lib_track **out,
                       size_t *n, cs_select_stats *st, cs_err *err)
{
    *out = NULL;
    *n = 0;
    memset(st, 0, sizeof *st);
    sqlite3_stmt *q = cs_db_prepare(db, select_sql, err);
    sqlite3_stmt *sq = cs_db_prepare(db, "SELECT start, end, label FROM segments "
                                          "WHERE track_id = ? ORDER BY idx", err);
    if (!q || !sq) {
        sqlite3_finalize(q);
        sqlite3_finalize(sq);
        return -1;
    }
    cs_lib_track *v = NULL;
    size_t cap = 0, count = 0;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        st->considered++;
        double bpm = sqlite3_column_double(q, 6);
        const char *key = (const char *)sqlite3_column_text(q, 7);
        int why = CS_LEFT_IN;
        if (!(bpm > 0) || !isfinite(bpm)) { st->no_bpm++; why = CS_LEFT_NO_BPM; }
        else if (!cs_selection_match_bpm(sel, bpm)) { st->bpm_out++; why = CS_LEFT_BPM_OUT; }
        else if (!cs_selection_match_key(sel, key)) { st->key_out++; why = CS_LEFT_KEY; }
        if (why != CS_LEFT_IN && !keep_all) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            cs_lib_track *p = realloc(v, cap * sizeof *p);
            if (!p) { rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory"); break; }
            v = p;
        }
        cs_lib_track *t = &v[count];
        memset(t, 0, sizeof *t);
        t->id = (long)sqlite3_column_int64(q, 0);
        t->struct_path = dup_col(q, 1);
        t->analysed_path = dup_col(q, 2);
        t->audio_path = dup_col(q, 3);
        t->json_bpm = sqlite3_column_double(q, 4);
        t->rb_bpm = sqlite3_column_double(q, 5);
        t->bpm = bpm;
        t->key = dup_col(q, 7);
        t->rb_name = dup_col(q, 8);
        t->rb_artist = dup_col(q, 14);
        t->struct_mtime_ns = (long)sqlite3_column_int64(q, 11);
        t->struct_size = (long)sqlite3_column_int64(q, 12);
        t->energy = sqlite3_column_type(q, 15) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 15);
        /* NULL from dup_col: a NULL column, or out of memory when not */
        bool lost = (!t->analysed_path && sqlite3_column_type(q, 2) != SQLITE_NULL) ||
                    (!t->audio_path && sqlite3_column_type(q, 3) != SQLITE_NULL) ||
                    (!t->key && sqlite3_column_type(q, 7) != SQLITE_NULL) ||
                    (!t->rb_name && sqlite3_column_type(q, 8) != SQLITE_NULL) ||
                    (!t->rb_artist && sqlite3_column_type(q, 14) != SQLITE_NULL);
        t->source = dup_col(q, 13);
        if (lost || !t->struct_path || !t->source || load_doubles(q, 9, &t->beats) < 0 ||
            load_doubles(q, 10, &t->downbeats) < 0 || load_segments(sq, t->id, &t->segments) < 0) {
            cs_lib_track_clear(t);
            rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
            break;
        }
        t->left_out = why;
        t->sections = cs_cues_sections_after_intro(&t->segments);
        int c = cs_cues_compute(&t->segments, sel->n_sections, &t->cues);
        if (c != CS_CUES_OK && why == CS_LEFT_IN) {
            if (c == CS_CUES_NO_INTRO) st->no_intro++;
            else st->too_few++;
            t->left_out = c == CS_CUES_NO_INTRO ? CS_LEFT_NO_INTRO : CS_LEFT_TOO_FEW;
            if (!keep_all) {
                cs_lib_track_clear(t);
                continue;
            }
        }
        if (t->left_out == CS_LEFT_IN) st->selected++;
        count++;
    }
    /* a failed step (out of memory, I/O) is not the end of the rows */
    if (rc == 0 && step != SQLITE_DONE) rc = cs_db_fail(db, err, "selecting tracks");
    sqlite3_finalize(q);
    sqlite3_finalize(sq);
    if (rc < 0) {
        cs_lib_tracks_free(v, count);
        return -1;
    }
    *out = v;
    *n = count;
    return 0;
}

int cs_library_select(cs_db *db, const cs_selection *sel, cs_lib_track **out, size_t *n,
                      cs_select_stats *st, cs_err *err)
{
    return select_rows(db, sel, false, out, n, st, err);
}

int cs_library_list(cs_db *db, const cs_selection *sel, cs_lib_track **out, size_t *n,
                    cs_select_stats *st, cs_err *err)
{
    return select_rows(db, sel, true, out, n, st, err);
}

char *cs_select_why(const cs_select_stats *st, int n_sections, char *buf, size_t size)
{
    if (st->considered == 0) {
        snprintf(buf, size, "the library is empty (see 'cs index --help')");
        return buf;
    }
    char need[32];
    snprintf(need, sizeof need, "(need %d)", n_sections);
    const struct { long n; const char *what, *more; } r[] = {
        { st->no_intro, "no intro segment", "" },
        { st->too_few, "too few sections after the intro ", need },
        { st->no_bpm, "no BPM (JSON bpm 0/null and no Rekordbox AverageBpm)", "" },
        { st->bpm_out, "BPM outside the range", "" },
        { st->key_out, "key not asked for", "" },
    };
    size_t len = (size_t)snprintf(buf, size, "%ld in the library, %ld selected", st->considered,
                                  st->selected);
    const char *sep = "; left out: ";
    for (size_t i = 0; i < sizeof r / sizeof r[0] && len < size; i++) {
        if (!r[i].n) continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%ld %s%s", sep, r[i].n, r[i].what, r[i].more);
        sep = ", ";
    }
    return buf;
}
