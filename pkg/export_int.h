/* The export pipeline's insides, shared by its three files (not a public
 * header: pkg/export_pipeline.h is):
 *   export_plan.c      the job list: each track's audio, its part files, the
 *                      fingerprints, what is up to date (resume), the plan
 *                      hook's verdicts (shards);
 *   export_render.c    the worker: decode the cut once per track, stretch,
 *                      level, write, measure, record each part at once;
 *   export_pipeline.c  the run: the pool, the progress, the result rows and
 *                      the per-part report.
 * Locking: ctx.mu guards the track states, the cache and the counters; the
 * planning runs before any worker starts.
 */
#ifndef CS_EXPORT_INT_H
#define CS_EXPORT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "pkg/export_pipeline.h"
#include "pkg/stretch.h"

/* Bump when rendering changes in a way that makes old parts stale. */
#define RENDER_VERSION 2
/* One gain per track keeps every rung at the same level: sources peaking
 * above -1 dBFS are turned down to it, so the stretchers' overshoot has room. */
#define HEADROOM_PEAK 0.891f
/* Anything still above this is soft-limited (continuous slope, never > 1). */
#define LIMIT_KNEE 0.95f
/* A cut may end this much past the decoded audio (rounding of cues). */
#define CUE_SLACK_S 0.05

enum { DEC_PENDING, DEC_RUNNING, DEC_READY, DEC_FAILED };

typedef struct track_job {
    const cs_lib_track *t;
    char *audio;               /* resolved audio path */
    char *stem;
    struct stat audio_sb;
    int state;                 /* DEC_* under ctx.mu */
    cs_audio cut;
    cs_dvec anchors;           /* the track's beats in the cut, seconds from its start */
    float gain;
    double energy;             /* measured on the cut (pkg/energy.h), < 0: not measured */
    int remaining;             /* parts to do that still need the cut */
    bool skipped, failed;
    char why[600];
} track_job;

typedef struct part_job {
    track_job *tj;
    double target;             /* <= 0: the original-speed cut */
    double speed;
    char *out_abs, *rel;
    char fingerprint[17];
    long long frames;
    int rate;
    cs_loudness loud;          /* of the part as written (-INFINITY: unknown) */
    bool measure_only;         /* up to date but never measured: read it, do not render */
    bool beyond_budget;        /* a rung outside the track's stretch budget: not made */
    bool todo, taken, decode_here, done, failed;
    bool elsewhere;            /* plan_hook: not this run's */
} part_job;

typedef struct ctx {
    const cs_render_cache *cache;
    const cs_export_opts *o;
    track_job *tracks;
    size_t n_tracks;
    part_job *parts;
    size_t n_parts;
    part_job **todo;
    size_t n_todo;
    pthread_mutex_t mu;        /* track states, the cache, counters */
    pthread_cond_t cv;         /* decode finished / part finished */
    size_t finished;
    cs_export_stats *st;
} ctx;

/* "rubberband", "wsola", "atempo", "rate" (pkg/stretch.h's table). */
static inline const char *cs_xp_method_name(const cs_export_opts *o)
{
    return cs_stretch_label(o->method, o->plain_atempo);
}

/* Parts per track besides the original-speed cut. */
static inline size_t cs_xp_targets_per_track(const cs_export_opts *o)
{
    return o->targets.n ? o->targets.n : 1;
}

/* export_plan.c: fills c->tracks, c->parts and c->todo for tracks
 * (c->n_tracks of them) with part files under parts_abs.  0, or -1 with err
 * (out of memory: one bad track is a warning and a skip, not an error). */
int cs_xp_plan(ctx *c, const cs_lib_track *tracks, const char *parts_abs, cs_err *err);
/* export_plan.c: the part as the hooks see it; key[n] holds its portable
 * key (pkg/shard.h). */
void cs_xp_part_info(const ctx *c, const part_job *p, cs_export_part *info, char *key, size_t n);
/* export_render.c: renders (or only measures) c->todo[i]; the pool's work
 * function (pkg/workpool.h), on any worker thread.  0, or -1 when the part
 * failed (logged). */
int cs_xp_render_one(void *c, size_t i);

#endif
