/* Track energy (pkg/energy.h): busier music measures higher, the level does
 * not matter, sustained sound measures low, bad input is -1. */
#include "tests/unit/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pkg/energy.h"

/* 8 s at 44.1 kHz stereo: a 55 Hz bass, plus a click burst (noise, 10 ms)
 * `per_beat` times per beat at 120 BPM, all scaled by gain. */
static cs_audio make(int per_beat, double gain)
{
    cs_audio a = { 0 };
    a.rate = 44100;
    a.channels = 2;
    a.frames = 8 * 44100;
    a.data = calloc(a.frames * 2, sizeof(float));
    unsigned seed = 1;
    for (size_t i = 0; i < a.frames; i++) {
        double v = 0.3 * sin(2 * M_PI * 55 * (double)i / 44100);
        if (per_beat > 0) {
            size_t step = 22050 / (size_t)per_beat, k = i % step;
            if (k < 441) {
                seed = seed * 1103515245u + 12345u;
                v += 0.5 * ((double)(seed >> 16 & 0x7fff) / 16384.0 - 1.0) * (1.0 - (double)k / 441);
            }
        }
        a.data[2 * i] = a.data[2 * i + 1] = (float)(v * gain);
    }
    return a;
}

TEST(busier_is_higher)
{
    cs_audio none = make(0, 1), one = make(1, 1), four = make(4, 1);
    double e0 = cs_energy_measure(&none), e1 = cs_energy_measure(&one), e4 = cs_energy_measure(&four);
    printf("    energy: tone %.3f, 1/beat %.3f, 4/beat %.3f\n", e0, e1, e4);
    CHECK(e0 >= 0 && e0 < e1 && e1 < e4 && e4 <= 1);
    CHECK(e0 < 0.2);                                /* a steady tone: almost no flux */
    cs_audio_free(&none);
    cs_audio_free(&one);
    cs_audio_free(&four);
}

TEST(level_does_not_matter)
{
    cs_audio loud = make(2, 1), soft = make(2, 0.25);   /* -12 dB */
    double a = cs_energy_measure(&loud), b = cs_energy_measure(&soft);
    CHECK(a > 0);
    CHECK_NEAR(a, b, 0.01);
    cs_audio_free(&loud);
    cs_audio_free(&soft);
}

TEST(bad_input)
{
    cs_audio silent = make(0, 0);
    CHECK(cs_energy_measure(&silent) < 0);
    silent.frames = 100;
    CHECK(cs_energy_measure(&silent) < 0);
    CHECK(cs_energy_measure(NULL) < 0);
    cs_audio_free(&silent);
}
