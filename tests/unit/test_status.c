/* The status snapshot (issue 12): named JSON fields with null for values
 * that do not exist yet, the JSON read back, the one-line form, unknown OSC
 * addresses counted per address, and a ladder's state (fake hooks) giving
 * the rung range and the "outside" flag. */
#include "tests/unit/unit.h"
#include "player/control/control.h"
#include "player/control/status.h"
#include "player/engine/engine.h"
#include "player/engine/reader.h"
#include "player/surface/osc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <time.h>

static cs_control_status sample(void)
{
    cs_control_status st = { .time_s = 12.5, .bpm = 100, .target_bpm = 105, .base_bpm = 120,
                             .movement = -1, .movement_age_s = -1, .set = true,
                             .rung_bpm = { 114, 0 }, .rate = { 100.0 / 114, 0 }, .next_change_s = NAN,
                             .rung_lo = 114, .rung_hi = 130, .max_dev = 0.02, .outside = true,
                             .underruns = 3, .xruns = 1, .unknown_osc = 500, .unknown_addresses = 2 };
    snprintf(st.track, sizeof st.track, "1/2 Night Drive");
    snprintf(st.deck_track[0], sizeof st.deck_track[0], "Night Drive");
    snprintf(st.next_track, sizeof st.next_track, "Late Set");
    for (int d = 0; d < CS_DECKS; d++) st.deck_level[d] = 1;
    return st;
}

TEST(json_names_fields_and_nulls_what_is_not_there)
{
    cs_control_status st = sample();
    char *s = cs_status_json(&st);
    CHECK(s != NULL);
    cJSON *o = cJSON_Parse(s);
    CHECK(o != NULL);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "movement")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "movement_age_s")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "next_change_s")));
    CHECK(cJSON_GetObjectItem(o, "target_bpm")->valuedouble == 105);
    cJSON *decks = cJSON_GetObjectItem(o, "decks");
    CHECK_EQ_INT(cJSON_GetArraySize(decks), 4);
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(decks, 0), "rung_bpm")->valuedouble == 114);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(decks, 1), "rung_bpm")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(decks, 3), "track")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(o, "outside")));
    CHECK(cJSON_GetObjectItem(o, "unknown_osc")->valuedouble == 500);
    cJSON_Delete(o);

    cs_control_status back;
    cs_err err = {0};
    CHECK(cs_status_from_json(s, &back, &err) == 0);
    CHECK(back.movement < 0 && back.movement_age_s < 0 && isnan(back.next_change_s));
    CHECK(back.rung_bpm[0] == 114 && back.rung[0] == 114 && back.rung[1] == -1);
    CHECK(!strcmp(back.deck_track[0], "Night Drive") && !strcmp(back.next_track, "Late Set"));
    CHECK(back.underruns == 3 && back.xruns == 1 && back.unknown_addresses == 2 && back.outside);
    free(s);
    CHECK(cs_status_from_json("[1,2]", &back, &err) < 0);
    CHECK(strstr(err.msg, "not a JSON object") != NULL);
}

TEST(one_line_says_outside_and_no_movement)
{
    cs_control_status st = sample();
    char line[256];
    cs_status_line(line, sizeof line, &st);
    CHECK(!strcmp(line, "100.0 -> 105.0 BPM | A 114 x0.877 OUTSIDE | 1/2 Night Drive | no movement yet | underruns 4"));
    st.next_change_s = 83;
    st.movement = 0.5;
    st.movement_age_s = 2.4;
    st.outside = false;
    cs_status_line(line, sizeof line, &st);
    CHECK(!strcmp(line, "100.0 -> 105.0 BPM | A 114 x0.877 | 1/2 Night Drive | next in 1:23 | move 0.50 2s ago | underruns 4"));
    /* Dropped bundles (a sender with a wrong clock) show once there are any. */
    st.bundles_dropped[CS_BUNDLE_DROP_AHEAD] = 3;
    st.bundles_dropped[CS_BUNDLE_DROP_DEEP] = 1;
    cs_status_line(line, sizeof line, &st);
    CHECK(strstr(line, "| underruns 4 | bundles dropped 4") != NULL);
    char *json = cs_status_json(&st);
    cs_control_status back;
    CHECK(json && cs_status_from_json(json, &back, NULL) == 0);
    CHECK_EQ_INT(back.bundles_dropped[CS_BUNDLE_DROP_AHEAD], 3);
    CHECK_EQ_INT(back.bundles_dropped[CS_BUNDLE_DROP_DEEP], 1);
    CHECK(json && strstr(json, "\"bundles_dropped\":4"));
    free(json);
}

/* Device loss (issue 21): the JSON names it (and reads back), the text
 * form and the one line lead with it while lost, and count losses after. */
TEST(device_lost_in_json_text_and_line)
{
    setenv("TZ", "UTC", 1);
    tzset();
    cs_control_status st = sample();
    st.device_lost = true;
    st.device_lost_since = 1796565699.5;        /* 2026-12-06 14:01:39 UTC */
    st.device_lost_s = 12.4;
    st.device_losses = 2;
    char *s = cs_status_json(&st);
    CHECK(s && strstr(s, "\"device_lost\":true,\"device_lost_since\":\"2026-12-06 14:01:39\"") != NULL);
    CHECK(strstr(s, "\"device_losses\":2") != NULL);
    cs_control_status back;
    cs_err err = {0};
    CHECK(cs_status_from_json(s, &back, &err) == 0);
    CHECK(back.device_lost && back.device_losses == 2 && fabs(back.device_lost_s - 12.4) < 1e-9);
    CHECK(fabs(back.device_lost_since - st.device_lost_since) < 1e-6);
    free(s);
    char line[256];
    cs_status_line(line, sizeof line, &st);
    CHECK_STR(line, "DEVICE LOST since 14:01:39 (12 s, loss 2) | 100.0 -> 105.0 BPM | A 114 x0.877 OUTSIDE"
                    " | 1/2 Night Drive | no movement yet | underruns 4");
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    cs_status_print(f, &st);
    fclose(f);
    CHECK(strstr(text, "device         LOST since 14:01:39 (12 s), reopening every second; 2 losses since start\n") != NULL);
    free(text);
    st.device_lost = false;
    st.device_lost_s = 0;
    s = cs_status_json(&st);
    CHECK(s && strstr(s, "\"device_lost\":false") && strstr(s, "\"device_lost_s\":null"));
    free(s);
    cs_status_line(line, sizeof line, &st);
    CHECK(strstr(line, "underruns 4 | device losses 2") != NULL && strncmp(line, "DEVICE", 6));
    /* Never lost: nulls, and the line as before. */
    st = sample();
    s = cs_status_json(&st);
    CHECK(s && strstr(s, "\"device_lost_since\":null") && strstr(s, "\"device_losses\":0"));
    free(s);
}

/* ---- the control side ---- */

static void fake_state(void *ctx, uint64_t now, cs_control_ladder_state *st)
{
    (void)ctx, (void)now;
    st->rung[0] = 114;
    st->track[0] = "Night Drive";
    st->next_track = "Late Set";
    st->next_change_s = 42;
    st->rung_lo = 114;
    st->rung_hi = 130;
    st->max_dev = 0.02;
}

TEST(unknown_addresses_counted_and_ladder_state_reported)
{
    cs_control_config cfg = { .base_bpm = 120, .stretch = CS_STRETCH_RATE, .tempo = cs_tempo_config_default(),
                              .render = true, .meter = 4 };
    cs_engine *e = cs_engine_new(NULL);
    cs_reader *r = cs_reader_new(false, NULL);
    cs_control *c = cs_control_new(&cfg, e, r, NULL);
    for (int i = 0; i < 1000; i++) CHECK(cs_osc_dispatch(c, "/pose/keypoints", "f", NULL, 0, NULL, NULL) == CS_OSC_UNKNOWN);
    cs_osc_dispatch(c, "/dance/arm_movement", "", NULL, 0, NULL, NULL);
    cs_control_ladder hooks = { .ctx = NULL, .state = fake_state };
    cs_control_set_ladder(c, &hooks);
    cs_control_set_tempo(c, 111.0);          /* 114 × 0.98 = 111.72: beyond the bound */
    cs_control_status st;
    cs_control_status_get(c, &st);
    CHECK(st.unknown_osc == 1001 && st.unknown_addresses == 2);
    CHECK(st.set && st.rung_lo == 114 && st.rung_hi == 130 && st.outside);
    CHECK(fabs(st.rate[0] - 111.0 / 114) < 1e-12 && st.next_change_s == 42);
    CHECK(!strcmp(st.deck_track[0], "Night Drive") && st.deck_track[1][0] == 0);
    cs_control_set_tempo(c, 112.0);          /* within: 112 / 114 = 0.982 */
    cs_control_status_get(c, &st);
    CHECK(!st.outside);
    cs_control_set_tempo(c, 132.7);          /* 130 × 1.02 = 132.6 */
    cs_control_status_get(c, &st);
    CHECK(st.outside);
    cs_control_free(c);
    cs_reader_free(r);
    cs_engine_free(e);
}
