/* The ordered worker pool (workpool.h). */
#include "pkg/workpool.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ST_WAITING = 0, ST_RUNNING, ST_DONE };

typedef struct pool {
    size_t n, window;
    const cs_workpool_ops *ops;
    void *ctx;
    volatile sig_atomic_t *cancel;
    unsigned char *state;      /* ST_* per item, under mu */
    int *rc;                   /* work's return per item */
    size_t next;               /* next item a worker takes */
    size_t consumed;           /* items consumed (the consumer's position) */
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t to_workers; /* a slot opened or stop */
    pthread_cond_t to_consumer;/* an item finished */
} pool;

int cs_cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t a;
    if (pthread_condattr_init(&a) != 0) return -1;
    int rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(cv, &a);
    pthread_condattr_destroy(&a);
    return rc == 0 ? 0 : -1;
}

struct timespec cs_deadline_monotonic(double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long ns = ts.tv_nsec + (long long)(seconds * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000LL);
    ts.tv_nsec = (long)(ns % 1000000000LL);
    return ts;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool cancelled(const pool *p) { return p->cancel && *p->cancel; }

static void *worker(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next < p->n && p->next >= p->consumed + p->window && !cancelled(p))
            pthread_cond_wait(&p->to_workers, &p->mu);
        if (p->stop || p->next >= p->n || cancelled(p)) break;
        size_t i = p->next++;
        p->state[i] = ST_RUNNING;
        pthread_mutex_unlock(&p->mu);
        int rc = p->ops->work(p->ctx, i);
        pthread_mutex_lock(&p->mu);
        p->rc[i] = rc;
        p->state[i] = ST_DONE;
        pthread_cond_broadcast(&p->to_consumer);
    }
    /* The consumer may be waiting for an item no one will start now. */
    pthread_cond_broadcast(&p->to_consumer);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static int run_inline(size_t n, const cs_workpool_ops *ops, void *ctx, volatile sig_atomic_t *cancel)
{
    for (size_t i = 0; i < n; i++) {
        if (cancel && *cancel) return CS_WORKPOOL_CANCELLED;
        int rc = ops->work(ctx, i);
        int c = ops->consume ? ops->consume(ctx, i, rc) : 0;
        if (ops->progress) ops->progress(ctx, i + 1, n, i + 1 == n);
        if (c < 0) return c;
    }
    return 0;
}

int cs_workpool_run(size_t n, const cs_workpool_opts *opts, const cs_workpool_ops *ops, void *ctx)
{
    int threads = opts->threads > 64 ? 64 : opts->threads;
    if ((size_t)(threads > 0 ? threads : 0) > n) threads = (int)n;
    if (threads <= 0) return run_inline(n, ops, ctx, opts->cancel);
    pool p = { .n = n, .ops = ops, .ctx = ctx, .cancel = opts->cancel,
               .window = opts->window ? opts->window : 2 * (size_t)threads };
    p.state = calloc(n, 1);
    p.rc = calloc(n, sizeof *p.rc);
    if (!p.state || !p.rc || pthread_mutex_init(&p.mu, NULL) != 0) {
        free(p.state);
        free(p.rc);
        return run_inline(n, ops, ctx, opts->cancel);
    }
    pthread_cond_init(&p.to_workers, NULL);
    cs_cond_init_monotonic(&p.to_consumer);
    pthread_t th[64];
    int started = 0;
    for (; started < threads; started++)
        if (pthread_create(&th[started], NULL, worker, &p) != 0) break;
    int result = 0;
    if (started == 0) {
        result = run_inline(n, ops, ctx, opts->cancel);
        p.consumed = n;
    }
    double every = ops->progress_every > 0 ? ops->progress_every : 1.0, last = mono_now();
    pthread_mutex_lock(&p.mu);
    while (started > 0 && p.consumed < n) {
        if (cancelled(&p)) { result = CS_WORKPOOL_CANCELLED; break; }
        size_t i = p.consumed;
        if (p.state[i] != ST_DONE) {
            struct timespec ts = cs_deadline_monotonic(ops->progress ? 0.25 : 1.0);
            pthread_cond_timedwait(&p.to_consumer, &p.mu, &ts);
            if (ops->progress && mono_now() - last >= every) {
                last = mono_now();
                pthread_mutex_unlock(&p.mu);
                ops->progress(ctx, i, n, 0);
                pthread_mutex_lock(&p.mu);
            }
            continue;
        }
        pthread_mutex_unlock(&p.mu);
        int c = ops->consume ? ops->consume(ctx, i, p.rc[i]) : 0;
        pthread_mutex_lock(&p.mu);
        p.consumed = i + 1;
        pthread_cond_broadcast(&p.to_workers);
        if (c < 0) { result = c; break; }
    }
    p.stop = true;
    pthread_cond_broadcast(&p.to_workers);
    pthread_mutex_unlock(&p.mu);
    for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
    if (ops->discard)
        for (size_t i = p.consumed; i < n; i++)
            if (p.state[i] == ST_DONE) ops->discard(ctx, i);
    if (started > 0 && ops->progress) ops->progress(ctx, p.consumed, n, 1);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.to_workers);
    pthread_cond_destroy(&p.to_consumer);
    free(p.state);
    free(p.rc);
    return result;
}
