/* The render cache over the library (see render_cache.h). */
#include "db/render_cache.h"

#include <math.h>
#include <sys/stat.h>
#include <time.h>

/* A stored loudness value: NULL is -INFINITY (none). */
static double loud_col(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? -INFINITY : sqlite3_column_double(q, i);
}

static void bind_loud(sqlite3_stmt *q, int i, double v)
{
    if (isfinite(v)) sqlite3_bind_double(q, i, v);
    else sqlite3_bind_null(q, i);
}

static void bind_slices(sqlite3_stmt *q, int i, const cs_loudness *l)
{
    char buf[CS_LOUDNESS_SLICES_TEXT];
    if (cs_loudness_slices_format(l, buf, sizeof buf)) sqlite3_bind_text(q, i, buf, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, i);
}

static bool up_to_date(void *ctx, const char *out_path, const char *fingerprint, long long *frames, int *rate,
                       bool *measured, cs_loudness *loud)
{
    cs_db *db = ctx;
    cs_err e = {0};
    sqlite3_stmt *q = cs_db_prepare(db, "SELECT out_size, frames, rate, loudness_measured, lufs, true_peak_dbtp, loudness_slices "
                                         "FROM renders WHERE out_path = ? AND fingerprint = ?", &e);
    /* The interface has no error: a failed lookup renders the part again
     * (never wrong, only slower), and says so. */
    if (!q) {
        cs_log_warn("%s: render cache lookup failed (%s); rendering it again", out_path, e.msg);
        return false;
    }
    sqlite3_bind_text(q, 1, out_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, fingerprint, -1, SQLITE_STATIC);
    bool ok = false;
    int row = cs_db_row(db, q, &e);
    if (row < 0) cs_log_warn("%s: render cache lookup failed (%s); rendering it again", out_path, e.msg);
    if (row > 0) {
        struct stat sb;
        ok = stat(out_path, &sb) == 0 && S_ISREG(sb.st_mode) &&
             (long long)sb.st_size == sqlite3_column_int64(q, 0);
        *frames = sqlite3_column_int64(q, 1);
        *rate = sqlite3_column_int(q, 2);
        loud->lufs = loud_col(q, 4);
        loud->dbtp = loud_col(q, 5);
        /* Measured before the slices (migration 8): measured again, from the file. */
        *measured = sqlite3_column_int(q, 3) != 0 &&
                    cs_loudness_slices_parse((const char *)sqlite3_column_text(q, 6), loud) == 0;
    }
    sqlite3_finalize(q);
    return ok;
}

static int record(void *ctx, const cs_render_rec *r, cs_err *err)
{
    cs_db *db = ctx;
    sqlite3_stmt *q = cs_db_prepare(db,
        "INSERT OR REPLACE INTO renders(track_id, target_bpm, method, quality, format, ini_cue, "
        "begin_cue, end_cue, speed, out_path, out_size, frames, rate, gain_db, fingerprint, "
        "rendered_at, lufs, true_peak_dbtp, loudness_slices, loudness_measured) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)", err);
    if (!q) return -1;
    sqlite3_bind_int64(q, 1, r->track_id);
    if (r->target_bpm > 0) sqlite3_bind_double(q, 2, r->target_bpm);
    else sqlite3_bind_null(q, 2);
    sqlite3_bind_text(q, 3, r->method, -1, SQLITE_STATIC);
    if (r->quality) sqlite3_bind_text(q, 4, r->quality, -1, SQLITE_STATIC);
    else sqlite3_bind_null(q, 4);
    sqlite3_bind_text(q, 5, r->format, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 6, r->ini_cue);
    sqlite3_bind_double(q, 7, r->begin_cue);
    sqlite3_bind_double(q, 8, r->end_cue);
    sqlite3_bind_double(q, 9, r->speed);
    sqlite3_bind_text(q, 10, r->out_path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 11, r->out_size);
    sqlite3_bind_int64(q, 12, r->frames);
    sqlite3_bind_int(q, 13, r->rate);
    sqlite3_bind_double(q, 14, r->gain_db);
    sqlite3_bind_text(q, 15, r->fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 16, (sqlite3_int64)time(NULL));
    bind_loud(q, 17, r->loud.lufs);
    bind_loud(q, 18, r->loud.dbtp);
    bind_slices(q, 19, &r->loud);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : cs_db_fail(db, err, "recording render");
    sqlite3_finalize(q);
    return rc;
}

static int record_loudness(void *ctx, const char *out_path, const cs_loudness *loud, cs_err *err)
{
    cs_db *db = ctx;
    sqlite3_stmt *q = cs_db_prepare(db, "UPDATE renders SET lufs = ?, true_peak_dbtp = ?, loudness_slices = ?, "
                                        "loudness_measured = 1 WHERE out_path = ?", err);
    if (!q) return -1;
    bind_loud(q, 1, loud->lufs);
    bind_loud(q, 2, loud->dbtp);
    bind_slices(q, 3, loud);
    sqlite3_bind_text(q, 4, out_path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : cs_db_fail(db, err, "recording loudness");
    sqlite3_finalize(q);
    return rc;
}

cs_render_cache cs_render_cache_db(cs_db *db)
{
    return (cs_render_cache){ db, up_to_date, record, record_loudness };
}
