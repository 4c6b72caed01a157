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
    const char *path;           /* its extension names the format: cs_render_format */
    cs_live_stretch *stretch;   /* unthreaded live stretcher, or NULL */
} cs_render_job;

/* The extensions a render writes, for messages and --help. */
#define CS_RENDER_EXTS ".wav, .flac, .aiff, .ogg, .opus or .mp3"
/* The libsndfile format (SF_FORMAT_*) for path's extension, any case:
 * .wav float 32, .flac and .aiff/.aif 24-bit, .ogg Vorbis, .opus Opus,
 * .mp3 MP3 (libsndfile's LAME encoder).  -1 with err set naming the file
 * and its extension when it is none of these (or this libsndfile cannot
 * write it): nothing is written. */
int cs_render_format(const char *path, int *format, cs_err *err);
/* Renders job->duration seconds into job->path in the format its extension
 * names; script lines run at their sample. */
int cs_render_run(const cs_render_job *job, cs_err *err);

#endif
