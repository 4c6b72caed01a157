/* libFuzzer: Mixxx beats blobs (pkg/mixxx_beats.c).  The first byte picks
 * the beats_version, the rest is the blob; every row returned is read. */
#include "pkg/mixxx_beats.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const versions[] = { "BeatGrid-2.0", "BeatMap-1.0", "BeatGrid-1.0", "x" };
    if (size < 1) return 0;
    cs_rb_tempo *rows;
    size_t n;
    cs_err err = {0};
    if (cs_mixxx_beats(versions[data[0] & 3], data + 1, size - 1, 44100, &rows, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++) sink += rows[i].inizio + rows[i].bpm + rows[i].battito;
        free(rows);
    }
    return 0;
}
