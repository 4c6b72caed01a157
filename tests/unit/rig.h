/* Shared unit-test rigs: the engine, its reader and (optionally) the
 * control thread, set up as `cs play --render` sets them up (render mode,
 * reader pumped synchronously), and the helpers several unit files need.
 *
 *   rig g;
 *   cs_control_config cfg = rig_config();
 *   rig_open(&g, &cfg, 2.0);           // control + 2 s of output kept
 *   ... cs_control_* / cs_engine_* ...
 *   rig_render_to(&g, 44100);          // tick, pump, process up to 1 s
 *   rig_close(&g);
 *
 * Linked into every unit binary with unit.c (Makefile). */
#ifndef CS_TESTS_RIG_H
#define CS_TESTS_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lo/lo.h>

#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/engine/reader.h"
#include "player/set/ladder.h"

typedef struct rig {
    cs_engine *e;
    cs_reader *r;             /* unthreaded: pumped by the rig */
    cs_control *c;            /* with a configuration only, else NULL */
    uint64_t t;               /* samples rendered by rig_render_to */
    float *out;               /* everything rendered, interleaved stereo */
    size_t cap;               /* frames `out` holds */
} rig;

/* The control configuration the rigs use: 120 BPM base, playback_rate,
 * default tempo controller, render mode, 4 beats a bar. */
cs_control_config rig_config(void);
/* Opens the engine and reader, and the control thread when cfg is given,
 * keeping `seconds` of output (0: none).  0, or -1 when something could not
 * be created (all freed). */
int rig_open(rig *g, const cs_control_config *cfg, double seconds);
/* Shuts the engine down, hands back retired streams, frees everything
 * (g->c may have been freed and set to NULL by the test). */
void rig_close(rig *g);
/* Renders up to sample `until` (at most cap) in 1000-frame blocks, setting
 * the control clock, pumping the reader and ticking the control thread
 * before each block as render mode does; then sets the clock to g->t. */
void rig_render_to(rig *g, uint64_t until);
/* Runs fn(arg) with stderr sent to a file; returns what it wrote (a static
 * buffer of 64 KiB, overwritten by the next call). */
char *rig_capture_stderr(void (*fn)(void *), void *arg);
/* Writes a `seconds`-long stereo float WAV of constants (l, r) into the
 * test's temporary folder; returns its path (static, four kept), NULL on
 * failure.  The first non-zero output sample of a channel is its start. */
const char *rig_dc_wav(const char *name, double seconds, float l, float r);
/* OSC into the control thread as the server hands it over: m serialised
 * to path, given to cs_osc_handle_packet, freed.  Returns its result. */
int rig_osc(rig *g, const char *path, lo_message m);
/* /load_buffer id path, then the reader pumped until the load is done. */
void rig_load(rig *g, int id, const char *path);
/* A bundle into control c the same way; b freed (recursively). */
void rig_osc_bundle(cs_control *c, lo_bundle b);
/* The time tag of render time s (render-mode tags count seconds from the
 * render's start). */
lo_timetag rig_tag(double s);
/* A new message of one int32 (a buffer id: /play_buffer, /stop_buffer). */
lo_message rig_msg_id(int id);
/* A rig playing a ladder set, as cs play sets one up (live stretching
 * disabled; the ladder's hooks given to control). */
typedef struct rig_ladder {
    rig g;
    cs_ladder *l;
} rig_ladder;
/* Opens x with the control thread and no output kept, and a ladder over
 * set (prepare 0.05 s ahead, 4 beats a bar); set is freed (cs_lset_free)
 * either way.  0, or -1 (all freed). */
int rig_ladder_open(rig_ladder *x, cs_lset *set);
void rig_ladder_close(rig_ladder *x);
/* Counts the occurrences of `needle` in `hay`. */
int rig_count(const char *hay, const char *needle);

#endif
