/* Structs from Rekordbox grids and memory cues (analyze_rb.h). */
#include "pkg/analyze_rb.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct grow {
    double *t;
    int *pos;
    size_t n, cap;
} grow;

static int push_beat(grow *g, double t, int pos)
{
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 512;
        double *nt = realloc(g->t, nc * sizeof *nt);
        if (!nt) return -1;
        g->t = nt;
        int *np = realloc(g->pos, nc * sizeof *np);
        if (!np) return -1;
        g->pos = np;
        g->cap = nc;
    }
    g->t[g->n] = t;
    g->pos[g->n++] = pos;
    return 0;
}

static int cmp_tempo(const void *a, const void *b)
{
    double x = ((const cs_rb_tempo *)a)->inizio, y = ((const cs_rb_tempo *)b)->inizio;
    return (x > y) - (x < y);
}

static int bar_beats(const char *metro)
{
    int n = atoi(metro);
    return n >= 1 && n <= 16 ? n : 4;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Memory-cue section starts on downbeats (analyze_rb.h); *n of them. */
static double *cue_starts(const cs_rb_mark *marks, size_t n_marks, const cs_dvec *d,
                          double beat, size_t *n)
{
    double *c = malloc((n_marks ? n_marks : 1) * sizeof *c);
    *n = 0;
    if (!c) return NULL;
    for (size_t i = 0; i < n_marks; i++) {
        if (marks[i].num != -1 || !isfinite(marks[i].start)) continue;
        if (marks[i].start < d->v[0] - beat / 2) continue;
        size_t best = 0;
        for (size_t k = 1; k < d->n; k++)
            if (fabs(d->v[k] - marks[i].start) < fabs(d->v[best] - marks[i].start)) best = k;
        if (best == 0) continue;   /* on the first downbeat: the intro's start */
        c[(*n)++] = d->v[best];
    }
    qsort(c, *n, sizeof *c, cmp_double);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (w == 0 || c[i] != c[w - 1]) c[w++] = c[i];
    *n = w;
    return c;
}

static int make_sections(cs_struct *s, const cs_rb_mark *marks, size_t n_marks, double duration,
                         double beat, int bpb, int min_cues)
{
    const cs_dvec *d = &s->downbeats;
    cs_segvec *sv = &s->segments;
    if (!d->n) return cs_segvec_push(sv, 0, duration, "start");
    if (cs_segvec_push(sv, 0, d->v[0], "start") < 0) return -1;
    size_t nc;
    double *c = cue_starts(marks, n_marks, d, beat, &nc);
    if (!c) return -1;
    int rc = 0;
    if (nc >= (size_t)min_cues) {
        rc = cs_segvec_push(sv, d->v[0], c[0], "intro");
        for (size_t i = 0; i < nc && rc == 0; i++)
            rc = cs_segvec_push(sv, c[i], i + 1 < nc ? c[i + 1] : duration, "cue");
    } else {
        /* 16-bar phrases: by bar count from the first downbeat, so a tempo
         * change inside a phrase keeps it 16 bars long. */
        size_t step = CS_RB_PHRASE_BARS;
        for (size_t k = 0; k < d->n && rc == 0; k += step) {
            bool whole = k + step < d->n;
            double end = whole ? d->v[k + step] : duration;
            /* The last phrase is whole when the audio lasts 16 bars more. */
            if (!whole && duration - d->v[k] >= (double)(step * (size_t)bpb) * beat - beat / 2) whole = true;
            rc = cs_segvec_push(sv, d->v[k], end, k == 0 ? "intro" : whole ? "phrase" : "end");
        }
    }
    free(c);
    return rc;
}

int cs_struct_from_rekordbox(const cs_rb_tempo *tempos, size_t n_tempos, const cs_rb_mark *marks,
                             size_t n_marks, double duration, int min_cues, cs_struct *out,
                             cs_err *err)
{
    memset(out, 0, sizeof *out);
    cs_rb_tempo *tp = malloc((n_tempos ? n_tempos : 1) * sizeof *tp);
    if (!tp) return cs_err_nomem(err);
    size_t nt = 0;
    for (size_t i = 0; i < n_tempos; i++)
        /* An anchor before 0 (Traktor and Serato converters write one:
         * dj-data-converter#51) is a grid that starts before the audio:
         * it extends both ways, beats from the first at or after 0. */
        if (tempos[i].bpm > 0 && tempos[i].bpm < 1000 && isfinite(tempos[i].inizio) &&
            fabs(tempos[i].inizio) <= 1e7)
            tp[nt++] = tempos[i];
    qsort(tp, nt, sizeof *tp, cmp_tempo);
    if (nt == 0 || !(duration > tp[0].inizio)) {
        free(tp);
        return cs_err_setc(err, CS_ERR_FORMAT, nt ? "no audio after the first TEMPO (TotalTime %g s)"
                                  : "no TEMPO row with a BPM", duration);
    }
    grow g = {0};
    int rc = 0;
    for (size_t i = 0; i < nt && rc == 0; i++) {
        double period = 60.0 / tp[i].bpm;
        double until = i + 1 < nt ? tp[i + 1].inizio - period / 4 : duration;
        int bpb = bar_beats(tp[i].metro);
        int pos = tp[i].battito >= 1 && tp[i].battito <= bpb ? tp[i].battito : 1;
        /* Multiplying (not accumulating) keeps long grids exact. */
        long k0 = tp[i].inizio < 0 ? (long)ceil(-tp[i].inizio / period - 1e-9) : 0;
        for (long k = k0;; k++) {
            double t = tp[i].inizio + (double)k * period;
            if (t < 0) continue;
            if (t >= until || t >= duration) break;
            if ((rc = push_beat(&g, t, (int)((pos - 1 + k) % bpb) + 1)) < 0) break;
        }
    }
    out->beats.v = g.t;
    out->beats.n = g.n;
    out->beat_positions.v = g.pos;
    out->beat_positions.n = g.n;
    out->bpm = tp[0].bpm;
    if (rc == 0) {
        out->downbeats.v = malloc((g.n ? g.n : 1) * sizeof(double));
        if (!out->downbeats.v) rc = -1;
        for (size_t i = 0; rc == 0 && i < g.n; i++)
            if (g.pos[i] == 1) out->downbeats.v[out->downbeats.n++] = g.t[i];
    }
    if (rc == 0 && !(out->source = strdup("rekordbox"))) rc = -1;
    if (rc == 0)
        rc = make_sections(out, marks, n_marks, duration, 60.0 / tp[0].bpm, bar_beats(tp[0].metro),
                           min_cues);
    free(tp);
    if (rc < 0) {
        cs_struct_free(out);
        return cs_err_nomem(err);
    }
    return 0;
}
