/* Decoding with libavformat/libavcodec/libswresample (cs_decoder and
 * cs_audio_decode, declared in audio.h).
 *
 * Positions are counted in output frames.  Sample-exact seeking works like
 * this: the decoder seeks to a keyframe a little before the target, reads
 * the first frame's timestamp to learn where it landed, then counts samples.
 * Source samples are dropped up to a point p_src that lies on the common
 * grid of the source and output rates (p_src * out_rate / src_rate is an
 * integer), so the resampler's output restarts exactly on the output grid;
 * a short pre-roll before the target lets the resampling filter settle, and
 * the pre-roll's output frames are dropped.  Seeks that land too late (some
 * demuxers are inexact) are retried further back, down to the file start.
 */
#include "pkg/audio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sndfile.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

/* Output frames decoded before a seek target and thrown away, so the
 * resampler's filter (32 taps by default) has settled when the cut begins. */
#define RESAMPLE_PREROLL 256
/* Seconds decoded before a seek target on the first attempt: lossy codecs
 * (MP3's bit reservoir) need a frame or two of history to decode cleanly. */
#define SEEK_MARGIN 0.25
/* Corrupt packets skipped in a row before giving up. */
#define MAX_BAD_PACKETS 64

struct cs_decoder {
    char *path;
    /* Fast path: PCM/FLAC files already at the output rate are read with
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

    int need_pos;            /* next frame's timestamp fixes src_next */
    int64_t src_next;        /* source index of the next decoded sample */
    int64_t src_skip;        /* drop source samples before this; -1 when done */
    int64_t out_pos;         /* output index of the next frame in the fifo */
    int64_t out_skip;        /* drop output frames before this */
    double seek_back;        /* seconds the current seek went before p_src */
    int64_t seek_src;        /* p_src of the current seek */
    int from_top;            /* decoding started at the file's beginning */

    int demux_eof, at_end, swr_flushed, bad_packets;

    float *mid;              /* swr output, mid_ch interleaved */
    size_t mid_cap;          /* frames */
    float *fifo;             /* converted frames not yet returned, out_ch */
    size_t fifo_off, fifo_n, fifo_cap;   /* frames */
};

static int av_fail(cs_err *err, const char *path, const char *what, int code)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(code, buf, sizeof buf);
    return cs_err_set(err, "%s: %s (%s)", path, what, buf);
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) { int64_t t = a % b; a = b; b = t; }
    return a;
}

static int setup_swr(cs_decoder *d, cs_err *err)
{
    AVChannelLayout in_l = {0}, out_l = {0};
    int rc;
    swr_free(&d->swr);
    if (d->cc->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC &&
        d->cc->ch_layout.nb_channels == d->src_ch)
        rc = av_channel_layout_copy(&in_l, &d->cc->ch_layout);
    else
        av_channel_layout_default(&in_l, d->src_ch), rc = 0;
    if (rc < 0) return av_fail(err, d->path, "channel layout", rc);
    /* Equal counts and anything involving mono are mapped by us (see
     * audio.h); only true up/down-mixes use swr's matrix. */
    if (d->src_ch == d->out_ch || d->src_ch == 1 || d->out_ch == 1) {
        rc = av_channel_layout_copy(&out_l, &in_l);
        d->mid_ch = d->src_ch;
    } else {
        av_channel_layout_default(&out_l, d->out_ch);
        d->mid_ch = d->out_ch;
    }
    if (rc >= 0)
        rc = swr_alloc_set_opts2(&d->swr, &out_l, AV_SAMPLE_FMT_FLT, d->out_rate,
                                 &in_l, d->cc->sample_fmt, d->src_rate, 0, NULL);
    av_channel_layout_uninit(&in_l);
    av_channel_layout_uninit(&out_l);
    if (rc < 0) return av_fail(err, d->path, "cannot set up the resampler", rc);
    rc = swr_init(d->swr);
    if (rc < 0) return av_fail(err, d->path, "cannot set up the resampler", rc);
    d->swr_flushed = 0;
    return 0;
}

/* Uses libsndfile when the file is uncompressed PCM, float or FLAC, already
 * at the output rate, with a channel change we do ourselves (same count,
 * mono to many, many to mono).  Returns 1 when d is ready this way. */
static int open_sndfile(cs_decoder *d, int out_rate, int out_channels)
{
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(d->path, SFM_READ, &info);
    if (!sf) return 0;
    int major = info.format & SF_FORMAT_TYPEMASK, sub = info.format & SF_FORMAT_SUBMASK;
    int pcm = sub == SF_FORMAT_PCM_16 || sub == SF_FORMAT_PCM_24 || sub == SF_FORMAT_PCM_32 ||
              sub == SF_FORMAT_PCM_U8 || sub == SF_FORMAT_PCM_S8 || sub == SF_FORMAT_FLOAT ||
              sub == SF_FORMAT_DOUBLE;
    int container = major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_AIFF ||
                    major == SF_FORMAT_W64 || major == SF_FORMAT_RF64 || major == SF_FORMAT_FLAC ||
                    major == SF_FORMAT_CAF;
    int och = out_channels > 0 ? out_channels : info.channels;
    int maps = info.channels == och || info.channels == 1 || och == 1;
    if (!container || (!pcm && major != SF_FORMAT_FLAC) || info.samplerate <= 0 ||
        info.channels <= 0 || (out_rate > 0 && out_rate != info.samplerate) || !maps) {
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
    d->duration = (double)info.frames / info.samplerate;
    return 1;
}

static long sndfile_read(cs_decoder *d, float *buf, size_t frames, cs_err *err)
{
    size_t sch = (size_t)d->src_ch, och = (size_t)d->out_ch;
    if (sch == och) {
        sf_count_t n = sf_readf_float(d->sf, buf, (sf_count_t)frames);
        if (n < 0 || (n == 0 && sf_error(d->sf))) return cs_err_set(err, "%s: %s", d->path, sf_strerror(d->sf));
        d->out_pos += n;
        return (long)n;
    }
    if (d->sf_cap < frames) {
        float *p = realloc(d->sf_buf, frames * sch * sizeof *p);
        if (!p) return cs_err_set(err, "%s: out of memory", d->path);
        d->sf_buf = p;
        d->sf_cap = frames;
    }
    sf_count_t n = sf_readf_float(d->sf, d->sf_buf, (sf_count_t)frames);
    if (n < 0 || (n == 0 && sf_error(d->sf))) return cs_err_set(err, "%s: %s", d->path, sf_strerror(d->sf));
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

cs_decoder *cs_decoder_open(const char *path, int out_rate, int out_channels, cs_err *err)
{
    struct stat sb;
    int rc;
    cs_av_quiet();
    if (stat(path, &sb) != 0) {
        cs_err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(sb.st_mode)) {
        cs_err_set(err, "%s: is a directory", path);
        return NULL;
    }
    cs_decoder *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(path))) {
        free(d);
        cs_err_set(err, "%s: out of memory", path);
        return NULL;
    }
    if (open_sndfile(d, out_rate, out_channels)) return d;
    rc = avformat_open_input(&d->fmt, path, NULL, NULL);
    if (rc < 0) {
        if (rc == AVERROR_INVALIDDATA)
            cs_err_set(err, "%s: not an audio file FFmpeg can read", path);
        else
            av_fail(err, path, "cannot open", rc);
        goto fail;
    }
    rc = avformat_find_stream_info(d->fmt, NULL);
    if (rc < 0) { av_fail(err, path, "cannot read stream info", rc); goto fail; }
    const AVCodec *codec = NULL;
    d->si = av_find_best_stream(d->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (d->si == AVERROR_STREAM_NOT_FOUND) { cs_err_set(err, "%s: no audio stream", path); goto fail; }
    if (d->si < 0 || !codec) {
        cs_err_set(err, "%s: no decoder for its audio codec", path);
        goto fail;
    }
    d->st = d->fmt->streams[d->si];
    d->cc = avcodec_alloc_context3(codec);
    if (!d->cc) { cs_err_set(err, "%s: out of memory", path); goto fail; }
    rc = avcodec_parameters_to_context(d->cc, d->st->codecpar);
    if (rc < 0) { av_fail(err, path, "bad codec parameters", rc); goto fail; }
    d->cc->pkt_timebase = d->st->time_base;
    /* The exporter runs one decoder per worker; codec threads would only
     * oversubscribe the cores. */
    d->cc->thread_count = 1;
    rc = avcodec_open2(d->cc, codec, NULL);
    if (rc < 0) { av_fail(err, path, "cannot open the decoder", rc); goto fail; }
    d->src_rate = d->cc->sample_rate;
    d->src_ch = d->cc->ch_layout.nb_channels;
    if (d->src_rate <= 0 || d->src_ch <= 0) {
        cs_err_set(err, "%s: audio stream without rate or channels", path);
        goto fail;
    }
    d->out_rate = out_rate > 0 ? out_rate : d->src_rate;
    d->out_ch = out_channels > 0 ? out_channels : d->src_ch;
    if (setup_swr(d, err) < 0) goto fail;
    d->pkt = av_packet_alloc();
    d->frm = av_frame_alloc();
    if (!d->pkt || !d->frm) { cs_err_set(err, "%s: out of memory", path); goto fail; }

    d->start_pts = d->st->start_time != AV_NOPTS_VALUE ? d->st->start_time : 0;
    if (d->fmt->duration > 0)
        d->duration = d->fmt->duration / (double)AV_TIME_BASE;
    else if (d->st->duration > 0)
        d->duration = d->st->duration * av_q2d(d->st->time_base);
    else
        d->duration = -1;
    d->need_pos = 1;
    d->src_skip = 0;     /* drops samples a demuxer puts before time 0 */
    d->from_top = 1;
    return d;
fail:
    cs_decoder_free(d);
    return NULL;
}

void cs_decoder_free(cs_decoder *d)
{
    if (!d) return;
    if (d->sf) sf_close(d->sf);
    free(d->sf_buf);
    swr_free(&d->swr);
    avcodec_free_context(&d->cc);
    avformat_close_input(&d->fmt);
    av_packet_free(&d->pkt);
    av_frame_free(&d->frm);
    free(d->mid);
    free(d->fifo);
    free(d->path);
    free(d);
}

int cs_decoder_rate(const cs_decoder *d) { return d->out_rate; }
int cs_decoder_channels(const cs_decoder *d) { return d->out_ch; }
double cs_decoder_duration(const cs_decoder *d) { return d->duration; }
long long cs_decoder_tell(const cs_decoder *d) { return d->out_pos > d->out_skip ? d->out_pos : d->out_skip; }

/* Room for `frames` more frames at the end of the fifo. */
static int fifo_reserve(cs_decoder *d, size_t frames)
{
    size_t ch = (size_t)d->out_ch;
    if (d->fifo_off + d->fifo_n + frames <= d->fifo_cap) return 0;
    if (d->fifo_off > 0) {
        memmove(d->fifo, d->fifo + d->fifo_off * ch, d->fifo_n * ch * sizeof(float));
        d->fifo_off = 0;
    }
    if (d->fifo_n + frames <= d->fifo_cap) return 0;
    size_t cap = d->fifo_cap ? d->fifo_cap : 4096;
    while (cap < d->fifo_n + frames) cap *= 2;
    float *p = realloc(d->fifo, cap * ch * sizeof(float));
    if (!p) return -1;
    d->fifo = p;
    d->fifo_cap = cap;
    return 0;
}

/* Runs swr on `n` frames at `in` (NULL: flush) and appends the result to the
 * fifo, mapping mid_ch to out_ch channels. */
static int convert(cs_decoder *d, const uint8_t **in, int n, cs_err *err)
{
    int room = swr_get_out_samples(d->swr, n);
    if (room < 0) return av_fail(err, d->path, "resampler", room);
    room += 16;
    if ((size_t)room > d->mid_cap) {
        float *p = realloc(d->mid, (size_t)room * (size_t)d->mid_ch * sizeof(float));
        if (!p) return cs_err_set(err, "%s: out of memory", d->path);
        d->mid = p;
        d->mid_cap = (size_t)room;
    }
    uint8_t *out[1] = { (uint8_t *)d->mid };
    int got = swr_convert(d->swr, out, room, in, n);
    if (got < 0) return av_fail(err, d->path, "resampler", got);
    if (got == 0) return 0;
    if (fifo_reserve(d, (size_t)got) < 0) return cs_err_set(err, "%s: out of memory", d->path);
    float *dst = d->fifo + (d->fifo_off + d->fifo_n) * (size_t)d->out_ch;
    const float *src = d->mid;
    size_t frames = (size_t)got;
    if (d->mid_ch == d->out_ch) {
        memcpy(dst, src, frames * (size_t)d->out_ch * sizeof(float));
    } else if (d->mid_ch == 1) {
        for (size_t i = 0; i < frames; i++)
            for (int c = 0; c < d->out_ch; c++) dst[i * (size_t)d->out_ch + (size_t)c] = src[i];
    } else {     /* out_ch == 1: average */
        float k = 1.0f / (float)d->mid_ch;
        for (size_t i = 0; i < frames; i++) {
            float s = 0;
            for (int c = 0; c < d->mid_ch; c++) s += src[i * (size_t)d->mid_ch + (size_t)c];
            dst[i] = s * k;
        }
    }
    d->fifo_n += frames;
    return 0;
}

static int do_seek(cs_decoder *d, cs_err *err);

/* Handles one decoded frame: fixes the position, drops samples before
 * src_skip, converts the rest.  Returns 1 when the seek must be redone
 * further back. */
static int take_frame(cs_decoder *d, AVFrame *f, cs_err *err)
{
    int n = f->nb_samples;
    if (n <= 0) return 0;
    if (d->need_pos) {
        int64_t ts = f->best_effort_timestamp;
        if (ts == AV_NOPTS_VALUE) ts = f->pts;
        if (ts != AV_NOPTS_VALUE)
            d->src_next = av_rescale_q_rnd(ts - d->start_pts, d->st->time_base,
                                           (AVRational){1, d->src_rate},
                                           AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
        else if (!d->from_top)
            return 1;            /* position unknown: restart from the top */
        else
            d->src_next = 0;
        d->need_pos = 0;
        /* Landed after the target: go further back.  From the top, a late
         * first timestamp is where the stream really starts. */
        if (d->src_skip >= 0 && d->src_next > d->src_skip && !d->from_top)
            return 1;
    }
    int64_t fpos = d->src_next;
    d->src_next += n;
    int off = 0;
    if (d->src_skip >= 0) {
        if (fpos + n <= d->src_skip) return 0;
        if (fpos < d->src_skip) off = (int)(d->src_skip - fpos);
        /* Decoding starts here; p_src is on the rate grid, so the output
         * position is an exact integer.  A stream starting after time 0
         * (fpos > src_skip == 0) just starts there. */
        int64_t first = fpos + off;
        d->out_pos = av_rescale_rnd(first, d->out_rate, d->src_rate, AV_ROUND_NEAR_INF);
        d->src_skip = -1;
    }
    const uint8_t *in[AV_NUM_DATA_POINTERS > 64 ? AV_NUM_DATA_POINTERS : 64];
    int bps = av_get_bytes_per_sample(f->format);
    int planar = av_sample_fmt_is_planar(f->format);
    int planes = planar ? d->src_ch : 1;
    if (planes > 64) return cs_err_set(err, "%s: too many channels (%d)", d->path, d->src_ch);
    for (int p = 0; p < planes; p++)
        in[p] = f->extended_data[p] + (size_t)off * (size_t)bps * (size_t)(planar ? 1 : d->src_ch);
    return convert(d, in, n - off, err) < 0 ? -1 : 0;
}

/* Decodes until the fifo grows or the stream ends.  0 ok, -1 error. */
static int refill(cs_decoder *d, cs_err *err)
{
    for (;;) {
        int rc = avcodec_receive_frame(d->cc, d->frm);
        if (rc == 0) {
            int t = take_frame(d, d->frm, err);
            av_frame_unref(d->frm);
            if (t < 0) return -1;
            if (t == 1) {
                d->seek_back = d->seek_back < 1 ? 1 : d->seek_back * 4;
                if (do_seek(d, err) < 0) return -1;
                continue;
            }
            if (d->fifo_n > 0) return 0;
            continue;
        }
        if (rc == AVERROR_EOF) {
            if (!d->swr_flushed && d->src_skip < 0) {
                d->swr_flushed = 1;
                if (convert(d, NULL, 0, err) < 0) return -1;
            }
            d->at_end = 1;
            return 0;
        }
        if (rc != AVERROR(EAGAIN)) return av_fail(err, d->path, "decoding failed", rc);
        if (d->demux_eof) {      /* the decoder wants input we no longer have */
            d->at_end = 1;
            return 0;
        }
        rc = av_read_frame(d->fmt, d->pkt);
        if (rc < 0) {
            if (rc != AVERROR_EOF && d->fmt->pb && d->fmt->pb->error < 0 && rc != AVERROR_INVALIDDATA)
                return av_fail(err, d->path, "read error", rc);
            /* EOF, or garbage at the tail: decode what we have. */
            d->demux_eof = 1;
            avcodec_send_packet(d->cc, NULL);
            continue;
        }
        if (d->pkt->stream_index != d->si) { av_packet_unref(d->pkt); continue; }
        rc = avcodec_send_packet(d->cc, d->pkt);
        av_packet_unref(d->pkt);
        if (rc == AVERROR_INVALIDDATA) {
            /* A damaged packet costs a gap, not the whole file. */
            if (++d->bad_packets > MAX_BAD_PACKETS)
                return av_fail(err, d->path, "too many damaged packets", rc);
            continue;
        }
        if (rc < 0 && rc != AVERROR(EAGAIN)) return av_fail(err, d->path, "decoding failed", rc);
        d->bad_packets = 0;
    }
}

long cs_decoder_read(cs_decoder *d, float *buf, size_t frames, cs_err *err)
{
    if (d->sf) return sndfile_read(d, buf, frames, err);
    size_t got = 0, ch = (size_t)d->out_ch;
    if (frames > LONG_MAX) frames = LONG_MAX;
    while (got < frames) {
        if (d->fifo_n > 0) {
            float *src = d->fifo + d->fifo_off * ch;
            if (d->out_pos < d->out_skip) {
                int64_t drop64 = d->out_skip - d->out_pos;
                size_t drop = drop64 < (int64_t)d->fifo_n ? (size_t)drop64 : d->fifo_n;
                d->fifo_off += drop;
                d->fifo_n -= drop;
                d->out_pos += (int64_t)drop;
                continue;
            }
            size_t n = frames - got < d->fifo_n ? frames - got : d->fifo_n;
            memcpy(buf + got * ch, src, n * ch * sizeof(float));
            d->fifo_off += n;
            d->fifo_n -= n;
            d->out_pos += (int64_t)n;
            got += n;
            if (d->fifo_n == 0) d->fifo_off = 0;
            continue;
        }
        if (d->at_end) break;
        if (refill(d, err) < 0) return -1;
    }
    return (long)got;
}

/* Seeks the demuxer to seek_src minus seek_back seconds and resets the
 * decoding state; the skips were set by the caller. */
static int do_seek(cs_decoder *d, cs_err *err)
{
    int64_t from = d->seek_src - (int64_t)llround(d->seek_back * d->src_rate);
    int rc;
    d->from_top = from <= 0 || d->seek_back > 64;
    if (d->from_top) from = 0;
    int64_t ts = av_rescale_q(from, (AVRational){1, d->src_rate}, d->st->time_base) + d->start_pts;
    rc = av_seek_frame(d->fmt, d->si, ts, AVSEEK_FLAG_BACKWARD);
    if (rc < 0 && from == 0)
        rc = avformat_seek_file(d->fmt, -1, INT64_MIN, 0, 0, AVSEEK_FLAG_BYTE);
    if (rc < 0) return av_fail(err, d->path, "cannot seek", rc);
    avcodec_flush_buffers(d->cc);
    if (setup_swr(d, err) < 0) return -1;
    d->fifo_off = d->fifo_n = 0;
    d->demux_eof = d->at_end = 0;
    d->need_pos = 1;
    d->src_skip = d->seek_src;
    return 0;
}

int cs_decoder_seek(cs_decoder *d, double seconds, cs_err *err)
{
    if (!(seconds >= 0)) seconds = 0;
    if (d->sf) {
        int64_t target = llround(seconds * d->out_rate);
        if (target > d->sf_frames) target = d->sf_frames;
        if (sf_seek(d->sf, (sf_count_t)target, SEEK_SET) < 0)
            return cs_err_set(err, "%s: cannot seek: %s", d->path, sf_strerror(d->sf));
        d->out_pos = target;
        return 0;
    }
    int64_t target = llround(seconds * d->out_rate);
    int resampling = d->out_rate != d->src_rate;
    /* Largest grid point at least RESAMPLE_PREROLL output frames before the
     * target (none needed without resampling). */
    int64_t g = gcd64(d->src_rate, d->out_rate);
    int64_t step_src = d->src_rate / g, step_out = d->out_rate / g;
    int64_t want = target - (resampling ? RESAMPLE_PREROLL : 0);
    int64_t k = want > 0 ? want / step_out : 0;
    d->seek_src = k * step_src;
    d->out_skip = target;
    d->out_pos = k * step_out;
    d->seek_back = SEEK_MARGIN;
    return do_seek(d, err);
}

int cs_audio_decode(const char *path, int out_rate, int out_channels,
                    double start, double end, cs_audio *out, cs_err *err)
{
    memset(out, 0, sizeof *out);
    if (!(start >= 0)) start = 0;
    if (end > 0 && end <= start)
        return cs_err_set(err, "%s: empty range [%.3f, %.3f)", path, start, end);
    cs_decoder *d = cs_decoder_open(path, out_rate, out_channels, err);
    if (!d) return -1;
    int rate = d->out_rate, ch = d->out_ch;
    if (d->duration > 0 && start >= d->duration) {
        cs_err_set(err, "%s: start %.3f s is beyond the end (%.3f s)", path, start, d->duration);
        cs_decoder_free(d);
        return -1;
    }
    if (start > 0 && cs_decoder_seek(d, start, err) < 0) { cs_decoder_free(d); return -1; }

    int64_t first = llround(start * rate);
    int64_t want = end > 0 ? llround(end * rate) - first : -1;
    size_t cap;
    if (want >= 0)
        cap = (size_t)want;
    else if (d->duration > 0)
        cap = (size_t)((d->duration - start) * rate) + (size_t)rate;
    else
        cap = (size_t)rate * 60;
    if (cap == 0) cap = 1;
    float *buf = malloc(cap * (size_t)ch * sizeof(float));
    size_t got = 0;
    if (!buf) goto oom;
    for (;;) {
        if (want >= 0 && got >= (size_t)want) break;
        if (got == cap) {
            size_t ncap = cap * 2;
            float *p = realloc(buf, ncap * (size_t)ch * sizeof(float));
            if (!p) goto oom;
            buf = p;
            cap = ncap;
        }
        size_t n = cap - got;
        if (want >= 0 && n > (size_t)want - got) n = (size_t)want - got;
        long r = cs_decoder_read(d, buf + got * (size_t)ch, n, err);
        if (r < 0) { free(buf); cs_decoder_free(d); return -1; }
        if (r == 0) break;
        got += (size_t)r;
    }
    cs_decoder_free(d);
    if (got == 0 && start > 0) {
        free(buf);
        return cs_err_set(err, "%s: start %.3f s is beyond the end", path, start);
    }
    if (got < cap) {
        float *p = realloc(buf, (got ? got : 1) * (size_t)ch * sizeof(float));
        if (p) buf = p;
    }
    out->data = buf;
    out->frames = got;
    out->channels = ch;
    out->rate = rate;
    return 0;
oom:
    free(buf);
    cs_decoder_free(d);
    return cs_err_set(err, "%s: out of memory", path);
}
