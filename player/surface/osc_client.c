/* One-shot OSC requests (see osc_client.h): liblo builds and parses the
 * messages; the socket is ours so that it has the family of the address
 * (IPv4 or IPv6) the host resolves to. */
#include "player/surface/osc_client.h"

#include <errno.h>
#include <lo/lo.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The first string argument of a datagram addressed to `path`, copied;
 * NULL for anything else. */
static char *reply_string(const void *data, size_t n, const char *path)
{
    int res = 0;
    lo_message m = lo_message_deserialise((void *)data, n, &res);
    if (!m) return NULL;
    char *out = NULL;
    const char *types = lo_message_get_types(m);
    if (!strcmp((const char *)data, path) && lo_message_get_argc(m) >= 1 && (types[0] == 's' || types[0] == 'S'))
        out = strdup(&lo_message_get_argv(m)[0]->s);
    lo_message_free(m);
    return out;
}

int cs_osc_request_string(const char *host, int port, const char *path, double timeout_s, char **out,
                          cs_err *err)
{
    *out = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host, ps, &hints, &ai);
    if (rc != 0) return cs_err_setc(err, CS_ERR_IO, "%s: %s", host, gai_strerror(rc));
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    lo_message m = lo_message_new();
    size_t len = 0;
    void *data = m ? lo_message_serialise(m, path, NULL, &len) : NULL;
    if (fd < 0 || !data) rc = cs_err_setc(err, CS_ERR_SYSTEM, "%s:%d: cannot open a UDP socket", host, port);
    else if (sendto(fd, data, len, 0, ai->ai_addr, ai->ai_addrlen) < 0)
        rc = cs_err_setc(err, CS_ERR_IO, "%s:%d: cannot send %s: %s", host, port, path, strerror(errno));
    free(data);
    if (m) lo_message_free(m);
    freeaddrinfo(ai);
    double end = mono() + timeout_s;
    unsigned char buf[65536];
    while (rc == 0 && !*out) {
        double left = end - mono();
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0) {
            rc = cs_err_set(err, "no reply from %s:%d within %g s (is cs play running there?)", host, port,
                            timeout_s);
            break;
        }
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        if (n > 0) *out = reply_string(buf, (size_t)n, path);
    }
    if (fd >= 0) close(fd);
    return rc == 0 ? 0 : -1;
}
