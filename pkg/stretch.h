/* Offline tempo change of a whole cs_audio: the exporter renders each rung
 * of a BPM ladder with it.
 *
 * speed = target_bpm / source_bpm; speed > 1 is faster and shorter.  Every
 * method returns exactly cs_stretch_out_frames(in->frames, speed) =
 * llround(in->frames / speed) frames, and a beat at t seconds of the input
 * lands at t / speed in the output (first frame to first frame, no delay).
 *
 *   CS_STRETCH_RUBBERBAND  librubberband offline (study, then process), pitch
 *                          kept; CS_STRETCH_BEST = R3 "finer" engine,
 *                          CS_STRETCH_FAST = R3 with the short window:
 *                          as cheap as R2 but beats within ~1.2 ms and
 *                          pitch within 0.2 % where R2 could not keep
 *                          both (see stretch.c).
 *                          Channels together (mono-compatible), one thread.
 *   CS_STRETCH_WSOLA       FFmpeg's atempo filter (WSOLA), pitch kept, ~20x
 *                          faster than R2 with audibly rougher transients.
 *   CS_STRETCH_RATE        windowed-sinc resampling, pitch follows the speed
 *                          like a turntable; exact timing, no artefacts.
 *
 * Output is float and may exceed +-1.0 (pitch-preserving methods overshoot
 * on transients).  Nothing here changes the gain: the caller takes
 * cs_audio_peak() of every rung of a track and applies one gain to all, so
 * rungs of the same track keep the same level.
 *
 *   cs_audio part, fast = {0};
 *   cs_err e;
 *   double speed = 125.0 / 122.5;
 *   if (cs_stretch_render(&part, speed, CS_STRETCH_RUBBERBAND, CS_STRETCH_BEST,
 *                         &fast, &e) < 0)
 *       cs_log_error("%s", e.msg);
 *   float peak = cs_audio_peak(&fast);   // > 1.0: lower the track's gain
 *   ...
 *   cs_audio_free(&fast);
 *
 * Calls are independent and thread-safe (each builds its own state); one
 * call uses one core.
 */
#ifndef CS_STRETCH_H
#define CS_STRETCH_H

#include <stdbool.h>
#include <stddef.h>
#include "pkg/audio.h"
#include "pkg/err.h"
#include "pkg/names.h"
#include "pkg/track.h"

/* One enum for the exporter and the player: RATE is the player's
 * "playback_rate" and the zero value, so a zeroed config never stretches. */
typedef enum cs_stretch_method {
    CS_STRETCH_RATE = 0,
    CS_STRETCH_RUBBERBAND,
    CS_STRETCH_WSOLA,
} cs_stretch_method;

typedef enum cs_stretch_quality {
    CS_STRETCH_BEST = 0,    /* rubberband R3 */
    CS_STRETCH_FAST,        /* rubberband R3, short window */
} cs_stretch_quality;

/* Speeds outside this range are refused (4x is two octaves of tempo). */
#define CS_STRETCH_MIN_SPEED 0.25
#define CS_STRETCH_MAX_SPEED 4.0

/* Renders `in` at `speed` into *out (allocated here; free with
 * cs_audio_free).  Same rate and channels as the input.  speed == 1 copies.
 * On failure *out is empty and err says why. */
int cs_stretch_render(const cs_audio *in, double speed, cs_stretch_method m,
                      cs_stretch_quality q, cs_audio *out, cs_err *err);

/* llround(in_frames / speed): the exact output length of every method. */
size_t cs_stretch_out_frames(size_t in_frames, double speed);

/* As cs_stretch_render, with the input's beats (seconds from its start,
 * ascending) as anchors: for CS_STRETCH_WSOLA every beat then lands exactly
 * on beat/speed (atempo alone drifts up to ~15 ms around it); other methods
 * already place beats within ~1 ms and ignore the anchors. */
int cs_stretch_render_anchored(const cs_audio *in, double speed, cs_stretch_method m,
                               cs_stretch_quality q, const cs_dvec *beats, cs_audio *out,
                               cs_err *err);

/* 0 when speed is finite and within [CS_STRETCH_MIN_SPEED, MAX]. */
int cs_stretch_check_speed(double speed, cs_err *err);

/* Method names with their aliases, case ignored (pkg/names.h).  A value
 * may carry CS_STRETCH_PLAIN: "atempo", WSOLA without beat anchors (the
 * original exporter's plain atempo); mask it off for the method. */
#define CS_STRETCH_PLAIN 0x100
extern const cs_name cs_stretch_method_names[];
extern const cs_name cs_stretch_quality_names[];
const char *cs_stretch_method_name(cs_stretch_method m);
/* name <-> enum through the tables; parse returns -1 when unknown. */
int cs_stretch_method_parse(const char *s, cs_stretch_method *m);
/* The method's name from the table: "rubberband", "wsola", "rate", or
 * "atempo" when plain (WSOLA without beat anchors, CS_STRETCH_PLAIN).  What
 * set.json, the render cache and the shard key record. */
const char *cs_stretch_label(cs_stretch_method m, bool plain);
/* "best", "fast" */
const char *cs_stretch_quality_name(cs_stretch_quality q);
int cs_stretch_quality_parse(const char *s, cs_stretch_quality *q);

#endif
