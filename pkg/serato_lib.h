/* A Serato DJ library into the collection model of pkg/rekordbox.h, so the
 * indexer stores it like any collection.  Serato keeps no grid in a library
 * file: BPM, key, beat grid and cues live in each audio file's tags
 * (pkg/serato_taglib.h, parsed by pkg/serato.h), crates in
 * _Serato_/Subcrates/NAME.crate.  Sources: docs/contract.md "Other DJ
 * libraries" (Serato).
 *
 * inputs: folders (scanned recursively for audio: .mp3 .flac .m4a .mp4
 * .aif .aiff .wav .ogg; hidden folders and _Serato_ skipped) and/or audio
 * files.  Crates come from the first _Serato_ folder found in or above
 * each input folder (or the first file's folder).
 *
 * Per audio file with a Serato tag (BeatGrid, Markers2 or Markers_; an Ogg
 * Vorbis file's Serato comments have another layout: one warning line, its
 * key and BPM tags only), or listed in a crate, on_track gets:
 *   track_id, path, location  the file's real path (path_only);
 *   name, artist, album, genre  the file's tags (name: the file name when
 *                       it has no title);
 *   average_bpm         the BeatGrid's last (terminal) marker BPM, float32
 *                       as Serato stores it; else the BPM tag (TBPM, BPM,
 *                       tmpo: often rounded to an integer);
 *   tonality            the key tag (TKEY, INITIALKEY, initialkey) as written;
 *   total_time          the audio's length, seconds;
 *   tempos              one row per BeatGrid marker (cs_serato_beatgrid);
 *   marks               Markers2's hot cues (type 0, num = slot) and loops
 *                       (type 4); where a Markers_ tag is present too, its
 *                       5 cue slots win (Serato reads it first: serato-tags
 *                       docs, Mixxx src/track/serato/tags.cpp).
 * MP3 positions are moved to the decoder's timeline (cs_serato_mp3_offset).
 * A tag that cannot be parsed is one warning line naming the file and the
 * tag; the track keeps what else it has.  A file TagLib cannot read is one
 * warning line and skipped.
 * on_playlist: folder ROOT, then each crate ("A%%B.crate" is crate B inside
 * A: ROOT/A/B), keys the tracks' real paths (key_type 0).  A crate path is
 * relative to its volume's root: tried against the folder holding _Serato_
 * (a drive's root), then against "/" (~/Music/_Serato_ on the system
 * drive), then by file name among the tracks read; a path with a ".."
 * component, or found nowhere, is one warning line and left out.
 *
 * Returns 0, or -1 with err when no input can be read at all (a missing
 * folder or file is a warning when another input is usable).  Same
 * callbacks and stats as cs_rekordbox_parse_file.  Any thread. */
#ifndef CS_SERATO_LIB_H
#define CS_SERATO_LIB_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/rekordbox.h"

int cs_serato_parse(const char *const *inputs, size_t n_inputs, const cs_rb_handler *h,
                    cs_rb_stats *stats, cs_err *err);

/* How much later than cs's decoder (FFmpeg, gapless) Serato places the
 * positions of an MP3 at path, in seconds (subtract it): what FFmpeg skips
 * at its start (pkg/decoder_offset.h: the encoder delay + 529 decoder
 * samples a LAME/Xing header states, 1105 samples = 25.06 ms for LAME's
 * default; 0 without the header) plus Mixxx's measured Serato offset,
 * 26 ms at 44.1 kHz and 24 ms at 48 kHz ("an estimate; tracks vary within
 * ~1 ms"; nothing known at other rates).  Source: mixxxdj/mixxx
 * src/track/serato/tags.cpp, SeratoTags::guessTimingOffsetMillis (PR
 * #2707).  Mixxx measured it on its FFmpeg decoder, whose timeline is the
 * stream's timestamps (src/sources/soundsourceffmpeg.cpp: frame index =
 * pts, the first audible frame at the stream's start_time), i.e. FFmpeg's
 * skip later than ours: hence the sum.  (The same timeline needs no shift
 * for Rekordbox in Mixxx's FFmpeg build, where cs moves Rekordbox's MP3
 * positions by the skip.)  Checked against Serato's own analyses of one
 * track (Holzhaus/serato-tags data/: LAME 3.100 MP3 first beat 0.304994 s,
 * the AIFF, FLAC and M4A 0.254858 s: 50.1 ms; this gives 51.1 ms).
 * *how (may be NULL): 1 the rule applied, 0 an unknown rate (0 s), -1 the
 * file could not be opened by FFmpeg (Mixxx's part alone). */
double cs_serato_mp3_offset(const char *path, int sample_rate, int *how);

/* Serato's library on this machine when none is named: "<home>/Music"
 * when "<home>/Music/_Serato_" is a folder.  Newly allocated; NULL with
 * err saying where it looked. */
char *cs_serato_default_dir(const char *home, cs_err *err);

#endif
