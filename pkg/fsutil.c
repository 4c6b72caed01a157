#include "pkg/fsutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
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

int cs_temp_name(char *buf, size_t n, const char *path, unsigned seq)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash + 1 - path) : 0;
    if (!path[dirlen]) return -1;
    int w = snprintf(buf, n, "%.*s.%s.tmp.%ld.%u", dirlen, path, path + dirlen, (long)getpid(), seq);
    return w < 0 || (size_t)w >= n ? -1 : 0;
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

/* Distinguishes temporaries of threads writing the same name. */
static atomic_uint tmp_counter;

int cs_temp_open(const char *path, char tmp[CS_TEMP_NAME_MAX])
{
    const char *slash = strrchr(path, '/');
    if (!*(slash ? slash + 1 : path)) {
        errno = EINVAL;
        return -1;
    }
    if (cs_temp_name(tmp, CS_TEMP_NAME_MAX, path, atomic_fetch_add(&tmp_counter, 1u)) < 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
}

FILE *cs_temp_fopen(const char *path, char tmp[CS_TEMP_NAME_MAX])
{
    int fd = cs_temp_open(path, tmp);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "wb");
    if (!f) cs_temp_abort(fd, tmp);
    return f;
}

void cs_temp_abort(int fd, const char *tmp)
{
    int e = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    errno = e;
}

/* Renames a closed temporary into place (removes it on failure). */
static int rename_into(const char *tmp, const char *path)
{
    if (rename(tmp, path) == 0) return 0;
    cs_temp_abort(-1, tmp);
    return -1;
}

int cs_temp_commit(int fd, const char *tmp, const char *path)
{
    if (fsync(fd) != 0) {
        cs_temp_abort(fd, tmp);
        return -1;
    }
    if (close(fd) != 0) {
        cs_temp_abort(-1, tmp);
        return -1;
    }
    return rename_into(tmp, path);
}

int cs_temp_fcommit(FILE *f, const char *tmp, const char *path)
{
    errno = 0;
    bool bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    int e = errno ? errno : EIO;
    if (fclose(f) != 0 && !bad) {
        bad = true;
        e = errno;
    }
    if (bad) {
        cs_temp_abort(-1, tmp);
        errno = e;
        return -1;
    }
    return rename_into(tmp, path);
}

int cs_write_atomic(const char *path, const void *data, size_t n)
{
    cs_remove_stale_temps(path);
    char tmp[CS_TEMP_NAME_MAX];
    FILE *f = cs_temp_fopen(path, tmp);
    if (!f) return -1;
    if (n && fwrite(data, 1, n, f) != n) {
        int e = errno ? errno : EIO;
        fclose(f);
        cs_temp_abort(-1, tmp);
        errno = e;
        return -1;
    }
    return cs_temp_fcommit(f, tmp, path);
}

char *cs_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *nb = realloc(buf, 2 * cap + 1);
        if (!nb) {
            free(buf);
            errno = ENOMEM;
        }
        buf = nb;
        cap *= 2;
    }
    int saved = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (buf && saved) {
        free(buf);
        buf = NULL;
        errno = saved;
    }
    if (!buf) return NULL;
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}
