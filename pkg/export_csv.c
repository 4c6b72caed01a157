/* The export CSV contract (see export_csv.h): its columns, the writer and
 * the reader. */
#include "pkg/export_csv.h"
#include "pkg/csv.h"
#include "pkg/fsutil.h"
#include "pkg/textfile.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cs_export_csv_columns[CS_XC_N] = {
    "path", "bpm", "key", "target_bpm", "speed", "ini_cue", "begin_cue", "end_cue", "begin_cue_adj",
    "end_cue_adj", "duration_orig", "duration_sectioned", "part_file_orig", "part_file",
    "part_lufs", "part_true_peak_dbtp",
};

/* A measured value, or an empty field for none. */
static void loud_field(FILE *f, double v)
{
    if (isfinite(v)) cs_csv_number(f, v, 1);
    else cs_csv_field(f, "", 1);
}

/* ---- writing ---- */

const char *cs_export_csv_rel(const char *parts_dir, const char *file)
{
    size_t n = strlen(parts_dir);
    while (n > 1 && parts_dir[n - 1] == '/') n--;
    if (!strncmp(file, parts_dir, n) && file[n] == '/') return file + n + 1;
    return file;
}

int cs_export_csv_write(const char *path, const cs_export_row *rows, size_t n, const char *rel,
                        cs_err *err)
{
    cs_remove_stale_temps(path);
    char tmp[CS_TEMP_NAME_MAX];
    FILE *f = cs_temp_fopen(path, tmp);
    if (!f) return cs_err_setc(err, CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    for (int c = 0; c < CS_XC_N; c++) cs_csv_field(f, cs_export_csv_columns[c], c > 0);
    fputs(CS_CSV_EOL, f);
    for (size_t i = 0; i < n; i++) {
        const cs_export_row *r = &rows[i];
        const cs_lib_track *t = r->track;
        char d1[32], d2[32];
        cs_csv_field(f, cs_lib_track_name(t), 0);
        cs_csv_number(f, t->bpm, 1);
        cs_csv_field(f, t->key, 1);
        cs_csv_number(f, r->target_bpm, 1);
        cs_csv_number(f, r->speed, 1);
        cs_csv_number(f, t->cues.ini_cue, 1);
        cs_csv_number(f, t->cues.begin_cue, 1);
        cs_csv_number(f, t->cues.end_cue, 1);
        cs_csv_number(f, r->begin_cue_adj, 1);
        cs_csv_number(f, r->end_cue_adj, 1);
        cs_csv_field(f, cs_fmt_duration(d1, r->duration_orig), 1);
        cs_csv_field(f, cs_fmt_duration(d2, r->duration_sectioned), 1);
        cs_csv_field(f, rel ? cs_export_csv_rel(rel, r->part_file_orig) : r->part_file_orig, 1);
        cs_csv_field(f, rel ? cs_export_csv_rel(rel, r->part_file) : r->part_file, 1);
        loud_field(f, r->loud.lufs);
        loud_field(f, r->loud.dbtp);
        fputs(CS_CSV_EOL, f);
    }
    if (cs_temp_fcommit(f, tmp, path) < 0) return cs_err_setc(err, CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

void cs_export_rows_free(cs_export_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].part_file_orig);
        free(rows[i].part_file);
    }
    free(rows);
}

/* ---- reading (RFC 4180: quoted fields, "" inside quotes; line ends are LF
 * after cs_text_load) ---- */

/* Splits one record starting at *p into fields (in place); returns the
 * number of fields, advances *p past the record. */
static int record(char **p, char **f, int max)
{
    char *s = *p, *w = s;
    int n = 0;
    if (!*s) return 0;
    for (;;) {
        char *start = w;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s) break;
                if (*s == '"' && s[1] == '"') { *w++ = '"'; s += 2; continue; }
                if (*s == '"') { s++; break; }
                *w++ = *s++;
            }
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r') *w++ = *s++;
        char c = *s;
        *w++ = 0;
        if (n < max) f[n] = start;
        n++;
        if (c == ',') { s++; continue; }
        /* *s may be the terminator just written: decide on c. */
        if (c == '\r') {
            s++;
            if (*s == '\n') s++;
        } else if (c == '\n') {
            s++;
        }
        break;
    }
    *p = s;
    return n;
}

static bool num(const char *s, double *v)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && errno == 0 && isfinite(*v);
}

int cs_export_csv_read(const char *csv_path, int (*on_row)(const cs_export_csv_in *r, void *arg, cs_err *err),
                       void *arg, cs_err *err)
{
    /* BOM and CR/CRLF line ends are gone after cs_text_load (pkg/textfile.h). */
    char *text = cs_text_load(csv_path, CS_TEXT_NO_LIMIT, NULL, err);
    if (!text) return -1;
    char *p = text, *f[64];
    int nf = record(&p, f, 64), col[CS_XC_N];
    for (int c = 0; c < CS_XC_N; c++) {
        col[c] = -1;
        for (int i = 0; i < nf && i < 64; i++)
            if (!strcmp(f[i], cs_export_csv_columns[c])) col[c] = i;
    }
    if (col[CS_XC_PATH] < 0 || col[CS_XC_BPM] < 0 || col[CS_XC_TARGET_BPM] < 0 || col[CS_XC_PART_FILE] < 0) {
        free(text);
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: not an export CSV (needs columns path, bpm, target_bpm, part_file)", csv_path);
    }
    int line = 1, skipped = 0;
    while (*p) {
        line++;
        for (int i = 0; i < 64; i++) f[i] = NULL;
        nf = record(&p, f, 64);
        if (nf <= 1 && (!f[0] || !*f[0])) continue;    /* blank line */
#define F(c) (col[c] >= 0 && col[c] < nf && col[c] < 64 ? f[col[c]] : NULL)
        cs_export_csv_in r = { .path = F(CS_XC_PATH), .part_file = F(CS_XC_PART_FILE), .key = F(CS_XC_KEY) };
        double begin, end, badj, eadj;
        if (!r.path || !*r.path || !r.part_file || !*r.part_file || !num(F(CS_XC_BPM), &r.bpm) ||
            !(r.bpm > 0) || !num(F(CS_XC_TARGET_BPM), &r.target_bpm) || !(r.target_bpm > 0)) {
            if (skipped++ < 3) cs_log_warn("%s:%d: no path, bpm, target_bpm or part_file; row skipped", csv_path, line);
            continue;
        }
        if (!num(F(CS_XC_SPEED), &r.speed) || !(r.speed > 0)) r.speed = r.target_bpm / r.bpm;
        num(F(CS_XC_INI_CUE), &r.ini_cue);
        /* Cues in u: the adjusted ones times speed are exact; the raw cues
         * minus ini_cue say the same when the adjusted ones are missing. */
        if (num(F(CS_XC_BEGIN_CUE_ADJ), &badj)) begin = badj * r.speed;
        else if (num(F(CS_XC_BEGIN_CUE), &begin)) begin -= r.ini_cue;
        else begin = -1;
        if (num(F(CS_XC_END_CUE_ADJ), &eadj)) end = eadj * r.speed;
        else if (num(F(CS_XC_END_CUE), &end)) end -= r.ini_cue;
        else end = -1;
        if (!num(F(CS_XC_PART_LUFS), &r.loud.lufs)) r.loud.lufs = -INFINITY;
        if (!num(F(CS_XC_PART_TRUE_PEAK), &r.loud.dbtp)) r.loud.dbtp = -INFINITY;
#undef F
        r.begin_u = begin;
        r.end_u = end;
        if (on_row(&r, arg, err) < 0) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            int code = err->code;
            free(text);
            return cs_err_setc(err, code, "%s: %s", csv_path, why);
        }
    }
    if (skipped > 3) cs_log_warn("%s: %d rows skipped in all", csv_path, skipped);
    free(text);
    return skipped;
}
