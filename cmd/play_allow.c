/* cs play's --allow-dir list (play_allow.h). */
#include "cmd/play_allow.h"
#include "db/media.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A library folder that has gone away is skipped, not an error: the player
 * must still start. */
static int add_parent(void *ud, const char *path)
{
    char *copy = strdup(path);
    if (!copy) return 0;
    cs_err ignored = {0};
    cs_allow_add(ud, dirname(copy), true, &ignored);
    free(copy);
    return 0;
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
    if (n == 0) {
        cs_allow_add(a, ".", true, &e);
        struct stat st;
        cs_db *db = NULL;
        /* Only an existing library: cs play never creates one. */
        if (db_path && stat(db_path, &st) == 0 && cs_db_open_readonly(db_path, &db, &e) == 0) {
            if (cs_db_media_files(db, add_parent, a, &e) < 0) cs_log_warn("play: %s", e.msg);
            cs_db_close(db);
        }
    }
    for (int i = 0; i < nfiles; i++)
        if (files[i]) cs_allow_add(a, files[i], false, &e);
    return a;
}
