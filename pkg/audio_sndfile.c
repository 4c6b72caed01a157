/* The decoder's libsndfile fast path (see audio_int.h): uncompressed PCM
 * and float files at the output rate are read without probing or packets.
 * FLAC is not taken: libsndfile stops at the first damaged FLAC frame
 * without an error (a file damaged at 10 s of 20 s read as 9.85 s), where
 * FFmpeg skips the frame and decodes the rest.
 *
 * libsndfile believes the header: a WAV whose RIFF and data sizes were
 * never filled in (a recorder killed mid-take leaves them 0) reads as 0
 * frames although the audio is all there, and FFmpeg decodes all of it.  So
 * the fast path only decides alone when the header agrees with the file
 * (header_agrees); otherwise the file goes to FFmpeg, and what the header
 * claimed is kept in d->note for the caller's warning. */
#include "pkg/audio_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Formats whose chunks libsndfile cannot list: bytes a header may leave
 * unaccounted for (the header itself, small metadata chunks) before the
 * fast path distrusts it. */
#define HEADER_SLACK_BYTES (64 * 1024)

static int sample_bytes(int sub)
{
    switch (sub) {
    case SF_FORMAT_PCM_U8: case SF_FORMAT_PCM_S8: return 1;
    case SF_FORMAT_PCM_16: return 2;
    case SF_FORMAT_PCM_24: return 3;
    case SF_FORMAT_PCM_32: case SF_FORMAT_FLOAT: return 4;
    case SF_FORMAT_DOUBLE: return 8;
    default: return 0;
    }
}

/* The containers the fast path takes, by their first four bytes.  Asking
 * libsndfile about anything else would hand MP3s to its mpg123 backend,
 * which scans the file and prints to stderr before we turn it down. */
static bool fast_container(const char *path)
{
    unsigned char m[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    static const char *const magic[] = { "RIFF", "RF64", "FORM", "caff", "riff" };
    for (size_t i = 0; n == 4 && i < sizeof magic / sizeof magic[0]; i++)
        if (!memcmp(m, magic[i], 4)) return true;
    return false;
}

/* Does the header agree with the file?  Not when it declares no frames, nor
 * when one of its chunks (libsndfile lists what it parsed) runs past the
 * file's end: a data size of 0 makes the audio after it read as a bogus
 * chunk of a random size, a size larger than the file or a file cut short
 * leaves the data chunk too long, and a data size smaller than the audio
 * leaves much of the file in no chunk.  Metadata chunks after the audio
 * (artwork, LIST) are accounted for and keep the fast path. */
static bool header_agrees(SNDFILE *sf, const SF_INFO *info, int64_t data_bytes, int64_t file_bytes)
{
    if (info->frames <= 0 || info->frames > (int64_t)1 << 40) return false;
    SF_CHUNK_ITERATOR *it = sf_get_chunk_iterator(sf, NULL);
    if (!it) return file_bytes - data_bytes <= HEADER_SLACK_BYTES;
    /* The first entry is the container (RIFF/FORM) itself; the others with
     * their 8-byte headers and padding, after the 12-byte container
     * header, are the bytes the header accounts for. */
    int64_t accounted = 12;
    for (bool first = true; it; it = sf_next_chunk_iterator(it), first = false) {
        SF_CHUNK_INFO ci = {0};
        if (sf_get_chunk_size(it, &ci) != SF_ERR_NO_ERROR) continue;
        if ((int64_t)ci.datalen > file_bytes) return false;
        if (!first) accounted += 8 + (int64_t)ci.datalen + (ci.datalen & 1);
    }
    return file_bytes - accounted <= HEADER_SLACK_BYTES;
}

int cs_sf_open(cs_decoder *d, int out_rate, int out_channels, int64_t file_bytes)
{
    if (!fast_container(d->path)) return 0;
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(d->path, SFM_READ, &info);
    if (!sf) return 0;
    int major = info.format & SF_FORMAT_TYPEMASK, sub = info.format & SF_FORMAT_SUBMASK;
    int bps = sample_bytes(sub);
    int container = major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_AIFF ||
                    major == SF_FORMAT_W64 || major == SF_FORMAT_RF64 || major == SF_FORMAT_CAF;
    int och = out_channels > 0 ? out_channels : info.channels;
    int maps = info.channels == och || info.channels == 1 || och == 1;
    if (!container || !bps || info.samplerate <= 0 ||
        info.channels <= 0 || (out_rate > 0 && out_rate != info.samplerate) || !maps) {
        sf_close(sf);
        return 0;
    }
    double secs = (double)info.frames / info.samplerate;
    int64_t data_bytes = (int64_t)info.frames * bps * info.channels;
    if (!header_agrees(sf, &info, data_bytes, file_bytes)) {
        snprintf(d->note, sizeof d->note,
                 "its header says %.3f s of audio (%lld bytes) in a file of %lld bytes", secs,
                 (long long)data_bytes, (long long)file_bytes);
        sf_close(sf);
        return 0;
    }
    /* Float files may hold values past 1.0: keep them, as libav does. */
    sf_command(sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
    d->sf = sf;
    d->sf_frames = info.frames;
    d->src_rate = d->out_rate = info.samplerate;
    d->src_ch = info.channels;
    d->out_ch = och;
    d->duration = secs;
    d->length_known = true;
    return 1;
}

long cs_sf_read(cs_decoder *d, float *buf, size_t frames, cs_err *err)
{
    size_t sch = (size_t)d->src_ch, och = (size_t)d->out_ch;
    if (sch == och) {
        sf_count_t n = sf_readf_float(d->sf, buf, (sf_count_t)frames);
        if (n < 0 || (n == 0 && sf_error(d->sf))) return cs_err_setc(err, CS_ERR_IO, "%s: %s", d->path, sf_strerror(d->sf));
        d->out_pos += n;
        return (long)n;
    }
    if (d->sf_cap < frames) {
        float *p = realloc(d->sf_buf, frames * sch * sizeof *p);
        if (!p) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", d->path);
        d->sf_buf = p;
        d->sf_cap = frames;
    }
    sf_count_t n = sf_readf_float(d->sf, d->sf_buf, (sf_count_t)frames);
    if (n < 0 || (n == 0 && sf_error(d->sf))) return cs_err_setc(err, CS_ERR_IO, "%s: %s", d->path, sf_strerror(d->sf));
    for (sf_count_t i = 0; i < n; i++) {
        const float *src = d->sf_buf + (size_t)i * sch;
        float *dst = buf + (size_t)i * och;
        if (sch == 1) {
            for (size_t c = 0; c < och; c++) dst[c] = src[0];
        } else {   /* to mono: the average */
            float sum = 0;
            for (size_t c = 0; c < sch; c++) sum += src[c];
            dst[0] = sum / (float)sch;
        }
    }
    d->out_pos += n;
    return (long)n;
}

int cs_sf_seek(cs_decoder *d, double seconds, cs_err *err)
{
    int64_t target = llround(seconds * d->out_rate);
    if (target > d->sf_frames) target = d->sf_frames;
    if (sf_seek(d->sf, (sf_count_t)target, SEEK_SET) < 0)
        return cs_err_setc(err, CS_ERR_IO, "%s: cannot seek: %s", d->path, sf_strerror(d->sf));
    d->out_pos = target;
    return 0;
}
