/* cs ls: what is in the library, what is rendered, and why each left-out
 * track is left out. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/selopt.h"
#include "db/library.h"

static const cs_optdef def = {
    "ls",
    "usage: cs ls [selection]\n",
    "Lists every library track, one line each: whether the selection (default:\n"
    "every BPM and key, 6 sections after the intro) takes it or why it leaves it\n"
    "out (no BPM, BPM outside, key, no intro, too few sections), its BPM and key,\n"
    "and the parts 'cs export' rendered for it that are still on disk (the rungs,\n"
    "+orig for the original-speed cut).  Struct files 'cs index' could not read\n"
    "are listed as 'not indexed', with the reason.  A last line sums it up.\n",
    "exit status: 0 ok, 1 no library or a database error, 2 bad usage.\n",
};

/* The status column: "selected" or "left out: <reason>". */
static const char *status(const cs_lib_track *t, int n_sections, char *buf, size_t size)
{
    switch (t->left_out) {
    case CS_LEFT_IN: return "selected";
    case CS_LEFT_NO_BPM: return "left out: no BPM";
    case CS_LEFT_BPM_OUT: return "left out: BPM outside";
    case CS_LEFT_KEY: return "left out: key";
    case CS_LEFT_NO_INTRO: return "left out: no intro";
    default:
        snprintf(buf, size, "left out: %d sections (need %d)", t->sections, n_sections);
        return buf;
    }
}

/* A struct file cs index could not read: listed with its reason (the
 * reason names the file first; the PATH column has it already). */
static void print_failure(void *arg, const char *path, const char *reason)
{
    (void)arg;
    size_t pl = strlen(path);
    if (!strncmp(reason, path, pl) && !strncmp(reason + pl, ": ", 2)) reason += pl + 2;
    printf("%-34s %-8s %-5s %-26s %s  (%s)\n", "not indexed", "-", "-", "-", path, reason);
}

int cmd_ls(int argc, char **argv, cs_ctx *ctx)
{
    cs_selopts so;
    cs_selopts_init(&so, "ls");
    const cs_option opts[] = { CS_SELECTION_OPTIONS(&so), OPT_END() };
    int npos = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (npos < 0) return cs_opt_exit(npos);
    if (npos > 0) return cs_usage_error("ls", "unexpected argument '%s'", argv[0]);
    cs_db *db;
    cs_lib_track *t;
    size_t n;
    cs_select_stats st;
    int rc = cs_selopt_query(&so, ctx, true, &db, &t, &n, &st);
    if (rc != CS_EXIT_OK) return rc;
    cs_err err = {0};
    long parts = 0, rendered_tracks = 0, missing = 0;
    long long bytes = 0;
    if (rc == 0 && n) printf("%-34s %-8s %-5s %-26s %s\n", "STATUS", "BPM", "KEY", "RENDERED", "PATH");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cs_track_renders r;
        if ((rc = cs_library_renders(db, t[i].id, &r, &err)) < 0) break;
        char sb[64], bpm[16], rend[300];
        if (t[i].bpm > 0) snprintf(bpm, sizeof bpm, "%.2f", t[i].bpm);
        else snprintf(bpm, sizeof bpm, "-");
        if (r.parts || r.orig)
            snprintf(rend, sizeof rend, "%s%s", r.parts ? r.rungs : "", r.orig ? (r.parts ? " +orig" : "orig") : "");
        else
            snprintf(rend, sizeof rend, "-");
        printf("%-34s %-8s %-5s %-26s %s%s\n", status(&t[i], (int)so.n_sections, sb, sizeof sb), bpm,
               t[i].key ? t[i].key : "-", rend, cs_lib_track_name(&t[i]),
               t[i].audio_path ? "" : "  (audio missing)");
        parts += r.parts;
        rendered_tracks += r.parts > 0;
        missing += r.missing;
        bytes += r.bytes;
    }
    long failures = rc == 0 ? cs_library_failures(db, print_failure, NULL, &err) : 0;
    if (failures < 0) rc = -1;
    cs_db_close(db);
    cs_lib_tracks_free(t, n);
    if (rc < 0) {
        cs_log_error("ls: %s", err.msg);
        return CS_EXIT_FAIL;
    }
    char why[512];
    printf("%s; rendered %ld parts for %ld tracks, %.1f MB on disk", cs_select_why(&st, (int)so.n_sections, why, sizeof why),
           parts, rendered_tracks, (double)bytes / 1e6);
    if (missing) printf("; %ld recorded parts missing or changed (re-run cs export)", missing);
    if (failures > 0) printf("; %ld struct file%s not indexed (reasons above)", failures, failures == 1 ? "" : "s");
    putchar('\n');
    return CS_EXIT_OK;
}
