/* The running order of a ladder set (see ladder_int.h): the set's own order,
 * or chosen at each transition by pkg/order.h from the tracks' reach, key
 * and energy, the target BPM and the movement.  Control thread only. */
#include "player/set/ladder_int.h"

#include "pkg/key.h"
#include "pkg/order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ladder_order {
    cs_order_track *pool;         /* [set.n] */
    unsigned char *played;        /* [set.n]: played this round */
    bool started;                 /* the first track was chosen */
    bool ended;                   /* a round completed without --loop-set: the set ends */
    bool handing;                 /* the target left the current track's reach: handover moved */
    bool excursion;               /* no track reaches the target: said */
    char note[192];               /* that excursion for the status ("": none) */
    double chose_target, chose_move;   /* what the pending choice was made for */
    int marked;                   /* the track last marked played (-1: none) */
    unsigned long *last, starts;  /* [set.n] when each track last started (starts counts) */
    int extended, shortened;      /* --extend-phrases: this track's repeats / early handover */
    bool jump_pending;            /* a phrase repeat waits for its beat */
};

#define PHRASE_BEATS 32                   /* 8 bars of 4: the phrase repeated or cut */

/* Movement in 0..1 as the tempo map reads it (player/control/tempo.h:
 * values > 1 divided by movement_max_value, clamped), < 0: none yet. */
static double move_norm(const cs_ladder *l)
{
    if (l->movement < 0) return -1;
    cs_tempo_config d = cs_tempo_config_default();
    return cs_tempo_normalize(l->o.tempo ? l->o.tempo : &d, l->movement);
}

/* The movement bands of --extend-phrases: top where the tempo map gives its
 * highest target (movement >= progressive_top, 0.60 by default), bottom
 * where it gives its lowest (below thresholds.very_very_low, 0.02). */
static int band(const cs_ladder *l)
{
    cs_tempo_config d = cs_tempo_config_default();
    const cs_tempo_config *t = l->o.tempo ? l->o.tempo : &d;
    double m = move_norm(l);
    if (m < 0) return 0;
    if (m >= t->progressive_top) return 1;
    return m < t->th_very_very_low ? -1 : 0;
}

/* Movement for the energy ranking: 0 at the lowest target, 1 from
 * progressive_top on (where the tempo map tops out). */
static double move_energy(const cs_ladder *l)
{
    cs_tempo_config d = cs_tempo_config_default();
    const cs_tempo_config *t = l->o.tempo ? l->o.tempo : &d;
    double m = move_norm(l);
    if (m < 0 || !(t->progressive_top > 0)) return m;
    return m >= t->progressive_top ? 1 : m / t->progressive_top;
}

int ladder_order_new(cs_ladder *l)
{
    struct ladder_order *o = calloc(1, sizeof *o);
    if (!o) return -1;
    l->ord = o;
    size_t n = l->set.n ? l->set.n : 1;
    o->pool = calloc(n, sizeof *o->pool);
    o->played = calloc(n, 1);
    o->last = calloc(n, sizeof *o->last);
    if (!o->pool || !o->played || !o->last) return -1;
    if (cs_order_pool_from_lset(&l->set, o->pool) < 0) return -1;
    o->chose_target = -1;
    o->marked = -1;
    return 0;
}

void ladder_order_free(cs_ladder *l)
{
    if (!l->ord) return;
    free(l->ord->pool);
    free(l->ord->played);
    free(l->ord->last);
    free(l->ord);
    l->ord = NULL;
}

static cs_order_ask ask(const cs_ladder *l, int current)
{
    double target = l->target > 0 ? l->target : l->bpm > 0 ? l->bpm : l->eff;
    return (cs_order_ask){ .current = current, .target_bpm = target, .movement = move_energy(l),
                           .budget = l->o.max_stretch, .max_dev = l->o.max_dev, .rule = (cs_key_rule)l->o.key_rule,
                           .last = l->ord->last };
}

/* The auto choice after `current` without marking anything; logs it when
 * `log` (the why). */
static int choose(cs_ladder *l, int current, bool log)
{
    struct ladder_order *o = l->ord;
    char why[400];
    cs_order_ask a = ask(l, current);
    int nx = cs_order_next(o->pool, l->set.n, o->played, &a, why, sizeof why);
    o->chose_target = a.target_bpm;
    o->chose_move = a.movement;
    if (log && nx >= 0) cs_log_info("order: %s next: %s", l->set.tracks[nx].name, why);
    return nx;
}

int ladder_order_next(cs_ladder *l, int current)
{
    struct ladder_order *o = l->ord;
    if (!l->o.order_auto) {
        if (current + 1 < (int)l->set.n) return current + 1;
        return l->o.loop ? 0 : -1;
    }
    if (current < 0) {
        o->started = true;
        return choose(l, -1, true);
    }
    if (o->marked != current) o->last[current] = ++o->starts;
    if (o->marked != current && cs_order_mark(o->played, l->set.n, o->pool, current)) {
        if (!l->o.loop) {
            o->ended = true;
            cs_log_info("order: every playable track has played once; the set ends after %s (--loop-set: a new round)",
                        l->set.tracks[current].name);
            return -1;
        }
        cs_log_info("order: every playable track has played; a new round");
    }
    o->marked = current;
    o->extended = o->shortened = 0;
    o->jump_pending = false;
    if (o->ended) return -1;
    o->handing = false;
    return choose(l, current, true);
}

int ladder_order_first(cs_ladder *l)
{
    if (!l->o.order_auto || l->ord->started) return l->next;
    return ladder_order_next(l, -1);
}

void ladder_order_failed(cs_ladder *l, int i)
{
    if (i >= 0 && (size_t)i < l->set.n) l->ord->pool[i].playable = false;
}

void ladder_order_reach(cs_ladder *l)
{
    struct ladder_order *o = l->ord;
    if (!l->o.order_auto || l->cur < 0 || l->next < 0 || o->ended) return;
    int c = l->deck[l->cur].track;
    if (c < 0) return;
    cs_order_ask a = ask(l, c);
    double miss = cs_order_miss(&o->pool[c], a.budget, a.max_dev, a.target_bpm);
    if (miss < 0.05) {
        o->handing = o->excursion = false;
        o->note[0] = 0;
        /* The crowd moved since the pending choice: choose again (the plan
         * follows), unless a handover is already on its way. */
        if (!l->forced && (fabs(a.target_bpm - o->chose_target) > 0.5 ||
                           (a.movement >= 0 && fabs(a.movement - o->chose_move) > 0.1))) {
            int nx = choose(l, c, false);
            if (nx >= 0 && nx != l->next) {
                choose(l, c, true);
                l->next = nx;
                l->h_u = -1;
            }
        }
        return;
    }
    if (o->handing || l->forced) return;
    char why[400];
    int nx = cs_order_next(o->pool, l->set.n, o->played, &a, why, sizeof why);
    double lo, hi;
    cs_order_reach(&o->pool[c], a.budget, a.max_dev, &lo, &hi);
    double nmiss = nx >= 0 ? cs_order_miss(&o->pool[nx], a.budget, a.max_dev, a.target_bpm) : INFINITY;
    if (nx >= 0 && nx != c && nmiss < miss - 0.5) {
        cs_log_info("order: %.1f BPM leaves the reach of %s (%.1f..%.1f BPM); %s comes in at the next phrase: %s",
                    a.target_bpm, l->set.tracks[c].name, lo, hi, l->set.tracks[nx].name, why);
        o->handing = true;
        l->next = nx;
        l->forced = true;
        l->h_u = -1;
        return;
    }
    if (!o->excursion) {
        o->excursion = true;
        snprintf(o->note, sizeof o->note, "no track reaches %.1f BPM; %s plays on at its nearest rung (reach %.1f..%.1f BPM)",
                 a.target_bpm, l->set.tracks[c].name, lo, hi);
        cs_log_warn("order: %s", o->note);
    }
}

bool ladder_order_extend(cs_ladder *l, ldeck *c, uint64_t now)
{
    struct ladder_order *o = l->ord;
    int n = l->o.extend_phrases;
    if (n <= 0 || c->track < 0) return false;
    if (o->jump_pending) {
        if (c->sw != SW_NONE) return true;        /* not done yet: hold the next track */
        o->jump_pending = false;
        l->h_u = -1;                              /* plan again from where the deck is now */
        return true;
    }
    int b = band(l);
    if (l->forced || l->h_u < 0 || b == 0) return false;
    const cs_lset_track *tr = &l->set.tracks[c->track];
    double u = ladder_deck_u(l, c, now), phrase = PHRASE_BEATS * 60.0 / tr->bpm;
    double prep = (l->o.prepare_s + 1.0) * l->eff / tr->bpm;
    if (b > 0 && o->extended < n && u >= l->h_u - prep && u < l->h_u) {
        /* Play the phrase that ends on the handover beat once more. */
        double from = l->h_u, to = l->h_u - phrase;
        if (to < 0 || ladder_deck_jump(l, c, from, to) < 0) return false;
        o->extended++;
        o->jump_pending = true;
        cs_log_info("movement %.2f in its top band: %s repeats its phrase %.3f..%.3f s (%d of %d)", l->movement,
                    tr->name, to, from, o->extended, n);
        return true;
    }
    if (b < 0 && !o->shortened && u >= l->h_u - n * phrase - prep && u < l->h_u - phrase) {
        o->shortened = 1;
        l->forced = true;                         /* the next phrase, as /cs/next does */
        l->h_u = -1;
        cs_log_info("movement %.2f in its bottom band: %s hands over at the next phrase (up to %d phrases early)",
                    l->movement, tr->name, n);
    }
    return false;
}

void ladder_order_rungs(const cs_ladder *l, int i, unsigned char *bad)
{
    if (!(l->o.max_stretch > 0)) return;
    const cs_lset_track *t = &l->set.tracks[i];
    for (size_t k = 0; k < t->n_rungs; k++)
        if (fabs(t->rungs[k].bpm / t->bpm - 1) > l->o.max_stretch + 1e-6) bad[k] = 1;
}

const char *ladder_order_note(const cs_ladder *l)
{
    return l->ord && l->ord->note[0] ? l->ord->note : NULL;
}
