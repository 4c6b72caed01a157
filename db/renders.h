/* Rendered parts recorded in the library, so an export re-run skips what is
 * up to date: same output path, same fingerprint (source file identity, cues,
 * tempo, method and format) and the file still there with the recorded size.
 */
#ifndef CS_RENDERS_H
#define CS_RENDERS_H

#include <stdbool.h>
#include "db/db.h"

typedef struct cs_render_rec {
    long track_id;
    double target_bpm;        /* <= 0 for the original-speed cut */
    const char *method, *quality, *format;
    double ini_cue, begin_cue, end_cue, speed;
    const char *out_path;     /* absolute */
    long long out_size;
    long long frames;
    int rate;
    double gain_db;
    const char *fingerprint;
} cs_render_rec;

/* true when out_path is recorded with this fingerprint and the file on disk
 * has the recorded size; *frames gets the recorded length. */
bool cs_renders_up_to_date(cs_db *db, const char *out_path, const char *fingerprint,
                           long long *frames, int *rate);
int cs_renders_record(cs_db *db, const cs_render_rec *r, cs_err *err);

#endif
