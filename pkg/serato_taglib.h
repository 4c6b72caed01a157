/* The raw Serato tags of one audio file, read through TagLib (Debian
 * libtag1-dev; pkg/serato_taglib.cpp is the thin extern "C" wrapper).
 * Where Serato keeps them (Holzhaus/serato-tags docs/fileformats.md):
 *   MP3, AIFF, WAV  ID3v2 GEOB frames described "Serato BeatGrid", "Serato
 *                   Markers2", "Serato Markers_": the payload bytes as is
 *                   (enc CS_SERATO_RAW); key TKEY, BPM TBPM;
 *   FLAC            Vorbis comments SERATO_BEATGRID, SERATO_MARKERS_V2,
 *                   SERATO_MARKERS: base64 text of an envelope
 *                   (enc CS_SERATO_B64, open with cs_serato_unwrap); key
 *                   INITIALKEY (else KEY), BPM BPM;
 *   Ogg Vorbis      key and BPM as FLAC's; Serato's own comments there
 *                   (serato_beatgrid, serato_markers2...) have another,
 *                   undocumented layout (serato-tags fileformats.md): not
 *                   read, ogg_serato says they are there;
 *   M4A/MP4         freeform atoms ----:com.serato.dj:beatgrid, :markersv2,
 *                   :markers, the same base64 envelopes; key
 *                   ----:com.apple.iTunes:initialkey (else :KEY), BPM tmpo.
 * Missing tags are NULL / 0.  The file is only read.
 */
#ifndef CS_SERATO_TAGLIB_H
#define CS_SERATO_TAGLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pkg/err.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { CS_SERATO_RAW = 0, CS_SERATO_B64 = 1 };

typedef struct cs_serato_raw {
    int enc;                  /* CS_SERATO_RAW or CS_SERATO_B64 */
    bool mp3;                 /* an MPEG audio file (the timing offset applies) */
    bool ogg_serato;          /* an Ogg Vorbis file with Serato comments (not read) */
    uint8_t *beatgrid, *markers2, *markers;   /* newly allocated, NUL-terminated */
    size_t n_beatgrid, n_markers2, n_markers; /* bytes, without that NUL */
    char *key, *bpm;          /* the plain tags as text (UTF-8), or NULL */
    char *title, *artist, *album, *genre;
    double length_s;          /* audio length, seconds (0: unknown) */
    int sample_rate;          /* Hz (0: unknown) */
} cs_serato_raw;

/* 0 with *out filled (free with cs_serato_raw_free), -1 with err naming
 * the file when TagLib cannot open it as audio, CS_ERR_NOMEM.  A tag
 * larger than CS_SERATO_TAG_MAX (pkg/serato.h) is left out and counted in
 * *oversize (may be NULL).  Any thread (TagLib's debug output is silenced
 * process-wide on the first call). */
int cs_serato_read_tags(const char *path, cs_serato_raw *out, int *oversize, cs_err *err);
void cs_serato_raw_free(cs_serato_raw *r);

#ifdef __cplusplus
}
#endif

#endif
