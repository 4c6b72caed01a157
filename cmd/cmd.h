/* Shared by the subcommands: the context the dispatcher hands them and small
 * option helpers.  Each cmd/<name>.c only parses its options and calls the
 * library; exit codes: 0 ok, 1 the command could not do its job, 2 usage. */
#ifndef CS_CMD_H
#define CS_CMD_H

#include <stdbool.h>

/* The global options; a command's cs_opt_parse may still set them (they
 * are accepted after the command too) and then resolves db_path. */
typedef struct cs_ctx {
    const char *db_path;   /* library path (--db, else $CS_DB, else XDG) */
    int verbosity;         /* CS_LOG_* */
} cs_ctx;

enum { CS_EXIT_OK = 0, CS_EXIT_FAIL = 1, CS_EXIT_USAGE = 2 };

int cmd_analyze(int argc, char **argv, cs_ctx *ctx);
int cmd_index(int argc, char **argv, cs_ctx *ctx);
int cmd_search(int argc, char **argv, cs_ctx *ctx);
int cmd_ls(int argc, char **argv, cs_ctx *ctx);
int cmd_export(int argc, char **argv, cs_ctx *ctx);
int cmd_play(int argc, char **argv, cs_ctx *ctx);
int cmd_plan(int argc, char **argv, cs_ctx *ctx);
int cmd_doctor(int argc, char **argv, cs_ctx *ctx);
int cmd_demo(int argc, char **argv, cs_ctx *ctx);
int cmd_status(int argc, char **argv, cs_ctx *ctx);

/* Strict number parsing for option values: the whole string must be a finite
 * number (a whole one in [lo, hi] for _int).  On failure prints the usage
 * error "cs: error: <cmd>: <opt>: '<v>' is not a number (see ...)" and
 * returns false.  Option tables: cmd/opt.h. */
bool cs_opt_double(const char *cmd, const char *opt, const char *v, double *out);
bool cs_opt_int(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out);

#endif
