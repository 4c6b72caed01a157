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
#include <stdio.h>

#include "pkg/err.h"
#include "player/engine/engine.h"
#include "player/engine/stretch_live.h"

typedef struct cs_output cs_output;

/* Opens the device (NULL or "": the default) as float32 stereo 44.1 kHz with
 * buffer_frames per callback, and starts it.  The callback only calls
 * cs_engine_process (or, with a live stretcher, pops its reserve) and counts
 * late or overlong callbacks as xruns. */
cs_output *cs_output_open(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                          cs_err *err);
/* cs_output_open retried while the device cannot be opened (a USB sound
 * card not plugged in or not ready yet at boot): once a second, for up to
 * wait_s seconds (< 0: until *stop is set; 0: one try, as cs_output_open).
 * SDL's audio is restarted between tries so that it lists devices anew.
 * Logs once that it waits and why, and when the device came.  NULL with err
 * set when the wait ends without a device. */
cs_output *cs_output_open_wait(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                               double wait_s, volatile sig_atomic_t *stop, cs_err *err);
void cs_output_close(cs_output *o);
/* Prints SDL's audio drivers and the output devices of the current one. */
int cs_output_list(FILE *f, cs_err *err);

#endif
