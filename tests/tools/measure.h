/* Objective audio measurements shared by tests/tools/audiocheck.c and the
 * unit tests (header-only, because every .c in tests/tools becomes a tool binary).
 *
 *   double *t; size_t n;
 *   measure_onsets(&a, 0.25, 0.05, &t, &n);   // synth clicks, seconds
 *   double hz = measure_pitch(&a, 1.0, 4.0, 20, 5000);
 *   free(t);
 *
 * Onsets: the mono mix is high-passed (2nd-order Butterworth at 1 kHz,
 * run forwards and backwards so it adds no delay), its envelope taken as
 * sqrt(y^2 + (y'/w)^2) for w = 2*pi*2.5 kHz (smooth through the burst's
 * zero crossings), an onset found where the envelope first passes
 * `threshold` x the file's peak envelope, and placed where the envelope
 * rose through half of the following 3 ms peak, interpolated between
 * samples.  Built for the synth's clicks (synth.h), accurate to ~0.05 ms.
 *
 * Pitch: Hann-windowed FFT of the mono mix over [start, start+dur) (a
 * power-of-two length), strongest bin in [min_hz, max_hz], refined by a
 * parabola through the log magnitudes of that bin and its neighbours.
 */
#ifndef CS_MEASURE_H
#define CS_MEASURE_H

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/audio.h"

static inline double *measure_mono(const cs_audio *a)
{
    double *m = malloc((a->frames ? a->frames : 1) * sizeof *m);
    if (!m) return NULL;
    for (size_t i = 0; i < a->frames; i++) {
        double s = 0;
        for (int c = 0; c < a->channels; c++) s += a->data[i * (size_t)a->channels + (size_t)c];
        m[i] = s / a->channels;
    }
    return m;
}

/* In-place biquad high-pass (RBJ cookbook form), forwards or backwards. */
static inline void measure_highpass(double *x, size_t n, double fc, double q, double rate, int backwards)
{
    double w = 2 * M_PI * fc / rate, al = sin(w) / (2 * q), cw = cos(w);
    double a0 = 1 + al;
    double b0 = (1 + cw) / 2 / a0, b1 = -(1 + cw) / a0, b2 = b0;
    double a1 = -2 * cw / a0, a2 = (1 - al) / a0;
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = backwards ? n - 1 - k : k;
        double y = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1; x1 = x[i]; y2 = y1; y1 = y;
        x[i] = y;
    }
}

/* Envelope of the clicks; caller frees.  NULL on allocation failure. */
static inline double *measure_click_envelope(const cs_audio *a)
{
    double *m = measure_mono(a);
    if (!m) return NULL;
    size_t n = a->frames;
    /* Odd reflection at both ends (as scipy's filtfilt does): a filter
     * starting or ending on a non-zero sample would otherwise see a step
     * and report an edge "click" louder than the real ones. */
    size_t pad = n > 1 ? (n - 1 < 512 ? n - 1 : 512) : 0;
    double *x = malloc((n + 2 * pad + 1) * sizeof *x);
    if (!x) { free(m); return NULL; }
    for (size_t i = 0; i < n; i++) x[pad + i] = m[i];
    for (size_t k = 1; k <= pad; k++) {
        x[pad - k] = 2 * m[0] - m[k];
        x[pad + n - 1 + k] = 2 * m[n - 1] - m[n - 1 - k];
    }
    free(m);
    /* 2nd-order Butterworth both ways: steeper filters ring before the
     * click and drag the onset early. */
    for (int dir = 0; dir < 2; dir++) measure_highpass(x, n + 2 * pad, 1000, M_SQRT1_2, a->rate, dir);
    memmove(x, x + pad, n * sizeof *x);
    double *e = malloc((n ? n : 1) * sizeof *e);
    if (!e) { free(x); return NULL; }
    double k = a->rate / (2 * M_PI * 2500.0) / 2;
    for (size_t i = 0; i < n; i++) {
        double d = (i + 1 < n ? x[i + 1] : x[i]) - (i > 0 ? x[i - 1] : x[i]);
        e[i] = sqrt(x[i] * x[i] + (d * k) * (d * k));
    }
    free(x);
    return e;
}

/* Onset times in seconds into *times (malloc'd, caller frees).  threshold
 * is relative to the file's largest envelope value; min_gap seconds
 * separate onsets.  Returns 0, or -1 on allocation failure. */
static inline int measure_onsets(const cs_audio *a, double threshold, double min_gap,
                                 double **times, size_t *count)
{
    *times = NULL;
    *count = 0;
    double *e = measure_click_envelope(a);
    if (!e) return -1;
    size_t n = a->frames, cap = 64;
    double peak = 0;
    for (size_t i = 0; i < n; i++) if (e[i] > peak) peak = e[i];
    double *t = malloc(cap * sizeof *t);
    if (!t) { free(e); return -1; }
    double thr = threshold * peak;
    size_t gap = (size_t)(min_gap * a->rate), look = (size_t)(0.003 * a->rate);
    for (size_t i = 1; i < n && peak > 0; i++) {
        if (e[i] < thr) continue;
        double pk = 0;
        for (size_t j = i; j < n && j < i + look; j++) if (e[j] > pk) pk = e[j];
        double half = pk / 2;
        size_t j = i;
        while (j + 1 < n && e[j] < half) j++;
        while (j > 0 && e[j - 1] >= half) j--;
        /* e[j-1] < half <= e[j]: the crossing lies between them. */
        double at = (double)j;
        if (j > 0 && e[j] > e[j - 1]) at = (double)(j - 1) + (half - e[j - 1]) / (e[j] - e[j - 1]);
        if (*count == cap) {
            double *p = realloc(t, 2 * cap * sizeof *t);
            if (!p) { free(t); free(e); return -1; }
            t = p;
            cap *= 2;
        }
        t[(*count)++] = at / a->rate;
        i += gap > 0 ? gap : 1;
    }
    free(e);
    *times = t;
    return 0;
}

static inline void measure_fft(double complex *x, size_t n)
{
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) { double complex t = x[i]; x[i] = x[j]; x[j] = t; }
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        double complex wl = cexp(-2 * M_PI * I / (double)len);
        for (size_t i = 0; i < n; i += len) {
            double complex w = 1;
            for (size_t k = 0; k < len / 2; k++) {
                double complex u = x[i + k], v = x[i + k + len / 2] * w;
                x[i + k] = u + v;
                x[i + k + len / 2] = u - v;
                w *= wl;
            }
        }
    }
}

/* Dominant frequency in Hz over [start, start+dur) (dur <= 0: to the end);
 * -1 when the span is too short or allocation fails. */
static inline double measure_pitch(const cs_audio *a, double start, double dur,
                                   double min_hz, double max_hz)
{
    size_t s = start > 0 ? (size_t)(start * a->rate) : 0;
    if (s >= a->frames) return -1;
    size_t avail = a->frames - s;
    if (dur > 0 && (size_t)(dur * a->rate) < avail) avail = (size_t)(dur * a->rate);
    size_t n = 1;
    while (n * 2 <= avail && n < ((size_t)1 << 22)) n *= 2;
    if (n < 1024) return -1;
    double complex *x = malloc(n * sizeof *x);
    if (!x) return -1;
    for (size_t i = 0; i < n; i++) {
        double v = 0;
        for (int c = 0; c < a->channels; c++) v += a->data[(s + i) * (size_t)a->channels + (size_t)c];
        x[i] = v * (0.5 - 0.5 * cos(2 * M_PI * (double)i / (double)n));
    }
    measure_fft(x, n);
    double bin = (double)a->rate / (double)n;
    size_t lo = (size_t)ceil(min_hz / bin), hi = (size_t)floor(max_hz / bin);
    if (lo < 1) lo = 1;
    if (hi > n / 2 - 2) hi = n / 2 - 2;
    size_t best = lo;
    double bm = -1;
    for (size_t k = lo; k <= hi; k++) {
        double m = cabs(x[k]);
        if (m > bm) { bm = m; best = k; }
    }
    double l = log(cabs(x[best - 1]) + 1e-300), c = log(cabs(x[best]) + 1e-300),
           r = log(cabs(x[best + 1]) + 1e-300);
    double den = l - 2 * c + r, off = den != 0 ? 0.5 * (l - r) / den : 0;
    free(x);
    return ((double)best + off) * bin;
}

static inline double measure_db(double v)
{
    return v > 1e-10 ? 20 * log10(v) : -200;
}

#endif
