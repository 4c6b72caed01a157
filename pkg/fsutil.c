#include "pkg/fsutil.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Creates each prefix of path ending at a '/' (and path itself when whole). */
static int make_prefixes(const char *path, bool whole)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = tmp + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(tmp, 0777) < 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    if (whole && mkdir(tmp, 0777) < 0 && errno != EEXIST) return -1;
    return 0;
}

int cs_mkdirs(const char *dir) { return make_prefixes(dir, true); }
int cs_mkdirs_for(const char *file) { return make_prefixes(file, false); }

bool cs_is_file(const char *p, struct stat *sb)
{
    struct stat own;
    if (!sb) sb = &own;
    return p && stat(p, sb) == 0 && S_ISREG(sb->st_mode);
}

void cs_remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash + 1 - path) : 0;
    const char *name = slash ? slash + 1 : path;
    char pat[PATH_MAX + 16];
    if (snprintf(pat, sizeof pat, "%.*s.%s.tmp.*", dirlen, path, name) >= (int)sizeof pat) return;
    size_t prefix = strlen(pat) - 1;   /* up to the pid */
    glob_t g;
    if (glob(pat, GLOB_NOSORT | GLOB_NOESCAPE, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            long pid = strlen(g.gl_pathv[i]) > prefix ? strtol(g.gl_pathv[i] + prefix, NULL, 10) : 0;
            bool alive = pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
            if (!alive) unlink(g.gl_pathv[i]);
        }
    }
    globfree(&g);
}
