/* The tempo controller: movement -> target BPM -> clock-driven glide. */
#include "player/control/tempo.h"
#include "player/control/tempo_test.h"

#include <math.h>
#include <string.h>

/* Closer than this the glide is finished: far below what a listener or the
 * rung switcher can tell apart, and it lets "target reached" be exact. */
#define SNAP_BPM 0.005

cs_tempo_config cs_tempo_config_default(void)
{
    return (cs_tempo_config){
        .movement_max_value = 0.6,
        .th_very_very_low = 0.02,
        .th_very_low = 0.05,
        .th_low = 0.10,
        .th_medium = 0.15,
        .progressive_top = 0.60,
        .bpm_very_very_low = 105,
        .bpm_very_low = 110,
        .bpm_low = 115,
        .bpm_medium = 118,
        .bpm_high_max = 130,
        .rise_seconds = 30,
        .fall_seconds = 30,
        .idle_timeout_seconds = 0,      /* hold: the original has no timeout */
    };
}

bool cs_tempo_bpm_ok(double bpm)
{
    return isfinite(bpm) && bpm >= CS_TEMPO_BPM_MIN && bpm <= CS_TEMPO_BPM_MAX;
}

/* ---- mapping ------------------------------------------------------------- */

double cs_tempo_normalize(const cs_tempo_config *cfg, double value)
{
    if (!isfinite(value) || value < 0) return -1;
    if (value > 1) value /= cfg->movement_max_value;
    return value > 1 ? 1 : value;
}

static double target_for_normalized(const cs_tempo_config *c, double m)
{
    if (m < c->th_very_very_low) return c->bpm_very_very_low;
    if (m < c->th_very_low) return c->bpm_very_low;
    if (m < c->th_low) return c->bpm_low;
    if (m < c->th_medium) return c->bpm_medium;
    double span = c->progressive_top - c->th_medium;
    double frac = span > 0 ? (m - c->th_medium) / span : 1;
    if (frac > 1) frac = 1;
    return c->bpm_medium + (c->bpm_high_max - c->bpm_medium) * frac;
}

double cs_tempo_target_for(const cs_tempo_config *cfg, double movement)
{
    double m = cs_tempo_normalize(cfg, movement);
    return m < 0 ? NAN : target_for_normalized(cfg, m);
}

/* ---- glide --------------------------------------------------------------- */

/* Exponential approach over dt seconds.  exp() composes exactly
 * (e^-a * e^-b = e^-(a+b)), which is what makes the result independent of
 * the update rate; the direction cannot flip during a glide because the
 * approach never overshoots, so one time constant applies per call. */
static void glide(cs_tempo *t, double dt)
{
    double diff = t->current - t->target;
    if (diff == 0 || dt <= 0) return;
    double T = diff < 0 ? t->cfg.rise_seconds : t->cfg.fall_seconds;
    if (T > 0) t->current = t->target + diff * exp(-dt * log(100.0) / T);
    if (T <= 0 || fabs(t->current - t->target) <= SNAP_BPM) t->current = t->target;
}

static void advance_to(cs_tempo *t, double when)
{
    if (when <= t->now) return;
    glide(t, when - t->now);
    t->now = when;
}

double cs_tempo_update(cs_tempo *t, double now)
{
    if (!isfinite(now) || now <= t->now) return t->current;
    double timeout = t->cfg.idle_timeout_seconds;
    if (t->idle_armed && timeout > 0 && now >= t->movement_time + timeout) {
        /* Fire at the exact instant, not at the next update, so that the
         * update rate cannot change the curve. */
        advance_to(t, t->movement_time + timeout);
        t->target = t->base;
        t->idle_armed = false;
        t->idle = true;
    }
    advance_to(t, now);
    return t->current;
}

int cs_tempo_init(cs_tempo *t, const cs_tempo_config *cfg, double base_bpm, double now)
{
    memset(t, 0, sizeof *t);
    t->cfg = cfg ? *cfg : cs_tempo_config_default();
    int rc = cs_tempo_bpm_ok(base_bpm) ? CS_TEMPO_OK : CS_TEMPO_BAD_VALUE;
    t->base = t->current = t->target = rc == CS_TEMPO_OK ? base_bpm : 120.0;
    t->now = isfinite(now) ? now : 0;
    t->movement = NAN;
    t->movement_time = t->now;
    return rc;
}

int cs_tempo_movement(cs_tempo *t, double value, double now)
{
    cs_tempo_update(t, now);
    double m = cs_tempo_normalize(&t->cfg, value);
    if (m < 0) return CS_TEMPO_BAD_VALUE;
    t->movement = m;
    t->movement_time = t->now;
    t->idle_armed = true;
    t->idle = false;
    t->target = target_for_normalized(&t->cfg, m);
    return CS_TEMPO_OK;
}

int cs_tempo_set_target(cs_tempo *t, double bpm, double now)
{
    cs_tempo_update(t, now);
    if (!cs_tempo_bpm_ok(bpm)) return CS_TEMPO_BAD_VALUE;
    t->target = bpm;
    t->idle_armed = t->idle = false;
    return CS_TEMPO_OK;
}

int cs_tempo_jump(cs_tempo *t, double bpm, double now)
{
    cs_tempo_update(t, now);
    if (!cs_tempo_bpm_ok(bpm)) return CS_TEMPO_BAD_VALUE;
    t->current = t->target = bpm;
    t->idle_armed = t->idle = false;
    return CS_TEMPO_OK;
}

double cs_tempo_current(const cs_tempo *t) { return t->current; }
double cs_tempo_target(const cs_tempo *t) { return t->target; }
double cs_tempo_base(const cs_tempo *t) { return t->base; }
double cs_tempo_last_movement(const cs_tempo *t) { return t->movement; }
bool cs_tempo_is_idle(const cs_tempo *t) { return t->idle; }
