/* Ladder sets: building them, from an export CSV (read by pkg/export_csv.c),
 * and probing their files (see ladderset.h). */
#include "pkg/ladderset.h"
#include "pkg/key.h"
#include "pkg/audio.h"
#include "pkg/rate.h"
#include "pkg/export_csv.h"
#include "pkg/fsutil.h"
#include "pkg/textfile.h"
#include "pkg/transition.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- building ---- */

cs_lset_track *cs_lset_add_track(cs_lset *set, const char *path, double bpm, double ini_cue,
                                 double begin_u, double end_u)
{
    cs_lset_track *nt = realloc(set->tracks, (set->n + 1) * sizeof *nt);
    if (!nt) return NULL;
    set->tracks = nt;
    cs_lset_track *t = &nt[set->n];
    memset(t, 0, sizeof *t);
    t->path = strdup(path);
    const char *base = strrchr(path, '/');
    t->name = strdup(base ? base + 1 : path);
    if (!t->path || !t->name) {
        free(t->path);
        free(t->name);
        return NULL;
    }
    char *dot = strrchr(t->name, '.');
    if (dot && dot != t->name) *dot = 0;
    t->bpm = bpm;
    t->key = -1;                                  /* CS_KEY_NONE */
    t->energy = -1;
    t->gain_level = NAN;                          /* no loudness matching until cs_lset_gains */
    t->gain_peak = -INFINITY;
    t->ini_cue = ini_cue;
    t->begin_u = begin_u;
    t->end_u = end_u;
    set->n++;
    return t;
}

int cs_lset_add_rung(cs_lset_track *t, double bpm, double speed, const char *path)
{
    size_t i = 0;
    while (i < t->n_rungs && t->rungs[i].bpm < bpm) i++;
    char *p = strdup(path);
    if (!p) return -1;
    if (i < t->n_rungs && t->rungs[i].bpm == bpm) {
        free(t->rungs[i].path);
        t->rungs[i] = (cs_lset_rung){ bpm, speed, p, 0, CS_LOUDNESS_NONE };
        return (int)i;
    }
    cs_lset_rung *nr = realloc(t->rungs, (t->n_rungs + 1) * sizeof *nr);
    if (!nr) {
        free(p);
        return -1;
    }
    t->rungs = nr;
    memmove(&nr[i + 1], &nr[i], (t->n_rungs - i) * sizeof *nr);
    nr[i] = (cs_lset_rung){ bpm, speed, p, 0, CS_LOUDNESS_NONE };
    t->n_rungs++;
    return (int)i;
}

static void track_free(cs_lset_track *t)
{
    for (size_t k = 0; k < t->n_rungs; k++) free(t->rungs[k].path);
    free(t->rungs);
    free(t->beats.v);
    free(t->downbeats.v);
    free(t->sections.v);
    free(t->path);
    free(t->name);
}

/* The mean loudness of t's part over u in [u0, u1], over the rungs that
 * have slices and a known length; NAN when none. */
static double window_lufs(const cs_lset_track *t, double u0, double u1)
{
    double sum = 0;
    int n = 0;
    for (size_t k = 0; k < t->n_rungs; k++) {
        const cs_lset_rung *r = &t->rungs[k];
        double len_u = (double)r->frames / CS_RATE * r->speed;   /* the part, in u */
        if (r->loud.n_slices != CS_LOUDNESS_SLICES || !(len_u > 0)) continue;
        double l = cs_loudness_window(&r->loud, u0 / len_u, u1 / len_u);
        if (!isfinite(l)) continue;
        sum += l;
        n++;
    }
    return n ? sum / n : NAN;
}

size_t cs_lset_track_loudness(const cs_lset_track *t, double *mean, double *peak)
{
    double sum = 0, top = -INFINITY;
    size_t n = 0;
    for (size_t k = 0; k < t->n_rungs; k++) {
        if (!isfinite(t->rungs[k].loud.lufs)) continue;
        sum += t->rungs[k].loud.lufs;
        n++;
        if (t->rungs[k].loud.dbtp > top) top = t->rungs[k].loud.dbtp;
    }
    if (n) {
        *mean = sum / (double)n;
        *peak = top;
    }
    return n;
}

double cs_lset_solo_gain(const cs_lset_track *t, double in_end_u, double *lufs, bool *capped)
{
    if (lufs) *lufs = NAN;
    if (capped) *capped = false;
    double mean, peak;
    if (lufs && cs_lset_track_loudness(t, &mean, &peak)) *lufs = mean;
    if (!isfinite(t->gain_level)) return t->gain_db;
    double end = cs_lset_part_end_u(t);
    double u0 = in_end_u > 0 ? in_end_u : 0, u1 = t->begin_u > u0 + 2.0 && t->begin_u < end ? t->begin_u : end;
    double w = window_lufs(t, u0, u1);
    if (!isfinite(w)) return t->gain_db;
    if (lufs) *lufs = w;
    double g = t->gain_level - w;
    if (isfinite(t->gain_peak) && t->gain_peak + g > t->gain_ceiling) {
        g = t->gain_ceiling - t->gain_peak;
        if (capped) *capped = true;
    }
    return g;
}

void cs_lset_free(cs_lset *set)
{
    for (size_t i = 0; i < set->n; i++) track_free(&set->tracks[i]);
    free(set->tracks);
    set->tracks = NULL;
    set->n = 0;
}

/* ---- from an export CSV (pkg/export_csv.h) ---- */

/* Where a part_file is now.  base: --parts-dir when given, else the CSV's
 * folder (the CSV may travel with its parts).  Tried in order: base/file
 * (a relative file), then the file's last two components under base (the
 * rung folder and the name: a parts folder that was moved or copied, its
 * CSV holding the old absolute or prefixed paths), then its name alone
 * under base; then the file as given (the working directory, the original's
 * habit).  A file found as given first wins when no --parts-dir says else. */
static void resolve(char *out, size_t cap, const char *base, bool parts_dir, const char *file)
{
    if (!parts_dir && file[0] == '/' && cs_is_file(file, NULL)) {
        snprintf(out, cap, "%s", file);
        return;
    }
    if (base[0]) {
        const char *tail1 = strrchr(file, '/'), *tail2 = NULL;
        for (const char *s = tail1 ? tail1 - 1 : NULL; s && s >= file && !tail2; s--)
            if (*s == '/') tail2 = s;
        const char *cand[3] = { file[0] != '/' ? file : NULL, tail2 ? tail2 + 1 : NULL,
                                tail1 ? tail1 + 1 : NULL };
        for (int i = 0; i < 3; i++) {
            if (!cand[i]) continue;
            snprintf(out, cap, "%s/%s", base, cand[i]);
            if (cs_is_file(out, NULL)) return;
        }
    }
    snprintf(out, cap, "%s", file);
}

typedef struct csv_ctx {
    cs_lset *set;
    const char *parts_dir;        /* --parts-dir, NULL: none */
    char dir[4096];               /* the CSV's folder ("" : the working directory) */
} csv_ctx;

static int add_row(const cs_export_csv_in *r, void *arg, cs_err *err)
{
    csv_ctx *x = arg;
    cs_lset *set = x->set;
    cs_lset_track *t = NULL;
    for (size_t i = 0; i < set->n && !t; i++)
        if (!strcmp(set->tracks[i].path, r->path)) t = &set->tracks[i];
    if (!t && !(t = cs_lset_add_track(set, r->path, r->bpm, r->ini_cue, r->begin_u, r->end_u)))
        return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    if (t->key < 0 && r->key) t->key = cs_key_parse(r->key) >= 0 ? cs_key_parse(r->key) : -1;
    char full[8192];
    resolve(full, sizeof full, x->parts_dir ? x->parts_dir : x->dir, x->parts_dir != NULL, r->part_file);
    int k = cs_lset_add_rung(t, r->target_bpm, r->speed, full);
    if (k < 0) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    t->rungs[k].loud = r->loud;
    return 0;
}

int cs_lset_read_csv_parts(const char *csv_path, const char *parts_dir, cs_lset *set, cs_err *err)
{
    csv_ctx x = { .set = set, .parts_dir = parts_dir };
    const char *slash = strrchr(csv_path, '/');
    if (slash) snprintf(x.dir, sizeof x.dir, "%.*s", (int)(slash - csv_path), csv_path);
    if (slash == csv_path) snprintf(x.dir, sizeof x.dir, "/");
    int skipped = cs_export_csv_read(csv_path, add_row, &x, err);
    if (skipped < 0) return -1;
    set->rows_skipped += (size_t)skipped;
    return 0;
}

/* ---- probing ---- */

size_t cs_lset_probe(cs_lset *set)
{
    size_t out = 0;
    set->listed = set->n;
    for (size_t i = 0; i < set->n; i++) {
        cs_lset_track *t = &set->tracks[i];
        size_t keep = 0, had = t->n_rungs;
        for (size_t k = 0; k < t->n_rungs; k++) {
            cs_lset_rung *r = &t->rungs[k];
            cs_err e = {0};
            cs_decoder *d = cs_decoder_open(r->path, CS_RATE, 2, &e);
            double secs = d ? cs_decoder_duration(d) : -1;
            if (d) cs_decoder_free(d);
            if (!d || !(secs > 0)) {
                cs_log_warn("%s: rung %g BPM left out: %s", t->name, r->bpm,
                            d ? "unknown length" : e.msg);
                free(r->path);
                continue;
            }
            /* The reader computes the length the same way; seeks by fraction
             * of it land on the frame we mean. */
            r->frames = llround(secs * CS_RATE);
            t->rungs[keep++] = *r;
        }
        t->n_rungs = keep;
        if (!keep) {
            if (had) set->unplayable++;
            else set->no_parts++;
            cs_log_warn("%s: no playable part; track skipped", t->name);
            track_free(t);
            continue;
        }
        if (!(t->begin_u > 0) || !(t->end_u > t->begin_u)) {
            /* No usable cues: hand over for the last quarter of the part. */
            double len = (double)t->rungs[0].frames / CS_RATE * t->rungs[0].speed;
            if (!(t->end_u > 0) || t->end_u > len) t->end_u = len;
            if (!(t->begin_u > 0) || t->begin_u >= t->end_u) t->begin_u = 0.75 * t->end_u;
        }
        set->tracks[out++] = *t;
    }
    set->n = out;

    /* The set's ladder: every rung any track has. */
    for (size_t i = 0; i < set->n; i++) {
        cs_lset_track *t = &set->tracks[i];
        for (size_t j = 0; j < set->n; j++) {
            const cs_lset_track *o = &set->tracks[j];
            size_t k = 0;
            for (; k < o->n_rungs; k++) {
                bool has = false;
                for (size_t m = 0; m < t->n_rungs; m++)
                    if (fabs(t->rungs[m].bpm - o->rungs[k].bpm) < 1e-9) has = true;
                if (!has) break;
            }
            if (k < o->n_rungs) {
                cs_log_warn("%s: no %g BPM rung; its nearest rung plays instead", t->name, o->rungs[k].bpm);
                break;
            }
        }
    }
    return set->n;
}

char *cs_lset_why(const cs_lset *set, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%zu track%s listed, %zu playable", set->listed,
                                  set->listed == 1 ? "" : "s", set->n);
    const struct { size_t n; const char *what; } r[] = {
        { set->no_parts, "with no rendered part (cs export --ladder renders them)" },
        { set->unplayable, "with every part missing or undecodable (named above)" },
    };
    const char *sep = "; left out: ";
    for (size_t i = 0; i < sizeof r / sizeof r[0] && len < size; i++) {
        if (!r[i].n) continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%zu %s", sep, r[i].n, r[i].what);
        sep = ", ";
    }
    if (set->rows_skipped && len < size)
        snprintf(buf + len, size - len, "; %zu CSV row%s skipped (no path, bpm, target_bpm or part_file)",
                 set->rows_skipped, set->rows_skipped == 1 ? "" : "s");
    return buf;
}

/* ---- loudness ---- */

/* The median of the measured tracks' gains (dB), by counting rather than a
 * sorted copy: no allocation, so no "0 dB" for want of memory. */
static double median_gain(const cs_lset *set, size_t measured)
{
    double lo = NAN, hi = NAN;   /* the lower and upper middle values */
    size_t want_lo = (measured - 1) / 2, want_hi = measured / 2;
    double mean, peak;
    for (size_t i = 0; i < set->n; i++) {
        const cs_lset_track *a = &set->tracks[i];
        if (!cs_lset_track_loudness(a, &mean, &peak)) continue;
        size_t below = 0, same = 0;
        for (size_t j = 0; j < set->n; j++) {
            const cs_lset_track *b = &set->tracks[j];
            if (!cs_lset_track_loudness(b, &mean, &peak)) continue;
            below += b->gain_db < a->gain_db;
            same += b->gain_db == a->gain_db;
        }
        if (below <= want_lo && want_lo < below + same) lo = a->gain_db;
        if (below <= want_hi && want_hi < below + same) hi = a->gain_db;
    }
    return 0.5 * (lo + hi);
}

size_t cs_lset_gains(cs_lset *set, double target_lufs, double chain_db, double max_peak_dbtp)
{
    size_t measured = 0;
    for (size_t i = 0; i < set->n; i++) {
        cs_lset_track *t = &set->tracks[i];
        double mean, peak;
        t->gain_db = 0;
        t->gain_level = NAN;
        if (!cs_lset_track_loudness(t, &mean, &peak)) continue;
        int capped;
        t->gain_db = cs_loudness_gain_db(mean, peak, target_lufs, chain_db, max_peak_dbtp, &capped);
        t->gain_level = target_lufs - chain_db;
        t->gain_peak = peak;
        t->gain_ceiling = max_peak_dbtp - chain_db;
        if (capped)
            cs_log_warn("%s: %.1f LUFS, true peak %.1f dBTP: gain capped at %+.1f dB, so it plays %.1f LU "
                        "under the target", t->name, mean, peak, t->gain_db,
                        target_lufs - (mean + chain_db + t->gain_db));
        measured++;
    }
    if (measured && measured < set->n) {
        double median = median_gain(set, measured);
        for (size_t i = 0; i < set->n; i++) {
            cs_lset_track *t = &set->tracks[i];
            double mean, peak;
            if (cs_lset_track_loudness(t, &mean, &peak)) continue;
            t->gain_db = median;
            cs_log_warn("%s: no loudness measured (exported before cs measured it: export it again); "
                        "played at the set's median gain, %+.1f dB", t->name, median);
        }
    }
    return measured;
}
