/* cs play: ladder-set options and start-up (see play_ladder.h). */
#include "cmd/play_ladder.h"
#include "pkg/fsutil.h"
#include "cmd/cmd.h"
#include "db/ladderset_db.h"
#include "pkg/setfile.h"
#include "pkg/parts.h"
#include "cmd/plan_set.h"
#include "pkg/order.h"

#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include <string.h>

const cs_name cs_play_loudness_names[] = { { "on", 1, 0 }, { "off", 0, 0 }, { NULL, 0, 0 } };
const cs_name cs_play_transition_names[] = {
    { "bass-swap", CS_PLAY_BASS_SWAP, 0 },
    { "fade", CS_PLAY_FADE, 0 },
    { "bassswap", CS_PLAY_BASS_SWAP, CS_NAME_ALIAS },
    { NULL, 0, 0 },
};

const cs_name cs_play_order_names[] = {
    { "auto", CS_PLAY_ORDER_AUTO, 0 },
    { "csv", CS_PLAY_ORDER_CSV, 0 },
    { "playlist", CS_PLAY_ORDER_PLAYLIST, 0 },
    { "set", CS_PLAY_ORDER_CSV, CS_NAME_ALIAS },
    { NULL, 0, 0 },
};

const cs_name cs_play_key_rule_names[] = {
    { "camelot", CS_KEY_RULE_CAMELOT, 0 },
    { "strict", CS_KEY_RULE_STRICT, 0 },
    { "loose", CS_KEY_RULE_LOOSE, 0 },
    { "off", CS_KEY_RULE_OFF, 0 },
    { NULL, 0, 0 },
};

void cs_play_ladder_args_init(cs_play_ladder_args *la)
{
    *la = (cs_play_ladder_args){ .loudness_target = -14.0, .loudness = 1 };
    la->order = -1;
    la->max_stretch = -1;
    cs_selopts_init(&la->sel, "play");
}

int cs_play_ladder_usage(const cs_play_ladder_args *la)
{
    if (!(la->loudness_target >= -60 && la->loudness_target <= 0))
        return cs_usage_error("play", "--loudness-target %g: outside -60..0 LUFS", la->loudness_target);
    return 0;
}

/* Loudness matching: each track's gain from the loudness its parts carry
 * (set.json, the CSV's columns, the library), then the master limiter.
 * The chain after a part is the ladder's voice volume and the master gain;
 * the limiter replaces the soft clip, whose 0.9*tanh(0.9x) would otherwise
 * bend the matched levels. */
static void match_loudness(const cs_play_ladder_args *la, cs_lset *set, cs_engine *e, double volume)
{
    if (!la->loudness) {
        cs_log_info("play: --loudness off: each track at its own level");
        return;
    }
    double chain = 20.0 * log10(volume * CS_MASTER_GAIN);
    size_t got = cs_lset_gains(set, la->loudness_target, chain, CS_PLAY_TRUE_PEAK_CEILING + CS_PLAY_LIMITER_RANGE);
    if (!got) {
        cs_log_info("play: the set carries no loudness (exported before cs measured it: export it again); "
                    "each track at its own level");
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < set->n; i++) {
        lo = fmin(lo, set->tracks[i].gain_db);
        hi = fmax(hi, set->tracks[i].gain_db);
        cs_log_debug("loudness: %s: gain %+.2f dB", set->tracks[i].name, set->tracks[i].gain_db);
    }
    cs_engine_limiter(e, pow(10.0, CS_PLAY_TRUE_PEAK_CEILING / 20.0), CS_NOW);
    cs_log_info("play: loudness: %zu tracks to %.1f LUFS (gains %+.1f .. %+.1f dB), true-peak limiter at %.1f dBTP",
                set->n, la->loudness_target, lo, hi, CS_PLAY_TRUE_PEAK_CEILING);
}

void cs_play_ladder_bpm(cs_play_ladder_args *la, double bpm)
{
    /* A base tempo outside the selection's range (1..999) is play's to
     * report; the selection then keeps its previous centre. */
    if (!(bpm >= 1 && bpm <= 999)) return;
    la->sel.bpm = bpm;
    la->sel.has_bpm = true;
}

/* Rungs too far apart for the player's rate bound: the set's ladder, and
 * each track whose own rungs leave a gap (a middle rung missing). */
static void warn_gaps_setfile(const cs_setfile *m)
{
    char gap[256];
    if (m->rungs.n && cs_ladder_gaps(m->rungs.v, m->rungs.n, CS_LADDER_MAX_DEV, gap, sizeof gap))
        cs_log_warn("set: its ladder is too sparse: %s", gap);
    for (size_t i = 0; i < m->n; i++) {
        const cs_set_track *t = &m->tracks[i];
        double v[256];
        size_t k = 0;
        for (size_t j = 0; j < t->n_parts && k < 256; j++)
            if (t->parts[j].bpm > 0) v[k++] = t->parts[j].bpm;
        if (k < m->rungs.n && cs_ladder_gaps(v, k, CS_LADDER_MAX_DEV, gap, sizeof gap))
            cs_log_warn("%s: %zu of the ladder's %zu rungs; %s (outside the ladder)", t->path, k, m->rungs.n, gap);
    }
}

static void warn_gaps_lset(const cs_lset *set)
{
    char gap[256];
    for (size_t i = 0; i < set->n; i++) {
        const cs_lset_track *t = &set->tracks[i];
        double v[256];
        size_t k = 0;
        for (size_t j = 0; j < t->n_rungs && k < 256; j++) v[k++] = t->rungs[j].bpm;
        if (cs_ladder_gaps(v, k, CS_LADDER_MAX_DEV, gap, sizeof gap))
            cs_log_warn("play: %s: %s (outside the ladder there)", t->name, gap);
    }
}

int cs_play_set_check(const char *set_dir, long fade_bars)
{
    cs_setfile m;
    cs_err err = {0};
    if (cs_setfile_read(set_dir, &m, &err) < 0) {
        cs_log_error("%s", err.msg);
        return CS_EXIT_FAIL;
    }
    size_t parts = 0, bad = cs_setfile_check(set_dir, &m);
    warn_gaps_setfile(&m);
    for (size_t i = 0; i < m.n; i++) parts += m.tracks[i].n_parts + (m.tracks[i].orig.file != NULL);
    if (bad) cs_log_error("%s: %zu of %zu parts missing or changed", set_dir, bad, parts);
    else if (m.n == 0) {
        /* A set with nothing to play is no set (issue 22 item 9). */
        cs_log_error("%s: the set has no tracks: its export selected nothing", set_dir);
        bad = 1;
    } else printf("set %s: ok: %zu tracks, %zu parts as the manifest says (cs %s)\n", set_dir, m.n, parts,
                m.cs_version ? m.cs_version : "?");
    cs_setfile_free(&m);
    /* The transitions' warnings, as `cs plan --set DIR` gives them. */
    cs_set_plan sp;
    if (!bad && cs_plan_set(set_dir, &(cs_plan_opts){ .fade_bars = (int)fade_bars }, &sp, &err) == 0) {
        size_t w = cs_plan_print_warnings(stdout, &sp);
        printf("transitions: %zu planned, %zu with warnings (cs plan --set %s for the rows)\n", sp.n, w, set_dir);
        cs_set_plan_free(&sp);
    } else if (!bad) {
        cs_log_warn("%s", err.msg);
    }
    return bad ? CS_EXIT_FAIL : CS_EXIT_OK;
}

/* A set folder: the manifest is the whole truth, no library. */
/* *playlist: whether set.json says the set was exported in a playlist's order. */
static int load_set_dir(const char *dir, cs_lset *set, bool *playlist, cs_err *err)
{
    cs_setfile m;
    if (cs_setfile_read(dir, &m, err) < 0) return -1;
    *playlist = m.playlist != NULL;
    if (m.playlist) cs_log_info("play: %s was exported in the order of playlist %s", dir, m.playlist);
    int rc = cs_setfile_to_lset(dir, &m, set, err);
    if (rc == 0) cs_log_info("play: set %s: %zu tracks, beat grids from its %s", dir, m.n, CS_SET_MANIFEST);
    cs_setfile_free(&m);
    return rc;
}

/* A CSV beside a set.json (a set folder's): the manifest's grids. */
static void attach_set_beats(const char *csv, cs_lset *set)
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", csv);
    const char *dir = dirname(copy);
    char man[PATH_MAX + 16];
    snprintf(man, sizeof man, "%s/%s", dir, CS_SET_MANIFEST);
    if (!cs_is_file(man, NULL)) return;
    cs_setfile m;
    cs_err err = {0};
    if (cs_setfile_read(dir, &m, &err) < 0) {
        cs_log_warn("play: %s", err.msg);
        return;
    }
    size_t got;
    if (cs_setfile_attach_beats(&m, set, &got, &err) < 0)
        cs_log_warn("play: %s: %s; beat grids of %zu of %zu tracks from it", man, err.msg, got, set->n);
    else
        cs_log_info("play: beat grids of %zu of %zu tracks from %s", got, set->n, man);
    cs_setfile_free(&m);
}

/* st: filled when the set comes from the library (considered stays 0
 * otherwise). */
static int load_set(const cs_play_ladder_args *la, const char *db_path, cs_lset *set,
                    cs_select_stats *st, bool *playlist, cs_err *err)
{
    *playlist = la->playlist != NULL;
    if (la->set_dir) {
        if (la->sel.any_but_bpm || la->csv || la->parts_dir || la->playlist)
            cs_log_warn("play: --set given: --csv, --parts-dir, --playlist and the selection flags are ignored");
        return load_set_dir(la->set_dir, set, playlist, err);
    }
    if (la->csv && la->playlist) cs_log_warn("play: --csv given: --playlist is ignored (the CSV's rows are the order)");
    if (la->csv) *playlist = false;
    if (la->csv) {
        if (la->sel.any_but_bpm) cs_log_warn("play: --csv given: the selection flags are ignored");
        if (cs_lset_read_csv_parts(la->csv, la->parts_dir, set, err) < 0) return -1;
        attach_set_beats(la->csv, set);
        /* The library, when there is one, knows the beats the CSV lacks. */
        cs_db *db = NULL;
        cs_err dberr = {0};
        if (!cs_is_file(db_path, NULL)) {
            cs_log_info("play: no library at %s: beat grids from the CSV's BPMs", db_path);
        } else if (cs_db_open_lookup(db_path, &db, &dberr) < 0) {
            cs_log_warn("play: %s; beat grids from the CSV's BPMs", dberr.msg);
        } else {
            size_t got;
            if (cs_lset_attach_beats(db, set, &got, &dberr) < 0)
                cs_log_warn("play: %s: %s; beat grids of %zu of %zu tracks from the library, the rest from the "
                            "CSV's BPMs", db_path, dberr.msg, got, set->n);
            else
                cs_log_info("play: beat grids of %zu of %zu tracks from the library %s", got, set->n, db_path);
        }
        cs_db_close(db);
        return 0;
    }
    cs_selection s;
    if (cs_selopt_build("play", &la->sel, &s) < 0) return cs_err_set(err, "bad selection");
    cs_db *db = NULL;
    int rc = cs_db_open_readonly(db_path, &db, err);
    if (rc == 0) rc = cs_lset_from_playlist(db, &s, la->playlist, la->parts_dir, set, st, err);
    cs_db_close(db);
    cs_selection_free(&s);
    return rc;
}

cs_ladder *cs_play_ladder_start(const cs_play_ladder_args *la, const char *db_path, cs_control *c,
                                cs_engine *e, cs_reader *r, uint64_t lead, int meter,
                                const cs_tempo_config *tempo, cs_err *err)
{
    cs_lset set = {0};
    cs_select_stats st = {0};
    bool playlist = false;
    if (la->order == CS_PLAY_ORDER_PLAYLIST && !la->playlist && !la->set_dir) {
        cs_err_setc(err, CS_ERR_USAGE, "--order playlist needs --playlist NAME, or a --set exported with --playlist");
        return NULL;
    }
    if (load_set(la, db_path, &set, &st, &playlist, err) < 0) {
        cs_lset_free(&set);
        return NULL;
    }
    if (cs_lset_probe(&set) == 0) {
        /* Nothing to play: one line with the counts per reason, the
         * selection's (as search and export say them) and then the set's. */
        char sel_why[512] = "", set_why[512] = "";
        bool from_library = !la->set_dir && !la->csv;
        if (from_library) cs_select_why(&st, (int)la->sel.n_sections, sel_why, sizeof sel_why);
        if (!from_library || st.selected) cs_lset_why(&set, set_why, sizeof set_why);
        cs_err_set(err, "%s: nothing to play: %s%s%s",
                   la->set_dir ? la->set_dir : la->csv ? la->csv : "the selection", sel_why,
                   sel_why[0] && set_why[0] ? "; " : "", set_why);
        cs_lset_free(&set);
        return NULL;
    }
    warn_gaps_lset(&set);
    if (la->order == CS_PLAY_ORDER_PLAYLIST && !playlist) {
        cs_err_setc(err, CS_ERR_USAGE, "--order playlist: %s was not exported with --playlist", la->set_dir);
        cs_lset_free(&set);
        return NULL;
    }
    /* A playlist's order is the set's order (kept by the readers). */
    bool order_auto = la->order == CS_PLAY_ORDER_AUTO || (la->order < 0 && !la->csv && !playlist);
    if (la->max_stretch >= 0 && !(la->max_stretch > 0 && la->max_stretch <= 100)) {
        cs_err_setc(err, CS_ERR_USAGE, "--max-stretch %g: a percentage above 0, at most 100", la->max_stretch);
        cs_lset_free(&set);
        return NULL;
    }
    double budget = la->max_stretch > 0 ? la->max_stretch / 100 : order_auto ? 0.08 : 0;
    if (order_auto)
        cs_log_info("play: running order auto (key rule %s, stretch budget %g %%)",
                    cs_key_rule_name((cs_key_rule)la->key_rule), budget * 100);
    cs_ladder_opts o = { .loop = la->loop, .lead = lead, .prepare_s = lead ? 0.25 : 0.05,
                         .order_auto = order_auto, .key_rule = la->key_rule, .max_stretch = budget,
                         .extend_phrases = (int)la->extend_phrases, .tempo = tempo,
                         .meter = meter, .trace_path = la->trace, .plot_path = la->plot,
                         .volume = CS_PLAY_LADDER_VOLUME,
                         .fade_bars = (int)la->fade_bars, .plain_fade = la->transition == CS_PLAY_FADE };
    match_loudness(la, &set, e, o.volume);
    cs_ladder *l = cs_ladder_new(&set, c, e, r, &o, err);
    cs_lset_free(&set);
    if (!l) return NULL;
    cs_control_ladder h = cs_ladder_hooks(l);
    cs_control_set_ladder(c, &h);
    return l;
}
