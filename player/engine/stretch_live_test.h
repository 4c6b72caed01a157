/* For tests only: the live stretcher's own underrun count.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_PLAYER_STRETCH_LIVE_TEST_H
#define CS_PLAYER_STRETCH_LIVE_TEST_H

#include <stdint.h>
#include "player/engine/stretch_live.h"

/* Callbacks that found the reserve short (the product sees each as an
 * engine underrun: /cs/status and the underrun log). */
uint64_t cs_live_stretch_underruns(const cs_live_stretch *ls);

#endif
