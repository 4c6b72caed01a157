/* Mixxx's library (mixxxdb.sqlite) into the collection model of
 * pkg/rekordbox.h, read-only (db/libdb.h), so the indexer stores it like any
 * collection (lib_mixxx.h).  Facts and sources:
 * docs/contract.md "Other DJ libraries" (Mixxx).  It lives in
 * db/ because it needs SQLite; the blob decoding it needs is pkg/'s
 * (pkg/mixxx_beats.c). */
#include "db/lib_mixxx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db/libdb.h"
#include "db/db.h"
#include "pkg/key.h"
#include "pkg/mixxx_beats.h"

#define BUSY_MS 1500

typedef struct mx {
    sqlite3 *h;
    const char *path;
    const cs_rb_handler *hd;
    cs_rb_stats *st;
    cs_err *err;
    cs_rb_mark *marks;
    size_t n_marks, cap_marks;
} mx;

static int db_fail(mx *m, const char *what)
{
    return cs_err_setc(m->err, cs_db_code(m->h), "%s: %s: %s", m->path, what, sqlite3_errmsg(m->h));
}

static const char *text(sqlite3_stmt *q, int i) { return (const char *)sqlite3_column_text(q, i); }

static void free_marks(mx *m)
{
    for (size_t i = 0; i < m->n_marks; i++) free(m->marks[i].name);
    m->n_marks = 0;
}

/* Mixxx CueType (src/track/cueinfo.h): 1 hot cue, 2 main cue, 4 loop,
 * 5 jump, 6 intro, 7 outro.  Positions and lengths in engine samples
 * (frames x 2).  Hot cues keep their slot; the main cue is a load cue
 * (Rekordbox type 3); loops are loops; jump, intro and outro marks are
 * memory cues named after their kind.  Others are skipped. */
static int add_cue(mx *m, sqlite3_stmt *c, double rate)
{
    int type = sqlite3_column_int(c, 1);
    double pos = sqlite3_column_double(c, 2), len = sqlite3_column_double(c, 3);
    int hot = sqlite3_column_type(c, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(c, 4);
    const char *label = text(c, 5);
    static const char *const kind_names[8] = { NULL, NULL, NULL, NULL, NULL, "jump", "intro", "outro" };
    if (type < 1 || type > 7 || type == 3 || !(rate > 0) || pos < 0 || pos > 1e12) {
        m->st->warnings++;
        return 0;
    }
    if (m->n_marks == m->cap_marks) {
        size_t cap = m->cap_marks ? m->cap_marks * 2 : 16;
        cs_rb_mark *v = realloc(m->marks, cap * sizeof *v);
        if (!v) return cs_err_nomem(m->err);
        m->marks = v;
        m->cap_marks = cap;
    }
    cs_rb_mark *k = &m->marks[m->n_marks];
    *k = (cs_rb_mark){ .end = -1, .num = -1, .red = -1, .green = -1, .blue = -1 };
    k->start = pos / 2 / rate;
    k->type = type == 2 ? 3 : type == 4 ? 4 : 0;
    if (type == 4 && len > 0) k->end = (pos + len) / 2 / rate;
    if (type == 1 && hot >= 0 && hot < 1000) k->num = hot;
    const char *name = label && *label ? label : kind_names[type];
    if (name && !(k->name = strdup(name))) return cs_err_nomem(m->err);
    m->n_marks++;
    return 0;
}

static const char tracks_sql[] =
    "SELECT l.id, l.title, l.artist, l.album, l.genre, l.comment, l.bpm, l.key, l.key_id, "
    "l.duration, l.samplerate, l.beats, l.beats_version, tl.location "
    "FROM library l JOIN track_locations tl ON tl.id = l.location "
    "WHERE COALESCE(l.mixxx_deleted, 0) = 0 AND COALESCE(tl.fs_deleted, 0) = 0 ORDER BY l.id";
static const char cues_sql[] =
    "SELECT track_id, type, position, length, hotcue, label FROM cues ORDER BY track_id, position";

static int read_tracks(mx *m)
{
    sqlite3_stmt *q = NULL, *c = NULL;
    if (sqlite3_prepare_v2(m->h, tracks_sql, -1, &q, NULL) != SQLITE_OK) return db_fail(m, "library");
    int has_cues = cs_libdb_has_table(m->h, m->path, "cues", m->err);
    if (has_cues < 0 || (has_cues && sqlite3_prepare_v2(m->h, cues_sql, -1, &c, NULL) != SQLITE_OK)) {
        sqlite3_finalize(q);
        return has_cues < 0 ? -1 : db_fail(m, "cues");
    }
    int crc = c ? sqlite3_step(c) : SQLITE_DONE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(q, 0);
        double rate = sqlite3_column_double(q, 10);
        char idbuf[32];
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        cs_rb_track t = { .track_id = idbuf, .name = (char *)text(q, 1), .artist = (char *)text(q, 2),
                          .album = (char *)text(q, 3), .genre = (char *)text(q, 4),
                          .comments = (char *)text(q, 5), .path = (char *)text(q, 13),
                          .path_only = true };
        t.location = t.path;
        double bpm = sqlite3_column_double(q, 6);
        if (bpm > 0 && bpm < 1000) t.average_bpm = bpm;
        int key_id = sqlite3_column_int(q, 8);
        if (key_id >= 1 && key_id <= 24)   /* keys.proto ChromaticKey: 1..12 C..B, 13..24 Cm..Bm */
            t.tonality = (char *)cs_key_name(cs_key_from_pitch((key_id - 1) % 12, key_id > 12));
        else
            t.tonality = (char *)text(q, 7);
        double dur = sqlite3_column_double(q, 9);
        if (dur > 0) t.total_time = dur;
        const void *blob = sqlite3_column_blob(q, 11);
        int blen = sqlite3_column_bytes(q, 11);
        cs_rb_tempo *rows = NULL;
        size_t n_rows = 0;
        if (blob && blen > 0) {
            cs_err e = {0};
            int brc = cs_mixxx_beats(text(q, 12), blob, (size_t)blen, rate, &rows, &n_rows, &e);
            if (brc == CS_ERR_NOMEM) { rc = cs_err_nomem(m->err); break; }
            if (brc < 0) {
                cs_log_warn("%s: track %lld (%s): %s; no grid", m->path, (long long)id,
                            t.path ? t.path : "no location", e.msg);
                m->st->warnings++;
            }
        }
        t.tempos = rows;
        t.n_tempos = n_rows;
        /* the cues of this track (both cursors go by track id) */
        while (crc == SQLITE_ROW && sqlite3_column_int64(c, 0) < id) crc = sqlite3_step(c);
        while (rc == 0 && crc == SQLITE_ROW && sqlite3_column_int64(c, 0) == id) {
            rc = add_cue(m, c, rate);
            crc = sqlite3_step(c);
        }
        if (rc == 0 && crc != SQLITE_ROW && crc != SQLITE_DONE) rc = db_fail(m, "cues");
        t.marks = m->marks;
        t.n_marks = m->n_marks;
        if (rc == 0) {
            m->st->tracks++;
            if (m->hd && m->hd->on_track && m->hd->on_track(m->hd->ud, &t) != 0)
                rc = cs_err_set(m->err, "%s: stopped", m->path);
        }
        free(rows);
        free_marks(m);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_fail(m, "library");
    sqlite3_finalize(q);
    sqlite3_finalize(c);
    return rc;
}

/* A folder, or a list of track ids from `sql` (bound to list id). */
static int deliver(mx *m, const char *path, const char *name, int type, const char *sql,
                   sqlite3_int64 list)
{
    char **keys = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (sql) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(m->h, sql, -1, &q, NULL) != SQLITE_OK) return db_fail(m, "playlists");
        sqlite3_bind_int64(q, 1, list);
        int step;
        while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                char **k = realloc(keys, cap * sizeof *k);
                if (!k) { rc = cs_err_nomem(m->err); break; }
                keys = k;
            }
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", (long long)sqlite3_column_int64(q, 0));
            if (!(keys[n] = strdup(buf))) { rc = cs_err_nomem(m->err); break; }
            n++;
        }
        if (rc == 0 && step != SQLITE_DONE) rc = db_fail(m, "playlists");
        sqlite3_finalize(q);
    }
    if (rc == 0) {
        cs_rb_playlist p = { .path = path, .name = name, .type = type, .key_type = 0,
                             .keys = keys, .n_keys = n };
        if (type == 1) m->st->playlists++;
        if (m->hd && m->hd->on_playlist && m->hd->on_playlist(m->hd->ud, &p) != 0)
            rc = cs_err_set(m->err, "%s: stopped", m->path);
    }
    for (size_t i = 0; i < n; i++) free(keys[i]);
    free(keys);
    return rc;
}

/* Playlists (not hidden: 1 is Auto DJ, 2 the history) as ROOT/<name> in
 * their order, crates as ROOT/Crates/<name> by name; entries by track id,
 * a playlist's in its position order, a crate's by id. */
static int read_lists(mx *m)
{
    if (deliver(m, "ROOT", "ROOT", 0, NULL, 0) < 0) return -1;
    static const struct { const char *table, *list_sql, *entries_sql, *prefix; } kinds[] = {
        { "Playlists", "SELECT id, name FROM Playlists WHERE COALESCE(hidden, 0) = 0 "
                       "ORDER BY position, id",
          "SELECT track_id FROM PlaylistTracks WHERE playlist_id = ? ORDER BY position", "ROOT/" },
        { "crates", "SELECT id, name FROM crates ORDER BY name, id",
          "SELECT track_id FROM crate_tracks WHERE crate_id = ? ORDER BY track_id", "ROOT/Crates/" },
    };
    for (size_t k = 0; k < 2; k++) {
        int has = cs_libdb_has_table(m->h, m->path, kinds[k].table, m->err);
        if (has < 0) return -1;
        if (!has) continue;
        if (k == 1 && deliver(m, "ROOT/Crates", "Crates", 0, NULL, 0) < 0) return -1;
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(m->h, kinds[k].list_sql, -1, &q, NULL) != SQLITE_OK)
            return db_fail(m, kinds[k].table);
        int rc = 0, step;
        while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
            const char *name = text(q, 1) ? text(q, 1) : "";
            char *path = malloc(strlen(kinds[k].prefix) + strlen(name) + 1);
            if (!path) { rc = cs_err_nomem(m->err); break; }
            sprintf(path, "%s%s", kinds[k].prefix, name);
            rc = deliver(m, path, name, 1, kinds[k].entries_sql, sqlite3_column_int64(q, 0));
            free(path);
        }
        if (rc == 0 && step != SQLITE_DONE) rc = db_fail(m, kinds[k].table);
        sqlite3_finalize(q);
        if (rc < 0) return -1;
    }
    return 0;
}

int cs_mixxx_parse_file(const char *path, const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err)
{
    cs_rb_stats local = {0};
    mx m = { .path = path, .hd = h, .st = stats ? stats : &local, .err = err };
    memset(m.st, 0, sizeof *m.st);
    bool immutable;
    if (cs_libdb_open(path, BUSY_MS, &m.h, &immutable, err) < 0) return -1;
    if (immutable) {
        cs_log_warn("%s: locked or WAL without access to its -shm: read as it is on disk "
                    "(changes a running Mixxx has not written yet are missing)", path);
        m.st->warnings++;
    }
    int rc = 0;
    int has = cs_libdb_has_table(m.h, path, "library", err);
    int has_loc = has > 0 ? cs_libdb_has_table(m.h, path, "track_locations", err) : has;
    if (has < 0 || has_loc < 0) rc = -1;
    else if (!has || !has_loc) rc = cs_err_setc(err, CS_ERR_FORMAT, "%s: not a Mixxx library: no %s table", path,
                                               has ? "track_locations" : "library");
    if (rc == 0 && h && h->on_info) {
        cs_rb_info info = { "Mixxx", NULL, "Mixxx", -1 };
        sqlite3_stmt *q;
        char version[32] = "";
        if (sqlite3_prepare_v2(m.h, "SELECT value FROM settings WHERE name = 'mixxx.schema.version'",
                               -1, &q, NULL) == SQLITE_OK) {
            if (sqlite3_step(q) == SQLITE_ROW && text(q, 0))
                snprintf(version, sizeof version, "schema %s", text(q, 0));
            sqlite3_finalize(q);
        }
        info.version = version[0] ? version : NULL;
        if (h->on_info(h->ud, &info) != 0) rc = cs_err_set(err, "%s: stopped", path);
    }
    if (rc == 0) rc = read_tracks(&m);
    if (rc == 0) rc = read_lists(&m);
    free_marks(&m);
    free(m.marks);
    sqlite3_close_v2(m.h);
    return rc < 0 ? -1 : 0;
}

char *cs_mixxx_default_db(const char *home, cs_err *err)
{
    const char *rel[] = { "/.mixxx/mixxxdb.sqlite",
                          "/Library/Containers/org.mixxx.mixxx/Data/Library/Application Support/"
                          "Mixxx/mixxxdb.sqlite",
                          "/Library/Application Support/Mixxx/mixxxdb.sqlite" };
    const char *lad = getenv("LOCALAPPDATA");
    char p[PATH_MAX];
    struct stat sb;
    for (size_t i = 0; i < 4; i++) {
        const char *base = i < 3 ? home : lad;
        if (!base || !*base) continue;
        int n = snprintf(p, sizeof p, "%s%s", base, i < 3 ? rel[i] : "/Mixxx/mixxxdb.sqlite");
        if (n < (int)sizeof p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            char *out = strdup(p);
            if (!out) cs_err_nomem(err);
            return out;
        }
    }
    cs_err_setc(err, CS_ERR_NOT_FOUND, "no Mixxx library: no %s/.mixxx/mixxxdb.sqlite (nor the macOS or Windows "
               "places; give its path)", home && *home ? home : "$HOME");
    return NULL;
}
