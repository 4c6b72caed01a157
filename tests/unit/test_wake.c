/* Threads that sleep until woken (issue 21): the live stretcher's worker
 * wakes once per device callback (a semaphore), not every millisecond, and
 * runs just under the device thread's priority; a slow file open (here a
 * source whose open blocks, as a USB stick waking up does) never starves
 * another playing stream, because opens run on their own thread. */
#include "tests/unit/unit.h"
#include "tests/unit/rig.h"
#include "player/engine/source_int.h"
#include "player/engine/stretch_live.h"
#include "player/engine/reader_test.h"
#include "player/engine/stretch_live_test.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define N_TONE (4 * CS_RATE)

static float *tone(void)
{
    float *x = malloc(2 * N_TONE * sizeof(float));
    for (size_t i = 0; i < N_TONE; i++)
        x[2 * i] = x[2 * i + 1] = (float)(0.4 * sin(2 * 3.14159265358979 * 441.0 * (double)i / CS_RATE));
    return x;
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

/* A line's number from /proc/self/task/TID/status ("key:\tN"); -1: none. */
static long task_status(long tid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/self/task/%ld/status", tid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t k = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, k) && line[k] == ':') v = atol(line + k + 1);
    fclose(f);
    return v;
}

/* Voluntary context switches of every thread but this one. */
static long others_switches(void)
{
    long self = (long)syscall(SYS_gettid), sum = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        long tid = atol(e->d_name);
        if (tid > 0 && tid != self) sum += task_status(tid, "voluntary_ctxt_switches");
    }
    closedir(d);
    return sum;
}

/* The nice value of the thread named `name` (comm); 99: none. */
static int nice_of(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return 99;
    struct dirent *e;
    int nice = 99;
    while ((e = readdir(d))) {
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close || (size_t)(close - open - 1) != strlen(name) || strncmp(open + 1, name, strlen(name)))
            continue;
        /* after ") ": state(3) ... nice is field 19 */
        char *p = close + 2;
        for (int field = 3; field < 19 && p; field++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
        if (p) nice = atoi(p);
    }
    closedir(d);
    return nice;
}

TEST(stretch_worker_wakes_per_callback_not_every_millisecond)
{
    rig g;
    CHECK(rig_open(&g, NULL, 0) == 0);
    float *x = tone();
    cs_stream *s = cs_stream_new_memory(x, N_TONE, 0.0, true);
    cs_reader_add(g.r, s);
    cs_reader_pump(g.r, true);
    cs_engine_attach(g.e, 0, s, 0, CS_NOW);
    cs_engine_play(g.e, 0, 1.0, 0.8, CS_NOW);
    cs_live_stretch *ls = cs_live_stretch_new(g.e, CS_STRETCH_RUBBERBAND, CS_STRETCH_FAST, true, 8192, NULL);
    CHECK(ls != NULL);
    cs_live_stretch_set_tempo(ls, 1.05);
    float buf[2 * 1024];
    /* A device with 1024-frame buffers (23.2 ms) for 1 s: 43 callbacks. */
    long before = others_switches();
    int calls = 0;
    for (; calls < 43; calls++) {
        cs_reader_pump(g.r, false);
        cs_live_stretch_process(ls, buf, 1024);
        sleep_s(0.0232);
    }
    long woke = others_switches() - before;
    int nice = nice_of("cs-stretch");
    uint64_t under = cs_live_stretch_underruns(ls);
    cs_live_stretch_free(ls);
    rig_close(&g);
    free(x);
    printf("    stretch worker: %ld voluntary switches in %d callbacks (1 s); nice %d\n", woke, calls, nice);
    /* Polling every 1 ms made ~1000 a second; one wake per callback (and a
     * few more, for the log line) is what is needed. */
    CHECK(woke >= 0 && woke <= 2 * calls + 10);
    if (!getenv("CS_EMULATED") && !getenv("CS_VALGRIND")) CHECK_EQ_INT(under, 0);   /* real time only */
    /* Just under this (the "device") thread's nice (0 unless the suite runs
     * under nice), which needs no privilege. */
    errno = 0;
    int mine = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    CHECK_EQ_INT(nice, mine >= 19 ? 19 : mine + 1);
}

/* ---- a slow open ---- */

static atomic_bool release_open;

/* A source whose open blocks until the test lets it go (at most 10 s), then
 * gives 1 s of silence: a USB stick waking up, a FIFO without a writer. */
static int slow_open(cs_stream_src *src, const char *path, long long *total, cs_err *err)
{
    (void)path;
    (void)err;
    for (int i = 0; i < 1000 && !atomic_load(&release_open); i++) sleep_s(0.01);
    src->mem_pos = 0;
    *total = CS_RATE;
    return 0;
}

static long slow_read(cs_stream_src *src, float *buf, size_t frames, cs_err *err)
{
    (void)err;
    size_t n = (size_t)CS_RATE - src->mem_pos;
    if (n > frames) n = frames;
    memset(buf, 0, n * 2 * sizeof(float));
    src->mem_pos += n;
    return (long)n;
}

static int slow_seek(cs_stream_src *src, long long frame, cs_err *err)
{
    (void)err;
    src->mem_pos = (size_t)frame;
    return 0;
}

static void slow_close(cs_stream_src *src) { (void)src; }

static const cs_source_ops slow_ops = { slow_open, slow_read, slow_seek, slow_close, NULL, NULL };

TEST(a_slow_open_does_not_starve_a_playing_deck)
{
    /* A threaded reader (as cs play runs it) feeds a playing deck, consumed
     * at real time; another deck's open then blocks for 2.5 s, longer than
     * the 1.5 s a ring holds.  The playing deck must not run dry. */
    cs_engine *e = cs_engine_new(NULL);
    cs_reader *r = cs_reader_new(true, NULL);
    CHECK(e && r);
    float *x = tone();
    cs_stream *a = cs_stream_new_memory(x, N_TONE, 0.0, true);
    cs_reader_add(r, a);
    for (int i = 0; i < 200 && !cs_stream_ready(a); i++) sleep_s(0.005);
    CHECK(cs_stream_ready(a));
    cs_engine_attach(e, 0, a, 0, CS_NOW);
    cs_engine_play(e, 0, 1.0, 0.8, CS_NOW);
    cs_stream *b = cs_stream_alloc(0.0, false);
    CHECK(b != NULL);
    b->src->ops = &slow_ops;
    atomic_store(&release_open, false);
    float buf[2 * 1024];
    cs_engine_stats st;
    for (int k = 0; k < 130; k++) {            /* 3 s of 1024-frame callbacks */
        if (k == 10) cs_reader_add(r, b);       /* its open blocks from here */
        if (k == 118) atomic_store(&release_open, true);   /* 2.5 s later */
        cs_engine_process(e, buf, 1024);
        sleep_s(0.0232);
    }
    cs_engine_stats_get(e, &st);
    for (int i = 0; i < 200 && !cs_stream_ready(b); i++) sleep_s(0.005);
    bool b_ready = cs_stream_ready(b);
    printf("    playing deck: %llu underruns while another deck's open took 2.5 s\n",
           (unsigned long long)st.underruns);
    if (!getenv("CS_EMULATED") && !getenv("CS_VALGRIND")) CHECK_EQ_INT(st.underruns, 0);
    CHECK(b_ready);                             /* and the slow one opened after all */
    cs_engine_shutdown(e);
    cs_engine_drop_retired(e, r);
    cs_reader_drop(r, b);
    cs_reader_free(r);
    cs_engine_free(e);
    free(x);
}

static atomic_int counted_opens;

static int counted_open(cs_stream_src *src, const char *path, long long *total, cs_err *err)
{
    atomic_fetch_add(&counted_opens, 1);
    return slow_open(src, path, total, err);
}

static const cs_source_ops counted_ops = { counted_open, slow_read, slow_seek, slow_close, NULL, NULL };

TEST(a_load_replaced_while_another_opens_is_never_opened)
{
    /* A's open blocks; B is loaded behind it and replaced (dropped) before
     * the opener reaches it, and A is dropped while its open is under way:
     * B is never opened, C (the replacement) opens once A's open ends, and
     * the dropped ones are freed (ASan: no leak, no use after free). */
    cs_reader *r = cs_reader_new(true, NULL);
    CHECK(r != NULL);
    atomic_store(&release_open, false);
    atomic_store(&counted_opens, 0);
    cs_stream *a = cs_stream_alloc(0.0, false), *b = cs_stream_alloc(0.0, false), *c = cs_stream_alloc(0.0, false);
    CHECK(a && b && c);
    a->src->ops = &slow_ops;
    b->src->ops = &counted_ops;
    c->src->ops = &slow_ops;
    cs_reader_add(r, a);
    sleep_s(0.05);                              /* the opener is in A's open */
    cs_reader_add(r, b);
    cs_reader_drop(r, b);                       /* replaced by C */
    cs_reader_add(r, c);
    cs_reader_drop(r, a);
    atomic_store(&release_open, true);
    for (int i = 0; i < 400 && !cs_stream_ready(c); i++) sleep_s(0.005);
    CHECK(cs_stream_ready(c));
    CHECK_EQ_INT(atomic_load(&counted_opens), 0);
    cs_reader_drop(r, c);
    cs_reader_free(r);
}

/* The reader's news (cs play's OSC loop sleeps on it instead of polling a
 * loading stream every 5 ms): one call per stream, after it is ready or has
 * failed and not before; a slow open is told when it ends; none after
 * cs_reader_set_news(NULL); a render's reader (no thread) sends none. */
static atomic_int news_calls;
static sem_t news_sem;
static cs_stream *news_watch;        /* checked in the call: already ready or failed */
static atomic_bool news_early;

static void count_news(void *ud)
{
    (void)ud;
    cs_stream *s = news_watch;
    if (s && !cs_stream_ready(s) && !cs_stream_failed(s)) atomic_store(&news_early, true);
    atomic_fetch_add(&news_calls, 1);
    sem_post(&news_sem);
}

static bool wait_news(double s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ns = ts.tv_nsec + (long long)(s * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    while (sem_timedwait(&news_sem, &ts) < 0)
        if (errno != EINTR) return false;
    return true;
}

TEST(reader_news_once_a_stream_is_ready_or_failed)
{
    sem_init(&news_sem, 0, 0);
    atomic_store(&news_calls, 0);
    atomic_store(&news_early, false);
    cs_reader *r = cs_reader_new(true, NULL);
    CHECK(r != NULL && !cs_reader_has_news(r));
    cs_reader_set_news(r, count_news, NULL);
    CHECK(cs_reader_has_news(r));
    float *x = tone();
    /* a stream that plays */
    cs_stream *a = cs_stream_new_memory(x, N_TONE, 0.0, false);
    news_watch = a;
    cs_reader_add(r, a);
    CHECK(wait_news(2.0) && cs_stream_ready(a));
    /* a stream whose open fails */
    cs_stream *b = cs_stream_new_file("/nonexistent/crowdstream-news.wav", 0.0, false);
    news_watch = b;
    cs_reader_add(r, b);
    CHECK(wait_news(2.0) && cs_stream_failed(b));
    /* a slow open: told when it ends, not before */
    atomic_store(&release_open, false);
    cs_stream *c = cs_stream_alloc(0.0, false);
    CHECK(c != NULL);
    c->src->ops = &slow_ops;
    news_watch = c;
    cs_reader_add(r, c);
    CHECK(!wait_news(0.3));                     /* still opening: no news */
    atomic_store(&release_open, true);
    CHECK(wait_news(2.0) && cs_stream_ready(c));
    sleep_s(0.3);                               /* the reader tops the rings up: no more news */
    CHECK_EQ_INT(atomic_load(&news_calls), 3);
    CHECK(!atomic_load(&news_early));
    /* unset: a new stream is ready without a call */
    cs_reader_set_news(r, NULL, NULL);
    CHECK(!cs_reader_has_news(r));
    cs_stream *d = cs_stream_new_memory(x, N_TONE, 0.0, false);
    news_watch = NULL;
    cs_reader_add(r, d);
    for (int i = 0; i < 400 && !cs_stream_ready(d); i++) sleep_s(0.005);
    CHECK(cs_stream_ready(d));
    sleep_s(0.05);
    CHECK_EQ_INT(atomic_load(&news_calls), 3);
    cs_reader_drop(r, a);
    cs_reader_drop(r, b);
    cs_reader_drop(r, c);
    cs_reader_drop(r, d);
    cs_reader_free(r);
    /* a render's reader: pumped by the caller, never calls */
    cs_reader *u = cs_reader_new(false, NULL);
    cs_reader_set_news(u, count_news, NULL);
    CHECK(!cs_reader_has_news(u));
    cs_stream *e = cs_stream_new_memory(x, N_TONE, 0.0, false);
    cs_reader_add(u, e);
    cs_reader_pump(u, false);
    CHECK(cs_stream_ready(e) && atomic_load(&news_calls) == 3);
    cs_reader_drop(u, e);
    cs_reader_free(u);
    sem_destroy(&news_sem);
    free(x);
}

/* The scheduling policy and real-time priority of the thread named `name`
 * (/proc stat fields 41 and 40); -1: none. */
static int rt_of(const char *name, int *prio)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    struct dirent *e;
    int pol = -1;
    while ((e = readdir(d))) {
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close || (size_t)(close - open - 1) != strlen(name) || strncmp(open + 1, name, strlen(name)))
            continue;
        char *p = close + 2;
        for (int field = 3; field < 40 && p; field++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
        if (p && sscanf(p, "%d %d", prio, &pol) != 2) pol = -1;
    }
    closedir(d);
    return pol;
}

TEST(stretch_worker_runs_just_under_a_real_time_device_thread)
{
    /* This thread plays the device's: SCHED_FIFO 10, where permitted. */
    int old_pol;
    struct sched_param old_sp, sp = { .sched_priority = 10 };
    pthread_getschedparam(pthread_self(), &old_pol, &old_sp);
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0) {
        unit_skip("no real-time privilege here (CAP_SYS_NICE or RLIMIT_RTPRIO)");
        return;
    }
    rig g;
    CHECK(rig_open(&g, NULL, 0) == 0);
    cs_live_stretch *ls = cs_live_stretch_new(g.e, CS_STRETCH_RUBBERBAND, CS_STRETCH_FAST, true, 4096, NULL);
    CHECK(ls != NULL);
    float buf[2 * 1024];
    int prio = -1, pol = -1;
    for (int k = 0; k < 40 && pol != SCHED_FIFO; k++) {   /* at most 0.4 s; it sleeps between */
        cs_live_stretch_process(ls, buf, 1024);
        sleep_s(0.01);
        pol = rt_of("cs-stretch", &prio);
    }
    pthread_setschedparam(pthread_self(), old_pol, &old_sp);
    cs_live_stretch_free(ls);
    rig_close(&g);
    CHECK_EQ_INT(pol, SCHED_FIFO);
    CHECK_EQ_INT(prio, 9);
}
