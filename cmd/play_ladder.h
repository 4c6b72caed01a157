/* cs play's ladder-set options (--csv, the selection flags, --parts-dir,
 * --loop-set, --trace, --plot) and starting a ladder set from them, kept out
 * of cmd/play.c so that file stays about the original server's flags. */
#ifndef CS_CMD_PLAY_LADDER_H
#define CS_CMD_PLAY_LADDER_H

#include <stdbool.h>
#include "cmd/selopt.h"
#include "player/surface/ladder.h"

/* The ladder-set group of cs play's option table (la: cs_play_ladder_args *);
 * --bpm is play's own option (base tempo and the selection's centre). */
#define CS_PLAY_LADDER_OPTIONS(la)                                                              \
    OPT_GROUP("ladder sets (pre-rendered rungs, no live stretching; see README):"),             \
    OPT_STRING(0, "csv", &(la)->csv, "FILE",                                                    \
               "play the parts of a `cs export` CSV, track after track\n"                       \
               "(beat grids from the library --db when it holds them)"),                        \
    CS_SELOPTS_BUT_BPM(&(la)->sel),                                                             \
    OPT_STRING(0, "parts-dir", &(la)->parts_dir, "DIR", "only rungs rendered into DIR"),        \
    OPT_BOOL(0, "loop-set", &(la)->loop, "start over after the last track (default: stop)"),    \
    OPT_STRING(0, "trace", &(la)->trace, "FILE.csv", "time, movement, BPMs, rungs, track every 100 ms"), \
    OPT_STRING(0, "plot", &(la)->plot, "FILE.svg", "the trace drawn at the end")

typedef struct cs_play_ladder_args {
    const char *csv, *parts_dir, *trace, *plot;
    bool loop;
    cs_selopts sel;
} cs_play_ladder_args;

/* Clears la (the selection's messages say "play"). */
void cs_play_ladder_args_init(cs_play_ladder_args *la);
/* With --bpm B given to play: B is also the selection's centre. */
void cs_play_ladder_bpm(cs_play_ladder_args *la, double bpm);
static inline bool cs_play_ladder_wanted(const cs_play_ladder_args *la)
{
    return la->csv || la->sel.any_but_bpm || la->parts_dir;
}
/* Loads and probes the set, builds the ladder and hooks it into c.  lead:
 * frames of command lead (live: a few device buffers; render: 0). */
cs_ladder *cs_play_ladder_start(const cs_play_ladder_args *la, const char *db_path, cs_control *c,
                                cs_engine *e, cs_reader *r, uint64_t lead, int meter, cs_err *err);

#endif
