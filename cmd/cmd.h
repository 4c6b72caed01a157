/* Shared by the subcommands: the context the dispatcher hands them and small
 * option helpers.  Each cmd/<name>.c only parses its options and calls the
 * library; exit codes: 0 ok, 1 the command could not do its job, 2 usage. */
#ifndef CS_CMD_H
#define CS_CMD_H

#include <stdbool.h>

typedef struct cs_ctx {
    const char *db_path;   /* resolved library path (--db, $CS_DB, XDG) */
    int verbosity;         /* CS_LOG_* */
} cs_ctx;

enum { CS_EXIT_OK = 0, CS_EXIT_FAIL = 1, CS_EXIT_USAGE = 2 };

int cmd_index(int argc, char **argv, const cs_ctx *ctx);
int cmd_search(int argc, char **argv, const cs_ctx *ctx);
int cmd_export(int argc, char **argv, const cs_ctx *ctx);
int cmd_play(int argc, char **argv, const cs_ctx *ctx);
int cmd_doctor(int argc, char **argv, const cs_ctx *ctx);
int cmd_demo(int argc, char **argv, const cs_ctx *ctx);

/* Strict number parsing for option values: the whole string must be a finite
 * number.  On failure prints "cs: <cmd>: <opt>: '<v>' is not a number" and
 * returns false. */
bool cs_opt_double(const char *cmd, const char *opt, const char *v, double *out);
bool cs_opt_int(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out);
/* Prints "usage" to stdout (for --help) or stderr (for errors). */
void cs_print_usage(const char *usage, bool to_stderr);

#endif
