/* cs play: ladder-set options and start-up (see play_ladder.h). */
#include "cmd/play_ladder.h"
#include "pkg/fsutil.h"
#include "cmd/cmd.h"
#include "db/ladderset_db.h"

#include <string.h>

int cs_play_ladder_opt(const char *a, const char *val, cs_play_ladder_args *la)
{
    static const struct { const char *name; int code; } sel[] = {
        { "--delta", CS_OPT_DELTA }, { "--bpm-min", CS_OPT_BPM_MIN }, { "--bpm-max", CS_OPT_BPM_MAX },
        { "--key", CS_OPT_KEY },     { "--n-sections", CS_OPT_N_SECTIONS },
    };
    if (!la->sel.n_sections) cs_selopts_init(&la->sel);
    if (!strcmp(a, "--loop-set")) {
        la->loop = true;
        return 1;
    }
    const char **dst = !strcmp(a, "--csv") ? &la->csv : !strcmp(a, "--parts-dir") ? &la->parts_dir
                     : !strcmp(a, "--trace") ? &la->trace : !strcmp(a, "--plot") ? &la->plot : NULL;
    bool is_bpm = !strcmp(a, "--bpm");
    int code = 0;
    for (size_t i = 0; i < sizeof sel / sizeof sel[0]; i++)
        if (!strcmp(a, sel[i].name)) code = sel[i].code;
    if (!dst && !code && !is_bpm) return 0;
    if (!val) {
        if (is_bpm) return 0;               /* play reports it */
        cs_log_error("play: %s needs a value", a);
        return -1;
    }
    if (is_bpm) {
        /* --bpm is also play's base tempo: a bad value is play's to report. */
        cs_selopts tmp = la->sel;
        if (cs_selopt_handle("play", CS_OPT_BPM, val, &tmp) == 1) la->sel = tmp;
        return 0;
    }
    if (dst) {
        *dst = val;
        if (dst == &la->parts_dir) la->selection = true;
        return 2;
    }
    if (cs_selopt_handle("play", code, val, &la->sel) < 0) return -1;
    la->selection = true;
    return 2;
}

static int load_set(const cs_play_ladder_args *la, const char *db_path, cs_lset *set, cs_err *err)
{
    if (la->csv) {
        if (la->selection) cs_log_warn("play: --csv given: the selection flags are ignored");
        if (cs_lset_read_csv(la->csv, set, err) < 0) return -1;
        /* The library, when there is one, knows the beats the CSV lacks. */
        cs_db *db = NULL;
        cs_err dberr = {{0}};
        if (!cs_is_file(db_path, NULL)) {
            cs_log_info("play: no library at %s: beat grids from the CSV's BPMs", db_path);
        } else if (cs_db_open_lookup(db_path, &db, &dberr) < 0) {
            cs_log_warn("play: %s; beat grids from the CSV's BPMs", dberr.msg);
        } else {
            size_t got = cs_lset_attach_beats(db, set);
            cs_log_info("play: beat grids of %zu of %zu tracks from the library %s", got, set->n, db_path);
        }
        cs_db_close(db);
        return 0;
    }
    cs_selection s;
    if (cs_selopt_build("play", &la->sel, &s) < 0) return cs_err_set(err, "bad selection");
    cs_db *db = NULL;
    int rc = cs_db_open_readonly(db_path, &db, err);
    if (rc == 0) rc = cs_lset_from_library(db, &s, la->parts_dir, set, err);
    cs_db_close(db);
    cs_selection_free(&s);
    return rc;
}

cs_ladder *cs_play_ladder_start(const cs_play_ladder_args *la, const char *db_path, cs_control *c,
                                cs_engine *e, cs_reader *r, uint64_t lead, int meter, cs_err *err)
{
    cs_lset set = {0};
    if (load_set(la, db_path, &set, err) < 0) {
        cs_lset_free(&set);
        return NULL;
    }
    size_t listed = set.n;
    if (cs_lset_probe(&set) == 0) {
        cs_lset_free(&set);
        cs_err_set(err, "%s: no playable track (%zu listed)", la->csv ? la->csv : "the selection", listed);
        return NULL;
    }
    cs_ladder_opts o = { .loop = la->loop, .lead = lead, .prepare_s = lead ? 0.25 : 0.05,
                         .meter = meter, .trace_path = la->trace, .plot_path = la->plot };
    cs_ladder *l = cs_ladder_new(&set, c, e, r, &o, err);
    cs_lset_free(&set);
    if (!l) return NULL;
    cs_control_ladder h = cs_ladder_hooks(l);
    cs_control_set_ladder(c, &h);
    return l;
}
