/* Stretching: exact lengths, beats at t/speed, pitch kept (or moved by the
 * speed for "rate"), equal levels across rungs. */
#include "tests/unit/unit.h"
#include "tests/tools/measure.h"
#include "pkg/stretch.h"
#include "pkg/synth.h"

#include <stdlib.h>

#define SRC_BPM 122.5
static const double ladder[] = { 105, 110, 115, 118, 120, 125, 130 };

/* A click track at SRC_BPM with a 440 Hz tone; beats start at 0 so the
 * t = 0 alignment is checked too. */
static int fixture(double seconds, int channels, double first_beat, cs_audio *a, cs_struct *s)
{
    cs_synth_params p = { .bpm = SRC_BPM, .duration = seconds, .first_beat = first_beat,
                          .tone_hz = 440, .rate = 44100, .channels = channels };
    cs_err e;
    return cs_synth_render(&p, a, s, &e);
}

typedef struct { cs_stretch_method m; cs_stretch_quality q; const char *name; int anchored; } variant;
static const variant variants[] = {
    { CS_STRETCH_RUBBERBAND, CS_STRETCH_BEST, "rubberband-R3", 0 },
    { CS_STRETCH_RUBBERBAND, CS_STRETCH_FAST, "rubberband-R3short", 0 },
    { CS_STRETCH_WSOLA, CS_STRETCH_BEST, "wsola", 0 },
    { CS_STRETCH_RATE, CS_STRETCH_BEST, "rate", 0 },
    { CS_STRETCH_WSOLA, CS_STRETCH_BEST, "wsola-anchored", 1 },
};

TEST(rejects_bad_speeds)
{
    cs_audio a, out;
    cs_err e;
    CHECK(fixture(0.5, 1, 0, &a, NULL) == 0);
    const double bad[] = { 0, -1, NAN, INFINITY, 0.2, 4.5 };
    for (int i = 0; i < 6; i++) {
        e.msg[0] = 0;
        CHECK(cs_stretch_render(&a, bad[i], CS_STRETCH_RATE, CS_STRETCH_BEST, &out, &e) < 0);
        CHECK(strstr(e.msg, "speed") != NULL);
        CHECK(out.data == NULL);
    }
    CHECK(cs_stretch_render(&a, 0.25, CS_STRETCH_RATE, CS_STRETCH_BEST, &out, &e) == 0);
    cs_audio_free(&out);
    cs_audio_free(&a);
}

TEST(names_parse)
{
    cs_stretch_method m;
    cs_stretch_quality q;
    CHECK(cs_stretch_method_parse("wsola", &m) == 0 && m == CS_STRETCH_WSOLA);
    CHECK(cs_stretch_method_parse("rubberband", &m) == 0 && m == CS_STRETCH_RUBBERBAND);
    CHECK(cs_stretch_method_parse("rate", &m) == 0 && m == CS_STRETCH_RATE);
    /* One table with the original system's names: the server's aliases and
     * the exporter's atempo (WSOLA without anchors); case is ignored. */
    CHECK(cs_stretch_method_parse("playback_rate", &m) == 0 && m == CS_STRETCH_RATE);
    CHECK(cs_stretch_method_parse("pyrubberband", &m) == 0 && m == CS_STRETCH_RUBBERBAND);
    CHECK(cs_stretch_method_parse("audiotsm", &m) == 0 && m == CS_STRETCH_WSOLA);
    CHECK(cs_stretch_method_parse("atempo", &m) == 0 && m == CS_STRETCH_WSOLA);
    CHECK(cs_name_lookup(cs_stretch_method_names, "atempo") == (CS_STRETCH_WSOLA | CS_STRETCH_PLAIN));
    CHECK(cs_stretch_method_parse("RubberBand", &m) == 0 && m == CS_STRETCH_RUBBERBAND);
    CHECK(cs_stretch_method_parse("magic", &m) < 0);
    CHECK(cs_stretch_quality_parse("fast", &q) == 0 && q == CS_STRETCH_FAST);
    CHECK(cs_stretch_quality_parse("slow", &q) < 0);
    CHECK_STR(cs_stretch_method_name(CS_STRETCH_WSOLA), "wsola");
    CHECK_STR(cs_stretch_quality_name(CS_STRETCH_BEST), "best");
}

TEST(length_is_exact_for_every_method_and_rung)
{
    cs_audio a, out;
    cs_err e;
    /* An odd length, so llround() matters. */
    CHECK(fixture(2.0, 2, 0.1, &a, NULL) == 0);
    a.frames -= 13;
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++)
        for (size_t k = 0; k < sizeof ladder / sizeof *ladder; k++) {
            double speed = ladder[k] / SRC_BPM;
            int rc = cs_stretch_render(&a, speed, variants[v].m, variants[v].q, &out, &e);
            if (rc < 0) { unit_fail(__FILE__, __LINE__, "%s: %s", variants[v].name, e.msg); return; }
            CHECK_EQ_INT(out.frames, llround((double)a.frames / speed));
            CHECK_EQ_INT(out.channels, 2);
            CHECK_EQ_INT(out.rate, 44100);
            cs_audio_free(&out);
        }
    /* Outside atempo's [0.5, 2]: chained stages. */
    const double wide[] = { 0.25, 0.4, 2.5, 4.0 };
    for (int k = 0; k < 4; k++) {
        CHECK(cs_stretch_render(&a, wide[k], CS_STRETCH_WSOLA, CS_STRETCH_BEST, &out, &e) == 0);
        CHECK_EQ_INT(out.frames, llround((double)a.frames / wide[k]));
        cs_audio_free(&out);
    }
    /* speed 1 is a copy. */
    CHECK(cs_stretch_render(&a, 1.0, CS_STRETCH_RUBBERBAND, CS_STRETCH_BEST, &out, &e) == 0);
    CHECK_EQ_INT(out.frames, a.frames);
    CHECK(memcmp(out.data, a.data, a.frames * 2 * sizeof(float)) == 0);
    cs_audio_free(&out);
    cs_audio_free(&a);
}

static double rms_db(const cs_audio *a)
{
    double s = 0;
    size_t n = a->frames * (size_t)a->channels;
    for (size_t i = 0; i < n; i++) s += (double)a->data[i] * a->data[i];
    return measure_db(sqrt(s / (double)(n ? n : 1)));
}

/* Worst |onset - beat/speed| over the beats, the first included. */
static int beat_error(const cs_audio *out, const cs_struct *s, double speed, double threshold,
                      double *worst, double *first, size_t *matched)
{
    double *t;
    size_t n;
    if (measure_onsets(out, threshold, 0.1, &t, &n) < 0) return -1;
    *worst = 0;
    *first = NAN;
    *matched = 0;
    for (size_t k = 0; k < s->beats.n; k++) {
        double want = s->beats.v[k] / speed, best = 1;
        if (want > cs_audio_seconds(out) - 0.05) break;
        for (size_t i = 0; i < n; i++)
            if (fabs(t[i] - want) < fabs(best)) best = t[i] - want;
        if (fabs(best) > 0.05) { free(t); return -1; }   /* a beat went missing */
        if (k == 0) *first = best;
        if (fabs(best) > *worst) *worst = fabs(best);
        (*matched)++;
    }
    free(t);
    return 0;
}

static void check_timing_pitch(const variant *v, double tol_s, double pitch_tol, double seconds,
                               double onset_threshold)
{
    cs_audio a, out;
    cs_struct s;
    cs_err e;
    CHECK(fixture(seconds, 2, 0.0, &a, &s) == 0);
    double level[2] = { 0, 0 };
    const double rungs[2] = { 105, 130 };
    for (int r = 0; r < 2; r++) {
        double speed = rungs[r] / SRC_BPM;
        int rs = v->anchored ? cs_stretch_render_anchored(&a, speed, v->m, v->q, &s.beats, &out, &e)
                             : cs_stretch_render(&a, speed, v->m, v->q, &out, &e);
        if (rs < 0) {
            unit_fail(__FILE__, __LINE__, "%s: %s", v->name, e.msg);
            break;
        }
        double worst = 0, first = 0;   /* beat_error may fail before setting them */
        size_t matched = 0;
        int rc = beat_error(&out, &s, speed, onset_threshold, &worst, &first, &matched);
        double hz = measure_pitch(&out, 0.2, 0, 100, 1500);
        double want_hz = v->m == CS_STRETCH_RATE ? 440 * speed : 440;
        level[r] = rms_db(&out);
        printf("# %s x%.4f: beats %zu, worst %.2f ms, first %.2f ms, pitch %.3f Hz (%+.3f%%), "
               "rms %.2f dB, peak %.3f\n", v->name, speed, matched, worst * 1000, first * 1000, hz,
               100 * (hz / want_hz - 1), level[r], cs_audio_peak(&out));
        cs_audio_free(&out);
        CHECK(rc == 0);
        CHECK(matched >= s.beats.n * 8 / 10);
        CHECK(worst <= tol_s);
        CHECK(fabs(hz / want_hz - 1) < pitch_tol);
    }
    if (v->m == CS_STRETCH_RUBBERBAND) CHECK(fabs(level[0] - level[1]) < 0.5);
    cs_struct_free(&s);
    cs_audio_free(&a);
}

TEST(rubberband_r3_beats_and_pitch) { check_timing_pitch(&variants[0], 0.005, 0.005, 8, 0.25); }
/* --quality fast: R3 with the short window keeps beats and pitch too. */
TEST(rubberband_fast_beats_and_pitch) { check_timing_pitch(&variants[1], 0.005, 0.005, 8, 0.25); }
TEST(wsola_beats_and_pitch) { check_timing_pitch(&variants[2], 0.010, 0.005, 8, 0.25); }
/* Anchored at the beats, WSOLA puts every click within the 5 ms splice
 * shift of its grid time (plain atempo: ~15 ms) and keeps the tone. */
TEST(wsola_anchored_beats_and_pitch)
{
    check_timing_pitch(&variants[4], 0.0052, 0.005, 8, 0.25);
}
TEST(rate_beats_exact_and_pitch_follows) { check_timing_pitch(&variants[3], 0.0005, 0.001, 8, 0.25); }

/* The end of the output is as clean as the rest: no burst, no clipping
 * (R2 with SmoothingOn ended near full scale). */
TEST(output_tail_is_clean)
{
    cs_audio a, out;
    cs_err e;
    CHECK(fixture(3.0, 2, 0.0, &a, NULL) == 0);
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        CHECK(cs_stretch_render(&a, 120 / SRC_BPM, variants[v].m, variants[v].q, &out, &e) == 0);
        float tail = 0;
        for (size_t i = out.frames - 2048; i < out.frames; i++)
            if (fabsf(out.data[2 * i]) > tail) tail = fabsf(out.data[2 * i]);
        printf("# %s: peak %.3f, last 2048 frames peak %.3f\n", variants[v].name, cs_audio_peak(&out), tail);
        CHECK(cs_audio_peak(&out) < 1.0f);
        CHECK(tail < 0.35f);       /* the tone is 0.25; clicks at the end are further in */
        cs_audio_free(&out);
    }
    cs_audio_free(&a);
}

TEST(mono_and_empty_input)
{
    cs_audio a, out;
    cs_err e;
    CHECK(fixture(1.0, 1, 0, &a, NULL) == 0);
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        CHECK(cs_stretch_render(&a, 1.1, variants[v].m, variants[v].q, &out, &e) == 0);
        CHECK_EQ_INT(out.channels, 1);
        CHECK_EQ_INT(out.frames, llround(44100 / 1.1));
        cs_audio_free(&out);
    }
    a.frames = 0;
    CHECK(cs_stretch_render(&a, 1.1, CS_STRETCH_RUBBERBAND, CS_STRETCH_BEST, &out, &e) == 0);
    CHECK_EQ_INT(out.frames, 0);
    cs_audio_free(&out);
    cs_audio_free(&a);
}
