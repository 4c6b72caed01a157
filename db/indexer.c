/* cs_index_run: struct JSONs and DJ library collections into the library.
 *
 * One transaction for the whole run, so a killed index leaves the previous
 * library intact.  Struct files are keyed by path and skipped when their
 * mtime and size are unchanged; files that vanished from the indexed folder
 * are pruned.  A collection (Rekordbox, Traktor) is replaced as a whole when
 * its file changed; a malformed one is rolled back to the previous
 * collection (a SAVEPOINT) and the rest is still indexed.
 */
#include "db/indexer_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/allin1.h"
#include "pkg/analyze_run.h"
#include "pkg/fsutil.h"
#include "pkg/key.h"
#include "pkg/findaudio.h"
#include "pkg/location.h"
#include "pkg/workpool.h"

long long cs_ix_mtime_ns(const struct stat *sb)
{
    return (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}

int cs_ix_note_key(indexer *ix, const char *key, const char *where)
{
    if (!key || cs_key_parse(key) != CS_KEY_UNKNOWN) return 0;
    for (size_t i = 0; i < ix->n_unknown; i++)
        if (!strcmp(ix->unknown[i], key)) return 0;
    if (ix->n_unknown == ix->cap_unknown) {
        size_t cap = ix->cap_unknown ? ix->cap_unknown * 2 : 16;
        char **p = realloc(ix->unknown, cap * sizeof *p);
        if (!p) return -1;
        ix->unknown = p;
        ix->cap_unknown = cap;
    }
    char *dup = strdup(key);
    if (!dup) return -1;
    ix->unknown[ix->n_unknown++] = dup;
    ix->st->unknown_keys++;
    ix->st->warnings++;
    cs_log_warn("%s: unknown key notation '%s' kept as written", where, key);
    return 0;
}

/* Text and blobs are bound SQLITE_STATIC throughout the indexer: a
 * TRANSIENT bind copies, and when that copy fails for memory the parameter
 * is silently NULL (`make faults` stored tracks without names that way).
 * A static value must live until the step; cs_ix_step clears the bindings
 * after it, so no statement keeps a pointer past its step. */
void cs_ix_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

int cs_ix_step(indexer *ix, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- struct files ------------------------------------------------------- */

static int blob_doubles(sqlite3_stmt *s, int i, const cs_dvec *v)
{
    if (!v->n) return sqlite3_bind_null(s, i);
    return sqlite3_bind_blob64(s, i, v->v, v->n * sizeof(double), SQLITE_STATIC);
}

static int blob_positions(sqlite3_stmt *s, int i, const cs_ivec *v)
{
    if (!v->n) return sqlite3_bind_null(s, i);
    signed char *b = malloc(v->n);
    if (!b) return SQLITE_NOMEM;
    for (size_t k = 0; k < v->n; k++)
        b[k] = (signed char)(v->v[k] < -128 ? -128 : v->v[k] > 127 ? 127 : v->v[k]);
    return sqlite3_bind_blob64(s, i, b, v->n, free);
}

static int remember_seen(indexer *ix, const char *path)
{
    if (ix->n_seen == ix->cap_seen) {
        size_t cap = ix->cap_seen ? ix->cap_seen * 2 : 256;
        char **p = realloc(ix->seen, cap * sizeof *p);
        if (!p) return -1;
        ix->seen = p;
        ix->cap_seen = cap;
    }
    if (!(ix->seen[ix->n_seen] = strdup(path))) return -1;
    ix->n_seen++;
    return 0;
}

int cs_ix_store_struct(indexer *ix, const char *file, const struct stat *sb,
                        sqlite3_int64 existing, const cs_struct *s, cs_err *err)
{
    sqlite3_stmt *st = existing ? ix->upd_track : ix->ins_track;
    char *fold = s->path ? cs_path_fold(s->path) : NULL;
    char *file_fold = s->path ? cs_path_fold(cs_path_basename(s->path)) : NULL;
    double duration = s->segments.n ? s->segments.v[s->segments.n - 1].end : 0;
    double bbpm = cs_beats_bpm(&s->beats);
    if (bbpm < 0 || (s->path && (!fold || !file_fold))) {
        free(fold);
        free(file_fold);
        return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", file);
    }

    sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cs_ix_mtime_ns(sb));
    sqlite3_bind_int64(st, 3, (sqlite3_int64)sb->st_size);
    cs_ix_bind_text(st, 4, s->path);
    cs_ix_bind_text(st, 5, fold);
    cs_ix_bind_text(st, 6, file_fold);
    if (s->bpm > 0) sqlite3_bind_double(st, 7, s->bpm);
    else sqlite3_bind_null(st, 7);
    if (bbpm > 0) sqlite3_bind_double(st, 8, bbpm);
    else sqlite3_bind_null(st, 8);
    cs_ix_bind_text(st, 9, s->key);
    sqlite3_bind_double(st, 10, duration);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)s->beats.n);
    blob_doubles(st, 12, &s->beats);
    blob_doubles(st, 13, &s->downbeats);
    /* (owned by SQLite once bound; a failed malloc is SQLITE_NOMEM) */
    int brc = blob_positions(st, 14, &s->beat_positions);
    sqlite3_bind_int(st, 15, s->n_warnings);
    sqlite3_bind_text(st, 16, s->source ? s->source : "allin1", -1, SQLITE_STATIC);
    if (existing) sqlite3_bind_int64(st, 17, existing);
    int rc = brc == SQLITE_OK ? sqlite3_step(st) : brc;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(fold);
    free(file_fold);
    if (rc == SQLITE_NOMEM) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", file);
    if (rc != SQLITE_DONE) return cs_db_fail(ix->db, err, file);

    sqlite3_int64 id = existing ? existing : sqlite3_last_insert_rowid(cs_db_sqlite(ix->db));
    sqlite3_bind_int64(ix->del_segs, 1, id);
    if (cs_ix_step(ix, ix->del_segs) < 0) return cs_db_fail(ix->db, err, file);
    for (size_t i = 0; i < s->segments.n; i++) {
        const cs_segment *g = &s->segments.v[i];
        sqlite3_stmt *q = ix->ins_seg;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        sqlite3_bind_double(q, 3, g->start);
        sqlite3_bind_double(q, 4, g->end);
        sqlite3_bind_text(q, 5, g->label ? g->label : "", -1, SQLITE_STATIC);
        if (cs_ix_step(ix, q) < 0) return cs_db_fail(ix->db, err, file);
    }
    return 0;
}

static bool is_json_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcasecmp(name + n - 5, ".json") == 0;
}

/* A struct file to (re)read: parsed by the pool's workers, stored in order
 * by the thread that owns the transaction. */
typedef struct parse_item {
    const char *file;
    struct stat sb;
    sqlite3_int64 existing;
    int rc;                    /* cs_allin1_load result */
    cs_struct s;
    cs_err e;
} parse_item;

typedef struct parse_job {
    indexer *ix;
    parse_item *items;
    cs_err *err;
} parse_job;

/* Parsed results not yet stored are bounded, so memory stays flat. */
#define PARSE_WINDOW 256

static int store_item(indexer *ix, parse_item *it, cs_err *err)
{
    if (it->rc < 0) {
        cs_log_warn("%s", it->e.msg);
        ix->st->failed++;
        ix->st->warnings++;
        /* Kept for cs ls: a struct that does not index is listed, with why. */
        cs_ix_bind_text(ix->ins_fail, 1, it->file);
        cs_ix_bind_text(ix->ins_fail, 2, it->e.msg);
        if (cs_ix_step(ix, ix->ins_fail) < 0) return cs_db_fail(ix->db, err, "recording a failed struct");
        if (it->existing) {   /* stale data for a file that is now bad */
            sqlite3_bind_int64(ix->del_track, 1, it->existing);
            if (cs_ix_step(ix, ix->del_track) < 0) return cs_db_fail(ix->db, err, "removing a stale track");
        }
        return 0;
    }
    const cs_struct *s = &it->s;
    if (s->n_warnings) {
        cs_log_warn("%s: %s%s", it->file, s->warning,
                    s->n_warnings > 1 ? " (and more repairs)" : "");
        ix->st->warnings += s->n_warnings;
    }
    if (s->key && cs_ix_note_key(ix, s->key, it->file) < 0)
        return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", it->file);
    int rc = cs_ix_store_struct(ix, it->file, &it->sb, it->existing, s, err);
    if (rc == 0) ix->st->indexed++;
    return rc;
}

static int parse_one(void *arg, size_t i)
{
    parse_item *it = &((parse_job *)arg)->items[i];
    it->rc = cs_allin1_load(it->file, &it->s, &it->e);
    return it->rc;
}

static int store_one(void *arg, size_t i, int parsed)
{
    parse_job *pj = arg;
    (void)parsed;
    int rc = store_item(pj->ix, &pj->items[i], pj->err);
    cs_struct_free(&pj->items[i].s);
    return rc;
}

static void discard_one(void *arg, size_t i) { cs_struct_free(&((parse_job *)arg)->items[i].s); }

/* Stats every seen file, keeps those that changed, parses them on up to two
 * threads (pkg/workpool.h) and stores the results in file order. */
static int index_seen(indexer *ix, cs_err *err)
{
    struct { parse_item *items; size_t n; } pp = { .items = calloc(ix->n_seen ? ix->n_seen : 1, sizeof(parse_item)) };
    if (!pp.items) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ix->n_seen; i++) {
        parse_item *it = &pp.items[pp.n];
        memset(it, 0, sizeof *it);   /* the slot may hold a skipped file's values */
        it->file = ix->seen[i];
        ix->st->scanned++;
        if (stat(it->file, &it->sb) < 0) {
            cs_log_warn("%s: %s", it->file, strerror(errno));
            ix->st->failed++;
            continue;
        }
        sqlite3_bind_text(ix->find, 1, it->file, -1, SQLITE_STATIC);
        bool unchanged = false;
        int row = cs_db_row(ix->db, ix->find, err);
        if (row > 0) {
            it->existing = sqlite3_column_int64(ix->find, 0);
            unchanged = sqlite3_column_int64(ix->find, 1) == cs_ix_mtime_ns(&it->sb) &&
                        sqlite3_column_int64(ix->find, 2) == (sqlite3_int64)it->sb.st_size;
        }
        sqlite3_reset(ix->find);
        if (row < 0) {
            free(pp.items);
            return -1;
        }
        if (unchanged && !ix->o->force) ix->st->unchanged++;
        else pp.n++;
    }

    /* Parsing is worth threads only for a big batch; storing stays on this
     * thread, in file order.  A failed store (a full disk) stops the pool:
     * it never waits for items no worker will parse. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    parse_job pj = { ix, pp.items, err };
    cs_workpool_ops ops = { .work = parse_one, .consume = store_one, .discard = discard_one };
    cs_workpool_opts po = { .threads = pp.n < 64 ? 0 : cores > 1 ? 2 : 1, .window = PARSE_WINDOW };
    int rc = cs_workpool_run(pp.n, &po, &ops, &pj);
    free(pp.items);
    return rc < 0 ? -1 : 0;
}

static int walk(indexer *ix, const char *dir, int depth, cs_err *err)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        if (depth == 0) return cs_err_setc(err, CS_ERR_IO, "%s: %s", dir, strerror(errno));
        cs_log_warn("%s: %s", dir, strerror(errno));
        ix->st->warnings++;
        return 0;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc == 0 && name[0] != '.') {
            char path[PATH_MAX];
            int len = snprintf(path, sizeof path, "%s/%s", dir, name);
            bool dir_entry = ents[i]->d_type == DT_DIR;
            struct stat sb;
            if (ents[i]->d_type == DT_UNKNOWN || ents[i]->d_type == DT_LNK)
                dir_entry = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
            if (len >= (int)sizeof path) {
                cs_log_warn("%s/%s: path too long", dir, name);
            } else if (dir_entry) {
                if (depth < 32) rc = walk(ix, path, depth + 1, err);
            } else if (is_json_name(name)) {
                if (remember_seen(ix, path) < 0) rc = cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
            } else if (cs_analyze_is_audio_name(name)) {
                ix->n_audio_seen++;
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes library tracks under `root` whose files were not seen this run. */
static int prune(indexer *ix, const char *root, cs_err *err)
{
    qsort(ix->seen, ix->n_seen, sizeof *ix->seen, cmp_str);
    sqlite3_stmt *q = cs_db_prepare(ix->db, "SELECT id, struct_path FROM tracks "
                                             "WHERE substr(CAST(struct_path AS BLOB), 1, ?) = "
                                             "CAST(? AS BLOB)", err);
    if (!q) return -1;
    /* Byte-wise prefix (substr on TEXT would count characters). */
    char prefix[PATH_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s/", root);
    sqlite3_bind_int(q, 1, (int)strlen(prefix));
    sqlite3_bind_text(q, 2, prefix, -1, SQLITE_STATIC);
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(q, 1);
        if (bsearch(&p, ix->seen, ix->n_seen, sizeof *ix->seen, cmp_str)) continue;
        sqlite3_bind_int64(ix->del_track, 1, sqlite3_column_int64(q, 0));
        if (cs_ix_step(ix, ix->del_track) < 0) { rc = cs_db_fail(ix->db, err, "pruning"); break; }
        ix->st->removed++;
    }
    /* (a failed step, e.g. out of memory, is not the end of the rows) */
    if (rc == 0 && step != SQLITE_DONE) rc = cs_db_fail(ix->db, err, "pruning");
    sqlite3_finalize(q);
    return rc;
}

/* ---- audio resolution and matching ------------------------------------- */

/* An absolute path, so the library works from any working directory. */
static char *absolute(const char *p)
{
    char real[PATH_MAX];
    return strdup(realpath(p, real) ? real : p);
}

/* The track's audio (pkg/findaudio.h cs_find_track_audio: its JSON path,
 * then --audio-dir, the struct file's folder, the matched Rekordbox
 * Location and last the path an earlier run found while it still exists),
 * made absolute.  NULL with errno ENOMEM when out of memory. */
static char *resolve_audio(const char *analysed, const char *struct_path, const char *audio_dir,
                           const char *rb_path, const char *old)
{
    cs_audio_where w = { .path = analysed, .struct_path = struct_path, .audio_dir = audio_dir,
                         .location = rb_path, .known = old };
    char *found = cs_find_track_audio(&w, NULL);
    if (!found) return NULL;
    char *abs = absolute(found);
    free(found);
    if (!abs) errno = ENOMEM;
    return abs;
}

static int resolve_all(indexer *ix, cs_err *err)
{
    sqlite3_stmt *q = cs_db_prepare(ix->db,
        "SELECT t.id, t.analysed_path, t.struct_path, r.path, t.audio_path "
        "FROM tracks t LEFT JOIN rb_tracks r ON r.id = t.rb_id", err);
    sqlite3_stmt *u = cs_db_prepare(ix->db, "UPDATE tracks SET audio_path = ? WHERE id = ?", err);
    if (!q || !u) {
        sqlite3_finalize(q);
        sqlite3_finalize(u);
        return -1;
    }
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(q, 4);
        /* A path found earlier (e.g. with another --audio-dir) is kept
         * while it still exists: the lookup's last place. */
        char *a = resolve_audio((const char *)sqlite3_column_text(q, 1),
                                (const char *)sqlite3_column_text(q, 2), ix->o->audio_dir,
                                (const char *)sqlite3_column_text(q, 3), old);
        if (!a && errno == ENOMEM) { rc = cs_err_setc(err, CS_ERR_NOMEM, "resolving audio paths: out of memory"); break; }
        if (!a) ix->st->no_audio++;
        if ((a && old && !strcmp(a, old)) || (!a && !old)) { free(a); continue; }
        cs_ix_bind_text(u, 1, a);
        sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
        int r = cs_ix_step(ix, u);
        free(a);
        if (r < 0) { rc = cs_db_fail(ix->db, err, "storing audio path"); break; }
    }
    if (rc == 0 && step != SQLITE_DONE) rc = cs_db_fail(ix->db, err, "resolving audio paths");
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    return rc;
}

/* The summary's counts: an error is an error (a count of 0 after an out of
 * memory printed "with key 0" and exited 0). */
static int count(cs_db *db, const char *sql, long *out, cs_err *err)
{
    sqlite3_stmt *q = cs_db_prepare(db, sql, err);
    if (!q) return -1;
    int row = cs_db_row(db, q, err);
    *out = row > 0 ? (long)sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    return row < 0 ? -1 : 0;
}

static void finish_stmts(indexer *ix)
{
    sqlite3_stmt *all[] = { ix->find, ix->ins_track, ix->upd_track, ix->del_segs, ix->ins_seg,
                            ix->del_track, ix->ins_rb, ix->ins_tempo, ix->ins_mark, ix->ins_pl,
                            ix->ins_ple, ix->ins_fail };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sqlite3_finalize(all[i]);
    for (size_t i = 0; i < ix->n_unknown; i++) free(ix->unknown[i]);
    free(ix->unknown);
    for (size_t i = 0; i < ix->n_seen; i++) free(ix->seen[i]);
    free(ix->seen);
}

#define TRACK_COLS "struct_path, struct_mtime_ns, struct_size, analysed_path, analysed_fold, " \
                   "file_fold, json_bpm, beats_bpm, json_key, duration, n_beats, beats, " \
                   "downbeats, beat_positions, warnings, source"

static int prepare_all(indexer *ix, cs_err *err)
{
    cs_db *db = ix->db;
    return (ix->find = cs_db_prepare(db, "SELECT id, struct_mtime_ns, struct_size FROM tracks "
                                         "WHERE struct_path = ?", err)) &&
           (ix->ins_track = cs_db_prepare(db, "INSERT INTO tracks(" TRACK_COLS ") VALUES "
                                              "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err)) &&
           (ix->upd_track = cs_db_prepare(db, "UPDATE tracks SET struct_path=?, struct_mtime_ns=?, "
                "struct_size=?, analysed_path=?, analysed_fold=?, file_fold=?, json_bpm=?, "
                "beats_bpm=?, json_key=?, duration=?, n_beats=?, beats=?, downbeats=?, "
                "beat_positions=?, warnings=?, source=? WHERE id=?", err)) &&
           (ix->del_segs = cs_db_prepare(db, "DELETE FROM segments WHERE track_id = ?", err)) &&
           (ix->ins_seg = cs_db_prepare(db, "INSERT INTO segments(track_id, idx, start, end, label) "
                                            "VALUES (?,?,?,?,?)", err)) &&
           (ix->del_track = cs_db_prepare(db, "DELETE FROM tracks WHERE id = ?", err)) &&
           (ix->ins_rb = cs_db_prepare(db, "INSERT INTO rb_tracks(collection_id, track_id, name, "
                "artist, album, genre, kind, location, path, path_fold, name_fold, average_bpm, "
                "tonality, total_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err)) &&
           (ix->ins_tempo = cs_db_prepare(db, "INSERT INTO rb_tempos VALUES (?,?,?,?,?,?)", err)) &&
           (ix->ins_mark = cs_db_prepare(db, "INSERT INTO rb_marks VALUES (?,?,?,?,?,?,?)", err)) &&
           (ix->ins_pl = cs_db_prepare(db, "INSERT INTO rb_playlists(collection_id, path, name, "
                                           "type, key_type) VALUES (?,?,?,?,?)", err)) &&
           (ix->ins_ple = cs_db_prepare(db, "INSERT INTO rb_playlist_entries VALUES (?,?,?)", err)) &&
           (ix->ins_fail = cs_db_prepare(db, "INSERT OR REPLACE INTO index_failures(struct_path, reason) "
                                             "VALUES (?,?)", err))
               ? 0 : -1;
}

static int run(indexer *ix, cs_err *err)
{
    const cs_index_opts *o = ix->o;
    cs_index_stats *st = ix->st;
    int usable = 0;
    bool changed = false;

    bool any_lib = false;
    for (int kind = 0; kind < CS_LIB_N; kind++) {
        if (!cs_ix_lib_file(o, kind)) continue;
        any_lib = true;
        cs_err e = {0};
        int rc = cs_ix_index_library(ix, kind, &e);
        if (rc < 0) {
            cs_log_error("%s", e.msg);
            st->lib[kind].failed = true;
            /* A failed SAVEPOINT rollback would leave no transaction. */
            if (sqlite3_get_autocommit(cs_db_sqlite(ix->db))) return cs_err_setc(err, e.code, "%s", e.msg);
        } else {
            usable++;
            changed |= rc > 0;
        }
    }
    if (o->struct_dir) {
        char root[PATH_MAX];
        struct stat sb;
        const char *why = NULL;
        if (stat(o->struct_dir, &sb) < 0 || !realpath(o->struct_dir, root)) why = strerror(errno);
        else if (!S_ISDIR(sb.st_mode)) why = "not a directory";
        if (why) {
            cs_log_error("%s: %s", o->struct_dir, why);
            st->dir_failed = true;
        } else {
            long before = st->indexed + st->removed;
            if (walk(ix, root, 0, err) < 0) return -1;
            if (ix->n_seen == 0) {
                /* Nothing to index is a failure, not "library 0 tracks". */
                if (ix->n_audio_seen)
                    cs_log_error("%s: no struct file (*.json) in it, but %zu audio file%s: make the structs "
                                 "first with 'cs analyze %s --out STRUCT_DIR', then 'cs index STRUCT_DIR'",
                                 o->struct_dir, ix->n_audio_seen, ix->n_audio_seen == 1 ? "" : "s", o->struct_dir);
                else cs_log_error("%s: no struct file (*.json) in it", o->struct_dir);
                st->dir_failed = true;
            } else {
                if (cs_ix_forget_failures(ix, root, err) < 0 || index_seen(ix, err) < 0 || prune(ix, root, err) < 0)
                    return -1;
                changed |= st->indexed + st->removed != before;
                if (st->indexed + st->unchanged > 0) usable++;
                else cs_log_error("%s: none of its %zu struct files could be read", o->struct_dir,
                                  ix->n_seen);
            }
        }
    }
    if (!usable && (any_lib || o->struct_dir))
        return cs_err_set(err, "nothing was indexed");
    if (changed || o->force || st->indexed) {
        if (cs_ix_match(ix, err) < 0) return -1;
        if (cs_ix_warn_ambiguous(ix, err) < 0) return -1;
    }
    if (cs_ix_library_structs(ix, err) < 0) return -1;
    if (resolve_all(ix, err) < 0) return -1;
    if (cs_ix_warn_octaves(ix, err) < 0) return -1;
    if (count(ix->db, "SELECT COUNT(*) FROM tracks", &st->total, err) < 0 ||
        count(ix->db, "SELECT COUNT(*) FROM tracks WHERE rb_id IS NOT NULL", &st->matched, err) < 0 ||
        count(ix->db, "SELECT COUNT(*) FROM library WHERE rb_bpm IS NOT NULL AND "
                      "(json_bpm IS NULL OR abs(rb_bpm - json_bpm) > 0.005)",
              &st->bpm_overridden, err) < 0 ||
        count(ix->db, "SELECT COUNT(*) FROM library WHERE key IS NOT NULL AND key <> ''",
              &st->with_key, err) < 0 ||
        count(ix->db, "SELECT COUNT(*) FROM library WHERE bpm IS NULL OR NOT bpm > 0",
              &st->no_bpm, err) < 0)
        return -1;
    for (int kind = 0; kind < CS_LIB_N; kind++) {
        cs_index_lib_stats *ls = &st->lib[kind];
        if (!ls->unchanged) continue;
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM rb_tracks r JOIN rb_collections c ON "
                 "c.id = r.collection_id WHERE c.source = '%s'", cs_index_lib_label(kind));
        if (count(ix->db, sql, &ls->tracks, err) < 0) return -1;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM rb_playlists p JOIN rb_collections c ON "
                 "c.id = p.collection_id WHERE p.type = 1 AND c.source = '%s'",
                 cs_index_lib_label(kind));
        if (count(ix->db, sql, &ls->playlists, err) < 0) return -1;
    }
    return 0;
}

int cs_index_run(cs_db *db, const cs_index_opts *o, cs_index_stats *st, cs_err *err)
{
    indexer ix = { .db = db, .o = o, .st = st };
    memset(st, 0, sizeof *st);
    if (cs_db_begin(db, err) < 0) return -1;
    int rc = prepare_all(&ix, err);
    if (rc == 0) rc = run(&ix, err);
    /* Rekordbox's numbers also under their historical names. */
    const cs_index_lib_stats *rb = &st->lib[CS_LIB_REKORDBOX];
    st->rb_tracks = rb->tracks;
    st->rb_playlists = rb->playlists;
    st->rb_unchanged = rb->unchanged;
    st->rb_failed = rb->failed;
    st->rb_structs = rb->structs;
    st->rb_struct_skipped = rb->struct_skipped;
    finish_stmts(&ix);
    if (rc == 0) rc = cs_db_commit(db, err);
    if (rc < 0) cs_db_rollback(db);
    return rc;
}
