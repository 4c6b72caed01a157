/* Ladder-set transitions through the engine (the render rig): the planned
 * fade and the bass swap.  Track A is DC on the left channel, track B DC on
 * the right: DC lies wholly in the deck EQ's low band, so a deck's "bass"
 * is its channel, and the output shows when each low band sounds. */
#include "tests/unit/unit.h"
#include "tests/unit/rig.h"

#include "pkg/err.h"
#include "pkg/ladderset.h"
#include "player/set/ladder.h"

typedef struct mixrun {
    double solo_a, in_cut, a_cut_after, b_after;   /* levels seen, relative to A alone */
    double overlap_s;                              /* both channels >= half their full level */
    double first_b_s;                              /* B's level first above 1 % */
} mixrun;

static int run(bool plain, mixrun *m)
{
    const char *fa = rig_dc_wav("a.wav", 16.0, 0.25f, 0.0f);
    const char *fb = rig_dc_wav("b.wav", 16.0, 0.0f, 0.25f);
    cs_control_config cfg = rig_config();
    cfg.stretch_disabled = true;
    rig g;
    if (!fa || !fb || rig_open(&g, &cfg, 16.0) < 0) return -1;
    cs_lset set = { 0 };
    /* 120 BPM, no grid (a beat every 0.5 s), parts of 16 s, begin cue 8 s. */
    cs_lset_track *t = cs_lset_add_track(&set, "/m/a.wav", 120, 0, 8.0, 16.0);
    if (t) cs_lset_add_rung(t, 120, 1.0, fa);
    t = cs_lset_add_track(&set, "/m/b.wav", 120, 0, 8.0, 16.0);
    if (t) cs_lset_add_rung(t, 120, 1.0, fb);
    cs_lset_probe(&set);
    cs_ladder_opts o = { .prepare_s = 0.05, .meter = 4, .fade_bars = 2, .plain_fade = plain };
    cs_err err = {0};
    int level = cs_log_level();
    cs_log_set_level(-1);
    cs_ladder *l = cs_ladder_new(&set, g.c, g.e, g.r, &o, &err);
    cs_lset_free(&set);
    if (!l) {
        cs_log_set_level(level);
        rig_close(&g);
        return -1;
    }
    cs_control_ladder h = cs_ladder_hooks(l);
    cs_control_set_ladder(g.c, &h);
    rig_render_to(&g, 15 * CS_RATE);
    cs_ladder_free(l);
    cs_log_set_level(level);
    const float *x = g.out;
    /* Full level: track A alone (the voice volume and the deck's pan law). */
    double full = fabs(x[2 * (size_t)(6 * CS_RATE)]);
    *m = (mixrun){ .first_b_s = -1 };
    size_t both = 0;
    for (size_t i = 0; full > 0.05 && i < 15 * (size_t)CS_RATE; i++) {
        double L = fabs(x[2 * i]), R = fabs(x[2 * i + 1]), s = (double)i / CS_RATE;
        if (L >= 0.5 * full && R >= 0.5 * full) both++;
        if (m->first_b_s < 0 && R > 0.01 * full) m->first_b_s = s;
        if (s > 4 && s < 7.9 && L > m->solo_a) m->solo_a = L;
        if (s > 8.1 && s < 9.9 && R > m->in_cut) m->in_cut = R;
        if (s > 10.3 && s < 11.9 && L > m->a_cut_after) m->a_cut_after = L;
        if (s > 12.5 && s < 14 && R > m->b_after) m->b_after = R;
    }
    m->overlap_s = (double)both / CS_RATE;
    m->solo_a /= full;
    m->in_cut /= full;
    m->a_cut_after /= full;
    m->b_after /= full;
    rig_close(&g);
    return 0;
}

TEST(bass_swap_hands_the_low_band_over_on_a_downbeat)
{
    mixrun m;
    CHECK(run(false, &m) == 0);
    /* A alone at full level; the 2-bar fade from the begin cue's bar line
     * (8 s): B's low band is cut until the swap at bar 2 (10 s), A's after it. */
    CHECK_NEAR(m.solo_a, 1, 0.001);
    CHECK(m.in_cut < 0.01);
    CHECK(m.a_cut_after < 0.01);
    CHECK_NEAR(m.b_after, 1, 0.001);
    /* Both low bands at >= half level: the EQ's gain smoothing only. */
    CHECK(m.overlap_s < 0.25);
}

TEST(plain_fade_overlaps_the_basslines)
{
    mixrun m;
    CHECK(run(true, &m) == 0);
    /* B sounds from the fade's start (8 s); both at >= half level over the
     * middle third of the 4 s fade. */
    CHECK(m.first_b_s > 7.9 && m.first_b_s < 8.2);
    CHECK(m.overlap_s > 1.0);
}
