/* One ordered worker pool: the index's struct parsing, the export's renders
 * and the analysis batch all run their items through it (issue 22 item 8).
 *
 * Items 0..n-1 are taken by worker threads in order; work(i) runs on a
 * worker, consume(i) on the calling thread strictly in item order, as soon
 * as work(i) has returned.  Work runs at most `window` items ahead of the
 * consumer, so results waiting to be consumed stay bounded in memory.
 *
 *   cs_workpool_ops ops = { .work = parse, .consume = store, .discard = drop };
 *   cs_workpool_opts po = { .threads = 2, .window = 256 };
 *   int rc = cs_workpool_run(n, &po, &ops, &ctx);
 *
 * Stopping never hangs: when consume returns < 0, or *cancel becomes
 * non-zero, no new item is started, the items already started finish, the
 * workers are joined, and discard(i) is called (on the calling thread) for
 * every item whose work ran but that was not consumed.  A consumer that
 * stalls only holds the workers at the window.
 *
 * Threads: threads <= 0 (or no thread could be created) runs every item on
 * the calling thread: work(i) then consume(i).  Timed waits use
 * CLOCK_MONOTONIC (a wall-clock step never stretches a progress tick).
 */
#ifndef CS_WORKPOOL_H
#define CS_WORKPOOL_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

typedef struct cs_workpool_ops {
    /* On a worker thread; returns the item's status (handed to consume).
     * Must not call back into the pool. */
    int (*work)(void *ctx, size_t i);
    /* On the calling thread, in order; rc is work's return.  Returns 0 to
     * go on, < 0 to stop the pool (that value is cs_workpool_run's).  NULL:
     * nothing to consume. */
    int (*consume)(void *ctx, size_t i, int rc);
    /* On the calling thread, for items worked but not consumed after a stop
     * or cancel.  NULL: nothing to free. */
    void (*discard)(void *ctx, size_t i);
    /* On the calling thread about every progress_every seconds while it
     * waits (and once at the end): items consumed so far, of n.  NULL: none. */
    void (*progress)(void *ctx, size_t consumed, size_t n, int final);
    double progress_every;        /* seconds; <= 0: 1 */
} cs_workpool_ops;

typedef struct cs_workpool_opts {
    int threads;                  /* worker threads (capped at 64); <= 0: inline */
    size_t window;                /* items started but not consumed; 0: 2 x threads */
    volatile sig_atomic_t *cancel;/* non-zero stops the pool (a signal handler's flag); may be NULL */
} cs_workpool_opts;

/* The pool was cancelled through opts->cancel. */
#define CS_WORKPOOL_CANCELLED (-1000)

/* Runs items 0..n-1.  Returns 0 when every item was consumed, the
 * consumer's negative value when it stopped the pool, CS_WORKPOOL_CANCELLED
 * when *cancel stopped it.  Out of memory for the pool's own bookkeeping
 * runs the items inline. */
int cs_workpool_run(size_t n, const cs_workpool_opts *opts, const cs_workpool_ops *ops, void *ctx);

/* A condition variable whose timed waits use CLOCK_MONOTONIC, and the
 * absolute deadline `seconds` from now on that clock, for
 * pthread_cond_timedwait. */
int cs_cond_init_monotonic(pthread_cond_t *cv);
struct timespec cs_deadline_monotonic(double seconds);

#endif
