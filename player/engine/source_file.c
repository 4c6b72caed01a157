/* File sources: pkg/audio.h's streaming decoder (FFmpeg), converting any
 * format it reads to CS_RATE (pkg/rate.h) stereo float on the reader thread. */
#include "player/engine/source_int.h"
#include "pkg/audio.h"
#include "pkg/rate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int file_open(cs_stream_src *src, const char *path, long long *total, cs_err *err)
{
    cs_decoder *d = cs_decoder_open(path, CS_RATE, 2, err);
    if (!d) return -1;
    src->handle = d;
    double secs = cs_decoder_duration(d);
    *total = secs > 0 ? llround(secs * CS_RATE) : -1;
    src->length_known = secs > 0 && cs_decoder_length_known(d);
    return 0;
}

static long long file_tell(cs_stream_src *src) { return cs_decoder_tell(src->handle); }

/* The header note counts as one problem, each damaged packet as another. */
static long file_warning(cs_stream_src *src, char *buf, size_t size)
{
    if (!cs_decoder_warning(src->handle, buf, size)) return 0;
    return cs_decoder_problems(src->handle);
}

static long file_read(cs_stream_src *src, float *buf, size_t frames, cs_err *err)
{
    return cs_decoder_read(src->handle, buf, frames, err);
}

static int file_seek(cs_stream_src *src, long long frame, cs_err *err)
{
    return cs_decoder_seek(src->handle, (double)frame / CS_RATE, err);
}

static void file_close(cs_stream_src *src)
{
    if (src->handle) cs_decoder_free(src->handle);
    src->handle = NULL;
}

static const cs_source_ops file_ops = { file_open, file_read, file_seek, file_close, file_tell, file_warning };

cs_stream *cs_stream_new_file(const char *path, double start_frac, bool loop)
{
    cs_stream *s = cs_stream_alloc(start_frac, loop);
    if (!s) return NULL;
    s->src->ops = &file_ops;
    if (!(s->path = strdup(path))) {
        cs_stream_free(s);
        return NULL;
    }
    return s;
}
