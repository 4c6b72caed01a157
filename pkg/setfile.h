/* A set folder's manifest, `set.json` (docs/contract.md "The set folder"): what
 * `cs play --set DIR` needs that the export CSV lacks, so that the folder
 * plays on a machine without the library.  Every path in it is relative to
 * the set folder, so the folder can be copied or moved anywhere.
 *
 *   {"format":"cs-set","format_version":1,"cs_version":"0.9.0","csv":"set.csv",
 *    "selection":{"bpm":122.5,"delta":2,"keys":"Gm,Cm","n_sections":6},
 *    "ladder":true,"rungs":[110,115,...],"method":"rubberband","quality":"best",
 *    "audio_format":"wav16","rate":0,
 *    "tracks":[{"path":"/music/a.mp3","key":"Gm","bpm":122.5,"ini_cue":12.1,
 *               "begin_cue":40.3,"end_cue":71.4,"beats":[-0.49,0,0.49,...],
 *               "orig":{"file":"orig/a_sectioned.wav","bpm":0,"speed":1,
 *                       "frames":2606000,"bytes":10424044},
 *               "parts":[{"file":"110/a_sectioned.wav","bpm":110,"speed":0.898,
 *                         "frames":...,"bytes":...,"lufs":-14.2,
 *                         "true_peak_dbtp":-1.3}, ...]}]}
 *
 * beats: the track's beat grid inside its part, in seconds of the ORIGINAL
 * track after ini_cue (u, as pkg/ladderset.h): a rung at speed s has beat b
 * at part time b / s.  From the last beat at or before the part's start to
 * the first at or after its end.  downbeats (u, within 16 s of the part)
 * and sections (section starts inside the part, u) give the transition
 * planner its bars and phrases; absent in sets exported before them (bars
 * then count from the first beat, phrases every 8 bars).  frames: the part's length in its own
 * sample frames (libsndfile), bytes: its file size; `--check` compares both.
 * lufs / true_peak_dbtp: the part's integrated loudness (EBU R128) and true
 * peak as cs export measured them (pkg/loudness.h); absent when unknown.
 * loudness_slices: CS_LOUDNESS_SLICES (32) numbers, the loudness of each
 * 32nd of the part in LUFS to a tenth (null: silent), from which the player
 * gains a track by the stretch it plays alone; absent in parts measured
 * before them (the next export measures them from the file).
 *
 *   cs_setfile m = {0};
 *   if (cs_setfile_read("gig", &m, &err) < 0) fail(err.msg);
 *   if (cs_setfile_check("gig", &m) > 0) ...   // each bad part logged
 *   cs_setfile_to_lset("gig", &m, &set, &err);
 *   cs_setfile_free(&m);
 */
#ifndef CS_SETFILE_H
#define CS_SETFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "pkg/err.h"
#include "pkg/ladderset.h"
#include "pkg/loudness.h"
#include "pkg/track.h"

#define CS_SET_MANIFEST "set.json"
#define CS_SET_CSV "set.csv"
/* The format version changes only when an older cs would misread a new
 * manifest; fields an older reader can ignore are added without a change
 * (the reader ignores what it does not know, and refuses a higher version).
 * Version 1 grew each part's "lufs" and "true_peak_dbtp" (issue 19), each
 * track's "reach" and the top level's "max_stretch" (issue 20): older
 * manifests lack them and load as unmeasured, without a budget.  Each
 * part's "loudness_slices" came later in version 1 (absent: the integrated
 * loudness alone). */
#define CS_SET_FORMAT_VERSION 1

typedef struct cs_set_part {
    char *file;           /* relative to the set folder */
    double bpm;           /* target BPM; 0 for the original-speed cut */
    double speed;         /* bpm / the track's bpm (1 for the cut) */
    long long frames;     /* sample frames at the file's own rate */
    long long bytes;      /* file size */
    cs_loudness loud;     /* "lufs", "true_peak_dbtp"; -INFINITY: absent (older sets, silence) */
} cs_set_part;

typedef struct cs_set_track {
    char *path;           /* the original audio (the CSV's `path`) */
    char *key;            /* may be NULL */
    double bpm;           /* the track's own BPM */
    double energy;        /* 0..1 (pkg/energy.h), < 0: unknown ("energy" absent) */
    double ini_cue, begin_cue, end_cue;   /* seconds in the original */
    cs_dvec beats;        /* u, see above; may be empty */
    cs_dvec downbeats;    /* u, the grid's downbeats around the part; may be empty */
    cs_dvec sections;     /* u, section starts inside the part; may be empty */
    cs_set_part orig;     /* file NULL when absent */
    cs_set_part *parts;   /* sorted as exported */
    size_t n_parts;
    double reach_lo, reach_hi;   /* "reach": [lo, hi] BPM it plays within the
                                    export's stretch budget; 0, 0: absent */
} cs_set_track;

/* The selection that made the set (as `cs export` was given it). */
typedef struct cs_set_selection {
    bool has_bpm, has_delta, has_min, has_max;
    double bpm, delta, bpm_min, bpm_max;
    char *keys;           /* NULL: any key */
    long n_sections;
} cs_set_selection;

typedef struct cs_setfile {
    int format_version;
    char *cs_version;
    char *csv;            /* the CSV's name in the folder */
    cs_set_selection selection;
    bool ladder;
    cs_dvec rungs;        /* target BPMs (empty: each track's own) */
    char *method, *quality, *audio_format;
    int rate;             /* output rate, 0: the source's */
    double max_stretch;   /* "max_stretch": the budget in %, 0: none / absent */
    char *playlist;       /* exported with --playlist NAME: its tracks in its order; NULL: none */
    cs_set_track *tracks;
    size_t n;
} cs_setfile;

/* Appends a track (copies the strings; beats copied as given, in u). */
cs_set_track *cs_setfile_add_track(cs_setfile *m, const char *path, const char *key, double bpm,
                                   double ini_cue, double begin_cue, double end_cue);
/* Keeps only the beats (absolute seconds in the original) that frame the
 * part [ini_cue, end_cue], as u.  0, -1 out of memory. */
int cs_setfile_set_beats(cs_set_track *t, const double *beats, size_t n);
/* Keeps the downbeats (absolute seconds) within 16 s of the part and the
 * section starts inside it [ini_cue, end_cue), as u: what the transition
 * planner (pkg/transition.h) needs for bars and phrases.  0, -1 out of memory. */
int cs_setfile_set_grid(cs_set_track *t, const double *downbeats, size_t n, const cs_segvec *sections);
/* Measures dir/file (frames by libsndfile, bytes by stat) into a new part
 * of t (orig when bpm is 0).  -1 with err when it cannot be opened. */
int cs_setfile_add_part(cs_set_track *t, const char *dir, const char *file, double bpm, double speed,
                        cs_err *err);

/* Writes dir/set.json (temporary name + rename).  0 or -1 with err. */
int cs_setfile_write(const char *dir, const cs_setfile *m, cs_err *err);
/* Reads dir/set.json.  -1 with err naming the file and the reason when it
 * is missing, not JSON, of a newer format, or a part lacks its file. */
int cs_setfile_read(const char *dir, cs_setfile *m, cs_err *err);
/* Every part (and cut) present with the manifest's bytes and frames; each
 * missing or changed one is one error line naming it.  Returns how many
 * are bad (0: the set is whole). */
size_t cs_setfile_check(const char *dir, const cs_setfile *m);
/* The ladder set of the manifest: rung paths under dir, beat grids from
 * the manifest (no library).  0, -1 out of memory. */
int cs_setfile_to_lset(const char *dir, const cs_setfile *m, cs_lset *set, cs_err *err);
/* For a CSV played from a set folder: gives each track of set without a
 * grid the manifest's (matched by `path` and intro cue).  *got: how many
 * got one.  0, or -1 out of memory (err set; the track being copied keeps
 * no part of a grid). */
int cs_setfile_attach_beats(const cs_setfile *m, cs_lset *set, size_t *got, cs_err *err);

void cs_setfile_free(cs_setfile *m);

#endif
