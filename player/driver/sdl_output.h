/* The live output: an SDL2 audio device that pulls the engine's mix (or the
 * live stretcher's reserve) from its callback.  The offline counterpart is
 * render.h; the live loop that drives the control side is live.h.
 *
 *   cs_output *o = cs_output_open(engine, NULL, NULL, 1024, &err);  // plays now
 *   ...
 *   cs_output_close(o);
 */
#ifndef CS_PLAYER_SDL_OUTPUT_H
#define CS_PLAYER_SDL_OUTPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pkg/err.h"
#include "player/engine/engine.h"
#include "player/engine/stretch_live.h"

typedef struct cs_output cs_output;

/* Opens the device (NULL or "": the default) as float32 stereo at CS_RATE with
 * buffer_frames per callback, and starts it.  The callback only calls
 * cs_engine_process (or, with a live stretcher, pops its reserve) and counts
 * late or overlong callbacks as xruns. */
cs_output *cs_output_open(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                          cs_err *err);
/* Closes the device (joins SDL's audio thread: a callback stuck in a
 * driver blocks it, see cs_output_calls); the last device closed stops
 * SDL's audio, so the next open lists devices anew. */
void cs_output_close(cs_output *o);

/* ---- device loss (player/driver/device.c): loop thread only ---- */

/* Test hook: a fault the callback plays out (tests only; device.h's
 * CS_TEST_AUDIO sets it).  STALL: from at_s after the open, the callback
 * sleeps before it enters the engine, for for_s or until the device is
 * held (a driver that stops calling back, with no event).  HANG: it sleeps
 * inside the engine for good (our own audio code stuck). */
enum { CS_FAULT_NONE = 0, CS_FAULT_STALL, CS_FAULT_HANG };
typedef struct cs_output_fault {
    int kind;
    double at_s, for_s;
} cs_output_fault;
/* cs_output_open, started "held" when held is true (the callback plays
 * silence and never touches the engine until cs_output_release), with an
 * optional test fault (NULL: none). */
cs_output *cs_output_open_ex(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                             bool held, const cs_output_fault *fault, cs_err *err);
/* Stops the callback from entering the engine from now on.  True when it
 * is not inside it now either: the engine is the caller's to hand on.
 * False: a callback is inside; ask cs_output_engine_free again later. */
bool cs_output_hold(cs_output *o);
bool cs_output_engine_free(const cs_output *o);
/* Lets the callback run the engine (after cs_output_open_ex held). */
void cs_output_release(cs_output *o);
/* CLOCK_MONOTONIC ns at which the last callback that ran the engine began
 * (0: none yet), the callbacks SDL made so far (held ones included), the
 * period of one callback (ns), SDL's device id (SDL_AudioDeviceID, as
 * SDL_AUDIODEVICEREMOVED's `which` names it), and whether SDL reports the
 * device stopped (SDL_AUDIO_STOPPED: it marked it disconnected). */
int64_t cs_output_last_callback_ns(const cs_output *o);
uint64_t cs_output_calls(const cs_output *o);
int64_t cs_output_period_ns(const cs_output *o);
uint32_t cs_output_device_id(const cs_output *o);
bool cs_output_stopped(const cs_output *o);
/* Prints SDL's audio drivers and the output devices of the current one. */
int cs_output_list(FILE *f, cs_err *err);

#endif
