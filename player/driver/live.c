/* The live loop (see live.h). */
#include "player/driver/live.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "player/driver/sdl_output.h"

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
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
    while (!*job->stop && !(job->ladder && cs_ladder_done(job->ladder))) {
        /* Sleep on the socket until a message, the control side's next
         * tick or the next timed message, whichever comes first. */
        double wait = cs_control_next_tick(job->control);
        if (job->timed) {
            double due = (double)cs_osc_script_next_time(job->timed) / CS_RATE - seconds_since(&t0);
            if (due < wait) wait = due > 0 ? due : 0;
        }
        cs_osc_server_poll(srv, job->control, (int)ceil(wait * 1000));
        if (job->timed) {
            uint64_t due = (uint64_t)(seconds_since(&t0) * CS_RATE);
            while (cs_osc_script_next_time(job->timed) <= due) cs_osc_script_run_next(job->timed, job->control);
        }
        cs_control_tick(job->control);
        if (job->stretch) cs_live_stretch_set_tempo(job->stretch, cs_control_stretch_tempo(job->control));
    }
    cs_output_close(out);
    cs_engine_stats st;
    cs_engine_stats_get(job->engine, &st);
    printf("cs play: %.1f s played, %llu OSC packets, underruns: %llu stream, %llu device\n",
           (double)st.frames / CS_RATE, (unsigned long long)cs_osc_server_packets(srv),
           (unsigned long long)st.underruns, (unsigned long long)st.xruns);
    cs_osc_server_free(srv);
    return 0;
}
