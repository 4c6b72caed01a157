/* Mixxx's beat grids: the library.beats blob as the grid rows of the
 * Rekordbox model (cs_rb_tempo), so cs_struct_from_rekordbox() and the
 * indexer treat them as any collection's grid.  Sources: Mixxx
 * src/proto/beats.proto and src/track/beat*.cpp, summarised in
 * docs/contract.md "Other DJ libraries" (Mixxx).
 *
 * library.beats_version says which message the blob holds:
 *   "BeatGrid-2.0"  BeatGrid { Bpm bpm = 1 { double bpm = 1 };
 *                              Beat first_beat = 2 { int32 frame_position = 1 } }:
 *                   one row at frame_position / sample_rate with bpm;
 *   "BeatMap-1.0"   BeatMap { repeated Beat beat = 1 { int32 frame_position = 1;
 *                             bool enabled = 2 [default true] } }: the enabled
 *                   beats, one row per stretch of beats that a constant tempo
 *                   places within 1 ms (a new row where one would not);
 *   "BeatGrid-1.0"  Mixxx 1.x: 16 bytes, native (little-endian) doubles bpm
 *                   and first beat in engine samples (frames x 2).
 * frame_position is read as a varint (mainline int32) or as a fixed64 double
 * (a development branch's beats.proto), whichever the wire type says.  Rows
 * count beats in bars of 4 from the first beat (battito 1 there; Mixxx keeps
 * no downbeats), metro "4/4".
 */
#ifndef CS_MIXXX_BEATS_H
#define CS_MIXXX_BEATS_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/rekordbox.h"

/* rows: newly allocated (free()), *n_rows of them, sorted by inizio
 * (seconds).  CS_ERR_FORMAT with err (no file name) for an unknown version, a corrupt
 * or truncated blob, no beat, sample_rate <= 0, or a BPM outside (0, 1000);
 * CS_ERR_NOMEM when out of memory.  Any thread. */
int cs_mixxx_beats(const char *version, const void *blob, size_t len, double sample_rate,
                   cs_rb_tempo **rows, size_t *n_rows, cs_err *err);

#endif
