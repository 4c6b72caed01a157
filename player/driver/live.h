/* The live loop: the OSC server, the SDL2 device and the control thread's
 * tick, run until a stop is asked (SIGINT/SIGTERM set *stop) or the ladder
 * set has played its last track.  The offline counterpart is render.h.
 *
 *   cs_live_job job = { .control = c, .engine = e, .bind = "0.0.0.0",
 *                       .port = 57120, .buffer_frames = 1024, .stop = &flag };
 *   int rc = cs_live_run(&job, &err);
 */
#ifndef CS_PLAYER_LIVE_H
#define CS_PLAYER_LIVE_H

#include <signal.h>

#include "pkg/err.h"
#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/engine/reader.h"
#include "player/engine/stretch_live.h"
#include "player/set/ladder.h"
#include "player/surface/osc.h"
#include "player/driver/dashboard.h"
#include "player/driver/http.h"

typedef struct cs_live_job {
    cs_control *control;
    cs_engine *engine;
    cs_reader *reader;              /* its news wakes the loop (cs_reader_set_news); or NULL */
    const char *bind;               /* OSC address to bind ("0.0.0.0", "::", ...) */
    int port;                       /* OSC UDP port */
    const char *device;             /* SDL device name or index; NULL: default */
    int buffer_frames;              /* frames per device callback */
    double device_wait;             /* seconds to wait for a missing device
                                       (< 0: until stopped; 0: fail at once) */
    cs_live_stretch *stretch;       /* threaded master-mix stretcher, or NULL */
    cs_ladder *ladder;              /* the loop ends when its set is done; or NULL */
    cs_osc_script *timed;           /* messages run at their time since launch
                                       (--dummy_after); borrowed; or NULL */
    /* Run once the socket and the device are open (e.g. --a/--b autoplay). */
    void (*on_start)(cs_control *c, void *user);
    void *user;
    volatile sig_atomic_t *stop;    /* set by the caller's signal handler */
    /* Watching the set (all optional): 4 status snapshots a second go to */
    bool status_line;               /* ONE line kept in place at the bottom of
                                       stderr (a terminal; cs_log_status_line) */
    double status_log_s;            /* else a plain "status:" log line this often (0: never) */
    cs_http *http;                  /* the --http page (borrowed) */
    cs_dashboard *dashboard;        /* /audio/bpm while a ladder set plays (borrowed) */
} cs_live_job;

/* Opens the OSC socket first (early messages are not lost while the device
 * is probed), then the device, watched (device.h: a lost device is reopened
 * every second while the set plays on); tells systemd (notify.h); runs the
 * loop; closes both and prints the session's summary line on stdout (the
 * device losses, the unknown OSC addresses seen).  Returns 0, or -1 with
 * err set when the socket or the device cannot be opened at the start. */
int cs_live_run(const cs_live_job *job, cs_err *err);

#endif
