/* Rekordbox XML collections, read with libxml2's streaming xmlTextReader so a
 * 50,000-track collection is never held in memory whole.  The reader never
 * loads external entities, DTDs or anything from the network, and refuses
 * entity expansion (an entity bomb is an error, not a hang).
 *
 * The caller gets one callback per TRACK of the COLLECTION (with its TEMPO and
 * POSITION_MARK children) and one per playlist NODE of PLAYLISTS (with its
 * TRACK keys).  Attributes missing from the file are NULL / 0.  A callback
 * returning non-zero stops the parse (result -1, err "<file>: stopped").
 *
 * Everything a callback receives is owned by the reader and valid only during
 * the call (storage is reused for the next track): copy what you keep.
 * Folders (NODE Type 0) are delivered when they open, before their children;
 * playlists (Type 1) when they close, with all their keys, so the callbacks
 * see the tree in document order, parents first.  Numbers are read in the C
 * locale whatever the process locale is.  An attribute whose value uses a
 * DTD entity is ignored (counted as a warning), so entity content never
 * reaches the caller.
 *
 *   cs_rb_handler h = { .ud = db, .on_track = store_track };
 *   if (cs_rekordbox_parse_file("rb.xml", &h, &err) < 0) ...
 */
#ifndef CS_REKORDBOX_H
#define CS_REKORDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include "pkg/err.h"

typedef struct cs_rb_tempo {
    double inizio;      /* seconds */
    double bpm;
    char metro[16];     /* "4/4" */
    int battito;        /* beat in bar at the marker, 1..4 */
} cs_rb_tempo;

typedef struct cs_rb_mark {
    char *name;
    int type;           /* 0 cue, 1 fade-in, 2 fade-out, 3 load, 4 loop */
    double start, end;  /* end < 0 when absent */
    int num;            /* hot cue number, -1 memory cue */
    int red, green, blue;   /* mark colour 0..255, -1 when absent */
} cs_rb_mark;

typedef struct cs_rb_track {
    char *track_id;     /* TrackID as written */
    char *path;         /* the file's path when the format gives one directly
                         * (Traktor); NULL: decode location (a URI), unless */
    bool path_only;     /* set: location is a key, not a URI; path is the
                         * only path (NULL: none usable) */
    char *name, *artist, *album, *genre, *kind, *location, *tonality;
    double average_bpm; /* 0 when absent or "0.00" */
    double total_time;  /* seconds, 0 when absent */
    cs_rb_tempo *tempos;
    size_t n_tempos;
    cs_rb_mark *marks;
    size_t n_marks;
    /* The remaining TRACK attributes (NULL / 0 when absent). */
    char *composer, *grouping, *remixer, *label, *mix, *comments, *date_added;
    char *colour;       /* "0x660099" as written */
    long size, year, bit_rate, sample_rate, play_count, rating;
    long disc_number, track_number;
} cs_rb_track;

typedef struct cs_rb_playlist {
    const char *path;        /* "ROOT/Folder/Playlist" (names joined by '/') */
    const char *name;
    int type;                /* 0 folder, 1 playlist */
    int key_type;            /* 0 keys are TrackIDs, 1 keys are Locations */
    char **keys;             /* TRACK Key values in order */
    size_t n_keys;
} cs_rb_playlist;

typedef struct cs_rb_info {
    const char *product, *version, *company;   /* PRODUCT, may be NULL */
    long entries;                              /* COLLECTION Entries, -1 absent */
} cs_rb_info;

typedef struct cs_rb_handler {
    void *ud;
    int (*on_info)(void *ud, const cs_rb_info *info);        /* optional */
    int (*on_track)(void *ud, const cs_rb_track *t);         /* optional */
    int (*on_playlist)(void *ud, const cs_rb_playlist *p);   /* optional */
} cs_rb_handler;

typedef struct cs_rb_stats {
    long tracks;        /* TRACKs delivered */
    long playlists;     /* playlist NODEs (Type 1) delivered; folders not counted */
    long warnings;      /* malformed attributes skipped, empty TEMPO/POSITION_MARK,
                         * Entries not matching the TRACK count, etc. */
} cs_rb_stats;

/* 0 on success.  < 0 on an unreadable (CS_ERR_IO) or malformed
 * (CS_ERR_FORMAT) file (err names the file, line and reason); tracks delivered before the error stay delivered. */
int cs_rekordbox_parse_file(const char *path, const cs_rb_handler *h,
                            cs_rb_stats *stats, cs_err *err);

#endif
