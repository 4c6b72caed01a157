#include "pkg/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

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
