/* Where a track's audio is: the one policy cs index, cs export and cs play
 * use (cs_find_track_audio), and the name lookups it is made of: a file
 * name in a folder (`--audio-dir`, the struct file's folder), compared the
 * way the Rekordbox matching compares names:
 * Unicode normalisation and letter case do not matter (cs_path_fold), so a
 * struct `path` written on macOS in NFD finds "Été.wav" stored in NFC, and
 * the reverse.
 *
 *   char *a = cs_find_audio_by_name("/music", "E\u0301te\u0301.wav");  // "/music/Été.wav"
 *   char *b = cs_find_audio_by_stem("/music", "Été");                // "/music/Été.flac"
 */
#ifndef CS_FINDAUDIO_H
#define CS_FINDAUDIO_H

/* What is known of a track, for cs_find_track_audio.  Every field may be
 * NULL (or ""): that place is not looked in. */
typedef struct cs_audio_where {
    const char *path;         /* the audio path its source wrote (a struct's `path`, a decoded Location) */
    const char *struct_path;  /* the struct file: its folder is looked in, its stem names the audio when path is empty */
    const char *audio_dir;    /* --audio-dir */
    const char *location;     /* the matched library entry's audio (a decoded Rekordbox Location) */
    const char *known;        /* the path an earlier run found (the library's audio_path) */
} cs_audio_where;

/* Which place answered (cs_find_track_audio's order). */
typedef enum cs_audio_place {
    CS_AUDIO_NOWHERE = 0,
    CS_AUDIO_AT_PATH,         /* 1. path, as written */
    CS_AUDIO_IN_AUDIO_DIR,    /* 2. path's file name (or the struct's stem) in audio_dir */
    CS_AUDIO_BESIDE_STRUCT,   /* 3. the same in the struct file's folder */
    CS_AUDIO_AT_LOCATION,     /* 4. location */
    CS_AUDIO_KNOWN,           /* 5. known */
} cs_audio_place;

/* A track's audio file, looked for in this order, the first regular file
 * found winning:
 *   1. w->path as written;
 *   2. in w->audio_dir: w->path's file name (cs_find_audio_by_name), or,
 *      when w->path is empty, the audio named after w->struct_path's stem
 *      (cs_find_audio_by_stem: "Song.json" -> "Song.wav");
 *   3. the same in w->struct_path's folder;
 *   4. w->location;
 *   5. w->known (kept while it still exists: an earlier --audio-dir's find).
 * Names compare folded (NFD finds NFC, case blind).  Newly allocated path as
 * found (not made absolute: the caller may want the name before symlinks
 * resolve), *place (may be NULL) says which step; or NULL with errno ENOMEM
 * when out of memory (never "not found" then), else errno 0: not found.
 * Any thread (it only reads the file system). */
char *cs_find_track_audio(const cs_audio_where *w, cs_audio_place *place);

/* dir/name when that is a regular file; else the one regular file in dir
 * whose name folds equal to name's.  Newly allocated path ("dir/entry"), or
 * NULL: with errno ENOMEM when out of memory (never a "not found" then),
 * else errno 0: none, several (ambiguous: e.g. "A.wav" and "a.wav"), dir
 * unreadable. */
char *cs_find_audio_by_name(const char *dir, const char *name);

/* The audio file in dir whose name is stem plus an audio extension (.wav,
 * .aiff, .aif, .flac, .mp3, .m4a, .aac, .ogg, .opus, .mp4, .wma, any case),
 * stems compared folded as above; when several extensions are there, the
 * first in that list wins (lossless first).  This is how a struct file
 * without `path` finds its audio: allin1 names "Song.json" after
 * "Song.wav".  Newly allocated, or NULL (errno as above). */
char *cs_find_audio_by_stem(const char *dir, const char *stem);

/* Newly allocated stem of a path's file name (no folder, no extension), or
 * NULL when out of memory. */
char *cs_file_stem(const char *path);

#endif
