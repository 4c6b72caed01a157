/* Error values and diagnostics shared by every module.
 *
 * Library functions never print and never exit: they return 0 on success or a
 * negative value on failure and, when given a cs_err, describe the failure in
 * it ("<file>: <reason>").  Commands print that text with cs_log_error().
 *
 *   cs_err e = {0};
 *   if (cs_allin1_load(path, &s, &e) < 0) cs_log_error("%s", e.msg);
 */
#ifndef CS_ERR_H
#define CS_ERR_H

#include <stdarg.h>

typedef struct cs_err {
    char msg[512];
} cs_err;

/* Sets err->msg (when err is not NULL); always returns -1 so callers can
 * write `return cs_err_set(err, "...")`. */
int cs_err_set(cs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An allocation failed: sets "out of memory" and returns CS_ERR_NOMEM (< 0,
 * so `< 0` tests still hold), which lets a command tell it from bad input
 * (exit 1, not 2: the input was fine). */
#define CS_ERR_NOMEM (-2)
int cs_err_nomem(cs_err *err);

/* Log verbosity: 0 quiet (errors only), 1 normal, 2 verbose. */
enum { CS_LOG_QUIET = 0, CS_LOG_NORMAL = 1, CS_LOG_VERBOSE = 2 };
void cs_log_set_level(int level);
int cs_log_level(void);

/* "cs: error: ...", "cs: warning: ...", "cs: ..." (info), "cs: debug: ..."
 * on stderr, one line each; the newline is added. */
void cs_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cs_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cs_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cs_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A status line kept at the bottom of a terminal on stderr: drawn in place
 * ("\r", erase to the end of the line), and log lines are printed above it
 * (erased, the line, drawn again).  The caller checks that stderr is a
 * terminal and keeps `text` narrower than it.  "" or NULL erases it and
 * ends that mode.  Thread-safe; never from the audio callback. */
void cs_log_status_line(const char *text);

#endif
