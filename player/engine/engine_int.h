/* Engine internals shared by engine.c, voice.c and eq.c (and the unit tests):
 * the linear ramp, the voice (resampling stream reader) and the deck EQ.
 * Everything here runs on the audio thread unless said otherwise. */
#ifndef CS_PLAYER_ENGINE_INT_H
#define CS_PLAYER_ENGINE_INT_H

#include <assert.h>
#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "player/engine/engine.h"

/* Linear ramp towards a target over a fixed number of frames: the exact
 * end value is reached (no exponential tail), and each change is ≥ 5 ms. */
typedef struct cs_ramp {
    float cur, target, step;
    int n;                    /* frames left */
} cs_ramp;

static inline void cs_ramp_jump(cs_ramp *r, float v)
{
    r->cur = r->target = v;
    r->step = 0;
    r->n = 0;
}

static inline void cs_ramp_to(cs_ramp *r, float target, int frames)
{
    if (frames < 1) frames = 1;
    r->target = target;
    r->step = (target - r->cur) / (float)frames;
    r->n = frames;
}

static inline float cs_ramp_next(cs_ramp *r)
{
    if (r->n > 0) {
        r->cur += r->step;
        if (--r->n == 0) r->cur = r->target;
    }
    return r->cur;
}

static inline void cs_ramp_skip(cs_ramp *r, int frames)
{
    if (r->n <= 0) return;
    if (frames >= r->n) {
        cs_ramp_jump(r, r->target);
    } else {
        r->cur += r->step * (float)frames;
        r->n -= frames;
    }
}

/* A voice: one stream read at a variable rate through a 4-point cubic
 * Hermite interpolator.  h[0..3] hold frames x[-1], x[0], x[1], x[2]; the
 * output is at x[0] + frac.  frac is a double carried across blocks, so the
 * position is exact (no per-block truncation). */
typedef struct cs_voice {
    cs_stream *s;
    int deck;
    int state;                /* enum cs_voice_state (audio-private copy) */
    bool stopping;            /* ramping out; then stop or release */
    bool release_after;
    double rate;
    double frac;
    float h[4][2];
    int zeros;                /* frames of padding pulled after the end */
    cs_ramp vol;
    atomic_int pub_state;     /* what the control thread sees */
} cs_voice;

/* The voice states' invariant, assert()ed where the audio thread changes a
 * state (engine.c apply, render): EMPTY exactly when there is no stream;
 * with a stream, a deck in 0..CS_DECKS-1 and a rate > 0.  Debug and test
 * builds only (the release build defines NDEBUG): an abort there is a bug
 * found, never a behaviour. */
#define CS_VOICE_ASSERT(v)                                                                    \
    assert((v)->state >= CS_VOICE_EMPTY && (v)->state <= CS_VOICE_ENDED &&                    \
           ((v)->state == CS_VOICE_EMPTY) == ((v)->s == NULL) &&                              \
           ((v)->state == CS_VOICE_EMPTY || ((v)->deck >= 0 && (v)->deck < CS_DECKS && (v)->rate > 0)))

/* Prepares v to play s from its first frame. */
void cs_voice_reset(cs_voice *v, cs_stream *s, int deck);
/* Adds n frames × volume into bus (interleaved stereo).  Returns true when
 * the ring ran dry before the block was done (an underrun).  Sets
 * v->state to CS_VOICE_ENDED when a non-looping stream is finished. */
bool cs_voice_render(cs_voice *v, float *bus, int n, double global_rate);

/* One deck's cut-only 3-band EQ: one-pole low-pass at 200 Hz, one-pole
 * high-pass at 2 kHz, mid = input − low − high, gains smoothed per sample
 * with a 50 ms time constant (the original smoothed once per block).
 *
 * While all gains sit at 1 the output is the input, so the filters are not
 * run ("idle"); the last CS_EQ_HIST input frames are kept instead, and when
 * a gain leaves flat the filter states are rebuilt from them.  Both poles
 * forget faster than 0.972^1024 ≈ 2e-13, so the rebuilt state equals the
 * always-running one to float precision: no click. */
#define CS_EQ_HIST 1024
typedef struct cs_eq {
    float lp[2], hp[2], xp[2];
    float g[3], t[3];
    bool idle;
    int hfill, hpos;          /* idle frames recorded; next write index */
    float hist[2 * CS_EQ_HIST];
} cs_eq;

void cs_eq_reset(cs_eq *q);
void cs_eq_set(cs_eq *q, int band, float gain);
void cs_eq_process(cs_eq *q, float *buf, int n);

/* tanh in float, branch-free so loops over it vectorise: relative error
 * below 3e-7 everywhere (test_engine checks < 1e-6 against double tanh),
 * about 5x cheaper than libm's tanhf.  |x| < 0.35: odd Taylor series to
 * x^11 (truncation < 2e-8); else 1 − 2/(e^{2|x|} + 1) with e^y = 2^k·2^f,
 * f in [−0.5, 0.5] by a degree-7 series. */
static inline float cs_tanhf(float x)
{
    float a = fabsf(x);
    if (!(a <= 9.0f)) a = 9.0f;      /* tanh(9) ≈ 1 in float; keeps 2^k finite; NaN → ±1 */
    float s = a * a;
    float p = a * (1.0f + s * (-1.0f / 3 + s * (2.0f / 15 + s * (-17.0f / 315 +
                  s * (62.0f / 2835 + s * (-1382.0f / 155925))))));
    float t = 2.0f * a * 1.44269504f;
    int k = (int)(t + 0.5f);
    float f = (t - (float)k) * 0.693147181f;
    float e = 1.0f + f * (1.0f + f * (0.5f + f * (1.0f / 6 + f * (1.0f / 24 + f * (1.0f / 120 +
              f * (1.0f / 720 + f * (1.0f / 5040)))))));
    uint32_t bits = (uint32_t)(k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float q = 1.0f - 2.0f / (e * scale + 1.0f);
    return copysignf(a < 0.35f ? p : q, x);
}

/* The soft clip on the master: 0.9·tanh(0.9·x). */
static inline float cs_soft_clip(float x) { return 0.9f * cs_tanhf(0.9f * x); }

#endif
