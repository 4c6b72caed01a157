/* Issue 10, "Text files and names from other tools": every text input read
 * through pkg/textfile as if a UTF-8 byte order mark and CRLF line ends were
 * not there (Windows editors, spreadsheets, Python's csv module). */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "pkg/allin1.h"
#include "pkg/ladderset.h"
#include "pkg/location.h"
#include "pkg/rekordbox.h"
#include "pkg/textfile.h"

static const char *write_file(const char *name, const char *data, size_t len)
{
    static char path[4][1024];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", unit_tmpdir(), name);
    FILE *f = fopen(p, "wb");
    if (!f) return NULL;
    fwrite(data, 1, len, f);
    fclose(f);
    return p;
}

TEST(bom_and_crlf_removed)
{
    static const char text[] = "\xEF\xBB\xBF" "a,b\r\n1,2\r\n\r\nlast\rold mac\n";
    const char *p = write_file("t.txt", text, sizeof text - 1);
    cs_err e = {0};
    size_t len = 0;
    char *got = cs_text_load(p, CS_TEXT_NO_LIMIT, &len, &e);
    CHECK(got != NULL);
    CHECK_STR(got, "a,b\n1,2\n\nlast\nold mac\n");
    CHECK_EQ_INT((long)len, (long)strlen("a,b\n1,2\n\nlast\nold mac\n"));
    free(got);
    /* A mark that is not at the start is data, and stays. */
    char mid[] = "x\xEF\xBB\xBFy";
    CHECK_EQ_INT((long)cs_text_normalize(mid, sizeof mid - 1), 5);
    CHECK_STR(mid, "x\xEF\xBB\xBFy");
}

TEST(utf16_and_limits_refused_by_name)
{
    static const char u16[] = "\xFF\xFE{\0}\0";
    const char *p = write_file("u16.json", u16, sizeof u16 - 1);
    cs_err e = {0};
    CHECK(cs_text_load(p, CS_TEXT_NO_LIMIT, NULL, &e) == NULL);
    CHECK(strstr(e.msg, p) == e.msg && strstr(e.msg, "UTF-16"));
    p = write_file("big.txt", "0123456789", 10);
    CHECK(cs_text_load(p, 9, NULL, &e) == NULL);
    CHECK(strstr(e.msg, "too large"));
    char *ok = cs_text_load(p, 10, NULL, &e);
    CHECK(ok && !strcmp(ok, "0123456789"));
    free(ok);
}

/* An allin1 struct saved by a Windows editor: BOM + CRLF. */
TEST(allin1_json_with_bom_and_crlf)
{
    static const char json[] =
        "\xEF\xBB\xBF{\r\n  \"path\": \"/m/a.wav\",\r\n  \"bpm\": 122,\r\n"
        "  \"beats\": [0.5, 1.0, 1.5],\r\n  \"downbeats\": [0.5],\r\n"
        "  \"beat_positions\": [1, 2, 3],\r\n"
        "  \"segments\": [{\"start\": 0, \"end\": 8, \"label\": \"intro\"}]\r\n}\r\n";
    const char *p = write_file("a.json", json, sizeof json - 1);
    cs_struct s;
    cs_err e = {0};
    if (cs_allin1_load(p, &s, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
    CHECK_STR(s.path, "/m/a.wav");
    CHECK_NEAR(s.bpm, 122.0, 1e-9);
    CHECK_EQ_INT((long)s.beats.n, 3);
    CHECK_EQ_INT((long)s.segments.n, 1);
    cs_struct_free(&s);
}

/* The export CSV as Excel saves it: BOM, CRLF, a quoted field. */
TEST(export_csv_with_bom_and_crlf)
{
    static const char csv[] =
        "\xEF\xBB\xBFpath,bpm,target_bpm,part_file\r\n"
        "\"/m/a, b.wav\",120,122,parts/a_sectioned.wav\r\n"
        "/m/c.wav,124,122,parts/c_sectioned.wav\r\n";
    const char *p = write_file("set.csv", csv, sizeof csv - 1);
    cs_lset set = {0};
    cs_err e = {0};
    if (cs_lset_read_csv_parts(p, NULL, &set, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
    CHECK_EQ_INT((long)set.n, 2);
    CHECK_STR(set.tracks[0].path, "/m/a, b.wav");
    CHECK_NEAR(set.tracks[1].bpm, 124.0, 1e-9);
    CHECK(strstr(set.tracks[1].rungs[0].path, "parts/c_sectioned.wav") != NULL);
    CHECK(strchr(set.tracks[1].rungs[0].path, '\r') == NULL);
    cs_lset_free(&set);
}

/* Rekordbox XML is read by libxml2, which already honours a BOM and
 * normalises XML line ends; checked here so that every text input of the
 * issue has its case (passes before and after the shared reader). */
static int rb_seen_track(void *ud, const cs_rb_track *t)
{
    char *loc = cs_location_decode(t->location);
    if (loc && !strcmp(loc, "/m/a b.wav")) ++*(int *)ud;
    free(loc);
    return 0;
}

TEST(rekordbox_xml_with_bom_and_crlf)
{
    static const char xml[] =
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<DJ_PLAYLISTS Version=\"1.0.0\">\r\n"
        "<COLLECTION Entries=\"1\">\r\n<TRACK TrackID=\"1\" Name=\"a\" Location=\"file://localhost/m/a%20b.wav\"/>\r\n"
        "</COLLECTION>\r\n<PLAYLISTS><NODE Type=\"0\" Name=\"ROOT\" Count=\"1\">\r\n"
        "<NODE Name=\"p\" Type=\"1\" KeyType=\"0\" Entries=\"1\"><TRACK Key=\"1\"/></NODE></NODE></PLAYLISTS>\r\n"
        "</DJ_PLAYLISTS>\r\n";
    const char *p = write_file("rb.xml", xml, sizeof xml - 1);
    int seen = 0;
    cs_rb_handler h = { .ud = &seen, .on_track = rb_seen_track };
    cs_rb_stats st;
    cs_err e = {0};
    if (cs_rekordbox_parse_file(p, &h, &st, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
    CHECK_EQ_INT(seen, 1);
    CHECK_EQ_INT(st.playlists, 1);
}
