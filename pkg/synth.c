/* Deterministic click-track synthesiser (synth.h). */
#include "pkg/synth.h"
#include "pkg/rate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Click shape: a sine burst from phase 0 (no step at the onset, so the
 * onset is exactly the beat time), decaying fast enough that an envelope
 * detector sees a sharp rise, cut after CLICK_LEN when it is ~-60 dB. */
#define CLICK_TAU 0.0015
#define CLICK_LEN 0.010
#define BASS_ATTACK 0.010
#define BASS_RELEASE 0.010

/* Roots of a four-bar progression (A1, F1, C2, G1). */
static const double bass_hz[4] = { 55.0, 43.6535, 65.4064, 48.9994 };
/* With `chord`: semitones from the tonic, an octave below, of I-vi-IV-V
 * (major) and i-VI-III-VII (minor, the A-F-C-G shape above). */
static const int bass_major[4] = { 0, -3, -7, -5 };
static const int bass_minor[4] = { 0, -4, 3, -2 };

static double bass_root(const cs_synth_params *p, size_t bar)
{
    if (!p->chord || !(p->tone_hz > 0)) return bass_hz[bar % 4];
    int st = (p->chord > 0 ? bass_major : bass_minor)[bar % 4];
    return p->tone_hz / 2 * pow(2.0, st / 12.0);
}

static char *dup_or_null(const char *s, int *fail)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) *fail = 1;
    return d;
}

static int build_struct(const cs_synth_params *p, double dur, int bpb, cs_struct *st, cs_err *err)
{
    double period = 60.0 / p->bpm, bar = period * bpb;
    int fail = 0;
    memset(st, 0, sizeof *st);
    st->bpm = p->bpm;
    st->path = dup_or_null(p->path, &fail);
    st->key = dup_or_null(p->key, &fail);
    size_t nb = 0;
    while (p->first_beat + (double)nb * period < dur - 1e-9) nb++;
    size_t nd = (nb + (size_t)bpb - 1) / (size_t)bpb;
    st->beats.v = malloc((nb ? nb : 1) * sizeof(double));
    st->beat_positions.v = malloc((nb ? nb : 1) * sizeof(int));
    st->downbeats.v = malloc((nd ? nd : 1) * sizeof(double));
    st->segments.v = calloc(p->n_sections + 2, sizeof(cs_segment));
    if (fail || !st->beats.v || !st->beat_positions.v || !st->downbeats.v || !st->segments.v)
        goto oom;
    for (size_t k = 0; k < nb; k++) {
        /* Multiplying (not accumulating) keeps every time exact to 1 ulp. */
        double t = p->first_beat + (double)k * period;
        st->beats.v[k] = t;
        st->beat_positions.v[k] = (int)(k % (size_t)bpb) + 1;
        if (k % (size_t)bpb == 0) st->downbeats.v[st->downbeats.n++] = t;
    }
    st->beats.n = st->beat_positions.n = nb;
    cs_segvec *sv = &st->segments;
    if (p->first_beat > 0) {
        sv->v[sv->n] = (cs_segment){ 0.0, p->first_beat, strdup("start") };
        if (!sv->v[sv->n++].label) goto oom;
    }
    long bars_done = 0;
    for (size_t i = 0; i < p->n_sections; i++) {
        double s = p->first_beat + (double)bars_done * bar;
        bars_done += p->sections[i].bars;
        double e = p->first_beat + (double)bars_done * bar;
        if (s >= dur - 1e-9) break;
        if (e > dur) e = dur;
        sv->v[sv->n] = (cs_segment){ s, e, strdup(p->sections[i].label ? p->sections[i].label : "") };
        if (!sv->v[sv->n++].label) goto oom;
    }
    double last = p->first_beat + (double)bars_done * bar;
    if (dur - last > 1e-9 && p->n_sections > 0) {
        sv->v[sv->n] = (cs_segment){ last, dur, strdup("end") };
        if (!sv->v[sv->n++].label) goto oom;
    }
    return 0;
oom:
    cs_struct_free(st);
    return cs_err_setc(err, CS_ERR_NOMEM, "synth: out of memory");
}

static int build_audio(const cs_synth_params *p, double dur, int bpb, cs_audio *out, cs_err *err)
{
    int rate = p->rate > 0 ? p->rate : CS_RATE;
    int ch = p->channels > 0 ? p->channels : 2;
    size_t frames = (size_t)llround(dur * rate);
    double period = 60.0 / p->bpm, bar = period * bpb;
    /* Mono in double first: sums of several sources stay exact enough, and
     * the channels are copies. */
    double *m = calloc(frames ? frames : 1, sizeof *m);
    if (!m || cs_audio_alloc(out, frames, ch, rate) < 0) {
        free(m);
        return cs_err_setc(err, CS_ERR_NOMEM, "synth: out of memory (%zu frames)", frames);
    }
    if (p->tone_hz > 0) {
        double w = 2 * M_PI * p->tone_hz / rate;
        /* A triad: root, third (major 4 / minor 3 semitones), fifth. */
        double w3 = w * pow(2.0, (p->chord > 0 ? 4 : 3) / 12.0), w5 = w * pow(2.0, 7 / 12.0);
        for (size_t n = 0; n < frames; n++)
            m[n] = p->chord ? CS_SYNTH_TONE_AMP * (0.4 * sin(w * (double)n) + 0.3 * sin(w3 * (double)n) +
                                                   0.3 * sin(w5 * (double)n))
                            : CS_SYNTH_TONE_AMP * sin(w * (double)n);
    }
    for (size_t k = 0;; k++) {
        double t = p->first_beat + (double)k * period;
        if (t >= dur) break;
        double amp = k % (size_t)bpb == 0 ? CS_SYNTH_DOWNBEAT_AMP : CS_SYNTH_BEAT_AMP;
        size_t n0 = (size_t)ceil(t * rate), n1 = (size_t)ceil((t + CLICK_LEN) * rate);
        for (size_t n = n0; n < n1 && n < frames; n++) {
            double tau = (double)n / rate - t;
            m[n] += amp * sin(2 * M_PI * CS_SYNTH_CLICK_HZ * tau) * exp(-tau / CLICK_TAU);
        }
    }
    if (p->bass) {
        for (size_t b = 0;; b++) {
            double t = p->first_beat + (double)b * bar;
            if (t >= dur) break;
            double f = bass_root(p, b);
            size_t n0 = (size_t)ceil(t * rate), n1 = (size_t)ceil((t + bar) * rate);
            for (size_t n = n0; n < n1 && n < frames; n++) {
                double tau = (double)n / rate - t;
                /* Raised-cosine attack and release: no steps, so the bass
                 * adds no clicks of its own. */
                double env = exp(-tau / (0.4 * bar));
                if (tau < BASS_ATTACK) env *= 0.5 - 0.5 * cos(M_PI * tau / BASS_ATTACK);
                if (bar - tau < BASS_RELEASE) env *= 0.5 - 0.5 * cos(M_PI * (bar - tau) / BASS_RELEASE);
                m[n] += CS_SYNTH_BASS_AMP * env * sin(2 * M_PI * f * tau);
            }
        }
    }
    for (size_t n = 0; n < frames; n++)
        for (int c = 0; c < ch; c++) out->data[n * (size_t)ch + (size_t)c] = (float)m[n];
    free(m);
    return 0;
}

int cs_synth_render(const cs_synth_params *p, cs_audio *out, cs_struct *st, cs_err *err)
{
    if (out) memset(out, 0, sizeof *out);
    if (st) memset(st, 0, sizeof *st);
    if (!(p->bpm > 0) || !isfinite(p->bpm)) return cs_err_setc(err, CS_ERR_RANGE, "synth: bpm must be > 0");
    if (!(p->first_beat >= 0) || !isfinite(p->first_beat))
        return cs_err_setc(err, CS_ERR_RANGE, "synth: first_beat must be >= 0");
    int bpb = p->beats_per_bar > 0 ? p->beats_per_bar : 4;
    long bars = 0;
    for (size_t i = 0; i < p->n_sections; i++) {
        if (p->sections[i].bars <= 0)
            return cs_err_setc(err, CS_ERR_RANGE, "synth: section %zu has %d bars", i, p->sections[i].bars);
        bars += p->sections[i].bars;
    }
    double dur = p->duration > 0 ? p->duration : p->first_beat + (double)bars * bpb * 60.0 / p->bpm;
    if (!(dur > 0) || !isfinite(dur) || dur > 24 * 3600.0)
        return cs_err_setc(err, CS_ERR_RANGE, "synth: nothing to render (duration %g s)", dur);
    if (st && build_struct(p, dur, bpb, st, err) < 0) return -1;
    if (out && build_audio(p, dur, bpb, out, err) < 0) {
        if (st) cs_struct_free(st);
        return -1;
    }
    return 0;
}
