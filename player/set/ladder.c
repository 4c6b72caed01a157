/* Ladder-set playback on the control thread (see ladder.h).
 *
 * Positions: every voice carries p(t) = p_ref + (t - t_ref)·rate in frames
 * of its rung file, exactly what the engine's resampler does with the same
 * commands (a rate command stamped t applies from sample t on).  u (musical
 * seconds after ini_cue) = p / CS_RATE × speed, the same for every rung.
 *
 * Volumes: a rung switch fades the two voices of a deck through the voice
 * volume (four CS_RAMP_SECONDS steps of an equal-power curve, 40 ms); a track
 * change fades the decks through their levels, in up to 64 linear segments of
 * the equal-power curve (piecewise-linear per sample gains, < 0.1% off the
 * curve), sent a little ahead so that /cs/next can still take over. */
#include "player/set/ladder_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNG_STEPS 4

/* ---- positions ---- */

static double vpos(const lvoice *v, uint64_t t)
{
    return t <= v->t_ref ? v->p_ref : v->p_ref + (double)(t - v->t_ref) * v->rate;
}

/* The voice whose model covers time t (during a switch: the new one from
 * the switch sample on). */
static const lvoice *voice_at(const ldeck *d, uint64_t t)
{
    const lvoice *o = &d->v[!d->cur];
    if (d->sw == SW_FADE && o->committed && t >= o->t_ref) return o;
    return &d->v[d->cur];
}

double ladder_deck_u(const cs_ladder *l, const ldeck *d, uint64_t t)
{
    const lvoice *v = voice_at(d, t);
    return vpos(v, t) / CS_RATE * ladder_rung_of(l, d, v)->speed;
}

uint64_t ladder_deck_time_at(const cs_ladder *l, const ldeck *d, double u)
{
    const lvoice *v = &d->v[d->cur];
    const lvoice *o = &d->v[!d->cur];
    if (d->sw == SW_FADE && o->committed && u >= d->sw_u) v = o;
    return cs_ladder_time_at(v->t_ref, v->p_ref, v->rate, u / ladder_rung_of(l, d, v)->speed * CS_RATE);
}

static double period(const cs_ladder *l, int track) { return 60.0 / l->set.tracks[track].bpm; }

/* Rungs are chosen for the tempo expected `ahead` seconds on, when the
 * switch sounds (up to a beat later): a fast glide would otherwise leave the
 * rate a beat behind.  The glide approaches its target, never passes it. */
static int pick(const cs_ladder *l, int track, int cur, const unsigned char *bad, double ahead)
{
    double b = l->eff + l->slope * ahead;
    if ((l->slope > 0 && b > l->target) || (l->slope < 0 && b < l->target)) b = l->target;
    if ((l->slope > 0 && b < l->eff) || (l->slope < 0 && b > l->eff)) b = l->eff;
    const cs_lset_track *t = &l->set.tracks[track];
    for (size_t k = 0; k < t->n_rungs; k++) l->rung_bpm[k] = t->rungs[k].bpm;   /* n_rungs <= max_rungs */
    return cs_ladder_pick_rung(l->rung_bpm, t->n_rungs, cur, b, l->hyst, l->o.max_dev, bad);
}

/* A command the engine's full queue refused: said once until one passes
 * again (the caller keeps its model and retries on a later tick). */
static void queue_full(cs_ladder *l)
{
    if (!l->queue_full) cs_log_warn("ladder: the engine's command queue is full; retrying");
    l->queue_full = true;
}

/* ---- streams ---- */

/* Opens `rung` of the deck's track on voice v, cued at `frame`. */
static int open_voice(cs_ladder *l, ldeck *d, lvoice *v, int rung, double frame)
{
    const cs_lset_rung *rg = &l->set.tracks[d->track].rungs[rung];
    long long f = llround(frame);
    if (f < 0) f = 0;
    double frac = f > 0 && rg->frames > 0 ? ((double)f + 0.5) / (double)rg->frames : 0.0;
    if (!ladder_cmd_room(&l->cmds, 1)) return -1;
    cs_stream *s = cs_stream_new_file(rg->path, frac, false);
    if (!s) return -1;
    cs_reader_add(l->r, s);
    if (cs_engine_attach(l->e, v->slot, s, (int)(d - l->deck), CS_NOW) < 0) {
        cs_reader_drop(l->r, s);
        return -1;
    }
    *v = (lvoice){ .slot = v->slot, .rung = rung, .s = s, .p_ref = (double)f };
    return 0;
}

static void drop_voice(cs_ladder *l, lvoice *v, uint64_t at)
{
    if (v->s) ladder_cmd_release(&l->cmds, v->slot, at);
    *v = (lvoice){ .slot = v->slot, .rung = -1 };
}

/* Plays v from t at the common tempo.  -1 (v unchanged) when the engine's
 * queue refused the start: the caller tries again on a later tick. */
static int commit_voice(cs_ladder *l, lvoice *v, const cs_lset_rung *rg, uint64_t t, double volume)
{
    double rate = l->eff / rg->bpm;
    if (cs_engine_play(l->e, v->slot, rate, volume, t) < 0) {
        queue_full(l);
        return -1;
    }
    l->queue_full = false;
    v->committed = true;
    v->t_ref = t;
    v->rate = rate;
    if (t > l->hold) l->hold = t;
    return 0;
}

/* ---- rates: every voice, same sample, same effective BPM ---- */

static void update_rates(cs_ladder *l, uint64_t t)
{
    if (t < l->hold || fabs(l->bpm - l->eff) < 1e-7) return;
    if (t < l->last_rate + RATE_EVERY && fabs(l->bpm - l->eff) < 0.05) return;
    /* A voice whose rate command is refused keeps its model (the engine
     * keeps its old rate); eff moves only when every voice took the new one,
     * so the next tick sends them again. */
    bool all = true;
    size_t voices = 0;
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++) voices += l->deck[i].track >= 0 && l->deck[i].v[k].committed;
    if (!ladder_cmd_room(&l->cmds, voices)) return;   /* every voice or none: later */
    for (int i = 0; i < 2; i++) {
        ldeck *d = &l->deck[i];
        if (d->track < 0) continue;
        for (int k = 0; k < 2; k++) {
            lvoice *v = &d->v[k];
            if (!v->committed) continue;
            double rate = l->bpm / ladder_rung_of(l, d, v)->bpm;
            if (cs_engine_rate(l->e, v->slot, rate, t) < 0) {
                all = false;
                continue;
            }
            v->p_ref = vpos(v, t);
            v->t_ref = t;
            v->rate = rate;
        }
    }
    if (!all) {
        queue_full(l);
        return;
    }
    l->queue_full = false;
    l->eff = l->bpm;
    l->last_rate = t;
}

/* ---- rung switches ---- */

static void rung_switch(cs_ladder *l, ldeck *d, uint64_t now, uint64_t tc)
{
    char name = (char)('A' + (d - l->deck));
    lvoice *old = &d->v[d->cur], *nv = &d->v[!d->cur];
    const cs_lset_track *tr = &l->set.tracks[d->track];
    if (d->sw == SW_FADE && now >= d->sw_end) {
        d->cur = !d->cur;
        *old = (lvoice){ .slot = old->slot, .rung = -1 };
        d->sw = SW_NONE;
        return;
    }
    if (d->sw == SW_NONE) {
        if (!old->committed) return;
        double prep_u = l->o.prepare_s * l->eff / tr->bpm;
        long k;
        double ub = cs_ladder_beat_at_or_after(&tr->beats, period(l, d->track), ladder_deck_u(l, d, tc) + prep_u, &k);
        double ahead = (double)(ladder_deck_time_at(l, d, ub) - now) / CS_RATE;
        int want = pick(l, d->track, old->rung, d->bad, ahead);
        if (want == old->rung) return;
        /* A jump (/set_tempo) far off the rung: switch now, between beats
         * (the mapping holds anywhere), rather than play a beat off-pitch. */
        if (fabs(l->eff / tr->rungs[old->rung].bpm - 1.0) > 2 * l->o.max_dev) ub = ladder_deck_u(l, d, tc) + prep_u;
        if (ub + 0.1 > d->end_u) return;             /* too near the end to bother */
        /* The new rung's frame at the beat: the old rung's there, mapped. */
        const cs_lset_rung *ro = &tr->rungs[old->rung], *rn = &tr->rungs[want];
        if (open_voice(l, d, nv, want, cs_ladder_map_pos(ub / ro->speed * CS_RATE, ro->speed, rn->speed)) < 0) return;
        d->sw = SW_OPEN;
        d->sw_u = ub;
        return;
    }
    if (d->sw != SW_OPEN) return;
    if (cs_stream_failed(nv->s)) {
        cs_log_warn("%s: rung %g BPM cannot be played (%s); staying on %g", tr->name,
                    tr->rungs[nv->rung].bpm, nv->s->msg, tr->rungs[old->rung].bpm);
        d->bad[nv->rung] = 1;
        drop_voice(l, nv, CS_NOW);
        d->sw = SW_NONE;
        return;
    }
    if (!cs_stream_ready(nv->s)) return;
    uint64_t t = ladder_deck_time_at(l, d, d->sw_u);
    if (t < tc || d->sw_u + 0.1 > d->end_u) {        /* too late for that beat: try again */
        if (t < tc)   /* the tick came after the commit window (next_due should prevent it) */
            cs_log_debug("deck %c: rung switch missed its beat at %.3f s by %llu frames; trying again",
                         (char)('A' + (d - l->deck)), (double)t / CS_RATE, (unsigned long long)(tc - t));
        drop_voice(l, nv, CS_NOW);
        d->sw = SW_NONE;
        return;
    }
    if (t > tc + COMMIT_WINDOW) return;
    /* Both rungs at the same effective tempo from the beat on. */
    double vol = l->o.volume;
    /* The whole step or nothing: the start, the fade, the old voice's release. */
    if (!ladder_cmd_room(&l->cmds, 2 + 2 * RUNG_STEPS) || commit_voice(l, nv, &tr->rungs[nv->rung], t, 0.0) < 0)
        return;
    for (int j = 0; j < RUNG_STEPS; j++) {
        double go, gi;
        cs_ladder_eqpow((double)(j + 1) / RUNG_STEPS, &go, &gi);
        ladder_cmd_volume(&l->cmds, nv->slot, vol * gi, t + (uint64_t)j * RAMP);
        ladder_cmd_volume(&l->cmds, old->slot, vol * go, t + (uint64_t)j * RAMP);
    }
    ladder_cmd_release(&l->cmds, old->slot, t + RUNG_STEPS * RAMP);
    d->sw = SW_FADE;
    d->sw_t = t;
    d->sw_end = t + (RUNG_STEPS + 1) * RAMP;
    cs_log_info("deck %c: rung %g -> %g BPM at %.3f s (beat at %.3f s of %s), %.2f BPM", name,
                tr->rungs[old->rung].bpm, tr->rungs[nv->rung].bpm, (double)t / CS_RATE, d->sw_u,
                tr->name, l->eff);
}

int ladder_deck_jump(cs_ladder *l, ldeck *d, double u_from, double u_to)
{
    lvoice *old = &d->v[d->cur], *nv = &d->v[!d->cur];
    if (d->track < 0 || d->sw != SW_NONE || !old->committed || u_to < 0) return -1;
    const cs_lset_track *tr = &l->set.tracks[d->track];
    if (open_voice(l, d, nv, old->rung, u_to / tr->rungs[old->rung].speed * CS_RATE) < 0) return -1;
    d->sw = SW_OPEN;                              /* rung_switch commits it on the beat u_from */
    d->sw_u = u_from;
    return 0;
}

/* ---- tracks ---- */

/* Which track follows j: the set's order or the running order's choice
 * (ladder_order.c). */
static int advance(cs_ladder *l, int j) { return ladder_order_next(l, j); }

/* Opens track l->next on deck `di`: where the plan starts it (the first
 * track: at its first beat). */
static int open_track(cs_ladder *l, int di)
{
    ldeck *d = &l->deck[di];
    const cs_lset_track *tr = &l->set.tracks[l->next];
    if (tr->n_rungs == 0) {   /* nothing to play: skipped as a failed open, never rungs[-1] */
        cs_log_warn("%s: no rung to play; track skipped", tr->name);
        l->next = advance(l, l->next);
        if (++l->fails >= (int)l->set.n) l->next = -1;
        return -1;
    }
    d->track = l->next;
    memset(d->bad, 0, l->max_rungs);
    ladder_order_rungs(l, l->next, d->bad);         /* rungs beyond the stretch budget */
    d->sw = SW_NONE;
    d->cur = 0;
    d->free_at = 0;
    d->end_u = cs_lset_part_end_u(tr);
    int rung = pick(l, l->next, -1, NULL, 0);
    double u0 = l->cur >= 0 ? l->plan.in_u0 : cs_ladder_beat_at_or_after(&tr->beats, period(l, l->next), 0.0, NULL);
    if (u0 < 0) u0 = 0;
    l->open_u = u0;
    /* The track's loudness gain for the stretch it will play alone, from
     * the end of this fade (pkg/ladderset.h cs_lset_solo_gain; 0 dB when
     * the set has none), as the deck's trim: the deck is silent here. */
    double lufs;
    bool capped;
    double g = cs_lset_solo_gain(tr, l->cur >= 0 ? l->plan.in_u1 : u0, &lufs, &capped);
    ladder_cmd_trim(&l->cmds, di, pow(10.0, g / 20.0), CS_NOW);
    l->open_gain_db = g;
    if (open_voice(l, d, &d->v[0], rung, u0 / tr->rungs[rung].speed * CS_RATE) < 0) {
        d->track = -1;
        return -1;
    }
    if (capped)   /* once the open holds: a retried open says it once */
        cs_log_warn("%s: plays alone at %.1f LUFS; its true peak caps the gain at %+.1f dB, %.1f LU under the target",
                    tr->name, lufs, g, tr->gain_level - lufs - g);
    return 0;
}

static void skip_failed(cs_ladder *l, int di)
{
    ldeck *d = &l->deck[di];
    const cs_lset_track *tr = &l->set.tracks[d->track];
    cs_log_warn("%s: cannot play %s (%s); track skipped", tr->name, d->v[0].s->path, d->v[0].s->msg);
    drop_voice(l, &d->v[0], CS_NOW);
    d->track = -1;
    ladder_order_failed(l, l->next);
    l->next = l->o.order_auto ? advance(l, l->cur >= 0 ? l->deck[l->cur].track : -1) : advance(l, l->next);
    if (++l->fails >= (int)l->set.n) l->next = -1;
    l->h_u = -1;                  /* the plan was for the skipped track: plan again */
}

static void set_label(cs_ladder *l, int track)
{
    snprintf(l->label, sizeof l->label, "%d/%zu %s", track + 1, l->set.n, l->set.tracks[track].name);
}

static void tracks(cs_ladder *l, uint64_t now, uint64_t tc)
{
    int in = l->cur < 0 ? 0 : !l->cur;
    ldeck *d = &l->deck[in];
    switch (l->st) {
    case ST_START:
    case ST_PLAY:
        if (l->st == ST_PLAY) {
            ldeck *c = &l->deck[l->cur];
            if (l->next < 0) {
                lvoice *v = &c->v[c->cur];
                if (cs_engine_voice_state(l->e, v->slot) == CS_VOICE_ENDED ||
                    ladder_deck_u(l, c, now) >= c->end_u) {
                    cs_log_info("set finished: %d tracks played", l->shown);
                    for (int k = 0; k < 2; k++) drop_voice(l, &c->v[k], CS_NOW);
                    c->track = -1;
                    l->st = ST_DONE;
                }
                return;
            }
            ladder_order_reach(l);                   /* the target left its reach: hand over */
            if (l->h_u < 0 || l->h_u < ladder_deck_u(l, c, tc)) ladder_plan(l, tc);
            double prep = (l->o.prepare_s + 1.0) * l->eff / l->set.tracks[c->track].bpm;
            if (ladder_order_extend(l, c, now)) return;   /* --extend-phrases */
            if (ladder_deck_u(l, c, now) < l->h_u - prep && !l->forced) return;
        }
        if (l->st == ST_START) l->next = ladder_order_first(l);
        if (l->next < 0) { l->st = ST_DONE; return; }
        if (open_track(l, in) < 0) return;
        l->st = ST_OPEN;
        return;
    case ST_OPEN: {
        if (cs_stream_failed(d->v[0].s)) {
            skip_failed(l, in);
            l->st = l->cur < 0 ? ST_START : ST_PLAY;
            if (l->next < 0 && l->cur < 0) l->st = ST_DONE;
            return;
        }
        if (!cs_stream_ready(d->v[0].s)) return;
        const cs_lset_track *tr = &l->set.tracks[d->track];
        const cs_lset_rung *rg = &tr->rungs[d->v[0].rung];
        if (l->cur < 0) {                            /* the first track: at once */
            if (!ladder_cmd_room(&l->cmds, 2)) return;   /* the level and the start together */
            ladder_cmd_level(&l->cmds, in, 1.0, 0, CS_NOW);
            if (commit_voice(l, &d->v[0], rg, tc, l->o.volume) < 0) return;
            cs_log_info("track %d/%zu: %s on deck %c (rung %g, %.2f BPM)", d->track + 1, l->set.n,
                        tr->name, 'A' + in, rg->bpm, l->eff);
        } else {
            ldeck *c = &l->deck[l->cur];
            if (l->h_u < 0 || l->h_u < ladder_deck_u(l, c, tc)) {
                ladder_plan(l, tc);
                if (fabs(l->plan.in_u0 - l->open_u) > 1e-6) {   /* replanned elsewhere: open again */
                    drop_voice(l, &d->v[0], CS_NOW);
                    d->track = -1;
                    l->st = ST_PLAY;
                    return;
                }
            }
            uint64_t t = ladder_deck_time_at(l, c, l->h_u);
            if (t > tc + COMMIT_WINDOW) return;       /* not yet: keep rates free */
            /* A plan made again since the open (same entry, another fade
             * length) moves where the track plays alone: its trim follows,
             * ramped while the deck is still at level 0. */
            double g = cs_lset_solo_gain(tr, l->plan.in_u1, NULL, NULL);
            bool retrim = fabs(g - l->open_gain_db) > 0.01;
            /* never the start without the level (and the low band's cut) */
            if (!ladder_cmd_room(&l->cmds, (l->o.plain_fade ? 2 : 3) + retrim)) return;
            if (retrim) {
                cs_log_info("%s: its fade was planned again since it opened: trim %+.2f -> %+.2f dB", tr->name,
                            l->open_gain_db, g);
                ladder_cmd_trim(&l->cmds, in, pow(10.0, g / 20.0), CS_NOW);
                l->open_gain_db = g;
            }
            ladder_cmd_level(&l->cmds, in, 0.0, 0, CS_NOW);
            if (!l->o.plain_fade) ladder_cmd_eq(&l->cmds, in, CS_EQ_LOW, 0.0, CS_NOW);
            if (commit_voice(l, &d->v[0], rg, t, l->o.volume) < 0) return;
            l->forced = false;
            ladder_xfade_start(l, in, t);
            const cs_tplan *p = &l->plan;
            cs_log_info("track %d/%zu: %s on deck %c (rung %g) at %.3f s, on beat %.3f s of %s, bar %ld "
                        "(phrase %ld%s); its downbeat at %.3f s on that downbeat; fade %d bars (%.1f s)%s",
                        d->track + 1, l->set.n, tr->name, 'A' + in, rg->bpm, (double)t / CS_RATE, l->h_u,
                        l->set.tracks[c->track].name, p->out_bar + 1, p->out_phrase + 1,
                        p->phrase_aligned ? "" : ", off phrase", p->in_u0, p->bars,
                        (l->xf_u1 - l->xf_u0) * l->set.tracks[c->track].bpm / l->eff,
                        l->swap_t ? ", bass swap mid-fade" : "");
            if (l->swap_t)
                cs_log_info("bass swap planned at %.3f s", (double)l->swap_t / CS_RATE);
        }
        l->fails = 0;
        l->shown++;
        set_label(l, d->track);
        l->next = advance(l, d->track);
        if (!l->o.order_auto && l->next == 0 && l->o.loop && d->track == (int)l->set.n - 1)
            cs_log_info("last track of the set; --loop-set: the first follows");
        l->h_u = -1;
        if (l->cur < 0) {
            l->cur = in;
            l->st = ST_PLAY;
        } else {
            l->st = ST_XFADE;
        }
        return;
    }
    case ST_XFADE:
        if (ladder_xfade_run(l, now, tc)) {
            l->cur = l->xf_to;
            l->st = ST_PLAY;
        }
        return;
    default:
        return;
    }
}

/* ---- the tick (the control tick's hook) ---- */

uint64_t ladder_tick(void *ctx, const cs_control_frame *f)
{
    cs_ladder *l = ctx;
    uint64_t now = f->now, tc = now + l->o.lead;
    ladder_cmd_flush(&l->cmds);                       /* what waited goes first */
    double bpm = f->bpm;
    l->bpm = bpm;
    l->target = f->target_bpm;
    l->movement = f->movement;
    if (l->eff <= 0) l->eff = l->slope_bpm = bpm;
    if (now >= l->slope_t + CS_RATE / 10) {
        double s = (bpm - l->slope_bpm) / ((double)(now - l->slope_t) / CS_RATE);
        if (s > 10) s = 10;                           /* a /set_tempo jump is no trend */
        if (s < -10) s = -10;
        l->slope = 0.5 * l->slope + 0.5 * s;
        l->slope_bpm = bpm;
        l->slope_t = now;
    }
    update_rates(l, tc);
    tracks(l, now, tc);
    for (int i = 0; i < 2; i++)
        if (l->deck[i].track >= 0 && l->deck[i].free_at == 0) rung_switch(l, &l->deck[i], now, tc);
    ladder_report(l, now);
    return ladder_next_due(l, now);
}

cs_ladder *cs_ladder_new(cs_lset *set, cs_control *c, cs_engine *e, cs_reader *r,
                         const cs_ladder_opts *o, cs_err *err)
{
    if (set->n == 0) {
        cs_err_set(err, "the ladder set has no playable track");
        return NULL;
    }
    cs_ladder *l = calloc(1, sizeof *l);
    if (!l) {
        cs_err_setc(err, CS_ERR_NOMEM, "ladder: out of memory");
        return NULL;
    }
    l->set = *set;
    *set = (cs_lset){0};
    l->c = c;
    l->e = e;
    l->r = r;
    ladder_cmd_init(&l->cmds, e);
    l->o = *o;
    if (!(l->o.max_dev > 0)) l->o.max_dev = 0.02;
    if (!(l->o.volume > 0)) l->o.volume = 0.8;
    if (l->o.meter < 1) l->o.meter = 4;
    if (!(l->o.prepare_s > 0)) l->o.prepare_s = 0.25;
    size_t total = 0;
    for (size_t i = 0; i < l->set.n; i++) {
        total += l->set.tracks[i].n_rungs;
        if (l->set.tracks[i].n_rungs > l->max_rungs) l->max_rungs = l->set.tracks[i].n_rungs;
    }
    double *all = malloc((total ? total : 1) * sizeof *all);
    l->rung_bpm = malloc((l->max_rungs ? l->max_rungs : 1) * sizeof *l->rung_bpm);
    for (int i = 0; i < 2; i++) l->deck[i].bad = calloc(l->max_rungs ? l->max_rungs : 1, 1);
    l->told = calloc(l->set.n, 1);
    if (!all || !l->rung_bpm || !l->deck[0].bad || !l->deck[1].bad || !l->told || ladder_order_new(l) < 0) {
        free(all);
        cs_err_setc(err, CS_ERR_NOMEM, "ladder: out of memory");
        cs_ladder_free(l);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < l->set.n; i++)
        for (size_t k = 0; k < l->set.tracks[i].n_rungs; k++) {
            size_t j = n;
            double b = l->set.tracks[i].rungs[k].bpm;
            bool seen = false;
            for (size_t m = 0; m < n; m++) seen = seen || all[m] == b;
            if (seen) continue;
            while (j > 0 && all[j - 1] > b) { all[j] = all[j - 1]; j--; }
            all[j] = b;
            n++;
        }
    l->hyst = o->hysteresis > 0 ? o->hysteresis : cs_ladder_default_hyst(all, n);
    /* Four voices of our own (two rungs per deck), taken from the pool OSC
     * buffers use, so a /load_buffer can never land on them. */
    int slot0 = cs_control_reserve_voices(c, 4);
    if (slot0 < 0) {
        free(all);
        cs_err_set(err, "ladder: no free engine voices (4 needed)");
        cs_ladder_free(l);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        l->deck[i].track = -1;
        for (int k = 0; k < 2; k++) l->deck[i].v[k] = (lvoice){ .slot = slot0 + 2 * i + k, .rung = -1 };
    }
    l->cur = -1;
    l->h_u = -1;
    /* Bass swaps go through the decks' EQ: on from the start (transparent
     * while every gain is 1). */
    if (!l->o.plain_fade) cs_engine_eq_enable(e, true, CS_NOW);
    l->logged_move = -1;
    l->logged_move_s = -1e9;
    if (o->trace_path && ladder_trace_open(l, err) < 0) {
        free(all);
        cs_ladder_free(l);
        return NULL;
    }
    cs_log_info("ladder set: %zu tracks, rungs %g..%g BPM (%zu), hysteresis %.2f BPM%s", l->set.n,
                all[0], all[n - 1], n, l->hyst, o->loop ? ", looping" : "");
    free(all);
    return l;
}

void cs_ladder_free(cs_ladder *l)
{
    if (!l) return;
    cs_control_drop_ladder(l->c, l);
    ladder_trace_close(l);
    cs_lset_free(&l->set);
    free(l->rung_bpm);
    for (int i = 0; i < 2; i++) free(l->deck[i].bad);
    free(l->told);
    ladder_cmd_free(&l->cmds);
    ladder_order_free(l);
    free(l);
}
