/* cs play: options for watching a set (see play_watch.h). */
#include "cmd/play_watch.h"
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLAIN_STATUS_S 30.0

cs_play_watch_args cs_play_watch_defaults(void)
{
    return (cs_play_watch_args){ .dashboard = "127.0.0.1:5005", .movement_warn = 30 };
}

/* An address option's value, checked as given: [ADDR:]PORT, or HOST:PORT
 * with a port for the dashboard. */
static int opt_addr(const cs_option *opt, const char *v, bool need_host)
{
    char host[256];
    int port;
    cs_err err = {0};
    if (cs_http_parse_addr(v, host, sizeof host, &port, &err) < 0 || (need_host && (port == 0 || !strchr(v, ':')))) {
        cs_usage_error("play", "--%s '%s': expected %s", opt->long_name, v, need_host ? "HOST:PORT" : "[ADDR:]PORT");
        return -1;
    }
    return 0;
}

int cs_play_watch_opt_http(const cs_option *opt, char **w, int n)
{
    (void)n;
    if (opt_addr(opt, w[0], false) < 0) return -1;
    ((cs_play_watch_args *)opt->value)->http = w[0];
    return 0;
}

int cs_play_watch_opt_dashboard(const cs_option *opt, char **w, int n)
{
    (void)n;
    if (opt_addr(opt, w[0], true) < 0) return -1;
    ((cs_play_watch_args *)opt->value)->dashboard = w[0];
    return 0;
}

int cs_play_watch_check(const cs_play_watch_args *w)
{
    if (w->movement_warn < 0)
        return cs_usage_error("play", "--movement-warn %g: seconds must be >= 0", w->movement_warn);
    return 0;
}

int cs_play_watch_start(const cs_play_watch_args *w, bool per_beat_watch, cs_live_job *job, cs_err *err)
{
    job->status_line = !w->no_status_line && !per_beat_watch && isatty(STDERR_FILENO) &&
                       cs_log_level() >= CS_LOG_NORMAL;
    job->status_log_s = job->status_line || w->no_status_line ? 0 : PLAIN_STATUS_S;
    char host[256];
    int port;
    if (!w->no_dashboard) {          /* checked by cs_play_watch_opt */
        if (cs_http_parse_addr(w->dashboard, host, sizeof host, &port, err) < 0 ||
            !(job->dashboard = cs_dashboard_new(host, port, err)))
            return -1;
    }
    if (w->http) {
        if (cs_http_parse_addr(w->http, host, sizeof host, &port, err) < 0 ||
            !(job->http = cs_http_start(host, port, err))) {
            cs_play_watch_stop(job);
            return -1;
        }
        cs_log_info("play: status page on http://%s%s%s:%d/", strchr(host, ':') ? "[" : "", host,
                    strchr(host, ':') ? "]" : "", cs_http_port(job->http));
    }
    return 0;
}

void cs_play_watch_stop(cs_live_job *job)
{
    cs_http_stop(job->http);
    job->http = NULL;
    cs_dashboard_free(job->dashboard);
    job->dashboard = NULL;
}
