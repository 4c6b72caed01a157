/* cs: the dispatcher.  Global options, then one row per subcommand. */
#include "cmd/cmd.h"
#include "pkg/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **, const cs_ctx *);
    const char *summary;
} commands[] = {
    { "index",  cmd_index,  "read allin1 struct JSONs and a Rekordbox XML into the library" },
    { "search", cmd_search, "list library tracks by BPM range and key, with their mix cues" },
    { "export", cmd_export, "render tempo-aligned sections (one target or a BPM ladder) and a CSV" },
    { "play",   cmd_play,   "live player and OSC server (ladder sets, original server's OSC)" },
    { "doctor", cmd_doctor, "show available decoders, stretch engines and audio devices" },
    { "demo",   cmd_demo,   "synthesise a demo library (audio, struct JSONs, Rekordbox XML)" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f,
        "usage: cs [--db PATH] [-q|--quiet] [-v|--verbose] <command> [options]\n"
        "       cs --version | --help | help <command>\n"
        "\n"
        "Crowdstream: pre-render track sections at a ladder of tempos and play them\n"
        "so the music follows the crowd.\n"
        "\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
        "\nglobal options:\n"
        "  --db PATH      library database (default $CS_DB, else\n"
        "                 $XDG_DATA_HOME/crowdstream/library.db, ~/.local/share/...)\n"
        "  -q, --quiet    errors only\n"
        "  -v, --verbose  more detail\n"
        "  --version      print the version\n"
        "\n'cs <command> --help' describes a command.\n"
        "exit status: 0 ok, 1 the command could not do its job, 2 bad usage.\n");
}

static char *default_db(void)
{
    const char *env = getenv("CS_DB");
    if (env && *env) return strdup(env);
    const char *xdg = getenv("XDG_DATA_HOME");
    char buf[4096];
    if (xdg && *xdg) {
        snprintf(buf, sizeof buf, "%s/crowdstream/library.db", xdg);
    } else {
        const char *home = getenv("HOME");
        snprintf(buf, sizeof buf, "%s/.local/share/crowdstream/library.db", home && *home ? home : ".");
    }
    return strdup(buf);
}

int main(int argc, char **argv)
{
    cs_ctx ctx = { .db_path = NULL, .verbosity = CS_LOG_NORMAL };
    char *owned_db = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--db")) {
            if (++i >= argc) { cs_log_error("--db needs a path"); return CS_EXIT_USAGE; }
            ctx.db_path = argv[i];
        } else if (!strncmp(a, "--db=", 5)) {
            ctx.db_path = a + 5;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            ctx.verbosity = CS_LOG_QUIET;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            ctx.verbosity = CS_LOG_VERBOSE;
        } else if (!strcmp(a, "--version")) {
            printf("cs %s\n", CS_VERSION);
            return CS_EXIT_OK;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CS_EXIT_OK;
        } else {
            cs_log_error("unknown option '%s' (see 'cs --help')", a);
            return CS_EXIT_USAGE;
        }
    }
    if (i >= argc) { usage(stderr); return CS_EXIT_USAGE; }
    cs_log_set_level(ctx.verbosity);

    const char *name = argv[i];
    char *help_argv[3];
    if (!strcmp(name, "help")) {
        if (i + 1 >= argc) { usage(stdout); return CS_EXIT_OK; }
        help_argv[0] = argv[i + 1];
        help_argv[1] = "--help";
        help_argv[2] = NULL;
        name = argv[i + 1];
        argv = help_argv;
        argc = 2;
        i = 0;
    }
    if (!ctx.db_path) ctx.db_path = owned_db = default_db();
    for (size_t c = 0; c < N_COMMANDS; c++) {
        if (!strcmp(commands[c].name, name)) {
            int rc = commands[c].fn(argc - i, argv + i, &ctx);
            free(owned_db);
            return rc;
        }
    }
    free(owned_db);
    cs_log_error("'%s' is not a cs command (see 'cs --help')", name);
    return CS_EXIT_USAGE;
}
