/* For tests only: the movement -> target curve without a controller.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_PLAYER_TEMPO_TEST_H
#define CS_PLAYER_TEMPO_TEST_H

#include "player/control/tempo.h"

/* The target BPM cs_tempo_movement sets for a raw movement value; NAN when
 * the value is refused. */
double cs_tempo_target_for(const cs_tempo_config *cfg, double movement);

#endif
