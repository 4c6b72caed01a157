/* cs index: struct JSONs and a Rekordbox XML into the library. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "db/indexer.h"

static const cs_optdef def = {
    "index",
    "usage: cs index [STRUCT_DIR] [--rekordbox-xml FILE] [--from-rekordbox]\n"
    "                [--audio-dir DIR] [--force]\n",
    "Reads every allin1 struct JSON under STRUCT_DIR (recursively) and/or a\n"
    "Rekordbox XML collection into the library (see 'cs --help' for --db).\n"
    "Unchanged files are skipped, files gone from STRUCT_DIR are removed, the\n"
    "collection is replaced when its XML changed.  Each struct is matched to a\n"
    "Rekordbox track by path (case- and Unicode-insensitive), else by a unique\n"
    "file name; Rekordbox AverageBpm and Tonality then override the JSON.\n"
    "A Location twice in the collection (the first TRACK is used) and a file\n"
    "name there several times (the track stays unmatched) are warned about.\n",
    "Bad files are reported one line each and skipped.  Prints a summary line.\n"
    "exit status: 0 when something usable was indexed, 1 when nothing was,\n"
    "2 on bad usage.\n",
};

int cmd_index(int argc, char **argv, cs_ctx *ctx)
{
    cs_index_opts o = {0};
    const cs_option opts[] = {
        OPT_STRING(0, "rekordbox-xml", &o.rekordbox_xml, "FILE",
                   "Rekordbox 'Export Collection in xml format' file"),
        OPT_BOOL(0, "from-rekordbox", &o.from_rekordbox,
                 "also make a struct (source 'rekordbox') for every\n"
                 "collection track with a TEMPO grid and audio that no\n"
                 "struct file covers: beats from the grid, sections\n"
                 "from its memory cues (7 or more after the first\n"
                 "downbeat; the intro ends at the first), else 16-bar\n"
                 "phrases (the first is the intro)"),
        OPT_STRING(0, "audio-dir", &o.audio_dir, "DIR",
                   "find audio by its file name here when the JSON path\n"
                   "does not exist on this machine (names compared\n"
                   "ignoring Unicode form and case); a struct without\n"
                   "a path finds the audio named after the struct\n"
                   "file (Song.json: Song.wav, .flac, .mp3...)"),
        OPT_BOOL(0, "force", &o.force, "re-read files even when unchanged"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (n < 0) return cs_opt_exit(n);
    if (n > 1) return cs_usage_error("index", "unexpected argument '%s'", argv[1]);
    if (n == 1) o.struct_dir = argv[0];
    if (!o.struct_dir && !o.rekordbox_xml && !o.audio_dir && !o.from_rekordbox)
        return cs_usage_error("index", "give a STRUCT_DIR and/or --rekordbox-xml FILE");

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
        if (o.rekordbox_xml && st.rb_unchanged)
            printf("rekordbox unchanged (%ld tracks, %ld playlists); ", st.rb_tracks, st.rb_playlists);
        else if (o.rekordbox_xml)
            printf("rekordbox %s%ld tracks, %ld playlists; ", st.rb_failed ? "FAILED, " : "",
                   st.rb_tracks, st.rb_playlists);
        if (o.from_rekordbox)
            printf("rekordbox structs %ld (%ld tracks without audio or grid); ", st.rb_structs,
                   st.rb_struct_skipped);
        printf("library %ld tracks: matched to rekordbox %ld, bpm overridden %ld, with key %ld, "
               "audio missing %ld, no BPM %ld; unknown keys %ld; warnings %ld\n",
               st.total, st.matched, st.bpm_overridden, st.with_key, st.no_audio, st.no_bpm,
               st.unknown_keys, st.warnings);
    }
    /* Tracks without a BPM are kept but never selected: say so without -v. */
    if (st.no_bpm)
        cs_log_warn("index: %ld track%s without a BPM (JSON bpm 0/null, no Rekordbox AverageBpm): "
                    "never selected; 'cs ls' lists them", st.no_bpm, st.no_bpm == 1 ? "" : "s");
    return CS_EXIT_OK;
}
