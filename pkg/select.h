/* Track selection by BPM range and key list (shared by `cs search`,
 * `cs export` and `cs play`).
 *
 *   cs_selection sel;
 *   cs_selection_init(&sel);                       // n_sections 6, no bounds
 *   cs_selection_set_bpm(&sel, 122.5, 2.0);        // [120.5, 124.5] inclusive
 *   cs_selection_set_keys(&sel, "Gm,Cm", &err);    // any notation
 *   if (cs_selection_match_bpm(&sel, bpm) && cs_selection_match_key(&sel, key_text)) ...
 *   cs_selection_free(&sel);
 */
#ifndef CS_SELECT_H
#define CS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include "pkg/err.h"

typedef struct cs_selection {
    bool has_min, has_max;
    double bpm_min, bpm_max;    /* inclusive */
    char **keys;                /* as given, trimmed */
    int *key_codes;             /* cs_key_parse() of each (CS_KEY_UNKNOWN kept) */
    size_t n_keys;
    int n_sections;             /* default 6 */
} cs_selection;

void cs_selection_init(cs_selection *s);
void cs_selection_free(cs_selection *s);
/* [bpm - |delta|, bpm + |delta|].  Bounds are compared with a 1e-9 BPM
 * tolerance so that 122.5 +- 2 keeps 120.5 and 124.5 whatever the rounding. */
void cs_selection_set_bpm(cs_selection *s, double bpm, double delta);
/* Comma-separated list, replacing any earlier one; items trimmed, empty items
 * ignored.  CS_ERR_USAGE (err: "no key in \"...\"") if the list has no key,
 * CS_ERR_NOMEM when an allocation failed. */
int cs_selection_set_keys(cs_selection *s, const char *list, cs_err *err);
bool cs_selection_match_bpm(const cs_selection *s, double bpm);
/* A track's key matches when any listed key has the same canonical code, or,
 * for notations we do not know, the same text ignoring case.  With no --key
 * every track matches. */
bool cs_selection_match_key(const cs_selection *s, const char *track_key);

#endif
