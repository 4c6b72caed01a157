/* cs index: struct JSONs and a Rekordbox XML into the library. */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "db/library.h"

static const char usage[] =
    "usage: cs index [STRUCT_DIR] [--rekordbox-xml FILE] [--audio-dir DIR] [--force]\n"
    "\n"
    "Reads every allin1 struct JSON under STRUCT_DIR (recursively) and/or a\n"
    "Rekordbox XML collection into the library (see 'cs --help' for --db).\n"
    "Unchanged files are skipped, files gone from STRUCT_DIR are removed, the\n"
    "collection is replaced when its XML changed.  Each struct is matched to a\n"
    "Rekordbox track by path (case- and Unicode-insensitive), else by a unique\n"
    "file name; Rekordbox AverageBpm and Tonality then override the JSON.\n"
    "\n"
    "  --rekordbox-xml FILE  Rekordbox 'Export Collection in xml format' file\n"
    "  --audio-dir DIR       find audio by its file name here when the JSON path\n"
    "                        does not exist on this machine\n"
    "  --force               re-read files even when unchanged\n"
    "  -h, --help            this text\n"
    "\n"
    "Bad files are reported one line each and skipped.  Prints a summary line.\n"
    "exit status: 0 when something usable was indexed, 1 when nothing was,\n"
    "2 on bad usage.\n";

int cmd_index(int argc, char **argv, const cs_ctx *ctx)
{
    static const struct option opts[] = {
        { "rekordbox-xml", required_argument, NULL, 'x' },
        { "audio-dir", required_argument, NULL, 'a' },
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    cs_index_opts o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'x': o.rekordbox_xml = optarg; break;
        case 'a': o.audio_dir = optarg; break;
        case 'f': o.force = true; break;
        case 'h': cs_print_usage(usage, false); return CS_EXIT_OK;
        default: cs_print_usage(usage, true); return CS_EXIT_USAGE;
        }
    }
    if (optind < argc) o.struct_dir = argv[optind++];
    if (optind < argc) {
        cs_log_error("index: unexpected argument '%s'", argv[optind]);
        return CS_EXIT_USAGE;
    }
    if (!o.struct_dir && !o.rekordbox_xml && !o.audio_dir) {
        cs_log_error("index: give a STRUCT_DIR and/or --rekordbox-xml FILE");
        cs_print_usage(usage, true);
        return CS_EXIT_USAGE;
    }

    cs_err err = {{0}};
    cs_db *db;
    if (cs_db_open(ctx->db_path, &db, &err) < 0) {
        cs_log_error("%s", err.msg);
        return CS_EXIT_FAIL;
    }
    cs_index_stats st;
    int rc = cs_index_run(db, &o, &st, &err);
    cs_db_close(db);
    if (rc < 0) {
        cs_log_error("index: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    if (ctx->verbosity >= CS_LOG_NORMAL) {
        printf("indexed %ld, unchanged %ld, removed %ld, failed %ld; ",
               st.indexed, st.unchanged, st.removed, st.failed);
        if (o.rekordbox_xml)
            printf("rekordbox %s%ld tracks, %ld playlists; ",
                   st.rb_failed ? "FAILED, " : st.rb_unchanged ? "unchanged, " : "",
                   st.rb_tracks, st.rb_playlists);
        printf("library %ld tracks: matched to rekordbox %ld, bpm overridden %ld, with key %ld, "
               "audio missing %ld; unknown keys %ld; warnings %ld\n",
               st.total, st.matched, st.bpm_overridden, st.with_key, st.no_audio,
               st.unknown_keys, st.warnings);
    }
    return CS_EXIT_OK;
}
