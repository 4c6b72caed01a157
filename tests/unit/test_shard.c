/* pkg/shard.c: parsing I/N, the job key, and the partition's properties
 * (every job in exactly one shard, balanced, stable as tracks are added,
 * ~1/(N+1) moved when a shard is added). */
#include "tests/unit/unit.h"
#include "pkg/shard.h"

#include <stdlib.h>

TEST(parse_good_and_bad)
{
    cs_shard sh;
    cs_err e = {0};
    CHECK_EQ_INT(cs_shard_parse("0/4", &sh, &e), 0);
    CHECK_EQ_INT(sh.index, 0);
    CHECK_EQ_INT(sh.count, 4);
    CHECK_EQ_INT(cs_shard_parse("3/4", &sh, &e), 0);
    CHECK_EQ_INT(sh.index, 3);
    CHECK_EQ_INT(cs_shard_parse("0/1", &sh, &e), 0);
    const char *bad[] = { "4/4", "1/0", "-1/4", "1/4x", "", "4", "/4", "1/", "a/4", "1 /4",
                          "0/100001", "99999999999/4", NULL };
    for (int i = 0; bad[i]; i++) {
        e = (cs_err){0};
        if (cs_shard_parse(bad[i], &sh, &e) != CS_ERR_USAGE || e.code != CS_ERR_USAGE || !e.msg[0]) {
            unit_fail(__FILE__, __LINE__, "'%s' accepted", bad[i]);
            return;
        }
    }
    CHECK(cs_shard_parse("4/4", &sh, &e) < 0 && strstr(e.msg, "0..3"));
}

TEST(fnv1a_reference_vectors)
{
    /* FNV-1a 64 test vectors from the FNV reference (test_fnv.c). */
    CHECK(cs_shard_fnv1a("") == 0xcbf29ce484222325ULL);
    CHECK(cs_shard_fnv1a("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(cs_shard_fnv1a("foobar") == 0x85944171f73967e8ULL);
}

TEST(jump_reference_values)
{
    /* Jump hash: one bucket takes everything; results lie in range; the
     * integer form agrees with the paper's double form on these keys. */
    for (uint64_t k = 0; k < 2000; k++) {
        CHECK_EQ_INT(cs_shard_jump(k * 0x9e3779b97f4a7c15ULL, 1), 0);
        unsigned b = cs_shard_jump(k * 0x9e3779b97f4a7c15ULL, 7);
        CHECK(b < 7);
        uint64_t key = k * 0x9e3779b97f4a7c15ULL;
        long long bb = -1, j = 0;
        while (j < 7) {
            bb = j;
            key = key * 2862933555777941757ULL + 1;
            j = (long long)((double)(bb + 1) * ((double)(1LL << 31) / (double)((key >> 33) + 1)));
        }
        CHECK_EQ_INT(b, bb);
    }
}

static cs_shard_job job(int track, double target)
{
    static char names[64][64];
    static int next;
    char *name = names[next++ % 64];
    if (target > 0) snprintf(name, 64, "%.2f/track %d_sectioned.wav", target, track);
    else snprintf(name, 64, "orig/track %d_sectioned.wav", track);
    return (cs_shard_job){ .part = name, .source_bytes = 1000000 + track * 17, .ini_cue = 10 + track % 7,
                           .end_cue = 40 + track % 11, .bpm = 120 + track % 9, .target = target,
                           .method = "rubberband", .quality = "best", .format = "wav16", .version = 2 };
}

static const double rungs[] = { 0, 110, 115, 120, 125, 130 };
#define N_RUNGS 6

/* shards[t * N_RUNGS + r] of every job of tracks 0..n-1. */
static unsigned *assign(int n, unsigned count)
{
    unsigned *a = malloc((size_t)n * N_RUNGS * sizeof *a);
    for (int t = 0; t < n; t++)
        for (int r = 0; r < N_RUNGS; r++) {
            char key[256];
            cs_shard_job j = job(t, rungs[r]);
            if (cs_shard_key(key, sizeof key, &j) < 0) abort();
            a[t * N_RUNGS + r] = cs_shard_of(key, count);
        }
    return a;
}

TEST(every_job_in_exactly_one_shard_and_balanced)
{
    const int n = 1000;   /* 6000 jobs */
    for (unsigned count = 1; count <= 8; count++) {
        long per[8] = {0};
        for (int t = 0; t < n; t++)
            for (int r = 0; r < N_RUNGS; r++) {
                char key[256];
                cs_shard_job j = job(t, rungs[r]);
                CHECK(cs_shard_key(key, sizeof key, &j) > 0);
                int mine = 0;
                for (unsigned i = 0; i < count; i++) {
                    cs_shard sh = { i, count };
                    if (cs_shard_mine(&sh, key)) { mine++; per[i]++; }
                }
                CHECK_EQ_INT(mine, 1);
            }
        /* Each shard within 10% of an even share (binomial sd ~1-3%). */
        for (unsigned i = 0; i < count; i++)
            CHECK_NEAR((double)per[i] * count / (n * N_RUNGS), 1.0, 0.10);
    }
}

TEST(adding_tracks_moves_no_job)
{
    unsigned *before = assign(500, 4), *after = assign(600, 4);
    long moved = 0;
    for (int i = 0; i < 500 * N_RUNGS; i++) moved += before[i] != after[i];
    CHECK_EQ_INT(moved, 0);
    free(before);
    free(after);
}

TEST(adding_a_shard_moves_about_one_in_n_plus_1)
{
    for (unsigned count = 2; count <= 8; count++) {
        const int n = 1000;
        unsigned *a = assign(n, count), *b = assign(n, count + 1);
        long moved = 0;
        for (int i = 0; i < n * N_RUNGS; i++) {
            if (a[i] != b[i]) {
                moved++;
                /* Jumps only ever go to the new shard. */
                CHECK_EQ_INT(b[i], count);
            }
        }
        double frac = (double)moved / (n * N_RUNGS), want = 1.0 / (count + 1);
        CHECK_NEAR(frac, want, 0.25 * want);
        free(a);
        free(b);
    }
}

TEST(key_names_what_makes_a_part)
{
    char a[256], b[256];
    cs_shard_job j = job(3, 120);
    CHECK(cs_shard_key(a, sizeof a, &j) > 0);
    CHECK_STR(a, "v2|120.00/track 3_sectioned.wav|1000051|13.0|43.0|123.0|120.0|rubberband/best|wav16|0");
    /* Each field makes another job. */
    cs_shard_job k = j; k.target = 125;          cs_shard_key(b, sizeof b, &k); CHECK(strcmp(a, b));
    k = j; k.quality = "fast";                   cs_shard_key(b, sizeof b, &k); CHECK(strcmp(a, b));
    k = j; k.method = "rate";                    cs_shard_key(b, sizeof b, &k); CHECK(strcmp(a, b));
    k = j; k.ini_cue = 13.001;                   cs_shard_key(b, sizeof b, &k); CHECK(strcmp(a, b));
    k = j; k.source_bytes++;                     cs_shard_key(b, sizeof b, &k); CHECK(strcmp(a, b));
    k = j; k.format = "flac16";                  cs_shard_key(b, sizeof b, &k); CHECK(strcmp(a, b));
    k = j; k.rate = 48000;                       cs_shard_key(b, sizeof b, &k); CHECK(strcmp(a, b));
    /* --quality means nothing to other stretchers, the stretcher nothing to the cut. */
    cs_shard_job r = j; r.method = "rate"; r.quality = "best";
    cs_shard_job r2 = r; r2.quality = "fast";
    cs_shard_key(a, sizeof a, &r);
    cs_shard_key(b, sizeof b, &r2);
    CHECK_STR(a, b);
    cs_shard_job o = job(3, 0), o2 = o;
    o2.method = "wsola";
    cs_shard_key(a, sizeof a, &o);
    cs_shard_key(b, sizeof b, &o2);
    CHECK_STR(a, b);
    CHECK(strstr(a, "|orig|"));
    /* Too small a buffer is an error, not a cut key. */
    CHECK_EQ_INT(cs_shard_key(a, 20, &j), -1);
}

TEST(manifest_name)
{
    char buf[64];
    cs_shard sh = { 2, 4 };
    cs_shard_manifest_name(buf, sizeof buf, &sh);
    CHECK_STR(buf, "cs-shard-2-of-4.json");
}
