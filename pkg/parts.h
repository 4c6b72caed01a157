/* Naming and planning of exported parts (docs/contract.md "Cues and parts").
 *
 *   single target:  PARTS/<stem>_sectioned.wav   + PARTS/orig/<stem>_sectioned.wav
 *   ladder:         PARTS/<bpm>/<stem>_sectioned.wav (bpm as %g) + PARTS/orig/...
 *
 * <stem> comes from the audio file's name (the original exporter's naming;
 * the struct file's when the audio is missing); it is made safe so that the
 * output can never leave PARTS: path separators, control characters and a
 * leading '.' become '_', and an empty or over-long stem is replaced.
 *
 *   char *stem = cs_part_stem("/s/06 - Greatest Feeling.json");   // "06 - Greatest Feeling"
 *   cs_dvec ladder; cs_bpm_list_parse("105:130:5", &ladder, &err); // 105,110,...,130
 */
#ifndef CS_PARTS_H
#define CS_PARTS_H

#include "pkg/err.h"
#include "pkg/track.h"

/* Newly allocated safe stem of a struct (or audio) file name. */
char *cs_part_stem(const char *file);
/* "118", "122.5" (printf %g) into buf[32]. */
char *cs_bpm_dirname(char *buf, double bpm);
/* The BPM list of `cs export --ladder` (its rungs, not player/set/ladder.h):
 * "105,110,118" or "A:B:STEP" (inclusive of B when it falls on the grid,
 * within 1e-9).  Values must be 1..999, at most 256 rungs; sorted and
 * deduplicated.  0; CS_ERR_USAGE on a bad spec, CS_ERR_NOMEM when out of
 * memory (err->code says which). */
int cs_bpm_list_parse(const char *spec, cs_dvec *out, cs_err *err);

/* The player keeps a rung's rate within +-max_dev (0.02: the ladder's
 * bound); a tempo between two neighbouring rungs a < b is covered when
 * b * (1 - max_dev) <= a * (1 + max_dev).  Counts the gaps of the rungs
 * bpm[0..n) (any order) where it is not, and describes the widest in
 * buf[size] ("rungs 100 and 110 BPM: 102..107.8 BPM play beyond +-2 %, at
 * up to x1.048"; "" when none).  Used by cs export --ladder, cs play --check
 * and cs play's set load (a track missing a middle rung). */
#define CS_LADDER_MAX_DEV 0.02   /* cs play's default rate bound (player/set/ladder.c) */
int cs_ladder_gaps(const double *bpm, size_t n, double max_dev, char *buf, size_t size);

#endif
