/* Indexing: struct JSONs and a Rekordbox XML into the library database
 * (db/indexer.c: struct files, matching, the transaction; db/indexer_rb.c:
 * the Rekordbox collection and playlists; db/indexer_rbstruct.c: structs
 * made from Rekordbox grids and memory cues).
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
#include "db/db.h"
#include "pkg/err.h"

typedef struct cs_index_opts {
    const char *struct_dir;      /* NULL: no struct files this run */
    const char *rekordbox_xml;   /* NULL: keep the stored collection */
    const char *audio_dir;       /* where audio is found by file name */
    bool force;                  /* re-read unchanged files */
    bool from_rekordbox;         /* structs from the collection's grids and
                                    memory cues (db/indexer_rbstruct.c) */
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

#endif
