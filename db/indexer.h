/* Indexing: struct JSONs and DJ library collections (a Rekordbox XML, a
 * Traktor NML, a Mixxx database) into the library database (db/indexer.c: struct files,
 * matching, the transaction; db/indexer_rb.c: a collection and its
 * playlists, whatever its format, through the reader model of
 * pkg/rekordbox.h; db/indexer_rbstruct.c: structs made from a collection's
 * grids and memory cues).
 *
 *   cs_index_opts o = { .struct_dir = "struct", .rekordbox_xml = "rb.xml" };
 *   cs_index_stats st;
 *   if (cs_index_run(db, &o, &st, &err) < 0) ...       // nothing usable
 *
 * Per-file problems are logged as warnings (cs_log_warn) and counted; they
 * never stop the batch.
 */
#ifndef CS_DB_INDEXER_H
#define CS_DB_INDEXER_H

#include <stdbool.h>
#include <stddef.h>
#include "db/db.h"
#include "pkg/err.h"

/* The DJ libraries cs index reads; each is one collection in the rb_*
 * tables, labelled with cs_index_lib_label() (rb_collections.source, and
 * tracks.source of the structs made from it). */
typedef enum cs_lib_kind {
    CS_LIB_REKORDBOX, CS_LIB_TRAKTOR, CS_LIB_MIXXX, CS_LIB_ENGINE, CS_LIB_SERATO, CS_LIB_N
} cs_lib_kind;

/* "rekordbox", "traktor", "mixxx", "engine", "serato"; NULL outside 0..CS_LIB_N-1. */
const char *cs_index_lib_label(int kind);

typedef struct cs_index_lib_stats {
    long tracks, playlists;      /* read, or stored when unchanged */
    bool unchanged, failed;
    long structs, struct_skipped;  /* --from-*: made/kept, no audio or grid */
} cs_index_lib_stats;

typedef struct cs_index_opts {
    const char *struct_dir;      /* NULL: no struct files this run */
    const char *rekordbox_xml;   /* NULL: keep the stored collection */
    const char *audio_dir;       /* where audio is found by file name */
    bool force;                  /* re-read unchanged files */
    bool from_rekordbox;         /* structs from the collection's grids and
                                    memory cues (db/indexer_rbstruct.c) */
    const char *traktor_nml;     /* NULL: keep the stored Traktor collection */
    bool from_traktor;           /* as from_rekordbox, for Traktor's */
    const char *mixxx_db;        /* NULL: keep the stored Mixxx collection */
    bool from_mixxx;
    const char *engine_db;       /* NULL: keep the stored Engine DJ collection */
    bool from_engine;
    /* Serato (pkg/serato_lib.h): music folders and/or audio files, read
     * again on every run (the tags live in the audio files); NULL / 0: keep
     * the stored Serato collection. */
    const char *const *serato;
    size_t n_serato;
    bool from_serato;
} cs_index_opts;

typedef struct cs_index_stats {
    long scanned, indexed, unchanged, removed, failed;
    long rb_tracks, rb_playlists;  /* read, or stored when rb_unchanged */
    bool rb_unchanged, rb_failed, dir_failed;
    long matched, bpm_overridden, with_key, no_audio, unknown_keys;
    long no_bpm;                 /* library tracks without a BPM (never selected) */
    long warnings;
    long rb_structs, rb_struct_skipped;   /* --from-rekordbox: made/kept, no audio or grid */
    cs_index_lib_stats lib[CS_LIB_N];     /* per library (lib[CS_LIB_REKORDBOX] = the rb_ ones) */
    long total;                  /* tracks in the library afterwards */
} cs_index_stats;

/* Returns 0 when at least one given input was usable, -1 otherwise (err has
 * the reason).  Everything is written in one transaction. */
int cs_index_run(cs_db *db, const cs_index_opts *o, cs_index_stats *st, cs_err *err);

#endif
