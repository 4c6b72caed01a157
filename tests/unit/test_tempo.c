#include "tests/unit/unit.h"

#include <stdlib.h>

#include "player/control/bpm_config.h"
#include "player/control/tempo_test.h"

static cs_tempo_config dflt(void) { return cs_tempo_config_default(); }
/* The idle tests' controller: --idle-timeout 60 (the default holds). */
static cs_tempo_config idle60(void)
{
    cs_tempo_config c = cs_tempo_config_default();
    c.idle_timeout_seconds = 60;
    return c;
}

/* ---- movement -> target -------------------------------------------------- */

TEST(target_table_defaults)
{
    cs_tempo_config c = dflt();
    CHECK_NEAR(cs_tempo_target_for(&c, 0.0), 105, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.01), 105, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.02), 110, 0);     /* bands are [lo, hi) */
    CHECK_NEAR(cs_tempo_target_for(&c, 0.03), 110, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.05), 115, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.07), 115, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.10), 118, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.12), 118, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.15), 118, 1e-12);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.375), 124, 1e-12);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.6), 130, 1e-12);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.8), 130, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 1.0), 130, 0);
}

TEST(normalisation)
{
    cs_tempo_config c = dflt();
    CHECK(isnan(cs_tempo_target_for(&c, NAN)));
    CHECK(isnan(cs_tempo_target_for(&c, INFINITY)));
    CHECK(isnan(cs_tempo_target_for(&c, -INFINITY)));
    CHECK(isnan(cs_tempo_target_for(&c, -0.01)));
    CHECK_NEAR(cs_tempo_normalize(&c, -0.01), -1, 0);
    CHECK_NEAR(cs_tempo_normalize(&c, 0.3), 0.3, 0);
    CHECK_NEAR(cs_tempo_normalize(&c, 1.0), 1.0, 0);
    /* > 1 is divided by movement_max_value (0.6), then clamped. */
    CHECK_NEAR(cs_tempo_normalize(&c, 1.2), 1.0, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 1e30), 130, 0);
    /* With a percentage scale the division matters. */
    c.movement_max_value = 100;
    CHECK_NEAR(cs_tempo_normalize(&c, 37.5), 0.375, 1e-15);
    CHECK_NEAR(cs_tempo_target_for(&c, 37.5), 124, 1e-12);
    CHECK_NEAR(cs_tempo_target_for(&c, 1.5), 105, 0);
}

/* The original HEAD config has medium = low = 0.10; its worked values. */
TEST(target_table_original_head_config)
{
    cs_tempo_config c = dflt();
    c.th_medium = 0.10;
    CHECK_NEAR(cs_tempo_target_for(&c, 0.099), 115, 0);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.10), 118, 1e-12);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.186), 120.064, 1e-9);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.25), 121.6, 1e-9);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.35), 124.0, 1e-9);
    /* A medium at or past the top is already the maximum. */
    c.th_medium = 0.6;
    CHECK_NEAR(cs_tempo_target_for(&c, 0.6), 130, 0);
}

/* ---- glide --------------------------------------------------------------- */

TEST(starts_at_base)
{
    cs_tempo_config c = dflt();
    cs_tempo t;
    CHECK_EQ_INT(cs_tempo_init(&t, &c, 122, 5.0), CS_TEMPO_OK);
    CHECK_NEAR(cs_tempo_current(&t), 122, 0);
    CHECK_NEAR(cs_tempo_target(&t), 122, 0);
    CHECK_NEAR(cs_tempo_base(&t), 122, 0);
    CHECK(isnan(cs_tempo_last_movement(&t)));
    CHECK(!cs_tempo_is_idle(&t));
    CHECK_NEAR(cs_tempo_update(&t, 1000), 122, 0);
    CHECK(!cs_tempo_is_idle(&t));           /* nothing to time out from */
    CHECK_EQ_INT(cs_tempo_init(&t, &c, 0, 0), CS_TEMPO_BAD_VALUE);
    CHECK_NEAR(cs_tempo_current(&t), 120, 0);
    CHECK_EQ_INT(cs_tempo_init(&t, NULL, NAN, 0), CS_TEMPO_BAD_VALUE);
    CHECK_NEAR(cs_tempo_base(&t), 120, 0);
}

/* 99% of a step in transition time, the time constant T/ln(100), and the
 * same for steps down. */
TEST(glide_shape)
{
    cs_tempo_config c = dflt();
    cs_tempo t;
    cs_tempo_init(&t, &c, 120, 0);
    CHECK_EQ_INT(cs_tempo_movement(&t, 0.8, 0), CS_TEMPO_OK);
    CHECK_NEAR(cs_tempo_target(&t), 130, 0);
    CHECK_NEAR(cs_tempo_current(&t), 120, 0);
    double tau = 30 / log(100);
    CHECK_NEAR(cs_tempo_update(&t, tau), 130 - 10 / M_E, 1e-9);
    CHECK_NEAR(cs_tempo_update(&t, 30), 129.9, 1e-9);
    /* and down: 130 -> 105, a 25 BPM step, 99% in 30 s */
    cs_tempo_jump(&t, 130, 30);
    cs_tempo_movement(&t, 0.0, 30);
    CHECK_NEAR(cs_tempo_target(&t), 105, 0);
    CHECK_NEAR(cs_tempo_update(&t, 60), 105.25, 1e-9);
}

TEST(glide_snaps_to_target)
{
    cs_tempo t;
    cs_tempo_init(&t, NULL, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    /* 10 * 100^(-t/30) <= 0.005 from t = 49.5 s on */
    CHECK(cs_tempo_update(&t, 49) != 130);
    CHECK(cs_tempo_update(&t, 49.6) == 130);
    CHECK(cs_tempo_update(&t, 59.9) == 130);
}

TEST(separate_rise_and_fall)
{
    cs_tempo_config c = dflt();
    c.rise_seconds = 10;
    c.fall_seconds = 40;
    cs_tempo t;
    cs_tempo_init(&t, &c, 120, 0);
    cs_tempo_set_target(&t, 130, 0);
    CHECK_NEAR(cs_tempo_update(&t, 10), 129.9, 1e-9);
    cs_tempo_jump(&t, 130, 10);
    cs_tempo_set_target(&t, 120, 10);
    CHECK_NEAR(cs_tempo_update(&t, 50), 120.1, 1e-9);
    /* zero time: the step is immediate */
    c.rise_seconds = 0;
    cs_tempo_init(&t, &c, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    CHECK_NEAR(cs_tempo_update(&t, 0.001), 130, 0);
}

/* A scripted session: events at fixed times, updates at some rate. */
typedef struct { double at; int kind; double v; } event;
enum { EV_MOVE, EV_TARGET, EV_JUMP };

static double run_session(const cs_tempo_config *c, const event *ev, size_t n_ev,
                          double (*next_tick)(double, unsigned *), double end)
{
    cs_tempo t;
    cs_tempo_init(&t, c, 120, 0);
    unsigned seed = 12345;
    double tick = next_tick(0, &seed);
    size_t i = 0;
    while (i < n_ev || tick < end) {
        if (i < n_ev && (ev[i].at <= tick || tick >= end)) {
            if (ev[i].kind == EV_MOVE) cs_tempo_movement(&t, ev[i].v, ev[i].at);
            else if (ev[i].kind == EV_TARGET) cs_tempo_set_target(&t, ev[i].v, ev[i].at);
            else cs_tempo_jump(&t, ev[i].v, ev[i].at);
            i++;
        } else {
            cs_tempo_update(&t, tick);
            tick = next_tick(tick, &seed);
        }
    }
    return cs_tempo_update(&t, end);
}

static double at_43hz(double t, unsigned *s) { (void)s; return t + 1024.0 / 44100; }
static double at_172hz(double t, unsigned *s) { (void)s; return t + 256.0 / 44100; }
static double irregular(double t, unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return t + 0.0005 + (double)((*s >> 8) % 10000) / 10000.0 * 0.9;
}
static double never(double t, unsigned *s) { (void)t; (void)s; return INFINITY; }

TEST(same_bpm_at_any_update_rate)
{
    static const event ev[] = {
        {0.5, EV_MOVE, 0.8}, {1.7, EV_MOVE, 0.6}, {4.0, EV_MOVE, 0.07},
        {5.25, EV_MOVE, NAN}, {7.3, EV_MOVE, 0.375}, {8.1, EV_TARGET, 126},
        {9.0, EV_MOVE, 0.01},
    };
    cs_tempo_config c = dflt();
    for (int dir = 0; dir < 2; dir++) {
        if (dir) { c.rise_seconds = 7; c.fall_seconds = 45; }
        size_t n = sizeof ev / sizeof *ev;
        double a = run_session(&c, ev, n, at_43hz, 10);
        double b = run_session(&c, ev, n, at_172hz, 10);
        double r = run_session(&c, ev, n, irregular, 10);
        double z = run_session(&c, ev, n, never, 10);
        CHECK(a > 105.5 && a < 126);            /* still gliding at 10 s */
        CHECK_NEAR(b / a, 1, 1e-6);
        CHECK_NEAR(r / a, 1, 1e-6);
        CHECK_NEAR(z / a, 1, 1e-6);
    }
}

TEST(jump_and_set_target)
{
    cs_tempo t;
    cs_tempo_init(&t, NULL, 120, 0);
    CHECK_EQ_INT(cs_tempo_jump(&t, 125.5, 1), CS_TEMPO_OK);
    CHECK_NEAR(cs_tempo_current(&t), 125.5, 0);
    CHECK_NEAR(cs_tempo_target(&t), 125.5, 0);
    CHECK_NEAR(cs_tempo_update(&t, 100), 125.5, 0);
    CHECK_EQ_INT(cs_tempo_set_target(&t, 115.5, 100), CS_TEMPO_OK);
    CHECK_NEAR(cs_tempo_current(&t), 125.5, 0);
    CHECK_NEAR(cs_tempo_update(&t, 130), 115.6, 1e-9);
    CHECK_EQ_INT(cs_tempo_jump(&t, 300, 130), CS_TEMPO_OK);
    CHECK_EQ_INT(cs_tempo_jump(&t, 20, 130), CS_TEMPO_OK);
    CHECK_EQ_INT(cs_tempo_jump(&t, 300, 130), CS_TEMPO_OK);
    /* The sane range is 20..300 BPM (a boolean read as 1 BPM, or 1000,
     * were taken before). */
    const double bad[] = {0, 1, 19.99, -120, NAN, INFINITY, 300.001, 1000};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(cs_tempo_jump(&t, bad[i], 131), CS_TEMPO_BAD_VALUE);
        CHECK_EQ_INT(cs_tempo_set_target(&t, bad[i], 131), CS_TEMPO_BAD_VALUE);
        CHECK_NEAR(cs_tempo_current(&t), 300, 0);
        CHECK_NEAR(cs_tempo_target(&t), 300, 0);
    }
}

TEST(bad_movement_ignored)
{
    cs_tempo t;
    cs_tempo_init(&t, NULL, 120, 0);
    cs_tempo_movement(&t, 0.375, 0);
    const double bad[] = {NAN, INFINITY, -INFINITY, -0.2};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(cs_tempo_movement(&t, bad[i], 1), CS_TEMPO_BAD_VALUE);
        CHECK_NEAR(cs_tempo_target(&t), 124, 1e-12);
        CHECK_NEAR(cs_tempo_last_movement(&t), 0.375, 0);
        CHECK(isfinite(cs_tempo_current(&t)));
    }
    CHECK_EQ_INT(cs_tempo_movement(&t, 0, 2), CS_TEMPO_OK);
    CHECK_NEAR(cs_tempo_target(&t), 105, 0);
    CHECK_EQ_INT(cs_tempo_movement(&t, 3.0, 3), CS_TEMPO_OK);
    CHECK_NEAR(cs_tempo_last_movement(&t), 1.0, 0);
}

TEST(time_does_not_run_backwards)
{
    cs_tempo a, b;
    cs_tempo_init(&a, NULL, 120, 0);
    cs_tempo_init(&b, NULL, 120, 0);
    cs_tempo_movement(&a, 0.8, 0);
    cs_tempo_movement(&b, 0.8, 0);
    double v5 = cs_tempo_update(&a, 5);
    CHECK_NEAR(cs_tempo_update(&a, 3), v5, 0);
    CHECK_NEAR(cs_tempo_update(&a, NAN), v5, 0);
    /* A late event is applied at the latest time seen. */
    cs_tempo_movement(&a, 0.8, 4);
    CHECK_NEAR(cs_tempo_update(&a, 8), cs_tempo_update(&b, 8), 1e-9);
}

/* ---- idle ------------------------------------------------------------- */

/* The default: movement stops arriving, the last tempo holds (the
 * original's behaviour; the old default glided back to base after 60 s). */
TEST(default_holds_the_last_tempo)
{
    cs_tempo t;
    cs_tempo_init(&t, NULL, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    CHECK_NEAR(cs_tempo_update(&t, 3600), 130, 0);
    CHECK_NEAR(cs_tempo_target(&t), 130, 0);
    CHECK(!cs_tempo_is_idle(&t));
    CHECK_NEAR(cs_tempo_config_default().idle_timeout_seconds, 0, 0);
}

TEST(idle_returns_to_base)
{
    const cs_tempo_config i60 = idle60();
    cs_tempo t;
    cs_tempo_init(&t, &i60, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    cs_tempo_update(&t, 59.9);
    CHECK_NEAR(cs_tempo_target(&t), 130, 0);
    CHECK(!cs_tempo_is_idle(&t));
    /* At 60 s the glide had already snapped to 130 (diff 0.001); from there
     * back to 120 at the usual speed. */
    cs_tempo_update(&t, 60);
    CHECK_NEAR(cs_tempo_target(&t), 120, 0);
    CHECK(cs_tempo_is_idle(&t));
    CHECK_NEAR(cs_tempo_update(&t, 90), 120.1, 1e-9);
    /* Movement ends idleness. */
    cs_tempo_movement(&t, 0.07, 95);
    CHECK(!cs_tempo_is_idle(&t));
    CHECK_NEAR(cs_tempo_target(&t), 115, 0);
}

TEST(idle_fires_at_the_exact_instant)
{
    const cs_tempo_config i60 = idle60();
    cs_tempo a, b;
    cs_tempo_init(&a, &i60, 120, 0);
    cs_tempo_init(&b, &i60, 120, 0);
    cs_tempo_movement(&a, 0.375, 0);        /* 124, no snap before 60 s */
    cs_tempo_movement(&b, 0.375, 0);
    cs_tempo_jump(&a, 110, 0);
    cs_tempo_jump(&b, 110, 0);              /* jump disarms ... */
    cs_tempo_movement(&a, 0.375, 1);        /* ... movement re-arms */
    cs_tempo_movement(&b, 0.375, 1);
    for (double x = 1; x < 75; x += 0.37) cs_tempo_update(&a, x);
    double va = cs_tempo_update(&a, 75), vb = cs_tempo_update(&b, 75);
    CHECK(cs_tempo_is_idle(&a) && cs_tempo_is_idle(&b));
    CHECK_NEAR(va / vb, 1, 1e-12);
    CHECK(vb > 120 && vb < 124);
}

TEST(idle_clock_restarts_with_each_movement)
{
    const cs_tempo_config i60 = idle60();
    cs_tempo t;
    cs_tempo_init(&t, &i60, 120, 0);
    for (int s = 0; s <= 100; s += 10) cs_tempo_movement(&t, 0.8, s);
    cs_tempo_update(&t, 159);
    CHECK_NEAR(cs_tempo_target(&t), 130, 0);
    cs_tempo_update(&t, 160);
    CHECK_NEAR(cs_tempo_target(&t), 120, 0);
    /* Refused values are not movement: they do not hold the tempo up. */
    cs_tempo_init(&t, &i60, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    cs_tempo_movement(&t, NAN, 50);
    cs_tempo_update(&t, 61);
    CHECK_NEAR(cs_tempo_target(&t), 120, 0);
}

TEST(manual_tempo_is_not_undone_by_idle)
{
    const cs_tempo_config i60 = idle60();
    cs_tempo t;
    cs_tempo_init(&t, &i60, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    cs_tempo_jump(&t, 128, 10);
    CHECK_NEAR(cs_tempo_update(&t, 500), 128, 0);
    CHECK(!cs_tempo_is_idle(&t));
    cs_tempo_movement(&t, 0.8, 500);
    cs_tempo_set_target(&t, 126, 510);
    cs_tempo_update(&t, 1000);
    CHECK_NEAR(cs_tempo_target(&t), 126, 0);
    /* idle timeout 0: never */
    cs_tempo_config c = dflt();
    c.idle_timeout_seconds = 0;
    cs_tempo_init(&t, &c, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    cs_tempo_update(&t, 1e6);
    CHECK_NEAR(cs_tempo_target(&t), 130, 0);
}

/* ---- bpm_config.json ----------------------------------------------------- */

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", unit_tmpdir(), name);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* The original's shipped file (schema of original-system.md 2.3), with its
 * unused factors, description strings and notes. */
static const char original_config[] =
    "{\n"
    "  \"movement_bpm\": {\n"
    "    \"description_movement\": \"normalised movement 0..1\",\n"
    "    \"movement_max_value\": 0.6,\n"
    "    \"thresholds\": {\"very_very_low\": 0.02, \"very_low\": 0.05, \"low\": 0.10, \"medium\": 0.10},\n"
    "    \"bpm_targets\": {\"very_very_low\": 105.0, \"very_low\": 110.0, \"low\": 115.0,\n"
    "                    \"medium\": 118.0, \"high_max\": 130.0},\n"
    "    \"smoothing\": {\"transition_time_seconds\": 30.0, \"audio_loop_rate_hz\": 100.0,\n"
    "                  \"smoothing_factor_up\": 0.96, \"smoothing_factor_down\": 0.92,\n"
    "                  \"smoothing_factor_stable\": null}\n"
    "  },\n"
    "  \"notes\": [\"loaded once at startup\"]\n"
    "}\n";

TEST(config_original_file)
{
    const char *path = write_file("bpm_config.json", original_config);
    cs_tempo_config c = dflt();
    cs_err e = {0};
    cs_err w = {0};
    CHECK_EQ_INT(cs_tempo_config_load(path, &c, &w, &e), 0);
    CHECK_NEAR(c.th_medium, 0.10, 0);
    CHECK_NEAR(c.th_low, 0.10, 0);
    /* Rises as the original: smoothing_factor_down 0.92 per tick at
     * audio_loop_rate_hz 100 covers 99% in ln(100) / (100 * -ln 0.92)
     * = 0.5523 s (it was 30 s: the factors were ignored); falls in
     * transition_time_seconds. */
    CHECK_NEAR(c.rise_seconds, 0.5523, 0.0001);
    CHECK_NEAR(c.fall_seconds, 30, 0);
    CHECK_NEAR(c.idle_timeout_seconds, 0, 0);
    /* The key the original never reads is said by name; text keys are not. */
    CHECK(strstr(w.msg, "smoothing_factor_up 0.96 is not used") != NULL);
    CHECK(strstr(w.msg, "description") == NULL && strstr(w.msg, "notes") == NULL);
    /* The glide with it: a rise to 130 is there within a second, a fall
     * back takes 30 s. */
    cs_tempo t;
    cs_tempo_init(&t, &c, 120, 0);
    cs_tempo_movement(&t, 0.8, 0);
    CHECK_NEAR(cs_tempo_update(&t, 0.5523), 129.9, 1e-6);
    cs_tempo_movement(&t, 0.0, 10);
    CHECK_NEAR(cs_tempo_update(&t, 40), 105.25, 1e-6);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.186), 120.064, 1e-9);
    CHECK_NEAR(cs_tempo_target_for(&c, 0.07), 115, 0);
}

TEST(config_partial_keeps_defaults)
{
    cs_tempo_config c = dflt(), d = dflt();
    cs_err e = {0};
    const char *path = write_file("partial.json",
        "{\"movement_bpm\": {\"thresholds\": {\"medium\": 0.2},"
        " \"bpm_targets\": {\"high_max\": 135, \"low\": null},"
        " \"smoothing\": {\"transition_time_seconds\": 20, \"fall_time_seconds\": 45}}}");
    CHECK_EQ_INT(cs_tempo_config_load(path, &c, NULL, &e), 0);
    CHECK_NEAR(c.th_medium, 0.2, 0);
    CHECK_NEAR(c.bpm_high_max, 135, 0);
    CHECK_NEAR(c.bpm_low, d.bpm_low, 0);
    CHECK_NEAR(c.th_low, d.th_low, 0);
    CHECK_NEAR(c.rise_seconds, 20, 0);
    CHECK_NEAR(c.fall_seconds, 45, 0);
    /* No movement_bpm at all: everything as it was (the original did so). */
    c = dflt();
    path = write_file("other.json", "{\"something_else\": 1}");
    cs_err w = {0};
    CHECK_EQ_INT(cs_tempo_config_load(path, &c, &w, &e), 0);
    CHECK(memcmp(&c, &d, sizeof c) == 0);
    CHECK(strstr(w.msg, "something_else is not a setting cs reads") != NULL);
    /* Another of the kind: a misspelt smoothing key, a rate that speeds the
     * factor up (0.92 at 200 Hz: 99% in 0.2761 s). */
    c = dflt();
    path = write_file("typo.json", "{\"movement_bpm\": {\"smoothing\": {\"smoothing_factor_dwn\": 0.5,"
                      " \"smoothing_factor_down\": 0.92, \"audio_loop_rate_hz\": 200}}}");
    CHECK_EQ_INT(cs_tempo_config_load(path, &c, &w, &e), 0);
    CHECK(strstr(w.msg, "movement_bpm.smoothing.smoothing_factor_dwn") != NULL);
    CHECK_NEAR(c.rise_seconds, 0.27614, 0.0001);
    CHECK_NEAR(c.fall_seconds, 30, 0);
}

#define CHECK_CONFIG_ERROR(name, text, why)                                    \
    do {                                                                       \
        const char *_p = write_file((name), (text));                           \
        cs_tempo_config _c = dflt(), _d = dflt();                              \
        cs_err _e = {0};                                                     \
        CHECK(cs_tempo_config_load(_p, &_c, NULL, &_e) < 0);                   \
        CHECK(_e.code == CS_ERR_FORMAT || _e.code == CS_ERR_RANGE);            \
        CHECK(strncmp(_e.msg, _p, strlen(_p)) == 0);                           \
        if (!strstr(_e.msg, (why))) {                                          \
            unit_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"", _e.msg, (why)); \
            return;                                                            \
        }                                                                      \
        CHECK(memcmp(&_c, &_d, sizeof _c) == 0);                               \
    } while (0)

TEST(config_errors_name_the_file)
{
    CHECK_CONFIG_ERROR("trunc.json", "{\"movement_bpm\": {\"thresholds\": {", "invalid JSON");
    CHECK_CONFIG_ERROR("empty.json", "", "invalid JSON");
    CHECK_CONFIG_ERROR("garbage.json", "{} {}", "invalid JSON");
    CHECK_CONFIG_ERROR("array.json", "[1, 2]", "not a JSON object");
    CHECK_CONFIG_ERROR("mb.json", "{\"movement_bpm\": 3}", "movement_bpm is not an object");
    CHECK_CONFIG_ERROR("sect.json", "{\"movement_bpm\": {\"smoothing\": [30]}}",
                       "movement_bpm.smoothing is not an object");
    CHECK_CONFIG_ERROR("str.json", "{\"movement_bpm\": {\"thresholds\": {\"medium\": \"0.15\"}}}",
                       "movement_bpm.thresholds.medium is not a number");
    CHECK_CONFIG_ERROR("max.json", "{\"movement_bpm\": {\"movement_max_value\": true}}",
                       "movement_bpm.movement_max_value is not a number");
    CHECK_CONFIG_ERROR("order.json", "{\"movement_bpm\": {\"thresholds\": {\"low\": 0.3}}}",
                       "threshold medium 0.15 is below low 0.3");
    CHECK_CONFIG_ERROR("bpm0.json", "{\"movement_bpm\": {\"bpm_targets\": {\"low\": 0}}}",
                       "bpm target low 0");
    CHECK_CONFIG_ERROR("factor.json", "{\"movement_bpm\": {\"smoothing\": {\"smoothing_factor_down\": 1.5}}}",
                       "smoothing_factor_down 1.5 is outside (0, 1)");
    CHECK_CONFIG_ERROR("time.json",
                       "{\"movement_bpm\": {\"smoothing\": {\"transition_time_seconds\": -1}}}",
                       "transition time");
    cs_tempo_config c = dflt();
    cs_err e = {0};
    char missing[512];
    snprintf(missing, sizeof missing, "%s/nope.json", unit_tmpdir());
    CHECK_EQ_INT(cs_tempo_config_load(missing, &c, NULL, &e), -1);
    CHECK(strstr(e.msg, missing) == e.msg && strstr(e.msg, "No such file"));
}

TEST(config_check)
{
    cs_tempo_config c = dflt();
    cs_err e = {0};
    CHECK_EQ_INT(cs_tempo_config_check(&c, &e), 0);
    c.movement_max_value = 0;
    CHECK_EQ_INT(cs_tempo_config_check(&c, &e), CS_ERR_RANGE);
    c = dflt();
    c.th_very_low = NAN;
    CHECK_EQ_INT(cs_tempo_config_check(&c, &e), CS_ERR_RANGE);
    c = dflt();
    c.bpm_high_max = 1001;
    CHECK_EQ_INT(cs_tempo_config_check(&c, &e), CS_ERR_RANGE);
    c = dflt();
    c.idle_timeout_seconds = -1;             /* never */
    CHECK_EQ_INT(cs_tempo_config_check(&c, &e), 0);
}

/* Issue 10: a bpm_config.json saved by a Windows editor (UTF-8 BOM, CRLF)
 * reads like the plain file (pkg/textfile, the shared text reader). */
TEST(config_with_bom_and_crlf)
{
    cs_tempo_config c = dflt();
    cs_err e = {0};
    const char *path = write_file("bom.json",
        "\xEF\xBB\xBF{\r\n \"movement_bpm\": {\"thresholds\": {\"medium\": 0.2},\r\n"
        "  \"smoothing\": {\"fall_time_seconds\": 45}}\r\n}\r\n");
    if (cs_tempo_config_load(path, &c, NULL, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
    CHECK_NEAR(c.th_medium, 0.2, 0);
    CHECK_NEAR(c.fall_seconds, 45, 0);
}
