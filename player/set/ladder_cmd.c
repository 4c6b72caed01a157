/* The ladder's command path (see ladder_cmd.h). */
#include "player/set/ladder_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "pkg/err.h"

enum { LC_RELEASE, LC_VOLUME, LC_LEVEL, LC_TRIM, LC_EQ };

/* Far beyond anything a ladder sends while the audio side is alive (a few
 * commands a tick); reached only when nothing drains the queue for minutes. */
#define DEFER_MAX 65536

void ladder_cmd_init(ladder_cmds *q, cs_engine *e) { *q = (ladder_cmds){ .e = e }; }

static int send(cs_engine *e, const ladder_lcmd *c)
{
    switch (c->type) {
    case LC_RELEASE: return cs_engine_release(e, c->idx, c->at);
    case LC_VOLUME: return cs_engine_volume(e, c->idx, c->a, c->at);
    case LC_TRIM: return cs_engine_trim(e, c->idx, c->a, c->at);
    case LC_EQ: return cs_engine_eq_gain(e, c->idx, (int)c->b, c->a, c->at);
    default: return cs_engine_level(e, c->idx, c->a, c->b, c->at);
    }
}

static void refused(ladder_cmds *q)
{
    if (!q->told) cs_log_warn("ladder: the engine's command queue is full; the ladder's commands wait");
    q->told = true;
}

void ladder_cmd_flush(ladder_cmds *q)
{
    while (q->n) {
        if (send(q->e, &q->q[q->head]) < 0) {
            refused(q);
            return;
        }
        q->head++;
        q->n--;
    }
    q->head = 0;
    q->told = false;
}

bool ladder_cmd_room(ladder_cmds *q, size_t n)
{
    ladder_cmd_flush(q);
    if (q->n == 0 && cs_engine_queue_free(q->e) >= n) return true;
    refused(q);
    return false;
}

static void put(ladder_cmds *q, ladder_lcmd c)
{
    if (q->n == 0 && send(q->e, &c) == 0) return;
    refused(q);
    if (q->head + q->n == q->cap) {
        if (q->head > 0) {                      /* slide the waiting ones down */
            memmove(q->q, q->q + q->head, q->n * sizeof *q->q);
            q->head = 0;
        } else {
            size_t cap = q->cap ? 2 * q->cap : 64;
            ladder_lcmd *nq = cap <= DEFER_MAX ? realloc(q->q, cap * sizeof *nq) : NULL;
            if (!nq) {
                cs_log_error("ladder: %zu engine commands wait and no more can be kept: one dropped", q->n);
                return;
            }
            q->q = nq;
            q->cap = cap;
        }
    }
    q->q[q->head + q->n++] = c;
    q->deferred++;
}

void ladder_cmd_release(ladder_cmds *q, int slot, uint64_t at)
{
    put(q, (ladder_lcmd){ .type = LC_RELEASE, .idx = slot, .at = at });
}

void ladder_cmd_volume(ladder_cmds *q, int slot, double volume, uint64_t at)
{
    put(q, (ladder_lcmd){ .type = LC_VOLUME, .idx = slot, .a = volume, .at = at });
}

void ladder_cmd_level(ladder_cmds *q, int deck, double level, double ramp_s, uint64_t at)
{
    put(q, (ladder_lcmd){ .type = LC_LEVEL, .idx = deck, .a = level, .b = ramp_s, .at = at });
}

void ladder_cmd_trim(ladder_cmds *q, int deck, double gain, uint64_t at)
{
    put(q, (ladder_lcmd){ .type = LC_TRIM, .idx = deck, .a = gain, .at = at });
}

void ladder_cmd_eq(ladder_cmds *q, int deck, int band, double gain, uint64_t at)
{
    put(q, (ladder_lcmd){ .type = LC_EQ, .idx = deck, .a = gain, .b = band, .at = at });
}

void ladder_cmd_free(ladder_cmds *q)
{
    free(q->q);
    *q = (ladder_cmds){ 0 };
}
