/* The running order of a ladder set (see order.h). */
#include "pkg/order.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/key.h"

const char *cs_key_rule_name(cs_key_rule r)
{
    switch (r) {
    case CS_KEY_RULE_CAMELOT: return "camelot";
    case CS_KEY_RULE_STRICT: return "strict";
    case CS_KEY_RULE_LOOSE: return "loose";
    case CS_KEY_RULE_OFF: return "off";
    }
    return NULL;
}

/* Steps round the wheel from a to b on the same letter: -6..6. */
static int wheel_step(int a, int b)
{
    int d = (b / 2 - a / 2 + 12) % 12;
    return d > 6 ? d - 12 : d;
}

int cs_order_keys_fit(int a, int b, cs_key_rule r)
{
    if (r == CS_KEY_RULE_OFF) return 1;
    if (a < 0 || b < 0 || a > 23 || b > 23) return -1;
    bool same_letter = (a & 1) == (b & 1);
    int step = wheel_step(a, b);
    if (a == b) return 1;
    if (!same_letter) return step == 0;               /* relative: 8A <-> 8B */
    switch (r) {
    case CS_KEY_RULE_STRICT: return 0;
    case CS_KEY_RULE_CAMELOT: return step == 1 || step == -1;
    case CS_KEY_RULE_LOOSE: return abs(step) <= 2 || step == 5 || step == -5;   /* ±7 == ∓5 on 12 */
    default: return 1;
    }
}

void cs_order_reach(const cs_order_track *t, double budget, double max_dev, double *rlo, double *rhi)
{
    double lo = t->lo, hi = t->hi;
    if (budget > 0) {
        /* Rungs beyond the budget are not played (an export without
         * --max-stretch rendered them): clip to the nearest rung inside. */
        double blo = t->bpm * (1 - budget), bhi = t->bpm * (1 + budget);
        if (lo < blo) lo = blo;
        if (hi > bhi) hi = bhi;
    }
    *rlo = lo * (1 - max_dev);
    *rhi = hi * (1 + max_dev);
}

double cs_order_miss(const cs_order_track *t, double budget, double max_dev, double bpm)
{
    double lo, hi;
    cs_order_reach(t, budget, max_dev, &lo, &hi);
    if (lo > hi) {                                    /* the budget leaves no rung: its own BPM */
        lo = hi = t->bpm;
    }
    if (bpm < lo) return lo - bpm;
    if (bpm > hi) return bpm - hi;
    return 0;
}

static bool known(double x) { return x >= 0 && x <= 1; }

typedef struct rank { double miss; int key, onward; double cost; } rank;

/* How many other unplayed playable tracks fit candidate i's key (*others:
 * whether any is left at all).  A compatible candidate that leads nowhere
 * while others are left (a dead end) ranks after those that lead on, and
 * among those that lead on the one with the fewest onward choices comes
 * first: Warnsdorff's rule for paths (1823), which walks a chain of keys
 * from its end and round a cycle instead of cutting it short. */
static int onward(const cs_order_track *pool, size_t n, const unsigned char *played, int cur, int i,
                  cs_key_rule rule, bool *others)
{
    int c = 0;
    *others = false;
    for (size_t k = 0; k < n; k++) {
        if ((int)k == i || (int)k == cur || !pool[k].playable || (played && played[k])) continue;
        *others = true;
        c += cs_order_keys_fit(pool[i].key, pool[k].key, rule) == 1;
    }
    return c;
}

static rank rank_of(const cs_order_track *pool, size_t n, const unsigned char *played, int i,
                    const cs_order_ask *a)
{
    const cs_order_track *t = &pool[i];
    rank r;
    r.miss = cs_order_miss(t, a->budget, a->max_dev, a->target_bpm);
    /* A miss below 0.05 BPM is a fit (floating point at the reach's edge). */
    if (r.miss < 0.05) r.miss = 0;
    int cur_key = a->current >= 0 ? pool[a->current].key : -1;
    int fit = a->current >= 0 ? cs_order_keys_fit(cur_key, t->key, a->rule) : 1;
    /* Where the current key is unknown, a keyed track still ranks before
     * one without a key. */
    if (a->current >= 0 && cur_key < 0 && a->rule != CS_KEY_RULE_OFF) fit = t->key >= 0 ? 1 : -1;
    if (a->current < 0 && a->rule != CS_KEY_RULE_OFF && t->key < 0) fit = -1;
    /* compatible 0, compatible dead end 1, clash 2, key unknown 3: a track
     * without a key ranks after every keyed one (issue 20), never dropped. */
    r.key = fit == 1 ? 0 : fit < 0 ? 3 : 2;
    r.onward = 0;
    if (a->rule != CS_KEY_RULE_OFF && t->key >= 0) {
        /* After a clash too: the jump lands where a walk can go on. */
        bool others;
        r.onward = onward(pool, n, played, a->current, i, a->rule, &others);
        if (r.key == 0 && others && r.onward == 0) r.key = 1;
    }
    double e = known(a->movement) && known(t->energy) ? fabs(t->energy - a->movement) : 0.5;
    double s = a->budget > 0 ? fabs(a->target_bpm / t->bpm - 1) / a->budget : fabs(a->target_bpm / t->bpm - 1);
    if (s > 1) s = 1;
    r.cost = e + s;
    return r;
}

static bool better(rank x, rank y)
{
    if ((x.miss > 0) != (y.miss > 0)) return x.miss == 0;
    if (x.miss > 0 && fabs(x.miss - y.miss) > 1e-9) return x.miss < y.miss;
    if (x.key != y.key) return x.key < y.key;
    if (x.onward != y.onward) return x.onward < y.onward;
    return x.cost < y.cost - 1e-9;                   /* ties: the lower index (seen first) */
}

static void say(const cs_order_track *pool, size_t n, const unsigned char *played, const cs_order_ask *a,
                int best, rank r, size_t left, char *why, size_t size)
{
    if (!why || !size) return;
    const cs_order_track *t = &pool[best];
    char kc[8], kn[8], keys[96];
    int cur_key = a->current >= 0 ? pool[a->current].key : -1;
    const char *rule = cs_key_rule_name(a->rule);
    if (a->rule == CS_KEY_RULE_OFF) {
        snprintf(keys, sizeof keys, "key rule off");
    } else if (a->current < 0) {
        snprintf(keys, sizeof keys, "first track, key %s", t->key >= 0 ? cs_key_camelot(t->key, kn) : "unknown");
    } else if (cur_key < 0 || t->key < 0) {
        snprintf(keys, sizeof keys, "%s -> %s (key unknown%s)", cur_key >= 0 ? cs_key_camelot(cur_key, kc) : "?",
                 t->key >= 0 ? cs_key_camelot(t->key, kn) : "?", t->key < 0 ? ": ranked after keyed tracks" : "");
    } else if (r.key <= 1) {
        int st = wheel_step(cur_key, t->key);
        cs_key_camelot(cur_key, kc);
        cs_key_camelot(t->key, kn);
        if (cur_key == t->key) snprintf(keys, sizeof keys, "%s -> %s (%s: same key)", kc, kn, rule);
        else if ((cur_key & 1) != (t->key & 1)) snprintf(keys, sizeof keys, "%s -> %s (%s: relative)", kc, kn, rule);
        else snprintf(keys, sizeof keys, "%s -> %s (%s: %+d)", kc, kn, rule, st);
    } else {
        snprintf(keys, sizeof keys, "%s -> %s clashes (%s): no compatible track %s", cs_key_camelot(cur_key, kc),
                 cs_key_camelot(t->key, kn), rule, left > 1 ? "reaches the tempo" : "left");
    }
    double stretch = (a->target_bpm / t->bpm - 1) * 100;
    char tempo[120];
    if (r.miss == 0)
        snprintf(tempo, sizeof tempo, "reaches %.1f BPM (own %.1f, %.1f %% stretch)", a->target_bpm, t->bpm, stretch);
    else
        snprintf(tempo, sizeof tempo, "no track left reaches %.1f BPM: nearest, own %.1f, %.1f BPM short", a->target_bpm,
                 t->bpm, r.miss);
    char energy[64] = "";
    if (known(t->energy) && known(a->movement))
        snprintf(energy, sizeof energy, "; energy %.2f for movement %.2f", t->energy, a->movement);
    (void)n;
    (void)played;
    snprintf(why, size, "%s; %s%s; %zu left this round", keys, tempo, energy, left ? left - 1 : 0);
}

int cs_order_next(const cs_order_track *pool, size_t n, const unsigned char *played,
                  const cs_order_ask *a, char *why, size_t size)
{
    if (why && size) why[0] = 0;
    int best = -1;
    rank br = {0};
    size_t left = 0;
    /* Pass 0: unplayed and not the current; pass 1 (nothing left): any
     * playable one but the current; pass 2: the current (a pool of one). */
    for (int pass = 0; pass < 3 && best < 0; pass++) {
        left = 0;
        for (size_t i = 0; i < n; i++) {
            if (!pool[i].playable) continue;
            bool cur = (int)i == a->current;
            if (pass < 2 && cur) continue;
            if (pass == 2 && !cur) continue;
            if (pass == 0 && played && played[i]) continue;
            left++;
            rank r = rank_of(pool, n, pass == 0 ? played : NULL, (int)i, a);
            if (best < 0 || better(r, br)) {
                best = (int)i;
                br = r;
            }
        }
    }
    /* Tempo fit comes before the round: when no unplayed track reaches the
     * target but one played earlier does, that one repeats (said). */
    bool early = false;
    if (best >= 0 && br.miss > 0 && played) {
        int b2 = -1;
        rank r2 = {0};
        for (size_t i = 0; i < n; i++) {
            if (!pool[i].playable || (int)i == a->current || !played[i]) continue;
            rank r = rank_of(pool, n, NULL, (int)i, a);
            if (r.miss > 0) continue;
            bool take = b2 < 0;
            if (!take && r.key != r2.key) take = r.key < r2.key;
            else if (!take && a->last && a->last[i] != a->last[b2]) take = a->last[i] < a->last[b2];
            else if (!take) take = better(r, r2);
            if (take) {
                b2 = (int)i;
                r2 = r;
            }
        }
        if (b2 >= 0) {
            best = b2;
            br = r2;
            early = true;
        }
    }
    if (best >= 0) say(pool, n, played, a, best, br, left, why, size);
    if (best < 0 && why && size) snprintf(why, size, "no playable track");
    if (early && why && size) {
        size_t len = strlen(why);
        snprintf(why + len, size - len, "; repeats before the round ends: no unplayed track reaches %.1f BPM",
                 a->target_bpm);
    }
    return best;
}

int cs_order_mark(unsigned char *played, size_t n, const cs_order_track *pool, int i)
{
    if (i < 0 || (size_t)i >= n) return 0;
    played[i] = 1;
    for (size_t k = 0; k < n; k++)
        if (pool[k].playable && !played[k]) return 0;
    /* A new round, which i opens: it played last, so it does not come
     * again until every other playable track has. */
    for (size_t k = 0; k < n; k++) played[k] = 0;
    played[i] = 1;
    return 1;
}

int cs_order_pool_from_lset(const cs_lset *set, cs_order_track *pool)
{
    size_t n = set->n;
    for (size_t i = 0; i < n; i++) {
        const cs_lset_track *t = &set->tracks[i];
        cs_order_track *p = &pool[i];
        p->bpm = t->bpm;
        p->lo = p->hi = t->bpm;
        for (size_t k = 0; k < t->n_rungs; k++) {
            if (k == 0 || t->rungs[k].bpm < p->lo) p->lo = t->rungs[k].bpm;
            if (k == 0 || t->rungs[k].bpm > p->hi) p->hi = t->rungs[k].bpm;
        }
        p->key = t->key;
        p->energy = t->energy;
        p->playable = t->n_rungs > 0 && t->bpm > 0;
    }
    size_t known = 0;
    for (size_t i = 0; i < n; i++) known += pool[i].energy >= 0;
    double *rk = calloc(n ? n : 1, sizeof *rk);
    if (!rk) return -1;
    for (size_t i = 0; i < n; i++) {
        double e = set->tracks[i].energy;
        if (!(e >= 0)) continue;
        size_t below = 0, same = 0;
        for (size_t k = 0; k < n; k++) {
            double f = set->tracks[k].energy;
            if (!(f >= 0)) continue;
            below += f < e;
            same += f == e;
        }
        rk[i] = known > 1 ? ((double)below + (double)(same - 1) / 2) / (double)(known - 1) : 0.5;
    }
    for (size_t i = 0; i < n; i++)
        if (pool[i].energy >= 0) pool[i].energy = rk[i];
    free(rk);
    return 0;
}
