/* The export pipeline: for every selected track, decode → cut [ini_cue,
 * end_cue] once → stretch to each target BPM → write (temporary + rename)
 * → record in the render cache, in parallel over tracks × rungs.  Parts the
 * cache says are up to date are not redone; a killed run leaves only whole
 * files under final names, and the re-run does the rest.
 *
 * The pipeline never sees the database: the render cache is an interface
 * (cs_render_cache: up to date? / record) that db/render_cache.c implements
 * over the library.  Progress is a callback the command draws.
 *
 *   cs_render_cache cache = cs_render_cache_db(db);          // db/render_cache.h
 *   cs_export_opts o = { .parts_dir = "parts", .targets = ladder, .ladder = true, ... };
 *   cs_export_row *rows; size_t n; cs_export_stats st;
 *   cs_export_run(&cache, &o, tracks, n_tracks, &rows, &n, &st, &err);
 *   cs_export_csv_write("selected.csv", rows, n, NULL, &err); // pkg/export_csv.h
 *   cs_export_rows_free(rows, n);
 */
#ifndef CS_EXPORT_PIPELINE_H
#define CS_EXPORT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include "pkg/audio.h"
#include "pkg/err.h"
#include "pkg/export_csv.h"
#include "pkg/stretch.h"
#include "pkg/track.h"

/* One finished part, as the render cache records it. */
typedef struct cs_render_rec {
    long track_id;
    double target_bpm;        /* <= 0 for the original-speed cut */
    const char *method, *quality, *format;
    double ini_cue, begin_cue, end_cue, speed;
    const char *out_path;     /* absolute */
    long long out_size;       /* bytes */
    long long frames;
    int rate;                 /* Hz */
    double gain_db;
    const char *fingerprint;  /* 16 hex digits: source identity, cues, tempo, method, format */
} cs_render_rec;

/* Where finished parts are remembered between runs.  Called from worker
 * threads, one call at a time (the pipeline holds its lock). */
typedef struct cs_render_cache {
    void *ctx;
    /* true when out_path is recorded with this fingerprint and the file on
     * disk still has the recorded size; *frames / *rate get its length. */
    bool (*up_to_date)(void *ctx, const char *out_path, const char *fingerprint, long long *frames,
                       int *rate);
    /* Records a part just written; 0, or -1 with err. */
    int (*record)(void *ctx, const cs_render_rec *r, cs_err *err);
} cs_render_cache;

/* Progress of a run, handed to the progress callback. */
typedef struct cs_export_progress {
    size_t done, total;       /* parts finished / to render this run */
    double elapsed_s;
    bool final;               /* the last call (every part finished) */
} cs_export_progress;

typedef struct cs_export_opts {
    const char *parts_dir;        /* as given: used verbatim in the CSV */
    const char *audio_dir;        /* fallback for audio lookup by file name */
    cs_dvec targets;              /* target BPMs; empty: each track's own BPM */
    double max_stretch;           /* stretch budget: targets beyond a track's own BPM
                                     × (1 ± max_stretch) are not rendered for it; <= 0: none */
    bool ladder;                  /* PARTS/<bpm>/ layout (else PARTS/) */
    cs_stretch_method method;
    cs_stretch_quality quality;
    bool plain_atempo;            /* WSOLA without beat anchors (the original's) */
    cs_audio_format format;
    int rate;                     /* output rate, 0: the source's */
    int jobs;                     /* worker threads, >= 1 */
    bool force;                   /* redo up-to-date parts */
    /* Called on the calling thread every progress_every seconds while parts
     * render, and once at the end (final); NULL: none. */
    void (*progress)(void *arg, const cs_export_progress *p);
    void *progress_arg;
    double progress_every;        /* seconds */
} cs_export_opts;

typedef struct cs_export_stats {
    long tracks;          /* selected */
    long rendered;        /* parts written this run */
    long up_to_date;      /* parts skipped as up to date */
    long skipped;         /* tracks left out: audio missing, cues outside audio */
    long failed;          /* tracks with a part that could not be written */
    long saved;           /* parts not rendered: beyond the stretch budget (max_stretch) */
} cs_export_stats;

/* Renders the parts of tracks[0..n) and hands back one row per track and
 * target (*rows, free with cs_export_rows_free).  -1 only when nothing could
 * be attempted (e.g. parts dir not creatable); per-track problems are
 * logged, counted and left out of rows. */
int cs_export_run(const cs_render_cache *cache, const cs_export_opts *o, const cs_lib_track *tracks,
                  size_t n, cs_export_row **rows, size_t *n_rows, cs_export_stats *st, cs_err *err);

#endif
