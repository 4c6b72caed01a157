/* Mixxx beats blobs (pkg/mixxx_beats.c): BeatGrid-2.0 and BeatMap-1.0
 * protobufs encoded here by hand from beats.proto, the Mixxx 1.x 16-byte
 * grid, and broken blobs (lengths past the end, endless varints, wrong
 * sizes, unknown versions). */
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/mixxx_beats.h"

typedef struct buf { uint8_t b[65536]; size_t n; } buf;

static void put_varint(buf *o, uint64_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        o->b[o->n++] = c | (v ? 0x80 : 0);
    } while (v);
}

static void put_double(buf *o, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++) o->b[o->n++] = (uint8_t)(u >> (8 * i));
}

static void put_len(buf *o, int field, const buf *sub)
{
    put_varint(o, (uint64_t)field << 3 | 2);
    put_varint(o, sub->n);
    memcpy(o->b + o->n, sub->b, sub->n);
    o->n += sub->n;
}

/* BeatGrid { Bpm bpm = 1 { double bpm = 1 }; Beat first_beat = 2 { int32 frame_position = 1 } } */
static void grid2(buf *o, double bpm, int32_t frame)
{
    buf b = {0}, f = {0};
    put_varint(&b, 1 << 3 | 1);
    put_double(&b, bpm);
    put_varint(&f, 1 << 3 | 0);
    put_varint(&f, (uint64_t)(int64_t)frame);
    o->n = 0;
    put_len(o, 1, &b);
    put_len(o, 2, &f);
}

TEST(beatgrid_2_0)
{
    static buf o;
    grid2(&o, 122.5, 11025);
    cs_rb_tempo *r;
    size_t n;
    cs_err e = {0};
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-2.0", o.b, o.n, 44100, &r, &n, &e), 0);
    CHECK_EQ_INT((int)n, 1);
    if (n == 1) {
        CHECK_NEAR(r[0].inizio, 0.25, 1e-12);
        CHECK_NEAR(r[0].bpm, 122.5, 1e-12);
        CHECK_EQ_INT(r[0].battito, 1);
    }
    free(r);
    /* a negative first beat (before the file starts) is an int32 varint of 10 bytes */
    grid2(&o, 120, -100);
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-2.0", o.b, o.n, 48000, &r, &n, &e), 0);
    CHECK(n == 1 && r[0].inizio < 0 && r[0].inizio > -0.0021);
    free(r);
}

TEST(beatmap_rows_and_disabled_beats)
{
    static buf o, beat;
    o.n = 0;
    /* 120 BPM for 16 beats, then 130 BPM for 16, one disabled beat in between */
    double t = 0.5;
    for (int i = 0; i < 33; i++) {
        beat.n = 0;
        put_varint(&beat, 1 << 3 | 0);
        put_varint(&beat, (uint64_t)(int64_t)(t * 44100 + 0.5));
        if (i == 20) {
            put_varint(&beat, 2 << 3 | 0);
            put_varint(&beat, 0);   /* disabled */
        }
        put_len(&o, 1, &beat);
        if (i != 20) t += i < 16 ? 0.5 : 60.0 / 130;
        else t += 60.0 / 130;
    }
    cs_rb_tempo *r;
    size_t n;
    cs_err e = {0};
    CHECK_EQ_INT(cs_mixxx_beats("BeatMap-1.0", o.b, o.n, 44100, &r, &n, &e), 0);
    CHECK(n >= 2 && n <= 4);
    if (n >= 2) {
        CHECK_NEAR(r[0].inizio, 0.5, 1e-4);
        CHECK_NEAR(r[0].bpm, 120, 0.01);
        CHECK_NEAR(r[n - 1].bpm, 130, 0.05);
    }
    free(r);
}

TEST(double_frame_position_and_legacy_grid)
{
    static buf o, b, f;
    b.n = f.n = o.n = 0;
    put_varint(&b, 1 << 3 | 1);
    put_double(&b, 128);
    put_varint(&f, 1 << 3 | 1);   /* double frame_position */
    put_double(&f, 22050.5);
    put_len(&o, 1, &b);
    put_len(&o, 2, &f);
    cs_rb_tempo *r;
    size_t n;
    cs_err e = {0};
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-2.0", o.b, o.n, 44100, &r, &n, &e), 0);
    CHECK(n == 1 && r[0].inizio > 0.5 && r[0].inizio < 0.50002);
    free(r);
    o.n = 0;
    put_double(&o, 126.0);
    put_double(&o, 44100.0);   /* engine samples: frame 22050 */
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-1.0", o.b, o.n, 44100, &r, &n, &e), 0);
    CHECK(n == 1 && r[0].inizio == 0.5 && r[0].bpm == 126.0);
    free(r);
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-1.0", o.b, 15, 44100, &r, &n, &e), CS_ERR_FORMAT);
    CHECK(strstr(e.msg, "15 bytes") != NULL);
}

TEST(broken_blobs)
{
    static buf o;
    cs_rb_tempo *r;
    size_t n;
    cs_err e = {0};
    grid2(&o, 122.5, 11025);
    for (size_t cut = 1; cut < o.n; cut++) {   /* every truncation fails cleanly or reads less */
        int rc = cs_mixxx_beats("BeatGrid-2.0", o.b, cut, 44100, &r, &n, &e);
        CHECK((rc < 0 && e.code == CS_ERR_FORMAT) || (rc == 0 && n == 1));
        free(r);
    }
    /* a length larger than the data */
    uint8_t big[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x09 };
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-2.0", big, sizeof big, 44100, &r, &n, &e), CS_ERR_FORMAT);
    CHECK(strstr(e.msg, "corrupt") != NULL);
    /* a varint that never ends */
    uint8_t endless[16];
    memset(endless, 0xff, sizeof endless);
    CHECK_EQ_INT(cs_mixxx_beats("BeatMap-1.0", endless, sizeof endless, 44100, &r, &n, &e), CS_ERR_FORMAT);
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-3.0", o.b, o.n, 44100, &r, &n, &e), CS_ERR_FORMAT);
    CHECK(strstr(e.msg, "unknown beats version") != NULL);
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-2.0", o.b, o.n, 0, &r, &n, &e), CS_ERR_FORMAT);
    grid2(&o, 0, 0);   /* BPM 0 */
    CHECK_EQ_INT(cs_mixxx_beats("BeatGrid-2.0", o.b, o.n, 44100, &r, &n, &e), CS_ERR_FORMAT);
    CHECK(r == NULL && n == 0);
}

/* fuzz_mixxx_beats found this: a BeatMap whose fields are none of Beat's
 * (no beat at all) sorted a NULL array. */
TEST(beatmap_without_beats)
{
    static const uint8_t blob[] = { 0x08, 0x4a, 0x91, 0x03, 0x56, 0x0a, 0x04, 0x0a, 0x04, 0x08, 0x96, 0x0f };
    cs_rb_tempo *r;
    size_t n;
    cs_err e = {0};
    int rc = cs_mixxx_beats("BeatMap-1.0", blob, sizeof blob, 44100, &r, &n, &e);
    CHECK(rc < 0 && e.code == CS_ERR_FORMAT && r == NULL && n == 0);
    CHECK_EQ_INT(cs_mixxx_beats("BeatMap-1.0", blob, 2, 44100, &r, &n, &e), CS_ERR_FORMAT);
}
