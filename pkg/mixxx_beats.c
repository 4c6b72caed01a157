/* Mixxx beats blobs (mixxx_beats.h).
 *
 * A small protobuf wire reader of our own: protobuf-c (Debian
 * libprotobuf-c-dev) decodes only through code generated from the .proto
 * by protoc-c at build time, a build step and a generated file for two
 * messages of one or two fields each.  The reader below knows the wire
 * format (https://protobuf.dev/programming-guides/encoding/: varint keys
 * field << 3 | wire type; 0 varint, 1 fixed64, 2 length-delimited, 5
 * fixed32), skips fields it does not know, and fails on anything that runs
 * past its buffer.
 */
#include "pkg/mixxx_beats.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct pb {
    const uint8_t *p, *end;
} pb;

static bool pb_varint(pb *b, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (b->p >= b->end) return false;
        uint8_t c = *b->p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;   /* more than 10 bytes */
}

static bool pb_fixed64(pb *b, double *d)
{
    if (b->end - b->p < 8) return false;
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b->p[i];   /* little-endian on the wire */
    memcpy(d, &u, sizeof *d);
    b->p += 8;
    return true;
}

/* The next field's number and wire type; false at the end or when broken. */
static bool pb_key(pb *b, uint32_t *field, int *wt)
{
    uint64_t k;
    if (b->p >= b->end || !pb_varint(b, &k) || k >> 3 == 0 || k >> 3 > UINT32_MAX) return false;
    *field = (uint32_t)(k >> 3);
    *wt = (int)(k & 7);
    return true;
}

/* A length-delimited field's body as a sub-reader. */
static bool pb_sub(pb *b, pb *sub)
{
    uint64_t n;
    if (!pb_varint(b, &n) || n > (uint64_t)(b->end - b->p)) return false;
    sub->p = b->p;
    sub->end = b->p + n;
    b->p += n;
    return true;
}

static bool pb_skip(pb *b, int wt)
{
    uint64_t v;
    pb sub;
    switch (wt) {
    case 0: return pb_varint(b, &v);
    case 1: if (b->end - b->p < 8) return false; b->p += 8; return true;
    case 2: return pb_sub(b, &sub);
    case 5: if (b->end - b->p < 4) return false; b->p += 4; return true;
    default: return false;   /* groups (3, 4) are not in these messages */
    }
}

/* A Beat: frame_position (varint int32, or a double) and enabled. */
static bool read_beat(pb *b, double *frame, bool *enabled)
{
    *frame = NAN;
    *enabled = true;
    uint32_t f;
    int wt;
    while (b->p < b->end) {
        if (!pb_key(b, &f, &wt)) return false;
        uint64_t v;
        if (f == 1 && wt == 0) {
            if (!pb_varint(b, &v)) return false;
            *frame = (double)(int32_t)(uint32_t)v;   /* int32: two's complement in 64 bits */
        } else if (f == 1 && wt == 1) {
            if (!pb_fixed64(b, frame)) return false;
        } else if (f == 2 && wt == 0) {
            if (!pb_varint(b, &v)) return false;
            *enabled = v != 0;
        } else if (!pb_skip(b, wt)) {
            return false;
        }
    }
    return true;
}

typedef struct rows {
    cs_rb_tempo *v;
    size_t n, cap;
} rows;

static int push(rows *r, double at, double bpm, long beat_no)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        cs_rb_tempo *v = realloc(r->v, cap * sizeof *v);
        if (!v) return -1;
        r->v = v;
        r->cap = cap;
    }
    cs_rb_tempo *t = &r->v[r->n++];
    memset(t, 0, sizeof *t);
    t->inizio = at;
    t->bpm = bpm;
    t->battito = (int)(beat_no % 4) + 1;
    memcpy(t->metro, "4/4", 4);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Beats (seconds, sorted) as rows: a row runs on while its tempo puts each
 * beat within 1 ms of where it is. */
static int beats_to_rows(const double *t, size_t n, rows *r, cs_err *err)
{
    if (n < 2) return cs_err_setc(err, CS_ERR_FORMAT, "BeatMap with %zu beat%s: no tempo", n, n == 1 ? "" : "s");
    size_t start = 0;
    while (start + 1 < n) {
        double period = t[start + 1] - t[start];
        if (!(period > 0.06 && period < 10)) {   /* 1000 BPM .. 6 BPM */
            start++;
            continue;
        }
        size_t k = start + 1;
        while (k + 1 < n && fabs(t[start] + (double)(k + 1 - start) * period - t[k + 1]) <= 0.001) k++;
        /* the stretch's tempo from its first and last beat */
        if (k > start + 1) period = (t[k] - t[start]) / (double)(k - start);
        if (push(r, t[start], 60.0 / period, (long)start) < 0) return cs_err_nomem(err);
        start = k;
    }
    if (!r->n) return cs_err_setc(err, CS_ERR_FORMAT, "BeatMap without a usable beat interval");
    return 0;
}

static int beatmap(pb *b, double rate, rows *r, cs_err *err)
{
    double *t = NULL;
    size_t n = 0, cap = 0;
    uint32_t f;
    int wt;
    int rc = 0;
    while (rc == 0 && b->p < b->end) {
        pb sub;
        if (!pb_key(b, &f, &wt)) { rc = cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatMap blob"); break; }
        if (f != 1 || wt != 2) {
            if (!pb_skip(b, wt)) rc = cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatMap blob");
            continue;
        }
        double frame;
        bool enabled;
        if (!pb_sub(b, &sub) || !read_beat(&sub, &frame, &enabled)) {
            rc = cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatMap blob");
            break;
        }
        if (!enabled || !isfinite(frame) || frame < -1e12 || frame > 1e12) continue;
        if (n == cap) {
            /* each beat takes at least 2 bytes, so the blob bounds the count */
            size_t nc = cap ? cap * 2 : 256;
            double *nt = realloc(t, nc * sizeof *nt);
            if (!nt) { rc = cs_err_nomem(err); break; }
            t = nt;
            cap = nc;
        }
        t[n++] = frame / rate;
    }
    if (rc == 0) {
        if (n > 1) qsort(t, n, sizeof *t, cmp_double);
        rc = beats_to_rows(t, n, r, err);
    }
    free(t);
    return rc;
}

static int beatgrid2(pb *b, double rate, rows *r, cs_err *err)
{
    double bpm = NAN, frame = NAN;
    uint32_t f;
    int wt;
    while (b->p < b->end) {
        pb sub;
        if (!pb_key(b, &f, &wt)) return cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatGrid blob");
        if (f == 1 && wt == 2) {          /* Bpm { double bpm = 1 } */
            if (!pb_sub(b, &sub)) return cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatGrid blob");
            while (sub.p < sub.end) {
                uint32_t g;
                int gwt;
                if (!pb_key(&sub, &g, &gwt)) return cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatGrid blob");
                if (g == 1 && gwt == 1) {
                    if (!pb_fixed64(&sub, &bpm)) return cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatGrid blob");
                } else if (!pb_skip(&sub, gwt)) {
                    return cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatGrid blob");
                }
            }
        } else if (f == 2 && wt == 2) {   /* Beat first_beat */
            bool enabled;
            if (!pb_sub(b, &sub) || !read_beat(&sub, &frame, &enabled))
                return cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatGrid blob");
        } else if (!pb_skip(b, wt)) {
            return cs_err_setc(err, CS_ERR_FORMAT, "corrupt BeatGrid blob");
        }
    }
    if (!(bpm > 0 && bpm < 1000)) return cs_err_setc(err, CS_ERR_FORMAT, "BeatGrid without a usable BPM");
    if (isnan(frame)) frame = 0;   /* proto2 default */
    if (!isfinite(frame) || fabs(frame) > 1e12) return cs_err_setc(err, CS_ERR_FORMAT, "BeatGrid first beat out of range");
    return push(r, frame / rate, bpm, 0) < 0 ? cs_err_nomem(err) : 0;
}

int cs_mixxx_beats(const char *version, const void *blob, size_t len, double sample_rate,
                   cs_rb_tempo **out, size_t *n_out, cs_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (!(sample_rate > 0 && sample_rate < 1e7)) return cs_err_setc(err, CS_ERR_FORMAT, "no sample rate for the grid");
    if (!version) version = "";
    if (!blob || !len) return cs_err_setc(err, CS_ERR_FORMAT, "empty beats blob");
    pb b = { blob, (const uint8_t *)blob + len };
    rows r = {0};
    int rc;
    if (!strcmp(version, "BeatGrid-2.0")) {
        rc = beatgrid2(&b, sample_rate, &r, err);
    } else if (!strcmp(version, "BeatMap-1.0")) {
        rc = beatmap(&b, sample_rate, &r, err);
    } else if (!strcmp(version, "BeatGrid-1.0")) {
        /* struct BeatGridData { double bpm; double firstBeat; } written from
         * memory by Mixxx 1.x on little-endian machines; first beat in
         * engine samples (interleaved stereo). */
        double v[2];
        if (len != 16) return cs_err_setc(err, CS_ERR_FORMAT, "BeatGrid-1.0 blob of %zu bytes, not 16", len);
        for (int i = 0; i < 2; i++) {
            pb x = { (const uint8_t *)blob + 8 * i, (const uint8_t *)blob + 8 * i + 8 };
            pb_fixed64(&x, &v[i]);
        }
        if (!(v[0] > 0 && v[0] < 1000) || !isfinite(v[1]) || fabs(v[1]) > 1e12)
            return cs_err_setc(err, CS_ERR_FORMAT, "BeatGrid-1.0 with an unusable BPM or first beat");
        rc = push(&r, v[1] / 2 / sample_rate, v[0], 0) < 0 ? cs_err_nomem(err) : 0;
    } else {
        return cs_err_setc(err, CS_ERR_FORMAT, "unknown beats version '%.40s'", version);
    }
    if (rc < 0) {
        free(r.v);
        return rc;
    }
    *out = r.v;
    *n_out = r.n;
    return 0;
}
