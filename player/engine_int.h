/* Engine internals shared by engine.c, voice.c and eq.c (and the unit tests):
 * the linear ramp, the voice (resampling stream reader) and the deck EQ.
 * Everything here runs on the audio thread unless said otherwise. */
#ifndef CS_PLAYER_ENGINE_INT_H
#define CS_PLAYER_ENGINE_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "player/engine.h"

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

/* Prepares v to play s from its first frame. */
void cs_voice_reset(cs_voice *v, cs_stream *s, int deck);
/* Adds n frames × volume into bus (interleaved stereo).  Returns true when
 * the ring ran dry before the block was done (an underrun).  Sets
 * v->state to CS_VOICE_ENDED when a non-looping stream is finished. */
bool cs_voice_render(cs_voice *v, float *bus, int n, double global_rate);

/* One deck's cut-only 3-band EQ: one-pole low-pass at 200 Hz, one-pole
 * high-pass at 2 kHz, mid = input − low − high, gains smoothed per sample
 * with a 50 ms time constant (the original smoothed once per block). */
typedef struct cs_eq {
    float lp[2], hp[2], xp[2];
    float g[3], t[3];
} cs_eq;

void cs_eq_reset(cs_eq *q);
void cs_eq_set(cs_eq *q, int band, float gain);
void cs_eq_process(cs_eq *q, float *buf, int n);

/* The soft clip on the master: 0.9·tanh(0.9·x). */
float cs_soft_clip(float x);

#endif
