/* Raw OSC datagrams and the UDP server (see osc.h): a packet is taken apart
 * into messages and time-tagged bundles here, each message handed to
 * cs_osc_dispatch (osc.c).  liblo parses and builds messages; the socket is
 * ours so that the bind address, IPv4+IPv6 and replies to the sender are
 * under our control. */
#include "player/surface/osc.h"
#include "player/surface/osc_test.h"
#include "player/surface/osc_int.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
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

/* Where replies go: the function and a copy of its context (a sender's
 * address), so that a bundle run later from the control side's queue can
 * still reply.  size 0: the context is borrowed and not kept (replies of a
 * deferred bundle are then dropped). */
typedef struct replyto {
    cs_osc_reply_fn fn;
    void *ctx;
    size_t size;
} replyto;

/* What a deferred bundle keeps with its bytes (cs_control_bundle_defer's
 * aux): its depth, its parent's tag, and the reply context's bytes. */
typedef struct deferred {
    int depth;
    uint64_t parent_tag;
    cs_osc_reply_fn fn;
    size_t size;
    unsigned char ctx[];
} deferred;

static int handle(cs_control *c, const unsigned char *d, size_t size, const replyto *rt, int depth,
                  uint64_t parent_tag, uint64_t parent_at, bool run_now);

/* Called from cs_control_tick when a deferred bundle falls due. */
static void run_deferred(cs_control *c, const void *data, size_t size, const void *aux, size_t auxsize)
{
    const deferred *df = aux;
    if (!df || auxsize < sizeof *df) return;
    /* The copy lives until this returns; a nested bundle deferred again
     * copies it in turn. */
    replyto rt = { df->size ? df->fn : NULL, df->size ? (void *)df->ctx : NULL, df->size };
    handle(c, data, size, &rt, df->depth, df->parent_tag, CS_NOW, true);
}

static void defer(cs_control *c, const unsigned char *d, size_t size, const replyto *rt, int depth,
                  uint64_t parent_tag, uint64_t due)
{
    _Alignas(max_align_t) unsigned char buf[sizeof(deferred) + 256];
    deferred *df = (deferred *)(void *)buf;
    size_t keep = rt->fn && rt->size <= 256 ? rt->size : 0;
    *df = (deferred){ .depth = depth, .parent_tag = parent_tag, .fn = keep ? rt->fn : NULL, .size = keep };
    if (keep) memcpy(df->ctx, rt->ctx, keep);
    cs_control_bundle_defer(c, due, run_deferred, d, size, df, sizeof *df + keep);
}

static int handle_bundle(cs_control *c, const unsigned char *d, size_t size, const replyto *rt, int depth,
                         uint64_t parent_tag, uint64_t parent_at, bool run_now)
{
    if (size < 16) {
        cs_control_bundle_dropped(c, CS_BUNDLE_DROP_MALFORMED, "%zu bytes, shorter than a bundle's header "
                                  "(16: \"#bundle\" and a time tag)", size);
        return CS_OSC_BAD;
    }
    if (depth >= CS_BUNDLE_MAX_DEPTH) {
        cs_control_bundle_dropped(c, CS_BUNDLE_DROP_DEEP, "nested %d deep, more than the %d allowed "
                                  "(a sender's loop?), with everything in it", depth + 1, CS_BUNDLE_MAX_DEPTH);
        return CS_OSC_BAD;
    }
    uint64_t tag = ((uint64_t)be32(d + 8) << 32) | be32(d + 12);
    uint64_t at;
    /* Its engine time: its tag, never earlier than the enclosing bundle's
     * (OSC 1.0: an enclosed bundle's tag must be >= its parent's; a sender
     * breaking that gets the parent's). */
    if (tag <= parent_tag) {     /* same time as the parent (top level: 0, "now") */
        tag = parent_tag;
        at = parent_at;
    } else {
        uint32_t sec = (uint32_t)(tag >> 32), frac = (uint32_t)tag;
        double ahead = cs_control_tag_ahead(c, sec, frac), max = cs_control_max_ahead(c);
        if (ahead > max) {
            cs_control_bundle_dropped(c, CS_BUNDLE_DROP_AHEAD, "tagged %.1f s ahead, beyond --max-ahead %g s: "
                                      "refused; are the clocks right? (the sender's and ours; a Pi without "
                                      "a real-time clock or NTP keeps a wrong time)", ahead, max);
            return CS_OSC_BAD;
        }
        at = cs_control_tag_time(c, sec, frac);
        /* Later than the lead, or due after a bundle still waiting (held
         * while the engine's queue is busy): it waits in turn, so no bundle
         * lands before an earlier-tagged one. */
        if (!run_now && (ahead > CS_BUNDLE_LEAD_S || cs_control_bundle_waits_before(c, at))) {
            defer(c, d, size, rt, depth, parent_tag, at);
            return 0;
        }
        uint64_t now = cs_control_now(c);
        if (at != CS_NOW && at < now) {
            cs_control_note_late(c, -ahead * 1000.0);
            at = CS_NOW;
        }
    }
    uint64_t prev = cs_control_set_command_time(c, at);
    int rc = 0;
    size_t off = 16;
    while (off + 4 <= size) {
        uint32_t n = be32(d + off);
        off += 4;
        if (n > size - off || n % 4) {
            cs_control_bundle_dropped(c, CS_BUNDLE_DROP_MALFORMED, "an element of %u bytes where %zu are left "
                                      "(or not a multiple of 4): the rest ignored", n, size - off);
            rc = CS_OSC_BAD;
            break;
        }
        handle(c, d + off, n, rt, depth + 1, tag, at, false);
        off += n;
    }
    cs_control_set_command_time(c, prev);
    return rc;
}

static int handle(cs_control *c, const unsigned char *d, size_t size, const replyto *rt, int depth,
                  uint64_t parent_tag, uint64_t parent_at, bool run_now)
{
    if (size >= 8 && !memcmp(d, "#bundle", 8))
        return handle_bundle(c, d, size, rt, depth, parent_tag, parent_at, run_now);
    if (size < 4 || size % 4) {
        if (osc_log_ok()) cs_log_error("OSC: malformed packet of %zu bytes ignored", size);
        return CS_OSC_BAD;
    }
    return handle_message(c, d, size, rt->fn, rt->ctx);
}

static int handle_packet(cs_control *c, const void *data, size_t size, const replyto *rt)
{
    return handle(c, data, size, rt, 0, 0, CS_NOW, false);
}

int cs_osc_handle_packet(cs_control *c, const void *data, size_t size, cs_osc_reply_fn reply, void *reply_ctx)
{
    replyto rt = { reply, reply_ctx, 0 };
    return handle_packet(c, data, size, &rt);
}

/* ---- the UDP server ---- */

struct cs_osc_server {
    int fd;
    int wake_fd;          /* eventfd: cs_osc_server_wake */
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
    if (rc != 0) return cs_err_setc(err, CS_ERR_IO, "--bind %s: %s", host, gai_strerror(rc));
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        if (ai->ai_family == AF_INET6) {
            int v6only = dual ? 0 : 1;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            cs_err_setc(err, CS_ERR_IO, "cannot listen on %s port %d: %s", host, port, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0 && !err->msg[0]) cs_err_setc(err, CS_ERR_SYSTEM, "cannot listen on %s port %d", host, port);
    return fd;
}

cs_osc_server *cs_osc_server_new(const char *bind_addr, int port, cs_err *err)
{
    cs_err tmp = {0};
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
        cs_err_setc(err, tmp.code, "%s", tmp.msg);
        return NULL;
    }
    cs_osc_server *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->fd = fd;
    s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->wake_fd < 0) {
        cs_err_setc(err, CS_ERR_SYSTEM, "cannot create the OSC loop's wake-up eventfd: %s", strerror(errno));
        close(fd);
        free(s);
        return NULL;
    }
    return s;
}

void cs_osc_server_wake(void *srv)
{
    cs_osc_server *s = srv;
    /* fails only with EAGAIN: the counter is full, a wake-up is pending anyway */
    (void)eventfd_write(s->wake_fd, 1);
}

void cs_osc_server_poll(cs_osc_server *s, cs_control *c, int timeout_ms)
{
    struct pollfd p[2] = { { .fd = s->fd, .events = POLLIN }, { .fd = s->wake_fd, .events = POLLIN } };
    if (poll(p, 2, timeout_ms) <= 0) return;
    if (p[1].revents) {
        eventfd_t count;
        (void)eventfd_read(s->wake_fd, &count);   /* reset: the next news wakes again */
    }
    if (!p[0].revents) return;
    for (int i = 0; i < 256; i++) {     /* bounded: ticks must keep running */
        sender from = { .fd = s->fd, .len = sizeof from.addr };
        ssize_t n = recvfrom(s->fd, s->buf, sizeof s->buf, MSG_DONTWAIT, (struct sockaddr *)&from.addr, &from.len);
        if (n < 0) break;
        s->packets++;
        replyto rt = { reply_udp, &from, sizeof from };
        handle_packet(c, s->buf, (size_t)n, &rt);
    }
}

uint64_t cs_osc_server_packets(const cs_osc_server *s) { return s->packets; }

void cs_osc_server_free(cs_osc_server *s)
{
    if (!s) return;
    close(s->fd);
    close(s->wake_fd);
    free(s);
}
