/* cs index: struct JSONs and DJ library collections (Rekordbox XML, Traktor
 * NML, Mixxx database) into the library. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "db/indexer.h"
#include "db/lib_engine.h"
#include "db/lib_mixxx.h"
#include "pkg/serato_lib.h"
#include "pkg/traktor.h"

/* A library option whose FILE may be left out (the library's default
 * place is searched then). */
typedef struct lib_arg {
    const char *file;
    bool given, find;
    const char **trailing;   /* a word after FILE: the STRUCT_DIR */
} lib_arg;

static int lib_file_cb(const cs_option *opt, char **words, int n)
{
    lib_arg *a = opt->value;
    if (n > 2 || (n == 2 && *a->trailing))
        return cs_usage_error("index", "--%s takes one FILE: unexpected argument '%s'",
                              opt->long_name, words[n - 1]);
    if (n == 2) *a->trailing = words[1];
    a->given = true;
    a->file = n ? words[0] : NULL;
    a->find = n == 0;
    return 0;
}

/* --serato [DIR|FILE...]: the words up to the next option. */
typedef struct serato_arg {
    char **words;
    int n;
    bool given;
} serato_arg;

static int serato_cb(const cs_option *opt, char **words, int n)
{
    serato_arg *a = opt->value;
    if (a->given) return cs_usage_error("index", "give --serato once (with every folder and file after it)");
    a->given = true;
    a->words = words;
    a->n = n;
    return 0;
}

static const cs_optdef def = {
    "index",
    "usage: cs index [STRUCT_DIR] [--rekordbox-xml FILE] [--from-rekordbox]\n"
    "                [--traktor-nml [FILE]] [--from-traktor]\n"
    "                [--mixxx-db [FILE]] [--from-mixxx]\n"
    "                [--engine-db [FILE]] [--from-engine]\n"
    "                [--serato [DIR|FILE...]] [--from-serato]\n"
    "                [--audio-dir DIR] [--force]\n",
    "Reads every allin1 struct JSON under STRUCT_DIR (recursively) and/or DJ\n"
    "library collections (a Rekordbox XML, a Traktor collection.nml, a Mixxx\n"
    "mixxxdb.sqlite, an Engine DJ m.db; the databases are read-only and never\n"
    "locked against the running program; Serato's tags in the audio files)\n"
    "into the library (see 'cs --help' for --db).  Unchanged files are\n"
    "skipped, files gone from STRUCT_DIR are removed, a collection is\n"
    "replaced when its file changed (Serato's is read again every run).\n"
    "Each struct is matched to a collection track by path (case- and\n"
    "Unicode-insensitive), else by a file name unique in the collection\n"
    "(Rekordbox's collection first); the collection's BPM and key then\n"
    "override the JSON.  A Location twice in a collection (the first track\n"
    "is used) and a file name there several times (the track stays\n"
    "unmatched) are warned about.  A FILE may be followed by the STRUCT_DIR.\n",
    "Bad files are reported one line each and skipped.  Prints a summary line.\n"
    "exit status: 0 when something usable was indexed, 1 when nothing was,\n"
    "2 on bad usage.\n",
};

int cmd_index(int argc, char **argv, cs_ctx *ctx)
{
    cs_index_opts o = {0};
    const char *trailing = NULL;
    lib_arg traktor = { .trailing = &trailing }, mixxx = { .trailing = &trailing },
            engine = { .trailing = &trailing };
    serato_arg serato = {0};
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
        OPT_CALLBACK(0, "traktor-nml", &traktor, "[FILE]", -1, lib_file_cb,
                     "Traktor collection (collection.nml): BPM, key\n"
                     "(MUSICAL_KEY), grid markers, cues, loops, playlists;\n"
                     "Windows drives and macOS volumes ('/Volumes/NAME')\n"
                     "are found here through --audio-dir by file name.\n"
                     "Without FILE: the newest ~/Documents/Native\n"
                     "Instruments/Traktor*/collection.nml (the file read\n"
                     "is named)"),
        OPT_BOOL(0, "from-traktor", &o.from_traktor,
                 "as --from-rekordbox, from the Traktor collection's\n"
                 "grid markers and memory cues (source 'traktor'); an\n"
                 "audio file another library or a struct file already\n"
                 "has keeps that track"),
        OPT_CALLBACK(0, "mixxx-db", &mixxx, "[FILE]", -1, lib_file_cb,
                     "Mixxx library (mixxxdb.sqlite): BPM, key (key_id),\n"
                     "beat grid or beat map, cues, loops, playlists and\n"
                     "crates.  Without FILE: ~/.mixxx/mixxxdb.sqlite\n"
                     "(or the macOS/Windows place; the file read is named)"),
        OPT_BOOL(0, "from-mixxx", &o.from_mixxx,
                 "as --from-rekordbox, from Mixxx's beat grids and cues\n"
                 "(hot cues do not cut sections: 16-bar phrases then)"),
        OPT_CALLBACK(0, "engine-db", &engine, "[FILE]", -1, lib_file_cb,
                     "Engine DJ library (Engine Library/Database2/m.db,\n"
                     "Engine DJ 2 or later): bpmAnalyzed, key, beat grid,\n"
                     "hot cues, playlists; paths relative to the Engine\n"
                     "Library folder.  Without FILE: ~/Music/Engine\n"
                     "Library/Database2/m.db (the file read is named)"),
        OPT_BOOL(0, "from-engine", &o.from_engine,
                 "as --from-rekordbox, from Engine DJ's grids (its hot\n"
                 "cues do not cut sections: 16-bar phrases)"),
        OPT_CALLBACK(0, "serato", &serato, "[DIR|FILE...]", -1, serato_cb,
                     "Serato DJ: the tags in the audio files (BeatGrid,\n"
                     "Markers2 and Markers_ cues and loops, key, BPM; MP3,\n"
                     "AIFF, WAV, FLAC, M4A, read with TagLib; Ogg: key and\n"
                     "BPM only) under\n"
                     "each DIR (recursively) and of each FILE, and the\n"
                     "crates (playlists) of the _Serato_ folder in or\n"
                     "above them.  MP3 positions are moved to cs's decoder\n"
                     "(Serato's sit later by the encoder delay FFmpeg\n"
                     "skips plus 26 ms at 44.1 kHz, 24 at 48 kHz, as\n"
                     "Mixxx measured).  Every word up to the\n"
                     "next option is an input: give STRUCT_DIR first.\n"
                     "Without DIR: ~/Music, when ~/Music/_Serato_ exists\n"
                     "(the folder read is named)"),
        OPT_BOOL(0, "from-serato", &o.from_serato,
                 "as --from-rekordbox, from Serato's beat grids (its\n"
                 "cues are hot cues and do not cut sections: 16-bar\n"
                 "phrases)"),
        OPT_STRING(0, "audio-dir", &o.audio_dir, "DIR",
                   "find audio by its file name here when the JSON path\n"
                   "does not exist on this machine, before the struct\n"
                   "file's own folder (names compared ignoring Unicode\n"
                   "form and case); a struct without\n"
                   "a path finds the audio named after the struct\n"
                   "file (Song.json: Song.wav, .flac, .mp3...)"),
        OPT_BOOL(0, "force", &o.force, "re-read files even when unchanged"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (n < 0) return cs_opt_exit(n);
    if (n > 1) return cs_usage_error("index", "unexpected argument '%s'", argv[1]);
    if (n == 1 && trailing) return cs_usage_error("index", "unexpected argument '%s'", trailing);
    if (n == 1) o.struct_dir = argv[0];
    if (trailing) o.struct_dir = trailing;   /* "--mixxx-db FILE STRUCT_DIR" */
    char *found = NULL, *found_mx = NULL, *found_en = NULL;
    if (traktor.find) {
        cs_err e = {0};
        int n_found = 0;
        if (!(found = cs_traktor_default_nml(getenv("HOME"), &n_found, &e))) {
            cs_log_error("index: %s", e.msg);
            return CS_EXIT_FAIL;
        }
        cs_log_info("index: reading the Traktor collection %s%s", found,
                    n_found > 1 ? " (the newest of several Traktor versions)" : "");
    }
    if (mixxx.find) {
        cs_err e = {0};
        if (!(found_mx = cs_mixxx_default_db(getenv("HOME"), &e))) {
            cs_log_error("index: %s", e.msg);
            free(found);
            return CS_EXIT_FAIL;
        }
        cs_log_info("index: reading the Mixxx library %s", found_mx);
    }
    if (engine.find) {
        cs_err e = {0};
        if (!(found_en = cs_engine_default_db(getenv("HOME"), &e))) {
            cs_log_error("index: %s", e.msg);
            free(found);
            free(found_mx);
            return CS_EXIT_FAIL;
        }
        cs_log_info("index: reading the Engine DJ library %s", found_en);
    }
    char *found_se = NULL;
    if (serato.given && serato.n == 0) {
        cs_err e = {0};
        if (!(found_se = cs_serato_default_dir(getenv("HOME"), &e))) {
            cs_log_error("index: %s", e.msg);
            free(found);
            free(found_mx);
            free(found_en);
            return CS_EXIT_FAIL;
        }
        cs_log_info("index: reading the Serato library %s/_Serato_ (tags of the audio under %s)", found_se,
                    found_se);
    }
    const char *se_default[1] = { found_se };
    o.serato = found_se ? se_default : (const char *const *)serato.words;
    o.n_serato = found_se ? 1 : (size_t)serato.n;
    o.engine_db = found_en ? found_en : engine.file;
    o.traktor_nml = found ? found : traktor.file;
    o.mixxx_db = found_mx ? found_mx : mixxx.file;
    if (!o.struct_dir && !o.rekordbox_xml && !o.traktor_nml && !o.mixxx_db && !o.engine_db &&
        !o.n_serato && !o.audio_dir && !o.from_rekordbox && !o.from_traktor && !o.from_mixxx &&
        !o.from_engine && !o.from_serato)
        return cs_usage_error("index", "give a STRUCT_DIR and/or --rekordbox-xml FILE, "
                                       "--traktor-nml FILE, --mixxx-db FILE, --engine-db FILE, "
                                       "--serato DIR");

    cs_err err = {0};
    cs_db *db;
    if (cs_db_open(ctx->db_path, &db, &err) < 0) {
        cs_log_error("%s", err.msg);
        free(found);
        free(found_mx);
        free(found_en);
        free(found_se);
        return CS_EXIT_FAIL;
    }
    cs_index_stats st;
    int rc = cs_index_run(db, &o, &st, &err);
    cs_db_close(db);
    if (rc < 0) {
        cs_log_error("index: %s", err.msg);
        free(found);
        free(found_mx);
        free(found_en);
        free(found_se);
        return CS_EXIT_FAIL;
    }
    if (ctx->verbosity >= CS_LOG_NORMAL) {
        printf("indexed %ld, unchanged %ld, removed %ld, failed %ld; ",
               st.indexed, st.unchanged, st.removed, st.failed);
        const char *files[CS_LIB_N] = { o.rekordbox_xml, o.traktor_nml, o.mixxx_db, o.engine_db,
                                        o.n_serato ? o.serato[0] : NULL };
        const bool from[CS_LIB_N] = { o.from_rekordbox, o.from_traktor, o.from_mixxx, o.from_engine,
                                      o.from_serato };
        for (int k = 0; k < CS_LIB_N; k++) {
            const cs_index_lib_stats *ls = &st.lib[k];
            const char *label = cs_index_lib_label(k);
            if (files[k] && ls->unchanged)
                printf("%s unchanged (%ld tracks, %ld playlists); ", label, ls->tracks, ls->playlists);
            else if (files[k])
                printf("%s %s%ld tracks, %ld playlists; ", label, ls->failed ? "FAILED, " : "",
                       ls->tracks, ls->playlists);
            if (from[k])
                printf("%s structs %ld (%ld tracks without audio or grid); ", label, ls->structs,
                       ls->struct_skipped);
        }
        /* (tracks matched to any collection; named after the one given) */
        printf("library %ld tracks: matched to %s %ld, bpm overridden %ld, with key %ld, "
               "audio missing %ld, no BPM %ld; unknown keys %ld; warnings %ld\n",
               st.total, o.rekordbox_xml || (!o.traktor_nml && !o.mixxx_db && !o.engine_db && !o.n_serato)
               ? "rekordbox" : o.traktor_nml ? "traktor" : o.mixxx_db ? "mixxx" : o.engine_db ? "engine"
               : "serato", st.matched,
               st.bpm_overridden, st.with_key, st.no_audio, st.no_bpm,
               st.unknown_keys, st.warnings);
    }
    /* Tracks without a BPM are kept but never selected: say so without -v. */
    if (st.no_bpm)
        cs_log_warn("index: %ld track%s without a BPM (JSON bpm 0/null, no Rekordbox AverageBpm): "
                    "never selected; 'cs ls' lists them", st.no_bpm, st.no_bpm == 1 ? "" : "s");
    free(found);
    free(found_mx);
    free(found_en);
    free(found_se);
    return CS_EXIT_OK;
}
