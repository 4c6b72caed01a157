/* Rekordbox XML reader: every file in shared/realdata/rekordbox (values
 * checked against the files themselves), plus hostile and broken input made
 * here: entity bombs, external entities, truncation, non-XML, and a generated
 * 50,000-track collection for time and memory. */
#include "tests/unit/unit.h"

#include <locale.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "pkg/key.h"
#include "pkg/location.h"
#include "pkg/rekordbox.h"

/* ---- a collector that copies what the callbacks see ------------------------ */

typedef struct rec {
    char *id, *name, *artist, *genre, *kind, *location, *tonality, *colour, *comments;
    double bpm, total_time;
    long year, rating, size;
    size_t n_tempos, n_marks;
    cs_rb_tempo tempos[4];      /* the first few */
    cs_rb_tempo last_tempo;
    cs_rb_mark marks[16];       /* names copied */
} rec;

typedef struct coll {
    rec *v;
    size_t n, cap;
    char **pl;                  /* "type keytype path|name: k1,k2" */
    size_t n_pl;
    int n_info;
    char product[64], version[64], company[64];
    long entries;
    long stop_after;            /* stop when this many tracks were seen (0 never) */
    int saw_forbidden;          /* passwd content or an expanded entity seen */
} coll;

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void scan(coll *c, const char *s)
{
    if (s && (strstr(s, "root:") || strstr(s, "aaaaaaaaaaaaaaaaaaaa"))) c->saw_forbidden = 1;
}

static int on_info(void *ud, const cs_rb_info *i)
{
    coll *c = ud;
    c->n_info++;
    snprintf(c->product, sizeof c->product, "%s", i->product ? i->product : "(null)");
    snprintf(c->version, sizeof c->version, "%s", i->version ? i->version : "(null)");
    snprintf(c->company, sizeof c->company, "%s", i->company ? i->company : "(null)");
    c->entries = i->entries;
    return 0;
}

static int on_track(void *ud, const cs_rb_track *t)
{
    coll *c = ud;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        if (!c->v) abort();
    }
    rec *r = &c->v[c->n++];
    memset(r, 0, sizeof *r);
    const char *strs[] = { t->track_id, t->name, t->artist, t->album, t->genre, t->kind,
                           t->location, t->tonality, t->composer, t->grouping, t->remixer,
                           t->label, t->mix, t->comments, t->date_added, t->colour };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) scan(c, strs[i]);
    r->id = dup_or_null(t->track_id);
    r->name = dup_or_null(t->name);
    r->artist = dup_or_null(t->artist);
    r->genre = dup_or_null(t->genre);
    r->kind = dup_or_null(t->kind);
    r->location = dup_or_null(t->location);
    r->tonality = dup_or_null(t->tonality);
    r->colour = dup_or_null(t->colour);
    r->comments = dup_or_null(t->comments);
    r->bpm = t->average_bpm;
    r->total_time = t->total_time;
    r->year = t->year;
    r->rating = t->rating;
    r->size = t->size;
    r->n_tempos = t->n_tempos;
    r->n_marks = t->n_marks;
    for (size_t i = 0; i < t->n_tempos && i < 4; i++) r->tempos[i] = t->tempos[i];
    if (t->n_tempos) r->last_tempo = t->tempos[t->n_tempos - 1];
    for (size_t i = 0; i < t->n_marks && i < 16; i++) {
        r->marks[i] = t->marks[i];
        r->marks[i].name = dup_or_null(t->marks[i].name);
    }
    return c->stop_after && (long)c->n >= c->stop_after;
}

static int on_playlist(void *ud, const cs_rb_playlist *p)
{
    coll *c = ud;
    size_t len = strlen(p->path) + strlen(p->name) + 32;
    for (size_t i = 0; i < p->n_keys; i++) len += strlen(p->keys[i]) + 1;
    char *s = malloc(len);
    if (!s) abort();
    int n = snprintf(s, len, "%d %d %s|%s:", p->type, p->key_type, p->path, p->name);
    for (size_t i = 0; i < p->n_keys; i++)
        n += snprintf(s + n, len - (size_t)n, "%s%s", i ? "," : " ", p->keys[i]);
    c->pl = realloc(c->pl, (c->n_pl + 1) * sizeof *c->pl);
    if (!c->pl) abort();
    c->pl[c->n_pl++] = s;
    return 0;
}

static void coll_free(coll *c)
{
    for (size_t i = 0; i < c->n; i++) {
        rec *r = &c->v[i];
        free(r->id); free(r->name); free(r->artist); free(r->genre); free(r->kind);
        free(r->location); free(r->tonality); free(r->colour); free(r->comments);
        for (size_t j = 0; j < r->n_marks && j < 16; j++) free(r->marks[j].name);
    }
    free(c->v);
    for (size_t i = 0; i < c->n_pl; i++) free(c->pl[i]);
    free(c->pl);
    memset(c, 0, sizeof *c);
}

static const rec *find(const coll *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id && strcmp(c->v[i].id, id) == 0) return &c->v[i];
    return NULL;
}

/* Index of the playlist line starting with prefix, or -1. */
static long find_pl(const coll *c, const char *prefix)
{
    for (size_t i = 0; i < c->n_pl; i++)
        if (strncmp(c->pl[i], prefix, strlen(prefix)) == 0) return (long)i;
    return -1;
}

static cs_rb_handler handler_for(coll *c)
{
    return (cs_rb_handler){ .ud = c, .on_info = on_info, .on_track = on_track,
                            .on_playlist = on_playlist };
}

/* Parses realdata/rekordbox/<file>; 0 on success, -1 skipped (no realdata). */
static int parse_real(const char *file, coll *c, cs_rb_stats *st, cs_err *err, int *rc)
{
    const char *dir = unit_realdata();
    if (!dir) { unit_skip("no realdata"); return -1; }
    char path[1024];
    snprintf(path, sizeof path, "%s/rekordbox/%s", dir, file);
    cs_rb_handler h = handler_for(c);
    *rc = cs_rekordbox_parse_file(path, &h, st, err);
    return 0;
}

static int parse_mem(const char *xml, coll *c, cs_rb_stats *st, cs_err *err)
{
    cs_rb_handler h = handler_for(c);
    return cs_rekordbox_parse_memory(xml, strlen(xml), "mem.xml", &h, st, err);
}

static int decoded_equals(const char *location, const char *want)
{
    char *d = cs_location_decode(location);
    int eq = d && strcmp(d, want) == 0;
    free(d);
    return eq;
}

#define PARSE_REAL(file)                                                       \
    coll c = {0};                                                              \
    cs_rb_stats st;                                                            \
    cs_err err = {{0}};                                                        \
    int rc = -1;                                                               \
    if (parse_real(file, &c, &st, &err, &rc) < 0) return;                      \
    if (rc != 0) { unit_fail(__FILE__, __LINE__, "parse failed: %s", err.msg); coll_free(&c); return; }

/* CHECKs return early; these tests free the collector through a wrapper. */
#define REAL_TEST(name, file)                                                  \
    static void name##_body(coll *c, cs_rb_stats *st);                         \
    TEST(name)                                                                 \
    {                                                                          \
        PARSE_REAL(file);                                                      \
        name##_body(&c, &st);                                                  \
        coll_free(&c);                                                         \
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

    const rec *r = find(c, "9618978");
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
    CHECK(decoded_equals(r->location, "/Users/suhaas/Music/NewTDLs/Playlists/"
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
    r = find(c, "145487924");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 644);

    CHECK_EQ_INT(st->playlists, 57);
    CHECK_STR(c->pl[0], "0 0 ROOT|ROOT:");
    CHECK_STR(c->pl[1], "0 0 ROOT/March 2026|March 2026:");
    CHECK_STR(c->pl[2], "1 0 ROOT/March 2026/Test Files|Test Files: "
                        "52366907,211134424,13467202,266709319,87610823");
    CHECK(find_pl(c, "1 0 ROOT/March 2026/D'Monk - Love Or Lust|") >= 0);
    CHECK(find_pl(c, "1 0 ROOT/March 2026/Bits & Pieces - The Isolation EP|") >= 0);
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

    const rec *r = find(c, "63087760");
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

    r = find(c, "15851012");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 13);
    CHECK_EQ_INT(st->playlists, 1);
}

REAL_TEST(pyrekordbox6_windows_ten_tempos, "dylanljones__pyrekordbox__rekordbox6__database.xml")
{
    CHECK_EQ_INT(st->tracks, 6);
    CHECK_EQ_INT(c->entries, 6);
    CHECK_STR(c->version, "6.6.2");
    const rec *r = find(c, "17109519");
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
    CHECK(decoded_equals(r->location, "C:/Music/PioneerDJ/Demo Tracks/Demo Track 2.mp3"));
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
    const rec *r = find(c, "1");
    CHECK(r != NULL);
    CHECK_STR(r->name, "NOISE");
    CHECK_STR(r->tonality, "");
    CHECK(decoded_equals(r->location, "C:/Music/PioneerDJ/Sampler/OSC_SAMPLER/PRESET ONESHOT/NOISE.wav"));
    r = find(c, "5");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 1);
    CHECK_EQ_INT(r->n_marks, 4);
    CHECK_STR(r->marks[1].name, "");
    CHECK_NEAR(r->marks[1].start, 15.025, 1e-9);
    CHECK_EQ_INT(r->marks[1].num, -1);
    CHECK_EQ_INT(r->marks[1].red, -1);
    CHECK_NEAR(r->marks[1].end, -1, 0);
    CHECK_EQ_INT(find(c, "6")->n_tempos, 10);
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
    const rec *r = find(c, "1");
    CHECK(r != NULL);
    CHECK_EQ_INT(r->n_tempos, 0);
    CHECK_EQ_INT(r->n_marks, 0);
    CHECK_NEAR(r->bpm, 140.0, 1e-9);
    CHECK_EQ_INT(r->rating, 255);
    CHECK_EQ_INT(r->year, 2023);
    CHECK_STR(r->comments, "/* Dark */");
    CHECK(r->kind == NULL);
    CHECK(decoded_equals(r->location, "/track1.mp3"));
    CHECK_STR(find(c, "2")->genre, "Hip Hop / R&B");
    static const char *const want[4][2] = { {"1", "7A"}, {"2", "7B"}, {"3", "8A"}, {"4", "4A"} };
    for (int i = 0; i < 4; i++) {
        r = find(c, want[i][0]);
        CHECK(r != NULL);
        CHECK_STR(r->tonality, want[i][1]);
        CHECK_EQ_INT(cs_key_parse(r->tonality), cs_key_parse(want[i][1]));
    }
    CHECK_EQ_INT(cs_key_parse(find(c, "4")->tonality), cs_key_parse("Fm"));
    CHECK_EQ_INT(st->playlists, 3);
    CHECK(find_pl(c, "1 0 ROOT/Genres/Hip Hop|Hip Hop: 2") >= 0);
    CHECK(find_pl(c, "1 0 ROOT/My Tags/Dark|Dark:") >= 0);
    CHECK(find_pl(c, "1 0 ROOT/Dark|Dark:") >= 0);
}

REAL_TEST(montezuma_unencoded_locations, "EXCERPT__Montezuma-69__Test_XML-einlesen__rekordbox.xml")
{
    CHECK_EQ_INT(st->tracks, 44);
    CHECK_EQ_INT(c->entries, 44);
    CHECK_STR(c->company, "Pioneer DJ");
    const rec *r = find(c, "7");
    CHECK(r != NULL);
    CHECK(r->name == NULL && r->kind == NULL && r->tonality == NULL);
    CHECK_NEAR(r->bpm, 0, 0);
    CHECK_EQ_INT(r->n_tempos, 0);
    CHECK(decoded_equals(r->location, "M:/MP3/GENRE/FOX/Ibo - S\xc3\xbc\xc3\x9f" "es Blut.mp3"));
    CHECK(decoded_equals(find(c, "39")->location, "M:/MP3/20200411/Finger & Kadel - Svetlana (Dirty).mp3"));
    CHECK(decoded_equals(find(c, "13")->location, "M:/MP3/DJ-Tipps/Motown/The Spinners - It's A Shame.mp3"));
    CHECK(decoded_equals(find(c, "8657")->location,
                         "M:/VIDEO/DJZone/DATES/2019/09-SEP/12/Classic Videos 2019-09-12/"
                         "Piss Break - Video Mix Wedding Edition Vol.#2 .mp4"));
    CHECK(find(c, "10248") != NULL);
    CHECK_EQ_INT(st->playlists, 4);
    CHECK(find_pl(c, "0 0 ROOT/GENRE|GENRE:") >= 0);
    CHECK(find_pl(c, "1 0 ROOT/GENRE/70er|70er: 38") >= 0);
    CHECK(find_pl(c, "1 0 ROOT/GENRE/2000er|2000er: 41") >= 0);
}

REAL_TEST(deviationist_fmin_variable_tempo, "EXCERPT__deviationist__Rekordbox-playlists-to-m3u__rekordbox.xml")
{
    CHECK_EQ_INT(st->tracks, 11);
    CHECK_EQ_INT(c->entries, 11);
    CHECK_EQ_INT(st->playlists, 0);
    const rec *r = find(c, "180282908");
    CHECK(r != NULL);
    CHECK_STR(r->tonality, "Fmin");
    CHECK_EQ_INT(cs_key_parse(r->tonality), cs_key_parse("4A"));
    CHECK(decoded_equals(r->location, "/Users/roberts/Desktop/Music/House/Shapes - U Never Loved Me "
                                      "(Original Mix) [BMKLTSCH RCRDS].mp3"));
    r = find(c, "194752610");
    CHECK(r != NULL);
    CHECK_NEAR(r->bpm, 134.04, 1e-9);
    CHECK_EQ_INT(r->n_tempos, 26);
    CHECK_NEAR(r->tempos[0].bpm, 134.04, 1e-9);
    CHECK_NEAR(r->tempos[1].bpm, 134.06, 1e-9);
    CHECK_NEAR(r->tempos[2].bpm, 134.27, 1e-9);
    CHECK_NEAR(r->last_tempo.bpm, 135.65, 1e-9);
    CHECK_EQ_INT(find(c, "157376224")->n_tempos, 110);
    r = find(c, "224668838");
    CHECK(r != NULL);
    CHECK_NEAR(r->bpm, 0, 0);
    CHECK_EQ_INT(r->n_tempos, 0);
    CHECK_STR(find(c, "238663426")->name, "& me 2");
    CHECK(decoded_equals(find(c, "238663426")->location,
                         "/Users/roberts/Desktop/Music/Garage/b0n - POLLEN #4 - b0n - 04 b0n - & me 2.aiff"));
    CHECK(decoded_equals(find(c, "58117758")->location,
                         "/Users/roberts/Desktop/Music/EDM/ELLINE - Smoke + Mirrors (Aiden Lewis Remix).mp3"));
    CHECK(decoded_equals(find(c, "246685084")->location,
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
    cs_err err = {{0}};
    CHECK_EQ_INT(parse_mem(full_track, &c, &st, &err), 0);
    CHECK_EQ_INT(st.tracks, 1);
    const rec *r = find(&c, "42");
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
    coll_free(&c);
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
    cs_err err = {{0}};
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
    cs_err err = {{0}};
    const char *xml = "<DJ_PLAYLISTS><COLLECTION><TRACK TrackID=\"1\" AverageBpm=\"122.75\">"
                      "<TEMPO Inizio=\"0.125\" Bpm=\"122.75\" Metro=\"4/4\" Battito=\"1\"/>"
                      "</TRACK></COLLECTION></DJ_PLAYLISTS>";
    int rc = parse_mem(xml, &c, &st, &err);
    setlocale(LC_NUMERIC, "C");
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(c.n, 1);
    CHECK_NEAR(c.v[0].bpm, 122.75, 0);
    CHECK_NEAR(c.v[0].tempos[0].inizio, 0.125, 0);
    CHECK_EQ_INT(c.entries, -1);
    coll_free(&c);
}

TEST(callback_can_stop)
{
    coll c = { .stop_after = 2 };
    cs_rb_stats st;
    cs_err err = {{0}};
    const char *xml = "<DJ_PLAYLISTS><COLLECTION><TRACK TrackID=\"1\"/><TRACK TrackID=\"2\"/>"
                      "<TRACK TrackID=\"3\"/></COLLECTION></DJ_PLAYLISTS>";
    CHECK_EQ_INT(parse_mem(xml, &c, &st, &err), -1);
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_INT(st.tracks, 2);
    CHECK_STR(err.msg, "mem.xml:1: stopped");
    coll_free(&c);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Ten levels of ten: 10^10 bytes if anything expanded it. */
static const char *const bomb_dtd =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE DJ_PLAYLISTS [\n"
    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
    "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n"
    "<!ENTITY j \"&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;\">\n"
    "]>\n";

static void run_bomb(const char *body, int expect_rc)
{
    char xml[4096];
    snprintf(xml, sizeof xml, "%s%s", bomb_dtd, body);
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {{0}};
    double t0 = now_seconds();
    int rc = parse_mem(xml, &c, &st, &err);
    double dt = now_seconds() - t0;
    int forbidden = c.saw_forbidden;
    coll_free(&c);
    CHECK(dt < 2.0);
    CHECK(!forbidden);
    CHECK_EQ_INT(rc, expect_rc);
    if (rc < 0) CHECK(strncmp(err.msg, "mem.xml:", 8) == 0);
}

TEST(billion_laughs_in_attribute)
{
    run_bomb("<DJ_PLAYLISTS><COLLECTION><TRACK TrackID=\"1\" Name=\"&j;\"/></COLLECTION></DJ_PLAYLISTS>\n", -1);
}

TEST(billion_laughs_in_content)
{
    run_bomb("<DJ_PLAYLISTS><COLLECTION><TRACK TrackID=\"1\">&j;</TRACK></COLLECTION></DJ_PLAYLISTS>\n", -1);
}

TEST(external_entity_in_attribute_never_loaded)
{
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE DJ_PLAYLISTS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        "<DJ_PLAYLISTS><COLLECTION>\n"
        "<TRACK TrackID=\"1\" Name=\"&x;\" Location=\"&x;\"/>\n"
        "</COLLECTION></DJ_PLAYLISTS>\n";
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {{0}};
    int rc = parse_mem(xml, &c, &st, &err);
    int forbidden = c.saw_forbidden;
    coll_free(&c);
    CHECK(!forbidden);
    CHECK_EQ_INT(rc, -1);
    CHECK(strstr(err.msg, "mem.xml:4: ") == err.msg);
    CHECK(strstr(err.msg, "root:") == NULL);
}

TEST(external_entities_elsewhere_are_ignored)
{
    /* In content, as a parameter entity, and as an external DTD: none loads,
     * the tracks still arrive, and an internal entity in an attribute is
     * dropped rather than expanded. */
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE DJ_PLAYLISTS SYSTEM \"file:///etc/passwd\" [\n"
        "<!ENTITY x SYSTEM \"file:///etc/passwd\">\n"
        "<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;\n"
        "<!ENTITY y \"internal\">\n"
        "]>\n"
        "<DJ_PLAYLISTS><COLLECTION Entries=\"2\">\n"
        "<TRACK TrackID=\"1\" Name=\"&y;\" Location=\"file://localhost/a.mp3\">&x;</TRACK>\n"
        "<TRACK TrackID=\"2\" Name=\"plain\"/>\n"
        "</COLLECTION></DJ_PLAYLISTS>\n";
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {{0}};
    int rc = parse_mem(xml, &c, &st, &err);
    int forbidden = c.saw_forbidden;
    size_t n = c.n;
    int name_dropped = n >= 1 && c.v[0].name == NULL;
    coll_free(&c);
    CHECK(!forbidden);
    if (rc != 0) { unit_fail(__FILE__, __LINE__, "rc %d: %s", rc, err.msg); return; }
    CHECK_EQ_INT(n, 2);
    CHECK(name_dropped);
    CHECK(st.warnings >= 2);
}

/* Writes len bytes of data to a file in the test's temporary directory. */
static const char *write_tmp(const char *name, const char *data, size_t len)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", unit_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    if (len && fwrite(data, 1, len, f) != len) { fclose(f); return NULL; }
    fclose(f);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = '\0'; *len = (size_t)n; }
    return buf;
}

TEST(truncated_real_file_keeps_earlier_tracks)
{
    const char *dir = unit_realdata();
    if (!dir) { unit_skip("no realdata"); return; }
    char src[1024];
    snprintf(src, sizeof src, "%s/rekordbox/interfluve-wav__rekordbox-smart-mcp__rekordbox.xml", dir);
    size_t len = 0;
    char *data = slurp(src, &len);
    CHECK(data != NULL);
    /* Cut in the middle of the collection, and count whole lines up to the cut. */
    size_t cut = len / 2, lines = 1;
    for (size_t i = 0; i < cut; i++) lines += data[i] == '\n';
    const char *path = write_tmp("truncated.xml", data, cut);
    free(data);
    CHECK(path != NULL);
    coll c = {0};
    cs_rb_stats st;
    cs_err err = {{0}};
    cs_rb_handler h = handler_for(&c);
    int rc = cs_rekordbox_parse_file(path, &h, &st, &err);
    size_t n = c.n;
    coll_free(&c);
    CHECK_EQ_INT(rc, -1);
    CHECK(n > 100 && n < 473);
    CHECK_EQ_INT(st.tracks, n);
    char want[1100];
    snprintf(want, sizeof want, "%s:%zu: ", path, lines);
    if (strncmp(err.msg, want, strlen(want)) != 0) {
        unit_fail(__FILE__, __LINE__, "err \"%s\", expected it to start \"%s\"", err.msg, want);
        return;
    }
}

TEST(truncated_and_malformed_memory)
{
    static const struct { const char *xml; const char *prefix; long tracks; } cases[] = {
        { "<DJ_PLAYLISTS>\n<COLLECTION>\n<TRACK TrackID=\"1\"/>\n<TRACK TrackID=\"2\"", "mem.xml:4: ", 1 },
        { "<DJ_PLAYLISTS><COLLECTION><TRACK TrackID=\"1\"></COLLECTION></DJ_PLAYLISTS>", "mem.xml:1: ", 0 },
        { "<DJ_PLAYLISTS>\n<COLLECTION>\n<TRACK TrackID=\"1\" TrackID=\"2\"/>", "mem.xml:3: ", 0 },
        { "<DJ_PLAYLISTS>\n<COLLECTION>\n<TRACK TrackID=\"1\">\n<TEMPO Bpm=\"1\"", "mem.xml:4: ", 0 },
        { "<foo/>", "mem.xml:1: not a Rekordbox XML file: root element is foo", 0 },
        { "{\"not\": \"xml\"}", "mem.xml:1: ", 0 },
        { "   ", "mem.xml:1: ", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        coll c = {0};
        cs_rb_stats st;
        cs_err err = {{0}};
        int rc = parse_mem(cases[i].xml, &c, &st, &err);
        size_t n = c.n;
        coll_free(&c);
        if (rc != -1 || (long)n != cases[i].tracks ||
            strncmp(err.msg, cases[i].prefix, strlen(cases[i].prefix)) != 0) {
            unit_fail(__FILE__, __LINE__, "case %zu: rc %d, %zu tracks, err \"%s\"", i, rc, n, err.msg);
            return;
        }
    }
}

TEST(empty_missing_directory_not_xml_files)
{
    cs_rb_stats st;
    cs_err err = {{0}};
    cs_rb_handler h = {0};
    char want[1200];

    const char *path = write_tmp("empty.xml", "", 0);
    CHECK(path != NULL);
    CHECK_EQ_INT(cs_rekordbox_parse_file(path, &h, &st, &err), -1);
    snprintf(want, sizeof want, "%s: empty file", path);
    CHECK_STR(err.msg, want);

    path = write_tmp("notxml.xml", "ID3\x03\x00\x00\x00\x00\x00\x00\xff\xfb garbage\n", 20);
    CHECK(path != NULL);
    CHECK_EQ_INT(cs_rekordbox_parse_file(path, &h, &st, &err), -1);
    snprintf(want, sizeof want, "%s:1: ", path);
    CHECK(strncmp(err.msg, want, strlen(want)) == 0);

    snprintf(want, sizeof want, "%s/does-not-exist.xml", unit_tmpdir());
    CHECK_EQ_INT(cs_rekordbox_parse_file(want, &h, &st, &err), -1);
    strcat(want, ": No such file or directory");
    CHECK_STR(err.msg, want);

    CHECK_EQ_INT(cs_rekordbox_parse_file(unit_tmpdir(), &h, &st, &err), -1);
    snprintf(want, sizeof want, "%s: Is a directory", unit_tmpdir());
    CHECK_STR(err.msg, want);

    CHECK_EQ_INT(cs_rekordbox_parse_memory("", 0, "m.xml", &h, &st, &err), -1);
    CHECK_STR(err.msg, "m.xml: empty file");
}

/* ---- 50,000 tracks: streaming keeps time and memory small ------------------------ */

static int count_track(void *ud, const cs_rb_track *t)
{
    long *n = ud;
    if (t->n_tempos == 1 && t->n_marks == 2 && t->average_bpm > 0) (*n)++;
    return 0;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

TEST(fifty_thousand_tracks)
{
    enum { N = 50000 };
    char path[1024];
    snprintf(path, sizeof path, "%s/big.xml", unit_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DJ_PLAYLISTS Version=\"1.0.0\">\n"
               "  <PRODUCT Name=\"rekordbox\" Version=\"6.8.5\" Company=\"AlphaTheta\"/>\n"
               "  <COLLECTION Entries=\"%d\">\n", N);
    for (int i = 1; i <= N; i++) {
        fprintf(f, "    <TRACK TrackID=\"%d\" Name=\"Track %d (Extended Mix)\" Artist=\"Artist %d\" "
                   "Composer=\"\" Album=\"Album %d\" Grouping=\"\" Genre=\"House\" Kind=\"MP3 File\" "
                   "Size=\"%d\" TotalTime=\"%d\" DiscNumber=\"0\" TrackNumber=\"%d\" Year=\"2020\" "
                   "AverageBpm=\"%d.00\" DateAdded=\"2022-04-09\" BitRate=\"320\" SampleRate=\"44100\" "
                   "Comments=\"\" PlayCount=\"0\" Rating=\"0\" Location=\"file://localhost/Users/dj/"
                   "Music/Artist%%20%d/Album%%20%d/Track%%20%d%%20(Extended%%20Mix).mp3\" Remixer=\"\" "
                   "Tonality=\"%dA\" Label=\"Label\" Mix=\"\">\n",
                i, i, i % 977, i % 311, 5000000 + i, 200 + i % 300, i % 20, 100 + i % 40,
                i % 977, i % 311, i, 1 + i % 12);
        fprintf(f, "      <TEMPO Inizio=\"0.%03d\" Bpm=\"%d.00\" Metro=\"4/4\" Battito=\"1\"/>\n"
                   "      <POSITION_MARK Name=\"\" Type=\"0\" Start=\"0.%03d\" Num=\"-1\"/>\n"
                   "      <POSITION_MARK Name=\"Drop\" Type=\"0\" Start=\"%d.5\" Num=\"0\" "
                   "Red=\"40\" Green=\"226\" Blue=\"20\"/>\n    </TRACK>\n",
                i % 1000, 100 + i % 40, i % 1000, 30 + i % 60);
    }
    fprintf(f, "  </COLLECTION>\n</DJ_PLAYLISTS>\n");
    long size = ftell(f);
    fclose(f);

    long good = 0, rss0 = max_rss_kb();
    cs_rb_handler h = { .ud = &good, .on_track = count_track };
    cs_rb_stats st;
    cs_err err = {{0}};
    double t0 = now_seconds();
    int rc = cs_rekordbox_parse_file(path, &h, &st, &err);
    double dt = now_seconds() - t0;
    long rss1 = max_rss_kb();
    remove(path);
    printf("INFO test_rekordbox.c:fifty_thousand_tracks: %.1f MB in %.3f s, max RSS %ld -> %ld KB\n",
           size / 1e6, dt, rss0, rss1);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(st.tracks, N);
    CHECK_EQ_INT(good, N);
    CHECK_EQ_INT(st.warnings, 0);
#if !defined(__SANITIZE_ADDRESS__)
    /* Sanitizer builds quarantine freed memory, so only plain builds can
     * hold the reader to its budget (not under valgrind either, which sets
     * CS_VALGRIND: scripts/valgrind.sh).  Under qemu-user (CS_EMULATED:
     * scripts/check-arm64.sh) only the wall-clock second is relaxed, 40x:
     * emulation is ~10x slower and measured 12.6 s on 2 cores loaded by
     * other builds; the memory bound holds there as it is (qemu's RSS
     * holds the guest's). */
    if (!getenv("CS_VALGRIND")) {
        CHECK(dt < (getenv("CS_EMULATED") ? 40.0 : 1.0));
        CHECK(rss1 < 64 * 1024);
    }
#endif
}
