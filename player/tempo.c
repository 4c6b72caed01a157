/* The tempo controller: movement -> target BPM -> clock-driven glide. */
#include "player/tempo.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Closer than this the glide is finished: far below what a listener or the
 * rung switcher can tell apart, and it lets "target reached" be exact. */
#define SNAP_BPM 0.005
/* A bpm_config.json is a few hundred bytes; anything huge is a wrong file. */
#define CONFIG_MAX_BYTES (1L << 20)

cs_tempo_config cs_tempo_config_default(void)
{
    return (cs_tempo_config){
        .movement_max_value = 0.6,
        .th_very_very_low = 0.02,
        .th_very_low = 0.05,
        .th_low = 0.10,
        .th_medium = 0.15,
        .progressive_top = 0.60,
        .bpm_very_very_low = 105,
        .bpm_very_low = 110,
        .bpm_low = 115,
        .bpm_medium = 118,
        .bpm_high_max = 130,
        .rise_seconds = 30,
        .fall_seconds = 30,
        .idle_timeout_seconds = 60,
    };
}

static bool bpm_ok(double bpm)
{
    return isfinite(bpm) && bpm > 0 && bpm <= CS_TEMPO_BPM_MAX;
}

/* ---- config -------------------------------------------------------------- */

int cs_tempo_config_check(const cs_tempo_config *c, cs_err *err)
{
    const double th[] = {c->th_very_very_low, c->th_very_low, c->th_low, c->th_medium};
    static const char *const th_name[] = {"very_very_low", "very_low", "low", "medium"};
    for (int i = 0; i < 4; i++) {
        if (!(th[i] >= 0 && th[i] <= 1))
            return cs_err_set(err, "threshold %s %g is outside 0..1", th_name[i], th[i]);
        if (i > 0 && th[i] < th[i - 1])
            return cs_err_set(err, "threshold %s %g is below %s %g", th_name[i], th[i],
                              th_name[i - 1], th[i - 1]);
    }
    const double bpm[] = {c->bpm_very_very_low, c->bpm_very_low, c->bpm_low, c->bpm_medium,
                          c->bpm_high_max};
    static const char *const bpm_name[] = {"very_very_low", "very_low", "low", "medium",
                                           "high_max"};
    for (int i = 0; i < 5; i++)
        if (!bpm_ok(bpm[i]))
            return cs_err_set(err, "bpm target %s %g is outside 0..%g", bpm_name[i], bpm[i],
                              CS_TEMPO_BPM_MAX);
    if (!(isfinite(c->movement_max_value) && c->movement_max_value > 0))
        return cs_err_set(err, "movement_max_value %g is not positive", c->movement_max_value);
    if (!(c->progressive_top >= 0 && c->progressive_top <= 1))
        return cs_err_set(err, "progressive top %g is outside 0..1", c->progressive_top);
    if (!(isfinite(c->rise_seconds) && c->rise_seconds >= 0) ||
        !(isfinite(c->fall_seconds) && c->fall_seconds >= 0))
        return cs_err_set(err, "transition time is not a finite number >= 0");
    if (isnan(c->idle_timeout_seconds))
        return cs_err_set(err, "idle timeout is not a number");
    return 0;
}

/* One numeric field: absent or null keeps *dst; anything but a number is an
 * error, because a quoted "0.15" silently ignored would be a surprise. */
static int get_num(const cJSON *obj, const char *section, const char *key, double *dst,
                   const char *path, cs_err *err)
{
    const cJSON *it = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!it || cJSON_IsNull(it)) return 0;
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        return cs_err_set(err, "%s: movement_bpm.%s%s%s is not a number", path,
                          section ? section : "", section ? "." : "", key);
    *dst = it->valuedouble;
    return 0;
}

static int get_section(const cJSON *mb, const char *key, const cJSON **out, const char *path,
                       cs_err *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(mb, key);
    *out = NULL;
    if (!it || cJSON_IsNull(it)) return 0;
    if (!cJSON_IsObject(it)) return cs_err_set(err, "%s: movement_bpm.%s is not an object", path, key);
    *out = it;
    return 0;
}

static int apply_json(const cJSON *root, cs_tempo_config *c, const char *path, cs_err *err)
{
    if (!cJSON_IsObject(root)) return cs_err_set(err, "%s: not a JSON object", path);
    const cJSON *mb = cJSON_GetObjectItemCaseSensitive(root, "movement_bpm");
    if (!mb || cJSON_IsNull(mb)) return 0;
    if (!cJSON_IsObject(mb)) return cs_err_set(err, "%s: movement_bpm is not an object", path);
    const cJSON *th, *bt, *sm;
    if (get_section(mb, "thresholds", &th, path, err) < 0 ||
        get_section(mb, "bpm_targets", &bt, path, err) < 0 ||
        get_section(mb, "smoothing", &sm, path, err) < 0)
        return -1;
    double both = NAN;
    const struct { const cJSON *obj; const char *section, *key; double *dst; } f[] = {
        {mb, NULL, "movement_max_value", &c->movement_max_value},
        {th, "thresholds", "very_very_low", &c->th_very_very_low},
        {th, "thresholds", "very_low", &c->th_very_low},
        {th, "thresholds", "low", &c->th_low},
        {th, "thresholds", "medium", &c->th_medium},
        {bt, "bpm_targets", "very_very_low", &c->bpm_very_very_low},
        {bt, "bpm_targets", "very_low", &c->bpm_very_low},
        {bt, "bpm_targets", "low", &c->bpm_low},
        {bt, "bpm_targets", "medium", &c->bpm_medium},
        {bt, "bpm_targets", "high_max", &c->bpm_high_max},
        {sm, "smoothing", "transition_time_seconds", &both},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (get_num(f[i].obj, f[i].section, f[i].key, f[i].dst, path, err) < 0) return -1;
    if (!isnan(both)) c->rise_seconds = c->fall_seconds = both;
    /* Our extension: separate directions override the shared time. */
    if (get_num(sm, "smoothing", "rise_time_seconds", &c->rise_seconds, path, err) < 0 ||
        get_num(sm, "smoothing", "fall_time_seconds", &c->fall_seconds, path, err) < 0)
        return -1;
    cs_err why = {{0}};
    if (cs_tempo_config_check(c, &why) < 0) return cs_err_set(err, "%s: %s", path, why.msg);
    return 0;
}

static char *read_small_file(const char *path, size_t *len, cs_err *err)
{
    struct stat st;
    if (stat(path, &st) < 0) { cs_err_set(err, "%s: %s", path, strerror(errno)); return NULL; }
    if (!S_ISREG(st.st_mode)) { cs_err_set(err, "%s: not a regular file", path); return NULL; }
    if (st.st_size > CONFIG_MAX_BYTES) { cs_err_set(err, "%s: too large", path); return NULL; }
    FILE *f = fopen(path, "rb");
    if (!f) { cs_err_set(err, "%s: %s", path, strerror(errno)); return NULL; }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > (size_t)st.st_size;
    fclose(f);
    if (bad) {
        cs_err_set(err, "%s: %s", path, buf ? "read error" : "out of memory");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int cs_tempo_config_load(const char *path, cs_tempo_config *cfg, cs_err *err)
{
    size_t len = 0;
    char *text = read_small_file(path, &len, err);
    if (!text) return -1;
    const char *end = NULL;
    cJSON *root = len ? cJSON_ParseWithLengthOpts(text, len, &end, 0) : NULL;
    bool trailing = false;
    if (root && end)
        for (const char *p = end; p < text + len; p++)
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') trailing = true;
    free(text);
    if (!root || trailing) {
        cJSON_Delete(root);
        return cs_err_set(err, "%s: invalid JSON", path);
    }
    cs_tempo_config c = *cfg;
    int rc = apply_json(root, &c, path, err);
    cJSON_Delete(root);
    if (rc == 0) *cfg = c;
    return rc;
}

/* ---- mapping ------------------------------------------------------------- */

double cs_tempo_normalize(const cs_tempo_config *cfg, double value)
{
    if (!isfinite(value) || value < 0) return -1;
    if (value > 1) value /= cfg->movement_max_value;
    return value > 1 ? 1 : value;
}

static double target_for_normalized(const cs_tempo_config *c, double m)
{
    if (m < c->th_very_very_low) return c->bpm_very_very_low;
    if (m < c->th_very_low) return c->bpm_very_low;
    if (m < c->th_low) return c->bpm_low;
    if (m < c->th_medium) return c->bpm_medium;
    double span = c->progressive_top - c->th_medium;
    double frac = span > 0 ? (m - c->th_medium) / span : 1;
    if (frac > 1) frac = 1;
    return c->bpm_medium + (c->bpm_high_max - c->bpm_medium) * frac;
}

double cs_tempo_target_for(const cs_tempo_config *cfg, double movement)
{
    double m = cs_tempo_normalize(cfg, movement);
    return m < 0 ? NAN : target_for_normalized(cfg, m);
}

/* ---- glide --------------------------------------------------------------- */

/* Exponential approach over dt seconds.  exp() composes exactly
 * (e^-a * e^-b = e^-(a+b)), which is what makes the result independent of
 * the update rate; the direction cannot flip during a glide because the
 * approach never overshoots, so one time constant applies per call. */
static void glide(cs_tempo *t, double dt)
{
    double diff = t->current - t->target;
    if (diff == 0 || dt <= 0) return;
    double T = diff < 0 ? t->cfg.rise_seconds : t->cfg.fall_seconds;
    if (T > 0) t->current = t->target + diff * exp(-dt * log(100.0) / T);
    if (T <= 0 || fabs(t->current - t->target) <= SNAP_BPM) t->current = t->target;
}

static void advance_to(cs_tempo *t, double when)
{
    if (when <= t->now) return;
    glide(t, when - t->now);
    t->now = when;
}

double cs_tempo_update(cs_tempo *t, double now)
{
    if (!isfinite(now) || now <= t->now) return t->current;
    double timeout = t->cfg.idle_timeout_seconds;
    if (t->idle_armed && timeout > 0 && now >= t->movement_time + timeout) {
        /* Fire at the exact instant, not at the next update, so that the
         * update rate cannot change the curve. */
        advance_to(t, t->movement_time + timeout);
        t->target = t->base;
        t->idle_armed = false;
        t->idle = true;
    }
    advance_to(t, now);
    return t->current;
}

int cs_tempo_init(cs_tempo *t, const cs_tempo_config *cfg, double base_bpm, double now)
{
    memset(t, 0, sizeof *t);
    t->cfg = cfg ? *cfg : cs_tempo_config_default();
    int rc = bpm_ok(base_bpm) ? CS_TEMPO_OK : CS_TEMPO_BAD_VALUE;
    t->base = t->current = t->target = rc == CS_TEMPO_OK ? base_bpm : 120.0;
    t->now = isfinite(now) ? now : 0;
    t->movement = NAN;
    t->movement_time = t->now;
    return rc;
}

int cs_tempo_movement(cs_tempo *t, double value, double now)
{
    cs_tempo_update(t, now);
    double m = cs_tempo_normalize(&t->cfg, value);
    if (m < 0) return CS_TEMPO_BAD_VALUE;
    t->movement = m;
    t->movement_time = t->now;
    t->idle_armed = true;
    t->idle = false;
    t->target = target_for_normalized(&t->cfg, m);
    return CS_TEMPO_OK;
}

int cs_tempo_set_target(cs_tempo *t, double bpm, double now)
{
    cs_tempo_update(t, now);
    if (!bpm_ok(bpm)) return CS_TEMPO_BAD_VALUE;
    t->target = bpm;
    t->idle_armed = t->idle = false;
    return CS_TEMPO_OK;
}

int cs_tempo_jump(cs_tempo *t, double bpm, double now)
{
    cs_tempo_update(t, now);
    if (!bpm_ok(bpm)) return CS_TEMPO_BAD_VALUE;
    t->current = t->target = bpm;
    t->idle_armed = t->idle = false;
    return CS_TEMPO_OK;
}

double cs_tempo_current(const cs_tempo *t) { return t->current; }
double cs_tempo_target(const cs_tempo *t) { return t->target; }
double cs_tempo_base(const cs_tempo *t) { return t->base; }
double cs_tempo_last_movement(const cs_tempo *t) { return t->movement; }
bool cs_tempo_is_idle(const cs_tempo *t) { return t->idle; }
