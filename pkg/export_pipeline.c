/* The export pipeline (export_pipeline.h): parts for every selected track,
 * in parallel, resumable.  This file is the run: the plan
 * (export_plan.c), the pool of workers (pkg/workpool.h, export_render.c),
 * the progress, then the CSV rows and the per-part report.
 *
 * Work is a flat list of parts (per track: the original-speed cut, then one
 * per target BPM).  Workers take parts in order; the first worker to need a
 * track decodes its cut once, and meanwhile the others render parts of a
 * ready track or decode the next one, so each track is decoded once for all
 * its rungs and only a few cuts are in memory (the pool's window).
 * Every finished part is recorded at once (its own small transaction), so a
 * killed run keeps what it finished and the re-run only does the rest.
 */
#include "pkg/export_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkg/cues.h"
#include "pkg/fsutil.h"
#include "pkg/workpool.h"

/* ---- progress ------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct progress_arg {
    ctx *c;
    double t0;
} progress_arg;

static void show_progress(void *arg, size_t done, size_t n, int final)
{
    progress_arg *pa = arg;
    cs_export_progress p = { done, n, now_s() - pa->t0, final != 0 };
    pa->c->o->progress(pa->c->o->progress_arg, &p);
}

static int render_one_pa(void *arg, size_t i) { return cs_xp_render_one(((progress_arg *)arg)->c, i); }

/* Renders every todo part on o->jobs workers; parts of at most about a
 * window's worth of tracks are decoded at a time (memory stays flat). */
static int run_parts(ctx *c)
{
    progress_arg pa = { c, now_s() };
    cs_workpool_ops ops = { .work = render_one_pa, .progress = c->o->progress ? show_progress : NULL,
                            .progress_every = c->o->progress_every };
    cs_workpool_opts po = { .threads = c->o->jobs < 1 ? 1 : c->o->jobs, .window = 4 * (size_t)(c->o->jobs < 1 ? 1 : c->o->jobs),
                            .cancel = c->o->cancel };
    return cs_workpool_run(c->n_todo, &po, &ops, &pa);
}

/* ---- results -------------------------------------------------------------- */

static int build_rows(ctx *c, cs_export_row **rows, size_t *n_rows, cs_err *err)
{
    size_t per = 1 + cs_xp_targets_per_track(c->o);
    cs_export_row *r = calloc(c->n_tracks * (per - 1) + 1, sizeof *r);
    if (!r) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < c->n_tracks; i++) {
        track_job *tj = &c->tracks[i];
        if (tj->skipped) { c->st->skipped++; continue; }
        part_job *ps = &c->parts[i * per];
        bool all = true, failed = false;
        for (size_t k = 0; k < per; k++) {
            all &= ps[k].done || ps[k].beyond_budget;
            failed |= ps[k].failed;
        }
        if (!all) {
            /* Parts left to another shard are no failure. */
            if (failed) c->st->failed++;
            continue;
        }
        const cs_cues *q = &tj->t->cues;
        for (size_t k = 1; k < per; k++) {
            if (ps[k].beyond_budget) continue;
            cs_export_row *row = &r[n++];
            row->track = tj->t;
            row->target_bpm = ps[k].target;
            row->speed = ps[k].speed;
            row->begin_cue_adj = cs_cue_adj(q->begin_cue, q->ini_cue, row->speed);
            row->end_cue_adj = cs_cue_adj(q->end_cue, q->ini_cue, row->speed);
            row->duration_orig = q->end_cue - q->ini_cue;
            row->duration_sectioned = ps[k].rate > 0 ? (double)ps[k].frames / ps[k].rate : 0;
            row->loud = ps[k].loud;
            row->orig_loud = ps[0].loud;
            row->part_file_orig = strdup(ps[0].rel);
            row->part_file = strdup(ps[k].rel);
            row->energy = tj->energy >= 0 ? tj->energy : tj->t->energy;
            if (!row->part_file_orig || !row->part_file) {
                cs_export_rows_free(r, n);
                return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
            }
        }
    }
    *rows = r;
    *n_rows = n;
    return 0;
}

static void report_parts(const ctx *c)
{
    for (size_t i = 0; i < c->n_parts; i++) {
        const part_job *p = &c->parts[i];
        if (!p->tj) continue;   /* audio not found: nothing planned */
        char key[PATH_MAX + 256];
        cs_export_part info;
        cs_xp_part_info(c, p, &info, key, sizeof key);
        info.status = p->tj->skipped ? CS_PART_SKIPPED : p->elsewhere ? CS_PART_ELSEWHERE
                    : p->failed ? CS_PART_FAILED : p->todo && !p->measure_only ? CS_PART_RENDERED : CS_PART_UP_TO_DATE;
        c->o->report(c->o->hook_arg, &info);
    }
}

static void ctx_free(ctx *c)
{
    /* tracks or parts may be NULL: their allocation failed (fault injection) */
    for (size_t i = 0; c->tracks && i < c->n_tracks; i++) {
        free(c->tracks[i].audio);
        free(c->tracks[i].stem);
        cs_audio_free(&c->tracks[i].cut);
        free(c->tracks[i].anchors.v);
    }
    for (size_t i = 0; c->parts && i < c->n_parts; i++) {
        free(c->parts[i].out_abs);
        free(c->parts[i].rel);
    }
    free(c->tracks);
    free(c->parts);
    free(c->todo);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
}

int cs_export_run(const cs_render_cache *cache, const cs_export_opts *o, const cs_lib_track *tracks,
                  size_t n, cs_export_row **rows, size_t *n_rows, cs_export_stats *st, cs_err *err)
{
    memset(st, 0, sizeof *st);
    *rows = NULL;
    *n_rows = 0;
    st->tracks = (long)n;
    char parts_abs[PATH_MAX];
    if (cs_mkdirs(o->parts_dir) < 0 || !realpath(o->parts_dir, parts_abs))
        return cs_err_setc(err, CS_ERR_IO, "%s: cannot create the parts folder: %s", o->parts_dir, strerror(errno));
    if (access(parts_abs, W_OK) < 0)
        return cs_err_setc(err, CS_ERR_IO, "%s: not writable: %s", o->parts_dir, strerror(errno));

    ctx c = { .cache = cache, .o = o, .n_tracks = n, .st = st };
    size_t per = 1 + cs_xp_targets_per_track(o);
    c.n_parts = n * per;
    c.tracks = calloc(n ? n : 1, sizeof *c.tracks);
    c.parts = calloc(c.n_parts ? c.n_parts : 1, sizeof *c.parts);
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    int rc = c.tracks && c.parts ? 0 : cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    if (rc == 0) rc = cs_xp_plan(&c, tracks, parts_abs, err);
    if (rc == 0 && c.n_todo) {
        if (run_parts(&c) == CS_WORKPOOL_CANCELLED) {
            st->cancelled = true;
            rc = cs_err_set(err, "interrupted");
        }
    }
    if (rc == 0 && o->report) report_parts(&c);
    if (rc == 0) rc = build_rows(&c, rows, n_rows, err);
    ctx_free(&c);
    return rc;
}
