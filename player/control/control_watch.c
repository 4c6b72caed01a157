/* The control thread's live warnings (see control.h): unknown OSC
 * addresses, a ladder set left without movement, and a tempo that left the
 * set's rungs.  Each is said once per occurrence, never once per message or
 * tick, so a flood or a long excursion stays one line. */
#include "player/control/control_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* OSC addresses come from the network: control characters in one must not
 * reach a terminal. */
static void printable(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++) dst[i] = isprint((unsigned char)src[i]) ? src[i] : '?';
    dst[i] = 0;
}

void cs_control_unknown_address(cs_control *c, const char *path)
{
    c->unk_total++;
    size_t len = strnlen(path, sizeof c->unk[0].path);
    for (int i = 0; i < c->nunk; i++)
        if (len < sizeof c->unk[i].path && !strcmp(c->unk[i].path, path)) {
            c->unk[i].n++;
            return;
        }
    char shown[sizeof c->unk[0].path];
    printable(shown, sizeof shown, path);
    if (c->nunk == UNKNOWN_MAX || len >= sizeof c->unk[0].path) {
        if (c->unk_other++ == 0)
            cs_log_warn("OSC %s: unknown address, ignored (%d addresses seen: the rest are counted "
                        "together, not logged)", shown, UNKNOWN_MAX);
        return;
    }
    memcpy(c->unk[c->nunk].path, path, len + 1);
    c->unk[c->nunk++].n = 1;
    cs_log_warn("OSC %s: unknown address, ignored (said once; counted in /cs/status)", shown);
}

void cs_control_log_unknown(const cs_control *c)
{
    if (!c->unk_total) return;
    char line[1024];
    size_t off = 0;
    for (int i = 0; i < c->nunk && off < sizeof line; i++) {
        char shown[sizeof c->unk[0].path];
        printable(shown, sizeof shown, c->unk[i].path);
        off += (size_t)snprintf(line + off, sizeof line - off, "%s%s x%llu", i ? ", " : "", shown,
                                (unsigned long long)c->unk[i].n);
    }
    if (c->unk_other && off < sizeof line)
        snprintf(line + off, sizeof line - off, "%sothers x%llu", c->nunk ? ", " : "",
                 (unsigned long long)c->unk_other);
    cs_log_info("unknown OSC addresses: %llu messages (%s)", (unsigned long long)c->unk_total, line);
}

/* No movement for cfg.movement_warn_s while a set plays: the detector is
 * probably sending elsewhere (the original's Pi config left the engine's
 * port out).  Said once; said again only after movement came and went. */
static void watch_movement(cs_control *c, double t)
{
    if (c->cfg.movement_warn_s <= 0) return;
    double m = cs_tempo_last_movement(&c->tempo);
    double since = isnan(m) ? c->set_since_s : fmax(c->set_since_s, c->tempo.movement_time);
    if (t - since < c->cfg.movement_warn_s) {
        if (c->movement_warned) cs_log_info("/dance/total_movement is arriving again");
        c->movement_warned = false;
        return;
    }
    if (c->movement_warned) return;
    c->movement_warned = true;
    cs_log_warn("no /dance/total_movement for %.0f s while the set plays: the tempo follows nothing "
                "(is the movement detector sending to this player's port?)", t - since);
}

/* The tempo beyond the lowest or highest rung by more than the rate bound:
 * the deck plays its nearest rung faster or slower than ±max_dev, so the
 * pitch moves.  Said once per excursion, and when it ends. */
static void watch_range(cs_control *c, double t)
{
    cs_control_ladder_state ls = { .next_change_s = NAN, .swap_in_s = NAN };
    c->ladder.state(c->ladder.ctx, cs_control_now(c), &ls);
    double bpm = cs_tempo_current(&c->tempo);
    /* -1 below, +1 above, 0 within: straight from below to above is a new
     * excursion. */
    int side = !ctl_outside(bpm, &ls) ? 0 : bpm < ls.rung_lo ? -1 : 1;
    if (ls.rung_lo <= 0 || side == c->outside) return;
    c->outside = side;
    if (!side) {
        cs_log_info("tempo %.2f BPM is back within the rungs (%g..%g BPM)", bpm, ls.rung_lo, ls.rung_hi);
        return;
    }
    double rung = side < 0 ? ls.rung_lo : ls.rung_hi, rate = bpm / rung;
    cs_log_warn("tempo %.2f BPM is %s the %s rung (%g BPM) by more than %.0f %% at %.1f s: played at rate "
                "%.3f, the pitch moves %+.2f semitones (a wider --ladder avoids it)",
                bpm, side < 0 ? "below" : "above", side < 0 ? "lowest" : "highest", rung, 100 * ls.max_dev, t,
                rate, 12 * log2(rate));
}

void ctl_watch_tick(cs_control *c, double t)
{
    if (!c->has_ladder) return;
    if (c->set_since_s < 0) c->set_since_s = t;
    watch_movement(c, t);
    if (c->ladder.state) watch_range(c, t);
}
