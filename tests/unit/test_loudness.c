/* Loudness (pkg/loudness.c over libebur128) against the EBU's known
 * signals, the gain rule, and the master true-peak limiter
 * (player/engine/limiter.c): nothing above the ceiling, true peak included;
 * transparent below it. */
#include "tests/unit/unit.h"
#include "pkg/audio.h"
#include "pkg/loudness.h"
#include "pkg/loudness_test.h"
#include "player/engine/limiter.h"

#include <stdlib.h>

#define RATE 48000

/* A sine of `dbfs` peak level, `seconds` long, the same in every channel. */
static float *sine(double hz, double dbfs, double seconds, int channels, int rate, double phase, size_t *frames)
{
    size_t n = (size_t)(seconds * rate);
    float *s = malloc(n * (size_t)channels * sizeof *s);
    double a = pow(10.0, dbfs / 20.0);
    for (size_t i = 0; s && i < n; i++)
        for (int c = 0; c < channels; c++) s[i * channels + c] = (float)(a * sin(2 * M_PI * hz * (double)i / rate + phase));
    *frames = n;
    return s;
}

/* EBU Tech 3341 (2016), test 1: a 1 kHz stereo sine at -23 dBFS reads
 * -23.0 LUFS +-0.1; test 2's -33 dBFS, -33.0.  (A -20 dBFS one: -20.0.) */
TEST(tech3341_sines)
{
    double levels[] = { -23, -33, -20 };
    for (int k = 0; k < 3; k++) {
        size_t n;
        float *s = sine(1000, levels[k], 20, 2, RATE, 0, &n);
        cs_loudness L;
        cs_err e;
        CHECK(s && cs_loudness_measure(s, n, 2, RATE, &L, &e) == 0);
        CHECK_NEAR(L.lufs, levels[k], 0.1);
        CHECK_NEAR(L.dbtp, levels[k], 0.05);
        free(s);
    }
}

/* Mono at 44.1 kHz: BS.1770 weights one channel as it is (-3 LU). */
TEST(mono_reads_3lu_lower)
{
    size_t n;
    float *s = sine(1000, -20, 10, 1, 44100, 0, &n);
    cs_loudness L;
    cs_err e;
    CHECK(s && cs_loudness_measure(s, n, 1, 44100, &L, &e) == 0);
    CHECK_NEAR(L.lufs, -23.0, 0.1);
    free(s);
}

/* The true peak sees between the samples: fs/4 at 45 degrees has samples at
 * 0.707 of its amplitude (-3 dB), its true peak is the amplitude (EBU Tech
 * 3341 test 15 uses the same idea). */
TEST(true_peak_between_samples)
{
    size_t n;
    float *s = sine(RATE / 4.0, -6, 5, 2, RATE, M_PI / 4, &n);
    cs_loudness L;
    cs_err e;
    CHECK(s && cs_loudness_measure(s, n, 2, RATE, &L, &e) == 0);
    float sp = 0;
    for (size_t i = 0; i < 2 * n; i++) sp = fmaxf(sp, fabsf(s[i]));
    CHECK_NEAR(20 * log10(sp), -9.0, 0.05);
    CHECK_NEAR(L.dbtp, -6.0, 0.3);
    free(s);
}

TEST(silence_has_no_loudness)
{
    float z[2 * 48000] = {0};
    cs_loudness L;
    cs_err e;
    CHECK(cs_loudness_measure(z, 48000, 2, RATE, &L, &e) == 0);
    CHECK(isinf(L.lufs) && L.lufs < 0);
    CHECK(isinf(L.dbtp) && L.dbtp < 0);
    CHECK(cs_loudness_measure(z, 10, 0, RATE, &L, &e) < 0);
    CHECK(strstr(e.msg, "channels") != NULL);
    CHECK(cs_loudness_measure(z, 10, 2, 10, &L, &e) < 0);
    CHECK(strstr(e.msg, "rate") != NULL);
}

/* A file on disk measures as the same audio in memory. */
TEST(file_matches_memory)
{
    size_t n;
    float *s = sine(1000, -20, 5, 2, 44100, 0, &n);
    cs_audio a = {0};
    cs_err e;
    CHECK(s && cs_audio_alloc(&a, n, 2, 44100) == 0);
    memcpy(a.data, s, n * 2 * sizeof *s);
    const char *path = unit_tmp_file("s.wav");
    CHECK(cs_audio_write(path, &a, CS_FMT_WAV32F, &e) == 0);
    cs_loudness L1, L2;
    CHECK(cs_loudness_measure(s, n, 2, 44100, &L1, &e) == 0);
    CHECK(cs_loudness_measure_file(path, &L2, &e) == 0);
    CHECK_NEAR(L1.lufs, L2.lufs, 1e-6);
    CHECK_NEAR(L1.dbtp, L2.dbtp, 1e-6);
    CHECK(L1.n_slices == CS_LOUDNESS_SLICES && L2.n_slices == CS_LOUDNESS_SLICES);
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) CHECK_NEAR(L1.slice[i], L2.slice[i], 1e-4);
    CHECK(cs_loudness_measure_file(unit_tmp_file("none.wav"), &L2, &e) < 0);
    CHECK(strstr(e.msg, "none.wav: cannot read") != NULL);
    cs_audio_free(&a);
    free(s);
}

/* The slices: a part 10 s at -30 LUFS then 10 s at -20 (1 kHz stereo
 * sines, Tech 3341's rule: LUFS = dBFS peak) reads -30 in its first 16
 * slices and -20 in its last 16; a window reads the energy mean of what it
 * covers, silence (below -70 LUFS) left out. */
TEST(slices_and_windows)
{
    size_t n1, n2;
    float *a = sine(1000, -30, 10, 2, RATE, 0, &n1), *b = sine(1000, -20, 10, 2, RATE, 0, &n2);
    float *s = malloc((n1 + n2) * 2 * sizeof *s);
    CHECK(a && b && s);
    memcpy(s, a, n1 * 2 * sizeof *s);
    memcpy(s + n1 * 2, b, n2 * 2 * sizeof *s);
    cs_loudness L;
    cs_err e;
    CHECK(cs_loudness_measure(s, n1 + n2, 2, RATE, &L, &e) == 0);
    CHECK_EQ_INT(L.n_slices, CS_LOUDNESS_SLICES);
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) CHECK_NEAR(L.slice[i], i < 16 ? -30 : -20, 0.1);
    CHECK_NEAR(cs_loudness_window(&L, 0, 0.5), -30, 0.1);
    CHECK_NEAR(cs_loudness_window(&L, 0.5, 1), -20, 0.1);
    CHECK_NEAR(cs_loudness_window(&L, 0, 1), 10 * log10((0.001 + 0.01) / 2), 0.1);
    /* a quarter of each: weights by the time covered, not by slices touched */
    CHECK_NEAR(cs_loudness_window(&L, 0.25, 0.75), 10 * log10((0.001 + 0.01) / 2), 0.1);
    CHECK_NEAR(cs_loudness_window(&L, 0.4, 0.6), 10 * log10((0.001 + 0.01) / 2), 0.1);
    CHECK_NEAR(cs_loudness_window(&L, -1, 0.25), -30, 0.1);   /* clamped to the part */
    CHECK(isinf(cs_loudness_window(&L, 0.5, 0.5)));            /* empty */
    /* the quiet half silent: left out, the window reads the loud half */
    memset(s, 0, n1 * 2 * sizeof *s);
    CHECK(cs_loudness_measure(s, n1 + n2, 2, RATE, &L, &e) == 0);
    CHECK(isinf(L.slice[0]) && isinf(L.slice[15]));
    CHECK_NEAR(cs_loudness_window(&L, 0, 1), -20, 0.1);
    CHECK(isinf(cs_loudness_window(&L, 0, 0.45)));
    /* a part shorter than a slice's 100 ms chunk still has every slice */
    CHECK(cs_loudness_measure(b, 480, 2, RATE, &L, &e) == 0);
    CHECK_EQ_INT(L.n_slices, CS_LOUDNESS_SLICES);
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) CHECK(isfinite(L.slice[i]));
    /* no slices (measured before them): no window */
    L.n_slices = 0;
    CHECK(isinf(cs_loudness_window(&L, 0, 1)));
    free(a);
    free(b);
    free(s);
}

/* A FLAC whose STREAMINFO leaves its length unknown (total samples 0, as
 * a FLAC encoder writing to a pipe leaves it; libsndfile then reports
 * SF_COUNT_MAX frames): the slices are over the frames read, the same as
 * the part with its length known. */
TEST(slices_when_length_unknown)
{
    size_t n1, n2;
    float *a = sine(1000, -30, 3, 1, 22050, 0, &n1), *b = sine(1000, -20, 3, 1, 22050, 0, &n2);
    cs_audio au = {0};
    cs_err e;
    CHECK(a && b && cs_audio_alloc(&au, n1 + n2, 1, 22050) == 0);
    memcpy(au.data, a, n1 * sizeof *a);
    memcpy(au.data + n1, b, n2 * sizeof *b);
    const char *known = unit_tmp_file("known.flac"), *unknown = unit_tmp_file("unknown.flac");
    CHECK(cs_audio_write(known, &au, CS_FMT_FLAC24, &e) == 0);
    /* copy it with STREAMINFO's 36-bit total samples (bytes 21..25 after
     * "fLaC" and the block header: low nibble of 21, then 22..25) zeroed */
    FILE *in = fopen(known, "rb"), *out = fopen(unknown, "wb");
    CHECK(in && out);
    unsigned char buf[4096];
    size_t got, at = 0;
    while (in && out && (got = fread(buf, 1, sizeof buf, in)) > 0) {
        for (size_t i = 0; i < got; i++) {
            size_t k = at + i;
            if (k == 21) buf[i] &= 0xf0;
            else if (k >= 22 && k <= 25) buf[i] = 0;
        }
        fwrite(buf, 1, got, out);
        at += got;
    }
    if (in) fclose(in);
    if (out) fclose(out);
    cs_loudness K, U;
    CHECK(cs_loudness_measure_file(known, &K, &e) == 0);
    CHECK(cs_loudness_measure_file(unknown, &U, &e) == 0);
    CHECK_EQ_INT(K.n_slices, CS_LOUDNESS_SLICES);
    CHECK_EQ_INT(U.n_slices, CS_LOUDNESS_SLICES);
    CHECK_NEAR(U.lufs, K.lufs, 1e-6);
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) {
        CHECK_NEAR(U.slice[i], K.slice[i], 1e-4);
        CHECK_NEAR(K.slice[i], (i < 16 ? -30 : -20) - 3.01, 0.15);   /* mono: 3 LU under stereo */
    }
    /* the same halves at 11025 Hz (a chunk of 1102 frames, not 100 ms
     * exactly) and 8000 Hz, 7.3 s: slices land on the halves */
    int rates[] = { 11025, 8000 };
    for (int r = 0; r < 2; r++) {
        size_t m1, m2;
        float *c = sine(1000, -30, 3.65, 2, rates[r], 0, &m1), *d = sine(1000, -20, 3.65, 2, rates[r], 0, &m2);
        float *cd = malloc((m1 + m2) * 2 * sizeof *cd);
        CHECK(c && d && cd);
        memcpy(cd, c, m1 * 2 * sizeof *c);
        memcpy(cd + m1 * 2, d, m2 * 2 * sizeof *d);
        cs_loudness L;
        CHECK(cs_loudness_measure(cd, m1 + m2, 2, rates[r], &L, &e) == 0);
        CHECK_EQ_INT(L.n_slices, CS_LOUDNESS_SLICES);
        for (int i = 0; i < CS_LOUDNESS_SLICES; i++)
            if (i != 15 && i != 16) CHECK_NEAR(L.slice[i], i < 16 ? -30 : -20, 0.15);
        CHECK_NEAR(cs_loudness_window(&L, 0, 0.45), -30, 0.15);
        CHECK_NEAR(cs_loudness_window(&L, 0.55, 1), -20, 0.15);
        free(c);
        free(d);
        free(cd);
    }
    cs_audio_free(&au);
    free(a);
    free(b);
}

/* The library's text for the slices: a round trip to a hundredth, silent
 * slices as empty fields; anything but exactly CS_LOUDNESS_SLICES fields
 * is refused and leaves the slices alone. */
TEST(slices_text)
{
    cs_loudness L = CS_LOUDNESS_NONE, R = CS_LOUDNESS_NONE;
    char buf[CS_LOUDNESS_SLICES_TEXT];
    CHECK(cs_loudness_slices_format(&L, buf, sizeof buf) == NULL);   /* none */
    L.n_slices = CS_LOUDNESS_SLICES;
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) L.slice[i] = i == 3 ? -INFINITY : -14.0f - 0.37f * (float)i;
    L.slice[7] = -69.99f;                 /* just above the gate: kept */
    L.slice[8] = -69.996f;                /* reads back as -70.00, the gate: silent */
    L.slice[9] = 900.0f;                  /* no audio is this loud: silent, never a gain */
    CHECK(cs_loudness_slices_format(&L, buf, sizeof buf) == buf);
    CHECK(strncmp(buf, "-14.00,-14.37,-14.74,,-15.48,", 29) == 0);
    CHECK_EQ_INT(cs_loudness_slices_parse(buf, &R), 0);
    CHECK_EQ_INT(R.n_slices, CS_LOUDNESS_SLICES);
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++)
        CHECK(i == 3 || i == 8 || i == 9 ? isinf(R.slice[i]) : fabsf(R.slice[i] - L.slice[i]) < 0.006f);
    CHECK(cs_loudness_slices_format(&L, buf, 40) == NULL);          /* too small a buffer */
    cs_loudness Z = CS_LOUDNESS_NONE;
    const char *bad[] = { "", "-14", ",,,", "x", "-14,-14", NULL };
    for (int k = 0; bad[k]; k++) CHECK(cs_loudness_slices_parse(bad[k], &Z) < 0 && Z.n_slices == 0);
    char more[CS_LOUDNESS_SLICES_TEXT + 8];
    CHECK(cs_loudness_slices_format(&L, more, sizeof more) == more);
    strcat(more, ",-1");                                             /* 33 fields */
    CHECK(cs_loudness_slices_parse(more, &Z) < 0 && Z.n_slices == 0);
    memset(more, ',', CS_LOUDNESS_SLICES - 1);                       /* 32 silent */
    more[CS_LOUDNESS_SLICES - 1] = 0;
    CHECK(cs_loudness_slices_parse(more, &Z) == 0 && isinf(Z.slice[0]) && isinf(Z.slice[31]));
    CHECK(cs_loudness_slices_parse("1e999,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", &R) < 0);   /* not finite */
    CHECK(cs_loudness_slices_parse("900,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", &R) < 0);     /* out of range */
    CHECK(cs_loudness_slices_parse("-70,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", &R) < 0);     /* the gate: stored empty */
    CHECK(cs_loudness_slices_parse(NULL, &R) < 0);
}

TEST(gain_rule)
{
    int capped;
    /* -20 LUFS to -14 through a -3.88 dB chain: +9.88 dB. */
    CHECK_NEAR(cs_loudness_gain_db(-20, -8, -14, -3.88, 5, &capped), 9.88, 1e-9);
    CHECK(!capped);
    /* Its peak would reach -8 + 9.88 - 3.88 = -2: a max of -4 caps it at +7.88. */
    CHECK_NEAR(cs_loudness_gain_db(-20, -8, -14, -3.88, -4, &capped), 7.88, 1e-9);
    CHECK(capped);
    CHECK_NEAR(cs_loudness_gain_db(-INFINITY, -8, -14, 0, 0, &capped), 0, 0);
}

/* ---- the limiter ---- */

static double true_peak_db(const float *s, size_t n)
{
    cs_loudness L;
    cs_err e;
    if (cs_loudness_measure(s, n, 2, 44100, &L, &e) < 0) return 99;
    return L.dbtp;
}

/* Below the ceiling the limiter is a pure delay. */
TEST(limiter_transparent_below_ceiling)
{
    static cs_limiter lim;
    cs_limiter_init(&lim, 0.891f, 44100);
    size_t n;
    float *s = sine(440, -12, 1, 2, 44100, 0, &n);
    float *y = malloc(n * 2 * sizeof *y);
    memcpy(y, s, n * 2 * sizeof *y);
    for (size_t at = 0; at < n; at += 300) cs_limiter_process(&lim, y + 2 * at, (int)(n - at < 300 ? n - at : 300), 1.0f);
    for (size_t i = CS_LIM_DELAY; i < n; i++) CHECK(y[2 * i] == s[2 * (i - CS_LIM_DELAY)]);
    for (size_t i = 0; i < CS_LIM_DELAY; i++) CHECK(y[2 * i] == 0);
    CHECK(lim.min_gain == 1.0f);
    free(s);
    free(y);
}

/* Bursts 8 dB over, clicks, and an inter-sample peak (fs/4 at 45 degrees,
 * whose samples are 3 dB under the ceiling): the output's true peak
 * (libebur128's own estimate) stays at or below -1 dBTP. */
TEST(limiter_holds_true_peak)
{
    static cs_limiter lim;
    const float ceil_ = powf(10.0f, -1.0f / 20);
    cs_limiter_init(&lim, ceil_, 44100);
    size_t n = 44100 * 3;
    float *y = calloc(n * 2, sizeof *y);
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / 44100, v;
        if (t < 1) v = 2.5 * sin(2 * M_PI * 100 * t) * (fmod(t, 0.25) < 0.05 ? 1 : 0.2);
        else if (t < 2) v = (i % 11025 < 20 ? 3.0 : 0.0) + 0.3 * sin(2 * M_PI * 60 * t);
        else v = sin(2 * M_PI * 11025 * t + M_PI / 4);
        y[2 * i] = (float)v;
        y[2 * i + 1] = (float)(-0.9 * v);
    }
    float sp = 0;
    for (size_t i = 2 * 88200; i < 2 * n; i++) sp = fmaxf(sp, fabsf(y[i]));
    CHECK(sp < ceil_);                                   /* the last second: samples under it */
    for (size_t at = 0; at < n; at += 256) cs_limiter_process(&lim, y + 2 * at, (int)(n - at < 256 ? n - at : 256), 1.0f);
    double tp = true_peak_db(y, n);
    if (!(tp <= -1.0)) { unit_fail(__FILE__, __LINE__, "true peak %.3f dBTP", tp); return; }
    CHECK(tp > -1.6);                                    /* limited, not silenced */
    CHECK(lim.min_gain < 0.45f);
    /* No overs at all in the samples. */
    for (size_t i = 0; i < 2 * n; i++) CHECK(fabsf(y[i]) <= ceil_);
    free(y);
}

/* ---- where loudness is kept: set.json and the export CSV ---- */
#include "pkg/export_csv.h"
#include "pkg/fsutil.h"
#include "pkg/rate.h"
#include "pkg/setfile.h"

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

/* A part's lufs / true_peak_dbtp go through set.json and reach the ladder
 * set; a manifest without them (every set exported before) loads as
 * unmeasured, at the same format version. */
TEST(setfile_carries_loudness)
{
    const char *dir = unit_tmpdir();
    char f1[600];
    snprintf(f1, sizeof f1, "%s/118", dir);
    CHECK(cs_mkdirs(f1) == 0);
    snprintf(f1, sizeof f1, "%s/118/a.wav", dir);
    cs_audio a = {0};
    cs_err err = {0};
    CHECK(cs_audio_alloc(&a, 4410, 2, 44100) == 0);
    CHECK(cs_audio_write(f1, &a, CS_FMT_WAV16, &err) == 0);
    cs_audio_free(&a);
    cs_setfile m = {0};
    cs_set_track *t = cs_setfile_add_track(&m, "/m/a.mp3", NULL, 122.5, 0, 1, 2);
    CHECK(t && cs_setfile_add_part(t, dir, "118/a.wav", 118, 118 / 122.5, &err) == 0);
    CHECK(isinf(t->parts[0].loud.lufs));
    t->parts[0].loud = (cs_loudness){ .lufs = -17.25, .dbtp = -3.5 };
    m.format_version = CS_SET_FORMAT_VERSION;
    CHECK(cs_setfile_write(dir, &m, &err) == 0);
    cs_setfile r;
    CHECK_EQ_INT(cs_setfile_read(dir, &r, &err), 0);
    CHECK(r.tracks[0].parts[0].loud.lufs == -17.25 && r.tracks[0].parts[0].loud.dbtp == -3.5);
    cs_lset set = {0};
    CHECK(cs_setfile_to_lset(dir, &r, &set, &err) == 0);
    CHECK(set.tracks[0].rungs[0].loud.lufs == -17.25 && set.tracks[0].rungs[0].loud.dbtp == -3.5);
    CHECK(set.tracks[0].gain_db == 0);
    CHECK_EQ_INT(set.tracks[0].rungs[0].loud.n_slices, 0);   /* none written, none read */
    cs_lset_free(&set);
    cs_setfile_free(&r);
    cs_setfile_free(&m);

    char man[600];
    snprintf(man, sizeof man, "%s/set.json", dir);
    CHECK(write_text(man, "{\"format\":\"cs-set\",\"format_version\":1,\"tracks\":[{\"path\":\"a\",\"bpm\":120,"
                          "\"parts\":[{\"file\":\"118/a.wav\",\"bpm\":118,\"speed\":0.98}]}]}") == 0);
    CHECK_EQ_INT(cs_setfile_read(dir, &r, &err), 0);
    CHECK(isinf(r.tracks[0].parts[0].loud.lufs) && isinf(r.tracks[0].parts[0].loud.dbtp));
    cs_setfile_free(&r);

    /* Slices: to a tenth through set.json, null for silence; a list of
     * another length or with a string in it is no slices. */
    t = cs_setfile_add_track(&m, "/m/a.mp3", NULL, 122.5, 0, 1, 2);
    CHECK(t && cs_setfile_add_part(t, dir, "118/a.wav", 118, 118 / 122.5, &err) == 0);
    t->parts[0].loud = (cs_loudness){ .lufs = -17.25, .dbtp = -3.5, .n_slices = CS_LOUDNESS_SLICES };
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) t->parts[0].loud.slice[i] = i == 5 ? -INFINITY : -10.0f - 0.26f * (float)i;
    CHECK(cs_setfile_write(dir, &m, &err) == 0);
    cs_setfile_free(&m);
    CHECK_EQ_INT(cs_setfile_read(dir, &r, &err), 0);
    const cs_loudness *rl = &r.tracks[0].parts[0].loud;
    CHECK_EQ_INT(rl->n_slices, CS_LOUDNESS_SLICES);
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++)
        CHECK(i == 5 ? isinf(rl->slice[i]) : fabs(rl->slice[i] - (-10.0 - 0.26 * i)) <= 0.051);
    cs_setfile_free(&r);
    const char *odd[] = { "[-14,-14]", "[900,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,"
                                       "-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14]", "[-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,"
                                       "-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,-14,\"x\"]", "7", NULL };
    for (int k = 0; odd[k]; k++) {
        char js[1000];
        snprintf(js, sizeof js, "{\"format\":\"cs-set\",\"format_version\":1,\"tracks\":[{\"path\":\"a\",\"bpm\":120,"
                                "\"parts\":[{\"file\":\"118/a.wav\",\"bpm\":118,\"speed\":0.98,\"lufs\":-14,"
                                "\"loudness_slices\":%s}]}]}", odd[k]);
        CHECK(write_text(man, js) == 0);
        CHECK_EQ_INT(cs_setfile_read(dir, &r, &err), 0);
        CHECK(r.tracks[0].parts[0].loud.lufs == -14 && r.tracks[0].parts[0].loud.n_slices == 0);
        cs_setfile_free(&r);
    }
}

typedef struct { int n; cs_loudness l[3]; } rows_seen;

static int on_row(const cs_export_csv_in *r, void *arg, cs_err *err)
{
    rows_seen *s = arg;
    if (s->n < 3) s->l[s->n] = r->loud;
    s->n++;
    return 0;
}

/* The CSV's loudness columns are read when present (empty: none) and an
 * original 14-column CSV reads as before, loudness unknown. */
TEST(csv_loudness_columns)
{
    const char *p = unit_tmp_file("x.csv");
    CHECK(write_text(p, "path,bpm,key,target_bpm,speed,ini_cue,begin_cue,end_cue,begin_cue_adj,end_cue_adj,"
                        "duration_orig,duration_sectioned,part_file_orig,part_file,part_lufs,part_true_peak_dbtp\r\n"
                        "a,120,,118,0.98,0,1,2,1,2,0:02.00,0:02.00,o/a.wav,118/a.wav,-14.5,-1.25\r\n"
                        "b,120,,118,0.98,0,1,2,1,2,0:02.00,0:02.00,o/b.wav,118/b.wav,,\r\n") == 0);
    rows_seen s = {0};
    cs_err err;
    CHECK_EQ_INT(cs_export_csv_read(p, on_row, &s, &err), 0);
    CHECK(s.n == 2 && s.l[0].lufs == -14.5 && s.l[0].dbtp == -1.25);
    CHECK(isinf(s.l[1].lufs) && isinf(s.l[1].dbtp));
    CHECK(write_text(p, "path,bpm,key,target_bpm,speed,ini_cue,begin_cue,end_cue,begin_cue_adj,end_cue_adj,"
                        "duration_orig,duration_sectioned,part_file_orig,part_file\r\n"
                        "a,120,,118,0.98,0,1,2,1,2,0:02.00,0:02.00,o/a.wav,118/a.wav\r\n") == 0);
    s = (rows_seen){0};
    CHECK_EQ_INT(cs_export_csv_read(p, on_row, &s, &err), 0);
    CHECK(s.n == 1 && isinf(s.l[0].lufs));
    CHECK_STR(cs_export_csv_columns[CS_XC_PART_FILE], "part_file");
    CHECK_EQ_INT(CS_XC_PART_FILE, 13);                     /* the original's 14 first */
    CHECK_STR(cs_export_csv_columns[CS_XC_PART_LUFS], "part_lufs");
    CHECK_STR(cs_export_csv_columns[CS_XC_PART_TRUE_PEAK], "part_true_peak_dbtp");
}

/* The crossfade power match: two decks at equal-power gains (0.707 each)
 * holding the SAME signal sum 3 dB over one deck; matched, the mix has one
 * deck's power.  Two different tones (uncorrelated) are left alone. */
static double xf_run(double f2, double *c_out)
{
    static cs_xfpow x;
    cs_xfpow_init(&x);
    const int n = 256;
    float mix[2 * 256];
    double e_last = 0, e_one = 0;
    for (int blk = 0; blk < 1000; blk++) {
        double ed = 0, em = 0;
        if (blk < 800) e_last = e_one = 0;        /* judged over the last 200 blocks (1.2 s) */
        for (int i = 0; i < n; i++) {
            double t = (double)(blk * n + i) / 44100;
            float a = (float)(0.7071 * 0.5 * sin(2 * M_PI * 440 * t)), b = (float)(0.7071 * 0.5 * sin(2 * M_PI * f2 * t));
            ed += 2.0 * ((double)a * a + (double)b * b);
            mix[2 * i] = mix[2 * i + 1] = a + b;
            em += 2.0 * (double)(a + b) * (a + b);
            e_one += 2.0 * 0.25 * sin(2 * M_PI * 440 * t) * sin(2 * M_PI * 440 * t);
        }
        cs_xfpow_apply(&x, mix, n, ed, em, 44100);
        for (int i = 0; i < 2 * n; i++) e_last += (double)mix[i] * mix[i];
    }
    *c_out = x.c;
    return 10 * log10(e_last / e_one);
}

TEST(crossfade_power_match)
{
    double c;
    CHECK_NEAR(xf_run(440, &c), 0.0, 0.05);       /* correlated: +3 dB brought back to 0 */
    CHECK_NEAR(c, 0.7071, 0.01);
    CHECK_NEAR(xf_run(587.3, &c), 0.0, 0.1);      /* uncorrelated: already level */
    CHECK(c > 0.99f);
}

/* cs_lset_gains: a track's loudness is the mean of its rungs', its peak
 * their highest; a track too peaky is capped; an unmeasured one gets the
 * median gain of the others; a set with none is left alone. */
static void add(cs_lset *set, const char *name, double l0, double l1, double tp)
{
    cs_lset_track *t = cs_lset_add_track(set, name, 120, 0, 1, 2);
    double l[2] = { l0, l1 };
    for (int k = 0; t && k < 2; k++) {
        int r = cs_lset_add_rung(t, 118 + 4 * k, 1, "/x.wav");
        if (r >= 0 && isfinite(l[k])) t->rungs[r].loud = (cs_loudness){ .lufs = l[k], .dbtp = tp };
    }
}

TEST(set_gains)
{
    cs_lset set = {0};
    add(&set, "/a.wav", -20, -20.2, -8);
    add(&set, "/b.wav", -10, -10, -1);
    add(&set, "/c.wav", -30, -30, -2);              /* +20 dB would peak at +14 dBTP */
    add(&set, "/d.wav", -INFINITY, -INFINITY, 0);   /* never measured */
    CHECK(set.n == 4 && set.tracks[3].n_rungs == 2 && isinf(set.tracks[3].rungs[0].loud.lufs));
    /* target -14, chain -4 dB, peaks may reach +5 (the limiter takes the rest) */
    CHECK_EQ_INT(cs_lset_gains(&set, -14, -4, 5), 3);
    CHECK_NEAR(set.tracks[0].gain_db, 10.1, 1e-9);
    CHECK_NEAR(set.tracks[1].gain_db, 0.0, 1e-9);
    CHECK_NEAR(set.tracks[2].gain_db, 11.0, 1e-9);  /* capped: 5 - (-2 - 4) */
    CHECK_NEAR(set.tracks[3].gain_db, 10.1, 1e-9);  /* the median of 0, 10.1, 11 */
    /* an even count: the mean of the two middle gains (0, 10.1, 10.1, 11) */
    add(&set, "/e.wav", -20, -20.2, -8);
    add(&set, "/f.wav", -INFINITY, -INFINITY, 0);
    CHECK_EQ_INT(cs_lset_gains(&set, -14, -4, 5), 4);
    CHECK_NEAR(set.tracks[3].gain_db, 10.1, 1e-9);
    CHECK_NEAR(set.tracks[5].gain_db, 10.1, 1e-9);
    set.tracks[4].rungs[0].loud.lufs = -19.1;      /* gains 0, 9.1, 10.1, 11 */
    set.tracks[4].rungs[1].loud.lufs = -19.1;
    CHECK_EQ_INT(cs_lset_gains(&set, -14, -4, 5), 4);
    CHECK_NEAR(set.tracks[5].gain_db, 9.6, 1e-9);
    cs_lset_free(&set);

    cs_lset none = {0};
    add(&none, "/a.wav", -INFINITY, -INFINITY, 0);
    CHECK_EQ_INT(cs_lset_gains(&none, -14, -4, 5), 0);
    CHECK(none.tracks[0].gain_db == 0);
    cs_lset_free(&none);
}

/* cs_lset_solo_gain: the gain for what a track plays alone, from the end of
 * its incoming fade to its begin cue.  A 32 s part (u = part time at speed
 * 1) at -20 LUFS for its first half, -30 for its second; begin cue at 24 s. */
TEST(solo_gain)
{
    cs_lset set = {0};
    cs_lset_track *t = cs_lset_add_track(&set, "/a.wav", 120, 0, 24, 32);
    int r = t ? cs_lset_add_rung(t, 120, 1, "/x.wav") : -1;
    CHECK(r >= 0);
    cs_lset_rung *g = &t->rungs[r];
    g->frames = 32LL * CS_RATE;
    g->loud = (cs_loudness){ .lufs = 10 * log10((0.01 + 0.001) / 2), .dbtp = -10, .n_slices = CS_LOUDNESS_SLICES };
    for (int i = 0; i < CS_LOUDNESS_SLICES; i++) g->loud.slice[i] = i < 16 ? -20.0f : -30.0f;
    double l;
    /* before cs_lset_gains: the part's gain (0), its integrated loudness */
    CHECK(cs_lset_solo_gain(t, 4, &l, NULL) == 0 && fabs(l - g->loud.lufs) < 1e-9);
    /* target -14, chain -4, ceiling +5: level -10 */
    CHECK_EQ_INT(cs_lset_gains(&set, -14, -4, 5), 1);
    CHECK_NEAR(t->gain_db, -10 - g->loud.lufs, 1e-9);
    /* alone from 0 to the begin cue: 16 s at -20, 8 s at -30 */
    double w = 10 * log10((2 * 0.01 + 0.001) / 3);
    CHECK_NEAR(cs_lset_solo_gain(t, 0, &l, NULL), -10 - w, 0.01);
    CHECK_NEAR(l, w, 0.01);
    /* from 8 s to the begin cue (24 s): half each */
    CHECK_NEAR(cs_lset_solo_gain(t, 8, &l, NULL), -10 - 10 * log10((0.01 + 0.001) / 2), 0.01);
    /* from 16 s: -30 (the begin cue 8 s later) */
    bool capped = false;
    CHECK_NEAR(cs_lset_solo_gain(t, 8, &l, &capped), -10 - 10 * log10((0.01 + 0.001) / 2), 0.01);
    CHECK(!capped);
    CHECK_NEAR(cs_lset_solo_gain(t, 16, &l, &capped), 19, 0.01);   /* 20, capped: peak -10 + 19 = ceiling 5 - chain -4 */
    CHECK(capped);
    CHECK_NEAR(l, -30, 0.01);
    /* within 2 s of the begin cue: to the part's end instead */
    CHECK_NEAR(cs_lset_solo_gain(t, 23, &l, NULL), 19, 0.01);
    CHECK_NEAR(l, -30, 0.01);
    /* no slices: the part's gain */
    g->loud.n_slices = 0;
    CHECK_NEAR(cs_lset_solo_gain(t, 16, &l, NULL), t->gain_db, 1e-9);
    /* no length known (not probed): the part's gain */
    g->loud.n_slices = CS_LOUDNESS_SLICES;
    g->frames = 0;
    CHECK_NEAR(cs_lset_solo_gain(t, 16, NULL, NULL), t->gain_db, 1e-9);
    cs_lset_free(&set);
}
