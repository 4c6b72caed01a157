/* For tests only: measuring synthetic signals without writing a file.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_LOUDNESS_TEST_H
#define CS_LOUDNESS_TEST_H

#include <stddef.h>
#include "pkg/loudness.h"

/* The measurement of cs_loudness_measure_file over samples in memory
 * (frames x channels interleaved floats, full scale 1.0; channels 1..8, rate
 * 8000..384000 Hz): the same libebur128 state and result.  0, or < 0 with
 * err "loudness: <reason>". */
int cs_loudness_measure(const float *samples, size_t frames, int channels, int rate, cs_loudness *out,
                        cs_err *err);

#endif
