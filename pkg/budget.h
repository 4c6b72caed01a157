/* The stretch budget of a ladder export (issue 20): a track is rendered only
 * at the rungs within +-PCT % of its own BPM (DJs rarely stretch further:
 * 86.1 % of tracks change tempo by under 5 %, 94.5 % by under 10 %; Kim et
 * al., ISMIR 2020).  Pure arithmetic; any thread.
 *
 *   unsigned char keep[8];
 *   size_t n = cs_budget_pick(121, rungs, n_rungs, 8, keep);   // rungs 114..130
 *   cs_budget_reach(121, 8, &lo, &hi);                         // 111.32 .. 130.68
 *   size_t g = cs_budget_gaps(reach_lo, reach_hi, n_tracks, 98, 134, gaps, 8);
 */
#ifndef CS_BUDGET_H
#define CS_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

/* pct <= 0: no budget (every rung is within). */
bool cs_budget_within(double track_bpm, double rung_bpm, double pct);

/* keep[k] = 1 for each of rungs[0..n) within the budget of track_bpm; when
 * none is, the nearest rung alone (so the track still plays) and
 * *fallback (may be NULL) is set.  Returns how many are kept. */
size_t cs_budget_pick(double track_bpm, const double *rungs, size_t n, double pct, unsigned char *keep,
                      bool *fallback);

/* The tempo range track_bpm reaches within the budget: bpm x (1 -+ pct/100). */
void cs_budget_reach(double track_bpm, double pct, double *lo, double *hi);

/* The parts of [lo, hi] (BPM, the ladder's range) that no track's reach
 * [reach_lo[i], reach_hi[i]] (i < n; from cs_budget_reach) covers,
 * as up to `max` [from, to] pairs in ascending order.  Returns how many
 * gaps there are (may exceed max; only max are written).  Allocates
 * nothing and cannot fail. */
size_t cs_budget_gaps(const double *reach_lo, const double *reach_hi, size_t n, double lo, double hi,
                      double (*gaps)[2], size_t max);

#endif
