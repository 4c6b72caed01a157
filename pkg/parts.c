#include "pkg/parts.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEM 200   /* bytes; leaves room for "_sectioned.flac" in NAME_MAX */

char *cs_part_stem(const char *file)
{
    const char *base = file;
    for (const char *p = file; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) n = (size_t)(dot - base);
    if (n > MAX_STEM) {
        n = MAX_STEM;
        /* Do not cut a UTF-8 sequence in half. */
        while (n > 0 && ((unsigned char)base[n] & 0xC0) == 0x80) n--;
    }
    char *s = malloc(n + 6);
    if (!s) return NULL;
    memcpy(s, base, n);
    s[n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '/' || s[i] == '\\') s[i] = '_';
    if (s[0] == '.') s[0] = '_';
    if (!s[0]) strcpy(s, "track");
    return s;
}

char *cs_bpm_dirname(char *buf, double bpm)
{
    snprintf(buf, 32, "%g", bpm);
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int parse_num(const char *s, const char *end, double *out)
{
    char buf[64];
    size_t n = (size_t)(end - s);
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (!n || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *e;
    errno = 0;
    *out = strtod(buf, &e);
    return *e || errno || !isfinite(*out) ? -1 : 0;
}

#define MAX_RUNGS 256

int cs_bpm_list_parse(const char *spec, cs_dvec *out, cs_err *err)
{
    out->v = NULL;
    out->n = 0;
    double *v = malloc(MAX_RUNGS * sizeof *v);
    if (!v) return cs_err_nomem(err);
    size_t n = 0;
    const char *c1 = strchr(spec, ':');
    if (c1) {
        const char *c2 = strchr(c1 + 1, ':');
        double a, b, step;
        if (!c2 || parse_num(spec, c1, &a) < 0 || parse_num(c1 + 1, c2, &b) < 0 ||
            parse_num(c2 + 1, c2 + 1 + strlen(c2 + 1), &step) < 0) {
            free(v);
            return cs_err_setc(err, CS_ERR_USAGE, "'%s' is not A:B:STEP", spec);
        }
        if (!(step > 0) || b < a) {
            free(v);
            return cs_err_setc(err, CS_ERR_USAGE, "'%s': need A <= B and STEP > 0", spec);
        }
        for (double x = a; x <= b + 1e-9 && n < MAX_RUNGS + 1; x = a + step * (double)n) {
            if (n == MAX_RUNGS) { free(v); return cs_err_setc(err, CS_ERR_USAGE, "'%s': more than %d rungs", spec, MAX_RUNGS); }
            /* Print-stable values: 117.99999999 becomes 118. */
            v[n++] = round(x * 1e6) / 1e6;
        }
    } else {
        const char *p = spec;
        while (*p) {
            const char *comma = strchr(p, ',');
            const char *end = comma ? comma : p + strlen(p);
            double x;
            if (parse_num(p, end, &x) < 0) {
                free(v);
                /* 106-130-4, 106..130/4: a range meant, in another form. */
                if (strpbrk(spec, "-./ ") && strspn(spec, "0123456789.-/ ") == strlen(spec) && !strchr(spec, ','))
                    return cs_err_setc(err, CS_ERR_USAGE, "'%s' is not a BPM list: a range is A:B:STEP (e.g. 106:130:4), "
                                      "a list is comma-separated (e.g. 106,110,114)", spec);
                return cs_err_setc(err, CS_ERR_USAGE, "'%.*s' in '%s' is not a number (a list is comma-separated, "
                                  "a range is A:B:STEP)", (int)(end - p), p, spec);
            }
            if (n == MAX_RUNGS) { free(v); return cs_err_setc(err, CS_ERR_USAGE, "'%s': more than %d rungs", spec, MAX_RUNGS); }
            v[n++] = x;
            p = comma ? comma + 1 : end;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < 1 || v[i] > 999) {
            double bad = v[i];
            free(v);
            return cs_err_setc(err, CS_ERR_USAGE, "%g is not a usable BPM (1..999)", bad);
        }
    }
    if (!n) { free(v); return cs_err_setc(err, CS_ERR_USAGE, "'%s' names no BPM", spec); }
    qsort(v, n, sizeof *v, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || fabs(v[i] - v[m - 1]) > 1e-9) v[m++] = v[i];
    out->v = v;
    out->n = m;
    return 0;
}

int cs_ladder_gaps(const double *bpm, size_t n, double max_dev, char *buf, size_t size)
{
    if (size) buf[0] = 0;
    if (n < 2) return 0;
    /* Each rung and the next higher one, found by a scan rather than a
     * sorted copy: a ladder has tens of rungs, and a check that cannot fail
     * never reports "no gaps" for want of memory. */
    int gaps = 0;
    double worst = 0, worst_a = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double a = bpm[i], b = 0;
        if (isnan(a)) continue;
        bool first = true;                /* the same rung listed twice counts once */
        for (size_t j = 0; j < i && first; j++) first = bpm[j] != a;
        if (!first) continue;
        bool above = false;               /* the next rung up: what follows a in sorted order */
        for (size_t j = 0; j < n; j++)
            if (bpm[j] > a && (!above || bpm[j] < b)) b = bpm[j], above = true;
        if (!above) continue;             /* the top rung */
        double lo = a * (1 + max_dev), hi = b * (1 - max_dev);
        if (!(hi > lo + 1e-9)) continue;
        gaps++;
        /* The rate needed at the tempo the rungs cover worst: where the two
         * rates are equal, sqrt(a*b) (the player takes the nearer rung). */
        double mid = sqrt(a * b), rate = mid / a;
        if (rate > worst || (rate == worst && a < worst_a)) {   /* ties: the lowest pair, in any order */
            worst = rate;
            worst_a = a;
            if (size)
                snprintf(buf, size, "rungs %g and %g BPM: %.4g..%.4g BPM play beyond \u00b1%g %%, at up to x%.3f",
                         a, b, lo, hi, 100 * max_dev, rate);
        }
    }
    return gaps;
}
