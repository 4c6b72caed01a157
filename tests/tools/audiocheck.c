/* audiocheck: objective checks of an audio file for the e2e tests.  Prints
 * plain "key value" lines (onsets: one time per line).  Any format FFmpeg
 * reads.  Exit 0 ok, 1 error (message on stderr), 2 usage. */
#include "tests/tools/measure.h"
#include "pkg/audio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: audiocheck COMMAND FILE [options]\n"
    "  info FILE                       frames, rate, channels, seconds, peak_db, rms_db\n"
    "  onsets FILE [--threshold R] [--min-gap S]\n"
    "                                  click onset times in seconds, one per line\n"
    "                                  (R: fraction of the loudest click, default 0.25;\n"
    "                                  S: seconds between onsets, default 0.05)\n"
    "  pitch FILE [--start S] [--dur D] [--min-hz F] [--max-hz F]\n"
    "                                  hz: dominant frequency (FFT peak, interpolated)\n"
    "  clicks FILE [--hz F]            max_step, max_step_time, median_step, step_ratio,\n"
    "                                  spike_ratio, spike_time (largest 1 ms step vs the\n"
    "                                  median of the 100 ms around it); with --hz, the\n"
    "                                  sine bound 2*pi*F*peak/rate and sine_ratio\n"
    "  tempo FILE [--threshold R]      onsets, bpm (from the median onset interval)\n"
    "  grid FILE --bpm B [--first T] [--threshold R]\n"
    "                                  onsets, mean_ms, max_ms, bias_ms: onset distance\n"
    "                                  to the nearest beat of the grid T + k*60/B\n";

typedef struct {
    double threshold, min_gap, start, dur, min_hz, max_hz, hz, bpm, first;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    *o = (opts){ .threshold = 0.25, .min_gap = 0.05, .start = 0, .dur = 0, .min_hz = 20,
                 .max_hz = 20000, .hz = 0, .bpm = 0, .first = 0 };
    static const struct { const char *name; size_t off; } names[] = {
        { "--threshold", offsetof(opts, threshold) }, { "--min-gap", offsetof(opts, min_gap) },
        { "--start", offsetof(opts, start) },         { "--dur", offsetof(opts, dur) },
        { "--min-hz", offsetof(opts, min_hz) },       { "--max-hz", offsetof(opts, max_hz) },
        { "--hz", offsetof(opts, hz) },               { "--bpm", offsetof(opts, bpm) },
        { "--first", offsetof(opts, first) },
    };
    for (int i = 0; i < argc; i++) {
        size_t k;
        for (k = 0; k < sizeof names / sizeof *names; k++)
            if (strcmp(argv[i], names[k].name) == 0) break;
        if (k == sizeof names / sizeof *names || i + 1 >= argc) {
            fprintf(stderr, "audiocheck: bad option %s\n%s", argv[i], usage);
            return -1;
        }
        char *end;
        double v = strtod(argv[++i], &end);
        if (*end || end == argv[i]) {
            fprintf(stderr, "audiocheck: %s needs a number, got '%s'\n", names[k].name, argv[i]);
            return -1;
        }
        *(double *)((char *)o + names[k].off) = v;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int cmd_info(const cs_audio *a)
{
    double sum = 0;
    size_t n = a->frames * (size_t)a->channels;
    for (size_t i = 0; i < n; i++) sum += (double)a->data[i] * a->data[i];
    printf("frames %zu\nrate %d\nchannels %d\nseconds %.6f\npeak_db %.3f\nrms_db %.3f\n", a->frames,
           a->rate, a->channels, cs_audio_seconds(a), measure_db(cs_audio_peak(a)),
           measure_db(sqrt(sum / (double)(n ? n : 1))));
    return 0;
}

static int get_onsets(const cs_audio *a, const opts *o, double **t, size_t *n)
{
    if (measure_onsets(a, o->threshold, o->min_gap, t, n) < 0) {
        fprintf(stderr, "audiocheck: out of memory\n");
        return -1;
    }
    return 0;
}

static int cmd_onsets(const cs_audio *a, const opts *o)
{
    double *t;
    size_t n;
    if (get_onsets(a, o, &t, &n) < 0) return 1;
    for (size_t i = 0; i < n; i++) printf("%.5f\n", t[i]);
    free(t);
    return 0;
}

static int cmd_tempo(const cs_audio *a, const opts *o)
{
    double *t;
    size_t n;
    if (get_onsets(a, o, &t, &n) < 0) return 1;
    printf("onsets %zu\n", n);
    if (n < 2) {
        free(t);
        fprintf(stderr, "audiocheck: fewer than two onsets, no tempo\n");
        return 1;
    }
    for (size_t i = 0; i + 1 < n; i++) t[i] = t[i + 1] - t[i];
    printf("bpm %.4f\n", 60.0 / median(t, n - 1));
    free(t);
    return 0;
}

static int cmd_grid(const cs_audio *a, const opts *o)
{
    if (!(o->bpm > 0)) {
        fprintf(stderr, "audiocheck: grid needs --bpm\n");
        return 2;
    }
    double *t;
    size_t n;
    if (get_onsets(a, o, &t, &n) < 0) return 1;
    double period = 60.0 / o->bpm, sum = 0, bias = 0, worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = t[i] - (o->first + period * round((t[i] - o->first) / period));
        sum += fabs(d);
        bias += d;
        if (fabs(d) > worst) worst = fabs(d);
    }
    printf("onsets %zu\nmean_ms %.4f\nmax_ms %.4f\nbias_ms %.4f\n", n, n ? 1000 * sum / (double)n : 0,
           1000 * worst, n ? 1000 * bias / (double)n : 0);
    free(t);
    return 0;
}

static int cmd_pitch(const cs_audio *a, const opts *o)
{
    double hz = measure_pitch(a, o->start, o->dur, o->min_hz, o->max_hz);
    if (hz < 0) {
        fprintf(stderr, "audiocheck: span too short for a pitch (need 1024 frames)\n");
        return 1;
    }
    printf("hz %.4f\n", hz);
    return 0;
}

/* Discontinuities (docs/testing.md "How the tests judge audio"): the largest
 * sample-to-sample step, and how it compares with the material around it. */
static int cmd_clicks(const cs_audio *a, const opts *o)
{
    size_t win = (size_t)(a->rate / 1000), nw = a->frames / (win ? win : 1);
    if (nw < 3 || win == 0) {
        fprintf(stderr, "audiocheck: file too short\n");
        return 1;
    }
    double *wmax = calloc(nw, sizeof *wmax), *tmp = malloc((nw > 101 ? nw : 101) * sizeof *tmp);
    if (!wmax || !tmp) {
        free(wmax);
        free(tmp);
        fprintf(stderr, "audiocheck: out of memory\n");
        return 1;
    }
    double max_step = 0;
    size_t max_at = 0, ch = (size_t)a->channels;
    for (size_t i = 1; i < nw * win; i++)
        for (size_t c = 0; c < ch; c++) {
            double d = fabs((double)a->data[i * ch + c] - a->data[(i - 1) * ch + c]);
            if (d > wmax[i / win]) wmax[i / win] = d;
            if (d > max_step) { max_step = d; max_at = i; }
        }
    memcpy(tmp, wmax, nw * sizeof *tmp);
    double med = median(tmp, nw);
    double spike = 0;
    size_t spike_at = 0;
    for (size_t w = 0; w < nw; w++) {
        size_t lo = w >= 50 ? w - 50 : 0, hi = w + 50 < nw ? w + 50 : nw - 1, k = 0;
        for (size_t j = lo; j <= hi; j++)
            if (j != w) tmp[k++] = wmax[j];
        double m = median(tmp, k);
        double r = wmax[w] / (m > 1e-6 ? m : 1e-6);
        if (r > spike) { spike = r; spike_at = w; }
    }
    printf("max_step %.6f\nmax_step_time %.5f\nmedian_step %.6f\nstep_ratio %.3f\n"
           "spike_ratio %.3f\nspike_time %.4f\n", max_step, (double)max_at / a->rate, med,
           max_step / (med > 1e-9 ? med : 1e-9), spike, (double)(spike_at * win) / a->rate);
    if (o->hz > 0) {
        double bound = 2 * M_PI * o->hz * cs_audio_peak(a) / a->rate;
        printf("sine_bound %.6f\nsine_ratio %.3f\n", bound, max_step / (bound > 1e-12 ? bound : 1e-12));
    }
    free(wmax);
    free(tmp);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 3 && !(argc == 2 && argv[1][0] == '-') ? stderr : stdout);
        return argc < 3 && !(argc == 2 && argv[1][0] == '-') ? 2 : 0;
    }
    const char *cmd = argv[1], *file = argv[2];
    opts o;
    if (parse(argc - 3, argv + 3, &o) < 0) return 2;
    static const char *const cmds[] = { "info", "onsets", "pitch", "clicks", "tempo", "grid" };
    size_t k;
    for (k = 0; k < sizeof cmds / sizeof *cmds; k++)
        if (strcmp(cmd, cmds[k]) == 0) break;
    if (k == sizeof cmds / sizeof *cmds) {
        fprintf(stderr, "audiocheck: unknown command '%s'\n%s", cmd, usage);
        return 2;
    }
    cs_audio a;
    cs_err e;
    if (cs_audio_decode(file, 0, 0, 0, 0, &a, &e) < 0) {
        fprintf(stderr, "audiocheck: %s\n", e.msg);
        return 1;
    }
    int rc;
    switch (k) {
    case 0: rc = cmd_info(&a); break;
    case 1: rc = cmd_onsets(&a, &o); break;
    case 2: rc = cmd_pitch(&a, &o); break;
    case 3: rc = cmd_clicks(&a, &o); break;
    case 4: rc = cmd_tempo(&a, &o); break;
    default: rc = cmd_grid(&a, &o); break;
    }
    cs_audio_free(&a);
    return rc;
}
