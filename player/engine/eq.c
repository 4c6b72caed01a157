/* The deck EQ and the master soft clip, with the original server's maths
 * (docs/osc.md "The deck EQ") but per-sample gain smoothing. */
#include "player/engine/engine_int.h"

#include <math.h>
#include <string.h>

/* The coefficients at the engine's rate CS_RATE (pkg/rate.h), derived from
 * it: a one-pole filter with cutoff fc has pole a = e^(−2π·fc/fs) (the
 * impulse-invariant one-pole: J. O. Smith, "Introduction to Digital
 * Filters", "One-Pole"; the original server's values at 44.1 kHz are
 * docs/osc.md "The deck EQ": 0.971907 and 0.752051); the gain smoother
 * reaches 1 − 1/e of a step in 50 ms: 1 − e^(−1/(0.05·fs)).  Constant
 * arguments: the compiler folds them (GCC folds exp of a constant at every
 * -O), so the callback computes nothing. */
#define EQ_FS ((double)CS_RATE)
#define EQ_A_LOW ((float)exp(-2.0 * M_PI * 200.0 / EQ_FS))
#define EQ_A_HIGH ((float)exp(-2.0 * M_PI * 2000.0 / EQ_FS))
#define EQ_SMOOTH ((float)(1.0 - exp(-1.0 / (0.05 * EQ_FS))))

void cs_eq_reset(cs_eq *q)
{
    for (int c = 0; c < 2; c++) q->lp[c] = q->hp[c] = q->xp[c] = 0.0f;
    for (int b = 0; b < 3; b++) q->g[b] = q->t[b] = 1.0f;
    q->idle = false;
    q->hfill = q->hpos = 0;
}

static void record(cs_eq *q, const float *buf, int n)
{
    if (!q->idle) {
        q->idle = true;
        q->hfill = q->hpos = 0;
    }
    if (n > CS_EQ_HIST) {
        buf += 2 * (n - CS_EQ_HIST);
        n = CS_EQ_HIST;
    }
    int first = CS_EQ_HIST - q->hpos < n ? CS_EQ_HIST - q->hpos : n;
    memcpy(q->hist + 2 * q->hpos, buf, sizeof(float) * 2 * (size_t)first);
    memcpy(q->hist, buf + 2 * first, sizeof(float) * 2 * (size_t)(n - first));
    q->hpos = (q->hpos + n) % CS_EQ_HIST;
    q->hfill = q->hfill + n > CS_EQ_HIST ? CS_EQ_HIST : q->hfill + n;
}

/* Leaving idle: run the filters over the recorded input.  With less than
 * the whole history the state from before idling is still exact to start
 * from; with all of it, zero is (older input has decayed below 2e-13). */
static void rebuild(cs_eq *q)
{
    int start = q->hfill < CS_EQ_HIST ? 0 : q->hpos;
    if (q->hfill == CS_EQ_HIST) {
        for (int c = 0; c < 2; c++) {
            q->lp[c] = q->hp[c] = 0.0f;
            q->xp[c] = q->hist[2 * start + c];
        }
    }
    for (int i = 0; i < q->hfill; i++) {
        const float *x = q->hist + 2 * ((start + i) % CS_EQ_HIST);
        for (int c = 0; c < 2; c++) {
            q->lp[c] = (1.0f - EQ_A_LOW) * x[c] + EQ_A_LOW * q->lp[c];
            q->hp[c] = EQ_A_HIGH * (q->hp[c] + x[c] - q->xp[c]);
            q->xp[c] = x[c];
        }
    }
    q->idle = false;
}

void cs_eq_set(cs_eq *q, int band, float gain)
{
    if (band >= 0 && band < 3) q->t[band] = gain;
}

void cs_eq_process(cs_eq *q, float *buf, int n)
{
    if (q->g[0] == 1.0f && q->g[1] == 1.0f && q->g[2] == 1.0f && q->t[0] == 1.0f && q->t[1] == 1.0f &&
        q->t[2] == 1.0f) {
        record(q, buf, n);      /* flat: the output is the input */
        return;
    }
    if (q->idle) rebuild(q);
    float lp0 = q->lp[0], lp1 = q->lp[1], hp0 = q->hp[0], hp1 = q->hp[1];
    float xp0 = q->xp[0], xp1 = q->xp[1];
    float gl = q->g[0], gm = q->g[1], gh = q->g[2];
    const float tl = q->t[0], tm = q->t[1], th = q->t[2];
    bool moving = gl != tl || gm != tm || gh != th;
    for (int i = 0; i < n; i++) {
        if (moving) {
            gl += (tl - gl) * EQ_SMOOTH;
            gm += (tm - gm) * EQ_SMOOTH;
            gh += (th - gh) * EQ_SMOOTH;
        }
        float x0 = buf[2 * i], x1 = buf[2 * i + 1];
        lp0 = (1.0f - EQ_A_LOW) * x0 + EQ_A_LOW * lp0;
        lp1 = (1.0f - EQ_A_LOW) * x1 + EQ_A_LOW * lp1;
        hp0 = EQ_A_HIGH * (hp0 + x0 - xp0);
        hp1 = EQ_A_HIGH * (hp1 + x1 - xp1);
        xp0 = x0;
        xp1 = x1;
        /* gl·lp + gm·(x − lp − hp) + gh·hp, regrouped: one multiply less,
         * and exactly x when all gains are 1. */
        float dl = gl - gm, dh = gh - gm;
        buf[2 * i] = gm * x0 + dl * lp0 + dh * hp0;
        buf[2 * i + 1] = gm * x1 + dl * lp1 + dh * hp1;
    }
    /* Snap once close: the exponential approach never lands exactly, and a
     * settled EQ should cost no smoothing work. */
    if (moving) {
        if (fabsf(tl - gl) < 1e-5f) gl = tl;
        if (fabsf(tm - gm) < 1e-5f) gm = tm;
        if (fabsf(th - gh) < 1e-5f) gh = th;
    }
    q->lp[0] = lp0; q->lp[1] = lp1; q->hp[0] = hp0; q->hp[1] = hp1;
    q->xp[0] = xp0; q->xp[1] = xp1;
    q->g[0] = gl; q->g[1] = gm; q->g[2] = gh;
}
