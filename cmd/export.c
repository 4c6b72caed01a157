/* Placeholder until the export command lands (skeleton commit). */
#include "cmd/cmd.h"
#include "pkg/err.h"

int cmd_export(int argc, char **argv, const cs_ctx *ctx)
{
    (void)argc; (void)argv; (void)ctx;
    cs_log_error("export: not implemented yet");
    return CS_EXIT_FAIL;
}
