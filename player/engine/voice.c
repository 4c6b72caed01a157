/* Voice rendering: the variable-rate stream reader.  Cubic Hermite
 * (Catmull-Rom) interpolation rather than the original's truncating
 * nearest-sample read: aliasing and drift were audible there, and at rate
 * 1.0 with an integral position Hermite returns the samples unchanged. */
#include "player/engine/engine_int.h"

#include <string.h>

void cs_voice_reset(cs_voice *v, cs_stream *s, int deck)
{
    v->s = s;
    v->deck = deck;
    v->stopping = false;
    v->release_after = false;
    v->rate = 1.0;
    memset(v->h, 0, sizeof v->h);
    /* frac = 3 makes the first render pull x[0], x[1], x[2] into the
     * history with x[-1] = 0, landing exactly on the first frame. */
    v->frac = 3.0;
    v->zeros = 0;
    cs_ramp_jump(&v->vol, 0.8f);
}

static inline float hermite(float xm1, float x0, float x1, float x2, float t)
{
    float c1 = 0.5f * (x1 - xm1);
    float c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
    float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
    return ((c3 * t + c2) * t + c1) * t + x0;
}

static inline void shift(cs_voice *v, float a, float b)
{
    v->h[0][0] = v->h[1][0]; v->h[0][1] = v->h[1][1];
    v->h[1][0] = v->h[2][0]; v->h[1][1] = v->h[2][1];
    v->h[2][0] = v->h[3][0]; v->h[2][1] = v->h[3][1];
    v->h[3][0] = a;          v->h[3][1] = b;
}

bool cs_voice_render(cs_voice *v, float *bus, int n, double global_rate)
{
    cs_stream *s = v->s;
    cs_ring *rg = &s->ring;
    /* eof before readable: the reader publishes the last frames before it
     * sets eof, so this order never mistakes "not yet read" for "the end". */
    bool eof = atomic_load_explicit(&s->eof, memory_order_acquire);
    size_t avail = cs_ring_readable(rg);
    size_t used = 0;
    bool underrun = false;
    double rate = v->rate * global_rate;
    double frac = v->frac;
    int i = 0;
    /* This thread owns the read side: the frames from the read position on
     * are at base[(at + k) & mask], found once per block rather than
     * through an atomic load per frame. */
    const float *base = (const float *)rg->buf;
    size_t at = (size_t)((const float *)cs_ring_at(rg, 0) - base) / 2, mask = rg->mask;

    /* Fast path: unit rate on an integral position is a scaled copy. */
    if (rate == 1.0 && frac == 1.0 && v->zeros == 0 && avail >= (size_t)n) {
        for (; i < n; i++) {
            const float *f = base + 2 * ((at + used++) & mask);
            float g = cs_ramp_next(&v->vol);
            bus[2 * i] += g * v->h[2][0];
            bus[2 * i + 1] += g * v->h[2][1];
            shift(v, f[0], f[1]);
        }
        cs_ring_advance(rg, used);
        return false;
    }

    /* The history in locals: stores to bus cannot alias them. */
    float a0 = v->h[0][0], a1 = v->h[1][0], a2 = v->h[2][0], a3 = v->h[3][0];
    float b0 = v->h[0][1], b1 = v->h[1][1], b2 = v->h[2][1], b3 = v->h[3][1];
    for (; i < n; i++) {
        while (frac >= 1.0) {
            float a, b;
            if (used < avail) {
                const float *f = base + 2 * ((at + used++) & mask);
                a = f[0];
                b = f[1];
            } else if (eof) {
                a = b = 0.0f;
                v->zeros++;
            } else {
                underrun = true;
                goto out;
            }
            a0 = a1; a1 = a2; a2 = a3; a3 = a;
            b0 = b1; b1 = b2; b2 = b3; b3 = b;
            frac -= 1.0;
        }
        if (v->zeros >= 3) {          /* x[0] is past the last real frame */
            v->state = CS_VOICE_ENDED;
            break;
        }
        float t = (float)frac;
        float g = cs_ramp_next(&v->vol);
        bus[2 * i] += g * hermite(a0, a1, a2, a3, t);
        bus[2 * i + 1] += g * hermite(b0, b1, b2, b3, t);
        frac += rate;
    }
out:
    v->h[0][0] = a0; v->h[1][0] = a1; v->h[2][0] = a2; v->h[3][0] = a3;
    v->h[0][1] = b0; v->h[1][1] = b1; v->h[2][1] = b2; v->h[3][1] = b3;
    v->frac = frac;
    cs_ring_advance(rg, used);
    return underrun;
}
