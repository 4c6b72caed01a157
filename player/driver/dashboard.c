/* The dashboard's /audio/bpm feed (see dashboard.h). */
#include "player/driver/dashboard.h"

#include <lo/lo.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define STEP_BPM 0.2        /* mixer_tracks.py --tempo-step */
#define CHECK_S 1.0         /* its tempo thread's period */

struct cs_dashboard {
    lo_address to;
    double last_sent, last_check;
    bool sent, failed;
};

cs_dashboard *cs_dashboard_new(const char *host, int port, cs_err *err)
{
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    cs_dashboard *d = calloc(1, sizeof *d);
    if (!d || !(d->to = lo_address_new(host, ps))) {
        free(d);
        cs_err_setc(err, CS_ERR_USAGE, "--dashboard %s:%d: not a usable address", host, port);
        return NULL;
    }
    d->last_check = -INFINITY;
    return d;
}

void cs_dashboard_update(cs_dashboard *d, double bpm, double target, double now_s)
{
    if (!d || now_s - d->last_check < CHECK_S) return;
    d->last_check = now_s;
    bool due = !d->sent || fabs(bpm - d->last_sent) >= STEP_BPM ||
               (fabs(bpm - target) < 0.005 && bpm != d->last_sent);
    if (!due) return;
    if (lo_send(d->to, "/audio/bpm", "f", (float)bpm) < 0) {
        if (!d->failed)
            cs_log_info("dashboard /audio/bpm: %s (no dashboard listening? --no-dashboard turns the feed off)",
                        lo_address_errstr(d->to));
        d->failed = true;
        return;
    }
    d->sent = true;
    d->last_sent = bpm;
}

void cs_dashboard_free(cs_dashboard *d)
{
    if (!d) return;
    lo_address_free(d->to);
    free(d);
}
