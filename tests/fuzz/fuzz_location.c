/* libFuzzer: Location decoding, path folding and basename.  The input is a
 * NUL-terminated string (the form attributes arrive in).  Invariants: decoding
 * never grows a string, folding is idempotent (a folded key folds to itself,
 * or matching would depend on which side was folded twice). */
#include "pkg/location.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    char *dec = cs_location_decode(s);
    if (dec) {
        assert(strlen(dec) <= strlen(s));
        const char *base = cs_path_basename(dec);
        assert(base >= dec && base <= dec + strlen(dec));
    }
    char *f1 = cs_path_fold(dec ? dec : s);
    char *f2 = f1 ? cs_path_fold(f1) : NULL;
    free(f2);
    free(f1);
    free(dec);
    free(s);
    return 0;
}
