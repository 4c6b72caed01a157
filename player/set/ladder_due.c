/* When a ladder set's next tick is due (see ladder_int.h
 * ladder_next_due): the control tick sleeps until then (issue 26) instead
 * of ticking every 5 ms.  Control thread only. */
#include "player/set/ladder_int.h"

/* The sample (in `now`'s time) by which the tick must run to commit a
 * start at sample t: the commit window opens COMMIT_WINDOW before t, seen
 * through the lead. */
static uint64_t commit_due(const cs_ladder *l, uint64_t t)
{
    uint64_t ahead = l->o.lead + COMMIT_WINDOW;
    return t > ahead ? t - ahead : 0;
}

/* The set's next event after this tick (its tick hook's answer): as soon as
 * possible while something is polled (commands the queue refused; a stream
 * being opened when the reader sends no news, cs_reader_set_news: with
 * news, its readiness wakes the tick); the commit window of a start on its beat; else a
 * heartbeat every RATE_EVERY while the tempo moves, a switch runs or a
 * fade does (rate steps of a glide, fade segments sent XF_AHEAD ahead),
 * and every STEADY_EVERY while one track plays at a steady tempo (nothing
 * moves then but the position; the handover's preparation is woken at its
 * time, the end within STEADY_EVERY; the trace's rows, 10 a second, keep
 * RATE_EVERY). */
#define STEADY_EVERY (CS_RATE / 4)
uint64_t ladder_next_due(const cs_ladder *l, uint64_t now)
{
    if (l->st == ST_DONE) return UINT64_MAX;
    if (l->st == ST_START || l->cmds.n > 0 || l->cmds.told || l->queue_full) return now;
    bool news = cs_reader_has_news(l->r);   /* a stream being opened wakes the tick when ready */
    bool steady = l->st == ST_PLAY && l->bpm == l->eff && l->target == l->bpm && !l->forced &&
                  !l->o.trace_path && !l->o.plot_path && now >= l->hold;
    for (int i = 0; i < 2; i++) steady = steady && l->deck[i].sw == SW_NONE;
    uint64_t due = now + (steady ? STEADY_EVERY : RATE_EVERY);
    if (steady && l->cur >= 0 && l->next >= 0 && l->h_u >= 0) {
        /* tracks(): the next track opens prep before the handover beat */
        const ldeck *c = &l->deck[l->cur];
        double prep = (l->o.prepare_s + 1.0) * l->eff / l->set.tracks[c->track].bpm;
        uint64_t t = ladder_deck_time_at(l, c, l->h_u - prep);
        if (t < due) due = t > now ? t : now;
    }
    for (int i = 0; i < 2; i++) {
        const ldeck *d = &l->deck[i];
        if (d->track < 0 || d->sw != SW_OPEN) continue;
        const lvoice *nv = &d->v[!d->cur];
        if (!nv->s || cs_stream_failed(nv->s)) return now;
        if (!cs_stream_ready(nv->s)) {
            if (!news) return now;
            continue;                 /* the reader's news wakes the tick */
        }
        uint64_t t = commit_due(l, ladder_deck_time_at(l, d, d->sw_u));
        if (t < due) due = t;
    }
    if (l->st == ST_XFADE) {
        /* ladder_xfade_run(): the next level segment and the bass swap go
         * XF_AHEAD before their time (the first ones on the next tick). */
        uint64_t ahead = l->o.lead + XF_AHEAD, t = UINT64_MAX;
        if (l->xf_k < l->xf_n) t = l->xf_t;
        if (!l->swap_sent) {
            uint64_t ts = ladder_deck_time_at(l, &l->deck[l->xf_from], l->plan.swap_out_u);
            if (ts < t) t = ts;
        }
        if (t != UINT64_MAX) {
            t = t > ahead ? t - ahead : 0;
            if (t < due) due = t > now ? t : now;
        }
    }
    if (l->st == ST_OPEN) {
        int in = l->cur < 0 ? 0 : !l->cur;
        const lvoice *v = &l->deck[in].v[0];
        if (!v->s || cs_stream_failed(v->s)) return now;
        if (!cs_stream_ready(v->s)) {
            if (!news) return now;
        } else if (l->cur < 0 || l->h_u < 0) {
            return now;
        } else {
            uint64_t t = commit_due(l, ladder_deck_time_at(l, &l->deck[l->cur], l->h_u));
            if (t < due) due = t;
        }
    }
    return due;
}

