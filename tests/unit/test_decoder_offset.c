/* Decoder offsets between programs (issue 22 item 1, the "26 ms problem").
 * The same click track as WAV, MP3 with a LAME header, MP3 without one
 * (-write_xing 0) and M4A (FFmpeg's aac encoder).  The "ignores the header"
 * timeline (Rekordbox's) is FFmpeg's own decode with -flags2 skip_manual
 * (nothing skipped).  A grid time taken there, shifted by
 * cs_decoder_offset, must cut within 1 ms of the click in our decode. */
#include "tests/unit/unit.h"
#include "pkg/audio.h"
#include "pkg/decoder_offset.h"

#include <stdlib.h>

#define RATE 44100
static const double CLICKS[] = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0};

static int have_ffmpeg(void) { return system("ffmpeg -version >/dev/null 2>&1") == 0; }

/* ffmpeg -i IN OPTS OUT */
static int ffmpeg(const char *pre, const char *in, const char *opts, const char *out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -loglevel error -y %s -i '%s' %s '%s'", pre, in, opts, out);
    return system(cmd);
}

static int click_wav(const char *path)
{
    cs_audio a;
    cs_err e;
    if (cs_audio_alloc(&a, (size_t)(RATE * 4), 1, RATE) < 0) return -1;
    for (size_t k = 0; k < sizeof CLICKS / sizeof CLICKS[0]; k++) {
        size_t s = (size_t)llround(CLICKS[k] * RATE);
        for (size_t j = 0; j < 200; j++)
            a.data[s + j] = 0.6f * (float)(sin(2 * M_PI * 2000.0 * (double)j / RATE) * exp(-(double)j / 50.0));
    }
    int rc = cs_audio_write(path, &a, CS_FMT_WAV16, &e);
    cs_audio_free(&a);
    return rc;
}

/* Seconds of the first |sample| > thr at or after `from` s; -1 if none. */
static double onset(const cs_audio *a, double from, float thr)
{
    for (size_t i = (size_t)(from * a->rate); i < a->frames; i++)
        if (fabsf(a->data[i * (size_t)a->channels]) > thr) return (double)i / a->rate;
    return -1;
}

static void check_format(const char *name, const char *encode, double want_offset_ms)
{
    if (!have_ffmpeg()) { unit_skip("no ffmpeg"); return; }
    const char *wav = unit_tmp_file("click.wav"), *enc = unit_tmp_file(name), *plain = unit_tmp_file("plain.wav");
    CHECK(click_wav(wav) == 0);
    CHECK(ffmpeg("", wav, encode, enc) == 0);
    CHECK(ffmpeg("-flags2 skip_manual", enc, "-c:a pcm_f32le", plain) == 0);
    double off = -1;
    cs_err e = {0};
    CHECK(cs_decoder_offset(enc, &off, &e) == 0);
    printf("# %s: offset %.3f ms\n", name, off * 1e3);
    CHECK(fabs(off * 1e3 - want_offset_ms) < 0.05);
    cs_audio ign, ff;
    CHECK(cs_audio_decode(plain, RATE, 1, 0, 0, &ign, &e) == 0);
    CHECK(cs_audio_decode(enc, RATE, 1, 0, 0, &ff, &e) == 0);
    for (size_t k = 0; k < sizeof CLICKS / sizeof CLICKS[0]; k++) {
        double t_rb = onset(&ign, CLICKS[k] - 0.1, 0.2);        /* the grid in Rekordbox's timeline */
        double t_ff = onset(&ff, CLICKS[k] - 0.1, 0.2);         /* the beat in ours */
        CHECK(t_rb > 0 && t_ff > 0);
        double cut = t_rb - off;
        if (fabs(cut - t_ff) >= 0.001)
            printf("# %s click %zu: grid %.4f s, shifted %.4f s, beat %.4f s\n", name, k, t_rb, cut, t_ff);
        CHECK(fabs(cut - t_ff) < 0.001);
        /* and a cut from the shifted time starts on the click */
        cs_audio c;
        CHECK(cs_audio_decode(enc, RATE, 1, cut, cut + 0.05, &c, &e) == 0);
        double o = onset(&c, 0, 0.2);
        CHECK(o >= 0 && o < 0.001);
        cs_audio_free(&c);
    }
    cs_audio_free(&ign);
    cs_audio_free(&ff);
}

/* LAME writes 576 samples of encoder delay; FFmpeg skips 576 + 529 = 1105
 * samples = 25.057 ms at 44.1 kHz (the "25.0 ms after the beat"). */
TEST(mp3_with_lame_header_shifts_25ms) { check_format("lame.mp3", "-c:a libmp3lame -b:a 192k", 1105.0 / 44.1); }
TEST(mp3_without_lame_header_no_shift) { check_format("nolame.mp3", "-c:a libmp3lame -b:a 192k -write_xing 0", 0.0); }
/* FFmpeg's aac encoder primes 1024 samples, in the M4A's edit list. */
TEST(m4a_priming_shifts_1024_samples) { check_format("a.m4a", "-c:a aac -b:a 192k", 1024.0 / 44.1); }
TEST(wav_has_no_offset)
{
    const char *wav = unit_tmp_file("c2.wav");
    CHECK(click_wav(wav) == 0);
    double off = -1;
    cs_err e = {0};
    CHECK(cs_decoder_offset(wav, &off, &e) == 0);
    CHECK(off == 0);
    CHECK(cs_decoder_offset(unit_tmp_file("missing.mp3"), &off, &e) < 0);
    CHECK(strstr(e.msg, "missing.mp3") != NULL);
}
