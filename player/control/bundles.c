/* Time-tagged bundles on the control side (see control.h): an OSC/NTP time
 * tag becomes an engine sample, and the commands a bundle issues are
 * stamped with it.
 *
 * Live, the chain is tag → wall clock (CLOCK_REALTIME, which the tag's
 * sender is assumed to share, e.g. by NTP) → CLOCK_MONOTONIC (the offset
 * between the two clocks read back to back) → engine sample, through the
 * last (sample, monotonic time) pair the output published.  The pair is at
 * most one device buffer old, and both clocks run at the device's rate to
 * within parts per million, so the error is that of the device buffer
 * hand-over, not of the network. */
#include "player/control/control_int.h"

#include <time.h>

#define NTP_UNIX_OFFSET 2208988800ull   /* seconds from 1900 to 1970 */

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The engine sample (fractional, unclamped: far past gives a negative
 * number) at which the tag's time reaches the output. */
static double tag_sample(const cs_control *c, uint32_t sec, uint32_t frac)
{
    if (c->cfg.render) return ((double)sec + (double)frac / 4294967296.0) * CS_RATE;

    /* The offset between the clocks: realtime read between two monotonic
     * reads, their middle the best estimate of the same instant. */
    int64_t m0 = clock_ns(CLOCK_MONOTONIC);
    int64_t rt = clock_ns(CLOCK_REALTIME);
    int64_t m1 = clock_ns(CLOCK_MONOTONIC);
    int64_t mono_now = m0 + (m1 - m0) / 2;
    /* In integer nanoseconds: a double holds an absolute tag only to ~1 µs. */
    int64_t tag_unix_ns = ((int64_t)sec - (int64_t)NTP_UNIX_OFFSET) * 1000000000 +
                          (int64_t)(((uint64_t)frac * 1000000000u) >> 32);
    int64_t target_mono = mono_now + (tag_unix_ns - rt);

    uint64_t f;
    int64_t ns;
    if (!cs_engine_clock_read(c->e, &f, &ns)) {       /* no output yet */
        f = cs_engine_now(c->e);
        ns = mono_now;
    }
    return (double)f + (double)(target_mono - ns) * CS_RATE / 1e9;
}

uint64_t cs_control_tag_time(const cs_control *c, uint32_t sec, uint32_t frac)
{
    if (sec == 0 && frac <= 1) return CS_NOW;          /* "immediately" */
    double s = tag_sample(c, sec, frac);
    if (c->cfg.render) return (uint64_t)llround(s);
    /* Far past (or before the engine started): clamp to sample 1, which
     * the caller sees as late; never CS_NOW (0) by accident.  How late it
     * really is: cs_control_tag_ahead. */
    if (!(s >= 1)) return 1;
    if (s > 1e18) s = 1e18;
    return (uint64_t)llround(s);
}

double cs_control_tag_ahead(const cs_control *c, uint32_t sec, uint32_t frac)
{
    if (sec == 0 && frac <= 1) return 0;
    return (tag_sample(c, sec, frac) - (double)cs_control_now(c)) / CS_RATE;
}

uint64_t cs_control_set_command_time(cs_control *c, uint64_t at)
{
    uint64_t prev = c->cmd_at;
    c->cmd_at = at;
    return prev;
}

void cs_control_note_late(cs_control *c, double ms)
{
    c->late_bundles++;
    if (!cs_ratelimit_ok(&c->rl_late)) return;
    /* Beyond 10 s no network delays a datagram: the clocks disagree. */
    if (ms < 10000)
        cs_log_warn("OSC bundle late by %.1f ms: run at once", ms);
    else
        cs_log_warn("OSC bundle late by %.1f s (%.0f ms): run at once; is the sender's clock behind ours "
                    "(a Pi without a real-time clock or NTP)?", ms / 1000, ms);
}

uint64_t cs_control_late_bundles(const cs_control *c) { return c->late_bundles; }
