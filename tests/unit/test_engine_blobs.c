/* Engine DJ blobs (pkg/engine_blobs.c) and path resolution
 * (db/lib_engine.c): key numbering, grids from beat -4, a zlib bomb, counts
 * larger than the data, truncations at every byte, lexical paths. */
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "db/lib_engine.h"
#include "pkg/engine_blobs.h"

static size_t put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
    return 8;
}

static size_t put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
    return 8;
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* uint32 BE size + zlib(payload) into out; its length. */
static size_t wrap(const uint8_t *payload, size_t n, uint8_t *out, size_t cap)
{
    uLongf zl = cap - 4;
    if (compress(out + 4, &zl, payload, n) != Z_OK) return 0;
    out[0] = (uint8_t)(n >> 24), out[1] = (uint8_t)(n >> 16), out[2] = (uint8_t)(n >> 8), out[3] = (uint8_t)n;
    return zl + 4;
}

/* beatData: 120 BPM at 44.1 kHz, first beat 0.5 s, markers at beats -4 and 100. */
static size_t beatdata(uint8_t *out, size_t cap)
{
    uint8_t p[256];
    size_t n = 0;
    double rate = 44100, spb = 22050, first = 22050;
    n += put_be64(p + n, dbits(rate));
    n += put_be64(p + n, dbits(60 * rate));
    p[n++] = 1;
    for (int g = 0; g < 2; g++) {
        n += put_be64(p + n, 2);
        double off[2] = { first - 4 * spb, first + 100 * spb };
        long long beat[2] = { -4, 100 };
        for (int k = 0; k < 2; k++) {
            n += put_le64(p + n, dbits(off[k] + (g == 0 ? 441 : 0)));   /* default grid 10 ms off */
            n += put_le64(p + n, (uint64_t)beat[k]);
            memset(p + n, 0, 8);
            n += 8;
        }
    }
    memset(p + n, 0, 9);
    n += 9;
    return wrap(p, n, out, cap);
}

TEST(key_numbering)
{
    CHECK_STR(cs_engine_key_name(0), "C");
    CHECK_STR(cs_engine_key_name(1), "Am");
    CHECK_STR(cs_engine_key_name(2), "G");
    CHECK_STR(cs_engine_key_name(19), "Cm");
    CHECK_STR(cs_engine_key_name(21), "Gm");
    CHECK_STR(cs_engine_key_name(23), "Dm");
    CHECK(cs_engine_key_name(24) == NULL && cs_engine_key_name(-1) == NULL);
}

TEST(beatdata_adjusted_grid_from_beat_minus_4)
{
    uint8_t b[512];
    size_t n = beatdata(b, sizeof b);
    cs_rb_tempo *r;
    size_t nr;
    double rate;
    cs_err e = {0};
    CHECK_EQ_INT(cs_engine_beatdata(b, n, &r, &nr, &rate, &e), 0);
    CHECK_EQ_INT((int)nr, 1);
    if (nr == 1) {
        /* beat -4 sits at -1.5 s: the row starts at beat -1 (0.0 s), a bar's 4th beat */
        CHECK_NEAR(r[0].inizio, 0.0, 1e-9);
        CHECK_NEAR(r[0].bpm, 120.0, 1e-9);
        CHECK_EQ_INT(r[0].battito, 4);
    }
    CHECK_NEAR(rate, 44100, 0);
    free(r);
    for (size_t cut = 0; cut < n; cut++) {   /* every truncation: an error, never a crash */
        CHECK_EQ_INT(cs_engine_beatdata(b, cut, &r, &nr, &rate, &e), CS_ERR_FORMAT);
        CHECK(r == NULL);
    }
}

TEST(zlib_bomb_and_lying_sizes)
{
    size_t big = 32u << 20;
    uint8_t *zeros = calloc(1, big);
    uLongf zl = compressBound(big);
    uint8_t *b = malloc(zl + 4);
    CHECK(zeros && b && compress2(b + 4, &zl, zeros, big, 9) == Z_OK);
    b[0] = 0, b[1] = 0, b[2] = 0x03, b[3] = 0xe8;   /* declares 1000 bytes */
    uint8_t *out;
    size_t n;
    cs_err e = {0};
    CHECK_EQ_INT(cs_engine_inflate(b, zl + 4, &out, &n, &e), CS_ERR_FORMAT);
    CHECK(strstr(e.msg, "more data than declared") != NULL);
    b[0] = 0xff;   /* declares 4 GB */
    CHECK_EQ_INT(cs_engine_inflate(b, zl + 4, &out, &n, &e), CS_ERR_FORMAT);
    CHECK(strstr(e.msg, "declares") != NULL);
    b[0] = 0, b[1] = 0x10, b[2] = 0, b[3] = 0;   /* declares 1 MB, holds 32 MB */
    CHECK_EQ_INT(cs_engine_inflate(b, zl + 4, &out, &n, &e), CS_ERR_FORMAT);
    free(zeros);
    free(b);
}

TEST(quickcues_counts_and_labels)
{
    uint8_t p[128], b[256];
    size_t n = 0;
    n += put_be64(p + n, 2);
    p[n++] = 4;
    memcpy(p + n, "Drop", 4);
    n += 4;
    n += put_be64(p + n, dbits(44100 * 2.5));
    memset(p + n, 0xff, 4);
    n += 4;
    p[n++] = 0;
    n += put_be64(p + n, dbits(-1));
    memset(p + n, 0, 4);
    n += 4;
    size_t bn = wrap(p, n, b, sizeof b);
    cs_rb_mark *m;
    size_t nm;
    cs_err e = {0};
    CHECK_EQ_INT(cs_engine_quickcues(b, bn, 44100, &m, &nm, &e), 0);
    CHECK_EQ_INT((int)nm, 1);
    if (nm == 1) {
        CHECK_NEAR(m[0].start, 2.5, 1e-12);
        CHECK_STR(m[0].name, "Drop");
        CHECK_EQ_INT(m[0].num, 0);
        free(m[0].name);
    }
    free(m);
    put_be64(p, 1ull << 40);   /* a count larger than the data */
    bn = wrap(p, n, b, sizeof b);
    CHECK_EQ_INT(cs_engine_quickcues(b, bn, 44100, &m, &nm, &e), CS_ERR_FORMAT);
    CHECK(strstr(e.msg, "larger than") != NULL);
    put_be64(p, 2);
    p[8] = 200;   /* a label longer than the data */
    bn = wrap(p, n, b, sizeof b);
    CHECK_EQ_INT(cs_engine_quickcues(b, bn, 44100, &m, &nm, &e), CS_ERR_FORMAT);
}

TEST(paths_resolve_lexically)
{
    char out[256];
    CHECK_EQ_INT(cs_engine_resolve("/media/usb/Engine Library", "../Music/x.mp3", out, sizeof out), 0);
    CHECK_STR(out, "/media/usb/Music/x.mp3");
    CHECK_EQ_INT(cs_engine_resolve("/Users/dj/Music/Engine Library", "../../../../Volumes/Ext/./a.flac",
                                   out, sizeof out), 0);
    CHECK_STR(out, "/Volumes/Ext/a.flac");
    CHECK_EQ_INT(cs_engine_resolve("/a/Engine Library", "../../../../etc/passwd", out, sizeof out), -1);
    CHECK_EQ_INT(cs_engine_resolve("/a", "", out, sizeof out), -1);
    CHECK_EQ_INT(cs_engine_resolve("/a", "/abs/x.wav", out, sizeof out), 0);
    CHECK_STR(out, "/abs/x.wav");
    CHECK_EQ_INT(cs_engine_resolve("/a", "x.wav", out, 4), -1);
}
