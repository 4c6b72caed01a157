/* The original system's dashboard feed: while a set plays, the BPM goes to
 * the movement dashboard as `/audio/bpm f` over OSC/UDP (127.0.0.1:5005 by
 * default), as the original automatic DJ (audio-mixer/mixer_tracks.py)
 * sent it: once at the start, then, checked once a second, whenever the
 * BPM moved 0.2 BPM or more from the last value sent, or reached its target.
 *
 *   cs_dashboard *d = cs_dashboard_new("127.0.0.1", 5005, &err);
 *   cs_dashboard_update(d, bpm, target, now_s);   // from the live loop
 *   cs_dashboard_free(d);
 */
#ifndef CS_PLAYER_DASHBOARD_H
#define CS_PLAYER_DASHBOARD_H

#include "pkg/err.h"

typedef struct cs_dashboard cs_dashboard;

/* NULL with err set when host:port does not resolve.  Nothing is sent yet. */
cs_dashboard *cs_dashboard_new(const char *host, int port, cs_err *err);
/* bpm and target in BPM, now_s on any monotonic clock (seconds).  A send
 * that fails (nobody listening is not a failure with UDP) is logged once. */
void cs_dashboard_update(cs_dashboard *d, double bpm, double target, double now_s);
void cs_dashboard_free(cs_dashboard *d);

#endif
