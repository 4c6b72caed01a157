/* The synthesiser: struct times exact, clicks where the beats are, levels. */
#include "tests/unit/unit.h"
#include "tests/tools/measure.h"
#include "pkg/synth.h"

#include <stdlib.h>

static const cs_synth_section secs[] = {
    { "intro", 2 }, { "verse", 2 }, { "chorus", 1 } };

TEST(struct_matches_parameters)
{
    cs_synth_params p = { .bpm = 122.5, .first_beat = 0.5, .tone_hz = 440,
                          .sections = secs, .n_sections = 3, .path = "x.wav", .key = "Gm" };
    cs_struct s;
    cs_err e;
    CHECK(cs_synth_render(&p, NULL, &s, &e) == 0);
    double period = 60.0 / 122.5;
    CHECK_STR(s.path, "x.wav");
    CHECK_STR(s.key, "Gm");
    CHECK(s.bpm == 122.5);
    CHECK_EQ_INT(s.beats.n, 20);            /* 5 bars of 4 */
    CHECK_EQ_INT(s.downbeats.n, 5);
    for (size_t k = 0; k < s.beats.n; k++) {
        CHECK(s.beats.v[k] == 0.5 + (double)k * period);
        CHECK_EQ_INT(s.beat_positions.v[k], (int)(k % 4) + 1);
    }
    CHECK(s.downbeats.v[1] == 0.5 + 4 * period);
    CHECK_EQ_INT(s.segments.n, 4);
    CHECK_STR(s.segments.v[0].label, "start");
    CHECK(s.segments.v[0].end == 0.5);
    CHECK_STR(s.segments.v[1].label, "intro");
    CHECK(s.segments.v[1].start == 0.5);
    CHECK(s.segments.v[1].end == 0.5 + 8 * period);
    CHECK_STR(s.segments.v[2].label, "verse");
    CHECK(s.segments.v[2].start == s.segments.v[1].end);
    CHECK_STR(s.segments.v[3].label, "chorus");
    CHECK(s.segments.v[3].end == 0.5 + 20 * period);
    cs_struct_free(&s);

    /* A longer duration adds beats and an "end" segment. */
    p.duration = 12.0;
    CHECK(cs_synth_render(&p, NULL, &s, &e) == 0);
    CHECK_EQ_INT(s.segments.n, 5);
    CHECK_STR(s.segments.v[4].label, "end");
    CHECK(s.segments.v[4].end == 12.0);
    CHECK_EQ_INT(s.beats.n, (size_t)ceil((12.0 - 0.5) / period));
    cs_struct_free(&s);
}

TEST(clicks_are_found_on_the_beats)
{
    cs_synth_params p = { .bpm = 128, .first_beat = 0.3217, .tone_hz = 440, .bass = 1,
                          .sections = secs, .n_sections = 3, .rate = 44100, .channels = 2 };
    cs_audio a;
    cs_struct s;
    cs_err e;
    CHECK(cs_synth_render(&p, &a, &s, &e) == 0);
    CHECK_EQ_INT(a.frames, llround((0.3217 + 20 * 60.0 / 128) * 44100));
    CHECK(cs_audio_peak(&a) < 0.9f);
    CHECK(cs_audio_peak(&a) > 0.5f);
    double *t;
    size_t n;
    CHECK(measure_onsets(&a, 0.25, 0.05, &t, &n) == 0);
    CHECK_EQ_INT(n, s.beats.n);
    double worst = 0;
    for (size_t k = 0; k < n; k++)
        if (fabs(t[k] - s.beats.v[k]) > worst) worst = fabs(t[k] - s.beats.v[k]);
    printf("# synth onsets: worst error %.4f ms over %zu beats\n", worst * 1000, n);
    CHECK(worst < 0.0005);
    free(t);
    double hz = measure_pitch(&a, 0.5, 4, 100, 2000);
    CHECK_NEAR(hz, 440, 440 * 0.001);
    cs_struct_free(&s);
    cs_audio_free(&a);
}

TEST(same_parameters_same_samples)
{
    cs_synth_params p = { .bpm = 100, .duration = 3, .tone_hz = 330, .bass = 1, .channels = 1 };
    cs_audio a, b;
    cs_err e;
    CHECK(cs_synth_render(&p, &a, NULL, &e) == 0);
    CHECK(cs_synth_render(&p, &b, NULL, &e) == 0);
    CHECK_EQ_INT(a.frames, b.frames);
    CHECK(memcmp(a.data, b.data, a.frames * sizeof(float)) == 0);
    cs_audio_free(&a);
    cs_audio_free(&b);
}

TEST(rejects_bad_parameters)
{
    cs_err e;
    cs_audio a;
    cs_synth_params p = { .bpm = 0, .duration = 1 };
    CHECK(cs_synth_render(&p, &a, NULL, &e) < 0);
    p.bpm = 120;
    p.duration = 0;
    CHECK(cs_synth_render(&p, &a, NULL, &e) < 0);
    static const cs_synth_section bad[] = { { "intro", 0 } };
    p.sections = bad;
    p.n_sections = 1;
    CHECK(cs_synth_render(&p, &a, NULL, &e) < 0);
    CHECK(strstr(e.msg, "bars") != NULL);
}
