/* The inside of cs_shard_run (export_shard.h), shared by its three files:
 * export_shard.c (the shard: manifest, journal; the run), export_merge.c
 * (the merge), export_dryrun.c (the dry run and its estimate).  Not for
 * other callers.  Main thread only, except the journal's cache calls (on
 * the pipeline's workers, under its lock). */
#ifndef CS_CMD_EXPORT_SHARD_RUN_H
#define CS_CMD_EXPORT_SHARD_RUN_H

#include <cJSON.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/export_shard.h"

#define MANIFEST_FORMAT "cs-shard"
#define MANIFEST_VERSION 1
#define MAX_PART_LINES 20     /* per-part merge problems named before "... and N more" */

enum { MODE_SHARD, MODE_MERGE, MODE_DRY };
enum { N_RENDERED, N_UP, N_SKIPPED, N_FAILED, N_COUNTS };
extern const char *const cs_shard_status_names[N_COUNTS];   /* the manifest's status words */

typedef struct mjob {          /* one job of a shard manifest (strings in its cJSON) */
    const char *name, *key, *status, *why;
    long long frames, bytes;
    int rate;
    size_t m;                  /* its manifest */
} mjob;

typedef struct manifest {
    char dir[PATH_MAX];
    cJSON *root;
    unsigned index, count;
    const char *state, *host;
    long counts[N_COUNTS], jobs, plan_jobs;
    const char *plan_hash;
} manifest;

struct cs_shard_run {
    int mode;
    cs_shard sh;
    bool sharded;
    cs_export_opts *o;
    const cs_render_cache *cache;
    const cs_selopts *so;
    uint64_t plan_hash;
    long plan_jobs;
    long counts[N_COUNTS];
    /* shard: the journal (render cache of the shard's folder) */
    cs_render_cache cache_wrap;
    char parts_abs[PATH_MAX], journal_path[PATH_MAX];
    FILE *journal;
    struct jent *jents;
    size_t njents;
    char manifest_path[PATH_MAX];
    cJSON *jobs;
    double started;            /* Unix seconds, to the microsecond: the newest run's N wins a merge */
    /* merge */
    manifest *m;
    size_t nm;
    unsigned count;
    mjob *idx;
    size_t nidx;
    long problems, part_problems, placed;
    long orphans;              /* parts of shards already named (missing, unfinished, partial) */
    bool checked;
    /* dry run */
    bool dry_made_dir;         /* the parts folder did not exist before */
    long dry_todo, dry_up, dry_other, dry_parts_todo_stretch;
    double todo_stretch_s, todo_cut_s;
};

typedef struct jent {          /* one journal line */
    char *name, *fp;
    long long bytes, frames;
    int rate;
    size_t seq;
} jent;

/* FNV-1a 64 continued over s and a newline (the plan hash). */
uint64_t cs_shard_hash_more(uint64_t h, const char *s);
/* "rubberband best", "wsola", ... */
const char *cs_shard_method_label(const cs_export_opts *o);

/* export_merge.c: reads the manifests in dirs (each missing, unfinished or
 * partial shard a problem); the merge's plan hook and report; the check
 * that every shard planned this export; the summary (returns the exit
 * status).  -1 from cs_merge_load: out of memory. */
int cs_merge_load(cs_shard_run *r, char **dirs, int n);
int cs_merge_plan(void *arg, cs_export_part *p);
void cs_merge_report(void *arg, const cs_export_part *p);
void cs_merge_check_plans(cs_shard_run *r);
int cs_merge_finish(cs_shard_run *r, int rc);

/* export_dryrun.c: the dry run's plan hook (prints each job, renders none)
 * and its closing lines (counts, the CPU and disk estimate). */
int cs_dry_plan(void *arg, cs_export_part *p);
void cs_dry_summary(cs_shard_run *r);

#endif
