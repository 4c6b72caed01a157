/* Location decoding and path folding, on Locations copied from the real
 * Rekordbox exports in shared/realdata/rekordbox (README.md lists their
 * quirks: raw '#' and '+', lower-case escapes, Windows drives, unencoded
 * third-party paths). */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "pkg/location.h"

/* Decodes loc and compares with want; frees. */
#define CHECK_DECODE(loc, want)                                                \
    do {                                                                       \
        char *_d = cs_location_decode(loc);                                    \
        CHECK(_d != NULL);                                                     \
        int _ok = strcmp(_d, (want)) == 0;                                     \
        if (!_ok) unit_fail(__FILE__, __LINE__, "decode(\"%s\") == \"%s\", expected \"%s\"", \
                            (loc) ? (loc) : "(null)", _d, (want));             \
        free(_d);                                                              \
        if (!_ok) return;                                                      \
    } while (0)

#define CHECK_FOLD(path, want)                                                 \
    do {                                                                       \
        char *_f = cs_path_fold(path);                                         \
        CHECK(_f != NULL);                                                     \
        int _ok = strcmp(_f, (want)) == 0;                                     \
        if (!_ok) unit_fail(__FILE__, __LINE__, "fold(\"%s\") == \"%s\", expected \"%s\"", \
                            (path), _f, (want));                               \
        free(_f);                                                              \
        if (!_ok) return;                                                      \
    } while (0)

/* Both paths fold to the same key. */
static int fold_equal(const char *a, const char *b)
{
    char *fa = cs_path_fold(a), *fb = cs_path_fold(b);
    int eq = fa && fb && strcmp(fa, fb) == 0;
    free(fa);
    free(fb);
    return eq;
}

TEST(decode_interfluve_raw_hash_and_lower_case_escapes)
{
    CHECK_DECODE("file://localhost/Users/suhaas/Music/NewTDLs/Playlists/H4RDG#OOVE/"
                 "3.%20Lake%20Hills,%20BCCO%20-%20Final%20Fantasy.aiff",
                 "/Users/suhaas/Music/NewTDLs/Playlists/H4RDG#OOVE/"
                 "3. Lake Hills, BCCO - Final Fantasy.aiff");
    CHECK_DECODE("file://localhost/Users/suhaas/Music/NewTDLs/Playlists/"
                 "DIGS%20(BEST%20OF%202025)%20-%20Interfluve/21.%20Carr%c3%a9%20-%20Meltdown.aiff",
                 "/Users/suhaas/Music/NewTDLs/Playlists/DIGS (BEST OF 2025) - Interfluve/"
                 "21. Carr\xc3\xa9 - Meltdown.aiff");
    CHECK_DECODE("file://localhost/Users/suhaas/Music/NewTDLs/Playlists/"
                 "DIGS%20(BEST%20OF%202025)%20-%20Interfluve/24.%20Martyn%20-%20"
                 "Vancouver%20(Rhyw%27s%20SKG%20Mix).aiff",
                 "/Users/suhaas/Music/NewTDLs/Playlists/DIGS (BEST OF 2025) - Interfluve/"
                 "24. Martyn - Vancouver (Rhyw's SKG Mix).aiff");
}

TEST(decode_deviationist_plus_brackets_ampersand)
{
    CHECK_DECODE("file://localhost/Users/roberts/Desktop/Music/Garage/b0n%20-%20POLLEN%20#4%20-"
                 "%20b0n%20-%2004%20b0n%20-%20%26%20me%202.aiff",
                 "/Users/roberts/Desktop/Music/Garage/b0n - POLLEN #4 - b0n - 04 b0n - & me 2.aiff");
    CHECK_DECODE("file://localhost/Users/roberts/Desktop/Music/EDM/ELLINE%20-%20Smoke%20+%20"
                 "Mirrors%20(Aiden%20Lewis%20Remix).mp3",
                 "/Users/roberts/Desktop/Music/EDM/ELLINE - Smoke + Mirrors (Aiden Lewis Remix).mp3");
    CHECK_DECODE("file://localhost/Users/roberts/Desktop/Music/House/Shapes%20-%20U%20Never%20"
                 "Loved%20Me%20(Original%20Mix)%20%5bBMKLTSCH%20RCRDS%5d.mp3",
                 "/Users/roberts/Desktop/Music/House/Shapes - U Never Loved Me (Original Mix) "
                 "[BMKLTSCH RCRDS].mp3");
    CHECK_DECODE("file://localhost/Users/roberts/Desktop/Music/Techno/MRD%20-%20Stamtj%c3%b8nna.mp3",
                 "/Users/roberts/Desktop/Music/Techno/MRD - Stamtj\xc3\xb8nna.mp3");
    CHECK_DECODE("file://localhost/Users/roberts/Desktop/Music/Deep/Bayside%20-%20Obsk%C3%BCr.mp3",
                 "/Users/roberts/Desktop/Music/Deep/Bayside - Obsk\xc3\xbcr.mp3");
}

TEST(decode_windows_drives)
{
    CHECK_DECODE("file://localhost/C:/Music/PioneerDJ/Demo%20Tracks/Demo%20Track%201.mp3",
                 "C:/Music/PioneerDJ/Demo Tracks/Demo Track 1.mp3");
    CHECK_DECODE("file://localhost/C:/Music/PioneerDJ/Sampler/OSC_SAMPLER/PRESET%20ONESHOT/NOISE.wav",
                 "C:/Music/PioneerDJ/Sampler/OSC_SAMPLER/PRESET ONESHOT/NOISE.wav");
    CHECK_DECODE("file:///d:/Music/Track.mp3", "d:/Music/Track.mp3");
    CHECK_DECODE("file://localhost/C:\\Music\\x.mp3", "C:\\Music\\x.mp3");
    CHECK_DECODE("/C:", "C:");
    /* Not drive paths: two letters, a digit, or no separator after ':'. */
    CHECK_DECODE("/CD:/x", "/CD:/x");
    CHECK_DECODE("/1:/x", "/1:/x");
    CHECK_DECODE("/C:x", "/C:x");
    CHECK_DECODE("file://localhost/?:/Music/x.mp3", "/?:/Music/x.mp3");
}

TEST(decode_montezuma_unencoded_third_party)
{
    /* As libxml2 delivers them: raw UTF-8, raw '#', and &amp; already '&'. */
    CHECK_DECODE("file://localhost/M:/MP3/GENRE/FOX/Ibo - S\xc3\xbc\xc3\x9f" "es Blut.mp3",
                 "M:/MP3/GENRE/FOX/Ibo - S\xc3\xbc\xc3\x9f" "es Blut.mp3");
    CHECK_DECODE("file://localhost/M:/MP3/DJ-Tipps/Er\xc3\xb6" "ffnungst\xc3\xa4nze/"
                 "CJ Taylor - Wundersch\xc3\xb6n.mp3",
                 "M:/MP3/DJ-Tipps/Er\xc3\xb6" "ffnungst\xc3\xa4nze/CJ Taylor - Wundersch\xc3\xb6n.mp3");
    CHECK_DECODE("file://localhost/M:/MP3/20200411/Finger & Kadel - Svetlana (Dirty).mp3",
                 "M:/MP3/20200411/Finger & Kadel - Svetlana (Dirty).mp3");
    CHECK_DECODE("file://localhost/M:/VIDEO/20200501/Lou Bega - Mambo #5 ((Redrum) RS Clean Extended).mp4",
                 "M:/VIDEO/20200501/Lou Bega - Mambo #5 ((Redrum) RS Clean Extended).mp4");
}

TEST(decode_schemes_and_bare_paths)
{
    CHECK_DECODE("file://localhost/track1.mp3", "/track1.mp3");          /* a-rich */
    CHECK_DECODE("FILE://LOCALHOST/Users/x.mp3", "/Users/x.mp3");
    CHECK_DECODE("file:///Users/x%20y.mp3", "/Users/x y.mp3");
    CHECK_DECODE("/Volumes/USB/a b+c.mp3", "/Volumes/USB/a b+c.mp3");
    CHECK_DECODE("relative/x.mp3", "relative/x.mp3");
    CHECK_DECODE("", "");
    CHECK_DECODE(NULL, "");
    CHECK_DECODE("file://localhost", "");
}

TEST(decode_invalid_escapes_stay_literal)
{
    CHECK_DECODE("100%", "100%");
    CHECK_DECODE("a%2", "a%2");
    CHECK_DECODE("%zz%g0%0g", "%zz%g0%0g");
    CHECK_DECODE("%%41", "%A");
    CHECK_DECODE("a%00b", "a%00b");
    CHECK_DECODE("%2f%2F%41%61", "//Aa");
    CHECK_DECODE("%ff", "\xc3\xbf");      /* not UTF-8: read as Windows-1252 (y diaeresis) */
}

/* Issue 10: Windows Rekordbox and old taggers percent-encode the legacy code
 * page (%DC for U+00DC) instead of UTF-8; the path must still match the
 * UTF-8 name on disk, so those bytes are read as Windows-1252. */
TEST(decode_latin1_and_cp1252_escapes)
{
    CHECK_DECODE("file://localhost/C:/Music/R%DCF%DCS%20DU%20SOL%20-%20Innerbloom.wav",
                 "C:/Music/R\xc3\x9c" "F\xc3\x9c" "S DU SOL - Innerbloom.wav");
    CHECK_DECODE("file://localhost/Music/Caf%e9%20del%20Mar.mp3", "/Music/Caf\xc3\xa9 del Mar.mp3");
    /* The 0x80-0x9F range is where Windows-1252 differs from Latin-1. */
    CHECK_DECODE("file://localhost/Music/Don%92t%20Stop%20%80%201.wav",
                 "/Music/Don\xe2\x80\x99t Stop \xe2\x82\xac 1.wav");
    /* Valid UTF-8 in the same path stays; undefined 0x81 reads as Latin-1. */
    CHECK_DECODE("/Music/%c3%a9t%e9%81.wav", "/Music/\xc3\xa9t\xc3\xa9\xc2\x81.wav");
    /* Raw (unencoded) Latin-1 bytes from third-party writers too. */
    CHECK_DECODE("/Music/Sch\xf6n.mp3", "/Music/Sch\xc3\xb6n.mp3");
    /* And then the folded keys of both spellings match. */
    char *a = cs_location_decode("file://localhost/M/%C9t%E9.wav");
    char *b = cs_location_decode("file://localhost/M/%c3%89t%c3%a9.wav");
    CHECK(a && b && fold_equal(a, b));
    free(a);
    free(b);
}

TEST(basename_after_last_separator)
{
    CHECK_STR(cs_path_basename("/Users/x/Demo Track 1.mp3"), "Demo Track 1.mp3");
    CHECK_STR(cs_path_basename("C:\\Music\\a.mp3"), "a.mp3");
    CHECK_STR(cs_path_basename("M:/VIDEO/Vol.#2 .mp4"), "Vol.#2 .mp4");
    CHECK_STR(cs_path_basename("x.mp3"), "x.mp3");
    CHECK_STR(cs_path_basename("/a/b/"), "");
    CHECK_STR(cs_path_basename(""), "");
}

TEST(fold_nfd_nfc_and_case)
{
    const char *nfd = "Carre\xcc\x81";      /* e + U+0301, as macOS writes it */
    const char *nfc = "Carr\xc3\xa9";       /* U+00E9, as Rekordbox writes it */
    const char *upper = "CARR\xc3\x89";     /* U+00C9 */
    const char *upper_nfd = "CARRE\xcc\x81";
    CHECK_FOLD(nfd, "carr\xc3\xa9");
    CHECK_FOLD(nfc, "carr\xc3\xa9");
    CHECK_FOLD(upper, "carr\xc3\xa9");
    CHECK_FOLD(upper_nfd, "carr\xc3\xa9");
    CHECK(fold_equal(nfd, nfc));
    CHECK(fold_equal(nfd, upper));
    CHECK_FOLD("C:\\Music\\PioneerDJ\\X.MP3", "c:/music/pioneerdj/x.mp3");
}

TEST(fold_real_locations_match_macos_spellings)
{
    /* interfluve: the decoded Location against an NFD, differently cased path. */
    char *d = cs_location_decode("file://localhost/Users/suhaas/Music/NewTDLs/Playlists/"
                                 "DIGS%20(BEST%20OF%202025)%20-%20Interfluve/21.%20Carr%c3%a9%20-%20Meltdown.aiff");
    CHECK(d != NULL);
    int eq = fold_equal(d, "/users/suhaas/music/newtdls/playlists/DIGS (BEST OF 2025) - Interfluve/"
                           "21. Carre\xcc\x81 - Meltdown.AIFF");
    free(d);
    CHECK(eq);

    /* Montezuma: raw o/a umlauts and sharp s against NFD upper case. */
    d = cs_location_decode("file://localhost/M:/MP3/DJ-Tipps/Er\xc3\xb6" "ffnungst\xc3\xa4nze/"
                           "CJ Taylor - Wundersch\xc3\xb6n.mp3");
    CHECK(d != NULL);
    eq = fold_equal(d, "m:\\MP3\\DJ-TIPPS\\ERO\xcc\x88" "FFNUNGSTA\xcc\x88NZE\\"
                       "cj taylor - WUNDERSCHO\xcc\x88N.mp3");
    free(d);
    CHECK(eq);
    CHECK(fold_equal("Ibo - S\xc3\xbc\xc3\x9f" "es Blut.mp3",
                     "IBO - SU\xcc\x88\xe1\xba\x9e" "ES BLUT.MP3"));   /* U+1E9E capital sharp s */
    CHECK(!fold_equal("Ibo - S\xc3\xbc\xc3\x9f" "es Blut.mp3", "Ibo - Sues Blut.mp3"));

    /* deviationist: o-slash and u-umlaut, upper case. */
    CHECK(fold_equal("MRD - Stamtj\xc3\xb8nna.mp3", "MRD - STAMTJ\xc3\x98NNA.MP3"));
    CHECK(fold_equal("Bayside - Obsk\xc3\xbcr.mp3", "BAYSIDE - OBSKU\xcc\x88R.mp3"));
}

TEST(fold_other_scripts)
{
    CHECK_FOLD("e\xcc\xa3\xcc\x82", "\xe1\xbb\x87");          /* e + dot below + circumflex -> U+1EC7 */
    CHECK_FOLD("E\xcc\xa3\xcc\x82", "\xe1\xbb\x87");          /* via U+1EB8 and U+1EC6 */
    CHECK_FOLD("\xd0\x98\xcc\x86", "\xd0\xb9");               /* Cyrillic I + breve -> short i */
    CHECK_FOLD("\xd0\x81", "\xd1\x91");                       /* Cyrillic IO -> io */
    CHECK_FOLD("\xce\x91\xcc\x81", "\xce\xac");               /* Greek Alpha + acute -> alpha tonos */
    CHECK_FOLD("\xe3\x81\x8b\xe3\x82\x99", "\xe3\x81\x8c");   /* ka + voiced mark -> ga */
    CHECK_FOLD("\xe3\x83\x8f\xe3\x82\x9a", "\xe3\x83\x91");   /* katakana ha + semi-voiced -> pa */
    CHECK_FOLD("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "\xed\x95\x9c");  /* Hangul jamo -> han */
    CHECK_FOLD("\xe2\x84\xaa", "k");                          /* Kelvin sign */
    CHECK_FOLD("\xe2\x84\xab", "\xc3\xa5");                   /* Angstrom sign */
    CHECK_FOLD("\xc4\xb0stanbul", "istanbul");                /* U+0130 */
    CHECK_FOLD("\xc8\xba", "\xe2\xb1\xa5");                   /* U+023A grows to 3 bytes */
    CHECK_FOLD("\xc5\xb8", "\xc3\xbf");                       /* Y diaeresis */
    CHECK_FOLD("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");  /* untouched */
}

TEST(fold_invalid_utf8_passes_bytewise)
{
    CHECK_FOLD("a\xff" "B\xc3", "a\xff" "b\xc3");
    CHECK_FOLD("\xc0\xaf" "X", "\xc0\xaf" "x");               /* overlong '/' */
    CHECK_FOLD("\xed\xa0\x80" "A", "\xed\xa0\x80" "a");       /* surrogate */
    CHECK_FOLD("\xcc\x81" "A", "\xcc\x81" "a");               /* lone mark stays */
    CHECK_FOLD("e\xcc", "e\xcc");                             /* truncated mark */
    CHECK_FOLD("", "");
}
