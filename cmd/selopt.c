#include "cmd/selopt.h"

#include "cmd/cmd.h"
#include "db/library.h"
#include "pkg/err.h"
#include "pkg/key.h"

/* BPMs outside this are typos, not music. */
#define BPM_LO 1.0
#define BPM_HI 999.0

void cs_selopts_init(cs_selopts *o, const char *cmd)
{
    *o = (cs_selopts){ .delta = 2.0, .n_sections = 6, .cmd = cmd };
}

int cs_selopt_cb(const cs_option *opt, char **words, int n)
{
    (void)n;
    cs_selopts *o = opt->value;
    return cs_selopt_handle(o->cmd, (int)opt->lo, words[0], o) < 0 ? -1 : 0;
}

static bool sane_bpm(const char *cmd, const char *opt, double v)
{
    if (v >= BPM_LO && v <= BPM_HI) return true;
    cs_usage_error(cmd, "%s: %g is not a usable BPM (%g..%g)", opt, v, BPM_LO, BPM_HI);
    return false;
}

int cs_selopt_handle(const char *cmd, int opt, const char *arg, cs_selopts *o)
{
    if (opt != CS_OPT_BPM) o->any_but_bpm = true;
    switch (opt) {
    case CS_OPT_BPM:
        if (!cs_opt_double(cmd, "--bpm", arg, &o->bpm) || !sane_bpm(cmd, "--bpm", o->bpm)) return -1;
        o->has_bpm = true;
        return 1;
    case CS_OPT_DELTA:
        if (!cs_opt_double(cmd, "--delta", arg, &o->delta)) return -1;
        if (o->delta < 0 || o->delta > BPM_HI) {
            cs_usage_error(cmd, "--delta: %g must be between 0 and %g", o->delta, BPM_HI);
            return -1;
        }
        o->has_delta = true;
        return 1;
    case CS_OPT_BPM_MIN:
        if (!cs_opt_double(cmd, "--bpm-min", arg, &o->bpm_min) ||
            !sane_bpm(cmd, "--bpm-min", o->bpm_min)) return -1;
        o->has_min = true;
        return 1;
    case CS_OPT_BPM_MAX:
        if (!cs_opt_double(cmd, "--bpm-max", arg, &o->bpm_max) ||
            !sane_bpm(cmd, "--bpm-max", o->bpm_max)) return -1;
        o->has_max = true;
        return 1;
    case CS_OPT_KEY:
        o->keys = arg;
        return 1;
    case CS_OPT_N_SECTIONS:
        return cs_opt_int(cmd, "--n-sections", arg, 1, 1000, &o->n_sections) ? 1 : -1;
    default:
        return 0;
    }
}

int cs_selopt_build(const char *cmd, const cs_selopts *o, cs_selection *sel)
{
    cs_selection_init(sel);
    if (o->has_bpm && (o->has_min || o->has_max)) {
        cs_usage_error(cmd, "--bpm/--delta and --bpm-min/--bpm-max cannot be combined");
        return -1;
    }
    if (o->has_delta && !o->has_bpm) {
        cs_usage_error(cmd, "--delta needs --bpm");
        return -1;
    }
    if (o->has_min && o->has_max && o->bpm_min > o->bpm_max) {
        cs_usage_error(cmd, "--bpm-min %g is above --bpm-max %g", o->bpm_min, o->bpm_max);
        return -1;
    }
    if (o->has_bpm) cs_selection_set_bpm(sel, o->bpm, o->delta);
    sel->has_min = sel->has_min || o->has_min;
    sel->has_max = sel->has_max || o->has_max;
    if (o->has_min) sel->bpm_min = o->bpm_min;
    if (o->has_max) sel->bpm_max = o->bpm_max;
    sel->n_sections = (int)o->n_sections;
    if (o->keys) {
        cs_err e = {0};
        int r = cs_selection_set_keys(sel, o->keys, &e);
        if (r < 0) {
            if (r == CS_ERR_NOMEM) cs_log_error("%s: --key: %s", cmd, e.msg);
            else cs_usage_error(cmd, "--key: %s", e.msg);
            cs_selection_free(sel);
            return r;
        }
        /* A word that is no key in any notation would select nothing and
         * say nothing (issue 12): name it. */
        for (size_t i = 0; i < sel->n_keys; i++) {
            if (sel->key_codes[i] != CS_KEY_UNKNOWN) continue;
            cs_usage_error(cmd, "--key: '%s' is not a key (classic Gm, F#m, Eb; Camelot 6A; "
                           "Open Key 1m)", sel->keys[i]);
            cs_selection_free(sel);
            return -1;
        }
    }
    return 0;
}

int cs_selopt_query(const cs_selopts *so, cs_ctx *ctx, bool all, cs_db **db, cs_lib_track **t,
                    size_t *n, cs_select_stats *st)
{
    *t = NULL;
    *n = 0;
    *db = NULL;
    cs_selection sel;
    int rc = cs_selopt_build(so->cmd, so, &sel);
    if (rc < 0) return rc == CS_ERR_NOMEM ? CS_EXIT_FAIL : CS_EXIT_USAGE;
    cs_err err = {0};
    rc = cs_db_open_readonly(ctx->db_path, db, &err);
    if (rc == 0)
        rc = all ? cs_library_list(*db, &sel, t, n, st, &err)
                 : cs_library_select(*db, &sel, t, n, st, &err);
    cs_selection_free(&sel);
    if (rc == 0) return CS_EXIT_OK;
    cs_log_error("%s: %s", so->cmd, err.msg);
    cs_db_close(*db);
    *db = NULL;
    return CS_EXIT_FAIL;
}
