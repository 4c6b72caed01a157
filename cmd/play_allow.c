/* cs play's --allow-dir list (play_allow.h). */
#include "cmd/play_allow.h"
#include "db/media.h"

#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct parents {
    cs_allow *a;
    bool oom;
} parents;

/* A library folder that has gone away is skipped, not an error: the player
 * must still start.  Out of memory is one (stops the walk): a folder left
 * out would refuse its loads later as "outside the allowed folders". */
static int add_parent(void *ud, const char *path)
{
    parents *p = ud;
    char *copy = strdup(path);
    cs_err e = {0};
    if (!copy || (cs_allow_add(p->a, dirname(copy), true, &e) < 0 && e.code == CS_ERR_NOMEM)) p->oom = true;
    free(copy);
    return p->oom;
}

/* An entry that cannot be added for memory fails the build; one that names
 * a folder or file gone away is skipped. */
static bool add_or_skip(cs_allow *a, const char *path, bool dir)
{
    cs_err e = {0};
    return cs_allow_add(a, path, dir, &e) == 0 || e.code != CS_ERR_NOMEM;
}

cs_allow *cs_play_allow_build(const char *const *dirs, int n, const char *const *files, int nfiles,
                              const char *db_path, cs_err *err)
{
    cs_allow *a = cs_allow_new();
    if (!a) {
        cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    cs_err e = {0};
    for (int i = 0; i < n; i++) {
        if (cs_allow_add(a, dirs[i], true, &e) < 0) {
            cs_err_setc(err, e.code, "--allow-dir %s", e.msg);
            cs_allow_free(a);
            return NULL;
        }
    }
    bool ok = true;
    if (n == 0) {
        ok = add_or_skip(a, ".", true);
        struct stat st;
        cs_db *db = NULL;
        /* Only an existing library: cs play never creates one. */
        if (ok && db_path && stat(db_path, &st) == 0) {
            parents p = { a, false };
            if (cs_db_open_readonly(db_path, &db, &e) < 0 || cs_db_media_files(db, add_parent, &p, &e) < 0) {
                if (e.code == CS_ERR_NOMEM) p.oom = true;
                else cs_log_warn("play: %s; the library's folders are not allowed (--allow-dir names them)", e.msg);
            }
            ok = !p.oom;
            cs_db_close(db);
        }
    }
    for (int i = 0; ok && i < nfiles; i++)
        if (files[i]) ok = add_or_skip(a, files[i], false);
    if (!ok) {
        cs_err_setc(err, CS_ERR_NOMEM, "allowed folders: out of memory");
        cs_allow_free(a);
        return NULL;
    }
    return a;
}
