/* Engine DJ performance blobs (engine_blobs.h), inflated with zlib. */
#include "pkg/engine_blobs.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pkg/key.h"

int cs_engine_inflate(const void *blob, size_t len, uint8_t **out, size_t *n_out, cs_err *err)
{
    *out = NULL;
    *n_out = 0;
    const uint8_t *b = blob;
    if (!b || len < 4) return cs_err_setc(err, CS_ERR_FORMAT, "blob of %zu bytes: no size header", len);
    uint32_t want = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    if (want == 0 || want > CS_ENGINE_BLOB_MAX)
        return cs_err_setc(err, CS_ERR_FORMAT, "blob declares %u bytes uncompressed (0 or above %u)", want,
                          CS_ENGINE_BLOB_MAX);
    if (len - 4 > UINT32_MAX) return cs_err_setc(err, CS_ERR_RANGE, "blob too large");
    uint8_t *o = malloc(want);
    if (!o) return cs_err_nomem(err);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) {
        free(o);
        return cs_err_nomem(err);
    }
    z.next_in = (Bytef *)(b + 4);
    z.avail_in = (uInt)(len - 4);
    z.next_out = o;
    z.avail_out = want;
    /* The output buffer is the declared size: a stream that would inflate
     * past it stops here (Z_OK or Z_BUF_ERROR with no room), whatever its
     * ratio. */
    int rc = inflate(&z, Z_FINISH);
    size_t got = want - z.avail_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || got != want) {
        free(o);
        if (rc == Z_MEM_ERROR) return cs_err_nomem(err);
        if (rc == Z_STREAM_END) return cs_err_setc(err, CS_ERR_FORMAT, "blob inflates to %zu bytes, not the %u it declares",
                                                  got, want);
        return cs_err_setc(err, CS_ERR_FORMAT, "corrupt zlib stream in blob (%s)",
                          rc == Z_DATA_ERROR ? "bad data" : got == want ? "more data than declared"
                          : "truncated");
    }
    *out = o;
    *n_out = want;
    return 0;
}

/* ---- reading numbers --------------------------------------------------------- */

typedef struct rd {
    const uint8_t *p;
    size_t left;
    bool bad;
} rd;

static uint64_t u64(rd *r, bool big)
{
    if (r->left < 8) {
        r->bad = true;
        r->left = 0;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = big ? v << 8 | r->p[i] : v | (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    r->left -= 8;
    return v;
}

static double f64(rd *r, bool big)
{
    uint64_t u = u64(r, big);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint32_t u32(rd *r, bool big)
{
    if (r->left < 4) {
        r->bad = true;
        r->left = 0;
        return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = big ? v << 8 | r->p[i] : v | (uint32_t)r->p[i] << (8 * i);
    r->p += 4;
    r->left -= 4;
    return v;
}

static uint8_t u8(rd *r)
{
    if (r->left < 1) {
        r->bad = true;
        return 0;
    }
    r->left--;
    return *r->p++;
}

/* ---- beatData ------------------------------------------------------------------ */

typedef struct marker {
    double offset;      /* samples */
    int64_t beat;
} marker;

/* A grid: int64 BE count, then 24-byte little-endian markers.  The count
 * is checked against the bytes left before anything is allocated. */
static int read_grid(rd *r, marker **out, size_t *n, cs_err *err)
{
    uint64_t count = u64(r, true);
    if (r->bad) return cs_err_setc(err, CS_ERR_FORMAT, "beatData truncated at a grid");
    if (count > r->left / 24)
        return cs_err_setc(err, CS_ERR_FORMAT, "beatData grid of %llu markers in %zu bytes", (unsigned long long)count,
                          r->left);
    *out = count ? malloc((size_t)count * sizeof **out) : NULL;
    if (count && !*out) return cs_err_nomem(err);
    for (size_t i = 0; i < count; i++) {
        (*out)[i].offset = f64(r, false);
        (*out)[i].beat = (int64_t)u64(r, false);
        u32(r, false);   /* beats to the next marker: implied by the beat numbers */
        u32(r, false);
    }
    *n = (size_t)count;
    return 0;
}

int cs_engine_beatdata(const void *blob, size_t len, cs_rb_tempo **rows, size_t *n_rows,
                       double *sample_rate, cs_err *err)
{
    *rows = NULL;
    *n_rows = 0;
    uint8_t *data;
    size_t n;
    int rc = cs_engine_inflate(blob, len, &data, &n, err);
    if (rc < 0) return rc;
    rd r = { data, n, false };
    double rate = f64(&r, true);
    f64(&r, true);   /* samples */
    u8(&r);          /* is set */
    marker *def = NULL, *adj = NULL;
    size_t n_def = 0, n_adj = 0;
    if (r.bad) rc = cs_err_setc(err, CS_ERR_FORMAT, "beatData of %zu bytes: truncated header", n);
    else if (!(rate > 0 && rate < 1e6)) rc = cs_err_setc(err, CS_ERR_FORMAT, "beatData sample rate %g", rate);
    if (rc == 0) rc = read_grid(&r, &def, &n_def, err);
    if (rc == 0) rc = read_grid(&r, &adj, &n_adj, err);
    free(data);
    marker *m = n_adj >= 2 ? adj : def;
    size_t nm = n_adj >= 2 ? n_adj : n_def;
    if (rc == 0 && nm < 2) rc = cs_err_setc(err, CS_ERR_FORMAT, "beatData without a grid (%zu markers)", nm);
    cs_rb_tempo *out = NULL;
    size_t n_out = 0;
    if (rc == 0 && !(out = calloc(nm, sizeof *out))) rc = cs_err_nomem(err);
    for (size_t i = 0; rc == 0 && i + 1 < nm; i++) {
        double span = m[i + 1].offset - m[i].offset;
        double beats = (double)(m[i + 1].beat - m[i].beat);
        if (!(span > 0 && beats > 0 && isfinite(m[i].offset) && fabs(m[i].offset) < 1e12)) continue;
        double spb = span / beats;   /* samples per beat */
        double bpm = 60.0 * rate / spb;
        if (!(bpm > 1 && bpm < 1000)) continue;
        /* the first beat of the stretch at or after 0 s */
        double k = m[i].offset < 0 ? ceil(-m[i].offset / spb - 1e-9) : 0;
        if (k >= beats) continue;
        int64_t beat = m[i].beat + (int64_t)k;
        cs_rb_tempo *t = &out[n_out++];
        t->inizio = (m[i].offset + k * spb) / rate;
        t->bpm = bpm;
        t->battito = (int)(((beat % 4) + 4) % 4) + 1;
        memcpy(t->metro, "4/4", 4);
    }
    free(def);
    free(adj);
    if (rc == 0 && !n_out) rc = cs_err_setc(err, CS_ERR_FORMAT, "beatData grid without a usable tempo");
    if (rc < 0) {
        free(out);
        return rc;
    }
    *rows = out;
    *n_rows = n_out;
    *sample_rate = rate;
    return 0;
}

/* ---- quickCues ------------------------------------------------------------------ */

int cs_engine_quickcues(const void *blob, size_t len, double sample_rate, cs_rb_mark **marks,
                        size_t *n_marks, cs_err *err)
{
    *marks = NULL;
    *n_marks = 0;
    if (!(sample_rate > 0)) return cs_err_setc(err, CS_ERR_FORMAT, "quickCues without a sample rate");
    uint8_t *data;
    size_t n;
    int rc = cs_engine_inflate(blob, len, &data, &n, err);
    if (rc < 0) return rc;
    rd r = { data, n, false };
    uint64_t count = u64(&r, true);
    /* each cue takes at least 13 bytes (length, offset, colour) */
    if (r.bad || count > r.left / 13) {
        free(data);
        return cs_err_setc(err, CS_ERR_FORMAT, "quickCues count %llu larger than its %zu bytes",
                          (unsigned long long)count, n);
    }
    cs_rb_mark *out = count ? calloc((size_t)count, sizeof *out) : NULL;
    if (count && !out) {
        free(data);
        return cs_err_nomem(err);
    }
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        uint8_t ll = u8(&r);
        if (r.left < ll) { rc = cs_err_setc(err, CS_ERR_FORMAT, "quickCues truncated in cue %zu", i); break; }
        const char *label = (const char *)r.p;
        r.p += ll;
        r.left -= ll;
        double off = f64(&r, true);
        u32(&r, true);   /* ARGB */
        if (r.bad) { rc = cs_err_setc(err, CS_ERR_FORMAT, "quickCues truncated in cue %zu", i); break; }
        if (!(off >= 0 && off < 1e12)) continue;   /* -1: unset */
        cs_rb_mark *m = &out[k];
        *m = (cs_rb_mark){ .type = 0, .start = off / sample_rate, .end = -1, .num = (int)i,
                           .red = -1, .green = -1, .blue = -1 };
        if (ll && !(m->name = strndup(label, ll))) { rc = cs_err_nomem(err); break; }
        k++;
    }
    free(data);
    if (rc < 0) {
        for (size_t i = 0; i < k; i++) free(out[i].name);
        free(out);
        return rc;
    }
    *marks = out;
    *n_marks = k;
    return 0;
}

const char *cs_engine_key_name(int k)
{
    if (k < 0 || k > 23) return NULL;
    int number = (8 + k / 2 - 1) % 12 + 1;
    return cs_key_name((number - 1) * 2 + (k % 2 == 0));
}
