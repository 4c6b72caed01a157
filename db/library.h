/* The library's tracks: selecting them by BPM and key with their mix cues
 * (db/library.c), listing them with why each is left out and the parts
 * still on disk (db/library_ls.c, for `cs ls`).  The track type itself, cs_lib_track, is pkg/track.h's
 * (the export pipeline in pkg/ works on it without the database).
 *
 *   cs_lib_track *tr; size_t n;
 *   cs_library_select(db, &sel, &tr, &n, &sst, &err);
 *   ...
 *   cs_lib_tracks_free(tr, n);
 */
#ifndef CS_LIBRARY_H
#define CS_LIBRARY_H

#include <stddef.h>
#include "db/db.h"
#include "pkg/select.h"
#include "pkg/track.h"

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

/* Struct files the last cs index of their folder could not index
 * (index_failures), in path order: fn(arg, struct_path, reason) for each.
 * Returns how many, -1 on a database error (err). */
long cs_library_failures(cs_db *db, void (*fn)(void *arg, const char *path, const char *reason), void *arg,
                         cs_err *err);

/* Why tracks were left out, as one line for people: "3 in the library, left
 * out: 1 no BPM, 2 too few sections after the intro (need 6)"; only the
 * reasons that count; "the library is empty" when nothing was considered.
 * Writes into buf (size bytes, truncated) and returns buf. */
/* Stores each track's energy (pkg/energy.h) measured by an export:
 * tracks.energy of ids[i] = energy[i] where energy[i] >= 0, in one
 * transaction (db/library_energy.c).  0, or -1 with err. */
int cs_library_store_energy(cs_db *db, const long *ids, const double *energy, size_t n, cs_err *err);

char *cs_select_why(const cs_select_stats *st, int n_sections, char *buf, size_t size);

#endif
