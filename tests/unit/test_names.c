/* Issue 24: one table for stretch-method names and one for output formats;
 * the names export records (set.json, the render cache, the shard key) come
 * from the table that parses --stretch / --audio-format / --bits. */
#include "tests/unit/unit.h"

#include "pkg/audio_format.h"
#include "pkg/stretch.h"

TEST(stretch_labels_parse_back)
{
    static const cs_stretch_method all[] = { CS_STRETCH_RUBBERBAND, CS_STRETCH_WSOLA, CS_STRETCH_RATE };
    for (int i = 0; i < 3; i++) {
        for (int plain = 0; plain < 2; plain++) {
            const char *n = cs_stretch_label(all[i], plain);
            CHECK(cs_name_lookup(cs_stretch_method_names, n) >= 0);
            cs_stretch_method m;
            CHECK(cs_stretch_method_parse(n, &m) == 0 && m == all[i]);
        }
    }
    CHECK_STR(cs_stretch_label(CS_STRETCH_RUBBERBAND, false), "rubberband");
    CHECK_STR(cs_stretch_label(CS_STRETCH_WSOLA, false), "wsola");
    CHECK_STR(cs_stretch_label(CS_STRETCH_WSOLA, true), "atempo");
    CHECK_STR(cs_stretch_label(CS_STRETCH_RATE, false), "rate");
    CHECK_STR(cs_stretch_label(CS_STRETCH_RATE, true), "rate");   /* plain is WSOLA's only */
}

TEST(formats_compose_name_and_ext)
{
    /* every --audio-format x --bits pair: the composed name is the two words */
    for (const cs_name *c = cs_audio_container_names; c->name; c++) {
        for (const cs_name *b = cs_audio_bits_names; b->name; b++) {
            cs_audio_format f;
            int rc = cs_audio_format_compose((cs_audio_container)c->value, (cs_audio_format)b->value, &f);
            if (c->value == CS_CONTAINER_FLAC && b->value == CS_FMT_WAV32F) {
                CHECK(rc < 0);   /* FLAC has no float samples */
                continue;
            }
            CHECK(rc == 0);
            char want[16];
            snprintf(want, sizeof want, "%s%s", c->name, b->name);
            CHECK_STR(cs_audio_format_name(f), want);
            CHECK_STR(cs_audio_format_ext(f), c->name);
            CHECK(cs_name_lookup(cs_audio_format_names, want) == (int)f);
        }
    }
    CHECK_STR(cs_audio_format_name((cs_audio_format)99), "?");
}
