/* Track energy: mean spectral flux of the loudness-normalised audio (see
 * energy.h for the formula and its sources). */
#include "pkg/energy.h"

#include <libavutil/mem.h>
#include <libavutil/tx.h>
#include <math.h>
#include <stdlib.h>

#define N 2048
#define HOP 1024
#define BINS (N / 2 + 1)
#define GAMMA 100.0
#define HALF 0.05

double cs_energy_measure(const cs_audio *a)
{
    if (!a || !a->data || a->channels < 1 || a->frames < (size_t)N + HOP) return -1;
    size_t n = a->frames;
    int ch = a->channels;
    /* Unit RMS of the mono mix: the loudness normalisation. */
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        double m = 0;
        for (int c = 0; c < ch; c++) m += a->data[i * (size_t)ch + (size_t)c];
        m /= ch;
        ss += m * m;
    }
    double rms = sqrt(ss / (double)n);
    if (!(rms > 1e-6)) return -1;
    double g = 1.0 / rms;

    AVTXContext *tx = NULL;
    av_tx_fn fn = NULL;
    float scale = 1.0f;
    /* Zeroed and padded: libavutil's SIMD transforms may read past N
     * (a float or two of padding that must not be left uninitialised). */
    float *in = av_mallocz((N + 64) * sizeof *in);
    AVComplexFloat *out = av_mallocz((BINS + 64) * sizeof *out);
    float *prev = malloc(BINS * sizeof *prev), *win = malloc(N * sizeof *win);
    double result = -1;
    if (!in || !out || !prev || !win || av_tx_init(&tx, &fn, AV_TX_FLOAT_RDFT, 0, N, &scale, 0) < 0) goto done;
    for (int i = 0; i < N; i++) win[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * i / N));
    double sum = 0;
    long frames = 0;
    for (size_t s = 0; s + N <= n; s += HOP) {
        for (int i = 0; i < N; i++) {
            double m = 0;
            for (int c = 0; c < ch; c++) m += a->data[(s + (size_t)i) * (size_t)ch + (size_t)c];
            in[i] = (float)(m / ch * g) * win[i];
        }
        fn(tx, out, in, sizeof(float));
        double sf = 0;
        for (int k = 0; k < BINS; k++) {
            /* |X| scaled by 2/N: a full-scale sine peaks near 1. */
            double mag = hypot(out[k].re, out[k].im) * 2.0 / N;
            float y = (float)log1p(GAMMA * mag);
            if (s > 0 && y > prev[k]) sf += y - prev[k];
            prev[k] = y;
        }
        if (s > 0) {
            sum += sf / BINS;
            frames++;
        }
    }
    if (frames > 0) {
        double flux = sum / (double)frames;
        result = flux / (flux + HALF);
    }
done:
    av_tx_uninit(&tx);
    av_free(in);
    av_free(out);
    free(prev);
    free(win);
    return result;
}
