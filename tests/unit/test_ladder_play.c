/* Ladder sets driven through the control thread in render mode (the rig):
 * rung choice over the whole ladder, failed rungs remembered, starts that
 * the engine's full command queue refused, and teardown. */
#include "tests/unit/unit.h"
#include "tests/unit/rig.h"

#include <stdlib.h>
#include <unistd.h>

#include "pkg/ladderset.h"
#include "player/set/ladder.h"

typedef rig_ladder lrig;

/* One 120 BPM track with rungs lo, lo+1, ..., lo+n-1 BPM, all read from
 * `file` except rung index `odd` (read from `odd_file`; -1: none). */
static int lrig_open(lrig *x, const char *file, double lo, int n, int odd, const char *odd_file)
{
    cs_lset set = { 0 };
    cs_lset_track *t = cs_lset_add_track(&set, "/music/t.wav", 120, 0, 3.0, 3.5);
    for (int k = 0; t && k < n; k++)
        cs_lset_add_rung(t, lo + k, (lo + k) / 120.0, k == odd ? odd_file : file);
    return rig_ladder_open(x, &set);
}

#define lrig_close rig_ladder_close

static int rung_a(lrig *x)
{
    cs_control_status st;
    cs_control_status_get(x->g.c, &st);
    return st.rung[0];
}

TEST(rung_choice_covers_the_whole_ladder)
{
    /* 70 rungs 100..169: at 169 BPM the deck plays rung 169 (index 69), not
     * the highest of the first 64 (163). */
    const char *f = rig_dc_wav("r.wav", 4.0, 0.25f, 0.25f);
    lrig x;
    CHECK(f && lrig_open(&x, f, 100, 70, -1, NULL) == 0);
    CHECK(cs_control_set_tempo(x.g.c, 169) == 0);
    rig_render_to(&x.g, CS_RATE / 2);
    CHECK_EQ_INT(rung_a(&x), 169);
    /* another input of the kind: index 66 (166 BPM) */
    CHECK(cs_control_set_tempo(x.g.c, 166) == 0);
    rig_render_to(&x.g, CS_RATE);
    CHECK_EQ_INT(rung_a(&x), 166);
    lrig_close(&x);
}

typedef struct badrun {
    lrig *x;
    double bpm;
} badrun;

static void play_bad(void *arg)
{
    badrun *b = arg;
    cs_log_set_level(CS_LOG_NORMAL);
    rig_render_to(&b->x->g, CS_RATE / 4);
    cs_control_set_tempo(b->x->g.c, b->bpm);
    rig_render_to(&b->x->g, 2 * CS_RATE);
}

/* Rung index `bad` of 40 (100..139) vanishes after probing; the set jumps
 * to its tempo: one warning, and the deck plays the nearest good rung. */
static void check_failed_rung(int bad, double bpm, int expect)
{
    const char *f = rig_dc_wav("r.wav", 4.0, 0.25f, 0.25f);
    const char *gone = rig_dc_wav("gone.wav", 4.0, 0.25f, 0.25f);
    char gone_path[512];
    snprintf(gone_path, sizeof gone_path, "%s", gone ? gone : "");
    lrig x;
    CHECK(f && gone && lrig_open(&x, f, 100, 40, bad, gone_path) == 0);
    unlink(gone_path);
    CHECK(cs_control_set_tempo(x.g.c, 120) == 0);
    badrun b = { &x, bpm };
    char *log = rig_capture_stderr(play_bad, &b);
    int warned = rig_count(log, "cannot be played");
    if (warned != 1) fprintf(stderr, "rung %d: %d warnings\n", bad, warned);
    CHECK_EQ_INT(warned, 1);
    CHECK_EQ_INT(rung_a(&x), expect);
    lrig_close(&x);
}

TEST(failed_rung_above_index_31_is_remembered)
{
    check_failed_rung(35, 135.0, 134);            /* tie 134/136: the lower */
    check_failed_rung(39, 139.0, 138);            /* the top rung */
}

TEST(failed_rung_below_index_32_still_remembered)
{
    check_failed_rung(5, 105.0, 104);
}

TEST(start_refused_by_a_full_queue_is_retried)
{
    /* The command queue is full when the first track's start is sent: the
     * ladder must not believe the deck plays; it starts it once there is
     * room, and what it reports is what sounds. */
    const char *f = rig_dc_wav("r.wav", 4.0, 0.25f, 0.25f);
    lrig x;
    CHECK(f && lrig_open(&x, f, 118, 5, -1, NULL) == 0);
    cs_control_set_clock(x.g.c, 0);
    cs_control_tick(x.g.c);                       /* opens the first rung */
    cs_reader_pump(x.g.r, true);
    long flood = 0;
    while (cs_engine_volume(x.g.e, 0, 1.0, CS_NOW) == 0 && flood < 1000000) flood++;
    CHECK(flood < 1000000);
    int level = cs_log_level();
    cs_log_set_level(-1);
    cs_control_tick(x.g.c);                       /* the start meets the full queue */
    cs_log_set_level(level);
    int said = rung_a(&x);
    int slot = CS_MAX_VOICES - 4;                 /* deck A's first voice */
    if (said > 0) CHECK_EQ_INT(cs_engine_voice_state(x.g.e, slot), CS_VOICE_PLAYING);
    rig_render_to(&x.g, CS_RATE / 2);
    CHECK_EQ_INT(rung_a(&x), 120);
    CHECK_EQ_INT(cs_engine_voice_state(x.g.e, slot), CS_VOICE_PLAYING);
    lrig_close(&x);
}

TEST(freed_ladder_leaves_no_hooks_in_control)
{
    const char *f = rig_dc_wav("r.wav", 4.0, 0.25f, 0.25f);
    lrig x;
    CHECK(f && lrig_open(&x, f, 118, 5, -1, NULL) == 0);
    rig_render_to(&x.g, CS_RATE / 4);
    cs_ladder_free(x.l);
    x.l = NULL;
    cs_err err = {0};
    CHECK_EQ_INT(cs_control_next(x.g.c, &err), -1);
    CHECK_STR(err.msg, "no ladder set is playing");
    CHECK_EQ_INT(rung_a(&x), -1);
    rig_render_to(&x.g, CS_RATE / 2);             /* ticks without a ladder */
    lrig_close(&x);
}

/* ---- the crowd plot ---- */

static char *slurp_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

TEST(plot_marks_tracks_rungs_and_off_ladder_time)
{
    /* Two tracks (rungs 118..122), a rung switch (/set_tempo 121.6), then a
     * tempo off the ladder (135: rate 135/122 = +10.7%, beyond ±2%). */
    const char *f = rig_dc_wav("r.wav", 4.0, 0.25f, 0.25f);
    char plot[512];
    snprintf(plot, sizeof plot, "%s/crowd.svg", unit_tmpdir());
    cs_control_config cfg = rig_config();
    cfg.stretch_disabled = true;
    rig g;
    CHECK(f && rig_open(&g, &cfg, 0) == 0);
    cs_lset set = { 0 };
    const char *names[] = { "/music/First Song.wav", "/music/Second & Last.wav" };
    for (int i = 0; i < 2; i++) {
        cs_lset_track *t = cs_lset_add_track(&set, names[i], 120, 0, 2.0, 3.5);
        for (int k = 0; t && k < 5; k++) cs_lset_add_rung(t, 118 + k, (118 + k) / 120.0, f);
    }
    cs_lset_probe(&set);
    cs_ladder_opts o = { .prepare_s = 0.05, .meter = 4, .plot_path = plot };
    cs_err err = {0};
    cs_ladder *l = cs_ladder_new(&set, g.c, g.e, g.r, &o, &err);
    cs_lset_free(&set);
    CHECK(l != NULL);
    if (!l) return;
    cs_control_ladder h = cs_ladder_hooks(l);
    cs_control_set_ladder(g.c, &h);
    int level = cs_log_level();
    cs_log_set_level(-1);
    rig_render_to(&g, CS_RATE / 2);
    cs_control_set_tempo(g.c, 121.6);
    rig_render_to(&g, 3 * CS_RATE / 2);
    cs_control_set_tempo(g.c, 135);
    rig_render_to(&g, 5 * CS_RATE);
    cs_ladder_free(l);
    cs_log_set_level(level);
    char *svg = slurp_text(plot);
    CHECK(svg != NULL);
    if (!svg) { rig_close(&g); return; }
    /* track changes with their names (the first track's start, the second's),
     * in both panels */
    CHECK_EQ_INT(rig_count(svg, "class=\"mark track\""), 4);
    CHECK(strstr(svg, ">First Song<") != NULL);
    CHECK(strstr(svg, ">Second &amp; Last<") != NULL);
    /* rung switches: 118 -> 122 when the tempo went to 121.6 (deck A) */
    CHECK(rig_count(svg, "class=\"mark rung\"") >= 1);
    /* off the ladder: shaded, and said in the legend */
    CHECK(rig_count(svg, "class=\"span off-ladder\"") >= 1);
    CHECK(strstr(svg, "rate beyond") != NULL);
    /* deck B drawn thinner and dashed over deck A's thick line */
    CHECK(strstr(svg, "class=\"series rung-b\"") != NULL);
    const char *b = strstr(svg, "class=\"series rung-b\"");
    CHECK(b && strstr(b, "stroke-dasharray") && strstr(b, "stroke-dasharray") < strstr(b, "/>"));
    /* the movement scale */
    CHECK(strstr(svg, "movement, normalised 0..1") != NULL);
    rig_close(&g);
}
