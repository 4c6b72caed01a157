/* Internals of the streaming decoder (pkg/audio.h's cs_decoder), shared by
 * its FFmpeg path (audio_decode.c) and its libsndfile fast path
 * (audio_sndfile.c).  Not for use outside pkg/audio*.c. */
#ifndef CS_AUDIO_INT_H
#define CS_AUDIO_INT_H

#include "pkg/audio.h"

#include <stdbool.h>
#include <stdint.h>
#include <sndfile.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>

struct cs_decoder {
    char *path;
    /* Fast path: PCM/float WAV, AIFF, W64, RF64 and CAF files already at the
     * output rate, whose header agrees with the file, are read with
     * libsndfile (no probing, no packets); everything else goes through
     * libav below.  Both give the same samples (1/32768 scaling). */
    SNDFILE *sf;
    int64_t sf_frames;
    float *sf_buf;           /* source-channel frames when channels differ */
    size_t sf_cap;
    AVFormatContext *fmt;
    AVCodecContext *cc;
    AVStream *st;
    int si;
    SwrContext *swr;
    AVPacket *pkt;
    AVFrame *frm;

    int src_rate, src_ch;
    int out_rate, out_ch;
    int mid_ch;              /* channels leaving swr (before our own mapping) */
    int64_t start_pts;       /* stream start time in stream time base */
    double duration;
    bool length_known;       /* duration from the header/stream, not a bitrate estimate */
    int64_t end_byte;        /* audio ends here (a tag appended after it); -1: file end */

    int need_pos;            /* next frame's timestamp fixes src_next */
    int64_t src_next;        /* source index of the next decoded sample */
    int64_t src_skip;        /* drop source samples before this; -1 when done */
    int64_t out_pos;         /* output index of the next frame in the fifo */
    int64_t out_skip;        /* drop output frames before this */
    double seek_back;        /* seconds the current seek went before p_src */
    int64_t seek_src;        /* p_src of the current seek */
    int from_top;            /* decoding started at the file's beginning */

    int demux_eof, at_end, swr_flushed;
    /* Damage skipped so far (see cs_decoder_warning): packets, the source
     * times of the first and last (seconds), and whether any audio was
     * decoded after the last one (no: the rest of the file is damaged). */
    long damaged, bad_run;
    double dmg_first_s, dmg_last_s;
    bool good_after_damage;
    char note[320];          /* what the header said that the file did not bear out */

    float *mid;              /* swr output, mid_ch interleaved */
    size_t mid_cap;          /* frames */
    float *fifo;             /* converted frames not yet returned, out_ch */
    size_t fifo_off, fifo_n, fifo_cap;   /* frames */
};

/* audio_sndfile.c.  Opens d->path with libsndfile when the file is a PCM
 * or float file at the output rate whose channel change we do ourselves,
 * and its header agrees with the file's size (`file_bytes`).
 * Returns 1 when d reads this way; 0 when FFmpeg must decode it (then
 * d->note may say which header value the file does not bear out). */
int cs_sf_open(cs_decoder *d, int out_rate, int out_channels, int64_t file_bytes);
long cs_sf_read(cs_decoder *d, float *buf, size_t frames, cs_err *err);
int cs_sf_seek(cs_decoder *d, double seconds, cs_err *err);

#endif
