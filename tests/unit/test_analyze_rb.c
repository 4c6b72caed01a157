/* Structs from Rekordbox grids and memory cues (pkg/analyze_rb.c). */
#include "tests/unit/unit.h"
#include "pkg/analyze_rb.h"

#include <stdlib.h>

static cs_rb_tempo tempo(double inizio, double bpm, int battito)
{
    cs_rb_tempo t = { .inizio = inizio, .bpm = bpm, .battito = battito };
    strcpy(t.metro, "4/4");
    return t;
}

static cs_rb_mark memory_cue(double start) { return (cs_rb_mark){ .start = start, .end = -1, .num = -1 }; }
static cs_rb_mark hot_cue(double start, int num) { return (cs_rb_mark){ .start = start, .end = -1, .num = num }; }

/* A constant 120 BPM grid whose first beat is beat 3 of its bar: the
 * downbeat is the third beat, beats every 0.5 s to the end. */
TEST(constant_grid_with_anacrusis)
{
    cs_rb_tempo t[] = { tempo(0.1, 120, 3) };
    cs_struct s;
    cs_err e;
    CHECK(cs_struct_from_rekordbox(t, 1, NULL, 0, 200.0, 7, &s, &e) == 0);
    CHECK_EQ_INT(s.beats.n, 400);                  /* 0.1 + 399 * 0.5 = 199.6 < 200 */
    CHECK_NEAR(s.beats.v[399], 199.6, 1e-9);
    CHECK_EQ_INT(s.beat_positions.v[0], 3);
    CHECK_EQ_INT(s.beat_positions.v[2], 1);
    CHECK_NEAR(s.downbeats.v[0], 1.1, 1e-9);
    CHECK_EQ_INT(s.downbeats.n, 100);
    CHECK_STR(s.source, "rekordbox");
    CHECK_NEAR(s.bpm, 120, 0);
    /* No cues: 16-bar (32 s) phrases from the first downbeat. */
    CHECK_STR(s.segments.v[0].label, "start");
    CHECK_NEAR(s.segments.v[0].end, 1.1, 1e-9);
    CHECK_STR(s.segments.v[1].label, "intro");
    CHECK_NEAR(s.segments.v[1].end, 1.1 + 32, 1e-9);
    CHECK_STR(s.segments.v[2].label, "phrase");
    CHECK_NEAR(s.segments.v[2].start, 33.1, 1e-9);
    /* 1.1 + 6 * 32 = 193.1; 6.9 s remain: "end". */
    CHECK_STR(s.segments.v[s.segments.n - 1].label, "end");
    CHECK_NEAR(s.segments.v[s.segments.n - 1].start, 193.1, 1e-9);
    CHECK_NEAR(s.segments.v[s.segments.n - 1].end, 200.0, 1e-9);
    cs_struct_free(&s);
}

/* A variable grid as Rekordbox writes it for a live recording: one row
 * per beat (the tempo drifting), Battito counting 1..4, plus a jump to a
 * slower part; the bar count carries on over the rows. */
TEST(variable_tempo_grid)
{
    cs_rb_tempo t[40];
    size_t n = 0;
    double at = 0.323;
    for (int k = 0; k < 32; k++) {   /* 122.88 -> 126 over 32 beats */
        double bpm = 122.88 + 0.1 * k;
        t[n++] = tempo(at, bpm, k % 4 + 1);
        at += 60.0 / bpm;
    }
    t[n++] = tempo(at, 100, 1);      /* then a steady 100 to the end */
    /* Given out of order: rows are sorted by Inizio. */
    cs_rb_tempo tmp = t[3];
    t[3] = t[20];
    t[20] = tmp;
    cs_struct s;
    cs_err e;
    CHECK(cs_struct_from_rekordbox(t, n, NULL, 0, at + 60.0, 7, &s, &e) == 0);
    CHECK_EQ_INT(s.beats.n, 32 + 100);
    double exp_t = 0.323;
    for (int k = 0; k < 32; k++) {
        CHECK_NEAR(s.beats.v[k], exp_t, 1e-9);
        CHECK_EQ_INT(s.beat_positions.v[k], k % 4 + 1);
        exp_t += 60.0 / (122.88 + 0.1 * k);
    }
    CHECK_NEAR(s.beats.v[32], at, 1e-9);
    CHECK_NEAR(s.beats.v[33] - s.beats.v[32], 0.6, 1e-9);
    CHECK_EQ_INT(s.downbeats.n, 8 + 25);
    cs_struct_free(&s);
}

/* Eight memory cues (one on the first downbeat, one duplicated after
 * snapping, one before the grid) and hot cues: sections from the memory
 * cues, on downbeats, the intro up to the first. */
TEST(memory_cue_sections)
{
    cs_rb_tempo t[] = { tempo(0.5, 125, 1) };      /* bar = 1.92 s */
    double bar = 1.92;
    cs_rb_mark m[] = {
        memory_cue(0.2),                       /* before the first downbeat: ignored */
        memory_cue(0.5),                       /* the first downbeat: the intro's start */
        memory_cue(0.5 + 8 * bar + 0.03),      /* snapped to bar 8 */
        memory_cue(0.5 + 16 * bar), memory_cue(0.5 + 16 * bar - 0.02),   /* one */
        memory_cue(0.5 + 24 * bar), memory_cue(0.5 + 32 * bar), memory_cue(0.5 + 40 * bar),
        memory_cue(0.5 + 48 * bar), memory_cue(0.5 + 56 * bar),
        hot_cue(0.5 + 4 * bar, 0), hot_cue(0.5 + 12 * bar, 1),
    };
    cs_struct s;
    cs_err e;
    CHECK(cs_struct_from_rekordbox(t, 1, m, sizeof m / sizeof m[0], 130.0, 7, &s, &e) == 0);
    CHECK_EQ_INT(s.segments.n, 2 + 7);
    CHECK_STR(s.segments.v[1].label, "intro");
    CHECK_NEAR(s.segments.v[1].start, 0.5, 1e-9);
    CHECK_NEAR(s.segments.v[1].end, 0.5 + 8 * bar, 1e-9);
    for (size_t i = 2; i < s.segments.n; i++) {
        CHECK_STR(s.segments.v[i].label, "cue");
        CHECK_NEAR(s.segments.v[i].start, 0.5 + 8.0 * (double)(i - 1) * bar, 1e-9);
    }
    CHECK_NEAR(s.segments.v[s.segments.n - 1].end, 130.0, 1e-9);
    cs_struct_free(&s);
    /* One cue fewer than asked for: phrases instead. */
    CHECK(cs_struct_from_rekordbox(t, 1, m, sizeof m / sizeof m[0], 130.0, 8, &s, &e) == 0);
    CHECK_STR(s.segments.v[2].label, "phrase");
    CHECK_NEAR(s.segments.v[1].end, 0.5 + 16 * bar, 1e-9);
    cs_struct_free(&s);
}

TEST(unusable_grids_refused)
{
    cs_rb_tempo zero[] = { tempo(0.1, 0, 1) };
    cs_rb_tempo late[] = { tempo(300, 120, 1) };
    cs_struct s;
    cs_err e;
    CHECK(cs_struct_from_rekordbox(NULL, 0, NULL, 0, 100, 7, &s, &e) < 0);
    CHECK(strstr(e.msg, "TEMPO") != NULL);
    CHECK(cs_struct_from_rekordbox(zero, 1, NULL, 0, 100, 7, &s, &e) < 0);
    CHECK(cs_struct_from_rekordbox(late, 1, NULL, 0, 100, 7, &s, &e) < 0);
    CHECK(strstr(e.msg, "TotalTime") != NULL);
}

/* Issue 22 item 2: a TEMPO anchored before sample 0 (Inizio -0.3 at 120 BPM,
 * Battito 1), as Traktor/Serato converters write it: the grid extends both
 * ways; the first beat is the one at 0.2 s (k = 1), bar position 2. */
TEST(grid_anchored_before_zero_extends)
{
    cs_rb_tempo t[] = { tempo(-0.3, 120, 1) };
    cs_struct s;
    cs_err e = {0};
    CHECK(cs_struct_from_rekordbox(t, 1, NULL, 0, 60.0, 1, &s, &e) == 0);
    CHECK(s.beats.n > 100);
    CHECK_NEAR(s.beats.v[0], 0.2, 1e-12);
    CHECK_EQ_INT(s.beat_positions.v[0], 2);
    CHECK_NEAR(s.downbeats.v[0], 1.7, 1e-12);
    CHECK_NEAR(s.bpm, 120, 0);
    cs_struct_free(&s);
}
