/* Internals of a ladder set (see ladder.h), shared by ladder.c (positions,
 * streams, rates, rung switches, tracks, the tick), ladder_state.c (/cs/next
 * and the state callback), ladder_mix.c, ladder_order.c and ladder_report.c
 * (the trace, the plot, the rung each deck reports).  Control thread only. */
#ifndef CS_PLAYER_LADDER_INT_H
#define CS_PLAYER_LADDER_INT_H

#include "player/set/ladder.h"
#include "pkg/transition.h"
#include "player/set/ladder_cmd.h"

#include <stdio.h>

#define RAMP ((uint64_t)(CS_RAMP_SECONDS * CS_RATE + 0.5))
#define XF_AHEAD (CS_RATE / 4)              /* crossfade segments sent 250 ms ahead */
#define LADDER_MAX_SWAPS 512                /* swaps the plot marks */
#define RATE_EVERY (CS_RATE / 20)           /* rate commands at most every 50 ms */
/* A start that depends on a position is sent only this close to its time:
 * rates are frozen from then until it happens (more than one render block
 * and one 1024-frame device block; live, the control loop is woken where
 * the window opens: ladder_due.c). */
#define COMMIT_WINDOW 2048
/* The incoming track plays alone at least this many bars after its fade:
 * room for the next fade to start on a bar line once the outgoing deck is
 * free again (cs plan uses the same). */
#define LADDER_SOLO_BARS CS_TRANSITION_SOLO_BARS

enum { SW_NONE, SW_OPEN, SW_FADE };
enum { ST_START, ST_PLAY, ST_OPEN, ST_XFADE, ST_DONE };

typedef struct lvoice {
    int slot, rung;               /* rung -1: unused */
    cs_stream *s;
    bool committed;               /* play command sent: the model holds */
    uint64_t t_ref;
    double p_ref, rate;
} lvoice;

typedef struct ldeck {
    int track;                    /* -1: free */
    lvoice v[2];
    int cur;                      /* the sounding voice (the old one during a switch) */
    int sw;
    double sw_u;                  /* the switch beat */
    uint64_t sw_t, sw_end;
    unsigned char *bad;           /* [max_rungs]: 1 = this rung would not open */
    double end_u;                 /* where this deck's part stops */
    uint64_t free_at;             /* fading out: free after this */
} ldeck;

/* One trace row (every 100 ms of engine time): movement (normalised, < 0:
 * none yet), target and current BPM, each deck's rung (0: none), the
 * current track (-1: none), and whether the current deck plays off the
 * ladder (its rate beyond ±max_dev: the pitch moves). */
typedef struct trow { double t, move, target, bpm, ra, rb; int track; bool off; } trow;

struct cs_ladder {
    cs_lset set;
    cs_control *c;
    cs_engine *e;
    cs_reader *r;
    cs_ladder_opts o;
    double hyst;
    ldeck deck[2];
    int st, cur, next, fails, shown;
    bool forced;
    double h_u;                   /* handover beat (current deck's u): plan.out_u0; < 0: none */
    cs_tplan plan;                /* the next (or running) transition (pkg/transition.h) */
    double open_u;                /* where the incoming deck was opened (u) */
    double open_gain_db;          /* the trim set then (cs_lset_solo_gain) */
    double solo_u;                /* the current deck's fade-out starts no earlier (u) */
    unsigned char *told;          /* [set.n]: its grid's lack of downbeats was said */
    int xf_from, xf_to, xf_n, xf_k;
    double xf_u0, xf_u1;
    bool swap_sent;
    bool said_long;               /* the --fade-bars-too-long warning was given */
    uint64_t swap_t;              /* the running transition's bass swap (sample time), 0: none */
    double swaps[LADDER_MAX_SWAPS];   /* bass swaps done (seconds), for the plot */
    size_t nswaps;
    char xf_desc[160];            /* the running or next transition, for /cs/status */
    uint64_t xf_t, hold, last_rate;
    double eff;                   /* the BPM every voice plays at */
    double bpm, target, movement;         /* this tick's frame (cs_control_frame) */
    double slope, slope_bpm;              /* BPM per second (smoothed), and where it was measured */
    uint64_t slope_t;
    size_t max_rungs;             /* the most rungs a track of the set has */
    double *rung_bpm;             /* [max_rungs] scratch for the rung choice */
    bool queue_full;              /* a command was refused: said once until one passes */
    ladder_cmds cmds;             /* every engine command goes through it (ladder_cmd.h) */
    FILE *trace;
    uint64_t next_trace;
    trow *rows;
    size_t nrows, caprows;
    double logged_move, logged_move_s;
    char label[300];
    struct ladder_order *ord;     /* the running order (ladder_order.c) */
};

static inline const cs_lset_rung *ladder_rung_of(const cs_ladder *l, const ldeck *d, const lvoice *v)
{
    return &l->set.tracks[d->track].rungs[v->rung];
}

static inline double ladder_period(const cs_ladder *l, int track) { return 60.0 / l->set.tracks[track].bpm; }

/* ---- the tick (ladder.c): cs_control_ladder.tick ---- */

/* Returns the engine sample of the set's next event (cs_control_ladder.tick). */
uint64_t ladder_tick(void *ctx, const cs_control_frame *f);
/* That sample, after the tick at `now` (ladder_due.c). */
uint64_t ladder_next_due(const cs_ladder *l, uint64_t now);

/* ---- positions (ladder.c) ---- */

/* u of deck d at sample time t (the model of the voice sounding then). */
double ladder_deck_u(const cs_ladder *l, const ldeck *d, uint64_t t);
/* Sample time at which deck d reaches u (never before its reference). */
uint64_t ladder_deck_time_at(const cs_ladder *l, const ldeck *d, double u);

/* ---- transitions (ladder_mix.c) ---- */

/* Plans the change from the current deck's track to l->next with
 * pkg/transition.h (fills l->plan, l->h_u); logs its warnings. */
void ladder_plan(cs_ladder *l, uint64_t tc);
/* The incoming deck `to` was committed at sample t: starts the fade. */
void ladder_xfade_start(cs_ladder *l, int to, uint64_t t);
/* Sends the fade's level segments and bass swap due soon; true when over. */
bool ladder_xfade_run(cs_ladder *l, uint64_t now, uint64_t tc);

/* ---- the running order (ladder_order.c) ---- */

/* Builds the order's state (pool, rounds) for l->set; -1: out of memory. */
int ladder_order_new(cs_ladder *l);
void ladder_order_free(cs_ladder *l);
/* Which track follows `current` (-1: the set's first), marking current
 * played; -1: the set ends.  With order_auto it logs why. */
int ladder_order_next(cs_ladder *l, int current);
/* The set's first track: chosen now (the target is known from the first
 * tick on) with order_auto, else l->next. */
int ladder_order_first(cs_ladder *l);
/* Track i could not be opened: it is never chosen again. */
void ladder_order_failed(cs_ladder *l, int i);
/* Every tick while a track plays alone: when the target leaves its reach,
 * another track that reaches it is made next and the handover moves to the
 * next phrase (l->forced); when none does, it says so once per excursion. */
void ladder_order_reach(cs_ladder *l);
/* The excursion ladder_order_reach said (no track reaches the target), for
 * the status; NULL: none now.  Control thread. */
const char *ladder_order_note(const cs_ladder *l);
/* --extend-phrases, in ST_PLAY before the next track opens (deck c plays
 * alone, at u now): true while the current track holds on (a phrase repeat
 * is pending): the caller waits. */
bool ladder_order_extend(cs_ladder *l, ldeck *c, uint64_t now);
/* Deck d jumps back from the beat u_from to u_to (same rung), with the rung
 * switch's 40 ms equal-power fade (ladder.c).  -1 when the deck is busy or
 * the stream does not open. */
int ladder_deck_jump(cs_ladder *l, ldeck *d, double u_from, double u_to);
/* Flags (bad[k] = 1) the rungs of track i beyond the stretch budget (the
 * rung choice avoids them unless nothing else is left). */
void ladder_order_rungs(const cs_ladder *l, int i, unsigned char *bad);

/* ---- the trace and the plot (ladder_report.c) ---- */

/* Opens o.trace_path and writes its CSV header line. */
int ladder_trace_open(cs_ladder *l, cs_err *err);
/* Logs movement changes and adds the trace rows due by `now`, from this
 * tick's frame (l->bpm, l->target, l->movement) and the decks' rungs.
 * Reports only: changes nothing the playback reads. */
void ladder_report(cs_ladder *l, uint64_t now);
/* Writes the plot (when asked), closes the trace, frees the rows. */
void ladder_trace_close(cs_ladder *l);
/* The rung (BPM) deck i plays, the incoming one during a switch; 0: none. */
double ladder_deck_rung(const cs_ladder *l, int i);

#endif
