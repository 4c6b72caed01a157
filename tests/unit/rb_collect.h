/* The Rekordbox tests' collector (test_rekordbox.c, test_rekordbox_hostile.c):
 * a cs_rb_handler that copies what the reader's callbacks see, and the
 * parse helpers both files use.  Test code only. */
#ifndef CS_TEST_RB_COLLECT_H
#define CS_TEST_RB_COLLECT_H

#include "pkg/err.h"
#include "pkg/rekordbox.h"

/* ---- a collector that copies what the callbacks see ------------------------ */

typedef struct rec {
    char *id, *name, *artist, *genre, *kind, *location, *tonality, *colour, *comments;
    char *path, *album;         /* cs_rb_track.path (formats with plain paths), album */
    bool path_only;
    double bpm, total_time;
    long year, rating, size;
    size_t n_tempos, n_marks;
    cs_rb_tempo tempos[4];      /* the first few */
    cs_rb_tempo last_tempo;
    cs_rb_mark marks[16];       /* names copied */
} rec;

typedef struct coll {
    rec *v;
    size_t n, cap;
    char **pl;                  /* "type keytype path|name: k1,k2" */
    size_t n_pl;
    int n_info;
    char product[64], version[64], company[64];
    long entries;
    long stop_after;            /* stop when this many tracks were seen (0 never) */
    int saw_forbidden;          /* passwd content or an expanded entity seen */
} coll;

/* Frees what the collector copied and zeroes it. */
void rb_coll_free(coll *c);
/* The track with TrackID id, or NULL. */
const rec *rb_find(const coll *c, const char *id);
/* Index of the playlist line starting with prefix, or -1. */
long rb_find_pl(const coll *c, const char *prefix);
/* A handler whose callbacks fill c. */
cs_rb_handler rb_handler_for(coll *c);
/* Parses realdata/rekordbox/<file> into c (*rc: the reader's result); 0, or
 * -1 when skipped (no realdata: unit_skip said so). */
int rb_parse_real(const char *file, coll *c, cs_rb_stats *st, cs_err *err, int *rc);
/* Parses xml (named "mem.xml" in messages) into c; the reader's result. */
int rb_parse_mem(const char *xml, coll *c, cs_rb_stats *st, cs_err *err);
/* 1 when cs_location_decode(location) is want. */
int rb_decoded_equals(const char *location, const char *want);

#endif
