/* Offline rendering: the live engine and control side driven by a script
 * of timed OSC messages instead of the network, and by a loop instead of a
 * device, into a file, faster than real time and deterministically (the
 * tests hear the player this way).
 *
 *   cs_render_job job = { control, engine, reader, script, 30.0, "mix.wav", NULL };
 *   if (cs_render_run(&job, &err) < 0) fail(err.msg);
 */
#ifndef CS_PLAYER_RENDER_H
#define CS_PLAYER_RENDER_H

#include "pkg/err.h"
#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/engine/reader.h"
#include "player/engine/stretch_live.h"
#include "player/surface/osc.h"

typedef struct cs_render_job {
    cs_control *control;
    cs_engine *engine;
    cs_reader *reader;          /* created unthreaded: pumped here */
    cs_osc_script *script;      /* may be NULL */
    double duration;            /* seconds */
    const char *path;           /* .wav (float 32) or .flac (24-bit) */
    cs_live_stretch *stretch;   /* unthreaded live stretcher, or NULL */
} cs_render_job;

/* Renders job->duration seconds; script lines run at their sample. */
int cs_render_run(const cs_render_job *job, cs_err *err);

#endif
