/* Line plots as hand-written SVG: panels stacked vertically sharing one x
 * axis, each with its own y axis, ticks, grid and legend, with vertical
 * marks (labelled events) and shaded x spans.  Enough for tempo traces; no
 * plotting library.  NaN y values break a line.  Elements carry classes
 * ("series <cls>", "mark <kind>", "span <cls>") so tests and style sheets
 * can find them.
 *
 *   cs_plot_series s[] = { { "current BPM", "#1f77b4", x, y, n, 0 } };
 *   cs_plot_panel p[] = { { "BPM", 0, 0, s, 1 } };          // ymin = ymax: auto
 *   cs_svgplot_write("out.svg", "title", "time (s)", p, 1, &err);
 */
#ifndef CS_SVGPLOT_H
#define CS_SVGPLOT_H

#include <stddef.h>
#include "pkg/err.h"

enum { CS_PLOT_STEP = 1, CS_PLOT_DASHED = 2, CS_PLOT_THICK = 4 };

typedef struct cs_plot_series {
    const char *label, *color;
    const double *x, *y;
    size_t n;
    int flags;                /* CS_PLOT_STEP: hold each value until the next x */
    const char *cls;          /* class of its polylines ("series <cls>"), or NULL */
} cs_plot_series;

/* A vertical line at x across the panel, labelled at its top (label may be
 * NULL); kind is its class ("mark <kind>"). */
typedef struct cs_plot_mark {
    double x;
    const char *label, *kind, *color;
    int flags;                /* CS_PLOT_DASHED */
} cs_plot_mark;

/* A shaded band over [x0, x1] the panel's height. */
typedef struct cs_plot_span {
    double x0, x1;
} cs_plot_span;

typedef struct cs_plot_panel {
    const char *ylabel;
    double ymin, ymax;        /* equal: from the data, padded */
    const cs_plot_series *series;
    size_t n_series;
    const cs_plot_mark *marks;      /* may be NULL */
    size_t n_marks;
    const cs_plot_span *spans;      /* may be NULL: drawn under the series */
    size_t n_spans;
    const char *span_cls, *span_color, *span_label;   /* class, fill and legend of the spans */
} cs_plot_panel;

int cs_svgplot_write(const char *path, const char *title, const char *xlabel,
                     const cs_plot_panel *panels, size_t n_panels, cs_err *err);

#endif
