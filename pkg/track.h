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

/* Mix cues in seconds of the original file (docs/contract.md "Cues and parts"). */
typedef struct cs_cues {
    double ini_cue;    /* end of the last segment labelled "intro" */
    double begin_cue;  /* start of the N-th section after ini_cue */
    double end_cue;    /* end of that section */
} cs_cues;

/* A track as the library holds it (db/library.c selects them): the struct
 * file's model plus what Rekordbox said, the effective BPM and key, and the
 * mix cues of the selection.  Times in seconds of the original audio. */
typedef struct cs_lib_track {
    long id;
    double energy;           /* 0..1 (pkg/energy.h, measured by cs export); < 0: unknown */
    char *struct_path;
    char *analysed_path;     /* may be NULL */
    char *audio_path;        /* may be NULL */
    double json_bpm;         /* 0 when absent */
    double rb_bpm;           /* 0 when absent */
    double bpm;              /* effective */
    char *key;               /* effective key text, may be NULL */
    char *rb_name;           /* matched Rekordbox Name (title), may be NULL */
    char *rb_artist;         /* matched Rekordbox Artist, may be NULL */
    char *source;            /* who made the struct: "allin1", "cs analyze <version>",
                                "rekordbox" */
    cs_segvec segments;
    cs_dvec beats;
    cs_dvec downbeats;
    cs_cues cues;
    long struct_mtime_ns, struct_size;
    int left_out;            /* CS_LEFT_* (db/library.h): why the selection left it out */
    int sections;            /* sections after the intro (-1: no intro) */
} cs_lib_track;

/* Frees what t holds (strings, vectors) and zeroes it. */
void cs_lib_track_clear(cs_lib_track *t);
/* Frees the n tracks of t (their strings and vectors) and t itself. */
void cs_lib_tracks_free(cs_lib_track *t, size_t n);
/* The name a track is shown and sorted by: analysed path, else struct path. */
const char *cs_lib_track_name(const cs_lib_track *t);

#endif
