/* Error values and diagnostics shared by every module.
 *
 * Library functions never print and never exit: they return 0 on success or a
 * negative value on failure and, when given a cs_err, describe the failure in
 * it: a line of text ("<file>: <reason>") and a code saying which kind of
 * failure it was.  Commands print the text with cs_log_error(); code that
 * must act on the kind (exit 1 for out of memory, exit 2 for bad input; a
 * test that checks which failure happened) reads the code, never the text.
 *
 *   cs_err e = {0};
 *   if (cs_allin1_load(path, &s, &e) < 0) cs_log_error("%s", e.msg);
 *   if (e.code == CS_ERR_NOMEM) ...
 *
 * The codes, in the style of liblo's lo_errors.h: negative, so a function
 * may return its code and `< 0` tests hold; cs_err_set() and
 * cs_err_setc() return the code they set.  Test a return with `< 0`, never
 * `== -1`: a function may pass a callee's failure on as a plain -1, the
 * kind stays in err->code.  A wrapper that adds context keeps the callee's
 * code: cs_err_setc(err, e.code, "%s: %s", name, e.msg).  Messages are the
 * user's interface, codes the program's (docs/architecture.md "Errors: text
 * for people, a code for programs"). */
#ifndef CS_ERR_H
#define CS_ERR_H

#include <stdarg.h>

#define CS_ERR_OK          0  /* no error (a zeroed cs_err) */
#define CS_ERR_FAIL      (-1) /* unclassified: the text says what failed */
#define CS_ERR_NOMEM     (-2) /* an allocation failed; the input was fine */
#define CS_ERR_IO        (-3) /* a file or folder could not be opened, read, written, renamed */
#define CS_ERR_FORMAT    (-4) /* the input's content is malformed (JSON, XML, CSV, blob, audio) */
#define CS_ERR_RANGE     (-5) /* a value is out of its allowed range, or a size would overflow */
#define CS_ERR_NOT_FOUND (-6) /* a named file, track, part or field does not exist */
#define CS_ERR_DB        (-7) /* SQLite reported an error (not an allocation failure) */
#define CS_ERR_USAGE     (-8) /* a bad option or argument value (a spec, a name, a list) */
#define CS_ERR_CODEC     (-9) /* FFmpeg, libsndfile, rubberband, libebur128 or qm-dsp failed */
#define CS_ERR_DENIED   (-10) /* refused by policy: outside the allowed folders, unsafe name */
#define CS_ERR_SYSTEM   (-11) /* a thread, socket, device or other OS resource failed */
#define CS_ERR_CODES      12  /* how many codes there are (0 .. -11) */

typedef struct cs_err {
    char msg[512];
    int code; /* CS_ERR_*; CS_ERR_OK until a failure is set */
} cs_err;

/* Sets err->msg and err->code = CS_ERR_FAIL (when err is not NULL); always
 * returns CS_ERR_FAIL (-1) so callers can write `return cs_err_set(err, "...")`.
 * Prefer cs_err_setc where the kind is known. */
int cs_err_set(cs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets err->msg and err->code = code (when err is not NULL); returns code,
 * which must be one of the negative CS_ERR_* above. */
int cs_err_setc(cs_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An allocation failed: sets "out of memory" and CS_ERR_NOMEM and returns
 * CS_ERR_NOMEM (< 0, so `< 0` tests still hold), which lets a command tell
 * it from bad input (exit 1, not 2: the input was fine).  A message naming
 * the file ("x.wav: out of memory") uses cs_err_setc(err, CS_ERR_NOMEM, ...). */
int cs_err_nomem(cs_err *err);

/* The code's name ("CS_ERR_NOMEM"); "CS_ERR_?" for a value that is no code.
 * A static string; any thread. */
const char *cs_err_name(int code);

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
