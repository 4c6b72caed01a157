/* Bugs found by fault injection (tests/faults, `make faults`), one test
 * each.  They need the shim to fail an allocation, so they run in the
 * build/inj flavour (`make faults` runs build/inj/unit/test_faults_found);
 * in other builds they skip. */
#include "tests/unit/unit.h"
#include "tests/faults/shim.h"
#include "pkg/audio.h"
#include "pkg/err.h"
#include "pkg/export_csv.h"
#include "pkg/export_pipeline.h"
#include "pkg/findaudio.h"
#include "pkg/parts.h"
#include "pkg/select.h"
#include "db/indexer.h"
#include "db/library.h"
#include "player/control/allow.h"
#include "player/surface/osc.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define NEED_SHIM()                                                            \
    do {                                                                       \
        if (!cs_fault_arm) { unit_skip("needs the build/inj shim (make faults)"); return; } \
    } while (0)

/* `cs export --ladder 118,122` out of memory exited 2 (bad usage): the
 * parser returned -1 for both, now CS_ERR_NOMEM (exit 1). */
TEST(ladder_parse_oom_is_not_bad_input)
{
    NEED_SHIM();
    cs_dvec v;
    cs_err e = {{0}};
    cs_fault_arm(1, 0, false);
    int rc = cs_bpm_list_parse("118,122", &v, &e);
    cs_fault_arm(0, 0, false);
    CHECK_EQ_INT(rc, CS_ERR_NOMEM);
    CHECK_STR(e.msg, "out of memory");
    CHECK(v.v == NULL);
    /* a real bad spec is still -1 */
    CHECK_EQ_INT(cs_bpm_list_parse("abc", &v, &e), -1);
}

/* The same for --key K1,K2 (search, export, play): every allocation of the
 * list, the first key's and the second's. */
TEST(selection_keys_oom_is_not_bad_input)
{
    NEED_SHIM();
    cs_fault_arm(0, 0, false);
    cs_selection s;
    cs_selection_init(&s);
    cs_err e = {{0}};
    CHECK_EQ_INT(cs_selection_set_keys(&s, "Gm,Cm", &e), 0);
    long points = cs_fault_allocs();
    CHECK(points >= 4);
    for (long n = 1; n <= points; n++) {
        cs_fault_arm(n, 0, false);
        int rc = cs_selection_set_keys(&s, "Gm,Cm", &e);
        cs_fault_arm(0, 0, false);
        if (rc != CS_ERR_NOMEM) unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: rc %d", n, points, rc);
    }
    cs_selection_free(&s);
}

/* ---- the library: every allocation of an index and a select, in turn ---- */

static const char rb_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<DJ_PLAYLISTS Version=\"1.0.0\"><PRODUCT Name=\"rekordbox\" Version=\"6\" Company=\"A\"/>\n"
    "<COLLECTION Entries=\"4\">\n"
    "<TRACK TrackID=\"1\" Name=\"One\" Artist=\"Ar\" Location=\"file://localhost/m/one.mp3\" "
    "AverageBpm=\"122.5\" Tonality=\"Gm\"><TEMPO Inizio=\"0.5\" Bpm=\"122.5\" Metro=\"4/4\" Battito=\"1\"/>"
    "<POSITION_MARK Name=\"Drop\" Type=\"0\" Start=\"30\" Num=\"1\"/></TRACK>\n"
    "<TRACK TrackID=\"2\" Name=\"Two\" Location=\"file://localhost/m/two%%20b.mp3\" AverageBpm=\"124\"/>\n"
    /* the same Location as TrackID 1: the ambiguity warning's query runs */
    "<TRACK TrackID=\"4\" Name=\"One again\" Location=\"file://localhost/m/one.mp3\" AverageBpm=\"122.5\"/>\n"
    /* no struct file, its audio here (the %s): a struct from its beat grid */
    "<TRACK TrackID=\"3\" Name=\"Three\" Location=\"file://localhost%s/three.wav\" AverageBpm=\"120\" "
    "TotalTime=\"120\" Tonality=\"Am\"><TEMPO Inizio=\"0.25\" Bpm=\"120\" Metro=\"4/4\" Battito=\"1\"/></TRACK>\n"
    "</COLLECTION><PLAYLISTS><NODE Type=\"0\" Name=\"ROOT\" Count=\"1\">"
    "<NODE Name=\"Set\" Type=\"1\" KeyType=\"0\" Entries=\"2\"><TRACK Key=\"1\"/><TRACK Key=\"2\"/></NODE>"
    "</NODE></PLAYLISTS></DJ_PLAYLISTS>\n";

static const char struct_json[] =
    "{\"path\": \"/m/one.mp3\", \"bpm\": 122, \"key\": \"G minor\", \"beats\": [0.5, 1.0, 1.5, 2.0],"
    " \"downbeats\": [0.5, 2.5], \"beat_positions\": [1, 2, 3, 4],"
    " \"segments\": [{\"start\": 0, \"end\": 8, \"label\": \"intro\"},"
    " {\"start\": 8, \"end\": 16, \"label\": \"verse\"}, {\"start\": 16, \"end\": 24, \"label\": \"chorus\"}]}";

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Everything the library holds, as one string (row ids left out). */
static void library_text(cs_db *db, char *out, size_t n)
{
    static const char *const sql =
        "SELECT group_concat(x, '|') FROM ("
        " SELECT quote(struct_path) || quote(analysed_path) || quote(analysed_fold) || quote(file_fold)"
        "  || quote(json_key) || quote(json_bpm) || quote(beats) || quote(downbeats)"
        "  || quote(beat_positions) || quote((SELECT name FROM rb_tracks r WHERE r.id = rb_id)) AS x"
        "  FROM tracks"
        " UNION ALL SELECT quote(track_id) || quote(name) || quote(artist) || quote(location) || quote(path)"
        "  || quote(path_fold) || quote(name_fold) || quote(average_bpm) || quote(tonality) FROM rb_tracks"
        " UNION ALL SELECT quote(metro) || quote(bpm) FROM rb_tempos"
        " UNION ALL SELECT quote(name) || quote(start) FROM rb_marks"
        " UNION ALL SELECT quote(path) || quote(name) FROM rb_playlists"
        " UNION ALL SELECT quote(key) FROM rb_playlist_entries"
        " UNION ALL SELECT quote(label) || quote(start) FROM segments ORDER BY 1)";
    sqlite3_stmt *q;
    out[0] = '\0';
    if (sqlite3_prepare_v2(cs_db_sqlite(db), sql, -1, &q, NULL) != SQLITE_OK) return;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
}

/* make faults: a failed allocation inside SQLite's TRANSIENT bind left
 * the parameter NULL and the index went on, storing Rekordbox tracks
 * without names or paths (a re-run saw the XML unchanged and never fixed
 * them).  Now every run either stores exactly what a clean run stores, or
 * counts the file as failed and keeps the library as it was. */
TEST(index_every_allocation_stores_all_or_reports)
{
    NEED_SHIM();
    char dir[512], sdir[600], xml[600], dbp[600];
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    snprintf(sdir, sizeof sdir, "%s/struct", dir);
    snprintf(xml, sizeof xml, "%s/rb.xml", dir);
    mkdir(sdir, 0777);
    char jpath[700];
    snprintf(jpath, sizeof jpath, "%s/one.json", sdir);
    write_text(jpath, struct_json);
    char xml_text[sizeof rb_xml + 600], audio[700];
    snprintf(xml_text, sizeof xml_text, rb_xml, dir);
    write_text(xml, xml_text);
    snprintf(audio, sizeof audio, "%s/three.wav", dir);
    write_text(audio, "not decoded by cs index");
    cs_index_opts o = { .struct_dir = sdir, .rekordbox_xml = xml, .from_rekordbox = true };
    cs_index_stats clean_st = {0};
    static char clean[16384], got[16384];
    long points = 0;
    int bad = 0;
    int level = cs_log_level();
    cs_log_set_level(CS_LOG_QUIET);   /* 3,000 runs' warnings say nothing new */
    for (long n = 0; n == 0 || n <= points; n++) {
        snprintf(dbp, sizeof dbp, "%s/lib%ld.db", dir, n);
        cs_db *db;
        cs_err e = {{0}};
        if (cs_db_open(dbp, &db, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
        sqlite3_exec(cs_db_sqlite(db), "PRAGMA synchronous=OFF", NULL, NULL, NULL);   /* speed */
        cs_index_stats st;
        cs_fault_arm(n, 0, false);
        int rc = cs_index_run(db, &o, &st, &e);
        if (n == 0) points = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        library_text(db, n ? got : clean, sizeof got);
        cs_db_close(db);
        unlink(dbp);
        if (n == 0) {
            CHECK(rc == 0 && st.indexed == 1 && st.rb_tracks == 4 && st.rb_structs == 1 &&
                  st.with_key == 2 && st.total == 2 && strstr(clean, "'Two'") && strstr(clean, "'Three'"));
            clean_st = st;
            continue;
        }
        bool whole = rc == 0 && !st.failed && !st.rb_failed && !strcmp(got, clean);
        bool reported = rc < 0 || st.failed || st.rb_failed;
        if (!whole && !reported && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: a different library, nothing reported", n, points);
        /* A failure says why: SQLite's own out of memory inside a read was
         * dropped, the transaction rolled back, and COMMIT said "cannot
         * commit - no transaction is active" (make faults, index). */
        if (rc < 0 && !strstr(e.msg, "out of memory") && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: failed with \"%s\"", n, points, e.msg);
        /* A whole library comes with the clean run's summary (a count read
         * that failed printed "with key 0" and exited 0). */
        if (whole && (st.total != clean_st.total || st.matched != clean_st.matched ||
                      st.with_key != clean_st.with_key || st.no_bpm != clean_st.no_bpm ||
                      st.rb_structs != clean_st.rb_structs) && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: the library is whole, the summary is not "
                      "(total %ld, with key %ld)", n, points, st.total, st.with_key);
    }
    cs_log_set_level(level);
    printf("index: %ld allocation points, %d silently wrong\n", points, bad);
}

/* The same for cs_library_select (search, export, play): a failed step
 * ended the row loop as if the rows were done, and an optional text column
 * that could not be copied came back NULL; now an error either way. */
TEST(select_every_allocation_returns_all_or_fails)
{
    NEED_SHIM();
    char dir[512], sdir[600], dbp[600], jpath[700];
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    snprintf(sdir, sizeof sdir, "%s/sel", dir);
    mkdir(sdir, 0777);
    for (int i = 0; i < 3; i++) {
        snprintf(jpath, sizeof jpath, "%s/t%d.json", sdir, i);
        write_text(jpath, struct_json);
    }
    snprintf(dbp, sizeof dbp, "%s/sel.db", dir);
    cs_db *db;
    cs_err e = {{0}};
    cs_index_stats ist;
    cs_index_opts o = { .struct_dir = sdir };
    if (cs_db_open(dbp, &db, &e) < 0 || cs_index_run(db, &o, &ist, &e) < 0) {
        unit_fail(__FILE__, __LINE__, "%s", e.msg);
        return;
    }
    cs_selection sel;
    cs_selection_init(&sel);
    sel.n_sections = 1;
    long points = 0;
    int bad = 0;
    for (long n = 0; n == 0 || n <= points; n++) {
        cs_lib_track *t = NULL;
        size_t count = 0;
        cs_select_stats st;
        cs_fault_arm(n, 0, false);
        int rc = cs_library_select(db, &sel, &t, &count, &st, &e);
        if (n == 0) points = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        if (rc == 0) {
            bool whole = count == 3;
            for (size_t i = 0; whole && i < count; i++)
                whole = t[i].analysed_path && t[i].key && t[i].segments.n == 3 && t[i].beats.n == 4;
            if (!whole && bad++ < 5)
                unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: %zu tracks, not all whole, no error", n, points, count);
        }
        cs_lib_tracks_free(t, count);
    }
    cs_selection_free(&sel);
    cs_db_close(db);
    printf("select: %ld allocation points, %d silently short\n", points, bad);
}

/* make faults, live cs play: allocations failing while a load was checked
 * against --allow-dir (realpath's buffer, the copy for its folder) were
 * reported as "outside the allowed folders" (a refusal that is not one);
 * now "out of memory". */
TEST(allow_check_oom_is_not_a_refusal)
{
    NEED_SHIM();
    const char *dir = unit_tmpdir();
    char file[600];
    snprintf(file, sizeof file, "%s/a.wav", dir);
    write_text(file, "x");
    cs_allow *a = cs_allow_new();
    cs_err e = {{0}};
    CHECK(a && cs_allow_add(a, dir, true, &e) == 0);
    CHECK_EQ_INT(cs_allow_check(a, file, &e), 0);
    cs_fault_arm(1, 0, true);      /* realpath's buffer and every one after */
    int rc = cs_allow_check(a, file, &e);
    cs_fault_arm(0, 0, false);
    CHECK_EQ_INT(rc, -1);
    CHECK(strstr(e.msg, "out of memory") != NULL);
    CHECK(strstr(e.msg, "outside") == NULL);
    cs_allow_free(a);
}

/* make faults, export I/O: a part whose sf_writef_float fell short was
 * reported as "write failed: No Error." (libsndfile's own error, empty when
 * the failure came from below it); now the system's reason, or I/O error.
 * Every I/O point of one write, in turn. */
TEST(audio_write_failure_names_the_reason)
{
    NEED_SHIM();
    cs_audio a = { .frames = 3 * 44100, .channels = 2, .rate = 44100 };
    a.data = calloc(a.frames * 2, sizeof *a.data);
    CHECK(a.data != NULL);
    if (!a.data) return;
    const char *path = unit_tmp_file("w.wav");
    cs_err e = {{0}};
    cs_fault_arm(0, 0, false);
    CHECK_EQ_INT(cs_audio_write(path, &a, CS_FMT_WAV16, &e), 0);
    long points = cs_fault_ios();
    CHECK(points >= 3);   /* sf_writef_float blocks, sf_close, fsync, rename */
    for (long n = 1; n <= points; n++) {
        cs_fault_arm(0, n, false);
        int rc = cs_audio_write(path, &a, CS_FMT_WAV16, &e);
        cs_fault_arm(0, 0, false);
        if (rc == 0 || strstr(e.msg, "No Error") || !strstr(e.msg, "Input/output error"))
            unit_fail(__FILE__, __LINE__, "I/O point %ld of %ld: rc %d, \"%s\"", n, points, rc, e.msg);
    }
    free(a.data);
}

/* make faults, play --render: loading an --osc-script, a failed realloc
 * ended the script early (a shorter set, exit 0, nothing said) and a
 * failed strdup left a line without its address (a NULL path dispatched:
 * UBSan, then a crash).  Every allocation of a 70-line script (past the
 * first 64-line block), in turn: the whole script or "out of memory". */
TEST(script_load_oom_is_never_a_shorter_script)
{
    NEED_SHIM();
    const char *path = unit_tmp_file("s.osc");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    for (int i = 0; i < 70; i++) fprintf(f, "%d.5 /crossfade_levels ff 1 0\n", i);
    fclose(f);
    cs_err e = {{0}};
    cs_fault_arm(0, 0, false);
    cs_osc_script *s = cs_osc_script_load(path, &e);
    long points = cs_fault_allocs();
    CHECK(s && cs_osc_script_lines(s) == 70);
    cs_osc_script_free(s);
    CHECK(points >= 70);
    for (long n = 1; n <= points; n++) {
        e.msg[0] = '\0';
        cs_fault_arm(n, 0, false);
        s = cs_osc_script_load(path, &e);
        cs_fault_arm(0, 0, false);
        if (s ? cs_osc_script_lines(s) != 70 : !strstr(e.msg, "out of memory"))
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: %d lines, \"%s\"", n, points,
                      cs_osc_script_lines(s), e.msg);
        cs_osc_script_free(s);
    }
}

/* make faults, export: an allocation failing while the audio was looked up
 * by name in --audio-dir read as "audio not found": the track was skipped
 * with that warning and the export exited 0.  Now a lookup that ran out of
 * memory says so (NULL with errno ENOMEM), and export fails with it.  Every
 * allocation of a folded lookup by name (NFD asked, NFC stored: the folder
 * walk) and by stem, in turn. */
TEST(find_audio_oom_is_not_not_found)
{
    NEED_SHIM();
    const char *dir = unit_tmpdir();
    const char *want = unit_tmp_file("\xc3\x89t\xc3\xa9.wav");   /* NFC "Été.wav" */
    FILE *f = fopen(want, "w");
    CHECK(f != NULL);
    if (!f) return;
    fclose(f);
    for (int by_stem = 0; by_stem < 2; by_stem++) {
        const char *q = by_stem ? "E\xcc\x81te\xcc\x81" : "E\xcc\x81te\xcc\x81.wav";   /* NFD */
        cs_fault_arm(0, 0, false);
        char *p = by_stem ? cs_find_audio_by_stem(dir, q) : cs_find_audio_by_name(dir, q);
        long points = cs_fault_allocs();
        CHECK(p && !strcmp(p, want));
        free(p);
        CHECK(points >= 3);
        for (long n = 1; n <= points; n++) {
            errno = 0;
            cs_fault_arm(n, 0, false);
            p = by_stem ? cs_find_audio_by_stem(dir, q) : cs_find_audio_by_name(dir, q);
            int e = errno;
            cs_fault_arm(0, 0, false);
            if (p ? strcmp(p, want) != 0 : e != ENOMEM)
                unit_fail(__FILE__, __LINE__, "%s, allocation %ld of %ld: %s, errno %d",
                          by_stem ? "by stem" : "by name", n, points, p ? p : "NULL", e);
            free(p);
        }
    }
}

/* Issue 22 item 13, found by review: when the beat anchors of a WSOLA part
 * could not be allocated, the part was rendered as plain atempo and the
 * render cache recorded it as a correct wsola part.  Every allocation of a
 * one-part export fails in turn: whatever part is recorded must be exactly
 * the clean run's.  (It also found ctx_free walking tracks[] whose
 * allocation had failed.) */
typedef struct fake_cache {
    int recorded;
    char path[1024];
} fake_cache;

static bool never_up_to_date(void *ctx, const char *out, const char *fp, long long *frames, int *rate,
                             bool *measured, cs_loudness *loud)
{
    (void)ctx; (void)out; (void)fp; (void)frames; (void)rate; (void)measured; (void)loud;
    return false;
}

static int no_loudness(void *ctx, const char *out, const cs_loudness *loud, cs_err *err)
{
    (void)ctx; (void)out; (void)loud; (void)err;
    return 0;
}

static int remember(void *ctx, const cs_render_rec *r, cs_err *err)
{
    (void)err;
    fake_cache *c = ctx;
    if (r->target_bpm > 0) {
        c->recorded++;
        snprintf(c->path, sizeof c->path, "%s", r->out_path);
    }
    return 0;
}

static int export_once(const cs_lib_track *t, const char *dir, fake_cache *fc)
{
    double target = 126;
    cs_export_opts o = { .parts_dir = dir, .targets = { &target, 1 }, .method = CS_STRETCH_WSOLA,
                         .format = CS_FMT_WAV32F, .jobs = 1 };
    cs_render_cache cache = { fc, never_up_to_date, remember, no_loudness };
    cs_export_row *rows = NULL;
    size_t n = 0;
    cs_export_stats st;
    cs_err e = {{0}};
    memset(fc, 0, sizeof *fc);
    int level = cs_log_level();
    cs_log_set_level(-1);
    int rc = cs_export_run(&cache, &o, t, 1, &rows, &n, &st, &e);
    cs_log_set_level(level);
    cs_export_rows_free(rows, n);
    return rc;
}

TEST(wsola_part_recorded_only_when_anchored)
{
    if (!cs_fault_arm) { unit_skip("needs the build/inj shim (make faults)"); return; }
    const char *wav = unit_tmp_file("w.wav");
    cs_audio a;
    cs_err e = {{0}};
    CHECK(cs_audio_alloc(&a, 44100 * 4, 2, 44100) == 0);
    for (size_t i = 0; i < a.frames; i++)
        a.data[2 * i] = a.data[2 * i + 1] = (float)(0.3 * sin(2 * M_PI * 220.0 * (double)i / 44100) *
                                                    (i % 22050 < 2000 ? 1.0 : 0.2));
    CHECK(cs_audio_write(wav, &a, CS_FMT_WAV16, &e) == 0);
    cs_audio_free(&a);
    double beats[8] = {0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5};
    cs_lib_track t = { .id = 1, .struct_path = (char *)"w.json", .analysed_path = (char *)wav,
                       .audio_path = (char *)wav, .bpm = 120, .beats = { beats, 8 },
                       .cues = { .ini_cue = 0.5, .begin_cue = 2.0, .end_cue = 3.0 } };
    fake_cache fc;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/clean", unit_tmpdir());
    CHECK(export_once(&t, dir, &fc) == 0 && fc.recorded == 1);
    cs_audio ref;
    CHECK(cs_audio_decode(fc.path, 0, 0, 0, 0, &ref, &e) == 0);
    int recorded_runs = 0;
    for (long n = 1; n < 400; n++) {
        snprintf(dir, sizeof dir, "%s/n%ld", unit_tmpdir(), n);
        cs_fault_arm(n, 0, false);
        export_once(&t, dir, &fc);
        long used = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        if (fc.recorded) {
            recorded_runs++;
            cs_audio got;
            CHECK(cs_audio_decode(fc.path, 0, 0, 0, 0, &got, &e) == 0);
            bool same = got.frames == ref.frames &&
                        !memcmp(got.data, ref.data, ref.frames * 2 * sizeof(float));
            if (!same) printf("# allocation %ld failed: a different part was recorded as wsola\n", n);
            cs_audio_free(&got);
            CHECK(same);
        }
        if (used < n) break;   /* a run that never reached allocation n: all points tried */
    }
    printf("# %d runs recorded a part\n", recorded_runs);
    cs_audio_free(&ref);
}
