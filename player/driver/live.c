/* The live loop (see live.h). */
#include "player/driver/live.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "player/control/status.h"
#include "player/driver/device.h"
#include "player/driver/notify.h"

#define WATCH_EVERY_S 0.25      /* status snapshots for the line and the page */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Hands one snapshot to whatever watches the set. */
static void watch(const cs_live_job *job, double now, double *last_log)
{
    cs_control_status st;
    cs_control_status_get(job->control, &st);
    char line[512];
    if (job->status_line || (job->status_log_s > 0 && now - *last_log >= job->status_log_s))
        cs_status_line(line, sizeof line, &st);

    if (job->status_line) {
        /* Narrower than the terminal, or a wrapped line would not be
         * redrawn in place. */
        struct winsize ws;
        size_t w = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1 : 79;
        if (w < sizeof line) line[w] = 0;
        cs_log_status_line(line);
    } else if (job->status_log_s > 0 && now - *last_log >= job->status_log_s) {
        cs_log_info("status: %s", line);
        *last_log = now;
    }
    cs_http_publish(job->http, &st);
    if (job->ladder) cs_dashboard_update(job->dashboard, st.bpm, st.target_bpm, now);
}

/* The device's state into the control side's status; true when it
 * changed (a loss or a return). */
static bool device_to_status(const cs_live_job *job, cs_device *dev, bool *was_lost)
{
    cs_device_state ds;
    cs_device_state_get(dev, &ds);
    cs_control_set_device(job->control, ds.lost, ds.lost_since, ds.losses);
    bool changed = ds.lost != *was_lost;
    *was_lost = ds.lost;
    return changed;
}

/* One line for systemd's STATUS=. */
static void notify_line(const cs_live_job *job, char *line, size_t n)
{
    cs_control_status st;
    cs_control_status_get(job->control, &st);
    cs_status_line(line, n, &st);
}

static void still_starting(void *user, double waited)
{
    char msg[128];
    snprintf(msg, sizeof msg, "waiting for the audio device (%.0f s)", waited);
    cs_notify_starting(user, 3000000, msg);
}

int cs_live_run(const cs_live_job *job, cs_err *err)
{
    cs_osc_server *srv = cs_osc_server_new(job->bind, job->port, err);
    if (!srv) return -1;
    /* A stream the control side waits for (a start, a ladder set's next
     * rung or track) wakes the loop when it is ready: no polling. */
    if (job->reader) cs_reader_set_news(job->reader, cs_osc_server_wake, srv);
    cs_notify nt;
    cs_notify_init(&nt);
    cs_device_config dcfg = { .engine = job->engine, .stretch = job->stretch, .device = job->device,
                              .buffer_frames = job->buffer_frames, .wait_s = job->device_wait, .stop = job->stop,
                              .waiting = still_starting, .user = &nt };
    cs_device *dev = cs_device_open(&dcfg, err);
    if (!dev) {
        if (job->reader) cs_reader_set_news(job->reader, NULL, NULL);
        cs_osc_server_free(srv);
        return -1;
    }
    if (job->on_start) job->on_start(job->control, job->user);
    char nline[512];
    notify_line(job, nline, sizeof nline);
    cs_notify_ready(&nt, nline);
    bool was_lost = false;
    double dev_due = CS_DEVICE_CHECK_S;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* How often the set is watched: 4 times a second for a line or a page,
     * once a second for the dashboard alone, else the plain line's period.
     * The loop wakes for it, the control tick, the device's watchdog (at
     * least every CS_DEVICE_CHECK_S) and systemd's, and no more often. */
    double every = job->status_line || job->http ? WATCH_EVERY_S : job->ladder && job->dashboard ? 1.0
                 : job->status_log_s > 0 ? job->status_log_s : INFINITY;
    double last_watch = -INFINITY, last_log = 0;
    while (!*job->stop && !(job->ladder && cs_ladder_done(job->ladder))) {
        /* Sleep on the socket until a message, the control side's next
         * tick or the next timed message, whichever comes first. */
        double wait = cs_control_next_tick(job->control);
        if (job->timed) {
            double due = (double)cs_osc_script_next_time(job->timed) / CS_RATE - seconds_since(&t0);
            if (due < wait) wait = due > 0 ? due : 0;
        }
        double watch_due = last_watch + every - seconds_since(&t0);
        if (watch_due < wait) wait = watch_due > 0 ? watch_due : 0;
        /* The device's watchdog and reopen tries, systemd's watchdog. */
        if (dev_due < wait) wait = dev_due;
        double nt_due = cs_notify_next_s(&nt);
        if (nt_due < wait) wait = nt_due;
        cs_osc_server_poll(srv, job->control, (int)ceil(wait * 1000));
        if (job->timed) {
            uint64_t due = (uint64_t)(seconds_since(&t0) * CS_RATE);
            while (cs_osc_script_next_time(job->timed) <= due) cs_osc_script_run_next(job->timed, job->control);
        }
        dev_due = cs_device_check(dev);
        bool changed = device_to_status(job, dev, &was_lost);
        cs_control_tick(job->control);
        if (job->stretch) cs_live_stretch_set_tempo(job->stretch, cs_control_stretch_tempo(job->control));
        if (nt.on) {
            bool line_due = cs_notify_status_due(&nt);
            if (line_due) notify_line(job, nline, sizeof nline);
            cs_notify_tick(&nt, cs_device_audio_ns(dev), line_due ? nline : NULL);
        }
        double now = seconds_since(&t0);
        if (changed || now - last_watch >= every) {
            watch(job, now, &last_log);
            last_watch = now;
        }
    }
    if (job->status_line) cs_log_status_line("");
    cs_notify_stopping(&nt);
    cs_device_state dst;
    cs_device_state_get(dev, &dst);
    cs_device_close(dev);
    cs_engine_stats st;
    cs_engine_stats_get(job->engine, &st);
    printf("cs play: %.1f s played, %llu OSC packets, underruns: %llu stream, %llu device\n",
           (double)st.frames / CS_RATE, (unsigned long long)cs_osc_server_packets(srv),
           (unsigned long long)st.underruns, (unsigned long long)st.xruns);
    if (dst.losses) printf("cs play: the audio device was lost %u time%s%s\n", dst.losses, dst.losses == 1 ? "" : "s",
                           dst.lost ? " (lost at the end)" : "");
    cs_control_log_unknown(job->control);
    if (job->reader) cs_reader_set_news(job->reader, NULL, NULL);
    cs_osc_server_free(srv);
    return 0;
}
