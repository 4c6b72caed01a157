/* The transition planner (see transition.h).  Works in beat indices of each
 * grid; bar and phrase numbers count from the grid's first bar line. */
#include "pkg/transition.h"
#include "pkg/rate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHRASE_BARS 8
#define EPS 1e-6
/* A beat this close after a part's end still counts as inside it: the
 * player stops parts 5 ms short of their end cue (cs_lset_part_end_u), and
 * a fade ending there has faded out (the u1 values are clamped to len_u). */
#define END_SLACK 0.02

static double edge_period(const cs_tgrid *g, bool end)
{
    size_t n = g->n_beats;
    if (n >= 2) {
        double p = end ? g->beats[n - 1] - g->beats[n - 2] : g->beats[1] - g->beats[0];
        if (p > 0) return p;
    }
    return 60.0 / g->bpm;
}

double cs_tgrid_beat_u(const cs_tgrid *g, long k)
{
    size_t n = g->n_beats;
    if (!g->beats || n == 0) return (double)k * 60.0 / g->bpm;
    if (k < 0) return g->beats[0] + (double)k * edge_period(g, false);
    if ((size_t)k >= n) return g->beats[n - 1] + (double)(k - (long)n + 1) * edge_period(g, true);
    return g->beats[k];
}

long cs_tgrid_beat_index(const cs_tgrid *g, double u)
{
    size_t n = g->n_beats;
    if (!g->beats || n == 0) return lround(u * g->bpm / 60.0);
    if (u <= g->beats[0]) return lround((u - g->beats[0]) / edge_period(g, false));
    if (u >= g->beats[n - 1]) return (long)n - 1 + lround((u - g->beats[n - 1]) / edge_period(g, true));
    size_t lo = 0, hi = n - 1;                   /* beats[lo] <= u < beats[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->beats[mid] <= u) lo = mid;
        else hi = mid;
    }
    return (long)(u - g->beats[lo] <= g->beats[hi] - u ? lo : hi);
}

/* First beat index whose u >= u (within EPS). */
static long beat_at_or_after(const cs_tgrid *g, double u)
{
    long k = cs_tgrid_beat_index(g, u);
    while (cs_tgrid_beat_u(g, k) < u - EPS) k++;
    while (cs_tgrid_beat_u(g, k - 1) >= u - EPS) k--;
    return k;
}

/* Last beat index whose u <= u (within EPS). */
static long beat_at_or_before(const cs_tgrid *g, double u)
{
    long k = cs_tgrid_beat_index(g, u);
    while (cs_tgrid_beat_u(g, k) > u + EPS) k--;
    while (cs_tgrid_beat_u(g, k + 1) <= u + EPS) k++;
    return k;
}

int cs_tgrid_meter(const cs_tgrid *g)
{
    if (g->meter > 0) return g->meter;
    if (!g->downbeats || g->n_downbeats < 2) return 4;
    /* The most common beat count between consecutive downbeats (a bar
     * with a missed or doubled downbeat does not change the meter). */
    int count[17] = {0};
    for (size_t i = 1; i < g->n_downbeats; i++) {
        long d = cs_tgrid_beat_index(g, g->downbeats[i]) - cs_tgrid_beat_index(g, g->downbeats[i - 1]);
        if (d >= 1 && d <= 16) count[d]++;
    }
    int best = 4;
    for (int m = 1; m <= 16; m++)
        if (count[m] > count[best]) best = m;
    return best;
}

typedef struct side {
    const cs_tgrid *g;
    int m;          /* beats per bar */
    long d0;        /* beat index of a bar line (the first downbeat listed) */
    long b0;        /* bar number of the part's first bar line (u >= 0) */
} side;

static long floordiv(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static side side_of(const cs_tgrid *g, bool *no_downbeats)
{
    side s = { g, cs_tgrid_meter(g), 0, 0 };
    if (g->downbeats && g->n_downbeats > 0) {
        s.d0 = cs_tgrid_beat_index(g, g->downbeats[0]);
        *no_downbeats = false;
    } else {
        s.d0 = beat_at_or_after(g, 0.0);
        *no_downbeats = true;
    }
    s.b0 = floordiv(beat_at_or_after(g, -1e-3) - s.d0 + s.m - 1, s.m);
    return s;
}

static long bar_line(const side *s, long bar) { return s->d0 + bar * s->m; }
/* The bar number of the bar line nearest beat k. */
static long bar_nearest(const side *s, long k)
{
    return floordiv(k - s->d0 + s->m / 2, s->m);
}

/* Is bar `bar` a phrase boundary?  Without sections, phrases run every 8
 * bars from the part's first bar line (the part starts at a section
 * boundary, ini_cue: its origin does not depend on how far back the grid
 * was kept). */
static bool is_phrase(const side *s, long bar)
{
    const cs_tgrid *g = s->g;
    if (!g->sections || g->n_sections == 0) {
        long d = bar - s->b0;
        return ((d % PHRASE_BARS) + PHRASE_BARS) % PHRASE_BARS == 0;
    }
    bool have = false;
    long below = 0, first = 0;
    for (size_t i = 0; i < g->n_sections; i++) {
        long sb = bar_nearest(s, cs_tgrid_beat_index(g, g->sections[i]));
        if (i == 0 || sb < first) first = sb;
        if (sb <= bar && (!have || sb > below)) {
            below = sb;
            have = true;
        }
    }
    long a = have ? below : first;
    long d = bar - a;
    return ((d % PHRASE_BARS) + PHRASE_BARS) % PHRASE_BARS == 0;
}

static void cut_at(const cs_tgrid *out, const cs_topts *o, cs_tplan *p)
{
    double u = o ? o->earliest_u : 0;
    *p = (cs_tplan){ .out_u0 = u, .out_u1 = u, .out_phrase_u = u, .swap_out_u = -1, .swap_in_u = -1,
                     .out_meter = 4, .in_meter = 4, .warn = CS_TW_TOO_SHORT };
    (void)out;
}

/* Fade lengths to try, longest first: asked, then whole phrases below it,
 * then 4, 2, 1 bars.  Returns how many (into f[8]). */
static int lengths(int asked, int *f)
{
    int n = 0;
    f[n++] = asked;
    for (int b = (asked - 1) / PHRASE_BARS * PHRASE_BARS; b >= PHRASE_BARS && n < 5; b -= PHRASE_BARS)
        if (b < asked) f[n++] = b;
    for (int b = 4; b >= 1; b /= 2)
        if (b < asked && b < f[n - 1]) f[n++] = b;
    return n;
}

int cs_transition_plan(const cs_tgrid *out, const cs_tgrid *in, const cs_topts *o, cs_tplan *p)
{
    if (!(out->bpm > 0) || !(in->bpm > 0) || !isfinite(out->len_u) || !isfinite(in->len_u) ||
        !isfinite(o->earliest_u)) {
        cut_at(out, o, p);
        return -1;
    }
    bool out_nodb, in_nodb;
    side so = side_of(out, &out_nodb), si = side_of(in, &in_nodb);
    unsigned warn = (out_nodb ? CS_TW_OUT_NO_DOWNBEATS : 0) | (in_nodb ? CS_TW_IN_NO_DOWNBEATS : 0);

    /* The incoming phrase start P (u = 0 snapped to a bar line) and the
     * first bar line inside the part S; `lead` beats between them. */
    long p_bar = bar_nearest(&si, cs_tgrid_beat_index(in, 0.0));
    long s_bar = p_bar;
    while (cs_tgrid_beat_u(in, bar_line(&si, s_bar)) < -1e-3) s_bar++;
    long kP = bar_line(&si, p_bar), kS = bar_line(&si, s_bar);
    long lead = kS - kP;
    double solo = o->min_solo_bars > 0 ? o->min_solo_bars : 0;
    /* The incoming track must be able to hand over in turn: its fade ends
     * `solo` bars before its last phrase boundary that still has a bar of
     * material after it (so the next fade can start on a phrase), or, with
     * no such phrase after S, before its end. */
    long in_end = beat_at_or_before(in, in->len_u + END_SLACK);
    long in_limit = in_end;
    for (long b = floordiv(in_end - si.m - si.d0, si.m); bar_line(&si, b) > kS; b--)
        if (is_phrase(&si, b)) {
            in_limit = bar_line(&si, b);
            break;
        }
    long in_avail = in_limit - kS - (long)ceil(solo * si.m - EPS);
    if (in_avail < 0 && in_limit != in_end) in_avail = in_end - kS - (long)ceil(solo * si.m - EPS);

    long k_early = beat_at_or_after(out, o->earliest_u);
    long k_end = beat_at_or_before(out, out->len_u + END_SLACK);
    double pref = o->prefer_u >= o->earliest_u ? o->prefer_u : o->earliest_u;
    long pref_bar = bar_nearest(&so, cs_tgrid_beat_index(out, pref));
    double pref_bu = cs_tgrid_beat_u(out, bar_line(&so, pref_bar));

    int asked = o->fade_bars;
    if (asked <= 0) {
        long material = (k_end - bar_line(&so, pref_bar)) / so.m;
        asked = (int)(material / PHRASE_BARS * PHRASE_BARS);
        if (asked < 8) asked = 8;
        if (asked > 32) asked = 32;
    }
    if (asked > 100000) asked = 100000;

    int f[8];
    int nf = lengths(asked, f);
    long best = 0;
    int bars = -1;
    bool phrase = false;
    for (int pass = 0; pass < 2 && bars < 0; pass++) {       /* phrases, then any bar line */
        for (int i = 0; i < nf && bars < 0; i++) {
            long beats = (long)f[i] * so.m;
            if (beats > in_avail) continue;
            long b_lo = floordiv(k_early - lead - so.d0 + so.m - 1, so.m);
            long b_hi = floordiv(k_end - beats - lead - so.d0, so.m);
            double dist = INFINITY;
            for (long b = b_lo; b <= b_hi; b++) {
                if (pass == 0 && !is_phrase(&so, b)) continue;
                double d = fabs(cs_tgrid_beat_u(out, bar_line(&so, b)) - pref);
                if (d < dist - EPS) {
                    dist = d;
                    best = b;
                    bars = f[i];
                }
                if (b > pref_bar && d > dist) break;
            }
            phrase = pass == 0;
        }
    }
    long kStart;
    long beats;
    if (bars >= 0) {
        kStart = bar_line(&so, best) + lead;
        beats = (long)bars * so.m;
        if (!phrase) warn |= CS_TW_NO_PHRASE;
        if (bars < asked) warn |= CS_TW_SHORTENED;
        if (phrase && cs_tgrid_beat_u(out, bar_line(&so, best)) < pref_bu - EPS && o->prefer_u > o->earliest_u)
            warn |= CS_TW_EARLIER;
    } else {
        /* Less than a bar on some side: the first bar line still inside the
         * outgoing part, else the first beat; the fade is what is left. */
        warn |= CS_TW_TOO_SHORT | CS_TW_SHORTENED | CS_TW_NO_PHRASE;
        best = floordiv(k_early - so.d0 + so.m - 1, so.m);
        kStart = bar_line(&so, best);
        if (kStart > k_end) kStart = k_early;
        lead = 0;
        beats = k_end - kStart;
        if (beats > in_avail) beats = in_avail;
        if (beats < 0) beats = 0;
        bars = (int)(beats / so.m);
        phrase = false;
    }
    long kB = kStart - lead;
    p->out_u0 = cs_tgrid_beat_u(out, kStart);
    p->out_u1 = cs_tgrid_beat_u(out, kStart + beats);
    if (p->out_u1 > out->len_u) p->out_u1 = out->len_u;
    p->in_u0 = cs_tgrid_beat_u(in, kS);
    p->in_u1 = cs_tgrid_beat_u(in, kS + beats);
    if (p->in_u1 > in->len_u) p->in_u1 = in->len_u;
    p->out_phrase_u = cs_tgrid_beat_u(out, kB);
    p->in_phrase_u = cs_tgrid_beat_u(in, kP);
    p->bars = bars;
    p->bars_asked = asked;
    p->beats = (int)beats;
    p->out_meter = so.m;
    p->in_meter = si.m;
    p->out_bar = floordiv(kStart - so.d0, so.m) - so.b0;
    p->phrase_aligned = phrase;
    long nph = 0;
    for (long b = so.b0; b < floordiv(kB - so.d0, so.m) && nph < 1000000; b++) nph += is_phrase(&so, b);
    p->out_phrase = nph;
    p->warn = warn;
    p->swap_out_u = p->swap_in_u = -1;
    if (o->bass_swap) {
        /* On the bar line nearest the fade's middle (a phrase for fades of
         * 16 or more bars); a fade under 2 bars swaps at its start. */
        long j = bars >= 2 ? (long)(bars / 2) * so.m : 0;
        p->swap_out_u = cs_tgrid_beat_u(out, kStart + j);
        p->swap_in_u = cs_tgrid_beat_u(in, kS + j);
    }
    return 0;
}

void cs_transition_gains(const cs_tplan *p, double u, double *g_out, double *g_in, double *lo_out,
                         double *lo_in)
{
    double x;
    if (p->out_u1 > p->out_u0) x = (u - p->out_u0) / (p->out_u1 - p->out_u0);
    else x = u >= p->out_u0 ? 1 : 0;
    if (!(x > 0)) x = 0;
    if (x > 1) x = 1;
    *g_out = cos(M_PI_2 * x);
    *g_in = sin(M_PI_2 * x);
    bool swapped = p->swap_out_u < 0 || u >= p->swap_out_u - EPS;
    *lo_out = p->swap_out_u < 0 ? 1 : swapped ? 0 : 1;
    *lo_in = p->swap_out_u < 0 ? 1 : swapped ? 1 : 0;
}

cs_tgrid cs_tgrid_of_lset(const cs_lset_track *t, double len_u)
{
    return (cs_tgrid){ .beats = t->beats.v, .n_beats = t->beats.n, .downbeats = t->downbeats.v,
                       .n_downbeats = t->downbeats.n, .sections = t->sections.v, .n_sections = t->sections.n,
                       .bpm = t->bpm, .len_u = len_u, .meter = t->meter };
}

char *cs_transition_warn_text(unsigned w, char *buf, size_t size)
{
    static const struct { unsigned bit; const char *text; } t[] = {
        { CS_TW_TOO_SHORT, "part too short" },
        { CS_TW_NO_PHRASE, "no phrase within reach" },
        { CS_TW_SHORTENED, "fade shortened" },
        { CS_TW_EARLIER, "started a phrase early" },
        { CS_TW_OUT_NO_DOWNBEATS, "no downbeats (outgoing): bars from its first beat" },
        { CS_TW_IN_NO_DOWNBEATS, "no downbeats (incoming): bars from its first beat" },
    };
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (!(w & t[i].bit) || used >= size) continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "; " : "", t[i].text);
        if (n > 0) used += (size_t)n;
    }
    return buf;
}

static int window(cs_dvec *out, const double *v, size_t n, double lo, double hi, double off)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += v[i] >= lo && v[i] < hi;
    double *w = k ? malloc(k * sizeof *w) : NULL;
    if (k && !w) return -1;
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= lo && v[i] < hi) w[j++] = v[i] - off;
    free(out->v);
    out->v = w;
    out->n = k;
    return 0;
}

int cs_lset_track_set_grid(cs_lset_track *t, const double *downbeats, size_t nd, const double *starts,
                           size_t ns)
{
    double a = t->ini_cue, b = t->ini_cue + t->end_u;
    cs_dvec d = {0}, s = {0};
    if (window(&d, downbeats, nd, a - 16, b + 16, a) < 0 || window(&s, starts, ns, a - 1e-6, b, a) < 0) {
        free(d.v);
        return -1;
    }
    free(t->downbeats.v);
    free(t->sections.v);
    t->downbeats = d;
    t->sections = s;
    return 0;
}

double cs_lset_part_end_u(const cs_lset_track *t)
{
    double end = t->end_u;
    for (size_t k = 0; k < t->n_rungs; k++) {
        double len = (double)t->rungs[k].frames / CS_RATE * t->rungs[k].speed;
        if (t->rungs[k].frames > 0 && len < end) end = len;
    }
    return end - 0.005;
}

int cs_transition_plan_lset(const cs_lset_track *out, double out_end_u, const cs_lset_track *in,
                            double earliest_u, bool forced, int fade_bars, bool bass_swap, int meter,
                            cs_tplan *p)
{
    cs_tgrid go = cs_tgrid_of_lset(out, out_end_u), gi = cs_tgrid_of_lset(in, cs_lset_part_end_u(in));
    if (!go.n_downbeats && !go.meter) go.meter = meter;
    if (!gi.n_downbeats && !gi.meter) gi.meter = meter;
    cs_topts o = { .fade_bars = fade_bars, .earliest_u = earliest_u, .prefer_u = forced ? -1 : out->begin_u,
                   .min_solo_bars = CS_TRANSITION_SOLO_BARS, .bass_swap = bass_swap };
    return cs_transition_plan(&go, &gi, &o, p);
}
