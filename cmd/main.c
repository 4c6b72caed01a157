/* cs: the dispatcher.  Global options, then one row per subcommand. */
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "pkg/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **, cs_ctx *);
    const char *summary;
} commands[] = {
    { "analyze", cmd_analyze, "write allin1-compatible struct JSONs from audio (qm-dsp), no allin1" },
    { "index",  cmd_index,  "read allin1 struct JSONs and a Rekordbox XML into the library" },
    { "search", cmd_search, "list library tracks by BPM range and key, with their mix cues" },
    { "ls",     cmd_ls,     "what is in the library, what is rendered, why a track is left out" },
    { "export", cmd_export, "render tempo-aligned sections (one target or a BPM ladder) and a CSV" },
    { "plan",   cmd_plan,   "a set folder's transitions before the gig (where, fade, key, warnings)" },
    { "play",   cmd_play,   "live player and OSC server (ladder sets, original server's OSC)" },
    { "status", cmd_status, "ask a running player for its status (tempo, tracks, rungs, underruns)" },
    { "doctor", cmd_doctor, "show available decoders, stretch engines and audio devices" },
    { "demo",   cmd_demo,   "synthesise a demo library (audio, struct JSONs, Rekordbox XML)" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char main_usage[] =
    "usage: cs [--db PATH] [-q|--quiet] [-v|--verbose] <command> [options]\n"
    "       cs --version | --help | help <command>\n";

/* The intro: the commands, from the table above. */
static const char *main_intro(void)
{
    static char buf[2048];
    size_t n = (size_t)snprintf(buf, sizeof buf,
        "Crowdstream: pre-render track sections at a ladder of tempos and play them\n"
        "so the music follows the crowd.\n"
        "\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS && n < sizeof buf; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "  %-8s %s\n", commands[i].name, commands[i].summary);
    return buf;
}

static const char main_outro[] =
    "'cs <command> --help' describes a command; 'cs help --all-options' lists\n"
    "every command's options, one per line (for generated docs and completion).\n"
    "Usage errors print one line, \"cs: error: ... (see 'cs CMD --help')\", exit 2.\n"
    "exit status: 0 ok, 1 the command could not do its job, 2 bad usage.\n";

/* Every command's options, one tab-separated line each (cmd/opt.h). */
static int all_options(const cs_optdef *def, const cs_option *opts)
{
    cs_opt_list(stdout, def->cmd, opts);
    for (size_t c = 0; c < N_COMMANDS; c++) {
        char name[16], flag[] = "--list-options";
        snprintf(name, sizeof name, "%s", commands[c].name);
        char *av[] = { name, flag, NULL };
        cs_ctx ctx = { .verbosity = cs_log_level() };
        commands[c].fn(2, av, &ctx);
    }
    return CS_EXIT_OK;
}

int main(int argc, char **argv)
{
    cs_ctx ctx = { .db_path = NULL, .verbosity = CS_LOG_NORMAL };
    bool version = false;
    const cs_option opts[] = {
        OPT_BOOL(0, "version", &version, "print the version"),
        OPT_END(),
    };
    const cs_optdef def = { NULL, main_usage, main_intro(), main_outro };
    int n = cs_opt_parse(&def, opts, argc, argv, &ctx, CS_OPT_STOP_AT_WORD);
    if (n < 0) return cs_opt_exit(n);
    if (version) {
        printf("cs %s\n", CS_VERSION);
        return CS_EXIT_OK;
    }
    if (n == 0) return cs_usage_error(NULL, "no command given");

    const char *name = argv[0];
    char *help_argv[3], help_flag[] = "--help";
    if (!strcmp(name, "help")) {
        if (n < 2) {
            cs_opt_help(stdout, &def, opts);
            return CS_EXIT_OK;
        }
        if (!strcmp(argv[1], "--all-options")) return all_options(&def, opts);
        help_argv[0] = argv[1];
        help_argv[1] = help_flag;
        help_argv[2] = NULL;
        name = argv[1];
        argv = help_argv;
        n = 2;
    }
    const char *names[N_COMMANDS + 1];
    for (size_t c = 0; c < N_COMMANDS; c++) {
        if (!strcmp(commands[c].name, name)) return commands[c].fn(n, argv, &ctx);
        names[c] = commands[c].name;
    }
    names[N_COMMANDS] = "help";
    const char *dym = cs_did_you_mean(name, names, N_COMMANDS + 1);
    if (dym) return cs_usage_error(NULL, "'%s' is not a cs command; did you mean '%s'?", name, dym);
    return cs_usage_error(NULL, "'%s' is not a cs command", name);
}
