/* cs play's ladder-set options (--csv, the selection flags, --parts-dir,
 * --loop-set, --trace, --plot) and starting a ladder set from them, kept out
 * of cmd/play.c so that file stays about the original server's flags. */
#ifndef CS_CMD_PLAY_LADDER_H
#define CS_CMD_PLAY_LADDER_H

#include <stdbool.h>
#include "cmd/selopt.h"
#include "player/surface/ladder.h"

#define CS_PLAY_LADDER_USAGE                                                            \
    "ladder sets (pre-rendered rungs, no live stretching; see README):\n"               \
    "  --csv FILE             play the parts of a `cs export` CSV, track after track\n" \
    "                         (beat grids from the library --db when it holds them)\n" \
    "  --bpm B --delta D | --bpm-min A --bpm-max B, --key K, --n-sections N\n"          \
    "                         or play the library's selection (--db) and its rungs\n"   \
    "  --parts-dir DIR        only rungs rendered into DIR\n"                           \
    "  --loop-set             start over after the last track (default: stop)\n"        \
    "  --trace FILE.csv       time, movement, BPMs, rungs, track every 100 ms\n"        \
    "  --plot FILE.svg        the trace drawn at the end\n"

typedef struct cs_play_ladder_args {
    const char *csv, *parts_dir, *trace, *plot;
    bool loop, selection;         /* selection: a selection flag or --parts-dir given */
    cs_selopts sel;
} cs_play_ladder_args;

/* Looks at one argument: returns how many it consumed (1 or 2), 0 when it
 * is not a ladder option (--bpm is noted for the selection and left to the
 * caller: 0), -1 after an error message. */
int cs_play_ladder_opt(const char *a, const char *val, cs_play_ladder_args *la);
static inline bool cs_play_ladder_wanted(const cs_play_ladder_args *la)
{
    return la->csv || la->selection;
}
/* Loads and probes the set, builds the ladder and hooks it into c.  lead:
 * frames of command lead (live: a few device buffers; render: 0). */
cs_ladder *cs_play_ladder_start(const cs_play_ladder_args *la, const char *db_path, cs_control *c,
                                cs_engine *e, cs_reader *r, uint64_t lead, int meter, cs_err *err);

#endif
