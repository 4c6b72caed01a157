/* The selection options shared by search, export and play (DESIGN.md):
 * --bpm B --delta D | --bpm-min A --bpm-max B, --key K1,K2, --n-sections N.
 * Commands splice CS_SELECTION_LONGOPTS into their getopt_long table, pass
 * every option to cs_selopt_handle(), then call cs_selopt_build(). */
#ifndef CS_SELOPT_H
#define CS_SELOPT_H

#include <getopt.h>
#include <stdbool.h>
#include "pkg/select.h"

enum {
    CS_OPT_BPM = 1000, CS_OPT_DELTA, CS_OPT_BPM_MIN, CS_OPT_BPM_MAX, CS_OPT_KEY,
    CS_OPT_N_SECTIONS,
    CS_OPT_FIRST_FREE = 1100   /* commands number their own long options from here */
};

#define CS_SELECTION_LONGOPTS                                             \
    { "bpm", required_argument, NULL, CS_OPT_BPM },                       \
    { "delta", required_argument, NULL, CS_OPT_DELTA },                   \
    { "bpm-min", required_argument, NULL, CS_OPT_BPM_MIN },               \
    { "bpm-max", required_argument, NULL, CS_OPT_BPM_MAX },               \
    { "key", required_argument, NULL, CS_OPT_KEY },                       \
    { "n-sections", required_argument, NULL, CS_OPT_N_SECTIONS }

#define CS_SELECTION_USAGE                                                          \
    "selection:\n"                                                                  \
    "  --bpm B             tracks within B +- delta BPM (inclusive)\n"              \
    "  --delta D           BPM tolerance for --bpm (default 2)\n"                   \
    "  --bpm-min A         lowest BPM (inclusive; alone or with --bpm-max)\n"       \
    "  --bpm-max B         highest BPM (inclusive)\n"                               \
    "  --key K1,K2         keys in any notation (Gm, F#m, Fmin, 6A, 1m); a track\n" \
    "                      tagged 6A matches --key Gm\n"                            \
    "  --n-sections N      sections after the intro a track needs (default 6)\n"

typedef struct cs_selopts {
    bool has_bpm, has_delta, has_min, has_max;
    double bpm, delta, bpm_min, bpm_max;
    const char *keys;
    long n_sections;
} cs_selopts;

void cs_selopts_init(cs_selopts *o);
/* 1 when opt was a selection option (handled), 0 when not, -1 on a bad value. */
int cs_selopt_handle(const char *cmd, int opt, const char *arg, cs_selopts *o);
/* Validates and fills sel (initialised here).  -1 after printing an error. */
int cs_selopt_build(const char *cmd, const cs_selopts *o, cs_selection *sel);

#endif
