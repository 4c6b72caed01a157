/* cs search: list library tracks by BPM range and key, with their cues. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/selopt.h"
#include "db/library.h"
#include "pkg/csv.h"
#include "pkg/key.h"

static const cs_optdef def = {
    "search",
    "usage: cs search [selection] [--format paths|table|csv|json] [--sort bpm|key|path]\n"
    "                 [--key-notation classic|camelot|openkey]\n",
    "Lists the library's tracks that match, ordered by analysed path.  Tracks\n"
    "without an 'intro' segment or without N sections after it are left out.\n"
    "Title and artist come from the matched Rekordbox track.\n",
    "When nothing matches, one line on stderr says why (counts per reason).\n"
    "exit status: 0 ok (also with no match), 1 no library or a database error,\n"
    "2 bad usage.\n",
};

enum { FMT_PATHS, FMT_TABLE, FMT_CSV, FMT_JSON };
static const cs_name formats[] = {
    { "paths", FMT_PATHS, 0 }, { "table", FMT_TABLE, 0 }, { "csv", FMT_CSV, 0 }, { "json", FMT_JSON, 0 },
    { NULL, 0, 0 },
};

enum { SORT_PATH, SORT_BPM, SORT_KEY };
static const cs_name sorts[] = {
    { "path", SORT_PATH, 0 }, { "bpm", SORT_BPM, 0 }, { "key", SORT_KEY, 0 }, { NULL, 0, 0 },
};
enum { NOTE_ASIS, NOTE_CLASSIC, NOTE_CAMELOT, NOTE_OPENKEY };
static const cs_name notations[] = {
    { "classic", NOTE_CLASSIC, 0 }, { "camelot", NOTE_CAMELOT, 0 }, { "openkey", NOTE_OPENKEY, 0 },
    { NULL, 0, 0 },
};
static int notation = NOTE_ASIS;

/* The track's key in the asked notation into buf (8 bytes); as written when
 * no notation was asked or the text is no key we know; NULL when none. */
static const char *key_text(const cs_lib_track *t, char *buf)
{
    int code = cs_key_parse(t->key);
    if (notation == NOTE_ASIS || code < 0) return t->key;
    if (notation == NOTE_CLASSIC) return cs_key_name(code);
    return notation == NOTE_CAMELOT ? cs_key_camelot(code, buf) : cs_key_openkey(code, buf);
}

/* Sort key for --sort key: Camelot order, tracks without a key last. */
static int key_rank(const cs_lib_track *t)
{
    int code = cs_key_parse(t->key);
    return code >= 0 ? code : 100;
}

static int sort_by;
static int cmp_tracks(const void *pa, const void *pb)
{
    const cs_lib_track *a = pa, *b = pb;
    if (sort_by == SORT_KEY && key_rank(a) != key_rank(b)) return key_rank(a) - key_rank(b);
    if (sort_by != SORT_PATH && a->bpm != b->bpm) return a->bpm < b->bpm ? -1 : 1;
    return strcmp(cs_lib_track_name(a), cs_lib_track_name(b));
}

static void print_json(const cs_lib_track *t, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", cs_lib_track_name(&t[i]));
        cJSON_AddNumberToObject(o, "bpm", t[i].bpm);
        char kb[8];
        const char *key = key_text(&t[i], kb);
        if (key) cJSON_AddStringToObject(o, "key", key);
        else cJSON_AddNullToObject(o, "key");
        cJSON_AddNumberToObject(o, "ini_cue", t[i].cues.ini_cue);
        cJSON_AddNumberToObject(o, "begin_cue", t[i].cues.begin_cue);
        cJSON_AddNumberToObject(o, "end_cue", t[i].cues.end_cue);
        if (t[i].audio_path) cJSON_AddStringToObject(o, "audio_path", t[i].audio_path);
        else cJSON_AddNullToObject(o, "audio_path");
        cJSON_AddStringToObject(o, "struct_path", t[i].struct_path);
        cJSON_AddStringToObject(o, "source", t[i].source);
        if (t[i].energy >= 0) cJSON_AddNumberToObject(o, "energy", t[i].energy);
        else cJSON_AddNullToObject(o, "energy");
        if (t[i].rb_name) cJSON_AddStringToObject(o, "title", t[i].rb_name);
        else cJSON_AddNullToObject(o, "title");
        if (t[i].rb_artist) cJSON_AddStringToObject(o, "artist", t[i].rb_artist);
        else cJSON_AddNullToObject(o, "artist");
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(arr);
    if (s) puts(s);
    free(s);
    cJSON_Delete(arr);
}

static void print_csv(const cs_lib_track *t, size_t n)
{
    puts("path,bpm,key,ini_cue,begin_cue,end_cue,audio_path,struct_path,source,title,artist,energy");
    for (size_t i = 0; i < n; i++) {
        char kb[8];
        cs_csv_field(stdout, cs_lib_track_name(&t[i]), 0);
        cs_csv_number(stdout, t[i].bpm, 1);
        cs_csv_field(stdout, key_text(&t[i], kb), 1);
        cs_csv_number(stdout, t[i].cues.ini_cue, 1);
        cs_csv_number(stdout, t[i].cues.begin_cue, 1);
        cs_csv_number(stdout, t[i].cues.end_cue, 1);
        cs_csv_field(stdout, t[i].audio_path, 1);
        cs_csv_field(stdout, t[i].struct_path, 1);
        cs_csv_field(stdout, t[i].source, 1);
        cs_csv_field(stdout, t[i].rb_name, 1);
        cs_csv_field(stdout, t[i].rb_artist, 1);
        if (t[i].energy >= 0) cs_csv_number(stdout, t[i].energy, 1);
        else cs_csv_field(stdout, "", 1);
        putchar('\n');
    }
}

/* Characters (not bytes) of UTF-8 text, for padding columns. */
static int utf8_len(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* "Artist - Title", "Title", or "-" into buf. */
static const char *track_label(const cs_lib_track *t, char *buf, size_t size)
{
    if (!t->rb_name && !t->rb_artist) return "-";
    snprintf(buf, size, "%s%s%s", t->rb_artist ? t->rb_artist : "",
             t->rb_artist && t->rb_name ? " - " : "", t->rb_name ? t->rb_name : "");
    return buf;
}

static void print_table(const cs_lib_track *t, size_t n)
{
    char lb[512], kb[8];
    int w = 5;   /* "TRACK" */
    for (size_t i = 0; i < n; i++) {
        int l = utf8_len(track_label(&t[i], lb, sizeof lb));
        if (l > w) w = l;
    }
    printf("%-8s %-5s %9s %9s %9s %6s  %-16s %-*s  %s\n", "BPM", "KEY", "INI_CUE", "BEGIN", "END", "ENERGY",
           "SOURCE", w, "TRACK", "PATH");
    for (size_t i = 0; i < n; i++) {
        const char *key = key_text(&t[i], kb), *label = track_label(&t[i], lb, sizeof lb);
        char en[16] = "-";
        if (t[i].energy >= 0) snprintf(en, sizeof en, "%.2f", t[i].energy);
        printf("%-8.2f %-5s %9.2f %9.2f %9.2f %6s  %-16s %s%*s  %s%s\n", t[i].bpm, key ? key : "-",
               t[i].cues.ini_cue, t[i].cues.begin_cue, t[i].cues.end_cue, en, t[i].source, label,
               w - utf8_len(label), "", cs_lib_track_name(&t[i]),
               t[i].audio_path ? "" : "  (audio missing)");
    }
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
                 "     struct: allin1, cs analyze <version>, rekordbox),\n"
                 "     title,artist,energy (0..1, measured by cs export;\n"
                 "     empty until then; table: ENERGY)\n"
                 "json: an array of objects with the same fields"),
        OPT_ENUM(0, "sort", &sort_by, sorts,
                 "path: by analysed path (default)\n"
                 "bpm: slowest first (ties by path)\n"
                 "key: round the Camelot wheel, 1A 1B 2A ...; no key last"),
        OPT_ENUM(0, "key-notation", &notation, notations,
                 "print every key in one notation: Gm, 6A or 3m\n"
                 "(default: as the collection writes it)"),
        OPT_END(),
    };
    int npos = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (npos < 0) return cs_opt_exit(npos);
    if (npos > 0) return cs_usage_error("search", "unexpected argument '%s'", argv[0]);
    cs_db *db;
    cs_lib_track *t;
    size_t n;
    cs_select_stats st;
    int rc = cs_selopt_query(&so, ctx, false, &db, &t, &n, &st);
    if (rc != CS_EXIT_OK) return rc;
    cs_db_close(db);
    if (sort_by != SORT_PATH) qsort(t, n, sizeof *t, cmp_tracks);
    switch (fmt) {
    case FMT_PATHS:
        for (size_t i = 0; i < n; i++) puts(cs_lib_track_name(&t[i]));
        break;
    case FMT_TABLE: print_table(t, n); break;
    case FMT_CSV: print_csv(t, n); break;
    case FMT_JSON: print_json(t, n); break;
    }
    char why[512];
    cs_select_why(&st, (int)so.n_sections, why, sizeof why);
    if (!n) cs_log_warn("search: no track selected: %s", why);
    else cs_log_debug("search: %s", why);
    cs_lib_tracks_free(t, n);
    return CS_EXIT_OK;
}
