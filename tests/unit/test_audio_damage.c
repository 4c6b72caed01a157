/* Audio that other programs wrote (issue 10): headers that lie, damage in
 * the middle, a tag appended after the audio.  The decoder must read what
 * the file holds, say what it worked around, and a player stream that ends
 * before its known length must be reported. */
#include "tests/unit/unit.h"
#include "pkg/audio.h"
#include "player/engine/reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RATE 44100

static const char *tmp_path(const char *name) { return unit_tmp_file(name); }

static int have_ffmpeg(void) { return system("ffmpeg -version >/dev/null 2>&1") == 0; }

static int run(const char *cmd)
{
    char full[2048];
    snprintf(full, sizeof full, "%s >/dev/null 2>&1", cmd);
    return system(full);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    *n = b ? fread(b, 1, (size_t)len, f) : 0;
    fclose(f);
    return b;
}

static int spill(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(b, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* 16-bit stereo WAV of `secs` seconds: a 440 Hz tone whose level rises,
 * so every frame differs from its neighbours' places. */
static int write_tone(const char *path, double secs)
{
    cs_audio a;
    cs_err e;
    if (cs_audio_alloc(&a, (size_t)llround(secs * RATE), 2, RATE) < 0) return -1;
    for (size_t i = 0; i < a.frames; i++) {
        float v = (float)(0.2 + 0.5 * (double)i / (double)a.frames) * (float)sin(2 * M_PI * 440.0 * (double)i / RATE);
        a.data[2 * i] = v;
        a.data[2 * i + 1] = -v;
    }
    int rc = cs_audio_write(path, &a, CS_FMT_WAV16, &e);
    cs_audio_free(&a);
    return rc;
}

static void le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

/* Copies a WAV with its RIFF size and its data chunk's size replaced. */
static int wav_with_sizes(const char *src, const char *dst, uint32_t riff, uint32_t data)
{
    size_t n;
    unsigned char *b = slurp(src, &n);
    if (!b || n < 44) { free(b); return -1; }
    size_t i = 12;
    while (i + 8 <= n && memcmp(b + i, "data", 4)) {
        uint32_t sz = b[i + 4] | (uint32_t)b[i + 5] << 8 | (uint32_t)b[i + 6] << 16 | (uint32_t)b[i + 7] << 24;
        i += 8 + sz + (sz & 1);
    }
    if (i + 8 > n) { free(b); return -1; }
    le32(b + 4, riff);
    le32(b + i + 4, data);
    int rc = spill(dst, b, n);
    free(b);
    return rc;
}

static int same_samples(const cs_audio *a, const cs_audio *b)
{
    return a->frames == b->frames && a->channels == b->channels &&
           !memcmp(a->data, b->data, a->frames * (size_t)a->channels * sizeof(float));
}

/* Decodes [start, end) of path: its length in seconds and the decoder's
 * note; -1 (after failing the test) when it cannot. */
static int decoded(const char *path, double start, double end, char *note, size_t n, double *secs)
{
    cs_audio a;
    cs_err e = {0};
    if (cs_audio_decode_noting(path, 0, 0, start, end, &a, note, n, &e) < 0) {
        unit_fail(__FILE__, __LINE__, "%s", e.msg);
        return -1;
    }
    *secs = cs_audio_seconds(&a);
    cs_audio_free(&a);
    return 0;
}

/* A recorder killed mid-take: RIFF and data sizes 0, all the audio behind
 * the header.  libsndfile reads 0 frames; FFmpeg all of them. */
static void check_zero_sizes(const char *name, double secs, uint32_t riff)
{
    char iname[64], zname[64];
    snprintf(iname, sizeof iname, "%s-intact.wav", name);
    snprintf(zname, sizeof zname, "%s-zero.wav", name);
    const char *intact = tmp_path(iname), *zero = tmp_path(zname);
    CHECK(write_tone(intact, secs) == 0);
    CHECK(wav_with_sizes(intact, zero, riff, 0) == 0);
    cs_audio want, got;
    cs_err e = {0};
    char note[400];
    double start = secs / 5, end = secs * 4 / 5;
    CHECK(cs_audio_decode(intact, 0, 0, start, end, &want, &e) == 0);
    if (cs_audio_decode_noting(zero, 0, 0, start, end, &got, note, sizeof note, &e) < 0) {
        cs_audio_free(&want);
        unit_fail(__FILE__, __LINE__, "%s", e.msg);
        return;
    }
    int same = same_samples(&want, &got);
    size_t frames = got.frames;
    cs_audio_free(&want);
    cs_audio_free(&got);
    CHECK_EQ_INT(frames, llround(end * RATE) - llround(start * RATE));
    CHECK(same);
    CHECK(strstr(note, "header says 0.000 s") != NULL);
    /* The streaming decoder's length, which the player's deck uses. */
    cs_decoder *d = cs_decoder_open(zero, RATE, 2, &e);
    CHECK(d != NULL);
    CHECK_NEAR(cs_decoder_duration(d), secs, 0.01);
    cs_decoder_free(d);
}

TEST(wav_with_zero_sizes_decodes_all_of_it) { check_zero_sizes("rec20", 20.0, 0); }
/* Another of the kind: 1 s (less than the header slack), RIFF size 0xFFFFFFFF
 * as streaming writers leave it. */
TEST(short_wav_with_unset_sizes_decodes_all_of_it) { check_zero_sizes("rec1", 1.0, 0xFFFFFFFFu); }

/* The data size says 5 s of a 20 s file: the header is what both readers
 * follow, but the mismatch is said, naming what the header claimed. */
TEST(wav_data_size_smaller_than_file_is_said)
{
    const char *intact = tmp_path("small-intact.wav"), *small = tmp_path("small.wav");
    CHECK(write_tone(intact, 20.0) == 0);
    CHECK(wav_with_sizes(intact, small, 36 + 5 * RATE * 4, 5 * RATE * 4) == 0);
    cs_audio a;
    cs_err e = {0};
    char note[400];
    CHECK(cs_audio_decode_noting(small, 0, 0, 0, 0, &a, note, sizeof note, &e) == 0);
    size_t frames = a.frames;
    cs_audio_free(&a);
    CHECK_EQ_INT(frames, 5 * RATE);
    CHECK(strstr(note, "header says 5.000 s") != NULL);
    CHECK(strstr(note, "3528044 bytes") != NULL);
}

/* Other header lies: a data size twice the audio there (a header written
 * before the take, as planned), and a file cut in half after a correct
 * header.  Both decode what is there and say what the header claimed. */
TEST(wav_header_larger_than_file_is_said)
{
    const char *intact = tmp_path("large-intact.wav"), *large = tmp_path("large.wav"), *cut = tmp_path("cut.wav");
    CHECK(write_tone(intact, 20.0) == 0);
    CHECK(wav_with_sizes(intact, large, 36 + 40 * RATE * 4, 40 * RATE * 4) == 0);
    size_t n;
    unsigned char *b = slurp(intact, &n);
    CHECK(b != NULL);
    CHECK(spill(cut, b, 44 + 10 * RATE * 4) == 0);
    free(b);
    char note[400], note2[400];
    double secs, secs2;
    if (decoded(large, 0, 0, note, sizeof note, &secs) < 0 || decoded(cut, 0, 0, note2, sizeof note2, &secs2) < 0) return;
    CHECK_NEAR(secs, 20.0, 1e-9);
    CHECK(strstr(note, "header says 20.000 s") != NULL || strstr(note, "header says 40.000 s") != NULL);
    CHECK(strstr(note, "FFmpeg") != NULL);
    CHECK_NEAR(secs2, 10.0, 1e-9);
    CHECK(strstr(note2, "FFmpeg") != NULL);
}

/* Metadata after the audio (a 300 KB artwork chunk, a LIST chunk) is a
 * header that agrees with its file: no warning, the samples as written. */
TEST(wav_with_trailing_metadata_is_not_warned)
{
    const char *intact = tmp_path("meta-intact.wav"), *meta = tmp_path("meta.wav");
    CHECK(write_tone(intact, 5.0) == 0);
    size_t n, art = 300000, list = 26;
    unsigned char *b = slurp(intact, &n);
    unsigned char *m = b ? malloc(n + 8 + art + 8 + list) : NULL;
    CHECK(m != NULL);
    memcpy(m, b, n);
    free(b);
    unsigned char *p = m + n;
    memcpy(p, "id3 ", 4);
    le32(p + 4, (uint32_t)art);
    for (size_t i = 0; i < art; i++) p[8 + i] = (unsigned char)(i * 31);
    p += 8 + art;
    memcpy(p, "LIST", 4);
    le32(p + 4, (uint32_t)list);
    memcpy(p + 8, "INFOINAM\x0e\0\0\0hello world!!\0", list);
    size_t total = n + 8 + art + 8 + list;
    le32(m + 4, (uint32_t)(total - 8));
    CHECK(spill(meta, m, total) == 0);
    free(m);
    cs_audio want, got;
    cs_err e = {0};
    char note[400];
    CHECK(cs_audio_decode(intact, 0, 0, 0, 0, &want, &e) == 0);
    CHECK(cs_audio_decode_noting(meta, 0, 0, 0, 0, &got, note, sizeof note, &e) == 0);
    int same = same_samples(&want, &got);
    cs_audio_free(&want);
    cs_audio_free(&got);
    CHECK(same);
    CHECK_STR(note, "");
}

/* Bytes at the middle of a compressed file overwritten: decoding skips the
 * damaged frames, goes on to the end and says where they were. */
static void check_mid_damage(const char *ext, const char *codec)
{
    if (!have_ffmpeg()) { unit_skip("ffmpeg not installed"); return; }
    char wname[32], cname[32], dname[32], cmd[1024];
    snprintf(wname, sizeof wname, "mid-%s.wav", ext);
    snprintf(cname, sizeof cname, "mid.%s", ext);
    snprintf(dname, sizeof dname, "mid-damaged.%s", ext);
    const char *wav = tmp_path(wname), *clean = tmp_path(cname), *dmg = tmp_path(dname);
    CHECK(write_tone(wav, 20.0) == 0);
    snprintf(cmd, sizeof cmd, "ffmpeg -y -v error -i '%s' %s '%s'", wav, codec, clean);
    CHECK(run(cmd) == 0);
    size_t n;
    unsigned char *b = slurp(clean, &n);
    CHECK(b != NULL && n > 100000);
    for (size_t i = n / 2; i < n / 2 + 3000; i++) b[i] = (unsigned char)(i * 7919 >> 3);
    CHECK(spill(dmg, b, n) == 0);
    free(b);
    char note[400];
    double secs;
    if (decoded(dmg, 0, 0, note, sizeof note, &secs) < 0) return;
    CHECK(secs > 19.5 && secs < 20.1);
    const char *at = strstr(note, "damaged packet");
    CHECK(at != NULL);
    at = strstr(at, " at ");
    CHECK(at != NULL);
    CHECK_NEAR(atof(at + 4), 10.0, 1.0);
}

TEST(flac_damaged_in_the_middle_decodes_to_the_end) { check_mid_damage("flac", "-c:a flac"); }
TEST(mp3_damaged_in_the_middle_decodes_to_the_end) { check_mid_damage("mp3", "-c:a libmp3lame -b:a 128k"); }

static void syncsafe(unsigned char *p, uint32_t v)
{
    p[0] = (v >> 21) & 0x7f; p[1] = (v >> 14) & 0x7f; p[2] = (v >> 7) & 0x7f; p[3] = v & 0x7f;
}

/* An MP3 of 20 s with a 1.5 MB ID3v2.4 tag (a picture) appended after the
 * audio, with its footer; `v1` adds an ID3v1 tag after it. */
static const char *tagged_mp3(const char *name, int v1)
{
    char wname[64], mname[64], cmd[1024];
    snprintf(wname, sizeof wname, "%s.wav", name);
    snprintf(mname, sizeof mname, "%s.mp3", name);
    const char *wav = tmp_path(wname), *mp3 = tmp_path(mname);
    if (write_tone(wav, 20.0) < 0) return NULL;
    snprintf(cmd, sizeof cmd, "ffmpeg -y -v error -i '%s' -c:a libmp3lame -b:a 128k -id3v2_version 0 '%s'", wav, mp3);
    if (run(cmd) != 0) return NULL;
    size_t n, body = 1500000;
    unsigned char *b = slurp(mp3, &n);
    unsigned char *out = b ? malloc(n + body + 20 + 128) : NULL;
    if (!out) { free(b); return NULL; }
    memcpy(out, b, n);
    unsigned char *t = out + n;
    memcpy(t, "ID3\x04\x00\x10", 6);
    syncsafe(t + 6, (uint32_t)body);
    memcpy(t + 10, "APIC", 4);
    uint32_t fsz = (uint32_t)body - 10;
    syncsafe(t + 14, fsz);
    t[18] = t[19] = 0;
    uint32_t x = 12345;
    for (size_t i = 20; i < body + 10; i++) { x = x * 1103515245u + 12345u; t[i] = (unsigned char)(x >> 16); }
    memcpy(t + body + 10, "3DI\x04\x00\x10", 6);
    syncsafe(t + body + 16, (uint32_t)body);
    size_t total = n + body + 20;
    if (v1) {
        memset(out + total, 0, 128);
        memcpy(out + total, "TAG", 3);
        total += 128;
    }
    int rc = spill(mp3, out, total);
    free(b);
    free(out);
    return rc == 0 ? mp3 : NULL;
}

static void check_tagged(const char *name, int v1)
{
    if (!have_ffmpeg()) { unit_skip("ffmpeg not installed"); return; }
    const char *mp3 = tagged_mp3(name, v1);
    CHECK(mp3 != NULL);
    cs_err e = {0};
    cs_decoder *d = cs_decoder_open(mp3, RATE, 2, &e);
    CHECK(d != NULL);
    double est = cs_decoder_duration(d);
    cs_decoder_free(d);
    CHECK_NEAR(est, 20.0, 0.5);          /* was 113.8 s: the tag counted as audio */
    char note[400];
    double secs;
    /* Cues past the real end: the cut stops at the audio's end, no error. */
    if (decoded(mp3, 4.0, 24.0, note, sizeof note, &secs) < 0) return;
    CHECK_NEAR(4.0 + secs, 20.0, 0.06);
    CHECK_STR(note, "");                 /* a tag is no damage */
}

TEST(mp3_with_appended_id3_ends_at_the_audio) { check_tagged("tagged", 0); }
TEST(mp3_with_appended_id3_and_id3v1_ends_at_the_audio) { check_tagged("tagged1", 1); }

/* A FLAC whose second half is missing: its header says 20 s, the stream
 * ends at ~10 s, and the reader says so once. */
TEST(stream_ending_before_its_length_is_reported)
{
    if (!have_ffmpeg()) { unit_skip("ffmpeg not installed"); return; }
    const char *wav = tmp_path("cut.wav"), *flac = tmp_path("cut.flac"), *half = tmp_path("cut-half.flac");
    char cmd[1024];
    CHECK(write_tone(wav, 20.0) == 0);
    snprintf(cmd, sizeof cmd, "ffmpeg -y -v error -i '%s' -c:a flac '%s'", wav, flac);
    CHECK(run(cmd) == 0);
    size_t n;
    unsigned char *b = slurp(flac, &n);
    CHECK(b != NULL);
    CHECK(spill(half, b, n / 2) == 0);
    free(b);
    cs_err e = {0};
    cs_reader *r = cs_reader_new(false, &e);
    CHECK(r != NULL);
    cs_stream *s = cs_stream_new_file(half, 0.0, false);
    cs_stream *whole = cs_stream_new_file(flac, 0.0, false);
    cs_reader_add(r, s);
    cs_reader_add(r, whole);
    /* The audio thread's part: consume the rings so the reader goes on. */
    for (int i = 0; i < 10000 && !(atomic_load(&s->eof) && atomic_load(&whole->eof)); i++) {
        cs_reader_pump(r, true);
        cs_ring_advance(&s->ring, cs_ring_readable(&s->ring));
        cs_ring_advance(&whole->ring, cs_ring_readable(&whole->ring));
    }
    char last[400];
    unsigned ends = cs_reader_short_ends(r, last, sizeof last);
    cs_reader_drop(r, s);
    cs_reader_drop(r, whole);
    cs_reader_free(r);
    CHECK_EQ_INT(ends, 1);               /* the whole file is not reported */
    CHECK(strstr(last, "cut-half.flac") != NULL);
    const char *at = strstr(last, "ended at ");
    CHECK(at != NULL);
    CHECK_NEAR(atof(at + 9), 10.0, 0.6);
    CHECK(strstr(last, "length of 20.000 s") != NULL);
}
