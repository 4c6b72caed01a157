/* libFuzzer: Engine DJ blobs (pkg/engine_blobs.c).  The input is used as
 * a beatData and as a quickCues blob; every row and mark is read. */
#include "pkg/engine_blobs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_rb_tempo *rows;
    cs_rb_mark *marks;
    size_t n;
    double rate = 0;
    cs_err err = {0};
    if (cs_engine_beatdata(data, size, &rows, &n, &rate, &err) == 0) {
        for (size_t i = 0; i < n; i++) sink += rows[i].inizio + rows[i].bpm;
        free(rows);
    }
    if (cs_engine_quickcues(data, size, rate > 0 ? rate : 44100, &marks, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++) {
            sink += marks[i].start + (marks[i].name ? (double)strlen(marks[i].name) : 0);
            free(marks[i].name);
        }
        free(marks);
    }
    return 0;
}
