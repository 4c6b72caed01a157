#include "pkg/fsutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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

/* "<digits>.<digits>" and nothing else: the pid and counter of a temporary
 * (a user's ".x.tmp.bak" is not one). */
static long temp_pid(const char *suffix)
{
    const char *p = suffix;
    long pid = 0;
    if (!isdigit((unsigned char)*p)) return -1;
    while (isdigit((unsigned char)*p)) {
        if (pid > 99999999) return -1;
        pid = pid * 10 + (*p++ - '0');
    }
    if (*p++ != '.' || !isdigit((unsigned char)*p)) return -1;
    while (isdigit((unsigned char)*p)) p++;
    return *p ? -1 : pid;
}

void cs_remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX], prefix[NAME_MAX + 16];
    int dirlen = slash ? (int)(slash - path) : 0;
    const char *name = slash ? slash + 1 : path;
    if (snprintf(dir, sizeof dir, "%.*s", slash ? (dirlen ? dirlen : 1) : 1, slash ? path : ".") >= (int)sizeof dir ||
        snprintf(prefix, sizeof prefix, ".%s.tmp.", name) >= (int)sizeof prefix)
        return;
    size_t plen = strlen(prefix);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* The literal name, no pattern: track names hold [ ] * ? freely. */
        if (strncmp(e->d_name, prefix, plen) != 0) continue;
        long pid = temp_pid(e->d_name + plen);
        if (pid <= 0 || pid == (long)getpid()) continue;   /* ours: being written now */
        if (kill((pid_t)pid, 0) == 0 || errno == EPERM) continue;
        char full[PATH_MAX];
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) < (int)sizeof full) unlink(full);
    }
    closedir(d);
}

int cs_write_file_atomic(const char *path, const char *data, size_t len)
{
    static unsigned long seq;
    char tmp[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path + 1) : 0;
    if (snprintf(tmp, sizeof tmp, "%.*s.%s.tmp.%ld.%lu", dl, path, slash ? slash + 1 : path,
                 (long)getpid(), __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED)) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = errno;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        e = bad ? e : errno;
        unlink(tmp);
        errno = e ? e : EIO;
        return -1;
    }
    return 0;
}
