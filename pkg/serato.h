/* Serato DJ's tag payloads and crates, parsed into the collection model of
 * pkg/rekordbox.h (grid rows, marks, playlist paths).  Pure byte parsers:
 * no file access (pkg/serato_lib.c reads the files, pkg/serato_taglib.cpp
 * the tags).  Layouts from Holzhaus/serato-tags docs (serato_beatgrid.md,
 * serato_markers2.md, fileformats.md) and scripts/database_v2.py, as
 * summarised in docs/contract.md "Other DJ libraries" (Serato).
 *
 * Positions come out as Serato wrote them (seconds in Serato's timeline);
 * the caller moves MP3 positions to the decoder's (pkg/serato_lib.c).
 * Errors: -1 with err (no file name: the caller adds it) for a payload of
 * the wrong size, a count larger than the data, bad base64, an unknown
 * version; CS_ERR_NOMEM when out of memory.  Outputs are newly allocated
 * (free(), and each mark's name).  Any thread.
 */
#ifndef CS_SERATO_H
#define CS_SERATO_H

#include <stddef.h>
#include <stdint.h>
#include "pkg/err.h"
#include "pkg/rekordbox.h"

/* Largest payload accepted from a tag (Serato's own are a few kB; the
 * overview waveform, which we do not read, is the largest at ~3.8 kB). */
#define CS_SERATO_TAG_MAX (1u << 20)

/* Base64 as Serato writes it: LF (and CR, blanks) anywhere, padding
 * optional, and possibly one character more than a multiple of 4 (an 'A'
 * is appended then, as the serato-tags docs advise).  Decoding stops at
 * the first NUL (Markers2 is NUL-padded).  -1 for any other character. */
int cs_serato_base64(const char *text, size_t len, uint8_t **out, size_t *n_out, cs_err *err);

/* FLAC/Ogg Vorbis comments and MP4 atoms hold base64 of
 * "application/octet-stream\0" "\0" "<name>\0" + payload (name "Serato
 * BeatGrid", "Serato Markers2"); this decodes the text, checks the header
 * and returns the payload (newly allocated, the header removed).  -1 when
 * it is not base64 or the header is missing or names another tag. */
int cs_serato_unwrap(const char *text, size_t len, const char *name, uint8_t **out, size_t *n_out,
                     cs_err *err);

/* "Serato BeatGrid": 01 00, uint32 BE marker count, count-1 non-terminal
 * markers (float32 BE position s, uint32 BE beats to the next marker),
 * one terminal marker (float32 BE position s, float32 BE BPM), 1 footer
 * byte (in FLAC and M4A one byte more: the base64 padding).  One row per
 * marker: a non-terminal marker's BPM is its beats over
 * the time to the next marker; battito counts bars of 4 from the first
 * marker (Serato keeps no downbeats: its first marker is taken as beat 1),
 * metro "4/4".  *bpm gets the terminal marker's BPM.  -1 for a count of 0,
 * a size other than 7 + 8 x count, markers out of order, a BPM outside
 * (0, 1000), a position that is not finite. */
int cs_serato_beatgrid(const uint8_t *p, size_t n, cs_rb_tempo **rows, size_t *n_rows, double *bpm,
                       cs_err *err);

/* "Serato Markers2" as stored in the tag: 01 01, base64 (NUL-padded);
 * decoded: 01 01, entries (NUL-terminated type, uint32 BE length, data),
 * a final NUL.  CUE (00, index, uint32 BE ms, 00, RGB, 00 00, UTF-8 name)
 * becomes a hot cue (type 0, num = index, its colour and name); LOOP
 * (00, index, uint32 BE start ms, uint32 BE end ms, ..., name at byte 20)
 * a loop (type 4, num = index).  COLOR, BPMLOCK and unknown types are
 * skipped.  *bpm_lock (may be NULL) gets BPMLOCK's byte (0 when absent).
 * An entry whose length runs past the data stops the parse with -1; marks
 * read before stay in *marks (the caller frees them either way). */
int cs_serato_markers2(const uint8_t *p, size_t n, cs_rb_mark **marks, size_t *n_marks,
                       int *bpm_lock, cs_err *err);

/* The same entries, already base64-decoded (FLAC's payload after
 * cs_serato_unwrap is still the 01 01 + base64 form: use the above). */
int cs_serato_markers2_decoded(const uint8_t *p, size_t n, cs_rb_mark **marks, size_t *n_marks,
                               int *bpm_lock, cs_err *err);

/* "Serato Markers_" as ID3 (MP3/AIFF) holds it: 02 05, uint32 BE count,
 * entries of 22 bytes (start set (00 yes, 7f no), start ms, end set, end
 * ms, 6 bytes, colour, type 1 cue / 3 loop, locked), 4 bytes track colour;
 * numbers in "serato32" (7 bits per byte).  M4A's (its markers atom, after
 * cs_serato_unwrap) has entries of 19 bytes (uint32 BE start and end ms,
 * ffffffff unset; 00, 4 bytes, 00, RGB, type, locked) and 5 bytes after;
 * the size tells them apart.  The first 5 entries are cue
 * slots 0..4, the rest loop slots 0..  Set entries become marks as
 * Markers2's (no names: Markers_ has none).  *cue_slots gets a bit per cue
 * slot the tag has (set or not): Serato reads Markers_ first, so a slot it
 * has but leaves unset is unset (cs_serato_merge_markers).  -1 for a
 * count larger than the data or a size that is neither layout's. */
int cs_serato_markers_(const uint8_t *p, size_t n, cs_rb_mark **marks, size_t *n_marks,
                       unsigned *cue_slots, cs_err *err);

/* Markers_ over Markers2, as Serato does (serato-tags docs; Mixxx
 * src/track/serato/tags.cpp): for each of old's cue slots, old's position
 * wins (Markers2's name and colour kept) and a slot old has unset is
 * removed from m2; loops set in old replace m2's loop of the same slot.
 * m2 is updated in place (reallocated; names it drops are freed); old is
 * left as is.  0, or CS_ERR_NOMEM. */
int cs_serato_merge_markers(cs_rb_mark **m2, size_t *n2, const cs_rb_mark *old, size_t n_old,
                            unsigned cue_slots, cs_err *err);

/* A crate (_Serato_/Subcrates/NAME.crate): records of a 4-byte ASCII tag
 * and a uint32 BE length; each "otrk" record holds a "ptrk" record, the
 * track's path relative to its volume's root, UTF-16BE.  *paths gets them
 * in order as UTF-8 (newly allocated array and strings; free with
 * cs_serato_free_paths).  A record whose length runs past the data is an
 * error (-1; paths read before stay in *paths). */
int cs_serato_crate(const uint8_t *p, size_t n, char ***paths, size_t *n_paths, cs_err *err);
void cs_serato_free_paths(char **paths, size_t n);

void cs_serato_free_marks(cs_rb_mark *marks, size_t n);

#endif
