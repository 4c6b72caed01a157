/* The live loop (see live.h). */
#include "player/driver/live.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "player/control/status.h"
#include "player/driver/sdl_output.h"

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

int cs_live_run(const cs_live_job *job, cs_err *err)
{
    cs_osc_server *srv = cs_osc_server_new(job->bind, job->port, err);
    if (!srv) return -1;
    cs_output *out = cs_output_open_wait(job->engine, job->stretch, job->device, job->buffer_frames,
                                         job->device_wait, job->stop, err);
    if (!out) {
        cs_osc_server_free(srv);
        return -1;
    }
    if (job->on_start) job->on_start(job->control, job->user);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* How often the set is watched: 4 times a second for a line or a page,
     * once a second for the dashboard alone, else the plain line's period;
     * the loop wakes for it and no more often. */
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
        cs_osc_server_poll(srv, job->control, (int)ceil(wait * 1000));
        if (job->timed) {
            uint64_t due = (uint64_t)(seconds_since(&t0) * CS_RATE);
            while (cs_osc_script_next_time(job->timed) <= due) cs_osc_script_run_next(job->timed, job->control);
        }
        cs_control_tick(job->control);
        if (job->stretch) cs_live_stretch_set_tempo(job->stretch, cs_control_stretch_tempo(job->control));
        double now = seconds_since(&t0);
        if (now - last_watch >= every) {
            watch(job, now, &last_log);
            last_watch = now;
        }
    }
    if (job->status_line) cs_log_status_line("");
    cs_output_close(out);
    cs_engine_stats st;
    cs_engine_stats_get(job->engine, &st);
    printf("cs play: %.1f s played, %llu OSC packets, underruns: %llu stream, %llu device\n",
           (double)st.frames / CS_RATE, (unsigned long long)cs_osc_server_packets(srv),
           (unsigned long long)st.underruns, (unsigned long long)st.xruns);
    cs_control_log_unknown(job->control);
    cs_osc_server_free(srv);
    return 0;
}
