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
#include "pkg/audio_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>

/* Output frames decoded before a seek target and thrown away, so the
 * resampler's filter (32 taps by default) has settled when the cut begins. */
#define RESAMPLE_PREROLL 256
/* Seconds decoded before a seek target on the first attempt: lossy codecs
 * (MP3's bit reservoir) need a frame or two of history to decode cleanly. */
#define SEEK_MARGIN 0.25
/* Errors in a row from a demuxer or decoder that makes no progress (the
 * same file position) before giving up: damaged packets are skipped, but a
 * library stuck on one spot must not spin forever. */
#define MAX_STUCK_ERRORS 1000


static int av_fail(cs_err *err, const char *path, const char *what, int code)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(code, buf, sizeof buf);
    return cs_err_setc(err, CS_ERR_CODEC, "%s: %s (%s)", path, what, buf);
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

/* Start of an ID3v2 tag appended after the audio (ID3v2.4 allows that, with
 * a "3DI" footer as the file's last 10 bytes, or before a 128-byte ID3v1
 * tag), or -1.  FFmpeg's MP3 demuxer reads such a tag as damaged MP3
 * frames (a few of which decode as noise) and counts it in its duration
 * estimate; libav has no public call for it, hence these few bytes of our
 * own (layout: id3.org, ID3v2.4 structure, section 3.4). */
static int64_t appended_tag_start(const char *path, int64_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    int64_t found = -1;
    for (int64_t tail = 10; tail <= 138 && found < 0; tail += 128) {
        unsigned char b[10];
        if (size < tail + 10 || fseeko(f, (off_t)(size - tail), SEEK_SET) != 0 || fread(b, 1, 10, f) != 10)
            break;
        if (memcmp(b, "3DI", 3) || b[3] != 4 || (b[6] | b[7] | b[8] | b[9]) & 0x80) continue;
        int64_t body = ((int64_t)b[6] << 21) | ((int64_t)b[7] << 14) | ((int64_t)b[8] << 7) | b[9];
        int64_t start = size - tail - body - 10;
        unsigned char h[3];
        if (start > 0 && fseeko(f, (off_t)start, SEEK_SET) == 0 && fread(h, 1, 3, f) == 3 && !memcmp(h, "ID3", 3))
            found = start;
    }
    fclose(f);
    return found;
}

cs_decoder *cs_decoder_open(const char *path, int out_rate, int out_channels, cs_err *err)
{
    struct stat sb;
    int rc;
    cs_av_quiet();
    if (stat(path, &sb) != 0) {
        cs_err_setc(err, CS_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(sb.st_mode)) {
        cs_err_setc(err, CS_ERR_IO, "%s: is a directory", path);
        return NULL;
    }
    cs_decoder *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(path))) {
        free(d);
        cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    d->end_byte = -1;
    if (cs_sf_open(d, out_rate, out_channels, (int64_t)sb.st_size)) return d;
    rc = avformat_open_input(&d->fmt, path, NULL, NULL);
    if (rc < 0) {
        if (rc == AVERROR_INVALIDDATA)
            cs_err_setc(err, CS_ERR_FORMAT, "%s: not an audio file FFmpeg can read", path);
        else
            av_fail(err, path, "cannot open", rc);
        goto fail;
    }
    rc = avformat_find_stream_info(d->fmt, NULL);
    if (rc < 0) { av_fail(err, path, "cannot read stream info", rc); goto fail; }
    const AVCodec *codec = NULL;
    d->si = av_find_best_stream(d->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (d->si == AVERROR_STREAM_NOT_FOUND) { cs_err_setc(err, CS_ERR_FORMAT, "%s: no audio stream", path); goto fail; }
    if (d->si < 0 || !codec) {
        cs_err_setc(err, CS_ERR_CODEC, "%s: no decoder for its audio codec", path);
        goto fail;
    }
    d->st = d->fmt->streams[d->si];
    d->cc = avcodec_alloc_context3(codec);
    if (!d->cc) { cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path); goto fail; }
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
        cs_err_setc(err, CS_ERR_FORMAT, "%s: audio stream without rate or channels", path);
        goto fail;
    }
    d->out_rate = out_rate > 0 ? out_rate : d->src_rate;
    d->out_ch = out_channels > 0 ? out_channels : d->src_ch;
    if (setup_swr(d, err) < 0) goto fail;
    d->pkt = av_packet_alloc();
    d->frm = av_frame_alloc();
    if (!d->pkt || !d->frm) { cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path); goto fail; }

    d->start_pts = d->st->start_time != AV_NOPTS_VALUE ? d->st->start_time : 0;
    if (d->fmt->duration > 0)
        d->duration = d->fmt->duration / (double)AV_TIME_BASE;
    else if (d->st->duration > 0)
        d->duration = d->st->duration * av_q2d(d->st->time_base);
    else
        d->duration = -1;
    d->length_known = d->duration > 0 && d->fmt->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE;
    d->end_byte = appended_tag_start(path, (int64_t)sb.st_size);
    /* A bitrate estimate counted the tag's bytes as audio. */
    if (d->end_byte >= 0 && !d->length_known && d->duration > 0 && sb.st_size > 0)
        d->duration *= (double)d->end_byte / (double)sb.st_size;
    if (d->note[0]) {       /* the fast path distrusted the header: say what FFmpeg found */
        size_t n = strlen(d->note);
        snprintf(d->note + n, sizeof d->note - n, "; FFmpeg %s %.3f s",
                 d->length_known ? "reads" : "estimates", d->duration);
    }
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

double cs_decoder_duration(const cs_decoder *d) { return d->duration; }
bool cs_decoder_length_known(const cs_decoder *d) { return d->length_known; }
long cs_decoder_problems(const cs_decoder *d) { return d->damaged + (d->note[0] ? 1 : 0); }

int cs_decoder_warning(const cs_decoder *d, char *buf, size_t size)
{
    size_t n = 0;
    if (size) buf[0] = 0;
    if (d->note[0]) n += (size_t)snprintf(buf, size, "%s", d->note);
    if (d->damaged && n < size) {
        n += (size_t)snprintf(buf + n, size - n, "%s%ld damaged packet%s skipped at %.3f s", n ? "; " : "",
                              d->damaged, d->damaged == 1 ? "" : "s", d->dmg_first_s);
        if (n < size && d->dmg_last_s > d->dmg_first_s)
            n += (size_t)snprintf(buf + n, size - n, "..%.3f s", d->dmg_last_s);
        if (n < size && !d->good_after_damage && d->at_end)
            n += (size_t)snprintf(buf + n, size - n, " (nothing decodable after them: the audio ends there)");
    }
    return n > 0;
}
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
        if (!p) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", d->path);
        d->mid = p;
        d->mid_cap = (size_t)room;
    }
    uint8_t *out[1] = { (uint8_t *)d->mid };
    int got = swr_convert(d->swr, out, room, in, n);
    if (got < 0) return av_fail(err, d->path, "resampler", got);
    if (got == 0) return 0;
    if (fifo_reserve(d, (size_t)got) < 0) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", d->path);
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
    if (planes > 64) return cs_err_setc(err, CS_ERR_RANGE, "%s: too many channels (%d)", d->path, d->src_ch);
    for (int p = 0; p < planes; p++)
        in[p] = f->extended_data[p] + (size_t)off * (size_t)bps * (size_t)(planar ? 1 : d->src_ch);
    return convert(d, in, n - off, err) < 0 ? -1 : 0;
}

/* Counts a damaged packet or frame at source time t (seconds): it costs a
 * gap, not the file (see cs_decoder_warning).  Returns -1 once the demuxer
 * or decoder is stuck: MAX_STUCK_ERRORS errors without a packet read in
 * between (a long damaged stretch still reads packets, so it goes on). */
static int note_damage(cs_decoder *d, double t, int rc, cs_err *err)
{
    if (d->damaged == 0 || t < d->dmg_first_s) d->dmg_first_s = t;
    if (d->damaged == 0 || t > d->dmg_last_s) d->dmg_last_s = t;
    d->damaged++;
    d->good_after_damage = false;
    if (++d->bad_run > MAX_STUCK_ERRORS) return av_fail(err, d->path, "decoder stuck on damaged data", rc);
    return 0;
}

static double now_s(const cs_decoder *d) { return (double)d->src_next / d->src_rate; }

static double packet_s(const cs_decoder *d, const AVPacket *p)
{
    if (p->pts == AV_NOPTS_VALUE) return now_s(d);
    return (double)(p->pts - d->start_pts) * av_q2d(d->st->time_base);
}

static void demux_end(cs_decoder *d)
{
    d->demux_eof = 1;
    avcodec_send_packet(d->cc, NULL);
}

/* Decodes until the fifo grows or the stream ends.  0 ok, -1 error.
 * Damaged packets and frames are skipped and counted, never the end of the
 * track: only the file's end (or an appended tag's start) ends it. */
static int refill(cs_decoder *d, cs_err *err)
{
    for (;;) {
        int rc = avcodec_receive_frame(d->cc, d->frm);
        if (rc == 0) {
            int t = take_frame(d, d->frm, err);
            av_frame_unref(d->frm);
            if (t < 0) return -1;
            if (d->damaged) d->good_after_damage = true;
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
        if (rc != AVERROR(EAGAIN)) {     /* a frame the decoder could not decode */
            if (note_damage(d, now_s(d), rc, err) < 0) return -1;
            continue;
        }
        if (d->demux_eof) {      /* the decoder wants input we no longer have */
            d->at_end = 1;
            return 0;
        }
        rc = av_read_frame(d->fmt, d->pkt);
        if (rc < 0) {
            AVIOContext *pb = d->fmt->pb;
            if (rc != AVERROR_EOF && pb && pb->error < 0 && rc != AVERROR_INVALIDDATA)
                return av_fail(err, d->path, "read error", rc);
            /* Damage the demuxer could not resync over: skip on unless
             * that was the file's end. */
            if (rc == AVERROR_INVALIDDATA && pb && !avio_feof(pb)) {
                if (note_damage(d, now_s(d), rc, err) < 0) demux_end(d);
                continue;
            }
            demux_end(d);
            continue;
        }
        d->bad_run = 0;
        if (d->pkt->stream_index != d->si) { av_packet_unref(d->pkt); continue; }
        if (d->end_byte >= 0 && d->pkt->pos >= d->end_byte) {   /* the appended tag */
            av_packet_unref(d->pkt);
            demux_end(d);
            continue;
        }
        double pkt_s = packet_s(d, d->pkt);
        rc = avcodec_send_packet(d->cc, d->pkt);
        av_packet_unref(d->pkt);
        if (rc == AVERROR_INVALIDDATA) {
            note_damage(d, pkt_s, rc, err);     /* a packet was read: never stuck */
            continue;
        }
        if (rc < 0 && rc != AVERROR(EAGAIN)) return av_fail(err, d->path, "decoding failed", rc);
    }
}

long cs_decoder_read(cs_decoder *d, float *buf, size_t frames, cs_err *err)
{
    if (d->sf) return cs_sf_read(d, buf, frames, err);
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
    /* llround of a product past int64 is undefined (arm64 saturates, x86
     * gives INT64_MIN): such a time is beyond any audio. */
    if (!(seconds * d->out_rate < 9.0e18)) return cs_err_setc(err, CS_ERR_RANGE, "seek to %g s: beyond the end of any audio", seconds);
    if (d->sf) return cs_sf_seek(d, seconds, err);
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
    return cs_audio_decode_noting(path, out_rate, out_channels, start, end, out, NULL, 0, err);
}

int cs_audio_decode_noting(const char *path, int out_rate, int out_channels, double start, double end,
                           cs_audio *out, char *note, size_t note_size, cs_err *err)
{
    if (note_size) note[0] = 0;
    memset(out, 0, sizeof *out);
    if (!(start >= 0)) start = 0;
    if (end > 0 && end <= start)
        return cs_err_setc(err, CS_ERR_RANGE, "%s: empty range [%.3f, %.3f)", path, start, end);
    cs_decoder *d = cs_decoder_open(path, out_rate, out_channels, err);
    if (!d) return -1;
    int rate = d->out_rate, ch = d->out_ch;
    /* Only a length from the header or stream refuses early: an estimate
     * (MP3 without a Xing header) may be short. */
    if (d->length_known && start >= d->duration) {
        cs_err_setc(err, CS_ERR_RANGE, "%s: start %.3f s is beyond the end (%.3f s)", path, start, d->duration);
        cs_decoder_free(d);
        return -1;
    }
    /* No int64 frame count holds such a start: refused before the seek,
     * whose llround would overflow (x86 and arm64 disagree on the result). */
    if (!(start * rate < 9.0e18)) {
        cs_decoder_free(d);
        return cs_err_setc(err, CS_ERR_RANGE, "%s: start %g s is beyond the end", path, start);
    }
    if (start > 0 && cs_decoder_seek(d, start, err) < 0) { cs_decoder_free(d); return -1; }

    /* Every size below is checked: a crafted end time (a struct's section
     * end) must never wrap frames x channels x 4 bytes.  The buffer starts at
     * what the file can hold (its known or estimated length, one second
     * spare) and grows by doubling only while audio keeps coming, so a huge
     * end reads to the end of the file and the caller sees a short cut. */
    const size_t max_frames = SIZE_MAX / sizeof(float) / (size_t)ch;
    int64_t first = llround(start * rate);
    /* An end no int64 frame count holds reads to the end of the file. */
    int64_t want = end > 0 && end * rate < 9.0e18 ? llround(end * rate) - first : -1;
    double capd = d->duration > 0 ? (d->duration > start ? d->duration - start : 0) * rate + rate : 60.0 * rate;
    if (want >= 0 && (double)want < capd) capd = (double)want;
    if (capd > (double)max_frames) capd = (double)max_frames;
    size_t cap = capd >= 1 ? (size_t)capd : 1;
    float *buf = malloc(cap * (size_t)ch * sizeof(float));
    size_t got = 0;
    if (!buf) goto oom;
    for (;;) {
        if (want >= 0 && (uint64_t)got >= (uint64_t)want) break;
        if (got == cap) {
            if (cap > max_frames / 2) goto oom;
            size_t ncap = cap * 2;
            if (want >= 0 && (uint64_t)ncap > (uint64_t)want) ncap = (size_t)want;
            float *p = realloc(buf, ncap * (size_t)ch * sizeof(float));
            if (!p) goto oom;
            buf = p;
            cap = ncap;
        }
        size_t n = cap - got;
        if (want >= 0 && (uint64_t)n > (uint64_t)want - got) n = (size_t)((uint64_t)want - got);
        long r = cs_decoder_read(d, buf + got * (size_t)ch, n, err);
        if (r < 0) { free(buf); cs_decoder_free(d); return -1; }
        if (r == 0) break;
        got += (size_t)r;
    }
    if (note_size) cs_decoder_warning(d, note, note_size);
    long damaged = d->damaged;
    cs_decoder_free(d);
    if (got == 0 && damaged > 0) {
        free(buf);
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: no decodable audio from %.3f s (%ld damaged packets)", path, start, damaged);
    }
    if (got == 0 && start > 0) {
        free(buf);
        return cs_err_setc(err, CS_ERR_RANGE, "%s: start %.3f s is beyond the end", path, start);
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
    return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
}
