/* For tests only: streams of synthetic audio, no file.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_PLAYER_READER_TEST_H
#define CS_PLAYER_READER_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include "player/engine/reader.h"

/* A stream of n interleaved stereo frames at CS_RATE, which the caller
 * keeps alive until the stream is freed (tones, clicks). */
cs_stream *cs_stream_new_memory(const float *frames, size_t n, double start_frac, bool loop);

#endif
