/* The PLAYLISTS side of the Rekordbox reader (see rekordbox.c): the open
 * NODEs as a stack, their "/"-joined path, the TRACK keys of the innermost
 * one, and the on_playlist callback (folders when they open, playlists when
 * their keys are complete). */
#include "pkg/rekordbox_int.h"

#include <stdlib.h>
#include <string.h>

void rb_free_keys(rb_parser *rb)
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
    rb_free_keys(rb);
    return stop ? rb_fail(rb, "stopped", NULL) : 0;
}

typedef struct node_attrs {
    bool has_name, has_type, has_count;
    int type, key_type;
} node_attrs;

static void on_node_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    node_attrs *na = obj;
    if (strcmp(name, "Name") == 0) {
        if (!rb_sbuf_set(&rb->scratch, value)) rb_oom(rb);
        na->has_name = true;
    } else if (strcmp(name, "Type") == 0) {
        na->has_type = true;
        rb_parse_int(rb, value, &na->type);
    } else if (strcmp(name, "KeyType") == 0) {
        rb_parse_int(rb, value, &na->key_type);
    } else if (strcmp(name, "Count") == 0) {
        na->has_count = true;
    }
}

static bool path_append(rb_parser *rb, const char *name, size_t *name_off)
{
    size_t len = strlen(name), sep = rb->n_nodes ? 1 : 0;
    char *p = rb_grow(rb->path.p, &rb->path.cap, rb->path_n + sep + len + 1, 1);
    if (!p) return false;
    rb->path.p = p;
    if (sep) rb->path.p[rb->path_n++] = '/';
    *name_off = rb->path_n;
    memcpy(rb->path.p + rb->path_n, name, len + 1);
    rb->path_n += len;
    return true;
}

int rb_node_end(rb_parser *rb)
{
    rb_node *nd = &rb->nodes[rb->n_nodes - 1];
    int rc = nd->delivered ? 0 : node_deliver(rb, nd);
    rb->path_n = nd->path_len;
    rb->path.p[rb->path_n] = '\0';
    rb->n_nodes--;
    return rc;
}

int rb_node_begin(rb_parser *rb, int depth, bool empty)
{
    /* The parent's keys are complete once a child NODE opens. */
    if (rb->n_nodes && !rb->nodes[rb->n_nodes - 1].delivered &&
        node_deliver(rb, &rb->nodes[rb->n_nodes - 1]) < 0)
        return -1;
    node_attrs na = { .type = -1 };
    rb_each_attr(rb, &na, on_node_attr);
    if (rb->failed) return -1;
    if (!na.has_type || (na.type != 0 && na.type != 1)) {
        /* Guess from the attribute only folders carry. */
        na.type = na.has_count ? 0 : 1;
        rb->stats.warnings++;
    }
    if (rb_node_push(rb, na.has_name ? rb->scratch.p : "", na.type, na.key_type, depth) < 0)
        return -1;
    return empty ? rb_node_end(rb) : 0;
}

int rb_node_push(rb_parser *rb, const char *name, int type, int key_type, int depth)
{
    rb_node *nodes = rb_grow(rb->nodes, &rb->cap_nodes, rb->n_nodes + 1, sizeof *nodes);
    if (!nodes) return rb_oom(rb);
    rb->nodes = nodes;
    rb_node *nd = &rb->nodes[rb->n_nodes];
    *nd = (rb_node){ .path_len = rb->path_n, .type = type, .key_type = key_type, .depth = depth };
    if (!path_append(rb, name, &nd->name_off)) return rb_oom(rb);
    rb->n_nodes++;
    return type == 0 ? node_deliver(rb, nd) : 0;
}

int rb_key_add(rb_parser *rb, const char *key)
{
    char **keys = rb_grow(rb->keys, &rb->cap_keys, rb->n_keys + 1, sizeof *keys);
    if (!keys) return rb_oom(rb);
    rb->keys = keys;
    if (!(keys[rb->n_keys] = strdup(key))) return rb_oom(rb);
    rb->n_keys++;
    return 0;
}

static void on_key_attr(rb_parser *rb, void *obj, const char *name, const char *value)
{
    if (strcmp(name, "Key") == 0) rb_key_add(rb, value);
}

/* A TRACK directly inside a playlist NODE. */
int rb_node_track(rb_parser *rb, int depth)
{
    rb_node *nd = rb->n_nodes ? &rb->nodes[rb->n_nodes - 1] : NULL;
    if (!nd || depth != nd->depth + 1 || nd->delivered) {
        rb->stats.warnings++;   /* a key outside any playlist: nowhere to put it */
        return 0;
    }
    size_t before = rb->n_keys;
    rb_each_attr(rb, NULL, on_key_attr);
    if (!rb->failed && rb->n_keys == before) rb->stats.warnings++;
    return rb->failed ? -1 : 0;
}
