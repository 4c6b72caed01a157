/* Issue 22 item 7: a cut's end time comes from a struct (input).  No end,
 * however large, may wrap frames x channels x 4 bytes or allocate for audio
 * the file does not hold: the cut is what the file has, and the caller (cs
 * export) says "cues outside the audio". */
#include "tests/unit/unit.h"
#include "pkg/allin1.h"
#include "pkg/audio.h"

#include <stdint.h>
#include <stdlib.h>

static int one_second_wav(const char *path, int rate, int ch)
{
    cs_audio a;
    cs_err e;
    if (cs_audio_alloc(&a, (size_t)rate, ch, rate) < 0) return -1;
    for (size_t i = 0; i < a.frames * (size_t)ch; i++) a.data[i] = 0.25f;
    int rc = cs_audio_write(path, &a, CS_FMT_WAV16, &e);
    cs_audio_free(&a);
    return rc;
}

/* 1e14 s x 44100 Hz x 2 channels x 4 bytes = 3.5e19 > 2^64: the old code
 * allocated the wrapped size (a few bytes) and decoded the file into it. */
TEST(end_that_wraps_size_t_reads_what_the_file_holds)
{
    const char *p = unit_tmp_file("one.wav");
    CHECK(one_second_wav(p, 44100, 2) == 0);
    const double ends[] = {1.0e14, 2.1e14, 5.0e10, 1.0e300, INFINITY};
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        cs_audio a;
        cs_err e = {0};
        CHECK(cs_audio_decode(p, 0, 0, 0.5, ends[k], &a, &e) == 0);
        CHECK_EQ_INT((long)a.frames, 22050);
        CHECK_EQ_INT(a.channels, 2);
        CHECK(a.data[2 * 22049 + 1] > 0.2f);
        cs_audio_free(&a);
    }
}

/* The same through FFmpeg with a length that is only an estimate (raw MP3
 * without a Xing header): the buffer grows with the audio, never to the end. */
TEST(huge_end_on_an_estimated_length)
{
    if (system("ffmpeg -version >/dev/null 2>&1") != 0) { unit_skip("no ffmpeg"); return; }
    const char *w = unit_tmp_file("one48.wav"), *m = unit_tmp_file("one.mp3");
    CHECK(one_second_wav(w, 48000, 2) == 0);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -y -loglevel error -i '%s' -c:a libmp3lame -write_xing 0 '%s'", w, m);
    CHECK(system(cmd) == 0);
    cs_audio a;
    cs_err e = {0};
    CHECK(cs_audio_decode(m, 0, 0, 0.0, 9.0e13, &a, &e) == 0);
    CHECK(a.frames > 47000 && a.frames < 51000);
    cs_audio_free(&a);
    CHECK(cs_audio_decode(m, 0, 0, 1.0e300, 0, &a, &e) < 0);
    CHECK(strstr(e.msg, "beyond the end") != NULL);
}

/* Struct times are bounded where they are read: beyond CS_TIME_MAX_S is no
 * audio time (and a product with any rate and channel count would wrap). */
TEST(struct_times_are_bounded)
{
    const char *js = "{\"path\":\"x.mp3\",\"bpm\":120,\"beats\":[0.5,1.0],\"downbeats\":[0.5],"
                     "\"segments\":[{\"start\":0,\"end\":1,\"label\":\"intro\"},"
                     "{\"start\":1,\"end\":2e11,\"label\":\"verse\"}]}";
    cs_struct s;
    cs_err e = {0};
    CHECK(cs_allin1_parse(js, strlen(js), "x.json", &s, &e) < 0);
    CHECK(strstr(e.msg, "segments[1]") != NULL);
    printf("# %s\n", e.msg);
    const char *ok = "{\"path\":\"x.mp3\",\"bpm\":120,\"beats\":[0.5,1.0],\"downbeats\":[0.5],"
                     "\"segments\":[{\"start\":0,\"end\":1,\"label\":\"intro\"},"
                     "{\"start\":1,\"end\":5e10,\"label\":\"verse\"}]}";
    CHECK(cs_allin1_parse(ok, strlen(ok), "x.json", &s, &e) == 0);
    CHECK_NEAR(s.segments.v[1].end, 5e10, 1);
    cs_struct_free(&s);
}
