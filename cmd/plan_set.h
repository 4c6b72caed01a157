/* The transitions of a set folder, planned before the gig: the same
 * planner calls the live ladder makes (pkg/transition.h,
 * cs_transition_plan_lset), in play order, with the tempo `cs play` would
 * follow (a constant --bpm, or an --osc-script's movement and /set_tempo
 * through the tempo controller).  Used by `cs plan` and by
 * `cs play --set DIR --check` (its warnings). */
#ifndef CS_CMD_PLAN_SET_H
#define CS_CMD_PLAN_SET_H

#include <stdbool.h>
#include <stdio.h>
#include "pkg/err.h"
#include "pkg/transition.h"

typedef struct cs_plan_row {
    int from, to;               /* track indices (play order) */
    cs_tplan p;
    double at_s;                /* when the incoming deck starts (seconds from the set's start) */
    double fade_s;              /* the fade, seconds */
    double solo_s;              /* the incoming track alone after its fade, seconds */
    double bpm;                 /* the tempo then */
    double rung, rate;          /* the incoming's rung (BPM) and play rate (bpm / rung) */
    int key_dist;               /* Camelot distance, -1 unknown */
    bool key_clash;             /* distance >= 2 */
} cs_plan_row;

typedef struct cs_set_plan {
    char **names;               /* [n_tracks] shown names */
    char **keys;                /* [n_tracks] keys or NULL */
    double *lufs, *tp;          /* [n_tracks] the loudness of the stretch each track plays alone
                                   (its parts' integrated loudness where set.json has no
                                   slices) and their true peak (NAN: not in set.json) */
    double *gain_db;            /* [n_tracks] the level change from the part to the output: the
                                   gain cs play applies (cs_lset_solo_gain) plus its voice and
                                   master levels (lufs + gain_db: the loudness heard) */
    char **why;                 /* [n_tracks] the running order's reason for choosing it, or NULL */
    size_t n_tracks;
    cs_plan_row *rows;
    size_t n;
    double total_s;             /* the set's duration */
    double first_bpm;
} cs_set_plan;

typedef struct cs_plan_opts {
    double bpm;                 /* base tempo (as cs play --bpm); 0: 120, cs play's default */
    const char *osc_script;     /* NULL: constant bpm */
    const char *bpm_config;     /* movement->BPM config, NULL: default */
    int fade_bars;              /* as cs play --fade-bars (0: from the material) */
    bool plain_fade;            /* --transition fade */
    double loudness_target;     /* LUFS, as cs play --loudness-target; the gains' target */
    int order;                  /* CS_PLAY_ORDER_*, as cs play --order; -1: as cs play
                                   decides (auto, unless the set has a playlist) */
    int key_rule;               /* cs_key_rule, as cs play --key-rule */
    double max_stretch;         /* stretch budget, fraction (0.08), as cs play --max-stretch */
} cs_plan_opts;

/* Reads dir/set.json, probes its parts and plans every change.  -1 with err
 * when the set cannot be read or nothing in it plays. */
int cs_plan_set(const char *dir, const cs_plan_opts *o, cs_set_plan *out, cs_err *err);
/* The warnings of row r, "; "-separated, into buf ("" when none). */
char *cs_plan_row_warnings(const cs_set_plan *sp, const cs_plan_row *r, char *buf, size_t size);
/* Prints each row's warnings as "warning: transition A -> B: ..." lines to f
 * (the set of one track: says so); returns how many rows warned. */
size_t cs_plan_print_warnings(FILE *f, const cs_set_plan *sp);
void cs_set_plan_free(cs_set_plan *sp);

#endif
