/* Issue 24, "Cleaner headers, honest tests": the debug assert()s that state
 * the player's invariants fire in the test build (NDEBUG is the release
 * build's alone).  Each broken invariant runs in a child, which must die of
 * SIGABRT. */
#include "tests/unit/unit.h"
#include "player/engine/engine_int.h"
#include "player/engine/ring.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child with stderr closed (the assert's line is expected);
 * true when the child died of SIGABRT. */
static bool aborts(void (*fn)(void))
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
    if (pid < 0 || waitpid(pid, &st, 0) != pid) return false;
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
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
