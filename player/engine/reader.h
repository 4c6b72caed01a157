/* Streams and the reader that fills them.
 *
 * A cs_stream is one playback of one source (a file, or samples in memory)
 * from a start position: an SPSC ring of CS_RATE stereo float frames that
 * the reader fills ahead of the audio callback, which consumes it.  Files are
 * never decoded whole: the reader opens them, seeks to the start fraction and
 * keeps about 1.5 s decoded ahead, looping at the end when asked.
 *
 *   cs_reader *r = cs_reader_new(true, &err);      // true: own thread
 *   cs_stream *s = cs_stream_new_file("x.wav", 0.0, true);
 *   cs_reader_add(r, s);            // opened and filled asynchronously
 *   ... cs_stream_ready(s) ...      // control thread checks, woken by
 *                                   // the reader's news (cs_reader_set_news)
 *   ... audio thread reads s->ring ...
 *   cs_reader_drop(r, s);           // nobody uses s any more; reader frees it
 *
 * Threaded, the reader is two threads: "cs-opener" opens new streams (an
 * open may take seconds: a USB stick waking up, a large VBR MP3 probed) and
 * "cs-reader" decodes into the open ones' rings, so a slow open never
 * starves a playing stream.
 *
 * Ownership: the control thread creates a stream and hands it to the reader;
 * from then on only the reader frees it, after cs_reader_drop.  The audio
 * thread only reads the ring and the atomics.  In render mode (no thread)
 * cs_reader_pump() does the reader's work synchronously, so offline renders
 * are deterministic: every stream is full before each block.
 */
#ifndef CS_PLAYER_READER_H
#define CS_PLAYER_READER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pkg/err.h"
#include "pkg/rate.h"   /* CS_RATE: frames per second in every ring */
#include "player/engine/ring.h"

#define CS_STREAM_RING_FRAMES 65536     /* ~1.5 s of look-ahead per stream */
#define CS_STREAM_READY_FRAMES 8192     /* "ready" once ~190 ms is decoded */

enum cs_stream_state {
    CS_STREAM_NEW = 0,   /* waiting for the reader to open it */
    CS_STREAM_OPEN,      /* decoding */
    CS_STREAM_FAILED,    /* could not open or read; msg says why */
};

typedef struct cs_stream_src cs_stream_src;

typedef struct cs_stream {
    cs_ring ring;                /* float[2] frames, reader → audio */
    atomic_int state;            /* enum cs_stream_state */
    atomic_bool eof;             /* reader wrote the last frame (non-loop) */
    atomic_bool dead;            /* dropped: reader frees it */
    atomic_llong total_frames;   /* source length in CS_RATE frames, -1 unknown */
    double start_frac;           /* where to start, fraction of the length */
    bool loop;
    char *path;                  /* NULL for memory streams */
    char msg[600];               /* failure reason (state FAILED) */
    cs_stream_src *src;          /* reader-private */
    long warned;                 /* reader-private: source problems logged */
    bool end_checked;            /* reader-private: early end looked for */
    bool filled_once;            /* reader-private: first fill (to "ready") done */
    atomic_bool told;            /* its news (ready or failed) was sent: set by
                                    the reader, read by control (cs_stream_told) */
    struct cs_stream *next;      /* reader-private list link */
} cs_stream;

/* A stream of a file (any format the decoder reads, converted to CS_RATE
 * stereo).  Returns NULL only when out of memory. */
cs_stream *cs_stream_new_file(const char *path, double start_frac, bool loop);
/* Frees a stream nobody else holds (one never given to a reader). */
void cs_stream_free(cs_stream *s);

/* Opened with enough audio decoded to start without an underrun (or the
 * whole, shorter, source decoded). */
bool cs_stream_ready(cs_stream *s);
static inline bool cs_stream_failed(cs_stream *s)
{
    return atomic_load(&s->state) == CS_STREAM_FAILED;
}
/* The reader has sent this stream's news (cs_reader_set_news): it was ready
 * or failed once.  A waiter for one that is not ready now (its ring ran low
 * while it plays) gets no more news and must check again by itself. */
static inline bool cs_stream_told(cs_stream *s)
{
    return atomic_load(&s->told);
}

typedef struct cs_reader cs_reader;
cs_reader *cs_reader_new(bool threaded, cs_err *err);
void cs_reader_add(cs_reader *r, cs_stream *s);
void cs_reader_drop(cs_reader *r, cs_stream *s);
/* Stream news, so that a waiter sleeps instead of polling: fn(ud) is
 * called from the reader's thread after each pass in which a stream became
 * ready (cs_stream_ready) or failed (cs_stream_failed), once per stream;
 * the state is visible to the waiter before the call.  fn runs under the
 * reader's lock: it must be quick and not block or call into the reader
 * (cs play's writes to the OSC loop's eventfd).  fn NULL: no news; after
 * cs_reader_set_news(r, NULL, NULL) returns no call is under way, so ud may
 * be freed.  Threaded readers only (a render pumps synchronously: ignored).
 * Control thread. */
void cs_reader_set_news(cs_reader *r, void (*fn)(void *ud), void *ud);
/* True when news is set: a waiter may sleep until it (the control tick,
 * a ladder set).  False for NULL.  Any thread. */
bool cs_reader_has_news(const cs_reader *r);
/* Streams that ended before their known length (a file truncated or
 * damaged past what the decoder could skip; an estimated length never
 * counts): how many since the reader started, and the last one's one-line
 * description into last[size] ("" when none).  Each is also logged once. */
unsigned cs_reader_short_ends(cs_reader *r, char *last, size_t size);
/* One pass of the reader's work: opens new streams, frees dropped ones and
 * tops up every ring (fully when `fill` is true).  For render mode. */
void cs_reader_pump(cs_reader *r, bool fill);
void cs_reader_free(cs_reader *r);

#endif
