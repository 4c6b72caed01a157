/* The export pipeline (export_pipeline.h): parts for every selected track,
 * in parallel, resumable.
 *
 * Work is a flat list of parts (per track: the original-speed cut, then one
 * per target BPM).  Workers take parts in order; the first worker to need a
 * track decodes its cut once, and meanwhile the others render parts of a
 * ready track or decode the next one (see take_job), so each track is
 * decoded once for all its rungs and only a few cuts are in memory.
 * Every finished part is recorded at once (its own small transaction), so a
 * killed run keeps what it finished and the re-run only does the rest.
 */
#include "pkg/export_pipeline.h"
#include "pkg/energy.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include "pkg/workpool.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/findaudio.h"
#include "pkg/location.h"
#include "pkg/cues.h"
#include "pkg/fsutil.h"
#include "pkg/parts.h"
#include "pkg/budget.h"
#include "pkg/shard.h"

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

static const char *method_name(const cs_export_opts *o)
{
    if (o->method == CS_STRETCH_WSOLA) return o->plain_atempo ? "atempo" : "wsola";
    return o->method == CS_STRETCH_RATE ? "rate" : "rubberband";
}

static const char *format_ext(cs_audio_format f)
{
    return f == CS_FMT_FLAC16 || f == CS_FMT_FLAC24 ? "flac" : "wav";
}

static const char *format_name(cs_audio_format f)
{
    static const char *names[] = { "wav16", "wav24", "wav32f", "flac16", "flac24" };
    return (unsigned)f < 5 ? names[f] : "?";
}

static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void fingerprint(const ctx *c, const part_job *p, char out[17])
{
    const track_job *tj = p->tj;
    const cs_export_opts *o = c->o;
    char buf[PATH_MAX + 512];
    snprintf(buf, sizeof buf, "v%d|%s|%lld|%lld.%09ld|%.17g|%.17g|%.17g|%.17g|%s|%d|%s|%d",
             RENDER_VERSION, tj->audio, (long long)tj->audio_sb.st_size,
             (long long)tj->audio_sb.st_mtim.tv_sec, tj->audio_sb.st_mtim.tv_nsec,
             tj->t->cues.ini_cue, tj->t->cues.end_cue, tj->t->bpm, p->target,
             p->target > 0 ? method_name(o) : "orig", (int)o->quality,
             format_name(o->format), o->rate);
    snprintf(out, 17, "%016llx", fnv1a(buf));
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *s = malloc(n);
    if (!s) return NULL;
    if (*b) snprintf(s, n, "%s/%s/%s", a, b, c);
    else snprintf(s, n, "%s/%s", a, c);
    return s;
}

/* The library's path, else the JSON path, else the same name in --audio-dir
 * (folded: NFD finds NFC), else for a struct without a path the audio named
 * after the struct file's stem in --audio-dir; made absolute so fingerprints
 * do not depend on the working directory.  *name gets the path as found
 * (before symlinks resolve): the parts are named after its stem. */
static char *find_audio(const cs_lib_track *t, const char *audio_dir, struct stat *sb, char **name,
                        bool *oom)
{
    char real[PATH_MAX];
    char *found = NULL;
    *name = NULL;
    /* An out of memory anywhere here is not "audio not found" (make faults:
     * a track was skipped with that warning and the export exited 0). */
    *oom = false;
    errno = 0;
    if (cs_is_file(t->audio_path, NULL)) *oom = !(found = strdup(t->audio_path));
    else if (cs_is_file(t->analysed_path, NULL)) *oom = !(found = strdup(t->analysed_path));
    else if (t->analysed_path && *t->analysed_path) {
        found = cs_find_audio_by_name(audio_dir, cs_path_basename(t->analysed_path));
        *oom = !found && errno == ENOMEM;
    } else if (audio_dir) {
        char *stem = cs_file_stem(t->struct_path);
        found = stem ? cs_find_audio_by_stem(audio_dir, stem) : NULL;
        *oom = !found && (!stem || errno == ENOMEM);
        free(stem);
    }
    *name = found;
    if (!found || !cs_is_file(found, sb)) return NULL;
    char *abs = strdup(realpath(found, real) ? real : found);
    *oom = !abs;
    return abs;
}

/* ---- rendering ------------------------------------------------------------ */

static void soft_limit(cs_audio *a)
{
    const float range = 1.0f - LIMIT_KNEE;
    size_t n = a->frames * (size_t)a->channels;
    for (size_t i = 0; i < n; i++) {
        float x = a->data[i], m = fabsf(x);
        if (m > LIMIT_KNEE) a->data[i] = copysignf(LIMIT_KNEE + range * tanhf((m - LIMIT_KNEE) / range), x);
    }
}

static int decode_cut(ctx *c, track_job *tj)
{
    const cs_cues *q = &tj->t->cues;
    cs_err e = {0};
    char note[400];
    if (cs_audio_decode_noting(tj->audio, c->o->rate, 0, q->ini_cue, q->end_cue, &tj->cut, note, sizeof note, &e) < 0) {
        snprintf(tj->why, sizeof tj->why, "%s", e.msg);
        return -1;
    }
    if (note[0]) cs_log_warn("%s: %s", tj->audio, note);    /* damage skipped, header not trusted */
    double want = q->end_cue - q->ini_cue;
    double got = cs_audio_seconds(&tj->cut);
    if (got + CUE_SLACK_S < want) {
        snprintf(tj->why, sizeof tj->why,
                 "%s: cues outside the audio (end_cue %.3f s, audio ends at %.3f s)", tj->audio,
                 q->end_cue, q->ini_cue + got);
        cs_audio_free(&tj->cut);
        return -1;
    }
    /* Beats inside the cut anchor the WSOLA stretch (see stretch.h). */
    const cs_dvec *b = &tj->t->beats;
    tj->anchors.v = malloc((b->n ? b->n : 1) * sizeof(double));
    tj->anchors.n = 0;
    if (!tj->anchors.v) {
        /* Without anchors the WSOLA render would be plain atempo, and the
         * render cache would keep it as a correct "wsola" part. */
        snprintf(tj->why, sizeof tj->why, "%s: out of memory (beat anchors)", tj->audio);
        cs_audio_free(&tj->cut);
        return -1;
    }
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i] >= q->ini_cue && b->v[i] < q->end_cue)
            tj->anchors.v[tj->anchors.n++] = b->v[i] - q->ini_cue;
    float peak = cs_audio_peak(&tj->cut);
    tj->gain = peak > HEADROOM_PEAK ? HEADROOM_PEAK / peak : 1.0f;
    return 0;
}

/* Decodes the track's cut when take_job() handed this part the decode, else
 * waits for whoever has it.  Returns 0 when the cut is ready. */
static int ensure_decoded(ctx *c, part_job *p)
{
    track_job *tj = p->tj;
    if (p->decode_here) {
        int rc = decode_cut(c, tj);
        pthread_mutex_lock(&c->mu);
        tj->state = rc == 0 ? DEC_READY : DEC_FAILED;
        if (rc < 0 && !tj->skipped) {
            tj->skipped = true;
            cs_log_warn("%s: skipped: %s", cs_lib_track_name(tj->t), tj->why);
        }
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
    pthread_mutex_lock(&c->mu);
    while (tj->state == DEC_RUNNING) pthread_cond_wait(&c->cv, &c->mu);
    int ok = tj->state == DEC_READY ? 0 : -1;
    pthread_mutex_unlock(&c->mu);
    return ok;
}

/* The track's energy (pkg/energy.h), from its original-speed part as
 * stored: the same number whichever run or machine wrote or merged the
 * part (the samples in memory differ from the file's by its quantisation).
 * Unmeasurable: left unknown (-1). */
static void measure_energy(ctx *c, part_job *p)
{
    if (p->target > 0) return;
    cs_audio a = {0};
    cs_err e = {0};
    double en = cs_audio_decode(p->out_abs, 0, 0, 0, 0, &a, &e) == 0 ? cs_energy_measure(&a) : -1;
    cs_audio_free(&a);
    pthread_mutex_lock(&c->mu);
    p->tj->energy = en;
    pthread_mutex_unlock(&c->mu);
}

static int render_part(ctx *c, part_job *p, cs_err *err)
{
    track_job *tj = p->tj;
    const cs_export_opts *o = c->o;
    cs_audio out = {0};
    const cs_audio *w = &tj->cut;
    if (p->target > 0 && fabs(p->speed - 1.0) > 1e-9) {
        if (cs_stretch_render_anchored(&tj->cut, p->speed, o->method, o->quality,
                                       o->plain_atempo ? NULL : &tj->anchors,
                                       &out, err) < 0)
            return -1;
    } else if (p->target > 0) {
        if (cs_audio_alloc(&out, tj->cut.frames, tj->cut.channels, tj->cut.rate) < 0)
            return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        memcpy(out.data, tj->cut.data, tj->cut.frames * (size_t)tj->cut.channels * sizeof(float));
    }
    if (p->target > 0) {
        cs_audio_gain(&out, tj->gain);
        soft_limit(&out);
        w = &out;
    }
    char *dir = strdup(p->out_abs);
    if (!dir) { cs_audio_free(&out); return cs_err_setc(err, CS_ERR_NOMEM, "out of memory"); }
    *strrchr(dir, '/') = 0;
    int rc = 0;
    if (cs_mkdirs(dir) < 0) rc = cs_err_setc(err, CS_ERR_IO, "%s: cannot create folder: %s", dir, strerror(errno));
    free(dir);
    if (rc == 0) {
        cs_remove_stale_temps(p->out_abs);
        rc = cs_audio_write(p->out_abs, w, o->format, err);
    }
    p->frames = (long long)w->frames;
    p->rate = w->rate;
    /* The loudness of the part as stored, read back from its file: the
     * same number whichever machine or run measured it (an up-to-date part
     * measured later, a shard's part merged elsewhere), where the samples
     * in memory differ from the file's by its quantisation. */
    cs_err le = {0};
    if (rc == 0 && cs_loudness_measure_file(p->out_abs, &p->loud, &le) < 0) {
        cs_log_warn("%s: loudness not measured: %s", p->out_abs, le.msg);
        p->loud = (cs_loudness){ -INFINITY, -INFINITY };
    }
    cs_audio_free(&out);
    if (rc < 0) return -1;
    measure_energy(c, p);

    struct stat sb;
    cs_render_rec r = {
        .track_id = tj->t->id, .target_bpm = p->target,
        .method = p->target > 0 ? method_name(o) : "orig",
        .quality = p->target > 0 && o->method == CS_STRETCH_RUBBERBAND
                       ? (o->quality == CS_STRETCH_FAST ? "fast" : "best") : NULL,
        .format = format_name(o->format), .ini_cue = tj->t->cues.ini_cue,
        .begin_cue = tj->t->cues.begin_cue, .end_cue = tj->t->cues.end_cue, .speed = p->speed,
        .out_path = p->out_abs, .out_size = stat(p->out_abs, &sb) == 0 ? (long long)sb.st_size : -1,
        .frames = p->frames, .rate = p->rate,
        .gain_db = p->target > 0 ? 20.0 * log10(tj->gain) : 0.0, .fingerprint = p->fingerprint,
        .loud = p->loud,
    };
    pthread_mutex_lock(&c->mu);
    rc = c->cache->record(c->cache->ctx, &r, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* A part rendered before loudness was measured: measured from its file
 * (libsndfile, in blocks), never rendered again.  A file that cannot be
 * read keeps its part (it was up to date) with its loudness unknown. */
static void measure_part(ctx *c, part_job *p)
{
    cs_err e = {0};
    measure_energy(c, p);
    if (cs_loudness_measure_file(p->out_abs, &p->loud, &e) < 0) {
        cs_log_warn("loudness not measured: %s", e.msg);
        p->loud = (cs_loudness){ -INFINITY, -INFINITY };
        return;
    }
    pthread_mutex_lock(&c->mu);
    if (c->cache->record_loudness(c->cache->ctx, p->out_abs, &p->loud, &e) < 0)
        cs_log_warn("%s: loudness not recorded: %s", p->out_abs, e.msg);
    else
        c->st->measured++;
    pthread_mutex_unlock(&c->mu);
}

/* One part on a pool worker (pkg/workpool.h).  Parts are taken in order;
 * the first part of a track to be taken decodes its cut, the others wait
 * for it (ensure_decoded). */
static int render_one(void *arg, size_t i)
{
    ctx *c = arg;
    part_job *p = c->todo[i];
    track_job *tj = p->tj;
    if (p->measure_only) {   /* up to date, never measured: read, not rendered */
        measure_part(c, p);
        pthread_mutex_lock(&c->mu);
        p->taken = true;
        c->finished++;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        return 0;
    }
    pthread_mutex_lock(&c->mu);
    p->taken = true;
    if (tj->state == DEC_PENDING) {
        p->decode_here = true;
        tj->state = DEC_RUNNING;
    }
    pthread_mutex_unlock(&c->mu);
    cs_err e = {0};
    bool ok = ensure_decoded(c, p) == 0;
    if (ok && render_part(c, p, &e) < 0) {
        ok = false;
        pthread_mutex_lock(&c->mu);
        tj->failed = true;
        pthread_mutex_unlock(&c->mu);
        cs_log_error("%s: %s", cs_lib_track_name(tj->t), e.msg);
    }
    pthread_mutex_lock(&c->mu);
    p->done = ok;
    p->failed = !ok;
    if (ok) c->st->rendered++;
    if (--tj->remaining == 0) {
        cs_audio_free(&tj->cut);
        free(tj->anchors.v);
        tj->anchors.v = NULL;
    }
    c->finished++;
    pthread_mutex_unlock(&c->mu);
    return ok ? 0 : -1;
}

/* ---- planning ------------------------------------------------------------- */

/* The part as the hooks see it; key[n] holds its portable key. */
static void part_info(const ctx *c, const part_job *p, cs_export_part *info, char *key, size_t n)
{
    const cs_export_opts *o = c->o;
    const track_job *tj = p->tj;
    const char *name = p->rel + strlen(o->parts_dir) + 1;
    cs_shard_job j = { .part = name, .source_bytes = (long long)tj->audio_sb.st_size,
                       .ini_cue = tj->t->cues.ini_cue, .end_cue = tj->t->cues.end_cue, .bpm = tj->t->bpm,
                       .target = p->target, .method = method_name(o),
                       .quality = o->quality == CS_STRETCH_FAST ? "fast" : "best",
                       .format = format_name(o->format), .rate = o->rate, .version = RENDER_VERSION };
    if (cs_shard_key(key, n, &j) < 0) snprintf(key, n, "?");
    *info = (cs_export_part){ .track = tj->t, .audio = tj->audio, .target = p->target, .speed = p->speed,
                              .seconds = (tj->t->cues.end_cue - tj->t->cues.ini_cue) / p->speed,
                              .rel = p->rel, .name = name, .out_abs = p->out_abs, .key = key,
                              .fingerprint = p->fingerprint, .frames = p->frames, .rate = p->rate,
                              .why = tj->skipped ? tj->why : NULL };
}

/* plan_hook's verdict on p; 1 when it settled the part, 0 to go on. */
static int ask_plan_hook(ctx *c, part_job *p)
{
    if (!c->o->plan_hook) return 0;
    char key[PATH_MAX + 256];
    cs_export_part info;
    part_info(c, p, &info, key, sizeof key);
    int v = c->o->plan_hook(c->o->hook_arg, &info);
    if (v == CS_PART_UP_TO_DATE) {
        p->done = true;
        p->frames = info.frames;
        p->rate = info.rate;
        c->st->up_to_date++;
        /* The hook knows the part, not its loudness: measured from the file. */
        p->loud = (cs_loudness){ -INFINITY, -INFINITY };
        p->measure_only = p->todo = true;
        return 1;
    }
    if (v == CS_PART_SKIPPED) p->tj->skipped = true;
    p->elsewhere = v == CS_PART_ELSEWHERE || v == CS_PART_SKIPPED;
    return p->elsewhere;
}

static int plan_part(ctx *c, track_job *tj, part_job *p, double target, const char *parts_abs,
                     cs_err *err)
{
    const cs_export_opts *o = c->o;
    char name[PATH_MAX], sub[40];
    snprintf(name, sizeof name, "%s_sectioned.%s", tj->stem, format_ext(o->format));
    if (target <= 0) snprintf(sub, sizeof sub, "orig");
    else if (o->ladder) cs_bpm_dirname(sub, target);
    else sub[0] = 0;
    p->tj = tj;
    p->target = target;
    p->speed = target > 0 ? target / tj->t->bpm : 1.0;
    p->out_abs = join3(parts_abs, sub, name);
    p->rel = join3(o->parts_dir, sub, name);
    if (!p->out_abs || !p->rel) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    fingerprint(c, p, p->fingerprint);
    if (ask_plan_hook(c, p)) return 0;
    /* A killed run may have left a temporary even for a part that is up to
     * date (it was being redone with --force). */
    cs_remove_stale_temps(p->out_abs);
    bool measured = false;
    p->loud = (cs_loudness){ -INFINITY, -INFINITY };
    if (!o->force && c->cache->up_to_date(c->cache->ctx, p->out_abs, p->fingerprint, &p->frames, &p->rate,
                                          &measured, &p->loud)) {
        p->done = true;
        c->st->up_to_date++;
        p->measure_only = p->todo = !measured;
    } else {
        p->todo = true;
        tj->remaining++;
    }
    return 0;
}

static size_t targets_per_track(const cs_export_opts *o)
{
    return o->targets.n ? o->targets.n : 1;
}

/* Two struct files with the same name (in different folders) would write
 * the same part files: the later one gets " (2)", " (3)"... and a warning. */
static bool stem_taken(const ctx *c, size_t i, const char *stem)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(c->tracks[k].stem, stem)) return true;
    return false;
}

static int unique_stem(ctx *c, size_t i, char **stem)
{
    char *orig = *stem;
    for (int n = 2; stem_taken(c, i, *stem); n++) {
        char *s = malloc(strlen(orig) + 16);
        if (!s) return -1;
        sprintf(s, "%s (%d)", orig, n);
        if (*stem != orig) free(*stem);
        *stem = s;
    }
    if (*stem != orig) {
        cs_log_warn("%s: another selected track has the same file name; its parts are named \"%s\"",
                    c->tracks[i].t->struct_path, *stem);
        free(orig);
    }
    return 0;
}

static void warn_no_audio(const cs_lib_track *t, const char *audio_dir)
{
    const char *name = cs_lib_track_name(t);
    bool has_path = t->analysed_path && *t->analysed_path;
    if (!audio_dir)
        cs_log_warn("%s: skipped: audio not found (%sgive --audio-dir)", name,
                    has_path ? "" : "the struct names no path; ");
    else if (has_path)
        cs_log_warn("%s: skipped: audio not found (neither at its path nor in %s)", name, audio_dir);
    else
        cs_log_warn("%s: skipped: audio not found (the struct names no path and %s has no audio file "
                    "named after it)", name, audio_dir);
}

static int plan(ctx *c, const cs_lib_track *tracks, const char *parts_abs, cs_err *err)
{
    const cs_export_opts *o = c->o;
    size_t per = 1 + targets_per_track(o);
    /* The stretch budget applies to ladders (a single --target-bpm is the
     * original exporter's: every track at it). */
    unsigned char *keep = NULL;
    if (o->ladder && o->max_stretch > 0 && o->targets.n && !(keep = malloc(o->targets.n)))
        return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n_tracks; i++) {
        track_job *tj = &c->tracks[i];
        tj->t = &tracks[i];
        tj->energy = -1;
        char *audio_name;
        bool oom;
        tj->audio = find_audio(tj->t, o->audio_dir, &tj->audio_sb, &audio_name, &oom);
        if (oom) {
            free(audio_name);
            free(keep);
            return cs_err_setc(err, CS_ERR_NOMEM, "%s: finding its audio: out of memory", cs_lib_track_name(tj->t));
        }
        /* Named after the audio file, as the original exporter does. */
        tj->stem = cs_part_stem(tj->audio ? audio_name : tj->t->struct_path);
        free(audio_name);
        if (!tj->stem || unique_stem(c, i, &tj->stem) < 0) {
            free(keep);
            return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        }
        if (!tj->audio) {
            tj->skipped = true;
            warn_no_audio(tj->t, o->audio_dir);
            continue;
        }
        bool nearest = false;
        if (keep) cs_budget_pick(tj->t->bpm, o->targets.v, o->targets.n, o->max_stretch, keep, &nearest);
        if (nearest) {
            c->st->budget_nearest++;
            for (size_t k = 0; k < o->targets.n; k++)
                if (keep[k])
                    cs_log_warn("%s: %g BPM: no rung within +-%g %%; only its nearest, %g BPM (%+.1f %%)",
                                cs_lib_track_name(tj->t), tj->t->bpm, o->max_stretch, o->targets.v[k],
                                100.0 * (o->targets.v[k] / tj->t->bpm - 1.0));
        }
        for (size_t k = 0; k < per; k++) {
            double target = k == 0 ? 0.0 : o->targets.n ? o->targets.v[k - 1] : tj->t->bpm;
            if (k > 0 && keep && !keep[k - 1]) {
                c->parts[i * per + k].beyond_budget = true;
                c->st->budget_saved++;
                continue;
            }
            if (plan_part(c, tj, &c->parts[i * per + k], target, parts_abs, err) < 0) { free(keep); return -1; }
        }
    }
    free(keep);
    c->todo = malloc((c->n_parts ? c->n_parts : 1) * sizeof *c->todo);
    if (!c->todo) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n_parts; i++)
        if (c->parts[i].todo) c->todo[c->n_todo++] = &c->parts[i];
    return 0;
}

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

static int render_one_pa(void *arg, size_t i) { return render_one(((progress_arg *)arg)->c, i); }

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
    size_t per = 1 + targets_per_track(c->o);
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
        part_info(c, p, &info, key, sizeof key);
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
    size_t per = 1 + targets_per_track(o);
    c.n_parts = n * per;
    c.tracks = calloc(n ? n : 1, sizeof *c.tracks);
    c.parts = calloc(c.n_parts ? c.n_parts : 1, sizeof *c.parts);
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    int rc = c.tracks && c.parts ? 0 : cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    if (rc == 0) rc = plan(&c, tracks, parts_abs, err);
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
