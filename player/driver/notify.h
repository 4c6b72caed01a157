/* systemd's service notifications (sd_notify(3), libsystemd): READY=1 once
 * the player listens and plays, WATCHDOG=1 while it is alive, STATUS= with
 * the one-line state, EXTEND_TIMEOUT_USEC= while the first open waits for
 * the sound card.  Without $NOTIFY_SOCKET (not under systemd) every call
 * does nothing.
 *
 * The watchdog rule: WATCHDOG=1 goes out (every half of $WATCHDOG_USEC,
 * sd_watchdog_enabled(3)) only from the live loop, right after a control
 * tick, and only when the audio side has advanced since the last ping: a
 * callback ran the engine, or, while the device is lost and being
 * reopened, the stand-in clock did (device.h).  A stuck control loop or an
 * audio side that stopped (a callback hung inside the engine) sends
 * nothing, and systemd restarts the service after WatchdogSec.
 *
 * Live loop thread only. */
#ifndef CS_PLAYER_NOTIFY_H
#define CS_PLAYER_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cs_notify {
    bool on;                      /* $NOTIFY_SOCKET set */
    int64_t wd_every_ns;          /* WATCHDOG=1 period (half of WATCHDOG_USEC); 0: no watchdog */
    int64_t last_ping_ns, pinged_audio_ns, last_status_ns;
    char status[256];             /* the last STATUS= sent */
} cs_notify;

/* Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (the environment is left as is). */
void cs_notify_init(cs_notify *n);
/* READY=1 with a STATUS=. */
void cs_notify_ready(cs_notify *n, const char *status);
/* Still starting (waiting for the device): EXTEND_TIMEOUT_USEC= by usec and a STATUS=. */
void cs_notify_starting(cs_notify *n, uint64_t usec, const char *status);
/* After a control tick: WATCHDOG=1 when due and audio_ns (the output
 * clock's last time, device.h's cs_device_audio_ns) moved since the last
 * ping; STATUS= when it changed, at most once a second. */
void cs_notify_tick(cs_notify *n, int64_t audio_ns, const char *status);
/* True when a STATUS= may go out (a second since the last). */
bool cs_notify_status_due(const cs_notify *n);
/* Seconds until cs_notify_tick wants to run again (INFINITY: never). */
double cs_notify_next_s(const cs_notify *n);
/* STOPPING=1. */
void cs_notify_stopping(cs_notify *n);

#endif
