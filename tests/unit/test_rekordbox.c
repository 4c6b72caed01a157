/* Rekordbox XML reader: every file in shared/realdata/rekordbox (values
 * checked against the files themselves) and synthetic tracks; hostile and
 * broken input is test_rekordbox_hostile.c's.  The collector is
 * rb_collect.c's. */
#include "tests/unit/unit.h"

#include <locale.h>
#include <stdlib.h>

#include "pkg/key.h"
#include "pkg/location.h"
#include "pkg/rekordbox.h"
#include "tests/unit/rb_collect.h"
#include "pkg/rekordbox_test.h"

#define PARSE_REAL(file)                                                       \
    coll c = {0};                                                              \
    cs_rb_stats st;                                                            \
    cs_err err = {0};                                                        \
    int rc = -1;                                                               \
    if (rb_parse_real(file, &c, &st, &err, &rc) < 0) return;                   \
    if (rc != 0) { unit_fail(__FILE__, __LINE__, "parse failed: %s", err.msg); rb_coll_free(&c); return; }

/* CHECKs return early; these tests free the collector through a wrapper. */
#define REAL_TEST(name, file)                                                  \
    static void name##_body(coll *c, cs_rb_stats *st);                         \
    TEST(name)                                                                 \
    {                                                                          \
        PARSE_REAL(file);                                                      \
        name##_body(&c, &st);                                                  \
        rb_coll_free(&c);                                                         \
    }                                                                          \
    static void name##_body(coll *c, cs_rb_stats *st)

/* ---- the real files ------------------------------------------------------------ */

REAL_TEST(interfluve_camelot_raw_hash_nested_playlists,
          "interfluve-wav__rekordbox-smart-mcp__rekordbox.xml")
{
    CHECK_EQ_INT(st->tracks, 473);
    CHECK_EQ_INT(c->n, 473);
    CHECK_EQ_INT(st->warnings, 0);
    CHECK_EQ_INT(c->n_info, 1);
    CHECK_STR(c->product, "rekordbox");
    CHECK_STR(c->version, "7.2.8");
    CHECK_STR(c->company, "AlphaTheta");
    CHECK_EQ_INT(c->entries, 473);

    const rec *r = rb_find(c, "9618978");
    CHECK(r != NULL);
    CHECK_STR(r->name, "Meltdown");
    CHECK_STR(r->artist, "Carr\xc3\xa9");
    CHECK_STR(r->kind, "AIFF File");
    CHECK_NEAR(r->bpm, 140.0, 1e-9);
    CHECK_NEAR(r->total_time, 304, 1e-9);
    CHECK_STR(r->tonality, "4A");
    CHECK_EQ_INT(cs_key_parse(r->tonality), cs_key_parse("Fm"));
    CHECK_EQ_INT(r->n_tempos, 1);
    CHECK_NEAR(r->tempos[0].inizio, 0.216, 1e-9);
    CHECK_STR(r->tempos[0].metro, "4/4");
    CHECK(rb_decoded_equals(r->location, "/Users/suhaas/Music/NewTDLs/Playlists/"
                         "DIGS (BEST OF 2025) - Interfluve/21. Carr\xc3\xa9 - Meltdown.aiff"));

    size_t bpm0 = 0, bpm0_tempo = 0, no_key = 0, colours = 0, hash = 0, tempos = 0, marks = 0;
    for (size_t i = 0; i < c->n; i++) {
        const rec *t = &c->v[i];
        if (t->bpm == 0) { bpm0++; bpm0_tempo += t->n_tempos; }
        if (t->tonality && !*t->tonality) no_key++;
        else if (cs_key_parse(t->tonality) < 0) { unit_fail(__FILE__, __LINE__, "key %s", t->tonality); return; }
        if (t->colour) { colours++; CHECK_STR(t->colour, "0x660099"); }
        if (t->location && strstr(t->location, "/H4RDG#OOVE/")) hash++;
        tempos += t->n_tempos;
        marks += t->n_marks;
    }
    CHECK_EQ_INT(bpm0, 49);
    CHECK_EQ_INT(bpm0_tempo, 0);
    CHECK_EQ_INT(no_key, 43);
    CHECK_EQ_INT(colours, 1);
    CHECK(hash > 0);
    CHECK_EQ_INT(tempos, 1976);
    CHECK_EQ_INT(marks, 18);

    /* The variable-tempo track with the most markers. */
    r = rb_find(c, "145487924");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 644);

    CHECK_EQ_INT(st->playlists, 57);
    CHECK_STR(c->pl[0], "0 0 ROOT|ROOT:");
    CHECK_STR(c->pl[1], "0 0 ROOT/March 2026|March 2026:");
    CHECK_STR(c->pl[2], "1 0 ROOT/March 2026/Test Files|Test Files: "
                        "52366907,211134424,13467202,266709319,87610823");
    CHECK(rb_find_pl(c, "1 0 ROOT/March 2026/D'Monk - Love Or Lust|") >= 0);
    CHECK(rb_find_pl(c, "1 0 ROOT/March 2026/Bits & Pieces - The Isolation EP|") >= 0);
}

REAL_TEST(ohms25_camelot_named_cues, "25ohms__EDM-CUE_testing__test1-dec24-25.xml")
{
    CHECK_EQ_INT(st->tracks, 100);
    CHECK_EQ_INT(c->entries, 100);
    CHECK_STR(c->version, "7.1.4");
    size_t bpm0 = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].bpm == 0) { bpm0++; CHECK_EQ_INT(c->v[i].n_tempos, 0); }
        CHECK(cs_key_parse(c->v[i].tonality) >= 0);
    }
    CHECK_EQ_INT(bpm0, 3);

    const rec *r = rb_find(c, "63087760");
    CHECK(r != NULL);
    CHECK_STR(r->name, "Find My Way Home");
    CHECK_NEAR(r->bpm, 136.0, 1e-9);
    CHECK_EQ_INT(r->n_marks, 15);
    CHECK_STR(r->marks[0].name, "Intro");
    CHECK_NEAR(r->marks[0].start, 0.023, 1e-9);
    CHECK_EQ_INT(r->marks[0].num, 0);
    CHECK_EQ_INT(r->marks[0].type, 0);
    CHECK_NEAR(r->marks[0].end, -1, 0);
    CHECK_EQ_INT(r->marks[0].red, 40);
    CHECK_EQ_INT(r->marks[0].green, 226);
    CHECK_EQ_INT(r->marks[0].blue, 20);
    CHECK_STR(r->marks[1].name, "Build-Up");
    CHECK_STR(r->marks[8].name, "Chorus");
    CHECK_EQ_INT(r->marks[8].num, -1);
    CHECK_EQ_INT(r->marks[8].red, -1);
    CHECK_STR(r->marks[14].name, "END");
    CHECK_NEAR(r->marks[14].start, 255.023, 1e-9);

    r = rb_find(c, "15851012");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 13);
    CHECK_EQ_INT(st->playlists, 1);
}

REAL_TEST(pyrekordbox6_windows_ten_tempos, "dylanljones__pyrekordbox__rekordbox6__database.xml")
{
    CHECK_EQ_INT(st->tracks, 6);
    CHECK_EQ_INT(c->entries, 6);
    CHECK_STR(c->version, "6.6.2");
    const rec *r = rb_find(c, "17109519");
    CHECK(r != NULL);
    CHECK_STR(r->name, "Demo Track 2");
    CHECK_STR(r->kind, "Mp3-Datei ");          /* localised, trailing space kept */
    CHECK_STR(r->tonality, "Fm");
    CHECK_EQ_INT(cs_key_parse(r->tonality), cs_key_parse("4A"));
    CHECK_NEAR(r->bpm, 120.0, 1e-9);
    CHECK_NEAR(r->total_time, 128, 1e-9);
    CHECK_EQ_INT(r->size, 5124342);
    CHECK_EQ_INT(r->n_tempos, 10);
    CHECK_NEAR(r->tempos[1].inizio, 48.026, 1e-9);
    CHECK_EQ_INT(r->tempos[3].battito, 3);
    CHECK_NEAR(r->last_tempo.inizio, 52.026, 1e-9);
    CHECK_EQ_INT(r->last_tempo.battito, 1);
    CHECK(rb_decoded_equals(r->location, "C:/Music/PioneerDJ/Demo Tracks/Demo Track 2.mp3"));
    size_t bpm0 = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].bpm == 0) {
            bpm0++;
            CHECK_EQ_INT(cs_key_parse(c->v[i].tonality), CS_KEY_NONE);
        }
    CHECK_EQ_INT(bpm0, 4);
    CHECK_EQ_INT(st->playlists, 1);
    CHECK_EQ_INT(c->n_pl, 2);
    CHECK_STR(c->pl[1], "1 0 ROOT/Trial playlist - Cloud Library Sync|Trial playlist - Cloud Library Sync:");
}

REAL_TEST(pyrekordbox5_folder_and_marks, "dylanljones__pyrekordbox__rekordbox5__database.xml")
{
    CHECK_EQ_INT(st->tracks, 6);
    CHECK_STR(c->company, "Pioneer DJ");
    CHECK_STR(c->version, "5.8.6");
    const rec *r = rb_find(c, "1");
    CHECK(r != NULL);
    CHECK_STR(r->name, "NOISE");
    CHECK_STR(r->tonality, "");
    CHECK(rb_decoded_equals(r->location, "C:/Music/PioneerDJ/Sampler/OSC_SAMPLER/PRESET ONESHOT/NOISE.wav"));
    r = rb_find(c, "5");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 1);
    CHECK_EQ_INT(r->n_marks, 4);
    CHECK_STR(r->marks[1].name, "");
    CHECK_NEAR(r->marks[1].start, 15.025, 1e-9);
    CHECK_EQ_INT(r->marks[1].num, -1);
    CHECK_EQ_INT(r->marks[1].red, -1);
    CHECK_NEAR(r->marks[1].end, -1, 0);
    CHECK_EQ_INT(rb_find(c, "6")->n_tempos, 10);
    /* Parents before children, in document order. */
    CHECK_EQ_INT(c->n_pl, 4);
    CHECK_STR(c->pl[0], "0 0 ROOT|ROOT:");
    CHECK_STR(c->pl[1], "0 0 ROOT/Folder|Folder:");
    CHECK_STR(c->pl[2], "1 0 ROOT/Folder/Sub Playlist|Sub Playlist: 5,6");
    CHECK_STR(c->pl[3], "1 0 ROOT/Playlist1|Playlist1: 5,6");
    CHECK_EQ_INT(st->playlists, 2);
}

REAL_TEST(arich_no_entries_empty_children, "a-rich__DJ-Tools__tests_data_rekordbox.xml")
{
    CHECK_EQ_INT(st->tracks, 4);
    CHECK_EQ_INT(c->entries, -1);
    CHECK_STR(c->version, "6.6.4");
    CHECK_EQ_INT(st->warnings, 2);              /* <TEMPO/> and <POSITION_MARK/> */
    const rec *r = rb_find(c, "1");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 0);
    CHECK_EQ_INT(r->n_marks, 0);
    CHECK_NEAR(r->bpm, 140.0, 1e-9);
    CHECK_EQ_INT(r->rating, 255);
    CHECK_EQ_INT(r->year, 2023);
    CHECK_STR(r->comments, "/* Dark */");
    CHECK(r->kind == NULL);
    CHECK(rb_decoded_equals(r->location, "/track1.mp3"));
    CHECK_STR(rb_find(c, "2")->genre, "Hip Hop / R&B");
    static const char *const want[4][2] = { {"1", "7A"}, {"2", "7B"}, {"3", "8A"}, {"4", "4A"} };
    for (int i = 0; i < 4; i++) {
        r = rb_find(c, want[i][0]);
        CHECK(r != NULL);
        CHECK_STR(r->tonality, want[i][1]);
        CHECK_EQ_INT(cs_key_parse(r->tonality), cs_key_parse(want[i][1]));
    }
    CHECK_EQ_INT(cs_key_parse(rb_find(c, "4")->tonality), cs_key_parse("Fm"));
    CHECK_EQ_INT(st->playlists, 3);
    CHECK(rb_find_pl(c, "1 0 ROOT/Genres/Hip Hop|Hip Hop: 2") >= 0);
    CHECK(rb_find_pl(c, "1 0 ROOT/My Tags/Dark|Dark:") >= 0);
    CHECK(rb_find_pl(c, "1 0 ROOT/Dark|Dark:") >= 0);
}

REAL_TEST(montezuma_unencoded_locations, "EXCERPT__Montezuma-69__Test_XML-einlesen__rekordbox.xml")
{
    CHECK_EQ_INT(st->tracks, 44);
    CHECK_EQ_INT(c->entries, 44);
    CHECK_STR(c->company, "Pioneer DJ");
    const rec *r = rb_find(c, "7");
    CHECK(r != NULL);
    CHECK(r->name == NULL && r->kind == NULL && r->tonality == NULL);
    CHECK_NEAR(r->bpm, 0, 0);
    CHECK_EQ_INT(r->n_tempos, 0);
    CHECK(rb_decoded_equals(r->location, "M:/MP3/GENRE/FOX/Ibo - S\xc3\xbc\xc3\x9f" "es Blut.mp3"));
    CHECK(rb_decoded_equals(rb_find(c, "39")->location, "M:/MP3/20200411/Finger & Kadel - Svetlana (Dirty).mp3"));
    CHECK(rb_decoded_equals(rb_find(c, "13")->location, "M:/MP3/DJ-Tipps/Motown/The Spinners - It's A Shame.mp3"));
    CHECK(rb_decoded_equals(rb_find(c, "8657")->location,
                         "M:/VIDEO/DJZone/DATES/2019/09-SEP/12/Classic Videos 2019-09-12/"
                         "Piss Break - Video Mix Wedding Edition Vol.#2 .mp4"));
    CHECK(rb_find(c, "10248") != NULL);
    CHECK_EQ_INT(st->playlists, 4);
    CHECK(rb_find_pl(c, "0 0 ROOT/GENRE|GENRE:") >= 0);
    CHECK(rb_find_pl(c, "1 0 ROOT/GENRE/70er|70er: 38") >= 0);
    CHECK(rb_find_pl(c, "1 0 ROOT/GENRE/2000er|2000er: 41") >= 0);
}

REAL_TEST(deviationist_fmin_variable_tempo, "EXCERPT__deviationist__Rekordbox-playlists-to-m3u__rekordbox.xml")
{
    CHECK_EQ_INT(st->tracks, 11);
    CHECK_EQ_INT(c->entries, 11);
    CHECK_EQ_INT(st->playlists, 0);
    const rec *r = rb_find(c, "180282908");
    CHECK(r != NULL);
    CHECK_STR(r->tonality, "Fmin");
    CHECK_EQ_INT(cs_key_parse(r->tonality), cs_key_parse("4A"));
    CHECK(rb_decoded_equals(r->location, "/Users/roberts/Desktop/Music/House/Shapes - U Never Loved Me "
                                      "(Original Mix) [BMKLTSCH RCRDS].mp3"));
    r = rb_find(c, "194752610");
    CHECK(r != NULL);
    CHECK_NEAR(r->bpm, 134.04, 1e-9);
    CHECK_EQ_INT(r->n_tempos, 26);
    CHECK_NEAR(r->tempos[0].bpm, 134.04, 1e-9);
    CHECK_NEAR(r->tempos[1].bpm, 134.06, 1e-9);
    CHECK_NEAR(r->tempos[2].bpm, 134.27, 1e-9);
    CHECK_NEAR(r->last_tempo.bpm, 135.65, 1e-9);
    CHECK_EQ_INT(rb_find(c, "157376224")->n_tempos, 110);
    r = rb_find(c, "224668838");
    CHECK(r != NULL);
    CHECK_NEAR(r->bpm, 0, 0);
    CHECK_EQ_INT(r->n_tempos, 0);
    CHECK_STR(rb_find(c, "238663426")->name, "& me 2");
    CHECK(rb_decoded_equals(rb_find(c, "238663426")->location,
                         "/Users/roberts/Desktop/Music/Garage/b0n - POLLEN #4 - b0n - 04 b0n - & me 2.aiff"));
    CHECK(rb_decoded_equals(rb_find(c, "58117758")->location,
                         "/Users/roberts/Desktop/Music/EDM/ELLINE - Smoke + Mirrors (Aiden Lewis Remix).mp3"));
    CHECK(rb_decoded_equals(rb_find(c, "246685084")->location,
                         "/Users/roberts/Desktop/Music/Techno/MRD - Stamtj\xc3\xb8nna.mp3"));
    for (size_t i = 0; i < c->n; i++) CHECK(cs_key_parse(c->v[i].tonality) >= 0);
}

/* ---- synthetic input ------------------------------------------------------------ */

static const char *const full_track =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<DJ_PLAYLISTS Version=\"1.0.0\">\n"
    "<PRODUCT Name=\"rekordbox\" Version=\"6.8.5\" Company=\"AlphaTheta\"/>\n"
    "<COLLECTION Entries=\"1\">\n"
    "<TRACK TrackID=\"42\" Name=\"N\" Artist=\"Ar\" Composer=\"Co\" Album=\"Al\" Grouping=\"Gr\"\n"
    " Genre=\"Ge\" Kind=\"MP3 File\" Size=\"123456789\" TotalTime=\"301\" DiscNumber=\"2\"\n"
    " TrackNumber=\"7\" Year=\"1999\" AverageBpm=\"128,50\" DateAdded=\"2024-01-02\" BitRate=\"320\"\n"
    " SampleRate=\"44100\" Comments=\"Cm\" PlayCount=\"3\" Rating=\"204\" Location=\"file://localhost/a.mp3\"\n"
    " Remixer=\"Re\" Tonality=\"Gm\" Label=\"La\" Mix=\"Mi\" Colour=\"0xFF007F\" DateModified=\"x\">\n"
    "<TEMPO Inizio=\"0.5\" Bpm=\"128.50\" Metro=\"7/8\" Battito=\"3\"/>\n"
    "<POSITION_MARK Name=\"Loop\" Type=\"4\" Start=\"1.5\" End=\"9.25\" Num=\"2\" Red=\"1\" Green=\"2\" Blue=\"3\"/>\n"
    "<TEMPO/><POSITION_MARK/>\n"
    "<TEMPO Inizio=\"abc\" Bpm=\"inf\" Metro=\"4/4\" Battito=\"1\"/>\n"
    "</TRACK>\n"
    "</COLLECTION>\n"
    "<PLAYLISTS><NODE Type=\"0\" Name=\"ROOT\" Count=\"1\">\n"
    " <NODE Name=\"By path\" Type=\"1\" KeyType=\"1\" Entries=\"1\"><TRACK Key=\"file://localhost/a.mp3\"/></NODE>\n"
    "</NODE></PLAYLISTS>\n"
    "</DJ_PLAYLISTS>\n";

TEST(every_attribute_reaches_the_struct)
{
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    CHECK_EQ_INT(rb_parse_mem(full_track, &c, &st, &err), 0);
    CHECK_EQ_INT(st.tracks, 1);
    const rec *r = rb_find(&c, "42");
    CHECK(r != NULL);
    CHECK_STR(r->name, "N");
    CHECK_STR(r->artist, "Ar");
    CHECK_STR(r->genre, "Ge");
    CHECK_STR(r->kind, "MP3 File");
    CHECK_STR(r->comments, "Cm");
    CHECK_STR(r->colour, "0xFF007F");
    CHECK_EQ_INT(r->size, 123456789);
    CHECK_EQ_INT(r->year, 1999);
    CHECK_EQ_INT(r->rating, 204);
    CHECK_NEAR(r->bpm, 128.5, 1e-12);           /* a decimal comma is tolerated */
    CHECK_NEAR(r->total_time, 301, 0);
    CHECK_EQ_INT(r->n_tempos, 2);
    CHECK_STR(r->tempos[0].metro, "7/8");
    CHECK_EQ_INT(r->tempos[0].battito, 3);
    CHECK_NEAR(r->tempos[1].inizio, 0, 0);      /* junk numbers stay 0 */
    CHECK_NEAR(r->tempos[1].bpm, 0, 0);
    CHECK_EQ_INT(r->n_marks, 1);
    CHECK_STR(r->marks[0].name, "Loop");
    CHECK_EQ_INT(r->marks[0].type, 4);
    CHECK_NEAR(r->marks[0].end, 9.25, 0);
    CHECK_EQ_INT(r->marks[0].num, 2);
    CHECK_EQ_INT(r->marks[0].red + r->marks[0].green * 10 + r->marks[0].blue * 100, 321);
    CHECK_EQ_INT(st.warnings, 4);               /* 2 empty children, abc, inf */
    CHECK_EQ_INT(st.playlists, 1);
    CHECK_STR(c.pl[1], "1 1 ROOT/By path|By path: file://localhost/a.mp3");
    rb_coll_free(&c);
}

/* Fields the collector does not keep, seen straight from the callback. */
static int check_rest(void *ud, const cs_rb_track *t)
{
    int *ok = ud;
    *ok = t->composer && !strcmp(t->composer, "Co") && t->grouping && !strcmp(t->grouping, "Gr") &&
          t->remixer && !strcmp(t->remixer, "Re") && t->label && !strcmp(t->label, "La") &&
          t->mix && !strcmp(t->mix, "Mi") && t->date_added && !strcmp(t->date_added, "2024-01-02") &&
          t->album && !strcmp(t->album, "Al") && t->bit_rate == 320 && t->sample_rate == 44100 &&
          t->play_count == 3 && t->disc_number == 2 && t->track_number == 7 &&
          t->location && !strcmp(t->location, "file://localhost/a.mp3") &&
          t->tonality && !strcmp(t->tonality, "Gm");
    return 0;
}

TEST(remaining_attributes)
{
    int ok = 0;
    cs_rb_handler h = { .ud = &ok, .on_track = check_rest };
    cs_err err = {0};
    CHECK_EQ_INT(cs_rekordbox_parse_memory(full_track, strlen(full_track), NULL, &h, NULL, &err), 0);
    CHECK(ok);
}

TEST(numbers_ignore_the_process_locale)
{
    const char *locales[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "C.UTF-8" };
    const char *set = NULL;
    for (size_t i = 0; i < 4 && !set; i++) set = setlocale(LC_NUMERIC, locales[i]);
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    const char *xml = "<DJ_PLAYLISTS><COLLECTION><TRACK TrackID=\"1\" AverageBpm=\"122.75\">"
                      "<TEMPO Inizio=\"0.125\" Bpm=\"122.75\" Metro=\"4/4\" Battito=\"1\"/>"
                      "</TRACK></COLLECTION></DJ_PLAYLISTS>";
    int rc = rb_parse_mem(xml, &c, &st, &err);
    setlocale(LC_NUMERIC, "C");
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(c.n, 1);
    CHECK_NEAR(c.v[0].bpm, 122.75, 0);
    CHECK_NEAR(c.v[0].tempos[0].inizio, 0.125, 0);
    CHECK_EQ_INT(c.entries, -1);
    rb_coll_free(&c);
}

TEST(callback_can_stop)
{
    coll c = { .stop_after = 2 };
    cs_rb_stats st;
    cs_err err = {0};
    const char *xml = "<DJ_PLAYLISTS><COLLECTION><TRACK TrackID=\"1\"/><TRACK TrackID=\"2\"/>"
                      "<TRACK TrackID=\"3\"/></COLLECTION></DJ_PLAYLISTS>";
    CHECK_EQ_INT(rb_parse_mem(xml, &c, &st, &err), -1);
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_INT(st.tracks, 2);
    CHECK_STR(err.msg, "mem.xml:1: stopped");
    rb_coll_free(&c);
}
