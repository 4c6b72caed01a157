/* Mixxx's library database (mixxxdb.sqlite), read into the collection model
 * of pkg/rekordbox.h, opened read-only and never locked against a running
 * Mixxx (db/libdb.h; a locked or inaccessible-WAL file is read as it is on
 * disk, with a warning).  Per `library` row not deleted (mixxx_deleted, its
 * track_locations.fs_deleted), on_track gets:
 *   track_id            library.id as text (the playlists' keys);
 *   path, location      track_locations.location (absolute; path_only);
 *   name, artist, album, genre, comments  title, artist, album, genre, comment;
 *   average_bpm         library.bpm (0 when <= 0);
 *   tonality            key_id 1..24 (keys.proto ChromaticKey: C..B major,
 *                       Cm..Bm) as a classic name, else the `key` text;
 *   total_time          duration, seconds;
 *   tempos              the beats blob (pkg/mixxx_beats.h) at the track's
 *                       samplerate; a blob that cannot be read is one warning
 *                       line naming the track, which keeps its BPM and key;
 *   marks               cues, positions / (2 x samplerate): Mixxx stores
 *                       engine samples (frames x 2) although schema.xml says
 *                       frames (Mixxx 2.4 CueDAO); hot cues (type 1) keep
 *                       their slot, the main cue (2) is a load cue (type 3),
 *                       loops (4) loops, jump/intro/outro (5..7) memory cues.
 * on_playlist: folder ROOT, the playlists not hidden (1 Auto DJ, 2 history)
 * as ROOT/<name> in order, folder ROOT/Crates and each crate as
 * ROOT/Crates/<name>; keys are library ids (key_type 0).
 * on_info: product "Mixxx", version "schema N" from settings.
 *
 * 0, or -1 with err naming the file (unreadable, not a Mixxx library, a
 * read error part way: tracks delivered before it stay delivered).  Same
 * signature as cs_rekordbox_parse_file, so the indexer treats it alike. */
#ifndef CS_DB_LIB_MIXXX_H
#define CS_DB_LIB_MIXXX_H

#include "pkg/err.h"
#include "pkg/rekordbox.h"

int cs_mixxx_parse_file(const char *path, const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err);

/* Where Mixxx keeps its library when none is named: the first of
 * <home>/.mixxx/mixxxdb.sqlite (Linux), the macOS sandboxed and plain
 * Application Support folders, and $LOCALAPPDATA/Mixxx (Windows) that
 * exists.  Newly allocated; NULL with err listing where it looked. */
char *cs_mixxx_default_db(const char *home, cs_err *err);

#endif
