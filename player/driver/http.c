/* The --http view (see http.h), on libmicrohttpd's threads.  The event
 * stream blocks in its content callback (allowed with a thread per
 * connection) until the control thread publishes a newer snapshot. */
#include "pkg/workpool.h"
#include "player/driver/http.h"
#include "player/driver/http_page.h"
#include "player/control/status.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define HIST 600                /* points kept: one a second, 10 minutes */
#define MAX_CONN 16
#define KEEPALIVE_S 10          /* an event-stream comment when nothing changed */

typedef struct hpoint { double t, movement, target, bpm; } hpoint;

struct cs_http {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
    char *json;                  /* latest snapshot, "{}" before the first */
    uint64_t seq;
    hpoint hist[HIST];
    size_t nhist, head;          /* ring: oldest at (head - nhist) mod HIST */
};

int cs_http_parse_addr(const char *spec, char *addr, size_t addr_size, int *port, cs_err *err)
{
    const char *colon = strrchr(spec, ':');
    const char *ps = colon ? colon + 1 : spec;
    char *end;
    long p = strtol(ps, &end, 10);
    if (!*ps || *end || p < 0 || p > 65535)
        return cs_err_setc(err, CS_ERR_USAGE, "--http '%s': expected [ADDR:]PORT with PORT 0..65535", spec);
    if (!colon) snprintf(addr, addr_size, "127.0.0.1");
    else {
        size_t n = (size_t)(colon - spec);
        if (n >= 2 && spec[0] == '[' && spec[n - 1] == ']') spec++, n -= 2;   /* [::1]:8080 */
        if (n == 0 || n >= addr_size) return cs_err_setc(err, CS_ERR_USAGE, "--http '%s': no address before the port", spec);
        memcpy(addr, spec, n);
        addr[n] = 0;
    }
    *port = (int)p;
    return 0;
}

/* ---- responses ---- */

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned code, const char *type, const char *body,
                                 size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ok;
}

static char *history_json(cs_http *h)
{
    cJSON *o = cJSON_CreateObject();
    const char *keys[] = { "t", "movement", "target", "bpm" };
    cJSON *arr[4];
    for (int k = 0; k < 4; k++) arr[k] = cJSON_AddArrayToObject(o, keys[k]);
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->nhist; i++) {
        const hpoint *p = &h->hist[(h->head + HIST - h->nhist + i) % HIST];
        double v[4] = { p->t, p->movement, p->target, p->bpm };
        for (int k = 0; k < 4; k++)
            cJSON_AddItemToArray(arr[k], k == 1 && v[k] < 0 ? cJSON_CreateNull() : cJSON_CreateNumber(v[k]));
    }
    pthread_mutex_unlock(&h->mu);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

typedef struct stream { cs_http *h; uint64_t seen; } stream;

/* Blocks until a snapshot newer than the last one sent (or a keep-alive
 * is due), then writes it as one event. */
static ssize_t events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *s = cls;
    cs_http *h = s->h;
    pthread_mutex_lock(&h->mu);
    /* Monotonic (the cv is made so): a wall-clock step neither floods nor
     * starves the keep-alives. */
    struct timespec until = cs_deadline_monotonic(KEEPALIVE_S);
    while (!h->stopping && h->seq == s->seen)
        if (pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT) break;
    ssize_t n;
    if (h->stopping) n = MHD_CONTENT_READER_END_OF_STREAM;
    else if (h->seq == s->seen) n = snprintf(buf, max, ": keep-alive\n\n");
    else {
        int w = snprintf(buf, max, "data: %s\n\n", h->json);
        /* A snapshot larger than MHD's buffer is skipped, never cut. */
        n = w > 0 && (size_t)w < max ? w : snprintf(buf, max, ": too large\n\n");
        s->seen = h->seq;
    }
    pthread_mutex_unlock(&h->mu);
    return n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version, (void)upload, (void)upload_size, (void)con_cls;
    cs_http *h = cls;
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9);
    if (!strcmp(url, "/")) return send_text(conn, MHD_HTTP_OK, "text/html; charset=utf-8", cs_http_page, strlen(cs_http_page));
    if (!strcmp(url, "/status.json")) {
        pthread_mutex_lock(&h->mu);
        char *s = strdup(h->json);
        pthread_mutex_unlock(&h->mu);
        enum MHD_Result r = s ? send_text(conn, MHD_HTTP_OK, "application/json", s, strlen(s)) : MHD_NO;
        free(s);
        return r;
    }
    if (!strcmp(url, "/history.json")) {
        char *s = history_json(h);
        enum MHD_Result r = s ? send_text(conn, MHD_HTTP_OK, "application/json", s, strlen(s)) : MHD_NO;
        free(s);
        return r;
    }
    if (!strcmp(url, "/events")) {
        stream *s = calloc(1, sizeof *s);
        if (!s) return MHD_NO;
        s->h = h;
        struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 8192, events_read, s, free);
        if (!r) {
            free(s);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", "text/event-stream");
        MHD_add_response_header(r, "Cache-Control", "no-store");
        enum MHD_Result ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ok;
    }
    return send_text(conn, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n", 10);
}

/* ---- the server ---- */

cs_http *cs_http_start(const char *addr, int port, cs_err *err)
{
    struct sockaddr_storage ss = { 0 };
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        cs_err_setc(err, CS_ERR_USAGE, "--http %s: not a numeric IPv4 or IPv6 address", addr);
        return NULL;
    }
    cs_http *h = calloc(1, sizeof *h);
    if (!h || !(h->json = strdup("{}"))) {
        free(h);
        cs_err_setc(err, CS_ERR_NOMEM, "--http: out of memory");
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    cs_cond_init_monotonic(&h->cv);
    h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONN,
                            MHD_OPTION_END);
    if (!h->d) {
        cs_err_setc(err, CS_ERR_SYSTEM, "--http %s:%d: cannot listen there (port in use?)", addr, port);
        cs_http_stop(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    return h;
}

int cs_http_port(const cs_http *h) { return h->port; }

void cs_http_publish(cs_http *h, const cs_control_status *st)
{
    if (!h) return;
    char *json = cs_status_json(st);
    if (!json) return;
    pthread_mutex_lock(&h->mu);
    free(h->json);
    h->json = json;
    h->seq++;
    const hpoint *last = h->nhist ? &h->hist[(h->head + HIST - 1) % HIST] : NULL;
    if (!last || st->time_s - last->t >= 1.0 || st->time_s < last->t) {
        h->hist[h->head] = (hpoint){ st->time_s, st->movement, st->target_bpm, st->bpm };
        h->head = (h->head + 1) % HIST;
        if (h->nhist < HIST) h->nhist++;
    }
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void cs_http_stop(cs_http *h)
{
    if (!h) return;
    pthread_mutex_lock(&h->mu);
    h->stopping = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->d) MHD_stop_daemon(h->d);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h->json);
    free(h);
}
