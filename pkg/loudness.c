/* Loudness measurement over libebur128 (see loudness.h). */
#include "pkg/loudness.h"
#include "pkg/loudness_test.h"

#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_BLOCK 16384   /* frames per libsndfile read */

/* The cs_err code of a libebur128 failure: out of memory is CS_ERR_NOMEM
 * (callers fail the part on it), anything else the library's. */
static int ebur_code(int rc) { return rc == EBUR128_ERROR_NOMEM ? CS_ERR_NOMEM : CS_ERR_CODEC; }

static const char *ebur_why(int rc)
{
    switch (rc) {
    case EBUR128_ERROR_NOMEM: return "out of memory";
    case EBUR128_ERROR_INVALID_MODE: return "invalid mode";
    case EBUR128_ERROR_INVALID_CHANNEL_INDEX: return "invalid channel";
    default: return "libebur128 error";
    }
}

/* A measurement in progress: libebur128's state, and its loudness of each
 * 100 ms chunk of the part as energy (finish() spreads them over the
 * slices, see loudness.h).  The slices' scale is the frames actually read,
 * not the header's count: a FLAC written to a pipe says nothing of its
 * length (libsndfile: SF_COUNT_MAX frames), a damaged header says another. */
typedef struct meter {
    ebur128_state *st;
    unsigned long rate;
    long long per;             /* frames in a full chunk (rate / 10) */
    long long fed;             /* frames given so far */
    long long chunk;           /* frames in the open chunk */
    double *energy;            /* [n] each closed chunk's mean energy (10^(LUFS/10); 0: silent) */
    size_t n, cap;
} meter;

static void close_meter(meter *m)
{
    if (m->st) ebur128_destroy(&m->st);
    free(m->energy);
    m->energy = NULL;
    m->n = m->cap = 0;
}

static int open_meter(meter *m, int channels, int rate, cs_err *err)
{
    memset(m, 0, sizeof *m);
    if (channels < 1 || channels > 8)
        return cs_err_setc(err, CS_ERR_RANGE, "loudness: %d channels (1..8 measured)", channels);
    if (rate < 8000 || rate > 384000) return cs_err_setc(err, CS_ERR_RANGE, "loudness: rate %d Hz out of range", rate);
    /* MODE_S: loudness_window() over the last 100 ms (its buffer holds 3 s). */
    m->st = ebur128_init((unsigned)channels, (unsigned long)rate,
                         EBUR128_MODE_I | EBUR128_MODE_S | EBUR128_MODE_TRUE_PEAK);
    if (!m->st) return cs_err_setc(err, CS_ERR_NOMEM, "loudness: out of memory");
    m->rate = (unsigned long)rate;
    m->per = (long long)(rate / 10);
    return 0;
}

/* Closes the open chunk: its loudness kept as energy. */
static int close_chunk(meter *m)
{
    if (m->chunk <= 0) return EBUR128_SUCCESS;
    unsigned long ms = (unsigned long)llround((double)m->chunk * 1000.0 / (double)m->rate);
    double l = -HUGE_VAL;
    int rc = ebur128_loudness_window(m->st, ms ? ms : 1, &l);
    if (rc != EBUR128_SUCCESS) return rc;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;   /* 1024 chunks: 102 s */
        if (cap > SIZE_MAX / sizeof *m->energy) return EBUR128_ERROR_NOMEM;
        double *e = realloc(m->energy, cap * sizeof *e);
        if (!e) return EBUR128_ERROR_NOMEM;
        m->energy = e;
        m->cap = cap;
    }
    m->energy[m->n++] = isfinite(l) ? pow(10.0, l / 10.0) : 0.0;
    m->chunk = 0;
    return EBUR128_SUCCESS;
}

/* The slices from the chunks: chunk j covers frames [j * per, min((j + 1)
 * * per, fed)), spread over the slices of fed it overlaps. */
static void spread(const meter *m, cs_loudness *out)
{
    double e[CS_LOUDNESS_SLICES] = {0}, w[CS_LOUDNESS_SLICES] = {0};
    double total = (double)m->fed, span = total / CS_LOUDNESS_SLICES;
    for (size_t j = 0; j < m->n; j++) {
        double a = (double)j * (double)m->per, b = fmin(a + (double)m->per, total);
        int i0 = (int)(a / span), i1 = (int)(b / span);
        if (i0 < 0) i0 = 0;
        if (i1 > CS_LOUDNESS_SLICES - 1) i1 = CS_LOUDNESS_SLICES - 1;
        for (int i = i0; i <= i1; i++) {
            double lo = fmax(a, span * i), hi = fmin(b, i == CS_LOUDNESS_SLICES - 1 ? total : span * (i + 1));
            if (hi > lo) {
                e[i] += m->energy[j] * (hi - lo);
                w[i] += hi - lo;
            }
        }
    }
    out->n_slices = CS_LOUDNESS_SLICES;
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) {
        double l = w[i] > 0 && e[i] > 0 ? 10.0 * log10(e[i] / w[i]) : -INFINITY;
        out->slice[i] = l > CS_LOUDNESS_SLICE_MIN ? (float)fmin(l, CS_LOUDNESS_SLICE_MAX) : -INFINITY;
    }
}

static int feed(meter *m, const float *buf, size_t frames, int channels)
{
    long long per = m->per;
    while (frames > 0) {
        size_t n = (size_t)(per - m->chunk);
        if (n > frames) n = frames;
        int rc = ebur128_add_frames_float(m->st, buf, n);
        if (rc != EBUR128_SUCCESS) return rc;
        m->chunk += (long long)n;
        m->fed += (long long)n;
        buf += n * (size_t)channels;
        frames -= n;
        if (m->chunk == per && (rc = close_chunk(m)) != EBUR128_SUCCESS) return rc;
    }
    return EBUR128_SUCCESS;
}

/* Integrated loudness, the highest channel's true peak and the slices, then
 * frees the state. */
static int finish(meter *m, int channels, cs_loudness *out, cs_err *err)
{
    double lufs = -INFINITY, peak = 0;
    int rc = close_chunk(m);
    if (rc == EBUR128_SUCCESS) rc = ebur128_loudness_global(m->st, &lufs);
    for (int c = 0; rc == EBUR128_SUCCESS && c < channels; c++) {
        double p = 0;
        rc = ebur128_true_peak(m->st, (unsigned)c, &p);
        if (p > peak) peak = p;
    }
    if (rc != EBUR128_SUCCESS) {
        close_meter(m);
        return cs_err_setc(err, ebur_code(rc), "loudness: %s", ebur_why(rc));
    }
    /* libebur128 says -HUGE_VAL for "below the gate": the same as none. */
    *out = CS_LOUDNESS_NONE;
    out->lufs = isfinite(lufs) ? lufs : -INFINITY;
    out->dbtp = peak > 0 ? 20.0 * log10(peak) : -INFINITY;
    if (m->fed > 0) spread(m, out);
    close_meter(m);
    return 0;
}

int cs_loudness_measure(const float *samples, size_t frames, int channels, int rate, cs_loudness *out,
                        cs_err *err)
{
    meter m;
    if (open_meter(&m, channels, rate, err) < 0) return -1;
    /* libebur128 takes frames in chunks of any size; feed() gives it at
     * most 100 ms at a time, far from its size_t arithmetic's limits. */
    int rc = feed(&m, samples, frames, channels);
    if (rc != EBUR128_SUCCESS) {
        close_meter(&m);
        return cs_err_setc(err, ebur_code(rc), "loudness: %s", ebur_why(rc));
    }
    return finish(&m, channels, out, err);
}

int cs_loudness_measure_file(const char *path, cs_loudness *out, cs_err *err)
{
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) return cs_err_setc(err, CS_ERR_IO, "%s: cannot read: %s", path, sf_strerror(NULL));
    cs_err e = {0};
    meter m;
    int ok = open_meter(&m, info.channels, info.samplerate, &e) == 0;
    float *buf = ok ? malloc((size_t)FILE_BLOCK * (size_t)info.channels * sizeof *buf) : NULL;
    if (!buf) {
        if (ok) close_meter(&m);
        sf_close(sf);
        return cs_err_setc(err, ok ? CS_ERR_NOMEM : e.code, "%s: %s", path, ok ? "out of memory" : e.msg);
    }
    sf_count_t got;
    int rc = EBUR128_SUCCESS;
    while (rc == EBUR128_SUCCESS && (got = sf_readf_float(sf, buf, FILE_BLOCK)) > 0)
        rc = feed(&m, buf, (size_t)got, info.channels);
    int sferr = sf_error(sf);
    free(buf);
    sf_close(sf);
    if (rc != EBUR128_SUCCESS || sferr) {
        close_meter(&m);
        return cs_err_setc(err, rc != EBUR128_SUCCESS ? ebur_code(rc) : CS_ERR_IO, "%s: %s", path,
                           rc != EBUR128_SUCCESS ? ebur_why(rc) : "read error");
    }
    if (finish(&m, info.channels, out, &e) < 0) return cs_err_setc(err, e.code, "%s: %s", path, e.msg);
    return 0;
}

double cs_loudness_window(const cs_loudness *l, double f0, double f1)
{
    if (!l || l->n_slices != CS_LOUDNESS_SLICES || !(f0 < f1)) return -INFINITY;
    f0 = fmax(f0, 0.0);
    f1 = fmin(f1, 1.0);
    double e = 0, w = 0;
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) {
        double lo = fmax(f0, (double)i / CS_LOUDNESS_SLICES), hi = fmin(f1, (double)(i + 1) / CS_LOUDNESS_SLICES);
        /* BS.1770-4's absolute gate, -70 LUFS: silence does not pull it down. */
        if (hi <= lo || !(l->slice[i] > CS_LOUDNESS_SLICE_MIN)) continue;
        e += pow(10.0, l->slice[i] / 10.0) * (hi - lo);
        w += hi - lo;
    }
    return w > 0 ? 10.0 * log10(e / w) : -INFINITY;
}

char *cs_loudness_slices_format(const cs_loudness *l, char *buf, size_t cap)
{
    if (!l || l->n_slices != CS_LOUDNESS_SLICES || cap < CS_LOUDNESS_SLICES_TEXT) return NULL;
    size_t at = 0;
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) {
        /* To a hundredth; one that would read back at or under the gate
         * (or is out of range) is silent: an empty field. */
        double v = round((double)l->slice[i] * 100.0) / 100.0;
        bool ok = v > CS_LOUDNESS_SLICE_MIN && v <= CS_LOUDNESS_SLICE_MAX;
        int n = ok ? snprintf(buf + at, cap - at, "%s%.2f", i ? "," : "", v)
                   : snprintf(buf + at, cap - at, "%s", i ? "," : "");
        if (n < 0 || (size_t)n >= cap - at) return NULL;
        at += (size_t)n;
    }
    return buf;
}

int cs_loudness_slices_parse(const char *s, cs_loudness *l)
{
    if (!s) return -1;
    float v[CS_LOUDNESS_SLICES];
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) {
        if (*s == ',' || *s == 0) v[i] = -INFINITY;
        else {
            char *end;
            double d = strtod(s, &end);
            if (end == s || !(d > CS_LOUDNESS_SLICE_MIN && d <= CS_LOUDNESS_SLICE_MAX)) return -1;
            v[i] = (float)d;
            s = end;
        }
        if (i < CS_LOUDNESS_SLICES - 1 && *s++ != ',') return -1;
    }
    if (*s) return -1;
    memcpy(l->slice, v, sizeof v);
    l->n_slices = CS_LOUDNESS_SLICES;
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
