/* Issue 24, "Cleaner headers, honest tests": the debug assert()s that state
 * the player's invariants fire in the test build (NDEBUG is the release
 * build's alone).  Each broken invariant runs in a child, which must die of
 * SIGABRT. */
#include "tests/unit/unit.h"
#include "player/engine/engine_int.h"
#include "player/engine/ring.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child with stderr closed (an assert's line is expected):
 * its exit status, -SIGNAL when killed, -1000 when it could not run. */
static int child_status(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        fn();
        _exit(0);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1000;
    return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

/* True when fn, in a child, died of SIGABRT (a failed assert). */
static bool aborts(void (*fn)(void))
{
    return child_status(fn) == -SIGABRT;
}

static void ring_over_release(void)
{
    cs_ring r;
    if (cs_ring_init(&r, 8, sizeof(int)) < 0) _exit(0);
    int x = 1;
    cs_ring_push(&r, &x);
    cs_ring_advance(&r, 2);   /* one readable, two released */
}

static void ring_read_past_end(void)
{
    cs_ring r;
    if (cs_ring_init(&r, 8, sizeof(int)) < 0) _exit(0);
    int x = 1;
    cs_ring_push(&r, &x);
    (void)cs_ring_at(&r, 1);  /* only element 0 is there */
}

static void voice_playing_without_stream(void)
{
    cs_voice v;
    memset(&v, 0, sizeof v);
    v.state = CS_VOICE_PLAYING;
    v.rate = 1;
    CS_VOICE_ASSERT(&v);
}

static void ring_fine(void)
{
    cs_ring r;
    if (cs_ring_init(&r, 8, sizeof(int)) < 0) _exit(0);
    int x = 1, y;
    for (int i = 0; i < 8; i++) cs_ring_push(&r, &x);
    (void)cs_ring_at(&r, 7);
    while (cs_ring_pop(&r, &y)) {}
    (void)cs_ring_at(&r, 0);  /* the read position of an empty ring */
    cs_ring_destroy(&r);
    cs_voice v;
    memset(&v, 0, sizeof v);
    CS_VOICE_ASSERT(&v);      /* a voice never used: EMPTY, no stream */
}

TEST(invariants_abort_in_the_test_build)
{
#ifdef NDEBUG
    unit_skip("built with NDEBUG");
    return;
#endif
    CHECK(aborts(ring_over_release));
    CHECK(aborts(ring_read_past_end));
    CHECK(aborts(voice_playing_without_stream));
    CHECK(!aborts(ring_fine));
}

/* A third thread's look at a ring (the control thread's cs_stream_ready on
 * a stream the reader fills and the audio thread drains): between its two
 * loads the others may move both ends past what it read.  Its answer must
 * stay within 0..capacity and never trip the invariant's assert (it read
 * the head, then a tail already past that head: head - tail wrapped). */
static cs_ring race_ring;
static atomic_bool race_stop;

static void *race_producer(void *arg)
{
    (void)arg;
    int x = 1;
    while (!atomic_load_explicit(&race_stop, memory_order_relaxed)) cs_ring_push(&race_ring, &x);
    return NULL;
}

static void *race_consumer(void *arg)
{
    (void)arg;
    int y;
    while (!atomic_load_explicit(&race_stop, memory_order_relaxed)) (void)cs_ring_pop(&race_ring, &y);
    return NULL;
}

static void third_party_readable(void)
{
    if (cs_ring_init(&race_ring, 2, sizeof(int)) < 0) _exit(0);
    pthread_t p, c;
    if (pthread_create(&p, NULL, race_producer, NULL) || pthread_create(&c, NULL, race_consumer, NULL)) _exit(0);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int bad = 0;
    for (long i = 0;; i++) {
        if (cs_ring_readable(&race_ring) > cs_ring_capacity(&race_ring)) bad = 1;
        if (bad || (i & 0xffff) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            if (bad || (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > 300000000L) break;
        }
    }
    atomic_store(&race_stop, true);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    _exit(bad);
}


TEST(readable_from_a_third_thread_stays_in_range)
{
    int st = child_status(third_party_readable);
    if (st != 0)
        unit_fail(__FILE__, __LINE__, "readable from a third thread: %s",
                  st < 0 ? "aborted (head - tail wrapped)" : "more than the capacity");
}
