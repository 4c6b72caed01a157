/* Option tables: each command declares its options once, as a static array
 * next to its usage line (after git's parse-options), and the same table
 * parses the command line, prints --help and lists the options for docs
 * and shell completion (`cs help --all-options`).
 *
 *   bool force = false; const char *xml = NULL;
 *   const cs_option opts[] = {
 *       OPT_STRING(0, "rekordbox-xml", &xml, "FILE", "Rekordbox collection"),
 *       OPT_BOOL(0, "force", &force, "re-read files even when unchanged"),
 *       OPT_END(),
 *   };
 *   static const cs_optdef def = { "index", usage_lines, intro, NULL, outro };
 *   int n = cs_opt_parse(&def, opts, argc, argv, ctx);   // positionals -> argv[0..n)
 *   if (n < 0) return cs_opt_exit(n);                     // --help: 0, bad usage: 2
 *
 * Parsing: --name VALUE, --name=VALUE, -s VALUE, -sVALUE; a unique prefix of
 * a long name is accepted; "--" ends the options; positionals may come
 * anywhere.  A yes/no option NAME is turned off by --no-NAME, and one
 * declared "no-NAME" by --NAME (git's negation; the last word wins).
 * -h/--help prints the help; the global options (--db, -q, -v)
 * are accepted in every command.  Enum values ignore ASCII case.
 * Every usage error is one line, "cs: error: CMD: <what> (see 'cs CMD --help')",
 * with a did-you-mean for a mistyped option or enum value; exit status 2. */
#ifndef CS_CMD_OPT_H
#define CS_CMD_OPT_H

#include <stdbool.h>
#include <stdio.h>
#include "cmd/cmd.h"
#include "pkg/names.h"

typedef enum cs_opt_type {
    CS_OPT_END = 0,
    CS_OPT_GROUP,     /* a heading in the help (help text only) */
    CS_OPT_BOOL,      /* bool *: set true (value NULL: accepted and ignored) */
    CS_OPT_STRING,    /* const char **: the word as given */
    CS_OPT_DOUBLE,    /* double *: a finite number */
    CS_OPT_INT,       /* long *: a whole number in [lo, hi] */
    CS_OPT_ENUM,      /* int *: a name of `names` (case ignored) */
    CS_OPT_CALLBACK,  /* cb(opt, words, nargs): nargs words; nargs -1: the words
                         up to the next option (a negative number is a word) */
} cs_opt_type;

struct cs_option;
/* Returns 0, or -1 after printing a usage error (cs_usage_error). */
typedef int (*cs_opt_cb)(const struct cs_option *opt, char **words, int n);

enum { CS_OPT_HIDDEN = 1 };   /* parsed, not shown in --help */

typedef struct cs_option {
    cs_opt_type type;
    char short_name;           /* 0: none */
    const char *long_name;     /* without "--"; NULL: short only */
    void *value;               /* see cs_opt_type; for a callback, its data */
    const char *argh;          /* value name in the help ("FILE"); NULL for enums: a|b|c */
    const char *help;          /* may hold '\n' for more lines */
    long lo, hi;               /* CS_OPT_INT range; a callback's code */
    const cs_name *names;      /* CS_OPT_ENUM */
    int nargs;                 /* CS_OPT_CALLBACK: words taken (0, N, -1) */
    cs_opt_cb cb;
    bool *seen;                /* set true when the option is given (may be NULL) */
    unsigned flags;            /* CS_OPT_HIDDEN */
} cs_option;

#define OPT_END() { .type = CS_OPT_END }
#define OPT_GROUP(h) { .type = CS_OPT_GROUP, .help = (h) }
#define OPT_BOOL(s, l, v, h) { .type = CS_OPT_BOOL, .short_name = (s), .long_name = (l), .value = (v), .help = (h) }
#define OPT_STRING(s, l, v, a, h) \
    { .type = CS_OPT_STRING, .short_name = (s), .long_name = (l), .value = (v), .argh = (a), .help = (h) }
#define OPT_DOUBLE(s, l, v, a, h) \
    { .type = CS_OPT_DOUBLE, .short_name = (s), .long_name = (l), .value = (v), .argh = (a), .help = (h) }
#define OPT_INT(s, l, v, a, low, high, h)                                                       \
    { .type = CS_OPT_INT, .short_name = (s), .long_name = (l), .value = (v), .argh = (a),       \
      .lo = (low), .hi = (high), .help = (h) }
/* --buffer-size, one declaration for cs play and cs doctor (the device they
 * open): frames per SDL audio callback, 16..16384, default
 * CS_BUFFER_SIZE_DEFAULT.  h: what the frames are for; the range and the
 * default are added here. */
#define CS_BUFFER_SIZE_DEFAULT 1024
#define CS_OPT_STR_(x) #x
#define CS_OPT_XSTR_(x) CS_OPT_STR_(x)
#define OPT_BUFFER_SIZE(v, h) \
    OPT_INT(0, "buffer-size", (v), "N", 16, 16384, h " (default " CS_OPT_XSTR_(CS_BUFFER_SIZE_DEFAULT) ")")
#define OPT_ENUM(s, l, v, n, h) \
    { .type = CS_OPT_ENUM, .short_name = (s), .long_name = (l), .value = (v), .names = (n), .help = (h) }
#define OPT_CALLBACK(s, l, data, a, k, f, h)                                                    \
    { .type = CS_OPT_CALLBACK, .short_name = (s), .long_name = (l), .value = (data), .argh = (a), \
      .nargs = (k), .cb = (f), .help = (h) }

/* What a command shows around its options in --help. */
typedef struct cs_optdef {
    const char *cmd;      /* "search"; NULL for cs itself */
    const char *usage;    /* "usage: cs search ...\n" lines */
    const char *intro;    /* paragraph(s) after the usage, may be NULL */
    const char *outro;    /* text after the options (exit status ...), may be NULL */
} cs_optdef;

enum { CS_OPT_STOP_AT_WORD = 1 };   /* cs itself: stop at the command name */

/* Parses argv[1..argc) by opts (and the global options into ctx, which may
 * be NULL for none).  Returns the number of positional words, moved to
 * argv[0..n); CS_OPT_RC_HELP after printing the help (or the option list for
 * --list-options); CS_OPT_RC_USAGE after printing a usage error;
 * CS_OPT_RC_FAIL after printing "out of memory" (exit 1, never 2: the
 * command line was fine). */
enum { CS_OPT_RC_HELP = -1, CS_OPT_RC_USAGE = -2, CS_OPT_RC_FAIL = -3 };
int cs_opt_parse(const cs_optdef *def, const cs_option *opts, int argc, char **argv, cs_ctx *ctx,
                 unsigned flags);
/* The exit status for a negative cs_opt_parse result. */
static inline int cs_opt_exit(int rc)
{
    return rc == CS_OPT_RC_HELP ? CS_EXIT_OK : rc == CS_OPT_RC_FAIL ? CS_EXIT_FAIL : CS_EXIT_USAGE;
}

void cs_opt_help(FILE *f, const cs_optdef *def, const cs_option *opts);
/* One line per option, tab-separated, for generated docs and completion:
 * CMD  -S|-  --LONG|-  ARG|-  NARGS  CHOICES|-  HELP (first line). */
void cs_opt_list(FILE *f, const char *cmd, const cs_option *opts);

/* Prints "cs: error: CMD: <fmt...> (see 'cs CMD --help')" and returns
 * CS_EXIT_USAGE.  cmd NULL: cs itself ("see 'cs --help'"). */
int cs_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The candidate closest to s by edit distance when close enough to be a
 * likely typo (at most 2 edits and fewer than s has letters), else NULL. */
const char *cs_did_you_mean(const char *s, const char *const *cands, size_t n);

#endif
