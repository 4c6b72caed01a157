/* cs export --dry-run: the jobs and the estimate (export_shard.h,
 * export_shard_run.h). */
#include <math.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/export_shard_run.h"
#include "pkg/fsutil.h"
#include "pkg/stretch.h"

/* ---- the dry run ---------------------------------------------------------------- */

int cs_dry_plan(void *arg, cs_export_part *p)
{
    cs_shard_run *r = arg;
    if (r->sharded && !cs_shard_mine(&r->sh, p->key)) {
        r->dry_other++;
        return CS_PART_ELSEWHERE;
    }
    long long frames;
    int rate;
    bool measured;
    cs_loudness loud;
    bool up = !r->o->force && r->cache->up_to_date(r->cache->ctx, p->out_abs, p->fingerprint, &frames, &rate,
                                                   &measured, &loud);
    if (up) r->dry_up++;
    else {
        r->dry_todo++;
        if (p->target > 0) { r->todo_stretch_s += p->seconds; r->dry_parts_todo_stretch++; }
        else r->todo_cut_s += p->seconds;
    }
    printf("%-10s %7.1f s  %s\n", up ? "up-to-date" : "render", p->seconds, p->name);
    return CS_PART_ELSEWHERE;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds per second of output of this export's stretcher, measured
 * now: 6 s of synthetic stereo at 44.1 kHz (a chord with a beat every
 * 0.5 s) stretched from 120 to 126 BPM.  -1 when the stretch fails. */
static double measure_stretch(const cs_export_opts *o)
{
    const int rate = 44100;   /* the probe's own rate, a typical source's (the CD rate) */
    cs_audio in = {0}, out = {0};
    if (cs_audio_alloc(&in, (size_t)rate * 6, 2, rate) < 0) return -1;
    for (size_t i = 0; i < in.frames; i++) {
        double t = (double)i / rate, beat = fmod(t, 0.5);
        double x = 0.2 * sin(2 * M_PI * 220 * t) + 0.15 * sin(2 * M_PI * 277.2 * t) +
                   0.3 * exp(-beat * 30) * sin(2 * M_PI * 60 * t);
        in.data[2 * i] = (float)x;
        in.data[2 * i + 1] = (float)(0.9 * x);
    }
    double beats[12];
    for (int i = 0; i < 12; i++) beats[i] = 0.5 * i;
    cs_dvec anchors = { beats, 12 };
    cs_err e = {0};
    double t0 = cpu_now();
    int rc = cs_stretch_render_anchored(&in, 126.0 / 120.0, o->method, o->quality, o->plain_atempo ? NULL : &anchors,
                                        &out, &e);
    double cpu = cpu_now() - t0, secs = rc == 0 ? cs_audio_seconds(&out) : 0;
    cs_audio_free(&in);
    cs_audio_free(&out);
    return rc == 0 && secs > 0 ? cpu / secs : -1;
}

void cs_dry_summary(cs_shard_run *r)
{
    const cs_export_opts *o = r->o;
    if (r->sharded)
        printf("dry run: shard %u/%u: %ld jobs of %ld (%ld are other shards'); up to date %ld, to render %ld\n",
               r->sh.index, r->sh.count, r->dry_todo + r->dry_up, r->dry_todo + r->dry_up + r->dry_other,
               r->dry_other, r->dry_up, r->dry_todo);
    else
        printf("dry run: %ld jobs; up to date %ld, to render %ld\n", r->dry_todo + r->dry_up, r->dry_up, r->dry_todo);
    if (!r->dry_todo) {
        printf("estimate: nothing to render (0 CPU-hours, 0 GB)\n");
        return;
    }
    double ratio = r->dry_parts_todo_stretch ? measure_stretch(o) : 0;
    static const double bytes_per_sample[] = { 2, 3, 4, 2 * 0.6, 3 * 0.6 };   /* wav16 .. flac24 */
    int rate = o->rate ? o->rate : 44100;   /* the sources' rate is not read: the CD rate assumed */
    double secs = r->todo_stretch_s + r->todo_cut_s;
    double bytes = secs * rate * 2 * bytes_per_sample[(unsigned)o->format < 5 ? o->format : 0];
    if (ratio < 0) printf("estimate: CPU time unknown: the %s stretch failed on this machine\n", cs_shard_method_label(o));
    else
        printf("estimate: %.3g CPU-hours (%s: %.3g CPU-s per second of output, measured just now on this machine "
               "by stretching 6 s of synthetic stereo; %.0f s of stretched audio to render; decoding and writing "
               "not counted)\n", ratio * r->todo_stretch_s / 3600, cs_shard_method_label(o), ratio, r->todo_stretch_s);
    printf("estimate: %.3g GB of parts (%.0f s of audio at %d Hz%s, stereo assumed%s)\n", bytes / 1e9, secs, rate,
           o->rate ? "" : " (the sources' rate is not read: 44.1 kHz assumed)",
           o->format >= CS_FMT_FLAC16 ? "; FLAC taken as 60% of WAV, typical for music, not measured" : "");
}
