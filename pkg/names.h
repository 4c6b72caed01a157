/* Name tables: the words a user may type for an enumerated value (a stretch
 * method, an output format), with aliases.  One table per value set, read by
 * the parser and by the help text alike, so the two cannot disagree.
 *
 *   static const cs_name fmts[] = { { "csv", 1, 0 }, { "json", 2, 0 }, { 0 } };
 *   int v = cs_name_lookup(fmts, "JSON");   // 2: matching ignores ASCII case
 */
#ifndef CS_NAMES_H
#define CS_NAMES_H

#include <stddef.h>

enum {
    CS_NAME_ALIAS = 1,   /* accepted, but not listed in help or error texts */
};

typedef struct cs_name {
    const char *name;    /* NULL ends the table */
    int value;
    unsigned flags;      /* CS_NAME_* */
} cs_name;

/* The value of s in t (ASCII case ignored), -1 when absent or s is NULL. */
int cs_name_lookup(const cs_name *t, const char *s);
/* The first listed (non-alias) name with value v, NULL when none. */
const char *cs_name_of(const cs_name *t, int v);
/* "a, b or c": the listed names, into buf (cap bytes, always terminated);
 * returns buf. */
char *cs_name_list(const cs_name *t, const char *sep_last, char *buf, size_t cap);

#endif
