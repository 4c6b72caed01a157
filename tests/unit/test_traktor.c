/* Traktor collection.nml reader (pkg/traktor.c): fields, units (START in
 * milliseconds), key numbering, grid markers, cues and loops, playlists,
 * LOCATION paths, and hostile input (entities, external entities, paths
 * that climb out, truncation, wrong root). */
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/traktor.h"
#include "tests/unit/rb_collect.h"
#include "pkg/traktor_test.h"

/* The shape of dj-data-converter's test-resources/collection.nml (commit
 * a0edb2e), trimmed, plus a second grid marker, a loop and a playlist. */
static const char nml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n"
    "<NML VERSION=\"19\"><HEAD COMPANY=\"www.native-instruments.com\" PROGRAM=\"Traktor\"></HEAD>\n"
    "<MUSICFOLDERS></MUSICFOLDERS>\n"
    "<COLLECTION ENTRIES=\"3\">\n"
    "<ENTRY MODIFIED_DATE=\"2019/1/9\" TITLE=\"Kolibri &amp; Co\" ARTIST=\"Bes\">\n"
    "<LOCATION DIR=\"/:Music/:Collections/:\" FILE=\"kolibri.mp3\" VOLUME=\"D:\" VOLUMEID=\"00f95451\"></LOCATION>\n"
    "<ALBUM TRACK=\"1\" TITLE=\"Birds\"></ALBUM>\n"
    "<MODIFICATION_INFO AUTHOR_TYPE=\"user\"></MODIFICATION_INFO>\n"
    "<INFO BITRATE=\"320000\" GENRE=\"House\" KEY=\"2d\" PLAYTIME=\"465\" PLAYTIME_FLOAT=\"465.084076\"></INFO>\n"
    "<TEMPO BPM=\"111.999931\" BPM_QUALITY=\"100.000000\"></TEMPO>\n"
    "<LOUDNESS PEAK_DB=\"-0.5\"></LOUDNESS>\n"
    "<MUSICAL_KEY VALUE=\"7\"></MUSICAL_KEY>\n"
    "<CUE_V2 NAME=\"Beat Marker\" DISPL_ORDER=\"0\" TYPE=\"4\" START=\"60129.328000\" LEN=\"0.000000\" REPEATS=\"-1\" HOTCUE=\"-1\"></CUE_V2>\n"
    "<CUE_V2 NAME=\"AutoGrid\" DISPL_ORDER=\"0\" TYPE=\"4\" START=\"129.328000\" LEN=\"0.000000\" REPEATS=\"-1\" HOTCUE=\"0\"><GRID BPM=\"112.000000\"></GRID></CUE_V2>\n"
    "<CUE_V2 NAME=\"n.n.\" DISPL_ORDER=\"0\" TYPE=\"0\" START=\"17271.201000\" LEN=\"0.000000\" REPEATS=\"-1\" HOTCUE=\"-1\"></CUE_V2>\n"
    "<CUE_V2 NAME=\"Drop\" DISPL_ORDER=\"0\" TYPE=\"0\" START=\"34414.069000\" LEN=\"0.000000\" REPEATS=\"-1\" HOTCUE=\"2\"></CUE_V2>\n"
    "<CUE_V2 NAME=\"Loop\" DISPL_ORDER=\"0\" TYPE=\"5\" START=\"51556.936000\" LEN=\"17142.867653\" REPEATS=\"-1\" HOTCUE=\"3\"></CUE_V2>\n"
    "</ENTRY>\n"
    "<ENTRY TITLE=\"Mac\" ARTIST=\"A\"><LOCATION DIR=\"/:Users/:dj/:Music/:\" FILE=\"x y.flac\" VOLUME=\"Macintosh HD\"></LOCATION>\n"
    "<INFO KEY=\"10m\"></INFO><TEMPO BPM=\"124.5\"></TEMPO><MUSICAL_KEY VALUE=\"21\"></MUSICAL_KEY></ENTRY>\n"
    "<ENTRY TITLE=\"No grid\"><LOCATION DIR=\"/:\" FILE=\"z.wav\" VOLUME=\"\"></LOCATION><INFO KEY=\"8A\"></INFO></ENTRY>\n"
    "</COLLECTION>\n"
    "<SETS ENTRIES=\"0\"></SETS>\n"
    "<PLAYLISTS><NODE TYPE=\"FOLDER\" NAME=\"$ROOT\"><SUBNODES COUNT=\"3\">\n"
    "<NODE TYPE=\"PLAYLIST\" NAME=\"Warmup\"><PLAYLIST ENTRIES=\"2\" TYPE=\"LIST\" UUID=\"u1\">\n"
    "<ENTRY><PRIMARYKEY TYPE=\"TRACK\" KEY=\"Macintosh HD/:Users/:dj/:Music/:x y.flac\"></PRIMARYKEY></ENTRY>\n"
    "<ENTRY><PRIMARYKEY TYPE=\"TRACK\" KEY=\"D:/:Music/:Collections/:kolibri.mp3\"></PRIMARYKEY></ENTRY>\n"
    "</PLAYLIST></NODE>\n"
    "<NODE TYPE=\"SMARTLIST\" NAME=\"Smart\"><SMARTLIST UUID=\"u2\"><SEARCH_EXPRESSION VERSION=\"1\" QUERY=\"$RATING &gt; 3\"></SEARCH_EXPRESSION></SMARTLIST></NODE>\n"
    "<NODE TYPE=\"FOLDER\" NAME=\"Gigs\"><SUBNODES COUNT=\"1\"><NODE TYPE=\"PLAYLIST\" NAME=\"Club\"><PLAYLIST ENTRIES=\"1\" TYPE=\"LIST\">"
    "<ENTRY><PRIMARYKEY TYPE=\"TRACK\" KEY=\"/:z.wav\"></PRIMARYKEY></ENTRY></PLAYLIST></NODE></SUBNODES></NODE>\n"
    "</SUBNODES></NODE></PLAYLISTS>\n"
    "</NML>\n";

static int parse(const char *xml, coll *c, cs_rb_stats *st, cs_err *err)
{
    cs_rb_handler h = rb_handler_for(c);
    return cs_traktor_parse_memory(xml, strlen(xml), "mem.nml", &h, st, err);
}

TEST(entry_fields_and_units)
{
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    CHECK_EQ_INT(parse(nml, &c, &st, &err), 0);
    CHECK_EQ_INT((int)c.n, 3);
    CHECK_STR(c.product, "Traktor");
    CHECK_EQ_INT((int)c.entries, 3);
    const rec *r = rb_find(&c, "D:/:Music/:Collections/:kolibri.mp3");
    CHECK(r != NULL);
    if (!r) { rb_coll_free(&c); return; }
    CHECK_STR(r->name, "Kolibri & Co");
    CHECK_STR(r->artist, "Bes");
    CHECK_STR(r->album, "Birds");
    CHECK_STR(r->genre, "House");
    CHECK_STR(r->path, "D:/Music/Collections/kolibri.mp3");
    CHECK_STR(r->location, "D:/:Music/:Collections/:kolibri.mp3");
    CHECK_NEAR(r->bpm, 111.999931, 1e-9);
    CHECK_NEAR(r->total_time, 465.084076, 1e-9);
    CHECK_STR(r->tonality, "G");            /* MUSICAL_KEY 7 = G major = INFO KEY 2d */
    /* two grid markers, sorted, in seconds; the AutoGrid's GRID BPM */
    CHECK_EQ_INT((int)r->n_tempos, 2);
    CHECK_NEAR(r->tempos[0].inizio, 0.129328, 1e-12);
    CHECK_NEAR(r->tempos[0].bpm, 112.0, 1e-12);
    CHECK_EQ_INT(r->tempos[0].battito, 1);
    CHECK_STR(r->tempos[0].metro, "4/4");
    CHECK_NEAR(r->tempos[1].inizio, 60.129328, 1e-12);
    CHECK_NEAR(r->tempos[1].bpm, 111.999931, 1e-12);
    /* cue (memory, "n.n." = no name), hot cue 2, loop 32 beats */
    CHECK_EQ_INT((int)r->n_marks, 3);
    CHECK_EQ_INT(r->marks[0].type, 0);
    CHECK_EQ_INT(r->marks[0].num, -1);
    CHECK(r->marks[0].name == NULL);
    CHECK_NEAR(r->marks[0].start, 17.271201, 1e-12);
    CHECK(r->marks[0].end < 0);
    CHECK_EQ_INT(r->marks[1].num, 2);
    CHECK_STR(r->marks[1].name, "Drop");
    CHECK_EQ_INT(r->marks[2].type, 4);
    CHECK_NEAR(r->marks[2].end - r->marks[2].start, 17.142867653, 1e-9);

    r = rb_find(&c, "Macintosh HD/:Users/:dj/:Music/:x y.flac");
    CHECK(r && r->path && strcmp(r->path, "/Volumes/Macintosh HD/Users/dj/Music/x y.flac") == 0);
    CHECK(r && r->tonality && strcmp(r->tonality, "Am") == 0);   /* 21 = 12 + 9: A minor */
    r = rb_find(&c, "/:z.wav");
    CHECK(r && r->path && strcmp(r->path, "/z.wav") == 0);
    CHECK(r && r->tonality && strcmp(r->tonality, "8A") == 0);   /* INFO KEY as written */
    CHECK(r && r->n_tempos == 0 && r->bpm == 0);
    rb_coll_free(&c);
}

TEST(playlists_in_order_smartlists_skipped)
{
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    CHECK_EQ_INT(parse(nml, &c, &st, &err), 0);
    CHECK(rb_find_pl(&c, "0 0 ROOT|ROOT:") >= 0);
    CHECK(rb_find_pl(&c, "1 0 ROOT/Warmup|Warmup: Macintosh HD/:Users/:dj/:Music/:x y.flac,"
                         "D:/:Music/:Collections/:kolibri.mp3") >= 0);
    CHECK(rb_find_pl(&c, "0 0 ROOT/Gigs|Gigs:") >= 0);
    CHECK(rb_find_pl(&c, "1 0 ROOT/Gigs/Club|Club: /:z.wav") >= 0);
    CHECK(rb_find_pl(&c, "1 0 ROOT/Smart") < 0);
    CHECK_EQ_INT((int)st.playlists, 2);
    CHECK(st.warnings >= 1);
    rb_coll_free(&c);
}

TEST(location_paths)
{
    char *p = cs_traktor_path("C:", "/:Users/:me/:Music/:", "a.mp3");
    CHECK_STR(p, "C:/Users/me/Music/a.mp3");
    free(p);
    p = cs_traktor_path("", "/:home/:dj/:", "b.wav");
    CHECK_STR(p, "/home/dj/b.wav");
    free(p);
    p = cs_traktor_path("Ext", "/:", "c.wav");
    CHECK_STR(p, "/Volumes/Ext/c.wav");
    free(p);
    errno = 0;
    CHECK(cs_traktor_path("", "/:music/:../:../:etc/:", "passwd") == NULL && errno == EINVAL);
    CHECK(cs_traktor_path("", "/:a/:", "..") == NULL);
    CHECK(cs_traktor_path("", "/:a/:", "../x") == NULL);
    CHECK(cs_traktor_path("", "/:a/:", "") == NULL);
    p = cs_traktor_path("", "/:a..b/:", "x..y.mp3");   /* dots inside names are fine */
    CHECK_STR(p, "/a..b/x..y.mp3");
    free(p);
}

TEST(hostile_path_warns_and_keeps_the_rest)
{
    const char *x =
        "<NML VERSION=\"19\"><COLLECTION ENTRIES=\"2\">"
        "<ENTRY TITLE=\"evil\"><LOCATION DIR=\"/:m/:../:../:etc/:\" FILE=\"passwd\" VOLUME=\"\"/>"
        "<TEMPO BPM=\"120\"/></ENTRY>"
        "<ENTRY TITLE=\"good\"><LOCATION DIR=\"/:m/:\" FILE=\"g.wav\" VOLUME=\"\"/><TEMPO BPM=\"120\"/></ENTRY>"
        "</COLLECTION></NML>";
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    CHECK_EQ_INT(parse(x, &c, &st, &err), 0);
    CHECK_EQ_INT((int)c.n, 2);
    CHECK(c.n == 2 && c.v[0].path == NULL && c.v[0].bpm == 120 && c.v[0].path_only);
    CHECK(c.n == 2 && c.v[1].path && strcmp(c.v[1].path, "/m/g.wav") == 0);
    CHECK(st.warnings >= 1);
    rb_coll_free(&c);
}

TEST(entities_and_external_entities)
{
    const char *bomb =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE NML [\n"
        "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
        "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
        "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
        "<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n"
        "<NML><COLLECTION><ENTRY TITLE=\"&g;\" ARTIST=\"&x;\"><TEMPO BPM=\"120\"/></ENTRY>"
        "<ENTRY TITLE=\"ok\"><TEMPO BPM=\"121\"/></ENTRY></COLLECTION></NML>";
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    int rc = parse(bomb, &c, &st, &err);
    CHECK(!c.saw_forbidden);
    /* either refused as a whole (an error naming the file) or read without
     * the entity values */
    if (rc < 0) CHECK(strncmp(err.msg, "mem.nml", 7) == 0);
    else CHECK(c.n == 2 && c.v[0].name == NULL && c.v[1].bpm == 121);
    rb_coll_free(&c);
}

TEST(truncated_and_wrong_root)
{
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    /* cut inside the third ENTRY: the first two were delivered */
    const char *cut = strstr(nml, "<ENTRY TITLE=\"No grid\"") + 20;
    cs_rb_handler h = rb_handler_for(&c);
    CHECK_EQ_INT(cs_traktor_parse_memory(nml, (size_t)(cut - nml), "cut.nml", &h, &st, &err), -1);
    CHECK_EQ_INT((int)c.n, 2);
    CHECK(strncmp(err.msg, "cut.nml:", 8) == 0);
    rb_coll_free(&c);
    CHECK_EQ_INT(parse("<DJ_PLAYLISTS/>", &c, &st, &err), -1);
    CHECK(strstr(err.msg, "not a Traktor NML file") != NULL);
    rb_coll_free(&c);
    CHECK_EQ_INT(parse("not xml at all", &c, &st, &err), -1);
    rb_coll_free(&c);
}

TEST(bad_numbers_are_warnings)
{
    const char *x =
        "<NML><COLLECTION><ENTRY TITLE=\"t\"><TEMPO BPM=\"fast\"/><MUSICAL_KEY VALUE=\"99\"/>"
        "<CUE_V2 TYPE=\"4\" START=\"nan\"/><CUE_V2 TYPE=\"4\" START=\"100\"/><CUE_V2 TYPE=\"9\" START=\"5\"/>"
        "<CUE_V2 TYPE=\"0\"/></ENTRY></COLLECTION></NML>";
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {0};
    CHECK_EQ_INT(parse(x, &c, &st, &err), 0);
    CHECK(c.n == 1 && c.v[0].bpm == 0 && c.v[0].tonality == NULL && c.v[0].n_tempos == 0 &&
          c.v[0].n_marks == 0);
    CHECK(st.warnings >= 5);
    rb_coll_free(&c);
}

TEST(missing_file)
{
    cs_err err = {0};
    CHECK_EQ_INT(cs_traktor_parse_file("/nonexistent/collection.nml", NULL, NULL, &err), CS_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent/collection.nml: No such file") != NULL);
}
