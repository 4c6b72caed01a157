/* `cs analyze` as a batch: audio files and folders in, one allin1-compatible
 * struct JSON per audio file out (pkg/analyze.h does the analysis).
 *
 *   const char *in[] = { "music/", "extra.mp3" };
 *   cs_analyze_run_opts o = { .inputs = in, .n_inputs = 2, .out_dir = "struct",
 *                             .jobs = 2 };
 *   cs_analyze_run_stats st;
 *   cs_analyze_run(&o, &st);
 *
 * Names: a file given directly is OUT/<stem>.json; a file found under a
 * folder given is OUT/<its path below that folder without extension>.json
 * (folders are searched recursively; names starting with '.' are skipped;
 * audio is recognised by extension, CS_ANALYZE_EXTENSIONS).
 * Incremental: a JSON newer than its audio and written by this version
 * (same "source") is up to date and skipped unless `force`.  A JSON without
 * "source" is allin1's and is never overwritten (counted as kept).  Each
 * JSON is written atomically.  Per-file problems are logged with the file
 * name (cs: error: FILE: reason), counted, and the batch goes on.
 */
#ifndef CS_ANALYZE_RUN_H
#define CS_ANALYZE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#define CS_ANALYZE_EXTENSIONS \
    "wav flac mp3 ogg oga opus m4a aac aif aiff wma mod xm s3m it"

typedef struct cs_analyze_run_opts {
    const char *const *inputs;   /* audio files and/or folders */
    size_t n_inputs;
    const char *out_dir;         /* created when missing */
    int jobs;                    /* parallel analyses, >= 1 */
    bool force;                  /* redo up-to-date files (never allin1's) */
    int progress;                /* 0 none, 1 a line per file, 2 a bar (tty) */
} cs_analyze_run_opts;

typedef struct cs_analyze_run_stats {
    long found, analysed, up_to_date, kept_allin1, failed;
    double audio_seconds;        /* of the files analysed this run */
} cs_analyze_run_stats;

/* True when the file name has one of CS_ANALYZE_EXTENSIONS (any case). */
bool cs_analyze_is_audio_name(const char *name);

/* Returns 0 when every file found was analysed, up to date or kept, -1
 * when an input was unusable or a file failed (each was logged). */
int cs_analyze_run(const cs_analyze_run_opts *o, cs_analyze_run_stats *st);

#endif
