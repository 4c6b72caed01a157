/* At most CS_RATELIMIT_LINES log lines a second from one source, then one
 * line saying how many were left out: a flood of bad input (a broken or
 * hostile sender) must not become a flood of log lines.  One thread per
 * limiter (the control thread); never the audio callback.
 *
 *   static cs_ratelimit rl = { "bad packets" };
 *   if (cs_ratelimit_ok(&rl)) cs_log_error("...");
 *   cs_ratelimit_flush(&rl);    // now and then: report a finished window
 */
#ifndef CS_PLAYER_RATELIMIT_H
#define CS_PLAYER_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define CS_RATELIMIT_LINES 10

typedef struct cs_ratelimit {
    const char *what;         /* "N more <what> not shown" */
    int64_t window;           /* CLOCK_MONOTONIC second of the counts */
    unsigned shown, hidden;
    uint64_t total_hidden;    /* over the limiter's life (tests, summaries) */
} cs_ratelimit;

/* True when this line may be logged (counts it either way). */
bool cs_ratelimit_ok(cs_ratelimit *r);
/* Logs the hidden count of a window that has ended (or of the current one
 * when `force`, e.g. at exit). */
void cs_ratelimit_flush(cs_ratelimit *r, bool force);

#endif
