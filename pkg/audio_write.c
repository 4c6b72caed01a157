/* cs_audio_write (audio.h): libsndfile, written to a temporary file in the
 * destination directory and renamed into place, so a reader (or a resumed
 * export checking what is up to date) never sees half a file. */
#include "pkg/audio.h"
#include "pkg/audio_sf.h"
#include "pkg/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

/* Frames per sf_writef_float call: bounded so a full disk is noticed early. */
#define WRITE_BLOCK 65536

static int sf_format_of(cs_audio_format fmt)
{
    switch (fmt) {
    case CS_FMT_WAV16: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case CS_FMT_WAV24: return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    case CS_FMT_WAV32F: return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    case CS_FMT_FLAC16: return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    case CS_FMT_FLAC24: return SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
    }
    return 0;
}

const char *cs_sf_write_error(SNDFILE *sf, int saved_errno)
{
    if (saved_errno) return strerror(saved_errno);
    if (sf && sf_error(sf) != SF_ERR_NO_ERROR) return sf_strerror(sf);
    return strerror(EIO);
}

int cs_audio_write(const char *path, const cs_audio *a, cs_audio_format fmt, cs_err *err)
{
    int format = sf_format_of(fmt);
    if (!format) return cs_err_setc(err, CS_ERR_USAGE, "%s: unknown output format %d", path, (int)fmt);
    if (a->channels <= 0 || a->rate <= 0 || (a->frames > 0 && !a->data))
        return cs_err_setc(err, CS_ERR_RANGE, "%s: nothing to write (no channels or rate)", path);

    /* A temporary renamed into place (pkg/fsutil.h). */
    char tmp[CS_TEMP_NAME_MAX];
    int fd = cs_temp_open(path, tmp);
    if (fd < 0 && errno == EINVAL) return cs_err_setc(err, CS_ERR_USAGE, "%s: not a file name", path);
    if (fd < 0) return cs_err_setc(err, CS_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    SF_INFO info = { .samplerate = a->rate, .channels = a->channels, .format = format };
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!sf) {
        cs_err_setc(err, CS_ERR_IO, "%s: cannot write: %s", path, sf_strerror(NULL));
        goto fail;
    }
    /* Without clipping, libsndfile wraps overshoots around (+1.01 -> -0.99). */
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    for (size_t done = 0; done < a->frames;) {
        size_t n = a->frames - done < WRITE_BLOCK ? a->frames - done : WRITE_BLOCK;
        errno = 0;
        sf_count_t w = sf_writef_float(sf, a->data + done * (size_t)a->channels, (sf_count_t)n);
        if (w != (sf_count_t)n) {
            cs_err_setc(err, CS_ERR_IO, "%s: write failed: %s", path, cs_sf_write_error(sf, errno));
            sf_close(sf);
            goto fail;
        }
        done += n;
    }
    /* sf_close flushes the header; a failure there is a failed write too. */
    errno = 0;
    if (sf_close(sf) != 0) {
        cs_err_setc(err, CS_ERR_IO, "%s: write failed: %s", path, cs_sf_write_error(NULL, errno));
        goto fail;
    }
    if (cs_temp_commit(fd, tmp, path) < 0)
        return cs_err_setc(err, CS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    return 0;
fail:
    cs_temp_abort(fd, tmp);
    return -1;
}
