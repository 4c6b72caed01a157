/* cs analyze: allin1-compatible struct JSONs from audio, without allin1. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "pkg/analyze.h"
#include "pkg/analyze_run.h"
#include "pkg/err.h"

static const cs_optdef def = {
    "analyze",
    "usage: cs analyze AUDIO_OR_DIR... [--out STRUCT_DIR] [-j N] [--force] [--no-progress]\n",
    "Writes one allin1-compatible struct JSON per audio file (path, bpm, beats,\n"
    "downbeats, beat_positions, segments, plus key and \"source\": \"cs analyze\n"
    "<version>\"), for 'cs index' and 'cs export', using the Queen Mary DSP\n"
    "library: beats (TempoTrackV2, each placed on its onset), downbeats\n"
    "(DownBeat, 4/4), key (GetKeyMode) and sections (ClusterMeltSegmenter,\n"
    "snapped to downbeats).  The first section after the first downbeat is\n"
    "'intro' and ends at the first boundary at least 8 bars in; the others are\n"
    "'part_a', 'part_b', ... by timbre cluster, at most 32 bars (longer ones\n"
    "are cut into 16-bar phrases).  Folders are searched recursively for\n"
    CS_ANALYZE_EXTENSIONS " files;\n"
    "AUDIO under DIR becomes STRUCT_DIR/<path below DIR>.json, a file given\n"
    "alone STRUCT_DIR/<name>.json.\n",
    "A JSON newer than its audio and written by this version is up to date and\n"
    "skipped; a JSON without \"source\" (allin1's own) is never overwritten.\n"
    "Each JSON is written to a temporary name and renamed.  A file that cannot\n"
    "be decoded or has no beat is reported and skipped; the batch goes on.\n"
    "exit status: 0 every file analysed or up to date, 1 some file failed,\n"
    "2 bad usage.\n",
};

int cmd_analyze(int argc, char **argv, cs_ctx *ctx)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN), jobs = cores > 0 ? cores : 1;
    bool no_progress = false;
    cs_analyze_run_opts o = { .out_dir = "struct" };
    const cs_option opts[] = {
        OPT_STRING(0, "out", &o.out_dir, "STRUCT_DIR", "where the JSONs go (default: struct)"),
        OPT_INT('j', "jobs", &jobs, "N", 1, 64, "files analysed in parallel (default: cores)"),
        OPT_BOOL(0, "force", &o.force, "redo JSONs that are up to date"),
        OPT_BOOL(0, "no-progress", &no_progress, "no progress bar"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (n < 0) return cs_opt_exit(n);
    if (n == 0) return cs_usage_error("analyze", "give at least one audio file or folder");
    o.inputs = (const char *const *)argv;
    o.n_inputs = (size_t)n;
    o.jobs = (int)jobs;
    o.progress = no_progress || ctx->verbosity < CS_LOG_NORMAL ? 0 : isatty(2) ? 2 : 0;
    if (ctx->verbosity >= CS_LOG_VERBOSE && o.progress == 0) o.progress = 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    cs_analyze_run_stats st;
    int rc = cs_analyze_run(&o, &st);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double cpu = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (ctx->verbosity >= CS_LOG_NORMAL)
        printf("analyze: %ld found, %ld analysed (%.0f s of audio, %.1f s CPU), %ld up to date, "
               "%ld allin1 kept, %ld failed; structs in %s\n",
               st.found, st.analysed, st.audio_seconds, cpu, st.up_to_date, st.kept_allin1,
               st.failed, o.out_dir);
    return rc < 0 ? CS_EXIT_FAIL : CS_EXIT_OK;
}
