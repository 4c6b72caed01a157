/* Audio buffers, decoding (FFmpeg libav*) and writing (libsndfile).
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

/* Decodes [start, end) seconds of any file FFmpeg reads (end <= 0: to the
 * end).  out_rate / out_channels 0 keep the source's.  Fails with a message
 * naming the file for missing, unreadable or non-audio files. */
int cs_audio_decode(const char *path, int out_rate, int out_channels,
                    double start, double end, cs_audio *out, cs_err *err);

/* Streaming decoder: converts to out_rate / out_channels (0: source). */
typedef struct cs_decoder cs_decoder;
cs_decoder *cs_decoder_open(const char *path, int out_rate, int out_channels, cs_err *err);
int cs_decoder_rate(const cs_decoder *d);
int cs_decoder_channels(const cs_decoder *d);
double cs_decoder_duration(const cs_decoder *d);     /* seconds, <0 unknown */
/* Reads up to `frames` frames into buf (interleaved); returns the frames read,
 * 0 at the end, -1 on error (message in err). */
long cs_decoder_read(cs_decoder *d, float *buf, size_t frames, cs_err *err);
int cs_decoder_seek(cs_decoder *d, double seconds, cs_err *err);
void cs_decoder_free(cs_decoder *d);

typedef enum cs_audio_format {
    CS_FMT_WAV16 = 0,
    CS_FMT_WAV24,
    CS_FMT_WAV32F,
    CS_FMT_FLAC16,
    CS_FMT_FLAC24,
} cs_audio_format;

/* Writes atomically: to "<dir>/.<name>.tmp.<pid>" then rename(2).  Samples
 * are written as given (callers apply gain; float-to-int conversion clips). */
int cs_audio_write(const char *path, const cs_audio *a, cs_audio_format fmt, cs_err *err);

#endif
