/* Every input the fuzzers (tests/fuzz/) crashed on, as a regression test.
 * Each runs under the sanitizer build, so undefined behaviour fails it even
 * where the result would look right. */
#include "tests/unit/unit.h"
#include "tests/unit/rig.h"

#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/surface/osc.h"
#include "player/engine/reader.h"
#include "player/surface/osc_test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* fuzz_osc: /set_meter ,h 0x0300000000000003 (2.2e17 beats per bar) was cast
 * to int.  Now refused as a bad argument. */
TEST(osc_set_meter_huge_int64)
{
    static const unsigned char pkt[] = "/set_meter\0\0,h\0\0\x03\0\0\0\0\0\0\x03";
    rig p;
    cs_control_config cfg = rig_config();
    CHECK(rig_open(&p, &cfg, 0) == 0);
    int r = cs_osc_handle_packet(p.c, pkt, sizeof pkt - 1, NULL, NULL);
    rig_close(&p);
    CHECK_EQ_INT(r, CS_OSC_BAD);
}

/* Same cast in need_id (every /..._stem id): 1e300 is refused, not cast. */
TEST(osc_buffer_id_out_of_range)
{
    static const unsigned char pkt[] = "/stop_stem\0\0,d\0\0\x7e\x37\xe4\x3c\x88\x00\x75\x9c";
    rig p;
    cs_control_config cfg = rig_config();
    CHECK(rig_open(&p, &cfg, 0) == 0);
    int r = cs_osc_handle_packet(p.c, pkt, sizeof pkt - 1, NULL, NULL);
    rig_close(&p);
    CHECK_EQ_INT(r, CS_OSC_BAD);
}

/* fuzz_script: an empty script passed NULL to qsort. */
TEST(script_empty_file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/empty.osc", unit_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f);
    fclose(f);
    cs_err err = {0};
    cs_osc_script *s = cs_osc_script_load(path, &err);
    CHECK(s);
    uint64_t t = cs_osc_script_next_time(s);
    cs_osc_script_free(s);
    CHECK(t == UINT64_MAX);
}
