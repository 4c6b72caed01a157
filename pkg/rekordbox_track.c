/* The COLLECTION side of the Rekordbox reader (see rekordbox.c): a TRACK's
 * attributes into the reused cs_rb_track, its TEMPO and POSITION_MARK
 * children, and the on_track callback when it closes. */
#include "pkg/rekordbox_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_STR, K_DBL, K_LONG };
typedef struct track_attr {
    const char *name;
    enum kind kind;
    size_t off;         /* of the field in cs_rb_track */
    int slot;           /* string buffer for K_STR */
} track_attr;

#define STR(n, f, s) { n, K_STR, offsetof(cs_rb_track, f), s }
#define DBL(n, f) { n, K_DBL, offsetof(cs_rb_track, f), -1 }
#define LNG(n, f) { n, K_LONG, offsetof(cs_rb_track, f), -1 }
/* Sorted by name (strcmp) for bsearch. */
static const track_attr track_attrs[] = {
    STR("Album", album, S_ALBUM),          STR("Artist", artist, S_ARTIST),
    DBL("AverageBpm", average_bpm),        LNG("BitRate", bit_rate),
    STR("Colour", colour, S_COLOUR),       STR("Comments", comments, S_COMMENTS),
    STR("Composer", composer, S_COMPOSER), STR("DateAdded", date_added, S_DATE_ADDED),
    LNG("DiscNumber", disc_number),        STR("Genre", genre, S_GENRE),
    STR("Grouping", grouping, S_GROUPING), STR("Kind", kind, S_KIND),
    STR("Label", label, S_LABEL),          STR("Location", location, S_LOCATION),
    STR("Mix", mix, S_MIX),                STR("Name", name, S_NAME),
    LNG("PlayCount", play_count),          LNG("Rating", rating),
    STR("Remixer", remixer, S_REMIXER),    LNG("SampleRate", sample_rate),
    LNG("Size", size),                     STR("Tonality", tonality, S_TONALITY),
    DBL("TotalTime", total_time),          STR("TrackID", track_id, S_TRACK_ID),
    LNG("TrackNumber", track_number),      LNG("Year", year),
};
#undef STR
#undef DBL
#undef LNG

static int track_attr_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const track_attr *)elem)->name);
}

static void on_track_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    cs_rb_track *t = obj;
    const track_attr *a = bsearch(name, track_attrs, sizeof track_attrs / sizeof track_attrs[0],
                                  sizeof track_attrs[0], track_attr_cmp);
    if (!a) return;   /* DateModified, LastPlayed...: not needed */
    char *field = (char *)t + a->off;
    switch (a->kind) {
    case K_STR: {
        char *s = rb_sbuf_set(&rb->str[a->slot], value);
        if (!s) { rb_oom(rb); return; }
        memcpy(field, &s, sizeof s);
        break;
    }
    case K_DBL: {
        double x = 0;
        rb_parse_double(rb, value, &x);
        if (x < 0) { x = 0; rb->stats.warnings++; }
        memcpy(field, &x, sizeof x);
        break;
    }
    case K_LONG: {
        long x = 0;
        rb_parse_long(rb, value, &x);
        memcpy(field, &x, sizeof x);
        break;
    }
    }
}

static void on_tempo_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    cs_rb_tempo *tp = obj;
    if (strcmp(name, "Inizio") == 0) rb_parse_double(rb, value, &tp->inizio);
    else if (strcmp(name, "Bpm") == 0) rb_parse_double(rb, value, &tp->bpm);
    else if (strcmp(name, "Battito") == 0) rb_parse_int(rb, value, &tp->battito);
    else if (strcmp(name, "Metro") == 0) {
        size_t n = strlen(value);
        if (n >= sizeof tp->metro) { n = sizeof tp->metro - 1; rb->stats.warnings++; }
        memcpy(tp->metro, value, n);
        tp->metro[n] = '\0';
    }
}

static void on_mark_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    cs_rb_mark *m = obj;
    if (strcmp(name, "Start") == 0) rb_parse_double(rb, value, &m->start);
    else if (strcmp(name, "End") == 0) rb_parse_double(rb, value, &m->end);
    else if (strcmp(name, "Type") == 0) rb_parse_int(rb, value, &m->type);
    else if (strcmp(name, "Num") == 0) rb_parse_int(rb, value, &m->num);
    else if (strcmp(name, "Red") == 0) rb_parse_int(rb, value, &m->red);
    else if (strcmp(name, "Green") == 0) rb_parse_int(rb, value, &m->green);
    else if (strcmp(name, "Blue") == 0) rb_parse_int(rb, value, &m->blue);
    else if (strcmp(name, "Name") == 0) {
        sbuf *b = &rb->mark_names[m - rb->t.marks];
        if (!(m->name = rb_sbuf_set(b, value))) rb_oom(rb);
    }
}

void rb_track_reset(rb_parser *rb)
{
    cs_rb_tempo *tempos = rb->t.tempos;
    cs_rb_mark *marks = rb->t.marks;
    memset(&rb->t, 0, sizeof rb->t);
    rb->t.tempos = tempos;
    rb->t.marks = marks;
}

void rb_track_begin(rb_parser *rb)
{
    rb_track_reset(rb);
    rb_each_attr(rb, &rb->t, on_track_attr);
    rb->in_track = true;
}

cs_rb_tempo *rb_tempo_add(rb_parser *rb)
{
    cs_rb_track *t = &rb->t;
    cs_rb_tempo *tempos = rb_grow(t->tempos, &rb->cap_tempos, t->n_tempos + 1, sizeof *tempos);
    if (!tempos) {
        rb_oom(rb);
        return NULL;
    }
    t->tempos = tempos;
    cs_rb_tempo *tp = &t->tempos[t->n_tempos++];
    memset(tp, 0, sizeof *tp);
    return tp;
}

cs_rb_mark *rb_mark_add(rb_parser *rb)
{
    cs_rb_track *t = &rb->t;
    cs_rb_mark *marks = rb_grow(t->marks, &rb->cap_marks, t->n_marks + 1, sizeof *marks);
    if (!marks) {
        rb_oom(rb);
        return NULL;
    }
    t->marks = marks;
    /* One reusable name buffer per mark slot, zeroed when new. */
    size_t old_cap = rb->cap_names;
    sbuf *names = rb_grow(rb->mark_names, &rb->cap_names, t->n_marks + 1, sizeof *names);
    if (!names) {
        rb_oom(rb);
        return NULL;
    }
    memset(names + old_cap, 0, (rb->cap_names - old_cap) * sizeof *names);
    rb->mark_names = names;
    cs_rb_mark *m = &t->marks[t->n_marks++];
    *m = (cs_rb_mark){ .end = -1, .num = -1, .red = -1, .green = -1, .blue = -1 };
    return m;
}

sbuf *rb_mark_name(rb_parser *rb, size_t i) { return &rb->mark_names[i]; }

int rb_track_end(rb_parser *rb)
{
    rb->in_track = false;
    if (rb->failed) return -1;
    rb->stats.tracks++;
    rb->collection_tracks++;
    if (rb->h && rb->h->on_track && rb->h->on_track(rb->h->ud, &rb->t) != 0)
        return rb_fail(rb, "stopped", NULL);
    return 0;
}

/* TEMPO and POSITION_MARK; without attributes (a-rich writes <TEMPO/>) they
 * carry nothing, so they are skipped with a warning. */
int rb_track_child(rb_parser *rb, const char *name)
{
    if (!xmlTextReaderHasAttributes(rb->r)) {
        if (strcmp(name, "TEMPO") == 0 || strcmp(name, "POSITION_MARK") == 0)
            rb->stats.warnings++;
        return 0;
    }
    if (strcmp(name, "TEMPO") == 0) {
        cs_rb_tempo *tp = rb_tempo_add(rb);
        if (!tp) return -1;
        rb_each_attr(rb, tp, on_tempo_attr);
    } else if (strcmp(name, "POSITION_MARK") == 0) {
        cs_rb_mark *m = rb_mark_add(rb);
        if (!m) return -1;
        rb_each_attr(rb, m, on_mark_attr);
    }
    return rb->failed ? -1 : 0;
}
