/* Engine DJ's library (Engine Library/Database2/m.db) into the collection
 * model of pkg/rekordbox.h, read-only (db/libdb.h); see lib_engine.h.
 * Facts and sources: docs/contract.md "Other DJ libraries" (Engine
 * DJ).  The blobs are decoded by pkg/engine_blobs.c. */
#include "db/lib_engine.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db/libdb.h"
#include "db/db.h"
#include "pkg/engine_blobs.h"

#define BUSY_MS 1500

static const char *text(sqlite3_stmt *q, int i) { return (const char *)sqlite3_column_text(q, i); }

int cs_engine_resolve(const char *library_dir, const char *rel, char *out, size_t cap)
{
    if (!rel || !*rel || cap < 2) return -1;
    char buf[PATH_MAX * 2];
    int n = rel[0] == '/' ? snprintf(buf, sizeof buf, "%s", rel)
                          : snprintf(buf, sizeof buf, "%s/%s", library_dir, rel);
    if (n < 0 || (size_t)n >= sizeof buf) return -1;
    /* lexical: components, "." dropped, ".." pops (never above "/") */
    size_t o = 0;
    out[o++] = '/';
    for (char *s = buf; *s;) {
        while (*s == '/') s++;
        if (!*s) break;
        char *e = s + strcspn(s, "/");
        size_t len = (size_t)(e - s);
        if (len == 1 && s[0] == '.') {
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (o <= 1) return -1;   /* above the root */
            o--;
            while (o > 1 && out[o - 1] != '/') o--;
            if (o > 1) o--;
        } else {
            if (o > 1) out[o++] = '/';
            if (o + len + 1 > cap) return -1;
            memcpy(out + o, s, len);
            o += len;
        }
        s = e;
    }
    out[o] = '\0';
    return 0;
}

typedef struct en {
    sqlite3 *h;
    const char *path;
    char libdir[PATH_MAX];
    const cs_rb_handler *hd;
    cs_rb_stats *st;
    cs_err *err;
} en;

static int db_fail(en *m, const char *what)
{
    return cs_err_setc(m->err, cs_db_code(m->h), "%s: %s: %s", m->path, what, sqlite3_errmsg(m->h));
}

static void warn(en *m, sqlite3_int64 id, const char *file, const char *what, const char *why)
{
    cs_log_warn("%s: track %lld (%s): %s: %s", m->path, (long long)id, file ? file : "no path", what, why);
    m->st->warnings++;
}

static int read_tracks(en *m, bool perf_table)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             "SELECT t.id, t.path, t.filename, t.title, t.artist, t.album, t.genre, t.comment, "
             "t.bpmAnalyzed, t.bpm, t.key, t.length, %s FROM Track t %s ORDER BY t.id",
             perf_table ? "p.beatData, p.quickCues" : "t.beatData, t.quickCues",
             perf_table ? "LEFT JOIN PerformanceData p ON p.trackId = t.id" : "");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(m->h, sql, -1, &q, NULL) != SQLITE_OK) return db_fail(m, "Track");
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(q, 0);
        const char *rel = text(q, 1);
        char idbuf[32], path[PATH_MAX];
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        cs_rb_track t = { .track_id = idbuf, .location = (char *)rel, .path_only = true,
                          .name = (char *)text(q, 3), .artist = (char *)text(q, 4),
                          .album = (char *)text(q, 5), .genre = (char *)text(q, 6),
                          .comments = (char *)text(q, 7) };
        if (rel && cs_engine_resolve(m->libdir, rel, path, sizeof path) == 0) t.path = path;
        else if (rel) warn(m, id, rel, "path", "climbs above the root or is too long; no path");
        double bpm = sqlite3_column_double(q, 8);
        if (!(bpm > 0 && bpm < 1000)) bpm = sqlite3_column_double(q, 9);   /* bpm: truncated */
        if (bpm > 0 && bpm < 1000) t.average_bpm = bpm;
        if (sqlite3_column_type(q, 10) == SQLITE_INTEGER)
            t.tonality = (char *)cs_engine_key_name(sqlite3_column_int(q, 10));
        double len = sqlite3_column_double(q, 11);
        if (len > 0) t.total_time = len;
        double rate = 0;
        const void *bd = sqlite3_column_blob(q, 12);
        int bdn = sqlite3_column_bytes(q, 12);
        cs_rb_tempo *rows = NULL;
        cs_rb_mark *marks = NULL;
        size_t n_rows = 0, n_marks = 0;
        cs_err e = {0};
        if (bd && bdn > 0) {
            int brc = cs_engine_beatdata(bd, (size_t)bdn, &rows, &n_rows, &rate, &e);
            if (brc == CS_ERR_NOMEM) { rc = cs_err_nomem(m->err); break; }
            if (brc < 0) warn(m, id, t.path ? t.path : rel, "beatData", e.msg);
        }
        const void *qc = sqlite3_column_blob(q, 13);
        int qcn = sqlite3_column_bytes(q, 13);
        if (qc && qcn > 0 && rate > 0) {
            int crc = cs_engine_quickcues(qc, (size_t)qcn, rate, &marks, &n_marks, &e);
            if (crc == CS_ERR_NOMEM) { free(rows); rc = cs_err_nomem(m->err); break; }
            if (crc < 0) warn(m, id, t.path ? t.path : rel, "quickCues", e.msg);
        } else if (qc && qcn > 0) {
            m->st->warnings++;   /* cues without a grid's sample rate cannot be placed */
        }
        t.tempos = rows;
        t.n_tempos = n_rows;
        t.marks = marks;
        t.n_marks = n_marks;
        m->st->tracks++;
        if (m->hd && m->hd->on_track && m->hd->on_track(m->hd->ud, &t) != 0)
            rc = cs_err_set(m->err, "%s: stopped", m->path);
        free(rows);
        for (size_t i = 0; i < n_marks; i++) free(marks[i].name);
        free(marks);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_fail(m, "Track");
    sqlite3_finalize(q);
    return rc;
}

typedef struct pl {
    sqlite3_int64 id, parent;
    char *title;
} pl;

/* A playlist's path: its parents' titles, "/"-joined under ROOT. */
static int pl_path(const pl *v, size_t n, size_t i, char *out, size_t cap)
{
    const pl *chain[64];
    size_t depth = 0;
    for (const pl *p = &v[i]; p && depth < 64;) {
        chain[depth++] = p;
        const pl *up = NULL;
        for (size_t k = 0; p->parent && k < n; k++)
            if (v[k].id == p->parent) up = &v[k];
        p = up;
    }
    size_t o = (size_t)snprintf(out, cap, "ROOT");
    while (depth && o < cap) {
        const pl *p = chain[--depth];
        o += (size_t)snprintf(out + o, cap - o, "/%s", p->title ? p->title : "");
    }
    return o < cap ? 0 : -1;
}

/* Entries in their linked-list order: the head is the entity no other
 * points at; a broken or looping list falls back to id order. */
static int read_entries(en *m, sqlite3_int64 list, char ***keys, size_t *n_keys)
{
    sqlite3_stmt *q;
    *keys = NULL;
    *n_keys = 0;
    if (sqlite3_prepare_v2(m->h, "SELECT id, trackId, nextEntityId FROM PlaylistEntity "
                                 "WHERE listId = ? ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        return db_fail(m, "PlaylistEntity");
    sqlite3_bind_int64(q, 1, list);
    typedef struct ent { sqlite3_int64 id, track, next; bool used; } ent;
    ent *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ent *nv = realloc(v, cap * sizeof *nv);
            if (!nv) { rc = cs_err_nomem(m->err); break; }
            v = nv;
        }
        v[n++] = (ent){ sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                        sqlite3_column_int64(q, 2), false };
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_fail(m, "PlaylistEntity");
    sqlite3_finalize(q);
    char **k = rc == 0 && n ? calloc(n, sizeof *k) : NULL;
    if (rc == 0 && n && !k) rc = cs_err_nomem(m->err);
    size_t nk = 0;
    if (rc == 0 && n) {
        /* head: not anyone's next */
        size_t head = SIZE_MAX;
        for (size_t i = 0; i < n && head == SIZE_MAX; i++) {
            bool pointed = false;
            for (size_t j = 0; j < n && !pointed; j++) pointed = v[j].next == v[i].id;
            if (!pointed) head = i;
        }
        for (size_t i = head; i != SIZE_MAX && !v[i].used;) {
            v[i].used = true;
            {
                char buf[32];
                snprintf(buf, sizeof buf, "%lld", (long long)v[i].track);
                if (!(k[nk] = strdup(buf))) { rc = cs_err_nomem(m->err); break; }
                nk++;
            }
            size_t nx = SIZE_MAX;
            for (size_t j = 0; v[i].next && j < n; j++)
                if (v[j].id == v[i].next) nx = j;
            i = nx;
        }
        if (rc == 0 && nk < n) {   /* broken chain: the rest in id order */
            m->st->warnings++;
            for (size_t i = 0; rc == 0 && i < n; i++) {
                if (v[i].used) continue;
                char buf[32];
                snprintf(buf, sizeof buf, "%lld", (long long)v[i].track);
                if (!(k[nk] = strdup(buf))) rc = cs_err_nomem(m->err);
                else nk++;
            }
        }
    }
    free(v);
    if (rc < 0) {
        for (size_t i = 0; i < nk; i++) free(k[i]);
        free(k);
        return rc;
    }
    *keys = k;
    *n_keys = nk;
    return 0;
}

static int read_lists(en *m)
{
    int has = cs_libdb_has_table(m->h, m->path, "Playlist", m->err);
    if (has <= 0) return has;
    cs_rb_playlist root = { .path = "ROOT", .name = "ROOT", .type = 0 };
    if (m->hd && m->hd->on_playlist && m->hd->on_playlist(m->hd->ud, &root) != 0)
        return cs_err_set(m->err, "%s: stopped", m->path);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(m->h, "SELECT id, parentListId, title FROM Playlist ORDER BY id", -1, &q,
                           NULL) != SQLITE_OK)
        return db_fail(m, "Playlist");
    pl *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            pl *nv = realloc(v, cap * sizeof *nv);
            if (!nv) { rc = cs_err_nomem(m->err); break; }
            v = nv;
        }
        v[n] = (pl){ sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), NULL };
        if (text(q, 2) && !(v[n].title = strdup(text(q, 2)))) { rc = cs_err_nomem(m->err); break; }
        n++;
    }
    if (rc == 0 && step != SQLITE_DONE) rc = db_fail(m, "Playlist");
    sqlite3_finalize(q);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char path[4096];
        if (pl_path(v, n, i, path, sizeof path) < 0) { m->st->warnings++; continue; }
        char **keys;
        size_t nk;
        if ((rc = read_entries(m, v[i].id, &keys, &nk)) < 0) break;
        cs_rb_playlist p = { .path = path, .name = v[i].title ? v[i].title : "", .type = 1,
                             .keys = keys, .n_keys = nk };
        m->st->playlists++;
        if (m->hd && m->hd->on_playlist && m->hd->on_playlist(m->hd->ud, &p) != 0)
            rc = cs_err_set(m->err, "%s: stopped", m->path);
        for (size_t k = 0; k < nk; k++) free(keys[k]);
        free(keys);
    }
    for (size_t i = 0; i < n; i++) free(v[i].title);
    free(v);
    return rc;
}

int cs_engine_parse_file(const char *path, const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err)
{
    cs_rb_stats local = {0};
    en m = { .path = path, .hd = h, .st = stats ? stats : &local, .err = err };
    memset(m.st, 0, sizeof *m.st);
    /* The "Engine Library" folder: m.db's folder, or its parent when that
     * is Database2 (Engine DJ 2+). */
    char real[PATH_MAX];
    if (!realpath(path, real)) snprintf(real, sizeof real, "%s", path);
    snprintf(m.libdir, sizeof m.libdir, "%s", real);
    char *slash = strrchr(m.libdir, '/');
    if (slash) *slash = '\0';
    slash = strrchr(m.libdir, '/');
    if (slash && strcmp(slash + 1, "Database2") == 0) *slash = '\0';
    bool immutable;
    if (cs_libdb_open(path, BUSY_MS, &m.h, &immutable, err) < 0) return -1;
    if (immutable) {
        cs_log_warn("%s: locked or WAL without access to its -shm: read as it is on disk "
                    "(changes a running Engine DJ has not written yet are missing)", path);
        m.st->warnings++;
    }
    int rc = 0, major = 0, minor = 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(m.h, "SELECT schemaVersionMajor, schemaVersionMinor FROM Information "
                                "ORDER BY id LIMIT 1", -1, &q, NULL) != SQLITE_OK) {
        rc = cs_err_setc(err, CS_ERR_FORMAT, "%s: not an Engine DJ library: no Information table", path);
    } else {
        if (sqlite3_step(q) == SQLITE_ROW) {
            major = sqlite3_column_int(q, 0);
            minor = sqlite3_column_int(q, 1);
        }
        sqlite3_finalize(q);
        if (major < 2)
            rc = cs_err_setc(err, CS_ERR_FORMAT, "%s: Engine library schema %d.%d: only Engine DJ 2 and later "
                            "(schema 2 and 3) are read", path, major, minor);
    }
    if (rc == 0 && h && h->on_info) {
        char version[32];
        snprintf(version, sizeof version, "schema %d.%d", major, minor);
        cs_rb_info info = { "Engine DJ", version, "inMusic", -1 };
        if (h->on_info(h->ud, &info) != 0) rc = cs_err_set(err, "%s: stopped", path);
    }
    if (rc == 0) {
        int perf = cs_libdb_has_table(m.h, path, "PerformanceData", err);
        rc = perf < 0 ? -1 : read_tracks(&m, major >= 3 && perf > 0);
    }
    if (rc == 0) rc = read_lists(&m);
    sqlite3_close_v2(m.h);
    return rc < 0 ? -1 : 0;
}

char *cs_engine_default_db(const char *home, cs_err *err)
{
    char p[PATH_MAX];
    struct stat sb;
    const char *rel[] = { "/Music/Engine Library/Database2/m.db", "/Music/Engine Library/m.db" };
    for (size_t i = 0; home && *home && i < 2; i++) {
        int n = snprintf(p, sizeof p, "%s%s", home, rel[i]);
        if (n < (int)sizeof p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            char *out = strdup(p);
            if (!out) cs_err_nomem(err);
            return out;
        }
    }
    cs_err_setc(err, CS_ERR_NOT_FOUND, "no Engine DJ library: no %s/Music/Engine Library/Database2/m.db (give its path; "
               "on a drive: <drive>/Engine Library/Database2/m.db)", home && *home ? home : "$HOME");
    return NULL;
}
