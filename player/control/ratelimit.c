/* Log rate limiting (see ratelimit.h). */
#include "player/control/ratelimit.h"

#include <time.h>

#include "pkg/err.h"

static int64_t second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void report(cs_ratelimit *r)
{
    if (r->hidden) cs_log_warn("%u more %s not shown", r->hidden, r->what ? r->what : "messages");
    r->hidden = 0;
}

bool cs_ratelimit_ok(cs_ratelimit *r)
{
    int64_t now = second();
    if (now != r->window) {
        report(r);
        r->window = now;
        r->shown = 0;
    }
    if (r->shown < CS_RATELIMIT_LINES) {
        r->shown++;
        return true;
    }
    r->hidden++;
    r->total_hidden++;
    return false;
}

void cs_ratelimit_flush(cs_ratelimit *r, bool force)
{
    if (r->hidden && (force || second() != r->window)) report(r);
}
