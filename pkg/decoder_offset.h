/* Decoder offsets between programs: the "26 ms problem" (issue 22 item 1,
 * dj-data-converter#3).
 *
 * FFmpeg (our decoder) honours what a file says about encoder delay and
 * priming and drops those samples at the start: for an MP3 with a LAME/Xing
 * header the encoder delay plus the MP3 decoder's own 529-sample delay
 * (libavformat/mp3dec.c: start_skip_samples = start_pad + 528 + 1), for an
 * AAC/M4A the priming its edit list gives (1024 or 2112 samples; FFmpeg's
 * mov demuxer skips what the edit list's media_time says).  Rekordbox's
 * timeline (and any decoder that ignores those headers) keeps them, so a
 * beat at FFmpeg time t is at t + offset in Rekordbox's grid and cues.
 *
 *   double off;
 *   if (cs_decoder_offset("x.mp3", &off, &err) == 0) inizio_ffmpeg = inizio_rb - off;
 *
 * The offset is read from FFmpeg itself, not from a table: the samples its
 * demuxer marks to skip at the start (AV_PKT_DATA_SKIP_SAMPLES on the first
 * packets), divided by the stream's sample rate.  0 for formats with
 * nothing to skip (WAV, FLAC, an MP3 without a LAME header: FFmpeg and
 * Rekordbox both keep the 529-sample decoder delay there).
 *
 * Returns 0 with *offset_s >= 0 (seconds), -1 when the file cannot be read
 * (message in err, naming the file; *offset_s 0).  Thread-safe; any thread.
 * Importers (Rekordbox here; Traktor, Serato, Engine, Mixxx) subtract it
 * from every imported grid anchor and cue time of a track. */
#ifndef CS_DECODER_OFFSET_H
#define CS_DECODER_OFFSET_H

#include "pkg/err.h"

int cs_decoder_offset(const char *path, double *offset_s, cs_err *err);

#endif
