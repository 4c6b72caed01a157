/* set.json: a set folder's manifest (see setfile.h). */
#include "pkg/setfile.h"
#include "pkg/key.h"
#include "pkg/fsutil.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- building ---- */

cs_set_track *cs_setfile_add_track(cs_setfile *m, const char *path, const char *key, double bpm,
                                   double ini_cue, double begin_cue, double end_cue)
{
    cs_set_track *nt = realloc(m->tracks, (m->n + 1) * sizeof *nt);
    if (!nt) return NULL;
    m->tracks = nt;
    cs_set_track *t = &nt[m->n];
    memset(t, 0, sizeof *t);
    t->path = strdup(path);
    t->key = key && *key ? strdup(key) : NULL;
    if (!t->path || (key && *key && !t->key)) {
        free(t->path);
        free(t->key);
        return NULL;
    }
    t->bpm = bpm;
    t->energy = -1;
    t->ini_cue = ini_cue;
    t->begin_cue = begin_cue;
    t->end_cue = end_cue;
    m->n++;
    return t;
}

int cs_setfile_set_beats(cs_set_track *t, const double *beats, size_t n)
{
    /* [lo, hi): the last beat at or before ini_cue .. the first at or after end_cue. */
    size_t lo = 0, hi = n;
    for (size_t i = 0; i < n; i++)
        if (beats[i] <= t->ini_cue + 1e-9) lo = i;
    for (size_t i = n; i-- > lo;)
        if (beats[i] >= t->end_cue - 1e-9) hi = i + 1;
    free(t->beats.v);
    t->beats.v = NULL;
    t->beats.n = 0;
    if (hi <= lo) return 0;
    t->beats.v = malloc((hi - lo) * sizeof *t->beats.v);
    if (!t->beats.v) return -1;
    for (size_t i = lo; i < hi; i++) t->beats.v[i - lo] = beats[i] - t->ini_cue;
    t->beats.n = hi - lo;
    return 0;
}

static int keep_window(cs_dvec *out, const double *v, size_t n, double lo, double hi, double off)
{
    free(out->v);
    *out = (cs_dvec){0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += v[i] >= lo && v[i] < hi;
    if (!k) return 0;
    if (!(out->v = malloc(k * sizeof *out->v))) return -1;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= lo && v[i] < hi) out->v[out->n++] = v[i] - off;
    return 0;
}

int cs_setfile_set_grid(cs_set_track *t, const double *downbeats, size_t n, const cs_segvec *sections)
{
    if (keep_window(&t->downbeats, downbeats, n, t->ini_cue - 16, t->end_cue + 16, t->ini_cue) < 0) return -1;
    free(t->sections.v);
    t->sections = (cs_dvec){0};
    if (!sections || !sections->n) return 0;
    double *starts = malloc(sections->n * sizeof *starts);
    if (!starts) return -1;
    for (size_t i = 0; i < sections->n; i++) starts[i] = sections->v[i].start;
    int rc = keep_window(&t->sections, starts, sections->n, t->ini_cue - 1e-6, t->end_cue, t->ini_cue);
    free(starts);
    return rc;
}

/* frames by libsndfile (the file's own rate), bytes by stat; -1 when the
 * file is missing or not audio libsndfile reads. */
static int measure(const char *path, long long *frames, long long *bytes, cs_err *err)
{
    struct stat sb;
    if (!cs_is_file(path, &sb)) return cs_err_setc(err, CS_ERR_NOT_FOUND, "%s: missing", path);
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) return cs_err_setc(err, CS_ERR_IO, "%s: unreadable: %s", path, sf_strerror(NULL));
    sf_close(sf);
    *frames = (long long)info.frames;
    *bytes = (long long)sb.st_size;
    return 0;
}

static int join(char *out, size_t cap, const char *dir, const char *file)
{
    return snprintf(out, cap, "%s/%s", dir, file) < (int)cap ? 0 : -1;
}

int cs_setfile_add_part(cs_set_track *t, const char *dir, const char *file, double bpm, double speed,
                        cs_err *err)
{
    char full[8192];
    if (join(full, sizeof full, dir, file) < 0) return cs_err_setc(err, CS_ERR_RANGE, "%s: path too long", file);
    cs_set_part p = { .bpm = bpm, .speed = speed, .loud = CS_LOUDNESS_NONE };
    if (measure(full, &p.frames, &p.bytes, err) < 0) return -1;
    if (!(p.file = strdup(file))) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    if (bpm == 0) {
        free(t->orig.file);
        t->orig = p;
        return 0;
    }
    cs_set_part *np = realloc(t->parts, (t->n_parts + 1) * sizeof *np);
    if (!np) {
        free(p.file);
        return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    }
    t->parts = np;
    np[t->n_parts++] = p;
    return 0;
}

/* ---- writing ---- */

static cJSON *part_json(const cs_set_part *p)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "file", p->file);
    cJSON_AddNumberToObject(o, "bpm", p->bpm);
    cJSON_AddNumberToObject(o, "speed", p->speed);
    /* Below 2^53: exact as JSON numbers (doubles). */
    cJSON_AddNumberToObject(o, "frames", (double)p->frames);
    cJSON_AddNumberToObject(o, "bytes", (double)p->bytes);
    if (isfinite(p->loud.lufs)) cJSON_AddNumberToObject(o, "lufs", p->loud.lufs);
    if (isfinite(p->loud.dbtp)) cJSON_AddNumberToObject(o, "true_peak_dbtp", p->loud.dbtp);
    if (p->loud.n_slices == CS_LOUDNESS_SLICES) {
        /* Tenths of an LU: the slices steer a gain, not a meter. */
        cJSON *a = cJSON_AddArrayToObject(o, "loudness_slices");
        for (int i = 0; a && i < CS_LOUDNESS_SLICES; i++) {
            double v = round((double)p->loud.slice[i] * 10.0) / 10.0;   /* null: silent, as read back */
            bool ok = v > CS_LOUDNESS_SLICE_MIN && v <= CS_LOUDNESS_SLICE_MAX;
            cJSON_AddItemToArray(a, ok ? cJSON_CreateNumber(v) : cJSON_CreateNull());
        }
    }
    return o;
}

static cJSON *selection_json(const cs_set_selection *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (s->has_bpm) cJSON_AddNumberToObject(o, "bpm", s->bpm);
    if (s->has_bpm || s->has_delta) cJSON_AddNumberToObject(o, "delta", s->delta);
    if (s->has_min) cJSON_AddNumberToObject(o, "bpm_min", s->bpm_min);
    if (s->has_max) cJSON_AddNumberToObject(o, "bpm_max", s->bpm_max);
    if (s->keys) cJSON_AddStringToObject(o, "keys", s->keys);
    cJSON_AddNumberToObject(o, "n_sections", (double)s->n_sections);
    return o;
}

static cJSON *manifest_json(const cs_setfile *m)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "format", "cs-set");
    cJSON_AddNumberToObject(root, "format_version", CS_SET_FORMAT_VERSION);
    cJSON_AddStringToObject(root, "cs_version", m->cs_version ? m->cs_version : "");
    cJSON_AddStringToObject(root, "csv", m->csv ? m->csv : CS_SET_CSV);
    cJSON_AddItemToObject(root, "selection", selection_json(&m->selection));
    cJSON_AddBoolToObject(root, "ladder", m->ladder);
    cJSON_AddItemToObject(root, "rungs", cJSON_CreateDoubleArray(m->rungs.v, (int)m->rungs.n));
    cJSON_AddStringToObject(root, "method", m->method ? m->method : "");
    cJSON_AddStringToObject(root, "quality", m->quality ? m->quality : "");
    cJSON_AddStringToObject(root, "audio_format", m->audio_format ? m->audio_format : "");
    cJSON_AddNumberToObject(root, "rate", m->rate);
    if (m->max_stretch > 0) cJSON_AddNumberToObject(root, "max_stretch", m->max_stretch);
    if (m->playlist) cJSON_AddStringToObject(root, "playlist", m->playlist);
    cJSON *tracks = cJSON_AddArrayToObject(root, "tracks");
    for (size_t i = 0; tracks && i < m->n; i++) {
        const cs_set_track *t = &m->tracks[i];
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddItemToArray(tracks, o);
        cJSON_AddStringToObject(o, "path", t->path);
        if (t->key) cJSON_AddStringToObject(o, "key", t->key);
        cJSON_AddNumberToObject(o, "bpm", t->bpm);
        if (t->energy >= 0) cJSON_AddNumberToObject(o, "energy", t->energy);
        cJSON_AddNumberToObject(o, "ini_cue", t->ini_cue);
        cJSON_AddNumberToObject(o, "begin_cue", t->begin_cue);
        cJSON_AddNumberToObject(o, "end_cue", t->end_cue);
        cJSON_AddItemToObject(o, "beats", cJSON_CreateDoubleArray(t->beats.v, (int)t->beats.n));
        if (t->reach_hi > 0 && isfinite(t->reach_lo) && isfinite(t->reach_hi)) {
            double reach[2] = { t->reach_lo, t->reach_hi };
            cJSON_AddItemToObject(o, "reach", cJSON_CreateDoubleArray(reach, 2));
        }
        if (t->downbeats.n)
            cJSON_AddItemToObject(o, "downbeats", cJSON_CreateDoubleArray(t->downbeats.v, (int)t->downbeats.n));
        if (t->sections.n)
            cJSON_AddItemToObject(o, "sections", cJSON_CreateDoubleArray(t->sections.v, (int)t->sections.n));
        if (t->orig.file) cJSON_AddItemToObject(o, "orig", part_json(&t->orig));
        cJSON *parts = cJSON_AddArrayToObject(o, "parts");
        for (size_t k = 0; parts && k < t->n_parts; k++) cJSON_AddItemToArray(parts, part_json(&t->parts[k]));
    }
    return root;
}

int cs_setfile_write(const char *dir, const cs_setfile *m, cs_err *err)
{
    char path[8192];
    if (join(path, sizeof path, dir, CS_SET_MANIFEST) < 0) return cs_err_setc(err, CS_ERR_RANGE, "%s: path too long", dir);
    cJSON *root = manifest_json(m);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
    size_t n = strlen(text);
    text[n] = '\n';   /* cJSON_Print's terminator becomes the final newline */
    int rc = cs_write_atomic(path, text, n + 1);
    int saved = errno;
    free(text);
    if (rc < 0) return cs_err_setc(err, CS_ERR_IO, "%s: cannot write: %s", path, strerror(saved));
    return 0;
}

/* ---- reading ---- */

static double num_or(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : dflt;
}

static char *str_dup(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && v->valuestring ? strdup(v->valuestring) : NULL;
}

static int read_dvec(const cJSON *arr, cs_dvec *out)
{
    out->v = NULL;
    out->n = 0;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (n <= 0) return 0;
    if (!(out->v = malloc((size_t)n * sizeof *out->v))) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
        if (cJSON_IsNumber(e) && isfinite(e->valuedouble)) out->v[out->n++] = e->valuedouble;
    return 0;
}

/* A part must name a file inside the folder: relative, no "..". */
static bool safe_rel(const char *f)
{
    if (!f || !*f || f[0] == '/') return false;
    for (const char *s = f; (s = strstr(s, "..")); s += 2)
        if ((s == f || s[-1] == '/') && (s[2] == '/' || !s[2])) return false;
    return true;
}

static int read_part(const cJSON *o, cs_set_part *p)
{
    p->file = str_dup(o, "file");
    if (!safe_rel(p->file)) {
        free(p->file);
        p->file = NULL;
        return -1;
    }
    p->bpm = num_or(o, "bpm", 0);
    p->speed = num_or(o, "speed", 0);
    p->frames = (long long)num_or(o, "frames", -1);
    p->bytes = (long long)num_or(o, "bytes", -1);
    p->loud.lufs = num_or(o, "lufs", -INFINITY);
    p->loud.dbtp = num_or(o, "true_peak_dbtp", -INFINITY);
    /* Slices: all CS_LOUDNESS_SLICES numbers (null: silent), or none. */
    const cJSON *sl = cJSON_GetObjectItemCaseSensitive(o, "loudness_slices");
    p->loud.n_slices = 0;
    if (cJSON_IsArray(sl) && cJSON_GetArraySize(sl) == CS_LOUDNESS_SLICES) {
        int i = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, sl) {
            if (cJSON_IsNumber(v) && v->valuedouble > CS_LOUDNESS_SLICE_MIN && v->valuedouble <= CS_LOUDNESS_SLICE_MAX)
                p->loud.slice[i] = (float)v->valuedouble;
            else if (cJSON_IsNull(v)) p->loud.slice[i] = -INFINITY;
            else break;
            i++;
        }
        if (i == CS_LOUDNESS_SLICES) p->loud.n_slices = CS_LOUDNESS_SLICES;
    }
    return 0;
}

static int read_track(const cJSON *o, cs_setfile *m, const char **why)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(o, "path");
    if (!cJSON_IsString(path)) return *why = "a track without \"path\"", -1;
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(o, "key");
    cs_set_track *t = cs_setfile_add_track(m, path->valuestring, cJSON_IsString(key) ? key->valuestring : NULL,
                                           num_or(o, "bpm", 0), num_or(o, "ini_cue", 0),
                                           num_or(o, "begin_cue", -1), num_or(o, "end_cue", -1));
    if (!t || read_dvec(cJSON_GetObjectItemCaseSensitive(o, "beats"), &t->beats) < 0 ||
        read_dvec(cJSON_GetObjectItemCaseSensitive(o, "downbeats"), &t->downbeats) < 0 ||
        read_dvec(cJSON_GetObjectItemCaseSensitive(o, "sections"), &t->sections) < 0)
        return *why = "out of memory", -1;
    const cJSON *reach = cJSON_GetObjectItemCaseSensitive(o, "reach");
    if (cJSON_GetArraySize(reach) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(reach, 0)) &&
        cJSON_IsNumber(cJSON_GetArrayItem(reach, 1))) {
        t->reach_lo = cJSON_GetArrayItem(reach, 0)->valuedouble;
        t->reach_hi = cJSON_GetArrayItem(reach, 1)->valuedouble;
    }
    double energy = num_or(o, "energy", -1);
    t->energy = energy >= 0 && energy <= 1 ? energy : -1;
    const cJSON *orig = cJSON_GetObjectItemCaseSensitive(o, "orig");
    if (cJSON_IsObject(orig) && read_part(orig, &t->orig) < 0)
        return *why = "a part whose file is not a path inside the set", -1;
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(o, "parts"), *e;
    int n = cJSON_IsArray(parts) ? cJSON_GetArraySize(parts) : 0;
    if (n > 0 && !(t->parts = calloc((size_t)n, sizeof *t->parts))) return *why = "out of memory", -1;
    cJSON_ArrayForEach(e, parts) {
        if (read_part(e, &t->parts[t->n_parts]) < 0)
            return *why = "a part whose file is not a path inside the set", -1;
        t->n_parts++;
    }
    return 0;
}

int cs_setfile_read(const char *dir, cs_setfile *m, cs_err *err)
{
    char path[8192];
    memset(m, 0, sizeof *m);
    if (join(path, sizeof path, dir, CS_SET_MANIFEST) < 0) return cs_err_setc(err, CS_ERR_RANGE, "%s: path too long", dir);
    char *text = cs_read_file(path, NULL);
    if (!text)
        return cs_err_setc(err, CS_ERR_IO, "%s: %s%s", path, strerror(errno),
                          errno == ENOENT ? " (not a set folder: cs export --set makes one)" : "");
    cJSON *root = cJSON_Parse(text);
    free(text);
    const char *why = NULL;
    const cJSON *fmt = root ? cJSON_GetObjectItemCaseSensitive(root, "format") : NULL;
    if (!root) why = "not JSON";
    else if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "cs-set") != 0) why = "not a cs set manifest (no \"format\": \"cs-set\")";
    else if ((m->format_version = (int)num_or(root, "format_version", 0)) < 1) why = "no format_version";
    else if (m->format_version > CS_SET_FORMAT_VERSION) why = "made by a newer cs (format_version above 1)";
    if (!why) {
        m->cs_version = str_dup(root, "cs_version");
        m->csv = str_dup(root, "csv");
        m->method = str_dup(root, "method");
        m->quality = str_dup(root, "quality");
        m->audio_format = str_dup(root, "audio_format");
        m->playlist = str_dup(root, "playlist");
        m->rate = (int)num_or(root, "rate", 0);
        m->max_stretch = num_or(root, "max_stretch", 0);
        const cJSON *lad = cJSON_GetObjectItemCaseSensitive(root, "ladder");
        m->ladder = cJSON_IsTrue(lad);
        const cJSON *sel = cJSON_GetObjectItemCaseSensitive(root, "selection");
        cs_set_selection *s = &m->selection;
        s->has_bpm = cJSON_HasObjectItem(sel, "bpm");
        s->has_delta = cJSON_HasObjectItem(sel, "delta");
        s->has_min = cJSON_HasObjectItem(sel, "bpm_min");
        s->has_max = cJSON_HasObjectItem(sel, "bpm_max");
        s->bpm = num_or(sel, "bpm", 0);
        s->delta = num_or(sel, "delta", 0);
        s->bpm_min = num_or(sel, "bpm_min", 0);
        s->bpm_max = num_or(sel, "bpm_max", 0);
        s->keys = str_dup(sel, "keys");
        s->n_sections = (long)num_or(sel, "n_sections", 0);
        if (read_dvec(cJSON_GetObjectItemCaseSensitive(root, "rungs"), &m->rungs) < 0) why = "out of memory";
        const cJSON *tracks = cJSON_GetObjectItemCaseSensitive(root, "tracks"), *e;
        if (!why && !cJSON_IsArray(tracks)) why = "no \"tracks\" list";
        cJSON_ArrayForEach(e, tracks)
            if (!why && read_track(e, m, &why) < 0) break;
    }
    cJSON_Delete(root);
    if (!why) return 0;
    cs_setfile_free(m);
    return cs_err_setc(err, strcmp(why, "out of memory") ? CS_ERR_FORMAT : CS_ERR_NOMEM, "%s: %s", path, why);
}

/* ---- checking and playing ---- */

static size_t check_part(const char *dir, const cs_set_track *t, const cs_set_part *p)
{
    char full[8192];
    long long frames = 0, bytes = 0;
    cs_err e = {0};
    if (join(full, sizeof full, dir, p->file) < 0) {
        cs_log_error("%s/%s: path too long", dir, p->file);
        return 1;
    }
    const char *base = strrchr(t->path, '/');
    base = base ? base + 1 : t->path;
    if (measure(full, &frames, &bytes, &e) < 0) {
        cs_log_error("%s (track %s)", e.msg, base);
        return 1;
    }
    if (bytes != p->bytes || frames != p->frames) {
        cs_log_error("%s: changed: %lld bytes, %lld frames; the manifest says %lld bytes, %lld frames "
                     "(track %s)", full, bytes, frames, p->bytes, p->frames, base);
        return 1;
    }
    return 0;
}

size_t cs_setfile_check(const char *dir, const cs_setfile *m)
{
    size_t bad = 0;
    for (size_t i = 0; i < m->n; i++) {
        const cs_set_track *t = &m->tracks[i];
        if (t->orig.file) bad += check_part(dir, t, &t->orig);
        for (size_t k = 0; k < t->n_parts; k++) bad += check_part(dir, t, &t->parts[k]);
    }
    return bad;
}

static int copy_dvec(const cs_dvec *from, cs_dvec *to)
{
    if (!from->n) return 0;
    to->v = malloc(from->n * sizeof *to->v);
    if (!to->v) return -1;
    memcpy(to->v, from->v, from->n * sizeof *to->v);
    to->n = from->n;
    return 0;
}

/* The grid: beats, and the downbeats and sections the planner reads. */
static int copy_beats(const cs_set_track *st, cs_lset_track *lt)
{
    if (lt->beats.n || !st->beats.n) return 0;
    if (copy_dvec(&st->beats, &lt->beats) < 0 || copy_dvec(&st->downbeats, &lt->downbeats) < 0 ||
        copy_dvec(&st->sections, &lt->sections) < 0)
        return -1;
    return 0;
}

int cs_setfile_to_lset(const char *dir, const cs_setfile *m, cs_lset *set, cs_err *err)
{
    for (size_t i = 0; i < m->n; i++) {
        const cs_set_track *st = &m->tracks[i];
        cs_lset_track *lt = cs_lset_add_track(set, st->path, st->bpm, st->ini_cue, st->begin_cue - st->ini_cue,
                                              st->end_cue - st->ini_cue);
        if (!lt || copy_beats(st, lt) < 0) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        if (st->key && cs_key_parse(st->key) >= 0) lt->key = cs_key_parse(st->key);
        lt->energy = st->energy;
        for (size_t k = 0; k < st->n_parts; k++) {
            char full[8192];
            if (join(full, sizeof full, dir, st->parts[k].file) < 0) continue;
            int r = cs_lset_add_rung(lt, st->parts[k].bpm, st->parts[k].speed, full);
            if (r < 0) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
            lt->rungs[r].loud = st->parts[k].loud;
        }
    }
    return 0;
}

int cs_setfile_attach_beats(const cs_setfile *m, cs_lset *set, size_t *got, cs_err *err)
{
    *got = 0;
    for (size_t i = 0; i < set->n; i++) {
        cs_lset_track *lt = &set->tracks[i];
        for (size_t j = 0; j < m->n && !lt->beats.n; j++) {
            if (strcmp(m->tracks[j].path, lt->path) || fabs(m->tracks[j].ini_cue - lt->ini_cue) >= 1e-6) continue;
            if (copy_beats(&m->tracks[j], lt) < 0) {
                /* no half grid: beats without their downbeats would pass for whole */
                free(lt->beats.v);
                free(lt->downbeats.v);
                free(lt->sections.v);
                lt->beats = lt->downbeats = lt->sections = (cs_dvec){0};
                return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
            }
            if (lt->beats.n) (*got)++;
        }
    }
    return 0;
}

static void part_free(cs_set_part *p) { free(p->file); }

void cs_setfile_free(cs_setfile *m)
{
    for (size_t i = 0; i < m->n; i++) {
        cs_set_track *t = &m->tracks[i];
        part_free(&t->orig);
        for (size_t k = 0; k < t->n_parts; k++) part_free(&t->parts[k]);
        free(t->parts);
        free(t->beats.v);
        free(t->downbeats.v);
        free(t->sections.v);
        free(t->path);
        free(t->key);
    }
    free(m->tracks);
    free(m->rungs.v);
    free(m->cs_version);
    free(m->csv);
    free(m->method);
    free(m->quality);
    free(m->audio_format);
    free(m->playlist);
    free(m->selection.keys);
    memset(m, 0, sizeof *m);
}
