/* cs_audio buffer helpers and the libav logging switch shared by the
 * decoder (audio_decode.c) and the WSOLA stretcher (stretch.c). */
#include "pkg/audio.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

void cs_audio_free(cs_audio *a)
{
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

int cs_audio_alloc(cs_audio *a, size_t frames, int channels, int rate)
{
    memset(a, 0, sizeof *a);
    if (channels <= 0 || rate <= 0) return -1;
    if (frames > SIZE_MAX / sizeof(float) / (size_t)channels) return -1;
    /* calloc(0) may return NULL; one spare sample keeps "no frames" valid. */
    a->data = calloc(frames * (size_t)channels + 1, sizeof(float));
    if (!a->data) return -1;
    a->frames = frames;
    a->channels = channels;
    a->rate = rate;
    return 0;
}

float cs_audio_peak(const cs_audio *a)
{
    float peak = 0.0f;
    size_t n = a->frames * (size_t)a->channels;
    for (size_t i = 0; i < n; i++) {
        float v = fabsf(a->data[i]);
        if (v > peak) peak = v;
    }
    return peak;
}

void cs_audio_gain(cs_audio *a, float gain)
{
    size_t n = a->frames * (size_t)a->channels;
    for (size_t i = 0; i < n; i++) a->data[i] *= gain;
}

/* libav prints to stderr by default; a library must not.  Errors reach the
 * caller through cs_err instead.  pthread_once makes this safe to call from
 * the exporter's worker threads. */
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet_init(void) { av_log_set_level(AV_LOG_QUIET); }
void cs_av_quiet(void) { pthread_once(&quiet_once, quiet_init); }
