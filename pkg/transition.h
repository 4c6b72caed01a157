/* The transition planner: where a track change starts and ends in each part,
 * which downbeat of the incoming track lands on which downbeat of the
 * outgoing one, when the bass swaps, and the gains over the fade.  Pure: no
 * engine, no I/O, no allocation; any thread.  `cs plan` and the live ladder
 * (player/set/ladder.c) call the same function, so what plan prints is
 * what plays.
 *
 * Time is "u" (pkg/ladderset.h): seconds of the ORIGINAL track after its
 * ini_cue, the same for every rung.  A part holds u in [0, len_u].
 *
 * Bars and phrases.  Beat index k counts the grid's beats (k = 0 is beats[0];
 * beyond the grid's ends beats continue at its edge period).  Bars have
 * `meter` beats (0: the typical beat count between consecutive downbeats,
 * e.g. 3 for a Rekordbox Metro="3/4" grid; without downbeats, 4).  Bar lines
 * run from the first downbeat; without downbeats, from the first beat at or
 * after u = 0 (CS_TW_NO_DOWNBEATS).  Phrase boundaries: each section start
 * snapped to the nearest bar line, and every 8 bars after it until the next
 * one; without sections, every 8 bars from the part's first bar line.  DJs phrase
 * in 8-bar units and their fades last multiples of 8 bars, peaking at 32
 * beats (Kim et al., "A computational analysis of real-world DJ mixes",
 * ISMIR 2020).
 *
 * The plan.  The outgoing fade starts on a phrase boundary B of the
 * outgoing track at or after earliest_u, the one nearest prefer_u.  The
 * incoming track's phrase start P (its first section start, u = 0, snapped
 * to the nearest bar line) lands on B, downbeat on downbeat.  When P lies
 * before the part (the intro export cut away), the incoming deck starts at
 * its first bar line inside the part, that many bars after B, so both phrase
 * grids still coincide.  The incoming fade ends min_solo_bars before the
 * incoming's last phrase boundary with a bar of material after it (so the
 * track can hand over on a phrase in turn).  The fade lasts a whole number of bars: fade_bars,
 * or (0) the material's: the outgoing's bars from prefer_u to its end, in
 * whole phrases, 8..32 bars.  When either part has not enough material for
 * it (plus min_solo_bars of the incoming alone afterwards), first an
 * earlier phrase is tried, then the fade is shortened by phrases (32, 24,
 * 16, 8, then 4, 2, 1 bars), then any bar line is used (CS_TW_NO_PHRASE),
 * and last the fade runs from the next beat to what is left
 * (CS_TW_TOO_SHORT).  It never asks either part for more than it holds.
 */
#ifndef CS_TRANSITION_H
#define CS_TRANSITION_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/ladderset.h"

/* The solo the ladder and cs plan ask of each incoming track (bars). */
#define CS_TRANSITION_SOLO_BARS 2

/* One track's grid and part, in u.  Arrays are borrowed, sorted. */
typedef struct cs_tgrid {
    const double *beats;        /* NULL/0: a beat every 60/bpm from u = 0 */
    size_t n_beats;
    const double *downbeats;    /* NULL/0: bars from the first beat >= 0 */
    size_t n_downbeats;
    const double *sections;     /* section starts; NULL/0: phrases every 8 bars */
    size_t n_sections;
    double bpm;                 /* the track's own BPM (> 0) */
    double len_u;               /* the part's playable length */
    int meter;                  /* beats per bar; 0: from the downbeats */
} cs_tgrid;

typedef struct cs_topts {
    int fade_bars;              /* asked; 0: from the material (8..32) */
    double earliest_u;          /* outgoing: the fade starts no earlier */
    double prefer_u;            /* outgoing: the preferred handover; < 0: earliest_u */
    double min_solo_bars;       /* incoming alone after the fade (< 0: 0; default 0) */
    bool bass_swap;             /* plan a bass swap (else swap_* are -1) */
} cs_topts;

enum {
    CS_TW_NO_PHRASE = 1,        /* no phrase boundary within reach: on a bar line */
    CS_TW_SHORTENED = 2,        /* fade shorter than asked */
    CS_TW_EARLIER = 4,          /* started on a phrase before the preferred one */
    CS_TW_TOO_SHORT = 8,        /* a part shorter than a bar of fade: from the next beat */
    CS_TW_OUT_NO_DOWNBEATS = 16,/* outgoing grid without downbeats */
    CS_TW_IN_NO_DOWNBEATS = 32, /* incoming grid without downbeats */
};

typedef struct cs_tplan {
    double out_u0, out_u1;      /* outgoing: the fade (out_u0: the incoming deck starts) */
    double in_u0, in_u1;        /* incoming: where it starts (a bar line), the fade's end */
    double out_phrase_u;        /* the outgoing phrase boundary B (<= out_u0) */
    double in_phrase_u;         /* the incoming phrase start P paired with B (may be < 0) */
    double swap_out_u, swap_in_u;   /* the bass-swap downbeat on each side; -1: none */
    int bars;                   /* fade length in outgoing bars (0: a cut) */
    int bars_asked;             /* fade_bars, or the material's choice */
    int beats;                  /* fade length in beats */
    int out_meter, in_meter;
    long out_bar;               /* outgoing bar number of out_u0 (0: the part's first bar line) */
    long out_phrase;            /* phrase number of B counted from the part's first */
    bool phrase_aligned;        /* B is a phrase boundary */
    unsigned warn;              /* CS_TW_* */
} cs_tplan;

/* Plans the change from `out` to `in`.  0, or -1 when a grid is unusable
 * (bpm <= 0 or len_u not finite): *p then holds a cut at earliest_u. */
int cs_transition_plan(const cs_tgrid *out, const cs_tgrid *in, const cs_topts *o, cs_tplan *p);

/* Gains at outgoing position u (in u of the outgoing track): the decks'
 * levels (equal power over [out_u0, out_u1]: cos, sin of πx/2) and the
 * low-band gains of each deck's EQ (bass swap: outgoing 1 and incoming 0
 * before swap_out_u, the reverse from it; without a swap both 1). */
void cs_transition_gains(const cs_tplan *p, double u, double *g_out, double *g_in, double *lo_out,
                         double *lo_in);

/* A ladder set's change from `out` to `in` as the live ladder
 * (player/set/ladder_mix.c) and `cs plan` both make it: grids from the
 * tracks (meter where a grid has no downbeats: 0 = 4), the outgoing part
 * ending at out_end_u, the incoming's at cs_lset_part_end_u, the fade no
 * earlier than earliest_u, near the begin cue unless forced (/cs/next: the
 * next phrase), CS_TRANSITION_SOLO_BARS of incoming solo. */
int cs_transition_plan_lset(const cs_lset_track *out, double out_end_u, const cs_lset_track *in,
                            double earliest_u, bool forced, int fade_bars, bool bass_swap, int meter,
                            cs_tplan *p);
/* Where a track's part stops (u): its end cue or its shortest rung (frames
 * known after cs_lset_probe), less 5 ms. */
double cs_lset_part_end_u(const cs_lset_track *t);

/* The grid of a ladder-set track over a part of len_u. */
cs_tgrid cs_tgrid_of_lset(const cs_lset_track *t, double len_u);

/* Gives t its downbeats (absolute seconds in the original, within 16 s of
 * the part) and section starts (absolute, inside the part) in u, for the
 * planner.  0, -1 out of memory (t unchanged). */
int cs_lset_track_set_grid(cs_lset_track *t, const double *downbeats, size_t nd, const double *starts,
                           size_t ns);

/* Beats per bar of a grid (meter, or from its downbeats, else 4). */
int cs_tgrid_meter(const cs_tgrid *g);
/* u of beat index k (extended at the grid's edge periods). */
double cs_tgrid_beat_u(const cs_tgrid *g, long k);
/* The beat index nearest u. */
long cs_tgrid_beat_index(const cs_tgrid *g, double u);

/* The warnings of w as one "; "-separated phrase into buf (size bytes);
 * returns buf ("" for none). */
char *cs_transition_warn_text(unsigned w, char *buf, size_t size);

#endif
