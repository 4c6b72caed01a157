/* The export CSV: the one contract between `cs export --csv-out` (written
 * here from the pipeline's rows) and `cs play --csv` (read here into ladder
 * sets, pkg/ladderset.c).  Both sides and the column list live in this file
 * (docs/contract.md "The export CSV").
 *
 * One row per track and target BPM, RFC 4180 quoting, rows ending in CRLF
 * (CS_CSV_EOL), numbers at full precision (shortest round-trip, pkg/csv.h),
 * durations as M:SS.ss:
 *   path,bpm,key,target_bpm,speed,ini_cue,begin_cue,end_cue,begin_cue_adj,
 *   end_cue_adj,duration_orig,duration_sectioned,part_file_orig,part_file,
 *   part_lufs,part_true_peak_dbtp
 * Cues in seconds of the original file; *_adj = (cue - ini_cue) / speed,
 * seconds of the part; speed = target_bpm / bpm.  The first 14 are the
 * original exporter's, in its order and meaning; part_lufs (integrated
 * loudness, EBU R128, LUFS) and part_true_peak_dbtp (ITU-R BS.1770-4 true
 * peak, dBTP) are part_file's as cs export measured it (pkg/loudness.h),
 * empty when it has none (silence).
 *
 *   cs_export_csv_write("selected.csv", rows, n, NULL, &err);  // temp + rename
 *   cs_export_csv_read("selected.csv", on_row, arg, &err);     // row by row
 */
#ifndef CS_EXPORT_CSV_H
#define CS_EXPORT_CSV_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/loudness.h"
#include "pkg/track.h"

/* The columns, in the order they are written. */
enum cs_export_col {
    CS_XC_PATH, CS_XC_BPM, CS_XC_KEY, CS_XC_TARGET_BPM, CS_XC_SPEED, CS_XC_INI_CUE, CS_XC_BEGIN_CUE,
    CS_XC_END_CUE, CS_XC_BEGIN_CUE_ADJ, CS_XC_END_CUE_ADJ, CS_XC_DURATION_ORIG,
    CS_XC_DURATION_SECTIONED, CS_XC_PART_FILE_ORIG, CS_XC_PART_FILE,
    /* After the original's 14, so its readers see its columns unchanged. */
    CS_XC_PART_LUFS, CS_XC_PART_TRUE_PEAK, CS_XC_N
};
extern const char *const cs_export_csv_columns[CS_XC_N];

/* One exported part: what the pipeline (pkg/export_pipeline.h) hands back
 * per track and target, and what a CSV row says. */
typedef struct cs_export_row {
    const cs_lib_track *track;                  /* path (shown name), bpm, key, cues */
    double target_bpm, speed;
    double begin_cue_adj, end_cue_adj;          /* seconds of the part */
    double duration_orig, duration_sectioned;   /* seconds */
    char *part_file_orig, *part_file;           /* parts_dir-relative as given */
    cs_loudness loud, orig_loud;                /* of part_file, of part_file_orig */
    double energy;                              /* the track's (pkg/energy.h), < 0: unknown */
} cs_export_row;

void cs_export_rows_free(cs_export_row *rows, size_t n);

/* file with parts_dir's own prefix ("parts/118/a.wav" -> "118/a.wav") when
 * it has it, else file: a part's path relative to the set folder. */
const char *cs_export_csv_rel(const char *parts_dir, const char *file);

/* Writes rows to `path` (a temporary renamed into place, pkg/fsutil.h;
 * stale temporaries of a killed run are cleared first).  rel: the parts
 * folder when the CSV is written into it (`cs export --set`: part paths
 * relative to the CSV, cs_export_csv_rel), else NULL (paths as the export
 * gave them).  0, or -1 with err ("<path>: cannot write: <reason>"). */
int cs_export_csv_write(const char *path, const cs_export_row *rows, size_t n, const char *rel,
                        cs_err *err);

/* A row as read back: what a ladder set needs.  Cues in u (seconds of the
 * original after ini_cue): from the *_adj columns × speed when present, else
 * the raw cue minus ini_cue, else -1. */
typedef struct cs_export_csv_in {
    const char *path, *part_file;   /* valid during the callback only */
    const char *key;                /* the key column's text, NULL: none (valid during the callback) */
    double bpm, target_bpm, speed;  /* speed from its column, else target / bpm */
    double ini_cue, begin_u, end_u;
    cs_loudness loud;               /* part_lufs / part_true_peak_dbtp; -INFINITY: absent */
} cs_export_csv_in;

/* Reads an export CSV through cs_text_load (UTF-8 BOM, CRLF, CR or LF;
 * columns in any order, extra columns ignored) and calls on_row for every
 * usable row.  A row without path, part_file or a positive bpm / target_bpm
 * is skipped with a warning (three shown, then a count).  Returns how many
 * rows were skipped (>= 0), or -1 with err when the file cannot be read,
 * its header lacks path / bpm / target_bpm / part_file, or on_row returns
 * < 0 (its err is kept). */
int cs_export_csv_read(const char *path, int (*on_row)(const cs_export_csv_in *r, void *arg, cs_err *err),
                       void *arg, cs_err *err);

#endif
