/* cs play's options for watching a set (--http, --dashboard,
 * --no-dashboard, --movement-warn, --no-status-line) and setting them up,
 * kept out of cmd/play.c as the ladder-set options are (play_ladder.h). */
#ifndef CS_CMD_PLAY_WATCH_H
#define CS_CMD_PLAY_WATCH_H

#include <stdbool.h>

#include "cmd/opt.h"
#include "pkg/err.h"
#include "player/driver/live.h"

typedef struct cs_play_watch_args {
    const char *http;             /* [ADDR:]PORT, or NULL */
    const char *dashboard;        /* HOST:PORT (default 127.0.0.1:5005) */
    bool no_dashboard, no_status_line;
    double movement_warn;         /* seconds (30); 0: never */
} cs_play_watch_args;

/* Option callbacks that check an address as it is given (usage error). */
int cs_play_watch_opt_http(const cs_option *opt, char **w, int n);
int cs_play_watch_opt_dashboard(const cs_option *opt, char **w, int n);

/* The watching group of cs play's option table (w: cs_play_watch_args *). */
#define CS_PLAY_WATCH_OPTIONS(w)                                                                 \
    OPT_GROUP("watching the set:"),                                                             \
    OPT_CALLBACK(0, "http", (w), "[ADDR:]PORT", 1, cs_play_watch_opt_http,                      \
                 "serve a page with the status and a live chart (movement,\n"                    \
                 "target, BPM) on PORT, loopback unless ADDR is given\n"                         \
                 "(e.g. 0.0.0.0:8080 for a phone on the venue's network)"),                      \
    OPT_CALLBACK(0, "dashboard", (w), "HOST:PORT", 1, cs_play_watch_opt_dashboard,              \
                 "send /audio/bpm to the original movement dashboard while\n"                    \
                 "a set plays (default 127.0.0.1:5005)"),                                        \
    OPT_BOOL(0, "no-dashboard", &(w)->no_dashboard, "do not send /audio/bpm"),                   \
    OPT_DOUBLE(0, "movement-warn", &(w)->movement_warn, "S",                                     \
               "warn once when a set plays S seconds without\n"                                  \
               "/dance/total_movement (default 30; 0: never)"),                                 \
    OPT_BOOL(0, "no-status-line", &(w)->no_status_line,                                          \
             "no status line at the bottom of the terminal (it is\n"                             \
             "shown when stderr is a terminal and --watch is not given;\n"                       \
             "otherwise a plain 'status:' line every 30 s)")

/* The defaults above. */
cs_play_watch_args cs_play_watch_defaults(void);
/* The values' checks after parsing: CS_EXIT_USAGE after the message, or 0. */
int cs_play_watch_check(const cs_play_watch_args *w);
/* Live only: opens the --http server and the dashboard feed and sets the
 * job's status line (per_beat_watch: --watch prints its own lines, so
 * plain status lines).  -1 with err set when the page cannot be served. */
int cs_play_watch_start(const cs_play_watch_args *w, bool per_beat_watch, cs_live_job *job, cs_err *err);
/* Closes what cs_play_watch_start opened. */
void cs_play_watch_stop(cs_live_job *job);

#endif
