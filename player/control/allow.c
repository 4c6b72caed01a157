/* --allow-dir (see allow.h).  The list is small (a handful of folders, or
 * one per library folder) and a load is rare, so a linear scan does. */
#include "player/control/allow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct entry {
    char *path;      /* realpath'd */
    char *given;     /* as given, made absolute and without "." / ".." (folders) */
    bool dir;
} entry;

struct cs_allow {
    entry *v;
    size_t n, cap;
    char **hinted;   /* folders whose refusal already named the flag */
    size_t nhinted;
};

/* `path` made absolute (against the working folder) with "//" squeezed.
 * NULL when a component is "." or ".." and `dots` is false: the kernel
 * resolves ".." after symlinks, so a lexical reading of such a path could
 * differ from what open(2) reaches.  With `dots`, ".." pops a component
 * (for --allow-dir arguments, which the user typed). */
static char *lexical(const char *path, bool dots)
{
    char cwd[4096] = "";
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd)) return NULL;
    size_t n = strlen(cwd) + strlen(path) + 3;
    char *in = malloc(n), *out = malloc(n);
    if (!in || !out) { free(in); free(out); return NULL; }
    snprintf(in, n, "%s/%s", cwd, path);
    size_t o = 0;
    for (char *save = NULL, *c = strtok_r(in, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, ".") || !strcmp(c, "..")) {
            if (!dots) { free(in); free(out); return NULL; }
            if (!strcmp(c, "..")) while (o > 0 && out[--o] != '/') {}
            continue;
        }
        o += (size_t)snprintf(out + o, n - o, "/%s", c);
    }
    if (o == 0) out[o++] = '/';
    out[o] = 0;
    free(in);
    return out;
}

cs_allow *cs_allow_new(void) { return calloc(1, sizeof(cs_allow)); }

size_t cs_allow_count(const cs_allow *a) { return a ? a->n : 0; }

int cs_allow_add(cs_allow *a, const char *path, bool is_dir, cs_err *err)
{
    char *real = realpath(path, NULL);
    if (!real) return cs_err_setc(err, errno == ENOMEM ? CS_ERR_NOMEM : CS_ERR_IO, "%s: %s", path, strerror(errno));
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
            return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
        }
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = (entry){ real, is_dir ? lexical(path, true) : NULL, is_dir };
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

/* The path as written lies inside an allowed folder, through symlinked
 * folders placed there (the link is the user's choice).  Not for a path
 * with "." or "..", and not when the file itself is a symlink: that one is
 * judged by its target (a link to /etc/passwd stays refused). */
static bool inside_as_written(const cs_allow *a, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) return false;
    char *lex = lexical(path, false);
    bool ok = false;
    for (size_t i = 0; lex && i < a->n && !ok; i++)
        ok = a->v[i].dir && ((a->v[i].given && inside(a->v[i].given, lex)) || inside(a->v[i].path, lex));
    free(lex);
    return ok;
}

/* First refusal from this folder?  Remembers it. */
static bool first_for_folder(cs_allow *a, const char *folder)
{
    for (size_t i = 0; i < a->nhinted; i++)
        if (!strcmp(a->hinted[i], folder)) return false;
    char **nv = realloc(a->hinted, (a->nhinted + 1) * sizeof *nv);
    if (!nv) return true;
    a->hinted = nv;
    if ((a->hinted[a->nhinted] = strdup(folder))) a->nhinted++;
    return true;
}

int cs_allow_check(cs_allow *a, const char *path, cs_err *err)
{
    char *real = resolve(path);
    bool oom = !real && errno == ENOMEM;   /* not a refusal: say so */
    bool ok = false;
    for (size_t i = 0; real && i < a->n && !ok; i++)
        ok = a->v[i].dir ? inside(a->v[i].path, real) : !strcmp(a->v[i].path, real);
    if (!ok && !oom) ok = inside_as_written(a, path);
    if (ok) {
        free(real);
        return 0;
    }
    if (oom) return cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
    /* The folder a user would allow: where the file really is. */
    char folder[4096];
    snprintf(folder, sizeof folder, "%s", real ? real : path);
    free(real);
    char *slash = strrchr(folder, '/');
    struct stat st;
    if (slash && !(stat(folder, &st) == 0 && S_ISDIR(st.st_mode))) *(slash == folder ? slash + 1 : slash) = 0;
    if (first_for_folder(a, folder))
        return cs_err_setc(err, CS_ERR_DENIED, "%s: outside the allowed folders (cs play --allow-dir %s allows it)", path, folder);
    return cs_err_setc(err, CS_ERR_DENIED, "%s: outside the allowed folders", path);
}

void cs_allow_free(cs_allow *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].path);
        free(a->v[i].given);
    }
    for (size_t i = 0; i < a->nhinted; i++) free(a->hinted[i]);
    free(a->hinted);
    free(a->v);
    free(a);
}
