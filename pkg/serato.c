/* Serato tag payloads and crates (serato.h).  Every length and count read
 * from the data is checked against what is left before it is used. */
#include "pkg/serato.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/base64.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static float befloat(const uint8_t *p)
{
    uint32_t u = be32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int is_b64(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

int cs_serato_base64(const char *text, size_t len, uint8_t **out, size_t *n_out, cs_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (len > CS_SERATO_TAG_MAX * 2) return cs_err_set(err, "base64 text too long (%zu bytes)", len);
    /* The characters, cleaned: blanks and line feeds dropped, padding
     * dropped (it is put back below), a NUL ends the text. */
    char *clean = malloc(len + 4);
    if (!clean) return cs_err_nomem(err);
    size_t k = 0;
    bool pad = false;
    for (size_t i = 0; i < len && text[i]; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
        if (c == '=') { pad = true; continue; }
        if (!is_b64(c) || pad) {
            free(clean);
            return cs_err_set(err, "bad base64: character 0x%02x at byte %zu", c, i);
        }
        clean[k++] = (char)c;
    }
    if (k % 4 == 1) clean[k++] = 'A';   /* Serato's one extra character (serato-tags docs) */
    while (k % 4) clean[k++] = '=';
    clean[k] = '\0';
    size_t cap = k / 4 * 3 + 1;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        free(clean);
        return cs_err_nomem(err);
    }
    int r = k ? av_base64_decode(buf, clean, (int)cap) : 0;
    free(clean);
    if (r < 0) {
        free(buf);
        return cs_err_set(err, "bad base64");
    }
    *out = buf;
    *n_out = (size_t)r;
    return 0;
}

int cs_serato_unwrap(const char *text, size_t len, const char *name, uint8_t **out, size_t *n_out,
                     cs_err *err)
{
    uint8_t *d;
    size_t n;
    int rc = cs_serato_base64(text, len, &d, &n, err);
    if (rc < 0) return rc;
    static const char mime[] = "application/octet-stream";
    size_t ml = sizeof mime, nl = strlen(name) + 1;   /* with their NULs */
    if (n < ml + 1 + nl || memcmp(d, mime, ml) != 0 || d[ml] != 0 || memcmp(d + ml + 1, name, nl) != 0) {
        free(d);
        return cs_err_set(err, "not a '%s' payload (its header is missing)", name);
    }
    size_t h = ml + 1 + nl;
    memmove(d, d + h, n - h);
    *out = d;
    *n_out = n - h;
    return 0;
}

int cs_serato_beatgrid(const uint8_t *p, size_t n, cs_rb_tempo **rows, size_t *n_rows, double *bpm,
                       cs_err *err)
{
    *rows = NULL;
    *n_rows = 0;
    *bpm = 0;
    if (n < 6) return cs_err_set(err, "BeatGrid of %zu bytes: too short", n);
    if (p[0] != 1 || p[1] != 0)
        return cs_err_set(err, "BeatGrid version %u.%u unknown (1.0 expected)", p[0], p[1]);
    uint32_t count = be32(p + 2);
    if (count == 0) return cs_err_set(err, "BeatGrid without markers");
    if (count > (n - 6) / 8) return cs_err_set(err, "BeatGrid says %u markers, its %zu bytes hold "
                                                    "%zu", count, n, (n - 6) / 8);
    /* 7 + 8 x count (the footer byte); a missing footer is tolerated, and
     * one byte more: FLAC's and MP4's base64 text is one character longer
     * than a multiple of 4, and the 'A' that makes it decode adds a byte
     * (Serato's own FLAC and M4A files in serato-tags data/ decode to 16
     * bytes for one marker) */
    if (n < 6 + 8 * (size_t)count || n > 8 + 8 * (size_t)count)
        return cs_err_set(err, "BeatGrid of %zu bytes for %u markers (%zu expected)", n, count,
                          7 + 8 * (size_t)count);
    cs_rb_tempo *r = calloc(count, sizeof *r);
    if (!r) return cs_err_nomem(err);
    long beat = 0;   /* beats from the first marker */
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *m = p + 6 + 8 * (size_t)i;
        double pos = befloat(m);
        if (!isfinite(pos) || fabs(pos) > 1e6) {
            free(r);
            return cs_err_set(err, "BeatGrid marker %u: position not a number of seconds", i);
        }
        r[i].inizio = pos;
        snprintf(r[i].metro, sizeof r[i].metro, "4/4");
        r[i].battito = (int)(beat % 4) + 1;
        if (i + 1 < count) {
            uint32_t beats = be32(m + 4);
            double next = befloat(m + 8);
            if (beats == 0 || beats > 1000000 || !isfinite(next) || !(next > pos)) {
                free(r);
                return cs_err_set(err, "BeatGrid marker %u: %u beats to a marker %s", i, beats,
                                  isfinite(next) && next > pos ? "(not a usable count)" : "not after it");
            }
            r[i].bpm = beats * 60.0 / (next - pos);
            beat += beats;
        } else {
            r[i].bpm = befloat(m + 4);
        }
        if (!(r[i].bpm > 0 && r[i].bpm < 1000)) {
            double b = r[i].bpm;
            free(r);
            return cs_err_set(err, "BeatGrid marker %u: BPM %g outside (0, 1000)", i, b);
        }
    }
    *bpm = r[count - 1].bpm;
    *rows = r;
    *n_rows = count;
    return 0;
}

void cs_serato_free_marks(cs_rb_mark *marks, size_t n)
{
    for (size_t i = 0; i < n && marks; i++) free(marks[i].name);
    free(marks);
}

/* A name of at most max bytes from p, up to its NUL (or the end), into
 * *name (NULL when empty); -1 when out of memory. */
static int take_name(const uint8_t *p, size_t max, char **name)
{
    size_t l = 0;
    while (l < max && p[l]) l++;
    *name = l ? strndup((const char *)p, l) : NULL;
    return l && !*name ? -1 : 0;
}

static int add_mark(cs_rb_mark **marks, size_t *n, const cs_rb_mark *m, cs_err *err)
{
    if ((*n & (*n - 1)) == 0) {   /* the capacity is the next power of two */
        size_t cap = *n ? *n * 2 : 1;
        cs_rb_mark *v = realloc(*marks, cap * sizeof *v);
        if (!v) return cs_err_nomem(err);
        *marks = v;
    }
    (*marks)[(*n)++] = *m;
    return 0;
}

int cs_serato_markers2_decoded(const uint8_t *p, size_t n, cs_rb_mark **marks, size_t *n_marks,
                               int *bpm_lock, cs_err *err)
{
    *marks = NULL;
    *n_marks = 0;
    if (bpm_lock) *bpm_lock = 0;
    if (n < 2 || p[0] != 1 || p[1] != 1) return cs_err_set(err, "Markers2 data does not start with 01 01");
    size_t i = 2;
    while (i < n && p[i]) {
        size_t tl = 0;
        while (i + tl < n && p[i + tl] && tl < 32) tl++;
        if (i + tl >= n || p[i + tl] || i + tl + 5 > n)
            return cs_err_set(err, "Markers2 entry at byte %zu: truncated type", i);
        const char *type = (const char *)p + i;
        uint32_t len = be32(p + i + tl + 1);
        const uint8_t *d = p + i + tl + 5;
        size_t left = n - (i + tl + 5);
        if (len > left)
            return cs_err_set(err, "Markers2 %.*s entry says %u bytes, %zu are left", (int)tl, type, len,
                              left);
        cs_rb_mark m = { .end = -1, .num = -1, .red = -1, .green = -1, .blue = -1 };
        if (tl == 3 && !memcmp(type, "CUE", 3)) {
            if (len < 13) return cs_err_set(err, "Markers2 CUE entry of %u bytes (13 or more expected)", len);
            m.type = 0;
            m.num = d[1];
            m.start = be32(d + 2) / 1000.0;
            m.red = d[7];
            m.green = d[8];
            m.blue = d[9];
            if (take_name(d + 12, len - 12, &m.name) < 0 || add_mark(marks, n_marks, &m, err) < 0) {
                free(m.name);
                return cs_err_nomem(err);
            }
        } else if (tl == 4 && !memcmp(type, "LOOP", 4)) {
            if (len < 10) return cs_err_set(err, "Markers2 LOOP entry of %u bytes (10 or more expected)", len);
            m.type = 4;
            m.num = d[1];
            m.start = be32(d + 2) / 1000.0;
            m.end = be32(d + 6) / 1000.0;
            if (m.end < m.start) m.end = -1;
            if ((len > 20 && take_name(d + 20, len - 20, &m.name) < 0) || add_mark(marks, n_marks, &m, err) < 0) {
                free(m.name);
                return cs_err_nomem(err);
            }
        } else if (tl == 7 && !memcmp(type, "BPMLOCK", 7) && len >= 1) {
            if (bpm_lock) *bpm_lock = d[0];
        }
        i += tl + 5 + len;
    }
    return 0;
}

int cs_serato_markers2(const uint8_t *p, size_t n, cs_rb_mark **marks, size_t *n_marks,
                       int *bpm_lock, cs_err *err)
{
    *marks = NULL;
    *n_marks = 0;
    if (bpm_lock) *bpm_lock = 0;
    if (n < 2 || p[0] != 1 || p[1] != 1)
        return cs_err_set(err, "Markers2 of %zu bytes without its 01 01 header", n);
    uint8_t *d;
    size_t dn;
    cs_err e = {0};
    int rc = cs_serato_base64((const char *)p + 2, n - 2, &d, &dn, &e);
    if (rc < 0) return rc == CS_ERR_NOMEM ? cs_err_nomem(err) : cs_err_set(err, "Markers2: %s", e.msg);
    rc = cs_serato_markers2_decoded(d, dn, marks, n_marks, bpm_lock, err);
    free(d);
    return rc;
}

/* serato32: 4 bytes of 7 bits each (serato-tags docs/serato_markers_.md). */
static uint32_t serato32(const uint8_t *p)
{
    return ((uint32_t)(p[0] & 0x7f) << 21 | (uint32_t)(p[1] & 0x7f) << 14 | (uint32_t)(p[2] & 0x7f) << 7 |
            (p[3] & 0x7f)) & 0xffffff;
}

int cs_serato_markers_(const uint8_t *p, size_t n, cs_rb_mark **marks, size_t *n_marks,
                       unsigned *cue_slots, cs_err *err)
{
    *marks = NULL;
    *n_marks = 0;
    *cue_slots = 0;
    if (n < 6 || p[0] != 2 || p[1] != 5)
        return cs_err_set(err, "Markers_ of %zu bytes without its 02 05 header", n);
    uint32_t count = be32(p + 2);
    if (count > (n - 6) / 19)
        return cs_err_set(err, "Markers_ says %u entries, its %zu bytes hold %zu", count, n, (n - 6) / 19);
    /* ID3: entries of 22 bytes + 4; M4A (base64, maybe one byte more): 19 + 5 */
    bool id3 = n == 6 + 22 * (size_t)count + 4;
    size_t m4a = 6 + 19 * (size_t)count + 5;
    if (!id3 && n != m4a && n != m4a + 1)
        return cs_err_set(err, "Markers_ of %zu bytes for %u entries (%zu expected, or %zu in M4A)", n, count,
                          6 + 22 * (size_t)count + 4, m4a);
    for (uint32_t i = 0; i < count; i++) {
        bool is_cue = i < 5;
        if (is_cue) *cue_slots |= 1u << i;
        cs_rb_mark m = { .num = (int)(is_cue ? i : i - 5), .end = -1 };
        int type;
        uint32_t rgb;
        if (id3) {
            const uint8_t *e = p + 6 + 22 * (size_t)i;
            type = e[20];
            if (e[0] != 0 || (type != 1 && type != 3)) continue;   /* not set */
            rgb = serato32(e + 16);
            m.start = serato32(e + 1) / 1000.0;
            if (type == 3 && e[5] == 0) m.end = serato32(e + 6) / 1000.0;
        } else {
            /* start, end (uint32 BE ms, ffffffff unset), 00, ffffffff, 00, RGB, type, locked */
            const uint8_t *e = p + 6 + 19 * (size_t)i;
            type = e[17];
            if (be32(e) == 0xffffffffu || (type != 1 && type != 3)) continue;
            rgb = (uint32_t)e[14] << 16 | (uint32_t)e[15] << 8 | e[16];
            m.start = be32(e) / 1000.0;
            if (type == 3 && be32(e + 4) != 0xffffffffu) m.end = be32(e + 4) / 1000.0;
        }
        m.type = type == 3 ? 4 : 0;
        m.red = (int)(rgb >> 16);
        m.green = (int)((rgb >> 8) & 0xff);
        m.blue = (int)(rgb & 0xff);
        if (add_mark(marks, n_marks, &m, err) < 0) return CS_ERR_NOMEM;
    }
    return 0;
}

int cs_serato_merge_markers(cs_rb_mark **m2, size_t *n2, const cs_rb_mark *old, size_t n_old,
                            unsigned cue_slots, cs_err *err)
{
    /* drop Markers2's cues in slots Markers_ has */
    size_t k = 0;
    for (size_t i = 0; i < *n2; i++) {
        cs_rb_mark *m = &(*m2)[i];
        bool dropped = m->type == 0 && m->num >= 0 && m->num < 5 && (cue_slots >> m->num & 1);
        bool found = false;
        for (size_t j = 0; dropped && j < n_old; j++)
            if (old[j].type == 0 && old[j].num == m->num) {
                m->start = old[j].start;   /* Markers_'s position, Markers2's name */
                found = true;
            }
        for (size_t j = 0; m->type == 4 && j < n_old; j++)
            if (old[j].type == 4 && old[j].num == m->num) {
                m->start = old[j].start;
                m->end = old[j].end;
            }
        if (dropped && !found) {
            free(m->name);
            continue;
        }
        (*m2)[k++] = *m;
    }
    *n2 = k;
    /* Markers_'s set entries Markers2 does not have */
    for (size_t j = 0; j < n_old; j++) {
        bool have = false;
        for (size_t i = 0; i < *n2; i++)
            have |= (*m2)[i].type == old[j].type && (*m2)[i].num == old[j].num;
        if (have) continue;
        cs_rb_mark m = old[j];
        m.name = NULL;
        if (add_mark(m2, n2, &m, err) < 0) return CS_ERR_NOMEM;
    }
    return 0;
}

void cs_serato_free_paths(char **paths, size_t n)
{
    for (size_t i = 0; i < n && paths; i++) free(paths[i]);
    free(paths);
}

/* UTF-16BE (surrogate pairs joined; an unpaired one becomes U+FFFD) to
 * UTF-8, newly allocated. */
static char *utf16be(const uint8_t *p, size_t n)
{
    char *s = malloc(n / 2 * 3 + 1);
    if (!s) return NULL;
    size_t o = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t c = (uint32_t)p[i] << 8 | p[i + 1];
        if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
            uint32_t lo = (uint32_t)p[i + 2] << 8 | p[i + 3];
            if (lo >= 0xdc00 && lo < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                i += 2;
            } else c = 0xfffd;
        } else if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
        if (c == 0) break;
        if (c < 0x80) s[o++] = (char)c;
        else if (c < 0x800) { s[o++] = (char)(0xc0 | c >> 6); s[o++] = (char)(0x80 | (c & 0x3f)); }
        else if (c < 0x10000) {
            s[o++] = (char)(0xe0 | c >> 12);
            s[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
            s[o++] = (char)(0x80 | (c & 0x3f));
        } else {
            s[o++] = (char)(0xf0 | c >> 18);
            s[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
            s[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
            s[o++] = (char)(0x80 | (c & 0x3f));
        }
    }
    s[o] = '\0';
    return s;
}

int cs_serato_crate(const uint8_t *p, size_t n, char ***paths, size_t *n_paths, cs_err *err)
{
    *paths = NULL;
    *n_paths = 0;
    size_t i = 0;
    while (i < n) {
        if (n - i < 8) return cs_err_set(err, "record at byte %zu: truncated header", i);
        uint32_t len = be32(p + i + 4);
        if (len > n - i - 8)
            return cs_err_set(err, "record '%.4s' at byte %zu says %u bytes, %zu are left", (const char *)p + i,
                              i, len, n - i - 8);
        if (!memcmp(p + i, "otrk", 4)) {
            const uint8_t *r = p + i + 8;
            size_t j = 0;
            while (j + 8 <= len) {
                uint32_t l2 = be32(r + j + 4);
                if (l2 > len - j - 8)
                    return cs_err_set(err, "track record at byte %zu: its '%.4s' says %u bytes, %zu are left",
                                      i, (const char *)r + j, l2, (size_t)len - j - 8);
                if (!memcmp(r + j, "ptrk", 4)) {
                    char *s = utf16be(r + j + 8, l2);
                    if (!s) return cs_err_nomem(err);
                    if ((*n_paths & (*n_paths - 1)) == 0) {   /* as add_mark */
                        size_t cap = *n_paths ? *n_paths * 2 : 1;
                        char **v = realloc(*paths, cap * sizeof *v);
                        if (!v) { free(s); return cs_err_nomem(err); }
                        *paths = v;
                    }
                    (*paths)[(*n_paths)++] = s;
                    break;
                }
                j += 8 + l2;
            }
        }
        i += 8 + (size_t)len;
    }
    return 0;
}
