/* Engine DJ's library database (Engine Library/Database2/m.db, Engine DJ 2
 * and later: schema 2.x keeps the performance blobs in Track, schema 3 in
 * PerformanceData), read into the collection model of pkg/rekordbox.h,
 * read-only and never locked against a running Engine DJ (db/libdb.h).
 * Per Track row, on_track gets:
 *   track_id            Track.id as text (the playlists' keys);
 *   location            Track.path as stored (relative to the Engine
 *                       Library folder, e.g. "../Music/x.mp3");
 *   path                that path resolved lexically against the folder
 *                       (cs_engine_resolve); NULL, with a warning line, when
 *                       it climbs above "/"; path_only is set;
 *   name, artist, album, genre, comments  title, artist, album, genre, comment;
 *   average_bpm         bpmAnalyzed (else the truncated integer bpm);
 *   tonality            key (cs_engine_key_name);
 *   total_time          length, seconds;
 *   tempos, marks       beatData and quickCues (pkg/engine_blobs.h); a blob
 *                       that cannot be read is one warning line naming the
 *                       track, which keeps its BPM and key.
 * on_playlist: ROOT, then every Playlist as ROOT/<parents>/<title> with its
 * entries in their nextEntityId order (key_type 0).
 * Engine Prime 1.x libraries (schema 1.x, m.db + p.db) are refused with one
 * line.  Same signature as cs_rekordbox_parse_file. */
#ifndef CS_DB_LIB_ENGINE_H
#define CS_DB_LIB_ENGINE_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/rekordbox.h"

int cs_engine_parse_file(const char *path, const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err);

/* library_dir + "/" + rel (rel as is when absolute) with "." and ".."
 * resolved lexically into out (cap bytes).  -1 when rel is empty, climbs
 * above "/" or does not fit. */
int cs_engine_resolve(const char *library_dir, const char *rel, char *out, size_t cap);

/* ~/Music/Engine Library/Database2/m.db (or the 1.x m.db there) when it
 * exists; newly allocated; NULL with err saying where it looked. */
char *cs_engine_default_db(const char *home, cs_err *err);

#endif
