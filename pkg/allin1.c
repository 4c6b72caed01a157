/* allin1 struct JSON: reading (lenient where real files are odd, strict where
 * a value would be silently wrong) and writing in allin1's own layout. */
#include "pkg/allin1.h"
#include "pkg/textfile.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BPM_MAX 1000.0

int cs_segvec_push(cs_segvec *v, double start, double end, const char *label)
{
    if (end <= start + 1e-9) return 0;
    cs_segment *nv = realloc(v->v, (v->n + 1) * sizeof *nv);
    if (!nv) return -1;
    v->v = nv;
    char *l = strdup(label);
    if (!l) return -1;
    v->v[v->n++] = (cs_segment){ start, end, l };
    return 0;
}

void cs_struct_free(cs_struct *s)
{
    if (!s) return;
    free(s->path);
    free(s->key);
    free(s->source);
    free(s->beats.v);
    free(s->downbeats.v);
    free(s->beat_positions.v);
    for (size_t i = 0; i < s->segments.n; i++) free(s->segments.v[i].label);
    free(s->segments.v);
    memset(s, 0, sizeof *s);
}

/* ---- reading ------------------------------------------------------------ */

/* Every repair is counted; only the first is kept as text, which is enough
 * for one log line per file.  The text has no file name: the caller, who
 * knows the file, prefixes it (errors, which stand alone, do name it). */
__attribute__((format(printf, 2, 3)))
static void warn(cs_struct *s, const char *fmt, ...)
{
    if (s->n_warnings++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->warning, sizeof s->warning, fmt, ap);
        va_end(ap);
    }
}

static char *dup_str(const char *src)
{
    size_t n = strlen(src);
    char *d = malloc(n + 1);
    if (d) memcpy(d, src, n + 1);
    return d;
}

/* Where a parse failed, as "line L, column C" (1-based, bytes). */
static void locate(const char *text, size_t len, const char *at, int *line, int *col)
{
    size_t off = (at && at >= text && (size_t)(at - text) <= len) ? (size_t)(at - text) : 0;
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') { (*line)++; *col = 1; }
        else (*col)++;
    }
}

static bool only_space(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
    return true;
}

/* A time in seconds: a finite JSON number within +-CS_TIME_MAX_S.  Returns
 * -1 for no number, -2 for one beyond the bound.  Negative times are the
 * callers' to repair (a grid or a section a hair before the audio starts). */
static int get_time(const cJSON *item, double *out)
{
    if (!cJSON_IsNumber(item)) return -1;
    double v = item->valuedouble;
    if (!isfinite(v)) return -1;
    if (fabs(v) > CS_TIME_MAX_S) return -2;
    *out = v;
    return 0;
}

static int read_times(const cJSON *root, const char *field, cs_dvec *out,
                      const char *name, cs_err *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, field);
    if (!arr || cJSON_IsNull(arr)) return 0;    /* optional: segments-only files */
    if (!cJSON_IsArray(arr))
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: \"%s\" is not an array", name, field);
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0) return 0;
    out->v = malloc(n * sizeof *out->v);
    if (!out->v) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        int rc = get_time(it, &out->v[i]);
        if (rc == -2)
            return cs_err_setc(err, CS_ERR_FORMAT, "%s: %s[%zu] %g s is beyond %g s (no audio is that long)", name, field, i,
                              it->valuedouble, CS_TIME_MAX_S);
        if (rc < 0) return cs_err_setc(err, CS_ERR_FORMAT, "%s: %s[%zu] is not a finite number", name, field, i);
    }
    out->n = n;
    return 0;
}

static int read_positions(const cJSON *root, cs_ivec *out, const char *name, cs_err *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "beat_positions");
    if (!arr || cJSON_IsNull(arr)) return 0;
    if (!cJSON_IsArray(arr))
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: \"beat_positions\" is not an array", name);
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0) return 0;
    out->v = malloc(n * sizeof *out->v);
    if (!out->v) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
        /* Positions are small counts (1..beats per bar); anything else is
         * not a beat position and would wrap silently in an int. */
        if (!(v >= 0 && v <= 64) || v != floor(v))
            return cs_err_setc(err, CS_ERR_FORMAT, "%s: beat_positions[%zu] is not a small integer", name, i);
        out->v[i] = (int)v;
    }
    out->n = n;
    return 0;
}

/* "bpm": a number in 0..1000, null or absent (0).  A string such as "120" is
 * refused: a writer that quotes numbers may quote anything, and guessing
 * would hide a broken producer. */
static int read_bpm(const cJSON *root, cs_struct *s, const char *name, cs_err *err)
{
    const cJSON *bpm = cJSON_GetObjectItemCaseSensitive(root, "bpm");
    s->bpm = 0;
    if (!bpm || cJSON_IsNull(bpm)) return 0;
    if (!cJSON_IsNumber(bpm)) return cs_err_setc(err, CS_ERR_FORMAT, "%s: non-numeric \"bpm\"", name);
    double v = bpm->valuedouble;
    if (!isfinite(v) || v < 0 || v > BPM_MAX)
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: \"bpm\" %g is outside 0..%g", name, v, BPM_MAX);
    s->bpm = v;
    return 0;
}

/* Optional string field; non-strings are ignored with a warning rather than
 * failing a whole file over metadata. */
static int read_opt_string(const cJSON *root, const char *field, char **out,
                           cs_struct *s, const char *name, cs_err *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, field);
    *out = NULL;
    if (!it || cJSON_IsNull(it)) return 0;
    if (!cJSON_IsString(it)) {
        warn(s, "\"%s\" is not a string; ignored", field);
        return 0;
    }
    if (it->valuestring[0] == '\0') return 0;
    *out = dup_str(it->valuestring);
    return *out ? 0 : cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name);
}

static int read_path(const cJSON *root, cs_struct *s, const char *name, cs_err *err)
{
    if (read_opt_string(root, "path", &s->path, s, name, err) < 0) return -1;
    if (s->path || cJSON_GetObjectItemCaseSensitive(root, "path")) return 0;
    /* A wrapper around allin1 writes "file_path"; the audio is the same. */
    if (read_opt_string(root, "file_path", &s->path, s, name, err) < 0) return -1;
    if (s->path) warn(s, "no \"path\"; using \"file_path\"");
    return 0;
}

static char *lower_dup(const char *src)
{
    char *d = dup_str(src);
    if (d)
        for (char *p = d; *p; p++) *p = (char)tolower((unsigned char)*p);
    return d;
}

static int read_segment(const cJSON *it, size_t i, cs_segment *seg, cs_struct *s,
                        const char *name, cs_err *err)
{
    if (!cJSON_IsObject(it)) return cs_err_setc(err, CS_ERR_FORMAT, "%s: segments[%zu] is not an object", name, i);
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(it, "start"), *je = cJSON_GetObjectItemCaseSensitive(it, "end");
    int rs = get_time(js, &seg->start), re = get_time(je, &seg->end);
    if (rs == -2 || re == -2)
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: segments[%zu] %s %g s is beyond %g s (no audio is that long)", name, i,
                          rs == -2 ? "start" : "end", (rs == -2 ? js : je)->valuedouble, CS_TIME_MAX_S);
    if (rs < 0 || re < 0)
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: segments[%zu] has no finite numeric start/end", name, i);
    if (seg->end < seg->start)
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: segments[%zu] ends (%g) before it starts (%g)", name, i,
                          seg->end, seg->start);
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(it, "label");
    if (label && !cJSON_IsNull(label) && !cJSON_IsString(label))
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: segments[%zu] label is not a string", name, i);
    if (!cJSON_IsString(label)) warn(s, "segments[%zu] has no label", i);
    seg->label = lower_dup(cJSON_IsString(label) ? label->valuestring : "");
    return seg->label ? 0 : cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name);
}

static int seg_cmp(const void *a, const void *b)
{
    const cs_segment *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return strcmp(x->label, y->label);
}

static bool seg_sorted(const cs_segvec *v)
{
    for (size_t i = 1; i < v->n; i++)
        if (v->v[i].start < v->v[i - 1].start) return false;
    return true;
}

/* Sort by start (qsort is not stable, so the full key breaks ties and the
 * result does not depend on input order), then drop exact duplicates. */
static void tidy_segments(cs_segvec *v, cs_struct *s)
{
    if (!seg_sorted(v)) {
        qsort(v->v, v->n, sizeof *v->v, seg_cmp);
        warn(s, "segments were not sorted by start");
    }
    size_t out = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (out > 0 && seg_cmp(&v->v[out - 1], &v->v[i]) == 0) {
            warn(s, "duplicate segment %g-%g \"%s\" dropped", v->v[i].start,
                 v->v[i].end, v->v[i].label);
            free(v->v[i].label);
            continue;
        }
        v->v[out++] = v->v[i];
    }
    v->n = out;
}

/* Times before 0 (a grid or section that starts a hair before the audio,
 * as analysers and converters write: issue 22 items 2 and 6): a section is
 * clipped at 0 and one that ends by 0 is dropped; beats and downbeats before
 * 0 are dropped (with their beat position).  Each repair is a warning. */
static void clip_segments_at_zero(cs_segvec *v, cs_struct *s)
{
    size_t out = 0;
    for (size_t i = 0; i < v->n; i++) {
        cs_segment *g = &v->v[i];
        if (g->end <= 0 && g->start < 0) {
            warn(s, "segment %g-%g \"%s\" before 0 s dropped", g->start, g->end, g->label);
            free(g->label);
            continue;
        }
        if (g->start < 0) {
            warn(s, "segment \"%s\" starts at %g s: read as 0", g->label, g->start);
            g->start = 0;
        }
        v->v[out++] = *g;
    }
    v->n = out;
}

static void drop_times_before_zero(cs_dvec *t, cs_ivec *pos, const char *field, cs_struct *s)
{
    bool with_pos = pos && pos->n == t->n;
    size_t out = 0, dropped = 0;
    double first = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i] < 0) {
            if (dropped++ == 0) first = t->v[i];
            continue;
        }
        if (with_pos) pos->v[out] = pos->v[i];
        t->v[out++] = t->v[i];
    }
    if (dropped) warn(s, "%zu %s before 0 s dropped (first at %g s)", dropped, field, first);
    t->n = out;
    if (with_pos) pos->n = out;
}

static int read_segments(const cJSON *root, cs_struct *s, const char *name, cs_err *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "segments");
    if (!arr) return cs_err_setc(err, CS_ERR_FORMAT, "%s: no \"segments\"", name);
    if (!cJSON_IsArray(arr)) return cs_err_setc(err, CS_ERR_FORMAT, "%s: \"segments\" is not an array", name);
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0) return 0;
    s->segments.v = calloc(n, sizeof *s->segments.v);
    if (!s->segments.v) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        /* n grows as we go so cs_struct_free() frees exactly what exists. */
        if (read_segment(it, i, &s->segments.v[i], s, name, err) < 0) return -1;
        s->segments.n = i + 1;
    }
    clip_segments_at_zero(&s->segments, s);
    tidy_segments(&s->segments, s);
    return 0;
}

static int read_root(const cJSON *root, cs_struct *s, const char *name, cs_err *err)
{
    if (!cJSON_IsObject(root)) return cs_err_setc(err, CS_ERR_FORMAT, "%s: not a JSON object", name);
    if (read_bpm(root, s, name, err) < 0) return -1;
    if (read_segments(root, s, name, err) < 0) return -1;
    if (read_path(root, s, name, err) < 0) return -1;
    if (read_opt_string(root, "key", &s->key, s, name, err) < 0) return -1;
    if (read_opt_string(root, "source", &s->source, s, name, err) < 0) return -1;
    if (read_times(root, "beats", &s->beats, name, err) < 0) return -1;
    if (read_times(root, "downbeats", &s->downbeats, name, err) < 0) return -1;
    if (read_positions(root, &s->beat_positions, name, err) < 0) return -1;
    drop_times_before_zero(&s->beats, &s->beat_positions, "beats", s);
    drop_times_before_zero(&s->downbeats, NULL, "downbeats", s);
    if (s->beat_positions.n && s->beat_positions.n != s->beats.n)
        warn(s, "%zu beat_positions for %zu beats", s->beat_positions.n, s->beats.n);
    return 0;
}

static int cs_allin1_parse_raw(const char *text, size_t len, const char *name, cs_struct *out, cs_err *err);

int cs_allin1_parse(const char *text, size_t len, const char *name, cs_struct *out, cs_err *err)
{
    if (text && len) {
        bool oom;
        size_t n2 = 0;
        char *fixed = cs_text_undo_surrogateescape(text, len, &n2, &oom);
        if (oom) {
            memset(out, 0, sizeof *out);
            return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", name ? name : "<input>");
        }
        if (fixed) {
            int rc = cs_allin1_parse_raw(fixed, n2, name, out, err);
            free(fixed);
            return rc;
        }
    }
    return cs_allin1_parse_raw(text, len, name, out, err);
}

static int cs_allin1_parse_raw(const char *text, size_t len, const char *name, cs_struct *out, cs_err *err)
{
    if (!name) name = "<input>";
    memset(out, 0, sizeof *out);
    if (!text || len == 0) return cs_err_setc(err, CS_ERR_FORMAT, "%s: empty file", name);
    const char *end = NULL;
    /* The length-bounded parser with our own trailing-data check: the text
     * need not be NUL-terminated, and the error position is per call (the
     * global cJSON_GetErrorPtr is not thread-safe). */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    int line, col;
    if (!root) {
        locate(text, len, end, &line, &col);
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: invalid JSON near line %d, column %d", name, line, col);
    }
    if (end && !only_space(end, text + len)) {
        locate(text, len, end, &line, &col);
        cJSON_Delete(root);
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: unexpected data after the JSON value at line %d, column %d",
                          name, line, col);
    }
    int rc = read_root(root, out, name, err);
    cJSON_Delete(root);
    if (rc < 0) cs_struct_free(out);
    return rc;
}

int cs_allin1_load(const char *file, cs_struct *out, cs_err *err)
{
    memset(out, 0, sizeof *out);
    size_t n;
    char *buf = cs_text_load(file, CS_ALLIN1_MAX_BYTES, &n, err);
    if (!buf) return -1;
    int rc = cs_allin1_parse(buf, n, file, out, err);
    free(buf);
    return rc;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cs_beats_bpm(const cs_dvec *beats)
{
    if (!beats || beats->n < 2) return 0;
    double *iv = malloc((beats->n - 1) * sizeof *iv);
    if (!iv) return -1;
    size_t n = 0;
    for (size_t i = 1; i < beats->n; i++) {
        double d = beats->v[i] - beats->v[i - 1];
        if (d > 0) iv[n++] = d;     /* repeated or backwards beats carry no tempo */
    }
    double bpm = 0;
    if (n > 0) {
        qsort(iv, n, sizeof *iv, dcmp);
        double med = (n % 2) ? iv[n / 2] : (iv[n / 2 - 1] + iv[n / 2]) / 2;
        bpm = 60.0 / med;
    }
    free(iv);
    return bpm;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) { b->oom = true; return; }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* Python's repr of a float, which is what allin1 writes: the shortest digits
 * that read back to the same double, fixed notation for exponents -4..15
 * with at least one decimal ("0.0", "120.5"), else "1e-05"-style. */
static void fmt_double(double x, char out[40])
{
    char e[40];
    if (!isfinite(x)) {             /* JSON has no NaN; null reads back as an error */
        memcpy(out, "null", 5);
        return;
    }
    int p;
    for (p = 1; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, x);
        if (strtod(e, NULL) == x) break;
    }
    snprintf(e, sizeof e, "%.*e", p - 1, x);
    int exp10 = atoi(strchr(e, 'e') + 1);
    if (exp10 < -4 || exp10 >= 16) {
        memcpy(out, e, strlen(e) + 1);
        return;
    }
    int decimals = p - 1 - exp10;
    snprintf(out, 40, "%.*f", decimals > 0 ? decimals : 0, x);
    if (!strchr(out, '.')) strcat(out, ".0");
}

static void sb_double(sbuf *b, double x)
{
    char s[40];
    fmt_double(x, s);
    sb_puts(b, s);
}

/* JSON string; bytes >= 0x80 are copied as they are so UTF-8 paths (NFC or
 * NFD) come back byte for byte. */
static void sb_string(sbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                sb_puts(b, esc);
            } else {
                sb_add(b, (const char *)p, 1);
            }
        }
    }
    sb_puts(b, "\"");
}

/* allin1 keeps number arrays on one line with no spaces. */
static void sb_dvec(sbuf *b, const char *key, const cs_dvec *v)
{
    sb_puts(b, ",\n  \"");
    sb_puts(b, key);
    sb_puts(b, "\": [");
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_puts(b, ",");
        sb_double(b, v->v[i]);
    }
    sb_puts(b, "]");
}

static void sb_ivec(sbuf *b, const char *key, const cs_ivec *v)
{
    sb_puts(b, ",\n  \"");
    sb_puts(b, key);
    sb_puts(b, "\": [");
    for (size_t i = 0; i < v->n; i++) {
        char s[16];
        snprintf(s, sizeof s, i ? ",%d" : "%d", v->v[i]);
        sb_puts(b, s);
    }
    sb_puts(b, "]");
}

static void sb_segments(sbuf *b, const cs_segvec *v)
{
    sb_puts(b, ",\n  \"segments\": [");
    for (size_t i = 0; i < v->n; i++) {
        sb_puts(b, i ? ",\n    {\n      \"start\": " : "\n    {\n      \"start\": ");
        sb_double(b, v->v[i].start);
        sb_puts(b, ",\n      \"end\": ");
        sb_double(b, v->v[i].end);
        sb_puts(b, ",\n      \"label\": ");
        sb_string(b, v->v[i].label ? v->v[i].label : "");
        sb_puts(b, "\n    }");
    }
    sb_puts(b, v->n ? "\n  ]" : "]");
}

/* allin1 writes bpm as an integer; a fractional one (demo tracks at 122.5)
 * is written as a float so nothing is lost. */
static void sb_bpm(sbuf *b, double bpm)
{
    char s[40];
    if (bpm == floor(bpm) && fabs(bpm) < 1e15) snprintf(s, sizeof s, "%.0f", bpm);
    else fmt_double(bpm, s);
    sb_puts(b, s);
}

char *cs_allin1_to_json(const cs_struct *s)
{
    sbuf b = {0};
    sb_puts(&b, "{\n  \"path\": ");
    if (s->path) sb_string(&b, s->path);
    else sb_puts(&b, "null");
    sb_puts(&b, ",\n  \"bpm\": ");
    sb_bpm(&b, s->bpm);
    sb_dvec(&b, "beats", &s->beats);
    sb_dvec(&b, "downbeats", &s->downbeats);
    sb_ivec(&b, "beat_positions", &s->beat_positions);
    sb_segments(&b, &s->segments);
    if (s->key) {
        sb_puts(&b, ",\n  \"key\": ");
        sb_string(&b, s->key);
    }
    if (s->source) {
        sb_puts(&b, ",\n  \"source\": ");
        sb_string(&b, s->source);
    }
    sb_puts(&b, "\n}");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
