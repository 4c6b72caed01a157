/* Serato payloads (pkg/serato.c): BeatGrid, Markers2 and crates built here
 * byte by byte from the serato-tags documentation, and hostile ones
 * (wrong sizes, counts larger than the data, bad base64, truncated
 * crates). */
#include "tests/unit/unit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/base64.h>

#include "pkg/serato.h"

typedef struct buf { uint8_t b[8192]; size_t n; } buf;

static void put(buf *o, const void *p, size_t n) { memcpy(o->b + o->n, p, n); o->n += n; }
static void put8(buf *o, unsigned v) { o->b[o->n++] = (uint8_t)v; }
static void put32(buf *o, uint32_t v) { for (int i = 3; i >= 0; i--) put8(o, (v >> (8 * i)) & 0xff); }
static void putf(buf *o, float f) { uint32_t u; memcpy(&u, &f, 4); put32(o, u); }

/* A grid: n markers at pos[], beats[] to the next, terminal BPM. */
static void grid(buf *o, int n, const float *pos, const uint32_t *beats, float bpm)
{
    o->n = 0;
    put8(o, 1);
    put8(o, 0);
    put32(o, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        putf(o, pos[i]);
        if (i + 1 < n) put32(o, beats[i]);
        else putf(o, bpm);
    }
    put8(o, 0x39);   /* footer */
}

static void entry(buf *o, const char *type, const buf *data)
{
    put(o, type, strlen(type) + 1);
    put32(o, (uint32_t)data->n);
    put(o, data->b, data->n);
}

static void cue(buf *o, int idx, uint32_t ms, unsigned rgb, const char *name)
{
    buf d = {0};
    put8(&d, 0);
    put8(&d, (unsigned)idx);
    put32(&d, ms);
    put8(&d, 0);
    put8(&d, rgb >> 16);
    put8(&d, (rgb >> 8) & 0xff);
    put8(&d, rgb & 0xff);
    put8(&d, 0);
    put8(&d, 0);
    put(&d, name, strlen(name) + 1);
    entry(o, "CUE", &d);
}

/* Markers2 as the tag holds it: 01 01 + base64 (LF every 72) + NUL padding. */
static void wrap_markers2(buf *out, const buf *dec)
{
    char b64[8192];
    av_base64_encode(b64, sizeof b64, dec->b, (int)dec->n);
    size_t l = strlen(b64);
    while (l && b64[l - 1] == '=') b64[--l] = 0;   /* Serato writes no padding */
    out->n = 0;
    put8(out, 1);
    put8(out, 1);
    for (size_t i = 0; i < l; i++) {
        if (i && i % 72 == 0) put8(out, '\n');
        put8(out, (unsigned char)b64[i]);
    }
    while (out->n < 470) put8(out, 0);
}

static void markers2_sample(buf *dec)
{
    dec->n = 0;
    put8(dec, 1);
    put8(dec, 1);
    buf c = {0};
    put8(&c, 0);
    put8(&c, 0xff);
    put8(&c, 0x99);
    put8(&c, 0xff);
    entry(dec, "COLOR", &c);
    cue(dec, 0, 1500, 0xcc0000, "Drop");
    cue(dec, 3, 61234, 0x00cc00, "");
    buf lp = {0};
    put8(&lp, 0);
    put8(&lp, 1);
    put32(&lp, 2000);
    put32(&lp, 4086);
    put32(&lp, 0xffffffff);
    put8(&lp, 0);
    put8(&lp, 0);
    put8(&lp, 0x27);
    put8(&lp, 0xaa);
    put8(&lp, 0xe1);
    put8(&lp, 0);
    put(&lp, "Loop A", 7);
    entry(dec, "LOOP", &lp);
    buf bl = {0};
    put8(&bl, 1);
    entry(dec, "BPMLOCK", &bl);
    put8(dec, 0);
}

TEST(beatgrid_constant)
{
    buf g;
    float pos[] = { 0.123f };
    grid(&g, 1, pos, NULL, 127.3f);
    cs_rb_tempo *r;
    size_t n;
    double bpm;
    cs_err e = {0};
    CHECK_EQ_INT(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_NEAR(r[0].inizio, 0.123, 1e-6);
    CHECK_NEAR(bpm, 127.3, 1e-4);   /* float32: 127.30000305 */
    CHECK_EQ_INT(r[0].battito, 1);
    CHECK_STR(r[0].metro, "4/4");
    free(r);
}

TEST(beatgrid_variable)
{
    buf g;
    float pos[] = { 0.5f, 8.5f, 20.5f };
    uint32_t beats[] = { 16, 25 };
    grid(&g, 3, pos, beats, 126.5f);
    cs_rb_tempo *r;
    size_t n;
    double bpm;
    cs_err e = {0};
    CHECK_EQ_INT(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_NEAR(r[0].bpm, 120.0, 1e-9);      /* 16 beats in 8 s */
    CHECK_NEAR(r[1].bpm, 125.0, 1e-9);      /* 25 beats in 12 s */
    CHECK_NEAR(r[2].bpm, 126.5, 1e-9);
    CHECK_EQ_INT(r[1].battito, 1);          /* 16 beats: a downbeat again */
    CHECK_EQ_INT(r[2].battito, 2);          /* 41 beats: beat 2 */
    CHECK_NEAR(bpm, 126.5, 1e-9);
    free(r);
}

TEST(beatgrid_hostile)
{
    buf g;
    float pos[] = { 1.0f, 2.0f };
    uint32_t beats[] = { 2 };
    cs_rb_tempo *r;
    size_t n;
    double bpm;
    cs_err e = {0};
    grid(&g, 2, pos, beats, 120.0f);
    /* a count larger than the data */
    g.b[5] = 200;
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    CHECK(strstr(e.msg, "200 markers") != NULL);
    CHECK(r == NULL);
    /* the wrong size (extra bytes) */
    grid(&g, 2, pos, beats, 120.0f);
    put8(&g, 0);
    put8(&g, 0);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    CHECK(strstr(e.msg, "bytes for 2 markers") != NULL);
    /* one byte more is what FLAC's and M4A's base64 gives (serato-tags
     * data/flac, data/mp4: 16 bytes for one marker); two are too many */
    float one[] = { 0.25f };
    grid(&g, 1, one, NULL, 115.0f);
    put8(&g, 0x50);
    CHECK_EQ_INT(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e), 0);
    free(r);
    put8(&g, 0);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    /* too short, unknown version, no marker */
    CHECK(cs_serato_beatgrid(g.b, 3, &r, &n, &bpm, &e) < 0);
    grid(&g, 2, pos, beats, 120.0f);
    g.b[0] = 2;
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    CHECK(strstr(e.msg, "version") != NULL);
    grid(&g, 0, pos, beats, 120.0f);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    /* markers out of order, zero beats, a BPM of 0 or NaN */
    float back[] = { 2.0f, 1.0f };
    grid(&g, 2, back, beats, 120.0f);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    uint32_t zero[] = { 0 };
    grid(&g, 2, pos, zero, 120.0f);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    grid(&g, 1, pos, NULL, 0.0f);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    grid(&g, 1, pos, NULL, NAN);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
    float nanpos[] = { NAN };
    grid(&g, 1, nanpos, NULL, 120.0f);
    CHECK(cs_serato_beatgrid(g.b, g.n, &r, &n, &bpm, &e) < 0);
}

TEST(markers2_cues_and_loop)
{
    buf dec, tag;
    markers2_sample(&dec);
    wrap_markers2(&tag, &dec);
    cs_rb_mark *m;
    size_t n;
    int lock;
    cs_err e = {0};
    CHECK_EQ_INT(cs_serato_markers2(tag.b, tag.n, &m, &n, &lock, &e), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(lock, 1);
    CHECK_EQ_INT(m[0].type, 0);
    CHECK_EQ_INT(m[0].num, 0);
    CHECK_NEAR(m[0].start, 1.5, 1e-9);
    CHECK_STR(m[0].name, "Drop");
    CHECK_EQ_INT(m[0].red, 0xcc);
    CHECK_EQ_INT(m[0].green, 0);
    CHECK_EQ_INT(m[1].num, 3);
    CHECK_NEAR(m[1].start, 61.234, 1e-9);
    CHECK(m[1].name == NULL);
    CHECK_EQ_INT(m[2].type, 4);
    CHECK_EQ_INT(m[2].num, 1);
    CHECK_NEAR(m[2].start, 2.0, 1e-9);
    CHECK_NEAR(m[2].end, 4.086, 1e-9);
    CHECK_STR(m[2].name, "Loop A");
    cs_serato_free_marks(m, n);
}

/* Serato's base64 may be one character longer than a multiple of 4. */
TEST(markers2_one_extra_character)
{
    buf dec, tag;
    markers2_sample(&dec);
    wrap_markers2(&tag, &dec);
    size_t l = 2;
    while (tag.b[l]) l++;
    /* make the text 4k+1 characters long (LFs do not count) */
    size_t chars = 0;
    for (size_t i = 2; i < l; i++) chars += tag.b[i] != '\n';
    while (chars % 4 != 1) { tag.b[l++] = 'A'; chars++; }
    cs_rb_mark *m;
    size_t n;
    cs_err e = {0};
    CHECK_EQ_INT(cs_serato_markers2(tag.b, tag.n, &m, &n, NULL, &e), 0);
    CHECK_EQ_INT(n, 3);
    cs_serato_free_marks(m, n);
}

TEST(markers2_hostile)
{
    buf dec, tag;
    cs_rb_mark *m;
    size_t n;
    cs_err e = {0};
    /* bad base64 */
    markers2_sample(&dec);
    wrap_markers2(&tag, &dec);
    tag.b[10] = '*';
    CHECK(cs_serato_markers2(tag.b, tag.n, &m, &n, NULL, &e) < 0);
    CHECK(strstr(e.msg, "base64") != NULL);
    /* no 01 01 header */
    wrap_markers2(&tag, &dec);
    tag.b[1] = 2;
    CHECK(cs_serato_markers2(tag.b, tag.n, &m, &n, NULL, &e) < 0);
    /* an entry whose length runs past the data: the marks before it kept */
    markers2_sample(&dec);
    size_t at = 2 + 6 + 4 + 4;        /* after COLOR */
    at += 4 + 4 + 13 + 5;             /* after CUE "Drop" */
    dec.b[at + 4] = 0x7f;             /* the second CUE's length, high byte */
    wrap_markers2(&tag, &dec);
    CHECK(cs_serato_markers2(tag.b, tag.n, &m, &n, NULL, &e) < 0);
    CHECK(strstr(e.msg, "CUE entry says") != NULL);
    CHECK_EQ_INT(n, 1);
    cs_serato_free_marks(m, n);
    /* a CUE too short to hold a position */
    dec.n = 0;
    put8(&dec, 1);
    put8(&dec, 1);
    buf c = {0};
    put8(&c, 0);
    put8(&c, 1);
    entry(&dec, "CUE", &c);
    put8(&dec, 0);
    CHECK(cs_serato_markers2_decoded(dec.b, dec.n, &m, &n, NULL, &e) < 0);
    cs_serato_free_marks(m, n);
    /* a type without its NUL at the end of the data */
    dec.n = 0;
    put8(&dec, 1);
    put8(&dec, 1);
    put(&dec, "CUEXXXX", 7);
    CHECK(cs_serato_markers2_decoded(dec.b, dec.n, &m, &n, NULL, &e) < 0);
    cs_serato_free_marks(m, n);
}

TEST(unwrap_flac_envelope)
{
    buf raw = {0};
    put(&raw, "application/octet-stream", 25);
    put8(&raw, 0);
    put(&raw, "Serato BeatGrid", 16);
    float pos[] = { 0.25f };
    buf g;
    grid(&g, 1, pos, NULL, 128.0f);
    put(&raw, g.b, g.n);
    char b64[4096];
    av_base64_encode(b64, sizeof b64, raw.b, (int)raw.n);
    /* without padding, an LF after 72 characters */
    char text[4200];
    size_t t = 0;
    for (size_t i = 0; b64[i] && b64[i] != '='; i++) {
        if (i && i % 72 == 0) text[t++] = '\n';
        text[t++] = b64[i];
    }
    uint8_t *p;
    size_t n;
    cs_err e = {0};
    CHECK_EQ_INT(cs_serato_unwrap(text, t, "Serato BeatGrid", &p, &n, &e), 0);
    CHECK_EQ_INT(n, g.n);
    CHECK(memcmp(p, g.b, n) == 0);
    free(p);
    CHECK(cs_serato_unwrap(text, t, "Serato Markers2", &p, &n, &e) < 0);
    CHECK(strstr(e.msg, "Markers2") != NULL);
    CHECK(cs_serato_unwrap("QUJD", 4, "Serato BeatGrid", &p, &n, &e) < 0);
    CHECK(cs_serato_unwrap("@@@@", 4, "Serato BeatGrid", &p, &n, &e) < 0);
}

static void rec(buf *o, const char *tag, const buf *data)
{
    put(o, tag, 4);
    put32(o, (uint32_t)data->n);
    put(o, data->b, data->n);
}

static void u16(buf *o, const char *ascii)
{
    o->n = 0;
    for (const char *c = ascii; *c; c++) { put8(o, 0); put8(o, (unsigned char)*c); }
}

TEST(crate_paths)
{
    buf c = {0}, t, v, otrk;
    u16(&v, "1.0/Serato ScratchLive Crate");
    rec(&c, "vrsn", &v);
    const char *names[] = { "Users/dj/Music/a.mp3", "Users/dj/Music/b.flac" };
    for (int i = 0; i < 2; i++) {
        u16(&t, names[i]);
        otrk.n = 0;
        rec(&otrk, "ptrk", &t);
        rec(&c, "otrk", &otrk);
    }
    /* a non-ASCII name: "é" (U+00E9) and a surrogate pair (U+1F3B5) */
    t.n = 0;
    put8(&t, 0); put8(&t, 'x'); put8(&t, 0); put8(&t, 0xe9);
    put8(&t, 0xd8); put8(&t, 0x3c); put8(&t, 0xdf); put8(&t, 0xb5);
    otrk.n = 0;
    rec(&otrk, "ptrk", &t);
    rec(&c, "otrk", &otrk);
    char **p;
    size_t n;
    cs_err e = {0};
    CHECK_EQ_INT(cs_serato_crate(c.b, c.n, &p, &n, &e), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_STR(p[0], names[0]);
    CHECK_STR(p[1], names[1]);
    CHECK_STR(p[2], "x\xc3\xa9\xf0\x9f\x8e\xb5");
    cs_serato_free_paths(p, n);
    /* truncated: the paths before the cut are kept, the error names it */
    CHECK(cs_serato_crate(c.b, c.n - 3, &p, &n, &e) < 0);
    CHECK(strstr(e.msg, "are left") != NULL);
    CHECK_EQ_INT(n, 2);
    cs_serato_free_paths(p, n);
    /* a ptrk longer than its otrk */
    c.n = 0;
    u16(&t, "a.mp3");
    otrk.n = 0;
    rec(&otrk, "ptrk", &t);
    otrk.b[7] = 0x40;
    rec(&c, "otrk", &otrk);
    CHECK(cs_serato_crate(c.b, c.n, &p, &n, &e) < 0);
    cs_serato_free_paths(p, n);
    CHECK(cs_serato_crate(c.b, 5, &p, &n, &e) < 0);
    cs_serato_free_paths(p, n);
}

static void put_s32(buf *o, uint32_t v)   /* serato32: 7 bits a byte */
{
    put8(o, (v >> 21) & 0x7f);
    put8(o, (v >> 14) & 0x7f);
    put8(o, (v >> 7) & 0x7f);
    put8(o, v & 0x7f);
}

/* Markers_: 14 entries, cue slot 0 set at ms0, loop slot 1 set. */
static void markers_old(buf *o, uint32_t ms0, int count)
{
    o->n = 0;
    put8(o, 2);
    put8(o, 5);
    put32(o, (uint32_t)count);
    for (int i = 0; i < 14; i++) {
        bool cue_set = i == 0, loop_set = i == 6;
        if (cue_set || loop_set) {
            put8(o, 0);
            put_s32(o, cue_set ? ms0 : 3000);
            put8(o, loop_set ? 0 : 0x7f);
            put_s32(o, loop_set ? 5000 : 0x7f7f7f7f);
            for (int k = 0; k < 6; k++) put8(o, k ? 0x7f : 0);
            put_s32(o, 0xcc0000);
            put8(o, loop_set ? 3 : 1);
        } else {
            for (int k = 0; k < 10; k++) put8(o, 0x7f);
            put8(o, 0);
            for (int k = 0; k < 5; k++) put8(o, 0x7f);
            put32(o, 0);
            put8(o, i < 5 ? 0 : 3);
        }
        put8(o, 0);
    }
    put32(o, 0x077f7f7f);
}

TEST(markers_old_wins)
{
    buf old, dec, tag;
    markers_old(&old, 2500, 14);
    cs_rb_mark *o, *m;
    size_t no, n;
    unsigned slots;
    cs_err e = {0};
    CHECK_EQ_INT(cs_serato_markers_(old.b, old.n, &o, &no, &slots, &e), 0);
    CHECK_EQ_INT(slots, 0x1f);
    CHECK_EQ_INT(no, 2);
    CHECK_NEAR(o[0].start, 2.5, 1e-9);
    CHECK_EQ_INT(o[0].red, 0xcc);
    CHECK_EQ_INT(o[1].type, 4);
    CHECK_EQ_INT(o[1].num, 1);
    CHECK_NEAR(o[1].end, 5.0, 1e-9);
    /* Markers2: cue 0 "Drop" at 1.5 s, cue 3 at 61.234 s, loop 1 at 2..4.086 s */
    markers2_sample(&dec);
    wrap_markers2(&tag, &dec);
    CHECK_EQ_INT(cs_serato_markers2(tag.b, tag.n, &m, &n, NULL, &e), 0);
    CHECK_EQ_INT(cs_serato_merge_markers(&m, &n, o, no, slots, &e), 0);
    /* cue 0 at Markers_'s 2.5 s keeps its name; cue 3 unset in Markers_: gone;
     * loop 1 takes Markers_'s 3..5 s */
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(m[0].num, 0);
    CHECK_NEAR(m[0].start, 2.5, 1e-9);
    CHECK_STR(m[0].name, "Drop");
    CHECK_EQ_INT(m[1].type, 4);
    CHECK_NEAR(m[1].start, 3.0, 1e-9);
    CHECK_NEAR(m[1].end, 5.0, 1e-9);
    cs_serato_free_marks(m, n);
    cs_serato_free_marks(o, no);
    /* M4A's layout: 19-byte entries, plain numbers, 5 bytes after */
    old.n = 0;
    put8(&old, 2);
    put8(&old, 5);
    put32(&old, 14);
    for (int i = 0; i < 14; i++) {
        bool set = i == 0 || i == 5;
        put32(&old, set ? (i ? 1000u : 2500u) : 0xffffffffu);
        put32(&old, i == 5 ? 3000u : 0xffffffffu);
        put8(&old, 0);
        put32(&old, 0xffffffffu);
        put8(&old, 0);
        put8(&old, 0xcc);
        put8(&old, 0);
        put8(&old, 0);
        put8(&old, set ? (i < 5 ? 1 : 3) : (i < 5 ? 0 : 3));
        put8(&old, 0);
    }
    put8(&old, 0);
    put8(&old, 0xff);
    put8(&old, 0xff);
    put8(&old, 0xff);
    put8(&old, 0);
    CHECK_EQ_INT(cs_serato_markers_(old.b, old.n, &o, &no, &slots, &e), 0);
    CHECK_EQ_INT(no, 2);
    CHECK_NEAR(o[0].start, 2.5, 1e-9);
    CHECK_EQ_INT(o[0].red, 0xcc);
    CHECK_EQ_INT(o[1].type, 4);
    CHECK_EQ_INT(o[1].num, 0);
    CHECK_NEAR(o[1].start, 1.0, 1e-9);
    CHECK_NEAR(o[1].end, 3.0, 1e-9);
    cs_serato_free_marks(o, no);
    /* hostile: a count larger than the data, the wrong size */
    markers_old(&old, 2500, 200);
    CHECK(cs_serato_markers_(old.b, old.n, &o, &no, &slots, &e) < 0);
    CHECK(strstr(e.msg, "200 entries") != NULL);
    markers_old(&old, 2500, 14);
    CHECK(cs_serato_markers_(old.b, old.n - 1, &o, &no, &slots, &e) < 0);
    CHECK(strstr(e.msg, "expected") != NULL);
}
