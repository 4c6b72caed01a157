/* Ladder-set transitions (see ladder.h): the plan from pkg/transition.h, the
 * crossfade through the decks' levels and the bass swap through the decks'
 * EQ.  Control thread only.
 *
 * Bass swap: the engine's cut-only 3-band EQ (player/engine/eq.c) splits at
 * 200 Hz (low/mid) and 2 kHz (mid/high), where DJ mixers' EQs and isolators
 * put their crossovers (low/mid around 200-300 Hz): the band below holds the
 * kick's body and the bassline, the one above the rest of the mix.  The
 * incoming deck starts with its low band at 0; on the planned downbeat both
 * low gains flip at the same sample, and the EQ's 50 ms gain smoothing makes
 * the flip a click-free ~150 ms pass (well within one beat): at most one
 * beat with both basslines at full level. */
#include "player/set/ladder_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void warn_plan(cs_ladder *l, const cs_lset_track *out, const cs_lset_track *in)
{
    unsigned w = l->plan.warn;
    /* A grid without downbeats is said once per track, not per plan. */
    int io = (int)(out - l->set.tracks), ii = (int)(in - l->set.tracks);
    if ((w & CS_TW_OUT_NO_DOWNBEATS) && !l->told[io]) {
        l->told[io] = 1;
        cs_log_warn("%s: its beat grid has no downbeats; bars count from its first beat", out->name);
    }
    if ((w & CS_TW_IN_NO_DOWNBEATS) && !l->told[ii]) {
        l->told[ii] = 1;
        cs_log_warn("%s: its beat grid has no downbeats; bars count from its first beat", in->name);
    }
    w &= ~(unsigned)(CS_TW_OUT_NO_DOWNBEATS | CS_TW_IN_NO_DOWNBEATS);
    /* --fade-bars longer than the parts allow: said once for the set, not
     * at every change. */
    if ((w & CS_TW_SHORTENED) && l->o.fade_bars > 0 && l->plan.bars_asked == l->o.fade_bars) {
        if (!l->said_long)
            cs_log_warn("--fade-bars %d is longer than the parts allow: fades shortened (%s -> %s: %d bars; "
                        "said once)", l->o.fade_bars, out->name, in->name, l->plan.bars);
        l->said_long = true;
        w &= ~(unsigned)CS_TW_SHORTENED;
    }
    if (!w) return;
    char why[200];
    cs_log_warn("transition %s -> %s: %s (fade %d of %d bars)", out->name, in->name,
                cs_transition_warn_text(w, why, sizeof why), l->plan.bars, l->plan.bars_asked);
}

void ladder_plan(cs_ladder *l, uint64_t tc)
{
    ldeck *d = &l->deck[l->cur];
    const cs_lset_track *tr = &l->set.tracks[d->track], *nx = &l->set.tracks[l->next];
    double umin = ladder_deck_u(l, d, tc) + (l->o.prepare_s + 0.05) * l->eff / tr->bpm;
    if (umin < l->solo_u) umin = l->solo_u;
    cs_transition_plan_lset(tr, d->end_u, nx, umin, l->forced, l->o.fade_bars, !l->o.plain_fade, l->o.meter,
                            &l->plan);
    l->h_u = l->plan.out_u0;
    warn_plan(l, tr, nx);
    snprintf(l->xf_desc, sizeof l->xf_desc, "%s -> %s: bar %ld, fade %d bars%s", tr->name, nx->name,
             l->plan.out_bar + 1, l->plan.bars, l->plan.swap_out_u >= 0 ? ", bass swap" : "");
}

void ladder_xfade_start(cs_ladder *l, int to, uint64_t t)
{
    ldeck *out = &l->deck[l->cur];
    const cs_lset_track *otr = &l->set.tracks[out->track];
    l->xf_from = l->cur;
    l->xf_to = to;
    l->xf_u0 = l->plan.out_u0;
    l->xf_u1 = l->plan.out_u1 < out->end_u ? l->plan.out_u1 : out->end_u;
    /* A cut (a part too short for a bar): 20 ms so it does not click. */
    if (l->xf_u1 < l->xf_u0 + 0.02) l->xf_u1 = fmin(out->end_u, l->xf_u0 + 0.02);
    double secs = (l->xf_u1 - l->xf_u0) * otr->bpm / l->eff;
    l->xf_n = (int)(secs / 0.05);
    if (l->xf_n < 8) l->xf_n = 8;
    if (l->xf_n > 64) l->xf_n = 64;
    l->xf_k = 0;
    l->xf_t = t;
    l->swap_sent = l->plan.swap_out_u < 0;
    l->swap_t = 0;
    out->end_u = l->xf_u1;
    l->solo_u = l->plan.in_u1;     /* the incoming deck's own fade-out starts no earlier */
    if (!l->swap_sent) {
        uint64_t ts = ladder_deck_time_at(l, out, l->plan.swap_out_u);
        l->swap_t = ts < t ? t : ts;
    }
    snprintf(l->xf_desc, sizeof l->xf_desc, "%s -> %s: bar %ld, fade %d bars (%.1f s)%s", otr->name,
             l->set.tracks[l->deck[to].track].name, l->plan.out_bar + 1, l->plan.bars, secs,
             l->swap_sent ? "" : ", bass swap");
}

bool ladder_xfade_run(cs_ladder *l, uint64_t now, uint64_t tc)
{
    ldeck *out = &l->deck[l->xf_from];
    if (!l->swap_sent) {
        /* Re-read from the position model: a tempo glide moves it. */
        uint64_t ts = ladder_deck_time_at(l, out, l->plan.swap_out_u);
        if (ts < l->xf_t && l->xf_k == 0) ts = l->xf_t;
        if (ts <= tc + XF_AHEAD) {
            if (ts < tc) ts = tc;
            ladder_cmd_eq(&l->cmds, l->xf_from, CS_EQ_LOW, 0.0, ts);
            ladder_cmd_eq(&l->cmds, l->xf_to, CS_EQ_LOW, 1.0, ts);
            l->swap_sent = true;
            l->swap_t = ts;
            if (l->nswaps < LADDER_MAX_SWAPS) l->swaps[l->nswaps++] = (double)ts / CS_RATE;
            cs_log_info("bass swap at %.3f s: %s -> %s (bar %ld of the fade's %d)", (double)ts / CS_RATE,
                        l->set.tracks[out->track].name, l->set.tracks[l->deck[l->xf_to].track].name,
                        (long)lround((l->plan.swap_out_u - l->plan.out_u0) * l->set.tracks[out->track].bpm /
                                     60.0 / l->plan.out_meter) + 1,
                        l->plan.bars);
        }
    }
    while (l->xf_k < l->xf_n && l->xf_t <= tc + XF_AHEAD) {
        double x = (double)(l->xf_k + 1) / l->xf_n, go, gi, lo, li;
        double u = l->xf_u0 + x * (l->xf_u1 - l->xf_u0);
        uint64_t t1 = ladder_deck_time_at(l, out, u);
        if (t1 <= l->xf_t) t1 = l->xf_t + 1;
        cs_tplan p = l->plan;                        /* the gains over what the deck really fades */
        p.out_u0 = l->xf_u0;
        p.out_u1 = l->xf_u1;
        cs_transition_gains(&p, u, &go, &gi, &lo, &li);
        double secs = (double)(t1 - l->xf_t) / CS_RATE;
        ladder_cmd_level(&l->cmds, l->xf_from, go, secs, l->xf_t);
        ladder_cmd_level(&l->cmds, l->xf_to, gi, secs, l->xf_t);
        l->xf_t = t1;
        if (++l->xf_k == l->xf_n) {
            for (int k = 0; k < 2; k++)
                if (out->v[k].s) ladder_cmd_release(&l->cmds, out->v[k].slot, t1 + RAMP);
            out->free_at = t1 + 2 * RAMP;
        }
    }
    if (l->xf_k < l->xf_n || now < out->free_at || !l->swap_sent) return false;
    for (int k = 0; k < 2; k++) out->v[k] = (lvoice){ .slot = out->v[k].slot, .rung = -1 };
    out->track = -1;
    out->sw = SW_NONE;
    return true;
}
