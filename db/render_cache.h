/* The render cache: finished export parts recorded in the library (table
 * `renders`), so a re-run of `cs export` skips what is up to date: same
 * output path, same fingerprint (source file identity, cues, tempo, method
 * and format) and the file still there with the recorded size.  This is
 * db/'s side of pkg/export_pipeline.h's cs_render_cache.
 *
 *   cs_render_cache cache = cs_render_cache_db(db);
 *   cs_export_run(&cache, &opts, tracks, n, &rows, &n_rows, &st, &err);
 */
#ifndef CS_DB_RENDER_CACHE_H
#define CS_DB_RENDER_CACHE_H

#include "db/db.h"
#include "pkg/export_pipeline.h"

/* The cache over db (which must outlive it).  up_to_date reads the
 * `renders` row of out_path and stats the file; record is one INSERT OR
 * REPLACE (its own small transaction, so a killed run keeps what it
 * finished), with the part's loudness (columns lufs, true_peak_dbtp,
 * loudness_measured: migration 5; loudness_slices: migration 8);
 * record_loudness is one UPDATE of those for a part measured from its file.
 * A part measured before its slices counts as not measured (up_to_date's
 * *measured false): the export measures it from the file again. */
cs_render_cache cs_render_cache_db(cs_db *db);

#endif
