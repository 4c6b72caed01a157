/* A one-shot OSC request over UDP (liblo): send a message without
 * arguments to a running `cs play` and wait for its one-string reply.
 * `cs status` asks /cs/status/json this way.
 *
 *   char *json = NULL;
 *   if (cs_osc_request_string("127.0.0.1", 57120, "/cs/status/json", 1.0, &json, &err) < 0) ...
 *   free(json);
 */
#ifndef CS_PLAYER_OSC_CLIENT_H
#define CS_PLAYER_OSC_CLIENT_H

#include "pkg/err.h"

/* Sends `path` to host:port from a fresh socket on an ephemeral port and
 * waits up to timeout_s seconds for a reply to that same path whose first
 * argument is a string; *out gets a copy (the caller frees it).  Returns 0,
 * or -1 with err set ("no reply from HOST:PORT within S s", a host that
 * does not resolve). */
int cs_osc_request_string(const char *host, int port, const char *path, double timeout_s, char **out,
                          cs_err *err);

#endif
