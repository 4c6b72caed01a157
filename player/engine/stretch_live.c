/* Live master-mix stretcher: the worker, its two back ends and the reserve
 * ring (see stretch_live.h). */
#include "player/engine/stretch_live.h"
#include "player/engine/stretch_live_test.h"

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <math.h>
#include <errno.h>
#include <pthread.h>
#include <rubberband/rubberband-c.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "player/engine/ring.h"

#define MAXBLK 4096           /* largest mix block handed to a stretcher */
#define WSOLA_BLK 512         /* mix frames per atempo push */
#define RING_FRAMES 65536
#define GLIDE_FRAMES 2205.0   /* ratio glide time constant (50 ms) */

struct cs_live_stretch {
    cs_engine *e;
    cs_stretch_method method;
    bool threaded;
    size_t target;            /* reserve kept ready (threaded) */
    cs_ring ring;             /* float[2] frames, worker → callback */
    _Atomic double tempo_target;
    double tempo;             /* worker-private, glides to the target */
    double applied;           /* tempo last handed to the back end */
    unsigned last_block;      /* mix frames of the last step (glide clock) */
    atomic_ullong underruns;
    double out_pos;           /* audio side: mix frames handed out (position()) */
    atomic_bool stop;
    bool failed;              /* the back end refused input: silence from now */
    pthread_t thread;
    bool started;
    /* The callback wakes the worker after each pop (sem_post: see
     * cs_live_stretch_process); the worker sleeps in sem_wait between. */
    sem_t wake;
    bool wake_ok;
    atomic_int dev_tid;       /* the device thread's id, told by its first callback */
    bool prio_done;           /* worker: its priority was set (or refused) */
    float mix[2 * MAXBLK];    /* worker scratch: interleaved mix / output */
    float pl[2][MAXBLK];      /* planar scratch for Rubber Band */

    RubberBandState rb;
    unsigned drop;            /* start-delay frames still to discard */

    AVFilterGraph *g;
    AVFilterContext *src, *sink;
    AVFrame *of;              /* a filtered frame partly written to the ring */
    int of_pos;
};

static void push_out(cs_live_stretch *ls, const float *x, size_t n)
{
    size_t w = cs_ring_write(&ls->ring, x, n);
    (void)w;   /* callers never offer more than fits */
}

/* ---- Rubber Band (real-time mode, one continuous stretcher) ---- */

static int rb_open(cs_live_stretch *ls, cs_stretch_quality q, cs_err *err)
{
    /* fast (default): R3 with the short window, near-R2 CPU (anchors §2.2:
     * ~29x real time per stereo stream) with R3's transients; best: the full
     * R3 engine, the quality of the offline rungs (~9x real time).  Channels
     * together so the mix stays mono-compatible (Mixxx issue #11361). */
    RubberBandOptions opt = RubberBandOptionProcessRealTime | RubberBandOptionEngineFiner |
                            RubberBandOptionChannelsTogether | RubberBandOptionThreadingNever;
    if (q == CS_STRETCH_FAST) opt |= RubberBandOptionWindowShort;
    rubberband_set_default_debug_level(0);
    ls->rb = rubberband_new(CS_RATE, 2, opt, 1.0, 1.0);
    if (!ls->rb) return cs_err_setc(err, CS_ERR_CODEC, "rubberband: cannot create a real-time stretcher");
    /* Size every internal buffer now (as Mixxx does), so neither the first
     * block nor a later ratio change allocates. */
    rubberband_set_max_process_size(ls->rb, MAXBLK);
    rubberband_set_time_ratio(ls->rb, 2.0);
    rubberband_set_time_ratio(ls->rb, 0.5);
    rubberband_set_time_ratio(ls->rb, 1.0);
    /* Latency compensation: feed the preferred start pad of silence and
     * drop the start delay from the output, so output frame k is mix frame
     * k and the first transient is not faded in. */
    unsigned pad = rubberband_get_preferred_start_pad(ls->rb);
    memset(ls->pl, 0, sizeof ls->pl);
    const float *planes[2] = { ls->pl[0], ls->pl[1] };
    while (pad > 0) {
        unsigned n = pad < MAXBLK ? pad : MAXBLK;
        rubberband_process(ls->rb, planes, n, 0);
        pad -= n;
    }
    ls->drop = rubberband_get_start_delay(ls->rb);
    return 0;
}

/* Retrieves what the stretcher has, as far as the ring has room. */
static void rb_drain(cs_live_stretch *ls)
{
    for (;;) {
        int av = rubberband_available(ls->rb);
        size_t room = cs_ring_writable(&ls->ring);
        if (av <= 0 || room == 0) return;
        size_t n = (size_t)av;
        if (n > MAXBLK) n = MAXBLK;
        if (n > room + ls->drop) n = room + ls->drop;
        float *planes[2] = { ls->pl[0], ls->pl[1] };
        n = rubberband_retrieve(ls->rb, planes, (unsigned)n);
        unsigned skip = n < ls->drop ? (unsigned)n : ls->drop;
        ls->drop -= skip;
        for (size_t i = skip; i < n; i++) {
            ls->mix[2 * (i - skip)] = ls->pl[0][i];
            ls->mix[2 * (i - skip) + 1] = ls->pl[1][i];
        }
        push_out(ls, ls->mix, n - skip);
    }
}

static unsigned rb_step(cs_live_stretch *ls)
{
    if (ls->tempo != ls->applied) {
        rubberband_set_time_ratio(ls->rb, 1.0 / ls->tempo);   /* time ratio < 1: faster */
        ls->applied = ls->tempo;
    }
    unsigned req = rubberband_get_samples_required(ls->rb);
    if (req == 0) req = 256;            /* never stall: more input is harmless */
    if (req > MAXBLK) req = MAXBLK;
    cs_engine_process(ls->e, ls->mix, req);
    for (unsigned i = 0; i < req; i++) {
        ls->pl[0][i] = ls->mix[2 * i];
        ls->pl[1][i] = ls->mix[2 * i + 1];
    }
    const float *planes[2] = { ls->pl[0], ls->pl[1] };
    rubberband_process(ls->rb, planes, req, 0);
    rb_drain(ls);
    return req;
}

/* ---- WSOLA: libavfilter atempo, its tempo changed by filter command ---- */

static int av_open(cs_live_stretch *ls, cs_err *err)
{
    ls->g = avfilter_graph_alloc();
    ls->of = av_frame_alloc();
    if (!ls->g || !ls->of) return cs_err_setc(err, CS_ERR_NOMEM, "wsola: out of memory");
    ls->g->nb_threads = 1;
    char args[160];
    snprintf(args, sizeof args, "time_base=1/%d:sample_rate=%d:sample_fmt=flt:channel_layout=stereo", CS_RATE,
             CS_RATE);
    AVFilterContext *t = NULL, *fmt = NULL;
    if (avfilter_graph_create_filter(&ls->src, avfilter_get_by_name("abuffer"), "in", args, NULL, ls->g) < 0 ||
        avfilter_graph_create_filter(&t, avfilter_get_by_name("atempo"), "tempo", "tempo=1", NULL, ls->g) < 0 ||
        avfilter_graph_create_filter(&fmt, avfilter_get_by_name("aformat"), "fmt",
                                     "sample_fmts=flt:channel_layouts=stereo", NULL, ls->g) < 0 ||
        avfilter_graph_create_filter(&ls->sink, avfilter_get_by_name("abuffersink"), "out", NULL, NULL, ls->g) < 0 ||
        avfilter_link(ls->src, 0, t, 0) < 0 || avfilter_link(t, 0, fmt, 0) < 0 ||
        avfilter_link(fmt, 0, ls->sink, 0) < 0 || avfilter_graph_config(ls->g, NULL) < 0)
        return cs_err_setc(err, CS_ERR_CODEC, "wsola: cannot configure the atempo filter graph");
    return 0;
}

static void av_drain(cs_live_stretch *ls)
{
    for (;;) {
        if (!ls->of->nb_samples) {
            if (av_buffersink_get_frame(ls->sink, ls->of) < 0) return;   /* EAGAIN: needs input */
            ls->of_pos = 0;
        }
        size_t left = (size_t)(ls->of->nb_samples - ls->of_pos);
        size_t room = cs_ring_writable(&ls->ring);
        size_t n = left < room ? left : room;
        push_out(ls, (const float *)ls->of->data[0] + 2 * ls->of_pos, n);
        ls->of_pos += (int)n;
        if ((size_t)ls->of_pos < (size_t)ls->of->nb_samples) return;    /* ring full */
        av_frame_unref(ls->of);
    }
}

static unsigned av_step(cs_live_stretch *ls)
{
    /* Each tempo command re-anchors atempo's position on its last fragment,
     * which moves the output by up to a few ms: no glide here, and changes
     * under 0.05 % (0.06 BPM) wait until they add up. */
    if (fabs(ls->tempo - ls->applied) > 5e-4 * ls->applied) {
        char v[32], res[64];
        snprintf(v, sizeof v, "%.9f", ls->tempo);
        avfilter_graph_send_command(ls->g, "tempo", "tempo", v, res, sizeof res, 0);
        ls->applied = ls->tempo;
    }
    AVFrame *f = av_frame_alloc();
    if (f) {
        f->nb_samples = WSOLA_BLK;
        f->format = AV_SAMPLE_FMT_FLT;
        f->sample_rate = CS_RATE;
        av_channel_layout_default(&f->ch_layout, 2);
        if (av_frame_get_buffer(f, 0) == 0) {
            cs_engine_process(ls->e, (float *)f->data[0], WSOLA_BLK);
            if (av_buffersrc_add_frame_flags(ls->src, f, 0) < 0) ls->failed = true;
        }
        av_frame_free(&f);
    }
    av_drain(ls);
    return WSOLA_BLK;
}

/* ---- the worker ---- */

static void glide(cs_live_stretch *ls, double frames)
{
    double t = atomic_load_explicit(&ls->tempo_target, memory_order_relaxed);
    double k = ls->method == CS_STRETCH_WSOLA ? 1.0 : frames / GLIDE_FRAMES;
    ls->tempo = k >= 1 || fabs(t - ls->tempo) < 1e-6 ? t : ls->tempo + (t - ls->tempo) * k;
}

/* Renders until `want` frames of processed audio are ready (the pull). */
static void fill(cs_live_stretch *ls, size_t want)
{
    while (!ls->failed && cs_ring_readable(&ls->ring) < want && cs_ring_writable(&ls->ring) >= MAXBLK) {
        glide(ls, ls->last_block);
        ls->last_block = ls->method == CS_STRETCH_RUBBERBAND ? rb_step(ls) : av_step(ls);
    }
}

/* The worker's priority: just under the device thread's.  A real-time
 * device thread (SCHED_FIFO/RR p, as JACK's or SDL's with
 * SDL_HINT_THREAD_FORCE_REALTIME_TIME_CRITICAL) gives SCHED_FIFO p - 1: the
 * worker pre-empts everything but the callback, which only pops a ring and
 * must never wait for it.  A device thread at SCHED_OTHER (SDL's default:
 * nice -20 when allowed) gives its nice + 1, so the worker never competes
 * with the callback either way.  Without the privilege (no CAP_SYS_NICE,
 * RLIMIT_RTPRIO or RLIMIT_NICE too low) it stays where it is: one line, once. */
static void set_priority(cs_live_stretch *ls)
{
    ls->prio_done = true;
    pid_t dev = (pid_t)atomic_load(&ls->dev_tid);
    pid_t self = (pid_t)syscall(SYS_gettid);
    int pol = sched_getscheduler(dev);
    struct sched_param sp = { 0 };
    if (pol == SCHED_FIFO || pol == SCHED_RR) {
        if (sched_getparam(dev, &sp) != 0) return;
        int p = sp.sched_priority > 1 ? sp.sched_priority - 1 : 1;
        struct sched_param mine = { .sched_priority = p };
        if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &mine) == 0)
            cs_log_info("live stretch: worker at SCHED_FIFO %d, under the device thread's %d", p, sp.sched_priority);
        else
            cs_log_info("live stretch: worker stays at normal priority (SCHED_FIFO %d refused: no real-time "
                        "privilege; see the docs)", p);
        return;
    }
    errno = 0;
    int dnice = getpriority(PRIO_PROCESS, (id_t)dev);
    if (errno) return;
    errno = 0;
    int mine = getpriority(PRIO_PROCESS, (id_t)self);
    if (errno || mine == dnice + 1 || dnice >= 19) return;
    if (setpriority(PRIO_PROCESS, (id_t)self, dnice + 1) == 0) {
        if (dnice + 1 < 0) cs_log_info("live stretch: worker at nice %d, under the device thread's %d", dnice + 1, dnice);
    } else {
        cs_log_info("live stretch: worker stays at nice %d (nice %d, just under the device thread's, refused: "
                    "no privilege; see the docs)", mine, dnice + 1);
    }
}

/* Wakes once per device callback (or when stopped): no polling. */
static void *worker(void *arg)
{
    cs_live_stretch *ls = arg;
    while (!atomic_load(&ls->stop)) {
        fill(ls, ls->target);
        if (!ls->prio_done && atomic_load(&ls->dev_tid)) set_priority(ls);
        while (sem_wait(&ls->wake) != 0 && errno == EINTR) {}
        /* Several posts (callbacks while the worker rendered) are one wake. */
        while (sem_trywait(&ls->wake) == 0) {}
    }
    return NULL;
}

cs_live_stretch *cs_live_stretch_new(cs_engine *e, cs_stretch_method method, cs_stretch_quality q,
                                     bool threaded, int reserve,
                                     cs_err *err)
{
    cs_live_stretch *ls = calloc(1, sizeof *ls);
    if (!ls || cs_ring_init(&ls->ring, RING_FRAMES, 2 * sizeof(float)) < 0) {
        free(ls);
        cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory");
        return NULL;
    }
    ls->e = e;
    ls->method = method;
    ls->threaded = threaded;
    if (reserve < 1024) reserve = 1024;
    if (reserve > RING_FRAMES / 2) reserve = RING_FRAMES / 2;
    ls->target = (size_t)reserve;
    ls->tempo = ls->applied = 1.0;
    atomic_init(&ls->tempo_target, 1.0);
    int rc = method == CS_STRETCH_RUBBERBAND ? rb_open(ls, q, err)
           : method == CS_STRETCH_WSOLA      ? av_open(ls, err)
                                             : cs_err_setc(err, CS_ERR_USAGE, "stretch: no live method %d", (int)method);
    if (rc < 0) {
        cs_live_stretch_free(ls);
        return NULL;
    }
    if (threaded) {
        fill(ls, ls->target);
        if (sem_init(&ls->wake, 0, 0) != 0) {
            cs_err_setc(err, CS_ERR_SYSTEM, "stretch: cannot create the worker's semaphore");
            cs_live_stretch_free(ls);
            return NULL;
        }
        ls->wake_ok = true;
        if (pthread_create(&ls->thread, NULL, worker, ls) != 0) {
            cs_err_setc(err, CS_ERR_SYSTEM, "stretch: cannot start the worker thread");
            cs_live_stretch_free(ls);
            return NULL;
        }
        ls->started = true;
        pthread_setname_np(ls->thread, "cs-stretch");
    }
    return ls;
}

void cs_live_stretch_free(cs_live_stretch *ls)
{
    if (!ls) return;
    if (ls->started) {
        atomic_store(&ls->stop, true);
        sem_post(&ls->wake);
        pthread_join(ls->thread, NULL);
    }
    if (ls->wake_ok) sem_destroy(&ls->wake);
    if (ls->rb) rubberband_delete(ls->rb);
    av_frame_free(&ls->of);
    avfilter_graph_free(&ls->g);
    cs_ring_destroy(&ls->ring);
    free(ls);
}

void cs_live_stretch_set_tempo(cs_live_stretch *ls, double tempo)
{
    if (!isfinite(tempo)) return;
    if (tempo < 0.5) tempo = 0.5;
    if (tempo > 2.0) tempo = 2.0;
    atomic_store_explicit(&ls->tempo_target, tempo, memory_order_relaxed);
}

void cs_live_stretch_process(cs_live_stretch *ls, float *out, size_t frames)
{
    if (!ls->threaded) fill(ls, frames);
    ls->out_pos += (double)frames * atomic_load_explicit(&ls->tempo_target, memory_order_relaxed);
    cs_ring *r = &ls->ring;
    size_t have = cs_ring_readable(r);
    size_t n = have < frames ? have : frames;
    if (n) {
        const float *p = cs_ring_at(r, 0);
        size_t at = (size_t)(p - (const float *)r->buf) / 2;
        size_t first = cs_ring_capacity(r) - at;
        if (first > n) first = n;
        memcpy(out, p, first * 2 * sizeof(float));
        memcpy(out + 2 * first, r->buf, (n - first) * 2 * sizeof(float));
        cs_ring_advance(r, n);
    }
    if (n < frames) {
        memset(out + 2 * n, 0, (frames - n) * 2 * sizeof(float));
        atomic_fetch_add_explicit(&ls->underruns, 1, memory_order_relaxed);
        cs_engine_count_underrun(ls->e);
    }
    if (ls->threaded) {
        /* Once: which thread the device runs (for the worker's priority).
         * gettid is one non-blocking system call, on the first callback only. */
        if (!atomic_load_explicit(&ls->dev_tid, memory_order_relaxed))
            atomic_store_explicit(&ls->dev_tid, (int)syscall(SYS_gettid), memory_order_relaxed);
        /* Wake the worker to refill what was just taken.  sem_post is allowed
         * in the callback: POSIX lists it as async-signal-safe (it never
         * blocks or takes a lock), and glibc's is one atomic increment plus,
         * only when the worker sleeps in sem_wait, one FUTEX_WAKE system
         * call that returns at once: no allocation, no lock, no wait. */
        sem_post(&ls->wake);
    }
}

uint64_t cs_live_stretch_position(const cs_live_stretch *ls) { return (uint64_t)llround(ls->out_pos); }

uint64_t cs_live_stretch_underruns(const cs_live_stretch *ls)
{
    return atomic_load(&((cs_live_stretch *)ls)->underruns);
}

size_t cs_live_stretch_reserve(cs_live_stretch *ls) { return cs_ring_readable(&ls->ring); }
