/* cs status: ask a running `cs play` for its status (/cs/status/json) and
 * print it as labelled fields or JSON, once or refreshing (--watch). */
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "pkg/names.h"
#include "pkg/err.h"
#include "player/control/status.h"
#include "player/surface/osc_client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const cs_optdef def = {
    "status",
    "usage: cs status [--host H] [--port P] [--watch] [--interval S] [--format text|json]\n"
    "                 [--timeout S]\n",
    "Asks a running `cs play` for its status (OSC /cs/status/json over UDP) and\n"
    "prints it: BPM and target, movement and its age, the track and rung per\n"
    "deck, the next track and when it comes, underruns, unknown OSC addresses.\n"
    "docs/osc.md \"Status fields\" describes each field.\n",
    "exit status: 0 ok, 1 no reply (or a reply that is not a status), 2 bad usage.\n",
};

static const cs_name formats[] = { { "text", 0, 0 }, { "json", 1, 0 }, { 0 } };

typedef struct opts {
    const char *host;
    long port;
    bool watch;
    int json;
    double interval, timeout;
} opts;

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static int parse(int argc, char **argv, opts *o, cs_ctx *ctx)
{
    const cs_option table[] = {
        OPT_STRING(0, "host", &o->host, "H", "the player's address (default 127.0.0.1)"),
        OPT_INT(0, "port", &o->port, "P", 1, 65535, "its OSC port (default 57120)"),
        OPT_BOOL(0, "watch", &o->watch,
                 "ask again every --interval seconds until Ctrl-C; on a\n"
                 "terminal the fields refresh in place"),
        OPT_DOUBLE(0, "interval", &o->interval, "S", "seconds between two asks with --watch (default 1)"),
        OPT_ENUM(0, "format", &o->json, formats, "text (default: labelled lines) or json (the reply, one line)"),
        OPT_DOUBLE(0, "timeout", &o->timeout, "S", "seconds to wait for a reply (default 1)"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, table, argc, argv, ctx, 0);
    if (n < 0) return n == CS_OPT_RC_HELP ? -1 : CS_EXIT_USAGE;
    if (n > 0) return cs_usage_error("status", "unexpected argument '%s'", argv[0]);
    if (!(o->interval >= 0.05) || !(o->timeout > 0))
        return cs_usage_error("status", "--interval must be >= 0.05 s and --timeout > 0");
    return 0;
}

/* One ask, printed; 0, or CS_EXIT_FAIL after the reason (err). */
static int ask(const opts *o, cs_err *err)
{
    char *json = NULL;
    if (cs_osc_request_string(o->host, (int)o->port, "/cs/status/json", o->timeout, &json, err) < 0)
        return CS_EXIT_FAIL;
    cs_control_status st;
    int rc = cs_status_from_json(json, &st, err) < 0 ? CS_EXIT_FAIL : CS_EXIT_OK;
    if (rc == CS_EXIT_OK && o->json) printf("%s\n", json);
    else if (rc == CS_EXIT_OK) cs_status_print(stdout, &st);
    free(json);
    return rc;
}

static void nap(double s)
{
    struct timespec t = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&t, NULL);       /* a signal ends it early: --watch stops at once */
}

int cmd_status(int argc, char **argv, cs_ctx *ctx)
{
    opts o = { .host = "127.0.0.1", .port = 57120, .interval = 1.0, .timeout = 1.0 };
    int prc = parse(argc, argv, &o, ctx);
    if (prc != 0) return prc < 0 ? CS_EXIT_OK : prc;
    cs_err err = {0};
    if (!o.watch) {
        int rc = ask(&o, &err);
        if (rc != CS_EXIT_OK) cs_log_error("status: %s", err.msg);
        return rc;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* On a terminal: home and clear, then the fields, so they refresh in
     * place; otherwise blocks one after another, a blank line between. */
    bool tty = isatty(STDOUT_FILENO);
    while (!stop_flag) {
        if (tty) printf("\033[H\033[2J");
        if (tty && !o.json) printf("cs status %s:%ld (every %g s; Ctrl-C to stop)\n\n", o.host, o.port, o.interval);
        err.msg[0] = 0;
        if (ask(&o, &err) != CS_EXIT_OK) printf("%s\n", err.msg);
        if (!tty) printf("\n");
        fflush(stdout);
        nap(o.interval);
    }
    return CS_EXIT_OK;
}
