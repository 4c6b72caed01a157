/* Key notation: every spelling of every key lands on one Camelot code. */
#include "tests/unit/unit.h"

#include <stdio.h>

#include "pkg/key.h"

/* The Camelot wheel written out by hand (independent of key.c's arithmetic):
 * Camelot code, the preferred name, and enharmonic spellings. */
static const struct { const char *camelot, *name, *alt1, *alt2; } wheel[24] = {
    {"1A", "Abm", "G#m", "G#min"},   {"1B", "B", "Cb", "Bmaj"},
    {"2A", "Ebm", "D#m", "Eb minor"}, {"2B", "F#", "Gb", "F# major"},
    {"3A", "Bbm", "A#m", "Bbmin"},   {"3B", "Db", "C#", "C#maj"},
    {"4A", "Fm", "E#m", "Fmin"},     {"4B", "Ab", "G#", "G#major"},
    {"5A", "Cm", "B#m", "C min"},    {"5B", "Eb", "D#", "Ebmaj"},
    {"6A", "Gm", "Gmin", "G minor"}, {"6B", "Bb", "A#", "Bbmaj"},
    {"7A", "Dm", "Dmin", "d minor"}, {"7B", "F", "E#", "Fmaj"},
    {"8A", "Am", "Amin", "A minor"}, {"8B", "C", "B#", "Cmaj"},
    {"9A", "Em", "Fbm", "Emin"},     {"9B", "G", "Gmaj", "G major"},
    {"10A", "Bm", "Cbm", "Bmin"},    {"10B", "D", "Dmaj", "D major"},
    {"11A", "F#m", "Gbm", "F#min"},  {"11B", "A", "Amaj", "A major"},
    {"12A", "Dbm", "C#m", "C#min"},  {"12B", "E", "Fb", "Emaj"},
};

TEST(wheel_names_round_trip)
{
    for (int i = 0; i < 24; i++) {
        int code = cs_key_parse(wheel[i].camelot);
        CHECK_EQ_INT(code, i);
        CHECK_STR(cs_key_name(code), wheel[i].name);
        CHECK_EQ_INT(cs_key_parse(wheel[i].name), i);
        CHECK_EQ_INT(cs_key_parse(wheel[i].alt1), i);
        CHECK_EQ_INT(cs_key_parse(wheel[i].alt2), i);
    }
}

TEST(wheel_camelot_round_trip)
{
    char buf[4], text[16];
    for (int code = 0; code < 24; code++) {
        CHECK_STR(cs_key_camelot(code, buf), wheel[code].camelot);
        CHECK_EQ_INT(cs_key_parse(buf), code);
        /* Leading zero and lower-case letter. */
        snprintf(text, sizeof text, "0%d%c", code / 2 + 1, (code & 1) ? 'b' : 'a');
        CHECK_EQ_INT(cs_key_parse(text), code);
    }
}

TEST(wheel_open_key)
{
    char text[16];
    CHECK_EQ_INT(cs_key_parse("1m"), cs_key_parse("8A"));
    CHECK_EQ_INT(cs_key_parse("1d"), cs_key_parse("C"));
    CHECK_EQ_INT(cs_key_parse("6m"), cs_key_parse("1A"));
    CHECK_EQ_INT(cs_key_parse("12d"), cs_key_parse("7B"));
    for (int code = 0; code < 24; code++) {
        int camelot = code / 2 + 1;
        int open = (camelot + 4) % 12 + 1;   /* inverse of ((n + 6) mod 12) + 1 */
        snprintf(text, sizeof text, "%d%c", open, (code & 1) ? 'd' : 'm');
        CHECK_EQ_INT(cs_key_parse(text), code);
        snprintf(text, sizeof text, "%d%c", open, (code & 1) ? 'D' : 'M');
        CHECK_EQ_INT(cs_key_parse(text), code);
    }
}

TEST(header_example)
{
    CHECK_EQ_INT(cs_key_parse("Gm"), 10);
    CHECK_EQ_INT(cs_key_parse("6A"), 10);
    CHECK_STR(cs_key_name(10), "Gm");
    char buf[4];
    CHECK_STR(cs_key_camelot(10, buf), "6A");
}

TEST(spellings_and_blanks)
{
    int gsm = cs_key_parse("1A");
    CHECK_EQ_INT(cs_key_parse("G#m"), gsm);
    CHECK_EQ_INT(cs_key_parse("Abm"), gsm);
    CHECK_EQ_INT(cs_key_parse("ab minor"), gsm);
    CHECK_EQ_INT(cs_key_parse("G\xE2\x99\xAFm"), gsm);      /* G♯m */
    CHECK_EQ_INT(cs_key_parse("A\xE2\x99\xAD" "m"), gsm);   /* A♭m */
    CHECK_EQ_INT(cs_key_parse("A flat minor"), gsm);
    CHECK_EQ_INT(cs_key_parse("G sharp minor"), gsm);
    CHECK_EQ_INT(cs_key_parse("  g#M  "), gsm);
    CHECK_EQ_INT(cs_key_parse("\tG#MINOR\n"), gsm);
    CHECK_EQ_INT(cs_key_parse("A#m"), cs_key_parse("Bbm"));
    CHECK_EQ_INT(cs_key_parse("D#m"), cs_key_parse("2A"));
    CHECK_EQ_INT(cs_key_parse("C#m"), cs_key_parse("12A"));
    CHECK_EQ_INT(cs_key_parse("Gb"), cs_key_parse("2B"));
    CHECK_EQ_INT(cs_key_parse("Cb"), cs_key_parse("B"));
    CHECK_EQ_INT(cs_key_parse("Fmin"), cs_key_parse("4A"));
    CHECK_EQ_INT(cs_key_parse("Fmaj"), cs_key_parse("7B"));
    CHECK_EQ_INT(cs_key_parse("F min"), cs_key_parse("Fm"));
    CHECK_EQ_INT(cs_key_parse("E major"), cs_key_parse("12B"));
    CHECK_EQ_INT(cs_key_parse("bbmaj"), cs_key_parse("6B"));
    CHECK_EQ_INT(cs_key_parse("012A"), cs_key_parse("12A"));
}

TEST(unknown_and_none)
{
    CHECK_EQ_INT(cs_key_parse(NULL), CS_KEY_NONE);
    CHECK_EQ_INT(cs_key_parse(""), CS_KEY_NONE);
    CHECK_EQ_INT(cs_key_parse("   "), CS_KEY_NONE);
    CHECK_EQ_INT(cs_key_parse("\t\n"), CS_KEY_NONE);
    static const char *const bad[] = {
        "H#x", "13A", "0A", "00B", "Zm", "1C", "12", "Am7", "G#mm",
        "Gmajor7", "6 A", "A##", "m", "#", "1e", "-1A", "Hm", "Gmi", "A#m+", "8Ax",
        "Dance", "Bad key", "12 +5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int k = cs_key_parse(bad[i]);
        if (k != CS_KEY_UNKNOWN) {
            unit_fail(__FILE__, __LINE__, "cs_key_parse(\"%s\") == %d, expected unknown", bad[i], k);
            return;
        }
    }
    /* A lone letter is a major key, not an unknown notation. */
    CHECK_EQ_INT(cs_key_parse("A"), cs_key_parse("11B"));
}

/* Issue 10: tags carry a tuning suffix or extra words after the key (Mixxx
 * reads the key and ignores them); every spelling of the key then selects it. */
TEST(key_with_suffix_or_words)
{
    int bbm = cs_key_parse("3A");
    CHECK_EQ_INT(bbm, 4);
    static const char *const texts[] = {
        "A#m +50", "A#m -12", "Bbm (tuning +50)", "3A energy 7", "A#m/Bbm", "a# minor  +50",
        "Bb min extra words", "3A, 8B", "8m [OpenKey]", "A#m;", "A sharp minor +0",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int k = cs_key_parse(texts[i]);
        if (k != bbm) {
            unit_fail(__FILE__, __LINE__, "cs_key_parse(\"%s\") == %d, expected %d (3A)", texts[i], k, bbm);
            return;
        }
    }
    CHECK_EQ_INT(cs_key_parse("C min x"), cs_key_parse("5A"));
    CHECK_EQ_INT(cs_key_parse("E energy 6"), cs_key_parse("12B"));
    CHECK_EQ_INT(cs_key_parse("F#  +25"), cs_key_parse("2B"));
}

TEST(invalid_codes)
{
    char buf[4] = "xx";
    CHECK(cs_key_name(-1) == NULL);
    CHECK(cs_key_name(24) == NULL);
    CHECK(cs_key_name(CS_KEY_UNKNOWN) == NULL);
    CHECK_STR(cs_key_camelot(24, buf), "");
    CHECK_STR(cs_key_camelot(CS_KEY_NONE, buf), "");
}

/* cs search --key-notation openkey: 1m = Am (8A), 1d = C (8B), Gm = 11m;
 * every code round-trips through the parser. */
TEST(open_key_names)
{
    char buf[4] = "xx";
    CHECK_STR(cs_key_openkey(cs_key_parse("Am"), buf), "1m");
    CHECK_STR(cs_key_openkey(cs_key_parse("C"), buf), "1d");
    CHECK_STR(cs_key_openkey(cs_key_parse("Gm"), buf), "11m");
    CHECK_STR(cs_key_openkey(cs_key_parse("7B"), buf), "12d");
    for (int code = 0; code < 24; code++)
        CHECK_EQ_INT(cs_key_parse(cs_key_openkey(code, buf)), code);
    CHECK_STR(cs_key_openkey(24, buf), "");
    CHECK_STR(cs_key_openkey(CS_KEY_UNKNOWN, buf), "");
}
