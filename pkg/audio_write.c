/* cs_audio_write (audio.h): libsndfile, written to a temporary file in the
 * destination directory and renamed into place, so a reader (or a resumed
 * export checking what is up to date) never sees half a file. */
#include "pkg/audio.h"
#include "pkg/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

/* Frames per sf_writef_float call: bounded so a full disk is noticed early. */
#define WRITE_BLOCK 65536

/* Distinguishes temporaries of threads writing the same name. */
static atomic_uint tmp_counter;

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
    if (!format) return cs_err_set(err, "%s: unknown output format %d", path, (int)fmt);
    if (a->channels <= 0 || a->rate <= 0 || (a->frames > 0 && !a->data))
        return cs_err_set(err, "%s: nothing to write (no channels or rate)", path);

    size_t tlen = strlen(path) + 64;
    char *tmp = malloc(tlen);
    if (!tmp) return cs_err_set(err, "%s: out of memory", path);
    if (cs_temp_name(tmp, tlen, path, atomic_fetch_add(&tmp_counter, 1u)) < 0) {
        free(tmp);
        return cs_err_set(err, "%s: not a file name", path);
    }

    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return cs_err_set(err, "%s: cannot create: %s", path, strerror(e));
    }
    SF_INFO info = { .samplerate = a->rate, .channels = a->channels, .format = format };
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!sf) {
        cs_err_set(err, "%s: cannot write: %s", path, sf_strerror(NULL));
        goto fail;
    }
    /* Without clipping, libsndfile wraps overshoots around (+1.01 -> -0.99). */
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    for (size_t done = 0; done < a->frames;) {
        size_t n = a->frames - done < WRITE_BLOCK ? a->frames - done : WRITE_BLOCK;
        errno = 0;
        sf_count_t w = sf_writef_float(sf, a->data + done * (size_t)a->channels, (sf_count_t)n);
        if (w != (sf_count_t)n) {
            cs_err_set(err, "%s: write failed: %s", path, cs_sf_write_error(sf, errno));
            sf_close(sf);
            goto fail;
        }
        done += n;
    }
    /* sf_close flushes the header; a failure there is a failed write too. */
    errno = 0;
    if (sf_close(sf) != 0) {
        cs_err_set(err, "%s: write failed: %s", path, cs_sf_write_error(NULL, errno));
        goto fail;
    }
    if (fsync(fd) != 0) {
        cs_err_set(err, "%s: write failed: %s", path, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        cs_err_set(err, "%s: write failed: %s", path, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        cs_err_set(err, "%s: cannot rename into place: %s", path, strerror(errno));
        goto fail;
    }
    free(tmp);
    return 0;
fail:
    if (fd >= 0) close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}
