/* The original audio server's bpm_config.json: its "movement_bpm" section
 * read into the tempo controller's config (tempo.h), with our checks.
 *
 *   cs_tempo_config cfg = cs_tempo_config_default();
 *   if (cs_tempo_config_load("bpm_config.json", &cfg, &err) < 0) fail(err.msg);
 */
#ifndef CS_BPM_CONFIG_H
#define CS_BPM_CONFIG_H

#include "pkg/err.h"
#include "player/control/tempo.h"

/* Reads the original bpm_config.json schema: top-level "movement_bpm" with
 * movement_max_value, thresholds.{very_very_low,very_low,low,medium},
 * bpm_targets.{very_very_low,very_low,low,medium,high_max} and smoothing:
 * - transition_time_seconds: 99% of a step in that time, both directions;
 * - smoothing_factor_down at audio_loop_rate_hz (default 100): the
 *   original's per-tick factor for rises, as a time: rise_seconds =
 *   ln(100) / (rate * -ln(factor)); the shipped 0.92 at 100 Hz rises 99% in
 *   0.55 s while falls take transition_time_seconds, as the original rises
 *   fast and falls slowly (it ran the factor per audio block, so its speeds
 *   followed --buffer-size; here they follow the clock);
 * - smoothing_factor_up: never used by the original; warned about, unused;
 * - our rise_time_seconds / fall_time_seconds: 99% times, overriding both.
 * Keys it does not read are named in `warn` (one line, "; " between; NULL:
 * dropped), except text (description_*, notes) and a null
 * smoothing_factor_stable.  Missing keys, null values and a missing
 * "movement_bpm" keep what cfg holds.  Errors name the file: unreadable, not
 * JSON, a value that is not a number, a factor outside (0, 1), a section
 * that is not an object, or a result that fails cs_tempo_config_check().
 * cfg is changed only on success. */
int cs_tempo_config_load(const char *path, cs_tempo_config *cfg, cs_err *warn, cs_err *err);

/* The file the original reads when not told which: in the working folder. */
#define CS_BPM_CONFIG_DEFAULT "bpm_config.json"

/* cs play's config: `path` (--bpm-config) when given, else
 * CS_BPM_CONFIG_DEFAULT when it exists, else cfg unchanged.  *loaded = the
 * file read (NULL: none), for the log.  Errors as cs_tempo_config_load (a
 * default file that is there but broken is an error too: it was meant). */
int cs_tempo_config_pick(const char *path, cs_tempo_config *cfg, const char **loaded, cs_err *warn, cs_err *err);

/* Sanity of a config (e.g. after applying command-line overrides):
 * thresholds finite, within [0, 1] and non-decreasing; BPM targets within
 * CS_TEMPO_BPM_MIN..MAX; max value > 0; times finite and >= 0.  err says
 * which field. */
int cs_tempo_config_check(const cs_tempo_config *cfg, cs_err *err);

#endif
