/* The running order of a ladder set: which track plays next.  Pure: no
 * engine, no I/O, no allocation; any thread (the ladder calls it on the
 * control thread).
 *
 * Among the playable tracks not yet played this round (no repeat until every
 * playable track has played; then a new round, opened by the track playing
 * now), candidates rank by:
 *   1. tempo fit: the track reaches the target BPM (see cs_order_reach);
 *      tracks that do not reach it come after every track that does, the
 *      nearest first;
 *   2. key against the current track by the rule (cs_order_keys_fit):
 *      compatible < clash < unknown: a track without a key ranks after every
 *      keyed one and is never dropped (after the current track has no key,
 *      keyed tracks still come first);
 *   3. one cost in 0..2: energy mismatch |energy - movement| (0..1; 0.5 when
 *      either is unknown: as movement rises, higher-energy tracks come first)
 *      plus stretch |target / bpm - 1| / budget (0..1: the least stretched
 *      first);
 *   4. the index (deterministic: same pool, same history, same movement ->
 *      same choice).
 * Between 2 and 3, among tracks of one key class, the one with the fewest
 * onward key-compatible tracks left comes first and a compatible dead end
 * last (Warnsdorff's rule: chains and cycles of keys are walked whole).
 * Tempo fit outranks the round: when no unplayed track reaches the target
 * but one played before does (not the current), that one repeats (the why
 * says so); with none reaching at all, the nearest unplayed one plays.
 *
 *   cs_order_track pool[n] = {...};
 *   unsigned char played[n] = {0};
 *   cs_order_ask a = { .current = -1, .target_bpm = 120, .movement = 0.4,
 *                      .budget = 0.08, .max_dev = 0.02, .rule = CS_KEY_RULE_CAMELOT };
 *   char why[200];
 *   int next = cs_order_next(pool, n, played, &a, why, sizeof why);
 *   if (next >= 0) cs_order_mark(played, n, pool, next);   // when it starts
 */
#ifndef CS_ORDER_H
#define CS_ORDER_H

#include "pkg/ladderset.h"
#include <stdbool.h>
#include <stddef.h>

/* Key compatibility rules, all on the Camelot wheel (pkg/key.h codes):
 *   camelot  same key, ±1 on the same letter, relative (same number A<->B)
 *            (Mixed In Key's "harmonic mixing" set; the default);
 *   strict   same key or its relative only;
 *   loose    camelot plus ±2 on the same letter and the "energy boost"
 *            ±7 on the same letter (one semitone up/down);
 *   off      every pair fits (keys are not considered).
 * Tools disagree on the set (mixxx#16362), so the rule is selectable. */
typedef enum { CS_KEY_RULE_CAMELOT = 0, CS_KEY_RULE_STRICT, CS_KEY_RULE_LOOSE, CS_KEY_RULE_OFF } cs_key_rule;

/* "camelot", "strict", "loose", "off"; NULL for other values. */
const char *cs_key_rule_name(cs_key_rule r);

/* 1: keys a and b (pkg/key.h codes 0..23) fit by rule r; 0: they clash;
 * -1: a or b unknown (< 0) and r is not off. */
int cs_order_keys_fit(int a, int b, cs_key_rule r);

typedef struct cs_order_track {
    double bpm;            /* its own BPM (> 0) */
    double lo, hi;         /* its lowest and highest rung, BPM (lo <= hi) */
    int key;               /* pkg/key.h code 0..23, < 0: unknown */
    double energy;         /* 0..1 (pkg/energy.h), < 0 or NaN: unknown */
    bool playable;         /* false: never chosen (its parts are missing) */
} cs_order_track;

typedef struct cs_order_ask {
    int current;           /* the track playing now, -1: none (the set's start) */
    double target_bpm;     /* where the tempo goes */
    double movement;       /* normalised 0..1, < 0: unknown */
    double budget;         /* stretch budget, fraction of a track's own BPM (0.08); <= 0: none */
    double max_dev;        /* the rate a deck may play off its rung (the ladder's ±0.02) */
    cs_key_rule rule;
    const unsigned long *last;   /* [n] when each track last started (a counter, 0: never),
                                    or NULL: an early repeat (see above) takes the least
                                    recently played of the key class first */
} cs_order_ask;

/* The tempo range track t can play at: its rungs [lo, hi] clipped to its own
 * bpm × (1 ± budget) when budget > 0, widened by the rate tolerance
 * (lo × (1 - max_dev), hi × (1 + max_dev)).  *rlo > *rhi when the budget
 * leaves no rung (then nothing reaches). */
void cs_order_reach(const cs_order_track *t, double budget, double max_dev, double *rlo, double *rhi);

/* 0 when t reaches bpm; else how far (BPM) bpm lies outside its reach. */
double cs_order_miss(const cs_order_track *t, double budget, double max_dev, double bpm);

/* The next track (index into pool[n]), or -1 when no track is playable.
 * played[n]: 1 = played this round; it is read, never written here (a new
 * round is taken as all zero but the current track).  why (size bytes, may
 * be NULL): one line for the log, e.g.
 *   "8A -> 9A (camelot +1); reaches 122.0 BPM (own 121.0, 0.8 % stretch); energy 0.62 for movement 0.70; 3 left this round"
 * and for a clash "clashes with 8A (camelot): no compatible track left". */
int cs_order_next(const cs_order_track *pool, size_t n, const unsigned char *played,
                  const cs_order_ask *a, char *why, size_t size);

/* Marks track i played: when every playable track has played, a new round
 * starts (played cleared but i).  Returns 1 when a new round began, else 0. */
/* The pool of set's tracks (pool[set->n], the caller's): each track's BPM,
 * its rungs' range, key, playable (it has rungs), and its energy as its rank
 * among the known ones (0: the calmest, 1: the most energetic; movement
 * 0..1 then spans the pool whatever the scale of the measure; ties share a
 * value).  The live ladder and cs plan build it alike, so what the plan
 * prints is what plays.  0, or -1 when out of memory.  Any thread. */
int cs_order_pool_from_lset(const cs_lset *set, cs_order_track *pool);

int cs_order_mark(unsigned char *played, size_t n, const cs_order_track *pool, int i);

#endif
