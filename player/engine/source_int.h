/* Reader internals: a stream's source.  Memory sources are built into the
 * reader; other kinds (files: source_file.c) supply an ops table, called
 * only from the reader's thread (or cs_reader_pump). */
#ifndef CS_PLAYER_SOURCE_INT_H
#define CS_PLAYER_SOURCE_INT_H

#include "player/engine/reader.h"

typedef struct cs_source_ops {
    /* Opens `path`; sets *total_frames (CS_RATE frames, -1 unknown). */
    int (*open)(cs_stream_src *src, const char *path, long long *total_frames, cs_err *err);
    long (*read)(cs_stream_src *src, float *buf, size_t frames, cs_err *err);
    int (*seek)(cs_stream_src *src, long long frame, cs_err *err);
    void (*close)(cs_stream_src *src);
    /* Optional.  Source frame the next read returns (CS_RATE frames). */
    long long (*tell)(cs_stream_src *src);
    /* Optional.  What reading had to work around so far, one line into
     * buf[size] (pkg/audio.h's cs_decoder_warning); returns a count that
     * grows with each new problem (0: none), so the reader logs each once. */
    long (*warning)(cs_stream_src *src, char *buf, size_t size);
} cs_source_ops;

struct cs_stream_src {
    const cs_source_ops *ops;   /* NULL: memory source */
    void *handle;               /* the ops' own state */
    bool length_known;          /* total_frames is the file's own, not an estimate */
    const float *mem;           /* memory sources */
    size_t mem_frames, mem_pos;
};

cs_stream *cs_stream_alloc(double start_frac, bool loop);

#endif
