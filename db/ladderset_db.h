/* A ladder set (pkg/ladderset.h) from the library: tracks matching a
 * selection, with their beats, and the rungs recorded in `renders` for the
 * same cues (only those under parts_dir when it is given).  Tracks without
 * rungs stay in the set with none (cs_lset_probe drops them, warned).
 *
 *   cs_lset set = {0};
 *   cs_select_stats st;   // why the selection left tracks out (cs_select_why)
 *   if (cs_lset_from_library(db, &sel, "parts", &set, &st, &err) < 0) fail(err.msg);
 */
#ifndef CS_LADDERSET_DB_H
#define CS_LADDERSET_DB_H

#include "db/db.h"
#include "db/library.h"
#include "pkg/ladderset.h"

int cs_lset_from_library(cs_db *db, const cs_selection *sel, const char *parts_dir, cs_lset *set,
                         cs_select_stats *st, cs_err *err);
/* The same narrowed to a playlist and in its order (db/playlist.h; NULL:
 * none); CS_ERR_USAGE (cs_playlist_err_is_usage) when there is no such
 * playlist. */
int cs_lset_from_playlist(cs_db *db, const cs_selection *sel, const char *playlist, const char *parts_dir,
                          cs_lset *set, cs_select_stats *st, cs_err *err);

/* For a set read from an export CSV (which holds no beats): each track
 * whose `path` is a library track's (analysed, struct or audio path) and
 * whose intro cue lies on one of that track's beats (within 1 ms) takes
 * those beats as its grid, instead of the CSV rule (beat 0 at the part
 * start, every 60 / bpm), which drifts on a track whose tempo does.
 * *got: how many tracks got beats.  0, or -1 with err set (out of memory,
 * a failed read: the tracks counted in *got keep their grids, the rest the
 * CSV rule). */
int cs_lset_attach_beats(cs_db *db, cs_lset *set, size_t *got, cs_err *err);

#endif
