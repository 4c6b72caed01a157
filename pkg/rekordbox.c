/* Rekordbox XML reader on libxml2's streaming xmlTextReader.
 *
 * The reader walks the document once and keeps only the current TRACK (or
 * playlist NODE) in memory; its strings live in buffers reused from track to
 * track, so a 50,000-track collection costs what one track costs (about
 * 0.25 s and 5 MB peak RSS for 37 MB here).  Attribute values are read in
 * place (xmlTextReaderCurrentNode / ConstValue) by walking the attributes
 * once, instead of xmlTextReaderGetAttribute, which searches and allocates
 * per attribute.
 *
 * Safety: options are XML_PARSE_NONET plus nothing that loads or substitutes
 * (no NOENT, DTDLOAD or HUGE), so external entities and DTDs are never
 * fetched and libxml2's entity amplification limits stay on (a billion-laughs
 * document fails fast with "entity reference loop").  On top of that an
 * attribute whose value contains an entity reference is dropped before its
 * value is read, so no entity content can reach a caller.  libxml2 itself
 * prints nothing: its errors come to on_xml_error() and end up in cs_err.
 */
#include "pkg/rekordbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#if LIBXML_VERSION >= 21200
typedef const xmlError xml_error_t;
#else
typedef xmlError xml_error_t;
#endif

enum { READER_OPTIONS = XML_PARSE_NONET | XML_PARSE_COMPACT };

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

typedef struct rb_parser {
    xmlTextReaderPtr r;
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
} rb_parser;

/* ---- small helpers -------------------------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void init_globals(void)
{
    xmlInitParser();
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Records the first failure as "<file>:<line>: <reason><detail>". */
static int fail(rb_parser *rb, const char *reason, const char *detail)
{
    if (!rb->failed) {
        int line = rb->r ? xmlTextReaderGetParserLineNumber(rb->r) : 0;
        if (!detail) detail = "";
        if (line > 0) cs_err_set(rb->err, "%s:%d: %s%s", rb->name, line, reason, detail);
        else cs_err_set(rb->err, "%s: %s%s", rb->name, reason, detail);
        rb->failed = true;
    }
    return -1;
}

static int oom(rb_parser *rb) { return fail(rb, "out of memory", NULL); }

/* p (cap elements of sz bytes) grown to hold need; cap updated.  NULL when
 * out of memory, leaving p and cap as they were. */
static void *grow(void *p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 8;
    while (n < need) n *= 2;
    if (n > SIZE_MAX / sz) return NULL;
    void *q = realloc(p, n * sz);
    if (q) *cap = n;
    return q;
}

static char *sbuf_set(sbuf *b, const char *v)
{
    size_t n = strlen(v) + 1;
    char *q = grow(b->p, &b->cap, n, 1);
    if (!q) return NULL;
    b->p = q;
    memcpy(b->p, v, n);
    return b->p;
}

static bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* A number in the C locale ('.' decimal point; a lone ',' is accepted as one
 * too).  Blank text is "absent" (0, true); junk is a warning (false). */
static bool parse_double(rb_parser *rb, const char *v, double *out)
{
    const char *s = v;
    while (is_blank((unsigned char)*s)) s++;
    if (!*s) return true;
    char *end;
    double x = strtod_l(s, &end, c_locale);
    if (*end == ',' && end > s) {
        char tmp[64];
        size_t n = strlen(s);
        if (n < sizeof tmp) {
            memcpy(tmp, s, n + 1);
            tmp[end - s] = '.';
            x = strtod_l(tmp, &end, c_locale);
            end = (char *)s + (end - tmp);
        }
    }
    while (is_blank((unsigned char)*end)) end++;
    if (end == s || *end || !isfinite(x)) {
        rb->stats.warnings++;
        return false;
    }
    *out = x;
    return true;
}

static void parse_long(rb_parser *rb, const char *v, long *out)
{
    double x = 0;
    if (!parse_double(rb, v, &x)) return;
    if (x > (double)LONG_MIN && x < (double)LONG_MAX) *out = (long)x;
    else rb->stats.warnings++;
}

static void parse_int(rb_parser *rb, const char *v, int *out)
{
    long x = *out;
    parse_long(rb, v, &x);
    if (x >= INT_MIN && x <= INT_MAX) *out = (int)x;
    else rb->stats.warnings++;
}

/* ---- attributes ------------------------------------------------------------ */

/* The current attribute's value, or NULL when it contains an entity
 * reference (dropped: we never want entity content in our data). */
static const char *attr_value(rb_parser *rb)
{
    xmlNodePtr a = xmlTextReaderCurrentNode(rb->r);
    if (a && a->type == XML_ATTRIBUTE_NODE) {
        xmlNodePtr c = a->children;
        if (!c) return "";
        if (c->type == XML_TEXT_NODE && !c->next) return (const char *)c->content;
        for (; c; c = c->next)
            if (c->type != XML_TEXT_NODE) {
                rb->stats.warnings++;
                return NULL;
            }
    }
    return (const char *)xmlTextReaderConstValue(rb->r);
}

typedef void (*attr_fn)(rb_parser *rb, void *obj, const char *name, const char *value);

/* Calls fn for every attribute of the current element. */
static void each_attr(rb_parser *rb, void *obj, attr_fn fn)
{
    if (xmlTextReaderMoveToFirstAttribute(rb->r) != 1) return;
    do {
        const char *name = (const char *)xmlTextReaderConstName(rb->r);
        const char *value = attr_value(rb);
        if (name && value) fn(rb, obj, name, value);
    } while (!rb->failed && xmlTextReaderMoveToNextAttribute(rb->r) == 1);
    xmlTextReaderMoveToElement(rb->r);
}

/* ---- COLLECTION TRACK ------------------------------------------------------ */

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
        char *s = sbuf_set(&rb->str[a->slot], value);
        if (!s) { oom(rb); return; }
        memcpy(field, &s, sizeof s);
        break;
    }
    case K_DBL: {
        double x = 0;
        parse_double(rb, value, &x);
        if (x < 0) { x = 0; rb->stats.warnings++; }
        memcpy(field, &x, sizeof x);
        break;
    }
    case K_LONG: {
        long x = 0;
        parse_long(rb, value, &x);
        memcpy(field, &x, sizeof x);
        break;
    }
    }
}

static void on_tempo_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    cs_rb_tempo *tp = obj;
    if (strcmp(name, "Inizio") == 0) parse_double(rb, value, &tp->inizio);
    else if (strcmp(name, "Bpm") == 0) parse_double(rb, value, &tp->bpm);
    else if (strcmp(name, "Battito") == 0) parse_int(rb, value, &tp->battito);
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
    if (strcmp(name, "Start") == 0) parse_double(rb, value, &m->start);
    else if (strcmp(name, "End") == 0) parse_double(rb, value, &m->end);
    else if (strcmp(name, "Type") == 0) parse_int(rb, value, &m->type);
    else if (strcmp(name, "Num") == 0) parse_int(rb, value, &m->num);
    else if (strcmp(name, "Red") == 0) parse_int(rb, value, &m->red);
    else if (strcmp(name, "Green") == 0) parse_int(rb, value, &m->green);
    else if (strcmp(name, "Blue") == 0) parse_int(rb, value, &m->blue);
    else if (strcmp(name, "Name") == 0) {
        sbuf *b = &rb->mark_names[rb->t.n_marks];
        if (!(m->name = sbuf_set(b, value))) oom(rb);
    }
}

static void track_begin(rb_parser *rb)
{
    cs_rb_tempo *tempos = rb->t.tempos;
    cs_rb_mark *marks = rb->t.marks;
    memset(&rb->t, 0, sizeof rb->t);
    rb->t.tempos = tempos;
    rb->t.marks = marks;
    each_attr(rb, &rb->t, on_track_attr);
    rb->in_track = true;
}

static int track_end(rb_parser *rb)
{
    rb->in_track = false;
    if (rb->failed) return -1;
    rb->stats.tracks++;
    rb->collection_tracks++;
    if (rb->h && rb->h->on_track && rb->h->on_track(rb->h->ud, &rb->t) != 0)
        return fail(rb, "stopped", NULL);
    return 0;
}

/* TEMPO and POSITION_MARK; without attributes (a-rich writes <TEMPO/>) they
 * carry nothing, so they are skipped with a warning. */
static int track_child(rb_parser *rb, const char *name)
{
    cs_rb_track *t = &rb->t;
    if (!xmlTextReaderHasAttributes(rb->r)) {
        if (strcmp(name, "TEMPO") == 0 || strcmp(name, "POSITION_MARK") == 0)
            rb->stats.warnings++;
        return 0;
    }
    if (strcmp(name, "TEMPO") == 0) {
        cs_rb_tempo *tempos = grow(t->tempos, &rb->cap_tempos, t->n_tempos + 1, sizeof *tempos);
        if (!tempos) return oom(rb);
        t->tempos = tempos;
        cs_rb_tempo *tp = &t->tempos[t->n_tempos];
        memset(tp, 0, sizeof *tp);
        each_attr(rb, tp, on_tempo_attr);
        t->n_tempos++;
    } else if (strcmp(name, "POSITION_MARK") == 0) {
        cs_rb_mark *marks = grow(t->marks, &rb->cap_marks, t->n_marks + 1, sizeof *marks);
        if (!marks) return oom(rb);
        t->marks = marks;
        /* One reusable name buffer per mark slot, zeroed when new. */
        size_t old_cap = rb->cap_names;
        sbuf *names = grow(rb->mark_names, &rb->cap_names, t->n_marks + 1, sizeof *names);
        if (!names) return oom(rb);
        memset(names + old_cap, 0, (rb->cap_names - old_cap) * sizeof *names);
        rb->mark_names = names;
        cs_rb_mark *m = &t->marks[t->n_marks];
        *m = (cs_rb_mark){ .end = -1, .num = -1, .red = -1, .green = -1, .blue = -1 };
        each_attr(rb, m, on_mark_attr);
        t->n_marks++;
    }
    return rb->failed ? -1 : 0;
}

/* ---- PRODUCT and COLLECTION ------------------------------------------------ */

static void on_product_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    char **slot = strcmp(name, "Name") == 0 ? &rb->product
                : strcmp(name, "Version") == 0 ? &rb->version
                : strcmp(name, "Company") == 0 ? &rb->company : NULL;
    if (!slot) return;
    free(*slot);
    if (!(*slot = strdup(value))) oom(rb);
}

static void on_collection_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "Entries") == 0) {
        long n = -1;
        parse_long(rb, value, &n);
        rb->entries = n;
    }
}

static int send_info(rb_parser *rb)
{
    if (rb->info_sent) return 0;
    rb->info_sent = true;
    cs_rb_info info = { rb->product, rb->version, rb->company, rb->entries };
    if (rb->h && rb->h->on_info && rb->h->on_info(rb->h->ud, &info) != 0)
        return fail(rb, "stopped", NULL);
    return 0;
}

/* ---- PLAYLISTS --------------------------------------------------------------- */

static void free_keys(rb_parser *rb)
{
    for (size_t i = 0; i < rb->n_keys; i++) free(rb->keys[i]);
    rb->n_keys = 0;
}

/* A node is only delivered while it is the innermost open one, so rb->path
 * is exactly its path then. */
static int node_deliver(rb_parser *rb, rb_node *nd)
{
    nd->delivered = true;
    cs_rb_playlist p = {
        .path = rb->path.p, .name = rb->path.p + nd->name_off, .type = nd->type,
        .key_type = nd->key_type, .keys = rb->n_keys ? rb->keys : NULL, .n_keys = rb->n_keys,
    };
    if (nd->type == 1) rb->stats.playlists++;
    int stop = rb->h && rb->h->on_playlist && rb->h->on_playlist(rb->h->ud, &p) != 0;
    free_keys(rb);
    return stop ? fail(rb, "stopped", NULL) : 0;
}

typedef struct node_attrs {
    bool has_name, has_type, has_count;
    int type, key_type;
} node_attrs;

static void on_node_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    node_attrs *na = obj;
    if (strcmp(name, "Name") == 0) {
        if (!sbuf_set(&rb->scratch, value)) oom(rb);
        na->has_name = true;
    } else if (strcmp(name, "Type") == 0) {
        na->has_type = true;
        parse_int(rb, value, &na->type);
    } else if (strcmp(name, "KeyType") == 0) {
        parse_int(rb, value, &na->key_type);
    } else if (strcmp(name, "Count") == 0) {
        na->has_count = true;
    }
}

static bool path_append(rb_parser *rb, const char *name, size_t *name_off)
{
    size_t len = strlen(name), sep = rb->n_nodes ? 1 : 0;
    char *p = grow(rb->path.p, &rb->path.cap, rb->path_n + sep + len + 1, 1);
    if (!p) return false;
    rb->path.p = p;
    if (sep) rb->path.p[rb->path_n++] = '/';
    *name_off = rb->path_n;
    memcpy(rb->path.p + rb->path_n, name, len + 1);
    rb->path_n += len;
    return true;
}

static int node_end(rb_parser *rb)
{
    rb_node *nd = &rb->nodes[rb->n_nodes - 1];
    int rc = nd->delivered ? 0 : node_deliver(rb, nd);
    rb->path_n = nd->path_len;
    rb->path.p[rb->path_n] = '\0';
    rb->n_nodes--;
    return rc;
}

static int node_begin(rb_parser *rb, int depth, bool empty)
{
    /* The parent's keys are complete once a child NODE opens. */
    if (rb->n_nodes && !rb->nodes[rb->n_nodes - 1].delivered &&
        node_deliver(rb, &rb->nodes[rb->n_nodes - 1]) < 0)
        return -1;
    node_attrs na = { .type = -1 };
    each_attr(rb, &na, on_node_attr);
    if (rb->failed) return -1;
    if (!na.has_type || (na.type != 0 && na.type != 1)) {
        /* Guess from the attribute only folders carry. */
        na.type = na.has_count ? 0 : 1;
        rb->stats.warnings++;
    }
    rb_node *nodes = grow(rb->nodes, &rb->cap_nodes, rb->n_nodes + 1, sizeof *nodes);
    if (!nodes) return oom(rb);
    rb->nodes = nodes;
    rb_node *nd = &rb->nodes[rb->n_nodes];
    *nd = (rb_node){ .path_len = rb->path_n, .type = na.type, .key_type = na.key_type,
                     .depth = depth };
    if (!path_append(rb, na.has_name ? rb->scratch.p : "", &nd->name_off))
        return oom(rb);
    rb->n_nodes++;
    if (na.type == 0 && node_deliver(rb, nd) < 0) return -1;
    return empty ? node_end(rb) : 0;
}

static void on_key_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "Key") != 0) return;
    char **keys = grow(rb->keys, &rb->cap_keys, rb->n_keys + 1, sizeof *keys);
    if (!keys) { oom(rb); return; }
    rb->keys = keys;
    if (!(keys[rb->n_keys] = strdup(value))) { oom(rb); return; }
    rb->n_keys++;
}

/* A TRACK directly inside a playlist NODE. */
static int node_track(rb_parser *rb, int depth)
{
    rb_node *nd = rb->n_nodes ? &rb->nodes[rb->n_nodes - 1] : NULL;
    if (!nd || depth != nd->depth + 1 || nd->delivered) {
        rb->stats.warnings++;   /* a key outside any playlist: nowhere to put it */
        return 0;
    }
    size_t before = rb->n_keys;
    each_attr(rb, NULL, on_key_attr);
    if (!rb->failed && rb->n_keys == before) rb->stats.warnings++;
    return rb->failed ? -1 : 0;
}

/* ---- the walk ------------------------------------------------------------------ */

static int element_begin(rb_parser *rb, const char *name, int depth, bool empty)
{
    if (depth == 0) {
        if (strcmp(name, "DJ_PLAYLISTS") != 0)
            return fail(rb, "not a Rekordbox XML file: root element is ", name);
        rb->saw_root = true;
        return 0;
    }
    if (depth == 1) {
        rb->section = SEC_NONE;
        if (strcmp(name, "PRODUCT") == 0) {
            each_attr(rb, NULL, on_product_attr);
        } else if (strcmp(name, "COLLECTION") == 0) {
            each_attr(rb, NULL, on_collection_attr);
            if (send_info(rb) < 0) return -1;
            if (!empty) rb->section = SEC_COLLECTION;
        } else if (strcmp(name, "PLAYLISTS") == 0) {
            if (send_info(rb) < 0) return -1;
            if (!empty) rb->section = SEC_PLAYLISTS;
        }
        return rb->failed ? -1 : 0;
    }
    if (rb->section == SEC_COLLECTION) {
        if (depth == 2 && strcmp(name, "TRACK") == 0) {
            track_begin(rb);
            return empty ? track_end(rb) : (rb->failed ? -1 : 0);
        }
        if (depth == 3 && rb->in_track) return track_child(rb, name);
        return 0;
    }
    if (rb->section == SEC_PLAYLISTS) {
        if (strcmp(name, "NODE") == 0) return node_begin(rb, depth, empty);
        if (strcmp(name, "TRACK") == 0) return node_track(rb, depth);
    }
    return 0;
}

static int element_end(rb_parser *rb, const char *name, int depth)
{
    if (depth == 1 && rb->section == SEC_COLLECTION) {
        if (rb->entries >= 0 && rb->entries != rb->collection_tracks) rb->stats.warnings++;
        rb->section = SEC_NONE;
    } else if (depth == 1) {
        rb->section = SEC_NONE;
    } else if (depth == 2 && rb->in_track && strcmp(name, "TRACK") == 0) {
        return track_end(rb);
    } else if (rb->section == SEC_PLAYLISTS && strcmp(name, "NODE") == 0 && rb->n_nodes &&
               rb->nodes[rb->n_nodes - 1].depth == depth) {
        return node_end(rb);
    }
    return 0;
}

static int walk(rb_parser *rb)
{
    int ret;
    while (!rb->failed && (ret = xmlTextReaderRead(rb->r)) == 1) {
        int type = xmlTextReaderNodeType(rb->r);
        if (type == XML_READER_TYPE_ELEMENT || type == XML_READER_TYPE_END_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstLocalName(rb->r);
            int depth = xmlTextReaderDepth(rb->r);
            if (!name || depth < 0) return fail(rb, "malformed XML", NULL);
            if (type == XML_READER_TYPE_ELEMENT)
                element_begin(rb, name, depth, xmlTextReaderIsEmptyElement(rb->r) == 1);
            else
                element_end(rb, name, depth);
        } else if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
            rb->stats.warnings++;   /* not expanded, not used */
        }
    }
    if (rb->failed) return -1;
    if (ret < 0) return fail(rb, "malformed XML", NULL);
    if (!rb->saw_root) return fail(rb, "not a Rekordbox XML file: no DJ_PLAYLISTS element", NULL);
    return send_info(rb);
}

/* ---- errors from libxml2 ------------------------------------------------------ */

static void on_xml_error(void *ctx, xml_error_t *e)
{
    rb_parser *rb = ctx;
    if (!e) return;
    if (e->level < XML_ERR_ERROR) {
        rb->stats.warnings++;
        return;
    }
    if (rb->failed) return;
    char reason[256];
    snprintf(reason, sizeof reason, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(reason);
    while (n && is_blank((unsigned char)reason[n - 1])) reason[--n] = '\0';
    if (e->line > 0) cs_err_set(rb->err, "%s:%d: %s", rb->name, e->line, reason);
    else cs_err_set(rb->err, "%s: %s", rb->name, reason);
    rb->failed = true;
}

/* Errors raised outside the reader's context (input setup) go to the
 * thread's generic handler; it must not print either. */
static void ignore_generic(void *ctx, const char *msg, ...) {}

/* ---- entry points ------------------------------------------------------------- */

static void parser_free(rb_parser *rb)
{
    for (int i = 0; i < N_STR; i++) free(rb->str[i].p);
    for (size_t i = 0; i < rb->cap_names; i++) free(rb->mark_names[i].p);
    free(rb->mark_names);
    free(rb->t.tempos);
    free(rb->t.marks);
    free_keys(rb);
    free(rb->keys);
    free(rb->nodes);
    free(rb->path.p);
    free(rb->scratch.p);
    free(rb->product);
    free(rb->version);
    free(rb->company);
}

/* Runs the walk on a reader made by make_reader(arg), with libxml2's error
 * output redirected to rb for the duration. */
static int run(const char *name, const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err,
               xmlTextReaderPtr (*make_reader)(void *arg), void *arg)
{
    pthread_once(&init_once, init_globals);
    rb_parser rb = { .name = name ? name : "<memory>", .h = h, .err = err, .entries = -1 };
    if (!c_locale) return oom(&rb);

    xmlGenericErrorFunc old_generic = xmlGenericError;
    void *old_generic_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc old_structured = xmlStructuredError;
    void *old_structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, ignore_generic);
    xmlSetStructuredErrorFunc(&rb, on_xml_error);

    int rc;
    rb.r = make_reader(arg);
    if (!rb.r) {
        rc = rb.failed ? -1 : fail(&rb, "cannot create the XML reader", NULL);
    } else {
        xmlTextReaderSetStructuredErrorHandler(rb.r, on_xml_error, &rb);
        rc = walk(&rb);
        xmlFreeTextReader(rb.r);
    }

    xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
    xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
    if (stats) *stats = rb.stats;
    parser_free(&rb);
    return rc < 0 ? -1 : 0;
}

typedef struct mem_src { const char *buf; size_t len; const char *name; } mem_src;

static xmlTextReaderPtr reader_for_memory(void *arg)
{
    mem_src *m = arg;
    return xmlReaderForMemory(m->buf, (int)m->len, m->name, NULL, READER_OPTIONS);
}

static xmlTextReaderPtr reader_for_fd(void *arg)
{
    const int *fd = arg;
    return xmlReaderForFd(*fd, NULL, NULL, READER_OPTIONS);
}

int cs_rekordbox_parse_memory(const char *buf, size_t len, const char *name,
                              const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err)
{
    if (stats) memset(stats, 0, sizeof *stats);
    if (!name) name = "<memory>";
    if (!buf || len == 0) return cs_err_set(err, "%s: empty file", name);
    if (len > INT_MAX) return cs_err_set(err, "%s: too large for the XML reader", name);
    mem_src m = { buf, len, name };
    return run(name, h, stats, err, reader_for_memory, &m);
}

int cs_rekordbox_parse_file(const char *path, const cs_rb_handler *h,
                            cs_rb_stats *stats, cs_err *err)
{
    if (stats) memset(stats, 0, sizeof *stats);
    /* Opening the file ourselves gives the errno reason and keeps libxml2's
     * I/O layer (and any URL handling) out of it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cs_err_set(err, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0))) {
        close(fd);
        if (S_ISDIR(st.st_mode)) return cs_err_set(err, "%s: %s", path, strerror(EISDIR));
        return cs_err_set(err, "%s: empty file", path);
    }
    int rc = run(path, h, stats, err, reader_for_fd, &fd);
    close(fd);
    return rc;
}
