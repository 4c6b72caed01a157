/* cs play's ladder-set options (--csv, the selection flags, --parts-dir,
 * --loop-set, --trace, --plot) and starting a ladder set from them, kept out
 * of cmd/play.c so that file stays about the original server's flags. */
#ifndef CS_CMD_PLAY_LADDER_H
#define CS_CMD_PLAY_LADDER_H

#include <stdbool.h>
#include "cmd/selopt.h"
#include "pkg/names.h"
#include "player/set/ladder.h"

/* The ladder-set group of cs play's option table (la: cs_play_ladder_args *);
 * --bpm is play's own option (base tempo and the selection's centre). */
#define CS_PLAY_LADDER_OPTIONS(la)                                                              \
    OPT_GROUP("ladder sets (pre-rendered rungs, no live stretching; docs/guide.md \"How a set plays\"):"), \
    OPT_STRING(0, "set", &(la)->set_dir, "DIR",                                                 \
               "play a set folder (cs export --set DIR): its parts, CSV and\n"                  \
               "set.json's beat grids; no library needed"),                                      \
    OPT_BOOL(0, "check", &(la)->check,                                                          \
             "with --set: check every part is there and unchanged (each bad\n"                  \
             "one named; exit 1; a set without tracks is exit 1 too), warn\n"                  \
             "where rungs are too far apart for the ±2 % rate bound, print\n"                  \
             "the transitions' warnings (as cs plan), then exit"),                              \
    OPT_STRING(0, "csv", &(la)->csv, "FILE",                                                    \
               "play the parts of a `cs export` CSV, track after track\n"                       \
               "(beat grids from a set.json beside it, else from the library\n"                 \
               "--db when it holds them)"),                                                     \
    CS_SELOPTS_BUT_BPM(&(la)->sel),                                                             \
    OPT_STRING(0, "parts-dir", &(la)->parts_dir, "DIR",                                         \
               "only rungs rendered into DIR; with --csv: where the CSV's\n"                    \
               "parts are now (it was moved or copied)"),                                       \
    OPT_BOOL(0, "loop-set", &(la)->loop, "start over after the last track (--order auto: a new\n" \
             "round once every track has played) (default: stop)"),                              \
    OPT_ENUM(0, "transition", &(la)->transition, cs_play_transition_names,                      \
             "track changes: bass-swap (default: equal-power fade, the\n"                        \
             "incoming bass cut until a downbeat mid-fade, then swapped)\n"                     \
             "or fade (equal-power fade only)"),                                                 \
    OPT_INT(0, "fade-bars", &(la)->fade_bars, "N", 1, 256,                                      \
            "fade length in bars (default: from the material, 8..32);\n"                        \
            "shortened by phrases where a part is too short (warned)"),                         \
    OPT_ENUM(0, "order", &(la)->order, cs_play_order_names,                                    \
             "running order: auto (default; --csv: csv) chooses each next\n"                    \
             "track by tempo reach, key and energy, no repeat until all\n"                      \
             "have played; csv: the set's order (CSV rows, set.json);\n"                      \
             "playlist: the --playlist's order, or the one a --set was\n"                     \
             "exported with (the default for both)"),                                          \
    OPT_STRING(0, "playlist", &(la)->playlist, "NAME",                                          \
               "only the tracks of this Rekordbox playlist (name, or path\n"                   \
               "ROOT/Folder/Name), in its order; an unknown name lists\n"                      \
               "the playlists (exit 2)"),                                                       \
    OPT_ENUM(0, "key-rule", &(la)->key_rule, cs_play_key_rule_names,                            \
             "--order auto's key rule (Camelot wheel): camelot (default:\n"                    \
             "same, +-1, relative), strict (same, relative), loose (+-2,\n"                   \
             "+-7 too) or off"),                                                                \
    OPT_INT(0, "extend-phrases", &(la)->extend_phrases, "N", 0, 64,                             \
            "movement in its top band: the playing track repeats the\n"                       \
            "phrase before its handover (at most N times); in its\n"                          \
            "bottom band it hands over up to N phrases early (default 0: off)"),               \
    OPT_DOUBLE(0, "max-stretch", &(la)->max_stretch, "PCT",                                     \
               "stretch budget: no rung beyond +-PCT of a track's own BPM;\n"                  \
               "--order auto hands over to a track that reaches the target\n"                  \
               "(default 8 with --order auto, none with csv)"),                                  \
    OPT_STRING(0, "trace", &(la)->trace, "FILE.csv", "time, movement, BPMs, rungs, track every 100 ms"), \
    OPT_STRING(0, "plot", &(la)->plot, "FILE.svg", "the trace drawn at the end"),               \
    OPT_DOUBLE(0, "loudness-target", &(la)->loudness_target, "LUFS",                           \
               "play every track at this loudness (EBU R128; default -14)\n"                    \
               "where it plays alone, from the loudness cs export measured\n"                   \
               "over each part; a true-peak limiter keeps the output at or\n"                   \
               "below -1 dBTP"),                                                                 \
    OPT_ENUM(0, "loudness", &(la)->loudness, cs_play_loudness_names,                            \
             "on (default): match loudness when the set carries it (sets\n"                     \
             "exported before it play as before); off: each track at its\n"                    \
             "own level, the original's soft clip on the master")

extern const cs_name cs_play_loudness_names[];

typedef struct cs_play_ladder_args {
    const char *csv, *parts_dir, *trace, *plot, *set_dir, *playlist;
    bool loop, check;
    int transition;              /* CS_PLAY_BASS_SWAP or CS_PLAY_FADE */
    long fade_bars;              /* 0: from the material */
    int order;                   /* CS_PLAY_ORDER_*, -1: not given (auto; --csv: csv) */
    int key_rule;                /* cs_key_rule (pkg/order.h) */
    double max_stretch;          /* percent, < 0: not given */
    long extend_phrases;         /* 0: off */
    cs_selopts sel;
    double loudness_target;   /* LUFS */
    int loudness;             /* 1 on, 0 off */
} cs_play_ladder_args;

/* The ladder's voice volume (linear): every deck's level before the master
 * gain, the chain cs plan's loudness column assumes too. */
#define CS_PLAY_LADDER_VOLUME 0.8

/* The true-peak ceiling of a loudness-matched set, dBTP, and how far above
 * it a track's gained peak may go for the limiter to take (dB): more than
 * that caps the track's gain instead (it then plays under the target). */
#define CS_PLAY_TRUE_PEAK_CEILING -1.0
#define CS_PLAY_LIMITER_RANGE 6.0

/* Checks the loudness options: 0, or CS_EXIT_USAGE after saying why. */
int cs_play_ladder_usage(const cs_play_ladder_args *la);

enum { CS_PLAY_BASS_SWAP = 0, CS_PLAY_FADE = 1 };
extern const cs_name cs_play_transition_names[];
enum { CS_PLAY_ORDER_AUTO = 0, CS_PLAY_ORDER_CSV = 1, CS_PLAY_ORDER_PLAYLIST = 2 };
extern const cs_name cs_play_order_names[];
extern const cs_name cs_play_key_rule_names[];

/* Clears la (the selection's messages say "play"); loudness on, -14 LUFS;
 * bass swap, fade bars from the material. */
void cs_play_ladder_args_init(cs_play_ladder_args *la);
/* With --bpm B given to play: B is also the selection's centre. */
void cs_play_ladder_bpm(cs_play_ladder_args *la, double bpm);
static inline bool cs_play_ladder_wanted(const cs_play_ladder_args *la)
{
    return la->csv || la->set_dir || la->sel.any_but_bpm || la->parts_dir || la->playlist;
}
/* --set DIR --check: every part present and unchanged (pkg/setfile.h);
 * CS_EXIT_OK or CS_EXIT_FAIL after naming each bad part.  A whole set then
 * gets its transitions' warnings (cmd/plan_set.h, --fade-bars as given). */
int cs_play_set_check(const char *set_dir, long fade_bars);
/* Loads and probes the set, builds the ladder and hooks it into c.  lead:
 * frames of command lead (live: a few device buffers; render: 0). */
cs_ladder *cs_play_ladder_start(const cs_play_ladder_args *la, const char *db_path, cs_control *c,
                                cs_engine *e, cs_reader *r, uint64_t lead, int meter,
                                const cs_tempo_config *tempo, cs_err *err);

#endif
