/* The original server's bpm_config.json, read into a cs_tempo_config (see
 * bpm_config.h). */
#include "player/control/bpm_config.h"
#include "pkg/textfile.h"

#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A bpm_config.json is a few hundred bytes; anything huge is a wrong file. */
#define CONFIG_MAX_BYTES (1L << 20)

/* ---- config -------------------------------------------------------------- */

int cs_tempo_config_check(const cs_tempo_config *c, cs_err *err)
{
    const double th[] = {c->th_very_very_low, c->th_very_low, c->th_low, c->th_medium};
    static const char *const th_name[] = {"very_very_low", "very_low", "low", "medium"};
    for (int i = 0; i < 4; i++) {
        if (!(th[i] >= 0 && th[i] <= 1))
            return cs_err_setc(err, CS_ERR_RANGE, "threshold %s %g is outside 0..1", th_name[i], th[i]);
        if (i > 0 && th[i] < th[i - 1])
            return cs_err_setc(err, CS_ERR_RANGE, "threshold %s %g is below %s %g", th_name[i], th[i],
                              th_name[i - 1], th[i - 1]);
    }
    const double bpm[] = {c->bpm_very_very_low, c->bpm_very_low, c->bpm_low, c->bpm_medium,
                          c->bpm_high_max};
    static const char *const bpm_name[] = {"very_very_low", "very_low", "low", "medium",
                                           "high_max"};
    for (int i = 0; i < 5; i++)
        if (!cs_tempo_bpm_ok(bpm[i]))
            return cs_err_setc(err, CS_ERR_RANGE, "bpm target %s %g is outside %g..%g BPM", bpm_name[i], bpm[i],
                              CS_TEMPO_BPM_MIN, CS_TEMPO_BPM_MAX);
    if (!(isfinite(c->movement_max_value) && c->movement_max_value > 0))
        return cs_err_setc(err, CS_ERR_RANGE, "movement_max_value %g is not positive", c->movement_max_value);
    if (!(c->progressive_top >= 0 && c->progressive_top <= 1))
        return cs_err_setc(err, CS_ERR_RANGE, "progressive top %g is outside 0..1", c->progressive_top);
    if (!(isfinite(c->rise_seconds) && c->rise_seconds >= 0) ||
        !(isfinite(c->fall_seconds) && c->fall_seconds >= 0))
        return cs_err_setc(err, CS_ERR_RANGE, "transition time is not a finite number >= 0");
    if (isnan(c->idle_timeout_seconds))
        return cs_err_setc(err, CS_ERR_RANGE, "idle timeout is not a number");
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
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: movement_bpm.%s%s%s is not a number", path,
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
    if (!cJSON_IsObject(it)) return cs_err_setc(err, CS_ERR_FORMAT, "%s: movement_bpm.%s is not an object", path, key);
    *out = it;
    return 0;
}

/* Appends "; what" to warn (one line for the caller to log). */
static void add_warn(cs_err *warn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_warn(cs_err *warn, const char *fmt, ...)
{
    if (!warn) return;
    size_t n = strlen(warn->msg);
    if (n && n + 2 < sizeof warn->msg) n += (size_t)snprintf(warn->msg + n, sizeof warn->msg - n, "; ");
    if (n >= sizeof warn->msg) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(warn->msg + n, sizeof warn->msg - n, fmt, ap);
    va_end(ap);
}

/* Keys we do not read are said by name, never dropped in silence.  Text
 * keys (description_*, notes) and the original example's null
 * smoothing_factor_stable placeholder carry no setting. */
static void warn_unknown(const cJSON *obj, const char *section, const char *const *known, const char *path,
                         cs_err *warn)
{
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        bool ok = !strncmp(k, "description", 11) || !strcmp(k, "notes") ||
                  (!strcmp(k, "smoothing_factor_stable") && cJSON_IsNull(it));
        for (size_t i = 0; !ok && known[i]; i++) ok = !strcmp(k, known[i]);
        if (!ok) add_warn(warn, "%s: %s%s%s is not a setting cs reads, ignored", path, section ? section : "",
                          section ? "." : "", k);
    }
}

/* The original's per-tick factors, as times: a factor f applied at
 * audio_loop_rate_hz ticks a second leaves f^(rate*t) of a step after t
 * seconds, so 99% is covered in ln(100) / (rate * -ln f).  The original
 * applies smoothing_factor_down to rises (target above current) and never
 * reads smoothing_factor_up; its falls use transition_time_seconds
 * (docs/contract.md "Tempo rules").  Its loop ran per audio block, not at the
 * rate it assumed; here the clock drives the glide at every buffer size. */
static int apply_factors(const cJSON *sm, cs_tempo_config *c, const char *path, cs_err *warn, cs_err *err)
{
    double up = NAN, down = NAN, rate = 100.0;
    if (get_num(sm, "smoothing", "smoothing_factor_up", &up, path, err) < 0 ||
        get_num(sm, "smoothing", "smoothing_factor_down", &down, path, err) < 0 ||
        get_num(sm, "smoothing", "audio_loop_rate_hz", &rate, path, err) < 0)
        return -1;
    if (!(rate > 0 && rate <= 1e6))
        return cs_err_setc(err, CS_ERR_RANGE, "%s: movement_bpm.smoothing.audio_loop_rate_hz %g is not a rate in Hz", path, rate);
    if (!isnan(down)) {
        if (!(down > 0 && down < 1))
            return cs_err_setc(err, CS_ERR_RANGE, "%s: movement_bpm.smoothing.smoothing_factor_down %g is outside (0, 1)", path, down);
        c->rise_seconds = log(100.0) / (rate * -log(down));
    }
    if (!isnan(up))
        add_warn(warn, "%s: movement_bpm.smoothing.smoothing_factor_up %g is not used: the original applies "
                 "smoothing_factor_down to rises and never reads _up, and so does cs", path, up);
    return 0;
}

static int apply_json(const cJSON *root, cs_tempo_config *c, const char *path, cs_err *warn, cs_err *err)
{
    if (!cJSON_IsObject(root)) return cs_err_setc(err, CS_ERR_FORMAT, "%s: not a JSON object", path);
    static const char *const k_top[] = {"movement_bpm", NULL};
    warn_unknown(root, NULL, k_top, path, warn);
    const cJSON *mb = cJSON_GetObjectItemCaseSensitive(root, "movement_bpm");
    if (!mb || cJSON_IsNull(mb)) return 0;
    if (!cJSON_IsObject(mb)) return cs_err_setc(err, CS_ERR_FORMAT, "%s: movement_bpm is not an object", path);
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
    if (apply_factors(sm, c, path, warn, err) < 0) return -1;
    static const char *const k_mb[] = {"movement_max_value", "thresholds", "bpm_targets", "smoothing", NULL};
    static const char *const k_lv[] = {"very_very_low", "very_low", "low", "medium", NULL};
    static const char *const k_bt[] = {"very_very_low", "very_low", "low", "medium", "high_max", NULL};
    static const char *const k_sm[] = {"transition_time_seconds", "audio_loop_rate_hz", "smoothing_factor_up",
                                       "smoothing_factor_down", "rise_time_seconds", "fall_time_seconds", NULL};
    warn_unknown(mb, "movement_bpm", k_mb, path, warn);
    warn_unknown(th, "movement_bpm.thresholds", k_lv, path, warn);
    warn_unknown(bt, "movement_bpm.bpm_targets", k_bt, path, warn);
    warn_unknown(sm, "movement_bpm.smoothing", k_sm, path, warn);
    /* Our extension: separate directions override the shared time and the
     * factors. */
    if (get_num(sm, "smoothing", "rise_time_seconds", &c->rise_seconds, path, err) < 0 ||
        get_num(sm, "smoothing", "fall_time_seconds", &c->fall_seconds, path, err) < 0)
        return -1;
    cs_err why = {0};
    if (cs_tempo_config_check(c, &why) < 0) return cs_err_setc(err, why.code, "%s: %s", path, why.msg);
    return 0;
}

int cs_tempo_config_load(const char *path, cs_tempo_config *cfg, cs_err *warn, cs_err *err)
{
    if (warn) warn->msg[0] = 0;
    size_t len = 0;
    char *text = cs_text_load(path, CONFIG_MAX_BYTES, &len, err);
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
        return cs_err_setc(err, CS_ERR_FORMAT, "%s: invalid JSON", path);
    }
    cs_tempo_config c = *cfg;
    int rc = apply_json(root, &c, path, warn, err);
    cJSON_Delete(root);
    if (rc == 0) *cfg = c;
    return rc;
}


int cs_tempo_config_pick(const char *path, cs_tempo_config *cfg, const char **loaded, cs_err *warn, cs_err *err)
{
    *loaded = NULL;
    if (warn) warn->msg[0] = 0;
    if (!path) {
        struct stat st;
        /* The original reads bpm_config.json without being told to. */
        if (stat(CS_BPM_CONFIG_DEFAULT, &st) != 0) return 0;
        path = CS_BPM_CONFIG_DEFAULT;
    }
    if (cs_tempo_config_load(path, cfg, warn, err) < 0) return -1;
    *loaded = path;
    return 0;
}
