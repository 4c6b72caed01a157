/* The arithmetic of ladder sets (see ladder.h): rung choice, beat grids,
 * position-to-time, crossfade gains.  No state, no I/O. */
#include "player/set/ladder.h"

#include <math.h>

int cs_ladder_pick_rung(const double *rungs, size_t n, int cur, double bpm, double hyst,
                        double max_dev, const unsigned char *bad)
{
    if (n == 0) return -1;
    int best = -1;
    for (size_t k = 0; k < n; k++) {
        if (bad && bad[k]) continue;
        if (best < 0 || fabs(rungs[k] - bpm) < fabs(rungs[best] - bpm)) best = (int)k;
    }
    if (best < 0) return cur >= 0 ? cur : 0;          /* every rung bad: stay */
    if (cur < 0 || (size_t)cur >= n || best == cur) return best;
    double d_cur = fabs(rungs[cur] - bpm), d_best = fabs(rungs[best] - bpm);
    /* The hysteresis keeps a BPM hovering at a midpoint from flapping; the
     * rate bound wins over it so the resample stays small. */
    if (d_best + hyst < d_cur) return best;
    if (fabs(bpm / rungs[cur] - 1.0) > max_dev && d_best < d_cur) return best;
    return cur;
}

double cs_ladder_default_hyst(const double *rungs, size_t n)
{
    double step = INFINITY;
    for (size_t k = 1; k < n; k++)
        if (rungs[k] - rungs[k - 1] > 0 && rungs[k] - rungs[k - 1] < step) step = rungs[k] - rungs[k - 1];
    double h = 0.05 * step;
    return isfinite(h) && h < 0.5 ? h : 0.5;
}

/* Index of the first beat >= 0 in a non-empty vector. */
static size_t first_nonneg(const cs_dvec *b)
{
    size_t i = 0;
    while (i < b->n && b->v[i] < -1e-9) i++;
    return i;
}

double cs_ladder_beat_at_or_after(const cs_dvec *beats, double period, double u, long *index)
{
    const double eps = 1e-9;
    if (!beats || beats->n == 0) {
        long k = (long)ceil(u / period - eps);
        if (index) *index = k;
        return (double)k * period;
    }
    size_t z = first_nonneg(beats);
    const double *v = beats->v;
    size_t n = beats->n;
    if (u <= v[0] + eps) {                       /* before the grid: extend backwards */
        long k = (long)floor((v[0] - u) / period + eps);
        if (index) *index = (long)0 - (long)z - k;
        return v[0] - (double)k * period;
    }
    if (u > v[n - 1] + eps) {                    /* after it: extend forwards */
        long k = (long)ceil((u - v[n - 1]) / period - eps);
        if (index) *index = (long)(n - 1) - (long)z + k;
        return v[n - 1] + (double)k * period;
    }
    size_t lo = 0, hi = n - 1;                   /* v[lo] < u <= v[hi] */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] + eps < u) lo = mid;
        else hi = mid;
    }
    if (v[lo] + eps >= u) hi = lo;
    if (index) *index = (long)hi - (long)z;
    return v[hi];
}

double cs_ladder_beat_nearest(const cs_dvec *beats, double period, double u, long *index)
{
    long k;
    double after = cs_ladder_beat_at_or_after(beats, period, u, &k);
    long kb;
    double before = cs_ladder_beat_at_or_after(beats, period, u - period, &kb);
    /* `before` may equal `after` on an irregular grid; any beat < u will do. */
    if (before < after && u - before < after - u) {
        if (index) *index = kb;
        return before;
    }
    if (index) *index = k;
    return after;
}

double cs_ladder_bar_at_or_after(const cs_dvec *beats, double period, double u, int meter)
{
    if (meter < 1) meter = 1;
    long k;
    double b = cs_ladder_beat_at_or_after(beats, period, u, &k);
    for (int guard = 0; guard < 4 * meter && ((k % meter) + meter) % meter != 0; guard++)
        b = cs_ladder_beat_at_or_after(beats, period, b + 1e-6, &k);
    return b;
}

uint64_t cs_ladder_time_at(uint64_t t_ref, double p_ref, double rate, double p)
{
    if (!(rate > 0) || p <= p_ref) return t_ref;
    return t_ref + (uint64_t)llround((p - p_ref) / rate);
}

void cs_ladder_eqpow(double x, double *g_out, double *g_in)
{
    if (!(x > 0)) x = 0;
    if (x > 1) x = 1;
    *g_out = cos(M_PI_2 * x);
    *g_in = sin(M_PI_2 * x);
}
