/* The original server's model on top of the engine (see control.h).
 *
 * Differences from the original, on purpose (docs/osc.md "Differences from
 * the original, on purpose"): loads are
 * asynchronous and never block; starts are sample-accurate (a start waits
 * for its stream, then reaches the engine stamped with its sample time);
 * /play_stem's rate is honoured; non-looping players end; /mixer_cleanup
 * also clears the armed decks; /fade is a ramp in the engine, not a thread.
 *
 * Engine commands are stamped with c->cmd_at (CS_NOW, or the sample of the
 * time-tagged bundle being dispatched) and delays count from ctl_base(). */
#include "player/control/control_int.h"
#include "player/control/decks.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


uint64_t cs_control_now(const cs_control *c)
{
    return c->cfg.render ? c->clock : cs_engine_now(c->e);
}

cs_control *cs_control_new(const cs_control_config *cfg, cs_engine *e, cs_reader *r, cs_err *err)
{
    cs_control *c = calloc(1, sizeof *c);
    if (!c) {
        cs_err_setc(err, CS_ERR_NOMEM, "control: out of memory");
        return NULL;
    }
    c->cfg = *cfg;
    if (c->cfg.meter <= 0) c->cfg.meter = 4;
    c->e = e;
    c->r = r;
    if (cs_tempo_init(&c->tempo, &cfg->tempo, cfg->base_bpm, 0.0) < 0) {
        cs_err_setc(err, CS_ERR_RANGE, "--bpm %g: not a usable tempo", cfg->base_bpm);
        free(c);
        return NULL;
    }
    for (int d = 0; d < CS_DECKS; d++) {
        c->armed[d] = -1;
        c->level[d] = 1.0;
    }
    c->grate = 1.0;
    c->nbuf = CS_MAX_VOICES;
    c->rl_warn.what = "warnings";
    c->rl_late.what = "late or dropped bundle warnings";
    c->logged_bpm = cfg->base_bpm;
    c->last_beat = -1;
    c->set_since_s = -1;
    if (cfg->eq_on) cs_engine_eq_enable(e, true, CS_NOW);
    return c;
}

void cs_control_set_allow(cs_control *c, cs_allow *a) { c->allow = a; }

void cs_control_set_ladder(cs_control *c, const cs_control_ladder *l)
{
    c->has_ladder = l != NULL;
    c->ladder_due = 0;           /* its first tick as soon as possible */
    if (l) c->ladder = *l;
}

void cs_control_drop_ladder(cs_control *c, const void *ctx)
{
    if (c && c->has_ladder && c->ladder.ctx == ctx) cs_control_set_ladder(c, NULL);
}

void cs_control_set_clock(cs_control *c, uint64_t frames) { c->clock = frames; }

/* ---- buffers ---- */

static buffer *find(cs_control *c, long id)
{
    for (int i = 0; i < c->nbuf; i++)
        if (c->buf[i].used && c->buf[i].id == id) return &c->buf[i];
    return NULL;
}

static int slot_of(cs_control *c, const buffer *b) { return (int)(b - c->buf); }

static void release(cs_control *c, buffer *b)
{
    if (b->s && cs_engine_release(c->e, slot_of(c, b), c->cmd_at) < 0)
        CTL_ERROR(c, "engine queue full: buffer %ld not released", b->id);
    free(b->path);
    free(b->name);
    uint64_t until = b->s && c->cmd_at != CS_NOW ? c->cmd_at : 0;
    memset(b, 0, sizeof *b);
    b->busy_until = until;
}

/* Opens a new stream of b's file and puts it on b's voice (cued). */
static int attach_new(cs_control *c, buffer *b, double frac, bool loop)
{
    cs_stream *s = cs_stream_new_file(b->path, frac, loop);
    if (!s) {
        CTL_ERROR(c, "out of memory loading %s", b->path);
        return -1;
    }
    cs_reader_add(c->r, s);
    if (cs_engine_attach(c->e, slot_of(c, b), s, cs_deck_of_id(b->id), c->cmd_at) < 0) {
        cs_reader_drop(c->r, s);
        CTL_ERROR(c, "engine queue full: %s not loaded", b->path);
        return -1;
    }
    b->s = s;
    b->played = false;
    b->frac = frac;
    b->loop = loop;
    b->failed_logged = false;
    return 0;
}

static buffer *load(cs_control *c, long id, const char *path, const char *name)
{
    /* Every load path (/load_buffer, /cue, /play, autoplay) passes here:
     * the one place --allow-dir is enforced, before anything changes. */
    cs_err why = {0};
    if (c->allow && cs_allow_check(c->allow, path, &why) < 0) {
        CTL_ERROR(c, "buffer %ld: refused: %s", id, why.msg);
        return NULL;
    }
    buffer *b = find(c, id);
    if (b) release(c, b);     /* as the original: the old buffer goes first */
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        char abs[4096];
        CTL_ERROR(c, "buffer %ld: file not found: %s (%s)", id, path,
                     realpath(path, abs) ? abs : "no such file");
        return NULL;
    }
    uint64_t now = cs_control_now(c);
    for (int i = 0; i < c->nbuf && !b; i++)
        if (!c->buf[i].used && c->buf[i].busy_until <= now) b = &c->buf[i];
    if (!b) {
        CTL_ERROR(c, "buffer %ld: all %d buffers in use", id, c->nbuf);
        return NULL;
    }
    b->used = true;
    b->id = id;
    b->path = strdup(path);
    if (name && *name) {
        b->name = strdup(name);
    } else {
        const char *base = strrchr(path, '/');
        b->name = strdup(base ? base + 1 : path);
        char *dot = b->name ? strrchr(b->name, '.') : NULL;
        if (dot && dot != b->name) *dot = 0;
    }
    if (!b->path || !b->name) {
        CTL_ERROR(c, "buffer %ld: out of memory loading %s", id, path);
        release(c, b);
        return NULL;
    }
    if (attach_new(c, b, 0.0, true) < 0) {
        release(c, b);
        return NULL;
    }
    return b;
}

int cs_control_load_buffer(cs_control *c, long id, const char *path, const char *name)
{
    buffer *b = load(c, id, path, name);
    if (!b) return -1;
    cs_log_info("buffer %ld (deck %c): loading %s", id, 'A' + cs_deck_of_id(id), path);
    return 0;
}

/* ---- starts ---- */

/* The pending list's invariant (assert()ed in debug and test builds; the
 * release build defines NDEBUG): a used entry is a group member (no slot
 * yet, a deck 0..CS_DECKS-1) or a single start (a slot, or -1), with a
 * rate > 0 and its deadline not before its start time. */
static void pending_assert(const pstart *p)
{
    assert(!p->used || ((p->group >= 0 ? p->slot == -1 && p->deck >= 0 && p->deck < CS_DECKS
                                       : p->slot >= -1 && p->slot < CS_MAX_VOICES) &&
                        p->rate > 0 && p->at <= p->deadline));
    (void)p;
}

static void cancel_pending(cs_control *c, int slot)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (c->pend[i].used && c->pend[i].slot == slot) c->pend[i].used = false;
}

static int add_pending(cs_control *c, pstart p)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        if (!c->pend[i].used) {
            p.used = true;
            pending_assert(&p);
            c->pend[i] = p;
            return 0;
        }
    }
    CTL_ERROR(c, "too many pending starts (%d)", MAX_PENDING);
    return -1;
}

/* A buffer ready for a (re)start from `frac` with `loop`: reuses the cued
 * stream when it is still at that position, else opens a new one. */
static int prepare(cs_control *c, buffer *b, double frac, bool loop)
{
    if (!isfinite(frac) || frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    if (b->s && !b->played && b->frac == frac && b->loop == loop) return 0;
    cancel_pending(c, slot_of(c, b));
    return attach_new(c, b, frac, loop);
}

int cs_control_play_stem(cs_control *c, long id, double rate, double volume, bool loop, double start_pos)
{
    buffer *b = find(c, id);
    if (!b || !b->s) {
        CTL_ERROR(c, "/play_stem: buffer %ld is not loaded", id);
        return -1;
    }
    if (prepare(c, b, start_pos, loop) < 0) return -1;
    b->played = true;
    snprintf(c->last_track, sizeof c->last_track, "%s", b->name);
    return add_pending(c, (pstart){ .slot = slot_of(c, b), .deck = cs_deck_of_id(id), .group = -1,
                                    .rate = rate, .volume = volume, .at = ctl_base(c),
                                    .deadline = ctl_after(c, START_WAIT_S) });
}

int cs_control_stop_stem(cs_control *c, long id)
{
    buffer *b = find(c, id);
    if (!b) {
        CTL_WARN(c, "/stop_stem: no player %ld", id);
        return -1;
    }
    cancel_pending(c, slot_of(c, b));
    cs_engine_stop(c->e, slot_of(c, b), c->cmd_at);
    return 0;
}

int cs_control_stem_volume(cs_control *c, long id, double volume)
{
    buffer *b = find(c, id);
    if (!b) return -1;
    if (!isfinite(volume)) {
        CTL_ERROR(c, "/stem_volume %ld: volume is not a number", id);
        return -1;
    }
    return cs_engine_volume(c->e, slot_of(c, b), volume, c->cmd_at);
}

int cs_control_deck_level(cs_control *c, int deck, double level)
{
    if (deck < 0 || deck >= CS_DECKS || !isfinite(level) || level < 0) return 0;
    c->level[deck] = level;
    return cs_engine_level(c->e, deck, level, 0, c->cmd_at);
}

bool cs_control_eq_on(const cs_control *c) { return c->cfg.eq_on; }

int cs_control_eq_gain(cs_control *c, int deck, int band, double gain)
{
    if (!c->cfg.eq_on) return 0;
    if (!isfinite(gain) || gain < 0) gain = 0;
    return cs_engine_eq_gain(c->e, deck, band, gain, c->cmd_at);
}

static int resolve_deck(const cs_control *c, int deck)
{
    if (c->armed[deck] >= 0) {
        for (int i = 0; i < c->nbuf; i++)
            if (c->buf[i].used && c->buf[i].id == c->armed[deck]) return c->buf[i].s ? i : -1;
        return -1;
    }
    for (int i = 0; i < c->nbuf; i++)
        if (c->buf[i].used && c->buf[i].s && cs_deck_of_id(c->buf[i].id) == deck) return i;
    return -1;
}

bool ctl_pending_polls(const cs_control *c)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        const pstart *p = &c->pend[i];
        if (!p->used) continue;
        int slot = p->slot >= 0 ? p->slot : resolve_deck(c, p->deck);
        if (slot < 0 || !c->buf[slot].used || !c->buf[slot].s) continue;
        cs_stream *s = c->buf[slot].s;
        if (!cs_stream_ready(s) && !cs_stream_failed(s) && cs_stream_told(s)) return true;
    }
    return false;
}

static bool slot_ready(cs_control *c, int slot)
{
    return slot >= 0 && c->buf[slot].used && c->buf[slot].s && cs_stream_ready(c->buf[slot].s);
}

static void fire(cs_control *c, pstart *p, uint64_t at)
{
    int slot = p->slot >= 0 ? p->slot : resolve_deck(c, p->deck);
    p->used = false;
    if (slot < 0 || !c->buf[slot].s) {
        CTL_WARN(c, "deck %c: no player to start", 'A' + p->deck);
        return;
    }
    if (p->keep_playing && cs_engine_voice_state(c->e, slot) == CS_VOICE_PLAYING) return;
    c->buf[slot].played = true;
    snprintf(c->last_track, sizeof c->last_track, "%s", c->buf[slot].name);
    if (cs_engine_play(c->e, slot, p->rate, p->volume, at) < 0)
        CTL_ERROR(c, "engine queue full: deck %c not started", 'A' + p->deck);
}

void ctl_run_pending(cs_control *c)
{
    uint64_t now = cs_control_now(c);
    for (int i = 0; i < MAX_PENDING; i++) {
        pstart *p = &c->pend[i];
        if (!p->used) continue;
        pending_assert(p);
        if (p->group < 0) {
            if (slot_ready(c, p->slot)) {
                fire(c, p, p->at > now ? p->at : now);
            } else if (p->slot < 0 || !c->buf[p->slot].s || cs_stream_failed(c->buf[p->slot].s)) {
                p->used = false;
            } else if (now >= p->deadline) {
                CTL_WARN(c, "buffer %ld: not ready after %.0f s, starting anyway", c->buf[p->slot].id, START_WAIT_S);
                fire(c, p, now);
            }
            continue;
        }
        /* A group: every member ready (or the deadline passed), then all
         * start on the same sample. */
        bool all = true;
        for (int j = 0; j < MAX_PENDING; j++) {
            pstart *q = &c->pend[j];
            if (q->used && q->group == p->group && !slot_ready(c, resolve_deck(c, q->deck))) all = false;
        }
        bool late = now >= p->deadline;
        if (!all && !late) continue;
        uint64_t at = p->at > now ? p->at : now;
        double waited = now > p->at ? (double)(now - p->at) / CS_RATE : 0;
        if (all && waited > 0.0005) cs_log_info("group start: waited %.0f ms for the decks to load", waited * 1000);
        if (!all) CTL_WARN(c, "group start: decks not ready after %.0f s; starting what is ready", START_WAIT_S);
        int g = p->group;
        for (int j = 0; j < MAX_PENDING; j++) {
            pstart *q = &c->pend[j];
            if (!q->used || q->group != g) continue;
            if (!slot_ready(c, resolve_deck(c, q->deck))) {
                CTL_WARN(c, "deck %c: not ready, left out of the group start", 'A' + q->deck);
                q->used = false;
                continue;
            }
            fire(c, q, at);
        }
    }
}

/* ---- deck commands (/cue, /play, /start_group, /fade) ---- */

static long base_id(int deck) { return 100 + 1000L * deck; }

int cs_control_cue(cs_control *c, int deck, const char *path, double start_pos)
{
    long id = base_id(deck);
    buffer *b = find(c, id);
    if (!b || !b->path || strcmp(b->path, path) != 0) {
        if (!(b = load(c, id, path, NULL))) return -1;
    }
    /* The original makes a new paused player: position back to start_pos. */
    if (prepare(c, b, start_pos, true) < 0) return -1;
    c->armed[deck] = id;
    cs_log_info("deck %c cued: %s at %.3f", 'A' + deck, path, b->frac);
    return 0;
}

int cs_control_play(cs_control *c, int deck, const char *path, double start_at)
{
    long id = base_id(deck);
    buffer *b = find(c, id);
    if (!b || !b->path || strcmp(b->path, path) != 0) {
        if (!(b = load(c, id, path, NULL))) return -1;
    }
    if (prepare(c, b, 0.0, true) < 0) return -1;
    b->played = true;
    return add_pending(c, (pstart){ .slot = slot_of(c, b), .deck = deck, .group = -1, .rate = 1.0,
                                    .volume = 0.8, .at = ctl_after(c, start_at),
                                    .deadline = ctl_after(c, start_at + START_WAIT_S) });
}

int cs_control_start_group(cs_control *c, double start_at, const int *decks, int n)
{
    int g = c->next_group++;
    for (int i = 0; i < n; i++) {
        if (add_pending(c, (pstart){ .slot = -1, .deck = decks[i], .group = g, .keep_playing = true,
                                     .rate = 1.0, .volume = 0.8, .at = ctl_after(c, start_at),
                                     .deadline = ctl_after(c, start_at + START_WAIT_S) }) < 0)
            return -1;
    }
    return 0;
}

int cs_control_fade(cs_control *c, int deck, double start_at, double duration)
{
    if (!isfinite(duration) || duration < 0) duration = 0;
    c->level[deck] = 0;
    return cs_engine_level(c->e, deck, 0.0, duration, ctl_after(c, start_at));
}

int cs_control_schedule_c_at(cs_control *c, double seconds)
{
    buffer *b = find(c, 2100);
    if (!b || !b->s) {
        CTL_ERROR(c, "/schedule_c_at: buffer 2100 is not loaded");
        return -1;
    }
    if (!isfinite(seconds) || seconds < 0) seconds = 0;
    uint64_t at = c->t0 + (uint64_t)llround(seconds * CS_RATE);
    if (prepare(c, b, 0.0, true) < 0) return -1;
    b->played = true;
    return add_pending(c, (pstart){ .slot = slot_of(c, b), .deck = 2, .group = -1, .rate = 1.0,
                                    .volume = 0.8, .at = at, .deadline = at + (uint64_t)(START_WAIT_S * CS_RATE) });
}

void cs_control_reset(cs_control *c)
{
    c->t0 = ctl_base(c);
    c->beats = 0;
    c->last_beat = -1;
}

void cs_control_cleanup(cs_control *c)
{
    for (int i = 0; i < MAX_PENDING; i++) c->pend[i].used = false;
    for (int i = 0; i < c->nbuf; i++)
        if (c->buf[i].used) release(c, &c->buf[i]);
    for (int d = 0; d < CS_DECKS; d++) c->armed[d] = -1;
    cs_log_info("mixer cleanup: all players and buffers cleared");
}

int cs_control_reserve_voices(cs_control *c, int n)
{
    if (n < 1 || n > c->nbuf) return -1;
    for (int i = c->nbuf - n; i < c->nbuf; i++)
        if (c->buf[i].used) return -1;
    c->nbuf -= n;
    return c->nbuf;
}

void cs_control_free(cs_control *c)
{
    if (!c) return;
    cs_ratelimit_flush(&c->rl_warn, true);
    cs_ratelimit_flush(&c->rl_late, true);
    ctl_bundles_free(c);
    for (int i = 0; i < CS_MAX_VOICES; i++) {
        free(c->buf[i].path);
        free(c->buf[i].name);
    }
    free(c);
}
