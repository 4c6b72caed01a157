#include "pkg/names.h"

#include <stdio.h>
#include <strings.h>

int cs_name_lookup(const cs_name *t, const char *s)
{
    for (; s && t->name; t++)
        if (strcasecmp(s, t->name) == 0) return t->value;
    return -1;
}

const char *cs_name_of(const cs_name *t, int v)
{
    for (; t->name; t++)
        if (t->value == v && !(t->flags & CS_NAME_ALIAS)) return t->name;
    return NULL;
}

char *cs_name_list(const cs_name *t, const char *sep_last, char *buf, size_t cap)
{
    size_t n = 0, listed = 0, len = 0;
    buf[0] = '\0';
    for (const cs_name *p = t; p->name; p++) listed += !(p->flags & CS_NAME_ALIAS);
    for (; t->name; t++) {
        if (t->flags & CS_NAME_ALIAS) continue;
        const char *sep = n == 0 ? "" : n + 1 == listed ? sep_last : ", ";
        int w = snprintf(buf + len, cap - len, "%s%s", sep, t->name);
        if (w < 0 || (size_t)w >= cap - len) break;
        len += (size_t)w;
        n++;
    }
    return buf;
}
