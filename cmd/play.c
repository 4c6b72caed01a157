/* cs play: the live player and OSC server (the original audio server's
 * flags), or the same engine rendered offline into a file. */
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/play_ladder.h"
#include "cmd/play_watch.h"
#include "db/playlist.h"
#include "pkg/err.h"
#include "player/control/control.h"
#include "player/engine/engine.h"
#include "player/surface/osc.h"
#include "player/driver/live.h"
#include "player/driver/render.h"
#include "player/driver/sdl_output.h"
#include "player/engine/reader.h"
#include "player/engine/stretch_live.h"
#include "player/control/bpm_config.h"
#include "cmd/play_allow.h"

#include <ctype.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const cs_optdef def = {
    "play",
    "usage: cs play [options]\n"
    "       cs play --render FILE --duration S [--osc-script FILE] [options]\n",
    "The live player: an OSC server (the original audio server's messages and\n"
    "/cs/status, /cs/status/json, /cs/bpm, /cs/next, /cs/ping) driving a 4-deck engine on an SDL2\n"
    "output, until SIGINT/SIGTERM.  With --render the same engine runs offline.\n",
    "OSC bundles: a bundle's time tag (NTP) is when its effect reaches the output,\n"
    "to the sample; every command its messages issue lands on that sample and\n"
    "delays (start_at) count from it.  Tag 1 = now; a bundle already late runs at\n"
    "once and logs 'late by X ms' (its true lateness).  A future bundle waits in\n"
    "the player (at most 1024 bundles, 4 MB) and its messages run 0.5 s before\n"
    "its tag; one tagged beyond --max-ahead is refused, and one nested more than\n"
    "9 deep or malformed is dropped: each logged with its reason and counted in\n"
    "/cs/status.  With --render, tags count seconds from the render's start.\n"
    "\n"
    "A lost output device (the sound server restarted, a USB card unplugged)\n"
    "is seen within 1 s, logged and shown in the status; it is reopened every\n"
    "second while the set plays on silently on its own clock, and is heard\n"
    "again from where the set has got to.  Under systemd ($NOTIFY_SOCKET) it\n"
    "says READY=1 once it listens and plays, WATCHDOG=1 while its audio\n"
    "advances, and its status line as STATUS=.\n"
    "\n"
    "exit status: 0 ok, 1 the player could not start, 2 bad usage.\n",
};

typedef struct opts {
    long port, buffer;
    const char *bind, *device, *bpm_config, *render, *script;
    double device_wait;          /* --device-wait: seconds, < 0 forever */
    double max_ahead;            /* --max-ahead: seconds (CS_BUNDLE_MAX_AHEAD_S unless given) */
    int stretch, stretch_quality;   /* pkg/stretch.h's names */
    const char *a, *b, *c, *d, *c_preload;
    const char *allow[32];
    int nallow;
    double bpm, idle, rate, vol, c_at, duration, levels[4];
    int nlevels;
    bool list, enable_eq, disable_eq, no_stretch, watch, has_c_at, has_idle, sentinel, has_dummy,
        has_stretch;
    double dummy_after;
    char **dummy_args;   /* into argv (play takes no positionals: cmd/opt.c) */
    int ndummy;
    long meter;
    cs_play_ladder_args lad;     /* ladder sets: cmd/play_ladder.h */
    cs_play_watch_args watch_set; /* --http, --dashboard...: cmd/play_watch.h */
} opts;

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }
/* The master-mix stretcher of --stretch-method rubberband|wsola, or NULL. */
static cs_live_stretch *stretch;
/* The ladder set of --csv or a selection, or NULL. */
static cs_ladder *ladder;

/* Option callbacks: o->value is the opts. */
static int opt_allow(const cs_option *opt, char **w, int n)
{
    (void)n;
    opts *o = opt->value;
    if (o->nallow == 32) return cs_usage_error("play", "at most 32 --allow-dir folders"), -1;
    o->allow[o->nallow++] = w[0];
    return 0;
}

static int opt_bpm(const cs_option *opt, char **w, int n)
{
    (void)n;
    opts *o = opt->value;
    if (!cs_opt_double("play", "--bpm", w[0], &o->bpm)) return -1;
    cs_play_ladder_bpm(&o->lad, o->bpm);
    return 0;
}

static int opt_levels(const cs_option *opt, char **w, int n)
{
    opts *o = opt->value;
    for (int k = 0; k < n; k++)
        if (!cs_opt_double("play", opt->nargs == 4 ? "--levels" : "--ab", w[k], &o->levels[k])) return -1;
    if (o->nlevels < n) o->nlevels = n;
    return 0;
}

/* argparse's nargs='*': the words up to the next option. */
static int opt_dummy_args(const cs_option *opt, char **w, int n)
{
    opts *o = opt->value;
    o->dummy_args = w;
    o->ndummy = n;
    return 0;
}

#define OPT_CB(l, a, k, f, h) OPT_CALLBACK(0, l, o, a, k, f, h)

/* The original server's flags keep their spellings (--dummy_after, --c_at). */
static int parse(int argc, char **argv, opts *o, cs_ctx *ctx)
{
    const cs_option table[] = {
        OPT_GROUP("network and device:"),
        OPT_INT(0, "port", &o->port, "N", 0, 65535, "OSC UDP port (default 57120)"),
        OPT_STRING(0, "bind", &o->bind, "ADDR", "listen address (default 0.0.0.0: IPv4 and IPv6)"),
        OPT_DOUBLE(0, "max-ahead", &o->max_ahead, "S",
                   "refuse OSC bundles tagged more than S seconds ahead\n"
                   "(default 60; a wrong clock, not a plan)"),
        OPT_CB("allow-dir", "DIR", 1, opt_allow,
               "OSC may load audio only from DIR (repeatable; default:\n"
               "the working directory and the library's audio and\n"
               "parts folders; with --render: anywhere unless given)"),
        OPT_BUFFER_SIZE(&o->buffer, "frames per audio callback"),
        OPT_STRING(0, "device", &o->device, "NAME|INDEX", "output device (default: the system's)"),
        OPT_BOOL(0, "list-devices", &o->list, "list SDL audio drivers and output devices, exit"),
        OPT_DOUBLE(0, "device-wait", &o->device_wait, "S",
                   "when the device cannot be opened (a USB card not there\n"
                   "yet), retry every second for S seconds (-1: until stopped;\n"
                   "default 0: fail at once).  A device lost while playing is\n"
                   "always reopened every second, the set playing on silently"),
        OPT_GROUP("tempo:"),
        OPT_CB("bpm", "B", 1, opt_bpm,
               "base BPM: start tempo and rate reference (default 120;\n"
               "tempos are kept within 20..300 BPM); with a ladder\n"
               "selection also its centre"),
        OPT_STRING(0, "bpm-config", &o->bpm_config, "FILE",
                   "movement->BPM config (original bpm_config.json schema;\n"
                   "default: ./bpm_config.json when there, as the original)"),
        { .type = CS_OPT_DOUBLE, .long_name = "idle-timeout", .value = &o->idle, .argh = "S", .seen = &o->has_idle,
          .help = "no movement for S seconds: glide back to --bpm\n"
                  "(default: hold the last tempo, as the original)" },
        { .type = CS_OPT_ENUM, .long_name = "stretch-method", .value = &o->stretch,
          .names = cs_stretch_method_names, .seen = &o->has_stretch,
          .help = "rate or playback_rate (default; pitch follows\n"
                  "tempo), rubberband, wsola (atempo plays as wsola);\n"
                  "the original's pyrubberband and audiotsm work too:\n"
                  "cs export --stretch's table (pkg/stretch.h)" },
        { .type = CS_OPT_ENUM, .long_name = "stretch-quality", .value = &o->stretch_quality, .argh = "Q",
          .names = cs_stretch_quality_names,
          .help = "live rubberband engine: fast (default; R3, short\n"
                  "window) or best (full R3, as the offline rungs)" },
        OPT_BOOL(0, "disable-time-stretch", &o->no_stretch, "tempo changes never alter the audio"),
        OPT_GROUP("EQ (cut-only 3-band per deck, /deck_eq etc.; off by default):"),
        OPT_BOOL(0, "enable-filters", &o->enable_eq, "turn the EQ on"),
        OPT_BOOL(0, "disable-filters", &o->disable_eq, "force it off (wins over --enable-filters)"),
        OPT_BOOL(0, "optimized-filters", NULL, "accepted for compatibility (the EQ is always optimised)"),
        OPT_GROUP("autoplay (original flags):"),
        OPT_STRING(0, "a", &o->a, "FILE", "play FILE on buffer 100 at once"),
        OPT_STRING(0, "b", &o->b, "FILE", "play FILE on buffer 1100 at once"),
        OPT_STRING(0, "c", &o->c, "FILE", "load FILE on buffer 2100 (starts with --c_at)"),
        OPT_STRING(0, "d", &o->d, "FILE", "play FILE on buffer 3100 at once"),
        { .type = CS_OPT_DOUBLE, .long_name = "c_at", .value = &o->c_at, .argh = "S", .seen = &o->has_c_at,
          .help = "start deck C S seconds after launch" },
        OPT_STRING(0, "c_preload", &o->c_preload, "FILE", "load buffer 2100 without starting it"),
        OPT_DOUBLE(0, "rate", &o->rate, "R", "rate for autoplay (1.0)"),
        OPT_DOUBLE(0, "vol", &o->vol, "V", "volume for autoplay (0.8)"),
        OPT_CB("levels", "A B C D", 4, opt_levels, "initial deck levels"),
        OPT_CB("ab", "A B", 2, opt_levels, "initial levels of decks A and B"),
        OPT_BOOL(0, "watch", &o->watch, "print bar.beat once per beat"),
        OPT_INT(0, "meter", &o->meter, "N", 1, 64, "beats per bar (4)"),
        { .type = CS_OPT_DOUBLE, .long_name = "dummy_after", .value = &o->dummy_after, .argh = "S",
          .seen = &o->has_dummy, .help = "S seconds after launch, run /dummy with --dummy_args" },
        OPT_CB("dummy_args", "ARG...", -1, opt_dummy_args,
               "its string arguments (e.g. schedule_c_at 8): the words\n"
               "up to the next option (a negative number is a word)"),
        OPT_BOOL(0, "cli-sentinel", &o->sentinel,
                 "check the command line, print 'cs play: cli-sentinel ok',\n"
                 "exit 0 (opens nothing)"),
        CS_PLAY_LADDER_OPTIONS(&o->lad),
        CS_PLAY_WATCH_OPTIONS(&o->watch_set),
        OPT_GROUP("offline:"),
        OPT_STRING(0, "render", &o->render, "FILE",
                   "write FILE instead of playing, in the format its extension\n"
                   "names: .wav (float 32), .flac/.aiff (24-bit), .ogg, .opus, .mp3"),
        OPT_DOUBLE(0, "duration", &o->duration, "S", "seconds to render (required with --render)"),
        OPT_STRING(0, "osc-script", &o->script, "FILE", "lines 'SECONDS /address [TYPES ARGS...]' (oscsend syntax)"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, table, argc, argv, ctx, 0);
    if (n < 0) return n == CS_OPT_RC_HELP ? -1 : cs_opt_exit(n);
    if (n > 0) return cs_usage_error("play", "unexpected argument '%s'", argv[0]);
    return cs_play_watch_check(&o->watch_set);
}

static void autoplay(cs_control *c, const opts *o)
{
    const char *files[4] = { o->a, o->b, o->c, o->d };
    for (int d = 0; d < 4; d++) {
        if (!files[d]) continue;
        long id = 100 + 1000L * d;
        if (cs_control_load_buffer(c, id, files[d], NULL) < 0) continue;
        if (d != 2) cs_control_play_stem(c, id, o->rate, o->vol, true, 0.0);
    }
    if (o->c_preload && !o->c) cs_control_load_buffer(c, 2100, o->c_preload, NULL);
    if (o->has_c_at) cs_control_schedule_c_at(c, o->c_at);
    for (int d = 0; d < o->nlevels; d++) cs_control_deck_level(c, d, o->levels[d]);
}

static void drain(cs_engine *e, cs_reader *r)
{
    cs_engine_shutdown(e);
    cs_engine_drop_retired(e, r);
}

/* After the socket and the device are open: say what plays, start the
 * --a/--b/--c/--d files. */
static void live_started(cs_control *c, void *user)
{
    const opts *o = user;
    cs_log_info("play: listening on %s port %ld, %ld-frame buffers (%.1f ms), EQ %s, tempo %s",
                o->bind, o->port, o->buffer, 1000.0 * (double)o->buffer / CS_RATE,
                o->enable_eq && !o->disable_eq ? "on" : "off",
                o->no_stretch ? "fixed (--disable-time-stretch)" : stretch ? cs_stretch_method_name((cs_stretch_method)o->stretch) : "playback_rate");
    autoplay(c, o);
}

static int run_live(cs_control *c, cs_engine *e, cs_reader *r, const opts *o)
{
    cs_err err = {0};
    /* --dummy_after: a local /dummy, timed from launch like the original's
     * threading.Timer. */
    cs_osc_script *timed = NULL;
    if (o->has_dummy && cs_osc_script_add_strings(&timed, o->dummy_after, "/dummy", o->dummy_args, o->ndummy, &err) < 0)
        cs_log_error("play: --dummy_after: %s", err.msg);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    cs_live_job job = {
        .control = c, .engine = e, .reader = r, .bind = o->bind, .port = (int)o->port, .device = o->device, .device_wait = o->device_wait,
        .buffer_frames = (int)o->buffer, .stretch = stretch, .ladder = ladder, .timed = timed,
        .on_start = live_started, .user = (void *)o, .stop = &stop_flag,
    };
    int rc = cs_play_watch_start(&o->watch_set, o->watch, &job, &err);
    if (rc == 0) rc = cs_live_run(&job, &err);
    cs_play_watch_stop(&job);
    cs_osc_script_free(timed);
    if (rc < 0) {
        cs_log_error("play: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    return CS_EXIT_OK;
}

static int run_render(cs_control *c, cs_engine *e, cs_reader *r, const opts *o)
{
    cs_err err = {0};
    cs_osc_script *sc = NULL;
    if (o->script && !(sc = cs_osc_script_load(o->script, &err))) {
        cs_log_error("play: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    if (o->has_dummy && cs_osc_script_add_strings(&sc, o->dummy_after, "/dummy", o->dummy_args, o->ndummy, &err) < 0) {
        cs_log_error("play: --dummy_after: %s", err.msg);
        cs_osc_script_free(sc);
        return CS_EXIT_FAIL;
    }
    autoplay(c, o);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cs_render_job job = { c, e, r, sc, o->duration, o->render, stretch };
    int rc = cs_render_run(&job, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cs_osc_script_free(sc);
    if (rc < 0) {
        cs_log_error("play: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cs_engine_stats st;
    cs_engine_stats_get(e, &st);
    cs_log_info("play: rendered %.3f s to %s in %.3f s (%.0fx real time), underruns: %llu",
                o->duration, o->render, wall, wall > 0 ? o->duration / wall : 0,
                (unsigned long long)st.underruns);
    return CS_EXIT_OK;
}

int cmd_play(int argc, char **argv, cs_ctx *ctx)
{
    opts o = { .max_ahead = CS_BUNDLE_MAX_AHEAD_S, .port = 57120, .buffer = CS_BUFFER_SIZE_DEFAULT, .bind = "0.0.0.0", .bpm = 120, .rate = 1.0, .vol = 0.8,
               .stretch_quality = CS_STRETCH_FAST,
               .meter = 4, .watch_set = cs_play_watch_defaults() };
    cs_play_ladder_args_init(&o.lad);
    int prc = parse(argc, argv, &o, ctx);
    if (prc != 0) return prc < 0 ? CS_EXIT_OK : prc;
    cs_err err = {0};
    if (o.has_dummy && !(o.dummy_after >= 0 && isfinite(o.dummy_after))) {
        return cs_usage_error("play", "--dummy_after %g: not a number of seconds", o.dummy_after);
    }
    if (o.lad.check) {
        if (!o.lad.set_dir) {
            cs_log_error("play: --check goes with --set DIR");
            return CS_EXIT_USAGE;
        }
        return cs_play_set_check(o.lad.set_dir, o.lad.fade_bars);
    }
    if (o.list) return cs_output_list(stdout, &err) < 0 ? (cs_log_error("play: %s", err.msg), CS_EXIT_FAIL) : 0;
    if (o.render && !(o.duration > 0)) {
        return cs_usage_error("play", "--render needs --duration S (seconds > 0)");
    }
    int render_format;
    if (o.render && cs_render_format(o.render, &render_format, &err) < 0)
        return cs_usage_error("play", "--render %s", err.msg);
    if ((o.script || o.duration > 0) && !o.render) {
        return cs_usage_error("play", "--osc-script and --duration go with --render FILE");
    }
    if (cs_play_ladder_usage(&o.lad)) return CS_EXIT_USAGE;
    if (!cs_tempo_bpm_ok(o.bpm)) {
        return cs_usage_error("play", "--bpm %g: outside %g..%g BPM", o.bpm, CS_TEMPO_BPM_MIN, CS_TEMPO_BPM_MAX);
    }
    if (!(o.max_ahead > 0 && o.max_ahead <= 86400))
        return cs_usage_error("play", "--max-ahead %g: give seconds above 0, at most 86400", o.max_ahead);
    cs_control_config cfg = { .max_ahead_s = o.max_ahead, .base_bpm = o.bpm, .eq_on = o.enable_eq && !o.disable_eq,
                              .stretch = CS_STRETCH_RATE, .stretch_disabled = o.no_stretch,
                              .tempo = cs_tempo_config_default(), .render = o.render != NULL,
                              .watch = o.watch, .meter = (int)o.meter,
                              .movement_warn_s = o.watch_set.movement_warn };
    if (o.has_stretch) cfg.stretch = (cs_stretch_method)(o.stretch & ~CS_STRETCH_PLAIN);
    /* After every check of the line itself, before anything is opened. */
    if (o.sentinel) {
        printf("cs play: cli-sentinel ok\n");
        return CS_EXIT_OK;
    }
    const char *cfg_file = NULL;
    cs_err cfg_warn = {0};
    if (cs_tempo_config_pick(o.bpm_config, &cfg.tempo, &cfg_file, &cfg_warn, &err) < 0) {
        cs_log_error("play: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    if (cfg_warn.msg[0]) cs_log_warn("play: %s", cfg_warn.msg);
    if (cfg_file) cs_log_info("play: movement->BPM config: %s", cfg_file);
    if (o.has_idle) cfg.tempo.idle_timeout_seconds = o.idle;
    if (cs_play_ladder_wanted(&o.lad)) {
        /* Rungs carry the tempo: nothing else may scale or stretch it. */
        if (cfg.stretch != CS_STRETCH_RATE) cs_log_warn("play: a ladder set never stretches live; --stretch-method ignored");
        cfg.stretch_disabled = true;
    }

    cs_engine *e = cs_engine_new(&err);
    cs_reader *r = e ? cs_reader_new(!o.render, &err) : NULL;
    cs_control *c = r ? cs_control_new(&cfg, e, r, &err) : NULL;
    /* Live, OSC comes from the network: loads are confined (--allow-dir).
     * A render's script is the user's own file, confined only on request. */
    cs_allow *allow = NULL;
    if (c && (!o.render || o.nallow > 0)) {
        const char *cli_files[] = { o.a, o.b, o.c, o.d, o.c_preload };
        allow = cs_play_allow_build(o.allow, o.nallow, cli_files, 5, ctx->db_path, &err);
        if (allow) cs_control_set_allow(c, allow);
        else cs_control_free(c), c = NULL;
    }
    if (c && cs_play_ladder_wanted(&o.lad) &&
        !(ladder = cs_play_ladder_start(&o.lad, ctx->db_path, c, e, r, o.render ? 0 : 2 * (uint64_t)o.buffer + 2048,
                                        (int)o.meter, &cfg.tempo, &err))) {
        cs_control_free(c);
        c = NULL;
    }
    int rc = CS_EXIT_FAIL;
    if (!c && cs_playlist_err_is_usage(&err)) rc = CS_EXIT_USAGE;   /* --playlist: no such playlist */
    if (!c) cs_log_error("play: %s", err.msg);
    /* Live: the worker keeps ~190 ms (at least 4 device buffers) ready. */
    else if (cfg.stretch != CS_STRETCH_RATE && !cfg.stretch_disabled &&
             !(stretch = cs_live_stretch_new(e, cfg.stretch, (cs_stretch_quality)o.stretch_quality, !o.render,
                                             o.buffer * 4 > 8192 ? (int)o.buffer * 4 : 8192, &err)))
        cs_log_error("play: %s", err.msg);
    else rc = o.render ? run_render(c, e, r, &o) : run_live(c, e, r, &o);
    cs_live_stretch_free(stretch);
    stretch = NULL;
    if (e && r) drain(e, r);
    cs_ladder_free(ladder);
    ladder = NULL;
    cs_control_free(c);
    cs_allow_free(allow);
    cs_reader_free(r);
    cs_engine_free(e);
    return rc;
}
