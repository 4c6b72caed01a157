/* cs export --set DIR (or a CSV written into the parts folder): the set
 * folder's manifest, set.json (pkg/setfile.h), made from the export's rows.
 * Kept out of cmd/export.c, which parses the options and runs the export. */
#ifndef CS_CMD_EXPORT_SET_H
#define CS_CMD_EXPORT_SET_H

#include <stdbool.h>
#include "cmd/selopt.h"
#include "pkg/export_csv.h"
#include "pkg/export_pipeline.h"

/* True when csv_path's folder is parts_dir (the same folder, however named). */
bool cs_export_csv_in_parts(const char *csv_path, const char *parts_dir);
/* Writes parts_dir/set.json for rows (one per track and target; the tracks
 * they point to give cues, key and beats), naming csv_name (in parts_dir),
 * the selection so, and the export's settings o.  format: "wav16", ...
 * 0, or -1 after logging the reason. */
int cs_export_write_set(const char *parts_dir, const char *csv_name, const cs_selopts *so,
                        const cs_export_opts *o, const char *format, const char *playlist,
                        const cs_export_row *rows, size_t n);

/* A track's reach, for rows[i0..i1) (its rows): within the stretch budget
 * (pkg/budget.h: bpm x (1 -+ max_stretch %)) when the export had one,
 * widened to the rungs it was rendered at (its nearest rung, when none was
 * within); the span of its rungs otherwise. */
void cs_export_reach(const cs_export_opts *o, const cs_export_row *rows, size_t i0, size_t i1, double *lo,
                     double *hi);
/* The budget's summary line (ladders with a budget): parts it saved,
 * tracks played at their nearest rung only, and the ladder's tempo ranges
 * no track reaches ("no track reaches 131-134 BPM"), on stdout. */
void cs_export_print_budget(const cs_export_opts *o, const cs_export_stats *st, const cs_export_row *rows,
                            size_t n);

#endif
