/* Track structure from audio with qm-dsp (analyze.h). */
#include "pkg/analyze.h"
#include "pkg/analyze_qm.h"
#include "pkg/key.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COARSE_STEP 512        /* qm's BeatTrack: 11.6 ms at 44.1 kHz */
#define COARSE_LEN 1024
#define FINE_STEP 64           /* 1.45 ms at 44.1 kHz */
#define FINE_LEN 256
#define REFINE_S 0.030         /* qm's beats scatter -5..+20 ms on clicks */
#define STRAY_S 0.008          /* off the neighbours' line by more: put back */
#define GRID_KEEP 0.9          /* a grid 90 % as loud as the walk is kept */
#define WEAK 0.1               /* an onset this weak is no beat at the ends */
#define WALK_TOL 0.15           /* the next beat within 15 % of a period */
#define STRONG 0.3             /* an onset this strong can be a beat */
#define STEADY 0.03            /* a steady run: intervals within 3 % */
#define MIN_GAP_BARS 4         /* boundaries closer than this merge */
#define INTRO_MIN_BARS 8
#define LONG_BARS 32           /* longer sections split into phrases */
#define PHRASE_BARS 16
#define SEG_TYPES 6

const char *cs_analyze_source(void)
{
    return "cs analyze " CS_VERSION;
}

static float *mono_of(const cs_audio *a)
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

/* Index and parabolic-interpolated position of the largest value of
 * v[lo..hi]; the vertex of the parabola through the peak and its
 * neighbours. */
static double peak_in(const cs_dvec *v, long lo, long hi)
{
    if (lo < 0) lo = 0;
    if (hi > (long)v->n - 1) hi = (long)v->n - 1;
    long best = lo;
    for (long k = lo; k <= hi; k++)
        if (v->v[k] > v->v[best]) best = k;
    if (best <= 0 || best >= (long)v->n - 1) return (double)best;
    double a = v->v[best - 1], b = v->v[best], c = v->v[best + 1];
    double den = a - 2 * b + c;
    return den < 0 ? (double)best + 0.5 * (a - c) / den : (double)best;
}

/* Least-squares line t = a + b*i through beats [lo, hi] except `skip`. */
static void fit_line(const double *t, size_t lo, size_t hi, size_t skip, double *a, double *b)
{
    double n = 0, si = 0, st = 0, sii = 0, sit = 0;
    for (size_t i = lo; i <= hi; i++) {
        if (i == skip) continue;
        n++;
        si += (double)i;
        st += t[i];
        sii += (double)i * (double)i;
        sit += (double)i * t[i];
    }
    double den = n * sii - si * si;
    *b = den != 0 ? (n * sit - si * st) / den : 0;
    *a = n > 0 ? (st - *b * si) / n : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* qm places beats over the whole file, also where nothing sounds a beat
 * (a lead-in, a fade): leading and trailing beats whose onset is below
 * WEAK x the median beat's (med) are dropped. */
static void trim_weak_ends(cs_dvec *beats, double *strength, double med)
{
    size_t lo = 0, hi = beats->n;
    while (lo < hi && strength[lo] < WEAK * med) lo++;
    while (hi > lo && strength[hi - 1] < WEAK * med) hi--;
    memmove(beats->v, beats->v + lo, (hi - lo) * sizeof(double));
    memmove(strength, strength + lo, (hi - lo) * sizeof(double));
    beats->n = hi - lo;
}

static double steady_bpm(const cs_dvec *b);

static double median_of(const double *v, size_t n)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (!s || !n) {
        free(s);
        return 0;
    }
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double m = s[n / 2];
    free(s);
    return m;
}

/* qm's beat period around time t: the median interval of the 8 seed beats
 * nearest t. */
static double seed_period(const cs_dvec *seed, double t, size_t *hint)
{
    size_t i = *hint;
    while (i + 1 < seed->n && seed->v[i + 1] <= t) i++;
    *hint = i;
    size_t lo = i >= 4 ? i - 4 : 0, hi = lo + 8 < seed->n ? lo + 8 : seed->n - 1;
    if (hi - lo < 8 && hi >= 8) lo = hi - 8;
    double iv[8];
    size_t n = 0;
    for (size_t k = lo + 1; k <= hi && n < 8; k++) iv[n++] = seed->v[k] - seed->v[k - 1];
    return median_of(iv, n);
}

/* Onset-following walk: from the first beat, each next beat is looked for
 * within +-WALK_TOL of one period after the last; a strong enough onset
 * there (>= STRONG x the median beat onset) is the beat and its distance
 * the new period, else the beat goes where the period puts it.  The period
 * stays within WALK_TOL of qm's around it (dense onsets must not talk it
 * into a faster tempo).  qm's beat placement smooths the period over
 * ~6 s, so around a tempo change its beats stray up to a quarter of a
 * beat; this follows the onsets. */
static int walk_beats(const cs_dvec *fine, int rate, const cs_dvec *seed, double med, cs_dvec *out)
{
    size_t n0 = seed->n, cap = n0 * 2 + 16, hint = 0;
    out->v = malloc(cap * sizeof(double));
    out->n = 0;
    if (!out->v) return -1;
    double cur = seed->v[0], p = seed_period(seed, cur, &hint);
    double end = seed->v[n0 - 1] + p / 2;
    out->v[out->n++] = cur;
    while (p > 0 && cur + p <= end) {
        double pred = cur + p, r = WALK_TOL * p;
        double kf = peak_in(fine, lround((pred - r) * rate / FINE_STEP), lround((pred + r) * rate / FINE_STEP));
        double t = kf * FINE_STEP / rate;
        if (fine->v[lround(kf)] >= STRONG * med && fabs(t - pred) < r) p = t - cur;
        else t = pred;
        double ref = seed_period(seed, t, &hint);
        if (p < ref * (1 - WALK_TOL)) p = ref * (1 - WALK_TOL);
        if (p > ref * (1 + WALK_TOL)) p = ref * (1 + WALK_TOL);
        if (out->n == cap) {
            double *nv = realloc(out->v, (cap *= 2) * sizeof(double));
            if (!nv) return -1;
            out->v = nv;
        }
        out->v[out->n++] = cur = t;
    }
    return 0;
}

/* A beat further than STRAY_S both from the line through its 4
 * predecessors and from the line through its 4 successors goes between the
 * two (a stray onset); at a tempo change a beat fits one of the sides. */
static int straighten(cs_dvec *beats)
{
    double *t = beats->v;
    size_t nb = beats->n;
    double *r = malloc((nb ? nb : 1) * sizeof *r);   /* lines through the walked times */
    if (!r) return -1;
    memcpy(r, t, nb * sizeof *r);
    for (size_t i = 0; i < nb && nb >= 5; i++) {
        double a, b, pl = NAN, pr = NAN;
        if (i >= 4) {
            fit_line(r, i - 4, i - 1, (size_t)-1, &a, &b);
            pl = a + b * (double)i;
        }
        if (i + 4 < nb) {
            fit_line(r, i + 1, i + 4, (size_t)-1, &a, &b);
            pr = a + b * (double)i;
        }
        bool off_l = isnan(pl) || fabs(r[i] - pl) > STRAY_S, off_r = isnan(pr) || fabs(r[i] - pr) > STRAY_S;
        if (off_l && off_r) t[i] = isnan(pl) ? pr : isnan(pr) ? pl : (pl + pr) / 2;
    }
    free(r);
    for (size_t i = 1; i < nb; i++)   /* never out of order */
        if (t[i] <= t[i - 1]) t[i] = t[i - 1] + 1e-3;
    return 0;
}

/* Onset strength at time t: the fine function's largest value within one
 * frame of it. */
static double onset_at(const cs_dvec *fine, int rate, double t)
{
    long k = lround(t * rate / FINE_STEP);
    double m = 0;
    for (long j = k - 1; j <= k + 1; j++)
        if (j >= 0 && j < (long)fine->n && fine->v[j] > m) m = fine->v[j];
    return m;
}

static double mean_onset(const cs_dvec *fine, int rate, const double *t, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += onset_at(fine, rate, t[i]);
    return n ? s / (double)n : 0;
}

/* A steady track gets a straight grid, as DJ software grids a
 * constant-tempo track: the period within +-0.5 % of the steady tempo
 * (101 steps) and the phase (fine frames) whose beats sit on the most
 * onset strength.  It replaces the walked beats when its beats hear at
 * least GRID_KEEP of the walk's mean onset strength: one grid cannot follow
 * a tempo change, so there the walk wins; on a steady track it removes a
 * walk's slips and single misplaced onsets. */
static int straight_grid(const cs_dvec *fine, int rate, double bpm, cs_dvec *b)
{
    size_t n = b->n;
    if (n < 16 || !(bpm > 0)) return 0;
    double p0 = 60.0 / bpm, span = b->v[n - 1] - b->v[0], best = -1, bp = p0, bphi = b->v[0];
    for (int k = -50; k <= 50; k++) {
        double p = p0 * (1 + 0.0001 * k);
        size_t m = (size_t)floor(span / p + 0.5) + 1;
        for (double phi = b->v[0] - p / 2; phi < b->v[0] + p / 2; phi += (double)FINE_STEP / rate) {
            double sc = 0;
            for (size_t i = 0; i < m; i++) sc += onset_at(fine, rate, phi + p * (double)i);
            sc /= (double)m;
            if (sc > best) { best = sc; bp = p; bphi = phi; }
        }
    }
    if (best < GRID_KEEP * mean_onset(fine, rate, b->v, n)) return 0;
    size_t m = (size_t)floor(span / bp + 0.5) + 1;
    if (bphi < 0) { bphi += bp; m--; }
    double *v = malloc((m ? m : 1) * sizeof *v);
    if (!v) return -1;
    for (size_t i = 0; i < m; i++) v[i] = bphi + bp * (double)i;
    free(b->v);
    b->v = v;
    b->n = m;
    return 0;
}

/* Beats in seconds (analyze.h), and the same in coarse df frames for
 * DownBeat.  The HFC of a frame peaks when a transient sits at its centre;
 * fine frame k is centred on sample k*FINE_STEP, so a peak is the onset. */
static int find_beats(const float *m, size_t n, int rate, cs_dvec *beats, cs_dvec *frames,
                      cs_err *err)
{
    cs_dvec df = {0}, fine = {0}, seed = {0};
    double *strength = NULL;
    int rc = -1;
    beats->v = NULL;
    beats->n = 0;
    if (cs_qm_detection(m, n, rate, CS_QM_DF_COMPLEX, COARSE_STEP, COARSE_LEN, &df, err) < 0) return -1;
    rc = cs_qm_beats(&df, rate, COARSE_STEP, frames, err);
    free(df.v);
    if (rc < 0) return -1;
    rc = -1;
    if (cs_qm_detection(m, n, rate, CS_QM_DF_HFC, FINE_STEP, FINE_LEN, &fine, err) < 0) return -1;
    size_t nc = frames->n;
    seed.v = malloc((nc ? nc : 1) * sizeof(double));
    strength = malloc((nc ? nc : 1) * sizeof *strength);
    if (!seed.v || !strength) goto oom;
    seed.n = nc;
    long reach = lround(REFINE_S * rate / FINE_STEP);
    for (size_t i = 0; i < nc; i++) {
        long c = lround(frames->v[i] * COARSE_STEP / FINE_STEP);
        double k = peak_in(&fine, c - reach, c + reach);
        seed.v[i] = k * FINE_STEP / rate;
        strength[i] = fine.v[lround(k)];
    }
    double med = median_of(strength, nc);
    trim_weak_ends(&seed, strength, med);
    if (seed.n >= 2) {
        if (walk_beats(&fine, rate, &seed, med, beats) < 0 || straighten(beats) < 0) goto oom;
        /* The grid is fitted to the rise of the onset function: a real
         * attack (a snare, a sampled drum) peaks a few ms after it starts,
         * where ears and aubio place it. */
        cs_dvec rise = { malloc((fine.n ? fine.n : 1) * sizeof(double)), fine.n };
        if (!rise.v) goto oom;
        for (size_t k = 0; k < fine.n; k++)
            rise.v[k] = k > 0 && fine.v[k] > fine.v[k - 1] ? fine.v[k] - fine.v[k - 1] : 0;
        int grc = straight_grid(&rise, rate, steady_bpm(beats), beats);
        free(rise.v);
        if (grc < 0) goto oom;
    } else {
        beats->n = 0;
    }
    /* 0.1 ms is plenty (allin1 writes 10 ms) and keeps the JSON short;
     * downbeats and section bounds are copies of these values. */
    for (size_t i = 0; i < beats->n; i++) beats->v[i] = round(beats->v[i] * 1e4) / 1e4;
    double *fv = realloc(frames->v, (beats->n ? beats->n : 1) * sizeof(double));
    if (!fv) goto oom;
    frames->v = fv;
    frames->n = beats->n;
    for (size_t i = 0; i < beats->n; i++) frames->v[i] = beats->v[i] * rate / COARSE_STEP;
    rc = 0;
    goto out;
oom:
    cs_err_setc(err, CS_ERR_NOMEM, "analyze: out of memory");
out:
    free(fine.v);
    free(seed.v);
    free(strength);
    return rc;
}

/* 60 / slope over the longest steady run of beats. */
static double steady_bpm(const cs_dvec *b)
{
    if (b->n < 2) return 0;
    size_t best_lo = 0, best_hi = 1, lo = 0;
    double ref = b->v[1] - b->v[0];
    for (size_t i = 1; i < b->n; i++) {
        double d = b->v[i] - b->v[i - 1];
        if (fabs(d - ref) > STEADY * ref) {
            lo = i - 1;
            ref = d;
        } else if (i - lo <= 8) {   /* the reference settles on the run's start */
            ref = (b->v[i] - b->v[lo]) / (double)(i - lo);
        }
        if (i - lo > best_hi - best_lo) { best_lo = lo; best_hi = i; }
    }
    double a, slope;
    fit_line(b->v, best_lo, best_hi, (size_t)-1, &a, &slope);
    return slope > 0 ? round(6000.0 / slope) / 100.0 : 0;
}

static int set_bars(cs_struct *s, int phase)
{
    size_t n = s->beats.n;
    s->beat_positions.v = malloc((n ? n : 1) * sizeof(int));
    s->downbeats.v = malloc((n ? n : 1) * sizeof(double));
    if (!s->beat_positions.v || !s->downbeats.v) return -1;
    for (size_t i = 0; i < n; i++) {
        int pos = (int)((i + (size_t)(CS_ANALYZE_BPB - phase)) % CS_ANALYZE_BPB) + 1;
        s->beat_positions.v[i] = pos;
        if (pos == 1) s->downbeats.v[s->downbeats.n++] = s->beats.v[i];
    }
    s->beat_positions.n = n;
    return 0;
}

/* Index of the downbeat nearest t. */
static size_t nearest_downbeat(const cs_dvec *d, double t)
{
    size_t best = 0;
    for (size_t i = 1; i < d->n; i++)
        if (fabs(d->v[i] - t) < fabs(d->v[best] - t)) best = i;
    return best;
}

/* Sections on downbeats (analyze.h): boundaries as downbeat indices. */
static int make_segments(const float *m, size_t n, int rate, cs_struct *s, double dur, cs_err *err)
{
    cs_dvec starts = {0};
    cs_ivec types = {0};
    if (cs_qm_segments(m, n, rate, SEG_TYPES, &starts, &types, err) < 0) return -1;
    const cs_dvec *d = &s->downbeats;
    size_t nd = d->n, nb_ = 0, *bd = malloc((starts.n + 2) * sizeof *bd);
    int *bt = malloc((starts.n + 2) * sizeof *bt);
    int rc = -1;
    if (!bd || !bt) goto out;
    /* Boundary downbeats (the first downbeat always), each with its type. */
    bd[nb_] = 0;
    bt[nb_++] = types.n ? types.v[0] : 0;
    for (size_t i = 1; i < starts.n && nd > 0; i++) {
        size_t k = nearest_downbeat(d, starts.v[i]);
        if (k < bd[nb_ - 1] + MIN_GAP_BARS || k + MIN_GAP_BARS > nd) continue;
        if (types.v[i] == bt[nb_ - 1]) continue;   /* same type: one section */
        bd[nb_] = k;
        bt[nb_++] = types.v[i];
    }
    double first = nd ? d->v[0] : 0;
    double last = s->beats.n ? s->beats.v[s->beats.n - 1] + 60.0 / (s->bpm > 0 ? s->bpm : 120) : dur;
    if (last > dur) last = dur;
    if (cs_segvec_push(&s->segments, 0, first, "start") < 0) goto oom;
    /* The intro: to the first boundary >= INTRO_MIN_BARS in. */
    size_t j = 1;
    while (j < nb_ && bd[j] < INTRO_MIN_BARS) j++;
    size_t intro_end = j < nb_ ? bd[j] : (nd > INTRO_MIN_BARS ? INTRO_MIN_BARS : nd);
    if (nd == 0) goto tail;
    if (cs_segvec_push(&s->segments, first, intro_end < nd ? d->v[intro_end] : last, "intro") < 0)
        goto oom;
    /* Then section i runs from boundary i to boundary i+1 (or the end). */
    for (size_t i = j, a = intro_end; a < nd; i++) {
        size_t b = i + 1 < nb_ ? bd[i + 1] : nd;
        char label[16];
        snprintf(label, sizeof label, "part_%c", 'a' + bt[i < nb_ ? i : nb_ - 1] % 26);
        while (b - a > LONG_BARS) {   /* long sections become 16-bar phrases */
            if (cs_segvec_push(&s->segments, d->v[a], d->v[a + PHRASE_BARS], label) < 0) goto oom;
            a += PHRASE_BARS;
        }
        if (cs_segvec_push(&s->segments, d->v[a], b < nd ? d->v[b] : last, label) < 0) goto oom;
        a = b;
    }
tail:
    if (cs_segvec_push(&s->segments, s->segments.n ? s->segments.v[s->segments.n - 1].end : 0, dur,
                 "end") < 0)
        goto oom;
    rc = 0;
    goto out;
oom:
    cs_err_setc(err, CS_ERR_NOMEM, "analyze: out of memory");
out:
    free(bd);
    free(bt);
    free(starts.v);
    free(types.v);
    return rc;
}

int cs_analyze_audio(const cs_audio *a, const char *path, cs_struct *out, cs_err *err)
{
    memset(out, 0, sizeof *out);
    const char *name = path ? path : "audio";
    if (a->rate < 8000 || a->channels < 1) return cs_err_setc(err, CS_ERR_FORMAT, "%s: unusable audio format", name);
    float *m = mono_of(a);
    cs_dvec coarse = {0};
    if (!m) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name);
    cs_err e2 = {0};
    int rc = -1, phase = 0, key = CS_KEY_NONE;
    double dur = cs_audio_seconds(a);
    if (path && !(out->path = strdup(path))) goto oom;
    if (!(out->source = strdup(cs_analyze_source()))) goto oom;
    if (find_beats(m, a->frames, a->rate, &out->beats, &coarse, &e2) < 0) goto fail;
    /* A beat placed on its onset can land a hair before 0 (-0.0132 s in
     * issue 22 item 6): the struct must index, so such a beat is put at 0
     * (clamped, not dropped: the downbeat phase counts beats by index). */
    for (size_t i = 0; i < out->beats.n; i++)
        if (!(out->beats.v[i] > 0)) out->beats.v[i] = 0.0;
    if (out->beats.n < 8) {
        cs_err_set(err, "%s: no beat found (%zu beats in %.1f s)", name, out->beats.n, dur);
        goto done;
    }
    out->bpm = steady_bpm(&out->beats);
    if (cs_qm_downbeat_phase(m, a->frames, a->rate, COARSE_STEP, &coarse, CS_ANALYZE_BPB, &phase, &e2) < 0)
        goto fail;
    if (set_bars(out, phase) < 0) goto oom;
    if (cs_qm_key(m, a->frames, a->rate, &key, &e2) < 0) goto fail;
    if (key >= 0 && !(out->key = strdup(cs_key_name(key)))) goto oom;
    if (make_segments(m, a->frames, a->rate, out, dur, &e2) < 0) goto fail;
    rc = 0;
    goto done;
oom:
    cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name);
    goto done;
fail:
    cs_err_setc(err, e2.code, "%s: %s", name, e2.msg);
done:
    free(m);
    free(coarse.v);
    if (rc < 0) cs_struct_free(out);
    return rc;
}

int cs_analyze_file(const char *path, cs_struct *out, cs_err *err)
{
    memset(out, 0, sizeof *out);
    cs_audio a = {0};
    if (cs_audio_decode(path, CS_ANALYZE_RATE, 1, 0, 0, &a, err) < 0) return -1;
    int rc = cs_analyze_audio(&a, path, out, err);
    cs_audio_free(&a);
    return rc;
}
