/* The watched live device (see device.h): loss detection, the stand-in
 * clock while lost, reopening. */
#include "player/driver/device.h"

#include <SDL.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/driver/sdl_output.h"

#define CATCH_UP_BLOCKS 4        /* the stand-in makes up lost time at up to 4x */

enum { FAULT_REMOVE = 100 };     /* besides sdl_output.h's STALL and HANG */

struct cs_device {
    cs_device_config cfg;
    cs_output *out;              /* the device playing; NULL while lost */
    cs_output *zombie;           /* the lost one, until it can be closed */
    uint64_t zombie_calls;       /* its callback count when given up */
    int64_t opened_ns;           /* when `out` was opened */
    /* loss */
    bool lost, stuck_logged, reopen_logged;
    int64_t lost_ns, next_try_ns;
    double lost_wall;            /* Unix time, seconds */
    unsigned losses, tries;
    char why[160];
    /* the stand-in clock */
    pthread_t pacer;
    bool pacer_on;
    atomic_int pacer_stop;
    int64_t pacer_base_ns;       /* wall time the device stopped taking audio */
    float *scratch;              /* CATCH_UP_BLOCKS blocks, stereo */
    /* the test hook (CS_TEST_AUDIO) */
    int fault;
    double fault_at_s, fault_for_s;
    int64_t fault_at_ns, fault_end_ns;
    bool fault_fired;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CS_TEST_AUDIO=KIND@AT[+FOR]; a malformed value is said and ignored. */
static void parse_fault(cs_device *d)
{
    const char *v = getenv("CS_TEST_AUDIO");
    if (!v || !*v) return;
    char kind[16];
    double at = 0, dur = 0;
    int n = sscanf(v, "%15[a-z]@%lf+%lf", kind, &at, &dur);
    int k = n < 2 ? 0 : !strcmp(kind, "remove") ? FAULT_REMOVE : !strcmp(kind, "stall") ? CS_FAULT_STALL
          : !strcmp(kind, "hang") ? CS_FAULT_HANG : 0;
    if (!k || !(at >= 0 && at <= 1e6) || !(dur >= 0 && dur <= 1e6)) {
        cs_log_warn("play: CS_TEST_AUDIO=%s: expected remove|stall|hang@SECONDS[+SECONDS]; ignored", v);
        return;
    }
    d->fault = k;
    d->fault_at_s = at;
    d->fault_for_s = n == 3 ? dur : 0;
    cs_log_warn("play: test hook CS_TEST_AUDIO=%s: a simulated audio fault", v);
}

/* ---- the stand-in clock ---- */

/* Runs the engine at the device's pace into nothing, making up the time
 * since the device stopped (pacer_base_ns) at up to CATCH_UP_BLOCKS blocks
 * a period; publishes the output clock as the callback does, with the time
 * each block would have reached the device. */
static void *pacer_main(void *arg)
{
    cs_device *d = arg;
    size_t block = (size_t)d->cfg.buffer_frames;
    int64_t period = (int64_t)block * 1000000000 / CS_RATE;
    uint64_t done = 0;           /* frames output since pacer_base_ns */
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!atomic_load(&d->pacer_stop)) {
        int64_t now = mono_ns();
        for (int b = 0; b < CATCH_UP_BLOCKS; b++) {
            int64_t due = now - d->pacer_base_ns;
            if ((int64_t)((double)done * 1e9 / CS_RATE) > due) break;
            int64_t at = d->pacer_base_ns + (int64_t)((double)done * 1e9 / CS_RATE);
            cs_engine *e = d->cfg.engine;
            cs_engine_clock_publish(e, d->cfg.stretch ? cs_live_stretch_position(d->cfg.stretch) : cs_engine_now(e), at);
            if (d->cfg.stretch) cs_live_stretch_process(d->cfg.stretch, d->scratch, block);
            else cs_engine_process(e, d->scratch, block);
            done += block;
        }
        next.tv_nsec += period;
        while (next.tv_nsec >= 1000000000) next.tv_nsec -= 1000000000, next.tv_sec++;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {}
    }
    return NULL;
}

static void pacer_start(cs_device *d)
{
    if (d->pacer_on) return;
    atomic_store(&d->pacer_stop, 0);
    if (pthread_create(&d->pacer, NULL, pacer_main, d) == 0) d->pacer_on = true;
    else cs_log_error("play: cannot start the stand-in clock: the set's clock stops while the device is lost");
}

static void pacer_stop(cs_device *d)
{
    if (!d->pacer_on) return;
    atomic_store(&d->pacer_stop, 1);
    pthread_join(d->pacer, NULL);
    d->pacer_on = false;
}

/* ---- open, lose, reopen ---- */

static const cs_output_fault *out_fault(cs_device *d, cs_output_fault *f)
{
    if (d->fault != CS_FAULT_STALL && d->fault != CS_FAULT_HANG) return NULL;
    if (d->fault_fired) return NULL;     /* the first device only */
    *f = (cs_output_fault){ d->fault, d->fault_at_s, d->fault == CS_FAULT_HANG ? INFINITY : d->fault_for_s };
    return f;
}

cs_device *cs_device_open(const cs_device_config *cfg, cs_err *err)
{
    cs_device *d = calloc(1, sizeof *d);
    size_t n = (size_t)cfg->buffer_frames * 2 * CATCH_UP_BLOCKS;
    if (!d || !(d->scratch = calloc(n, sizeof(float)))) {
        free(d);
        cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->cfg = *cfg;
    parse_fault(d);
    /* SDL reports a removed device as an event: its queue must run.  No
     * signal handlers of SDL's own: cs play has its own. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_InitSubSystem(SDL_INIT_EVENTS) < 0)
        cs_log_warn("play: SDL events: %s; a lost device is seen by the callback watchdog only", SDL_GetError());
    cs_output_fault f;
    const cs_output_fault *fp = out_fault(d, &f);
    d->out = cs_output_open_ex(cfg->engine, cfg->stretch, cfg->device, cfg->buffer_frames, false, fp, err);
    if (!d->out && cfg->wait_s != 0) {
        const char *what = cfg->device && *cfg->device ? cfg->device : "the default device";
        if (cfg->wait_s < 0) cs_log_warn("play: %s; waiting for %s (retrying every second)", err->msg, what);
        else cs_log_warn("play: %s; waiting up to %g s for %s (retrying every second)", err->msg, cfg->wait_s, what);
        int64_t t0 = mono_ns();
        while (!d->out) {
            for (int i = 0; i < 10 && !*cfg->stop; i++) SDL_Delay(100);
            double waited = (double)(mono_ns() - t0) / 1e9;
            if (*cfg->stop || (cfg->wait_s > 0 && waited > cfg->wait_s)) {
                cs_err_setc(err, CS_ERR_NOT_FOUND, "%s: not there after %.0f s of waiting", what, waited);
                break;
            }
            if (cfg->waiting) cfg->waiting(cfg->user, waited);
            if ((d->out = cs_output_open_ex(cfg->engine, cfg->stretch, cfg->device, cfg->buffer_frames, false, fp, err)))
                cs_log_info("play: %s opened after %.1f s of waiting", what, waited);
        }
    }
    if (!d->out) {
        if (SDL_WasInit(SDL_INIT_EVENTS)) SDL_QuitSubSystem(SDL_INIT_EVENTS);
        free(d->scratch);
        free(d);
        return NULL;
    }
    d->opened_ns = mono_ns();
    if (d->fault) {
        d->fault_at_ns = d->opened_ns + (int64_t)(d->fault_at_s * 1e9);
        d->fault_end_ns = d->fault_at_ns + (int64_t)(d->fault_for_s * 1e9);
    }
    return d;
}

static void lose(cs_device *d, int64_t now, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void lose(cs_device *d, int64_t now, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->why, sizeof d->why, fmt, ap);
    va_end(ap);
    d->lost = true;
    d->lost_ns = now;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    d->lost_wall = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
    time_t secs = wall.tv_sec;
    d->losses++;
    d->tries = 0;
    d->reopen_logged = d->stuck_logged = false;
    d->next_try_ns = now;          /* the first reopen at once */
    struct tm tm;
    char hms[16];
    strftime(hms, sizeof hms, "%H:%M:%S", localtime_r(&secs, &tm));
    cs_log_warn("play: audio device lost at %s (%s; loss %u): the set plays on silently, reopening every second",
                hms, d->why, d->losses);
    /* The device stopped taking audio after its last callback's period. */
    int64_t last = cs_output_last_callback_ns(d->out);
    d->pacer_base_ns = last ? last + cs_output_period_ns(d->out) : now;
    if (d->pacer_base_ns > now) d->pacer_base_ns = now;
    /* A device lost before the one before it came back from its driver:
     * that one is left open (closing it would block on its thread). */
    if (d->zombie && cs_output_calls(d->zombie) != d->zombie_calls) cs_output_close(d->zombie);
    else if (d->zombie) cs_log_warn("play: an earlier lost audio device never returned from its driver; left open");
    d->zombie = d->out;
    d->zombie_calls = cs_output_calls(d->out);
    d->out = NULL;
    if (cs_output_hold(d->zombie)) pacer_start(d);
}

/* The lost device is closed once its SDL thread is seen alive (a callback
 * came since it was given up): SDL_CloseAudioDevice joins that thread, and
 * one stuck in a driver would block the loop. */
static void reap(cs_device *d)
{
    if (!d->zombie) return;
    if (!d->pacer_on && !d->out && cs_output_engine_free(d->zombie)) pacer_start(d);
    if (d->pacer_on && cs_output_calls(d->zombie) != d->zombie_calls) {
        cs_output_close(d->zombie);
        d->zombie = NULL;
    }
}

static void reopen(cs_device *d, int64_t now)
{
    d->next_try_ns = now + (int64_t)(CS_DEVICE_RETRY_S * 1e9);
    d->tries++;
    cs_err err = {0};
    cs_output *o = NULL;
    if (d->fault && d->fault != CS_FAULT_HANG && now < d->fault_end_ns)
        cs_err_setc(&err, CS_ERR_SYSTEM, "the device is gone (test hook CS_TEST_AUDIO)");
    else o = cs_output_open_ex(d->cfg.engine, d->cfg.stretch, d->cfg.device, d->cfg.buffer_frames, true, NULL, &err);
    if (!o) {
        if (!d->reopen_logged) cs_log_warn("play: reopening the audio device: %s (trying every second)", err.msg);
        d->reopen_logged = true;
        return;
    }
    pacer_stop(d);
    cs_output_release(o);
    d->out = o;
    d->opened_ns = mono_ns();
    d->lost = false;
    cs_log_info("play: audio device back after %.1f s (%u tries); the set plays on from %.1f s",
                (double)(d->opened_ns - d->lost_ns) / 1e9, d->tries,
                (double)cs_engine_now(d->cfg.engine) / CS_RATE);
}

double cs_device_check(cs_device *d)
{
    int64_t now = mono_ns();
    if (d->fault == FAULT_REMOVE && !d->fault_fired && d->out && now >= d->fault_at_ns) {
        SDL_Event ev = { .adevice = { .type = SDL_AUDIODEVICEREMOVED, .which = cs_output_device_id(d->out) } };
        SDL_PushEvent(&ev);
        d->fault_fired = true;
    }
    if ((d->fault == CS_FAULT_STALL || d->fault == CS_FAULT_HANG) && now >= d->fault_at_ns) d->fault_fired = true;
    SDL_Event ev;
    while (SDL_PollEvent(&ev))
        if (ev.type == SDL_AUDIODEVICEREMOVED && !ev.adevice.iscapture && d->out &&
            ev.adevice.which == cs_output_device_id(d->out))
            lose(d, now, "SDL: the device was removed");
    if (d->out && cs_output_stopped(d->out)) lose(d, now, "SDL stopped the device");
    if (d->out) {
        /* A device settles after its open (a sound server prebuffers, then
         * asks again only when its sink has played it): CS_DEVICE_FIRST_S
         * of patience in its first seconds. */
        int64_t last = cs_output_last_callback_ns(d->out);
        double silent = fmax(CS_DEVICE_SILENT_S, 3.0 * (double)cs_output_period_ns(d->out) / 1e9);
        if (!last || last < d->opened_ns) last = d->opened_ns;
        if (last - d->opened_ns < (int64_t)(CS_DEVICE_FIRST_S * 1e9)) silent = fmax(silent, CS_DEVICE_FIRST_S);
        double since = (double)(now - last) / 1e9;
        if (since > silent) lose(d, now, "no audio callback for %.2f s, and no event from the driver", since);
    }
    reap(d);
    if (d->zombie && !d->pacer_on && !d->out) {
        if (!d->stuck_logged)
            cs_log_error("play: the audio callback is stuck inside the engine: cs cannot take the set back "
                         "(under systemd its watchdog restarts cs)");
        d->stuck_logged = true;
        return CS_DEVICE_CHECK_S;
    }
    if (d->lost && now >= d->next_try_ns) reopen(d, now);
    if (!d->lost) return CS_DEVICE_CHECK_S;
    double until = (double)(d->next_try_ns - mono_ns()) / 1e9;
    return until < 0 ? 0 : until < CS_DEVICE_CHECK_S ? until : CS_DEVICE_CHECK_S;
}

void cs_device_state_get(const cs_device *d, cs_device_state *st)
{
    memset(st, 0, sizeof *st);
    st->lost = d->lost;
    st->lost_since = d->losses ? d->lost_wall : 0;
    st->lost_s = d->lost ? (double)(mono_ns() - d->lost_ns) / 1e9 : 0;
    st->losses = d->losses;
    st->stuck = d->stuck_logged;
    snprintf(st->why, sizeof st->why, "%s", d->why);
}

int64_t cs_device_audio_ns(const cs_device *d)
{
    uint64_t f;
    int64_t ns;
    return cs_engine_clock_read(d->cfg.engine, &f, &ns) ? ns : 0;
}

void cs_device_close(cs_device *d)
{
    if (!d) return;
    pacer_stop(d);
    cs_output_close(d->out);
    /* A lost device whose thread never came back is left to the exit: its
     * close would wait for it. */
    if (d->zombie && cs_output_calls(d->zombie) != d->zombie_calls) cs_output_close(d->zombie);
    else if (d->zombie) cs_log_warn("play: the lost audio device never returned from its driver; not closed");
    if (SDL_WasInit(SDL_INIT_EVENTS)) SDL_QuitSubSystem(SDL_INIT_EVENTS);
    free(d->scratch);
    free(d);
}
