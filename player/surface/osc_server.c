/* Raw OSC datagrams and the UDP server (see osc.h): a packet is taken apart
 * into messages and time-tagged bundles here, each message handed to
 * cs_osc_dispatch (osc.c).  liblo parses and builds messages; the socket is
 * ours so that the bind address, IPv4+IPv6 and replies to the sender are
 * under our control. */
#include "player/surface/osc.h"
#include "player/surface/osc_int.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- packets ---- */

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* liblo 0.31 rejects the array typetags '[' ']' that some clients send for
 * "no arguments" (",[]"); they carry no data, so drop them from the tag.
 * A message without a type-tag string has no arguments. */
static int handle_message(cs_control *c, const unsigned char *data, size_t size, cs_osc_reply_fn reply, void *rctx)
{
    size_t plen = strnlen((const char *)data, size);
    if (plen == size || data[0] != '/') return CS_OSC_BAD;
    const char *path = (const char *)data;
    size_t toff = pad4(plen + 1);
    /* No type-tag string at all (the address, padded, and nothing after):
     * OSC 1.0 lets old senders omit it; python-osc, which the original
     * server uses, reads it as no arguments, where liblo refuses it (error
     * 9902). */
    if (toff >= size) return cs_osc_dispatch(c, path, "", NULL, 0, reply, rctx);
    unsigned char fixed[1536];
    const unsigned char *msg = data;
    size_t msize = size;
    if (toff < size && data[toff] == ',') {
        size_t tlen = strnlen((const char *)data + toff, size - toff);
        if (memchr(data + toff, '[', tlen) || memchr(data + toff, ']', tlen)) {
            size_t aoff = pad4(toff + tlen + 1);
            if (aoff > size || size > sizeof fixed) return CS_OSC_BAD;
            memset(fixed, 0, sizeof fixed);
            memcpy(fixed, data, toff);
            size_t k = toff;
            for (size_t i = 0; i < tlen; i++)
                if (data[toff + i] != '[' && data[toff + i] != ']') fixed[k++] = data[toff + i];
            size_t naoff = pad4(k + 1);
            memcpy(fixed + naoff, data + aoff, size - aoff);
            msg = fixed;
            msize = naoff + (size - aoff);
        }
    }
    int res = 0;
    lo_message m = lo_message_deserialise((void *)msg, msize, &res);
    if (!m) {
        if (osc_log_ok()) cs_log_error("OSC %.*s: malformed message (liblo error %d), ignored", (int)(plen > 64 ? 64 : plen), path, res);
        return CS_OSC_BAD;
    }
    int r = cs_osc_dispatch(c, path, lo_message_get_types(m), lo_message_get_argv(m),
                            lo_message_get_argc(m), reply, rctx);
    lo_message_free(m);
    return r;
}

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* A bundle's engine time: its tag, never earlier than the enclosing
 * bundle's (OSC 1.0: an enclosed bundle's tag must be >= its parent's; a
 * sender breaking that gets the parent's).  A tag already passed runs at
 * once, counted and logged as late.  `*tag` is updated to the tag used. */
static uint64_t bundle_time(cs_control *c, uint64_t *tag, uint64_t parent_tag, uint64_t parent_at)
{
    if (*tag <= parent_tag) {     /* same time as the parent (top level: 0, "now") */
        *tag = parent_tag;
        return parent_at;
    }
    uint64_t at = cs_control_tag_time(c, (uint32_t)(*tag >> 32), (uint32_t)*tag);
    uint64_t now = cs_control_now(c);
    if (at != CS_NOW && at < now) {
        cs_control_note_late(c, (double)(now - at) * 1000.0 / CS_RATE);
        at = CS_NOW;
    }
    return at;
}

static int handle(cs_control *c, const unsigned char *d, size_t size, cs_osc_reply_fn reply, void *rctx, int depth,
                  uint64_t parent_tag, uint64_t parent_at)
{
    if (size >= 16 && !memcmp(d, "#bundle", 8)) {
        if (depth > 8) return CS_OSC_BAD;
        uint64_t tag = ((uint64_t)be32(d + 8) << 32) | be32(d + 12);
        uint64_t at = bundle_time(c, &tag, parent_tag, parent_at);
        uint64_t prev = cs_control_set_command_time(c, at);
        int rc = 0;
        size_t off = 16;
        while (off + 4 <= size) {
            uint32_t n = be32(d + off);
            off += 4;
            if (n > size - off || n % 4) {
                if (osc_log_ok()) cs_log_error("OSC: malformed bundle, rest ignored");
                rc = CS_OSC_BAD;
                break;
            }
            handle(c, d + off, n, reply, rctx, depth + 1, tag, at);
            off += n;
        }
        cs_control_set_command_time(c, prev);
        return rc;
    }
    if (size < 4 || size % 4) {
        if (osc_log_ok()) cs_log_error("OSC: malformed packet of %zu bytes ignored", size);
        return CS_OSC_BAD;
    }
    return handle_message(c, d, size, reply, rctx);
}

int cs_osc_handle_packet(cs_control *c, const void *data, size_t size, cs_osc_reply_fn reply, void *reply_ctx)
{
    return handle(c, data, size, reply, reply_ctx, 0, 0, CS_NOW);
}

/* ---- the UDP server ---- */

struct cs_osc_server {
    int fd;
    uint64_t packets;
    unsigned char buf[65536];
};

typedef struct sender {
    int fd;
    struct sockaddr_storage addr;
    socklen_t len;
} sender;

static void reply_udp(void *ctx, const char *path, lo_message m)
{
    sender *s = ctx;
    size_t n = 0;
    void *data = lo_message_serialise(m, path, NULL, &n);
    if (!data) return;
    if (sendto(s->fd, data, n, 0, (struct sockaddr *)&s->addr, s->len) < 0)
        cs_log_warn("OSC reply %s: %s", path, strerror(errno));
    free(data);
}

static int try_bind(int family, const char *host, int port, bool dual, cs_err *err)
{
    struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc != 0) return cs_err_set(err, "--bind %s: %s", host, gai_strerror(rc));
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        if (ai->ai_family == AF_INET6) {
            int v6only = dual ? 0 : 1;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            cs_err_set(err, "cannot listen on %s port %d: %s", host, port, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0 && !err->msg[0]) cs_err_set(err, "cannot listen on %s port %d", host, port);
    return fd;
}

cs_osc_server *cs_osc_server_new(const char *bind_addr, int port, cs_err *err)
{
    cs_err tmp = {{0}};
    int fd;
    if (!bind_addr || !strcmp(bind_addr, "0.0.0.0") || !strcmp(bind_addr, "::")) {
        /* Dual stack, so a client resolving localhost to ::1 is heard too
         * (the original was IPv4 only); IPv4 alone where IPv6 is absent. */
        fd = try_bind(AF_INET6, "::", port, true, &tmp);
        if (fd < 0) {
            tmp.msg[0] = 0;
            fd = try_bind(AF_INET, "0.0.0.0", port, false, &tmp);
        }
    } else {
        fd = try_bind(AF_UNSPEC, bind_addr, port, false, &tmp);
    }
    if (fd < 0) {
        cs_err_set(err, "%s", tmp.msg);
        return NULL;
    }
    cs_osc_server *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        cs_err_set(err, "out of memory");
        return NULL;
    }
    s->fd = fd;
    return s;
}

void cs_osc_server_poll(cs_osc_server *s, cs_control *c, int timeout_ms)
{
    struct pollfd p = { .fd = s->fd, .events = POLLIN };
    if (poll(&p, 1, timeout_ms) <= 0) return;
    for (int i = 0; i < 256; i++) {     /* bounded: ticks must keep running */
        sender from = { .fd = s->fd, .len = sizeof from.addr };
        ssize_t n = recvfrom(s->fd, s->buf, sizeof s->buf, MSG_DONTWAIT, (struct sockaddr *)&from.addr, &from.len);
        if (n < 0) break;
        s->packets++;
        cs_osc_handle_packet(c, s->buf, (size_t)n, reply_udp, &from);
    }
}

uint64_t cs_osc_server_packets(const cs_osc_server *s) { return s->packets; }

void cs_osc_server_free(cs_osc_server *s)
{
    if (!s) return;
    close(s->fd);
    free(s);
}
