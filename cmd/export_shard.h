/* cs export --shard I/N, --merge DIR..., --dry-run (issue 25): the export
 * split over machines without a scheduler.  A shard renders the parts whose
 * key (pkg/shard.h) falls in it and writes a shard manifest,
 * PARTS/cs-shard-I-of-N.json, instead of the CSV and set.json; a merge plans
 * the same selection, takes every part from the shards' folders (each one
 * checked against its manifest: job key, bytes, frames), puts it into the
 * set folder, and lets the export write the CSV and set.json as a
 * single-machine export does.  A dry run lists the jobs and estimates the
 * CPU time and disk of what is left to render.
 *
 * Kept out of cmd/export.c, which only calls the functions below; inside:
 * export_shard.c (the shard, its manifest and journal), export_merge.c,
 * export_dryrun.c (export_shard_run.h).  Main thread only.
 */
#ifndef CS_CMD_EXPORT_SHARD_H
#define CS_CMD_EXPORT_SHARD_H

#include <stdbool.h>
#include "cmd/selopt.h"
#include "pkg/export_pipeline.h"
#include "pkg/shard.h"

typedef struct cs_shard_args {
    const char *shard;        /* --shard I/N as given, or NULL */
    char **merge;             /* --merge DIR...: n_merge folders */
    int n_merge;
    bool dry_run;
} cs_shard_args;

typedef struct cs_shard_run cs_shard_run;

/* Usage errors in a (--shard not I/N, --merge with --shard): 0, or 2 after
 * saying why.  For the option parser, before anything runs. */
int cs_shard_args_check(const cs_shard_args *a);

/* Checks the arguments (usage errors say so, return 2) and, when a mode is
 * asked, sets o's part hooks (*out: the run; NULL for a plain export).
 * For a shard, writes its manifest with state "running" first.  cache: the
 * render cache (the dry run asks it what is up to date).  0, 1 (failed,
 * logged) or 2 (usage). */
int cs_shard_run_start(const cs_shard_args *a, cs_export_opts *o, const cs_render_cache *cache,
                       const cs_selopts *so, cs_shard_run **out);
/* The render cache the export should use: for a shard, cache plus the
 * shard folder's journal (a re-run on another machine, without that
 * database, still renders only what is missing); else cache. */
const cs_render_cache *cs_shard_run_cache(const cs_shard_run *r, const cs_render_cache *cache);
/* After cs_export_run: true when the export should write its CSV and
 * set.json (a plain export, or a merge that found every part). */
bool cs_shard_run_writes_set(const cs_shard_run *r);
/* Writes the shard's final manifest, prints the dry run or the merge's
 * summary; returns the exit status, given the export's rc. */
int cs_shard_run_finish(cs_shard_run *r, const cs_export_stats *st, int rc);
void cs_shard_run_free(cs_shard_run *r);

#endif
