/* cs plan: a set folder's transitions before the gig, from the same planner
 * the live ladder uses (cmd/plan_set.h). */
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/plan_set.h"
#include "pkg/order.h"
#include "cmd/play_ladder.h"
#include "pkg/names.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const cs_optdef def = {
    "plan",
    "usage: cs plan --set DIR [--bpm B] [--osc-script F [--bpm-config F]] [--fade-bars N]\n"
    "               [--transition bass-swap|fade] [--order auto|csv|playlist] [--key-rule R]\n"
    "               [--max-stretch PCT] [--loudness-target LUFS] [--format text|json]\n",
    "Plans every transition of a set folder (cs export --set DIR) as `cs play --set\n"
    "DIR` will play it, with the same planner and running-order chooser: one row\n"
    "per track change, in the order cs play chooses: from ->\n"
    "to; where (time, bar and phrase of the outgoing track); the fade in bars and\n"
    "seconds; how long the incoming track then plays alone; the key relation\n"
    "(Camelot distance); the rung and play rate (stretch); the loudness before and\n"
    "after gain when set.json has it; then warnings (no phrase within reach, fade\n"
    "shortened, key clash, part too short), why the order chose the track, and\n"
    "the set's total duration.  The tempo starts at --bpm (120, as cs play) and\n"
    "follows an --osc-script's movement and /set_tempo lines as cs play --render\n"
    "would.\n",
    "exit status: 0 ok, 1 the set cannot be read or has nothing to play, 2 bad usage.\n",
};

static const cs_name formats[] = { { "text", 0, 0 }, { "json", 1, 0 }, { 0 } };

typedef struct opts {
    const char *set, *script, *bpm_config;
    double bpm, target, max_stretch;
    long fade_bars;
    int transition, json, order, key_rule;
} opts;

static void clock_str(double s, char *buf, size_t n)
{
    if (!(s >= 0)) s = 0;
    snprintf(buf, n, "%d:%04.1f", (int)(s / 60), fmod(s, 60));
}

static void print_text(const opts *o, const cs_set_plan *sp)
{
    printf("set %s: %zu tracks, %zu transitions, %s, starting at %.1f BPM\n", o->set, sp->n_tracks, sp->n,
           o->transition == CS_PLAY_FADE ? "equal-power fades" : "bass swaps", sp->first_bpm);
    for (size_t i = 0; i < sp->n; i++) {
        const cs_plan_row *r = &sp->rows[i];
        const cs_tplan *p = &r->p;
        char at[32], w[400], kb[64] = "key ?";
        clock_str(r->at_s, at, sizeof at);
        const char *ka = sp->keys[r->from], *kt = sp->keys[r->to];
        if (ka && kt && r->key_dist >= 0) snprintf(kb, sizeof kb, "key %s -> %s (Camelot %d)", ka, kt, r->key_dist);
        printf("%2zu  %s -> %s\n    at %s (%.1f BPM): bar %ld, phrase %ld of %s%s; fade %d bars (%.1f s)%s; "
               "%s alone %.1f s\n    %s; stretch: rung %g x%.3f",
               i + 1, sp->names[r->from], sp->names[r->to], at, r->bpm, p->out_bar + 1, p->out_phrase + 1,
               sp->names[r->from], p->phrase_aligned ? "" : " (off phrase)", p->bars, r->fade_s,
               p->swap_out_u >= 0 ? ", bass swap mid-fade" : "", sp->names[r->to], r->solo_s, kb, r->rung,
               r->rate);
        double la = sp->lufs[r->from], lb = sp->lufs[r->to];
        if (isfinite(la) || isfinite(lb))
            printf("; loudness %.1f -> %.1f LUFS, after gain %.1f -> %.1f", la, lb,
                   la + sp->gain_db[r->from], lb + sp->gain_db[r->to]);
        putchar('\n');
        cs_plan_row_warnings(sp, r, w, sizeof w);
        if (w[0]) printf("    warning: %s\n", w);
        if (sp->why[r->to]) printf("    order: %s\n", sp->why[r->to]);
    }
    if (sp->n_tracks == 1) printf("a set of one track: no transition\n");
    char tot[32];
    clock_str(sp->total_s, tot, sizeof tot);
    printf("total %s (%.1f s)\n", tot, sp->total_s);
}

static int print_json(const opts *o, const cs_set_plan *sp)
{
    cJSON *root = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(root, "transitions");
    cJSON_AddStringToObject(root, "set", o->set);
    cJSON_AddNumberToObject(root, "tracks", (double)sp->n_tracks);
    cJSON_AddNumberToObject(root, "total_s", sp->total_s);
    for (size_t i = 0; rows && i < sp->n; i++) {
        const cs_plan_row *r = &sp->rows[i];
        cJSON *x = cJSON_CreateObject();
        if (!x) break;
        cJSON_AddItemToArray(rows, x);
        cJSON_AddStringToObject(x, "from", sp->names[r->from]);
        cJSON_AddStringToObject(x, "to", sp->names[r->to]);
        cJSON_AddNumberToObject(x, "at_s", r->at_s);
        cJSON_AddNumberToObject(x, "bpm", r->bpm);
        cJSON_AddNumberToObject(x, "bar", (double)r->p.out_bar + 1);
        cJSON_AddNumberToObject(x, "phrase", (double)r->p.out_phrase + 1);
        cJSON_AddBoolToObject(x, "phrase_aligned", r->p.phrase_aligned);
        cJSON_AddNumberToObject(x, "fade_bars", r->p.bars);
        cJSON_AddNumberToObject(x, "fade_s", r->fade_s);
        cJSON_AddNumberToObject(x, "solo_s", r->solo_s);
        cJSON_AddBoolToObject(x, "bass_swap", r->p.swap_out_u >= 0);
        if (r->key_dist >= 0) cJSON_AddNumberToObject(x, "camelot_distance", r->key_dist);
        cJSON_AddNumberToObject(x, "rung", r->rung);
        cJSON_AddNumberToObject(x, "rate", r->rate);
        if (isfinite(sp->lufs[r->from])) cJSON_AddNumberToObject(x, "loudness_from_lufs", sp->lufs[r->from]);
        if (isfinite(sp->lufs[r->to])) cJSON_AddNumberToObject(x, "loudness_to_lufs", sp->lufs[r->to]);
        char w[400];
        cs_plan_row_warnings(sp, r, w, sizeof w);
        cJSON_AddStringToObject(x, "warnings", w);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text) {
        cs_log_error("plan: out of memory");
        return CS_EXIT_FAIL;
    }
    printf("%s\n", text);
    free(text);
    return CS_EXIT_OK;
}

int cmd_plan(int argc, char **argv, cs_ctx *ctx)
{
    opts o = { .target = -14, .order = -1, .key_rule = CS_KEY_RULE_CAMELOT, .max_stretch = 8 };
    const cs_option table[] = {
        OPT_STRING(0, "set", &o.set, "DIR", "the set folder (cs export --set DIR)"),
        OPT_DOUBLE(0, "bpm", &o.bpm, "B", "start tempo, as cs play --bpm (default 120); with\n"
                   "--osc-script the script moves it from there"),
        OPT_STRING(0, "osc-script", &o.script, "FILE",
                   "the tempo follows this script's movement and /set_tempo\n"
                   "lines (as cs play --render --osc-script FILE)"),
        OPT_STRING(0, "bpm-config", &o.bpm_config, "FILE", "movement->BPM config for --osc-script"),
        OPT_INT(0, "fade-bars", &o.fade_bars, "N", 1, 256, "as cs play --fade-bars"),
        OPT_ENUM(0, "transition", &o.transition, cs_play_transition_names, "as cs play --transition"),
        OPT_ENUM(0, "order", &o.order, cs_play_order_names,
                 "as cs play --order: auto (default unless the set was\n"
                 "exported with --playlist), csv (the set's order), playlist"),
        OPT_ENUM(0, "key-rule", &o.key_rule, cs_play_key_rule_names, "as cs play --key-rule (camelot)"),
        OPT_DOUBLE(0, "max-stretch", &o.max_stretch, "PCT", "as cs play --max-stretch (8)"),
        OPT_DOUBLE(0, "loudness-target", &o.target, "LUFS", "the gain's target for the loudness column (-14)"),
        OPT_ENUM(0, "format", &o.json, formats, "text (default) or json"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, table, argc, argv, ctx, 0);
    if (n < 0) return cs_opt_exit(n);
    if (n > 0) return cs_usage_error("plan", "unexpected argument '%s'", argv[0]);
    if (!o.set) return cs_usage_error("plan", "--set DIR is required");
    if (o.bpm && !(o.bpm >= 20 && o.bpm <= 300)) return cs_usage_error("plan", "--bpm must be within 20..300");
    if (o.max_stretch < 0 || !(o.max_stretch > 0 && o.max_stretch <= 100))
        return cs_usage_error("plan", "--max-stretch %g: a percentage above 0, at most 100", o.max_stretch);
    cs_plan_opts po = { .bpm = o.bpm, .osc_script = o.script, .bpm_config = o.bpm_config,
                        .fade_bars = (int)o.fade_bars, .plain_fade = o.transition == CS_PLAY_FADE,
                        .loudness_target = o.target, .key_rule = o.key_rule, .max_stretch = o.max_stretch / 100,
                        .order = o.order };
    cs_set_plan sp;
    cs_err err = {0};
    if (cs_plan_set(o.set, &po, &sp, &err) < 0) {
        cs_log_error("plan: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    int rc = CS_EXIT_OK;
    if (o.json) rc = print_json(&o, &sp);
    else print_text(&o, &sp);
    cs_set_plan_free(&sp);
    return rc;
}
