/* cs search: list library tracks by BPM range and key, with their cues. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/selopt.h"
#include "db/library.h"
#include "pkg/csv.h"

static const cs_optdef def = {
    "search",
    "usage: cs search [selection] [--format paths|table|csv|json]\n",
    "Lists the library's tracks that match, ordered by analysed path.  Tracks\n"
    "without an 'intro' segment or without N sections after it are left out.\n",
    "exit status: 0 ok (also with no match), 1 no library or a database error,\n"
    "2 bad usage.\n",
};

enum { FMT_PATHS, FMT_TABLE, FMT_CSV, FMT_JSON };
static const cs_name formats[] = {
    { "paths", FMT_PATHS, 0 }, { "table", FMT_TABLE, 0 }, { "csv", FMT_CSV, 0 }, { "json", FMT_JSON, 0 },
    { NULL, 0, 0 },
};

static void print_json(const cs_lib_track *t, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", cs_lib_track_name(&t[i]));
        cJSON_AddNumberToObject(o, "bpm", t[i].bpm);
        if (t[i].key) cJSON_AddStringToObject(o, "key", t[i].key);
        else cJSON_AddNullToObject(o, "key");
        cJSON_AddNumberToObject(o, "ini_cue", t[i].cues.ini_cue);
        cJSON_AddNumberToObject(o, "begin_cue", t[i].cues.begin_cue);
        cJSON_AddNumberToObject(o, "end_cue", t[i].cues.end_cue);
        if (t[i].audio_path) cJSON_AddStringToObject(o, "audio_path", t[i].audio_path);
        else cJSON_AddNullToObject(o, "audio_path");
        cJSON_AddStringToObject(o, "struct_path", t[i].struct_path);
        cJSON_AddStringToObject(o, "source", t[i].source);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(arr);
    if (s) puts(s);
    free(s);
    cJSON_Delete(arr);
}

static void print_csv(const cs_lib_track *t, size_t n)
{
    puts("path,bpm,key,ini_cue,begin_cue,end_cue,audio_path,struct_path,source");
    for (size_t i = 0; i < n; i++) {
        cs_csv_field(stdout, cs_lib_track_name(&t[i]), 0);
        cs_csv_number(stdout, t[i].bpm, 1);
        cs_csv_field(stdout, t[i].key, 1);
        cs_csv_number(stdout, t[i].cues.ini_cue, 1);
        cs_csv_number(stdout, t[i].cues.begin_cue, 1);
        cs_csv_number(stdout, t[i].cues.end_cue, 1);
        cs_csv_field(stdout, t[i].audio_path, 1);
        cs_csv_field(stdout, t[i].struct_path, 1);
        cs_csv_field(stdout, t[i].source, 1);
        putchar('\n');
    }
}

static void print_table(const cs_lib_track *t, size_t n)
{
    printf("%-8s %-5s %9s %9s %9s  %-16s %s\n", "BPM", "KEY", "INI_CUE", "BEGIN", "END", "SOURCE",
           "PATH");
    for (size_t i = 0; i < n; i++)
        printf("%-8.2f %-5s %9.2f %9.2f %9.2f  %-16s %s%s\n", t[i].bpm, t[i].key ? t[i].key : "-",
               t[i].cues.ini_cue, t[i].cues.begin_cue, t[i].cues.end_cue, t[i].source,
               cs_lib_track_name(&t[i]), t[i].audio_path ? "" : "  (audio missing)");
}

int cmd_search(int argc, char **argv, cs_ctx *ctx)
{
    cs_selopts so;
    cs_selopts_init(&so, "search");
    int fmt = FMT_PATHS;
    const cs_option opts[] = {
        CS_SELECTION_OPTIONS(&so),
        OPT_GROUP("\noutput:"),
        OPT_ENUM(0, "format", &fmt, formats,
                 "paths: analysed paths, one per line (default)\n"
                 "table: aligned columns for people\n"
                 "csv: path,bpm,key,ini_cue,begin_cue,end_cue,\n"
                 "     audio_path,struct_path,source (who made the\n"
                 "     struct: allin1, cs analyze <version>, rekordbox)\n"
                 "json: an array of objects with the same fields"),
        OPT_END(),
    };
    int npos = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (npos < 0) return cs_opt_exit(npos);
    if (npos > 0) return cs_usage_error("search", "unexpected argument '%s'", argv[0]);
    cs_selection sel;
    int rc;
    if ((rc = cs_selopt_build("search", &so, &sel)) < 0)
        return rc == CS_ERR_NOMEM ? CS_EXIT_FAIL : CS_EXIT_USAGE;

    cs_err err = {{0}};
    cs_db *db;
    if (cs_db_open_readonly(ctx->db_path, &db, &err) < 0) {
        cs_log_error("%s", err.msg);
        cs_selection_free(&sel);
        return CS_EXIT_FAIL;
    }
    cs_lib_track *t;
    size_t n;
    cs_select_stats st;
    rc = cs_library_select(db, &sel, &t, &n, &st, &err);
    cs_db_close(db);
    cs_selection_free(&sel);
    if (rc < 0) {
        cs_log_error("search: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    switch (fmt) {
    case FMT_PATHS:
        for (size_t i = 0; i < n; i++) puts(cs_lib_track_name(&t[i]));
        break;
    case FMT_TABLE: print_table(t, n); break;
    case FMT_CSV: print_csv(t, n); break;
    case FMT_JSON: print_json(t, n); break;
    }
    cs_log_debug("search: %ld considered, %ld selected; left out: %ld no BPM, %ld BPM out of "
                 "range, %ld key, %ld no intro, %ld too few sections",
                 st.considered, st.selected, st.no_bpm, st.bpm_out, st.key_out, st.no_intro,
                 st.too_few);
    cs_lib_tracks_free(t, n);
    return CS_EXIT_OK;
}
