/* Future time-tagged bundles wait here, on the control side (see control.h,
 * "Future bundles").
 *
 * liblo's own server does the same (lo_server keeps bundles whose time tag
 * is in the future in a queue ordered by time and dispatches each when it
 * falls due); ours is a binary heap by (due sample, arrival order), so
 * bundles due at the same sample run in the order they came, and it hands a
 * bundle back CS_BUNDLE_LEAD_S early: the engine then stamps its commands
 * with the exact sample, as before.  A heap, not liblo's sorted list, so
 * that a flood of a thousand bundles costs O(log n) each, not O(n).
 *
 * Bounded: at most CS_BUNDLE_QUEUE_MAX bundles and CS_BUNDLE_QUEUE_BYTES
 * bytes wait; the rest are dropped with a line and a count. */
#include "player/control/control_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CS_BUNDLE_DROP_KINDS == sizeof ((cs_control_status *)0)->bundles_dropped /
                                      sizeof ((cs_control_status *)0)->bundles_dropped[0],
               "cs_control_status.bundles_dropped has one count per cs_bundle_drop");

typedef struct ctl_bundle {
    uint64_t due, seq;
    cs_control_bundle_fn run;
    size_t size, auxsize;
    unsigned char bytes[];       /* aux, then the bundle */
} ctl_bundle;

static const char *const drop_names[CS_BUNDLE_DROP_KINDS] = { "nested too deep", "too far ahead", "malformed",
                                                              "queue full" };

void cs_control_bundle_dropped(cs_control *c, cs_bundle_drop why, const char *fmt, ...)
{
    if ((unsigned)why >= CS_BUNDLE_DROP_KINDS) why = CS_BUNDLE_DROP_MALFORMED;
    c->bundles_dropped[why]++;
    if (!cs_ratelimit_ok(&c->rl_late)) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cs_log_warn("OSC bundle dropped (%s, %llu so far): %s", drop_names[why],
                (unsigned long long)c->bundles_dropped[why], line);
}

double cs_control_max_ahead(const cs_control *c)
{
    return c->cfg.max_ahead_s > 0 ? c->cfg.max_ahead_s : CS_BUNDLE_MAX_AHEAD_S;
}

unsigned cs_control_bundles_waiting(const cs_control *c) { return c->nbq; }

static bool before(const ctl_bundle *a, const ctl_bundle *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void swap(cs_control *c, unsigned i, unsigned j)
{
    ctl_bundle *t = c->bq[i];
    c->bq[i] = c->bq[j];
    c->bq[j] = t;
}

static void sift_up(cs_control *c, unsigned i)
{
    while (i > 0 && before(c->bq[i], c->bq[(i - 1) / 2])) {
        swap(c, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void sift_down(cs_control *c, unsigned i)
{
    for (;;) {
        unsigned l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->nbq && before(c->bq[l], c->bq[m])) m = l;
        if (r < c->nbq && before(c->bq[r], c->bq[m])) m = r;
        if (m == i) return;
        swap(c, i, m);
        i = m;
    }
}

static ctl_bundle *pop(cs_control *c)
{
    ctl_bundle *top = c->bq[0];
    c->bq[0] = c->bq[--c->nbq];
    c->bq[c->nbq] = NULL;
    if (c->nbq) sift_down(c, 0);
    c->bq_bytes -= top->size + top->auxsize;
    return top;
}

int cs_control_bundle_defer(cs_control *c, uint64_t due, cs_control_bundle_fn run, const void *data, size_t size,
                            const void *aux, size_t auxsize)
{
    double in_s = (double)(due > cs_control_now(c) ? due - cs_control_now(c) : 0) / CS_RATE;
    if (c->nbq >= CS_BUNDLE_QUEUE_MAX || size > CS_BUNDLE_QUEUE_BYTES ||
        c->bq_bytes + size + auxsize > CS_BUNDLE_QUEUE_BYTES) {
        cs_control_bundle_dropped(c, CS_BUNDLE_DROP_FULL,
                                  "due in %.1f s, but %u bundles (%.1f of %.0f MB) wait already, the most "
                                  "kept so that no sender can take the player's memory", in_s, c->nbq,
                                  (double)c->bq_bytes / 1048576.0, (double)CS_BUNDLE_QUEUE_BYTES / 1048576.0);
        return -1;
    }
    ctl_bundle *b = malloc(sizeof *b + auxsize + size);
    if (!b) {
        cs_control_bundle_dropped(c, CS_BUNDLE_DROP_FULL, "due in %.1f s: out of memory", in_s);
        return -1;
    }
    b->due = due;
    b->seq = c->bq_seq++;
    b->run = run;
    b->size = size;
    b->auxsize = auxsize;
    if (auxsize) memcpy(b->bytes, aux, auxsize);
    memcpy(b->bytes + auxsize, data, size);
    c->bq[c->nbq++] = b;
    c->bq_bytes += size + auxsize;
    sift_up(c, c->nbq - 1);
    return 0;
}

static uint64_t lead_frames(void) { return (uint64_t)(CS_BUNDLE_LEAD_S * CS_RATE); }

void ctl_bundles_run(cs_control *c)
{
    uint64_t horizon = cs_control_now(c) + lead_frames();
    /* Bounded per tick (a burst due together spreads over a few ticks). */
    for (int n = 0; n < 256 && c->nbq && c->bq[0]->due <= horizon; n++) {
        /* Room for commands due now first: a bundle waits a tick while
         * the engine's queue is more than half full. */
        if (cs_engine_queue_free(c->e) * 2 < cs_engine_queue_size(c->e)) break;
        ctl_bundle *b = pop(c);
        b->run(c, b->bytes + b->auxsize, b->size, b->auxsize ? b->bytes : NULL, b->auxsize);
        free(b);
    }
}

double ctl_bundles_next_s(const cs_control *c)
{
    if (!c->nbq) return INFINITY;
    uint64_t when = c->bq[0]->due > lead_frames() ? c->bq[0]->due - lead_frames() : 0;
    uint64_t now = cs_control_now(c);
    return when > now ? (double)(when - now) / CS_RATE : 0;
}

void ctl_bundles_free(cs_control *c)
{
    while (c->nbq) free(pop(c));
}
