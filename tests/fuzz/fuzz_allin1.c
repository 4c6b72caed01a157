/* libFuzzer: the allin1 struct JSON loader.  Whatever the bytes, the parser
 * returns 0 or -1, and on success the struct holds what its header promises
 * (sorted, finite, non-negative segments), so the cue logic can trust it. */
#include "pkg/allin1.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_struct s = {0};
    cs_err err = {0};
    if (cs_allin1_parse((const char *)data, size, "fuzz.json", &s, &err) == 0) {
        for (size_t i = 0; i < s.segments.n; i++) {
            const cs_segment *g = &s.segments.v[i];
            assert(isfinite(g->start) && isfinite(g->end) && g->start >= 0 && g->end >= g->start);
            assert(i == 0 || s.segments.v[i - 1].start <= g->start);
        }
        assert(s.bpm >= 0 && s.bpm <= 1000);
        /* The writer must take whatever the reader accepted. */
        char *json = cs_allin1_to_json(&s);
        free(json);
    }
    cs_struct_free(&s);
    return 0;
}
