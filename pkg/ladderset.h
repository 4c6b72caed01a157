/* A ladder set: the tracks a ladder-set playback walks through, each with
 * its section cues and its rungs (the same part rendered at several BPMs by
 * `cs export --ladder`).  Read from an export CSV (rows grouped by `path`)
 * or built by db/ladderset_db.c from the library; then probed, so that what
 * reaches the player is only what can be played.
 *
 * Musical time: "u" is seconds of the ORIGINAL track after ini_cue.  A rung
 * at speed s holds u at part time u / s, so every rung of a track shares one
 * beat grid in u: the library's beats (minus ini_cue) when known, else beat 0
 * at the part start with period 60 / bpm (the CSV says nothing more;
 * cs_lset_attach_beats in db/ladderset_db.h fills in the library's).
 *
 *   cs_lset set = {0};
 *   if (cs_lset_read_csv_parts("selected.csv", NULL, &set, &err) < 0) fail(err.msg);
 *   cs_lset_probe(&set);              // warns, drops unplayable rungs/tracks
 *   ... set.tracks[i].rungs[k].path ...
 *   cs_lset_free(&set);
 */
#ifndef CS_LADDERSET_H
#define CS_LADDERSET_H

#include <stdbool.h>
#include <stddef.h>
#include "pkg/err.h"
#include "pkg/loudness.h"
#include "pkg/track.h"

typedef struct cs_lset_rung {
    double bpm;           /* the rung's tempo (target_bpm) */
    double speed;         /* bpm / the track's bpm: part time = u / speed */
    char *path;           /* the part file, resolved */
    long long frames;     /* length in frames at CS_RATE (pkg/rate.h; after probing), 0 unknown */
    cs_loudness loud;     /* the part's, as exported (-INFINITY: not known) */
} cs_lset_rung;

typedef struct cs_lset_track {
    char *path;           /* the original audio (the CSV's `path`) */
    char *name;           /* shown in logs: the file name without extension */
    double bpm;           /* the track's own BPM (the export's reference) */
    double ini_cue;       /* seconds in the original */
    double begin_u;       /* begin_cue - ini_cue: where the next track comes in */
    double end_u;         /* end_cue - ini_cue: the part's end */
    cs_dvec beats;        /* beat times in u (sorted), empty: the CSV rule */
    cs_dvec downbeats;    /* downbeat times in u (sorted), empty: unknown */
    cs_dvec sections;     /* section starts in u (sorted), empty: unknown */
    int meter;            /* beats per bar, 0: from the downbeats (pkg/transition.h) */
    int key;              /* pkg/key.h code 0..23; CS_KEY_NONE (-1): unknown (the running order) */
    double energy;        /* 0..1 (pkg/energy.h); < 0: unknown (the running order) */
    cs_lset_rung *rungs;  /* sorted by bpm, distinct */
    size_t n_rungs;
    double gain_db;       /* loudness gain over the whole part (0: none; cs_lset_gains) */
    /* Set by cs_lset_gains for cs_lset_solo_gain: the level the part is
     * brought to before the player's chain (target - chain, LUFS; NAN: no
     * loudness matching), the highest true peak of its rungs (dBTP,
     * -INFINITY unknown) and the ceiling for it before the chain (dBTP). */
    double gain_level, gain_peak, gain_ceiling;
} cs_lset_track;

typedef struct cs_lset {
    cs_lset_track *tracks;
    size_t n;
    /* What did not make it, for cs_lset_why (filled by the readers and
     * cs_lset_probe): tracks listed before probing, export CSV rows
     * skipped (no path, bpm, target_bpm or part_file), tracks that came
     * with no part at all, tracks whose every part is missing or does not
     * decode. */
    size_t listed, rows_skipped, no_parts, unplayable;
} cs_lset;

/* Reads an export CSV.  With parts_dir NULL, part_file paths that are
 * relative resolve against the CSV's folder when the file is there, else the
 * working directory; a missing absolute one is looked for under the CSV's
 * folder by its last two components (rung folder, name), then its name (a
 * moved set).  With parts_dir, every part_file is looked for there first (as
 * given when relative, then by its last two components, then its name), as
 * `cs play --csv F --parts-dir D`.  Rows without a part_file or with unusable
 * numbers are skipped with a warning; an unreadable file or a header without
 * path / bpm / target_bpm / part_file is an error. */
int cs_lset_read_csv_parts(const char *csv_path, const char *parts_dir, cs_lset *set, cs_err *err);

/* Appends a track (copies name/path); returns it, NULL when out of memory. */
cs_lset_track *cs_lset_add_track(cs_lset *set, const char *path, double bpm, double ini_cue,
                                 double begin_u, double end_u);
/* Adds a rung to t (a rung of the same bpm replaces the old one), its
 * loudness unknown.  Returns its index in t->rungs (>= 0), -1 out of memory. */
int cs_lset_add_rung(cs_lset_track *t, double bpm, double speed, const char *path);

/* Opens every rung's file: a missing or undecodable one is dropped with a
 * warning; a track left without rungs is dropped (warned).  Then warns once
 * per track that lacks some rung the set's ladder has (it will play its
 * nearest one).  Returns the tracks left. */
size_t cs_lset_probe(cs_lset *set);

/* After cs_lset_probe: what was listed and why tracks are not playable, as
 * one line for people, e.g. "3 tracks listed, 0 playable; left out: 2 with
 * no rendered part, 1 with every part missing or undecodable; 4 CSV rows
 * skipped".  Writes into buf (size bytes, truncated) and returns buf. */
char *cs_lset_why(const cs_lset *set, char *buf, size_t size);

/* Loudness matching (issue 19): sets each track's gain_db so that it plays
 * at target_lufs after chain_db (the player's own fixed gain after the
 * part: voice volume, master gain), capped so that its true peak after the
 * gain and chain stays at or below max_peak_dbtp (cs_loudness_gain_db).  A
 * track's loudness is the mean of its measured rungs' LUFS (rungs of one
 * track differ by tenths of an LU), its peak their highest.  A track with no
 * measured rung gets the median gain of the others, with a warning.
 * Allocates nothing.  Returns how many tracks had a measured loudness (0:
 * every gain left 0). */
size_t cs_lset_gains(cs_lset *set, double target_lufs, double chain_db, double max_peak_dbtp);

/* A track's loudness as cs_lset_gains takes it: the mean of its measured
 * rungs' integrated loudness (LUFS) into *mean and their highest true peak
 * (dBTP) into *peak.  Returns how many rungs were measured (0: *mean and
 * *peak untouched).  Pure; any thread. */
size_t cs_lset_track_loudness(const cs_lset_track *t, double *mean, double *peak);

/* The gain (dB) for track t when it plays alone from in_end_u (u: where
 * the incoming fade ends; the part's first beat for the set's first track)
 * to its begin cue (begin_u, where the planner hands over near; the part's
 * end when that leaves under 2 s): cs_lset_gains's level minus the loudness
 * of that stretch (pkg/loudness.h cs_loudness_window, the mean over the
 * rungs with slices), capped as cs_lset_gains caps.  What is heard alone
 * is what is matched: on real music a part's stretches differ from its
 * integrated loudness by up to +-1 LU.  Without slices, or before
 * cs_lset_gains: t->gain_db.  *lufs (may be NULL): the stretch's loudness
 * (else the part's, NAN unknown).  *capped (may be NULL): true when the
 * true-peak ceiling lowered the gain, so the stretch plays under the
 * target (the caller says so).  Pure; any thread; no allocation. */
double cs_lset_solo_gain(const cs_lset_track *t, double in_end_u, double *lufs, bool *capped);

void cs_lset_free(cs_lset *set);

#endif
