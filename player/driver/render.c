/* Offline rendering: the live engine, driven by a script instead of the
 * network and by this loop instead of a device.  Blocks end exactly at the
 * script's times and the reader is pumped synchronously (every stream full
 * before each block), so the result is the same on every run. */
#include "player/driver/render.h"
#include "pkg/audio.h"
#include "pkg/audio_sf.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pkg/fsutil.h"

#define BLOCK 1024

/* The control clock is the engine's: the output time without a stretcher,
 * the mix's own (pre-stretch) timeline with one, as in live mode. */
static uint64_t clock_of(const cs_render_job *job, uint64_t t)
{
    return job->stretch ? cs_engine_now(job->engine) : t;
}

/* The file formats a render writes, by extension: libsndfile writes them
 * all (MP3 through LAME, Opus and Vorbis in Ogg). */
static const struct { const char *ext, *name; int format; } formats[] = {
    { ".wav", "WAV (32-bit float)", SF_FORMAT_WAV | SF_FORMAT_FLOAT },
    { ".flac", "FLAC (24-bit)", SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
    { ".aiff", "AIFF (24-bit)", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
    { ".aif", "AIFF (24-bit)", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
    { ".ogg", "Ogg Vorbis", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
    { ".opus", "Ogg Opus", SF_FORMAT_OGG | SF_FORMAT_OPUS },
    { ".mp3", "MP3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
};

int cs_render_format(const char *path, int *format, cs_err *err)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (!dot || (slash && dot < slash))
        return cs_err_setc(err, CS_ERR_USAGE, "%s: no file extension to tell the format by (use %s)", path, CS_RENDER_EXTS);
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcasecmp(dot, formats[i].ext)) continue;
        SF_INFO probe = { .samplerate = CS_RATE, .channels = 2, .format = formats[i].format };
        if (!sf_format_check(&probe))
            return cs_err_setc(err, CS_ERR_CODEC, "%s: this libsndfile cannot write %s", path, formats[i].name);
        *format = formats[i].format;
        return 0;
    }
    return cs_err_setc(err, CS_ERR_USAGE, "%s: '%s' is not a format a render writes (use %s)", path, dot, CS_RENDER_EXTS);
}

int cs_render_run(const cs_render_job *job, cs_err *err)
{
    if (!(job->duration > 0) || !isfinite(job->duration))
        return cs_err_setc(err, CS_ERR_USAGE, "--duration must be a positive number of seconds");
    int format;
    if (cs_render_format(job->path, &format, err) < 0) return -1;
    SF_INFO info = { .samplerate = CS_RATE, .channels = 2, .format = format };
    /* Written to a temporary and renamed when whole, as every output: a
     * failed or killed render leaves no partial file under its name. */
    cs_remove_stale_temps(job->path);
    char tmp[CS_TEMP_NAME_MAX];
    int fd = cs_temp_open(job->path, tmp);
    if (fd < 0) return cs_err_setc(err, CS_ERR_IO, "%s: cannot create: %s", job->path, strerror(errno));
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!sf) {
        cs_err_setc(err, CS_ERR_IO, "%s: %s", job->path, sf_strerror(NULL));
        cs_temp_abort(fd, tmp);
        return -1;
    }
    /* No PEAK chunk: it carries a timestamp, and equal renders should be
     * equal files. */
    sf_command(sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);

    /* The master limiter's delay (loudness-matched sets): its first frames
     * are dropped and as many more rendered, so the file's frame t is
     * engine sample t, as without it. */
    uint64_t skip = job->stretch ? 0 : cs_engine_latency(job->engine);
    uint64_t total = (uint64_t)llround(job->duration * CS_RATE) + skip, t = 0;
    float buf[2 * BLOCK];
    int rc = 0;
    while (t < total) {
        while (job->script && cs_osc_script_next_time(job->script) <= t) {
            cs_control_set_clock(job->control, clock_of(job, t));
            cs_osc_script_run_next(job->script, job->control);
            cs_reader_pump(job->reader, true);
            cs_control_tick(job->control);
        }
        cs_control_set_clock(job->control, clock_of(job, t));
        cs_reader_pump(job->reader, true);
        cs_control_tick(job->control);
        if (job->stretch) cs_live_stretch_set_tempo(job->stretch, cs_control_stretch_tempo(job->control));
        uint64_t n = total - t < BLOCK ? total - t : BLOCK;
        uint64_t next = job->script ? cs_osc_script_next_time(job->script) : UINT64_MAX;
        if (next > t && next - t < n) n = next - t;
        /* The output clock of a render: engine time 0 = monotonic 0 = the
         * render's start (control maps time tags without it, see
         * cs_control_tag_time; published so both modes look alike). */
        uint64_t head = job->stretch ? cs_live_stretch_position(job->stretch) : t;
        cs_engine_clock_publish(job->engine, head, (int64_t)((double)head * 1e9 / CS_RATE));
        if (job->stretch) cs_live_stretch_process(job->stretch, buf, (size_t)n);
        else cs_engine_process(job->engine, buf, (size_t)n);
        errno = 0;
        uint64_t drop = t < skip ? (skip - t < n ? skip - t : n) : 0;
        if (sf_writef_float(sf, buf + 2 * drop, (sf_count_t)(n - drop)) != (sf_count_t)(n - drop)) {
            rc = cs_err_setc(err, CS_ERR_IO, "%s: write failed: %s", job->path, cs_sf_write_error(sf, errno));
            break;
        }
        t += n;
    }
    cs_control_set_clock(job->control, clock_of(job, t));
    cs_control_tick(job->control);
    cs_control_log_unknown(job->control);
    errno = 0;
    if (sf_close(sf) != 0 && rc == 0)
        rc = cs_err_setc(err, CS_ERR_IO, "%s: write failed: %s", job->path, cs_sf_write_error(NULL, errno));
    if (rc != 0) cs_temp_abort(fd, tmp);
    else if (cs_temp_commit(fd, tmp, job->path) < 0)
        rc = cs_err_setc(err, CS_ERR_IO, "%s: write failed: %s", job->path, strerror(errno));
    return rc;
}
