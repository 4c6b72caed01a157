/* set.json (pkg/setfile.h): the beat grid kept is the one framing the part;
 * a manifest round-trips (numbers exact), its parts are measured and
 * checked (missing, truncated named), and bad manifests are refused with
 * their reason: not JSON, a newer format, a part outside the folder. */
#include "tests/unit/unit.h"
#include "pkg/audio.h"
#include "pkg/fsutil.h"
#include "pkg/setfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TEST(beats_framing_the_part)
{
    cs_setfile m = {0};
    cs_set_track *t = cs_setfile_add_track(&m, "/m/a.mp3", "Gm", 120, 10.2, 20, 30.1);
    CHECK(t != NULL);
    double beats[40];
    for (int i = 0; i < 40; i++) beats[i] = 0.5 * i + 0.1;   /* 0.1, 0.6, ... 19.6 */
    CHECK_EQ_INT(cs_setfile_set_beats(t, beats, 40), 0);
    /* The part [10.2, 30.1] runs past the grid's end: what there is, from
     * 10.1 (the last beat at or before 10.2) to 19.6. */
    CHECK_EQ_INT((int)t->beats.n, 20);
    CHECK_NEAR(t->beats.v[0], 10.1 - 10.2, 1e-12);
    double more[80];
    for (int i = 0; i < 80; i++) more[i] = 0.5 * i + 0.1;   /* to 39.6 */
    CHECK_EQ_INT(cs_setfile_set_beats(t, more, 80), 0);
    /* From 10.1 (last at or before 10.2) to 30.1 (first at or after 30.1). */
    CHECK_EQ_INT((int)t->beats.n, 41);
    CHECK_NEAR(t->beats.v[0], 10.1 - 10.2, 1e-12);
    CHECK_NEAR(t->beats.v[t->beats.n - 1], 30.1 - 10.2, 1e-12);
    cs_setfile_free(&m);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(round_trip_check_and_refusals)
{
    char dir[] = "/tmp/cs-setfile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p118[256], porig[256];
    snprintf(p118, sizeof p118, "%s/118", dir);
    snprintf(porig, sizeof porig, "%s/orig", dir);
    CHECK(cs_mkdirs(p118) == 0 && cs_mkdirs(porig) == 0);
    cs_audio a = {0};
    CHECK(cs_audio_alloc(&a, 4410, 2, 44100) == 0);
    cs_err err = {0};
    char f1[300], f2[300];
    snprintf(f1, sizeof f1, "%s/118/a_sectioned.wav", dir);
    snprintf(f2, sizeof f2, "%s/orig/a_sectioned.wav", dir);
    CHECK(cs_audio_write(f1, &a, CS_FMT_WAV16, &err) == 0);
    CHECK(cs_audio_write(f2, &a, CS_FMT_WAV16, &err) == 0);
    cs_audio_free(&a);

    double rungs[1] = { 118 };
    cs_setfile m = { .cs_version = "t", .csv = "set.csv", .ladder = true, .rungs = { rungs, 1 },
                     .method = "rate", .quality = "best", .audio_format = "wav16" };
    cs_setfile built = {0};
    cs_set_track *t = cs_setfile_add_track(&built, "/m/a b,\"c\".mp3", NULL, 122.5, 1.0 / 3, 2, 3);
    CHECK(t != NULL);
    double beats[3] = { 0.1, 1.0 / 3, 3.5 };
    CHECK(cs_setfile_set_beats(t, beats, 3) == 0);
    CHECK(cs_setfile_add_part(t, dir, "orig/a_sectioned.wav", 0, 1, &err) == 0);
    CHECK(cs_setfile_add_part(t, dir, "118/a_sectioned.wav", 118, 118 / 122.5, &err) == 0);
    CHECK(cs_setfile_add_part(t, dir, "130/none.wav", 130, 1, &err) < 0);
    CHECK(strstr(err.msg, "none.wav: missing") != NULL);
    CHECK(t->parts[0].frames == 4410 && t->parts[0].bytes == 44 + 4410 * 4);
    m.tracks = built.tracks;
    m.n = built.n;
    CHECK(cs_setfile_write(dir, &m, &err) == 0);
    cs_setfile r;
    CHECK_EQ_INT(cs_setfile_read(dir, &r, &err), 0);
    CHECK(r.n == 1 && r.tracks[0].n_parts == 1 && r.tracks[0].orig.file);
    CHECK_STR(r.tracks[0].path, "/m/a b,\"c\".mp3");
    CHECK(r.tracks[0].ini_cue == 1.0 / 3);              /* exact, not rounded */
    CHECK(r.tracks[0].parts[0].speed == 118 / 122.5);
    /* 0.1 lies before the last beat at or before ini_cue (1/3): dropped. */
    CHECK(r.tracks[0].beats.n == 2 && r.tracks[0].beats.v[0] == 0 && r.tracks[0].beats.v[1] == 3.5 - 1.0 / 3);
    CHECK(r.rungs.n == 1 && r.rungs.v[0] == 118 && r.ladder);
    CHECK(cs_setfile_check(dir, &r) == 0);
    CHECK(truncate(f1, 1000) == 0);
    CHECK(unlink(f2) == 0);
    CHECK(cs_setfile_check(dir, &r) == 2);
    cs_lset set = {0};
    CHECK(cs_setfile_to_lset(dir, &r, &set, &err) == 0);
    CHECK(set.n == 1 && set.tracks[0].n_rungs == 1 && set.tracks[0].beats.n == 2);
    CHECK(strstr(set.tracks[0].rungs[0].path, dir) == set.tracks[0].rungs[0].path);
    cs_lset_free(&set);
    cs_setfile_free(&r);
    cs_setfile_free(&built);

    char man[300];
    snprintf(man, sizeof man, "%s/set.json", dir);
    static const struct { const char *text, *why; } bad[] = {
        { "{\"format\":\"cs-set\",", "not JSON" },
        { "{\"format\":\"cs-set\",\"format_version\":2,\"tracks\":[]}", "newer cs" },
        { "{\"format_version\":1,\"tracks\":[]}", "not a cs set manifest" },
        { "{\"format\":\"cs-set\",\"format_version\":1,\"tracks\":[{\"path\":\"a\",\"parts\":[{\"file\":\"/etc/passwd\"}]}]}",
          "not a path inside the set" },
        { "{\"format\":\"cs-set\",\"format_version\":1,\"tracks\":[{\"path\":\"a\",\"orig\":{\"file\":\"x/../../y\"}}]}",
          "not a path inside the set" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(man, bad[i].text);
        err.msg[0] = 0;
        CHECK(cs_setfile_read(dir, &r, &err) < 0);
        CHECK(strstr(err.msg, bad[i].why) != NULL);
        CHECK(strstr(err.msg, "set.json") != NULL);
    }
    unlink(man);
    CHECK(cs_setfile_read(dir, &r, &err) < 0 && strstr(err.msg, "not a set folder"));
    unlink(f1);
    rmdir(p118);
    rmdir(porig);
    rmdir(dir);
}

TEST(grid_for_the_planner_round_trips)
{
    /* Downbeats within 16 s of the part and section starts inside it, as u;
     * written, read back, handed to the ladder set with the beats. */
    char dir[] = "/tmp/cs-setgrid-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    cs_setfile m = { .cs_version = "t", .csv = "set.csv", .method = "rate", .quality = "best",
                     .audio_format = "wav16" };
    cs_set_track *t = cs_setfile_add_track(&m, "/m/a.mp3", "Am", 120, 20, 52, 84);
    CHECK(t != NULL);
    double beats[200], downs[50];
    for (int i = 0; i < 200; i++) beats[i] = 0.5 * i;            /* 0 .. 99.5 */
    for (int i = 0; i < 50; i++) downs[i] = 2.0 * i;             /* 0 .. 98 */
    cs_segvec segs = {0};
    CHECK(cs_segvec_push(&segs, 0, 20.5, "intro") == 0);
    CHECK(cs_segvec_push(&segs, 20.5, 52.5, "verse") == 0);
    CHECK(cs_segvec_push(&segs, 52.5, 84.5, "chorus") == 0);
    CHECK(cs_segvec_push(&segs, 84.5, 99, "outro") == 0);
    CHECK(cs_setfile_set_beats(t, beats, 200) == 0);
    CHECK(cs_setfile_set_grid(t, downs, 50, &segs) == 0);
    /* Downbeats 4..98 (within 16 s of [20, 84]) as u; sections 20.5, 52.5. */
    CHECK_EQ_INT((int)t->downbeats.n, 48);
    CHECK_NEAR(t->downbeats.v[0], 4 - 20, 1e-12);
    CHECK_EQ_INT((int)t->sections.n, 2);
    CHECK_NEAR(t->sections.v[0], 0.5, 1e-12);
    CHECK_NEAR(t->sections.v[1], 32.5, 1e-12);
    cs_err err = {0};
    CHECK(cs_setfile_write(dir, &m, &err) == 0);
    cs_setfile r;
    CHECK_EQ_INT(cs_setfile_read(dir, &r, &err), 0);
    CHECK(r.tracks[0].downbeats.n == 48 && r.tracks[0].sections.n == 2);
    CHECK(r.tracks[0].sections.v[1] == 32.5);
    cs_lset set = {0};
    CHECK(cs_setfile_to_lset(dir, &r, &set, &err) == 0);
    CHECK(set.n == 1 && set.tracks[0].downbeats.n == 48 && set.tracks[0].sections.n == 2);
    cs_lset_free(&set);
    cs_setfile_free(&r);
    cs_setfile owned = { .tracks = m.tracks, .n = m.n };    /* the rest are literals */
    cs_setfile_free(&owned);
    for (size_t i = 0; i < segs.n; i++) free(segs.v[i].label);
    free(segs.v);
    char man[300];
    snprintf(man, sizeof man, "%s/set.json", dir);
    unlink(man);
    rmdir(dir);
}
