/* Bugs found by fault injection (tests/faults, `make faults`), one test
 * each.  They need the shim to fail an allocation, so they run in the
 * build/inj flavour (`make faults` runs build/inj/unit/test_faults_found);
 * in other builds they skip. */
#include "tests/unit/unit.h"
#include "tests/faults/shim.h"
#include "pkg/err.h"
#include "pkg/parts.h"
#include "pkg/select.h"

#include <stdlib.h>

#define NEED_SHIM()                                                            \
    do {                                                                       \
        if (!cs_fault_arm) { unit_skip("needs the build/inj shim (make faults)"); return; } \
    } while (0)

/* `cs export --ladder 118,122` out of memory exited 2 (bad usage): the
 * parser returned -1 for both, now CS_ERR_NOMEM (exit 1). */
TEST(ladder_parse_oom_is_not_bad_input)
{
    NEED_SHIM();
    cs_dvec v;
    cs_err e = {{0}};
    cs_fault_arm(1, 0, false);
    int rc = cs_ladder_parse("118,122", &v, &e);
    cs_fault_arm(0, 0, false);
    CHECK_EQ_INT(rc, CS_ERR_NOMEM);
    CHECK_STR(e.msg, "out of memory");
    CHECK(v.v == NULL);
    /* a real bad spec is still -1 */
    CHECK_EQ_INT(cs_ladder_parse("abc", &v, &e), -1);
}

/* The same for --key K1,K2 (search, export, play): every allocation of the
 * list, the first key's and the second's. */
TEST(selection_keys_oom_is_not_bad_input)
{
    NEED_SHIM();
    cs_fault_arm(0, 0, false);
    cs_selection s;
    cs_selection_init(&s);
    cs_err e = {{0}};
    CHECK_EQ_INT(cs_selection_set_keys(&s, "Gm,Cm", &e), 0);
    long points = cs_fault_allocs();
    CHECK(points >= 4);
    for (long n = 1; n <= points; n++) {
        cs_fault_arm(n, 0, false);
        int rc = cs_selection_set_keys(&s, "Gm,Cm", &e);
        cs_fault_arm(0, 0, false);
        if (rc != CS_ERR_NOMEM) unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: rc %d", n, points, rc);
    }
    cs_selection_free(&s);
}
