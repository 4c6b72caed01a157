/* Planning a set folder's transitions before the gig (see plan_set.h). */
#include "cmd/plan_set.h"
#include "cmd/play_ladder.h"
#include "pkg/key.h"
#include "pkg/order.h"
#include "player/engine/engine.h"
#include "pkg/ladderset.h"
#include "pkg/setfile.h"
#include "pkg/textfile.h"
#include "player/control/bpm_config.h"
#include "player/control/tempo.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STEP 0.01                 /* seconds per tempo step */
/* The live ladder plans with its decision lead: the fade starts no
 * earlier than this after the moment of planning (prepare 0.25 s + 0.05). */
#define PLAN_LEAD_S 0.3

/* The tempo cs play would follow, every STEP seconds. */
typedef struct tempo_track {
    double *bpm;
    size_t n;
} tempo_track;

static int script_events(const char *path, cs_tempo *t, tempo_track *tt, cs_err *err)
{
    size_t len = 0;
    char *text = cs_text_load(path, 64u << 20, &len, err);
    if (!text) return -1;
    /* Lines "SECONDS /address TYPES ARGS" (cs play --osc-script): the
     * movement and tempo messages move the tempo; others do not. */
    typedef struct ev { double at; int kind; double v; } ev;
    ev *evs = NULL;
    size_t ne = 0, cap = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        double at, v;
        char addr[128], types[16];
        if (sscanf(line, "%lf %127s %15s %lf", &at, addr, types, &v) != 4) continue;
        int kind = !strcmp(addr, "/dance/total_movement") ? 0 : !strcmp(addr, "/set_tempo") ? 1
                 : !strcmp(addr, "/cs/bpm") ? 2 : -1;
        if (kind < 0) continue;
        if (ne == cap) {
            cap = cap ? 2 * cap : 64;
            ev *ne2 = realloc(evs, cap * sizeof *ne2);
            if (!ne2) { free(evs); free(text); return cs_err_setc(err, CS_ERR_NOMEM, "out of memory"); }
            evs = ne2;
        }
        evs[ne++] = (ev){ at, kind, v };
    }
    free(text);
    size_t k = 0;
    for (size_t i = 0; i < tt->n; i++) {
        double now = (double)i * STEP;
        for (; k < ne && evs[k].at <= now; k++) {
            if (evs[k].kind == 0) cs_tempo_movement(t, evs[k].v, now);
            else if (evs[k].kind == 1) cs_tempo_jump(t, evs[k].v, now);
            else cs_tempo_set_target(t, evs[k].v, now);
        }
        tt->bpm[i] = cs_tempo_update(t, now);
    }
    free(evs);
    return 0;
}

static int tempo_build(const cs_plan_opts *o, double base, double max_s, tempo_track *tt, cs_err *err)
{
    tt->n = (size_t)(max_s / STEP) + 2;
    if (!(tt->bpm = malloc(tt->n * sizeof *tt->bpm))) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < tt->n; i++) tt->bpm[i] = base;
    if (!o->osc_script) return 0;
    cs_tempo_config cfg = cs_tempo_config_default();
    const char *loaded = NULL;
    cs_err warn = {0};
    if (cs_tempo_config_pick(o->bpm_config, &cfg, &loaded, &warn, err) < 0) return -1;
    cs_tempo t;
    cs_tempo_init(&t, &cfg, base, 0);
    return script_events(o->osc_script, &t, tt, err);
}

/* The time at which a track at `bpm` that is at u0 at time t0 reaches u1. */
static double time_at(const tempo_track *tt, double t0, double u0, double u1, double bpm)
{
    double t = t0, u = u0;
    size_t i = (size_t)(t0 / STEP);
    while (u < u1) {
        double b = tt->bpm[i < tt->n ? i : tt->n - 1];
        double next = (double)(i + 1) * STEP, du = (next - t) * b / bpm;
        if (u + du >= u1) return t + (u1 - u) * bpm / b;
        u += du;
        t = next;
        i++;
    }
    return t;
}

static double bpm_at(const tempo_track *tt, double t)
{
    size_t i = (size_t)(t / STEP);
    return tt->bpm[i < tt->n ? i : tt->n - 1];
}

static int camelot_distance(const char *a, const char *b)
{
    int ka = a ? cs_key_parse(a) : CS_KEY_NONE, kb = b ? cs_key_parse(b) : CS_KEY_NONE;
    if (ka < 0 || kb < 0) return -1;
    int na = ka / 2, nb = kb / 2, d = abs(na - nb);
    if (d > 6) d = 12 - d;
    return d + ((ka & 1) != (kb & 1));
}

/* The player's own gain after a part, dB: its voice volume and master gain
 * (cmd/play_ladder.c's match_loudness). */
static double chain_db(void) { return 20.0 * log10(CS_PLAY_LADDER_VOLUME * CS_MASTER_GAIN); }

/* Each track's loudness as cs play reads it (its rungs' measured LUFS,
 * their mean, and the highest true peak) and the gain cs play applies
 * (cs_lset_gains with the player's chain and ceiling, as
 * cmd/play_ladder.c's match_loudness). */
static void loudness(cs_lset *set, double target, double *lufs, double *tp, double *gain)
{
    for (size_t i = 0; i < set->n; i++) {
        double l, p;
        bool measured = cs_lset_track_loudness(&set->tracks[i], &l, &p) > 0;
        lufs[i] = measured ? l : NAN;
        tp[i] = measured && isfinite(p) ? p : NAN;
    }
    double chain = chain_db();
    cs_lset_gains(set, target, chain, CS_PLAY_TRUE_PEAK_CEILING + CS_PLAY_LIMITER_RANGE);
    /* What the listener gets: the gain plus the voice and master levels
     * (solo_loudness below puts in each track's gain for its solo). */
    for (size_t i = 0; i < set->n; i++) gain[i] = set->tracks[i].gain_db + chain;
}

/* Track i plays alone from in_end_u: its loudness there and the gain cs
 * play gives it for that (cs_lset_solo_gain, as player/set/ladder.c). */
static void solo_loudness(const cs_lset *set, size_t i, double in_end_u, double *lufs, double *gain)
{
    double l, g = cs_lset_solo_gain(&set->tracks[i], in_end_u, &l, NULL);
    if (isfinite(l)) lufs[i] = l;
    gain[i] = g + chain_db();
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int cs_plan_set(const char *dir, const cs_plan_opts *o, cs_set_plan *sp, cs_err *err)
{
    memset(sp, 0, sizeof *sp);
    cs_setfile m;
    if (cs_setfile_read(dir, &m, err) < 0) return -1;
    cs_lset set = {0};
    if (cs_setfile_to_lset(dir, &m, &set, err) < 0) {
        cs_setfile_free(&m);
        cs_lset_free(&set);
        return -1;
    }
    double base = o->bpm > 0 ? o->bpm : 120;   /* cs play's start tempo */
    if (cs_lset_probe(&set) == 0) {
        char why[512];
        cs_err_set(err, "%s: nothing to play: %s", dir, cs_lset_why(&set, why, sizeof why));
        cs_setfile_free(&m);
        cs_lset_free(&set);
        return -1;
    }
    size_t n = set.n;
    sp->n_tracks = n;
    sp->names = calloc(n, sizeof *sp->names);
    sp->keys = calloc(n, sizeof *sp->keys);
    sp->lufs = calloc(n, sizeof *sp->lufs);
    sp->tp = calloc(n, sizeof *sp->tp);
    sp->gain_db = calloc(n, sizeof *sp->gain_db);
    sp->why = calloc(n, sizeof *sp->why);
    sp->rows = calloc(n ? n : 1, sizeof *sp->rows);
    tempo_track tt = {0};
    double total_u = 0;
    for (size_t i = 0; i < n; i++) total_u += set.tracks[i].end_u * set.tracks[i].bpm;
    int rc = -1;
    cs_order_track *pool = calloc(n, sizeof *pool);
    unsigned char *played = calloc(n, 1);
    unsigned long *last = calloc(n, sizeof *last);
    int *seq = calloc(n, sizeof *seq);
    if (!sp->names || !sp->keys || !sp->lufs || !sp->tp || !sp->gain_db || !sp->why || !sp->rows || !pool ||
        !played || !last || !seq || cs_order_pool_from_lset(&set, pool) < 0) {
        cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Time enough for the whole set at a third of the base tempo. */
    if (tempo_build(o, base, 3 * total_u / base + 60, &tt, err) < 0) goto out;
    for (size_t i = 0; i < n; i++) {
        sp->names[i] = dup_or_null(set.tracks[i].name);
        for (size_t j = 0; j < m.n; j++)
            if (!strcmp(m.tracks[j].path, set.tracks[i].path)) sp->keys[i] = dup_or_null(m.tracks[j].key);
    }
    loudness(&set, o->loudness_target, sp->lufs, sp->tp, sp->gain_db);
    sp->first_bpm = bpm_at(&tt, 0);
    /* The running order, chosen as the live ladder chooses it (pkg/order.h,
     * the same pool): the first track for the start tempo, each next one
     * for the tempo when its transition is planned; one round (no track
     * twice).  Without auto, the set's own order. */
    bool order_auto = o->order == CS_PLAY_ORDER_AUTO || (o->order < 0 && !m.playlist);
    char why[400];
    cs_order_ask ask = { .current = -1, .target_bpm = sp->first_bpm, .movement = -1, .budget = o->max_stretch,
                         .max_dev = 0.02, .rule = (cs_key_rule)o->key_rule, .last = last };
    unsigned long starts = 0;
    seq[0] = 0;
    if (order_auto) {
        int f = cs_order_next(pool, n, played, &ask, why, sizeof why);
        seq[0] = f >= 0 ? f : 0;
        sp->why[seq[0]] = dup_or_null(why);
    }
    last[seq[0]] = ++starts;
    cs_order_mark(played, n, pool, seq[0]);
    /* Track 0 starts at its first beat at time 0; each change as the live
     * ladder plans it: right after the previous fade, no earlier than its
     * end (solo_u) and the decision lead. */
    const cs_lset_track *cur = &set.tracks[seq[0]];
    double u_start = 0, t_start = 0, solo_u = 0;
    for (size_t k = 0; k < cur->beats.n; k++)
        if (cur->beats.v[k] >= 0) { u_start = cur->beats.v[k]; break; }
    solo_loudness(&set, (size_t)seq[0], u_start, sp->lufs, sp->gain_db);
    double end_u = cs_lset_part_end_u(cur);
    for (size_t i = 0; i + 1 < n; i++) {
        double plan_u = solo_u > u_start ? solo_u : u_start;
        double t_plan = time_at(&tt, t_start, u_start, plan_u, cur->bpm);
        seq[i + 1] = (int)i + 1;
        if (order_auto) {
            ask.current = seq[i];
            ask.target_bpm = bpm_at(&tt, t_plan);
            int nxi = cs_order_next(pool, n, played, &ask, why, sizeof why);
            if (nxi < 0 || played[nxi]) break;   /* nothing playable left this round */
            seq[i + 1] = nxi;
            sp->why[nxi] = dup_or_null(why);
        }
        last[seq[i + 1]] = ++starts;
        cs_order_mark(played, n, pool, seq[i + 1]);
        const cs_lset_track *nx = &set.tracks[seq[i + 1]];
        double earliest = plan_u + PLAN_LEAD_S * bpm_at(&tt, t_plan) / cur->bpm;
        cs_plan_row *r = &sp->rows[sp->n++];
        r->from = seq[i];
        r->to = seq[i + 1];
        cs_transition_plan_lset(cur, end_u, nx, earliest, false, o->fade_bars, !o->plain_fade, 4, &r->p);
        r->at_s = time_at(&tt, t_start, u_start, r->p.out_u0, cur->bpm);
        double t_end = time_at(&tt, r->at_s, r->p.out_u0, r->p.out_u1, cur->bpm);
        r->fade_s = t_end - r->at_s;
        r->bpm = bpm_at(&tt, r->at_s);
        double best = INFINITY;
        for (size_t k = 0; k < nx->n_rungs; k++)
            if (fabs(nx->rungs[k].bpm - r->bpm) < best) {
                best = fabs(nx->rungs[k].bpm - r->bpm);
                r->rung = nx->rungs[k].bpm;
            }
        r->rate = r->rung > 0 ? r->bpm / r->rung : 0;
        r->key_dist = camelot_distance(sp->keys[seq[i]], sp->keys[seq[i + 1]]);
        r->key_clash = r->key_dist >= 2;
        /* The incoming track from here. */
        if (i > 0) sp->rows[i - 1].solo_s = r->at_s - sp->rows[i - 1].at_s - sp->rows[i - 1].fade_s;
        solo_loudness(&set, (size_t)seq[i + 1], r->p.in_u1, sp->lufs, sp->gain_db);
        cur = nx;
        u_start = r->p.in_u0;
        t_start = r->at_s;
        solo_u = r->p.in_u1;
        end_u = cs_lset_part_end_u(cur);
    }
    double t_last_end = time_at(&tt, t_start, u_start, end_u, cur->bpm);
    if (sp->n) {
        cs_plan_row *l = &sp->rows[sp->n - 1];
        l->solo_s = t_last_end - l->at_s - l->fade_s;
    }
    sp->total_s = t_last_end;
    rc = 0;
out:
    free(pool);
    free(played);
    free(last);
    free(seq);
    free(tt.bpm);
    cs_setfile_free(&m);
    cs_lset_free(&set);
    if (rc < 0) cs_set_plan_free(sp);
    return rc;
}

char *cs_plan_row_warnings(const cs_set_plan *sp, const cs_plan_row *r, char *buf, size_t size)
{
    (void)sp;
    cs_transition_warn_text(r->p.warn, buf, size);
    if (r->key_clash) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%skey clash (Camelot distance %d)", used ? "; " : "", r->key_dist);
    }
    return buf;
}

size_t cs_plan_print_warnings(FILE *f, const cs_set_plan *sp)
{
    size_t n = 0;
    if (sp->n_tracks == 1) fprintf(f, "note: a set of one track: no transition to plan\n");
    for (size_t i = 0; i < sp->n; i++) {
        char w[400];
        cs_plan_row_warnings(sp, &sp->rows[i], w, sizeof w);
        if (!w[0]) continue;
        fprintf(f, "warning: transition %s -> %s: %s\n", sp->names[sp->rows[i].from], sp->names[sp->rows[i].to], w);
        n++;
    }
    return n;
}

void cs_set_plan_free(cs_set_plan *sp)
{
    for (size_t i = 0; i < sp->n_tracks; i++) {
        if (sp->names) free(sp->names[i]);
        if (sp->keys) free(sp->keys[i]);
        if (sp->why) free(sp->why[i]);
    }
    free(sp->why);
    free(sp->gain_db);
    free(sp->names);
    free(sp->keys);
    free(sp->lufs);
    free(sp->tp);
    free(sp->rows);
    memset(sp, 0, sizeof *sp);
}
