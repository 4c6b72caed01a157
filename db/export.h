/* The export run: for every selected track, cut [ini_cue, end_cue] from its
 * audio once, then write the original-speed cut and one tempo-aligned part
 * per target BPM, in parallel over tracks x rungs, recording each finished
 * part in the library.  Parts already up to date are not redone; a killed run
 * leaves only whole files under final names (temporary name + rename).
 *
 *   cs_export_opts o = { .parts_dir = "parts", .targets = ladder, .ladder = true, ... };
 *   cs_export_row *rows; size_t n; cs_export_stats st;
 *   cs_export_run(db, &o, tracks, n_tracks, &rows, &n, &st, &err);
 *   ... write the CSV from rows ...
 *   cs_export_rows_free(rows, n);
 */
#ifndef CS_EXPORT_H
#define CS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "db/library.h"
#include "pkg/audio.h"
#include "pkg/stretch.h"

typedef struct cs_export_opts {
    const char *parts_dir;        /* as given: used verbatim in the CSV */
    const char *audio_dir;        /* fallback for audio lookup by file name */
    cs_dvec targets;              /* target BPMs; empty: each track's own BPM */
    bool ladder;                  /* PARTS/<bpm>/ layout (else PARTS/) */
    cs_stretch_method method;
    cs_stretch_quality quality;
    bool plain_atempo;            /* WSOLA without beat anchors (the original's) */
    cs_audio_format format;
    int rate;                     /* output rate, 0: the source's */
    int jobs;                     /* worker threads, >= 1 */
    bool force;                   /* redo up-to-date parts */
    int progress;                 /* 0 none, 1 periodic lines, 2 terminal bar */
} cs_export_opts;

typedef struct cs_export_row {
    const cs_lib_track *track;
    double target_bpm, speed;
    double begin_cue_adj, end_cue_adj;
    double duration_orig, duration_sectioned;   /* seconds */
    char *part_file_orig, *part_file;           /* parts_dir-relative as given */
} cs_export_row;

typedef struct cs_export_stats {
    long tracks;          /* selected */
    long rendered;        /* parts written this run */
    long up_to_date;      /* parts skipped as up to date */
    long skipped;         /* tracks left out: audio missing, cues outside audio */
    long failed;          /* tracks with a part that could not be written */
} cs_export_stats;

/* -1 only when nothing could be attempted (e.g. parts dir not creatable);
 * per-track problems are logged, counted and left out of rows. */
int cs_export_run(cs_db *db, const cs_export_opts *o, const cs_lib_track *tracks, size_t n,
                  cs_export_row **rows, size_t *n_rows, cs_export_stats *st, cs_err *err);
void cs_export_rows_free(cs_export_row *rows, size_t n);

#endif
