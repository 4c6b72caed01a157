/* For tests only: one packet through the server's handling, without a socket.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_PLAYER_OSC_TEST_H
#define CS_PLAYER_OSC_TEST_H

#include <stddef.h>
#include "player/surface/osc.h"

/* Handles one OSC packet as the UDP server does on arrival (osc.h, "How the
 * UDP server handles one datagram"); replies go to reply(reply_ctx, ...). */
int cs_osc_handle_packet(cs_control *c, const void *data, size_t size, cs_osc_reply_fn reply, void *reply_ctx);

#endif
