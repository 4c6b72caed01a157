/* Ladder sets: the set plays track after track from pre-rendered rungs, and
 * the tempo follows the controller with NO live time-stretching
 * (docs/guide.md "How a set plays"; the rules: docs/contract.md "Tempo rules").
 *
 * Each deck (A, B) plays the rung nearest the current BPM at rate bpm / rung
 * (a small resample).  When another rung gets nearer (with hysteresis, or
 * the rate leaves ±max_dev) the deck switches on a beat: the new rung's
 * stream starts exactly at that beat's frame, at the same effective tempo,
 * with a 40 ms equal-power fade.  The next track starts on the other deck as
 * the transition planner (pkg/transition.h) says: on a phrase boundary of
 * the current track near its begin cue, the incoming phrase start downbeat
 * on that downbeat to the sample, and the decks crossfade (equal power) over
 * a whole number of bars; with a bass swap (the default) the incoming deck's
 * low band is cut until a downbeat mid-fade, where the low band passes from
 * the outgoing deck to the incoming one.
 *
 * Exactness: the ladder keeps each voice's position as a function of sample
 * time (rate changes are engine commands stamped with their sample time), so
 * it knows where every beat is.  All voices change rate at the same sample,
 * to the same effective BPM, so decks never drift apart; a start that depends
 * on a position freezes rates (all decks) until it has happened.
 *
 * The layer between control and the surfaces (player/set/): it uses
 * control, the engine and pkg/; control learns of it only through the
 * cs_control_ladder hooks (its frame down, one state callback up).
 * Runs on the control thread through those hooks.  Its input is
 * the frame the control tick pushes every tick (now, BPM, target BPM,
 * movement: cs_control_frame); it never reads the control's status back.
 *   cs_ladder *l = cs_ladder_new(&set, control, engine, reader, &opts, &err);
 *   cs_control_ladder h = cs_ladder_hooks(l);
 *   cs_control_set_ladder(control, &h);
 *   ... cs_control_tick() pushes its frame; /cs/next calls next ...
 *   cs_ladder_free(l);        // unplugs the hooks, writes the plot, closes the trace
 *
 * No engine command is lost to a full command queue (ladder_cmd.h): a
 * step the model depends on (an attach, a start with its fade and release,
 * a rate change of every voice) is sent only when the queue has room for
 * all of it, else retried on a later tick, so the position model is always
 * the engine's; levels, fades and releases the queue refuses wait on the
 * control side, in order, and go on the next tick with their stamps.
 */
#ifndef CS_PLAYER_LADDER_H
#define CS_PLAYER_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/err.h"
#include "pkg/ladderset.h"
#include "player/control/control.h"

typedef struct cs_ladder_opts {
    bool loop;               /* --loop-set: after the last track, the first */
    uint64_t lead;           /* frames between a decision and its command time
                                (live: more than one device buffer; render: 0) */
    double prepare_s;        /* seconds to open a stream before it is needed */
    double hysteresis;       /* BPM; <= 0: 5% of the rung step, at most 0.5 */
    double max_dev;          /* rate bound that forces a switch (0.02) */
    double volume;           /* voice volume (0.8, as the original's --vol) */
    int meter;               /* beats per bar where a grid has no downbeats (0: 4) */
    int fade_bars;           /* transitions: fade length in bars (0: from the material, 8..32) */
    bool plain_fade;         /* transitions: equal-power fade only (--transition fade), no bass swap */
    bool order_auto;         /* running order: chosen at each transition (pkg/order.h);
                                false: the set's order (the CSV's, the library's) */
    int key_rule;            /* order_auto: cs_key_rule (pkg/order.h) */
    int extend_phrases;      /* --extend-phrases N: movement in its top band repeats the
                                current track's last phrase before the handover (at most
                                N times per track); in its bottom band the handover comes
                                up to N phrases early.  0: off */
    const cs_tempo_config *tempo;  /* the movement map (bands for --extend-phrases, movement
                                for energy); NULL: the defaults.  Must outlive the ladder. */
    double max_stretch;      /* stretch budget, a fraction of each track's own BPM (0.08):
                                rungs beyond it are not played, and with order_auto the set
                                hands over to a track that reaches the target; <= 0: none */
    const char *trace_path;  /* CSV every 100 ms of engine time, or NULL */
    const char *plot_path;   /* SVG of the trace at the end, or NULL */
} cs_ladder_opts;

typedef struct cs_ladder cs_ladder;

/* Takes over *set (emptied).  Reserves four engine voices from c
 * (cs_control_reserve_voices: 60..63) and plays on decks A and B.  These
 * four, like the hooks they hand control, are control thread only. */
cs_ladder *cs_ladder_new(cs_lset *set, cs_control *c, cs_engine *e, cs_reader *r,
                         const cs_ladder_opts *o, cs_err *err);
/* The hooks to give cs_control_set_ladder. */
cs_control_ladder cs_ladder_hooks(cs_ladder *l);
/* True once the set has played out (no --loop-set). */
bool cs_ladder_done(const cs_ladder *l);
/* Unplugs its hooks from the control (when they are still in), writes the
 * plot (when asked), closes the trace. */
void cs_ladder_free(cs_ladder *l);

/* ---- the pure parts (ladder_plan.c), unit-tested; any thread ---- */

/* Which rung to play at `bpm` (rungs sorted ascending, n > 0) when `cur` is
 * playing (-1: none yet → the nearest).  Switches only when another rung is
 * nearer by more than hyst BPM, or when cur's rate would leave ±max_dev and
 * a nearer rung exists.  Rungs flagged in `bad` (bad[k] != 0; n entries, or
 * NULL: none) are never chosen unless nothing else is left. */
int cs_ladder_pick_rung(const double *rungs, size_t n, int cur, double bpm, double hyst,
                        double max_dev, const unsigned char *bad);
/* Default hysteresis for a ladder: 5% of its smallest step, <= 0.5. */
double cs_ladder_default_hyst(const double *rungs, size_t n);

/* The same musical place in another rung: pos (frames of the old rung's
 * file) × rung_old / rung_new, where rung_* is each rung's speed (its BPM /
 * the track's BPM: cs_lset_rung.speed) or, equally, its BPM.  The rung
 * switch (ladder.c) cues the new rung's stream with it. */
static inline double cs_ladder_map_pos(double pos, double rung_old, double rung_new)
{
    return pos * rung_old / rung_new;
}

/* Beat grid in u (seconds of the original after ini_cue): `beats` (sorted,
 * may be empty) extended with `period` beyond its ends; empty: k × period.
 * Returns the first beat >= u and its index (index 0 = the first beat >= 0). */
double cs_ladder_beat_at_or_after(const cs_dvec *beats, double period, double u, long *index);
/* The beat nearest `u` (the handover cue snapped to the grid). */
double cs_ladder_beat_nearest(const cs_dvec *beats, double period, double u, long *index);
/* First bar line (beat index multiple of meter) >= u. */
double cs_ladder_bar_at_or_after(const cs_dvec *beats, double period, double u, int meter);

/* Sample time at which a voice at position p_ref (frames) at t_ref, reading
 * `rate` frames per sample, reaches position p (rounded to the nearest
 * sample; never before t_ref). */
uint64_t cs_ladder_time_at(uint64_t t_ref, double p_ref, double rate, double p);

/* Equal-power crossfade gains at x in [0, 1]: out = cos(πx/2), in = sin(πx/2). */
void cs_ladder_eqpow(double x, double *g_out, double *g_in);

#endif
