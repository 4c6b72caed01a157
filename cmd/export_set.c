/* cs export's set manifest (see export_set.h). */
#include "cmd/export_set.h"
#include "pkg/err.h"
#include "pkg/setfile.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cs_export_csv_in_parts(const char *csv_path, const char *parts_dir)
{
    char copy[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
    if (snprintf(copy, sizeof copy, "%s", csv_path) >= (int)sizeof copy) return false;
    return realpath(dirname(copy), a) && realpath(parts_dir, b) && !strcmp(a, b);
}

static const char *method_name(const cs_export_opts *o)
{
    switch (o->method) {
    case CS_STRETCH_RUBBERBAND: return "rubberband";
    case CS_STRETCH_WSOLA: return o->plain_atempo ? "atempo" : "wsola";
    case CS_STRETCH_RATE: return "rate";
    }
    return "?";
}

static int add_rows(cs_setfile *m, const char *dir, const cs_export_row *rows, size_t n)
{
    cs_err err = {{0}};
    const cs_lib_track *last = NULL;
    cs_set_track *t = NULL;
    for (size_t i = 0; i < n; i++) {
        const cs_export_row *r = &rows[i];
        const cs_lib_track *lt = r->track;
        if (lt != last) {
            last = lt;
            t = cs_setfile_add_track(m, cs_lib_track_name(lt), lt->key, lt->bpm, lt->cues.ini_cue,
                                     lt->cues.begin_cue, lt->cues.end_cue);
            if (!t || cs_setfile_set_beats(t, lt->beats.v, lt->beats.n) < 0 ||
                cs_setfile_set_grid(t, lt->downbeats.v, lt->downbeats.n, &lt->segments) < 0) {
                cs_log_error("%s/%s: out of memory", dir, CS_SET_MANIFEST);
                return -1;
            }
            t->energy = r->energy;
            if (cs_setfile_add_part(t, dir, cs_export_csv_rel(dir, r->part_file_orig), 0, 1, &err) < 0) {
                cs_log_error("%s", err.msg);
                return -1;
            }
        }
        if (cs_setfile_add_part(t, dir, cs_export_csv_rel(dir, r->part_file), r->target_bpm, r->speed, &err) < 0) {
            cs_log_error("%s", err.msg);
            return -1;
        }
    }
    return 0;
}

int cs_export_write_set(const char *parts_dir, const char *csv_name, const cs_selopts *so,
                        const cs_export_opts *o, const char *format, const char *playlist,
                        const cs_export_row *rows, size_t n)
{
    cs_setfile m = {
        .format_version = CS_SET_FORMAT_VERSION, .cs_version = (char *)CS_VERSION, .csv = (char *)csv_name,
        .selection = { .has_bpm = so->has_bpm, .has_delta = so->has_delta, .has_min = so->has_min,
                       .has_max = so->has_max, .bpm = so->bpm, .delta = so->delta, .bpm_min = so->bpm_min,
                       .bpm_max = so->bpm_max, .keys = (char *)so->keys, .n_sections = so->n_sections },
        .ladder = o->ladder, .rungs = o->targets, .method = (char *)method_name(o),
        .quality = (char *)(o->quality == CS_STRETCH_FAST ? "fast" : "best"), .audio_format = (char *)format,
        .rate = o->rate, .playlist = (char *)playlist,
    };
    int rc = add_rows(&m, parts_dir, rows, n);
    cs_err err = {{0}};
    if (rc == 0 && (rc = cs_setfile_write(parts_dir, &m, &err)) < 0) cs_log_error("%s", err.msg);
    /* Only the tracks are ours: the rest points at the caller's strings. */
    cs_setfile owned = { .tracks = m.tracks, .n = m.n };
    cs_setfile_free(&owned);
    return rc;
}
