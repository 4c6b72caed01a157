/* libFuzzer: one raw UDP datagram through cs_osc_handle_packet, the entry
 * point cs_osc_server_poll uses, on a control/engine pair in render mode (no
 * audio device, reader pumped synchronously).  After the packet the engine
 * renders a few blocks, so commands the handlers queued are executed too.
 * Replies are serialised as the UDP server would before sending them.
 *
 * A fresh player per input keeps every crash reproducible from its input
 * alone; a bundle carries a sequence of messages when state matters. */
#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/surface/osc.h"
#include "player/engine/reader.h"
#include "player/surface/osc_test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void reply(void *ctx, const char *path, lo_message m)
{
    (void)ctx;
    size_t n = 0;
    free(lo_message_serialise(m, path, NULL, &n));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cs_log_set_level(-1);       /* below quiet: errors are the point here */
    /* /dummy and /get_status print on stdout; keep the fuzzer's own output
     * readable. */
    if (!freopen("/dev/null", "w", stdout)) return 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_err err = {0};
    cs_control_config cfg = { .base_bpm = 120, .eq_on = (size & 1) != 0, .stretch = CS_STRETCH_RATE,
                              .tempo = cs_tempo_config_default(), .render = true, .meter = 4 };
    cs_engine *e = cs_engine_new(&err);
    cs_reader *r = e ? cs_reader_new(false, &err) : NULL;
    cs_control *c = r ? cs_control_new(&cfg, e, r, &err) : NULL;
    if (!c) abort();

    static float out[2 * 512];
    uint64_t t = 0;
    cs_control_set_clock(c, t);
    cs_osc_handle_packet(c, data, size, reply, NULL);
    for (int b = 0; b < 4; b++) {
        cs_control_set_clock(c, t);
        cs_reader_pump(r, true);
        cs_control_tick(c);
        cs_engine_process(e, out, 512);
        t += 512;
    }

    cs_engine_shutdown(e);
    cs_engine_drop_retired(e, r);
    cs_control_free(c);
    cs_reader_free(r);
    cs_engine_free(e);
    return 0;
}
