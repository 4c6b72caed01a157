/* mixcheck: what tests/e2e/transitions.sh measures in a rendered mix, the
 * DSP part (the script does the bookkeeping).
 *
 *   mixcheck onsets FILE WIN_S F1 [F2 ...]
 *       For each frequency F (Hz): the mono mix demodulated at F (times
 *       e^-j2πFt), low-passed by two cascaded moving averages of WIN_S/2
 *       each (a triangular window: sidelobes under -26 dB, so markers a few
 *       hundred Hz apart do not leak into each other), its magnitude the
 *       band's envelope.  An onset is where the envelope first rises
 *       through half of its next local peak (peaks at least 0.1 s apart,
 *       above 0.0005 = -66 dBFS and above 1/30 of the strongest peak in the
 *       2 s around).  Prints "F TIME PEAK" per onset.
 *   mixcheck env FILE WIN_S HOP_S F1 [F2 ...]
 *       The same envelopes every HOP_S: "TIME E1 E2 ...".
 *   mixcheck locate FILE PART T0 T1 EXPECT_S
 *       Where PART sounds in FILE (played at rate 1): the onset-strength
 *       envelopes of both (5.8 ms frames of first-difference energy, log,
 *       rising part) cross-correlated over FILE's window [T0, T1) at lags
 *       within 1 s of EXPECT_S (music repeats: bars and patterns would
 *       match further off); prints "offset_s X score S": PART's time p plays at FILE's
 *       time p + X (refined between frames by a parabola).
 *   mixcheck match FILE PART T EXPECT_S
 *       The same, sample-exact, for a stretch where PART plays alone at
 *       rate 1: the 4096 samples of FILE from T against PART at every
 *       offset within 1 s of EXPECT_S (PART resampled to FILE's rate),
 *       each scaled by its best gain; prints "offset_s X residual R" for
 *       the offset whose residual energy (relative to FILE's) is least
 *       (~1e-6 for the same samples through 16-bit files, a few 1e-3
 *       through two different resamplers, near 1 for other music).
 *   mixcheck gaps FILE
 *       RMS over 10 ms blocks; prints "gap START LENGTH [end]" for each run
 *       of blocks below -40 dBFS longer than 250 ms ("end": it lasts to the
 *       end of the file, after the set), then "longest_gap_s X" and
 *       "gaps_over_250ms N" over the runs that do not.
 * Exit 0, 1 error, 2 usage. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/audio.h"
#include "pkg/err.h"

static float *mono(const cs_audio *a)
{
    float *m = malloc((a->frames ? a->frames : 1) * sizeof *m);
    if (!m) return NULL;
    for (size_t i = 0; i < a->frames; i++) {
        double s = 0;
        for (int c = 0; c < a->channels; c++) s += a->data[i * (size_t)a->channels + (size_t)c];
        m[i] = (float)(s / a->channels);
    }
    return m;
}

/* The envelope of x at f (n samples at rate), window win samples.  The
 * four work arrays (n + 1 doubles each) are allocated on the first call and
 * kept for the next ones (the same n): a page-faulting fresh 200 MB for
 * each frequency was half of a 10-frequency run's time. */
static double *ws_re, *ws_im, *ws_pr, *ws_pi;
static size_t ws_n;

static float *envelope(const float *x, size_t n, int rate, double f, size_t win)
{
    size_t h = win / 2 ? win / 2 : 1;
    if (!ws_re || ws_n != n) {
        free(ws_re);
        free(ws_im);
        free(ws_pr);
        free(ws_pi);
        ws_re = malloc((n + 1) * sizeof *ws_re);
        ws_im = malloc((n + 1) * sizeof *ws_im);
        ws_pr = malloc((n + 1) * sizeof *ws_pr);
        ws_pi = malloc((n + 1) * sizeof *ws_pi);
        ws_n = n;
        if (!ws_re || !ws_im || !ws_pr || !ws_pi) return NULL;
    }
    double *re = ws_re, *im = ws_im, *pr = ws_pr, *pi = ws_pi;
    float *e = malloc((n ? n : 1) * sizeof *e);
    if (!e) return NULL;
    double w = 2 * M_PI * f / rate;
    for (int pass = 0; pass < 2; pass++) {
        /* Running sums (prefix sums in double) of the demodulated signal,
         * then of the first average: two boxcars of h samples. */
        double cr = 0, ci = 0;
        pr[0] = pi[0] = 0;
        if (pass == 0) {
            for (size_t i = 0; i < n; i++) {
                cr += x[i] * cos(w * (double)i);
                ci += -x[i] * sin(w * (double)i);
                pr[i + 1] = cr;
                pi[i + 1] = ci;
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                cr += re[i];
                ci += im[i];
                pr[i + 1] = cr;
                pi[i + 1] = ci;
            }
        }
        for (size_t i = 0; i < n; i++) {
            size_t lo = i + 1 > h ? i + 1 - h : 0;
            re[i] = (pr[i + 1] - pr[lo]) / (double)h;
            im[i] = (pi[i + 1] - pi[lo]) / (double)h;
        }
    }
    for (size_t i = 0; i < n; i++) e[i] = (float)(2 * sqrt(re[i] * re[i] + im[i] * im[i]));
    return e;
}

static void onsets(const float *e, size_t n, int rate, double f)
{
    size_t gap = (size_t)(0.1 * rate), span = (size_t)(1.0 * rate);
    size_t i = 1;
    while (i + 1 < n) {
        if (!(e[i] > 0.0005f && e[i] >= e[i - 1] && e[i] > e[i + 1])) {
            i++;
            continue;
        }
        /* A local peak: the largest within ±gap. */
        size_t lo = i > gap ? i - gap : 0, hi = i + gap < n ? i + gap : n - 1;
        bool top = true;
        for (size_t k = lo; k <= hi && top; k++) top = e[k] <= e[i] || k == i;
        if (!top) {
            i++;
            continue;
        }
        float big = 0;
        size_t a = i > span ? i - span : 0, b = i + span < n ? i + span : n - 1;
        for (size_t k = a; k <= b; k++) big = e[k] > big ? e[k] : big;
        if (e[i] * 30 >= big) {
            size_t k = i;
            while (k > lo && e[k - 1] >= 0.5f * e[i]) k--;
            double t = (double)k;
            if (k > 0 && e[k] != e[k - 1]) t = (double)(k - 1) + (0.5 * e[i] - e[k - 1]) / (e[k] - e[k - 1]);
            printf("%g %.5f %.6f\n", f, t / rate, e[i]);
        }
        i = hi + 1;
    }
}

#define HOPF 256

/* Onset strength per HOPF frame: rise of log energy of the first difference. */
static double *onset_env(const float *x, size_t n, size_t *m)
{
    *m = n / HOPF;
    double *e = calloc(*m + 1, sizeof *e);
    if (!e) return NULL;
    double prev = 0;
    for (size_t k = 0; k < *m; k++) {
        double s = 0;
        for (size_t i = k * HOPF; i < (k + 1) * HOPF; i++) {
            double d = i ? (double)x[i] - x[i - 1] : 0;
            s += d * d;
        }
        double l = log(1e-9 + s);
        e[k] = k && l > prev ? l - prev : 0;
        prev = l;
    }
    return e;
}

static int locate(const float *x, size_t n, int rate, const char *part, double t0, double t1, double expect)
{
    cs_audio b;
    cs_err err;
    if (cs_audio_decode(part, 0, 0, 0, 0, &b, &err) < 0) {
        fprintf(stderr, "mixcheck: %s\n", err.msg);
        return 1;
    }
    float *y = mono(&b);
    size_t mx, my;
    double *ex = onset_env(x, n, &mx), *ey = y ? onset_env(y, b.frames, &my) : NULL;
    if (!ex || !ey) return 1;
    long k0 = (long)(t0 * rate / HOPF), k1 = (long)(t1 * rate / HOPF);
    if (k1 > (long)mx) k1 = (long)mx;
    double best = -1, sc[3] = {0};
    long bl = 0;
    long lc = lround(expect * rate / HOPF), lw = rate / HOPF;
    for (long lag = lc - lw; lag <= lc + lw; lag++) {     /* part frame j at mix frame j + lag */
        double s = 0, nx = 0, ny = 0;
        for (long k = k0; k < k1; k++) {
            long j = k - lag;
            if (j < 0 || j >= (long)my) continue;
            s += ex[k] * ey[j];
            nx += ex[k] * ex[k];
            ny += ey[j] * ey[j];
        }
        double c = nx > 0 && ny > 0 ? s / sqrt(nx * ny) : 0;
        if (c > best) {
            best = c;
            bl = lag;
        }
    }
    for (int d = -1; d <= 1; d++) {
        double s = 0, nx = 0, ny = 0;
        for (long k = k0; k < k1; k++) {
            long j = k - (bl + d);
            if (j < 0 || j >= (long)my) continue;
            s += ex[k] * ey[j];
            nx += ex[k] * ex[k];
            ny += ey[j] * ey[j];
        }
        sc[d + 1] = nx > 0 && ny > 0 ? s / sqrt(nx * ny) : 0;
    }
    double den = sc[0] - 2 * sc[1] + sc[2], frac = den < 0 ? 0.5 * (sc[0] - sc[2]) / den : 0;
    printf("offset_s %.5f score %.3f\n", ((double)bl + frac) * HOPF / rate, best);
    free(ex);
    free(ey);
    free(y);
    cs_audio_free(&b);
    return 0;
}

static int match(const float *x, size_t n, int rate, const char *part, double t, double expect)
{
    cs_audio b;
    cs_err err;
    if (cs_audio_decode(part, rate, 0, 0, 0, &b, &err) < 0) {
        fprintf(stderr, "mixcheck: %s\n", err.msg);
        return 1;
    }
    float *y = mono(&b);
    if (!y) return 1;
    const long W = 4096;
    long i0 = lround(t * rate), lc = lround(expect * rate);
    if (i0 < 0 || i0 + W > (long)n) {
        fprintf(stderr, "mixcheck: window outside the file\n");
        return 1;
    }
    double xx = 0, best = INFINITY;
    long bl = 0;
    for (long k = 0; k < W; k++) xx += (double)x[i0 + k] * x[i0 + k];
    for (long lag = lc - rate; lag <= lc + rate; lag++) {      /* part sample j at mix sample j + lag */
        long j0 = i0 - lag;
        if (j0 < 0 || j0 + W > (long)b.frames) continue;
        double xy = 0, yy = 0;
        for (long k = 0; k < W; k++) {
            xy += (double)x[i0 + k] * y[j0 + k];
            yy += (double)y[j0 + k] * y[j0 + k];
        }
        double r = yy > 0 && xx > 0 ? (xx - xy * xy / yy) / xx : 1;
        if (r < best) {
            best = r;
            bl = lag;
        }
    }
    printf("offset_s %.6f residual %.3g\n", (double)bl / rate, best);
    free(y);
    cs_audio_free(&b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: mixcheck onsets FILE WIN_S F...\n       mixcheck env FILE WIN_S HOP_S F...\n"
              "       mixcheck locate FILE PART T0 T1 EXPECT_S\n       mixcheck match FILE PART T EXPECT_S\n       mixcheck gaps FILE\n", stderr);
        return 2;
    }
    cs_audio a;
    cs_err err;
    if (cs_audio_decode(argv[2], 0, 0, 0, 0, &a, &err) < 0) {
        fprintf(stderr, "mixcheck: %s\n", err.msg);
        return 1;
    }
    float *x = mono(&a);
    if (!x) return 1;
    size_t n = a.frames;
    int rate = a.rate;
    if (!strcmp(argv[1], "match") && argc == 6) {
        int rc = match(x, n, rate, argv[3], atof(argv[4]), atof(argv[5]));
        free(x);
        cs_audio_free(&a);
        return rc;
    }
    if (!strcmp(argv[1], "locate") && argc == 7) {
        int rc = locate(x, n, rate, argv[3], atof(argv[4]), atof(argv[5]), atof(argv[6]));
        free(x);
        cs_audio_free(&a);
        return rc;
    }
    if (!strcmp(argv[1], "gaps")) {
        size_t blk = (size_t)rate / 100, run = 0, longest = 0, over = 0;
        for (size_t i = 0; i + blk <= n; i += blk) {
            double s = 0;
            for (size_t k = 0; k < blk; k++) s += (double)x[i + k] * x[i + k];
            bool quiet = 10 * log10(s / (double)blk + 1e-30) < -40;
            if (quiet) run++;
            if (!quiet || i + 2 * blk > n) {
                bool tail = quiet;       /* a run that lasts to the end: the set is over */
                if (run * 10 > 250) printf("gap %.3f %.3f%s\n", (double)(i / blk - run) / 100, (double)run / 100, tail ? " end" : "");
                if (!tail && run > longest) longest = run;
                if (!tail && run * 10 > 250) over++;
                run = 0;
            }
        }
        printf("longest_gap_s %.3f\ngaps_over_250ms %zu\n", (double)longest / 100, over);
    } else if (!strcmp(argv[1], "onsets") && argc >= 5) {
        size_t win = (size_t)(atof(argv[3]) * rate);
        for (int k = 4; k < argc; k++) {
            float *e = envelope(x, n, rate, atof(argv[k]), win);
            if (!e) return 1;
            onsets(e, n, rate, atof(argv[k]));
            free(e);
        }
    } else if (!strcmp(argv[1], "env") && argc >= 6) {
        size_t win = (size_t)(atof(argv[3]) * rate), hop = (size_t)(atof(argv[4]) * rate);
        int nf = argc - 5;
        float **e = calloc((size_t)nf, sizeof *e);
        for (int k = 0; e && k < nf; k++)
            if (!(e[k] = envelope(x, n, rate, atof(argv[5 + k]), win))) return 1;
        for (size_t i = win; e && hop && i < n; i += hop) {
            printf("%.3f", (double)(i - win / 2) / rate);
            for (int k = 0; k < nf; k++) printf(" %.6f", e[k][i]);
            putchar('\n');
        }
    } else {
        fputs("mixcheck: bad command\n", stderr);
        return 2;
    }
    free(x);
    cs_audio_free(&a);
    return 0;
}
