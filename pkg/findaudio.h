/* Finding a track's audio by file name in a folder (`--audio-dir`, the
 * struct file's folder), the way the Rekordbox matching compares names:
 * Unicode normalisation and letter case do not matter (cs_path_fold), so a
 * struct `path` written on macOS in NFD finds "Été.wav" stored in NFC, and
 * the reverse.
 *
 *   char *a = cs_find_audio_by_name("/music", "E\u0301te\u0301.wav");  // "/music/Été.wav"
 *   char *b = cs_find_audio_by_stem("/music", "Été");                // "/music/Été.flac"
 */
#ifndef CS_FINDAUDIO_H
#define CS_FINDAUDIO_H

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
