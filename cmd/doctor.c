/* cs doctor: what this machine can decode, stretch and play through, with
 * a hint for anything missing. */
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "pkg/err.h"

#include <SDL.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <rubberband/rubberband-c.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>

static const cs_optdef def = {
    "doctor",
    "usage: cs doctor\n",
    "Lists audio decoders (FFmpeg), time-stretch engines (Rubber Band R2/R3,\n"
    "libavfilter atempo), SDL audio drivers and output devices, and says how\n"
    "to install what is missing.  Exit status 1 when something cs needs to\n"
    "play is missing (no decoder for WAV/MP3/FLAC, or no audio driver).\n",
    NULL,
};

static bool has_decoder(const char *name)
{
    const AVCodec *c = avcodec_find_decoder_by_name(name);
    return c && c->type == AVMEDIA_TYPE_AUDIO;
}

int cmd_doctor(int argc, char **argv, cs_ctx *ctx)
{
    const cs_option opts[] = { OPT_END() };
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
    printf("  ok   Rubber Band %s: R2 (--quality fast)\n", rb);
    printf("  %-4s Rubber Band R3 (--quality best)%s\n", major >= 3 ? "ok" : "--",
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
        printf("  ok   driver in use: %s\n", SDL_GetCurrentAudioDriver());
        int d = SDL_GetNumAudioDevices(0);
        if (d <= 0) printf("  --   no output devices listed (the default device may still work)\n");
        for (int i = 0; i < d; i++) printf("       device %d: %s\n", i, SDL_GetAudioDeviceName(i, 0));
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }
    printf("files: libsndfile %s\n", sf_version_string());
    return rc;
}
