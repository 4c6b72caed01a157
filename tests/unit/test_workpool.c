/* The ordered worker pool (pkg/workpool.h): results consumed in order,
 * errors, cancellation, and a consumer that fails or stalls never hangs. */
#include "tests/unit/unit.h"
#include "pkg/workpool.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct t_ctx {
    size_t n;
    int *out;                 /* work(i) writes i*i here */
    size_t *order;            /* consume order */
    size_t n_consumed;
    atomic_int running, max_running, started, discarded;
    size_t fail_at;           /* consume returns -7 here; (size_t)-1: never */
    size_t work_fails_at;     /* work returns -1 here */
    useconds_t consume_sleep, work_sleep;
    volatile sig_atomic_t *cancel;
    size_t cancel_at;
    size_t outstanding_max;   /* work started minus consumed, at most */
} t_ctx;

static int t_work(void *arg, size_t i)
{
    t_ctx *c = arg;
    atomic_fetch_add(&c->started, 1);
    int r = atomic_fetch_add(&c->running, 1) + 1;
    int m = atomic_load(&c->max_running);
    while (r > m && !atomic_compare_exchange_weak(&c->max_running, &m, r)) {}
    /* Later items finish first: the consumer must still see them in order. */
    usleep(c->work_sleep ? c->work_sleep : (useconds_t)((c->n - i) % 5) * 300);
    c->out[i] = (int)(i * i);
    atomic_fetch_sub(&c->running, 1);
    return i == c->work_fails_at ? -1 : 0;
}

static int t_consume(void *arg, size_t i, int rc)
{
    t_ctx *c = arg;
    size_t out = (size_t)atomic_load(&c->started) - c->n_consumed;
    if (out > c->outstanding_max) c->outstanding_max = out;
    if (c->consume_sleep) usleep(c->consume_sleep);
    c->order[c->n_consumed++] = i;
    if (c->out[i] != (int)(i * i)) return -99;       /* consumed before its work was done */
    if (i == c->work_fails_at && rc != -1) return -98;
    if (c->cancel && i == c->cancel_at) *c->cancel = 1;
    return i == c->fail_at ? -7 : 0;
}

static void t_discard(void *arg, size_t i) { (void)i; atomic_fetch_add(&((t_ctx *)arg)->discarded, 1); }

static t_ctx *mk(size_t n)
{
    t_ctx *c = calloc(1, sizeof *c);
    c->n = n;
    c->out = calloc(n, sizeof *c->out);
    c->order = calloc(n, sizeof *c->order);
    for (size_t i = 0; i < n; i++) c->out[i] = -1;
    c->fail_at = c->work_fails_at = c->cancel_at = (size_t)-1;
    return c;
}

static void rm(t_ctx *c) { free(c->out); free(c->order); free(c); }

static const cs_workpool_ops OPS = { .work = t_work, .consume = t_consume, .discard = t_discard };

TEST(results_are_consumed_in_order)
{
    for (int threads = 0; threads <= 4; threads++) {
        t_ctx *c = mk(300);
        cs_workpool_opts o = { .threads = threads, .window = 8 };
        CHECK_EQ_INT(cs_workpool_run(c->n, &o, &OPS, c), 0);
        CHECK_EQ_INT((long)c->n_consumed, 300);
        for (size_t i = 0; i < c->n; i++) CHECK_EQ_INT((long)c->order[i], (long)i);
        CHECK(atomic_load(&c->max_running) <= (threads ? threads : 1));
        CHECK(c->outstanding_max <= 8);
        rm(c);
    }
}

TEST(a_work_error_reaches_the_consumer_in_order)
{
    t_ctx *c = mk(100);
    c->work_fails_at = 37;
    cs_workpool_opts o = { .threads = 3 };
    CHECK_EQ_INT(cs_workpool_run(c->n, &o, &OPS, c), 0);
    CHECK_EQ_INT((long)c->n_consumed, 100);
    rm(c);
}

/* The index's hang (issue 22 item 8): the consumer (the store) fails at
 * item 5 with 64+ items; the pool must return its error, not wait for
 * items nobody will work on. */
TEST(failed_consumer_stops_and_never_hangs)
{
    for (int threads = 0; threads <= 3; threads++) {
        t_ctx *c = mk(1500);
        c->fail_at = 5;
        cs_workpool_opts o = { .threads = threads, .window = 256 };
        CHECK_EQ_INT(cs_workpool_run(c->n, &o, &OPS, c), -7);
        CHECK_EQ_INT((long)c->n_consumed, 6);
        /* Every item worked but not consumed was handed back to be freed. */
        CHECK_EQ_INT(atomic_load(&c->discarded), atomic_load(&c->started) - 6);
        CHECK(atomic_load(&c->started) <= 6 + 256);
        rm(c);
    }
}

TEST(a_stalled_consumer_holds_the_workers_at_the_window)
{
    t_ctx *c = mk(40);
    c->consume_sleep = 3000;
    c->work_sleep = 1;
    cs_workpool_opts o = { .threads = 4, .window = 4 };
    CHECK_EQ_INT(cs_workpool_run(c->n, &o, &OPS, c), 0);
    CHECK(c->outstanding_max <= 4);
    CHECK_EQ_INT((long)c->n_consumed, 40);
    rm(c);
}

TEST(cancel_stops_between_items)
{
    for (int threads = 0; threads <= 2; threads++) {
        volatile sig_atomic_t stop = 0;
        t_ctx *c = mk(500);
        c->cancel = &stop;
        c->cancel_at = 10;
        cs_workpool_opts o = { .threads = threads, .window = 16, .cancel = &stop };
        CHECK_EQ_INT(cs_workpool_run(c->n, &o, &OPS, c), CS_WORKPOOL_CANCELLED);
        CHECK_EQ_INT((long)c->n_consumed, 11);
        CHECK(atomic_load(&c->started) <= 11 + 16);
        CHECK_EQ_INT(atomic_load(&c->discarded), atomic_load(&c->started) - 11);
        rm(c);
    }
}

TEST(zero_items_and_monotonic_deadline)
{
    t_ctx *c = mk(1);
    cs_workpool_opts o = { .threads = 2 };
    CHECK_EQ_INT(cs_workpool_run(0, &o, &OPS, c), 0);
    CHECK_EQ_INT((long)c->n_consumed, 0);
    rm(c);
    pthread_cond_t cv;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    CHECK_EQ_INT(cs_cond_init_monotonic(&cv), 0);
    struct timespec a, b, d = cs_deadline_monotonic(0.05);
    clock_gettime(CLOCK_MONOTONIC, &a);
    pthread_mutex_lock(&mu);
    pthread_cond_timedwait(&cv, &mu, &d);
    pthread_mutex_unlock(&mu);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double waited = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    CHECK(waited > 0.03 && waited < 1.0);
    pthread_cond_destroy(&cv);
}
