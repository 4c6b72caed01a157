/* allin1 (mir-aidj/all-in-one) track-structure JSON, read with cJSON.
 *
 * Accepted leniently, as real files are: numbers as integers or floats,
 * "bpm": null, a missing "path" (NULL), missing beats/downbeats, extra keys,
 * "file_path" as a fallback for "path", unsorted or duplicated segments
 * (sorted by start, exact duplicates dropped, counted in n_warnings; the
 * first repair is described in s.warning without the file name).
 * A file with segments but no bpm/beats (a post-processed copy) loads with
 * bpm 0 and empty vectors; callers decide it is unusable for export.
 * Times before 0 are repaired with a warning (a section is clipped at 0,
 * one that ends by 0 dropped; beats and downbeats before 0 dropped): an
 * analyser's first beat at -0.013 s must not lose the track.
 * Rejected with a reason naming the file: not JSON (with line and column),
 * trailing data, not an object, no "segments" array, a segment that is not
 * an object or lacks numeric start/end, end < start, non-finite times or
 * times beyond +-CS_TIME_MAX_S (also in beats/downbeats), a non-numeric "bpm" (the string "120"
 * included), a bpm outside 0..1000, beat positions that are not small
 * integers, a file larger than CS_ALLIN1_MAX_BYTES.
 *
 *   cs_struct s = {0};
 *   if (cs_allin1_load(file, &s, &err) < 0) puts(err.msg);
 *   else if (s.n_warnings) printf("%s: %s\n", file, s.warning);
 *   char *json = cs_allin1_to_json(&s);     // allin1's own layout
 *   ...
 *   free(json);
 *   cs_struct_free(&s);
 */
#ifndef CS_ALLIN1_H
#define CS_ALLIN1_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/track.h"

/* Files larger than this are refused ("too large") without being read. */
#define CS_ALLIN1_MAX_BYTES (64L * 1024 * 1024)

/* The largest struct time in seconds (about 3,200 years): far beyond any
 * audio, and small enough that seconds x 384 kHz x 64 channels x 4 bytes
 * stays below 2^64, so no size computed from a struct time can wrap. */
#define CS_TIME_MAX_S 1.0e11

int cs_allin1_parse(const char *text, size_t len, const char *name, cs_struct *out, cs_err *err);
int cs_allin1_load(const char *file, cs_struct *out, cs_err *err);

/* The struct as allin1 writes it: a pretty object (2-space indent, number
 * arrays on one line) with keys path, bpm, beats, downbeats, beat_positions,
 * segments and, when set, key and source; no final newline.  Numbers are the shortest
 * text that reads back to the same double (Python's repr), so load(to_json(s))
 * equals s exactly, and a real allin1 file is reproduced byte for byte.  A
 * NULL path is written as null.  Returns a malloc'd string, NULL when out of
 * memory. */
char *cs_allin1_to_json(const cs_struct *s);

/* Median-interval tempo of the beats, in BPM: 60 / the median of the
 * positive intervals between successive beats (0 with fewer than 2 beats or
 * no positive interval).  -1 when out of memory: the caller reports it
 * rather than storing "no tempo" for a track that has one. */
double cs_beats_bpm(const cs_dvec *beats);

#endif
