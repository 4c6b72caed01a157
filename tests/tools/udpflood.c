/* udpflood: sends junk UDP datagrams to a cs play on loopback as fast as the
 * socket takes them, for the network load test (tests/e2e/netflood.sh).
 *
 *   udpflood PORT SECONDS [SEED]      prints "packets N bytes N seconds S"
 *
 * Only 127.0.0.1 (a load test must not leave the machine).  The mix: random
 * bytes of random length, oversize datagrams (up to 65507 bytes), OSC
 * messages of the player's own addresses with broken type tags, truncated
 * arguments or wrong types, bundles with lying lengths and deep nesting,
 * and unknown addresses (the detector's keypoint flood).  Nothing in the mix
 * is a well-formed command that would legitimately change the audio, so the
 * player's output must not change at all. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static size_t put_str(unsigned char *p, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(p, s, n);
    while (n % 4) p[n++] = 0;
    return n;
}

static const char *addrs[] = {
    "/load_buffer", "/play_stem", "/stop_stem", "/stem_volume", "/crossfade_levels", "/deck_levels",
    "/deck_filter", "/deck_eq", "/deck_eq_all", "/set_tempo", "/set_meter", "/dance/total_movement",
    "/schedule_c_at", "/play", "/fade", "/cue", "/start_group", "/cs/bpm", "/pose/keypoints",
    "/dance/pose/person0/nose",
};

/* One junk datagram into buf; returns its length. */
static size_t junk(unsigned char *buf, size_t cap)
{
    size_t n = 0;
    switch (rnd() % 6) {
    case 0:   /* random bytes, 1..1500 */
        n = 1 + rnd() % 1500;
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)rnd();
        return n;
    case 1:   /* oversize: the largest UDP payload, random content */
        n = 60000 + rnd() % (cap - 60000);
        for (size_t i = 0; i < n; i += 4) memcpy(buf + i, &(uint32_t){ rnd() }, 4);
        if (rnd() % 2) memcpy(buf, "/cs/ping\0\0\0\0,\0\0\0", 16);   /* valid head, junk tail */
        return n;
    case 2: { /* a real address, type tag promising more data than there is */
        n = put_str(buf, addrs[rnd() % (sizeof addrs / sizeof addrs[0])]);
        n += put_str(buf + n, (const char *[]){ ",ifs", ",ssss", ",dh", ",[[[", ",b", ",S" }[rnd() % 6]);
        size_t k = rnd() % 5;
        for (size_t i = 0; i < k; i++) buf[n++] = (unsigned char)rnd();
        return n;
    }
    case 3: { /* a real address with wrong-typed arguments: refused with a log line */
        n = put_str(buf, addrs[rnd() % (sizeof addrs / sizeof addrs[0])]);
        n += put_str(buf + n, ",s");
        n += put_str(buf + n, (const char *[]){ "fast", "nan", "inf", "-", "Z", "" }[rnd() % 6]);
        return n;
    }
    case 4: { /* bundles: lying element lengths, or nested deeper than allowed */
        memcpy(buf, "#bundle\0", 8);
        memset(buf + 8, 0, 8);
        n = 16;
        int depth = (int)(rnd() % 12);
        for (int d = 0; d < depth && n + 20 < cap; d++) {
            uint32_t len = htonl((uint32_t)(cap - n - 4));
            memcpy(buf + n, &len, 4);
            memcpy(buf + n + 4, "#bundle\0\0\0\0\0\0\0\0\0", 16);
            n += 20;
        }
        uint32_t lie = htonl(rnd());
        memcpy(buf + n, &lie, 4);
        n += 4;
        n += put_str(buf + n, "/set_tempo");
        return n;
    }
    default:  /* unknown addresses, well formed (the detector's keypoints) */
        n = put_str(buf, "/pose/keypoints");
        n += put_str(buf + n, ",fff");
        for (int i = 0; i < 3; i++) {
            uint32_t v = rnd();
            memcpy(buf + n, &v, 4);
            n += 4;
        }
        return n;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: udpflood PORT SECONDS [SEED]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    double secs = atof(argv[2]);
    if (argc > 3) rng ^= strtoull(argv[3], NULL, 0) * 0x2545f4914f6cdd1dull;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static unsigned char buf[65507];
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long long packets = 0, bytes = 0, tries = 0;
    double el = 0;
    for (;; tries++) {
        if ((tries & 255) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
            if (el >= secs) break;
        }
        size_t n = junk(buf, sizeof buf);
        /* Non-blocking is not needed: a full socket buffer on loopback
         * drops (ENOBUFS/EAGAIN are ignored), as the network would. */
        if (sendto(fd, buf, n, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)n) {
            packets++;
            bytes += n;
        }
    }
    printf("packets %llu bytes %llu seconds %.1f rate %.0f\n", packets, bytes, el, (double)packets / el);
    close(fd);
    return 0;
}
