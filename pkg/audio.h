/* Audio buffers, decoding (FFmpeg libav*) and writing (libsndfile).
 * Neither library's header is included here: the API speaks in its own
 * types (cs_audio, cs_decoder, cs_audio_format); code that calls libsndfile
 * itself includes <sndfile.h> and pkg/audio_sf.h.
 *
 * A cs_audio holds interleaved float samples and carries its own length,
 * channel count and rate:
 *
 *   cs_audio a = {0};
 *   cs_err e;
 *   if (cs_audio_decode("x.mp3", 0, 0, 10.0, 20.0, &a, &e) < 0) ...;
 *   cs_audio_write("out.wav", &a, CS_FMT_WAV16, &e);
 *   cs_audio_free(&a);
 *
 * cs_decoder streams a file block by block (the player's reader thread).
 */
#ifndef CS_AUDIO_H
#define CS_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include "pkg/err.h"

typedef struct cs_audio {
    float *data;      /* frames * channels interleaved samples */
    size_t frames;
    int channels;
    int rate;
} cs_audio;

void cs_audio_free(cs_audio *a);
/* Allocates zeroed storage for frames*channels samples. */
int cs_audio_alloc(cs_audio *a, size_t frames, int channels, int rate);
static inline double cs_audio_seconds(const cs_audio *a)
{
    return a->rate > 0 ? (double)a->frames / a->rate : 0.0;
}
/* Largest |sample| (stretched float output may exceed 1.0: the exporter
 * derives one gain per track from the peaks of all its rungs). */
float cs_audio_peak(const cs_audio *a);
void cs_audio_gain(cs_audio *a, float gain);

/* Silences libav's own logging (once, thread-safe).  Every cs function that
 * calls libav does this itself; exposed for code that uses libav directly. */
void cs_av_quiet(void);

/* Decodes [start, end) seconds of any file FFmpeg reads (end <= 0: to the
 * end).  out_rate / out_channels 0 keep the source's.  Fails with a message
 * naming the file for missing, unreadable or non-audio files.
 *
 * The cut is sample-exact on the output grid: it holds frames
 * llround(start*rate) .. llround(end*rate)-1 of the whole decoded file
 * (fewer when the file ends first).  Time 0 is the stream's start time, as
 * for `ffmpeg -ss`.  Channel mapping: mono is copied to every output
 * channel, anything to mono is the average of the channels, other changes
 * use libswresample's default matrix. */
int cs_audio_decode(const char *path, int out_rate, int out_channels,
                    double start, double end, cs_audio *out, cs_err *err);
/* cs_audio_decode that also returns, in note[note_size], what had to be
 * worked around (cs_decoder_warning's text; "" when nothing), for the
 * caller to log as a warning naming the file. */
int cs_audio_decode_noting(const char *path, int out_rate, int out_channels, double start, double end,
                           cs_audio *out, char *note, size_t note_size, cs_err *err);

/* Streaming decoder: converts to out_rate / out_channels (0: source). */
typedef struct cs_decoder cs_decoder;
cs_decoder *cs_decoder_open(const char *path, int out_rate, int out_channels, cs_err *err);
double cs_decoder_duration(const cs_decoder *d);     /* seconds, <0 unknown */
/* True when the duration comes from the file's header or stream (frame
 * counts, Xing), false for a bitrate estimate (which may be far off). */
bool cs_decoder_length_known(const cs_decoder *d);
/* One line on what reading this file had to work around so far, into
 * buf[size]; returns 1 when there is something, 0 (buf "") when not:
 * - a header the libsndfile fast path would not trust (a WAV whose data
 *   size is 0, smaller than the file holds...): what it said and what
 *   FFmpeg, which then decodes the file, reads;
 * - damaged packets or frames skipped (count and source times in seconds;
 *   each costs a short gap), and whether nothing decodable followed them.
 * An ID3v2 tag appended after the audio is no damage: decoding stops at it. */
int cs_decoder_warning(const cs_decoder *d, char *buf, size_t size);
/* How many problems cs_decoder_warning describes (grows as damage is met). */
long cs_decoder_problems(const cs_decoder *d);
/* Reads up to `frames` frames into buf (interleaved); returns the frames read,
 * 0 at the end, -1 on error (message in err). */
long cs_decoder_read(cs_decoder *d, float *buf, size_t frames, cs_err *err);
/* Positions the next read at output frame llround(seconds * rate), exactly
 * (decodes from an earlier keyframe and drops what precedes it). */
int cs_decoder_seek(cs_decoder *d, double seconds, cs_err *err);
/* Output frame index of the next frame cs_decoder_read returns. */
long long cs_decoder_tell(const cs_decoder *d);
void cs_decoder_free(cs_decoder *d);

typedef enum cs_audio_format {
    CS_FMT_WAV16 = 0,
    CS_FMT_WAV24,
    CS_FMT_WAV32F,
    CS_FMT_FLAC16,
    CS_FMT_FLAC24,
} cs_audio_format;

/* Writes atomically: to "<dir>/.<name>.tmp.<pid>.<n>", fsync, then
 * rename(2); on any failure the temporary is removed and `path` is left as
 * it was.  Samples are written as given (callers apply gain; float-to-int
 * conversion clips instead of wrapping).  The format is chosen by `fmt`,
 * not by the file name's extension. */
int cs_audio_write(const char *path, const cs_audio *a, cs_audio_format fmt, cs_err *err);

#endif
