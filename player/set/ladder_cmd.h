/* The ladder's one path to the engine (ladder_cmd.c): no engine command of
 * a ladder set is lost to a full command queue.
 *
 * Two kinds of command, two rules:
 *  - a step's head, whose acceptance the ladder's model depends on (a voice
 *    attached, a start, the common rate change): the caller first asks
 *    ladder_cmd_room() for the whole step (the head and every command that
 *    goes with it, e.g. a rung switch's start, eight volume steps and the old
 *    voice's release); without room nothing is sent and the caller retries
 *    the step on a later tick (its model unchanged).  With room, every
 *    command of the step fits: the control thread is the queue's only
 *    producer and the audio side only frees room.
 *  - the rest (levels, fades, volumes, releases): sent now, or, when the
 *    queue refuses them (or older ones still wait), kept in order on the
 *    control side and sent on a later tick (ladder_cmd_flush, first thing of
 *    each tick) with their sample stamps unchanged; a stamp that has passed
 *    by then applies at the next block, before anything sent after it (the
 *    engine's rule for a late `at`).
 * The first refusal since the last success is logged once.
 * Control thread only. */
#ifndef CS_PLAYER_LADDER_CMD_H
#define CS_PLAYER_LADDER_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "player/engine/engine.h"

typedef struct ladder_lcmd {
    int type, idx;               /* idx: voice slot or deck */
    double a, b;
    uint64_t at;
} ladder_lcmd;

typedef struct ladder_cmds {
    cs_engine *e;
    ladder_lcmd *q;              /* deferred commands, FIFO: q[head .. head+n) */
    size_t head, n, cap;
    uint64_t deferred;           /* commands that waited at least once (tests, logs) */
    bool told;                   /* "queue full" said; cleared when all passed */
} ladder_cmds;

void ladder_cmd_init(ladder_cmds *q, cs_engine *e);
/* Sends what waits, oldest first, until the queue refuses one. */
void ladder_cmd_flush(ladder_cmds *q);
/* True when nothing waits (after a flush) and the queue holds n more
 * commands; false (said once): the step waits for a later tick. */
bool ladder_cmd_room(ladder_cmds *q, size_t n);
/* Commands never lost: sent now or deferred (above). */
void ladder_cmd_release(ladder_cmds *q, int slot, uint64_t at);
void ladder_cmd_volume(ladder_cmds *q, int slot, double volume, uint64_t at);
void ladder_cmd_level(ladder_cmds *q, int deck, double level, double ramp_s, uint64_t at);
/* A deck's loudness trim (cs_engine_trim). */
void ladder_cmd_trim(ladder_cmds *q, int deck, double gain, uint64_t at);
/* A deck EQ band's gain (the bass swap: CS_EQ_LOW 0 or 1). */
void ladder_cmd_eq(ladder_cmds *q, int deck, int band, double gain, uint64_t at);
/* Frees what still waits (nothing is sent). */
void ladder_cmd_free(ladder_cmds *q);

#endif
