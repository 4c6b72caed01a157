/* The export's worker (export_int.h): on a pool thread, one part at a
 * time.  The first part of a track to be taken decodes its cut (the cues,
 * one gain for every rung, the beat anchors), the others wait for it; then
 * stretch, level, write (temporary name and rename), measure its loudness
 * and energy from the file, and record it in the render cache at once (its
 * own small transaction), so a killed run keeps what it finished. */
#include "pkg/export_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/audio_format.h"
#include "pkg/energy.h"
#include "pkg/fsutil.h"

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

/* Decodes the track's cut when cs_xp_render_one handed this part the decode, else
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
     * in memory differ from the file's by its quantisation.  Out of
     * memory fails the part (not recorded: the next run renders it again),
     * as it fails a render: a row without loudness is what a clean run would
     * not write.  A file that cannot be read back keeps its row, loudness
     * unknown, with a warning. */
    cs_err le = {0};
    if (rc == 0 && cs_loudness_measure_file(p->out_abs, &p->loud, &le) < 0) {
        p->loud = CS_LOUDNESS_NONE;
        if (le.code == CS_ERR_NOMEM) rc = cs_err_setc(err, CS_ERR_NOMEM, "loudness not measured: %s", le.msg);
        else cs_log_warn("%s: loudness not measured: %s", p->out_abs, le.msg);
    }
    cs_audio_free(&out);
    if (rc < 0) return -1;
    measure_energy(c, p);

    struct stat sb;
    cs_render_rec r = {
        .track_id = tj->t->id, .target_bpm = p->target,
        .method = p->target > 0 ? cs_xp_method_name(o) : "orig",
        .quality = p->target > 0 && o->method == CS_STRETCH_RUBBERBAND
                       ? (o->quality == CS_STRETCH_FAST ? "fast" : "best") : NULL,
        .format = cs_audio_format_name(o->format), .ini_cue = tj->t->cues.ini_cue,
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
 * read keeps its part (it was up to date) with its loudness unknown; out
 * of memory fails the part (its track gets no rows; the next run measures
 * it).  Returns 0, or -1 when the part failed (logged). */
static int measure_part(ctx *c, part_job *p)
{
    cs_err e = {0};
    measure_energy(c, p);
    if (cs_loudness_measure_file(p->out_abs, &p->loud, &e) < 0) {
        p->loud = CS_LOUDNESS_NONE;
        if (e.code == CS_ERR_NOMEM) {
            cs_log_error("%s: loudness not measured: %s", cs_lib_track_name(p->tj->t), e.msg);
            return -1;
        }
        cs_log_warn("loudness not measured: %s", e.msg);
        return 0;
    }
    pthread_mutex_lock(&c->mu);
    if (c->cache->record_loudness(c->cache->ctx, p->out_abs, &p->loud, &e) < 0)
        cs_log_warn("%s: loudness not recorded: %s", p->out_abs, e.msg);
    else
        c->st->measured++;
    pthread_mutex_unlock(&c->mu);
    return 0;
}

/* One part on a pool worker (pkg/workpool.h).  Parts are taken in order;
 * the first part of a track to be taken decodes its cut, the others wait
 * for it (ensure_decoded). */
int cs_xp_render_one(void *arg, size_t i)
{
    ctx *c = arg;
    part_job *p = c->todo[i];
    track_job *tj = p->tj;
    if (p->measure_only) {   /* up to date, never measured: read, not rendered */
        int mrc = measure_part(c, p);
        pthread_mutex_lock(&c->mu);
        p->taken = true;
        if (mrc < 0) {
            p->done = false;
            p->failed = true;
            tj->failed = true;
        }
        c->finished++;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        return mrc;
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

