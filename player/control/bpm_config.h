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
 * bpm_targets.{very_very_low,very_low,low,medium,high_max} and
 * smoothing.transition_time_seconds (both directions), plus our optional
 * smoothing.rise_time_seconds / fall_time_seconds.  Other keys (the
 * original's smoothing factors, descriptions, notes) are ignored; missing
 * keys, null values and a missing "movement_bpm" keep what cfg holds.
 * Errors name the file: unreadable, not JSON, a value that is not a number,
 * a section that is not an object, or a result that fails
 * cs_tempo_config_check().  cfg is changed only on success. */
int cs_tempo_config_load(const char *path, cs_tempo_config *cfg, cs_err *err);

/* Sanity of a config (e.g. after applying command-line overrides):
 * thresholds finite, within [0, 1] and non-decreasing; BPM targets within
 * (0, 1000]; max value > 0; times finite and >= 0.  err says which field. */
int cs_tempo_config_check(const cs_tempo_config *cfg, cs_err *err);

#endif
