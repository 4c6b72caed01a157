/* Internals of the control thread's state, shared by control.c (buffers,
 * starts, deck commands), control_tempo.c (tempo, status, housekeeping),
 * control_watch.c (live warnings) and bundles.c (time-tagged bundles).
 * Control thread only. */
#ifndef CS_PLAYER_CONTROL_INT_H
#define CS_PLAYER_CONTROL_INT_H

#include "player/control/control.h"
#include "player/control/ratelimit.h"

#include <math.h>

#define START_WAIT_S 5.0         /* /start_group waits this long for loads */
#define MAX_PENDING 64
#define UNKNOWN_MAX 32           /* unknown OSC addresses told apart */

typedef struct buffer {
    bool used;
    long id;
    char *path, *name;
    cs_stream *s;                /* attached to the engine voice `slot` */
    bool played;                 /* s was started: a replay needs a new stream */
    double frac;                 /* s was opened at this fraction ... */
    bool loop;                   /* ... with this loop flag */
    bool failed_logged;
    /* A free slot whose engine release is stamped for a later sample (a
     * bundle's /mixer_cleanup or reload): not reused before then, or the
     * pending release would end the stream loaded into it meanwhile. */
    uint64_t busy_until;
} buffer;

typedef struct pstart {
    bool used;
    int slot;                    /* -1: resolve from deck at start time */
    int deck;
    int group;                   /* entries of one group start together */
    bool keep_playing;           /* group start: a playing voice continues */
    double rate, volume;
    uint64_t at, deadline;
} pstart;

struct cs_control {
    cs_control_config cfg;
    cs_engine *e;
    cs_reader *r;
    cs_tempo tempo;
    cs_control_ladder ladder;
    bool has_ladder;
    uint64_t ladder_due;         /* the set's next event (engine sample; its tick's answer) */
    cs_allow *allow;             /* --allow-dir; NULL: anything */
    uint64_t clock;              /* render mode */
    uint64_t t0;                 /* /reset time (frames) */
    /* Engine time of the commands being issued: CS_NOW (as soon as
     * possible), or the sample of the time-tagged bundle being dispatched. */
    uint64_t cmd_at;
    buffer buf[CS_MAX_VOICES];
    int nbuf;                    /* voices 0..nbuf-1 hold buffers; the rest are reserved */
    long armed[CS_DECKS];        /* -1: not armed */
    double level[CS_DECKS];
    pstart pend[MAX_PENDING];
    int next_group;
    double grate;
    char last_track[256];
    /* reporting */
    double last_log_s, logged_bpm, last_report_s, beats, last_tick_s;
    uint64_t reported_underruns, reported_xruns, reported_dropped;
    long last_beat;
    uint64_t late_bundles;
    cs_ratelimit rl_warn;        /* warnings OSC input can trigger */
    cs_ratelimit rl_late;        /* "bundle late by" lines and dropped bundles */
    /* Future bundles (bundle_queue.c): a binary heap by (due, seq). */
    struct ctl_bundle *bq[CS_BUNDLE_QUEUE_MAX];
    unsigned nbq;
    size_t bq_bytes;
    uint64_t bq_seq;
    uint64_t bundles_dropped[CS_BUNDLE_DROP_KINDS];
    /* unknown OSC addresses (cs_control_unknown_address) */
    struct { char path[64]; uint64_t n; } unk[UNKNOWN_MAX];
    int nunk;
    uint64_t unk_total, unk_other;
    /* live warnings about a ladder set */
    double set_since_s;          /* when the set's first tick ran; < 0: not yet */
    bool movement_warned;        /* "no movement for N s" said; cleared by movement */
    int outside;                 /* the tempo is below (-1) or above (1) the rungs: one
                                    warning per excursion */
    /* the output device (cs_control_set_device) */
    bool device_lost;
    double device_lost_since;
    unsigned device_losses;
};

/* Warnings and errors a sender can provoke at will (unknown players,
 * refused loads...): rate-limited, so a flood of them is not a flood of
 * log lines. */
#define CTL_WARN(c, ...) do { if (cs_ratelimit_ok(&(c)->rl_warn)) cs_log_warn(__VA_ARGS__); } while (0)
#define CTL_ERROR(c, ...) do { if (cs_ratelimit_ok(&(c)->rl_warn)) cs_log_error(__VA_ARGS__); } while (0)

static inline double ctl_now_s(const cs_control *c) { return (double)cs_control_now(c) / CS_RATE; }

/* Where delays count from: the bundle's sample while one is dispatched,
 * else now. */
static inline uint64_t ctl_base(const cs_control *c)
{
    return c->cmd_at != CS_NOW ? c->cmd_at : cs_control_now(c);
}

static inline uint64_t ctl_after(const cs_control *c, double seconds)
{
    if (!isfinite(seconds) || seconds < 0) seconds = 0;
    return ctl_base(c) + (uint64_t)llround(seconds * CS_RATE);
}

/* bundle_queue.c: hands the bundles falling due to the OSC layer (called
 * by the tick); frees every waiting bundle (cs_control_free); seconds
 * until the next one falls due (INFINITY: none). */
void ctl_bundles_run(cs_control *c);
void ctl_bundles_free(cs_control *c);
double ctl_bundles_next_s(const cs_control *c);

/* control.c: starts waiting for their streams (called by the tick). */
void ctl_run_pending(cs_control *c);
/* A pending start waits for a stream whose news was already sent (it was
 * ready once and its ring ran low since, e.g. a playing deck in a group
 * start): no news will come, so the control loop checks it again soon. */
bool ctl_pending_polls(const cs_control *c);
/* The tempo beyond the track's lowest or highest rung by more than the
 * rate bound: its nearest rung plays beyond ±max_dev, so the pitch moves. */
static inline bool ctl_outside(double bpm, const cs_control_ladder_state *ls)
{
    return ls->rung_lo > 0 && (bpm < ls->rung_lo * (1 - ls->max_dev) || bpm > ls->rung_hi * (1 + ls->max_dev));
}

/* control_watch.c: the live warnings (movement silence,
 * tempo outside the rungs), run by the tick. */
void ctl_watch_tick(cs_control *c, double t);

#endif
