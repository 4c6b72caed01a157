/* Ladder-set reporting (see ladder.h): the rung each deck plays, the trace
 * (a CSV row every 100 ms of engine time, kept for the plot too) and the SVG
 * plot written at the end. */
#include "player/set/ladder_int.h"
#include "pkg/csv.h"
#include "pkg/svgplot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define TRACE_EVERY (CS_RATE / 10)

int ladder_trace_open(cs_ladder *l, cs_err *err)
{
    if (!(l->trace = fopen(l->o.trace_path, "w")))
        return cs_err_set(err, "%s: cannot write the trace", l->o.trace_path);
    fputs("time,movement,target_bpm,current_bpm,rung_a,rung_b,track\n", l->trace);
    return 0;
}

double ladder_deck_rung(const cs_ladder *l, int i)
{
    const ldeck *d = &l->deck[i];
    if (d->track < 0 || !d->v[d->cur].committed) return 0;
    const lvoice *v = &d->v[d->cur];
    if (d->sw == SW_FADE) v = &d->v[!d->cur];
    return ladder_rung_of(l, d, v)->bpm;
}

void ladder_report(cs_ladder *l, uint64_t now)
{
    double s = (double)now / CS_RATE;
    if (l->movement >= 0 && fabs(l->movement - l->logged_move) > 1e-9 && s - l->logged_move_s >= 1.0) {
        cs_log_info("movement %.3f -> target %.2f BPM (now %.2f)", l->movement, l->target, l->bpm);
        l->logged_move = l->movement;
        l->logged_move_s = s;
    }
    while (l->next_trace <= now) {
        double rc = l->cur >= 0 ? ladder_deck_rung(l, l->cur) : 0;
        trow row = { (double)l->next_trace / CS_RATE, l->movement, l->target, l->bpm,
                     ladder_deck_rung(l, 0), ladder_deck_rung(l, 1),
                     l->cur >= 0 ? l->deck[l->cur].track : -1,
                     rc > 0 && fabs(l->bpm / rc - 1.0) > l->o.max_dev + 1e-9 };
        if (l->trace) {
            fprintf(l->trace, "%.1f,%.4f,%.3f,%.3f,%g,%g,", row.t, row.move, row.target, row.bpm, row.ra,
                    row.rb);
            cs_csv_field(l->trace, row.track >= 0 ? l->set.tracks[row.track].name : "", 0);
            fputc('\n', l->trace);
        }
        if (l->o.plot_path) {
            if (l->nrows == l->caprows) {
                size_t cap = l->caprows ? 2 * l->caprows : 1024;
                trow *nr = realloc(l->rows, cap * sizeof *nr);
                if (nr) { l->rows = nr; l->caprows = cap; }
            }
            if (l->nrows < l->caprows) l->rows[l->nrows++] = row;
        }
        l->next_trace += TRACE_EVERY;
    }
}

/* The events the plot marks: track changes (named), bass swaps and rung
 * switches of either deck; the spans where the current deck played off the
 * ladder.  Into marks[] / spans[] (n rows and s swaps give at most 3n + s
 * marks, n spans). */
static void plot_events(const cs_ladder *l, cs_plot_mark *marks, size_t *nm, cs_plot_span *spans, size_t *ns)
{
    const trow *r = l->rows;
    *nm = *ns = 0;
    for (size_t i = 0; i < l->nrows; i++) {
        const trow *p = i ? &r[i - 1] : NULL;
        if (r[i].track >= 0 && (!p || p->track != r[i].track))
            marks[(*nm)++] = (cs_plot_mark){ r[i].t, l->set.tracks[r[i].track].name, "track", "#555", 0 };
        if (p && p->ra > 0 && r[i].ra > 0 && p->ra != r[i].ra)
            marks[(*nm)++] = (cs_plot_mark){ r[i].t, NULL, "rung", "#3182bd", CS_PLOT_DASHED };
        if (p && p->rb > 0 && r[i].rb > 0 && p->rb != r[i].rb)
            marks[(*nm)++] = (cs_plot_mark){ r[i].t, NULL, "rung", "#e6550d", CS_PLOT_DASHED };
        if (r[i].off && p && p->off && *ns) spans[*ns - 1].x1 = r[i].t;
        else if (r[i].off) spans[(*ns)++] = (cs_plot_span){ r[i].t, r[i].t + (double)TRACE_EVERY / CS_RATE };
    }
    for (size_t k = 0; k < l->nswaps; k++)
        marks[(*nm)++] = (cs_plot_mark){ l->swaps[k], "bass swap", "swap", "#2ca02c", CS_PLOT_DASHED };
}

static void write_plot(cs_ladder *l)
{
    size_t n = l->nrows;
    double *x = malloc(6 * (n ? n : 1) * sizeof *x);
    cs_plot_mark *marks = malloc((3 * (n ? n : 1) + l->nswaps) * sizeof *marks);
    cs_plot_span *spans = malloc((n ? n : 1) * sizeof *spans);
    if (!x || !marks || !spans) {
        free(x);
        free(marks);
        free(spans);
        cs_log_error("%s: out of memory for the plot", l->o.plot_path);
        return;
    }
    size_t nm, ns;
    plot_events(l, marks, &nm, spans, &ns);
    double *mv = x + n, *tg = x + 2 * n, *bp = x + 3 * n, *ra = x + 4 * n, *rb = x + 5 * n;
    for (size_t i = 0; i < n; i++) {
        x[i] = l->rows[i].t;
        mv[i] = l->rows[i].move >= 0 ? l->rows[i].move : NAN;
        tg[i] = l->rows[i].target;
        bp[i] = l->rows[i].bpm;
        ra[i] = l->rows[i].ra > 0 ? l->rows[i].ra : NAN;
        rb[i] = l->rows[i].rb > 0 ? l->rows[i].rb : NAN;
    }
    /* Deck B's rung is thin and dashed over deck A's thick band: when both
     * play the same rung (a crossfade), A's stays visible under it. */
    cs_plot_series bpm_s[] = {
        { "rung deck A", "#9ecae1", x, ra, n, CS_PLOT_STEP | CS_PLOT_THICK, "rung-a" },
        { "rung deck B", "#e6550d", x, rb, n, CS_PLOT_STEP | CS_PLOT_DASHED, "rung-b" },
        { "target BPM", "#d62728", x, tg, n, CS_PLOT_DASHED, "target" },
        { "current BPM", "#1f77b4", x, bp, n, 0, "bpm" },
    };
    cs_plot_series mv_s[] = { { "movement", "#2ca02c", x, mv, n, 0, "movement" } };
    char off_label[64];
    snprintf(off_label, sizeof off_label, "rate beyond \u00b1%g %%: off the ladder", 100 * l->o.max_dev);
    cs_plot_panel panels[] = {
        { "BPM (lines: track changes; dashed: rung switches, green: bass swaps)", 0, 0, bpm_s, 4, marks, nm, spans, ns,
          "off-ladder", "#fdd0a2", off_label },
        { "movement, normalised 0..1 (/dance/total_movement)", 0, 1, mv_s, 1, marks, nm, NULL, 0,
          NULL, NULL, NULL },
    };
    cs_err err = {0};
    if (cs_svgplot_write(l->o.plot_path, "Crowdstream ladder set: movement, tempo and rungs", "time (s)",
                         panels, 2, &err) < 0)
        cs_log_error("%s", err.msg);
    else
        cs_log_info("plot written to %s", l->o.plot_path);
    free(x);
    free(marks);
    free(spans);
}

void ladder_trace_close(cs_ladder *l)
{
    if (l->o.plot_path && l->nrows) write_plot(l);
    if (l->trace && fclose(l->trace) != 0) cs_log_error("%s: cannot finish the trace", l->o.trace_path);
    free(l->rows);
}
