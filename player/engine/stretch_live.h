/* Live time-stretch of the master mix (--stretch-method rubberband|wsola).
 *
 * The original server stretched its final mix in the audio loop in
 * independent batches, fed one block of mix per output block (so speed-ups
 * starved and slow-downs grew without bound), replayed stale audio after
 * returning to ratio 1, and ran pyrubberband backwards (docs/osc.md
 * "Tempo and the live stretcher").  Here one continuous stretcher (a Rubber
 * Band real-time stretcher,
 * or libavfilter's atempo driven live) runs in a worker thread that PULLS the
 * mix: it renders exactly as much engine input as the stretcher asks for to
 * keep a reserve of processed audio in an SPSC ring at its target.  The
 * device callback only pops from that ring (an empty ring is a counted
 * underrun and silence, never a wait) and then wakes the worker through a
 * semaphore (sem_post: async-signal-safe, never blocks), so the worker
 * sleeps between callbacks instead of polling.  The worker ("cs-stretch")
 * takes a priority just under the device thread's: SCHED_FIFO p - 1 under a
 * real-time device thread, its nice + 1 under a normal one; without the
 * privilege it stays at normal priority and says so once.
 *
 * Time: the engine's sample clock is the mix's own timeline (before the
 * stretch), so sample-accurate starts stay aligned with the music; at tempo
 * ratio r the output plays r mix seconds per second.  The stretcher stays in
 * the path at ratio 1 (constant latency, nothing stale to flush).
 *
 *   cs_live_stretch *ls = cs_live_stretch_new(engine, CS_STRETCH_RUBBERBAND, CS_STRETCH_FAST, true, 8192, &err);
 *   cs_live_stretch_set_tempo(ls, 132.0 / 120.0);   // control thread: faster
 *   cs_live_stretch_process(ls, out, frames);       // device callback
 *   cs_live_stretch_free(ls);                       // after the device stopped
 *
 * threaded = false (offline render): process() runs the worker's step on the
 * caller's thread, rendering just enough mix for the frames asked, so the
 * output is deterministic.
 */
#ifndef CS_PLAYER_STRETCH_LIVE_H
#define CS_PLAYER_STRETCH_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/err.h"
#include "pkg/stretch.h"
#include "player/engine/engine.h"

typedef struct cs_live_stretch cs_live_stretch;

/* method: CS_STRETCH_RUBBERBAND or CS_STRETCH_WSOLA.  reserve: frames of
 * processed audio the worker keeps ready (threaded only).  The reserve is
 * filled before this returns, so the device starts without an underrun. */
cs_live_stretch *cs_live_stretch_new(cs_engine *e, cs_stretch_method method, cs_stretch_quality q,
                                     bool threaded, int reserve,
                                     cs_err *err);
/* Stops the worker; call after the device callback stopped for good. */
void cs_live_stretch_free(cs_live_stretch *ls);

/* Tempo factor (current_bpm / base_bpm; > 1 plays faster), clamped to
 * [0.5, 2].  Any thread; the worker glides to it over ~20 ms. */
void cs_live_stretch_set_tempo(cs_live_stretch *ls, double tempo);

/* Audio side: `frames` stereo frames into out (interleaved).  Threaded: pops
 * the reserve only (real-time safe).  Unthreaded: renders what it needs. */
void cs_live_stretch_process(cs_live_stretch *ls, float *out, size_t frames);

/* Audio side: the mix (engine) frame at the head of the next output frame:
 * frames handed out so far × the tempo they were played at (exact at tempo
 * 1, where output frame k is mix frame k; an estimate while gliding). */
uint64_t cs_live_stretch_position(const cs_live_stretch *ls);

/* Frames of processed audio ready now. */
size_t cs_live_stretch_reserve(cs_live_stretch *ls);

#endif
