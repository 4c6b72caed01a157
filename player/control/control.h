/* The control thread's state: the original audio server's model (buffers by
 * id, players, armed decks, groups, deck levels, EQ, tempo) driving the
 * real-time engine.
 *
 * Every call runs on one thread (the OSC loop, or the offline renderer) and
 * never blocks on audio: loads go to the reader, starts wait in a pending
 * list until their streams are ready, then reach the engine stamped with
 * their exact sample time.  Time is the engine's sample clock (render mode
 * sets it explicitly with cs_control_set_clock), so offline renders are
 * exact and repeatable.
 *
 *   cs_control *c = cs_control_new(&cfg, engine, reader, &err);
 *   cs_control_cue(c, 0, "a.wav", 0.0);
 *   cs_control_start_group(c, 0.5, (int[]){0, 1}, 2);
 *   for (;;) { ...dispatch messages...; cs_control_tick(c); }
 *
 * Ladder sets (player/set/, the layer above) plug in through cs_control_ladder.
 */
#ifndef CS_PLAYER_CONTROL_H
#define CS_PLAYER_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/err.h"
#include "player/engine/engine.h"
#include "player/control/tempo.h"
#include "player/control/allow.h"
#include "pkg/stretch.h"

/* Stretch-method names (the original server's playback_rate, pyrubberband,
 * audiotsm among them) are pkg/stretch.h's one table. */

typedef struct cs_control_config {
    double base_bpm;            /* --bpm (120) */
    bool eq_on;                 /* --enable-filters and not --disable-filters */
    cs_stretch_method stretch;
    bool stretch_disabled;      /* --disable-time-stretch: tempo never changes the audio */
    cs_tempo_config tempo;
    bool render;                /* offline: clock set by the caller */
    bool watch;                 /* --watch: print bar.beat once per beat */
    int meter;                  /* --meter (4) */
    /* A ladder set plays and no /dance/total_movement came for this many
     * seconds: warned once (until movement comes back).  0: never. */
    double movement_warn_s;
    /* --max-ahead: a time-tagged bundle due later than this many seconds
     * from now is refused (one line: how far, and the likely cause, the
     * clocks).  0 (a zeroed config): CS_BUNDLE_MAX_AHEAD_S; cs play sets it. */
    double max_ahead_s;
} cs_control_config;

/* What a ladder set reports about itself (cs_control_ladder.state, its one
 * way of telling control anything: /cs/status, the live warnings). */
typedef struct cs_control_ladder_state {
    const char *label;           /* "i/n name" of the set's current track; "" before the
                                    first; valid until the next tick */
    double rung[2];              /* BPM of the rung deck A/B plays (the incoming one
                                    during a switch); 0: the deck is idle */
    const char *track[2];        /* the track on deck A/B, or NULL; valid until the next tick */
    const char *next_track;      /* the track that comes next, or NULL (end of the set) */
    double next_change_s;        /* seconds until it starts on its beat; 0 while a
                                    crossfade runs; NAN: unknown or none */
    bool crossfading;
    double rung_lo, rung_hi;     /* lowest and highest rung (BPM) of the track playing;
                                    0: none yet */
    double max_dev;              /* rate bound around a rung (0.02 = ±2 %) */
    const char *transition;      /* the running or next track change, e.g. "a -> b: bar 25,
                                    fade 8 bars (16.0 s), bass swap"; NULL: none planned */
    double swap_in_s;            /* seconds until its bass swap; NAN: none planned or done */
    const char *reach_note;      /* the running order's excursion: no track reaches the
                                    target, e.g. "no track reaches 133.0 BPM: ... plays
                                    on at its nearest rung"; NULL: none */
} cs_control_ladder_state;

/* What /cs/status and /cs/status/json report: a plain snapshot, taken on
 * the control thread (cs_control_status_get), copied freely.  The field by
 * field description (units, "none" values) is in docs/osc.md "Status fields";
 * player/control/status.h turns it into JSON, text and one line. */
typedef struct cs_control_status {
    double time_s;                      /* engine time (seconds since launch / render start) */
    double bpm, target_bpm, base_bpm;   /* BPM now, the glide's target, --bpm */
    double movement;                    /* last movement, normalised 0..1; < 0: none yet */
    double movement_age_s;              /* seconds since it arrived; < 0: none yet */
    bool idle;                          /* the idle timeout sent the target back to base */
    int rung[CS_DECKS];                 /* BPM of the rung playing, rounded; -1: not a ladder deck */
    char track[256];                    /* "i/n name" of the set's current track, or the last loaded */
    /* ladder sets only (set false: the rest of this block is empty) */
    bool set;
    double rung_bpm[2];                 /* exact rung per deck A/B; 0: idle */
    double rate[2];                     /* bpm / rung_bpm: the resample rate; 0: idle */
    char deck_track[2][128];            /* the track on deck A/B; "": none */
    char next_track[128];               /* "": the set ends after this track */
    double next_change_s;               /* NAN: unknown / none; 0: crossfading */
    bool crossfading;
    double rung_lo, rung_hi, max_dev;   /* the current track's rung range; 0: none */
    bool outside;                       /* tempo beyond the range ± max_dev: pitch moves */
    char transition[192];               /* the running or next track change; "": none planned */
    char reach_note[192];               /* no track reaches the target (the running order); "": none */
    double swap_in_s;                   /* seconds until its bass swap; NAN: none planned or done */
    uint64_t underruns, xruns;          /* stream ran dry; late device callbacks */
    uint64_t late_bundles;
    /* Time-tagged bundles: waiting on the control side for their time
     * (cs_control_bundle_defer), and dropped, per reason (cs_bundle_drop). */
    unsigned bundles_waiting;
    uint64_t bundles_dropped[4];
    uint64_t unknown_osc;               /* messages to addresses the player does not know */
    int unknown_addresses;              /* how many distinct such addresses */
    int buffers, playing;
    double deck_level[CS_DECKS];
    /* Streams that ended before their known length (cs_reader_short_ends):
     * how many, and the last one ("PATH: the stream ended at X s, before
     * its length of Y s"; "" when none). */
    unsigned short_ends;
    char short_last[320];
    /* The output device (live only; cs_control_set_device): lost now, since
     * when (Unix time of the current or last loss; 0: never lost), for how
     * long (seconds; 0 while not lost), and how many losses since start. */
    bool device_lost;
    double device_lost_since, device_lost_s;
    unsigned device_losses;
} cs_control_status;

/* What the control tick pushes into a ladder set every tick (its only
 * input from the tempo side: a ladder never reads control's status back). */
typedef struct cs_control_frame {
    uint64_t now;                       /* engine sample clock (frames at CS_RATE) */
    double bpm;                         /* the tempo controller's current BPM */
    double target_bpm;                  /* where it glides to (BPM) */
    double movement;                    /* last /dance/total_movement; < 0: none yet */
} cs_control_frame;

/* Hooks for ladder sets (player/set/, the layer above control): called
 * from the control thread.  Control pushes its frame down through tick and
 * /cs/next through next; everything it reports about the set comes back
 * through the one state callback. */
typedef struct cs_control_ladder {
    void *ctx;
    /* Returns the engine sample by which the set wants its next tick (its
     * next event due: a start or a rung switch to commit on its beat, a
     * stream being opened, a command the queue refused; at most
     * CS_CONTROL_TICK_PLAY_S ahead while the tempo glides or a switch or
     * fade runs, CS_CONTROL_TICK_STEADY_S while one track plays at a steady
     * tempo: player/set/ladder_due.c); <= f->now: as soon as
     * possible; UINT64_MAX: nothing (the set is over). */
    uint64_t (*tick)(void *ctx, const cs_control_frame *f);
    int (*next)(void *ctx, cs_err *err);            /* /cs/next */
    /* Optional (NULL: not reported): the set's state at engine time now. */
    void (*state)(void *ctx, uint64_t now, cs_control_ladder_state *st);
} cs_control_ladder;

typedef struct cs_control cs_control;

cs_control *cs_control_new(const cs_control_config *cfg, cs_engine *e, cs_reader *r, cs_err *err);
void cs_control_free(cs_control *c);
/* Plugs a ladder set's hooks in (NULL: none). */
void cs_control_set_ladder(cs_control *c, const cs_control_ladder *l);
/* Unplugs the hooks whose ctx is `ctx` (a ladder set being freed); hooks of
 * another ctx stay. */
void cs_control_drop_ladder(cs_control *c, const void *ctx);
/* Folders loads may come from (the caller keeps `a` alive); NULL, the
 * default, allows every path.  A refused load logs one line, changes
 * nothing and returns -1. */
void cs_control_set_allow(cs_control *c, cs_allow *a);

/* The top n engine voices for another module's own use (ladder sets):
 * buffers never take them.  Returns the first such slot, or -1 when a
 * buffer holds one of them already. */
int cs_control_reserve_voices(cs_control *c, int n);

/* Render mode: the sample time of the message being handled. */
void cs_control_set_clock(cs_control *c, uint64_t frames);
uint64_t cs_control_now(const cs_control *c);
/* Housekeeping: retired streams, pending starts, load failures, tempo,
 * underrun reports (at most one line per 2 s), the watch. */
void cs_control_tick(cs_control *c);

/* How soon the control side needs its next cs_control_tick(), in seconds:
 * while a start waits for its load, its deadline (the reader's news,
 * cs_reader_set_news, wakes the loop when the load is ready; without news,
 * as in a render, CS_CONTROL_TICK_BUSY_S: polled); with --watch, the next
 * beat; a ladder set's next event (what its tick hook returned: CS_CONTROL_TICK_BUSY_S at the
 * least; CS_CONTROL_TICK_PLAY_S at the most while its tempo glides or a
 * switch or fade runs, CS_CONTROL_TICK_STEADY_S at a steady tempo);
 * CS_CONTROL_TICK_PLAY_S while voices
 * play and the tempo glides (the playback-rate glide moves < 0.1 BPM, 0.08 %,
 * in that time); CS_CONTROL_TICK_STEADY_S while voices play at a steady
 * tempo (nothing audible moves; ended and failed streams are collected;
 * sooner when the idle timeout turns the target); else CS_CONTROL_TICK_IDLE_S
 * (rate-limited warnings, the underrun report).  The live loop sleeps on the
 * OSC socket that long: a message wakes it at once, and an idle player
 * wakes once a second instead of 200 times.  A bundle waiting for its time
 * (cs_control_bundle_defer) shortens it to when the bundle falls due. */
#define CS_CONTROL_TICK_BUSY_S 0.005
#define CS_CONTROL_TICK_PLAY_S 0.050
#define CS_CONTROL_TICK_STEADY_S 0.25
#define CS_CONTROL_TICK_IDLE_S 1.0
double cs_control_next_tick(const cs_control *c);

/* Time-tagged OSC bundles (bundles.c; surface/osc_server.c drives them).
 * Engine sample of an NTP time tag (seconds since 1900, 2^-32 fractions):
 * live, tag → wall clock → CLOCK_MONOTONIC → engine sample through the
 * output clock (cs_engine_clock_read; the sample handed to the device at
 * that time).  Render mode: the tag counts seconds from the render's start
 * (sample round(tag × CS_RATE); NTP time 0 = engine time 0), so renders are
 * repeatable.  Tag 0/1 ("immediately") → CS_NOW. */
uint64_t cs_control_tag_time(const cs_control *c, uint32_t sec, uint32_t frac);
/* Every engine command issued from now on (loads, starts, stops, levels,
 * fades, EQ, rate) lands on sample `at`, and delays (/play, /fade,
 * /start_group start_at, /reset's zero) count from it; CS_NOW restores "as
 * soon as possible".  Returns the previous setting (bundles nest).  State
 * kept on the control side (tempo, status, buffer table) changes when the
 * bundle is handled: on arrival, or CS_BUNDLE_LEAD_S before its tag for a
 * bundle that waited (below). */
uint64_t cs_control_set_command_time(cs_control *c, uint64_t at);
/* A bundle that arrived after its time runs at once: counted and logged
 * "late by X ms" (X s beyond 10 s, with the likely cause: the clocks; at
 * most 10 lines a second).  ms: the true lateness (cs_control_tag_ahead). */
void cs_control_note_late(cs_control *c, double ms);
uint64_t cs_control_late_bundles(const cs_control *c);
/* Seconds from now (the engine's clock, cs_control_now) until the tag's
 * sample; < 0: the tag has passed, by exactly that much (never clamped,
 * unlike cs_control_tag_time's sample, so an hour late reads -3600).  Tag
 * 0/1: 0. */
double cs_control_tag_ahead(const cs_control *c, uint32_t sec, uint32_t frac);

/* Future bundles wait on the control side (bundle_queue.c), in a binary
 * heap by due sample as liblo's server queue keeps its future bundles, and
 * are handed back to the OSC layer CS_BUNDLE_LEAD_S before they are due, so
 * the engine only ever holds commands due within that lead: no sender can
 * fill its fixed command lists with far-future commands.  The lead covers a
 * load started by the bundle and any device buffer (at most ~190 ms at 8192
 * frames).  The heap holds at most CS_BUNDLE_QUEUE_MAX bundles and
 * CS_BUNDLE_QUEUE_BYTES bytes; beyond, a bundle is dropped (logged,
 * counted).  Tags beyond --max-ahead (default CS_BUNDLE_MAX_AHEAD_S) are
 * refused before that.  A bundle is handed back only while the engine's
 * command queue is at most half full, so bundles falling due together never
 * crowd out commands due now. */
#define CS_BUNDLE_LEAD_S 0.5
#define CS_BUNDLE_QUEUE_MAX 1024
#define CS_BUNDLE_QUEUE_BYTES (4u << 20)
#define CS_BUNDLE_MAX_AHEAD_S 60.0
/* OSC bundles nested deeper than this are dropped (logged, counted). */
#define CS_BUNDLE_MAX_DEPTH 9

/* Why a bundle was dropped (the index of cs_control_status.bundles_dropped). */
typedef enum cs_bundle_drop {
    CS_BUNDLE_DROP_DEEP = 0,     /* nested more than CS_BUNDLE_MAX_DEPTH deep */
    CS_BUNDLE_DROP_AHEAD,        /* tagged beyond --max-ahead */
    CS_BUNDLE_DROP_MALFORMED,    /* truncated, or an element's size is wrong */
    CS_BUNDLE_DROP_FULL,         /* the waiting heap is at its limit */
} cs_bundle_drop;
#define CS_BUNDLE_DROP_KINDS 4

/* Runs a deferred bundle (the OSC layer's): `data` is the bundle's bytes,
 * `aux` what the layer stored with it (copied at defer time). */
typedef void (*cs_control_bundle_fn)(cs_control *c, const void *data, size_t size, const void *aux, size_t auxsize);
/* Keeps a copy of the bundle (and of aux) until engine sample `due` minus
 * the lead, then calls run from cs_control_tick.  0, or -1 when the heap is
 * at its limit or out of memory (dropped: logged and counted as
 * CS_BUNDLE_DROP_FULL).  Control thread only. */
int cs_control_bundle_defer(cs_control *c, uint64_t due, cs_control_bundle_fn run, const void *data, size_t size,
                            const void *aux, size_t auxsize);
/* Counts a dropped bundle under `why` and logs the line (rate-limited with
 * the other bundle lines: at most 10 a second, then a count). */
void cs_control_bundle_dropped(cs_control *c, cs_bundle_drop why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* --max-ahead in seconds (the configured value or the default). */
double cs_control_max_ahead(const cs_control *c);
/* Bundles waiting now. */
unsigned cs_control_bundles_waiting(const cs_control *c);
/* True when a waiting bundle is due at or before engine sample `due`: a
 * bundle due then must wait behind it (the heap is held back while the
 * engine's queue is busy; sent at once it would land first). */
bool cs_control_bundle_waits_before(const cs_control *c, uint64_t due);

/* The original server's operations (docs/osc.md "Messages of the original
 * audio server").  Each returns 0, or -1 after logging one line (nothing
 * changed); those lines are rate-limited (10 a second, then a count of the
 * ones left out). */
int cs_control_load_buffer(cs_control *c, long id, const char *path, const char *name);
int cs_control_play_stem(cs_control *c, long id, double rate, double volume, bool loop, double start_pos);
int cs_control_stop_stem(cs_control *c, long id);
int cs_control_stem_volume(cs_control *c, long id, double volume);
/* level < 0 (or NaN): keep that deck's level. */
int cs_control_deck_level(cs_control *c, int deck, double level);
/* Linear band gain; ignored (0) while the EQ is disabled. */
int cs_control_eq_gain(cs_control *c, int deck, int band, double gain);
bool cs_control_eq_on(const cs_control *c);
void cs_control_print_status(cs_control *c);
void cs_control_cleanup(cs_control *c);
/* Tempo factor the live master stretcher applies: bpm / base with a
 * rubberband or wsola method, 1 otherwise (or with --disable-time-stretch). */
double cs_control_stretch_tempo(const cs_control *c);
int cs_control_set_tempo(cs_control *c, double bpm);      /* jump */
int cs_control_target_bpm(cs_control *c, double bpm);     /* glide (/cs/bpm) */
int cs_control_movement(cs_control *c, double m);
void cs_control_set_meter(cs_control *c, int beats);
void cs_control_set_watch(cs_control *c, bool on);
void cs_control_reset(cs_control *c);
int cs_control_schedule_c_at(cs_control *c, double seconds);
int cs_control_play(cs_control *c, int deck, const char *path, double start_at);
int cs_control_fade(cs_control *c, int deck, double start_at, double duration);
int cs_control_cue(cs_control *c, int deck, const char *path, double start_pos);
int cs_control_start_group(cs_control *c, double start_at, const int *decks, int n);
int cs_control_next(cs_control *c, cs_err *err);
void cs_control_status_get(cs_control *c, cs_control_status *st);
/* The live driver reports the output device's state (player/driver/
 * device.h) for status: lost or not, the Unix time of the current or last
 * loss (0: never), losses since start. */
void cs_control_set_device(cs_control *c, bool lost, double lost_since, unsigned losses);
/* A message to an address no handler knows (the detector's keypoints, a
 * typo): counted per address, the first of each address logged once (at
 * most 32 addresses are told apart; the rest are counted together).  A
 * string compare over that table: cheap enough for the keypoint flood. */
void cs_control_unknown_address(cs_control *c, const char *path);
/* Logs the unknown addresses seen and their counts (one line; nothing when
 * there were none): the session summary. */
void cs_control_log_unknown(const cs_control *c);

#endif
