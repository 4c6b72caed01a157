/* OSC internals shared by osc.c (arguments, handlers, dispatch) and
 * osc_server.c (raw packets, bundles, the UDP socket).  Control thread only. */
#ifndef CS_PLAYER_OSC_INT_H
#define CS_PLAYER_OSC_INT_H

#include <stdbool.h>

/* True when a line about bad OSC input may be logged: one limiter for the
 * handlers' and the packets' lines alike (at most 10 a second; osc.c). */
bool osc_log_ok(void);

#endif
