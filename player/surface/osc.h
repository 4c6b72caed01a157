/* The OSC surface of cs play: the original audio server's addresses
 * (docs/osc.md "Messages of the original audio server") plus /cs/status,
 * /cs/status/json, /cs/bpm, /cs/next and /cs/ping, over UDP
 * (IPv4 and IPv6) or from a render script.
 *
 * One dispatch function serves both the network and --osc-script, so tests
 * that render offline exercise exactly the code the network uses.  Numbers
 * are lenient (int, float, double, int64 and numeric strings interchange),
 * but strict about what is a number: a string must be a whole decimal
 * number ("129abc", "0x81", "inf" are not), NaN and infinities are refused,
 * and booleans (T/F), nil, impulse, chars and blobs are not numbers (T/F
 * are accepted as flags: /play_stem's loop, /print_clock).  Every number is
 * checked against a sane range (below; tempos in tempo.h and control.c) and
 * refused with one line outside it.  A message with no type-tag string at
 * all (its address, padded, and nothing after) has no arguments, as
 * python-osc reads it.  Extra arguments are ignored, typetags "," and
 * ",[]" are both accepted,
 * unknown addresses (the detector's keypoint flood) are dropped and counted
 * (the first of each address logged once: cs_control_unknown_address), and a bad argument costs one log line (at most 10 a second) and
 * changes nothing.  Bundles are scheduled by their time tags, to the sample.
 *
 *   cs_osc_server *srv = cs_osc_server_new("0.0.0.0", 57120, &err);
 *   for (;;) { cs_osc_server_poll(srv, control, 5); cs_control_tick(control); }
 *
 *   cs_osc_script *sc = cs_osc_script_load("mix.osc", &err);   // render
 *   while (cs_osc_script_next_time(sc) < block_end) cs_osc_script_run_next(sc, control);
 */
#ifndef CS_PLAYER_OSC_H
#define CS_PLAYER_OSC_H

#include <lo/lo.h>
#include <stdint.h>

#include "pkg/err.h"
#include "player/control/control.h"

/* Replies go back through this (the network sends them to the sender; a
 * script prints them). */
typedef void (*cs_osc_reply_fn)(void *ctx, const char *path, lo_message m);

enum { CS_OSC_HANDLED = 0, CS_OSC_UNKNOWN = 1, CS_OSC_BAD = -1 };

/* Sane ranges of OSC arguments (beyond them a message is refused):
 * volumes, deck levels and EQ gains at most 4 (+12 dB; a negative level
 * keeps a deck's level, as before); EQ percents within +-1000; times
 * (start_at, fade durations, /schedule_c_at) within a day, so no sample
 * count overflows; /play_stem rate within CS_ENGINE_RATE_MIN..MAX and
 * start positions within [0, 1] (fractions of the buffer). */
#define CS_OSC_GAIN_MAX 4.0
#define CS_OSC_PERCENT_MAX 1000.0
#define CS_OSC_SECONDS_MAX 86400.0
int cs_osc_dispatch(cs_control *c, const char *path, const char *types, lo_arg **argv, int argc,
                    cs_osc_reply_fn reply, void *reply_ctx);

/* How the UDP server (cs_osc_server_poll) handles one datagram: a message,
 * or a bundle whose elements run in order, each engine command they issue
 * stamped with the sample of the bundle's time tag (cs_control_tag_time: the
 * tagged time at the output; 0/1 = immediately).  Nested bundles take their
 * own tags, never earlier than their parent's.  A bundle whose time has
 * passed runs at once and is counted and logged "late by X ms" (its true
 * lateness).  A bundle due more than CS_BUNDLE_LEAD_S ahead is copied into
 * the control side's bounded heap (cs_control_bundle_defer) and its messages
 * run when it falls due (cs_control_tick), the engine commands still stamped
 * with the tag's sample; replies of such a bundle go to the sender only
 * through the UDP server (here, reply_ctx is borrowed, so they are dropped).
 * Tags beyond --max-ahead, bundles nested more than CS_BUNDLE_MAX_DEPTH deep
 * and malformed bundles are dropped: logged (rate-limited) and counted
 * (cs_control_bundle_dropped).  Messages outside bundles, and bundles due
 * within the lead, are handled on arrival.  (Tests reach this handling
 * without a socket: player/surface/osc_test.h.) */

typedef struct cs_osc_server cs_osc_server;
/* bind "0.0.0.0" (default) listens on IPv4 and IPv6 (dual stack where the
 * system allows); "::" likewise; any other address binds that address only. */
cs_osc_server *cs_osc_server_new(const char *bind, int port, cs_err *err);
/* Waits up to timeout_ms for datagrams or a cs_osc_server_wake, and
 * handles all datagrams that arrived.  Control thread. */
void cs_osc_server_poll(cs_osc_server *s, cs_control *c, int timeout_ms);
/* Ends a cs_osc_server_poll under way (or the next one) at once: for news
 * from another thread (cs_reader_set_news: a stream the control side waits
 * for is ready).  Writes to an eventfd: any thread, never blocks,
 * async-signal-safe; `srv` is a cs_osc_server *. */
void cs_osc_server_wake(void *srv);
uint64_t cs_osc_server_packets(const cs_osc_server *s);
void cs_osc_server_free(cs_osc_server *s);

typedef struct cs_osc_script cs_osc_script;
/* Lines "SECONDS /address [TYPES ARGS...]" in oscsend's syntax (types i f d
 * h s T F N; arguments may be quoted with " or '); '#' starts a comment.
 * Lines run in time order (ties in file order).  NULL with err set on a
 * bad line ("FILE:LINE: why") or out of memory: never a shorter script. */
cs_osc_script *cs_osc_script_load(const char *path, cs_err *err);
/* Adds a line: `path` with string arguments at `seconds` (ties after the
 * lines already there); creates the script when *s is NULL.  cs play's
 * --dummy_after uses it. */
int cs_osc_script_add_strings(cs_osc_script **s, double seconds, const char *path, char *const *args,
                              int nargs, cs_err *err);
/* Lines in the script (run or not). */
int cs_osc_script_lines(const cs_osc_script *s);
/* Sample time of the next line, UINT64_MAX when none is left. */
uint64_t cs_osc_script_next_time(const cs_osc_script *s);
/* Runs the next line (control's clock must be set to its time). */
void cs_osc_script_run_next(cs_osc_script *s, cs_control *c);
void cs_osc_script_free(cs_osc_script *s);

#endif
