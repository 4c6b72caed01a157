/* The track-structure model: what one allin1 struct JSON says about a track.
 *
 * Vectors carry their length.  Times are seconds in the original audio file.
 * Segments are kept sorted by start with exact duplicates removed (see
 * allin1.c); labels are lower-case.
 */
#ifndef CS_TRACK_H
#define CS_TRACK_H

#include <stddef.h>

typedef struct cs_dvec {
    double *v;
    size_t n;
} cs_dvec;

typedef struct cs_ivec {
    int *v;
    size_t n;
} cs_ivec;

typedef struct cs_segment {
    double start, end;
    char *label;
} cs_segment;

typedef struct cs_segvec {
    cs_segment *v;
    size_t n;
} cs_segvec;

typedef struct cs_struct {
    char *path;             /* analysed audio path ("path"), NULL when absent */
    double bpm;             /* JSON bpm; 0 when absent or null */
    char *key;              /* JSON key, NULL when absent or empty */
    char *source;           /* JSON "source" (who made the struct, e.g.
                               "cs analyze 0.4.0"); NULL: allin1 */
    cs_dvec beats;
    cs_dvec downbeats;
    cs_ivec beat_positions;
    cs_segvec segments;
    int n_warnings;         /* repairs made while reading (sorted, deduped...) */
    char warning[256];      /* the first of them, for the log */
} cs_struct;

void cs_struct_free(cs_struct *s);
/* Appends [start, end) labelled `label` (copied); a segment shorter than
 * 1 ns is not added.  0, or -1 out of memory (v unchanged). */
int cs_segvec_push(cs_segvec *v, double start, double end, const char *label);

/* Mix cues in seconds of the original file (DESIGN.md, `cs export`). */
typedef struct cs_cues {
    double ini_cue;    /* end of the last segment labelled "intro" */
    double begin_cue;  /* start of the N-th section after ini_cue */
    double end_cue;    /* end of that section */
} cs_cues;

#endif
