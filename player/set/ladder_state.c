/* What a ladder set tells the control side (see ladder.h): /cs/next, and
 * its state through the one state callback (cs_control_ladder.state), read
 * for /cs/status and the live warnings.  Control thread only. */
#include "player/set/ladder_int.h"

#include <math.h>

static int hook_next(void *ctx, cs_err *err)
{
    cs_ladder *l = ctx;
    if (l->st == ST_DONE || l->next < 0) return cs_err_set(err, "no next track in the set");
    if (l->cur < 0) return cs_err_set(err, "the set has not started yet");
    l->forced = true;
    l->h_u = -1;
    /* During a fade the press is kept: the track after the incoming one
     * follows at the first bar after the fade (a second press, as a DJ
     * skipping two tracks would expect, not a refusal). */
    if (l->st == ST_XFADE)
        cs_log_info("/cs/next during the crossfade: %s comes in at the first phrase after it",
                    l->set.tracks[l->next].name);
    else
        cs_log_info("/cs/next: %s comes in at the next phrase", l->set.tracks[l->next].name);
    return 0;
}

static void hook_state(void *ctx, uint64_t now, cs_control_ladder_state *st)
{
    cs_ladder *l = ctx;
    st->label = l->label;
    for (int i = 0; i < 2; i++) {
        st->rung[i] = ladder_deck_rung(l, i);
        st->track[i] = l->deck[i].track >= 0 ? l->set.tracks[l->deck[i].track].name : NULL;
    }
    st->next_track = l->st != ST_DONE && l->next >= 0 ? l->set.tracks[l->next].name : NULL;
    st->crossfading = l->st == ST_XFADE;
    st->next_change_s = NAN;
    if (st->crossfading) st->next_change_s = 0;
    else if (st->next_track && l->cur >= 0 && l->h_u >= 0) {
        uint64_t t = ladder_deck_time_at(l, &l->deck[l->cur], l->h_u);
        st->next_change_s = t > now ? (double)(t - now) / CS_RATE : 0;
    }
    st->max_dev = l->o.max_dev;
    st->transition = (st->crossfading || (st->next_track && l->h_u >= 0)) && l->xf_desc[0] ? l->xf_desc : NULL;
    st->swap_in_s = NAN;
    st->reach_note = ladder_order_note(l);
    if (st->crossfading && !l->swap_sent) {
        uint64_t ts = ladder_deck_time_at(l, &l->deck[l->xf_from], l->plan.swap_out_u);
        st->swap_in_s = ts > now ? (double)(ts - now) / CS_RATE : 0;
    } else if (st->crossfading && l->swap_t > now) {
        st->swap_in_s = (double)(l->swap_t - now) / CS_RATE;
    } else if (!st->crossfading && st->transition && l->plan.swap_out_u >= 0 && l->cur >= 0) {
        uint64_t ts = ladder_deck_time_at(l, &l->deck[l->cur], l->plan.swap_out_u);
        st->swap_in_s = ts > now ? (double)(ts - now) / CS_RATE : 0;
    }
    int tr = l->cur >= 0 ? l->deck[l->cur].track : -1;
    if (tr >= 0 && l->set.tracks[tr].n_rungs > 0) {
        const cs_lset_track *t = &l->set.tracks[tr];
        st->rung_lo = st->rung_hi = t->rungs[0].bpm;
        for (size_t k = 1; k < t->n_rungs; k++) {
            st->rung_lo = fmin(st->rung_lo, t->rungs[k].bpm);
            st->rung_hi = fmax(st->rung_hi, t->rungs[k].bpm);
        }
    }
}

cs_control_ladder cs_ladder_hooks(cs_ladder *l)
{
    return (cs_control_ladder){ l, ladder_tick, hook_next, hook_state };
}

bool cs_ladder_done(const cs_ladder *l) { return l->st == ST_DONE; }

