/* Decoding cuts sample-exactly, channel/rate conversion, errors, and the
 * atomic writer. */
#include "tests/unit/unit.h"
#include "pkg/audio.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *tmp_path(const char *name) { return unit_tmp_file(name); }

static int have_ffmpeg(void)
{
    return system("ffmpeg -version >/dev/null 2>&1") == 0;
}

static int run(const char *cmd)
{
    char full[2048];
    snprintf(full, sizeof full, "%s >/dev/null 2>&1", cmd);
    return system(full);
}

/* Float WAV whose samples encode their index: ch0 = (i % 65536) / 65536,
 * ch1 = -ch0.  Floats of that form are stored and decoded exactly. */
static int write_index_wav(const char *path, size_t frames, int rate)
{
    cs_audio a;
    cs_err e;
    if (cs_audio_alloc(&a, frames, 2, rate) < 0) return -1;
    for (size_t i = 0; i < frames; i++) {
        a.data[2 * i] = (float)(i % 65536) / 65536.0f;
        a.data[2 * i + 1] = -a.data[2 * i];
    }
    int rc = cs_audio_write(path, &a, CS_FMT_WAV32F, &e);
    cs_audio_free(&a);
    return rc;
}

/* Mono clicks (one-sample-wide 2 kHz bursts) at the given times over silence. */
static void clicks(cs_audio *a, const double *t, int n)
{
    for (int k = 0; k < n; k++) {
        size_t s = (size_t)llround(t[k] * a->rate);
        for (size_t j = 0; j < 40 && s + j < a->frames; j++)
            for (int c = 0; c < a->channels; c++)
                a->data[(s + j) * (size_t)a->channels + (size_t)c] =
                    0.8f * (float)sin(2 * M_PI * 2000.0 * (double)j / a->rate) *
                    (float)exp(-(double)j / 20.0);
    }
}

/* First sample at or after `from` whose magnitude exceeds thr; -1 if none. */
static long first_above(const cs_audio *a, size_t from, float thr)
{
    for (size_t i = from; i < a->frames; i++)
        for (int c = 0; c < a->channels; c++)
            if (fabsf(a->data[i * (size_t)a->channels + (size_t)c]) > thr) return (long)i;
    return -1;
}

TEST(wav_cut_is_sample_exact)
{
    const char *p = tmp_path("index.wav");
    CHECK(write_index_wav(p, 44100 * 25, 44100) == 0);
    cs_audio a;
    cs_err e = {0};
    int rc = cs_audio_decode(p, 0, 0, 10.0, 20.0, &a, &e);
    if (rc < 0) unit_fail(__FILE__, __LINE__, "%s", e.msg);
    CHECK(rc == 0);
    CHECK_EQ_INT(a.frames, 441000);
    CHECK_EQ_INT(a.channels, 2);
    CHECK_EQ_INT(a.rate, 44100);
    size_t bad = 0;
    for (size_t i = 0; i < a.frames; i++) {
        float want = (float)((441000 + i) % 65536) / 65536.0f;
        if (a.data[2 * i] != want || a.data[2 * i + 1] != -want) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    cs_audio_free(&a);

    /* Odd, non-integer-sample boundaries round to the nearest frame. */
    CHECK(cs_audio_decode(p, 0, 0, 3.00001, 3.5, &a, &e) == 0);
    CHECK_EQ_INT(a.frames, llround(3.5 * 44100) - llround(3.00001 * 44100));
    CHECK(a.data[0] == (float)(llround(3.00001 * 44100) % 65536) / 65536.0f);
    cs_audio_free(&a);

    /* To the end. */
    CHECK(cs_audio_decode(p, 0, 0, 24.0, 0, &a, &e) == 0);
    CHECK_EQ_INT(a.frames, 44100);
    cs_audio_free(&a);
}

TEST(decoder_streams_and_seeks_exactly)
{
    const char *p = tmp_path("index2.wav");
    CHECK(write_index_wav(p, 44100 * 5, 44100) == 0);
    cs_err e;
    cs_decoder *d = cs_decoder_open(p, 0, 0, &e);
    CHECK(d != NULL);
    CHECK_NEAR(cs_decoder_duration(d), 5.0, 1e-3);
    float buf[2 * 1000];
    size_t total = 0;
    long r;
    int ok = 1;
    while ((r = cs_decoder_read(d, buf, 1000, &e)) > 0) {
        for (long i = 0; i < r; i++)
            if (buf[2 * i] != (float)((total + (size_t)i) % 65536) / 65536.0f) ok = 0;
        total += (size_t)r;
    }
    CHECK(r == 0);
    CHECK(ok);
    CHECK_EQ_INT(total, 44100 * 5);
    const double at[] = { 2.5, 0.0, 4.99, 1.23456 };
    for (int k = 0; k < 4; k++) {
        CHECK(cs_decoder_seek(d, at[k], &e) == 0);
        CHECK_EQ_INT(cs_decoder_tell(d), llround(at[k] * 44100));
        CHECK(cs_decoder_read(d, buf, 10, &e) == 10);
        CHECK(buf[0] == (float)(llround(at[k] * 44100) % 65536) / 65536.0f);
    }
    cs_decoder_free(d);
}

TEST(flac_cut_is_sample_exact)
{
    /* 16-bit FLAC: libsndfile scales FLAC by 32768, FFmpeg decodes by
     * 32768, so k/32768 round-trips exactly. */
    const char *p = tmp_path("index.flac");
    cs_audio a;
    cs_err e;
    size_t n = 44100 * 22;
    CHECK(cs_audio_alloc(&a, n, 1, 44100) == 0);
    for (size_t i = 0; i < n; i++) a.data[i] = (float)((int)(i % 32768) - 16384) / 32768.0f;
    CHECK(cs_audio_write(p, &a, CS_FMT_FLAC16, &e) == 0);
    cs_audio_free(&a);
    CHECK(cs_audio_decode(p, 0, 0, 10.0, 20.0, &a, &e) == 0);
    CHECK_EQ_INT(a.frames, 441000);
    size_t bad = 0;
    for (size_t i = 0; i < a.frames; i++)
        if (a.data[i] != (float)((int)((441000 + i) % 32768) - 16384) / 32768.0f) bad++;
    CHECK_EQ_INT(bad, 0);
    cs_audio_free(&a);
}

TEST(mono_to_stereo_and_stereo_to_mono)
{
    const char *p = tmp_path("mono.wav");
    cs_audio a, b;
    cs_err e;
    CHECK(cs_audio_alloc(&a, 4410, 1, 44100) == 0);
    for (size_t i = 0; i < a.frames; i++) a.data[i] = 0.5f * (float)sin(0.05 * (double)i);
    CHECK(cs_audio_write(p, &a, CS_FMT_WAV32F, &e) == 0);
    CHECK(cs_audio_decode(p, 0, 2, 0, 0, &b, &e) == 0);
    CHECK_EQ_INT(b.channels, 2);
    CHECK_EQ_INT(b.frames, 4410);
    for (size_t i = 0; i < a.frames; i++) {
        CHECK(b.data[2 * i] == a.data[i]);
        CHECK(b.data[2 * i + 1] == a.data[i]);
    }
    cs_audio_free(&b);
    const char *p2 = tmp_path("index3.wav");
    CHECK(write_index_wav(p2, 1000, 44100) == 0);
    CHECK(cs_audio_decode(p2, 0, 1, 0, 0, &b, &e) == 0);
    CHECK_EQ_INT(b.channels, 1);
    for (size_t i = 0; i < b.frames; i++) CHECK(b.data[i] == 0.0f);  /* (x + -x) / 2 */
    cs_audio_free(&b);
    cs_audio_free(&a);
}

TEST(resample_48k_to_44k_keeps_time)
{
    const char *p = tmp_path("clicks48.wav");
    cs_audio a, full, cut;
    cs_err e;
    const double t[] = { 0.5, 1.25, 2.0, 3.1 };
    CHECK(cs_audio_alloc(&a, 48000 * 4, 2, 48000) == 0);
    clicks(&a, t, 4);
    CHECK(cs_audio_write(p, &a, CS_FMT_WAV32F, &e) == 0);
    cs_audio_free(&a);
    CHECK(cs_audio_decode(p, 44100, 0, 0, 0, &full, &e) == 0);
    CHECK_EQ_INT(full.rate, 44100);
    CHECK_NEAR((double)full.frames, 44100 * 4, 1);
    long at = 0;
    for (int k = 0; k < 4; k++) {
        at = first_above(&full, (size_t)at, 0.05f);
        CHECK(at >= 0);
        CHECK_NEAR(at / 44100.0, t[k], 0.0002);
        at += 2000;
    }
    /* A cut equals the same frames of the whole decode. */
    CHECK(cs_audio_decode(p, 44100, 0, 1.0, 2.5, &cut, &e) == 0);
    CHECK_EQ_INT(cut.frames, 66150);
    double maxd = 0;
    for (size_t i = 0; i < cut.frames * 2; i++) {
        double dlt = fabs(cut.data[i] - full.data[44100 * 2 + i]);
        if (dlt > maxd) maxd = dlt;
    }
    CHECK(maxd < 1e-4);
    cs_audio_free(&cut);
    cs_audio_free(&full);
}

static void check_lossy(const char *ext, const char *codec_args, double tol)
{
    if (!have_ffmpeg()) { unit_skip("ffmpeg CLI not found"); return; }
    const char *src = tmp_path("lossy-src.wav");
    char dst[600], cmd[1600];
    snprintf(dst, sizeof dst, "%s/lossy.%s", unit_tmpdir(), ext);
    cs_audio a, full, cut;
    cs_err e = {0};
    const double t[] = { 1.0, 10.5, 12.25, 15.0, 19.5 };
    CHECK(cs_audio_alloc(&a, 44100 * 24, 2, 44100) == 0);
    clicks(&a, t, 5);
    CHECK(cs_audio_write(src, &a, CS_FMT_WAV16, &e) == 0);
    cs_audio_free(&a);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -y -i '%s' %s '%s'", src, codec_args, dst);
    if (run(cmd) != 0) { unit_skip("ffmpeg cannot encode .%s", ext); return; }
    if (cs_audio_decode(dst, 0, 0, 0, 0, &full, &e) < 0) {
        unit_fail(__FILE__, __LINE__, "%s", e.msg);
        return;
    }
    long at = 0;
    double worst = 0;
    for (int k = 0; k < 5; k++) {
        at = first_above(&full, (size_t)at, 0.2f);
        if (at >= 0 && fabs(at / 44100.0 - t[k]) > worst) worst = fabs(at / 44100.0 - t[k]);
        CHECK(at >= 0);
        if (fabs(at / 44100.0 - t[k]) > tol)
            unit_fail(__FILE__, __LINE__, ".%s whole: click %d at %.5f, expected %.5f", ext, k,
                      at / 44100.0, t[k]);
        at += 2000;
    }
    CHECK(cs_audio_decode(dst, 0, 0, 10.0, 20.0, &cut, &e) == 0);
    CHECK_EQ_INT(cut.frames, 441000);
    at = 0;
    for (int k = 1; k < 5; k++) {
        at = first_above(&cut, (size_t)at, 0.2f);
        CHECK(at >= 0);
        if (fabs(at / 44100.0 - (t[k] - 10.0)) > worst) worst = fabs(at / 44100.0 - (t[k] - 10.0));
        if (fabs(at / 44100.0 - (t[k] - 10.0)) > tol)
            unit_fail(__FILE__, __LINE__, ".%s cut: click %d at %.5f, expected %.5f", ext, k,
                      at / 44100.0, t[k] - 10.0);
        at += 2000;
    }
    printf("# .%s (%s): worst click offset %.3f ms\n", ext, codec_args, worst * 1000);
    cs_audio_free(&cut);
    cs_audio_free(&full);
}

TEST(mp3_cut_within_a_few_ms) { check_lossy("mp3", "-c:a libmp3lame -b:a 192k", 0.003); }
TEST(mp3_vbr_cut_within_a_few_ms) { check_lossy("mp3", "-c:a libmp3lame -q:a 4", 0.003); }
TEST(ogg_cut_within_a_few_ms) { check_lossy("ogg", "-c:a libvorbis -q:a 4", 0.003); }
TEST(m4a_cut_within_a_few_ms) { check_lossy("m4a", "-c:a aac -b:a 192k", 0.003); }

TEST(errors_name_the_file)
{
    cs_audio a;
    cs_err e = {0};
    const char *missing = tmp_path("nope.wav");
    CHECK(cs_audio_decode(missing, 0, 0, 0, 0, &a, &e) < 0);
    CHECK(strstr(e.msg, missing) != NULL);
    CHECK(strstr(e.msg, "No such file") != NULL);

    const char *txt = tmp_path("text.wav");
    FILE *f = fopen(txt, "w");
    CHECK(f != NULL);
    for (int i = 0; i < 200; i++) fprintf(f, "this is not audio, line %d\n", i);
    fclose(f);
    CHECK(cs_audio_decode(txt, 0, 0, 0, 0, &a, &e) < 0);
    CHECK(strstr(e.msg, txt) != NULL);
    printf("# %s\n", e.msg);

    CHECK(cs_audio_decode(unit_tmpdir(), 0, 0, 0, 0, &a, &e) < 0);
    CHECK(strstr(e.msg, "directory") != NULL);

    const char *p = tmp_path("short.wav");
    CHECK(write_index_wav(p, 44100, 44100) == 0);
    CHECK(cs_audio_decode(p, 0, 0, 5.0, 6.0, &a, &e) < 0);
    CHECK(strstr(e.msg, "beyond the end") != NULL);
    CHECK(strstr(e.msg, p) != NULL);
    CHECK(cs_audio_decode(p, 0, 0, 0.5, 0.5, &a, &e) < 0);

    if (have_ffmpeg()) {
        const char *png = tmp_path("image.png");
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -y -f lavfi -i color=c=red:s=16x16 -frames:v 1 '%s'", png);
        if (run(cmd) == 0) {
            CHECK(cs_audio_decode(png, 0, 0, 0, 0, &a, &e) < 0);
            CHECK(strstr(e.msg, "no audio stream") != NULL);
        }
    }
}

static int count_tmp_files(void)
{
    DIR *dir = opendir(unit_tmpdir());
    struct dirent *de;
    int n = 0;
    if (!dir) return -1;
    while ((de = readdir(dir)))
        if (strstr(de->d_name, ".tmp.")) n++;
    closedir(dir);
    return n;
}

TEST(write_formats_roundtrip_and_clip)
{
    static const cs_audio_format fmts[] = { CS_FMT_WAV16, CS_FMT_WAV24, CS_FMT_WAV32F,
                                            CS_FMT_FLAC16, CS_FMT_FLAC24 };
    static const double tol[] = { 1.0 / 16384, 1.0 / 4e6, 0, 1.0 / 16384, 1.0 / 4e6 };
    cs_audio a, b;
    cs_err e;
    CHECK(cs_audio_alloc(&a, 1000, 2, 48000) == 0);
    for (size_t i = 0; i < 2000; i++) a.data[i] = 0.9f * (float)sin(0.01 * (double)i);
    a.data[10] = 1.5f;     /* must clip to full scale, not wrap */
    a.data[11] = -1.5f;
    for (int k = 0; k < 5; k++) {
        const char *p = tmp_path(k < 3 ? "fmt.wav" : "fmt.flac");
        CHECK(cs_audio_write(p, &a, fmts[k], &e) == 0);
        CHECK(cs_audio_decode(p, 0, 0, 0, 0, &b, &e) == 0);
        CHECK_EQ_INT(b.frames, 1000);
        CHECK_EQ_INT(b.rate, 48000);
        CHECK_EQ_INT(b.channels, 2);
        for (size_t i = 0; i < 2000; i++) {
            if (i == 10 || i == 11) continue;
            CHECK_NEAR(b.data[i], a.data[i], tol[k] + 1e-7);
        }
        if (fmts[k] == CS_FMT_WAV32F) {
            CHECK(b.data[10] == 1.5f);
        } else {
            CHECK(b.data[10] > 0.99f);
            CHECK(b.data[11] < -0.99f);
        }
        cs_audio_free(&b);
    }
    CHECK_EQ_INT(count_tmp_files(), 0);
    cs_audio_free(&a);
}

TEST(write_failures_leave_nothing)
{
    cs_audio a;
    cs_err e = {0};
    CHECK(cs_audio_alloc(&a, 48000 * 4, 2, 48000) == 0);
    for (size_t i = 0; i < a.frames * 2; i++) a.data[i] = 0.1f;
    const char *nodir = tmp_path("no/such/dir/x.wav");
    CHECK(cs_audio_write(nodir, &a, CS_FMT_WAV16, &e) < 0);
    CHECK(strstr(e.msg, nodir) != NULL);

    /* A full disk, simulated by a file-size limit: the old file survives
     * and no temporary is left. */
    const char *p = tmp_path("keep.wav");
    cs_audio small;
    CHECK(cs_audio_alloc(&small, 100, 2, 48000) == 0);
    CHECK(cs_audio_write(p, &small, CS_FMT_WAV16, &e) == 0);
    struct rlimit old, lim;
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 100000;
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    int rc = cs_audio_write(p, &a, CS_FMT_WAV16, &e);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, oldsig);
    CHECK(rc < 0);
    CHECK(strstr(e.msg, "write failed") != NULL);
    CHECK_EQ_INT(count_tmp_files(), 0);
    cs_audio b;
    CHECK(cs_audio_decode(p, 0, 0, 0, 0, &b, &e) == 0);
    CHECK_EQ_INT(b.frames, 100);
    cs_audio_free(&b);
    cs_audio_free(&small);
    cs_audio_free(&a);
}
