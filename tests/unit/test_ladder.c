#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pkg/ladderset.h"
#include "player/set/ladder.h"

static const double L[] = { 110, 114, 118, 122, 126, 130 };
#define NL (sizeof L / sizeof L[0])

/* ---- rung choice ---- */

TEST(first_rung_is_the_nearest)
{
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, -1, 120.0, 0.4, 0.02, 0), 2);   /* tie 118/122: lower */
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, -1, 120.1, 0.4, 0.02, 0), 3);
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, -1, 90.0, 0.4, 0.02, 0), 0);
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, -1, 200.0, 0.4, 0.02, 0), 5);
}

TEST(hysteresis_holds_near_the_midpoint)
{
    /* On 118, the midpoint to 122 is 120: stay until 122 is nearer by 0.4. */
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 2, 120.1, 0.4, 0.05, 0), 2);
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 2, 120.19, 0.4, 0.05, 0), 2);
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 2, 120.21, 0.4, 0.05, 0), 3);
    /* and back: on 122, stay down to 119.8 */
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 3, 119.81, 0.4, 0.05, 0), 3);
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 3, 119.79, 0.4, 0.05, 0), 2);
    /* a big jump goes straight to the nearest */
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 0, 129.0, 0.4, 0.05, 0), 5);
}

TEST(rate_bound_beats_hysteresis)
{
    /* Steps of 10 with a huge hysteresis: the ±2% bound still forces it. */
    static const double w[] = { 100, 110 };
    CHECK_EQ_INT(cs_ladder_pick_rung(w, 2, 0, 101.9, 5.0, 0.02, 0), 0);
    CHECK_EQ_INT(cs_ladder_pick_rung(w, 2, 0, 106.0, 5.0, 0.02, 0), 1);
    /* ... but never to a farther rung */
    CHECK_EQ_INT(cs_ladder_pick_rung(w, 2, 0, 104.0, 5.0, 0.02, 0), 0);
}

TEST(bad_rungs_are_avoided)
{
    unsigned char bad[NL] = { [3] = 1 };                        /* 122 failed */
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, -1, 122.0, 0.4, 0.02, bad), 2);
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 2, 123.5, 0.4, 0.05, bad), 4);
    unsigned char all[NL] = { 1, 1, 1, 1, 1, 1 };
    CHECK_EQ_INT(cs_ladder_pick_rung(L, NL, 2, 122.0, 0.4, 0.05, all), 2);   /* all bad: stay */
}

TEST(default_hysteresis)
{
    CHECK_NEAR(cs_ladder_default_hyst(L, NL), 0.2, 1e-12);
    static const double big[] = { 100, 110, 120 };
    CHECK_NEAR(cs_ladder_default_hyst(big, 3), 0.5, 1e-12);
    static const double wide[] = { 100, 120 };
    CHECK_NEAR(cs_ladder_default_hyst(wide, 2), 0.5, 1e-12);
    CHECK_NEAR(cs_ladder_default_hyst(big, 1), 0.5, 1e-12);
}

/* ---- positions and grids ---- */

TEST(position_mapping_keeps_the_beat)
{
    /* Beat 40 of a 120 BPM track: at 118 it is at 40·60/118 s, at 122 at 40·60/122 s. */
    double p118 = 40 * 60.0 / 118 * 44100, p122 = 40 * 60.0 / 122 * 44100;
    CHECK_NEAR(cs_ladder_map_pos(p118, 118, 122), p122, 1e-6);
    CHECK_NEAR(cs_ladder_map_pos(cs_ladder_map_pos(p118, 118, 122), 122, 118), p118, 1e-6);
}

TEST(csv_grid)
{
    long k;
    double p = 0.5;
    CHECK_NEAR(cs_ladder_beat_at_or_after(NULL, p, 0.0, &k), 0.0, 1e-12);
    CHECK_EQ_INT(k, 0);
    CHECK_NEAR(cs_ladder_beat_at_or_after(NULL, p, 0.2, &k), 0.5, 1e-12);
    CHECK_EQ_INT(k, 1);
    CHECK_NEAR(cs_ladder_beat_at_or_after(NULL, p, 1.0, &k), 1.0, 1e-12);   /* on a beat: that beat */
    CHECK_EQ_INT(k, 2);
    CHECK_NEAR(cs_ladder_beat_nearest(NULL, p, 1.2, &k), 1.0, 1e-12);
    CHECK_NEAR(cs_ladder_beat_nearest(NULL, p, 1.3, &k), 1.5, 1e-12);
    CHECK_NEAR(cs_ladder_bar_at_or_after(NULL, p, 0.1, 4), 2.0, 1e-12);
    CHECK_NEAR(cs_ladder_bar_at_or_after(NULL, p, 2.0, 4), 2.0, 1e-12);
}

TEST(library_grid_and_extension)
{
    /* Irregular analysed beats, first one slightly after the part start. */
    double b[] = { -0.49, 0.01, 0.52, 1.00, 1.51, 2.01 };
    cs_dvec v = { b, 6 };
    long k;
    CHECK_NEAR(cs_ladder_beat_at_or_after(&v, 0.5, 0.0, &k), 0.01, 1e-12);
    CHECK_EQ_INT(k, 0);
    CHECK_NEAR(cs_ladder_beat_at_or_after(&v, 0.5, 0.6, &k), 1.00, 1e-12);
    CHECK_EQ_INT(k, 2);
    CHECK_NEAR(cs_ladder_beat_at_or_after(&v, 0.5, 2.2, &k), 2.51, 1e-12);   /* extended */
    CHECK_EQ_INT(k, 5);
    CHECK_NEAR(cs_ladder_beat_nearest(&v, 0.5, 1.3, &k), 1.51, 1e-12);
    CHECK_NEAR(cs_ladder_bar_at_or_after(&v, 0.5, 0.3, 4), 2.01, 1e-12);     /* index 4 */
    CHECK_NEAR(cs_ladder_beat_at_or_after(&v, 0.5, -2.0, &k), -1.99, 1e-12);
}

TEST(time_at_position)
{
    /* 0.98 frames per sample from frame 1000 at sample 5000. */
    CHECK_EQ_INT(cs_ladder_time_at(5000, 1000, 0.98, 1000 + 0.98 * 44100), 5000 + 44100);
    CHECK_EQ_INT(cs_ladder_time_at(5000, 1000, 0.98, 900), 5000);            /* never before */
    /* rounding to the nearest sample: error <= half a sample */
    uint64_t t = cs_ladder_time_at(0, 0, 1.013, 12345.6);
    CHECK(fabs((double)t * 1.013 - 12345.6) <= 0.5 * 1.013 + 1e-9);
}

TEST(next_track_timing)
{
    /* Current deck: track of 124 BPM on its 126 rung, at 0.99 rate since
     * sample 0 from frame 0.  Its begin cue is beat 32 (u = 32·60/124 s).
     * The next track must start on the sample the current reaches it. */
    double per = 60.0 / 124, speed = 126.0 / 124, rate = 0.99;
    double h = cs_ladder_beat_nearest(NULL, per, 32 * per + 0.1, NULL);
    CHECK_NEAR(h, 32 * per, 1e-9);
    uint64_t t = cs_ladder_time_at(0, 0, rate, h / speed * 44100);
    double expect = 32 * per / speed / rate * 44100;
    CHECK(fabs((double)t - expect) <= 0.5);
    /* In seconds of output: 32 beats at the effective tempo 126·0.99. */
    CHECK_NEAR((double)t / 44100, 32 * 60 / (126 * rate), 1.0 / 44100);
}

TEST(equal_power_gains)
{
    for (int i = 0; i <= 100; i++) {
        double go, gi;
        cs_ladder_eqpow(i / 100.0, &go, &gi);
        CHECK_NEAR(go * go + gi * gi, 1.0, 1e-12);
        if (i == 50) CHECK_NEAR(go, sqrt(0.5), 1e-12);
    }
    double go, gi;
    cs_ladder_eqpow(-1, &go, &gi);
    CHECK(go == 1.0 && gi == 0.0);
    cs_ladder_eqpow(2, &go, &gi);
    CHECK_NEAR(go, 0.0, 1e-12);
    CHECK(gi == 1.0);
}

/* ---- the set from a CSV ---- */

TEST(csv_groups_rows_into_rungs)
{
    const char *dir = unit_tmpdir();
    char csv[4096], part[4096];
    snprintf(part, sizeof part, "%s/parts", dir);
    snprintf(csv, sizeof csv, "%s/set.csv", dir);
    FILE *f = fopen(csv, "w");
    CHECK(f != NULL);
    fprintf(f, "path,bpm,key,target_bpm,speed,ini_cue,begin_cue,end_cue,begin_cue_adj,end_cue_adj,"
               "duration_orig,duration_sectioned,part_file_orig,part_file\r\n"
               "\"/m/Warehouse, Again.wav\",121,Cm,118,0.9752066115702479,8,24,32,16.40677966101695,"
               "24.61016949152542,0:24.00,0:24.61,x,parts/118/a.wav\r\n"
               "\"/m/Warehouse, Again.wav\",121,Cm,122,1.0082644628099173,8,24,32,15.868852459016393,"
               "23.80327868852459,0:24.00,0:23.80,x,parts/122/a.wav\r\n"
               "/m/b.wav,120,Gm,122,1.0166666666666666,4,20,28,15.737704918032787,23.60655737704918,"
               "0:24.00,0:23.61,x,\r\n"
               "/m/b.wav,120,Gm,118,0.9833333333333333,4,20,28,16.271186440677965,24.406779661016948,"
               "0:24.00,0:24.41,x,/abs/b118.wav\r\n");
    fclose(f);
    cs_lset set = {0};
    cs_err err = {0};
    CHECK_EQ_INT(cs_lset_read_csv_parts(csv, NULL, &set, &err), 0);
    CHECK_EQ_INT(set.n, 2);
    CHECK(!strcmp(set.tracks[0].name, "Warehouse, Again"));
    CHECK_NEAR(set.tracks[0].begin_u, 16.0, 1e-9);
    CHECK_NEAR(set.tracks[0].end_u, 24.0, 1e-9);
    CHECK_EQ_INT(set.tracks[0].n_rungs, 2);
    CHECK_NEAR(set.tracks[0].rungs[1].bpm, 122, 0);
    /* not in the CSV's folder: as given (the working directory) */
    CHECK(!strcmp(set.tracks[0].rungs[0].path, "parts/118/a.wav"));
    CHECK_EQ_INT(set.tracks[1].n_rungs, 1);                  /* the row without part_file is skipped */
    CHECK(!strcmp(set.tracks[1].rungs[0].path, "/abs/b118.wav"));
    cs_lset_free(&set);
    (void)part;
}

TEST(probe_drops_missing_files)
{
    const char *dir = unit_tmpdir();
    char csv[4096];
    snprintf(csv, sizeof csv, "%s/gone.csv", dir);
    FILE *f = fopen(csv, "w");
    CHECK(f != NULL);
    fprintf(f, "path,bpm,target_bpm,part_file\n/m/a.wav,120,120,nowhere/a.wav\n");
    fclose(f);
    cs_lset set = {0};
    cs_err err = {0};
    CHECK_EQ_INT(cs_lset_read_csv_parts(csv, NULL, &set, &err), 0);
    CHECK_EQ_INT(set.n, 1);
    CHECK_EQ_INT(cs_lset_probe(&set), 0);
    cs_lset_free(&set);
    CHECK(cs_lset_read_csv_parts("/nonexistent/x.csv", NULL, &set, &err) < 0);
}
