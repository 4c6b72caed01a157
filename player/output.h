/* Where the engine's audio goes: an SDL2 output device (live) or a file
 * (offline render, faster than real time).
 *
 *   cs_output *o = cs_output_open(engine, NULL, 1024, &err);   // plays now
 *   ...
 *   cs_output_close(o);
 *
 *   cs_render_run(&job, &err);   // script → engine → WAV, deterministic
 */
#ifndef CS_PLAYER_OUTPUT_H
#define CS_PLAYER_OUTPUT_H

#include <stdio.h>

#include "pkg/err.h"
#include "player/control.h"
#include "player/engine.h"
#include "player/osc.h"
#include "player/stretch_live.h"

typedef struct cs_output cs_output;

/* Opens the device (NULL: the default) as float32 stereo 44.1 kHz with
 * buffer_frames per callback, and starts it.  The callback only calls
 * cs_engine_process (or, with a live stretcher, pops its reserve) and counts
 * late or overlong callbacks as xruns. */
cs_output *cs_output_open(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                          cs_err *err);
void cs_output_close(cs_output *o);
/* Prints SDL's audio drivers and the output devices of the current one. */
int cs_output_list(FILE *f, cs_err *err);

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
