/* Real-time contract of cs_engine_process (the audio callback's work):
 *  1. it never allocates, frees, locks, sleeps, logs or touches a file;
 *  2. it learns everything through one SPSC command queue (control → audio),
 *     each command stamped with the sample time at which it takes effect;
 *  3. it reports through atomics and one SPSC queue of retired streams;
 *  4. audio arrives in per-stream rings filled by the reader; an empty ring
 *     is a counted underrun, never a wait;  5. work is bounded per frame.
 *
 * The engine: CS_RATE (pkg/rate.h, 44.1 kHz) stereo float, four decks (A–D)
 * of voices.  A voice is one slot (the original server's "player", one per
 * buffer id) that plays a cs_stream through a cubic Hermite resampler at a
 * variable rate with an exact fractional position, with a ramped volume.
 * Voices sum into their deck's bus; each bus runs through the cut-only 3-band
 * EQ (when enabled), is scaled by its ramped deck level (times its trim, 1
 * unless a ladder set matches loudness); the sum is scaled by the master 0.8
 * and soft-clipped with 0.9·tanh(0.9·x), or, when a loudness-matched set
 * turned it on, run through the true-peak limiter instead
 * (cs_engine_limiter).
 *
 * Control side (one thread only, "the control thread"):
 *   cs_engine *e = cs_engine_new(&err);
 *   cs_engine_attach(e, slot, stream, deck, 0);           // cue a stream
 *   cs_engine_play(e, slot, 1.0, 0.8, cs_engine_now(e) + 22050);
 *   cs_engine_drop_retired(e, reader);                     // control tick
 * Audio side: cs_engine_process(e, out, frames) from the device callback or
 * the offline renderer.
 */
#ifndef CS_PLAYER_ENGINE_H
#define CS_PLAYER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/err.h"
#include "pkg/rate.h"   /* CS_RATE: the engine mixes at the set's rate */
#include "player/engine/reader.h"

#define CS_DECKS 4
#define CS_MAX_VOICES 64
#define CS_MASTER_GAIN 0.8f
#define CS_RAMP_SECONDS 0.010   /* level/volume changes: click-free, >= 5 ms */
#define CS_NOW 0                /* `at` meaning "as soon as possible" */

enum cs_eq_band { CS_EQ_LOW = 0, CS_EQ_MID, CS_EQ_HIGH };

/* Per-voice state the control thread may read (atomics). */
enum cs_voice_state {
    CS_VOICE_EMPTY = 0,   /* no stream */
    CS_VOICE_CUED,        /* stream attached, not playing */
    CS_VOICE_PLAYING,
    CS_VOICE_ENDED,       /* a non-looping stream ran out */
};

typedef struct cs_engine cs_engine;

typedef struct cs_engine_stats {
    uint64_t frames;          /* frames rendered since start */
    uint64_t underruns;       /* blocks in which a playing voice's ring ran dry */
    uint64_t xruns;           /* device callbacks that came late or ran long */
    uint64_t dropped_cmds;    /* commands refused because the queue was full */
    int playing;              /* voices playing now */
    double deck_level[CS_DECKS];   /* current (ramped) deck levels */
} cs_engine_stats;

cs_engine *cs_engine_new(cs_err *err);
/* After the audio side has stopped for good: hands every stream still
 * attached (or waiting in the queue) to cs_engine_retired(). */
void cs_engine_shutdown(cs_engine *e);
void cs_engine_free(cs_engine *e);

/* The audio side: renders `frames` stereo frames (interleaved) into out. */
void cs_engine_process(cs_engine *e, float *out, size_t frames);

/* Sample clock: frames rendered so far (control side reads). */
uint64_t cs_engine_now(const cs_engine *e);

/* Control side.  `at` is an absolute sample time (CS_NOW or a time already
 * passed: the next block start, in the order sent, so a late command never
 * lands after a CS_NOW one sent later).  Each returns 0, or -1 when the
 * command queue is full (nothing changes then). */
int cs_engine_attach(cs_engine *e, int slot, cs_stream *s, int deck, uint64_t at);
/* The command queue: its capacity, and how many commands fit now (control
 * side; the audio side only frees room).  Callers that send several
 * commands that belong together check the room first (ladder steps), and
 * future bundles wait while it is more than half full (control.h). */
size_t cs_engine_queue_size(const cs_engine *e);
size_t cs_engine_queue_free(const cs_engine *e);

/* Rates a voice is asked to play at (its own rate times the global rate
 * stays sane within them): two octaves either way.  Beyond them the cubic
 * Hermite reader aliases audibly and a stream would need more than its
 * ring's ~1.5 s of look-ahead per second.  The control side refuses
 * requests outside them (/play_stem rate; tempos in playback_rate mode). */
#define CS_ENGINE_RATE_MIN 0.25
#define CS_ENGINE_RATE_MAX 4.0

int cs_engine_play(cs_engine *e, int slot, double rate, double volume, uint64_t at);
int cs_engine_stop(cs_engine *e, int slot, uint64_t at);     /* ramp out, keep stream */
int cs_engine_release(cs_engine *e, int slot, uint64_t at);  /* ramp out, retire stream */
int cs_engine_volume(cs_engine *e, int slot, double volume, uint64_t at);
int cs_engine_rate(cs_engine *e, int slot, double rate, uint64_t at);
/* Deck level, reached linearly over max(ramp_s, CS_RAMP_SECONDS). */
int cs_engine_level(cs_engine *e, int deck, double level, double ramp_s, uint64_t at);
/* Deck trim: a linear gain (>= 0) multiplying the deck's level, reached
 * over CS_RAMP_SECONDS; 1 (the default) changes nothing, bit for bit.  A
 * ladder set applies each track's loudness gain here when it starts. */
int cs_engine_trim(cs_engine *e, int deck, double gain, uint64_t at);
/* Master true-peak limiter (player/engine/limiter.h): ceiling linear in
 * (0, 1] (0.891: -1 dBTP) replaces the soft clip with the limiter (output
 * delayed by 1.6 ms); 0 turns it off (the soft clip, as the original).
 * Set it before playing: a change resets its state. */
int cs_engine_limiter(cs_engine *e, double ceiling, uint64_t at);
/* Frames between mixing and output (0, or the limiter's CS_LIM_DELAY
 * while it is on): engine sample t leaves cs_engine_process at t + latency.
 * The output clock (cs_engine_clock_publish) accounts for it; a render
 * drops that many frames at its start so the file's frame t is engine
 * sample t.  Any thread. */
unsigned cs_engine_latency(const cs_engine *e);
/* All voices read at rate × global (tempo in playback_rate mode). */
int cs_engine_global_rate(cs_engine *e, double rate, uint64_t at);
/* EQ: enabling resets the filters; disabled means bit-transparent. */
int cs_engine_eq_enable(cs_engine *e, bool on, uint64_t at);
/* Linear band gain (smoothed over ~50 ms, per sample). */
int cs_engine_eq_gain(cs_engine *e, int deck, int band, double gain, uint64_t at);

/* Output clock: which engine sample reaches the output when, as a pair the
 * control thread reads without locks (a seqlock written only by the output
 * side: the device callback or the render loop, so the writer never waits).
 * publish: engine sample `frames` is handed to the output at CLOCK_MONOTONIC
 * time `mono_ns` (output side only).  read: the last consistent pair; false
 * when none was published yet (control side). */
void cs_engine_clock_publish(cs_engine *e, uint64_t frames, int64_t mono_ns);
bool cs_engine_clock_read(const cs_engine *e, uint64_t *frames, int64_t *mono_ns);

/* Streams the audio side let go of (replaced or released); NULL when none. */
cs_stream *cs_engine_retired(cs_engine *e);
/* Hands every retired stream to the reader to close (control side; after
 * cs_engine_shutdown, every stream the engine still held). */
void cs_engine_drop_retired(cs_engine *e, cs_reader *r);
int cs_engine_voice_state(const cs_engine *e, int slot);
void cs_engine_stats_get(const cs_engine *e, cs_engine_stats *st);
/* Output drivers report device-side trouble (late or overlong callbacks). */
void cs_engine_count_xrun(cs_engine *e);
/* The live stretcher reports a short reserve (counted with the underruns). */
void cs_engine_count_underrun(cs_engine *e);

#endif
