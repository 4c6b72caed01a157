/* Traktor collection.nml reader (traktor.h) on the Rekordbox reader's
 * streaming core (rekordbox_int.h): this file only knows NML's elements.
 *
 *   NML VERSION
 *     COLLECTION ENTRIES
 *       ENTRY TITLE ARTIST
 *         LOCATION DIR FILE VOLUME   ALBUM TITLE   INFO GENRE KEY PLAYTIME_FLOAT
 *         TEMPO BPM   MUSICAL_KEY VALUE
 *         CUE_V2 NAME TYPE START LEN HOTCUE  (GRID BPM inside a TYPE 4 marker)
 *     PLAYLISTS
 *       NODE TYPE="FOLDER" NAME="$ROOT" / SUBNODES / NODE TYPE="PLAYLIST" NAME
 *         PLAYLIST / ENTRY / PRIMARYKEY TYPE="TRACK" KEY
 */
#include "pkg/traktor.h"
#include "pkg/traktor_test.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/key.h"
#include "pkg/rekordbox_int.h"

typedef struct tk_state {
    sbuf vol, dir, file, path;
    bool has_location;
    double tempo_bpm;
    int musical_key;        /* -1 absent */
    long grid_row;          /* tempo row of the open grid marker, -1 none */
    int cue_depth;          /* depth of the open CUE_V2 */
} tk_state;

static tk_state *st_of(rb_parser *rb) { return rb->ext; }

static bool set_str(rb_parser *rb, int slot, char **field, const char *value)
{
    char *s = rb_sbuf_set(&rb->str[slot], value);
    if (!s) {
        rb_oom(rb);
        return false;
    }
    *field = s;
    return true;
}

/* ---- LOCATION -> path ------------------------------------------------------ */

static bool has_dotdot(const char *p)
{
    for (const char *c = p; (c = strstr(c, "..")) != NULL; c += 2) {
        bool start = c == p || c[-1] == '/' || c[-1] == ':' || c[-1] == '\\';
        bool end = c[2] == '\0' || c[2] == '/' || c[2] == '\\';
        if (start && end) return true;
    }
    return false;
}

char *cs_traktor_path(const char *volume, const char *dir, const char *file)
{
    if (!volume) volume = "";
    if (!dir) dir = "";
    if (!file || !*file || strchr(file, '/') || strchr(file, '\\') || has_dotdot(dir) ||
        has_dotdot(file)) {
        errno = EINVAL;
        return NULL;
    }
    bool drive = ((volume[0] | 0x20) >= 'a' && (volume[0] | 0x20) <= 'z') && volume[1] == ':' &&
                 volume[2] == '\0';
    const char *prefix = !*volume || drive || volume[0] == '/' ? "" : "/Volumes/";
    size_t n = strlen(prefix) + strlen(volume) + strlen(dir) + strlen(file) + 3;
    char *out = malloc(n);
    if (!out) {
        errno = ENOMEM;
        return NULL;
    }
    char *o = out;
    o += sprintf(o, "%s%s", prefix, volume);
    if (o > out && o[-1] == '/') o--;
    /* "/:" separates DIR's folders; a DIR without it is taken as a path. */
    const char *d = dir;
    if (o == out && *d != '/') *o++ = '/';
    while (*d) {
        if (d[0] == '/' && d[1] == ':') {
            if (o == out || o[-1] != '/') *o++ = '/';
            d += 2;
        } else {
            *o++ = *d++;
        }
    }
    if (o == out || o[-1] != '/') *o++ = '/';
    strcpy(o, file);
    return out;
}

/* ---- ENTRY ---------------------------------------------------------------- */

static void on_entry_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "TITLE") == 0) set_str(rb, S_NAME, &rb->t.name, value);
    else if (strcmp(name, "ARTIST") == 0) set_str(rb, S_ARTIST, &rb->t.artist, value);
}

static void on_location_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    tk_state *ts = st_of(rb);
    sbuf *b = strcmp(name, "DIR") == 0 ? &ts->dir : strcmp(name, "FILE") == 0 ? &ts->file
            : strcmp(name, "VOLUME") == 0 ? &ts->vol : NULL;
    if (b && !rb_sbuf_set(b, value)) rb_oom(rb);
    if (b) ts->has_location = true;
}

static void on_info_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "GENRE") == 0) set_str(rb, S_GENRE, &rb->t.genre, value);
    else if (strcmp(name, "COMMENT") == 0) set_str(rb, S_COMMENTS, &rb->t.comments, value);
    else if (strcmp(name, "KEY") == 0) set_str(rb, S_TONALITY, &rb->t.tonality, value);
    else if (strcmp(name, "PLAYTIME_FLOAT") == 0) rb_parse_double(rb, value, &rb->t.total_time);
    else if (strcmp(name, "PLAYTIME") == 0 && rb->t.total_time <= 0)
        rb_parse_double(rb, value, &rb->t.total_time);
}

static void on_album_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "TITLE") == 0) set_str(rb, S_ALBUM, &rb->t.album, value);
}

static void on_tempo_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "BPM") == 0) rb_parse_double(rb, value, &st_of(rb)->tempo_bpm);
}

static void on_key_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "VALUE") == 0) rb_parse_int(rb, value, &st_of(rb)->musical_key);
}

typedef struct cue_attrs {
    const char *name;   /* points into the mark name buffer once copied */
    int type, hotcue;
    double start, len;
    bool has_type, has_start;
} cue_attrs;

static void on_cue_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    cue_attrs *c = obj;
    if (strcmp(name, "TYPE") == 0) {
        c->has_type = true;
        rb_parse_int(rb, value, &c->type);
    } else if (strcmp(name, "START") == 0) c->has_start = rb_parse_double(rb, value, &c->start);
    else if (strcmp(name, "LEN") == 0) rb_parse_double(rb, value, &c->len);
    else if (strcmp(name, "HOTCUE") == 0) rb_parse_int(rb, value, &c->hotcue);
    else if (strcmp(name, "NAME") == 0) {
        if (!rb_sbuf_set(&rb->scratch, value)) rb_oom(rb);
        else c->name = rb->scratch.p;
    }
}

static int cue_begin(rb_parser *rb, int depth)
{
    tk_state *ts = st_of(rb);
    cue_attrs c = { .hotcue = -1 };
    rb_each_attr(rb, &c, on_cue_attr);
    if (rb->failed) return -1;
    if (!c.has_type || !c.has_start || c.start < -1e7 || c.start > 1e10) {
        rb->stats.warnings++;   /* a cue without a type or a usable START */
        return 0;
    }
    double start = c.start / 1000.0;   /* milliseconds in NML */
    if (c.type == 4) {
        cs_rb_tempo *tp = rb_tempo_add(rb);
        if (!tp) return -1;
        tp->inizio = start;
        tp->battito = 1;
        strcpy(tp->metro, "4/4");
        ts->grid_row = (long)rb->t.n_tempos - 1;
        ts->cue_depth = depth;
        return 0;
    }
    if (c.type < 0 || c.type > 5) {
        rb->stats.warnings++;
        return 0;
    }
    cs_rb_mark *m = rb_mark_add(rb);
    if (!m) return -1;
    m->type = c.type == 5 ? 4 : c.type;
    m->start = start;
    if (c.type == 5 && c.len > 0) m->end = start + c.len / 1000.0;
    m->num = c.hotcue >= 0 && c.hotcue < 100 ? c.hotcue : -1;
    if (c.name && strcmp(c.name, "n.n.") != 0) {   /* Traktor's "no name" */
        sbuf *b = rb_mark_name(rb, (size_t)(m - rb->t.marks));
        if (!(m->name = rb_sbuf_set(b, c.name))) return rb_oom(rb);
    }
    return 0;
}

static void on_grid_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    tk_state *ts = st_of(rb);
    double bpm = 0;
    if (strcmp(name, "BPM") == 0 && rb_parse_double(rb, value, &bpm) && bpm > 0 && bpm < 1000)
        rb->t.tempos[ts->grid_row].bpm = bpm;
}

static void entry_begin(rb_parser *rb)
{
    tk_state *ts = st_of(rb);
    rb_track_reset(rb);
    ts->has_location = false;
    sbuf *parts[] = { &ts->vol, &ts->dir, &ts->file };
    for (size_t i = 0; i < 3; i++)
        if (parts[i]->p) parts[i]->p[0] = '\0';
    ts->tempo_bpm = 0;
    ts->musical_key = -1;
    ts->grid_row = -1;
    rb_each_attr(rb, NULL, on_entry_attr);
    rb->in_track = true;
}

static int cmp_tempo(const void *a, const void *b)
{
    double x = ((const cs_rb_tempo *)a)->inizio, y = ((const cs_rb_tempo *)b)->inizio;
    return (x > y) - (x < y);
}

static int entry_end(rb_parser *rb)
{
    tk_state *ts = st_of(rb);
    cs_rb_track *t = &rb->t;
    if (rb->failed) return -1;
    t->path_only = true;
    if (ts->has_location) {
        const char *v = ts->vol.p ? ts->vol.p : "", *d = ts->dir.p ? ts->dir.p : "",
                   *f = ts->file.p ? ts->file.p : "";
        size_t n = strlen(v) + strlen(d) + strlen(f) + 1;
        sbuf *b = &rb->str[S_LOCATION];
        char *loc = rb_grow(b->p, &b->cap, n, 1);
        if (!loc) return rb_oom(rb);
        b->p = loc;
        snprintf(loc, n, "%s%s%s", v, d, f);
        t->location = loc;
        if (!set_str(rb, S_TRACK_ID, &t->track_id, loc)) return -1;
        char *p = cs_traktor_path(v, d, f);
        if (!p && errno == ENOMEM) return rb_oom(rb);
        if (!p) {
            cs_log_warn("%s: ENTRY \"%s\": LOCATION \"%s\" climbs out with '..' or has no "
                        "file name: no path", rb->name, t->name ? t->name : "", loc);
            rb->stats.warnings++;
        } else {
            bool ok = rb_sbuf_set(&ts->path, p) != NULL;
            free(p);
            if (!ok) return rb_oom(rb);
            t->path = ts->path.p;
        }
    }
    if (ts->tempo_bpm > 0 && ts->tempo_bpm < 1000) t->average_bpm = ts->tempo_bpm;
    else if (ts->tempo_bpm != 0) rb->stats.warnings++;
    if (ts->musical_key >= 0 && ts->musical_key <= 23) {
        const char *k = cs_key_name(cs_key_from_pitch(ts->musical_key % 12, ts->musical_key >= 12));
        if (!set_str(rb, S_TONALITY, &t->tonality, k)) return -1;
    } else if (ts->musical_key != -1) {
        rb->stats.warnings++;
    }
    /* Grid markers take the track's BPM unless their GRID says otherwise;
     * without any BPM there is no grid. */
    size_t kept = 0;
    for (size_t i = 0; i < t->n_tempos; i++) {
        if (t->tempos[i].bpm <= 0) t->tempos[i].bpm = t->average_bpm;
        if (t->tempos[i].bpm > 0) t->tempos[kept++] = t->tempos[i];
        else rb->stats.warnings++;
    }
    t->n_tempos = kept;
    if (t->n_tempos > 1) qsort(t->tempos, t->n_tempos, sizeof *t->tempos, cmp_tempo);
    return rb_track_end(rb);
}

/* ---- PLAYLISTS ---------------------------------------------------------------- */

typedef struct node_attrs { const char *type; bool named; } node_attrs;

static void on_node_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    node_attrs *na = obj;
    if (strcmp(name, "TYPE") == 0) {
        na->type = strcmp(value, "FOLDER") == 0 ? "FOLDER" : strcmp(value, "PLAYLIST") == 0
                 ? "PLAYLIST" : "OTHER";
    } else if (strcmp(name, "NAME") == 0) {
        if (!rb_sbuf_set(&rb->scratch, strcmp(value, "$ROOT") == 0 ? "ROOT" : value)) rb_oom(rb);
        else na->named = true;
    }
}

static int node_begin(rb_parser *rb, int depth, bool empty)
{
    node_attrs na = {0};
    rb_each_attr(rb, &na, on_node_attr);
    if (rb->failed) return -1;
    if (!na.type || strcmp(na.type, "OTHER") == 0) {
        rb->stats.warnings++;   /* SMARTLIST (a query) or unknown: nothing to store */
        return 0;
    }
    int type = strcmp(na.type, "FOLDER") == 0 ? 0 : 1;
    if (rb_node_push(rb, na.named ? rb->scratch.p : "", type, 0, depth) < 0) return -1;
    return empty ? rb_node_end(rb) : 0;
}

static void on_pk_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "KEY") == 0) *(const char **)obj = value;
}

static int primarykey(rb_parser *rb)
{
    rb_node *nd = rb->n_nodes ? &rb->nodes[rb->n_nodes - 1] : NULL;
    const char *key = NULL;
    rb_each_attr(rb, &key, on_pk_attr);
    if (rb->failed) return -1;
    if (!nd || nd->type != 1 || nd->delivered || !key || !*key) {
        rb->stats.warnings++;
        return 0;
    }
    /* (the attribute value is valid until the reader moves on) */
    return rb_key_add(rb, key);
}

/* ---- the walk ----------------------------------------------------------------- */

static int tk_begin(rb_parser *rb, const char *name, int depth, bool empty)
{
    tk_state *ts = st_of(rb);
    if (depth == 1) return rb_top_begin(rb, name, empty);   /* COLLECTION, PLAYLISTS */
    if (rb->section == SEC_COLLECTION) {
        if (depth == 2 && strcmp(name, "ENTRY") == 0) {
            entry_begin(rb);
            return empty ? (rb->in_track = false, entry_end(rb)) : (rb->failed ? -1 : 0);
        }
        if (!rb->in_track) return 0;
        if (depth == 3) {
            ts->grid_row = -1;
            if (strcmp(name, "LOCATION") == 0) rb_each_attr(rb, NULL, on_location_attr);
            else if (strcmp(name, "INFO") == 0) rb_each_attr(rb, NULL, on_info_attr);
            else if (strcmp(name, "ALBUM") == 0) rb_each_attr(rb, NULL, on_album_attr);
            else if (strcmp(name, "TEMPO") == 0) rb_each_attr(rb, NULL, on_tempo_attr);
            else if (strcmp(name, "MUSICAL_KEY") == 0) rb_each_attr(rb, NULL, on_key_attr);
            else if (strcmp(name, "CUE_V2") == 0) return cue_begin(rb, depth);
        } else if (depth == 4 && ts->grid_row >= 0 && strcmp(name, "GRID") == 0) {
            rb_each_attr(rb, NULL, on_grid_attr);
        }
        return rb->failed ? -1 : 0;
    }
    if (rb->section == SEC_PLAYLISTS) {
        if (strcmp(name, "NODE") == 0) return node_begin(rb, depth, empty);
        if (strcmp(name, "PRIMARYKEY") == 0) return primarykey(rb);
    }
    return 0;
}

static int tk_end(rb_parser *rb, const char *name, int depth)
{
    if (depth == 1) {
        if (rb->section == SEC_COLLECTION && rb->entries >= 0 && rb->entries != rb->collection_tracks)
            rb->stats.warnings++;
        rb->section = SEC_NONE;
    } else if (depth == 2 && rb->in_track && strcmp(name, "ENTRY") == 0) {
        rb->in_track = false;
        return entry_end(rb);
    } else if (depth == 3 && rb->in_track && strcmp(name, "CUE_V2") == 0) {
        st_of(rb)->grid_row = -1;
    } else if (rb->section == SEC_PLAYLISTS && strcmp(name, "NODE") == 0 && rb->n_nodes &&
               rb->nodes[rb->n_nodes - 1].depth == depth) {
        return rb_node_end(rb);
    }
    return 0;
}

static const rb_format traktor_format = { "NML", "Traktor NML", tk_begin, tk_end, rb_send_info,
                                          "ENTRIES", "Traktor", "Native Instruments" };

static void state_free(tk_state *ts)
{
    free(ts->vol.p);
    free(ts->dir.p);
    free(ts->file.p);
    free(ts->path.p);
}

int cs_traktor_parse_file(const char *path, const cs_rb_handler *h, cs_rb_stats *stats,
                          cs_err *err)
{
    tk_state ts = { .musical_key = -1, .grid_row = -1 };
    int rc = rb_parse_file_as(&traktor_format, &ts, path, h, stats, err);
    state_free(&ts);
    return rc;
}

int cs_traktor_parse_memory(const char *buf, size_t len, const char *name,
                            const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err)
{
    tk_state ts = { .musical_key = -1, .grid_row = -1 };
    int rc = rb_parse_memory_as(&traktor_format, &ts, buf, len, name, h, stats, err);
    state_free(&ts);
    return rc;
}

/* ---- the default collection ------------------------------------------------------ */

char *cs_traktor_default_nml(const char *home, int *n_found, cs_err *err)
{
    if (n_found) *n_found = 0;
    if (!home || !*home) {
        cs_err_setc(err, CS_ERR_NOT_FOUND, "no Traktor collection given and HOME is not set");
        return NULL;
    }
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/Documents/Native Instruments", home) >= (int)sizeof dir) {
        cs_err_setc(err, CS_ERR_RANGE, "%s: path too long", home);
        return NULL;
    }
    DIR *d = opendir(dir);
    char best[PATH_MAX] = "";
    struct timespec best_t = {0};
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, "Traktor", 7) != 0) continue;
        char p[PATH_MAX];
        struct stat sb;
        if (snprintf(p, sizeof p, "%s/%s/collection.nml", dir, e->d_name) >= (int)sizeof p ||
            stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        n++;
        if (!best[0] || sb.st_mtim.tv_sec > best_t.tv_sec ||
            (sb.st_mtim.tv_sec == best_t.tv_sec && sb.st_mtim.tv_nsec > best_t.tv_nsec)) {
            memcpy(best, p, sizeof best);
            best_t = sb.st_mtim;
        }
    }
    if (d) closedir(d);
    if (n_found) *n_found = n;
    if (!n) {
        cs_err_setc(err, CS_ERR_NOT_FOUND, "no Traktor collection: no %s/Traktor*/collection.nml (give its path)", dir);
        return NULL;
    }
    char *out = strdup(best);
    if (!out) cs_err_nomem(err);
    return out;
}
