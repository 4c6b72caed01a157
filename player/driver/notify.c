/* systemd notifications (see notify.h) through libsystemd's sd_notify. */
#include "player/driver/notify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void cs_notify_init(cs_notify *n)
{
    memset(n, 0, sizeof *n);
    const char *s = getenv("NOTIFY_SOCKET");
    n->on = s && *s;
    uint64_t usec = 0;
    if (n->on && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) n->wd_every_ns = (int64_t)usec * 1000 / 2;
}

static void send_status(cs_notify *n, const char *prefix, const char *status)
{
    char msg[320];
    snprintf(msg, sizeof msg, "%sSTATUS=%s", prefix, status);
    sd_notify(0, msg);
    snprintf(n->status, sizeof n->status, "%s", status);
    n->last_status_ns = mono_ns();
}

void cs_notify_ready(cs_notify *n, const char *status)
{
    if (!n->on) return;
    send_status(n, "READY=1\n", status);
    n->last_ping_ns = mono_ns();
}

void cs_notify_starting(cs_notify *n, uint64_t usec, const char *status)
{
    if (!n->on) return;
    char pre[64];
    snprintf(pre, sizeof pre, "EXTEND_TIMEOUT_USEC=%llu\n", (unsigned long long)usec);
    send_status(n, pre, status);
}

void cs_notify_tick(cs_notify *n, int64_t audio_ns, const char *status)
{
    if (!n->on) return;
    int64_t now = mono_ns();
    if (n->wd_every_ns && now - n->last_ping_ns >= n->wd_every_ns && audio_ns != n->pinged_audio_ns) {
        sd_notify(0, "WATCHDOG=1");
        n->last_ping_ns = now;
        n->pinged_audio_ns = audio_ns;
    }
    if (status && strncmp(status, n->status, sizeof n->status - 1) && now - n->last_status_ns >= 1000000000)
        send_status(n, "", status);
}

bool cs_notify_status_due(const cs_notify *n) { return n->on && mono_ns() - n->last_status_ns >= 1000000000; }

double cs_notify_next_s(const cs_notify *n)
{
    if (!n->on) return INFINITY;
    double wd = n->wd_every_ns ? (double)(n->last_ping_ns + n->wd_every_ns - mono_ns()) / 1e9 : INFINITY;
    return wd < 0.05 ? 0.05 : wd;   /* overdue (the audio side stands still): no busy loop */
}

void cs_notify_stopping(cs_notify *n)
{
    if (n->on) sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
