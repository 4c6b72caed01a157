/* SDL2 output.  The callback does the engine's work and two clock reads:
 * a callback that starts more than two periods after the previous one, or
 * takes longer than one period, means the device ran dry (an xrun).  It also
 * publishes the output clock: the engine sample that starts this buffer and
 * the time the callback began.  SDL reports no presentation time, so "the
 * output" is the hand-over to the device; the device's own latency (one or
 * two buffers) comes on top, the same for every sample. */
#include "player/driver/sdl_output.h"

#include <SDL.h>
#include "pkg/err.h"
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cs_output {
    SDL_AudioDeviceID dev;
    cs_engine *e;
    cs_live_stretch *ls;
    int64_t last_ns;
    int64_t period_ns;
    /* The hand-over of the engine between this device and another owner
     * (the stand-in clock of device.c, a reopened device): Dekker's
     * protocol on two sequentially consistent flags.  The callback raises
     * in_engine, then reads held; the owner-to-be raises held, then reads
     * in_engine.  At least one of them sees the other's flag, so the engine
     * never has two owners, and neither side ever waits. */
    atomic_int in_engine, held;
    atomic_llong cb_ns;             /* CLOCK_MONOTONIC start of the last callback that ran the engine; 0: none */
    atomic_ullong calls;            /* callbacks SDL made (held ones too) */
    cs_output_fault fault;          /* test hook (sdl_output.h) */
    int64_t fault_at_ns;            /* fault.at_s after the open */
    atomic_int fault_done;
};

static int open_count;              /* devices open now (the loop thread's) */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Test hook (CS_TEST_AUDIO, device.h): sleeps in the callback, which the
 * real-time rules forbid; only a test sets a fault.  A "stall" sleeps
 * before the engine is entered (a driver that stops calling back), a
 * "hang" inside it (the engine itself stuck). */
static void fault_sleep(cs_output *o, int kind, int64_t t0)
{
    if (o->fault.kind != kind || t0 < o->fault_at_ns || atomic_exchange(&o->fault_done, 1)) return;
    /* A hang never ends while the process lives; a stall ends after
     * for_s or once the device is given up (held). */
    while (kind == CS_FAULT_HANG) SDL_Delay(1000);
    int64_t until = t0 + (int64_t)(fmin(o->fault.for_s, 1e6) * 1e9);
    while (mono_ns() < until && !atomic_load(&o->held)) SDL_Delay(20);
}

static void callback(void *ud, Uint8 *stream, int len)
{
    cs_output *o = ud;
    int64_t t0 = mono_ns();
    if (o->fault.kind) fault_sleep(o, CS_FAULT_STALL, t0);
    atomic_fetch_add(&o->calls, 1);
    atomic_store(&o->in_engine, 1);
    if (atomic_load(&o->held)) {
        atomic_store(&o->in_engine, 0);
        memset(stream, 0, (size_t)len);
        o->last_ns = 0;
        return;
    }
    if (o->fault.kind) fault_sleep(o, CS_FAULT_HANG, t0);
    size_t frames = (size_t)len / (2 * sizeof(float));
    int64_t period = (int64_t)frames * 1000000000 / CS_RATE;
    if (o->last_ns && t0 - o->last_ns > 2 * period) cs_engine_count_xrun(o->e);
    o->last_ns = t0;
    cs_engine_clock_publish(o->e, o->ls ? cs_live_stretch_position(o->ls) : cs_engine_now(o->e), t0);
    if (o->ls) cs_live_stretch_process(o->ls, (float *)stream, frames);
    else cs_engine_process(o->e, (float *)stream, frames);
    if (mono_ns() - t0 > period) cs_engine_count_xrun(o->e);
    atomic_store(&o->cb_ns, t0);
    atomic_store(&o->in_engine, 0);
}

static int init_audio(cs_err *err)
{
    if (SDL_WasInit(SDL_INIT_AUDIO)) return 0;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) < 0)
        return cs_err_setc(err, CS_ERR_SYSTEM, "SDL audio: %s (try SDL_AUDIODRIVER=alsa|pulseaudio|pipewire|dummy)", SDL_GetError());
    return 0;
}

cs_output *cs_output_open(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                          cs_err *err)
{
    return cs_output_open_ex(e, ls, device, buffer_frames, false, NULL, err);
}

cs_output *cs_output_open_ex(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                             bool held, const cs_output_fault *fault, cs_err *err)
{
    if (init_audio(err) < 0) return NULL;
    if (device && !*device) device = NULL;   /* "" (an empty setting): the default */
    cs_output *o = SDL_calloc(1, sizeof *o);
    if (!o) {
        cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    o->e = e;
    o->ls = ls;
    o->period_ns = (int64_t)buffer_frames * 1000000000 / CS_RATE;
    atomic_init(&o->in_engine, 0);
    atomic_init(&o->held, held);
    atomic_init(&o->cb_ns, 0);
    atomic_init(&o->calls, 0);
    atomic_init(&o->fault_done, 0);
    if (fault && fault->kind) {
        o->fault = *fault;
        o->fault_at_ns = mono_ns() + (int64_t)(fault->at_s * 1e9);
    }
    SDL_AudioSpec want = { .freq = CS_RATE, .format = AUDIO_F32SYS, .channels = 2,
                           .samples = (Uint16)buffer_frames, .callback = callback, .userdata = o };
    SDL_AudioSpec have;
    /* The original took a device index (PortAudio's); accept one too. */
    if (device && *device && strspn(device, "0123456789") == strlen(device)) {
        const char *name = SDL_GetAudioDeviceName(atoi(device), 0);
        if (!name) {
            cs_err_setc(err, CS_ERR_NOT_FOUND, "--device %s: no such output device (see --list-devices)", device);
            SDL_free(o);
            if (open_count == 0) SDL_QuitSubSystem(SDL_INIT_AUDIO);
            return NULL;
        }
        device = name;
    }
    /* No allowed changes: SDL converts if the device differs, so the
     * engine always sees CS_RATE stereo float. */
    o->dev = SDL_OpenAudioDevice(device, 0, &want, &have, 0);
    if (!o->dev) {
        cs_err_setc(err, CS_ERR_SYSTEM, "cannot open audio device %s: %s", device ? device : "(default)", SDL_GetError());
        SDL_free(o);
        if (open_count == 0) SDL_QuitSubSystem(SDL_INIT_AUDIO);
        return NULL;
    }
    open_count++;
    if (have.samples > 0) o->period_ns = (int64_t)have.samples * 1000000000 / CS_RATE;
    SDL_PauseAudioDevice(o->dev, 0);
    return o;
}

void cs_output_close(cs_output *o)
{
    if (!o) return;
    SDL_CloseAudioDevice(o->dev);
    SDL_free(o);
    /* The last device closed: SDL's audio stops, and a device plugged in
     * since shows when the next open starts it again (SDL lists devices
     * once, at start). */
    if (--open_count == 0) SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

bool cs_output_hold(cs_output *o)
{
    atomic_store(&o->held, 1);
    return atomic_load(&o->in_engine) == 0;
}

bool cs_output_engine_free(const cs_output *o)
{
    return atomic_load(&((cs_output *)o)->in_engine) == 0;
}

void cs_output_release(cs_output *o) { atomic_store(&o->held, 0); }

int64_t cs_output_last_callback_ns(const cs_output *o) { return atomic_load(&((cs_output *)o)->cb_ns); }

uint64_t cs_output_calls(const cs_output *o) { return atomic_load(&((cs_output *)o)->calls); }

int64_t cs_output_period_ns(const cs_output *o) { return o->period_ns; }

uint32_t cs_output_device_id(const cs_output *o) { return o->dev; }

bool cs_output_stopped(const cs_output *o) { return SDL_GetAudioDeviceStatus(o->dev) == SDL_AUDIO_STOPPED; }

int cs_output_list(FILE *f, cs_err *err)
{
    fprintf(f, "audio drivers:");
    for (int i = 0; i < SDL_GetNumAudioDrivers(); i++) fprintf(f, " %s", SDL_GetAudioDriver(i));
    fprintf(f, "\n");
    if (init_audio(err) < 0) return -1;
    fprintf(f, "current driver: %s\noutput devices:\n", SDL_GetCurrentAudioDriver());
    int n = SDL_GetNumAudioDevices(0);
    if (n <= 0) fprintf(f, "  (none listed; the default device may still work)\n");
    for (int i = 0; i < n; i++) fprintf(f, "  %d: %s\n", i, SDL_GetAudioDeviceName(i, 0));
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    return 0;
}
