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
#include "pkg/setfile.h"
#include "db/indexer.h"
#include "db/ladderset_db.h"
#include "db/library.h"
#include "cmd/play_allow.h"
#include "player/control/allow.h"
#include "player/surface/osc.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

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
    cs_err e = {0};
    cs_fault_arm(1, 0, false);
    int rc = cs_bpm_list_parse("118,122", &v, &e);
    cs_fault_arm(0, 0, false);
    CHECK_EQ_INT(rc, CS_ERR_NOMEM);
    CHECK_EQ_INT(e.code, CS_ERR_NOMEM);
    CHECK_STR(e.msg, "out of memory");
    CHECK(v.v == NULL);
    /* a real bad spec is bad usage */
    CHECK_EQ_INT(cs_bpm_list_parse("abc", &v, &e), CS_ERR_USAGE);
    CHECK_EQ_INT(e.code, CS_ERR_USAGE);
}

/* The same for --key K1,K2 (search, export, play): every allocation of the
 * list, the first key's and the second's. */
TEST(selection_keys_oom_is_not_bad_input)
{
    NEED_SHIM();
    cs_fault_arm(0, 0, false);
    cs_selection s;
    cs_selection_init(&s);
    cs_err e = {0};
    CHECK_EQ_INT(cs_selection_set_keys(&s, "Gm,Cm", &e), 0);
    long points = cs_fault_allocs();
    CHECK(points >= 4);
    for (long n = 1; n <= points; n++) {
        cs_fault_arm(n, 0, false);
        int rc = cs_selection_set_keys(&s, "Gm,Cm", &e);
        cs_fault_arm(0, 0, false);
        if (rc != CS_ERR_NOMEM || e.code != CS_ERR_NOMEM)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: rc %d, %s", n, points, rc, cs_err_name(e.code));
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

/* A struct folder dir/sub holding one allin1 file, one.json, of the given
 * text (the folder cs_index_run reads); its path into sdir[n]. */
static void one_struct_folder(char *sdir, size_t n, const char *dir, const char *sub, const char *json)
{
    snprintf(sdir, n, "%s/%s", dir, sub);
    mkdir(sdir, 0777);
    char jpath[700];
    snprintf(jpath, sizeof jpath, "%s/one.json", sdir);
    write_text(jpath, json);
}

/* Everything the library holds, as one string (row ids left out). */
static void library_text(cs_db *db, char *out, size_t n)
{
    static const char *const sql =
        "SELECT group_concat(x, '|') FROM ("
        " SELECT quote(struct_path) || quote(analysed_path) || quote(analysed_fold) || quote(file_fold)"
        "  || quote(json_key) || quote(json_bpm) || quote(beats) || quote(downbeats)"
        "  || quote(beat_positions) || quote(beats_bpm) || quote(duration) || quote(n_beats)"
        "  || quote(audio_path) || quote(warnings) || quote(source)"
        "  || quote((SELECT name FROM rb_tracks r WHERE r.id = rb_id)) AS x"
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
    snprintf(xml, sizeof xml, "%s/rb.xml", dir);
    one_struct_folder(sdir, sizeof sdir, dir, "struct", struct_json);
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
        cs_err e = {0};
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
        if (rc < 0 && e.code != CS_ERR_NOMEM && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: failed with %s \"%s\"", n, points,
                      cs_err_name(e.code), e.msg);
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
    cs_err e = {0};
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
    cs_err e = {0};
    CHECK(a && cs_allow_add(a, dir, true, &e) == 0);
    CHECK_EQ_INT(cs_allow_check(a, file, &e), 0);
    cs_fault_arm(1, 0, true);      /* realpath's buffer and every one after */
    int rc = cs_allow_check(a, file, &e);
    cs_fault_arm(0, 0, false);
    CHECK_EQ_INT(rc, CS_ERR_NOMEM);
    CHECK_EQ_INT(e.code, CS_ERR_NOMEM);
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
    cs_err e = {0};
    cs_fault_arm(0, 0, false);
    CHECK_EQ_INT(cs_audio_write(path, &a, CS_FMT_WAV16, &e), 0);
    long points = cs_fault_ios();
    CHECK(points >= 3);   /* sf_writef_float blocks, sf_close, fsync, rename */
    for (long n = 1; n <= points; n++) {
        cs_fault_arm(0, n, false);
        int rc = cs_audio_write(path, &a, CS_FMT_WAV16, &e);
        cs_fault_arm(0, 0, false);
        if (rc == 0 || e.code != CS_ERR_IO || strstr(e.msg, "No Error") || !strstr(e.msg, "Input/output error"))
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
    cs_err e = {0};
    cs_fault_arm(0, 0, false);
    cs_osc_script *s = cs_osc_script_load(path, &e);
    long points = cs_fault_allocs();
    CHECK(s && cs_osc_script_lines(s) == 70);
    cs_osc_script_free(s);
    CHECK(points >= 70);
    for (long n = 1; n <= points; n++) {
        e = (cs_err){0};
        cs_fault_arm(n, 0, false);
        s = cs_osc_script_load(path, &e);
        cs_fault_arm(0, 0, false);
        if (s ? cs_osc_script_lines(s) != 70 : e.code != CS_ERR_NOMEM)
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

/* One export of t at 126 BPM into dir, quietly, through fc: 0, or 1 when it
 * failed a part, -1 when it failed.  With loud (may be NULL), the first
 * row's part and original-speed loudness into loud[0..1], the row count
 * into *n_rows. */
static int export_one(const cs_lib_track *t, const char *dir, fake_cache *fc, cs_stretch_method method,
                      cs_audio_format format, cs_loudness *loud, size_t *n_rows)
{
    double target = 126;
    cs_export_opts o = { .parts_dir = dir, .targets = { &target, 1 }, .method = method, .format = format,
                         .jobs = 1 };
    cs_render_cache cache = { fc, never_up_to_date, remember, no_loudness };
    cs_export_row *rows = NULL;
    size_t n = 0;
    cs_export_stats st;
    cs_err e = {0};
    memset(fc, 0, sizeof *fc);
    int level = cs_log_level();
    cs_log_set_level(-1);
    int rc = cs_export_run(&cache, &o, t, 1, &rows, &n, &st, &e);
    cs_log_set_level(level);
    if (rc == 0 && st.failed) rc = 1;
    if (n_rows) *n_rows = n;
    if (loud && n) {
        loud[0] = rows[0].loud;        /* the rung's part */
        loud[1] = rows[0].orig_loud;   /* the original-speed part */
    }
    cs_export_rows_free(rows, n);
    return rc;
}

static int export_once(const cs_lib_track *t, const char *dir, fake_cache *fc)
{
    return export_one(t, dir, fc, CS_STRETCH_WSOLA, CS_FMT_WAV32F, NULL, NULL);
}

TEST(wsola_part_recorded_only_when_anchored)
{
    if (!cs_fault_arm) { unit_skip("needs the build/inj shim (make faults)"); return; }
    const char *wav = unit_tmp_file("w.wav");
    cs_audio a;
    cs_err e = {0};
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

/* Found by `make faults` (export:alloc, CI's random start): when the
 * loudness read-back of a rendered part ran out of memory, the export
 * warned and wrote the part's CSV row with its loudness empty, a row a
 * clean run never writes (and, before the slices, recorded the part as
 * measured, so no later run measured it).  Every allocation of a one-part
 * export fails in turn: each row it returns carries the clean run's
 * loudness and slices, or the run failed. */
static bool same_loudness(const cs_loudness *a, const cs_loudness *b)
{
    if (a->n_slices != b->n_slices || !(a->lufs == b->lufs) || !(a->dbtp == b->dbtp)) return false;
    for (int i = 0; i < a->n_slices; i++)
        if (!(a->slice[i] == b->slice[i]) && !(isinf(a->slice[i]) && isinf(b->slice[i]))) return false;
    return true;
}

TEST(export_rows_carry_loudness_or_fail)
{
    if (!cs_fault_arm) { unit_skip("needs the build/inj shim (make faults)"); return; }
    const char *wav = unit_tmp_file("l.wav");
    cs_audio a;
    cs_err e = {0};
    CHECK(cs_audio_alloc(&a, 44100 * 4, 2, 44100) == 0);
    for (size_t i = 0; i < a.frames; i++)
        a.data[2 * i] = a.data[2 * i + 1] = (float)(0.3 * sin(2 * M_PI * 220.0 * (double)i / 44100));
    CHECK(cs_audio_write(wav, &a, CS_FMT_WAV16, &e) == 0);
    cs_audio_free(&a);
    cs_lib_track t = { .id = 1, .struct_path = (char *)"l.json", .analysed_path = (char *)wav,
                       .audio_path = (char *)wav, .bpm = 120,
                       .cues = { .ini_cue = 0.5, .begin_cue = 2.0, .end_cue = 3.0 } };
    fake_cache fc;
    char dir[1024];
    cs_loudness clean[2], got[2];
    size_t n_rows;
    snprintf(dir, sizeof dir, "%s/lclean", unit_tmpdir());
    CHECK(export_one(&t, dir, &fc, CS_STRETCH_RATE, CS_FMT_WAV16, clean, &n_rows) == 0 && n_rows == 1);
    CHECK(clean[0].n_slices == CS_LOUDNESS_SLICES && isfinite(clean[0].lufs));
    int rows_runs = 0;
    for (long n = 1; n < 400; n++) {
        snprintf(dir, sizeof dir, "%s/l%ld", unit_tmpdir(), n);
        cs_fault_arm(n, 0, false);
        int rc = export_one(&t, dir, &fc, CS_STRETCH_RATE, CS_FMT_WAV16, got, &n_rows);
        long used = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        if (rc == 0 && n_rows > 0) {
            rows_runs++;
            bool same = same_loudness(&got[0], &clean[0]) && same_loudness(&got[1], &clean[1]);
            if (!same) printf("# allocation %ld failed: a row without the clean run's loudness (%d slices %g LUFS, orig %d %g)\n", n, got[0].n_slices, got[0].lufs, got[1].n_slices, got[1].lufs);
            CHECK(same);
        }
        if (used < n) break;   /* a run that never reached allocation n: all points tried */
    }
    printf("# %d runs wrote a row\n", rows_runs);
}

/* ---- the other DJ libraries (issue 23): every allocation of an index of a
 * Traktor NML, a Mixxx and an Engine DJ database, with --from-* ---------- */

static const char tk_nml[] =
    "<NML VERSION=\"19\"><COLLECTION ENTRIES=\"2\">"
    "<ENTRY TITLE=\"TK\" ARTIST=\"A\"><LOCATION DIR=\"%s/\" FILE=\"tk.wav\" VOLUME=\"\"/>"
    "<INFO KEY=\"6A\" PLAYTIME_FLOAT=\"60\"/><TEMPO BPM=\"120\"/><MUSICAL_KEY VALUE=\"19\"/>"
    "<CUE_V2 NAME=\"AutoGrid\" TYPE=\"4\" START=\"250\" HOTCUE=\"0\"><GRID BPM=\"120\"/></CUE_V2>"
    "<CUE_V2 NAME=\"Drop\" TYPE=\"0\" START=\"8250\" HOTCUE=\"-1\"/></ENTRY>"
    "<ENTRY TITLE=\"TK2\"><LOCATION DIR=\"/:m/:\" FILE=\"tk2.wav\" VOLUME=\"D:\"/><TEMPO BPM=\"121\"/></ENTRY>"
    "</COLLECTION><PLAYLISTS><NODE TYPE=\"FOLDER\" NAME=\"$ROOT\"><SUBNODES><NODE TYPE=\"PLAYLIST\" NAME=\"P\">"
    "<PLAYLIST><ENTRY><PRIMARYKEY TYPE=\"TRACK\" KEY=\"/:m/:tk2.wav\"/></ENTRY></PLAYLIST></NODE>"
    "</SUBNODES></NODE></PLAYLISTS></NML>\n";

/* BeatGrid-2.0: bpm 120 (double), first beat frame 11025 (varint 0x91 0x56) */
static const char mx_sql[] =
    "CREATE TABLE track_locations (id INTEGER PRIMARY KEY, location TEXT, fs_deleted INTEGER);"
    "CREATE TABLE library (id INTEGER PRIMARY KEY, artist TEXT, title TEXT, album TEXT, genre TEXT,"
    " comment TEXT, bpm REAL, key TEXT, key_id INTEGER, duration REAL, samplerate INTEGER, beats BLOB,"
    " beats_version TEXT, location INTEGER, mixxx_deleted INTEGER);"
    "CREATE TABLE cues (id INTEGER PRIMARY KEY, track_id INTEGER, type INTEGER, position INTEGER,"
    " length INTEGER, hotcue INTEGER, label TEXT);"
    "CREATE TABLE Playlists (id INTEGER PRIMARY KEY, name TEXT, position INTEGER, hidden INTEGER);"
    "CREATE TABLE PlaylistTracks (id INTEGER PRIMARY KEY, playlist_id INTEGER, track_id INTEGER, position INTEGER);"
    "CREATE TABLE crates (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE crate_tracks (crate_id INTEGER, track_id INTEGER);"
    "INSERT INTO track_locations VALUES (1, '%s/mx.wav', 0), (2, '/m/mx2.wav', 0);"
    "INSERT INTO library VALUES (1, 'A', 'MX', '', '', '', 120, '', 20, 60, 44100,"
    " X'0A09090000000000005E401203089156', 'BeatGrid-2.0', 1, 0),"
    " (2, 'A', 'MX2', '', '', '', 121, 'Cm', 0, 60, 44100, X'00', 'BeatMap-1.0', 2, 0);"
    "INSERT INTO cues VALUES (1, 1, 1, 1433250, 0, 0, 'Hot'), (2, 1, 4, 705600, 88200, 1, '');"
    "INSERT INTO Playlists VALUES (1, 'L', 0, 0); INSERT INTO PlaylistTracks VALUES (1, 1, 2, 0), (2, 1, 1, 1);"
    "INSERT INTO crates VALUES (1, 'C'); INSERT INTO crate_tracks VALUES (1, 1);";

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* An Engine DJ schema 3 m.db: one track with a grid and a hot cue. */
static int write_engine(const char *path, const char *dir)
{
    uint8_t raw[160], z[256];
    size_t n = 0;
    double d[2] = { 44100, 44100 * 60.0 };
    uint64_t u;
    for (int i = 0; i < 2; i++) { memcpy(&u, &d[i], 8); put_be(raw + n, u, 8); n += 8; }
    raw[n++] = 1;
    for (int g = 0; g < 2; g++) {
        put_be(raw + n, 2, 8);
        n += 8;
        double off[2] = { 11025 - 4 * 22050.0, 11025 + 100 * 22050.0 };
        long long beat[2] = { -4, 100 };
        for (int k = 0; k < 2; k++) {
            memcpy(&u, &off[k], 8);
            for (int i = 0; i < 8; i++) raw[n + i] = (uint8_t)(u >> (8 * i));
            for (int i = 0; i < 8; i++) raw[n + 8 + i] = (uint8_t)((uint64_t)beat[k] >> (8 * i));
            memset(raw + n + 16, 0, 8);
            n += 24;
        }
    }
    uLongf zl = sizeof z - 4;
    if (compress(z + 4, &zl, raw, n) != Z_OK) return -1;
    put_be(z, n, 4);
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK) return -1;
    static char sql[4096];
    snprintf(sql, sizeof sql,
             "CREATE TABLE Information (id INTEGER PRIMARY KEY, schemaVersionMajor INTEGER, schemaVersionMinor INTEGER);"
             "INSERT INTO Information VALUES (1, 3, 0);"
             "CREATE TABLE Track (id INTEGER PRIMARY KEY, path TEXT, filename TEXT, title TEXT, artist TEXT, album TEXT,"
             " genre TEXT, comment TEXT, bpmAnalyzed REAL, bpm INTEGER, key INTEGER, length REAL);"
             "INSERT INTO Track VALUES (1, '%s/en.wav', 'en.wav', 'EN', 'A', '', '', '', 120, 120, 21, 60);"
             "CREATE TABLE PerformanceData (trackId INTEGER PRIMARY KEY, beatData BLOB, quickCues BLOB);"
             "CREATE TABLE Playlist (id INTEGER PRIMARY KEY, title TEXT, parentListId INTEGER);"
             "CREATE TABLE PlaylistEntity (id INTEGER PRIMARY KEY, listId INTEGER, trackId INTEGER, nextEntityId INTEGER);"
             "INSERT INTO Playlist VALUES (1, 'E', 0); INSERT INTO PlaylistEntity VALUES (1, 1, 1, 0);", dir);
    int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_stmt *q;
    if (rc == SQLITE_OK &&
        (rc = sqlite3_prepare_v2(h, "INSERT INTO PerformanceData VALUES (1, ?, NULL)", -1, &q, NULL)) == SQLITE_OK) {
        sqlite3_bind_blob(q, 1, z, (int)zl + 4, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_finalize(q);
    }
    sqlite3_close(h);
    return rc == SQLITE_OK ? 0 : -1;
}

TEST(index_libraries_every_allocation_stores_all_or_reports)
{
    NEED_SHIM();
    char dir[512], nml[600], mx[600], en[600], dbp[600], f[700];
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    snprintf(nml, sizeof nml, "%s/collection.nml", dir);
    snprintf(mx, sizeof mx, "%s/mixxxdb.sqlite", dir);
    snprintf(en, sizeof en, "%s/m.db", dir);
    static char text[8192];
    snprintf(text, sizeof text, tk_nml, dir);
    write_text(nml, text);
    snprintf(text, sizeof text, mx_sql, dir);
    sqlite3 *h = NULL;
    int mrc = sqlite3_open(mx, &h);
    if (mrc == SQLITE_OK) mrc = sqlite3_exec(h, text, NULL, NULL, NULL);
    sqlite3_close(h);
    if (mrc != SQLITE_OK || write_engine(en, dir) < 0) {
        unit_fail(__FILE__, __LINE__, "could not write the test libraries");
        return;
    }
    const char *audio[] = { "tk.wav", "mx.wav", "en.wav" };
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s/%s", dir, audio[i]);
        write_text(f, "not decoded by cs index");
    }
    cs_index_opts o = { .traktor_nml = nml, .from_traktor = true, .mixxx_db = mx, .from_mixxx = true,
                        .engine_db = en, .from_engine = true };
    static char clean[16384], got[16384];
    cs_index_stats clean_st = {0};
    long points = 0;
    int bad = 0;
    int level = cs_log_level();
    cs_log_set_level(CS_LOG_QUIET);
    for (long n = 0; n == 0 || n <= points; n++) {
        snprintf(dbp, sizeof dbp, "%s/libs%ld.db", dir, n);
        cs_db *db;
        cs_err e = {0};
        if (cs_db_open(dbp, &db, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
        sqlite3_exec(cs_db_sqlite(db), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
        cs_index_stats st;
        cs_fault_arm(n, 0, false);
        int rc = cs_index_run(db, &o, &st, &e);
        if (n == 0) points = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        library_text(db, n ? got : clean, sizeof got);
        cs_db_close(db);
        unlink(dbp);
        bool lib_failed = st.lib[CS_LIB_TRAKTOR].failed || st.lib[CS_LIB_MIXXX].failed ||
                          st.lib[CS_LIB_ENGINE].failed;
        if (n == 0) {
            CHECK(rc == 0 && !lib_failed && st.lib[CS_LIB_TRAKTOR].tracks == 2 &&
                  st.lib[CS_LIB_MIXXX].tracks == 2 && st.lib[CS_LIB_ENGINE].tracks == 1 &&
                  st.lib[CS_LIB_TRAKTOR].structs == 1 && st.lib[CS_LIB_MIXXX].structs == 1 &&
                  st.lib[CS_LIB_ENGINE].structs == 1 && st.total == 3 && strstr(clean, "'Hot'"));
            clean_st = st;
            continue;
        }
        bool whole = rc == 0 && !st.failed && !lib_failed && !strcmp(got, clean);
        bool reported = rc < 0 || st.failed || lib_failed;
        if (!whole && !reported && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: a different library, nothing reported", n, points);
        if (whole && (st.total != clean_st.total || st.with_key != clean_st.with_key) && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: the library is whole, the summary is not", n, points);
    }
    cs_log_set_level(level);
    printf("index libraries: %ld allocation points, %d silently wrong\n", points, bad);
}

/* cs play --csv takes the beat grids the CSV lacks from the library
 * (cs_lset_attach_beats).  Its allocations failed silently: a track kept
 * the CSV rule, or its downbeats or sections were cut short, and the log
 * said nothing.  Now every run attaches exactly what a clean run does, or
 * returns "out of memory" (the player says which grids it has). */
TEST(csv_set_beats_attach_all_or_fail)
{
    NEED_SHIM();
    char dir[512], sdir[600], dbp[600];
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    snprintf(dbp, sizeof dbp, "%s/grid.db", dir);
    one_struct_folder(sdir, sizeof sdir, dir, "struct", struct_json);
    cs_db *db;
    cs_err e = {0};
    if (cs_db_open(dbp, &db, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
    cs_index_opts o = { .struct_dir = sdir };
    cs_index_stats st;
    CHECK(cs_index_run(db, &o, &st, &e) == 0 && st.indexed == 1);
    long points = 0;
    int bad = 0;
    size_t clean_beats = 0, clean_down = 0, clean_sec = 0;
    for (long n = 0; n == 0 || n <= points; n++) {
        cs_lset set = {0};
        /* the part from the first beat (0.5 s) to 20 s, as a CSV row holds it */
        cs_lset_track *t = cs_lset_add_track(&set, "/m/one.mp3", 122, 0.5, 8, 19.5);
        if (!t) { unit_fail(__FILE__, __LINE__, "setup"); break; }
        size_t got = 0;
        cs_err ae = {0};
        cs_fault_arm(n, 0, false);
        int rc = cs_lset_attach_beats(db, &set, &got, &ae);
        if (n == 0) points = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        if (n == 0) {
            CHECK(rc == 0 && got == 1 && t->beats.n == 4 && t->downbeats.n == 2 && t->sections.n >= 2);
            clean_beats = t->beats.n, clean_down = t->downbeats.n, clean_sec = t->sections.n;
        } else if (rc == 0) {
            if ((got != 1 || t->beats.n != clean_beats || t->downbeats.n != clean_down ||
                 t->sections.n != clean_sec) && bad++ < 5)
                unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: %zu beats, %zu downbeats, %zu sections, "
                          "nothing reported", n, points, t->beats.n, t->downbeats.n, t->sections.n);
        } else if (ae.code != CS_ERR_NOMEM && bad++ < 5) {
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: failed with \"%s\"", n, points, ae.msg);
        }
        cs_lset_free(&set);
    }
    cs_db_close(db);
    unlink(dbp);
    printf("csv set grids: %ld allocation points, %d silently wrong\n", points, bad);
}

/* The same from a set folder's manifest (cs_setfile_attach_beats): a
 * failed copy of the downbeats left the beats in place, a half grid that
 * passed for whole (the library was then not asked). */
static double *dup_doubles(const double *v, size_t n)
{
    double *p = malloc(n * sizeof *p);
    if (p) memcpy(p, v, n * sizeof *p);
    return p;
}

TEST(manifest_beats_attach_all_or_fail)
{
    NEED_SHIM();
    cs_setfile m = {0};
    cs_set_track *mt = cs_setfile_add_track(&m, "/m/one.mp3", "Gm", 122, 0.5, 8.5, 20);
    static const double beats[] = { 0, 0.5, 1.0, 1.5, 2.0 }, down[] = { 0, 2.0 }, sec[] = { 0, 8 };
    CHECK(mt != NULL);
    if (!mt) return;
    mt->beats = (cs_dvec){ dup_doubles(beats, 5), 5 };
    mt->downbeats = (cs_dvec){ dup_doubles(down, 2), 2 };
    mt->sections = (cs_dvec){ dup_doubles(sec, 2), 2 };
    long points = 0;
    int bad = 0;
    for (long n = 0; n == 0 || n <= points; n++) {
        cs_lset set = {0};
        cs_lset_track *t = cs_lset_add_track(&set, "/m/one.mp3", 122, 0.5, 8, 19.5);
        if (!t) { unit_fail(__FILE__, __LINE__, "setup"); break; }
        size_t got = 0;
        cs_err e = {0};
        cs_fault_arm(n, 0, false);
        int rc = cs_setfile_attach_beats(&m, &set, &got, &e);
        if (n == 0) points = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        bool whole = got == 1 && t->beats.n == 5 && t->downbeats.n == 2 && t->sections.n == 2;
        bool none = got == 0 && !t->beats.n && !t->downbeats.n && !t->sections.n;
        if (n == 0) CHECK(rc == 0 && whole);
        else if (!((rc == 0 && whole) || (rc < 0 && e.code == CS_ERR_NOMEM && none)) && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: rc %d, %zu beats, %zu downbeats, %zu sections",
                      n, points, rc, t->beats.n, t->downbeats.n, t->sections.n);
        cs_lset_free(&set);
    }
    cs_setfile_free(&m);
    printf("manifest grids: %ld allocation points, %d wrong\n", points, bad);
}

/* cs index counts and warns once per unknown key notation; a failed copy
 * of the notation went uncounted ("unknown keys 0", exit 0).  Now the
 * file fails for memory, or the count is the clean run's. */
TEST(unknown_key_counted_or_fail)
{
    NEED_SHIM();
    char dir[512], sdir[600], dbp[600];
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    one_struct_folder(sdir, sizeof sdir, dir, "ukey", "{\"path\": \"/m/one.mp3\", \"bpm\": 122, \"key\": \"H moll\", \"beats\": [0.5, 1.0, 1.5, 2.0],"
                      " \"downbeats\": [0.5], \"beat_positions\": [1, 2, 3, 4],"
                      " \"segments\": [{\"start\": 0, \"end\": 8, \"label\": \"intro\"}]}");
    cs_index_opts o = { .struct_dir = sdir };
    long points = 0;
    int bad = 0;
    int level = cs_log_level();
    cs_log_set_level(CS_LOG_QUIET);
    /* One library, emptied before each run: the file is new every time,
     * and the schema's own allocations are not tried again and again. */
    snprintf(dbp, sizeof dbp, "%s/ukey.db", dir);
    cs_db *db;
    cs_err oe = {0};
    if (cs_db_open(dbp, &db, &oe) < 0) { unit_fail(__FILE__, __LINE__, "%s", oe.msg); return; }
    sqlite3_exec(cs_db_sqlite(db), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
    for (long n = 0; n == 0 || n <= points; n++) {
        cs_err e = {0};
        sqlite3_exec(cs_db_sqlite(db), "DELETE FROM segments; DELETE FROM tracks", NULL, NULL, NULL);
        cs_index_stats st;
        cs_fault_arm(n, 0, false);
        int rc = cs_index_run(db, &o, &st, &e);
        if (n == 0) points = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        if (n == 0) CHECK(rc == 0 && st.indexed == 1 && st.unknown_keys == 1);
        else if (rc == 0 && !st.failed && (st.indexed != 1 || st.unknown_keys != 1) && bad++ < 5)
            unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: indexed %ld, unknown keys %ld, nothing reported",
                      n, points, st.indexed, st.unknown_keys);
    }
    cs_db_close(db);
    unlink(dbp);
    cs_log_set_level(level);
    printf("unknown key: %ld allocation points, %d silently wrong\n", points, bad);
}

/* cs play's default --allow-dir list takes the folders of the library's
 * audio files.  A failed copy of a path left its folder out silently, so
 * a load from it was later refused as "outside the allowed folders".  Now
 * the list is whole or the player does not start ("out of memory"). */
TEST(allow_list_whole_or_fails)
{
    NEED_SHIM();
    char dir[512], sdir[600], xml[600], dbp[600], audio[700];
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    snprintf(xml, sizeof xml, "%s/arb.xml", dir);
    snprintf(dbp, sizeof dbp, "%s/allow.db", dir);
    one_struct_folder(sdir, sizeof sdir, dir, "astruct", struct_json);
    char xml_text[sizeof rb_xml + 600];
    snprintf(xml_text, sizeof xml_text, rb_xml, dir);
    write_text(xml, xml_text);
    snprintf(audio, sizeof audio, "%s/three.wav", dir);
    write_text(audio, "not decoded here");
    cs_db *db;
    cs_err e = {0};
    if (cs_db_open(dbp, &db, &e) < 0) { unit_fail(__FILE__, __LINE__, "%s", e.msg); return; }
    cs_index_opts o = { .struct_dir = sdir, .rekordbox_xml = xml, .from_rekordbox = true };
    cs_index_stats st;
    int level = cs_log_level();
    cs_log_set_level(CS_LOG_QUIET);
    CHECK(cs_index_run(db, &o, &st, &e) == 0);
    cs_db_close(db);
    const char *files[] = { NULL };
    long points = 0;
    int bad = 0;
    for (long n = 0; n == 0 || n <= points; n++) {
        cs_err be = {0}, ce = {0};
        cs_fault_arm(n, 0, false);
        cs_allow *a = cs_play_allow_build(NULL, 0, files, 1, dbp, &be);
        if (n == 0) points = cs_fault_allocs();
        cs_fault_arm(0, 0, false);
        if (n == 0) CHECK(a && cs_allow_check(a, audio, &ce) == 0);
        else if (a ? cs_allow_check(a, audio, &ce) != 0 : be.code != CS_ERR_NOMEM) {
            if (bad++ < 5)
                unit_fail(__FILE__, __LINE__, "allocation %ld of %ld: %s", n, points, a ? ce.msg : be.msg);
        }
        cs_allow_free(a);
    }
    cs_log_set_level(level);
    unlink(dbp);
    printf("allow list: %ld allocation points, %d wrong\n", points, bad);
}
