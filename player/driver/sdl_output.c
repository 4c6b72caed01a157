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
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cs_output {
    SDL_AudioDeviceID dev;
    cs_engine *e;
    cs_live_stretch *ls;
    int64_t last_ns;
    int64_t period_ns;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void callback(void *ud, Uint8 *stream, int len)
{
    cs_output *o = ud;
    int64_t t0 = mono_ns();
    size_t frames = (size_t)len / (2 * sizeof(float));
    int64_t period = (int64_t)frames * 1000000000 / CS_RATE;
    if (o->last_ns && t0 - o->last_ns > 2 * period) cs_engine_count_xrun(o->e);
    o->last_ns = t0;
    cs_engine_clock_publish(o->e, o->ls ? cs_live_stretch_position(o->ls) : cs_engine_now(o->e), t0);
    if (o->ls) cs_live_stretch_process(o->ls, (float *)stream, frames);
    else cs_engine_process(o->e, (float *)stream, frames);
    if (mono_ns() - t0 > period) cs_engine_count_xrun(o->e);
}

static int init_audio(cs_err *err)
{
    if (SDL_WasInit(SDL_INIT_AUDIO)) return 0;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) < 0)
        return cs_err_set(err, "SDL audio: %s (try SDL_AUDIODRIVER=alsa|pulseaudio|pipewire|dummy)", SDL_GetError());
    return 0;
}

cs_output *cs_output_open(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                          cs_err *err)
{
    if (init_audio(err) < 0) return NULL;
    if (device && !*device) device = NULL;   /* "" (an empty setting): the default */
    cs_output *o = SDL_calloc(1, sizeof *o);
    if (!o) {
        cs_err_set(err, "out of memory");
        return NULL;
    }
    o->e = e;
    o->ls = ls;
    SDL_AudioSpec want = { .freq = CS_RATE, .format = AUDIO_F32SYS, .channels = 2,
                           .samples = (Uint16)buffer_frames, .callback = callback, .userdata = o };
    SDL_AudioSpec have;
    /* The original took a device index (PortAudio's); accept one too. */
    if (device && *device && strspn(device, "0123456789") == strlen(device)) {
        const char *name = SDL_GetAudioDeviceName(atoi(device), 0);
        if (!name) {
            cs_err_set(err, "--device %s: no such output device (see --list-devices)", device);
            SDL_free(o);
            return NULL;
        }
        device = name;
    }
    /* No allowed changes: SDL converts if the device differs, so the
     * engine always sees 44.1 kHz stereo float. */
    o->dev = SDL_OpenAudioDevice(device, 0, &want, &have, 0);
    if (!o->dev) {
        cs_err_set(err, "cannot open audio device %s: %s", device ? device : "(default)", SDL_GetError());
        SDL_free(o);
        return NULL;
    }
    SDL_PauseAudioDevice(o->dev, 0);
    return o;
}

cs_output *cs_output_open_wait(cs_engine *e, cs_live_stretch *ls, const char *device, int buffer_frames,
                               double wait_s, volatile sig_atomic_t *stop, cs_err *err)
{
    cs_output *o = cs_output_open(e, ls, device, buffer_frames, err);
    if (o || wait_s == 0) return o;
    const char *what = device && *device ? device : "the default device";
    if (wait_s < 0) cs_log_warn("play: %s; waiting for %s (retrying every second)", err->msg, what);
    else cs_log_warn("play: %s; waiting up to %g s for %s (retrying every second)", err->msg, wait_s, what);
    int64_t t0 = mono_ns();
    for (;;) {
        for (int i = 0; i < 10 && !(stop && *stop); i++) SDL_Delay(100);
        double waited = (double)(mono_ns() - t0) / 1e9;
        if ((stop && *stop) || (wait_s > 0 && waited > wait_s)) {
            cs_err_set(err, "%s: not there after %.0f s of waiting", what, waited);
            return NULL;
        }
        /* A device that appeared since shows only after SDL lists anew. */
        if (SDL_WasInit(SDL_INIT_AUDIO)) SDL_QuitSubSystem(SDL_INIT_AUDIO);
        if ((o = cs_output_open(e, ls, device, buffer_frames, err))) {
            cs_log_info("play: %s opened after %.1f s of waiting", what, waited);
            return o;
        }
    }
}

void cs_output_close(cs_output *o)
{
    if (!o) return;
    SDL_CloseAudioDevice(o->dev);
    SDL_free(o);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

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
