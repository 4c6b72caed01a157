/* The stretch budget (see budget.h). */
#include "pkg/budget.h"

#include <math.h>
#include <stdlib.h>

/* A rung at exactly the budget's edge is within it (118.8 for 110 at 8 %). */
#define EDGE 1e-9

bool cs_budget_within(double track_bpm, double rung_bpm, double pct)
{
    if (!(pct > 0)) return true;
    return fabs(rung_bpm / track_bpm - 1.0) <= pct / 100.0 + EDGE;
}

size_t cs_budget_pick(double track_bpm, const double *rungs, size_t n, double pct, unsigned char *keep,
                      bool *fallback)
{
    size_t kept = 0, nearest = 0;
    for (size_t k = 0; k < n; k++) {
        keep[k] = cs_budget_within(track_bpm, rungs[k], pct);
        kept += keep[k];
        if (fabs(rungs[k] - track_bpm) < fabs(rungs[nearest] - track_bpm)) nearest = k;
    }
    if (fallback) *fallback = kept == 0 && n > 0;
    if (kept == 0 && n > 0) {
        keep[nearest] = 1;
        kept = 1;
    }
    return kept;
}

void cs_budget_reach(double track_bpm, double pct, double *lo, double *hi)
{
    double p = pct > 0 ? pct / 100.0 : INFINITY;
    *lo = isinf(p) ? 0 : track_bpm * (1.0 - p);
    *hi = isinf(p) ? INFINITY : track_bpm * (1.0 + p);
}

size_t cs_budget_gaps(const double *reach_lo, const double *reach_hi, size_t n, double lo, double hi,
                      double (*gaps)[2], size_t max)
{
    /* A sweep without a sorted copy: each step either extends the covered
     * prefix to the farthest reach starting inside it, or records the gap
     * up to the next reach's start.  O(n^2) for n tracks (hundreds), and no
     * allocation: a failed one would have read as "no gaps". */
    size_t g = 0;
    double covered = lo;     /* everything below this is reached (or outside [lo, hi]) */
    while (covered < hi) {
        double far = covered, next = INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (reach_lo[i] <= covered && reach_hi[i] > far) far = reach_hi[i];
            if (reach_lo[i] > covered && reach_lo[i] < next) next = reach_lo[i];
        }
        if (far > covered) {
            covered = far;
            continue;
        }
        double to = next < hi ? next : hi;
        if (g < max) { gaps[g][0] = covered; gaps[g][1] = to; }
        g++;
        covered = to;
    }
    return g;
}
