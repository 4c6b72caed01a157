/* The status snapshot as JSON, text and one line (see status.h); cJSON
 * builds and parses the JSON. */
#include "player/control/status.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Local wall-clock time of a Unix time: "HH:MM:SS" (the day too,
 * "YYYY-MM-DD HH:MM:SS", when full). */
static void clock_text(char *buf, size_t n, double unix_s, bool full)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(buf, n, full ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm))
        snprintf(buf, n, "?");
}

/* ---- JSON ---- */

static void num_or_null(cJSON *o, const char *k, double v, bool present)
{
    if (present && isfinite(v)) cJSON_AddNumberToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

static void str_or_null(cJSON *o, const char *k, const char *s)
{
    if (s && *s) cJSON_AddStringToObject(o, k, s);
    else cJSON_AddNullToObject(o, k);
}

/* JSON keys of cs_control_status.bundles_dropped, by cs_bundle_drop. */
static const char *const drop_keys[CS_BUNDLE_DROP_KINDS] = {
    "bundles_dropped_deep", "bundles_dropped_ahead", "bundles_dropped_malformed", "bundles_dropped_queue_full",
};

char *cs_status_json(const cs_control_status *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "time_s", st->time_s);
    cJSON_AddNumberToObject(o, "bpm", st->bpm);
    cJSON_AddNumberToObject(o, "target_bpm", st->target_bpm);
    cJSON_AddNumberToObject(o, "base_bpm", st->base_bpm);
    num_or_null(o, "movement", st->movement, st->movement >= 0);
    num_or_null(o, "movement_age_s", st->movement_age_s, st->movement_age_s >= 0);
    cJSON_AddBoolToObject(o, "idle", st->idle);
    str_or_null(o, "track", st->track);
    cJSON_AddBoolToObject(o, "set", st->set);
    cJSON *decks = cJSON_AddArrayToObject(o, "decks");
    for (int d = 0; decks && d < CS_DECKS; d++) {
        cJSON *k = cJSON_CreateObject();
        if (!k) break;
        cJSON_AddItemToArray(decks, k);
        char name[2] = { (char)('A' + d), 0 };
        cJSON_AddStringToObject(k, "deck", name);
        cJSON_AddNumberToObject(k, "level", st->deck_level[d]);
        bool lad = st->set && d < 2;
        num_or_null(k, "rung_bpm", lad ? st->rung_bpm[d] : 0, lad && st->rung_bpm[d] > 0);
        num_or_null(k, "rate", lad ? st->rate[d] : 0, lad && st->rate[d] > 0);
        str_or_null(k, "track", lad ? st->deck_track[d] : NULL);
    }
    str_or_null(o, "next_track", st->next_track);
    num_or_null(o, "next_change_s", st->next_change_s, true);
    cJSON_AddBoolToObject(o, "crossfading", st->crossfading);
    str_or_null(o, "transition", st->transition);
    num_or_null(o, "swap_in_s", st->swap_in_s, true);
    str_or_null(o, "reach_note", st->reach_note);
    num_or_null(o, "rung_lo", st->rung_lo, st->rung_lo > 0);
    num_or_null(o, "rung_hi", st->rung_hi, st->rung_hi > 0);
    num_or_null(o, "max_dev", st->max_dev, st->max_dev > 0);
    cJSON_AddBoolToObject(o, "outside", st->outside);
    cJSON_AddNumberToObject(o, "underruns_stream", (double)st->underruns);
    cJSON_AddNumberToObject(o, "underruns_device", (double)st->xruns);
    cJSON_AddNumberToObject(o, "late_bundles", (double)st->late_bundles);
    cJSON_AddNumberToObject(o, "bundles_waiting", st->bundles_waiting);
    uint64_t dropped = 0;
    for (int k = 0; k < CS_BUNDLE_DROP_KINDS; k++) dropped += st->bundles_dropped[k];
    cJSON_AddNumberToObject(o, "bundles_dropped", (double)dropped);
    for (int k = 0; k < CS_BUNDLE_DROP_KINDS; k++) cJSON_AddNumberToObject(o, drop_keys[k], (double)st->bundles_dropped[k]);
    cJSON_AddNumberToObject(o, "unknown_osc", (double)st->unknown_osc);
    cJSON_AddNumberToObject(o, "unknown_addresses", st->unknown_addresses);
    cJSON_AddNumberToObject(o, "streams_ended_early", st->short_ends);
    str_or_null(o, "last_ended_early", st->short_last);
    cJSON_AddNumberToObject(o, "buffers", st->buffers);
    cJSON_AddNumberToObject(o, "playing", st->playing);
    cJSON_AddBoolToObject(o, "device_lost", st->device_lost);
    char since[32] = "";
    if (st->device_lost_since > 0) clock_text(since, sizeof since, st->device_lost_since, true);
    str_or_null(o, "device_lost_since", since);
    num_or_null(o, "device_lost_since_unix", st->device_lost_since, st->device_lost_since > 0);
    num_or_null(o, "device_lost_s", st->device_lost_s, st->device_lost);
    cJSON_AddNumberToObject(o, "device_losses", st->device_losses);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static double get_num(const cJSON *o, const char *k, double none)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : none;
}

static bool get_bool(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void get_str(const cJSON *o, const char *k, char *dst, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    snprintf(dst, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

int cs_status_from_json(const char *json, cs_control_status *st, cs_err *err)
{
    memset(st, 0, sizeof *st);
    cJSON *o = cJSON_Parse(json);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return cs_err_setc(err, CS_ERR_FORMAT, "the status reply is not a JSON object");
    }
    st->time_s = get_num(o, "time_s", 0);
    st->bpm = get_num(o, "bpm", 0);
    st->target_bpm = get_num(o, "target_bpm", 0);
    st->base_bpm = get_num(o, "base_bpm", 0);
    st->movement = get_num(o, "movement", -1);
    st->movement_age_s = get_num(o, "movement_age_s", -1);
    st->idle = get_bool(o, "idle");
    get_str(o, "track", st->track, sizeof st->track);
    st->set = get_bool(o, "set");
    const cJSON *decks = cJSON_GetObjectItemCaseSensitive(o, "decks");
    for (int d = 0; d < CS_DECKS; d++) {
        const cJSON *k = cJSON_GetArrayItem(decks, d);
        st->deck_level[d] = get_num(k, "level", 0);
        st->rung[d] = -1;
        if (d >= 2) continue;
        st->rung_bpm[d] = get_num(k, "rung_bpm", 0);
        st->rate[d] = get_num(k, "rate", 0);
        if (st->rung_bpm[d] > 0) st->rung[d] = (int)lround(st->rung_bpm[d]);
        get_str(k, "track", st->deck_track[d], sizeof st->deck_track[d]);
    }
    get_str(o, "next_track", st->next_track, sizeof st->next_track);
    st->next_change_s = get_num(o, "next_change_s", NAN);
    st->crossfading = get_bool(o, "crossfading");
    get_str(o, "transition", st->transition, sizeof st->transition);
    get_str(o, "reach_note", st->reach_note, sizeof st->reach_note);
    st->swap_in_s = get_num(o, "swap_in_s", NAN);
    st->rung_lo = get_num(o, "rung_lo", 0);
    st->rung_hi = get_num(o, "rung_hi", 0);
    st->max_dev = get_num(o, "max_dev", 0);
    st->outside = get_bool(o, "outside");
    st->underruns = (uint64_t)get_num(o, "underruns_stream", 0);
    st->xruns = (uint64_t)get_num(o, "underruns_device", 0);
    st->late_bundles = (uint64_t)get_num(o, "late_bundles", 0);
    st->bundles_waiting = (unsigned)get_num(o, "bundles_waiting", 0);
    for (int k = 0; k < CS_BUNDLE_DROP_KINDS; k++) st->bundles_dropped[k] = (uint64_t)get_num(o, drop_keys[k], 0);
    st->unknown_osc = (uint64_t)get_num(o, "unknown_osc", 0);
    st->unknown_addresses = (int)get_num(o, "unknown_addresses", 0);
    st->short_ends = (unsigned)get_num(o, "streams_ended_early", 0);
    get_str(o, "last_ended_early", st->short_last, sizeof st->short_last);
    st->buffers = (int)get_num(o, "buffers", 0);
    st->playing = (int)get_num(o, "playing", 0);
    st->device_lost = get_bool(o, "device_lost");
    st->device_lost_since = get_num(o, "device_lost_since_unix", 0);
    st->device_lost_s = get_num(o, "device_lost_s", 0);
    st->device_losses = (unsigned)get_num(o, "device_losses", 0);
    cJSON_Delete(o);
    return 0;
}

/* ---- text ---- */

/* m:ss of a non-negative number of seconds. */
static void mss(char *buf, size_t n, double s)
{
    long t = lround(s);
    snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static void next_text(char *buf, size_t n, const cs_control_status *st)
{
    char t[32];
    if (st->crossfading) snprintf(buf, n, "crossfading into %s now", st->track);
    else if (!st->next_track[0]) snprintf(buf, n, "none (the set ends after this track)");
    else if (isnan(st->next_change_s)) snprintf(buf, n, "%s (time not planned yet)", st->next_track);
    else {
        mss(t, sizeof t, st->next_change_s);
        snprintf(buf, n, "%s in %s", st->next_track, t);
    }
}

void cs_status_print(FILE *f, const cs_control_status *st)
{
    fprintf(f, "%-14s %.1f s\n", "time", st->time_s);
    fprintf(f, "%-14s %.2f -> target %.2f (base %.2f)%s\n", "bpm", st->bpm, st->target_bpm, st->base_bpm,
            st->idle ? ", idle: back to base" : "");
    if (st->movement >= 0) fprintf(f, "%-14s %.3f, %.1f s ago\n", "movement", st->movement, st->movement_age_s);
    else fprintf(f, "%-14s none yet\n", "movement");
    fprintf(f, "%-14s %s\n", "track", st->track[0] ? st->track : "none");
    if (!st->set) fprintf(f, "%-14s none (OSC mode)\n", "ladder set");
    for (int d = 0; st->set && d < 2; d++) {
        char k[16];
        snprintf(k, sizeof k, "deck %c", 'A' + d);
        if (st->rung_bpm[d] > 0)
            fprintf(f, "%-14s rung %g BPM at rate %.4f, %s, level %.2f\n", k, st->rung_bpm[d], st->rate[d],
                    st->deck_track[d][0] ? st->deck_track[d] : "-", st->deck_level[d]);
        else fprintf(f, "%-14s idle\n", k);
    }
    if (st->set) {
        char nx[320];
        next_text(nx, sizeof nx, st);
        fprintf(f, "%-14s %s\n", "next track", nx);
        if (st->transition[0]) {
            if (isnan(st->swap_in_s)) fprintf(f, "%-14s %s\n", "transition", st->transition);
            else fprintf(f, "%-14s %s; bass swap in %.1f s\n", "transition", st->transition, st->swap_in_s);
        }
        if (st->reach_note[0]) fprintf(f, "%-14s %s\n", "reach", st->reach_note);
        if (st->rung_lo > 0)
            fprintf(f, "%-14s %g..%g BPM (rate bound ±%.0f %%): tempo %s\n", "rungs", st->rung_lo, st->rung_hi,
                    100 * st->max_dev, st->outside ? "OUTSIDE, the pitch moves" : "within");
    } else {
        fprintf(f, "%-14s A=%.2f B=%.2f C=%.2f D=%.2f; %d buffers, %d playing\n", "decks", st->deck_level[0],
                st->deck_level[1], st->deck_level[2], st->deck_level[3], st->buffers, st->playing);
    }
    fprintf(f, "%-14s %llu stream, %llu device\n", "underruns", (unsigned long long)st->underruns,
            (unsigned long long)st->xruns);
    fprintf(f, "%-14s %llu\n", "late bundles", (unsigned long long)st->late_bundles);
    fprintf(f, "%-14s %u waiting; dropped: %llu nested too deep, %llu too far ahead, %llu malformed, "
            "%llu queue full\n", "bundles", st->bundles_waiting,
            (unsigned long long)st->bundles_dropped[CS_BUNDLE_DROP_DEEP],
            (unsigned long long)st->bundles_dropped[CS_BUNDLE_DROP_AHEAD],
            (unsigned long long)st->bundles_dropped[CS_BUNDLE_DROP_MALFORMED],
            (unsigned long long)st->bundles_dropped[CS_BUNDLE_DROP_FULL]);
    fprintf(f, "%-14s %llu messages to %d addresses\n", "unknown OSC", (unsigned long long)st->unknown_osc,
            st->unknown_addresses);
    if (st->short_ends) fprintf(f, "%-14s %u (last: %s)\n", "ended early", st->short_ends, st->short_last);
    char since[32];
    clock_text(since, sizeof since, st->device_lost_since, false);
    if (st->device_lost)
        fprintf(f, "%-14s LOST since %s (%.0f s), reopening every second; %u loss%s since start\n", "device", since,
                st->device_lost_s, st->device_losses, st->device_losses == 1 ? "" : "es");
    else if (st->device_losses)
        fprintf(f, "%-14s ok; %u loss%s since start (the last at %s)\n", "device", st->device_losses,
                st->device_losses == 1 ? "" : "es", since);
    else fprintf(f, "%-14s ok\n", "device");
}

void cs_status_line(char *buf, size_t n, const cs_control_status *st)
{
    size_t off = 0;
#define ADD(...) do { if (off < n) off += (size_t)snprintf(buf + off, n - off, __VA_ARGS__); } while (0)
    if (st->device_lost) {
        char since[32];
        clock_text(since, sizeof since, st->device_lost_since, false);
        ADD("DEVICE LOST since %s (%.0f s, loss %u) | ", since, st->device_lost_s, st->device_losses);
    }
    ADD("%.1f -> %.1f BPM", st->bpm, st->target_bpm);
    if (st->set) {
        for (int d = 0; d < 2; d++)
            if (st->rung_bpm[d] > 0) ADD(" | %c %g x%.3f", 'A' + d, st->rung_bpm[d], st->rate[d]);
        if (st->outside) ADD(" OUTSIDE");
    }
    if (st->track[0]) ADD(" | %s", st->track);
    if (st->set) {
        char t[32];
        if (st->crossfading) ADD(" | crossfading");
        else if (!st->next_track[0]) ADD(" | last track");
        else if (!isnan(st->next_change_s)) {
            mss(t, sizeof t, st->next_change_s);
            ADD(" | next in %s", t);
        }
    }
    if (st->movement >= 0) ADD(" | move %.2f %.0fs ago", st->movement, st->movement_age_s);
    else ADD(" | no movement yet");
    ADD(" | underruns %llu", (unsigned long long)(st->underruns + st->xruns));
    uint64_t dropped = 0;
    for (int k = 0; k < CS_BUNDLE_DROP_KINDS; k++) dropped += st->bundles_dropped[k];
    if (dropped) ADD(" | bundles dropped %llu", (unsigned long long)dropped);   /* only when it matters */
    if (!st->device_lost && st->device_losses) ADD(" | device losses %u", st->device_losses);
#undef ADD
}
