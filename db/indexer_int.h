/* Internals shared by the indexer's files (indexer.c: struct files, matching,
 * the run; indexer_rb.c: the Rekordbox collection; indexer_rbstruct.c:
 * structs from Rekordbox grids).  Not a public API. */
#ifndef CS_INDEX_INT_H
#define CS_INDEX_INT_H

#include <sys/stat.h>
#include "db/indexer.h"
#include "pkg/rekordbox.h"
#include "pkg/track.h"

/* The SQL list of library sources (cs_index_lib_label), for "source IN". */
#define CS_IX_LIB_SOURCES "('rekordbox','traktor','mixxx','engine','serato')"

/* A collection reader: the model of pkg/rekordbox.h, whatever the format. */
typedef int (*cs_ix_parse_fn)(const char *path, const cs_rb_handler *h, cs_rb_stats *stats,
                              cs_err *err);
/* The file given for library kind (NULL: not this run), its --from-* flag,
 * its reader. */
const char *cs_ix_lib_file(const cs_index_opts *o, int kind);
bool cs_ix_lib_from(const cs_index_opts *o, int kind);

typedef struct indexer {
    cs_db *db;
    const cs_index_opts *o;
    cs_index_stats *st;
    sqlite3_stmt *find, *ins_track, *upd_track, *del_segs, *ins_seg, *del_track;
    sqlite3_stmt *ins_rb, *ins_tempo, *ins_mark, *ins_pl, *ins_ple;
    sqlite3_stmt *ins_fail;    /* index_failures: a struct that did not index, and why */
    sqlite3_int64 collection_id;
    int kind;                        /* the library being read (cs_lib_kind) */
    /* Why a Rekordbox handler stopped the reader (the reader itself only
     * knows "stopped"): the library's error or "out of memory". */
    cs_err rb_why;
    /* Unknown key notations already warned about (warn once each). */
    char **unknown;
    size_t n_unknown, cap_unknown;
    /* Struct files seen in this run, to prune the rest. */
    char **seen;
    size_t n_seen, cap_seen;
    size_t n_audio_seen;       /* audio files met by the walk (a folder of audio, no structs) */
} indexer;

long long cs_ix_mtime_ns(const struct stat *sb);
/* Warns once per distinct key notation we do not know and counts it.
 * 0, or -1 out of memory (then nothing is counted: the caller fails). */
int cs_ix_note_key(indexer *ix, const char *key, const char *where);
void cs_ix_bind_text(sqlite3_stmt *s, int i, const char *v);   /* NULL/"" -> NULL */
int cs_ix_step(indexer *ix, sqlite3_stmt *s);                   /* step + reset; 0 if done */
/* Stores a struct as track `existing` (0: a new track) with its segments;
 * file, sb: the struct file's path and stat (mtime and size). */
int cs_ix_store_struct(indexer *ix, const char *file, const struct stat *sb,
                       sqlite3_int64 existing, const cs_struct *s, cs_err *err);
/* Library structs (indexer_rbstruct.c): drops those an allin1 or cs analyze
 * struct now covers (same collection track, or same audio path), or whose
 * collection track is gone, and for each library with its --from-* makes
 * one for every collection track with a grid and audio that has no other
 * struct (an earlier library's struct for the same path wins). */
int cs_ix_library_structs(indexer *ix, cs_err *err);
/* Replaces the stored collection of library kind when its file changed: 1
 * changed, 0 unchanged, -1 failed (previous collection kept). */
int cs_ix_index_library(indexer *ix, int kind, cs_err *err);
/* Matches struct files to collection tracks (rb_id), and library structs
 * whose collection was replaced to their track in the new one. */
int cs_ix_match(indexer *ix, cs_err *err);
/* After matching: one warning per library track whose Rekordbox match is
 * ambiguous (two TRACKs with its Location: the first was taken; its file
 * name several times in the collection under other folders: unmatched). */
int cs_ix_warn_ambiguous(indexer *ix, cs_err *err);   /* -1: a read failed (err set) */

/* index_failures under root (a folder being indexed) are forgotten: this
 * run records them again.  0, or -1 with err. */
int cs_ix_forget_failures(indexer *ix, const char *root, cs_err *err);
/* Warns for every library track whose stated BPM is half or double its beat
 * grid's (the library view's octave != 1).  0, or -1 with err. */
int cs_ix_warn_octaves(indexer *ix, cs_err *err);

#endif
