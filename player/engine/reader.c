/* The reader: opens streams and keeps their rings topped up, off the audio
 * thread.  Sources are pluggable (source_int.h): memory here, files in
 * source_file.c (so a binary that plays only memory needs no decoder).
 *
 * Threaded, two threads: the opener opens (and seeks) new streams, the
 * decoder ("cs-reader") keeps every open stream's ring topped up.  An open
 * can take seconds (a USB stick waking up, FFmpeg probing a large VBR MP3,
 * a network mount); on the decoding thread it would starve every playing
 * deck's ring (1.5 s of look-ahead) meanwhile.  A stream is the opener's
 * alone until its state leaves CS_STREAM_NEW (an atomic store after the
 * open: everything the open wrote is visible to the decoder that reads the
 * state), then the decoder's. */
#include "player/engine/source_int.h"
#include "player/engine/reader_test.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 4096              /* frames decoded per read */
#define PASS_LIMIT (4 * CHUNK)  /* frames per stream per pass: fairness */
/* A stream ending this much before its known length ended early (MP3
 * encoder delay and padding differ from the header by ~50 ms). */
#define SHORT_END_FRAMES (CS_RATE / 4)

struct cs_reader {
    bool threaded;
    pthread_t thread;
    pthread_mutex_t lock;       /* guards `incoming`, `to_open` and `quit` only */
    pthread_cond_t wake;
    cs_stream *incoming;        /* added by control (threaded: opened), not yet seen by reader */
    pthread_t opener;           /* threaded: opens new streams */
    pthread_cond_t open_wake;
    cs_stream *to_open;         /* threaded: added by control, not yet opened (newest first) */
    bool opener_started;
    cs_stream *list;            /* reader-private */
    bool quit;
    unsigned short_ends;        /* guarded by lock */
    char last_short[320];       /* guarded by lock */
    void (*news)(void *);       /* guarded by lock: cs_reader_set_news */
    void *news_ud;
    atomic_bool has_news;
    float buf[CHUNK * 2];
};

static void report_problems(cs_stream *s);

cs_stream *cs_stream_alloc(double start_frac, bool loop)
{
    cs_stream *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (cs_ring_init(&s->ring, CS_STREAM_RING_FRAMES, 2 * sizeof(float)) < 0) {
        free(s);
        return NULL;
    }
    s->src = calloc(1, sizeof *s->src);
    if (!s->src) {
        cs_ring_destroy(&s->ring);
        free(s);
        return NULL;
    }
    atomic_init(&s->state, CS_STREAM_NEW);
    atomic_init(&s->eof, false);
    atomic_init(&s->dead, false);
    atomic_init(&s->total_frames, -1);
    atomic_init(&s->told, false);
    if (!isfinite(start_frac) || start_frac < 0) start_frac = 0;
    if (start_frac > 1) start_frac = 1;
    s->start_frac = start_frac;
    s->loop = loop;
    return s;
}

cs_stream *cs_stream_new_memory(const float *frames, size_t n, double start_frac, bool loop)
{
    cs_stream *s = cs_stream_alloc(start_frac, loop);
    if (!s) return NULL;
    s->src->mem = frames;
    s->src->mem_frames = n;
    return s;
}

void cs_stream_free(cs_stream *s)
{
    if (!s) return;
    if (s->src) {
        report_problems(s);   /* damage met before the stream was dropped */
        if (s->src->ops && s->src->ops->close) s->src->ops->close(s->src);
        free(s->src);
    }
    cs_ring_destroy(&s->ring);
    free(s->path);
    free(s);
}

bool cs_stream_ready(cs_stream *s)
{
    if (atomic_load(&s->state) != CS_STREAM_OPEN) return false;
    return cs_ring_readable(&s->ring) >= CS_STREAM_READY_FRAMES || atomic_load(&s->eof);
}

/* Logs what the source had to work around (damaged packets with their
 * times, a header it did not trust), once per new problem. */
static void report_problems(cs_stream *s)
{
    cs_stream_src *src = s->src;
    if (!src->ops || !src->ops->warning || !src->handle) return;
    char what[400];
    long n = src->ops->warning(src, what, sizeof what);
    if (n <= s->warned) return;
    s->warned = n;
    cs_log_warn("%s: %s", s->path ? s->path : "stream", what);
}

/* At the source's end: did it end before its known length? */
static void check_end(cs_reader *r, cs_stream *s)
{
    cs_stream_src *src = s->src;
    report_problems(s);
    if (s->end_checked || !src->ops || !src->ops->tell || !src->length_known) return;
    s->end_checked = true;
    long long total = atomic_load(&s->total_frames), at = src->ops->tell(src);
    if (total <= 0 || at >= total - SHORT_END_FRAMES) return;
    char line[320];
    snprintf(line, sizeof line, "%s: the stream ended at %.3f s, before its length of %.3f s",
             s->path ? s->path : "stream", (double)at / CS_RATE, (double)total / CS_RATE);
    cs_log_warn("%s", line);
    pthread_mutex_lock(&r->lock);
    r->short_ends++;
    snprintf(r->last_short, sizeof r->last_short, "%s", line);
    pthread_mutex_unlock(&r->lock);
}

unsigned cs_reader_short_ends(cs_reader *r, char *last, size_t size)
{
    pthread_mutex_lock(&r->lock);
    unsigned n = r->short_ends;
    if (size) snprintf(last, size, "%s", r->last_short);
    pthread_mutex_unlock(&r->lock);
    return n;
}

static void fail(cs_stream *s, const char *msg)
{
    snprintf(s->msg, sizeof s->msg, "%s", msg);
    atomic_store(&s->state, CS_STREAM_FAILED);
}

static int src_seek(cs_stream *s, long long frame, cs_err *err)
{
    cs_stream_src *src = s->src;
    if (src->ops) return src->ops->seek(src, frame, err);
    src->mem_pos = frame < 0 ? 0 : (size_t)frame > src->mem_frames ? src->mem_frames : (size_t)frame;
    return 0;
}

static long src_read(cs_stream *s, float *buf, size_t frames, cs_err *err)
{
    cs_stream_src *src = s->src;
    if (src->ops) return src->ops->read(src, buf, frames, err);
    size_t n = src->mem_frames - src->mem_pos;
    if (n > frames) n = frames;
    memcpy(buf, src->mem + 2 * src->mem_pos, n * 2 * sizeof(float));
    src->mem_pos += n;
    return (long)n;
}

static void open_stream(cs_stream *s)
{
    cs_err err = {0};
    long long total = -1;
    if (s->src->ops) {
        if (s->src->ops->open(s->src, s->path, &total, &err) < 0) {
            fail(s, err.msg[0] ? err.msg : "cannot open");
            return;
        }
    } else {
        total = (long long)s->src->mem_frames;
    }
    atomic_store(&s->total_frames, total);
    report_problems(s);       /* a header the decoder did not trust */
    if (s->start_frac > 0 && total > 0) {
        long long at = (long long)floor(s->start_frac * (double)total);
        if (at >= total) at = s->loop ? 0 : total;
        if (src_seek(s, at, &err) < 0) {
            fail(s, err.msg[0] ? err.msg : "cannot seek");
            return;
        }
    }
    atomic_store(&s->state, CS_STREAM_OPEN);
}

/* Decodes into the ring until it is full, `limit` frames were written, or
 * the source ends.  Loops by seeking back to the start. */
static void fill_stream(cs_reader *r, cs_stream *s, size_t limit)
{
    size_t done = 0;
    bool looped_empty = false;
    while (done < limit && !atomic_load_explicit(&s->eof, memory_order_relaxed)) {
        size_t room = cs_ring_writable(&s->ring);
        if (room == 0) break;
        size_t want = room < CHUNK ? room : CHUNK;
        cs_err err = {0};
        long n = src_read(s, r->buf, want, &err);
        if (n < 0) {
            fail(s, err.msg[0] ? err.msg : "read error");
            atomic_store(&s->eof, true);
            return;
        }
        if (n == 0) {
            check_end(r, s);
            /* A loop over an empty source would spin forever. */
            if (s->loop && !looped_empty && src_seek(s, 0, &err) == 0) {
                looped_empty = true;
                continue;
            }
            atomic_store_explicit(&s->eof, true, memory_order_release);
            return;
        }
        looped_empty = false;
        cs_ring_write(&s->ring, r->buf, (size_t)n);
        done += (size_t)n;
    }
}

/* Between passes the reader sleeps as long as the emptiest ring can play on
 * above half full at twice normal speed (a voice's rate stays far below
 * that), within these bounds: a full 1.5 s ring gives the upper one, a
 * stream being topped up the lower one. */
#define SLEEP_MIN_S 0.010
#define SLEEP_MAX_S 0.250

/* What a waiter checks (cs_stream_ready, cs_stream_failed) changes only in
 * pump() and in the opener, whose streams pass through pump() next: true
 * the first time s is ready or failed (its news is due). */
static bool tell(cs_stream *s)
{
    if (atomic_load(&s->told) || !(cs_stream_ready(s) || cs_stream_failed(s))) return false;
    atomic_store(&s->told, true);
    return true;
}

static void send_news(cs_reader *r)
{
    pthread_mutex_lock(&r->lock);     /* held: cs_reader_set_news(NULL) waits for a call under way */
    if (r->news) r->news(r->news_ud);
    pthread_mutex_unlock(&r->lock);
}

/* One pass over the streams; returns the seconds the reader may sleep after
 * it, or -1 when no stream is open (sleep until a request). */
static double pump(cs_reader *r, bool fill)
{
    pthread_mutex_lock(&r->lock);
    while (r->incoming) {
        cs_stream *s = r->incoming;
        r->incoming = s->next;
        s->next = r->list;
        r->list = s;
    }
    pthread_mutex_unlock(&r->lock);

    /* New streams first: a fresh load should start within milliseconds
     * even while other rings are being topped up.  Unthreaded (render) they
     * are opened here; threaded, the opener did it.  Their news goes out
     * before the top-ups. */
    bool news = false;
    for (cs_stream *s = r->list; s; s = s->next) {
        if (atomic_load(&s->dead) || s->filled_once) continue;
        if (atomic_load(&s->state) == CS_STREAM_NEW) {
            if (r->threaded) continue;          /* not the decoder's yet (never in its list) */
            open_stream(s);
        }
        s->filled_once = true;
        if (atomic_load(&s->state) == CS_STREAM_OPEN)
            fill_stream(r, s, fill ? (size_t)-1 : CS_STREAM_READY_FRAMES);
        news |= tell(s);
    }
    if (news) send_news(r);
    news = false;
    double sleep_s = -1;
    cs_stream **pp = &r->list;
    while (*pp) {
        cs_stream *s = *pp;
        if (atomic_load(&s->dead)) {
            *pp = s->next;
            cs_stream_free(s);
            continue;
        }
        double t = SLEEP_MAX_S;   /* failed or ended: wait to be dropped */
        if (atomic_load(&s->state) == CS_STREAM_OPEN) {
            fill_stream(r, s, fill ? (size_t)-1 : PASS_LIMIT);
            if (!atomic_load(&s->eof)) {
                double above_half = (double)cs_ring_readable(&s->ring) - CS_STREAM_RING_FRAMES / 2.0;
                t = above_half / (2.0 * CS_RATE);
                if (t < SLEEP_MIN_S) t = SLEEP_MIN_S;
                if (t > SLEEP_MAX_S) t = SLEEP_MAX_S;
            }
        }
        if (sleep_s < 0 || t < sleep_s) sleep_s = t;
        news |= tell(s);               /* one that needed more than its first fill */
        pp = &s->next;
    }
    if (news) send_news(r);
    return sleep_s;
}

void cs_reader_pump(cs_reader *r, bool fill) { (void)pump(r, fill); }

/* Event-driven: a request (cs_reader_add, quit) wakes the thread at once;
 * otherwise it sleeps as long as pump() allows, and with no timeout at all
 * when no stream is left, so an idle player's reader never wakes.  (The
 * control side drops streams without a signal: a dead stream is freed at
 * the next pass, at most SLEEP_MAX_S later.  The audio thread never
 * signals: that could block it.) */
static void *reader_main(void *arg)
{
    cs_reader *r = arg;
    double sleep_s = -1;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        if (!r->quit && !r->incoming) {
            if (sleep_s < 0) {
                pthread_cond_wait(&r->wake, &r->lock);
            } else {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                long long ns = ts.tv_nsec + (long long)(sleep_s * 1e9);
                ts.tv_sec += (time_t)(ns / 1000000000);
                ts.tv_nsec = (long)(ns % 1000000000);
                pthread_cond_timedwait(&r->wake, &r->lock, &ts);
            }
        }
        bool quit = r->quit;
        pthread_mutex_unlock(&r->lock);
        if (quit) break;
        sleep_s = pump(r, false);
    }
    return NULL;
}

/* The opener: takes the oldest stream waiting to be opened, opens it
 * without the lock, hands it to the decoder.  Sleeps while none waits. */
static void *opener_main(void *arg)
{
    cs_reader *r = arg;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->quit && !r->to_open) pthread_cond_wait(&r->open_wake, &r->lock);
        if (r->quit) break;
        cs_stream **pp = &r->to_open;
        while ((*pp)->next) pp = &(*pp)->next;
        cs_stream *s = *pp;
        *pp = NULL;
        pthread_mutex_unlock(&r->lock);
        if (!atomic_load(&s->dead)) open_stream(s);   /* dropped: the decoder frees it */
        pthread_mutex_lock(&r->lock);
        s->next = r->incoming;
        r->incoming = s;
        pthread_cond_signal(&r->wake);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

cs_reader *cs_reader_new(bool threaded, cs_err *err)
{
    cs_reader *r = calloc(1, sizeof *r);
    if (!r) {
        cs_err_setc(err, CS_ERR_NOMEM, "reader: out of memory");
        return NULL;
    }
    atomic_init(&r->has_news, false);
    pthread_mutex_init(&r->lock, NULL);
    /* Timed waits on the monotonic clock: a wall-clock step (NTP at boot on
     * a Pi without a battery clock) must not stall the reader. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &ca);
    pthread_cond_init(&r->open_wake, NULL);
    pthread_condattr_destroy(&ca);
    r->threaded = threaded;
    if (!threaded) return r;
    if (pthread_create(&r->opener, NULL, opener_main, r) != 0) {
        cs_err_setc(err, CS_ERR_SYSTEM, "reader: cannot start the opener thread");
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->wake);
        pthread_cond_destroy(&r->open_wake);
        free(r);
        return NULL;
    }
    pthread_setname_np(r->opener, "cs-opener");
    r->opener_started = true;
    if (pthread_create(&r->thread, NULL, reader_main, r) != 0) {
        cs_err_setc(err, CS_ERR_SYSTEM, "reader: cannot start thread");
        r->threaded = false;        /* cs_reader_free stops the opener */
        cs_reader_free(r);
        return NULL;
    }
    pthread_setname_np(r->thread, "cs-reader");   /* top, perf, the bench */
    return r;
}

void cs_reader_add(cs_reader *r, cs_stream *s)
{
    pthread_mutex_lock(&r->lock);
    if (r->threaded) {
        s->next = r->to_open;
        r->to_open = s;
        pthread_cond_signal(&r->open_wake);
    } else {
        s->next = r->incoming;
        r->incoming = s;
    }
    pthread_mutex_unlock(&r->lock);
}

void cs_reader_set_news(cs_reader *r, void (*fn)(void *ud), void *ud)
{
    pthread_mutex_lock(&r->lock);
    r->news = r->threaded ? fn : NULL;
    r->news_ud = ud;
    atomic_store(&r->has_news, r->news != NULL);
    pthread_mutex_unlock(&r->lock);
}

bool cs_reader_has_news(const cs_reader *r)
{
    return r && atomic_load(&r->has_news);
}

void cs_reader_drop(cs_reader *r, cs_stream *s)
{
    (void)r;
    if (s) atomic_store(&s->dead, true);
}

void cs_reader_free(cs_reader *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->lock);
    r->quit = true;
    pthread_cond_signal(&r->wake);
    pthread_cond_signal(&r->open_wake);
    pthread_mutex_unlock(&r->lock);
    if (r->threaded) pthread_join(r->thread, NULL);
    if (r->opener_started) pthread_join(r->opener, NULL);   /* after an open under way ends */
    for (cs_stream *s = r->to_open, *n; s; s = n) { n = s->next; cs_stream_free(s); }
    for (cs_stream *s = r->incoming, *n; s; s = n) { n = s->next; cs_stream_free(s); }
    for (cs_stream *s = r->list, *n; s; s = n) { n = s->next; cs_stream_free(s); }
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->wake);
    pthread_cond_destroy(&r->open_wake);
    free(r);
}
