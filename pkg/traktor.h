/* Traktor collections (collection.nml), read with the Rekordbox reader's
 * streaming core (pkg/rekordbox.c: libxml2 xmlTextReader, no external
 * entities, DTDs or network, entity content never delivered) into the same
 * model, so the indexer stores both alike.  Sources for every field:
 * docs/contract.md "Other DJ libraries" (Traktor).
 *
 * Per COLLECTION ENTRY the caller's on_track gets a cs_rb_track with:
 *   track_id, location  the LOCATION as Traktor keys it: VOLUME + DIR + FILE
 *                       ("D:/:Music/:x.mp3"), the key playlists use;
 *   path                the file's path (cs_traktor_path), NULL when the
 *                       entry has no LOCATION or its DIR/FILE try to climb
 *                       out with "..", or name a folder as the FILE;
 *   name, artist, album, genre, comments  TITLE, ARTIST, ALBUM TITLE,
 *                       INFO GENRE and COMMENT;
 *   average_bpm         TEMPO BPM (0 when absent);
 *   tonality            MUSICAL_KEY VALUE (0..11 C..B major, 12..23 Cm..Bm)
 *                       as a classic name ("G", "F#m"), else INFO KEY as
 *                       written (Open Key "2d" by default), else NULL;
 *   total_time          INFO PLAYTIME_FLOAT (else PLAYTIME), seconds;
 *   tempos              one row per grid marker (CUE_V2 TYPE 4), sorted by
 *                       position: inizio = START / 1000 (Traktor's
 *                       positions are milliseconds), bpm = the marker's
 *                       GRID BPM, else TEMPO BPM; battito 1 and metro
 *                       "4/4" (a Traktor grid marker is beat 1 of a bar);
 *                       none when the entry has no BPM;
 *   marks               the other CUE_V2: TYPE 0 cue, 1 fade-in, 2 fade-out,
 *                       3 load as Rekordbox types 0..3, TYPE 5 loop as type
 *                       4 with end = start + LEN; times in seconds; num =
 *                       HOTCUE (-1 memory cue, 0..7 hot cue slot).
 * Playlists: on_playlist per PLAYLISTS NODE: TYPE FOLDER as a folder
 * (type 0, "$ROOT" named "ROOT", so paths read like Rekordbox's), PLAYLIST
 * (type 1, key_type 0) with the PRIMARYKEY KEYs of its entries in order
 * (they equal the tracks' track_id); SMARTLIST nodes (queries, no entries)
 * are skipped with a warning.
 *
 * Errors, ownership, threads: as cs_rekordbox_parse_file (everything the
 * callbacks get lives until they return; any thread, one parse per call).
 */
#ifndef CS_TRAKTOR_H
#define CS_TRAKTOR_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/rekordbox.h"

int cs_traktor_parse_file(const char *path, const cs_rb_handler *h, cs_rb_stats *stats,
                          cs_err *err);

/* The path of a Traktor LOCATION, newly allocated: DIR's "/:" separators
 * become '/'; VOLUME "" gives DIR + FILE, a drive ("D:") gives
 * "D:/dir/file" (Windows), a name starting with '/' is prefixed as it is,
 * any other name is a macOS volume: "/Volumes/<VOLUME>/dir/file" (as Mixxx's
 * Traktor importer builds it).  NULL with errno EINVAL when DIR or FILE has a
 * ".." component or FILE is empty or holds '/'; ENOMEM when out of memory. */
char *cs_traktor_path(const char *volume, const char *dir, const char *file);

/* Where Traktor keeps its collection when none is named: the most recently
 * modified "<home>/Documents/Native Instruments/Traktor<version>/collection.nml"
 * (one folder per installed version; macOS and Windows alike under the
 * user's Documents).  Newly allocated; *n_found (may be NULL) gets how many
 * there were.  NULL with err saying where it looked when there is none
 * (CS_ERR_NOMEM-style "out of memory" when allocation failed). */
char *cs_traktor_default_nml(const char *home, int *n_found, cs_err *err);

#endif
