/* Issue 22 item 10: rungs too far apart for the player's +-2 % rate bound. */
#include "tests/unit/unit.h"
#include "pkg/parts.h"
#include <math.h>

TEST(gaps_against_the_two_percent_bound)
{
    char buf[256];
    double wide[] = {100, 110, 120, 130, 140};
    CHECK_EQ_INT(cs_ladder_gaps(wide, 5, 0.02, buf, sizeof buf), 4);
    /* worst at sqrt(100*110) = 104.88 BPM: x1.049 on the 100 rung */
    CHECK(strstr(buf, "rungs 100 and 110 BPM: 102..107.8 BPM") != NULL);
    CHECK(strstr(buf, "x1.049") != NULL);
    printf("# %s\n", buf);
    double ok[] = {130, 114, 118, 122, 126};          /* any order; 4 BPM from 114 is 3.5 % */
    CHECK_EQ_INT(cs_ladder_gaps(ok, 5, 0.02, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    double missing[] = {114, 122, 126};                /* 118 missing: 116.3..119.6 uncovered */
    CHECK_EQ_INT(cs_ladder_gaps(missing, 3, 0.02, buf, sizeof buf), 1);
    CHECK(strstr(buf, "rungs 114 and 122 BPM") != NULL);
    double edge[] = {100, 104.08};                     /* 1.02/0.98 = 1.0408: just covered */
    CHECK_EQ_INT(cs_ladder_gaps(edge, 2, 0.02, buf, sizeof buf), 0);
    CHECK_EQ_INT(cs_ladder_gaps(wide, 1, 0.02, buf, sizeof buf), 0);
    /* any order, a rung listed twice: the same three gaps, the same worst
     * (the check sorts no copy, so it cannot fail for want of memory) */
    double shuffled[] = {130, 110, 100, 120, 110, 100.0000000001};
    CHECK_EQ_INT(cs_ladder_gaps(shuffled, 6, 0.02, buf, sizeof buf), 3);
    CHECK(strstr(buf, "rungs 100 and 110 BPM: 102..107.8 BPM") != NULL);
    /* the count is the sorted list's adjacent pairs, in any order, for odd
     * values too: rungs a billionth apart, an infinite one (a set.json part) */
    double close[] = {100, 100 + 0.8e-9, 100 + 1.6e-9, 130}, close_r[] = {130, 100 + 1.6e-9, 100 + 0.8e-9, 100};
    int nc = cs_ladder_gaps(close, 4, 0.02, buf, sizeof buf);
    CHECK(nc >= 1 && nc == cs_ladder_gaps(close_r, 4, 0.02, buf, sizeof buf));
    double inf[] = {116, 108, 0, INFINITY}, inf_s[] = {0, 108, 116, INFINITY};
    CHECK_EQ_INT(cs_ladder_gaps(inf, 4, 0.02, buf, sizeof buf), cs_ladder_gaps(inf_s, 4, 0.02, buf, sizeof buf));
}
