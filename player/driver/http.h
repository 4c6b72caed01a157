/* cs play --http: a small web view of the set for a phone at the venue.
 * libmicrohttpd serves, on its own threads (one per connection; at most
 * 16), four things:
 *   /              one HTML page: BPM and target, movement and its age,
 *                  track and rung per deck, the next track and when, underruns,
 *                  and a chart of the last 10 minutes (movement, target, BPM)
 *                  drawn by a small inline script on a canvas;
 *   /events        server-sent events: each new status as `data: JSON`
 *                  (the /cs/status/json object, player/control/status.h);
 *   /status.json   the latest status;
 *   /history.json  {"t":[s...],"movement":[...],"target":[...],"bpm":[...]},
 *                  one point a second for the last 600 s (null: no movement).
 * The control thread publishes snapshots (cs_http_publish); the server
 * threads only read them under a mutex.  The audio callback never sees it.
 *
 *   cs_http *h = cs_http_start("127.0.0.1", 8080, &err);
 *   cs_http_publish(h, &status);     // a few times a second
 *   cs_http_stop(h);
 */
#ifndef CS_PLAYER_HTTP_H
#define CS_PLAYER_HTTP_H

#include "pkg/err.h"
#include "player/control/control.h"

typedef struct cs_http cs_http;

/* Parses "[ADDR:]PORT" ("8080" = loopback 127.0.0.1:8080; "0.0.0.0:8080",
 * "[::1]:8080").  Returns 0, or -1 with err set. */
int cs_http_parse_addr(const char *spec, char *addr, size_t addr_size, int *port, cs_err *err);
/* Listens on addr:port (numeric IPv4 or IPv6).  NULL with err set when the
 * address is not numeric or the port cannot be bound. */
cs_http *cs_http_start(const char *addr, int port, cs_err *err);
/* The port actually bound (port 0 asks the system for one). */
int cs_http_port(const cs_http *h);
/* A new snapshot for the page (control thread). */
void cs_http_publish(cs_http *h, const cs_control_status *st);
/* Ends the event streams and the server; frees h.  NULL is fine. */
void cs_http_stop(cs_http *h);

#endif
