/* Ladder sets from the library: the selected tracks (with their cues and
 * beats) and the rungs `cs export --ladder` recorded for exactly those cues.
 * Lives in db/ because it queries; the set type is pkg/ladderset.h's. */
#include "db/ladderset_db.h"
#include "db/playlist.h"
#include "pkg/findaudio.h"
#include "pkg/key.h"
#include "pkg/transition.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !dir[0] || (strncmp(path, dir, n) == 0 && (path[n] == '/' || dir[n - 1] == '/'));
}

int cs_lset_from_library(cs_db *db, const cs_selection *sel, const char *parts_dir, cs_lset *set,
                         cs_select_stats *st, cs_err *err)
{
    return cs_lset_from_playlist(db, sel, NULL, parts_dir, set, st, err);
}

int cs_lset_from_playlist(cs_db *db, const cs_selection *sel, const char *playlist, const char *parts_dir,
                          cs_lset *set, cs_select_stats *st, cs_err *err)
{
    char dir[PATH_MAX] = "";
    if (parts_dir && !realpath(parts_dir, dir))
        return cs_err_setc(err, CS_ERR_NOT_FOUND, "--parts-dir %s: no such directory", parts_dir);
    cs_lib_track *tr = NULL;
    size_t n = 0;
    if (cs_library_select(db, sel, &tr, &n, st, err) < 0) return -1;
    if (playlist && cs_playlist_apply(db, playlist, &tr, &n, NULL, err) < 0) {
        cs_lib_tracks_free(tr, n);
        return -1;
    }
    if (playlist && st) st->selected = (long)n;
    sqlite3_stmt *q = cs_db_prepare(db, "SELECT target_bpm, speed, out_path, ini_cue, begin_cue, end_cue, lufs, true_peak_dbtp, loudness_slices "
                                        "FROM renders WHERE track_id = ? AND target_bpm > 0 "
                                        "ORDER BY target_bpm, rendered_at", err);
    if (!q) {
        cs_lib_tracks_free(tr, n);
        return -1;
    }
    long without = 0;
    for (size_t i = 0; i < n; i++) {
        const cs_lib_track *t = &tr[i];
        /* The track's audio as index and export find it (pkg/findaudio.h;
         * cs play has no --audio-dir): named in logs and the plan. */
        cs_audio_where w = { .path = t->analysed_path, .struct_path = t->struct_path, .known = t->audio_path };
        char *found = cs_find_track_audio(&w, NULL), real[PATH_MAX];
        if (!found && errno == ENOMEM) goto oom;
        /* absolute, as index stores it */
        const char *audio = found ? (realpath(found, real) ? real : found) : cs_lib_track_name(t);
        cs_lset_track *lt = cs_lset_add_track(set, audio, t->bpm, t->cues.ini_cue,
                                              t->cues.begin_cue - t->cues.ini_cue,
                                              t->cues.end_cue - t->cues.ini_cue);
        free(found);
        if (!lt) goto oom;
        if (t->key && cs_key_parse(t->key) >= 0) lt->key = cs_key_parse(t->key);
        lt->energy = t->energy;
        /* Beats in u, so every rung shares the analysed grid. */
        if (t->beats.n) {
            lt->beats.v = malloc(t->beats.n * sizeof *lt->beats.v);
            if (!lt->beats.v) goto oom;
            for (size_t k = 0; k < t->beats.n; k++) lt->beats.v[k] = t->beats.v[k] - t->cues.ini_cue;
            lt->beats.n = t->beats.n;
        }
        double *starts = malloc((t->segments.n ? t->segments.n : 1) * sizeof *starts);
        if (!starts) goto oom;
        for (size_t k = 0; k < t->segments.n; k++) starts[k] = t->segments.v[k].start;
        int grc = cs_lset_track_set_grid(lt, t->downbeats.v, t->downbeats.n, starts, t->segments.n);
        free(starts);
        if (grc < 0) goto oom;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, t->id);
        int row;
        while ((row = cs_db_row(db, q, err)) > 0) {
            const char *out = (const char *)sqlite3_column_text(q, 2);
            /* Only parts cut for these cues (an export with another
             * --n-sections made others) and, when asked, from that folder. */
            if (!out || !under(out, dir) || fabs(sqlite3_column_double(q, 3) - t->cues.ini_cue) > 1e-6 ||
                fabs(sqlite3_column_double(q, 4) - t->cues.begin_cue) > 1e-6 ||
                fabs(sqlite3_column_double(q, 5) - t->cues.end_cue) > 1e-6)
                continue;
            int k = cs_lset_add_rung(lt, sqlite3_column_double(q, 0), sqlite3_column_double(q, 1), out);
            if (k < 0) goto oom;
            /* Loudness as cs export measured it (migrations 5 and 8; NULL: not yet). */
            if (sqlite3_column_type(q, 6) != SQLITE_NULL) lt->rungs[k].loud.lufs = sqlite3_column_double(q, 6);
            if (sqlite3_column_type(q, 7) != SQLITE_NULL) lt->rungs[k].loud.dbtp = sqlite3_column_double(q, 7);
            cs_loudness_slices_parse((const char *)sqlite3_column_text(q, 8), &lt->rungs[k].loud);
        }
        if (row < 0) {   /* a read error is not "no rendered parts" */
            sqlite3_finalize(q);
            cs_lib_tracks_free(tr, n);
            return -1;
        }
        if (lt->n_rungs == 0) without++;
    }
    sqlite3_finalize(q);
    cs_lib_tracks_free(tr, n);
    if (without)
        cs_log_warn("%ld of %zu selected tracks have no rendered parts for these cues%s (run cs export "
                    "--ladder with the same selection)", without, n, parts_dir ? " in --parts-dir" : "");
    return 0;
oom:
    sqlite3_finalize(q);
    cs_lib_tracks_free(tr, n);
    return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
}

/* True when some beat lies within 1 ms of t (beats sorted). */
static bool on_a_beat(const double *b, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    return (lo < n && fabs(b[lo] - t) <= 1e-3) || (lo > 0 && fabs(b[lo - 1] - t) <= 1e-3);
}

/* The downbeats (column 1 of q's row) and the section starts of track
 * column 2 for the planner; without them it counts bars from the beats.
 * 0, or -1 with err set (out of memory, a failed read). */
static int attach_grid(cs_db *db, sqlite3_stmt *q, sqlite3_stmt *sq, cs_lset_track *t, cs_err *err)
{
    const void *blob = sqlite3_column_blob(q, 1);
    size_t nd = blob ? (size_t)sqlite3_column_bytes(q, 1) / sizeof(double) : 0;
    double *d = malloc((nd ? nd : 1) * sizeof *d), *st = NULL;
    size_t ns = 0, cap = 0;
    int rc = d ? 0 : cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    if (nd && d) memcpy(d, blob, nd * sizeof *d);
    if (rc == 0) {
        sqlite3_reset(sq);
        sqlite3_bind_int64(sq, 1, sqlite3_column_int64(q, 2));
    }
    int row = 0;
    while (rc == 0 && (row = cs_db_row(db, sq, err)) > 0) {
        if (ns == cap) {
            cap = cap ? 2 * cap : 16;
            double *nv = realloc(st, cap * sizeof *nv);
            if (!nv) {
                rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
                break;
            }
            st = nv;
        }
        st[ns++] = sqlite3_column_double(sq, 0);
    }
    if (rc == 0 && row < 0) rc = -1;
    if (rc == 0 && cs_lset_track_set_grid(t, d, nd, st, ns) < 0) rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    free(d);
    free(st);
    return rc;
}

int cs_lset_attach_beats(cs_db *db, cs_lset *set, size_t *got, cs_err *err)
{
    *got = 0;
    sqlite3_stmt *q = cs_db_prepare(db, "SELECT beats, downbeats, id FROM library WHERE analysed_path = ?1 "
                                        "OR struct_path = ?1 OR audio_path = ?1 ORDER BY id LIMIT 1", err);
    if (!q) return -1;
    sqlite3_stmt *sq = cs_db_prepare(db, "SELECT start FROM segments WHERE track_id = ? ORDER BY idx", err);
    if (!sq) {
        sqlite3_finalize(q);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < set->n && rc == 0; i++) {
        cs_lset_track *t = &set->tracks[i];
        if (t->beats.n) continue;
        sqlite3_reset(q);
        if (sqlite3_bind_text(q, 1, t->path, -1, SQLITE_STATIC) != SQLITE_OK) {
            rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
            break;
        }
        int row = cs_db_row(db, q, err);
        if (row < 0) rc = -1;
        if (row <= 0) continue;
        /* The blob may sit at any byte offset: copied, not read in place. */
        const void *blob = sqlite3_column_blob(q, 0);
        size_t n = blob ? (size_t)sqlite3_column_bytes(q, 0) / sizeof(double) : 0;
        if (n < 2) continue;
        double *v = malloc(n * sizeof *v);
        if (!v) {
            rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(v, blob, n * sizeof *v);
        /* The CSV's intro cue is one of the beats it was cut on; if not, the
         * library was re-analysed since, and its beats are not this part's. */
        if (!on_a_beat(v, n, t->ini_cue)) {
            free(v);
            continue;
        }
        if (attach_grid(db, q, sq, t, err) < 0) {
            free(v);
            rc = -1;
            break;
        }
        for (size_t k = 0; k < n; k++) v[k] -= t->ini_cue;
        t->beats.v = v;
        t->beats.n = n;
        (*got)++;
    }
    sqlite3_reset(q);
    sqlite3_finalize(sq);
    sqlite3_finalize(q);
    return rc;
}
