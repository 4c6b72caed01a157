/* For tests only: both selection tests at once.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_SELECT_TEST_H
#define CS_SELECT_TEST_H

#include <stdbool.h>
#include "pkg/select.h"

/* cs_selection_match_bpm && cs_selection_match_key (the library applies
 * them one by one, to count which one left a track out). */
bool cs_selection_match(const cs_selection *s, double bpm, const char *track_key);

#endif
