/* cs analyze's analysis (pkg/analyze.c) measured on synthesised tracks with
 * known answers: clicks on every beat, a bass note per bar in the key, a
 * triad in the key; tempos 100..140 and one track that changes tempo. */
#include "tests/unit/unit.h"
#include "pkg/allin1.h"
#include "pkg/analyze.h"
#include "pkg/key.h"
#include "pkg/synth.h"

#include <stdlib.h>

#define BEAT_TOL 0.010

typedef struct truth {
    double bpm;
    int pc;          /* tonic pitch class, 0 = C */
    int minor;
    double first_beat;
} truth;

/* Tempos across 100..140, tonics and modes spread over the wheel. */
static const truth tracks[] = {
    { 100.0, 9, 1, 0.30 }, { 104.5, 0, 0, 0.55 }, { 109.0, 4, 1, 0.25 },
    { 113.5, 7, 0, 0.80 }, { 118.0, 2, 1, 0.35 }, { 122.5, 5, 0, 0.45 },
    { 126.0, 11, 1, 0.70 }, { 131.0, 3, 0, 0.20 }, { 135.5, 6, 1, 0.60 },
    { 140.0, 10, 0, 0.40 },
};
#define N_TRACKS (sizeof tracks / sizeof tracks[0])

static const cs_synth_section secs[] = { { "intro", 8 }, { "verse", 8 } };

/* C#3..C4: qm's chromagram starts at C3 exactly, where a pure tone falls
 * between its bins. */
static double tonic_hz(int pc) { return 130.8128 * pow(2.0, ((pc + 11) % 12 + 1) / 12.0); }

/* Distance from t to the nearest of v. */
static double nearest(const cs_dvec *v, double t)
{
    double best = INFINITY;
    for (size_t i = 0; i < v->n; i++)
        if (fabs(v->v[i] - t) < best) best = fabs(v->v[i] - t);
    return best;
}

static int render(const truth *tr, cs_audio *a, cs_struct *want, cs_err *e)
{
    cs_synth_params p = { .bpm = tr->bpm, .first_beat = tr->first_beat, .tone_hz = tonic_hz(tr->pc),
                          .bass = 1, .chord = tr->minor ? -1 : 1, .channels = 1,
                          .sections = secs, .n_sections = 2 };
    p.duration = tr->first_beat + 16 * 4 * 60.0 / tr->bpm + 1.0;
    return cs_synth_render(&p, a, want, e);
}

/* Beats: every true beat has a detected one within BEAT_TOL and every
 * detected one is within BEAT_TOL of a true one.  Returns the worst error. */
static double beat_error(const cs_dvec *want, const cs_dvec *got, size_t *missing, size_t *extra)
{
    double worst = 0;
    *missing = *extra = 0;
    for (size_t i = 0; i < want->n; i++) {
        double d = nearest(got, want->v[i]);
        if (d > BEAT_TOL) (*missing)++;
        else if (d > worst) worst = d;
    }
    for (size_t i = 0; i < got->n; i++)
        if (nearest(want, got->v[i]) > BEAT_TOL) (*extra)++;
    return worst;
}

static size_t downbeats_right(const cs_dvec *want, const cs_dvec *got)
{
    size_t ok = 0;
    for (size_t i = 0; i < want->n; i++)
        if (nearest(got, want->v[i]) <= BEAT_TOL) ok++;
    return ok;
}

TEST(constant_tempo_tracks)
{
    size_t keys_ok = 0, bars = 0, bars_ok = 0;
    for (size_t t = 0; t < N_TRACKS; t++) {
        const truth *tr = &tracks[t];
        cs_audio a;
        cs_struct want, got;
        cs_err e;
        CHECK(render(tr, &a, &want, &e) == 0);
        int rc = cs_analyze_audio(&a, "synth.wav", &got, &e);
        cs_audio_free(&a);
        if (rc < 0) {
            cs_struct_free(&want);
            unit_fail(__FILE__, __LINE__, "%s", e.msg);
            return;
        }
        size_t missing, extra;
        double worst = beat_error(&want.beats, &got.beats, &missing, &extra);
        size_t dok = downbeats_right(&want.downbeats, &got.downbeats);
        int want_key = cs_key_from_pitch(tr->pc, tr->minor);
        int got_key = got.key ? cs_key_parse(got.key) : CS_KEY_NONE;
        bool key_ok = got_key >= 0 && got_key / 2 == want_key / 2;   /* same or relative */
        printf("  %.1f BPM: got %.2f, beats worst %.2f ms, %zu missing, %zu extra; "
               "downbeats %zu/%zu; key %s (want %s)\n",
               tr->bpm, got.bpm, worst * 1e3, missing, extra, dok, want.downbeats.n,
               got.key ? got.key : "-", cs_key_name(want_key));
        keys_ok += key_ok;
        bars += want.downbeats.n;
        bars_ok += dok;
        /* Section boundaries (all but "start"'s start and "end"'s end) on
         * detected downbeats. */
        bool on_downbeats = true;
        for (size_t i = 1; i < got.segments.n; i++)
            if (nearest(&got.downbeats, got.segments.v[i].start) > 1e-9) on_downbeats = false;
        bool intro = got.segments.n >= 2 && !strcmp(got.segments.v[1].label, "intro");
        bool bpm_ok = fabs(got.bpm - tr->bpm) <= 0.1;
        bool src_ok = got.source && !strncmp(got.source, "cs analyze ", 11);
        cs_struct_free(&want);
        cs_struct_free(&got);
        CHECK(bpm_ok);
        CHECK_EQ_INT(missing, 0);
        CHECK_EQ_INT(extra, 0);
        CHECK(on_downbeats);
        CHECK(intro);
        CHECK(src_ok);
    }
    printf("  downbeats right on %zu of %zu bars, key right or relative on %zu of %zu tracks\n",
           bars_ok, bars, keys_ok, N_TRACKS);
    CHECK(bars_ok * 100 >= bars * 95);
    CHECK(keys_ok * 10 >= N_TRACKS * 9);
}

/* 16 bars at 110 BPM, then 16 at 124 (the second part starts on the bar
 * where the first ends): beats follow the change, the BPM is the steady
 * part's, downbeats stay on the bars. */
TEST(tempo_change_track)
{
    truth a1 = { 110.0, 9, 1, 0.5 }, a2 = { 124.0, 9, 1, 0.0 };
    static const cs_synth_section s16[] = { { "intro", 16 } };
    static const cs_synth_section s20[] = { { "verse", 20 } };
    cs_synth_params p1 = { .bpm = a1.bpm, .first_beat = a1.first_beat, .tone_hz = tonic_hz(9),
                           .bass = 1, .chord = -1, .channels = 1, .sections = s16, .n_sections = 1 };
    cs_synth_params p2 = p1;
    p2.bpm = a2.bpm;
    p2.first_beat = 0;
    p2.sections = s20;
    p2.duration = 20 * 4 * 60.0 / a2.bpm + 1.0;
    cs_audio x, y, a;
    cs_struct s1, s2, got;
    cs_err e;
    CHECK(cs_synth_render(&p1, &x, &s1, &e) == 0);
    CHECK(cs_synth_render(&p2, &y, &s2, &e) == 0);
    CHECK(cs_audio_alloc(&a, x.frames + y.frames, 1, 44100) == 0);
    memcpy(a.data, x.data, x.frames * sizeof(float));
    memcpy(a.data + x.frames, y.data, y.frames * sizeof(float));
    double off = (double)x.frames / 44100;
    /* Truth: the two parts' beats, the second shifted by the first's length. */
    cs_dvec want = { malloc((s1.beats.n + s2.beats.n) * sizeof(double)), 0 };
    cs_dvec wantd = { malloc((s1.downbeats.n + s2.downbeats.n) * sizeof(double)), 0 };
    for (size_t i = 0; i < s1.beats.n; i++) want.v[want.n++] = s1.beats.v[i];
    for (size_t i = 0; i < s2.beats.n; i++) want.v[want.n++] = off + s2.beats.v[i];
    for (size_t i = 0; i < s1.downbeats.n; i++) wantd.v[wantd.n++] = s1.downbeats.v[i];
    for (size_t i = 0; i < s2.downbeats.n; i++) wantd.v[wantd.n++] = off + s2.downbeats.v[i];
    int rc = cs_analyze_audio(&a, NULL, &got, &e);
    cs_audio_free(&x);
    cs_audio_free(&y);
    cs_audio_free(&a);
    cs_struct_free(&s1);
    cs_struct_free(&s2);
    size_t missing = 0, extra = 0, dok = 0;
    double worst = 0;
    if (rc == 0) {
        worst = beat_error(&want, &got.beats, &missing, &extra);
        dok = downbeats_right(&wantd, &got.downbeats);
        printf("  110 -> 124 BPM: got %.2f, beats worst %.2f ms, %zu missing, %zu extra; downbeats %zu/%zu\n",
               got.bpm, worst * 1e3, missing, extra, dok, wantd.n);
    }
    double bpm = got.bpm;
    size_t nd = wantd.n;
    free(want.v);
    free(wantd.v);
    cs_struct_free(&got);
    CHECK(rc == 0);
    CHECK(fabs(bpm - 124.0) <= 0.1);   /* the longer steady part */
    CHECK_EQ_INT(missing, 0);
    CHECK_EQ_INT(extra, 0);
    CHECK(dok * 100 >= nd * 95);
}

/* The JSON cs analyze writes reads back through the allin1 reader with its
 * source, and silence is refused with a reason. */
TEST(json_round_trip_and_silence)
{
    cs_audio a;
    cs_struct want, got, back;
    cs_err e;
    CHECK(render(&tracks[5], &a, &want, &e) == 0);
    CHECK(cs_analyze_audio(&a, "x.wav", &got, &e) == 0);
    char *json = cs_allin1_to_json(&got);
    CHECK(json != NULL);
    CHECK(cs_allin1_parse(json, strlen(json), "x.json", &back, &e) == 0);
    CHECK_STR(back.source, got.source);
    CHECK_STR(back.key, got.key);
    CHECK_EQ_INT(back.beats.n, got.beats.n);
    CHECK_EQ_INT(back.segments.n, got.segments.n);
    free(json);
    cs_struct_free(&back);
    cs_struct_free(&got);
    cs_struct_free(&want);
    memset(a.data, 0, a.frames * sizeof(float));
    CHECK(cs_analyze_audio(&a, "quiet.wav", &got, &e) < 0);
    cs_audio_free(&a);
    CHECK(strstr(e.msg, "quiet.wav") != NULL);
}
