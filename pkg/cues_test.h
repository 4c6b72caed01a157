/* For tests only: cs_cues_compute's codes as text, for test messages.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_CUES_TEST_H
#define CS_CUES_TEST_H

#include "pkg/cues.h"

/* A CS_CUES_* code as text ("no intro segment"). */
const char *cs_cues_strerror(int rc);

#endif
