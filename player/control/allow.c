/* --allow-dir (see allow.h).  The list is small (a handful of folders, or
 * one per library folder) and a load is rare, so a linear scan does. */
#include "player/control/allow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *path;      /* realpath'd */
    bool dir;
} entry;

struct cs_allow {
    entry *v;
    size_t n, cap;
};

cs_allow *cs_allow_new(void) { return calloc(1, sizeof(cs_allow)); }

size_t cs_allow_count(const cs_allow *a) { return a ? a->n : 0; }

int cs_allow_add(cs_allow *a, const char *path, bool is_dir, cs_err *err)
{
    char *real = realpath(path, NULL);
    if (!real) return cs_err_set(err, "%s: %s", path, strerror(errno));
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].dir == is_dir && !strcmp(a->v[i].path, real)) {
            free(real);
            return 0;
        }
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 8;
        entry *nv = realloc(a->v, cap * sizeof *nv);
        if (!nv) {
            free(real);
            return cs_err_set(err, "%s: out of memory", path);
        }
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = (entry){ real, is_dir };
    return 0;
}

/* child is inside dir: dir is a prefix ending on a component boundary. */
static bool inside(const char *dir, const char *child)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/') return child[0] == '/';
    return !strncmp(dir, child, n) && (child[n] == '/' || child[n] == 0);
}

/* A path that does not resolve is judged by its folder: inside, the load
 * goes on and reports the missing file as usual; outside (or no folder),
 * the same refusal as for an existing file, so a sender cannot probe which
 * files exist outside the allowed folders. */
static char *resolve(const char *path)
{
    char *real = realpath(path, NULL);
    if (real) return real;
    char *copy = strdup(path);
    if (!copy) return NULL;
    char *slash = strrchr(copy, '/');
    if (slash == copy) slash[1] = 0;
    else if (slash) *slash = 0;
    else strcpy(copy, ".");
    real = realpath(copy, NULL);
    free(copy);
    return real;
}

int cs_allow_check(const cs_allow *a, const char *path, cs_err *err)
{
    char *real = resolve(path);
    bool ok = false;
    for (size_t i = 0; real && i < a->n && !ok; i++)
        ok = a->v[i].dir ? inside(a->v[i].path, real) : !strcmp(a->v[i].path, real);
    bool oom = !real && errno == ENOMEM;   /* not a refusal: say so */
    free(real);     /* free(NULL) when unresolvable: refused below */
    if (oom) return cs_err_set(err, "%s: out of memory", path);
    return ok ? 0 : cs_err_set(err, "%s: outside the allowed folders (--allow-dir)", path);
}

void cs_allow_free(cs_allow *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) free(a->v[i].path);
    free(a->v);
    free(a);
}
