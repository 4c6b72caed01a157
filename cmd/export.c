/* cs export: tempo-aligned sections at one target or a ladder of BPMs, and
 * the debug CSV; a drop-in for the original struct_loader.py command line. */
#include <limits.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "pkg/fsutil.h"
#include "cmd/selopt.h"
#include "cmd/export_set.h"
#include "cmd/export_shard.h"
#include "db/indexer.h"
#include "db/library.h"
#include "db/playlist.h"
#include "pkg/order.h"
#include "db/render_cache.h"
#include "pkg/export_csv.h"
#include "pkg/audio_format.h"
#include "pkg/export_pipeline.h"
#include "pkg/setfile.h"
#include "pkg/parts.h"

/* One line: the parts' loudness range and highest true peak. */
static void print_loudness(const cs_export_row *rows, size_t n)
{
    double lo = INFINITY, hi = -INFINITY, tp = -INFINITY;
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(rows[i].loud.lufs)) continue;
        got++;
        lo = fmin(lo, rows[i].loud.lufs);
        hi = fmax(hi, rows[i].loud.lufs);
        tp = fmax(tp, rows[i].loud.dbtp);
    }
    if (got) printf("loudness: %zu of %zu parts measured, %.1f .. %.1f LUFS, true peak up to %.1f dBTP\n", got,
                    n, lo, hi, tp);
    else if (n) printf("loudness: none of %zu parts has a loudness (silent or not measured)\n", n);
}

static const cs_optdef def = {
    "export",
    "usage: cs export [STRUCT_DIR] [selection] [rendering] [--csv-out FILE]\n",
    "Cuts every selected track from the end of its intro (ini_cue) to the end\n"
    "of the N-th section after it (end_cue), stretches it to the target BPM\n"
    "(speed = target / track BPM) and writes it with the original-speed cut:\n"
    "  one target:  PARTS/<stem>_sectioned.wav, PARTS/orig/<stem>_sectioned.wav\n"
    "  --ladder:    PARTS/<bpm>/<stem>_sectioned.wav for each rung, PARTS/orig/...\n"
    "<stem> is the audio file's name without extension (as the original names\n"
    "them), made safe for a file name; a second track with the same stem gets\n"
    "\"<stem> (2)\".  The CSV's rows end in CRLF, as Python's csv module writes.\n"
    "With STRUCT_DIR and/or --rekordbox-xml it first indexes them (as 'cs index').\n"
    "Parts already up to date are not redone; an interrupted run finishes the rest.\n",
    "Tracks whose audio is missing or undecodable, or whose cues fall outside the\n"
    "audio, are reported and left out.  Rungs of a track share one gain (sources\n"
    "peaking above -1 dBFS are turned down to it), so levels match across rungs.\n"
    "Every part's integrated loudness (EBU R128, LUFS) and true peak (ITU-R\n"
    "BS.1770-4, dBTP) are measured (libebur128) and stored in the library, in\n"
    "the CSV (columns part_lufs, part_true_peak_dbtp, after the original's 14,\n"
    "which keep their order and meaning) and in set.json (each part's lufs,\n"
    "true_peak_dbtp, and loudness_slices: its loudness over time, in 32\n"
    "slices); cs play gains each track by the stretch it plays alone.\n"
    "Parts rendered before loudness was measured are measured from their files\n"
    "on the next run, not rendered again.\n"
    "--audio-dir is stored with each track's audio path, as 'cs index --audio-dir'\n"
    "does, so later commands find the audio without it.\n"
    "When no track is selected, one line says why (counts per reason).\n"
    "exit status: 0 ok (also when some tracks were skipped), 1 a part could not\n"
    "be written or nothing could be done (no track selected, or every selected\n"
    "track skipped: then no parts folder, CSV or set.json is left; --merge: a shard\n"
    "missing, unfinished or partial), 2 bad usage, 130 interrupted (Ctrl-C: the\n"
    "parts done are kept; the same command resumes).\n",
};


typedef struct args {
    const char *struct_dir, *xml, *audio_dir, *ladder, *csv_out, *parts_dir, *set_dir, *playlist;
    char set_csv[PATH_MAX];
    bool has_target, force, no_progress;
    double target;
    double max_stretch;   /* --max-stretch PCT (8) */
    long rate, jobs;
    int method, quality, format, bits;
    cs_shard_args shard;
} args;

static int opt_merge(const cs_option *opt, char **words, int n)
{
    args *a = opt->value;
    if (n < 1) return cs_usage_error("export", "--merge: give the shards' folders");
    a->shard.merge = words;
    a->shard.n_merge = n;
    return 0;
}

static int parse_format(const args *a, cs_audio_format *f)
{
    if (cs_audio_format_compose((cs_audio_container)a->format, (cs_audio_format)a->bits, f) == 0) return 0;
    cs_usage_error("export", "--bits: '%s' is not 16 or 24 (FLAC has no float samples)",
                   cs_name_of(cs_audio_bits_names, a->bits));
    return -1;
}

static int parse_args(int argc, char **argv, args *a, cs_selopts *so, cs_ctx *ctx)
{
    const cs_option opts[] = {
        CS_SELECTION_OPTIONS(so),
        OPT_STRING(0, "playlist", &a->playlist, "NAME",
                   "only the tracks of this Rekordbox playlist (name, or path\n"
                   "ROOT/Folder/Name), in its order, which the set keeps\n"
                   "(set.json \"playlist\"); an unknown name lists the\n"
                   "playlists (exit 2)"),
        OPT_GROUP("\ninput:"),
        OPT_STRING(0, "rekordbox-xml", &a->xml, "FILE", "Rekordbox collection (AverageBpm, Tonality override)"),
        OPT_STRING(0, "audio-dir", &a->audio_dir, "DIR",
                   "find audio by file name here when the JSON path does\n"
                   "not exist, before the struct file's own folder (names\n"
                   "compared ignoring Unicode form and case); a struct\n"
                   "without a path finds the audio named after the\n"
                   "struct file (Song.json: Song.wav)"),
        OPT_GROUP("\nrendering:"),
        { .type = CS_OPT_DOUBLE, .long_name = "target-bpm", .value = &a->target, .argh = "T",
          .seen = &a->has_target, .help = "one target BPM (default: --bpm, else each track's own)" },
        OPT_STRING(0, "ladder", &a->ladder, "LIST", "rungs: 105,110,115,118,120,125,130 or A:B:STEP\n"
                   "(warned when neighbouring rungs are more than 4.08 % apart:\n"
                   "cs play keeps each rung within ±2 %)"),
        OPT_DOUBLE(0, "max-stretch", &a->max_stretch, "PCT",
                   "stretch budget of a --ladder: render each track only at\n"
                   "the rungs within +-PCT % of its own BPM (default 8; 0:\n"
                   "every rung); a track with none gets its nearest rung\n"
                   "alone.  set.json lists each track's reach; the summary\n"
                   "says how many parts the budget saved and where no track\n"
                   "reaches"),
        OPT_ENUM(0, "stretch", &a->method, cs_stretch_method_names,
                 "rubberband (default; pitch kept, exact length),\n"
                 "wsola (libavfilter atempo anchored at the track's\n"
                 "beats; fast, pitch kept, beats within 5 ms),\n"
                 "atempo (plain atempo, as the original exporter:\n"
                 "fastest, beats may drift ~15 ms),\n"
                 "rate (resample; pitch follows, like a turntable);\n"
                 "cs play's names (playback_rate, pyrubberband,\n"
                 "audiotsm) work too: one name table (pkg/stretch.h)"),
        OPT_ENUM(0, "quality", &a->quality, cs_stretch_quality_names,
                 "rubberband engine: best = R3 (default), fast = R3\n"
                 "with the short window (R2's cost, R3's accuracy)"),
        OPT_ENUM(0, "audio-format", &a->format, cs_audio_container_names, "(default wav)"),
        OPT_ENUM(0, "bits", &a->bits, cs_audio_bits_names, "sample format (default 16; 32f is WAV only)"),
        OPT_INT(0, "rate", &a->rate, "HZ", 8000, 384000, "output sample rate (default: the source's)"),
        OPT_INT('j', "jobs", &a->jobs, "N", 1, 64, "parallel renders (default: number of cores)"),
        OPT_BOOL(0, "force", &a->force, "redo parts even when up to date"),
        OPT_STRING(0, "parts-dir", &a->parts_dir, "DIR", "where parts go (default parts_temp)"),
        OPT_STRING(0, "set", &a->set_dir, "DIR",
                   "a set folder that plays anywhere (cs play --set DIR):\n"
                   "the parts, DIR/set.csv and DIR/set.json (beat grids,\n"
                   "rungs, method, selection); a --csv-out written into\n"
                   "the parts folder makes the same"),
        OPT_STRING(0, "csv-out", &a->csv_out, "FILE",
                   "debug CSV, one row per track and target:\n"
                   "path,bpm,key,target_bpm,speed,ini_cue,begin_cue,end_cue,\n"
                   "begin_cue_adj,end_cue_adj,duration_orig,duration_sectioned,\n"
                   "part_file_orig,part_file (paths relative to the CSV\n"
                   "when it is in the parts folder)"),
        OPT_BOOL(0, "no-progress", &a->no_progress, "no progress display"),
        OPT_GROUP("\nacross machines (GNU parallel, Slurm; see the guide):"),
        OPT_STRING(0, "shard", &a->shard.shard, "I/N",
                   "render only shard I of N (0..N-1): the parts whose job\n"
                   "key (part name, source size, cues, BPM, rung, stretcher,\n"
                   "format) hashes to I (FNV-1a, jump consistent hash:\n"
                   "adding tracks moves no job); writes the parts and\n"
                   "PARTS/cs-shard-I-of-N.json, not the CSV or set.json"),
        OPT_CALLBACK(0, "merge", a, "DIR...", -1, opt_merge,
                     "gather shards: the same selection and rendering\n"
                     "options as the shards, the shards' folders here; each\n"
                     "part is checked (job key, bytes, frames) and linked or\n"
                     "copied into --set; then the CSV and set.json as one\n"
                     "machine writes them.  A missing, unfinished or partial\n"
                     "shard is named and nothing is written (exit 1); re-run\n"
                     "it and merge again"),
        OPT_BOOL(0, "dry-run", &a->shard.dry_run,
                 "render nothing: list the jobs (with --shard: that\n"
                 "shard's), which are up to date, and estimate CPU-hours\n"
                 "(the stretcher timed on this machine) and disk"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (n < 0) return n == CS_OPT_RC_HELP ? -1 : cs_opt_exit(n);
    if (n > 1) return cs_usage_error("export", "unexpected argument '%s'", argv[1]);
    if (n == 1) a->struct_dir = argv[0];
    if (a->has_target && (a->target < 1 || a->target > 999))
        return cs_usage_error("export", "--target-bpm: %g is not a usable BPM (1..999)", a->target);
    if (a->ladder && a->has_target)
        return cs_usage_error("export", "--ladder and --target-bpm cannot be combined");
    if (!(a->max_stretch >= 0 && a->max_stretch <= 100))
        return cs_usage_error("export", "--max-stretch %g: outside 0..100 %%", a->max_stretch);
    if (a->set_dir && (a->parts_dir || a->csv_out))
        return cs_usage_error("export", "--set DIR is the parts folder and its CSV: no --parts-dir or --csv-out with it");
    if (a->set_dir) {
        if (snprintf(a->set_csv, sizeof a->set_csv, "%s/" CS_SET_CSV, a->set_dir) >= (int)sizeof a->set_csv)
            return cs_usage_error("export", "--set %s: path too long", a->set_dir);
        a->parts_dir = a->set_dir;
        a->csv_out = a->set_csv;
    }
    if (!a->parts_dir) a->parts_dir = "parts_temp";
    return cs_shard_args_check(&a->shard);
}

/* The pipeline's progress, drawn on stderr: a bar redrawn in place on a
 * terminal (mode 2), else a line every 10 s (mode 1). */
static void draw_progress(void *arg, const cs_export_progress *p)
{
    int mode = *(const int *)arg;
    double eta = p->done ? p->elapsed_s * (double)(p->total - p->done) / (double)p->done : 0;
    int el = (int)p->elapsed_s, et = (int)eta;
    if (mode == 2) {
        int width = 30, fill = p->total ? (int)(width * p->done / p->total) : width;
        fprintf(stderr, "\r[%.*s%.*s] %zu/%zu parts  %02d:%02d elapsed  ETA %02d:%02d ", fill,
                "##############################", width - fill, "                              ",
                p->done, p->total, el / 60, el % 60, et / 60, et % 60);
        if (p->final) fputc('\n', stderr);
    } else if (!p->final) {
        fprintf(stderr, "cs: export: %zu/%zu parts, %.0f s elapsed, ETA %.0f s\n", p->done, p->total,
                p->elapsed_s, eta);
    }
}

/* STRUCT_DIR / --rekordbox-xml are indexed as by 'cs index'; an --audio-dir
 * alone is too, so the audio paths found through it are stored in the
 * library and later commands (search, play) find them without it. */
static int index_inputs(cs_db *db, const args *a)
{
    if (!a->struct_dir && !a->xml && !a->audio_dir) return 0;
    cs_index_opts io = { .struct_dir = a->struct_dir, .rekordbox_xml = a->xml,
                         .audio_dir = a->audio_dir };
    cs_index_stats st;
    cs_err err = {0};
    if (cs_index_run(db, &io, &st, &err) < 0) {
        cs_log_error("export: %s", err.msg);
        return -1;
    }
    cs_log_info("index: indexed %ld, unchanged %ld, removed %ld, failed %ld; library %ld tracks, "
                "%ld matched to rekordbox", st.indexed, st.unchanged, st.removed, st.failed,
                st.total, st.matched);
    return 0;
}

/* Each exported track's energy (pkg/energy.h, measured while its part was
 * decoded) into the library, for cs search and cs play.  A failure is
 * warned: the parts are there all the same. */
static void store_energy(cs_db *db, const cs_export_row *rows, size_t n)
{
    long *ids = malloc((n ? n : 1) * sizeof *ids);
    double *en = malloc((n ? n : 1) * sizeof *en);
    size_t m = 0;
    for (size_t i = 0; ids && en && i < n; i++)
        if ((i == 0 || rows[i].track != rows[i - 1].track) && rows[i].energy >= 0 &&
            rows[i].energy != rows[i].track->energy) {
            ids[m] = rows[i].track->id;
            en[m++] = rows[i].energy;
        }
    cs_err err = {0};
    if (!ids || !en) cs_log_warn("export: out of memory storing the tracks' energy");
    else if (cs_library_store_energy(db, ids, en, m, &err) < 0) cs_log_warn("export: energy not stored: %s", err.msg);
    free(ids);
    free(en);
}

/* Ctrl-C: the pipeline stops between parts (workpool cancel) and the
 * command says what is done and that a re-run resumes (issue 22 item 11). */
static volatile sig_atomic_t interrupted;
static void on_interrupt(int sig) { (void)sig; interrupted = 1; }

int cmd_export(int argc, char **argv, cs_ctx *ctx)
{
    args a = { .format = CS_CONTAINER_WAV, .bits = CS_FMT_WAV16,
               .method = CS_STRETCH_RUBBERBAND, .quality = CS_STRETCH_BEST, .max_stretch = 8 };
    cs_selopts so;
    cs_selopts_init(&so, "export");
    int rc = parse_args(argc, argv, &a, &so, ctx);
    if (rc != 0) return rc < 0 ? CS_EXIT_OK : rc;

    cs_export_opts o = { .parts_dir = a.parts_dir, .audio_dir = a.audio_dir,
                         .method = (cs_stretch_method)(a.method & ~CS_STRETCH_PLAIN),
                         .plain_atempo = (a.method & CS_STRETCH_PLAIN) != 0,
                         .quality = (cs_stretch_quality)a.quality, .rate = (int)a.rate, .force = a.force,
                         .max_stretch = a.max_stretch };
    if (parse_format(&a, &o.format) < 0) return CS_EXIT_USAGE;
    cs_err err = {0};
    if (a.ladder) {
        int r = cs_bpm_list_parse(a.ladder, &o.targets, &err);
        if (r == CS_ERR_NOMEM) {
            cs_log_error("export: --ladder: %s", err.msg);
            return CS_EXIT_FAIL;
        }
        if (r < 0) {
            return cs_usage_error("export", "--ladder: %s", err.msg);
        }
        o.ladder = true;
        char gap[256];
        int ng = cs_ladder_gaps(o.targets.v, o.targets.n, CS_LADDER_MAX_DEV, gap, sizeof gap);
        if (ng)
            cs_log_warn("export: --ladder %s: %d gap%s too wide for cs play's \u00b1%g %% rate bound (%s); "
                        "neighbouring rungs should be at most %.2f %% apart", a.ladder, ng, ng == 1 ? "" : "s",
                        100 * CS_LADDER_MAX_DEV, gap, 100 * ((1 + CS_LADDER_MAX_DEV) / (1 - CS_LADDER_MAX_DEV) - 1));
    } else if (a.has_target || so.has_bpm) {
        o.targets.v = malloc(sizeof(double));
        if (!o.targets.v) {
            cs_log_error("export: out of memory");
            return CS_EXIT_FAIL;
        }
        o.targets.v[0] = a.has_target ? a.target : so.bpm;
        o.targets.n = 1;
    }
#ifdef __GLIBC__
    /* Renders allocate and free many large buffers (cuts, stretcher and
     * filter state); keeping freed memory in the heap instead of returning
     * it to the kernel saves re-zeroing those pages every time. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = a.jobs ? (int)a.jobs : cores > 0 ? (int)cores : 1;
    int progress = a.no_progress || ctx->verbosity < CS_LOG_NORMAL ? 0 : isatty(2) ? 2 : 1;
    if (progress) {
        o.progress = draw_progress;
        o.progress_arg = &progress;
        o.progress_every = progress == 2 ? 0.25 : 10.0;
    }

    cs_selection sel;
    if ((rc = cs_selopt_build("export", &so, &sel)) < 0) {
        free(o.targets.v);
        return rc == CS_ERR_NOMEM ? CS_EXIT_FAIL : CS_EXIT_USAGE;
    }
    cs_db *db = NULL;
    cs_lib_track *tracks = NULL;
    size_t n = 0, n_rows = 0;
    cs_export_row *rows = NULL;
    cs_export_stats st = {0};
    cs_select_stats sst;
    cs_shard_run *shard = NULL;
    bool parts_existed = false;
    struct stat psb;
    rc = CS_EXIT_FAIL;
    struct sigaction sa = { .sa_handler = on_interrupt }, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    o.cancel = &interrupted;
    if (cs_db_open(ctx->db_path, &db, &err) < 0) {
        cs_log_error("%s", err.msg);
    } else if (index_inputs(db, &a) == 0) {
        cs_render_cache cache = cs_render_cache_db(db);
        if ((rc = cs_shard_run_start(&a.shard, &o, &cache, &so, &shard)) != CS_EXIT_OK) {
            /* said why */
        } else if ((rc = CS_EXIT_FAIL) /* from here on, until it works */ && cs_library_select(db, &sel, &tracks, &n, &sst, &err) < 0) {
            cs_log_error("export: %s", err.msg);
        } else if (a.playlist && cs_playlist_apply(db, a.playlist, &tracks, &n, NULL, &err) < 0) {
            cs_log_error("export: %s", err.msg);
            if (cs_playlist_err_is_usage(&err)) rc = CS_EXIT_USAGE;
        } else if (!n) {
            /* Nothing to do is a failure (exit 1), with the reason, and
             * leaves nothing behind: no empty parts folder, CSV or set. */
            char why[512];
            cs_log_error("export: no track selected: %s",
                         cs_select_why(&sst, (int)so.n_sections, why, sizeof why));
        } else if ((parts_existed = stat(a.parts_dir, &psb) == 0),
                   cs_export_run(cs_shard_run_cache(shard, &cache), &o, tracks, n, &rows, &n_rows, &st, &err) < 0) {
            if (st.cancelled)
                cs_log_error("export: interrupted: %ld parts rendered this run (%ld were up to date) are "
                             "kept; run the same command again to render the rest", st.rendered, st.up_to_date);
            else cs_log_error("export: %s", err.msg);
            rc = st.cancelled ? 130 : CS_EXIT_FAIL;   /* 128 + SIGINT, as a shell reports it */
        } else {
            rc = st.failed ? CS_EXIT_FAIL : CS_EXIT_OK;
            store_energy(db, rows, n_rows);
            if (st.skipped == st.tracks) {
                cs_log_error("export: all %ld selected tracks were skipped (reasons above); "
                             "nothing rendered", st.tracks);
                rc = CS_EXIT_FAIL;
            }
            /* A CSV in the parts folder makes the folder a set: relative
             * paths and set.json beside it. */
            const char *set = a.csv_out && cs_export_csv_in_parts(a.csv_out, a.parts_dir) ? a.parts_dir : NULL;
            if (!cs_shard_run_writes_set(shard)) {
                /* a shard, a dry run, or a merge that lacks parts: no CSV, no set.json */
            } else if (n_rows == 0) {
                /* Every track skipped: no CSV or set that plays nothing, and
                 * no parts folder this run made and left empty. */
                if (!parts_existed) rmdir(a.parts_dir);
            } else if (a.csv_out && cs_export_csv_write(a.csv_out, rows, n_rows, set, &err) < 0) {
                cs_log_error("%s", err.msg);
                rc = CS_EXIT_FAIL;
            } else if (set) {
                const char *fmt = cs_audio_format_name(o.format);
                const char *name = strrchr(a.csv_out, '/');
                if (cs_export_write_set(set, name ? name + 1 : a.csv_out, &so, &o, fmt, a.playlist, rows, n_rows) < 0)
                    rc = CS_EXIT_FAIL;
            }
            if (ctx->verbosity >= CS_LOG_NORMAL && !a.shard.dry_run) {
                printf("export: %ld tracks selected; parts rendered %ld, up to date %ld", st.tracks,
                       st.rendered, st.up_to_date);
                if (st.measured) printf(" (loudness of %ld measured from the file)", st.measured);
                printf("; tracks skipped %ld, failed %ld", st.skipped, st.failed);
                if (a.csv_out && cs_shard_run_writes_set(shard)) printf("; %zu csv rows in %s", n_rows, a.csv_out);
                putchar('\n');
                print_loudness(rows, n_rows);
                cs_export_print_budget(&o, &st, rows, n_rows);
            }
        }
        rc = cs_shard_run_finish(shard, &st, rc);
    }
    cs_shard_run_free(shard);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    cs_export_rows_free(rows, n_rows);
    cs_lib_tracks_free(tracks, n);
    cs_db_close(db);
    cs_selection_free(&sel);
    free(o.targets.v);
    return rc;
}
