/* Loudness measurement over libebur128 (see loudness.h). */
#include "pkg/loudness.h"
#include "pkg/loudness_test.h"

#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#define FILE_BLOCK 16384   /* frames per libsndfile read */

static const char *ebur_why(int rc)
{
    switch (rc) {
    case EBUR128_ERROR_NOMEM: return "out of memory";
    case EBUR128_ERROR_INVALID_MODE: return "invalid mode";
    case EBUR128_ERROR_INVALID_CHANNEL_INDEX: return "invalid channel";
    default: return "libebur128 error";
    }
}

static ebur128_state *open_state(int channels, int rate, cs_err *err)
{
    if (channels < 1 || channels > 8)
        return cs_err_setc(err, CS_ERR_RANGE, "loudness: %d channels (1..8 measured)", channels), NULL;
    if (rate < 8000 || rate > 384000) return cs_err_setc(err, CS_ERR_RANGE, "loudness: rate %d Hz out of range", rate), NULL;
    ebur128_state *st = ebur128_init((unsigned)channels, (unsigned long)rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
    if (!st) cs_err_setc(err, CS_ERR_NOMEM, "loudness: out of memory");
    return st;
}

/* Integrated loudness and the highest channel's true peak, then frees st. */
static int finish(ebur128_state *st, int channels, cs_loudness *out, cs_err *err)
{
    double lufs = -INFINITY, peak = 0;
    int rc = ebur128_loudness_global(st, &lufs);
    for (int c = 0; rc == EBUR128_SUCCESS && c < channels; c++) {
        double p = 0;
        rc = ebur128_true_peak(st, (unsigned)c, &p);
        if (p > peak) peak = p;
    }
    ebur128_destroy(&st);
    if (rc != EBUR128_SUCCESS) return cs_err_setc(err, CS_ERR_CODEC, "loudness: %s", ebur_why(rc));
    /* libebur128 says -HUGE_VAL for "below the gate": the same as none. */
    out->lufs = isfinite(lufs) ? lufs : -INFINITY;
    out->dbtp = peak > 0 ? 20.0 * log10(peak) : -INFINITY;
    return 0;
}

int cs_loudness_measure(const float *samples, size_t frames, int channels, int rate, cs_loudness *out,
                        cs_err *err)
{
    ebur128_state *st = open_state(channels, rate, err);
    if (!st) return -1;
    /* libebur128 takes frames in chunks of any size; a bounded chunk keeps
     * its size_t arithmetic far from overflow. */
    for (size_t at = 0; at < frames;) {
        size_t n = frames - at > (1u << 20) ? (1u << 20) : frames - at;
        int rc = ebur128_add_frames_float(st, samples + at * (size_t)channels, n);
        if (rc != EBUR128_SUCCESS) {
            ebur128_destroy(&st);
            return cs_err_setc(err, CS_ERR_CODEC, "loudness: %s", ebur_why(rc));
        }
        at += n;
    }
    return finish(st, channels, out, err);
}

int cs_loudness_measure_file(const char *path, cs_loudness *out, cs_err *err)
{
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) return cs_err_setc(err, CS_ERR_IO, "%s: cannot read: %s", path, sf_strerror(NULL));
    cs_err e = {0};
    ebur128_state *st = open_state(info.channels, info.samplerate, &e);
    float *buf = st ? malloc((size_t)FILE_BLOCK * (size_t)info.channels * sizeof *buf) : NULL;
    if (!buf) {
        if (st) ebur128_destroy(&st);
        sf_close(sf);
        return cs_err_setc(err, CS_ERR_NOMEM, "%s: %s", path, st ? "out of memory" : e.msg);
    }
    sf_count_t got;
    int rc = EBUR128_SUCCESS;
    while (rc == EBUR128_SUCCESS && (got = sf_readf_float(sf, buf, FILE_BLOCK)) > 0)
        rc = ebur128_add_frames_float(st, buf, (size_t)got);
    int sferr = sf_error(sf);
    free(buf);
    sf_close(sf);
    if (rc != EBUR128_SUCCESS || sferr) {
        ebur128_destroy(&st);
        return cs_err_setc(err, CS_ERR_CODEC, "%s: %s", path, rc != EBUR128_SUCCESS ? ebur_why(rc) : "read error");
    }
    if (finish(st, info.channels, out, &e) < 0) return cs_err_setc(err, e.code, "%s: %s", path, e.msg);
    return 0;
}

double cs_loudness_gain_db(double lufs, double dbtp, double target, double chain_db, double max_peak,
                           int *capped)
{
    if (capped) *capped = 0;
    if (!isfinite(lufs)) return 0.0;
    double g = target - (lufs + chain_db);
    if (isfinite(dbtp) && dbtp + chain_db + g > max_peak) {
        g = max_peak - (dbtp + chain_db);
        if (capped) *capped = 1;
    }
    return g;
}
