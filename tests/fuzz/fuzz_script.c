/* libFuzzer: the --osc-script parser (cs_osc_script_load reads a path, so
 * the input goes through a memfd), then every parsed line is dispatched, as
 * a render would, to a control in render mode. */
#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/surface/osc.h"
#include "player/engine/reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cs_log_set_level(-1);
    if (!freopen("/dev/null", "w", stdout)) return 0;
    fd = memfd_create("fuzz-script", 0);
    if (fd < 0) abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    cs_err err = {0};
    cs_osc_script *sc = cs_osc_script_load(path, &err);
    if (!sc) return 0;
    cs_control_config cfg = { .base_bpm = 120, .stretch = CS_STRETCH_RATE,
                              .tempo = cs_tempo_config_default(), .render = true, .meter = 4 };
    cs_engine *e = cs_engine_new(&err);
    cs_reader *r = e ? cs_reader_new(false, &err) : NULL;
    cs_control *c = r ? cs_control_new(&cfg, e, r, &err) : NULL;
    if (!c) abort();
    /* Bounded: a script may schedule lines hours apart; only their order
     * and dispatch matter here, not the audio in between. */
    for (int i = 0; i < 256 && cs_osc_script_next_time(sc) != UINT64_MAX; i++) {
        cs_control_set_clock(c, cs_osc_script_next_time(sc));
        cs_osc_script_run_next(sc, c);
        cs_control_tick(c);
    }
    cs_osc_script_free(sc);
    cs_engine_shutdown(e);
    cs_engine_drop_retired(e, r);
    cs_control_free(c);
    cs_reader_free(r);
    cs_engine_free(e);
    return 0;
}
