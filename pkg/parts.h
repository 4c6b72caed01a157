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
/* The BPM list of `cs export --ladder` (its rungs, not player/surface/ladder.h):
 * "105,110,118" or "A:B:STEP" (inclusive of B when it falls on the grid,
 * within 1e-9).  Values must be 1..999, at most 256 rungs; sorted and
 * deduplicated.  0, -1 on a bad spec, CS_ERR_NOMEM when out of memory. */
int cs_bpm_list_parse(const char *spec, cs_dvec *out, cs_err *err);

#endif
