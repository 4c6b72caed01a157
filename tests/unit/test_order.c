/* The running-order chooser (pkg/order.h): key rules, tempo reach, rounds,
 * ranking, determinism, edge cases. */
#include "tests/unit/unit.h"

#include <math.h>
#include <string.h>

#include "pkg/key.h"
#include "pkg/budget.h"
#include "pkg/order.h"

static cs_order_track tk(double bpm, const char *key, double energy)
{
    return (cs_order_track){ .bpm = bpm, .lo = bpm * 0.8, .hi = bpm * 1.2, .key = key ? cs_key_parse(key) : -1,
                             .energy = energy, .playable = true };
}

static cs_order_ask ask(int cur, double target)
{
    return (cs_order_ask){ .current = cur, .target_bpm = target, .movement = -1, .budget = 0.08, .max_dev = 0.02,
                           .rule = CS_KEY_RULE_CAMELOT };
}

TEST(key_rules)
{
    int a8 = cs_key_parse("8A"), b8 = cs_key_parse("8B"), a9 = cs_key_parse("9A"), a7 = cs_key_parse("7A");
    int a10 = cs_key_parse("10A"), a3 = cs_key_parse("3A"), a1 = cs_key_parse("1A"), a12 = cs_key_parse("12A");
    int b9 = cs_key_parse("9B");
    /* camelot: same, ±1, relative; not diagonal, not ±2 */
    CHECK_EQ_INT(cs_order_keys_fit(a8, a8, CS_KEY_RULE_CAMELOT), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a8, a9, CS_KEY_RULE_CAMELOT), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a8, a7, CS_KEY_RULE_CAMELOT), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a8, b8, CS_KEY_RULE_CAMELOT), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a1, a12, CS_KEY_RULE_CAMELOT), 1);     /* round the wheel */
    CHECK_EQ_INT(cs_order_keys_fit(a8, b9, CS_KEY_RULE_CAMELOT), 0);
    CHECK_EQ_INT(cs_order_keys_fit(a8, a10, CS_KEY_RULE_CAMELOT), 0);
    CHECK_EQ_INT(cs_order_keys_fit(a8, a3, CS_KEY_RULE_CAMELOT), 0);
    /* strict: same or relative only */
    CHECK_EQ_INT(cs_order_keys_fit(a8, b8, CS_KEY_RULE_STRICT), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a8, a9, CS_KEY_RULE_STRICT), 0);
    /* loose: ±2 and the ±7 energy boost (8A -> 3A is +7) */
    CHECK_EQ_INT(cs_order_keys_fit(a8, a10, CS_KEY_RULE_LOOSE), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a8, a3, CS_KEY_RULE_LOOSE), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a8, cs_key_parse("1A"), CS_KEY_RULE_LOOSE), 1);   /* -7 */
    CHECK_EQ_INT(cs_order_keys_fit(a8, cs_key_parse("11A"), CS_KEY_RULE_LOOSE), 0);  /* +3 */
    CHECK_EQ_INT(cs_order_keys_fit(a8, b9, CS_KEY_RULE_LOOSE), 0);
    /* off, unknown */
    CHECK_EQ_INT(cs_order_keys_fit(a8, a3, CS_KEY_RULE_OFF), 1);
    CHECK_EQ_INT(cs_order_keys_fit(a8, -1, CS_KEY_RULE_CAMELOT), -1);
    CHECK_STR(cs_key_rule_name(CS_KEY_RULE_LOOSE), "loose");
}

TEST(reach_is_clipped_by_the_budget)
{
    cs_order_track t = { .bpm = 100, .lo = 80, .hi = 130, .key = -1, .energy = -1, .playable = true };
    double lo, hi;
    cs_order_reach(&t, 0.08, 0.02, &lo, &hi);
    CHECK_NEAR(lo, 92 * 0.98, 1e-9);
    CHECK_NEAR(hi, 108 * 1.02, 1e-9);
    CHECK_NEAR(cs_order_miss(&t, 0.08, 0.02, 105), 0, 1e-12);
    CHECK_NEAR(cs_order_miss(&t, 0.08, 0.02, 120), 120 - 110.16, 1e-9);
    /* no budget: the rungs themselves */
    cs_order_reach(&t, 0, 0.02, &lo, &hi);
    CHECK_NEAR(hi, 130 * 1.02, 1e-9);
}

/* 8 tracks whose index order clashes at every step; a compatible order
 * exists (round the cycle 8A 9A 10A 11A 11B 10B 9B 8B). */
TEST(key_order_over_a_clashing_path_order)
{
    const char *keys[8] = { "8A", "10A", "8B", "11A", "9B", "11B", "9A", "10B" };
    cs_order_track p[8];
    for (int i = 0; i < 8; i++) p[i] = tk(119 + i * 0.7, keys[i], -1);
    /* path order: every step clashes */
    int path_ok = 0;
    for (int i = 0; i + 1 < 8; i++) path_ok += cs_order_keys_fit(p[i].key, p[i + 1].key, CS_KEY_RULE_CAMELOT) == 1;
    CHECK_EQ_INT(path_ok, 0);
    unsigned char played[8] = {0};
    int cur = -1, ok = 0, seen[8] = {0};
    char why[256];
    for (int step = 0; step < 8; step++) {
        cs_order_ask a = ask(cur, 121);
        int nx = cs_order_next(p, 8, played, &a, why, sizeof why);
        CHECK(nx >= 0);
        CHECK(!seen[nx]);                           /* no repeat within the round */
        seen[nx] = 1;
        if (cur >= 0) ok += cs_order_keys_fit(p[cur].key, p[nx].key, CS_KEY_RULE_CAMELOT) == 1;
        cs_order_mark(played, 8, p, nx);
        cur = nx;
    }
    CHECK_EQ_INT(ok, 7);                             /* of 7 transitions */
    /* the round is over: a new one starts, not with the current track */
    cs_order_ask a = ask(cur, 121);
    int nx = cs_order_next(p, 8, played, &a, why, sizeof why);
    CHECK(nx >= 0 && nx != cur);
}

/* Two chains (8A..11A, 2B..5B) joined by nothing: the walk starts at a
 * chain's end and jumps to the other chain's end, so the one jump between
 * chains is the only clash (6 of 7; greedy by tempo alone makes 4). */
TEST(dead_ends_are_left_for_last)
{
    const char *keys[8] = { "8A", "2B", "9A", "3B", "10A", "4B", "11A", "5B" };
    cs_order_track p[8];
    for (int i = 0; i < 8; i++) p[i] = tk(119 + i * 0.7, keys[i], -1);
    unsigned char played[8] = {0};
    int cur = -1, ok = 0;
    for (int step = 0; step < 8; step++) {
        cs_order_ask a = ask(cur, 121);
        int nx = cs_order_next(p, 8, played, &a, NULL, 0);
        if (cur >= 0) ok += cs_order_keys_fit(p[cur].key, p[nx].key, CS_KEY_RULE_CAMELOT) == 1;
        cs_order_mark(played, 8, p, nx);
        cur = nx;
    }
    CHECK(ok >= 6);
}

TEST(tempo_fit_comes_first_then_key)
{
    cs_order_track p[3] = { tk(100, "8A", -1), tk(128, "3B", -1), tk(131, "9A", -1) };
    unsigned char played[3] = {0};
    char why[256];
    /* at 130 from track 0 (8A): track 2 (9A, reaches) beats track 1 (3B clashes, reaches) */
    cs_order_ask a = ask(0, 130);
    CHECK_EQ_INT(cs_order_next(p, 3, played, &a, why, sizeof why), 2);
    CHECK(strstr(why, "camelot: +1") != NULL);
    /* at 116: neither 1 nor 2 reaches (128 × 0.92 × 0.98 = 115.4 does) -> 1 */
    a.target_bpm = 116;
    CHECK_EQ_INT(cs_order_next(p, 3, played, &a, why, sizeof why), 1);
    CHECK(strstr(why, "clashes") != NULL);
    /* at 110: nothing reaches; the nearest (1: 115.4) plays, said so */
    a.target_bpm = 110;
    CHECK_EQ_INT(cs_order_next(p, 3, played, &a, why, sizeof why), 1);
    CHECK(strstr(why, "no track left reaches 110.0 BPM") != NULL);
}

TEST(unknown_keys_rank_after_keyed_never_dropped)
{
    cs_order_track p[3] = { tk(120, "8A", -1), tk(120, NULL, -1), tk(121, "9A", -1) };
    unsigned char played[3] = {0};
    cs_order_ask a = ask(0, 120);
    CHECK_EQ_INT(cs_order_next(p, 3, played, &a, NULL, 0), 2);
    played[2] = 1;
    char why[256];
    CHECK_EQ_INT(cs_order_next(p, 3, played, &a, why, sizeof why), 1);
    CHECK(strstr(why, "key unknown") != NULL);
    /* the unknown one ranks after a keyed clash too */
    cs_order_track q[3] = { tk(120, "8A", -1), tk(120, NULL, -1), tk(120, "2B", -1) };
    unsigned char pq[3] = {0};
    CHECK_EQ_INT(cs_order_next(q, 3, pq, &a, NULL, 0), 2);
    pq[2] = 1;
    CHECK_EQ_INT(cs_order_next(q, 3, pq, &a, NULL, 0), 1);
    /* the first track: a keyed one before one without */
    cs_order_ask f = ask(-1, 120);
    cs_order_track r[2] = { tk(120, NULL, -1), tk(120, "5A", -1) };
    unsigned char pr[2] = {0};
    CHECK_EQ_INT(cs_order_next(r, 2, pr, &f, NULL, 0), 1);
}

TEST(energy_follows_movement)
{
    cs_order_track p[4] = { tk(120, "8A", 0.5), tk(120, "8A", 0.1), tk(120, "8A", 0.9), tk(120, "8A", 0.5) };
    unsigned char played[4] = {0};
    cs_order_ask a = ask(0, 120);
    a.movement = 0.95;
    CHECK_EQ_INT(cs_order_next(p, 4, played, &a, NULL, 0), 2);
    a.movement = 0.05;
    CHECK_EQ_INT(cs_order_next(p, 4, played, &a, NULL, 0), 1);
    a.movement = 0.5;
    CHECK_EQ_INT(cs_order_next(p, 4, played, &a, NULL, 0), 3);
}

TEST(deterministic_and_unplayable_skipped)
{
    cs_order_track p[5] = { tk(120, "8A", 0.3), tk(122, "8A", 0.3), tk(121, "9A", 0.3), tk(120, "7A", 0.3),
                            tk(120, "8B", 0.3) };
    p[2].playable = false;
    int a1[12], a2[12];
    for (int run = 0; run < 2; run++) {
        unsigned char played[5] = {0};
        int cur = -1;
        for (int k = 0; k < 12; k++) {
            cs_order_ask a = ask(cur, 120 + (k % 3));
            a.movement = 0.1 * k;
            cur = cs_order_next(p, 5, played, &a, NULL, 0);
            CHECK(cur >= 0 && cur != 2);
            cs_order_mark(played, 5, p, cur);
            (run ? a2 : a1)[k] = cur;
        }
    }
    CHECK(memcmp(a1, a2, sizeof a1) == 0);
    /* rounds: 0..3, then each opened by the last of the one before
     * (3..6, 6..9, 9..11): all 4 playable tracks, none twice */
    for (int r0 = 0; r0 + 3 < 12; r0 += 3) {
        int seen[5] = {0};
        for (int k = r0; k < r0 + 4; k++) seen[a1[k]]++;
        CHECK(seen[0] == 1 && seen[1] == 1 && seen[3] == 1 && seen[4] == 1);
    }
}

/* Only played tracks reach the target: the least recently played repeats,
 * not a ping-pong between the last two. */
TEST(early_repeats_rotate)
{
    cs_order_track p[5] = { tk(100, "8A", -1), tk(130, "8A", -1), tk(131, "8A", -1), tk(129, "8A", -1),
                            tk(100, "8A", -1) };
    unsigned char played[5] = { 1, 1, 1, 1, 0 };
    unsigned long last[5] = { 1, 4, 2, 3, 0 };
    cs_order_ask a = ask(3, 130);
    a.last = last;
    char why[300];
    int nx = cs_order_next(p, 5, played, &a, why, sizeof why);
    CHECK_EQ_INT(nx, 2);                            /* 2 played before 1 */
    CHECK(strstr(why, "repeats before the round ends") != NULL);
    a.last = NULL;                                  /* without history: the least stretched */
    CHECK_EQ_INT(cs_order_next(p, 5, played, &a, NULL, 0), 1);
}

/* A pool's tempo gaps the way cs export computes them (cmd/export_set.c):
 * each track's reach by cs_budget_reach, the gaps by cs_budget_gaps. */
static size_t pool_gaps(const double *bpm, size_t n, double budget, double lo, double hi, double (*g)[2],
                        size_t max)
{
    double rlo[8], rhi[8];
    for (size_t i = 0; i < n && i < 8; i++) cs_budget_reach(bpm[i], 100 * budget, &rlo[i], &rhi[i]);
    return cs_budget_gaps(rlo, rhi, n, lo, hi, g, max);
}

TEST(tempo_gaps_of_a_pool)
{
    /* 100, 120, 140 at ±5 %: 95..105, 114..126, 133..147 */
    double bpm[3] = { 100, 120, 140 };
    double g[4][2];
    size_t n = pool_gaps(bpm, 3, 0.05, 95, 145, g, 4);
    CHECK_EQ_INT((int)n, 2);
    CHECK_NEAR(g[0][0], 105, 1e-9);
    CHECK_NEAR(g[0][1], 114, 1e-9);
    CHECK_NEAR(g[1][0], 126, 1e-9);
    CHECK_NEAR(g[1][1], 133, 1e-9);
    /* the ends of the range */
    double one[1] = { 120 };
    n = pool_gaps(one, 1, 0.08, 98, 134, g, 4);
    CHECK_EQ_INT((int)n, 2);
    CHECK_NEAR(g[0][0], 98, 1e-9);
    CHECK_NEAR(g[0][1], 110.4, 1e-9);
    CHECK_NEAR(g[1][0], 129.6, 1e-9);
    CHECK_NEAR(g[1][1], 134, 1e-9);
    /* covered: none; max 0 still counts */
    double full[2] = { 100, 110 };
    CHECK_EQ_INT((int)pool_gaps(full, 2, 0.08, 95, 115, g, 0), 0);
    CHECK_EQ_INT((int)pool_gaps(one, 1, 0.08, 98, 134, g, 0), 2);
}

TEST(pools_of_one_and_two_clashing)
{
    cs_order_track one[1] = { tk(120, "8A", -1) };
    unsigned char p1[1] = {0};
    cs_order_ask a = ask(-1, 120);
    CHECK_EQ_INT(cs_order_next(one, 1, p1, &a, NULL, 0), 0);
    CHECK_EQ_INT(cs_order_mark(p1, 1, one, 0), 1);  /* a round of one */
    a.current = 0;
    CHECK_EQ_INT(cs_order_next(one, 1, p1, &a, NULL, 0), 0);   /* it repeats */
    cs_order_track two[2] = { tk(120, "8A", -1), tk(120, "2B", -1) };
    unsigned char p2[2] = {0};
    char why[256];
    cs_order_mark(p2, 2, two, 0);
    CHECK_EQ_INT(cs_order_next(two, 2, p2, &a, why, sizeof why), 1);
    CHECK(strstr(why, "8A -> 2B clashes (camelot)") != NULL);
    /* nothing playable */
    two[0].playable = two[1].playable = false;
    CHECK_EQ_INT(cs_order_next(two, 2, p2, &a, why, sizeof why), -1);
    CHECK_STR(why, "no playable track");
}

