/* cs export's set manifest (see export_set.h). */
#include "cmd/export_set.h"
#include "pkg/err.h"
#include "pkg/setfile.h"
#include "pkg/stretch.h"
#include "pkg/budget.h"

#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cs_export_csv_in_parts(const char *csv_path, const char *parts_dir)
{
    char copy[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
    if (snprintf(copy, sizeof copy, "%s", csv_path) >= (int)sizeof copy) return false;
    return realpath(dirname(copy), a) && realpath(parts_dir, b) && !strcmp(a, b);
}


void cs_export_reach(const cs_export_opts *o, const cs_export_row *rows, size_t i0, size_t i1, double *lo,
                     double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    /* A track with no rung within its budget reaches only its nearest rung. */
    bool within = true;
    for (size_t i = i0; i < i1; i++) within &= cs_budget_within(rows[i].track->bpm, rows[i].target_bpm, o->max_stretch);
    if (i0 < i1 && o->ladder && o->max_stretch > 0 && within)
        cs_budget_reach(rows[i0].track->bpm, o->max_stretch, lo, hi);
    for (size_t i = i0; i < i1; i++) {
        *lo = fmin(*lo, rows[i].target_bpm);
        *hi = fmax(*hi, rows[i].target_bpm);
    }
}

/* The end of the rows of the track rows[i] belongs to. */
static size_t track_end(const cs_export_row *rows, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && rows[j].track == rows[i].track) j++;
    return j;
}

void cs_export_print_budget(const cs_export_opts *o, const cs_export_stats *st, const cs_export_row *rows,
                            size_t n)
{
    if (!o->ladder || !(o->max_stretch > 0) || !o->targets.n) return;
    size_t nt = 0;
    double *lo = malloc((n ? n : 1) * sizeof *lo), *hi = malloc((n ? n : 1) * sizeof *hi);
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return;
    }
    for (size_t i = 0; i < n; i = track_end(rows, n, i), nt++) cs_export_reach(o, rows, i, track_end(rows, n, i), &lo[nt], &hi[nt]);
    double a = o->targets.v[0], b = o->targets.v[0];
    for (size_t k = 1; k < o->targets.n; k++) {
        a = fmin(a, o->targets.v[k]);
        b = fmax(b, o->targets.v[k]);
    }
    double gaps[8][2];
    size_t ng = cs_budget_gaps(lo, hi, nt, a, b, gaps, 8);
    printf("stretch budget +-%g %%: %ld parts not rendered (beyond their track's reach)", o->max_stretch,
           st->budget_saved);
    if (st->budget_nearest)
        printf("; %ld track%s with no rung within it play%s its nearest rung", st->budget_nearest,
               st->budget_nearest == 1 ? "" : "s", st->budget_nearest == 1 ? "s" : "");
    if (!ng) printf("; every rung from %g to %g BPM is within some track's reach\n", a, b);
    for (size_t g = 0; g < ng && g < 8; g++) {
        /* Whole BPMs in the gap: a gap ending where a reach starts stops
         * short of it. */
        bool end_reached = false;
        for (size_t t = 0; t < nt; t++) end_reached |= fabs(lo[t] - gaps[g][1]) < 1e-9;
        double x = ceil(gaps[g][0] - 1e-9), y = end_reached ? ceil(gaps[g][1] - 1e-9) - 1 : floor(gaps[g][1] + 1e-9);
        if (x > y) printf("%s%.1f-%.1f BPM", g ? ", " : "; no track reaches ", gaps[g][0], gaps[g][1]);
        else if (x == y) printf("%s%g BPM", g ? ", " : "; no track reaches ", x);
        else printf("%s%g-%g BPM", g ? ", " : "; no track reaches ", x, y);
    }
    if (ng > 8) printf(" and %zu more ranges", ng - 8);
    if (ng) putchar('\n');
    free(lo);
    free(hi);
}

static int add_rows(cs_setfile *m, const char *dir, const cs_export_row *rows, size_t n, const cs_export_opts *o)
{
    cs_err err = {0};
    const cs_lib_track *last = NULL;
    cs_set_track *t = NULL;
    for (size_t i = 0; i < n; i++) {
        const cs_export_row *r = &rows[i];
        const cs_lib_track *lt = r->track;
        if (lt != last) {
            last = lt;
            t = cs_setfile_add_track(m, cs_lib_track_name(lt), lt->key, lt->bpm, lt->cues.ini_cue,
                                     lt->cues.begin_cue, lt->cues.end_cue);
            if (!t || cs_setfile_set_beats(t, lt->beats.v, lt->beats.n) < 0 ||
                cs_setfile_set_grid(t, lt->downbeats.v, lt->downbeats.n, &lt->segments) < 0) {
                cs_log_error("%s/%s: out of memory", dir, CS_SET_MANIFEST);
                return -1;
            }
            cs_export_reach(o, rows, i, track_end(rows, n, i), &t->reach_lo, &t->reach_hi);
            t->energy = r->energy;
            if (cs_setfile_add_part(t, dir, cs_export_csv_rel(dir, r->part_file_orig), 0, 1, &err) < 0) {
                cs_log_error("%s", err.msg);
                return -1;
            }
            t->orig.loud = r->orig_loud;
        }
        if (cs_setfile_add_part(t, dir, cs_export_csv_rel(dir, r->part_file), r->target_bpm, r->speed, &err) < 0) {
            cs_log_error("%s", err.msg);
            return -1;
        }
        t->parts[t->n_parts - 1].loud = r->loud;
    }
    return 0;
}

int cs_export_write_set(const char *parts_dir, const char *csv_name, const cs_selopts *so,
                        const cs_export_opts *o, const char *format, const char *playlist,
                        const cs_export_row *rows, size_t n)
{
    cs_setfile m = {
        .format_version = CS_SET_FORMAT_VERSION, .cs_version = (char *)CS_VERSION, .csv = (char *)csv_name,
        .selection = { .has_bpm = so->has_bpm, .has_delta = so->has_delta, .has_min = so->has_min,
                       .has_max = so->has_max, .bpm = so->bpm, .delta = so->delta, .bpm_min = so->bpm_min,
                       .bpm_max = so->bpm_max, .keys = (char *)so->keys, .n_sections = so->n_sections },
        .ladder = o->ladder, .rungs = o->targets, .method = (char *)cs_stretch_label(o->method, o->plain_atempo),
        .quality = (char *)(o->quality == CS_STRETCH_FAST ? "fast" : "best"), .audio_format = (char *)format,
        .rate = o->rate, .max_stretch = o->ladder ? o->max_stretch : 0,
        .playlist = (char *)playlist,
    };
    int rc = add_rows(&m, parts_dir, rows, n, o);
    cs_err err = {0};
    if (rc == 0 && (rc = cs_setfile_write(parts_dir, &m, &err)) < 0) cs_log_error("%s", err.msg);
    /* Only the tracks are ours: the rest points at the caller's strings. */
    cs_setfile owned = { .tracks = m.tracks, .n = m.n };
    cs_setfile_free(&owned);
    return rc;
}
