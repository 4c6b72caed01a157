/* The DJ library part of cs_index_run: a collection (Rekordbox XML, Traktor
 * NML, read by pkg/ into the model of pkg/rekordbox.h) into the rb_* tables
 * labelled with its source, replaced as a whole when its file changed,
 * rolled back to the previous collection (a SAVEPOINT) when it is
 * malformed. */
#include "db/indexer_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/location.h"
#include "pkg/rekordbox.h"
#include "pkg/serato_lib.h"
#include "pkg/traktor.h"
#include "db/lib_engine.h"
#include "db/lib_mixxx.h"

static const struct {
    const char *label;
    cs_ix_parse_fn parse;
} libs[CS_LIB_N] = {
    [CS_LIB_REKORDBOX] = { "rekordbox", cs_rekordbox_parse_file },
    [CS_LIB_TRAKTOR] = { "traktor", cs_traktor_parse_file },
    [CS_LIB_MIXXX] = { "mixxx", cs_mixxx_parse_file },
    [CS_LIB_ENGINE] = { "engine", cs_engine_parse_file },
    [CS_LIB_SERATO] = { "serato", NULL },   /* several inputs: cs_serato_parse */
};

const char *cs_index_lib_label(int kind)
{
    return kind >= 0 && kind < CS_LIB_N ? libs[kind].label : NULL;
}

const char *cs_ix_lib_file(const cs_index_opts *o, int kind)
{
    switch (kind) {
    case CS_LIB_REKORDBOX: return o->rekordbox_xml;
    case CS_LIB_TRAKTOR: return o->traktor_nml;
    case CS_LIB_MIXXX: return o->mixxx_db;
    case CS_LIB_ENGINE: return o->engine_db;
    case CS_LIB_SERATO: return o->n_serato ? o->serato[0] : NULL;
    default: return NULL;
    }
}

bool cs_ix_lib_from(const cs_index_opts *o, int kind)
{
    switch (kind) {
    case CS_LIB_REKORDBOX: return o->from_rekordbox;
    case CS_LIB_TRAKTOR: return o->from_traktor;
    case CS_LIB_MIXXX: return o->from_mixxx;
    case CS_LIB_ENGINE: return o->from_engine;
    case CS_LIB_SERATO: return o->from_serato;
    default: return false;
    }
}

/* A handler's failure: the connection's error, kept for the message. */
static int stopped_by_db(indexer *ix, const char *what)
{
    return cs_db_fail(ix->db, &ix->rb_why, what);
}

static int rb_on_info(void *ud, const cs_rb_info *info)
{
    indexer *ix = ud;
    sqlite3 *h = cs_db_sqlite(ix->db);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(h, "UPDATE rb_collections SET product=?, version=?, company=?, "
                              "entries=? WHERE id=?", -1, &s, NULL) != SQLITE_OK)
        return stopped_by_db(ix, "storing the collection");
    cs_ix_bind_text(s, 1, info->product);
    cs_ix_bind_text(s, 2, info->version);
    cs_ix_bind_text(s, 3, info->company);
    if (info->entries >= 0) sqlite3_bind_int64(s, 4, info->entries);
    sqlite3_bind_int64(s, 5, ix->collection_id);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : stopped_by_db(ix, "storing the collection");
    sqlite3_finalize(s);
    return rc;
}

static int rb_on_track(void *ud, const cs_rb_track *t)
{
    indexer *ix = ud;
    sqlite3_stmt *s = ix->ins_rb;
    /* A plain path from the reader (Traktor), else the Location URI decoded. */
    char *path = t->path ? strdup(t->path)
               : t->location && !t->path_only ? cs_location_decode(t->location) : NULL;
    char *fold = path ? cs_path_fold(path) : NULL;
    char *name_fold = path ? cs_path_fold(cs_path_basename(path)) : NULL;
    if ((((t->location && !t->path_only) || t->path) && !path) || (path && (!fold || !name_fold))) {
        free(path);
        free(fold);
        free(name_fold);
        return cs_err_nomem(&ix->rb_why);
    }
    sqlite3_bind_int64(s, 1, ix->collection_id);
    cs_ix_bind_text(s, 2, t->track_id);
    cs_ix_bind_text(s, 3, t->name);
    cs_ix_bind_text(s, 4, t->artist);
    cs_ix_bind_text(s, 5, t->album);
    cs_ix_bind_text(s, 6, t->genre);
    cs_ix_bind_text(s, 7, t->kind);
    cs_ix_bind_text(s, 8, t->location);
    cs_ix_bind_text(s, 9, path);
    cs_ix_bind_text(s, 10, fold);
    cs_ix_bind_text(s, 11, name_fold);
    if (t->average_bpm > 0 && isfinite(t->average_bpm)) sqlite3_bind_double(s, 12, t->average_bpm);
    else sqlite3_bind_null(s, 12);
    /* Trim blanks: "  " is as empty as "". */
    const char *ton = t->tonality;
    while (ton && (*ton == ' ' || *ton == '\t')) ton++;
    cs_ix_bind_text(s, 13, ton);
    if (t->total_time > 0) sqlite3_bind_double(s, 14, t->total_time);
    else sqlite3_bind_null(s, 14);
    int rc = cs_ix_step(ix, s);
    sqlite3_clear_bindings(s);
    free(path);
    free(fold);
    free(name_fold);
    if (rc < 0) return stopped_by_db(ix, "storing a track");
    if (ton && *ton && cs_ix_note_key(ix, ton, t->name ? t->name : cs_index_lib_label(ix->kind)) < 0)
        return cs_err_nomem(&ix->rb_why);

    sqlite3_int64 rb_id = sqlite3_last_insert_rowid(cs_db_sqlite(ix->db));
    for (size_t i = 0; i < t->n_tempos; i++) {
        const cs_rb_tempo *tp = &t->tempos[i];
        s = ix->ins_tempo;
        sqlite3_bind_int64(s, 1, rb_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        sqlite3_bind_double(s, 3, tp->inizio);
        sqlite3_bind_double(s, 4, tp->bpm);
        cs_ix_bind_text(s, 5, tp->metro);
        sqlite3_bind_int(s, 6, tp->battito);
        if (cs_ix_step(ix, s) < 0) return stopped_by_db(ix, "storing a tempo");
    }
    for (size_t i = 0; i < t->n_marks; i++) {
        const cs_rb_mark *m = &t->marks[i];
        s = ix->ins_mark;
        sqlite3_bind_int64(s, 1, rb_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        cs_ix_bind_text(s, 3, m->name);
        sqlite3_bind_int(s, 4, m->type);
        sqlite3_bind_double(s, 5, m->start);
        if (m->end >= 0) sqlite3_bind_double(s, 6, m->end);
        else sqlite3_bind_null(s, 6);
        sqlite3_bind_int(s, 7, m->num);
        if (cs_ix_step(ix, s) < 0) return stopped_by_db(ix, "storing a cue");
    }
    ix->st->lib[ix->kind].tracks++;
    return 0;
}

static int rb_on_playlist(void *ud, const cs_rb_playlist *p)
{
    indexer *ix = ud;
    sqlite3_stmt *s = ix->ins_pl;
    sqlite3_bind_int64(s, 1, ix->collection_id);
    sqlite3_bind_text(s, 2, p->path ? p->path : "", -1, SQLITE_STATIC);   /* see cs_ix_bind_text */
    cs_ix_bind_text(s, 3, p->name);
    sqlite3_bind_int(s, 4, p->type);
    sqlite3_bind_int(s, 5, p->key_type);
    if (cs_ix_step(ix, s) < 0) return stopped_by_db(ix, "storing a playlist");
    sqlite3_int64 pl = sqlite3_last_insert_rowid(cs_db_sqlite(ix->db));
    for (size_t i = 0; i < p->n_keys; i++) {
        s = ix->ins_ple;
        sqlite3_bind_int64(s, 1, pl);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        cs_ix_bind_text(s, 3, p->keys[i]);
        if (cs_ix_step(ix, s) < 0) return stopped_by_db(ix, "storing a playlist");
    }
    if (p->type == 1) ix->st->lib[ix->kind].playlists++;   /* folders (ROOT) are not playlists */
    return 0;
}

/* Returns 1 when the collection changed, 0 when unchanged, -1 on failure
 * (previous collection kept). */
int cs_ix_index_library(indexer *ix, int kind, cs_err *err)
{
    if (kind < 0 || kind >= CS_LIB_N) return cs_err_set(err, "library %d unknown", kind);
    const char *xml = cs_ix_lib_file(ix->o, kind);
    const char *label = libs[kind].label;
    cs_index_lib_stats *ls = &ix->st->lib[kind];
    ix->kind = kind;
    char real[PATH_MAX];
    struct stat sb;
    bool serato = kind == CS_LIB_SERATO;
    if (serato) {
        /* Serato's library is its audio files' tags, in folders and files
         * of the user's choosing: read on every run (never "unchanged"),
         * stored under the first input given. */
        memset(&sb, 0, sizeof sb);
    } else {
        if (stat(xml, &sb) < 0) return cs_err_setc(err, CS_ERR_IO, "%s: %s", xml, strerror(errno));
        if (!S_ISREG(sb.st_mode)) return cs_err_setc(err, CS_ERR_IO, "%s: not a regular file", xml);
    }
    if (!realpath(xml, real)) snprintf(real, sizeof real, "%s", xml);

    sqlite3_stmt *q = cs_db_prepare(ix->db, "SELECT mtime_ns, size FROM rb_collections "
                                             "WHERE xml_path = ? AND source = ?", err);
    if (!q) return -1;
    sqlite3_bind_text(q, 1, real, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, label, -1, SQLITE_STATIC);
    int row = cs_db_row(ix->db, q, err);
    int same = row > 0 && sqlite3_column_int64(q, 0) == cs_ix_mtime_ns(&sb) &&
               sqlite3_column_int64(q, 1) == (sqlite3_int64)sb.st_size;
    sqlite3_finalize(q);
    if (row < 0) return -1;
    if (same && !ix->o->force && !serato) {
        ls->unchanged = true;
        return 0;
    }

    /* One collection per library: this one replaces its predecessor (and a
     * collection stored from the same file under another label). */
    if (cs_db_exec(ix->db, "SAVEPOINT rb;", err) < 0) return -1;
    sqlite3_stmt *del = cs_db_prepare(ix->db, "DELETE FROM rb_collections WHERE source = ? OR "
                                              "xml_path = ?", err);
    if (!del) return -1;
    sqlite3_bind_text(del, 1, label, -1, SQLITE_STATIC);
    sqlite3_bind_text(del, 2, real, -1, SQLITE_STATIC);
    int drc = sqlite3_step(del) == SQLITE_DONE ? 0 : cs_db_fail(ix->db, err, "replacing collection");
    sqlite3_finalize(del);
    if (drc < 0) return -1;
    sqlite3_stmt *ins = cs_db_prepare(ix->db, "INSERT INTO rb_collections(xml_path, mtime_ns, size, "
                                               "source) VALUES (?, ?, ?, ?)", err);
    if (!ins) return -1;
    sqlite3_bind_text(ins, 1, real, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, cs_ix_mtime_ns(&sb));
    sqlite3_bind_int64(ins, 3, (sqlite3_int64)sb.st_size);
    sqlite3_bind_text(ins, 4, label, -1, SQLITE_STATIC);
    int rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : cs_db_fail(ix->db, err, "storing collection");
    sqlite3_finalize(ins);
    if (rc < 0) return -1;
    ix->collection_id = sqlite3_last_insert_rowid(cs_db_sqlite(ix->db));

    cs_rb_handler h = { .ud = ix, .on_info = rb_on_info, .on_track = rb_on_track,
                        .on_playlist = rb_on_playlist };
    cs_rb_stats rs = {0};
    ix->rb_why.msg[0] = '\0';
    rc = serato ? cs_serato_parse(ix->o->serato, ix->o->n_serato, &h, &rs, err)
                : libs[kind].parse(xml, &h, &rs, err);
    ix->st->warnings += rs.warnings;
    if (rc < 0) {
        if (ix->rb_why.msg[0]) cs_err_setc(err, ix->rb_why.code, "%s: %s", xml, ix->rb_why.msg);
        cs_db_exec(ix->db, "ROLLBACK TO rb; RELEASE rb;", NULL);
        ls->tracks = ls->playlists = 0;
        return -1;
    }
    if (cs_db_exec(ix->db, "RELEASE rb;", err) < 0) return -1;
    return 1;
}


/* "Rekordbox", "Traktor", "Mixxx", "Engine DJ" for messages. */
static const char *lib_title(const char *src)
{
    static const char *const titles[CS_LIB_N] = { "Rekordbox", "Traktor", "Mixxx", "Engine DJ", "Serato" };
    for (int k = 0; k < CS_LIB_N; k++)
        if (src && !strcmp(src, libs[k].label)) return titles[k];
    return "Rekordbox";
}

/* Struct files (not the structs made from a library, which know their
 * collection track): the same decoded path (folded), else the same file
 * name when that name is unique in its collection.  With several
 * collections, Rekordbox's is asked first, then the others by label. */
static const char match_sql[] =
    "UPDATE tracks SET rb_id = COALESCE("
    " (SELECT r.id FROM rb_tracks r JOIN rb_collections c ON c.id = r.collection_id"
    "  WHERE r.path_fold = tracks.analysed_fold"
    "  ORDER BY c.source <> 'rekordbox', c.source, r.id LIMIT 1),"
    " (SELECT r.id FROM rb_tracks r JOIN rb_collections c ON c.id = r.collection_id"
    "  WHERE r.name_fold = tracks.file_fold AND NOT EXISTS (SELECT 1 FROM rb_tracks o"
    "   WHERE o.name_fold = r.name_fold AND o.collection_id = r.collection_id AND o.id <> r.id)"
    "  ORDER BY c.source <> 'rekordbox', c.source, r.id LIMIT 1))"
    " WHERE source NOT IN " CS_IX_LIB_SOURCES ";"
    /* A library's struct whose collection was replaced finds its track in
     * the new one by path (kept even without --from-* this run). */
    "UPDATE tracks SET rb_id = (SELECT r.id FROM rb_tracks r JOIN rb_collections c"
    " ON c.id = r.collection_id WHERE c.source = tracks.source"
    " AND r.path_fold = tracks.analysed_fold ORDER BY r.id LIMIT 1)"
    " WHERE source IN " CS_IX_LIB_SOURCES " AND rb_id IS NULL;";

int cs_ix_match(indexer *ix, cs_err *err)
{
    return cs_db_exec(ix->db, match_sql, err);
}

/* A collection's file as the user gave it this run, else as stored. */
static const char *given_name(indexer *ix, sqlite3_stmt *q, int col)
{
    const char *src = (const char *)sqlite3_column_text(q, col - 1);
    for (int k = 0; k < CS_LIB_N; k++)
        if (src && !strcmp(src, libs[k].label) && cs_ix_lib_file(ix->o, k))
            return cs_ix_lib_file(ix->o, k);
    const char *stored = (const char *)sqlite3_column_text(q, col);
    return stored ? stored : "the collection";
}

/* The match rule (index.c) takes the first TRACK of a Location and leaves a
 * track unmatched when only its file name matches and that name is in the
 * collection more than once; either way the user hears about it by name. */
int cs_ix_warn_ambiguous(indexer *ix, cs_err *err)
{
    /* Per collection: the same file in two libraries is no ambiguity. */
    static const char same_location[] =
        "SELECT t.struct_path, r.path, COUNT(*), GROUP_CONCAT(r.track_id, ', '), c.source, c.xml_path "
        "FROM tracks t JOIN rb_tracks r ON r.path_fold = t.analysed_fold "
        "JOIN rb_collections c ON c.id = r.collection_id "
        "WHERE t.source NOT IN " CS_IX_LIB_SOURCES " "
        "GROUP BY t.id, c.id HAVING COUNT(*) > 1 ORDER BY t.struct_path, c.source";
    static const char same_name[] =
        "SELECT t.struct_path, r.name_fold, COUNT(*), GROUP_CONCAT(r.path, '; '), c.source, c.xml_path "
        "FROM tracks t JOIN rb_tracks r ON r.name_fold = t.file_fold "
        "JOIN rb_collections c ON c.id = r.collection_id "
        "WHERE t.rb_id IS NULL AND t.source NOT IN " CS_IX_LIB_SOURCES " "
        "GROUP BY t.id, c.id HAVING COUNT(*) > 1 ORDER BY t.struct_path, c.source";
    sqlite3_stmt *q = cs_db_prepare(ix->db, same_location, err);
    if (!q) return -1;
    int row;
    while ((row = cs_db_row(ix->db, q, err)) > 0) {
        const char *src = (const char *)sqlite3_column_text(q, 4);
        cs_log_warn("%s: %d %s in %s have the same Location \"%s\" (%s %s); the first is used",
                    (const char *)sqlite3_column_text(q, 0), sqlite3_column_int(q, 2),
                    src && !strcmp(src, "rekordbox") ? "TRACKs" : "tracks", given_name(ix, q, 5),
                    (const char *)sqlite3_column_text(q, 1),
                    src && !strcmp(src, "rekordbox") ? "TrackID" : "keys",
                    (const char *)sqlite3_column_text(q, 3));
        ix->st->warnings++;
    }
    sqlite3_finalize(q);
    if (row < 0) return -1;
    if (!(q = cs_db_prepare(ix->db, same_name, err))) return -1;
    while ((row = cs_db_row(ix->db, q, err)) > 0) {
        const char *src = (const char *)sqlite3_column_text(q, 4);
        cs_log_warn("%s: not matched to %s: its file name is in %s %d times, in other folders "
                    "than its path (%s)", (const char *)sqlite3_column_text(q, 0),
                    lib_title(src), given_name(ix, q, 5),
                    sqlite3_column_int(q, 2), (const char *)sqlite3_column_text(q, 3));
        ix->st->warnings++;
    }
    sqlite3_finalize(q);
    return row < 0 ? -1 : 0;
}
