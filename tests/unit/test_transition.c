/* The transition planner (pkg/transition.h): phrase boundaries, downbeat
 * pairing, fade lengths, short parts, odd meters, grids without downbeats. */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "pkg/transition.h"

/* A grid at `bpm` with beats from u = first - k·period over [lo, hi], a
 * downbeat every `meter` beats from `db0` (u), sections at `sec` (u). */
typedef struct synth { double beats[4096], downs[1024]; size_t nb, nd; cs_tgrid g; } synth;

static void make(synth *s, double bpm, double db0, int meter, double len, const double *sec, size_t nsec,
                 bool downbeats)
{
    double per = 60.0 / bpm;
    s->nb = s->nd = 0;
    long k0 = (long)floor((0 - db0) / per);         /* the beat at or before u = 0 */
    for (long k = k0; s->nb < 4096; k++) {
        double u = db0 + (double)k * per;
        if (u > len + per) break;
        s->beats[s->nb++] = u;
        if (((k % meter) + meter) % meter == 0 && s->nd < 1024) s->downs[s->nd++] = u;
    }
    s->g = (cs_tgrid){ .beats = s->beats, .n_beats = s->nb, .downbeats = downbeats ? s->downs : NULL,
                       .n_downbeats = downbeats ? s->nd : 0, .sections = sec, .n_sections = nsec,
                       .bpm = bpm, .len_u = len };
}

static bool on_downbeat(const synth *s, double u)
{
    for (size_t i = 0; i < s->nd; i++)
        if (fabs(s->downs[i] - u) < 1e-9) return true;
    return false;
}

/* 120 BPM: beat 0.5 s, bar 2 s, phrase 16 s. */
TEST(phrase_from_sections_snapped_to_downbeat)
{
    static synth a, b;
    /* Sections a beat after the downbeat (allin1's usual slip). */
    double sa[] = { 0.5, 32.5, 64.5 };
    make(&a, 120, 0, 4, 96, sa, 3, true);
    make(&b, 120, 0, 4, 96, NULL, 0, true);
    cs_topts o = { .fade_bars = 8, .earliest_u = 10, .prefer_u = 64.5 };
    cs_tplan p;
    CHECK_EQ_INT(cs_transition_plan(&a.g, &b.g, &o, &p), 0);
    CHECK_NEAR(p.out_u0, 64.0, 1e-9);              /* snapped to the downbeat */
    CHECK_NEAR(p.out_u1, 80.0, 1e-9);              /* 8 bars of 2 s */
    CHECK_NEAR(p.in_u0, 0.0, 1e-9);
    CHECK_NEAR(p.in_u1, 16.0, 1e-9);
    CHECK_EQ_INT(p.bars, 8);
    CHECK_EQ_INT(p.beats, 32);
    CHECK(p.phrase_aligned);
    CHECK_EQ_INT(p.warn, 0);
    CHECK_EQ_INT(p.out_bar, 32);
}

TEST(phrases_every_8_bars_without_sections)
{
    static synth a, b;
    make(&a, 120, 1.0, 4, 90, NULL, 0, true);       /* first downbeat at 1 s */
    make(&b, 120, 0, 4, 90, NULL, 0, true);
    cs_topts o = { .fade_bars = 8, .earliest_u = 20, .prefer_u = 40 };
    cs_tplan p;
    cs_transition_plan(&a.g, &b.g, &o, &p);
    /* Phrases at 1, 17, 33, 49 s: 33 is nearest 40. */
    CHECK_NEAR(p.out_u0, 33.0, 1e-9);
    CHECK(p.phrase_aligned);
    CHECK(on_downbeat(&a, p.out_u0));
    CHECK_EQ_INT(p.out_phrase, 2);
}

TEST(incoming_phrase_start_before_the_part_keeps_phrases_paired)
{
    static synth a, b;
    make(&a, 120, 0, 4, 96, NULL, 0, true);
    /* The incoming part starts a beat after its downbeat (ini_cue a beat
     * late): its phrase start P is at -0.5, cut away, so it starts at its
     * next bar line (1.5), one bar after the outgoing boundary. */
    make(&b, 120, -0.5, 4, 96, NULL, 0, true);
    cs_topts o = { .fade_bars = 8, .earliest_u = 0, .prefer_u = 48 };
    cs_tplan p;
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_NEAR(p.out_phrase_u, 48.0, 1e-9);
    CHECK_NEAR(p.in_phrase_u, -0.5, 1e-9);
    CHECK_NEAR(p.in_u0, 1.5, 1e-9);
    CHECK_NEAR(p.out_u0, 50.0, 1e-9);
    CHECK(on_downbeat(&b, p.in_u0));
    CHECK(on_downbeat(&a, p.out_u0));
    CHECK_NEAR(p.out_u1 - p.out_u0, 16.0, 1e-9);
}

TEST(auto_length_from_material_8_to_32)
{
    static synth a, b;
    make(&a, 120, 0, 4, 96, NULL, 0, true);
    make(&b, 120, 0, 4, 200, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .earliest_u = 0, .prefer_u = 64 };     /* 16 bars left */
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_EQ_INT(p.bars, 16);
    CHECK_EQ_INT(p.bars_asked, 16);
    o.prefer_u = 0;                                        /* 48 bars left: 32 */
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_EQ_INT(p.bars, 32);
    o.prefer_u = 90;                                       /* 3 bars left: 8, at an earlier phrase */
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_EQ_INT(p.bars, 8);
    CHECK_NEAR(p.out_u0, 80.0, 1e-9);
    CHECK(p.warn & CS_TW_EARLIER);
}

TEST(short_outgoing_starts_earlier_or_shortens)
{
    static synth a, b;
    make(&a, 120, 0, 4, 40, NULL, 0, true);     /* 20 bars */
    make(&b, 120, 0, 4, 200, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 16, .earliest_u = 0, .prefer_u = 32 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_NEAR(p.out_u0, 0.0, 1e-9);             /* the phrase before: 16 bars fit from 0 */
    CHECK_EQ_INT(p.bars, 16);
    CHECK(p.out_u1 <= a.g.len_u + 1e-9);
    o.earliest_u = 10;                            /* no phrase with 16 bars left: shortened */
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_NEAR(p.out_u0, 16.0, 1e-9);
    CHECK_EQ_INT(p.bars, 8);
    CHECK(p.warn & CS_TW_SHORTENED);
    CHECK(p.out_u1 <= a.g.len_u + 1e-9);
}

TEST(short_incoming_shortens_the_fade)
{
    static synth a, b;
    make(&a, 120, 0, 4, 128, NULL, 0, true);
    make(&b, 120, 0, 4, 10, NULL, 0, true);      /* 5 bars */
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 0, .prefer_u = 64, .min_solo_bars = 1 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_EQ_INT(p.bars, 4);                       /* 5 bars - 1 of solo: 4 */
    CHECK(p.in_u1 <= b.g.len_u - 2.0 + 1e-9);
    CHECK(p.warn & CS_TW_SHORTENED);
    CHECK(p.phrase_aligned);
}

TEST(short_incoming_leaves_room_to_hand_over_on_its_phrase)
{
    /* The incoming part: 8 bars in two 4-bar sections.  An 8-bar fade
     * would end at its phrase at bar 4 and leave its next fade no phrase:
     * the fade stops 2 bars of solo before it. */
    static synth a, b;
    double sb[] = { 0.0, 8.0 };
    make(&a, 120, 0, 4, 128, NULL, 0, true);
    make(&b, 120, 0, 4, 16, sb, 2, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 0, .prefer_u = 64, .min_solo_bars = 2 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_EQ_INT(p.bars, 2);
    CHECK_NEAR(p.in_u1, 4.0, 1e-9);
    /* Its own change then starts on the phrase at bar 4 with 4 bars. */
    static synth c;
    make(&c, 120, 0, 4, 128, NULL, 0, true);
    cs_topts o2 = { .fade_bars = 8, .earliest_u = 4.2, .prefer_u = 8, .min_solo_bars = 2 };
    cs_transition_plan(&b.g, &c.g, &o2, &p);
    CHECK_NEAR(p.out_u0, 8.0, 1e-9);
    CHECK(p.phrase_aligned);
    CHECK_EQ_INT(p.bars, 4);
}

TEST(fade_may_end_on_the_beat_at_the_part_end)
{
    /* A 12-bar part of 4-bar sections whose end (24 s) is a downbeat; the
     * player stops 5 ms before it.  A 4-bar fade from the phrase at bar 8
     * (the begin cue) ends there: no need to start a phrase early. */
    static synth a, b;
    double sa[] = { 0, 8, 16 };
    make(&a, 120, 0, 4, 23.995, sa, 3, true);
    make(&b, 120, 0, 4, 64, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 4, .earliest_u = 0.3, .prefer_u = 16 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_NEAR(p.out_u0, 16.0, 1e-9);
    CHECK_EQ_INT(p.bars, 4);
    CHECK(p.out_u1 <= 23.995 + 1e-9);
    CHECK_EQ_INT(p.warn, 0);
}

TEST(bars_count_from_the_part_start)
{
    /* The grid starts 8 s before the part (set.json keeps 16 s around it):
     * bar numbers still count from the part's first bar line. */
    static double beats[400], downs[100];
    for (int k = 0; k < 400; k++) beats[k] = -8 + 0.5 * k;
    for (int k = 0; k < 100; k++) downs[k] = -8 + 2.0 * k;
    cs_tgrid a = { .beats = beats, .n_beats = 400, .downbeats = downs, .n_downbeats = 100, .bpm = 120, .len_u = 96 };
    static synth b;
    make(&b, 120, 0, 4, 96, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 0, .prefer_u = 32 };
    cs_transition_plan(&a, &b.g, &o, &p);
    CHECK_NEAR(p.out_u0, 32.0, 1e-9);
    CHECK_EQ_INT(p.out_bar, 16);              /* 32 s = bar 16 from the part's start (shown as 17) */
    CHECK_EQ_INT(p.out_phrase, 2);
}

TEST(fade_bars_longer_than_every_part)
{
    static synth a, b;
    make(&a, 120, 0, 4, 24, NULL, 0, true);
    make(&b, 120, 0, 4, 24, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 64, .earliest_u = 0, .prefer_u = 16 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK(p.bars >= 1 && p.bars < 64);
    CHECK(p.out_u1 <= 24 + 1e-9 && p.in_u1 <= 24 + 1e-9);
    CHECK(p.warn & CS_TW_SHORTENED);
    CHECK_EQ_INT(p.bars_asked, 64);
}

TEST(part_shorter_than_a_bar)
{
    static synth a, b;
    make(&a, 120, 0, 4, 1.2, NULL, 0, true);     /* under a bar (2 s) */
    make(&b, 120, 0, 4, 60, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 0.1, .prefer_u = 0 };
    CHECK_EQ_INT(cs_transition_plan(&a.g, &b.g, &o, &p), 0);
    CHECK(p.warn & CS_TW_TOO_SHORT);
    CHECK(p.out_u0 >= 0.1 - 1e-9);
    CHECK(p.out_u1 <= 1.2 + 1e-9);
    CHECK(p.out_u1 >= p.out_u0);
    /* The incoming one under a bar too. */
    make(&b, 120, 0, 4, 0.8, NULL, 0, true);
    make(&a, 120, 0, 4, 60, NULL, 0, true);
    o.earliest_u = 20;
    o.prefer_u = 30;
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK(p.in_u1 <= 0.8 + 1e-9);
    CHECK(p.out_u0 >= 20 - 1e-9);
}

TEST(odd_meter_bars_of_three)
{
    static synth a, b;
    make(&a, 120, 0, 3, 120, NULL, 0, true);     /* bar 1.5 s, phrase 12 s */
    make(&b, 120, 0, 3, 120, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 0, .prefer_u = 50 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_EQ_INT(p.out_meter, 3);
    CHECK_EQ_INT(p.beats, 24);
    CHECK_NEAR(p.out_u0, 48.0, 1e-9);
    CHECK_NEAR(p.out_u1 - p.out_u0, 12.0, 1e-9);
    /* An explicit meter wins over the downbeats. */
    a.g.meter = 4;
    CHECK_EQ_INT(cs_tgrid_meter(&a.g), 4);
}

TEST(grid_without_downbeats_counts_from_first_beat)
{
    static synth a, b;
    make(&a, 120, 0.25, 4, 96, NULL, 0, false);  /* beats at 0.25 + k/2 */
    make(&b, 120, 0, 4, 96, NULL, 0, false);
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 0, .prefer_u = 40 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK(p.warn & CS_TW_OUT_NO_DOWNBEATS);
    CHECK(p.warn & CS_TW_IN_NO_DOWNBEATS);
    CHECK_NEAR(p.out_u0, 32.25, 1e-9);           /* phrases at 0.25 + 16 k */
    /* An empty grid: a beat every 60/bpm from 0. */
    cs_tgrid e = { .bpm = 120, .len_u = 96 };
    cs_transition_plan(&e, &b.g, &o, &p);
    CHECK_NEAR(p.out_u0, 32.0, 1e-9);
}

TEST(earliest_moves_the_plan_to_the_next_phrase)
{
    /* /cs/next mid-fade: the next plan starts at the first phrase after
     * the press (prefer = earliest). */
    static synth a, b;
    make(&a, 120, 0, 4, 128, NULL, 0, true);
    make(&b, 120, 0, 4, 128, NULL, 0, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 17.3, .prefer_u = -1 };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK_NEAR(p.out_u0, 32.0, 1e-9);
    CHECK(p.phrase_aligned);
}

TEST(different_tempi_pair_downbeats)
{
    static synth a, b;
    double sb[] = { 0.0, 20.0 };
    make(&a, 128, 0, 4, 120, NULL, 0, true);
    make(&b, 100, 0, 4, 120, sb, 2, true);
    cs_tplan p;
    cs_topts o = { .fade_bars = 8, .earliest_u = 0, .prefer_u = 60, .bass_swap = true };
    cs_transition_plan(&a.g, &b.g, &o, &p);
    CHECK(on_downbeat(&a, p.out_u0));
    CHECK(on_downbeat(&b, p.in_u0));
    /* 32 beats each side in its own u. */
    CHECK_NEAR(p.out_u1 - p.out_u0, 32 * 60.0 / 128, 1e-9);
    CHECK_NEAR(p.in_u1 - p.in_u0, 32 * 60.0 / 100, 1e-9);
    /* The swap: bar 4 of the fade, a downbeat on both sides. */
    CHECK_NEAR(p.swap_out_u, p.out_u0 + 16 * 60.0 / 128, 1e-9);
    CHECK_NEAR(p.swap_in_u, p.in_u0 + 16 * 60.0 / 100, 1e-9);
    CHECK(on_downbeat(&a, p.swap_out_u));
}

TEST(gains_equal_power_and_bass_swap)
{
    cs_tplan p = { .out_u0 = 10, .out_u1 = 26, .swap_out_u = 18, .swap_in_u = 8 };
    double go, gi, lo, li;
    cs_transition_gains(&p, 10, &go, &gi, &lo, &li);
    CHECK_NEAR(go, 1, 1e-12);
    CHECK_NEAR(gi, 0, 1e-12);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(li, 0, 0);
    cs_transition_gains(&p, 18, &go, &gi, &lo, &li);
    CHECK_NEAR(go * go + gi * gi, 1, 1e-12);
    CHECK_NEAR(lo, 0, 0);
    CHECK_NEAR(li, 1, 0);
    cs_transition_gains(&p, 30, &go, &gi, &lo, &li);
    CHECK_NEAR(go, 0, 1e-12);
    CHECK_NEAR(gi, 1, 1e-12);
    p.swap_out_u = -1;
    cs_transition_gains(&p, 12, &go, &gi, &lo, &li);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(li, 1, 0);
}

TEST(unusable_grid_is_an_error_with_a_cut)
{
    static synth b;
    make(&b, 120, 0, 4, 60, NULL, 0, true);
    cs_tgrid bad = { .bpm = 0, .len_u = 10 };
    cs_tplan p;
    cs_topts o = { .earliest_u = 3 };
    CHECK_EQ_INT(cs_transition_plan(&bad, &b.g, &o, &p), -1);
    CHECK_NEAR(p.out_u0, 3, 0);
    CHECK(p.warn & CS_TW_TOO_SHORT);
}

TEST(warn_text)
{
    char buf[200];
    CHECK_STR(cs_transition_warn_text(0, buf, sizeof buf), "");
    CHECK_STR(cs_transition_warn_text(CS_TW_SHORTENED | CS_TW_NO_PHRASE, buf, sizeof buf),
              "no phrase within reach; fade shortened");
}
