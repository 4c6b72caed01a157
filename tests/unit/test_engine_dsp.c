/* The engine's cheap DSP shortcuts against plain references: the fast tanh
 * of the soft clip, and the EQ that skips its filters while flat. */
#include "tests/unit/unit.h"
#include "player/engine/engine_int.h"

#include <math.h>
#include <stdlib.h>

TEST(fast_tanh_relative_error_below_1e6)
{
    double worst = 0;
    for (double x = -20; x <= 20; x += 3e-5) {
        float xf = (float)x;
        double want = tanh((double)xf);
        double got = cs_tanhf(xf);
        double rel = want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
        if (rel > worst) worst = rel;
    }
    CHECK(worst < 1e-6);
    CHECK(cs_tanhf(0.0f) == 0.0f);
    CHECK(fabsf(cs_tanhf(1e30f) - 1.0f) < 1e-7f && fabsf(cs_tanhf(-INFINITY) + 1.0f) < 1e-7f);
    CHECK(fabsf(cs_tanhf(NAN)) <= 1.0f);   /* never NaN to the device */
    CHECK(fabsf(cs_tanhf(1e-20f) - 1e-20f) < 1e-26f);
    CHECK_NEAR(cs_soft_clip(1.0f), 0.9 * tanh(0.9), 1e-6);
}

/* The original EQ maths (docs/osc.md "The deck EQ"), in double, with the
 * coefficients from their formulas at the engine's rate, always running
 * (the reference). */
typedef struct ref { double lp[2], hp[2], xp[2], g[3]; } ref;
static void ref_run(ref *r, const float *t, float *buf, int n)
{
    const double a_l = exp(-2 * M_PI * 200 / CS_RATE), a_h = exp(-2 * M_PI * 2000 / CS_RATE);
    const double smooth = 1 - exp(-1 / (0.05 * CS_RATE));
    for (int i = 0; i < n; i++) {
        for (int b = 0; b < 3; b++) r->g[b] += (t[b] - r->g[b]) * smooth;
        for (int c = 0; c < 2; c++) {
            double x = buf[2 * i + c];
            r->lp[c] = (1 - a_l) * x + a_l * r->lp[c];
            r->hp[c] = a_h * (r->hp[c] + x - r->xp[c]);
            r->xp[c] = x;
            buf[2 * i + c] = (float)(r->g[0] * r->lp[c] + r->g[1] * (x - r->lp[c] - r->hp[c]) + r->g[2] * r->hp[c]);
        }
    }
}

/* Flat for a while (idle, filters skipped), then cut: the output matches
 * the always-running reference, so leaving flat makes no click.  Checked
 * after a short idle (state kept) and a long one (state rebuilt). */
/* At 44.1 kHz the coefficients are the original server's (docs/osc.md). */
TEST(eq_coefficients_at_the_cd_rate_are_the_originals)
{
    if (CS_RATE != 44100) { unit_skip("CS_RATE is %d", CS_RATE); return; }
    CHECK_NEAR(exp(-2 * M_PI * 200 / CS_RATE), 0.971907, 1e-6);
    CHECK_NEAR(exp(-2 * M_PI * 2000 / CS_RATE), 0.752051, 1e-6);
}

TEST(eq_idle_while_flat_then_cut_matches_running_filters)
{
    const int idle_blocks[] = { 2, 40 };
    for (int k = 0; k < 2; k++) {
        cs_eq q;
        cs_eq_reset(&q);
        ref r = { .g = { 1, 1, 1 } };
        float t[3] = { 0.1f, 1.0f, 0.3f }, flat[3] = { 1, 1, 1 };
        float a[512], b[512];
        double worst = 0;
        unsigned seed = 1;
        for (int blk = 0; blk < idle_blocks[k] + 30; blk++) {
            for (int i = 0; i < 512; i++) {
                seed = seed * 1103515245u + 12345u;
                a[i] = b[i] = (float)((int)(seed >> 9 & 0xffff) - 32768) / 65536.0f +
                              0.3f * (float)sin(0.01 * (blk * 256 + i / 2));
            }
            bool cut = blk >= idle_blocks[k];
            if (blk == idle_blocks[k])
                for (int band = 0; band < 3; band++) cs_eq_set(&q, band, t[band]);
            cs_eq_process(&q, a, 256);
            ref_run(&r, cut ? t : flat, b, 256);
            for (int i = 0; i < 512; i++)
                if (fabs(a[i] - b[i]) > worst) worst = fabs(a[i] - b[i]);
        }
        CHECK(worst < 2e-5);
    }
}
