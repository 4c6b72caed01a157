/* OSC dispatch: every address of the original server plus /cs/..., with
 * lenient arguments (see osc.h).  Raw datagrams, bundles and the UDP socket
 * are in osc_server.c. */
#include "player/surface/osc.h"
#include "player/surface/osc_int.h"
#include "player/control/decks.h"
#include "player/control/ratelimit.h"
#include "player/control/status.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lenient arguments ---- */

typedef struct args {
    const char *path, *types;
    lo_arg **argv;
    int argc;
} args;

/* A numeric string is a whole decimal number: [+-]digits[.digits][e[+-]digits]
 * with optional spaces around it.  strtod alone would take "0x81", "inf",
 * "nan" and "1e999", and a prefix check would let "129abc" pass as 129. */
static bool decimal_string(const char *s, double *out)
{
    const char *p = s;
    while (isspace((unsigned char)*p)) p++;
    const char *q = p;
    if (*q == '+' || *q == '-') q++;
    size_t digits = 0;
    while (isdigit((unsigned char)*q)) q++, digits++;
    if (*q == '.') {
        q++;
        while (isdigit((unsigned char)*q)) q++, digits++;
    }
    if (!digits) return false;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-') q++;
        if (!isdigit((unsigned char)*q)) return false;
        while (isdigit((unsigned char)*q)) q++;
    }
    const char *end = q;
    while (isspace((unsigned char)*q)) q++;
    if (*q) return false;
    char buf[64];
    if ((size_t)(end - p) >= sizeof buf) return false;
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = 0;
    *out = strtod(buf, NULL);
    return isfinite(*out);
}

/* Numbers: int32, int64, float, double, or a decimal string (the original's
 * lenient typing).  Booleans (T/F), nil, impulse, chars, blobs, MIDI and
 * time tags are not numbers, and neither are NaN or infinities: a message
 * carrying one where a number belongs is refused, not read as 0 or 1. */
static bool num(const args *a, int i, double *out)
{
    if (i >= a->argc) return false;
    /* liblo packs arguments at 4-byte offsets: read through memcpy, since
     * lo_arg is 8-aligned as a type. */
    const void *v = a->argv[i];
    int32_t i32;
    int64_t i64;
    float f;
    double d;
    switch (a->types[i]) {
    case 'i': memcpy(&i32, v, 4); *out = i32; return true;
    case 'f': memcpy(&f, v, 4); *out = f; return isfinite(*out);
    case 'd': memcpy(&d, v, 8); *out = d; return isfinite(*out);
    case 'h': memcpy(&i64, v, 8); *out = (double)i64; return true;
    case 's':
    case 'S': return decimal_string(v, out);
    default: return false;
    }
}

/* A number within [lo, hi] (the sane ranges in osc.h). */
static bool num_in(const args *a, int i, double lo, double hi, double *out)
{
    return num(a, i, out) && *out >= lo && *out <= hi;
}

/* Optional argument: absent -> dflt (true); present -> must be a number in
 * [lo, hi]. */
static bool opt_in(const args *a, int i, double lo, double hi, double dflt, double *out)
{
    if (i >= a->argc) {
        *out = dflt;
        return true;
    }
    return num_in(a, i, lo, hi, out);
}

static const char *str(const args *a, int i)
{
    if (i >= a->argc) return NULL;
    return a->types[i] == 's' || a->types[i] == 'S' ? (const char *)a->argv[i] : NULL;
}

/* A flag (loop, watch on/off): T/F, or a number (non-zero = on). */
static bool flag(const args *a, int i, bool dflt, bool *out)
{
    double d;
    if (i >= a->argc) *out = dflt;
    else if (a->types[i] == 'T' || a->types[i] == 'F') *out = a->types[i] == 'T';
    else if (num(a, i, &d)) *out = d != 0;
    else return false;
    return true;
}

/* A flood of bad packets (a broken or hostile sender) must not become a
 * flood of log lines (tests/e2e/netflood.sh saw 37,000 a second): at most
 * 10 a second, then how many were left out.  Control thread only. */
bool osc_log_ok(void)
{
    static cs_ratelimit rl = { .what = "bad OSC packets" };
    return cs_ratelimit_ok(&rl);
}

static int bad(const args *a, const char *why)
{
    if (osc_log_ok()) cs_log_error("OSC %s: %s", a->path, why);
    return CS_OSC_BAD;
}

static bool need_id(const args *a, long *id)
{
    double d;
    /* Bounded before the cast: a double beyond long's range is undefined
     * behaviour to convert (found by tests/fuzz/fuzz_osc.c). */
    if (!num(a, 0, &d) || !(fabs(d) < 1e15)) return false;
    *id = (long)d;
    return true;
}

static int deck_arg(const args *a, int i)
{
    const char *s = str(a, i);
    return s ? cs_deck_of_name(s) : -1;
}

/* lo/mi/hi prefixes, trimmed, any case (the original's matching). */
static int band_arg(const args *a, int i)
{
    const char *s = str(a, i);
    if (!s) return -1;
    while (isspace((unsigned char)*s)) s++;
    char b[3] = { (char)tolower((unsigned char)s[0]), s[0] ? (char)tolower((unsigned char)s[1]) : 0, 0 };
    if (!strcmp(b, "lo")) return CS_EQ_LOW;
    if (!strcmp(b, "mi")) return CS_EQ_MID;
    if (!strcmp(b, "hi")) return CS_EQ_HIGH;
    return -1;
}

/* ---- handlers ---- */

typedef struct hctx {
    cs_control *c;
    cs_osc_reply_fn reply;
    void *rctx;
} hctx;

typedef int (*handler)(hctx *h, const args *a);

static int h_load_buffer(hctx *h, const args *a)
{
    long id;
    const char *path = str(a, 1);
    if (!need_id(a, &id) || !path) return bad(a, "expects id path [name]");
    return cs_control_load_buffer(h->c, id, path, str(a, 2)) < 0 ? CS_OSC_BAD : 0;
}

static int h_play_stem(hctx *h, const args *a)
{
    long id;
    if (!need_id(a, &id)) return bad(a, "expects id [rate volume loop start_pos]");
    double rate, vol, pos;
    bool loop;
    if (!opt_in(a, 1, CS_ENGINE_RATE_MIN, CS_ENGINE_RATE_MAX, 1.0, &rate))
        return bad(a, "rate must be a number in [0.25, 4]");
    if (!opt_in(a, 2, 0, CS_OSC_GAIN_MAX, 0.8, &vol)) return bad(a, "volume must be a number in [0, 4]");
    if (!flag(a, 3, true, &loop)) return bad(a, "loop must be 0/1 or T/F");
    if (!opt_in(a, 4, 0, 1, 0, &pos)) return bad(a, "start_pos must be a number in [0, 1]");
    return cs_control_play_stem(h->c, id, rate, vol, loop, pos) < 0 ? CS_OSC_BAD : 0;
}

static int h_stop_stem(hctx *h, const args *a)
{
    long id;
    if (!need_id(a, &id)) return bad(a, "expects id");
    cs_control_stop_stem(h->c, id);
    return 0;
}

static int h_stem_volume(hctx *h, const args *a)
{
    long id;
    double v;
    if (!need_id(a, &id) || !num_in(a, 1, 0, CS_OSC_GAIN_MAX, &v)) return bad(a, "expects id volume (0..4)");
    cs_control_stem_volume(h->c, id, v);
    return 0;
}

static int h_crossfade_levels(hctx *h, const args *a)
{
    double x, y;
    if (!num_in(a, 0, -CS_OSC_GAIN_MAX, CS_OSC_GAIN_MAX, &x) || !num_in(a, 1, -CS_OSC_GAIN_MAX, CS_OSC_GAIN_MAX, &y))
        return bad(a, "expects levels a b (at most 4; negative keeps a deck's level)");
    cs_control_deck_level(h->c, 0, x);
    cs_control_deck_level(h->c, 1, y);
    return 0;
}

static int h_deck_levels(hctx *h, const args *a)
{
    double v[CS_DECKS];
    int n = 0;
    for (; n < CS_DECKS && n < a->argc; n++)
        if (!num_in(a, n, -CS_OSC_GAIN_MAX, CS_OSC_GAIN_MAX, &v[n]))
            return bad(a, "levels must be numbers, at most 4 (negative keeps a deck's level)");
    for (int d = 0; d < n; d++) cs_control_deck_level(h->c, d, v[d]);
    return 0;
}

static int h_deck_filter(hctx *h, const args *a)
{
    if (!cs_control_eq_on(h->c)) return 0;     /* the original: silently ignored */
    int d = deck_arg(a, 0), b = band_arg(a, 1);
    double v;
    if (d < 0 || b < 0 || !num_in(a, 2, -CS_OSC_GAIN_MAX, CS_OSC_GAIN_MAX, &v))
        return bad(a, "expects deck(A-D) band(low|mid|high) gain (at most 4)");
    cs_control_eq_gain(h->c, d, b, v > 0 ? v : 0);
    return 0;
}

static int h_deck_eq(hctx *h, const args *a)
{
    if (!cs_control_eq_on(h->c)) return 0;
    int d = deck_arg(a, 0), b = band_arg(a, 1);
    double p;
    if (d < 0 || b < 0 || !num_in(a, 2, -CS_OSC_PERCENT_MAX, CS_OSC_PERCENT_MAX, &p))
        return bad(a, "expects deck(A-D) band(low|mid|high) percent");
    cs_control_eq_gain(h->c, d, b, cs_eq_percent_gain(p));
    return 0;
}

static int h_deck_eq_all(hctx *h, const args *a)
{
    if (!cs_control_eq_on(h->c)) return 0;
    int d = deck_arg(a, 0);
    double p[3];
    if (d < 0 || !num_in(a, 1, -CS_OSC_PERCENT_MAX, CS_OSC_PERCENT_MAX, &p[0]) ||
        !num_in(a, 2, -CS_OSC_PERCENT_MAX, CS_OSC_PERCENT_MAX, &p[1]) ||
        !num_in(a, 3, -CS_OSC_PERCENT_MAX, CS_OSC_PERCENT_MAX, &p[2]))
        return bad(a, "expects deck(A-D) low mid high");
    for (int b = 0; b < 3; b++) cs_control_eq_gain(h->c, d, b, cs_eq_percent_gain(p[b]));
    return 0;
}

static int h_get_status(hctx *h, const args *a)
{
    (void)a;
    cs_control_print_status(h->c);
    return 0;
}

static int h_test_tone(hctx *h, const args *a)
{
    (void)h;
    double hz;
    if (!opt_in(a, 0, 1, 96000, 440, &hz)) return bad(a, "expects a frequency in Hz (1..96000)");
    printf("test tone request: %.1f Hz (acknowledged; no tone is generated)\n", hz);
    fflush(stdout);
    return 0;
}

static int h_mixer_cleanup(hctx *h, const args *a)
{
    (void)a;
    cs_control_cleanup(h->c);
    return 0;
}

static int h_set_tempo(hctx *h, const args *a)
{
    double b;
    if (!num(a, 0, &b)) return bad(a, "expects bpm");
    return cs_control_set_tempo(h->c, b) < 0 ? CS_OSC_BAD : 0;
}

static int h_set_meter(hctx *h, const args *a)
{
    double b;
    /* 1..64 as --meter; bounded before the int cast (fuzz_osc found 2e17). */
    if (!num(a, 0, &b) || !(b >= 1 && b <= 64)) return bad(a, "expects beats per bar 1..64");
    cs_control_set_meter(h->c, (int)b);
    return 0;
}

static int h_print_clock(hctx *h, const args *a)
{
    bool on;
    if (!flag(a, 0, true, &on)) return bad(a, "expects 0/1 or T/F");
    cs_control_set_watch(h->c, on);
    return 0;
}

static int h_movement(hctx *h, const args *a)
{
    double m;
    if (!num(a, 0, &m)) return bad(a, "expects a movement value");
    cs_control_movement(h->c, m);
    return 0;
}

static int h_schedule_c_at(hctx *h, const args *a)
{
    double x;
    if (!num_in(a, 0, -CS_OSC_SECONDS_MAX, CS_OSC_SECONDS_MAX, &x)) return bad(a, "expects seconds since /reset");
    return cs_control_schedule_c_at(h->c, x) < 0 ? CS_OSC_BAD : 0;
}

static int h_dummy(hctx *h, const args *a)
{
    printf("dummy:");
    for (int i = 0; i < a->argc; i++) {
        const char *s = str(a, i);
        double d;
        if (s) printf(" %s", s);
        else if (num(a, i, &d)) printf(" %g", d);
        else printf(" <%c>", a->types[i]);
    }
    printf("\n");
    fflush(stdout);
    const char *s = str(a, 0);
    double x;
    if (s && !strcmp(s, "schedule_c_at") && num_in(a, 1, -CS_OSC_SECONDS_MAX, CS_OSC_SECONDS_MAX, &x))
        cs_control_schedule_c_at(h->c, x);
    return 0;
}

static int h_reset(hctx *h, const args *a)
{
    (void)a;
    cs_control_reset(h->c);
    return 0;
}

static int h_play(hctx *h, const args *a)
{
    int d = deck_arg(a, 0);
    const char *path = str(a, 1);
    double at;
    if (d < 0 || !path) return bad(a, "expects deck(A-D) path [start_at]");
    if (!opt_in(a, 2, -CS_OSC_SECONDS_MAX, CS_OSC_SECONDS_MAX, 0, &at)) return bad(a, "start_at must be seconds (at most a day)");
    return cs_control_play(h->c, d, path, at) < 0 ? CS_OSC_BAD : 0;
}

static int h_fade(hctx *h, const args *a)
{
    int d = deck_arg(a, 0);
    double at, dur;
    if (d < 0) return bad(a, "expects deck(A-D) [start_at duration]");
    if (!opt_in(a, 1, -CS_OSC_SECONDS_MAX, CS_OSC_SECONDS_MAX, 0, &at) || !opt_in(a, 2, 0, CS_OSC_SECONDS_MAX, 2.0, &dur))
        return bad(a, "start_at and duration must be seconds (at most a day)");
    return cs_control_fade(h->c, d, at, dur) < 0 ? CS_OSC_BAD : 0;
}

static int h_cue(hctx *h, const args *a)
{
    int d = deck_arg(a, 0);
    const char *path = str(a, 1);
    double pos;
    if (d < 0 || !path) return bad(a, "expects deck(A-D) path [start_pos]");
    if (!opt_in(a, 2, 0, 1, 0, &pos)) return bad(a, "start_pos must be a number in [0, 1]");
    return cs_control_cue(h->c, d, path, pos) < 0 ? CS_OSC_BAD : 0;
}

/* start_at and deck letters in any order: numbers are start_at (last
 * wins), everything else a deck name. */
static int h_start_group(hctx *h, const args *a)
{
    if (a->argc < 2) return bad(a, "expects start_at and deck letters");
    double at = 0, v;
    int decks[16], n = 0;
    for (int i = 0; i < a->argc; i++) {
        if (num(a, i, &v)) {
            if (!(fabs(v) <= CS_OSC_SECONDS_MAX)) return bad(a, "start_at must be seconds (at most a day)");
            at = v;
            continue;
        }
        const char *s = str(a, i);
        int d = s ? cs_deck_of_name(s) : -1;
        if (d < 0) {
            if (osc_log_ok()) cs_log_warn("OSC /start_group: unknown deck '%s' skipped", s ? s : "?");
            continue;
        }
        if (n < 16) decks[n++] = d;
    }
    if (n == 0) return bad(a, "no valid deck given");
    return cs_control_start_group(h->c, at, decks, n) < 0 ? CS_OSC_BAD : 0;
}

static void send_reply(hctx *h, const char *path, lo_message m)
{
    if (h->reply) h->reply(h->rctx, path, m);
    lo_message_free(m);
}

static int h_cs_status(hctx *h, const args *a)
{
    (void)a;
    cs_control_status st;
    cs_control_status_get(h->c, &st);
    lo_message m = lo_message_new();
    lo_message_add_float(m, (float)st.bpm);
    lo_message_add_float(m, (float)st.target_bpm);
    for (int d = 0; d < CS_DECKS; d++) lo_message_add_int32(m, st.rung[d]);
    lo_message_add_string(m, st.track);
    lo_message_add_int32(m, (int32_t)(st.underruns + st.xruns));
    lo_message_add_float(m, (float)st.movement);
    lo_message_add_int32(m, (int32_t)st.short_ends);
    lo_message_add_string(m, st.short_last);
    /* Added after the original fields (readers of the older reply stop
     * before them): bundles dropped (every reason), bundles waiting. */
    uint64_t dropped = 0;
    for (int k = 0; k < CS_BUNDLE_DROP_KINDS; k++) dropped += st.bundles_dropped[k];
    lo_message_add_int32(m, (int32_t)dropped);
    lo_message_add_int32(m, (int32_t)st.bundles_waiting);
    /* Added for device loss (issue 21): losses since start, and seconds
     * lost now (-1: the device plays). */
    lo_message_add_int32(m, (int32_t)st.device_losses);
    lo_message_add_float(m, st.device_lost ? (float)st.device_lost_s : -1.0f);
    send_reply(h, "/cs/status", m);
    return 0;
}

/* The same snapshot with names: one JSON string (player/control/status.h). */
static int h_cs_status_json(hctx *h, const args *a)
{
    (void)a;
    cs_control_status st;
    cs_control_status_get(h->c, &st);
    char *json = cs_status_json(&st);
    if (!json) return CS_OSC_BAD;
    lo_message m = lo_message_new();
    lo_message_add_string(m, json);
    free(json);
    send_reply(h, "/cs/status/json", m);
    return 0;
}

static int h_cs_bpm(hctx *h, const args *a)
{
    double b;
    if (!num(a, 0, &b)) return bad(a, "expects bpm");
    return cs_control_target_bpm(h->c, b) < 0 ? CS_OSC_BAD : 0;
}

static int h_cs_next(hctx *h, const args *a)
{
    cs_err err = {0};
    if (cs_control_next(h->c, &err) == 0) return 0;
    lo_message m = lo_message_new();
    lo_message_add_string(m, "/cs/next");
    lo_message_add_string(m, err.msg);
    send_reply(h, "/cs/error", m);
    return bad(a, err.msg);
}

static int h_cs_ping(hctx *h, const args *a)
{
    (void)a;
    send_reply(h, "/cs/pong", lo_message_new());
    return 0;
}

static const struct {
    const char *path;
    handler fn;
} table[] = {
    { "/load_buffer", h_load_buffer },       { "/play_stem", h_play_stem },
    { "/stop_stem", h_stop_stem },           { "/stem_volume", h_stem_volume },
    { "/crossfade_levels", h_crossfade_levels }, { "/deck_levels", h_deck_levels },
    { "/deck_filter", h_deck_filter },       { "/deck_eq", h_deck_eq },
    { "/deck_eq_all", h_deck_eq_all },       { "/get_status", h_get_status },
    { "/test_tone", h_test_tone },           { "/mixer_cleanup", h_mixer_cleanup },
    { "/set_tempo", h_set_tempo },           { "/set_meter", h_set_meter },
    { "/print_clock", h_print_clock },       { "/dance/total_movement", h_movement },
    { "/dummy", h_dummy },                   { "/schedule_c_at", h_schedule_c_at },
    { "/reset", h_reset },                   { "/play", h_play },
    { "/fade", h_fade },                     { "/cue", h_cue },
    { "/start_group", h_start_group },       { "/cs/status", h_cs_status },
    { "/cs/status/json", h_cs_status_json },
    { "/cs/bpm", h_cs_bpm },                 { "/cs/next", h_cs_next },
    { "/cs/ping", h_cs_ping },
};

int cs_osc_dispatch(cs_control *c, const char *path, const char *types, lo_arg **argv, int argc,
                    cs_osc_reply_fn reply, void *reply_ctx)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].path, path) != 0) continue;
        hctx h = { c, reply, reply_ctx };
        args a = { path, types ? types : "", argv, argc };
        return table[i].fn(&h, &a);
    }
    cs_control_unknown_address(c, path);
    return CS_OSC_UNKNOWN;
}
