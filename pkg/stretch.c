/* The three stretch methods of stretch.h behind one call. */
#include "pkg/stretch.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <rubberband/rubberband-c.h>

/* Frames handed to a stretcher per call: keeps the per-call buffers small
 * whatever the input length. */
#define BLOCK 4096

size_t cs_stretch_out_frames(size_t in_frames, double speed)
{
    return (size_t)llround((double)in_frames / speed);
}

int cs_stretch_check_speed(double speed, cs_err *err)
{
    if (!isfinite(speed) || speed < CS_STRETCH_MIN_SPEED || speed > CS_STRETCH_MAX_SPEED)
        return cs_err_setc(err, CS_ERR_RANGE, "stretch: speed %g is outside [%g, %g] (speed = target_bpm / bpm)",
                          speed, CS_STRETCH_MIN_SPEED, CS_STRETCH_MAX_SPEED);
    return 0;
}

/* The one table of stretch-method names (export's --stretch, play's
 * --stretch-method): ours first, then the original system's (the server's
 * playback_rate/pyrubberband/audiotsm, the exporter's atempo). */
const cs_name cs_stretch_method_names[] = {
    { "rubberband", CS_STRETCH_RUBBERBAND, 0 },
    { "wsola", CS_STRETCH_WSOLA, 0 },
    { "atempo", CS_STRETCH_WSOLA | CS_STRETCH_PLAIN, 0 },
    { "rate", CS_STRETCH_RATE, 0 },
    { "playback_rate", CS_STRETCH_RATE, 0 },
    { "resample", CS_STRETCH_RATE, CS_NAME_ALIAS },
    { "pyrubberband", CS_STRETCH_RUBBERBAND, CS_NAME_ALIAS },
    { "audiotsm", CS_STRETCH_WSOLA, CS_NAME_ALIAS },
    { NULL, 0, 0 },
};

const cs_name cs_stretch_quality_names[] = {
    { "best", CS_STRETCH_BEST, 0 },
    { "fast", CS_STRETCH_FAST, 0 },
    { NULL, 0, 0 },
};

const char *cs_stretch_method_name(cs_stretch_method m)
{
    const char *n = cs_name_of(cs_stretch_method_names, (int)m);
    return n ? n : "?";
}

const char *cs_stretch_label(cs_stretch_method m, bool plain)
{
    const char *n = cs_name_of(cs_stretch_method_names, (int)m | (plain && m == CS_STRETCH_WSOLA ? CS_STRETCH_PLAIN : 0));
    return n ? n : "?";
}

int cs_stretch_method_parse(const char *s, cs_stretch_method *m)
{
    int i = cs_name_lookup(cs_stretch_method_names, s);
    if (i >= 0) *m = (cs_stretch_method)(i & ~CS_STRETCH_PLAIN);
    return i < 0 ? -1 : 0;
}

const char *cs_stretch_quality_name(cs_stretch_quality q)
{
    const char *n = cs_name_of(cs_stretch_quality_names, (int)q);
    return n ? n : "?";
}

int cs_stretch_quality_parse(const char *s, cs_stretch_quality *q)
{
    int i = cs_name_lookup(cs_stretch_quality_names, s);
    if (i >= 0) *q = (cs_stretch_quality)i;
    return i < 0 ? -1 : 0;
}

/* ---- Rubber Band, offline ------------------------------------------------ */

static int render_rubberband(const cs_audio *in, double speed, cs_stretch_quality q,
                             cs_audio *out, cs_err *err)
{
    int ch = in->channels;
    size_t want = out->frames;
    if (in->frames > UINT32_MAX)
        return cs_err_setc(err, CS_ERR_RANGE, "stretch: input too long for rubberband (%zu frames)", in->frames);
    /* Offline: two passes, exact output length and internal start-delay
     * compensation.  Threading never: the exporter runs one job per core.
     * "fast" is R3 with the short window, not R2.  Measured on synthesised
     * click tracks over a 105..130 ladder from 122.5 BPM: R2 cannot keep
     * both a steady tone and the beats (its defaults, as `rubberband -2`,
     * smear 1.5 ms clicks by up to 15 ms; its percussive preset keeps beats
     * within 4.4 ms but makes a steady tone warble by up to 2 %), while R3
     * with the short window keeps beats within 1.2 ms and pitch within 0.2 %
     * at the same CPU cost as R2 (0.17 s vs 0.17-0.20 s for 8 s stereo with
     * the CLI).  R2 with SmoothingOn also ends its output with a burst near
     * full scale. */
    RubberBandOptions opt = RubberBandOptionProcessOffline | RubberBandOptionChannelsTogether |
                            RubberBandOptionThreadingNever | RubberBandOptionEngineFiner;
    if (q == CS_STRETCH_FAST) opt |= RubberBandOptionWindowShort;
    RubberBandState rb = rubberband_new((unsigned)in->rate, (unsigned)ch, opt, 1.0 / speed, 1.0);
    float *buf = calloc((size_t)BLOCK * (size_t)ch, sizeof(float));
    float **planes = calloc((size_t)ch, sizeof *planes);
    if (!rb || !buf || !planes) {
        if (rb) rubberband_delete(rb);
        free(buf);
        free(planes);
        return cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory");
    }
    for (int c = 0; c < ch; c++) planes[c] = buf + (size_t)c * BLOCK;
    rubberband_set_expected_input_duration(rb, (unsigned)in->frames);
    rubberband_set_max_process_size(rb, BLOCK);

    size_t got = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t pos = 0; pos < in->frames || (pos == 0 && in->frames == 0);) {
            size_t n = in->frames - pos < BLOCK ? in->frames - pos : BLOCK;
            for (int c = 0; c < ch; c++)
                for (size_t i = 0; i < n; i++)
                    planes[c][i] = in->data[(pos + i) * (size_t)ch + (size_t)c];
            int final = pos + n >= in->frames;
            if (pass == 0)
                rubberband_study(rb, (const float *const *)planes, (unsigned)n, final);
            else
                rubberband_process(rb, (const float *const *)planes, (unsigned)n, final);
            pos += n;
            if (pass == 1) {
                /* Retrieve as we go so the stretcher's buffers stay small;
                 * after the final block, drain until available() says -1. */
                for (;;) {
                    int avail = rubberband_available(rb);
                    if (avail < 0 || (avail == 0 && !final)) break;
                    if (avail == 0) break;
                    unsigned r = rubberband_retrieve(rb, planes, avail < BLOCK ? (unsigned)avail : BLOCK);
                    if (r == 0) break;
                    for (unsigned i = 0; i < r && got < want; i++, got++)
                        for (int c = 0; c < ch; c++)
                            out->data[got * (size_t)ch + (size_t)c] = planes[c][i];
                }
            }
            if (final) break;
        }
    }
    rubberband_delete(rb);
    free(buf);
    free(planes);
    /* Offline mode gives the exact length; should it not, the zeroed tail of
     * `out` pads and the loop above trims. */
    return 0;
}

/* ---- WSOLA: libavfilter atempo ------------------------------------------ */

/* Appends a filter-graph output frame to out, up to out->frames. */
static void take_filtered(const AVFrame *f, cs_audio *out, size_t *got)
{
    size_t ch = (size_t)out->channels;
    size_t n = (size_t)f->nb_samples;
    if (*got + n > out->frames) n = out->frames - *got;
    memcpy(out->data + *got * ch, f->data[0], n * ch * sizeof(float));
    *got += n;
}

static int render_wsola(const cs_audio *in, double speed, cs_audio *out, cs_err *err)
{
    int rc = 0, ch = in->channels;
    char args[256], layout_name[128];
    AVChannelLayout layout = {0};
    AVFilterGraph *g = avfilter_graph_alloc();
    AVFrame *fr = av_frame_alloc(), *of = av_frame_alloc();
    AVFilterContext *src = NULL, *sink = NULL, *prev = NULL, *f = NULL;
    if (!g || !fr || !of) { rc = cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory"); goto done; }
    g->nb_threads = 1;
    av_channel_layout_default(&layout, ch);
    av_channel_layout_describe(&layout, layout_name, sizeof layout_name);
    snprintf(args, sizeof args, "time_base=1/%d:sample_rate=%d:sample_fmt=flt:channel_layout=%s",
             in->rate, in->rate, layout_name);
    if (avfilter_graph_create_filter(&src, avfilter_get_by_name("abuffer"), "in", args, NULL, g) < 0) {
        rc = cs_err_setc(err, CS_ERR_CODEC, "stretch: cannot create the audio source (%s)", args);
        goto done;
    }
    prev = src;
    /* atempo blends only within [0.5, 2] (beyond it skips samples): split
     * the factor over as many equal stages as needed. */
    int stages = 1;
    while (pow(speed, 1.0 / stages) > 2.0 || pow(speed, 1.0 / stages) < 0.5) stages++;
    double factor = pow(speed, 1.0 / stages);
    for (int i = 0; i < stages; i++) {
        char name[32];
        snprintf(name, sizeof name, "atempo%d", i);
        snprintf(args, sizeof args, "tempo=%.17g", factor);
        if (avfilter_graph_create_filter(&f, avfilter_get_by_name("atempo"), name, args, NULL, g) < 0 ||
            avfilter_link(prev, 0, f, 0) < 0) {
            rc = cs_err_setc(err, CS_ERR_CODEC, "stretch: cannot create the atempo filter");
            goto done;
        }
        prev = f;
    }
    snprintf(args, sizeof args, "sample_fmts=flt:channel_layouts=%s", layout_name);
    if (avfilter_graph_create_filter(&f, avfilter_get_by_name("aformat"), "fmt", args, NULL, g) < 0 ||
        avfilter_link(prev, 0, f, 0) < 0 ||
        avfilter_graph_create_filter(&sink, avfilter_get_by_name("abuffersink"), "out", NULL, NULL, g) < 0 ||
        avfilter_link(f, 0, sink, 0) < 0 || avfilter_graph_config(g, NULL) < 0) {
        rc = cs_err_setc(err, CS_ERR_CODEC, "stretch: cannot configure the atempo filter graph");
        goto done;
    }

    size_t got = 0;
    for (size_t pos = 0; pos <= in->frames; pos += BLOCK) {
        int last = pos + BLOCK >= in->frames;
        size_t n = last ? in->frames - pos : BLOCK;
        if (n > 0) {
            fr->nb_samples = (int)n;
            fr->format = AV_SAMPLE_FMT_FLT;
            fr->sample_rate = in->rate;
            fr->pts = (int64_t)pos;
            if (av_channel_layout_copy(&fr->ch_layout, &layout) < 0 || av_frame_get_buffer(fr, 0) < 0) {
                rc = cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory");
                goto done;
            }
            memcpy(fr->data[0], in->data + pos * (size_t)ch, n * (size_t)ch * sizeof(float));
            if (av_buffersrc_add_frame_flags(src, fr, 0) < 0) {
                rc = cs_err_setc(err, CS_ERR_CODEC, "stretch: atempo refused input");
                goto done;
            }
            av_frame_unref(fr);
        }
        if (last && av_buffersrc_add_frame_flags(src, NULL, 0) < 0) {
            rc = cs_err_setc(err, CS_ERR_CODEC, "stretch: atempo refused end of stream");
            goto done;
        }
        int r;
        while ((r = av_buffersink_get_frame(sink, of)) >= 0) {
            take_filtered(of, out, &got);
            av_frame_unref(of);
        }
        if (r != AVERROR(EAGAIN) && r != AVERROR_EOF) {
            rc = cs_err_setc(err, CS_ERR_CODEC, "stretch: atempo failed");
            goto done;
        }
        if (last) break;
    }
    /* atempo's length is off by a few ms per minute; the zeroed tail of out
     * pads a short result and take_filtered() trims a long one. */
done:
    av_channel_layout_uninit(&layout);
    av_frame_free(&fr);
    av_frame_free(&of);
    avfilter_graph_free(&g);
    return rc;
}

/* ---- Rate: windowed-sinc resampling ------------------------------------- */

/* Kernel: sinc windowed by a Kaiser window, KERNEL_ZEROS zero crossings
 * each side, tabulated at KERNEL_PHASES points per crossing and read with
 * linear interpolation (error ~1e-5, below 16-bit resolution). */
#define KERNEL_ZEROS 16
#define KERNEL_PHASES 512
#define KAISER_BETA 8.5

static double bessel_i0(double x)
{
    double sum = 1, term = 1;
    for (int k = 1; k < 50; k++) {
        term *= (x / (2 * k)) * (x / (2 * k));
        sum += term;
        if (term < 1e-12 * sum) break;
    }
    return sum;
}

static float *sinc_table(void)
{
    size_t n = (size_t)KERNEL_ZEROS * KERNEL_PHASES + 2;
    float *t = malloc(n * sizeof *t);
    if (!t) return NULL;
    double norm = bessel_i0(KAISER_BETA);
    for (size_t i = 0; i < n; i++) {
        double x = (double)i / KERNEL_PHASES;
        double r = x / KERNEL_ZEROS;
        double w = r < 1 ? bessel_i0(KAISER_BETA * sqrt(1 - r * r)) / norm : 0;
        double s = x == 0 ? 1 : sin(M_PI * x) / (M_PI * x);
        t[i] = (float)(s * w);
    }
    return t;
}

static int render_rate(const cs_audio *in, double speed, cs_audio *out, cs_err *err)
{
    float *table = sinc_table();
    int ch = in->channels;
    /* The cutoff follows the source rate when reading it faster (speed > 1),
     * or aliases would fold down; 0.95 leaves the kernel a transition band. */
    double fc = 0.95 * (speed > 1 ? 1.0 / speed : 1.0);
    int half = (int)ceil(KERNEL_ZEROS / fc);
    float *w = malloc((size_t)(2 * half + 2) * sizeof *w);
    double *acc = malloc((size_t)ch * sizeof *acc);
    if (!table || !w || !acc) {
        free(table);
        free(w);
        free(acc);
        return cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory");
    }
    long last = (long)in->frames - 1;
    const long lim = (long)KERNEL_ZEROS * KERNEL_PHASES;
    const float wfc = (float)fc;
    for (size_t n = 0; n < out->frames; n++) {
        /* Output frame n shows the input at n * speed: times scale exactly. */
        double x = (double)n * speed;
        long j0 = (long)floor(x) - half + 1, j1 = (long)floor(x) + half;
        /* Taps whose kernel argument lies beyond the last zero crossing
         * weigh 0; they sit at the ends of [j0, j1] and are left out (adding
         * a zero product never changes a sum that started at +0). */
        int k = 0, kb = 0, ke = 0;
        for (long j = j0; j <= j1; j++, k++) {
            double t = fabs(x - (double)j) * fc * KERNEL_PHASES;
            /* t is >= 0 and small: a signed conversion gives the same
             * index, without x86-64's slow unsigned one. */
            long i = (long)t;
            if (i >= lim) { w[k] = 0; if (ke == 0) kb = k + 1; continue; }
            float frac = (float)(t - (double)i);
            w[k] = wfc * (table[i] + frac * (table[i + 1] - table[i]));
            ke = k + 1;
        }
        float *o = out->data + n * (size_t)ch;
        if (ch == 2 && j0 >= 0 && j1 <= last) {
            /* The common case, inside the input and stereo: the same sums in
             * the same order as below, without the clamping and the channel
             * loop (this loop is most of an export's time with --stretch rate). */
            const float *p = in->data + (size_t)j0 * 2;
            double a0 = 0, a1 = 0;
            for (k = kb; k < ke; k++) {
                a0 += w[k] * p[2 * k];
                a1 += w[k] * p[2 * k + 1];
            }
            o[0] = (float)a0;
            o[1] = (float)a1;
            continue;
        }
        for (int c = 0; c < ch; c++) acc[c] = 0;
        for (k = kb; k < ke; k++) {
            /* Beyond the ends the edge sample repeats: no fade in or out. */
            long j = j0 + k;
            long s = j < 0 ? 0 : j > last ? last : j;
            const float *p = in->data + (size_t)s * (size_t)ch;
            for (int c = 0; c < ch; c++) acc[c] += w[k] * p[c];
        }
        for (int c = 0; c < ch; c++) o[c] = (float)acc[c];
    }
    free(table);
    free(w);
    free(acc);
    return 0;
}

/* ---- WSOLA anchored at beats -------------------------------------------- */

/* atempo places its fragments where they correlate best, so a transient can
 * land up to ~15 ms off its ideal time (measured on click tracks).  When the
 * caller knows the beats, each inter-beat stretch is rendered on its own and
 * placed so that its beat lands exactly: atempo copies the first half-window
 * of its input unscaled, so a chunk that starts PRE before a beat carries
 * that beat at PRE after its start.  Chunks overlap by FADE samples inside
 * that pre-roll and are joined with a raised-cosine crossfade in the middle
 * of it.  Exact placement would leave sustained tones with a phase jump at
 * every beat, so, as WSOLA does at its splices, the chunk may move by up to
 * SHIFT to where it continues the previous one best: beats land within SHIFT
 * (instead of ~15 ms) and tones stay continuous.  Each chunk's
 * input stops GUARD before the next beat so the previous chunk never holds a
 * displaced copy of it, and is padded with its own last TAIL mirrored, so
 * the end-of-stream flush (which emits stray fragments, measured as a ghost
 * click ~11 ms before the next beat when slowing down) falls past the part
 * of the chunk that is used. */
#define ANCHOR_PRE_S 0.020
#define ANCHOR_FADE_S 0.005
#define ANCHOR_SHIFT_S 0.005
#define ANCHOR_GUARD_S 0.001
#define ANCHOR_MIN_GAP_S 0.1
#define ANCHOR_TAIL_S 0.04

/* How far (in [-max_shift, +max_shift] frames) to move the new chunk so that,
 * over the crossfade window [win, win + fade) of the output, it continues
 * what `out` already holds: the best normalised cross-correlation over all
 * channels.  A sustained tone and the bass then run on without a phase
 * jump at the splice; the beat moves by at most max_shift. */
static double splice_score(const float *x, const float *y, size_t n)
{
    float xy = 0, xx = 0, yy = 0;
    for (size_t i = 0; i < n; i++) {
        xy += x[i] * y[i];
        xx += x[i] * x[i];
        yy += y[i] * y[i];
    }
    return xx > 0 && yy > 0 ? xy / sqrt((double)xx * yy) : 0.0;
}

static long long best_shift(const cs_audio *out, const cs_audio *chunk, long long at,
                            long long win, size_t fade, long long max_shift)
{
    const size_t ch = (size_t)out->channels;
    long long best = 0;
    double best_score = -2.0;
    if (win < 0 || (size_t)win + fade > out->frames) return 0;
    const float *x = out->data + (size_t)win * ch;
    /* Coarse pass every 4 frames, then the 7 frames around the best: the
     * correlation of music is smooth at that scale, and it is 4x cheaper. */
    for (int pass = 0; pass < 2; pass++) {
        long long lo = pass ? best - 3 : -max_shift, hi = pass ? best + 3 : max_shift;
        long long step = pass ? 1 : 4;
        for (long long d = lo; d <= hi; d += step) {
            if (d < -max_shift || d > max_shift) continue;
            long long j = win - (at + d);          /* chunk frame under win */
            if (j < 0 || (size_t)j + fade > chunk->frames) continue;
            double score = splice_score(x, chunk->data + (size_t)j * ch, fade * ch);
            /* Prefer the smaller shift on ties: the beat stays closer. */
            if (score > best_score + 1e-9 ||
                (fabs(score - best_score) <= 1e-9 && llabs(d) < llabs(best))) {
                best_score = score;
                best = d;
            }
        }
    }
    return best;
}

static int render_wsola_anchored(const cs_audio *in, double speed, const cs_dvec *beats,
                                 cs_audio *out, cs_err *err)
{
    const size_t ch = (size_t)in->channels;
    const size_t pre = (size_t)lround(ANCHOR_PRE_S * in->rate);
    const size_t fade = (size_t)lround(ANCHOR_FADE_S * in->rate);
    const size_t guard = (size_t)lround(ANCHOR_GUARD_S * in->rate);
    const size_t gap = (size_t)lround(ANCHOR_MIN_GAP_S * in->rate);
    const long long shift = lround(ANCHOR_SHIFT_S * in->rate);
    size_t *a = malloc((beats->n + 1) * sizeof *a);
    if (!a) return cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory");
    size_t n = 0;
    a[n++] = 0;
    for (size_t i = 0; i < beats->n; i++) {
        double t = beats->v[i] * in->rate;
        if (!(t >= 0)) continue;
        size_t p = (size_t)llround(t);
        /* The last beat too, when a short chunk (a quarter gap) follows it. */
        if (p >= a[n - 1] + gap && p + gap / 4 <= in->frames) a[n++] = p;
    }
    /* One input and one output buffer, sized for the longest chunk, and the
     * crossfade curve, reused for every chunk. */
    const size_t tail_max = (size_t)lround(ANCHOR_TAIL_S * in->rate);
    size_t longest = 0;
    for (size_t k = 0; k < n; k++) {
        size_t start = k ? a[k] - pre : 0, end = k + 1 < n ? a[k + 1] - guard : in->frames;
        if (end - start + tail_max > longest) longest = end - start + tail_max;
    }
    cs_audio view = {0}, tmp = {0};
    float *curve = malloc(fade * sizeof *curve);
    int rc = 0;
    if (!curve || cs_audio_alloc(&view, longest, in->channels, in->rate) < 0 ||
        cs_audio_alloc(&tmp, cs_stretch_out_frames(longest, speed), in->channels, in->rate) < 0)
        rc = cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory");
    for (size_t i = 0; rc == 0 && i < fade; i++)
        curve[i] = 0.5f - 0.5f * cosf((float)M_PI * ((float)i + 0.5f) / (float)fade);
    for (size_t k = 0; k < n && rc == 0; k++) {
        size_t start = k ? a[k] - pre : 0;
        size_t end = k + 1 < n ? a[k + 1] - guard : in->frames;
        size_t len = end - start;
        size_t tail = tail_max;   /* the last chunk too: its flush falls past the end */
        if (tail > len) tail = len;
        cs_audio v = { view.data, len + tail, in->channels, in->rate };
        cs_audio t = { tmp.data, cs_stretch_out_frames(len + tail, speed), in->channels, in->rate };
        memcpy(v.data, in->data + start * ch, len * ch * sizeof(float));
        for (size_t i = 0; i < tail; i++)
            memcpy(v.data + (len + i) * ch, in->data + (end - 1 - i) * ch, ch * sizeof(float));
        /* render_wsola pads a short result with what `t` holds: zeros. */
        memset(t.data, 0, t.frames * ch * sizeof(float));
        rc = render_wsola(&v, speed, &t, err);
        /* Where this chunk's first frame goes: its beat (PRE in) on the grid,
         * give or take the splice shift. */
        long long at = k ? llround((double)a[k] / speed) - (long long)pre : 0;
        long long win = at + (long long)(pre / 2);   /* crossfade window start */
        if (k && rc == 0) at += best_shift(out, &t, at, win, fade, shift);
        for (size_t j = 0; rc == 0 && j < t.frames; j++) {
            long long o = at + (long long)j;
            if (o < (k ? win : 0)) continue;
            if ((size_t)o >= out->frames) break;
            float *dst = out->data + (size_t)o * ch;
            const float *src = t.data + j * ch;
            if (k && o < win + (long long)fade) {
                float w = curve[o - win];
                for (size_t c = 0; c < ch; c++) dst[c] = dst[c] * (1.0f - w) + src[c] * w;
            } else {
                memcpy(dst, src, ch * sizeof(float));
            }
        }
    }
    cs_audio_free(&view);
    cs_audio_free(&tmp);
    free(curve);
    free(a);
    return rc;
}

int cs_stretch_render_anchored(const cs_audio *in, double speed, cs_stretch_method m,
                               cs_stretch_quality q, const cs_dvec *beats, cs_audio *out,
                               cs_err *err)
{
    /* The pre-roll must still cover the crossfade and guard after scaling. */
    bool anchored = m == CS_STRETCH_WSOLA && beats && beats->n > 0 && speed != 1.0 &&
                    (ANCHOR_PRE_S - ANCHOR_GUARD_S) / speed >= ANCHOR_PRE_S / 2 + ANCHOR_SHIFT_S;
    if (!anchored) return cs_stretch_render(in, speed, m, q, out, err);
    memset(out, 0, sizeof *out);
    if (cs_stretch_check_speed(speed, err) < 0) return -1;
    if (in->channels <= 0 || in->rate <= 0 || (in->frames > 0 && !in->data))
        return cs_err_setc(err, CS_ERR_RANGE, "stretch: empty input (no channels or rate)");
    if (cs_audio_alloc(out, cs_stretch_out_frames(in->frames, speed), in->channels, in->rate) < 0)
        return cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory");
    cs_av_quiet();
    int rc = render_wsola_anchored(in, speed, beats, out, err);
    if (rc < 0) cs_audio_free(out);
    return rc;
}

int cs_stretch_render(const cs_audio *in, double speed, cs_stretch_method m,
                      cs_stretch_quality q, cs_audio *out, cs_err *err)
{
    memset(out, 0, sizeof *out);
    if (cs_stretch_check_speed(speed, err) < 0) return -1;
    if (in->channels <= 0 || in->rate <= 0 || (in->frames > 0 && !in->data))
        return cs_err_setc(err, CS_ERR_RANGE, "stretch: empty input (no channels or rate)");
    if ((unsigned)m > CS_STRETCH_WSOLA) return cs_err_setc(err, CS_ERR_USAGE, "stretch: unknown method %d", (int)m);
    size_t frames = cs_stretch_out_frames(in->frames, speed);
    if (cs_audio_alloc(out, frames, in->channels, in->rate) < 0)
        return cs_err_setc(err, CS_ERR_NOMEM, "stretch: out of memory (%zu frames)", frames);
    if (speed == 1.0 || in->frames == 0) {
        if (frames) memcpy(out->data, in->data, frames * (size_t)in->channels * sizeof(float));
        return 0;
    }
    cs_av_quiet();
    int rc;
    switch (m) {
    case CS_STRETCH_RUBBERBAND: rc = render_rubberband(in, speed, q, out, err); break;
    case CS_STRETCH_WSOLA: rc = render_wsola(in, speed, out, err); break;
    default: rc = render_rate(in, speed, out, err); break;
    }
    if (rc < 0) cs_audio_free(out);
    return rc;
}
