/* The selection options shared by search, export and play
 * (docs/contract.md "Selection"):
 * --bpm B --delta D | --bpm-min A --bpm-max B, --key K1,K2, --n-sections N.
 * Commands put CS_SELECTION_OPTIONS(&so) in their option table (cmd/opt.h),
 * then call cs_selopt_build(). */
#ifndef CS_SELOPT_H
#define CS_SELOPT_H

#include <stdbool.h>
#include "cmd/opt.h"
#include "pkg/select.h"

enum {
    CS_OPT_BPM = 1000, CS_OPT_DELTA, CS_OPT_BPM_MIN, CS_OPT_BPM_MAX, CS_OPT_KEY,
    CS_OPT_N_SECTIONS,
};

/* One selection option for an option table: value so (cs_selopts *). */
#define CS_SELOPT(l, code, a, h, so)                                                              \
    { .type = CS_OPT_CALLBACK, .long_name = (l), .value = (so), .argh = (a), .nargs = 1,          \
      .cb = cs_selopt_cb, .lo = (code), .help = (h) }
#define CS_SELOPTS_BUT_BPM(so)                                                                    \
    CS_SELOPT("delta", CS_OPT_DELTA, "D", "BPM tolerance for --bpm (default 2)", so),             \
    CS_SELOPT("bpm-min", CS_OPT_BPM_MIN, "A", "lowest BPM (inclusive; alone or with --bpm-max)", so), \
    CS_SELOPT("bpm-max", CS_OPT_BPM_MAX, "B", "highest BPM (inclusive)", so),                    \
    CS_SELOPT("key", CS_OPT_KEY, "K1,K2",                                                         \
              "keys in any notation (Gm, F#m, Fmin, 6A, 1m); a track\n"                           \
              "tagged 6A matches --key Gm", so),                                                  \
    CS_SELOPT("n-sections", CS_OPT_N_SECTIONS, "N", "sections after the intro a track needs (default 6)", so)
/* The group for search and export's tables. */
#define CS_SELECTION_OPTIONS(so)                                                                  \
    OPT_GROUP("selection:"),                                                                      \
    CS_SELOPT("bpm", CS_OPT_BPM, "B", "tracks within B +- delta BPM (inclusive)", so),           \
    CS_SELOPTS_BUT_BPM(so)

typedef struct cs_selopts {
    bool has_bpm, has_delta, has_min, has_max;
    double bpm, delta, bpm_min, bpm_max;
    const char *keys;
    long n_sections;
    bool any_but_bpm;   /* a selection option other than --bpm was given */
    const char *cmd;    /* for messages */
} cs_selopts;

void cs_selopts_init(cs_selopts *o, const char *cmd);
/* The option-table callback: handles o->lo (CS_OPT_*) for o->value. */
int cs_selopt_cb(const cs_option *o, char **words, int n);
/* 1 when opt was a selection option (handled), 0 when not, -1 on a bad value. */
int cs_selopt_handle(const char *cmd, int opt, const char *arg, cs_selopts *o);
/* Validates and fills sel (initialised here).  -1 after printing a usage
 * error; CS_ERR_NOMEM (pkg/err.h) after printing "out of memory" (the
 * caller exits 1, not 2). */
int cs_selopt_build(const char *cmd, const cs_selopts *o, cs_selection *sel);

/* Builds the selection, opens the library read-only and selects from it
 * (every track with left_out set when all, as cs_library_list; else
 * cs_library_select).  Returns CS_EXIT_OK with *db open (the caller closes
 * it and frees the tracks), else the exit status after printing the error. */
struct cs_db;
struct cs_lib_track;
struct cs_select_stats;
int cs_selopt_query(const cs_selopts *so, cs_ctx *ctx, bool all, struct cs_db **db,
                    struct cs_lib_track **t, size_t *n, struct cs_select_stats *st);

#endif
