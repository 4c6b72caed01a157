/* Rekordbox playlists in the library (indexed by db/indexer_rb.c into
 * rb_playlists / rb_playlist_entries): a selection narrowed to one playlist
 * and put in its order, for `cs export --playlist` and `cs play --playlist`.
 * Other libraries' playlists would land in the same tables.
 *
 *   if (cs_playlist_apply(db, "Warm up", &tracks, &n, &not_selected, &err) < 0)
 *       usage error: err.msg names the playlists there are
 */
#ifndef CS_DB_PLAYLIST_H
#define CS_DB_PLAYLIST_H

#include <stddef.h>
#include "db/db.h"
#include "pkg/track.h"

/* Keeps, of tracks[*n] (library rows from cs_library_select), those in the
 * playlist `name` (a playlist's name, or its path "ROOT/Folder/Name" where
 * names repeat), in the playlist's order (a track listed twice keeps its
 * first place); the others are freed (*tracks may be reallocated).
 * *not_selected (may be NULL): entries of the playlist that are not among
 * the tracks (not analysed, not matched to the library, or left out by the
 * selection).  Returns 0; CS_ERR_USAGE with err when there is no such
 * playlist (err: `no playlist "X"; playlists: A, B, ...`, every one named,
 * truncated at the buffer: a bad --playlist value), < 0 with err on a
 * database error (CS_ERR_DB, CS_ERR_NOMEM, ...). */
int cs_playlist_apply(cs_db *db, const char *name, cs_lib_track **tracks, size_t *n, size_t *not_selected,
                      cs_err *err);

/* 1 when a failure is a usage error (err->code CS_ERR_USAGE: no such
 * playlist, or another bad option value on the way), 0 otherwise. */
int cs_playlist_err_is_usage(const cs_err *err);

#endif
