/* The Rekordbox tests' collector (see rb_collect.h). */
#include "tests/unit/rb_collect.h"
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/location.h"
#include "pkg/rekordbox_test.h"

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void scan(coll *c, const char *s)
{
    if (s && (strstr(s, "root:") || strstr(s, "aaaaaaaaaaaaaaaaaaaa"))) c->saw_forbidden = 1;
}

static int on_info(void *ud, const cs_rb_info *i)
{
    coll *c = ud;
    c->n_info++;
    snprintf(c->product, sizeof c->product, "%s", i->product ? i->product : "(null)");
    snprintf(c->version, sizeof c->version, "%s", i->version ? i->version : "(null)");
    snprintf(c->company, sizeof c->company, "%s", i->company ? i->company : "(null)");
    c->entries = i->entries;
    return 0;
}

static int on_track(void *ud, const cs_rb_track *t)
{
    coll *c = ud;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        if (!c->v) abort();
    }
    rec *r = &c->v[c->n++];
    memset(r, 0, sizeof *r);
    const char *strs[] = { t->track_id, t->name, t->artist, t->album, t->genre, t->kind,
                           t->location, t->tonality, t->composer, t->grouping, t->remixer,
                           t->label, t->mix, t->comments, t->date_added, t->colour };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) scan(c, strs[i]);
    r->id = dup_or_null(t->track_id);
    r->name = dup_or_null(t->name);
    r->artist = dup_or_null(t->artist);
    r->genre = dup_or_null(t->genre);
    r->kind = dup_or_null(t->kind);
    r->location = dup_or_null(t->location);
    r->tonality = dup_or_null(t->tonality);
    r->colour = dup_or_null(t->colour);
    r->comments = dup_or_null(t->comments);
    r->path = dup_or_null(t->path);
    r->path_only = t->path_only;
    r->album = dup_or_null(t->album);
    scan(c, t->path);
    r->bpm = t->average_bpm;
    r->total_time = t->total_time;
    r->year = t->year;
    r->rating = t->rating;
    r->size = t->size;
    r->n_tempos = t->n_tempos;
    r->n_marks = t->n_marks;
    for (size_t i = 0; i < t->n_tempos && i < 4; i++) r->tempos[i] = t->tempos[i];
    if (t->n_tempos) r->last_tempo = t->tempos[t->n_tempos - 1];
    for (size_t i = 0; i < t->n_marks && i < 16; i++) {
        r->marks[i] = t->marks[i];
        r->marks[i].name = dup_or_null(t->marks[i].name);
    }
    return c->stop_after && (long)c->n >= c->stop_after;
}

static int on_playlist(void *ud, const cs_rb_playlist *p)
{
    coll *c = ud;
    size_t len = strlen(p->path) + strlen(p->name) + 32;
    for (size_t i = 0; i < p->n_keys; i++) len += strlen(p->keys[i]) + 1;
    char *s = malloc(len);
    if (!s) abort();
    int n = snprintf(s, len, "%d %d %s|%s:", p->type, p->key_type, p->path, p->name);
    for (size_t i = 0; i < p->n_keys; i++)
        n += snprintf(s + n, len - (size_t)n, "%s%s", i ? "," : " ", p->keys[i]);
    c->pl = realloc(c->pl, (c->n_pl + 1) * sizeof *c->pl);
    if (!c->pl) abort();
    c->pl[c->n_pl++] = s;
    return 0;
}

void rb_coll_free(coll *c)
{
    for (size_t i = 0; i < c->n; i++) {
        rec *r = &c->v[i];
        free(r->id); free(r->name); free(r->artist); free(r->genre); free(r->kind);
        free(r->location); free(r->tonality); free(r->colour); free(r->comments);
        free(r->path); free(r->album);
        for (size_t j = 0; j < r->n_marks && j < 16; j++) free(r->marks[j].name);
    }
    free(c->v);
    for (size_t i = 0; i < c->n_pl; i++) free(c->pl[i]);
    free(c->pl);
    memset(c, 0, sizeof *c);
}

const rec *rb_find(const coll *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id && strcmp(c->v[i].id, id) == 0) return &c->v[i];
    return NULL;
}

/* Index of the playlist line starting with prefix, or -1. */
long rb_find_pl(const coll *c, const char *prefix)
{
    for (size_t i = 0; i < c->n_pl; i++)
        if (strncmp(c->pl[i], prefix, strlen(prefix)) == 0) return (long)i;
    return -1;
}

cs_rb_handler rb_handler_for(coll *c)
{
    return (cs_rb_handler){ .ud = c, .on_info = on_info, .on_track = on_track,
                            .on_playlist = on_playlist };
}

/* Parses realdata/rekordbox/<file>; 0 on success, -1 skipped (no realdata). */
int rb_parse_real(const char *file, coll *c, cs_rb_stats *st, cs_err *err, int *rc)
{
    const char *dir = unit_realdata();
    if (!dir) { unit_skip("no realdata"); return -1; }
    char path[1024];
    snprintf(path, sizeof path, "%s/rekordbox/%s", dir, file);
    cs_rb_handler h = rb_handler_for(c);
    *rc = cs_rekordbox_parse_file(path, &h, st, err);
    return 0;
}

int rb_parse_mem(const char *xml, coll *c, cs_rb_stats *st, cs_err *err)
{
    cs_rb_handler h = rb_handler_for(c);
    return cs_rekordbox_parse_memory(xml, strlen(xml), "mem.xml", &h, st, err);
}

int rb_decoded_equals(const char *location, const char *want)
{
    char *d = cs_location_decode(location);
    int eq = d && strcmp(d, want) == 0;
    free(d);
    return eq;
}
