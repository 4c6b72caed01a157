/* Control-side tests through the OSC packet entry point (what the UDP server
 * calls), in render mode: time-tagged bundles land on their exact sample
 * (liblo builds them), late bundles run at once and are counted and logged,
 * nested bundles; the output clock's seqlock; voices reserved for ladder
 * sets; rate-limited warnings. */
#include "tests/unit/unit.h"
#include "tests/unit/rig.h"
#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/surface/osc.h"
#include "player/surface/osc_test.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sndfile.h>
#include <stdlib.h>
#include <unistd.h>

#define SECS 2.0

static rig rig_new(void)
{
    rig g;
    cs_control_config cfg = rig_config();
    if (rig_open(&g, &cfg, SECS) < 0) abort();
    return g;
}

static long first_nonzero(const rig *g, int ch, uint64_t from)
{
    for (uint64_t i = from; i < g->t; i++)
        if (g->out[2 * i + (uint64_t)ch] != 0.0f) return (long)i;
    return -1;
}

TEST(bundles_half_a_second_apart_start_22050_frames_apart)
{
    rig g = rig_new();
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    rig_load(&g, 1100, rig_dc_wav("b.wav", 2.0, 0, 0.5f));
    /* Both sent at time 0, ahead of their tags. */
    lo_bundle b1 = lo_bundle_new(rig_tag(0.5));
    lo_bundle_add_message(b1, "/play_stem", rig_msg_id(100));
    rig_osc_bundle(g.c, b1);
    lo_bundle b2 = lo_bundle_new(rig_tag(1.0));
    lo_bundle_add_message(b2, "/play_stem", rig_msg_id(1100));
    rig_osc_bundle(g.c, b2);
    rig_render_to(&g, (uint64_t)(1.5 * CS_RATE));
    long a = first_nonzero(&g, 0, 0), b = first_nonzero(&g, 1, 0);
    CHECK_EQ_INT(a, 22050);
    CHECK_EQ_INT(b, 44100);
    CHECK_EQ_INT(b - a, 22050);
    CHECK_EQ_INT(cs_control_late_bundles(g.c), 0);
    rig_close(&g);
}

TEST(bundle_time_is_now_for_every_command_it_issues)
{
    rig g = rig_new();
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    /* Playing from 0; a bundle at 0.5 s turns the deck down: the ramp starts
     * on that sample, not when the bundle arrived. */
    rig_osc(&g, "/play_stem", rig_msg_id(100));
    lo_message lv = lo_message_new();
    lo_message_add_float(lv, 0.0f);
    lo_bundle b = lo_bundle_new(rig_tag(0.5));
    lo_bundle_add_message(b, "/deck_levels", lv);
    /* ... and /cue + /start_group 0.25 inside it starts deck B 0.25 s after
     * the bundle's time. */
    lo_message cue = lo_message_new();
    lo_message_add_string(cue, "B");
    lo_message_add_string(cue, rig_dc_wav("b.wav", 2.0, 0, 0.5f));
    lo_bundle_add_message(b, "/cue", cue);
    lo_message sg = lo_message_new();
    lo_message_add_string(sg, "B");
    lo_message_add_float(sg, 0.25f);
    lo_bundle_add_message(b, "/start_group", sg);
    rig_osc_bundle(g.c, b);
    rig_render_to(&g, (uint64_t)(1.0 * CS_RATE));
    CHECK_EQ_INT(first_nonzero(&g, 0, 0), 0);
    float full = g.out[2 * 1000];
    CHECK(full > 0.2f);
    CHECK(g.out[2 * 22049] == full);
    CHECK(g.out[2 * 22050] < full);
    CHECK_EQ_INT(first_nonzero(&g, 1, 0), 22050 + 11025);
    rig_close(&g);
}

/* Runs fn with stderr going to a file; returns what was written. */
TEST(future_cleanup_spares_a_load_made_before_it)
{
    /* Deck A plays; at 0.1 s a bundle clears the mixer at 0.5 s; before
     * that, at 0.2 s, deck B is loaded and started.  The cleanup ends what was there
     * when it was sent (A stops at 0.5 s) and B, loaded after, plays on:
     * B must not take the engine slot whose release is still pending. */
    rig g = rig_new();
    rig_load(&g, 100, rig_dc_wav("ca.wav", 2.0, 0.5f, 0));
    rig_osc(&g, "/play_stem", rig_msg_id(100));
    rig_render_to(&g, (uint64_t)(0.1 * CS_RATE));
    lo_bundle b = lo_bundle_new(rig_tag(0.5));
    lo_bundle_add_message(b, "/mixer_cleanup", lo_message_new());
    rig_osc_bundle(g.c, b);
    rig_render_to(&g, (uint64_t)(0.2 * CS_RATE));
    rig_load(&g, 1100, rig_dc_wav("cb.wav", 2.0, 0, 0.5f));
    rig_osc(&g, "/play_stem", rig_msg_id(1100));
    rig_render_to(&g, (uint64_t)(1.0 * CS_RATE));
    uint64_t before = (uint64_t)(0.45 * CS_RATE), after = (uint64_t)(0.8 * CS_RATE);
    CHECK(g.out[2 * before] != 0.0f);          /* A until the cleanup */
    CHECK(g.out[2 * after] == 0.0f);           /* ... and not after */
    CHECK(g.out[2 * before + 1] != 0.0f);      /* B from 0.2 s */
    CHECK(g.out[2 * after + 1] != 0.0f);       /* ... and past the cleanup */
    rig_close(&g);
}

static void send_late(void *arg)
{
    rig *g = arg;
    lo_bundle b = lo_bundle_new(rig_tag(0.25));
    lo_bundle_add_message(b, "/play_stem", rig_msg_id(100));
    rig_osc_bundle(g->c, b);
}

TEST(late_bundle_runs_at_once_counted_and_logged)
{
    rig g = rig_new();
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    rig_render_to(&g, 22050);
    /* At 0.5 s, a bundle for 0.25 s: 250 ms late. */
    char *log = rig_capture_stderr(send_late, &g);
    rig_render_to(&g, 44100);
    CHECK_EQ_INT(first_nonzero(&g, 0, 0), 22050);
    CHECK_EQ_INT(cs_control_late_bundles(g.c), 1);
    CHECK(strstr(log, "late by 250.0 ms") != NULL);
    rig_close(&g);
}

TEST(nested_bundles_take_their_own_tags_never_earlier_than_the_parent)
{
    rig g = rig_new();
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    rig_load(&g, 1100, rig_dc_wav("b.wav", 2.0, 0, 0.5f));
    rig_load(&g, 2100, rig_dc_wav("c.wav", 2.0, 0, 0.25f));
    lo_bundle outer = lo_bundle_new(rig_tag(0.5));
    lo_bundle_add_message(outer, "/play_stem", rig_msg_id(100));
    lo_bundle later = lo_bundle_new(rig_tag(0.75));
    lo_bundle_add_message(later, "/play_stem", rig_msg_id(1100));
    lo_bundle_add_bundle(outer, later);
    lo_bundle earlier = lo_bundle_new(rig_tag(0.1));      /* breaks the rule: gets 0.5 */
    lo_bundle_add_message(earlier, "/play_stem", rig_msg_id(2100));
    lo_bundle_add_bundle(outer, earlier);
    rig_osc_bundle(g.c, outer);
    rig_render_to(&g, 44100);
    CHECK_EQ_INT(first_nonzero(&g, 0, 0), 22050);     /* A at the outer tag */
    CHECK_EQ_INT(first_nonzero(&g, 1, 0), 22050);     /* C (right channel) at the parent's */
    float c_only = g.out[2 * 30000 + 1];
    CHECK(c_only > 0.1f);
    CHECK(g.out[2 * 33074 + 1] == c_only);
    CHECK(g.out[2 * 33075 + 1] > c_only);             /* B joins at 0.75 s */
    CHECK_EQ_INT(cs_control_late_bundles(g.c), 0);
    rig_close(&g);
}

TEST(immediate_tag_runs_now)
{
    rig g = rig_new();
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    rig_render_to(&g, 5000);
    lo_bundle b = lo_bundle_new(LO_TT_IMMEDIATE);
    lo_bundle_add_message(b, "/play_stem", rig_msg_id(100));
    rig_osc_bundle(g.c, b);
    rig_render_to(&g, 10000);
    CHECK_EQ_INT(first_nonzero(&g, 0, 0), 5000);
    CHECK_EQ_INT(cs_control_late_bundles(g.c), 0);
    rig_close(&g);
}

TEST(live_tag_maps_through_the_output_clock)
{
    /* Not render mode: a tag 0.5 s after the wall clock's now maps to the
     * published sample + 22050, within the time the calls take. */
    cs_control_config cfg = { .base_bpm = 120, .stretch = CS_STRETCH_RATE,
                              .tempo = cs_tempo_config_default(), .meter = 4 };
    cs_engine *e = cs_engine_new(NULL);
    cs_reader *r = cs_reader_new(false, NULL);
    cs_control *c = cs_control_new(&cfg, e, r, NULL);
    struct timespec mono, rt;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &rt);
    cs_engine_clock_publish(e, 1000000, (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec);
    double ntp = (double)rt.tv_sec + 2208988800.0 + (double)rt.tv_nsec / 1e9 + 0.5;
    uint32_t sec = (uint32_t)ntp;
    uint32_t frac = (uint32_t)((ntp - sec) * 4294967296.0);
    uint64_t at = cs_control_tag_time(c, sec, frac);
    uint64_t now = cs_control_tag_time(c, 0, 1);
    cs_control_free(c);
    cs_reader_free(r);
    cs_engine_free(e);
    CHECK_NEAR((double)at, 1000000.0 + 22050.0, 44.1 * 5);   /* within 5 ms */
    CHECK_EQ_INT(now, CS_NOW);
}

static atomic_bool clk_stop;

static void *clk_writer(void *arg)
{
    cs_engine *e = arg;
    for (uint64_t i = 1; !atomic_load(&clk_stop); i++) {
        cs_engine_clock_publish(e, i, (int64_t)i * 3);
        /* Let the reader in now and then: under valgrind one thread runs
         * at a time and a pure spin would starve it. */
        if (i % 64 == 0) sched_yield();
    }
    return NULL;
}

TEST(output_clock_pair_is_always_consistent)
{
    cs_engine *e = cs_engine_new(NULL);
    uint64_t f;
    int64_t ns;
    CHECK(!cs_engine_clock_read(e, &f, &ns));
    pthread_t th;
    atomic_store(&clk_stop, false);
    pthread_create(&th, NULL, clk_writer, e);
    int bad = 0, seen = 0;
    uint64_t last = 0;
    /* Wait for the writer's first pair (bounded), then race it. */
    for (long i = 0; i < 100000000 && !cs_engine_clock_read(e, &f, &ns); i++) sched_yield();
    for (int i = 0; i < 200000; i++) {
        if (!cs_engine_clock_read(e, &f, &ns)) {
            sched_yield();
            continue;
        }
        seen++;
        if (ns != (int64_t)f * 3 || f < last) bad++;
        last = f;
    }
    atomic_store(&clk_stop, true);
    pthread_join(th, NULL);
    cs_engine_free(e);
    CHECK(seen > 0);
    CHECK_EQ_INT(bad, 0);
}

TEST(reserved_voices_never_hold_buffers)
{
    rig g = rig_new();
    CHECK_EQ_INT(cs_control_reserve_voices(g.c, 4), CS_MAX_VOICES - 4);
    const char *p = rig_dc_wav("a.wav", 2.0, 0.5f, 0);
    int ok = 0;
    int level = cs_log_level();
    cs_log_set_level(-1);     /* the refusals are expected */
    for (int id = 0; id < CS_MAX_VOICES; id++) ok += cs_control_load_buffer(g.c, 5000 + id, p, NULL) == 0;
    cs_log_set_level(level);
    CHECK_EQ_INT(ok, CS_MAX_VOICES - 4);
    rig_render_to(&g, 1000);
    for (int s = CS_MAX_VOICES - 4; s < CS_MAX_VOICES; s++) CHECK_EQ_INT(cs_engine_voice_state(g.e, s), CS_VOICE_EMPTY);
    CHECK_EQ_INT(cs_engine_voice_state(g.e, 0), CS_VOICE_CUED);
    /* Voices a buffer holds cannot be reserved. */
    CHECK_EQ_INT(cs_control_reserve_voices(g.c, 1), -1);
    rig_close(&g);
}

static void flood(void *arg)
{
    rig *g = arg;
    cs_log_set_level(CS_LOG_NORMAL);
    for (int i = 0; i < 1000; i++) cs_control_stop_stem(g->c, 7000 + i);
    cs_control_free(g->c);    /* reports what was left out */
    g->c = NULL;
}

TEST(control_warnings_are_rate_limited)
{
    rig g = rig_new();
    char *log = rig_capture_stderr(flood, &g);
    int lines = 0;
    for (char *p = log; (p = strstr(p, "/stop_stem: no player")); p++) lines++;
    CHECK(lines >= 1 && lines <= 20);      /* 10 a second; the flood may straddle two */
    CHECK(strstr(log, "more warnings not shown") != NULL);
    cs_control_config cfg = { .base_bpm = 120, .tempo = cs_tempo_config_default(), .render = true };
    g.c = cs_control_new(&cfg, g.e, g.r, NULL);
    rig_close(&g);
}

/* Fills the engine's command queue: one command is refused (dropped). */
static void drop_one(rig *g)
{
    long n = 0;
    while (cs_engine_volume(g->e, 0, 1.0, CS_NOW) == 0 && n < 1000000) n++;
}

static void drops_over_time(void *arg)
{
    rig *g = arg;
    cs_log_set_level(CS_LOG_NORMAL);
    drop_one(g);
    cs_engine_process(g->e, g->out, 1);           /* the engine empties the queue */
    for (uint64_t t = 0; t < 10 * (uint64_t)CS_RATE; t += CS_RATE / 10) {   /* 10 s of ticks */
        cs_control_set_clock(g->c, t);
        cs_control_tick(g->c);
    }
    drop_one(g);                                  /* a second drop: one more line */
    cs_engine_process(g->e, g->out, 1);
    for (uint64_t t = 10 * (uint64_t)CS_RATE; t < 20 * (uint64_t)CS_RATE; t += CS_RATE / 10) {
        cs_control_set_clock(g->c, t);
        cs_control_tick(g->c);
    }
}

TEST(dropped_commands_are_reported_once_per_drop)
{
    rig g = rig_new();
    char *log = rig_capture_stderr(drops_over_time, &g);
    int lines = rig_count(log, "dropped (queue full)");
    if (lines != 2) fprintf(stderr, "%d lines:\n%s", lines, log);
    CHECK_EQ_INT(lines, 2);
    CHECK(strstr(log, "1 commands dropped") != NULL);
    rig_close(&g);
}
