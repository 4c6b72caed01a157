/* A Serato library: audio files' tags and crates into the collection model
 * (serato_lib.h). */
#include "pkg/serato_lib.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pkg/decoder_offset.h"
#include "pkg/fsutil.h"
#include "pkg/location.h"
#include "pkg/serato.h"
#include "pkg/serato_taglib.h"

#define MAX_DEPTH 32

typedef struct strv { char **v; size_t n, cap; } strv;

static int strv_add(strv *s, const char *p)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strdup(p))) return -1;
    s->n++;
    return 0;
}

static void strv_free(strv *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_audio(const char *name)
{
    static const char *const ext[] = { "mp3", "flac", "m4a", "mp4", "aif", "aiff", "wav", "ogg" };
    const char *dot = strrchr(name, '.');
    if (!dot) return false;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (!strcasecmp(dot + 1, ext[i])) return true;
    return false;
}

typedef struct lib {
    const cs_rb_handler *h;
    cs_rb_stats *st;
    cs_err *err;
    strv files;        /* real paths of the audio files, sorted once scanned */
    char serato[PATH_MAX + 16];   /* the _Serato_ folder found, "" none */
    bool nomem;
} lib;

static void walk(lib *L, const char *dir, int depth)
{
    if (depth > MAX_DEPTH || L->nomem) return;
    DIR *d = opendir(dir);
    if (!d) {
        cs_log_warn("%s: %s; skipped", dir, strerror(errno));
        L->st->warnings++;
        return;
    }
    struct dirent *e;
    char p[PATH_MAX];
    while ((e = readdir(d)) && !L->nomem) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "_Serato_")) continue;
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
        struct stat sb;
        if (lstat(p, &sb) < 0) continue;
        if (S_ISDIR(sb.st_mode)) walk(L, p, depth + 1);   /* symlinked folders are not followed */
        else if (is_audio(e->d_name) && cs_is_file(p, NULL)) {
            char real[PATH_MAX];
            if (!realpath(p, real)) {
                if (errno == ENOMEM) L->nomem = true;
                cs_log_warn("%s: %s; skipped", p, strerror(errno));
                L->st->warnings++;
            } else if (strv_add(&L->files, real) < 0)
                L->nomem = true;
        }
    }
    closedir(d);
}

/* The first _Serato_ folder in dir or above it. */
static void find_serato(lib *L, const char *dir)
{
    if (L->serato[0]) return;
    char p[PATH_MAX], buf[PATH_MAX + 16];
    if (!realpath(dir, p)) {
        if (errno == ENOMEM) L->nomem = true;
        return;
    }
    for (;;) {
        struct stat sb;
        snprintf(buf, sizeof buf, "%s/_Serato_", strcmp(p, "/") ? p : "");
        if (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            snprintf(L->serato, sizeof L->serato, "%s", buf);
            return;
        }
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) return;
        *slash = '\0';
    }
}

double cs_serato_mp3_offset(const char *path, int sample_rate, int *how)
{
    double mixxx = sample_rate == 44100 ? 0.026 : sample_rate == 48000 ? 0.024 : 0;
    if (how) *how = mixxx > 0;
    if (mixxx == 0) return 0;
    double skip = 0;
    cs_err e = {0};
    if (cs_decoder_offset(path, &skip, &e) < 0) {
        if (how) *how = -1;
        skip = 0;
    }
    return skip + mixxx;
}

/* A tag's payload as the parsers want it: ID3's bytes as they are; a
 * Vorbis comment's or atom's base64 envelope opened. */
static int payload(const cs_serato_raw *r, const uint8_t *p, size_t n, const char *name, uint8_t **out,
                   size_t *n_out, cs_err *e)
{
    if (r->enc == CS_SERATO_RAW) {
        *out = NULL;
        *n_out = n;
        return 0;
    }
    return cs_serato_unwrap((const char *)p, n, name, out, n_out, e);
}

static void tag_warn(lib *L, const char *path, const char *tag, const cs_err *e, const char *what)
{
    cs_log_warn("%s: Serato %s: %s; %s", path, tag, e->msg, what);
    L->st->warnings++;
}

/* One file's tags into a track; 1 delivered, 0 skipped, -1 stopped. */
static int read_track(lib *L, const char *path, bool in_crate)
{
    cs_serato_raw r;
    cs_err e = {0};
    int oversize = 0;
    int rc = cs_serato_read_tags(path, &r, &oversize, &e);
    if (rc == CS_ERR_NOMEM) return cs_err_nomem(L->err);
    if (rc < 0) {
        cs_log_warn("%s; skipped", e.msg);
        L->st->warnings++;
        return 0;
    }
    if (oversize) {
        cs_log_warn("%s: %d Serato tag%s larger than %u bytes; ignored", path, oversize, oversize == 1 ? "" : "s",
                    CS_SERATO_TAG_MAX);
        L->st->warnings++;
    }
    if (r.ogg_serato) {
        cs_log_warn("%s: Ogg Vorbis: Serato's tags there have an undocumented layout; not read (its key and BPM "
                    "tags are)", path);
        L->st->warnings++;
    }
    if (!r.beatgrid && !r.markers2 && !r.markers && !in_crate && !r.ogg_serato) {
        cs_serato_raw_free(&r);
        return 0;   /* audio Serato never analysed */
    }
    cs_rb_track t = { .track_id = (char *)path, .path = (char *)path, .location = (char *)path,
                      .path_only = true, .name = r.title, .artist = r.artist, .album = r.album,
                      .genre = r.genre, .tonality = r.key, .total_time = r.length_s };
    if (!t.name) t.name = (char *)cs_path_basename(path);
    double grid_bpm = 0;
    if (r.beatgrid) {
        uint8_t *p = NULL;
        size_t n;
        rc = payload(&r, r.beatgrid, r.n_beatgrid, "Serato BeatGrid", &p, &n, &e);
        if (rc == 0)
            rc = cs_serato_beatgrid(p ? p : r.beatgrid, n, &t.tempos, &t.n_tempos, &grid_bpm, &e);
        free(p);
        if (rc == CS_ERR_NOMEM) { cs_serato_raw_free(&r); return cs_err_nomem(L->err); }
        if (rc < 0) tag_warn(L, path, "BeatGrid", &e, "no grid");
    }
    if (r.markers2) {
        uint8_t *p = NULL;
        size_t n;
        rc = payload(&r, r.markers2, r.n_markers2, "Serato Markers2", &p, &n, &e);
        if (rc == 0)
            rc = cs_serato_markers2(p ? p : r.markers2, n, &t.marks, &t.n_marks, NULL, &e);
        free(p);
        if (rc == CS_ERR_NOMEM) goto nomem;
        if (rc < 0) tag_warn(L, path, "Markers2", &e, t.n_marks ? "the cues before the fault kept" : "no cues");
    }
    if (r.markers) {
        cs_rb_mark *old = NULL;
        size_t n_old = 0, n;
        unsigned slots;
        uint8_t *p = NULL;
        rc = payload(&r, r.markers, r.n_markers, "Serato Markers_", &p, &n, &e);
        if (rc == 0) rc = cs_serato_markers_(p ? p : r.markers, n, &old, &n_old, &slots, &e);
        free(p);
        if (rc == 0) rc = cs_serato_merge_markers(&t.marks, &t.n_marks, old, n_old, slots, &e);
        cs_serato_free_marks(old, n_old);
        if (rc == CS_ERR_NOMEM) goto nomem;
        if (rc < 0) tag_warn(L, path, "Markers_", &e, "Markers2's cues used");
    }
    t.average_bpm = grid_bpm;
    if (!(t.average_bpm > 0) && r.bpm) {
        double b = strtod(r.bpm, NULL);
        if (b > 0 && b < 1000) t.average_bpm = b;
    }
    if (r.mp3 && (t.n_tempos || t.n_marks)) {
        int how;
        double off = cs_serato_mp3_offset(path, r.sample_rate, &how);
        for (size_t i = 0; i < t.n_tempos; i++) t.tempos[i].inizio -= off;
        for (size_t i = 0; i < t.n_marks; i++) {
            t.marks[i].start -= off;
            if (t.marks[i].end >= 0) t.marks[i].end -= off;
        }
        if (how == 0) {
            cs_log_warn("%s: MP3 at %d Hz: Serato's timing offset is not known at that rate; its grid and cues "
                        "are used as written", path, r.sample_rate);
            L->st->warnings++;
        } else if (how < 0) {
            cs_log_warn("%s: FFmpeg cannot open it to read its encoder delay: Serato's grid and cues moved by "
                        "%.0f ms only", path, off * 1e3);
            L->st->warnings++;
        } else
            cs_log_debug("%s: Serato grid and cues moved %.1f ms earlier (MP3 at %d Hz)", path, off * 1e3,
                         r.sample_rate);
    }
    L->st->tracks++;
    rc = L->h && L->h->on_track && L->h->on_track(L->h->ud, &t) != 0 ? -1 : 1;
    free(t.tempos);
    cs_serato_free_marks(t.marks, t.n_marks);
    cs_serato_raw_free(&r);
    if (rc < 0) cs_err_set(L->err, "Serato library: stopped");
    return rc;
nomem:
    free(t.tempos);
    cs_serato_free_marks(t.marks, t.n_marks);
    cs_serato_raw_free(&r);
    return cs_err_nomem(L->err);
}

static bool has_dotdot(const char *p)
{
    for (const char *s = p; (s = strstr(s, "..")); s += 2)
        if ((s == p || s[-1] == '/' || s[-1] == '\\') && (!s[2] || s[2] == '/' || s[2] == '\\')) return true;
    return false;
}

/* A crate's path on this machine (real path into out), or false. */
static bool crate_path(const lib *L, const char *rel, char *out)
{
    char buf[PATH_MAX * 2];
    const char *r = rel;
    while (*r == '/') r++;
    char root[PATH_MAX + 16];
    snprintf(root, sizeof root, "%s", L->serato);
    char *slash = strrchr(root, '/');
    if (slash) *slash = '\0';   /* the folder holding _Serato_ */
    const char *bases[] = { root, "" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(buf, sizeof buf, "%s/%s", bases[i], r);
        if (cs_is_file(buf, NULL) && realpath(buf, out)) return true;
    }
    /* by file name among the tracks read (a library moved to another machine) */
    const char *name = cs_path_basename(r);
    const char *hit = NULL;
    for (size_t i = 0; i < L->files.n; i++)
        if (!strcmp(cs_path_basename(L->files.v[i]), name)) {
            if (hit) return false;   /* ambiguous */
            hit = L->files.v[i];
        }
    if (hit) snprintf(out, PATH_MAX, "%s", hit);
    return hit != NULL;
}

static int deliver(lib *L, const char *path, const char *name, int type, char **keys, size_t n)
{
    cs_rb_playlist p = { .path = path, .name = name, .type = type, .key_type = 0, .keys = keys, .n_keys = n };
    if (type == 1) L->st->playlists++;
    if (L->h && L->h->on_playlist && L->h->on_playlist(L->h->ud, &p) != 0)
        return cs_err_set(L->err, "Serato library: stopped");
    return 0;
}

/* Crates: read, their paths resolved; tracks they name that the scan did
 * not find are added to extra. */
typedef struct crate { char *file, *name; strv keys; } crate;

static int cmp_crate(const void *a, const void *b)
{
    return strcmp(((const crate *)a)->name, ((const crate *)b)->name);
}

static int read_crates(lib *L, crate **out, size_t *n_out, strv *extra)
{
    *out = NULL;
    *n_out = 0;
    if (!L->serato[0]) return 0;
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/Subcrates", L->serato);
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= 6 || strcasecmp(e->d_name + l - 6, ".crate") || e->d_name[0] == '.') continue;
        char f[PATH_MAX * 2];
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        size_t n;
        char *data = cs_read_file(f, &n);
        if (!data) {
            cs_log_warn("%s: %s; crate skipped", f, strerror(errno));
            L->st->warnings++;
            continue;
        }
        char **paths;
        size_t np;
        cs_err ce = {0};
        int crc = cs_serato_crate((const uint8_t *)data, n, &paths, &np, &ce);
        free(data);
        if (crc == CS_ERR_NOMEM) { rc = cs_err_nomem(L->err); cs_serato_free_paths(paths, np); break; }
        if (crc < 0) {
            cs_log_warn("%s: %s; %zu track%s before it kept", f, ce.msg, np, np == 1 ? "" : "s");
            L->st->warnings++;
        }
        if (*n_out == cap) {
            cap = cap ? cap * 2 : 16;
            crate *v = realloc(*out, cap * sizeof *v);
            if (!v) { rc = cs_err_nomem(L->err); cs_serato_free_paths(paths, np); break; }
            *out = v;
        }
        crate *c = &(*out)[(*n_out)++];
        memset(c, 0, sizeof *c);
        c->file = strdup(f);
        c->name = strndup(e->d_name, l - 6);
        if (!c->file || !c->name) rc = cs_err_nomem(L->err);
        for (size_t i = 0; rc == 0 && i < np; i++) {
            char real[PATH_MAX];
            if (has_dotdot(paths[i])) {
                cs_log_warn("%s: track \"%s\" climbs out of its volume with \"..\"; left out", f, paths[i]);
                L->st->warnings++;
            } else if (!crate_path(L, paths[i], real)) {
                cs_log_warn("%s: track \"%s\": no such file (under %.*s or /, nor by name); left out", f, paths[i],
                            (int)(strrchr(L->serato, '/') - L->serato), L->serato);
                L->st->warnings++;
            } else {
                if (strv_add(&c->keys, real) < 0) rc = cs_err_nomem(L->err);
                else if (!bsearch(&c->keys.v[c->keys.n - 1], L->files.v, L->files.n, sizeof(char *), cmp_str)) {
                    bool seen = false;
                    for (size_t k = 0; k < extra->n && !seen; k++) seen = !strcmp(extra->v[k], real);
                    if (!seen && strv_add(extra, real) < 0) rc = cs_err_nomem(L->err);
                }
            }
        }
        cs_serato_free_paths(paths, np);
    }
    closedir(d);
    if (*n_out) qsort(*out, *n_out, sizeof **out, cmp_crate);
    return rc;
}

/* ROOT, then each crate; "A%%B" is crate B in crate A (folders made for
 * parents that are not crates themselves). */
static int deliver_crates(lib *L, crate *c, size_t n)
{
    if (deliver(L, "ROOT", "ROOT", 0, NULL, 0) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(c[i].name);
        char *path = malloc(5 + l + 1);
        if (!path) return cs_err_nomem(L->err);
        strcpy(path, "ROOT/");
        const char *s = c[i].name;
        char *o = path + 5;
        while (*s) {
            if (s[0] == '%' && s[1] == '%') { *o++ = '/'; s += 2; }
            else *o++ = *s++;
        }
        *o = '\0';
        const char *leaf = strrchr(path, '/') + 1;
        int rc = deliver(L, path, leaf, 1, c[i].keys.v, c[i].keys.n);
        free(path);
        if (rc < 0) return -1;
    }
    return 0;
}

int cs_serato_parse(const char *const *inputs, size_t n_inputs, const cs_rb_handler *h,
                    cs_rb_stats *stats, cs_err *err)
{
    cs_rb_stats local = {0};
    lib L = { .h = h, .st = stats ? stats : &local, .err = err };
    memset(L.st, 0, sizeof *L.st);
    size_t usable = 0;
    for (size_t i = 0; i < n_inputs && !L.nomem; i++) {
        struct stat sb;
        if (stat(inputs[i], &sb) < 0) {
            cs_log_warn("%s: %s", inputs[i], strerror(errno));
            L.st->warnings++;
            continue;
        }
        usable++;
        if (S_ISDIR(sb.st_mode)) {
            find_serato(&L, inputs[i]);
            size_t before = L.files.n;
            walk(&L, inputs[i], 0);
            if (L.files.n == before && !L.nomem) {
                cs_log_warn("%s: no audio file under it (a STRUCT_DIR goes before --serato)", inputs[i]);
                L.st->warnings++;
            }
        } else {
            char real[PATH_MAX], dir[PATH_MAX];
            if (!realpath(inputs[i], real)) {
                if (errno == ENOMEM) L.nomem = true;
                cs_log_warn("%s: %s", inputs[i], strerror(errno));
                L.st->warnings++;
                continue;
            }
            snprintf(dir, sizeof dir, "%s", real);
            *strrchr(dir, '/') = '\0';
            find_serato(&L, dir[0] ? dir : "/");
            if (strv_add(&L.files, real) < 0) L.nomem = true;
        }
    }
    if (L.nomem) {
        strv_free(&L.files);
        return cs_err_nomem(err);
    }
    if (!usable) {
        strv_free(&L.files);
        return cs_err_set(err, "Serato: no input could be read (%s%s)", n_inputs ? inputs[0] : "none given",
                          n_inputs > 1 ? ", ..." : "");
    }
    /* sorted and without duplicates (a file given twice, or in two folders given) */
    if (L.files.n) qsort(L.files.v, L.files.n, sizeof *L.files.v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < L.files.n; i++) {
        if (k && !strcmp(L.files.v[k - 1], L.files.v[i])) free(L.files.v[i]);
        else L.files.v[k++] = L.files.v[i];
    }
    L.files.n = k;
    crate *crates = NULL;
    size_t n_crates = 0;
    strv extra = {0};
    int rc = read_crates(&L, &crates, &n_crates, &extra);
    if (rc == 0 && h && h->on_info) {
        cs_rb_info info = { "Serato DJ", NULL, "Serato", -1 };
        if (h->on_info(h->ud, &info) != 0) rc = cs_err_set(err, "Serato library: stopped");
    }
    /* every crate entry, sorted, to tell a crate's tracks */
    strv listed = {0};
    for (size_t c = 0; c < n_crates && rc == 0; c++)
        for (size_t j = 0; j < crates[c].keys.n && rc == 0; j++)
            if (strv_add(&listed, crates[c].keys.v[j]) < 0) rc = cs_err_nomem(err);
    if (listed.n) qsort(listed.v, listed.n, sizeof *listed.v, cmp_str);
    /* a crate's track is read even when the scan did not reach it */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        strv *v = pass ? &extra : &L.files;
        for (size_t i = 0; i < v->n && rc == 0; i++) {
            bool in_crate = pass == 1 ||
                            (listed.n && bsearch(&v->v[i], listed.v, listed.n, sizeof(char *), cmp_str));
            if (read_track(&L, v->v[i], in_crate) < 0) rc = -1;
        }
    }
    strv_free(&listed);
    if (rc == 0) rc = deliver_crates(&L, crates, n_crates);
    for (size_t i = 0; i < n_crates; i++) {
        free(crates[i].file);
        free(crates[i].name);
        strv_free(&crates[i].keys);
    }
    free(crates);
    strv_free(&extra);
    strv_free(&L.files);
    return rc < 0 ? -1 : 0;
}

char *cs_serato_default_dir(const char *home, cs_err *err)
{
    char p[PATH_MAX];
    struct stat sb;
    if (home && *home && snprintf(p, sizeof p, "%s/Music/_Serato_", home) < (int)sizeof p &&
        stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        p[strlen(p) - strlen("/_Serato_")] = '\0';
        char *out = strdup(p);
        if (!out) cs_err_nomem(err);
        return out;
    }
    cs_err_set(err, "no Serato library: no %s/Music/_Serato_ (give the music folder, or the audio files)",
               home && *home ? home : "$HOME");
    return NULL;
}
