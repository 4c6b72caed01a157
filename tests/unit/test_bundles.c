/* Time-tagged bundles that a sender (broken, hostile, or on a Pi without a
 * real-time clock) can aim at the player: future bundles wait on the
 * control side, never in the engine's fixed lists; tags beyond --max-ahead
 * are refused with one line; the waiting heap is bounded; lateness is the
 * true lateness; bundles nested too deep or malformed are logged and
 * counted (issue 21).  Render mode through the OSC packet entry point, as
 * test_control.c; the live clock where the wall clock matters. */
#include "tests/unit/unit.h"
#include "tests/unit/rig.h"
#include "player/control/control.h"
#include "player/control/status.h"
#include "player/engine/engine.h"
#include "player/surface/osc.h"
#include "player/surface/osc_test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static rig rig_with(double max_ahead)
{
    rig g;
    cs_control_config cfg = rig_config();
    cfg.max_ahead_s = max_ahead;
    if (rig_open(&g, &cfg, 3.0) < 0) abort();
    return g;
}

static void send_bytes(cs_control *c, const void *d, size_t n) { cs_osc_handle_packet(c, d, n, NULL, NULL); }

static lo_message levels_msg(float l)
{
    lo_message m = lo_message_new();
    for (int d = 0; d < 4; d++) lo_message_add_float(m, l);
    return m;
}

static long first_nonzero(const rig *g, int ch)
{
    for (uint64_t i = 0; i < g->t; i++)
        if (g->out[2 * i + (uint64_t)ch] != 0.0f) return (long)i;
    return -1;
}

typedef struct flood {
    rig *g;
    int n;
    double at;
} flood;

/* n bundles tagged `at`, each setting the four deck levels (four engine
 * commands), then /play_stem 100 due now. */
static void flood_then_play(void *arg)
{
    flood *f = arg;
    for (int i = 0; i < f->n; i++) {
        lo_bundle b = lo_bundle_new(rig_tag(f->at + i * 1e-3));
        lo_bundle_add_message(b, "/deck_levels", levels_msg(0.5f));
        rig_osc_bundle(f->g->c, b);
    }
    rig_osc(f->g, "/play_stem", rig_msg_id(100));
}

TEST(an_hour_ahead_1500_bundles_are_refused_and_play_now_plays)
{
    rig g = rig_with(0);
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    rig_render_to(&g, 1000);
    flood f = { &g, 1500, 3600 };
    char *log = rig_capture_stderr(flood_then_play, &f);
    rig_render_to(&g, 5000);
    CHECK_EQ_INT(first_nonzero(&g, 0), 1000);           /* played at once */
    cs_control_status st;
    cs_control_status_get(g.c, &st);
    CHECK_EQ_INT(st.bundles_dropped[CS_BUNDLE_DROP_AHEAD], 1500);
    CHECK_EQ_INT(st.bundles_waiting, 0);
    /* One line per refusal, rate-limited: 10 a second (the flood may straddle
     * two), then the rest counted. */
    CHECK(strstr(log, "3600.0 s ahead, beyond --max-ahead 60 s") != NULL);
    CHECK(strstr(log, "real-time clock or NTP") != NULL);
    CHECK(rig_count(log, "too far ahead") <= 20);
    CHECK_EQ_INT(cs_engine_queue_free(g.e), cs_engine_queue_size(g.e));
    rig_close(&g);
}

TEST(the_waiting_heap_is_bounded_and_the_engine_never_fills)
{
    /* With a horizon of two hours they are not refused: they wait on the
     * control side, the first CS_BUNDLE_QUEUE_MAX of them; the rest are
     * dropped (queue full), and a start due now still plays. */
    rig g = rig_with(7200);
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    rig_render_to(&g, 1000);
    flood f = { &g, 1500, 3600 };
    char *log = rig_capture_stderr(flood_then_play, &f);
    CHECK_EQ_INT(cs_engine_queue_free(g.e), cs_engine_queue_size(g.e));   /* nothing of them in the engine */
    rig_render_to(&g, 5000);
    CHECK_EQ_INT(first_nonzero(&g, 0), 1000);
    cs_control_status st;
    cs_control_status_get(g.c, &st);
    CHECK_EQ_INT(st.bundles_waiting, CS_BUNDLE_QUEUE_MAX);
    CHECK_EQ_INT(st.bundles_dropped[CS_BUNDLE_DROP_FULL], 1500 - CS_BUNDLE_QUEUE_MAX);
    CHECK(strstr(log, "queue full") != NULL);
    char *json = cs_status_json(&st);
    CHECK(json && strstr(json, "\"bundles_dropped_queue_full\":476") && strstr(json, "\"bundles_waiting\":1024"));
    free(json);
    rig_close(&g);
}

TEST(a_deferred_bundle_reaches_the_engine_just_before_its_sample)
{
    rig g = rig_with(0);
    rig_load(&g, 100, rig_dc_wav("a.wav", 3.0, 0.5f, 0));
    lo_bundle b = lo_bundle_new(rig_tag(2.0));
    lo_bundle_add_message(b, "/play_stem", rig_msg_id(100));
    rig_osc_bundle(g.c, b);
    rig_render_to(&g, (uint64_t)(1.0 * CS_RATE));
    /* At 1 s it still waits on the control side; the engine holds nothing. */
    CHECK_EQ_INT(cs_control_bundles_waiting(g.c), 1);
    CHECK_EQ_INT(cs_engine_queue_free(g.e), cs_engine_queue_size(g.e));
    CHECK_NEAR(cs_control_next_tick(g.c), 2.0 - CS_BUNDLE_LEAD_S - 1.0, 1e-3);
    rig_render_to(&g, (uint64_t)(2.5 * CS_RATE));
    CHECK_EQ_INT(cs_control_bundles_waiting(g.c), 0);
    CHECK_EQ_INT(first_nonzero(&g, 0), 88200);           /* to the sample */
    CHECK_EQ_INT(cs_control_late_bundles(g.c), 0);
    rig_close(&g);
}

/* Renders to `until` in 1000-frame blocks as rig_render_to does, keeping
 * the engine's command queue more than half full before every tick (a burst
 * of OSC), so that deferred bundles are held back; at `then` (once) sends
 * bundle `b`. */
static void render_busy(rig *g, uint64_t until, uint64_t then, lo_bundle b)
{
    static float scratch[2 * 1000];
    while (g->t < until) {
        uint64_t n = until - g->t < 1000 ? until - g->t : 1000;
        cs_control_set_clock(g->c, g->t);
        cs_reader_pump(g->r, true);
        while (cs_engine_queue_free(g->e) * 2 >= cs_engine_queue_size(g->e))
            if (cs_engine_volume(g->e, 0, 1.0, CS_NOW) < 0) break;
        if (b && g->t >= then) {
            rig_osc_bundle(g->c, b);
            b = NULL;
        }
        cs_control_tick(g->c);
        cs_engine_process(g->e, scratch, (size_t)n);
        g->t += n;
    }
    cs_control_set_clock(g->c, g->t);
}

TEST(a_held_bundle_never_lands_after_a_later_one)
{
    /* Levels 0.2 at 2.0 s wait on the control side; the engine's queue stays
     * busy past 2.0 s, so they are held; levels 0.9 at 2.1 s, sent at 1.9 s,
     * are inside the lead.  The 2.0 s bundle must not land after the 2.1 s
     * one: the levels end at 0.9. */
    rig g = rig_with(0);
    lo_bundle b1 = lo_bundle_new(rig_tag(2.0));
    lo_bundle_add_message(b1, "/deck_levels", levels_msg(0.2f));
    rig_osc_bundle(g.c, b1);
    lo_bundle b2 = lo_bundle_new(rig_tag(2.1));
    lo_bundle_add_message(b2, "/deck_levels", levels_msg(0.9f));
    int level = cs_log_level();
    cs_log_set_level(-1);
    render_busy(&g, (uint64_t)(2.3 * CS_RATE), (uint64_t)(1.9 * CS_RATE), b2);
    cs_log_set_level(level);
    rig_render_to(&g, (uint64_t)(2.8 * CS_RATE));
    CHECK_EQ_INT(cs_control_bundles_waiting(g.c), 0);
    cs_engine_stats st;
    cs_engine_stats_get(g.e, &st);
    for (int d = 0; d < 4; d++) CHECK_NEAR(st.deck_level[d], 0.9, 1e-6);
    rig_close(&g);
}

static void never_run(cs_control *c, const void *d, size_t n, const void *aux, size_t auxn)
{
    (void)c, (void)d, (void)n, (void)aux, (void)auxn;
}

static void defer_huge(void *arg)
{
    rig *g = arg;
    static const unsigned char b[16];
    /* Sizes whose sum wraps: refused, never allocated or copied. */
    CHECK_EQ_INT(cs_control_bundle_defer(g->c, 1000000, never_run, b, sizeof b, b, SIZE_MAX - 8), -1);
    CHECK_EQ_INT(cs_control_bundle_defer(g->c, 1000000, never_run, b, SIZE_MAX - 8, b, 16), -1);
}

TEST(sizes_that_wrap_are_refused)
{
    rig g = rig_with(0);
    rig_capture_stderr(defer_huge, &g);
    CHECK_EQ_INT(cs_control_bundles_waiting(g.c), 0);
    cs_control_status st;
    cs_control_status_get(g.c, &st);
    CHECK_EQ_INT(st.bundles_dropped[CS_BUNDLE_DROP_FULL], 2);
    rig_close(&g);
}

TEST(a_nested_later_bundle_waits_for_its_own_time)
{
    rig g = rig_with(0);
    rig_load(&g, 100, rig_dc_wav("a.wav", 3.0, 0.5f, 0));
    rig_load(&g, 1100, rig_dc_wav("b.wav", 3.0, 0, 0.5f));
    lo_bundle outer = lo_bundle_new(rig_tag(0.25));
    lo_bundle_add_message(outer, "/play_stem", rig_msg_id(100));
    lo_bundle later = lo_bundle_new(rig_tag(2.0));
    lo_bundle_add_message(later, "/play_stem", rig_msg_id(1100));
    lo_bundle_add_bundle(outer, later);
    rig_osc_bundle(g.c, outer);
    CHECK_EQ_INT(cs_control_bundles_waiting(g.c), 1);
    rig_render_to(&g, (uint64_t)(2.5 * CS_RATE));
    CHECK_EQ_INT(first_nonzero(&g, 0), 11025);
    CHECK_EQ_INT(first_nonzero(&g, 1), 88200);
    rig_close(&g);
}

/* Bundles nested `depth` deep (1: a plain bundle) around one /play_stem. */
static void send_nested(void *arg)
{
    rig *g = arg;
    int depth = g->t == 0 ? 10 : 9;
    lo_bundle inner = lo_bundle_new(LO_TT_IMMEDIATE);
    lo_bundle_add_message(inner, "/play_stem", rig_msg_id(100));
    for (int i = 1; i < depth; i++) {
        lo_bundle o = lo_bundle_new(LO_TT_IMMEDIATE);
        lo_bundle_add_bundle(o, inner);
        inner = o;
    }
    rig_osc_bundle(g->c, inner);
}

TEST(bundles_nested_10_deep_are_dropped_logged_and_counted_9_run)
{
    rig g = rig_with(0);
    rig_load(&g, 100, rig_dc_wav("a.wav", 2.0, 0.5f, 0));
    char *log = rig_capture_stderr(send_nested, &g);      /* t = 0: 10 deep */
    CHECK(strstr(log, "nested 10 deep") != NULL);
    cs_control_status st;
    cs_control_status_get(g.c, &st);
    CHECK_EQ_INT(st.bundles_dropped[CS_BUNDLE_DROP_DEEP], 1);
    rig_render_to(&g, 2000);
    CHECK_EQ_INT(first_nonzero(&g, 0), -1);               /* nothing of it ran */
    log = rig_capture_stderr(send_nested, &g);           /* 9 deep: runs */
    CHECK(strstr(log, "nested") == NULL);
    rig_render_to(&g, 4000);
    CHECK_EQ_INT(first_nonzero(&g, 0), 2000);
    cs_control_status_get(g.c, &st);
    CHECK_EQ_INT(st.bundles_dropped[CS_BUNDLE_DROP_DEEP], 1);
    rig_close(&g);
}

static void send_malformed(void *arg)
{
    rig *g = arg;
    /* An element size running past the end, and a bare 8-byte header. */
    unsigned char b[32] = "#bundle";
    b[15] = 1;
    b[19] = 200;
    send_bytes(g->c, b, sizeof b);
    send_bytes(g->c, "#bundle", 8);
}

TEST(malformed_bundles_are_logged_and_counted)
{
    rig g = rig_with(0);
    char *log = rig_capture_stderr(send_malformed, &g);
    cs_control_status st;
    cs_control_status_get(g.c, &st);
    CHECK_EQ_INT(st.bundles_dropped[CS_BUNDLE_DROP_MALFORMED], 2);
    CHECK_EQ_INT(rig_count(log, "(malformed"), 2);
    rig_close(&g);
}

/* The live clock: an engine that published its output clock now. */
typedef struct live {
    cs_engine *e;
    cs_reader *r;
    cs_control *c;
} live;

static live live_open(void)
{
    cs_control_config cfg = { .base_bpm = 120, .stretch = CS_STRETCH_RATE,
                              .tempo = cs_tempo_config_default(), .meter = 4 };
    live l;
    l.e = cs_engine_new(NULL);
    l.r = cs_reader_new(false, NULL);
    l.c = cs_control_new(&cfg, l.e, l.r, NULL);
    if (!l.c) abort();
    /* One second into the set, its last sample handed over now. */
    static float buf[2 * 44100];
    cs_engine_process(l.e, buf, 44100);
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    cs_engine_clock_publish(l.e, 44100, (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec);
    return l;
}

static void live_close(live *l)
{
    cs_control_free(l->c);
    cs_reader_free(l->r);
    cs_engine_free(l->e);
}

static lo_timetag wall_tag(double offset_s)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    double ntp = (double)rt.tv_sec + 2208988800.0 + (double)rt.tv_nsec / 1e9 + offset_s;
    lo_timetag t = { (uint32_t)ntp, (uint32_t)((ntp - (uint32_t)ntp) * 4294967296.0) };
    return t;
}

static void send_hour(void *arg)
{
    live *l = arg;
    lo_bundle b = lo_bundle_new(wall_tag(-3600));
    lo_bundle_add_message(b, "/deck_levels", levels_msg(1.0f));
    rig_osc_bundle(l->c, b);
    b = lo_bundle_new(wall_tag(3600));
    lo_bundle_add_message(b, "/deck_levels", levels_msg(1.0f));
    rig_osc_bundle(l->c, b);
}

TEST(live_an_hour_late_says_an_hour_and_an_hour_ahead_is_refused)
{
    live l = live_open();
    char *log = rig_capture_stderr(send_hour, &l);
    /* The true lateness (not "late by 1000 ms", the engine's age). */
    CHECK(strstr(log, "late by 3600.0 s") != NULL);
    /* 3600000 ms, give or take the few ms the calls take. */
    const char *p = strstr(log, "late by 3600.0 s (");
    double ms = 0;
    CHECK(p && sscanf(p, "late by 3600.0 s (%lf ms)", &ms) == 1 && fabs(ms - 3600000) < 1000);
    CHECK_EQ_INT(cs_control_late_bundles(l.c), 1);
    CHECK(strstr(log, "3600.0 s ahead, beyond --max-ahead 60 s: refused") != NULL);
    CHECK_EQ_INT(cs_control_bundles_waiting(l.c), 0);
    CHECK_EQ_INT(cs_engine_queue_free(l.e) + 4, cs_engine_queue_size(l.e));   /* the late one's 4 levels */
    live_close(&l);
}

TEST(live_tag_ahead_is_signed_seconds)
{
    live l = live_open();
    lo_timetag t = wall_tag(-5);
    CHECK_NEAR(cs_control_tag_ahead(l.c, t.sec, t.frac), -5.0, 0.01);
    t = wall_tag(30);
    CHECK_NEAR(cs_control_tag_ahead(l.c, t.sec, t.frac), 30.0, 0.01);
    CHECK_NEAR(cs_control_tag_ahead(l.c, 0, 1), 0.0, 0);
    live_close(&l);
}
