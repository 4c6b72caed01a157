/* Rekordbox reader internals shared by rekordbox.c (helpers, attributes, the
 * walk, entry points), rekordbox_track.c (COLLECTION TRACKs) and
 * rekordbox_playlists.c (PLAYLISTS NODEs): the parser's state and the helpers
 * both sides use.  Nothing here is for callers outside the reader. */
#ifndef CS_PKG_REKORDBOX_INT_H
#define CS_PKG_REKORDBOX_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/xmlreader.h>

#include "pkg/rekordbox.h"

/* Growable string storage, reused between tracks. */
typedef struct sbuf {
    char *p;
    size_t cap;
} sbuf;

/* The string attributes of TRACK, one reusable buffer each. */
enum { S_TRACK_ID, S_NAME, S_ARTIST, S_ALBUM, S_GENRE, S_KIND, S_LOCATION, S_TONALITY,
       S_COMPOSER, S_GROUPING, S_REMIXER, S_LABEL, S_MIX, S_COMMENTS, S_DATE_ADDED,
       S_COLOUR, N_STR };

typedef struct rb_node {
    size_t path_len;    /* length of rb->path before this node was appended */
    size_t name_off;    /* where this node's name starts in rb->path */
    int type, key_type;
    int depth;
    bool delivered;
} rb_node;

typedef struct rb_parser rb_parser;

/* A collection format read by this parser core (Rekordbox XML, Traktor NML):
 * the root element's name, the format's name for messages, and its element
 * handlers (depth >= 1; the root is checked here); finish runs after the
 * last element (NULL: nothing to do). */
typedef struct rb_format {
    const char *root, *what;
    int (*begin)(rb_parser *rb, const char *name, int depth, bool empty);
    int (*end)(rb_parser *rb, const char *name, int depth);
    int (*finish)(rb_parser *rb);
    const char *entries_attr;       /* COLLECTION's entry count attribute */
    const char *product, *company;  /* the info's, when no PRODUCT element says (NULL: read PRODUCT) */
} rb_format;

struct rb_parser {
    xmlTextReaderPtr r;
    const rb_format *fmt;
    void *ext;                      /* the format's own state */
    const char *name;               /* for messages */
    const cs_rb_handler *h;
    cs_rb_stats stats;
    cs_err *err;
    bool failed;                    /* err is set */
    bool saw_root;

    enum { SEC_NONE, SEC_COLLECTION, SEC_PLAYLISTS } section;
    char *product, *version, *company;
    long entries;
    bool info_sent;
    long collection_tracks;

    cs_rb_track t;                  /* the TRACK being read */
    bool in_track;
    sbuf str[N_STR];
    size_t cap_tempos, cap_marks, cap_names;
    sbuf *mark_names;               /* cap_names of them */

    rb_node *nodes;                 /* open playlist NODEs */
    size_t n_nodes, cap_nodes;
    sbuf path;                      /* of the innermost open NODE */
    size_t path_n;
    sbuf scratch;                   /* a NODE's Name while its attributes are read */
    char **keys;                    /* TRACK keys of the innermost open NODE */
    size_t n_keys, cap_keys;
};

typedef void (*attr_fn)(rb_parser *rb, void *obj, const char *name, const char *value);

/* rekordbox.c: small helpers and attributes. */
int rb_fail(rb_parser *rb, const char *reason, const char *detail);
int rb_oom(rb_parser *rb);
void *rb_grow(void *p, size_t *cap, size_t need, size_t sz);
char *rb_sbuf_set(sbuf *b, const char *v);
bool rb_parse_double(rb_parser *rb, const char *v, double *out);
void rb_parse_long(rb_parser *rb, const char *v, long *out);
void rb_parse_int(rb_parser *rb, const char *v, int *out);
void rb_each_attr(rb_parser *rb, void *obj, attr_fn fn);
/* A depth-1 element, alike in Rekordbox XML and Traktor NML: PRODUCT (its
 * name, version, company; formats without fixed ones), COLLECTION (its entry
 * count, fmt->entries_attr) and PLAYLISTS open their sections (rb->section);
 * the collection info goes to on_info once, before the first track or
 * playlist.  0, or -1 when failed or stopped. */
int rb_top_begin(rb_parser *rb, const char *name, bool empty);
/* Sends the collection info to on_info unless sent; a format's finish. */
int rb_send_info(rb_parser *rb);

/* Parses a document of another format with this core (see rb_format). */
int rb_parse_file_as(const rb_format *fmt, void *ext, const char *path, const cs_rb_handler *h,
                     cs_rb_stats *stats, cs_err *err);
int rb_parse_memory_as(const rb_format *fmt, void *ext, const char *buf, size_t len,
                       const char *name, const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err);

/* rekordbox_track.c: a TRACK of the COLLECTION and its children. */
void rb_track_reset(rb_parser *rb);      /* an empty rb->t, storage kept */
cs_rb_tempo *rb_tempo_add(rb_parser *rb); /* a zeroed row; NULL: out of memory (failed) */
cs_rb_mark *rb_mark_add(rb_parser *rb);  /* a blank mark (end, num, colours -1) */
sbuf *rb_mark_name(rb_parser *rb, size_t i);   /* mark i's name buffer */
void rb_track_begin(rb_parser *rb);
int rb_track_end(rb_parser *rb);
int rb_track_child(rb_parser *rb, const char *name);

/* rekordbox_playlists.c: NODEs of PLAYLISTS and their TRACK keys. */
int rb_node_begin(rb_parser *rb, int depth, bool empty);
/* Opens a NODE named name (type 0 folder, delivered now; 1 playlist,
 * delivered by rb_node_end with the keys added meanwhile). */
int rb_node_push(rb_parser *rb, const char *name, int type, int key_type, int depth);
int rb_key_add(rb_parser *rb, const char *key);   /* to the innermost NODE */
int rb_node_end(rb_parser *rb);
int rb_node_track(rb_parser *rb, int depth);
void rb_free_keys(rb_parser *rb);

#endif
