/* Placeholder until the play command lands (skeleton commit). */
#include "cmd/cmd.h"
#include "pkg/err.h"

int cmd_play(int argc, char **argv, const cs_ctx *ctx)
{
    (void)argc; (void)argv; (void)ctx;
    cs_log_error("play: not implemented yet");
    return CS_EXIT_FAIL;
}
