/* Library operations: indexing struct JSONs and a Rekordbox XML into the
 * database (cs_index_run), and selecting tracks with their cues
 * (cs_library_select).
 *
 *   cs_index_opts o = { .struct_dir = "struct", .rekordbox_xml = "rb.xml" };
 *   cs_index_stats st;
 *   if (cs_index_run(db, &o, &st, &err) < 0) ...       // nothing usable
 *
 *   cs_lib_track *tr; size_t n;
 *   cs_library_select(db, &sel, &tr, &n, &sst, &err);
 *   ...
 *   cs_lib_tracks_free(tr, n);
 *
 * Per-file problems are logged as warnings (cs_log_warn) and counted; they
 * never stop the batch.
 */
#ifndef CS_LIBRARY_H
#define CS_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>
#include "db/db.h"
#include "pkg/select.h"
#include "pkg/track.h"

typedef struct cs_index_opts {
    const char *struct_dir;      /* NULL: no struct files this run */
    const char *rekordbox_xml;   /* NULL: keep the stored collection */
    const char *audio_dir;       /* where audio is found by file name */
    bool force;                  /* re-read unchanged files */
    bool from_rekordbox;         /* structs from the collection's grids and
                                    memory cues (db/index_rbstruct.c) */
} cs_index_opts;

typedef struct cs_index_stats {
    long scanned, indexed, unchanged, removed, failed;
    long rb_tracks, rb_playlists;  /* read, or stored when rb_unchanged */
    bool rb_unchanged, rb_failed, dir_failed;
    long matched, bpm_overridden, with_key, no_audio, unknown_keys;
    long no_bpm;                 /* library tracks without a BPM (never selected) */
    long warnings;
    long rb_structs, rb_struct_skipped;   /* --from-rekordbox: made/kept, no audio or grid */
    long total;                  /* tracks in the library afterwards */
} cs_index_stats;

/* Returns 0 when at least one given input was usable, -1 otherwise (err has
 * the reason).  Everything is written in one transaction. */
int cs_index_run(cs_db *db, const cs_index_opts *o, cs_index_stats *st, cs_err *err);

typedef struct cs_lib_track {
    long id;
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
    int left_out;            /* CS_LEFT_*: why the selection left it out */
    int sections;            /* sections after the intro (-1: no intro) */
} cs_lib_track;

/* Why a track is not selected, first reason only, in the order checked. */
enum { CS_LEFT_IN = 0, CS_LEFT_NO_BPM, CS_LEFT_BPM_OUT, CS_LEFT_KEY, CS_LEFT_NO_INTRO,
       CS_LEFT_TOO_FEW };

typedef struct cs_select_stats {
    long considered, no_bpm, bpm_out, key_out, no_intro, too_few, selected;
} cs_select_stats;

/* Tracks matching sel, with cues for sel->n_sections, ordered by analysed
 * path (struct path when absent). */
int cs_library_select(cs_db *db, const cs_selection *sel, cs_lib_track **out, size_t *n,
                      cs_select_stats *st, cs_err *err);
/* Every library track, same order; left_out says which ones sel leaves out
 * and why (cues are valid only for CS_LEFT_IN ones).  For `cs ls`. */
int cs_library_list(cs_db *db, const cs_selection *sel, cs_lib_track **out, size_t *n,
                    cs_select_stats *st, cs_err *err);
void cs_lib_tracks_free(cs_lib_track *t, size_t n);
/* The parts `cs export` recorded for a track whose files are still there
 * with their recorded size: tempo parts (their target BPMs, ascending, in
 * rungs as "105,110,115", truncated), original-speed cuts, bytes on disk;
 * missing counts recorded parts whose file is gone or changed. */
typedef struct cs_track_renders {
    long parts, orig, missing;
    long long bytes;
    char rungs[256];
} cs_track_renders;
int cs_library_renders(cs_db *db, long track_id, cs_track_renders *r, cs_err *err);

/* Why tracks were left out, as one line for people: "3 in the library, left
 * out: 1 no BPM, 2 too few sections after the intro (need 6)"; only the
 * reasons that count; "the library is empty" when nothing was considered.
 * Writes into buf (size bytes, truncated) and returns buf. */
char *cs_select_why(const cs_select_stats *st, int n_sections, char *buf, size_t size);
/* The name a track is shown and sorted by: analysed path, else struct path. */
const char *cs_lib_track_name(const cs_lib_track *t);

#endif
