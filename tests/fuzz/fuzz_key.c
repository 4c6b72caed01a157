/* libFuzzer: key notation.  Any string parses to a code in 0..23, NONE or
 * UNKNOWN, and a known code's names parse back to the same code. */
#include "pkg/key.h"

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
    int k = cs_key_parse(s);
    assert(k == CS_KEY_NONE || k == CS_KEY_UNKNOWN || (k >= 0 && k < 24));
    if (k >= 0) {
        char cam[8];
        assert(cs_key_parse(cs_key_camelot(k, cam)) == k);
        assert(cs_key_parse(cs_key_name(k)) == k);
    }
    free(s);
    return 0;
}
