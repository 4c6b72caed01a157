/* The live output device, watched: an SDL2 device (sdl_output.h) that is
 * noticed when it goes away and reopened until it is back, while the set
 * plays on in silence on its own clock.
 *
 *   cs_device_config cfg = { .engine = e, .buffer_frames = 1024, .wait_s = -1, .stop = &flag };
 *   cs_device *d = cs_device_open(&cfg, &err);        // waits like --device-wait
 *   for (;;) { ...; double next = cs_device_check(d); ... }   // the live loop
 *   cs_device_close(d);
 *
 * Loss is detected two ways, whichever comes first:
 *  - SDL's SDL_AUDIODEVICEREMOVED event for our device (or SDL reporting it
 *    SDL_AUDIO_STOPPED): PulseAudio or PipeWire going away, a USB card
 *    unplugged under ALSA;
 *  - a watchdog on the callback's clock, for drivers that send no event:
 *    no callback ran the engine for CS_DEVICE_SILENT_S (or 3 periods, if
 *    longer; CS_DEVICE_FIRST_S in a device's first 2 s, while a sound
 *    server sets its stream up and prebuffers).  The
 *    live loop calls cs_device_check at least every
 *    CS_DEVICE_CHECK_S, so a loss is seen within SILENT + CHECK = 0.75 s.
 *
 * The set's clock rule: while the device is lost, a stand-in thread runs the
 * engine at the device's pace into a scratch buffer (the same work the
 * callback did, and it publishes the output clock the same way), so the
 * set goes on where it would be: tempo glides, crossfades, the ladder's
 * next track and time-tagged bundles all keep wall-clock time.  The engine
 * time the device failed to take before the loss was seen is made up at
 * up to 4x speed.  When the device is back, it plays the set from where it
 * has got to: never rewound, never ahead of the wall clock.
 *
 * Reopening: every CS_DEVICE_RETRY_S (1 s), the --device-wait path's one try
 * (cs_output_open: with no device open, SDL lists devices anew).  The new
 * device starts held (silent) and takes the engine from the stand-in at a
 * callback boundary.
 *
 * A callback stuck inside the engine itself (not in the driver) cannot be
 * taken over: it is logged, the engine stops advancing, and the systemd
 * watchdog (notify.h) restarts the player.
 *
 * Test hook: CS_TEST_AUDIO=KIND@AT[+FOR] (seconds after the first open)
 * simulates, under any driver (tests use SDL's dummy driver):
 *   remove@2+3  SDL_AUDIODEVICEREMOVED for our device at 2 s (pushed into
 *               SDL's event queue, read by the same code as a real one),
 *               and every reopen fails until 5 s;
 *   stall@2+3   the callback stops being called at 2 s, with no event (a
 *               driver that hangs), and reopens fail until 5 s;
 *   hang@2      the callback hangs inside the engine at 2 s, for good.
 * Unset (the normal case) costs nothing.
 *
 * All functions: the live loop's thread only. */
#ifndef CS_PLAYER_DEVICE_H
#define CS_PLAYER_DEVICE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "pkg/err.h"
#include "player/engine/engine.h"
#include "player/engine/stretch_live.h"

#define CS_DEVICE_CHECK_S 0.25   /* the live loop checks at least this often */
#define CS_DEVICE_SILENT_S 0.5   /* no callback this long: lost (watchdog) */
#define CS_DEVICE_RETRY_S 1.0    /* reopen tries while lost */
#define CS_DEVICE_FIRST_S 2.0    /* in the first 2 s after an open, a callback may take this long */

typedef struct cs_device cs_device;

typedef struct cs_device_config {
    cs_engine *engine;
    cs_live_stretch *stretch;     /* NULL: the engine's mix */
    const char *device;           /* SDL name or index; NULL or "": default */
    int buffer_frames;
    double wait_s;                /* --device-wait for the first open */
    volatile sig_atomic_t *stop;
    /* Called about once a second while the first open waits (e.g. to tell
     * systemd it is still starting); may be NULL. */
    void (*waiting)(void *user, double waited_s);
    void *user;
} cs_device_config;

typedef struct cs_device_state {
    bool lost;
    double lost_since;            /* Unix time (s) of the current (or last) loss; 0: never */
    double lost_s;                /* seconds lost so far (0 while not lost) */
    unsigned losses;              /* losses since start */
    bool stuck;                   /* a callback is stuck inside the engine */
    char why[160];                /* how the current (or last) loss was seen */
} cs_device_state;

/* Opens the device as cs_output_open_wait does (wait_s, *stop).  NULL with
 * err set when it cannot; the first open's failure is the only error. */
cs_device *cs_device_open(const cs_device_config *cfg, cs_err *err);
/* Reads SDL's events and the callback's clock; on a loss logs one warning
 * and hands the engine to the stand-in; while lost tries a reopen every
 * second and logs when the device is back.  Returns the seconds until it
 * wants to be called again (<= CS_DEVICE_CHECK_S). */
double cs_device_check(cs_device *d);
void cs_device_state_get(const cs_device *d, cs_device_state *st);
/* CLOCK_MONOTONIC ns of the latest engine block that reached an output
 * (the device or the stand-in): it stands still when the audio side does. */
int64_t cs_device_audio_ns(const cs_device *d);
/* Stops the stand-in and closes the device. */
void cs_device_close(cs_device *d);

#endif
