/* SVG line plots (see svgplot.h). */
#include "pkg/svgplot.h"
#include "pkg/fsutil.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 1000.0
#define LEFT 70.0
#define RIGHT 170.0          /* legend column */
#define TOP 40.0
#define PANEL_H 240.0
#define GAP 50.0

/* A "nice" tick step giving about `want` ticks over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else fputc(*s, f);
    }
}

static void range(const cs_plot_panel *p, double *lo, double *hi, int use_x)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t s = 0; s < p->n_series; s++)
        for (size_t i = 0; i < p->series[s].n; i++) {
            double v = use_x ? p->series[s].x[i] : p->series[s].y[i];
            if (!isfinite(v)) continue;
            if (v < *lo) *lo = v;
            if (v > *hi) *hi = v;
        }
}

int cs_svgplot_write(const char *path, const char *title, const char *xlabel,
                     const cs_plot_panel *panels, size_t n_panels, cs_err *err)
{
    double x0 = INFINITY, x1 = -INFINITY;
    for (size_t k = 0; k < n_panels; k++) {
        double a, b;
        range(&panels[k], &a, &b, 1);
        if (a < x0) x0 = a;
        if (b > x1) x1 = b;
    }
    if (!isfinite(x0)) x0 = 0, x1 = 1;
    if (x1 <= x0) x1 = x0 + 1;
    double H = TOP + (double)n_panels * (PANEL_H + GAP) + 10, pw = W - LEFT - RIGHT;
    char tmp[CS_TEMP_NAME_MAX];
    cs_remove_stale_temps(path);   /* a killed run's plot temporary */
    FILE *f = cs_temp_fopen(path, tmp);
    if (!f) return cs_err_setc(err, CS_ERR_IO, "%s: %s", path, strerror(errno));
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
               "<text x=\"%.0f\" y=\"24\" font-size=\"16\" text-anchor=\"middle\">",
            W, H, W, H, LEFT + pw / 2);
    esc(f, title);
    fputs("</text>\n", f);
    double xs = nice_step(x1 - x0, 10);
    for (size_t k = 0; k < n_panels; k++) {
        const cs_plot_panel *p = &panels[k];
        double top = TOP + (double)k * (PANEL_H + GAP), bot = top + PANEL_H;
        double y0 = p->ymin, y1 = p->ymax;
        if (!(y1 > y0)) {
            range(p, &y0, &y1, 0);
            if (!isfinite(y0)) y0 = 0, y1 = 1;
            double pad = (y1 - y0) * 0.08 + 0.5;
            y0 -= pad;
            y1 += pad;
        }
#define PX(v) (LEFT + ((v) - x0) / (x1 - x0) * pw)
#define PY(v) (bot - ((v) - y0) / (y1 - y0) * PANEL_H)
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n",
                LEFT, top, pw, PANEL_H);
        double ys = nice_step(y1 - y0, 6);
        for (double v = ceil(y0 / ys) * ys; v <= y1 + 1e-9; v += ys)
            fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                    LEFT, LEFT + pw, PY(v), PY(v), LEFT - 6, PY(v) + 4, fabs(v) < 1e-12 ? 0 : v);
        for (double v = ceil(x0 / xs) * xs; v <= x1 + 1e-9; v += xs)
            fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                    PX(v), PX(v), top, bot, PX(v), bot + 16, v);
        fprintf(f, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">", 18.0,
                (top + bot) / 2);
        esc(f, p->ylabel);
        fputs("</text>\n", f);
        if (k + 1 == n_panels) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", LEFT + pw / 2, bot + 36);
            esc(f, xlabel);
            fputs("</text>\n", f);
        }
        for (size_t m = 0; m < p->n_spans; m++) {
            double a = p->spans[m].x0 < x0 ? x0 : p->spans[m].x0, b = p->spans[m].x1 > x1 ? x1 : p->spans[m].x1;
            if (!(b >= a)) continue;
            fprintf(f, "<rect class=\"span %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "fill=\"%s\" fill-opacity=\"0.35\"/>\n",
                    p->span_cls ? p->span_cls : "", PX(a), top, PX(b) - PX(a) > 1 ? PX(b) - PX(a) : 1, PANEL_H,
                    p->span_color ? p->span_color : "#ccc");
        }
        for (size_t m = 0; m < p->n_marks; m++) {
            const cs_plot_mark *mk = &p->marks[m];
            if (!(mk->x >= x0 && mk->x <= x1)) continue;
            fprintf(f, "<line class=\"mark %s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>\n",
                    mk->kind ? mk->kind : "", PX(mk->x), PX(mk->x), top, bot, mk->color ? mk->color : "#888",
                    mk->flags & CS_PLOT_DASHED ? " stroke-dasharray=\"2,3\"" : "");
            if (!mk->label) continue;
            fprintf(f, "<text class=\"mark-label\" transform=\"translate(%.1f,%.1f) rotate(90)\" font-size=\"10\">",
                    PX(mk->x) + 3, top + 4);
            esc(f, mk->label);
            fputs("</text>\n", f);
        }
        for (size_t s = 0; s < p->n_series; s++) {
            const cs_plot_series *se = &p->series[s];
            const char *dash = se->flags & CS_PLOT_DASHED ? " stroke-dasharray=\"6,4\"" : "";
            double wdt = se->flags & CS_PLOT_THICK ? 5 : 1.6;
            bool open = false;
            for (size_t i = 0; i < se->n; i++) {
                double x = se->x[i], y = se->y[i];
                if (!isfinite(x) || !isfinite(y)) {
                    if (open) fputs("\"/>\n", f);
                    open = false;
                    continue;
                }
                if (y < y0) y = y0;
                if (y > y1) y = y1;
                if (!open) {
                    fprintf(f, "<polyline class=\"series %s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s points=\"",
                            se->cls ? se->cls : "", se->color, wdt, dash);
                    open = true;
                } else if (se->flags & CS_PLOT_STEP) {
                    fprintf(f, "%.1f,%.1f ", PX(x), PY(se->y[i - 1] < y0 ? y0 : se->y[i - 1] > y1 ? y1 : se->y[i - 1]));
                }
                fprintf(f, "%.1f,%.1f ", PX(x), PY(y));
            }
            if (open) fputs("\"/>\n", f);
            double ly = top + 14 + 18.0 * (double)s;
            fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>"
                       "<text x=\"%.1f\" y=\"%.1f\">",
                    LEFT + pw + 10, LEFT + pw + 34, ly, ly, se->color, wdt, dash, LEFT + pw + 40, ly + 4);
            esc(f, se->label);
            fputs("</text>\n", f);
        }
        if (p->n_spans && p->span_label) {
            double ly = top + 14 + 18.0 * (double)p->n_series;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"24\" height=\"10\" fill=\"%s\" fill-opacity=\"0.35\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\">",
                    LEFT + pw + 10, ly - 5, p->span_color ? p->span_color : "#ccc", LEFT + pw + 40, ly + 4);
            esc(f, p->span_label);
            fputs("</text>\n", f);
        }
#undef PX
#undef PY
    }
    fputs("</svg>\n", f);
    if (cs_temp_fcommit(f, tmp, path) < 0) return cs_err_setc(err, CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}
