/* Mix cues from the segment list (docs/contract.md "Cues and parts"):
 *   ini_cue   = end of the last segment labelled "intro";
 *   sections  = segments whose start >= ini_cue (1e-6 s tolerance), in order;
 *   begin_cue = start, end_cue = end of the N-th of them (N >= 1).
 * Returns CS_CUES_OK, CS_CUES_NO_INTRO, CS_CUES_TOO_FEW (fewer than N
 * sections after the intro, or N < 1) or CS_CUES_EMPTY (end_cue not after
 * ini_cue: a zero-length intro at 0 counted as its own section).  Segments must be sorted (allin1.c
 * does it).  Labels compare case-insensitively; the last "intro" wins, even
 * one that comes after a verse.  Cues are segment boundaries, never snapped
 * to beats.
 *
 *   cs_cues c;
 *   int rc = cs_cues_compute(&st.segments, 6, &c);
 *   if (rc != CS_CUES_OK) skip(...);            // CS_CUES_NO_INTRO, ...
 *   double begin_adj = cs_cue_adj(c.begin_cue, c.ini_cue, target_bpm / bpm);
 */
#ifndef CS_CUES_H
#define CS_CUES_H

#include "pkg/track.h"

enum { CS_CUES_OK = 0, CS_CUES_NO_INTRO = -1, CS_CUES_TOO_FEW = -2, CS_CUES_EMPTY = -3 };

int cs_cues_compute(const cs_segvec *segs, int n_sections, cs_cues *out);
/* Number of sections after the intro (-1 without intro). */
int cs_cues_sections_after_intro(const cs_segvec *segs);

/* Adjusted cue times in the stretched part: (cue - ini_cue) / speed. */
static inline double cs_cue_adj(double cue, double ini_cue, double speed)
{
    return (cue - ini_cue) / speed;
}

#endif
