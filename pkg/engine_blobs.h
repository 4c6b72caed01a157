/* Engine DJ's performance blobs (Engine Library m.db, PerformanceData in
 * schema 3, Track columns in 2.x) as the grid rows and marks of the
 * Rekordbox model.  Layouts from libdjinterop src/djinterop/engine/v2/
 * *_blob.cpp, summarised in docs/contract.md "Other DJ libraries"
 * (Engine DJ).  Each blob is a uint32 big-endian uncompressed size
 * and a zlib stream; inside, numbers are big-endian except the grid
 * markers, which are little-endian.
 *
 * beatData: double sample rate, double samples, uint8 is-set, the default
 * grid and the adjusted grid (read: the one Engine plays), each an int64
 * count and markers of 24 bytes (double sample offset, int64 beat number,
 * int32 beats to the next marker, int32 unknown).  Engine's first marker
 * sits a few beats before the first beat (beat -4, often at a negative
 * offset) and its last one past the end; each pair of markers is a
 * constant tempo.  A row starts at the first beat at or after 0 s in each
 * stretch; battito counts bars of 4 from beat number 0 (taken as a
 * downbeat: Engine's grids carry no other bar information).
 *
 * quickCues: int64 count, per cue uint8 label length, label, double sample
 * offset (-1: unset), 4 bytes ARGB; then the main cue.  Set cues become hot
 * cues (num = their slot) with their labels.
 */
#ifndef CS_ENGINE_BLOBS_H
#define CS_ENGINE_BLOBS_H

#include <stddef.h>
#include <stdint.h>
#include "pkg/err.h"
#include "pkg/rekordbox.h"

/* Largest uncompressed blob accepted (a zlib bomb stops here). */
#define CS_ENGINE_BLOB_MAX (16u << 20)

/* The inflated payload: newly allocated (free()), exactly the declared
 * size.  CS_ERR_FORMAT with err (no file name) when the header or stream is broken,
 * the size is 0 or above CS_ENGINE_BLOB_MAX, or the stream holds more or
 * less than declared; CS_ERR_NOMEM when out of memory. */
int cs_engine_inflate(const void *blob, size_t len, uint8_t **out, size_t *n_out, cs_err *err);

/* beatData as grid rows (newly allocated, sorted) and the sample rate it
 * states.  CS_ERR_FORMAT with err as above, or for counts larger than the data, a
 * grid without two usable markers, a sample rate outside (0, 1e6). */
int cs_engine_beatdata(const void *blob, size_t len, cs_rb_tempo **rows, size_t *n_rows,
                       double *sample_rate, cs_err *err);

/* quickCues as marks at sample_rate: marks newly allocated, each name
 * newly allocated (free both); unset cues are left out. */
int cs_engine_quickcues(const void *blob, size_t len, double sample_rate, cs_rb_mark **marks,
                        size_t *n_marks, cs_err *err);

/* Engine's key number (0 C, 1 Am, 2 G, ... round the circle of fifths:
 * Camelot 8 + k/2, B for even k, A for odd) as a classic name; NULL
 * outside 0..23. */
const char *cs_engine_key_name(int k);

#endif
