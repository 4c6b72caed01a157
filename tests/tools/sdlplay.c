/* sdlplay: the floor for tests/bench/play: a bare SDL2 player of one WAV,
 * looped, at 44.1 kHz float stereo, in buffers of FRAMES frames, on
 * whatever SDL_AUDIODRIVER says.  The callback copies from memory and does
 * nothing else; the main thread sleeps in sigwait until SIGINT or SIGTERM
 * (or SECONDS).  What this process costs in CPU and context switches is
 * what an open device on that driver costs, so cs's figures are read
 * against it.  Not part of cs.
 * With PAUSED (the word "paused"), the device is opened and paused at once
 * (SDL_PauseAudioDevice): what a paused open device costs.
 *   sdlplay FILE.wav [FRAMES (1024)] [SECONDS (0: until a signal)] [paused] */
#include <SDL.h>
#include <pthread.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { float *x; size_t n, pos; } clip;   /* n frames, stereo */

static void callback(void *ud, Uint8 *out, int len)
{
    clip *c = ud;
    float *o = (float *)out;
    size_t frames = (size_t)len / (2 * sizeof(float));
    while (frames > 0) {
        size_t k = c->n - c->pos < frames ? c->n - c->pos : frames;
        memcpy(o, c->x + 2 * c->pos, k * 2 * sizeof(float));
        o += 2 * k;
        frames -= k;
        c->pos = (c->pos + k) % c->n;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sdlplay FILE.wav [FRAMES] [SECONDS] [paused]\n");
        return 2;
    }
    int frames = argc > 2 ? atoi(argv[2]) : 1024;
    double secs = argc > 3 ? atof(argv[3]) : 0;
    SF_INFO info = {0};
    SNDFILE *f = sf_open(argv[1], SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "sdlplay: %s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    if (info.frames <= 0 || info.channels < 1 || info.channels > 2 || info.frames > 1L << 26) {
        fprintf(stderr, "sdlplay: %s: want 1..2 channels, 1..2^26 frames\n", argv[1]);
        return 1;
    }
    clip c = { malloc((size_t)info.frames * 2 * sizeof(float)), (size_t)info.frames, 0 };
    float *in = malloc((size_t)info.frames * (size_t)info.channels * sizeof(float));
    if (!c.x || !in || sf_readf_float(f, in, info.frames) != info.frames) {
        fprintf(stderr, "sdlplay: %s: cannot read\n", argv[1]);
        return 1;
    }
    sf_close(f);
    for (size_t i = 0; i < c.n; i++)
        for (int ch = 0; ch < 2; ch++) c.x[2 * i + ch] = in[i * (size_t)info.channels + (info.channels == 2 ? ch : 0)];
    free(in);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);   /* before SDL's thread starts: it inherits the mask */
    if (SDL_Init(SDL_INIT_AUDIO) < 0) {
        fprintf(stderr, "sdlplay: SDL: %s\n", SDL_GetError());
        return 1;
    }
    SDL_AudioSpec want = { .freq = 44100, .format = AUDIO_F32SYS, .channels = 2, .samples = (Uint16)frames,
                           .callback = callback, .userdata = &c }, have;
    SDL_AudioDeviceID dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!dev) {
        fprintf(stderr, "sdlplay: SDL: %s\n", SDL_GetError());
        return 1;
    }
    SDL_PauseAudioDevice(dev, argc > 4 && !strcmp(argv[4], "paused"));
    if (secs > 0) {
        struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };
        sigtimedwait(&set, NULL, &ts);
    } else {
        int sig;
        sigwait(&set, &sig);
    }
    SDL_CloseAudioDevice(dev);
    SDL_Quit();
    free(c.x);
    return 0;
}
