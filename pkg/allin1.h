/* allin1 (mir-aidj/all-in-one) track-structure JSON, read with cJSON.
 *
 * Accepted leniently, as real files are: numbers as integers or floats,
 * "bpm": null, a missing "path" (NULL), missing beats/downbeats, extra keys,
 * "file_path" as a fallback for "path", unsorted or duplicated segments
 * (sorted by start, exact duplicates dropped, counted in n_warnings).
 * Rejected with a reason: not JSON, not an object, no "segments" array,
 * a segment without numeric start/end, end < start, NaN/negative times, a
 * non-numeric "bpm", a bpm outside 0..1000.
 *
 *   cs_struct s = {0};
 *   if (cs_allin1_load("track.json", &s, &err) < 0) puts(err.msg);
 *   ...
 *   cs_struct_free(&s);
 */
#ifndef CS_ALLIN1_H
#define CS_ALLIN1_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/track.h"

/* Files larger than this are refused ("too large") without being read. */
#define CS_ALLIN1_MAX_BYTES (64L * 1024 * 1024)

int cs_allin1_parse(const char *text, size_t len, const char *name, cs_struct *out, cs_err *err);
int cs_allin1_load(const char *file, cs_struct *out, cs_err *err);

/* Median-interval tempo of the beats (0 with fewer than 2 beats). */
double cs_beats_bpm(const cs_dvec *beats);

#endif
