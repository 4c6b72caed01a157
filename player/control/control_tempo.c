/* The control thread's tempo and status operations and its housekeeping
 * tick (see control.h). */
#include "player/control/control_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- tempo ---- */

/* The engine's global rate from the tempo (playback_rate: bpm / base). */
static void apply_rate(cs_control *c)
{
    double bpm = cs_tempo_current(&c->tempo);
    double g = 1.0;
    if (c->cfg.stretch == CS_STRETCH_RATE && !c->cfg.stretch_disabled) g = bpm / c->cfg.base_bpm;
    if (fabs(g - c->grate) > 1e-9 && cs_engine_global_rate(c->e, g, c->cmd_at) == 0) c->grate = g;
}

double cs_control_stretch_tempo(const cs_control *c)
{
    if (c->cfg.stretch == CS_STRETCH_RATE || c->cfg.stretch_disabled) return 1.0;
    return cs_tempo_current(&c->tempo) / c->cfg.base_bpm;
}

/* A tempo the player can play: in the sane range (tempo.h) and, where
 * tempo is the voices' read rate (playback_rate), at a rate the engine can
 * play.  Logs one line naming the address and the limit otherwise. */
static bool playable_bpm(cs_control *c, const char *what, double bpm)
{
    if (!cs_tempo_bpm_ok(bpm)) {
        CTL_ERROR(c, "%s %g: outside %g..%g BPM, ignored", what, bpm, CS_TEMPO_BPM_MIN, CS_TEMPO_BPM_MAX);
        return false;
    }
    double rate = bpm / c->cfg.base_bpm;
    if (c->cfg.stretch == CS_STRETCH_RATE && !c->cfg.stretch_disabled &&
        !(rate >= CS_ENGINE_RATE_MIN && rate <= CS_ENGINE_RATE_MAX)) {
        CTL_ERROR(c, "%s %g: rate %g of --bpm %g is outside the engine's %g..%g, ignored", what, bpm, rate,
                  c->cfg.base_bpm, CS_ENGINE_RATE_MIN, CS_ENGINE_RATE_MAX);
        return false;
    }
    return true;
}

int cs_control_set_tempo(cs_control *c, double bpm)
{
    if (!playable_bpm(c, "/set_tempo", bpm) || cs_tempo_jump(&c->tempo, bpm, ctl_now_s(c)) < 0) return -1;
    apply_rate(c);
    return 0;
}

int cs_control_target_bpm(cs_control *c, double bpm)
{
    if (!playable_bpm(c, "/cs/bpm", bpm) || cs_tempo_set_target(&c->tempo, bpm, ctl_now_s(c)) < 0) return -1;
    return 0;
}

int cs_control_movement(cs_control *c, double m)
{
    if (cs_tempo_movement(&c->tempo, m, ctl_now_s(c)) < 0) {
        CTL_WARN(c, "/dance/total_movement %g ignored", m);
        return -1;
    }
    return 0;
}

void cs_control_set_meter(cs_control *c, int beats)
{
    if (beats > 0) c->cfg.meter = beats;
}

void cs_control_set_watch(cs_control *c, bool on) { c->cfg.watch = on; }

int cs_control_next(cs_control *c, cs_err *err)
{
    if (!c->has_ladder || !c->ladder.next) return cs_err_set(err, "no ladder set is playing");
    return c->ladder.next(c->ladder.ctx, err);
}

/* ---- status and housekeeping ---- */

void cs_control_status_get(cs_control *c, cs_control_status *st)
{
    cs_engine_stats es;
    cs_engine_stats_get(c->e, &es);
    memset(st, 0, sizeof *st);
    double now = ctl_now_s(c);
    st->time_s = now;
    st->bpm = cs_tempo_current(&c->tempo);
    st->target_bpm = cs_tempo_target(&c->tempo);
    st->base_bpm = cs_tempo_base(&c->tempo);
    st->idle = cs_tempo_is_idle(&c->tempo);
    double m = cs_tempo_last_movement(&c->tempo);
    st->movement = isnan(m) ? -1 : m;
    st->movement_age_s = isnan(m) ? -1 : fmax(0, now - c->tempo.movement_time);
    for (int d = 0; d < CS_DECKS; d++) {
        st->rung[d] = -1;
        st->deck_level[d] = c->level[d];
    }
    snprintf(st->track, sizeof st->track, "%s", c->last_track);
    st->next_change_s = NAN;
    st->swap_in_s = NAN;
    if (c->has_ladder && c->ladder.state) {
        cs_control_ladder_state ls = { .next_change_s = NAN, .swap_in_s = NAN };
        c->ladder.state(c->ladder.ctx, cs_control_now(c), &ls);
        if (ls.label) snprintf(st->track, sizeof st->track, "%s", ls.label);
        for (int d = 0; d < 2; d++) st->rung[d] = ls.rung[d] > 0 ? (int)lround(ls.rung[d]) : -1;
        st->set = true;
        for (int d = 0; d < 2; d++) {
            st->rung_bpm[d] = ls.rung[d];
            st->rate[d] = ls.rung[d] > 0 ? st->bpm / ls.rung[d] : 0;
            snprintf(st->deck_track[d], sizeof st->deck_track[d], "%s", ls.track[d] ? ls.track[d] : "");
        }
        snprintf(st->next_track, sizeof st->next_track, "%s", ls.next_track ? ls.next_track : "");
        st->next_change_s = ls.next_change_s;
        st->crossfading = ls.crossfading;
        st->rung_lo = ls.rung_lo;
        st->rung_hi = ls.rung_hi;
        st->max_dev = ls.max_dev;
        st->outside = ctl_outside(st->bpm, &ls);
        snprintf(st->transition, sizeof st->transition, "%s", ls.transition ? ls.transition : "");
        st->swap_in_s = ls.swap_in_s;
        snprintf(st->reach_note, sizeof st->reach_note, "%s", ls.reach_note ? ls.reach_note : "");
    }
    st->underruns = es.underruns;
    st->xruns = es.xruns;
    st->late_bundles = c->late_bundles;
    st->bundles_waiting = c->nbq;
    for (int k = 0; k < CS_BUNDLE_DROP_KINDS; k++) st->bundles_dropped[k] = c->bundles_dropped[k];
    st->unknown_osc = c->unk_total;
    st->unknown_addresses = c->nunk + (c->unk_other > 0);
    st->playing = es.playing;
    st->short_ends = c->r ? cs_reader_short_ends(c->r, st->short_last, sizeof st->short_last) : 0;
    if (!c->r) st->short_last[0] = 0;
    st->buffers = 0;
    for (int i = 0; i < CS_MAX_VOICES; i++)
        if (c->buf[i].used && c->buf[i].s && cs_stream_ready(c->buf[i].s)) st->buffers++;
    st->device_lost = c->device_lost;
    st->device_lost_since = c->device_lost_since;
    st->device_losses = c->device_losses;
    if (c->device_lost) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        st->device_lost_s = fmax(0, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - c->device_lost_since);
    }
}

void cs_control_set_device(cs_control *c, bool lost, double lost_since, unsigned losses)
{
    c->device_lost = lost;
    c->device_lost_since = lost_since;
    c->device_losses = losses;
}

void cs_control_print_status(cs_control *c)
{
    cs_control_status st;
    cs_control_status_get(c, &st);
    printf("=== audio server status ===\n"
           "sample rate: %d Hz\n"
           "tempo: %.2f BPM (target %.2f, base %.2f)\n"
           "beat position: %.2f\n"
           "buffers loaded: %d\n"
           "players playing: %d\n"
           "deck levels: A=%.2f B=%.2f C=%.2f D=%.2f\n"
           "underruns: %llu, late callbacks: %llu\n"
           "streams ended early: %u%s%s\n",
           CS_RATE, st.bpm, st.target_bpm, c->cfg.base_bpm, c->beats, st.buffers, st.playing,
           st.deck_level[0], st.deck_level[1], st.deck_level[2], st.deck_level[3],
           (unsigned long long)st.underruns, (unsigned long long)st.xruns, st.short_ends,
           st.short_ends ? ", last: " : "", st.short_last);
    fflush(stdout);
}

void cs_control_tick(cs_control *c)
{
    cs_engine_drop_retired(c->e, c->r);
    ctl_bundles_run(c);

    for (int i = 0; i < CS_MAX_VOICES; i++) {
        buffer *b = &c->buf[i];
        if (b->used && b->s && cs_stream_failed(b->s) && !b->failed_logged) {
            CTL_ERROR(c, "buffer %ld: cannot play %s: %s", b->id, b->path, b->s->msg);
            b->failed_logged = true;
        }
    }
    ctl_run_pending(c);
    cs_ratelimit_flush(&c->rl_warn, false);
    cs_ratelimit_flush(&c->rl_late, false);

    double t = ctl_now_s(c);
    double bpm = cs_tempo_update(&c->tempo, t);
    apply_rate(c);
    if (fabs(bpm - c->logged_bpm) >= 0.01 && t - c->last_log_s >= 1.0) {
        cs_log_info("tempo %.2f BPM (target %.2f)", bpm, cs_tempo_target(&c->tempo));
        c->logged_bpm = bpm;
        c->last_log_s = t;
    }
    if (c->has_ladder && c->ladder.tick) {
        double m = cs_tempo_last_movement(&c->tempo);
        cs_control_frame f = { cs_control_now(c), bpm, cs_tempo_target(&c->tempo), isnan(m) ? -1 : m };
        c->ladder_due = c->ladder.tick(c->ladder.ctx, &f);
    }
    ctl_watch_tick(c, t);

    if (t - c->last_report_s >= 2.0) {
        cs_engine_stats es;
        cs_engine_stats_get(c->e, &es);
        if (es.underruns != c->reported_underruns || es.xruns != c->reported_xruns) {
            cs_log_warn("underruns: %llu stream (+%llu), %llu device (+%llu)",
                        (unsigned long long)es.underruns,
                        (unsigned long long)(es.underruns - c->reported_underruns),
                        (unsigned long long)es.xruns, (unsigned long long)(es.xruns - c->reported_xruns));
            c->reported_underruns = es.underruns;
            c->reported_xruns = es.xruns;
        }
        if (es.dropped_cmds != c->reported_dropped) {
            cs_log_warn("%llu commands dropped (queue full), +%llu since the last report",
                        (unsigned long long)es.dropped_cmds,
                        (unsigned long long)(es.dropped_cmds - c->reported_dropped));
            c->reported_dropped = es.dropped_cmds;
        }
        c->last_report_s = t;
    }

    if (t > c->last_tick_s) c->beats += (t - c->last_tick_s) * bpm / 60.0;
    c->last_tick_s = t;
    long beat = (long)floor(c->beats);
    if (c->cfg.watch && beat != c->last_beat) {
        printf("watch: bar %ld beat %ld  %.2f BPM\n", beat / c->cfg.meter + 1, beat % c->cfg.meter + 1, bpm);
        fflush(stdout);
    }
    c->last_beat = beat;
}

/* The earliest of the pending starts' deadlines (seconds from now; they
 * start what is ready then) or INFINITY; CS_CONTROL_TICK_BUSY_S while one
 * waits for a stream and the reader sends no news (cs_reader_set_news: a
 * render, a test) or has sent it already (ctl_pending_polls): then their
 * streams are polled. */
static double pending_due(const cs_control *c)
{
    bool news = cs_reader_has_news(c->r) && !ctl_pending_polls(c);
    double t = INFINITY;
    uint64_t now = cs_control_now(c);
    for (int i = 0; i < MAX_PENDING; i++) {
        if (!c->pend[i].used) continue;
        if (!news) return CS_CONTROL_TICK_BUSY_S;
        double d = c->pend[i].deadline > now ? (double)(c->pend[i].deadline - now) / CS_RATE : 0;
        if (d < t) t = d;
    }
    return t;
}

/* --watch: when the next beat line is due at the current tempo (a tempo
 * that moves ticks every CS_CONTROL_TICK_PLAY_S anyway). */
static double watch_due(const cs_control *c)
{
    double bpm = cs_tempo_current(&c->tempo);
    if (!(bpm > 0)) return CS_CONTROL_TICK_IDLE_S;
    return (floor(c->beats) + 1.0 - c->beats) * 60.0 / bpm;
}

static double next_tick(const cs_control *c)
{
    double soon = pending_due(c);
    if (c->cfg.watch) soon = fmin(soon, watch_due(c));
    cs_engine_stats st;
    cs_engine_stats_get(c->e, &st);
    if (st.playing == 0) return fmin(soon, CS_CONTROL_TICK_IDLE_S);
    /* Voices play: a glide's rate steps every CS_CONTROL_TICK_PLAY_S; at a
     * steady tempo nothing audible moves until the idle timeout turns the
     * target (woken at that instant) or a message comes. */
    if (cs_tempo_current(&c->tempo) != cs_tempo_target(&c->tempo)) return fmin(soon, CS_CONTROL_TICK_PLAY_S);
    double t = fmin(soon, CS_CONTROL_TICK_STEADY_S), timeout = c->tempo.cfg.idle_timeout_seconds;
    if (c->tempo.idle_armed && timeout > 0) {
        double due = c->tempo.movement_time + timeout - ctl_now_s(c);
        if (due < t) t = due > CS_CONTROL_TICK_BUSY_S ? due : CS_CONTROL_TICK_BUSY_S;
    }
    return t;
}

double cs_control_next_tick(const cs_control *c)
{
    /* A waiting bundle falling due sooner: the tick that hands it over. */
    double t = next_tick(c), b = ctl_bundles_next_s(c);
    /* A ladder set's next event: a commit on its beat, a stream being
     * opened (its tick said when; not before its first tick). */
    if (c->has_ladder && c->ladder.tick && c->ladder_due != UINT64_MAX) {
        uint64_t now = cs_control_now(c);
        double l = c->ladder_due > now ? (double)(c->ladder_due - now) / CS_RATE : 0;
        if (l < b) b = l;
    }
    if (b < t) t = b;
    /* The engine's clock moves once per device buffer: a due time a few
     * samples away (a deadline, a beat for --watch) is not met sooner by
     * waking every millisecond. */
    return t > CS_CONTROL_TICK_BUSY_S ? t : CS_CONTROL_TICK_BUSY_S;
}
