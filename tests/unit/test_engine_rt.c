// run.sh: alone (wall-clock bounds: run with nothing beside it)
/* The real-time contract, enforced: this binary interposes malloc, calloc,
 * realloc, free and pthread_mutex_lock; while a thread-local "in callback"
 * flag is set (around cs_engine_process only) any of them aborts the
 * process.  An engine workload (threaded reader, every command kind, EQ,
 * rate and level changes, stops, releases, replacements) then runs on an
 * "audio" thread.  A forked self-test checks that the trap fires. */
#include "tests/unit/unit.h"
#include "player/engine/engine_int.h"
#include "player/control/decks.h"
#include "player/engine/reader_test.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static __thread int in_callback;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_lock)(pthread_mutex_t *);
static char boot[8192];       /* dlsym may calloc before calloc is known */
static size_t boot_used;
static int resolving;

static void trap(const char *what)
{
    static const char msg[] = "FAIL test_engine_rt.c: allocation or lock inside the audio callback: ";
    ssize_t r = write(2, msg, sizeof msg - 1);
    r = write(2, what, strlen(what));
    r = write(2, "\n", 1);
    (void)r;
    abort();
}

static void resolve(void)
{
    if (real_malloc || resolving) return;
    resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_lock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
    resolving = 0;
}

void *malloc(size_t n)
{
    if (in_callback) trap("malloc");
    resolve();
    return real_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    if (in_callback) trap("calloc");
    resolve();
    if (!real_calloc) {
        size_t k = (n * m + 15) & ~(size_t)15;
        if (boot_used + k > sizeof boot) return NULL;
        void *p = boot + boot_used;
        boot_used += k;
        return p;
    }
    return real_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    if (in_callback) trap("realloc");
    resolve();
    return real_realloc(p, n);
}

void free(void *p)
{
    if (in_callback) trap("free");
    if ((char *)p >= boot && (char *)p < boot + sizeof boot) return;
    resolve();
    if (p) real_free(p);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    if (in_callback) trap("pthread_mutex_lock");
    resolve();
    return real_lock(m);
}

static void process_flagged(cs_engine *e, float *out, size_t n)
{
    in_callback = 1;
    cs_engine_process(e, out, n);
    in_callback = 0;
}

TEST(trap_fires_on_malloc_in_callback)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", 1);
        dup2(fd, 2);
        void *(*volatile alloc)(size_t) = malloc;   /* not optimised away */
        in_callback = 1;
        void *volatile p = alloc(16);
        in_callback = 0;
        free(p);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0));
}

typedef struct work {
    cs_engine *e;
    atomic_bool stop;
    long blocks;
} work;

static void *audio_thread(void *arg)
{
    work *w = arg;
    static float out[2 * 4096];
    size_t sizes[] = { 64, 256, 1000, 1024, 4096 };
    while (!atomic_load(&w->stop)) {
        process_flagged(w->e, out, sizes[w->blocks % 5]);
        w->blocks++;
        struct timespec ts = { 0, 200000 };
        nanosleep(&ts, NULL);
    }
    return NULL;
}

TEST(engine_workload_never_allocates_or_locks_in_callback)
{
    cs_err err = {0};
    cs_engine *e = cs_engine_new(&err);
    cs_reader *r = cs_reader_new(true, &err);
    CHECK(e && r);
    size_t n = 30000;
    float *x = malloc(2 * n * sizeof(float));
    for (size_t i = 0; i < 2 * n; i++) x[i] = (float)((i * 2654435761u) % 1000) / 2000.0f - 0.25f;
    work w = { .e = e };
    atomic_init(&w.stop, false);
    pthread_t th;
    pthread_create(&th, NULL, audio_thread, &w);
    cs_engine_eq_enable(e, true, CS_NOW);
    for (int round = 0; round < 40; round++) {
        int slot = round % 8;
        cs_stream *s = cs_stream_new_memory(x, n, (round % 3) * 0.25, round % 2);
        cs_reader_add(r, s);
        cs_engine_attach(e, slot, s, slot % 4, CS_NOW);
        uint64_t now = cs_engine_now(e);
        cs_engine_play(e, slot, 0.9 + 0.02 * round, 0.7, now + 100 * (uint64_t)round);
        cs_engine_volume(e, slot, 0.5, now + 500);
        cs_engine_rate(e, slot, 1.1, now + 700);
        cs_engine_level(e, round % 4, (round % 5) / 4.0, 0.05, now + 300);
        cs_engine_eq_gain(e, round % 4, round % 3, cs_eq_percent_gain(round * 2.5), now);
        cs_engine_global_rate(e, 1.0 + 0.01 * (round % 7), now + 50);
        if (round % 3 == 0) cs_engine_stop(e, (slot + 3) % 8, now + 200);
        if (round % 5 == 0) cs_engine_release(e, (slot + 5) % 8, now + 400);
        if (round == 20) cs_engine_eq_enable(e, false, now);
        if (round == 30) cs_engine_eq_enable(e, true, now);
        cs_engine_drop_retired(e, r);
        struct timespec ts = { 0, 3000000 };
        nanosleep(&ts, NULL);
    }
    atomic_store(&w.stop, true);
    pthread_join(th, NULL);
    /* The callback ran all along (under qemu-user, CS_EMULATED, each block
     * costs ~10x: scripts/check-arm64.sh). */
    CHECK(w.blocks > (getenv("CS_EMULATED") ? 5 : 50));
    cs_engine_shutdown(e);
    cs_engine_drop_retired(e, r);
    cs_reader_free(r);
    cs_engine_free(e);
    free(x);
}
