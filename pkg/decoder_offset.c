/* What FFmpeg skips at the start of a file (decoder_offset.h). */
#include "pkg/decoder_offset.h"
#include "pkg/audio.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/intreadwrite.h>

/* The skip is marked on the first packet(s) of the stream; a handful is
 * plenty (an MP3 delay is < 2 frames, an AAC priming 1-2 frames). */
#define FIRST_PACKETS 8

int cs_decoder_offset(const char *path, double *offset_s, cs_err *err)
{
    *offset_s = 0;
    cs_av_quiet();
    AVFormatContext *fc = NULL;
    int r = avformat_open_input(&fc, path, NULL, NULL);
    if (r < 0) {
        char msg[128];
        av_strerror(r, msg, sizeof msg);
        return cs_err_setc(err, CS_ERR_CODEC, "%s: %s", path, msg);
    }
    int rc = 0;
    AVPacket *pkt = av_packet_alloc();
    int si = avformat_find_stream_info(fc, NULL) < 0 ? -1
             : av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (!pkt) rc = cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
    else if (si < 0) rc = cs_err_setc(err, CS_ERR_FORMAT, "%s: no audio stream", path);
    int rate = si >= 0 ? fc->streams[si]->codecpar->sample_rate : 0;
    if (rc == 0 && rate <= 0) rc = cs_err_setc(err, CS_ERR_FORMAT, "%s: audio stream without a sample rate", path);
    uint32_t skip = 0;
    for (int seen = 0; rc == 0 && seen < FIRST_PACKETS && !skip && av_read_frame(fc, pkt) >= 0;) {
        if (pkt->stream_index == si) {
            size_t size = 0;
            const uint8_t *sd = av_packet_get_side_data(pkt, AV_PKT_DATA_SKIP_SAMPLES, &size);
            /* uint32le samples to skip from the start, uint32le from the end, ... */
            if (sd && size >= 4) skip = AV_RL32(sd);
            seen++;
        }
        av_packet_unref(pkt);
    }
    if (rc == 0) *offset_s = (double)skip / rate;
    av_packet_free(&pkt);
    avformat_close_input(&fc);
    return rc;
}
