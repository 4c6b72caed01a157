/* The ladder never loses an engine command (issue 21; ladder_cmd.h): a
 * ladder set played through the control thread in render mode while the
 * engine's command queue is flooded (filled with harmless commands, as a
 * burst of OSC would fill it) before some ticks.  Fades, levels and releases
 * the queue refused must still arrive; a rung switch's start must never go
 * without its fade and the old voice's release. */
#include "tests/unit/unit.h"
#include "tests/unit/rig.h"

#include <stdlib.h>

#include "pkg/ladderset.h"
#include "player/surface/ladder.h"
#include "player/surface/ladder_cmd.h"

typedef struct lrig {
    rig g;
    cs_ladder *l;
} lrig;

/* ntracks tracks of one 120 BPM rung set (118..122), parts of end_u s. */
static int lrig_open(lrig *x, int ntracks, double begin_u, double end_u)
{
    const char *f = rig_dc_wav("r.wav", 6.0, 0.25f, 0.25f);
    cs_control_config cfg = rig_config();
    cfg.stretch_disabled = true;
    if (!f || rig_open(&x->g, &cfg, 0) < 0) return -1;
    cs_lset set = { 0 };
    for (int i = 0; i < ntracks; i++) {
        cs_lset_track *t = cs_lset_add_track(&set, i ? "/music/two.wav" : "/music/one.wav", 120, 0, begin_u, end_u);
        for (int k = 0; t && k < 5; k++) cs_lset_add_rung(t, 118 + k, (118 + k) / 120.0, f);
    }
    cs_lset_probe(&set);
    cs_ladder_opts o = { .prepare_s = 0.05, .meter = 4 };
    cs_err err = {0};
    x->l = cs_ladder_new(&set, x->g.c, x->g.e, x->g.r, &o, &err);
    cs_lset_free(&set);
    if (!x->l) {
        rig_close(&x->g);
        return -1;
    }
    cs_control_ladder h = cs_ladder_hooks(x->l);
    cs_control_set_ladder(x->g.c, &h);
    return 0;
}

static void lrig_close(lrig *x)
{
    cs_ladder_free(x->l);
    rig_close(&x->g);
}

/* Fills the engine's command queue until `room` slots are left. */
static void flood(cs_engine *e, size_t room)
{
    while (cs_engine_queue_free(e) > room)
        if (cs_engine_volume(e, 0, 1.0, CS_NOW) < 0) break;
}

/* Deck B's level over the first 50 ms its first voice plays (the incoming
 * deck of a crossfade; render_flooded records it). */
static double b_level_at_start;
static long b_blocks;

/* Renders to `until` as rig_render_to does, 1000-frame blocks, flooding the
 * queue (leaving `room`) before the tick of every block for which
 * flood_if(block index) is true. */
static void render_flooded(lrig *x, uint64_t until, bool (*flood_if)(long), size_t room)
{
    static float scratch[2 * 1000];
    for (long k = 0; x->g.t < until; k++) {
        uint64_t n = until - x->g.t < 1000 ? until - x->g.t : 1000;
        cs_control_set_clock(x->g.c, x->g.t);
        cs_reader_pump(x->g.r, true);
        if (flood_if(k)) flood(x->g.e, room);
        cs_control_tick(x->g.c);
        cs_engine_process(x->g.e, scratch, (size_t)n);
        x->g.t += n;
        if (cs_engine_voice_state(x->g.e, CS_MAX_VOICES - 2) == CS_VOICE_PLAYING && b_blocks++ < 2) {
            cs_engine_stats st;
            cs_engine_stats_get(x->g.e, &st);
            if (st.deck_level[1] > b_level_at_start) b_level_at_start = st.deck_level[1];
        }
    }
    cs_control_set_clock(x->g.c, x->g.t);
}

static bool every_other(long k) { return k % 2 == 0; }
static bool other_parity(long k) { return k % 2 == 1; }
static bool first_second(long k) { return k < 44; }

static double deck_level(lrig *x, int d)
{
    cs_engine_stats st;
    cs_engine_stats_get(x->g.e, &st);
    return st.deck_level[d];
}

static void check_crossfade(bool (*flood_if)(long))
{
    /* Two tracks of 2.5 s parts, the second handed over at 1.0 s: deck A
     * fades out, deck B in, while every other tick meets a full queue. */
    lrig x;
    CHECK(lrig_open(&x, 2, 1.0, 2.5) == 0);
    int level = cs_log_level();
    cs_log_set_level(-1);
    b_level_at_start = 0;
    b_blocks = 0;
    render_flooded(&x, 3 * CS_RATE, flood_if, 0);     /* the fade ends at 2.5 s */
    cs_log_set_level(level);
    /* The outgoing deck ends at 0 and its voices are released; the
     * incoming one is at full. */
    CHECK_NEAR(deck_level(&x, 0), 0.0, 1e-6);
    CHECK_NEAR(deck_level(&x, 1), 1.0, 1e-6);
    /* The incoming deck came in from silence, not at full. */
    CHECK(b_blocks > 0 && b_level_at_start < 0.2);
    int a0 = CS_MAX_VOICES - 4;
    CHECK_EQ_INT(cs_engine_voice_state(x.g.e, a0), CS_VOICE_EMPTY);
    CHECK_EQ_INT(cs_engine_voice_state(x.g.e, a0 + 1), CS_VOICE_EMPTY);
    CHECK_EQ_INT(cs_engine_voice_state(x.g.e, a0 + 2), CS_VOICE_PLAYING);
    cs_engine_stats st;
    cs_engine_stats_get(x.g.e, &st);
    CHECK(st.dropped_cmds > 0);                  /* the flood did refuse commands */
    lrig_close(&x);
}

TEST(crossfade_on_a_flooded_queue_loses_no_fade_level_or_release)
{
    check_crossfade(every_other);
    check_crossfade(other_parity);
}

TEST(rung_switch_never_starts_without_its_fade_and_release)
{
    /* One slot left in the queue at every tick of the first second, while a
     * rung switch (tempo 121.6: rung 122) falls due: the start alone would
     * fit.  The switch must wait for room for all of it, then happen: one
     * voice of deck A plays, the other is released. */
    lrig x;
    CHECK(lrig_open(&x, 1, 1.0, 5.0) == 0);
    rig_render_to(&x.g, CS_RATE / 4);
    CHECK(cs_control_set_tempo(x.g.c, 121.6) == 0);
    int level = cs_log_level();
    cs_log_set_level(-1);
    render_flooded(&x, 3 * CS_RATE, first_second, 1);
    cs_log_set_level(level);
    cs_control_status st;
    cs_control_status_get(x.g.c, &st);
    CHECK_EQ_INT(st.rung[0], 122);
    int a0 = CS_MAX_VOICES - 4;
    int playing = (cs_engine_voice_state(x.g.e, a0) == CS_VOICE_PLAYING) +
                  (cs_engine_voice_state(x.g.e, a0 + 1) == CS_VOICE_PLAYING);
    int empty = (cs_engine_voice_state(x.g.e, a0) == CS_VOICE_EMPTY) +
                (cs_engine_voice_state(x.g.e, a0 + 1) == CS_VOICE_EMPTY);
    CHECK_EQ_INT(playing, 1);
    CHECK_EQ_INT(empty, 1);
    lrig_close(&x);
}

TEST(deferred_commands_go_in_order_with_their_stamps)
{
    rig g;
    CHECK(rig_open(&g, NULL, 0) == 0);
    ladder_cmds q;
    ladder_cmd_init(&q, g.e);
    flood(g.e, 0);
    int level = cs_log_level();
    cs_log_set_level(-1);
    ladder_cmd_level(&q, 1, 0.25, 0, 100);
    ladder_cmd_level(&q, 1, 0.5, 0, 100);           /* same sample: order decides */
    CHECK(!ladder_cmd_room(&q, 1));
    cs_log_set_level(level);
    CHECK_EQ_INT(q.n, 2);
    CHECK_EQ_INT(q.deferred, 2);
    rig_render_to(&g, 1000);                         /* the flood drains */
    ladder_cmd_flush(&q);
    CHECK_EQ_INT(q.n, 0);
    CHECK(ladder_cmd_room(&q, 2));
    rig_render_to(&g, 3000);
    cs_engine_stats st;
    cs_engine_stats_get(g.e, &st);
    CHECK_NEAR(st.deck_level[1], 0.5, 1e-6);
    ladder_cmd_free(&q);
    rig_close(&g);
}
