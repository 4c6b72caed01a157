/* The tempo controller: crowd movement in, a smoothly gliding BPM out
 * (docs/contract.md "Tempo rules").
 *
 * Pure state and arithmetic: no threads, no clock reads, no logging.  The
 * caller (the player's control thread) passes the time in seconds on any
 * monotonic clock and logs what the return codes report.  Every call takes
 * `now` and first advances the glide to it, so the result depends only on
 * when events happen, never on how often cs_tempo_update() is called: 43 Hz,
 * 172 Hz or irregular updates give the same BPM.
 *
 * Movement m (from /dance/total_movement): NaN, inf and negative values are
 * refused (CS_TEMPO_BAD_VALUE); values > 1 are divided by movement_max_value;
 * then clamped to [0, 1].  Target: m < 0.02 -> 105, < 0.05 -> 110,
 * < 0.10 -> 115, < medium (0.15) -> 118, else 118 + 12 * min((m - medium) /
 * (0.60 - medium), 1), so 0.375 -> 124 and >= 0.60 -> 130.
 *
 * Glide: exponential approach to the target that covers 99% of any step in
 * rise_seconds (upwards) or fall_seconds (downwards), 30 s each by default,
 * i.e. time constant T / ln(100); it snaps to the target within 0.005 BPM.
 *
 * Idle: by default the last tempo holds when movement stops arriving, as
 * in the original (its detector sends nothing while it sees no dancers, and
 * the server has no timeout: docs/osc.md "Movement from the detector").  With
 * idle_timeout_seconds > 0 (cs play --idle-timeout S), when movement has
 * been driving the target and none arrives for that long, the target
 * returns to the base BPM (a glide), at exactly last movement + timeout.  A manual target (cs_tempo_set_target,
 * /cs/bpm) or jump (cs_tempo_jump, /set_tempo) is never undone by the idle
 * timeout: a controller such as the original mixer_tracks.py that sends
 * /set_tempo and then falls silent keeps its tempo.  The next movement
 * message takes over again.
 *
 *   cs_tempo_config cfg = cs_tempo_config_default();
 *   if (cfg_file && cs_tempo_config_load(cfg_file, &cfg, &err) < 0) fail(err.msg);
 *   cs_tempo t;
 *   cs_tempo_init(&t, &cfg, 120.0, now());                 // --bpm
 *   // OSC /dance/total_movement m
 *   if (cs_tempo_movement(&t, m, now()) < 0) warn("movement %g ignored", m);
 *   // OSC /cs/bpm b: glide; /set_tempo b: at once
 *   if (cs_tempo_set_target(&t, b, now()) < 0) warn("bad bpm %g", b);
 *   if (cs_tempo_jump(&t, b, now()) < 0) warn("bad bpm %g", b);
 *   // every control tick
 *   double bpm = cs_tempo_update(&t, now());
 */
#ifndef CS_TEMPO_H
#define CS_TEMPO_H

#include <stdbool.h>
#include "pkg/err.h"

enum { CS_TEMPO_OK = 0, CS_TEMPO_BAD_VALUE = -1 };

/* The sane tempo range: BPMs outside [CS_TEMPO_BPM_MIN, CS_TEMPO_BPM_MAX]
 * (or non-finite) are refused, wherever they come from (/set_tempo, /cs/bpm,
 * --bpm, bpm_config.json).  20..300 holds every dance tempo (and its half
 * or double) while keeping a stray 1 (an OSC boolean read as a number) or
 * 1e9 out; in playback_rate mode the control side also keeps bpm / --bpm
 * within the engine's rates (CS_ENGINE_RATE_MIN..MAX). */
#define CS_TEMPO_BPM_MIN 20.0
#define CS_TEMPO_BPM_MAX 300.0

typedef struct cs_tempo_config {
    double movement_max_value;  /* values > 1 are divided by this (0.6) */
    double th_very_very_low;    /* 0.02 */
    double th_very_low;         /* 0.05 */
    double th_low;              /* 0.10 */
    double th_medium;           /* 0.15: start of the progressive range */
    double progressive_top;     /* 0.60: movement that reaches bpm_high_max */
    double bpm_very_very_low;   /* 105 */
    double bpm_very_low;        /* 110 */
    double bpm_low;             /* 115 */
    double bpm_medium;          /* 118 */
    double bpm_high_max;        /* 130 */
    double rise_seconds;        /* 30: time to cover 99% of a step up; 0 = jump */
    double fall_seconds;        /* 30: same for a step down */
    double idle_timeout_seconds;/* 0 (hold the last tempo); > 0: glide back to base after it */
} cs_tempo_config;

cs_tempo_config cs_tempo_config_default(void);

/* True for a finite BPM in [CS_TEMPO_BPM_MIN, CS_TEMPO_BPM_MAX]. */
bool cs_tempo_bpm_ok(double bpm);

/* Movement normalised to [0, 1], or -1 for NaN, inf or negative input. */
double cs_tempo_normalize(const cs_tempo_config *cfg, double value);

typedef struct cs_tempo {
    cs_tempo_config cfg;
    double base;            /* --bpm: the start and the idle return */
    double current, target;
    double now;             /* time the glide has been advanced to */
    double movement;        /* last accepted movement, normalised; NAN before any */
    double movement_time;
    bool idle_armed;        /* movement drives the target; idle may fire */
    bool idle;              /* the idle timeout fired; cleared by any new target */
} cs_tempo;

/* current = target = base_bpm.  CS_TEMPO_BAD_VALUE for a bad base (the
 * controller is then set up at 120). */
int cs_tempo_init(cs_tempo *t, const cs_tempo_config *cfg, double base_bpm, double now);
/* A /dance/total_movement value: sets the target (glide) and restarts the
 * idle clock.  CS_TEMPO_BAD_VALUE (and no change) for NaN/inf/negative. */
int cs_tempo_movement(cs_tempo *t, double value, double now);
/* A new target to glide to (/cs/bpm).  CS_TEMPO_BAD_VALUE for a bad BPM. */
int cs_tempo_set_target(cs_tempo *t, double bpm, double now);
/* current = target = bpm at once (/set_tempo).  CS_TEMPO_BAD_VALUE for a
 * bad BPM. */
int cs_tempo_jump(cs_tempo *t, double bpm, double now);
/* Advances the glide (and the idle clock) to now; returns the current BPM.
 * A now earlier than the last one (or not finite) advances nothing. */
double cs_tempo_update(cs_tempo *t, double now);

double cs_tempo_current(const cs_tempo *t);
double cs_tempo_target(const cs_tempo *t);
double cs_tempo_base(const cs_tempo *t);
/* Last accepted movement, normalised to [0, 1]; NAN before the first. */
double cs_tempo_last_movement(const cs_tempo *t);
bool cs_tempo_is_idle(const cs_tempo *t);

#endif
