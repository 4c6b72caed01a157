/* cs doctor: what this machine can decode, stretch and play through, with
 * a hint for anything missing. */
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/play_ladder.h"
#include "pkg/err.h"
#include "player/driver/sdl_output.h"
#include "player/surface/osc.h"

#include <SDL.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <rubberband/rubberband-c.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cs_optdef def = {
    "doctor",
    "usage: cs doctor [--device NAME|INDEX] [--buffer-size N] [--port P] [--bind ADDR]\n"
    "                 [--set DIR]\n",
    "Lists audio decoders (FFmpeg), time-stretch engines (Rubber Band R3,\n"
    "libavfilter atempo), SDL audio drivers and output devices, and says how\n"
    "to install what is missing.  Then checks what `cs play` with the same\n"
    "options needs: it opens the output device for real (and releases it),\n"
    "binds the OSC port (and releases it), and with --set checks the set folder\n"
    "(every part present and unchanged, each bad one named).\n",
    "SDL_AUDIODRIVER picks the audio driver (alsa, pulseaudio, pipewire, disk,\n"
    "dummy); doctor says which one it used.  Exit status 1 when something cs\n"
    "needs to play is missing (no decoder for WAV/MP3/FLAC, no audio driver,\n"
    "the device does not open, the port is taken, the set is not whole).\n",
};

static bool has_decoder(const char *name)
{
    const AVCodec *c = avcodec_find_decoder_by_name(name);
    return c && c->type == AVMEDIA_TYPE_AUDIO;
}

typedef struct doctor_opts {
    const char *device, *bind, *set_dir;
    long port, buffer;
} doctor_opts;

/* Opens the device cs play would open (an engine playing silence) and
 * closes it again: a device that lists but cannot be opened shows here. */
static int check_device(const doctor_opts *o)
{
    cs_err err = {0};
    cs_engine *e = cs_engine_new(&err);
    cs_output *out = e ? cs_output_open(e, NULL, o->device, (int)o->buffer, &err) : NULL;
    if (out) {
        printf("  ok   opened %s at %d Hz, %ld frames per buffer, and released it\n",
               o->device && *o->device ? o->device : "the default device", CS_RATE, o->buffer);
        cs_output_close(out);
    } else {
        printf("  --   %s\n"
               "  hint: plug the sound card in, check 'cs play --list-devices', or pick\n"
               "        another driver with SDL_AUDIODRIVER\n", err.msg);
    }
    cs_engine_free(e);
    return out ? CS_EXIT_OK : CS_EXIT_FAIL;
}

static int check_port(const doctor_opts *o)
{
    cs_err err = {0};
    cs_osc_server *s = cs_osc_server_new(o->bind, (int)o->port, &err);
    printf("osc:\n");
    if (!s) {
        printf("  --   UDP port %ld on %s: %s\n  hint: another cs play (or program) holds it; "
               "stop it or pick --port\n", o->port, o->bind, err.msg);
        return CS_EXIT_FAIL;
    }
    cs_osc_server_free(s);
    printf("  ok   UDP port %ld on %s is free (bound and released)\n", o->port, o->bind);
    return CS_EXIT_OK;
}

int cmd_doctor(int argc, char **argv, cs_ctx *ctx)
{
    doctor_opts o = { .bind = "0.0.0.0", .port = 57120, .buffer = CS_BUFFER_SIZE_DEFAULT };
    const cs_option opts[] = {
        OPT_STRING(0, "device", &o.device, "NAME|INDEX", "the output device cs play would use (default: SDL's)"),
        OPT_BUFFER_SIZE(&o.buffer, "frames per callback to open it with"),
        OPT_INT(0, "port", &o.port, "P", 1, 65535, "the OSC port to check is free (default 57120)"),
        OPT_STRING(0, "bind", &o.bind, "ADDR", "the address to check it on (default 0.0.0.0)"),
        OPT_STRING(0, "set", &o.set_dir, "DIR", "a set folder to check (as cs play --set DIR --check)"),
        OPT_END(),
    };
    int npos = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (npos < 0) return cs_opt_exit(npos);
    if (npos > 0) return cs_usage_error("doctor", "unexpected argument '%s'", argv[0]);
    int rc = CS_EXIT_OK;

    int n = 0;
    void *it = NULL;
    const AVCodec *c;
    while ((c = av_codec_iterate(&it)))
        if (c->type == AVMEDIA_TYPE_AUDIO && av_codec_is_decoder(c)) n++;
    printf("decoders: FFmpeg libavcodec %s, %d audio decoders\n", av_version_info(), n);
    static const struct { const char *name, *what; bool needed; } keys[] = {
        { "pcm_s16le", "WAV 16-bit", true }, { "pcm_s24le", "WAV 24-bit", true },
        { "pcm_f32le", "WAV float", true },  { "mp3float", "MP3", true },
        { "flac", "FLAC", true },            { "aac", "AAC/M4A", false },
        { "vorbis", "Ogg Vorbis", false },   { "opus", "Opus", false },
        { "alac", "ALAC", false },           { "libopenmpt", "tracker modules (libopenmpt)", false },
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        bool ok = has_decoder(keys[i].name) || (!strcmp(keys[i].name, "mp3float") && has_decoder("mp3"));
        printf("  %-4s %-30s %s\n", ok ? "ok" : "--", keys[i].what, keys[i].name);
        if (!ok && keys[i].needed) rc = CS_EXIT_FAIL;
    }
    if (rc != CS_EXIT_OK)
        printf("  hint: install a full FFmpeg build (Debian/Ubuntu: apt install libavcodec-extra)\n");
    else if (!has_decoder("libopenmpt"))
        printf("  hint: tracker modules need FFmpeg built with libopenmpt (libavcodec-extra)\n");

    const char *rb = RUBBERBAND_VERSION;
    int major = 0;
    sscanf(rb, "%d", &major);
    printf("stretch engines:\n");
    printf("  ok   Rubber Band %s\n", rb);
    printf("  %-4s Rubber Band R3: --quality best, and --quality fast (R3's short window)%s\n",
           major >= 3 ? "ok" : "--",
           major >= 3 ? "" : "  hint: needs Rubber Band >= 3.0 (librubberband-dev from a newer release)");
    printf("  ok   libavfilter atempo (--stretch wsola)\n");
    printf("  ok   playback rate (resample; cs play's live tempo)\n");

    printf("audio output (SDL %d.%d.%d):\n  drivers compiled in:", SDL_MAJOR_VERSION, SDL_MINOR_VERSION,
           SDL_PATCHLEVEL);
    for (int i = 0; i < SDL_GetNumAudioDrivers(); i++) printf(" %s", SDL_GetAudioDriver(i));
    printf("\n");
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) < 0) {
        printf("  --   no audio driver starts: %s\n"
               "  hint: install ALSA/PulseAudio/PipeWire client libraries, or set SDL_AUDIODRIVER;\n"
               "        'cs play --render' works without any device\n", SDL_GetError());
        rc = CS_EXIT_FAIL;
    } else {
        const char *env = getenv("SDL_AUDIODRIVER");
        printf("  ok   driver in use: %s (SDL_AUDIODRIVER%s%s)\n", SDL_GetCurrentAudioDriver(),
               env ? "=" : " unset: SDL's first that starts", env ? env : "");
        int d = SDL_GetNumAudioDevices(0);
        if (d <= 0) printf("  --   no output devices listed (the default device may still work)\n");
        for (int i = 0; i < d; i++) printf("       device %d: %s\n", i, SDL_GetAudioDeviceName(i, 0));
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        if (check_device(&o) != CS_EXIT_OK) rc = CS_EXIT_FAIL;
    }
    printf("files: libsndfile %s\n", sf_version_string());
    if (check_port(&o) != CS_EXIT_OK) rc = CS_EXIT_FAIL;
    if (o.set_dir) {
        printf("set %s:\n", o.set_dir);
        fflush(stdout);
        if (cs_play_set_check(o.set_dir, 0) != CS_EXIT_OK) rc = CS_EXIT_FAIL;
    }
    return rc;
}
