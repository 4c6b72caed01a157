/* The stretch budget (pkg/budget.c): rungs within +-PCT of a track's BPM,
 * the nearest rung when none is, reaches and the tempo gaps of a pool. */
#include "tests/unit/unit.h"
#include "pkg/budget.h"

TEST(within_budget)
{
    CHECK(cs_budget_within(110, 118.8, 8));          /* exactly +8 % */
    CHECK(!cs_budget_within(110, 119, 8));
    CHECK(cs_budget_within(110, 101.2, 8));          /* exactly -8 % */
    CHECK(!cs_budget_within(136, 98, 8));            /* the 39.6 % */
    CHECK(cs_budget_within(136, 98, 0));             /* 0: no budget */
}

TEST(pick_keeps_budget_or_nearest)
{
    double rungs[10];
    for (int k = 0; k < 10; k++) rungs[k] = 98 + 4 * k;      /* 98:134:4 */
    unsigned char keep[10];
    bool fb;
    /* 121 BPM: 111.32 .. 130.68 -> 114, 118, 122, 126, 130 */
    CHECK_EQ_INT(cs_budget_pick(121, rungs, 10, 8, keep, &fb), 5);
    CHECK(!fb && !keep[3] && keep[4] && keep[8] && !keep[9]);
    /* 160 BPM: no rung within 8 %: the nearest (134) alone */
    CHECK_EQ_INT(cs_budget_pick(160, rungs, 10, 8, keep, &fb), 1);
    CHECK(fb && keep[9]);
    CHECK_EQ_INT(cs_budget_pick(160, rungs, 10, 0, keep, &fb), 10);
}

TEST(gaps_of_a_pool)
{
    /* tracks 96..121: reach up to 130.68; the ladder goes to 134 */
    double bpm[] = { 96, 104, 112, 121 }, lo[4], hi[4], g[4][2];
    for (int i = 0; i < 4; i++) cs_budget_reach(bpm[i], 8, &lo[i], &hi[i]);
    CHECK_NEAR(hi[3], 130.68, 1e-9);
    CHECK_EQ_INT(cs_budget_gaps(lo, hi, 4, 98, 134, g, 4), 1);
    CHECK_NEAR(g[0][0], 130.68, 1e-9);
    CHECK_NEAR(g[0][1], 134, 1e-9);
    /* a hole in the middle and one at the bottom */
    double lo2[] = { 100, 120 }, hi2[] = { 110, 130 };
    CHECK_EQ_INT(cs_budget_gaps(lo2, hi2, 2, 98, 134, g, 4), 3);
    CHECK(g[0][0] == 98 && g[0][1] == 100 && g[1][0] == 110 && g[1][1] == 120 && g[2][0] == 130 && g[2][1] == 134);
    /* covered everywhere */
    double lo3[] = { 90 }, hi3[] = { 140 };
    CHECK_EQ_INT(cs_budget_gaps(lo3, hi3, 1, 98, 134, g, 4), 0);
    /* no track at all: the whole ladder */
    CHECK_EQ_INT(cs_budget_gaps(lo3, hi3, 0, 98, 134, g, 4), 1);
    CHECK(g[0][0] == 98 && g[0][1] == 134);
    /* reaches in any order, nested and overlapping; more gaps than max */
    double lo4[] = { 125, 100, 102, 104, 131 }, hi4[] = { 128, 106, 103, 112, 132 };
    CHECK_EQ_INT(cs_budget_gaps(lo4, hi4, 5, 98, 134, g, 2), 4);
    CHECK(g[0][0] == 98 && g[0][1] == 100 && g[1][0] == 112 && g[1][1] == 125);
    double g4[4][2];
    CHECK_EQ_INT(cs_budget_gaps(lo4, hi4, 5, 98, 134, g4, 4), 4);
    CHECK(g4[2][0] == 128 && g4[2][1] == 131 && g4[3][0] == 132 && g4[3][1] == 134);
}
