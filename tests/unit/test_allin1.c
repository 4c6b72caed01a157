#include "tests/unit/unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "pkg/allin1.h"

/* ---- helpers ------------------------------------------------------------- */

static const char *real(const char *name)
{
    static char buf[1024];
    const char *dir = unit_realdata();
    if (!dir) return NULL;
    snprintf(buf, sizeof buf, "%s/allin1/%s", dir, name);
    return buf;
}

static char *slurp(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    if (b) b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int parse(const char *text, cs_struct *s, cs_err *e)
{
    return cs_allin1_parse(text, strlen(text), "t.json", s, e);
}

/* Parses text expecting failure; checks the reason names the file and
 * contains `why`. */
#define CHECK_REJECT(text, why)                                                \
    do {                                                                       \
        cs_struct _s;                                                          \
        cs_err _e = {0};                                                     \
        CHECK(parse((text), &_s, &_e) < 0);                                    \
        CHECK_EQ_INT(_e.code, CS_ERR_FORMAT);                                  \
        CHECK(strncmp(_e.msg, "t.json: ", 8) == 0);                            \
        if (!strstr(_e.msg, (why))) {                                          \
            unit_fail(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"", _e.msg, (why)); \
            return;                                                            \
        }                                                                      \
        CHECK(_s.segments.v == NULL && _s.path == NULL);                       \
    } while (0)

#define LOAD_REAL(name, s)                                                     \
    cs_err e = {0};                                                          \
    const char *file = real(name);                                             \
    if (!file) { unit_skip("no realdata"); return; }                           \
    if (cs_allin1_load(file, &(s), &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }

/* ---- real files ---------------------------------------------------------- */

TEST(real_greatest_feeling)
{
    cs_struct s;
    LOAD_REAL("kitaharalab__06 - Greatest Feeling.json", s);
    CHECK_NEAR(s.bpm, 120, 0);
    CHECK_EQ_INT(s.beats.n, 705);
    CHECK_EQ_INT(s.beat_positions.n, 705);
    CHECK_EQ_INT(s.segments.n, 21);
    CHECK_EQ_INT(s.n_warnings, 0);
    CHECK_STR(s.path, "/Users/justinwulf/Documents/justin/school/main/data/prod/songs/wav/06 - Greatest Feeling.wav");
    CHECK(s.key == NULL);
    CHECK_STR(s.segments.v[0].label, "start");
    CHECK_NEAR(s.segments.v[0].end, 0.06, 0);
    CHECK_STR(s.segments.v[20].label, "end");
    CHECK_NEAR(s.beats.v[0], 0.07, 0);
    CHECK_NEAR(cs_beats_bpm(&s.beats), 120, 1e-9);
    cs_struct_free(&s);
    CHECK(s.beats.v == NULL && s.segments.n == 0);
}

TEST(real_operator)
{
    cs_struct s;
    LOAD_REAL("kitaharalab__09 - Operator (DJ Koze_s 12 inch Extended Disco Version).json", s);
    CHECK_EQ_INT(s.beats.n, 1177);
    CHECK_EQ_INT(s.segments.n, 34);
    CHECK_STR(s.segments.v[0].label, "intro");
    CHECK_NEAR(s.segments.v[33].end, 602.74, 0);
    cs_struct_free(&s);
}

TEST(real_la_danza_anacrusis)
{
    cs_struct s;
    LOAD_REAL("kitaharalab__03 - La Danza.json", s);
    CHECK_NEAR(s.bpm, 125, 0);
    CHECK_EQ_INT(s.beat_positions.v[0], 4);
    CHECK(s.downbeats.v[0] > s.beats.v[0]);
    cs_struct_free(&s);
}

TEST(real_beats_bpm_disagrees_with_json_bpm)
{
    cs_struct s;
    {
        LOAD_REAL("kitaharalab__14 - Set It Out (Plaster Hands Version).json", s);
        CHECK_NEAR(s.bpm, 113, 0);
        CHECK_NEAR(cs_beats_bpm(&s.beats), 115.38461538461311, 1e-6);
        CHECK_EQ_INT(s.beat_positions.v[0], 3);
        cs_struct_free(&s);
    }
    {
        LOAD_REAL("kitaharalab__13 - You Make Me Feel Mighty Real (Don Carlos Club Mix).json", s);
        CHECK_NEAR(s.bpm, 130, 0);
        CHECK_NEAR(cs_beats_bpm(&s.beats), 130.43478260868534, 1e-6);
        cs_struct_free(&s);
    }
}

/* Decision: a segments-only file loads (bpm 0, no beats); the indexer reports
 * it as unusable for export because it has no BPM. */
TEST(real_segments_only)
{
    cs_struct s;
    LOAD_REAL("kitaharalab__segments-only__06 - Greatest Feeling.json", s);
    CHECK_NEAR(s.bpm, 0, 0);
    CHECK_EQ_INT(s.beats.n, 0);
    CHECK_EQ_INT(s.downbeats.n, 0);
    CHECK_EQ_INT(s.beat_positions.n, 0);
    CHECK_EQ_INT(s.segments.n, 21);
    CHECK_STR(s.path, "../data/prod/allin1/06 - Greatest Feeling.json");
    CHECK_NEAR(cs_beats_bpm(&s.beats), 0, 0);
    cs_struct_free(&s);
}

TEST(real_file_path_variant)
{
    cs_struct s;
    LOAD_REAL("neromehiro__variant-file_path__benefits.json", s);
    CHECK_STR(s.path, "/Users/neromehiro/hiro folder/my_Works/programing/all-in-one-music/all-in-one/../module/sample_data/benefits.mp3");
    CHECK_EQ_INT(s.n_warnings, 1);
    CHECK(strstr(s.warning, "file_path") != NULL);
    CHECK_STR(s.warning, "no \"path\"; using \"file_path\"");
    CHECK_NEAR(s.bpm, 90, 0);
    CHECK_EQ_INT(s.beats.n, 360);
    CHECK_EQ_INT(s.segments.n, 13);
    cs_struct_free(&s);
}

TEST(real_nusic_no_path_extra_key)
{
    cs_struct s;
    LOAD_REAL("nusic-fm__ws-message-allin1.json", s);
    CHECK(s.path == NULL);
    CHECK_NEAR(s.bpm, 120, 0);
    CHECK_EQ_INT(s.beats.n, 31);
    CHECK_EQ_INT(s.segments.n, 3);
    CHECK_NEAR(s.segments.v[0].end, 0.01, 0);
    CHECK_EQ_INT(s.n_warnings, 0);
    cs_struct_free(&s);
}

TEST(real_mir_aidj_chunk)
{
    cs_struct s;
    LOAD_REAL("mir-aidj__test-chunk.json", s);
    CHECK_NEAR(s.bpm, 162, 0);
    CHECK_EQ_INT(s.beats.n, 94);
    CHECK_EQ_INT(s.downbeats.n, 24);
    CHECK_EQ_INT(s.segments.n, 3);
    CHECK_NEAR(s.segments.v[2].end, 35.49, 1e-9);
    cs_struct_free(&s);
}

TEST(real_repeated_labels_kept)
{
    cs_struct s;
    LOAD_REAL("neromehiro__1-03 Additional Memory.json", s);
    CHECK_NEAR(s.bpm, 100, 0);
    CHECK_EQ_INT(s.segments.n, 14);
    CHECK_STR(s.segments.v[1].label, "intro");
    CHECK_STR(s.segments.v[2].label, "intro");
    CHECK_EQ_INT(s.n_warnings, 0);
    cs_struct_free(&s);
}

/* allin1's own files come back byte for byte from cs_allin1_to_json. */
TEST(real_files_round_trip_byte_exact)
{
    static const char *names[] = {
        "kitaharalab__06 - Greatest Feeling.json",
        "kitaharalab__03 - La Danza.json",
        "kitaharalab__09 - Operator (DJ Koze_s 12 inch Extended Disco Version).json",
        "kitaharalab__13 - You Make Me Feel Mighty Real (Don Carlos Club Mix).json",
        "kitaharalab__14 - Set It Out (Plaster Hands Version).json",
        "kitaharalab__25 - Bless Me Today (12_ Version).json",
        "neromehiro__1-03 Additional Memory.json",
        "neromehiro__benefits.json",
        "mir-aidj__test-chunk.json",
    };
    if (!unit_realdata()) { unit_skip("no realdata"); return; }
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        cs_struct s;
        cs_err e = {0};
        const char *file = real(names[i]);
        CHECK_EQ_INT(cs_allin1_load(file, &s, &e), 0);
        size_t len;
        char *orig = slurp(file, &len);
        char *out = cs_allin1_to_json(&s);
        CHECK(orig && out);
        if (strcmp(orig, out) != 0) {
            size_t k = 0;
            while (orig[k] && orig[k] == out[k]) k++;
            unit_fail(__FILE__, __LINE__, "%s differs at byte %zu: \"%.20s\" vs \"%.20s\"",
                      names[i], k, orig + k, out + k);
        }
        free(orig);
        free(out);
        cs_struct_free(&s);
    }
}

/* ---- synthetic: accepted ------------------------------------------------- */

TEST(integers_and_floats)
{
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("{\"path\":\"a.wav\",\"bpm\":120.0,\"beats\":[0,1,1.5e0],"
                       "\"beat_positions\":[1,2.0,3],"
                       "\"segments\":[{\"start\":0,\"end\":10,\"label\":\"Intro\"}]}", &s, &e), 0);
    CHECK_NEAR(s.bpm, 120, 0);
    CHECK_EQ_INT(s.beats.n, 3);
    CHECK_NEAR(s.beats.v[2], 1.5, 0);
    CHECK_EQ_INT(s.beat_positions.v[1], 2);
    CHECK_NEAR(s.segments.v[0].end, 10, 0);
    CHECK_STR(s.segments.v[0].label, "intro");     /* labels lower-cased */
    cs_struct_free(&s);
}

TEST(bpm_null_and_absent_are_zero)
{
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("{\"bpm\":null,\"segments\":[]}", &s, &e), 0);
    CHECK_NEAR(s.bpm, 0, 0);
    CHECK_EQ_INT(s.segments.n, 0);
    CHECK(s.path == NULL);
    cs_struct_free(&s);
    CHECK_EQ_INT(parse("{\"segments\":[],\"bpm\":0}", &s, &e), 0);
    CHECK_NEAR(s.bpm, 0, 0);
    cs_struct_free(&s);
    CHECK_EQ_INT(parse("{\"segments\":[],\"bpm\":1000}", &s, &e), 0);
    cs_struct_free(&s);
}

TEST(unsorted_and_duplicated_segments)
{
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("{\"bpm\":120,\"segments\":["
                       "{\"start\":10,\"end\":20,\"label\":\"verse\"},"
                       "{\"start\":0,\"end\":10,\"label\":\"intro\"},"
                       "{\"start\":10,\"end\":20,\"label\":\"verse\"},"
                       "{\"start\":20,\"end\":30,\"label\":\"chorus\"},"
                       "{\"start\":10,\"end\":20,\"label\":\"VERSE\"}]}", &s, &e), 0);
    CHECK_EQ_INT(s.segments.n, 3);
    CHECK_STR(s.segments.v[0].label, "intro");
    CHECK_STR(s.segments.v[1].label, "verse");
    CHECK_STR(s.segments.v[2].label, "chorus");
    CHECK_EQ_INT(s.n_warnings, 3);              /* reordered + 2 duplicates */
    CHECK_STR(s.warning, "segments were not sorted by start");
    cs_struct_free(&s);

    /* Sorted input with a duplicate: only the duplicate is reported; same
     * start but different label is not a duplicate. */
    CHECK_EQ_INT(parse("{\"segments\":[{\"start\":0,\"end\":1,\"label\":\"a\"},"
                       "{\"start\":0,\"end\":1,\"label\":\"a\"},"
                       "{\"start\":0,\"end\":1,\"label\":\"b\"}]}", &s, &e), 0);
    CHECK_EQ_INT(s.segments.n, 2);
    CHECK_EQ_INT(s.n_warnings, 1);
    CHECK_STR(s.warning, "duplicate segment 0-1 \"a\" dropped");
    cs_struct_free(&s);
}

TEST(missing_label_is_empty_with_warning)
{
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("{\"segments\":[{\"start\":0,\"end\":1}]}", &s, &e), 0);
    CHECK_STR(s.segments.v[0].label, "");
    CHECK_EQ_INT(s.n_warnings, 1);
    cs_struct_free(&s);
}

TEST(zero_width_segments_and_extra_keys)
{
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("{\"msg\":\"x\",\"other\":{\"a\":[1,2]},\"segments\":"
                       "[{\"start\":5,\"end\":5,\"label\":\"end\",\"conf\":0.5}]}", &s, &e), 0);
    CHECK_EQ_INT(s.segments.n, 1);
    CHECK_EQ_INT(s.n_warnings, 0);
    cs_struct_free(&s);
}

TEST(key_and_path_strings)
{
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("{\"path\":\"\",\"key\":\"\",\"segments\":[]}", &s, &e), 0);
    CHECK(s.path == NULL && s.key == NULL);
    cs_struct_free(&s);
    CHECK_EQ_INT(parse("{\"path\":\"x.wav\",\"key\":\"Gm\",\"segments\":[]}", &s, &e), 0);
    CHECK_STR(s.key, "Gm");
    cs_struct_free(&s);
    /* A non-string key is metadata we can live without. */
    CHECK_EQ_INT(parse("{\"key\":7,\"segments\":[]}", &s, &e), 0);
    CHECK(s.key == NULL);
    CHECK_EQ_INT(s.n_warnings, 1);
    cs_struct_free(&s);
    /* "path" wins over "file_path", with no warning. */
    CHECK_EQ_INT(parse("{\"path\":\"a\",\"file_path\":\"b\",\"segments\":[]}", &s, &e), 0);
    CHECK_STR(s.path, "a");
    CHECK_EQ_INT(s.n_warnings, 0);
    cs_struct_free(&s);
}

TEST(nfd_path_preserved_byte_exact)
{
    /* "Café" with e + U+0301 COMBINING ACUTE, raw and \u-escaped. */
    const char *want = "/m/Cafe\xcc\x81 \xe3\x82\xa2.wav";
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("{\"path\":\"/m/Cafe\xcc\x81 \xe3\x82\xa2.wav\",\"segments\":[]}", &s, &e), 0);
    CHECK_STR(s.path, want);
    char *json = cs_allin1_to_json(&s);
    CHECK(json && strstr(json, want));
    cs_struct_free(&s);
    CHECK_EQ_INT(parse(json, &s, &e), 0);
    CHECK_STR(s.path, want);
    free(json);
    cs_struct_free(&s);
    CHECK_EQ_INT(parse("{\"path\":\"/m/Cafe\\u0301 \\u30a2.wav\",\"segments\":[]}", &s, &e), 0);
    CHECK_STR(s.path, want);
    cs_struct_free(&s);
}

TEST(leading_bom_and_whitespace)
{
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(parse("\xef\xbb\xbf  {\"segments\":[]}\n\n", &s, &e), 0);
    cs_struct_free(&s);
}

/* ---- synthetic: rejected ------------------------------------------------- */

TEST(rejects_malformed)
{
    CHECK_REJECT("", "empty");
    CHECK_REJECT("{\"segments\":[{\"start\":0,", "invalid JSON near line 1");
    CHECK_REJECT("{\n  \"bpm\": 120,\n  \"segments\": [\n", "invalid JSON near line 3");
    CHECK_REJECT("{\"segments\":[]} x", "unexpected data");
    CHECK_REJECT("{\"segments\":[]}{}", "unexpected data");
    CHECK_REJECT("{\"bpm\":NaN,\"segments\":[]}", "invalid JSON");
    CHECK_REJECT("[{\"segments\":[]}]", "not a JSON object");
    CHECK_REJECT("\"hello\"", "not a JSON object");
    CHECK_REJECT("{\"bpm\":120}", "no \"segments\"");
    CHECK_REJECT("{\"segments\":{}}", "\"segments\" is not an array");
    CHECK_REJECT("{\"segments\":null}", "\"segments\" is not an array");
    CHECK_REJECT("{\"segments\":[1]}", "segments[0] is not an object");
}

/* Nesting far past cJSON's limit is an error, not a stack overflow. */
TEST(rejects_deep_nesting)
{
    enum { DEPTH = 100000 };
    char *text = malloc(DEPTH + 64);
    CHECK(text);
    size_t n = (size_t)sprintf(text, "{\"segments\":[],\"x\":");
    memset(text + n, '[', DEPTH);
    text[n + DEPTH] = '\0';
    cs_struct s;
    cs_err e = {0};
    int rc = parse(text, &s, &e);
    free(text);
    CHECK_EQ_INT(rc, CS_ERR_FORMAT);
    CHECK(strstr(e.msg, "invalid JSON") != NULL);
}

TEST(rejects_bad_bpm)
{
    /* Decision: a quoted number is a non-numeric BPM, not a lenient parse. */
    CHECK_REJECT("{\"bpm\":\"120\",\"segments\":[]}", "non-numeric \"bpm\"");
    CHECK_REJECT("{\"bpm\":true,\"segments\":[]}", "non-numeric \"bpm\"");
    CHECK_REJECT("{\"bpm\":[120],\"segments\":[]}", "non-numeric \"bpm\"");
    CHECK_REJECT("{\"bpm\":-120,\"segments\":[]}", "outside 0..1000");
    CHECK_REJECT("{\"bpm\":1000.5,\"segments\":[]}", "outside 0..1000");
    CHECK_REJECT("{\"bpm\":1e999,\"segments\":[]}", "outside 0..1000");
}

TEST(rejects_bad_times)
{
    CHECK_REJECT("{\"segments\":[{\"start\":0,\"end\":2e11,\"label\":\"a\"}]}", "segments[0] end 2e+11 s is beyond");
    CHECK_REJECT("{\"segments\":[{\"start\":0,\"end\":1e999,\"label\":\"a\"}]}", "segments[0] has no");
    CHECK_REJECT("{\"segments\":[{\"start\":0,\"end\":\"1\",\"label\":\"a\"}]}", "segments[0] has no");
    CHECK_REJECT("{\"segments\":[{\"end\":1,\"label\":\"a\"}]}", "segments[0] has no");
    CHECK_REJECT("{\"segments\":[{\"start\":0,\"end\":1,\"label\":\"a\"},"
                 "{\"start\":3,\"end\":2,\"label\":\"b\"}]}", "segments[1] ends (2) before it starts (3)");
    CHECK_REJECT("{\"segments\":[{\"start\":0,\"end\":1,\"label\":3}]}", "label is not a string");
    CHECK_REJECT("{\"segments\":[],\"beats\":[0.5,-1e12]}", "beats[1] -1e+12 s is beyond");
    CHECK_REJECT("{\"segments\":[],\"downbeats\":[null]}", "downbeats[0]");
    CHECK_REJECT("{\"segments\":[],\"beats\":{}}", "\"beats\" is not an array");
    CHECK_REJECT("{\"segments\":[],\"beat_positions\":[1,2.5]}", "beat_positions[1]");
    CHECK_REJECT("{\"segments\":[],\"beat_positions\":[1e12]}", "beat_positions[0]");
    CHECK_REJECT("{\"segments\":[],\"beat_positions\":[-1]}", "beat_positions[0]");
}

/* Issue 22 item 6: cs analyze wrote a first beat (and section start) at
 * -0.0132 s and cs index dropped the whole track.  Times before 0 are
 * repaired, each with a warning. */
TEST(times_before_zero_are_repaired)
{
    const char *js = "{\"bpm\":120,\"beats\":[-0.0132,0.4868,0.9868],\"downbeats\":[-0.0132,1.9868],"
                     "\"beat_positions\":[1,2,3],"
                     "\"segments\":[{\"start\":-0.5,\"end\":-0.0132,\"label\":\"start\"},"
                     "{\"start\":-0.0132,\"end\":8,\"label\":\"intro\"},{\"start\":8,\"end\":16,\"label\":\"verse\"}]}";
    cs_struct s;
    cs_err e = {0};
    CHECK(cs_allin1_parse(js, strlen(js), "neg.json", &s, &e) == 0);
    CHECK_EQ_INT((long)s.segments.n, 2);
    CHECK_NEAR(s.segments.v[0].start, 0.0, 0);
    CHECK_STR(s.segments.v[0].label, "intro");
    CHECK_EQ_INT((long)s.beats.n, 2);
    CHECK_NEAR(s.beats.v[0], 0.4868, 1e-12);
    CHECK_EQ_INT((long)s.beat_positions.n, 2);
    CHECK_EQ_INT(s.beat_positions.v[0], 2);
    CHECK_EQ_INT((long)s.downbeats.n, 1);
    CHECK(s.n_warnings >= 4);
    printf("# %s (%d warnings)\n", s.warning, s.n_warnings);
    cs_struct_free(&s);
}

TEST(load_errors_name_the_file)
{
    char file[512];
    cs_struct s;
    cs_err e = {0};
    snprintf(file, sizeof file, "%s/missing.json", unit_tmpdir());
    CHECK_EQ_INT(cs_allin1_load(file, &s, &e), -1);
    CHECK(strstr(e.msg, file) == e.msg && strstr(e.msg, "No such file"));
    CHECK_EQ_INT(cs_allin1_load(unit_tmpdir(), &s, &e), -1);
    CHECK(strstr(e.msg, "not a regular file"));

    snprintf(file, sizeof file, "%s/trunc it.json", unit_tmpdir());
    FILE *f = fopen(file, "w");
    CHECK(f);
    fputs("{\"path\": \"a.wav\", \"bpm\": 120, \"segments\": [{\"start\": 0.0, \"en", f);
    fclose(f);
    CHECK_EQ_INT(cs_allin1_load(file, &s, &e), CS_ERR_FORMAT);
    CHECK(strstr(e.msg, file) == e.msg && strstr(e.msg, "invalid JSON"));
}

/* A file over the limit is refused from stat() alone: make it sparse so the
 * test costs no disk, and check the reason says so. */
TEST(huge_file_refused)
{
    char file[512];
    snprintf(file, sizeof file, "%s/huge.json", unit_tmpdir());
    int fd = open(file, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ_INT(write(fd, "{", 1), 1);
    CHECK_EQ_INT(ftruncate(fd, CS_ALLIN1_MAX_BYTES + 1), 0);
    close(fd);
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(cs_allin1_load(file, &s, &e), -1);
    CHECK(strstr(e.msg, file) == e.msg && strstr(e.msg, "too large"));
    unlink(file);
}

/* ---- writing ------------------------------------------------------------- */

TEST(to_json_round_trip_exact)
{
    double beats[] = {0.1, 1.0 / 3, 2.5e-5, 1e10, 120.5, 0.0};
    double downbeats[] = {0.1};
    int pos[] = {1, 2, 3, 4, 1, 2};
    cs_segment segs[] = {
        {0.0, 0.1, (char *)"start"},
        {0.1, 15.625000000000002, (char *)"intro"},
        {15.625000000000002, 30, (char *)"ver\"se\\\x01"},
    };
    cs_struct s = {
        .path = (char *)"/a \"b\"/c.wav", .bpm = 122.5, .key = (char *)"Gm",
        .beats = {beats, 6}, .downbeats = {downbeats, 1}, .beat_positions = {pos, 6},
        .segments = {segs, 3},
    };
    char *json = cs_allin1_to_json(&s);
    CHECK(json);
    CHECK(strstr(json, "\"bpm\": 122.5,"));
    CHECK(strstr(json, "\"beats\": [0.1,0.3333333333333333,2.5e-05,10000000000.0,120.5,0.0],"));
    CHECK(strstr(json, "\"beat_positions\": [1,2,3,4,1,2],"));
    CHECK(strstr(json, "\"key\": \"Gm\"\n}"));
    cs_struct r;
    cs_err e = {0};
    CHECK_EQ_INT(parse(json, &r, &e), 0);
    CHECK_STR(r.path, s.path);
    CHECK_STR(r.key, "Gm");
    CHECK(r.bpm == 122.5);
    CHECK_EQ_INT(r.beats.n, 6);
    for (size_t i = 0; i < 6; i++) CHECK(r.beats.v[i] == beats[i]);
    CHECK(r.downbeats.n == 1 && r.downbeats.v[0] == 0.1);
    for (size_t i = 0; i < 6; i++) CHECK_EQ_INT(r.beat_positions.v[i], pos[i]);
    CHECK_EQ_INT(r.segments.n, 3);
    for (size_t i = 0; i < 3; i++) {
        CHECK(r.segments.v[i].start == segs[i].start && r.segments.v[i].end == segs[i].end);
        CHECK_STR(r.segments.v[i].label, segs[i].label);
    }
    char *again = cs_allin1_to_json(&r);
    CHECK_STR(again, json);
    free(again);
    free(json);
    cs_struct_free(&r);
}

TEST(to_json_empty_struct)
{
    cs_struct s = {0};
    char *json = cs_allin1_to_json(&s);
    CHECK_STR(json, "{\n  \"path\": null,\n  \"bpm\": 0,\n  \"beats\": [],\n  \"downbeats\": [],\n"
                    "  \"beat_positions\": [],\n  \"segments\": []\n}");
    cs_struct r;
    cs_err e = {0};
    CHECK_EQ_INT(parse(json, &r, &e), 0);
    CHECK(r.path == NULL && r.bpm == 0 && r.segments.n == 0);
    free(json);
    cs_struct_free(&r);
}

TEST(beats_bpm_median)
{
    double b[] = {0, 0.5, 1.0, 1.5, 2.5, 2.5, 3.0};   /* one gap, one repeat */
    cs_dvec v = {b, 7};
    CHECK_NEAR(cs_beats_bpm(&v), 120, 1e-9);
    v.n = 1;
    CHECK_NEAR(cs_beats_bpm(&v), 0, 0);
    double even[] = {0, 0.5, 1.5};    /* median of 0.5 and 1.0 */
    cs_dvec w = {even, 3};
    CHECK_NEAR(cs_beats_bpm(&w), 80, 1e-9);
    CHECK_NEAR(cs_beats_bpm(NULL), 0, 0);
}

/* Issue 22 item 3: Python's json.dump of a non-UTF-8 file name
 * (surrogateescape) writes "\udce9" for byte 0xe9; the path must read back
 * to the file's own bytes, while a real surrogate pair stays one character. */
TEST(surrogateescape_path_reads_back_to_bytes)
{
    const char *js = "{\"path\": \"/m/Caf\\udce9 \\\\udce9 \\ud83c\\udfb5.wav\", \"segments\": []}";
    cs_struct s;
    cs_err e = {0};
    CHECK_EQ_INT(cs_allin1_parse(js, strlen(js), "s.json", &s, &e), 0);
    CHECK_STR(s.path, "/m/Caf\xe9 \\udce9 \xf0\x9f\x8e\xb5.wav");
    cs_struct_free(&s);
    /* a lone high surrogate is still no JSON string */
    const char *bad = "{\"path\": \"/m/\\ud83c.wav\", \"segments\": []}";
    CHECK(cs_allin1_parse(bad, strlen(bad), "b.json", &s, &e) < 0);
}
