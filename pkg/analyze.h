/* Track structure from audio alone (`cs analyze`): the same cs_struct an
 * allin1 JSON gives, made with the Queen Mary DSP library (analyze_qm.h).
 *
 *   cs_struct s;
 *   if (cs_analyze_file("a.flac", &s, &err) < 0) ...;   // err names the file
 *   char *json = cs_allin1_to_json(&s);                 // + "key", "source"
 *   cs_struct_free(&s);
 *
 * What it gives (times in seconds of the file):
 * - beats: qm TempoTrackV2 on a complex-domain onset function (11.6 ms
 *   frames), each beat then moved to the peak of a fine (1.45 ms) HFC
 *   onset function within +-12 ms, and a beat that strays more than 8 ms
 *   from the line through its 8 neighbours put back on that line (a lone
 *   off-beat onset must not bend the grid; tempo changes still follow);
 * - bpm: 60 / the slope of a least-squares line through the longest run of
 *   beats whose intervals stay within 3 % of each other (a tempo-changing
 *   track reports its longest steady part), rounded to 0.01;
 * - downbeats / beat_positions: the bar phase from qm DownBeat, 4 beats to
 *   the bar (CS_ANALYZE_BPB);
 * - key: qm GetKeyMode, the key most analysis frames agree on, as a classic
 *   name ("Am", "Eb"); NULL when none (silence);
 * - segments: "start" up to the first downbeat, then sections from qm
 *   ClusterMeltSegmenter's boundaries snapped to the nearest downbeat
 *   (closer than 4 bars to another boundary: dropped), sections longer
 *   than 32 bars split into 16-bar phrases, "end" after the last beat.
 *   The intro rule: the first section is "intro" and ends at the first
 *   boundary at least 8 bars after the first downbeat (the first large
 *   change in timbre); the others are labelled by segment type, "part_a",
 *   "part_b", ... (allin1's verse/chorus names would claim more than a
 *   timbre cluster knows);
 * - source: "cs analyze <version>".
 * The audio is decoded to mono at CS_ANALYZE_RATE first.
 */
#ifndef CS_ANALYZE_H
#define CS_ANALYZE_H

#include "pkg/audio.h"
#include "pkg/err.h"
#include "pkg/track.h"

/* The rate analysis runs at (qm-dsp's step and window sizes are chosen for
 * it): the same number as the set's CS_RATE (pkg/rate.h), another choice. */
#define CS_ANALYZE_RATE 44100
#define CS_ANALYZE_BPB 4

/* Analyses audio (any channels; mixed to mono; resampled by the caller to
 * any rate >= 8000).  path is copied into out->path (may be NULL).  Fails
 * on audio shorter than 8 beats' worth of onsets or out of memory. */
int cs_analyze_audio(const cs_audio *a, const char *path, cs_struct *out, cs_err *err);

/* Decodes `path` (anything FFmpeg reads) and analyses it; out->path is the
 * path as given. */
int cs_analyze_file(const char *path, cs_struct *out, cs_err *err);

/* The source string written into the JSON: "cs analyze <version>". */
const char *cs_analyze_source(void);

#endif
